/* dist.c: the dense table of a law p on [V]^L: allocation, validation, table files, spec strings
 * (the families themselves are in families.c), and the key=value parser their specs share. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/dist.h"
#include "internal.h"

dlmkl_dist *dlmkl_dist_alloc(int L, int V)
{
    uint64_t n;
    if (L > DLMKL_MAX_L) {
        dlmkl_error(DLMKL_ETOOBIG, "L = %d exceeds the largest enumerable length %d", L, DLMKL_MAX_L);
        return NULL;
    }
    if (dlmkl_pow_checked(V, L, &n) != DLMKL_OK)
        return NULL;
    if (n > SIZE_MAX / sizeof(double)) {
        dlmkl_error(DLMKL_ETOOBIG, "a table of V^L = %d^%d entries does not fit in memory", V, L);
        return NULL;
    }
    char what[96];
    snprintf(what, sizeof what, "a table of V^L = %d^%d = %llu probabilities", V, L, (unsigned long long)n);
    if (dlmkl_check_memory((size_t)n * sizeof(double), what) != DLMKL_OK)
        return NULL;
    dlmkl_dist *d = calloc(1, sizeof *d);
    if (!d) {
        dlmkl_error(DLMKL_ENOMEM, "out of memory");
        return NULL;
    }
    d->L = L;
    d->V = V;
    d->n = n;
    d->p = calloc(n, sizeof *d->p);
    if (!d->p) {
        free(d);
        dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
        return NULL;
    }
    return d;
}

void dlmkl_dist_free(dlmkl_dist *d)
{
    if (!d)
        return;
    free(d->p);
    free(d->spec);
    free(d);
}

int dlmkl_dist_set_spec(dlmkl_dist *d, const char *spec)
{
    char *c = strdup(spec ? spec : "");
    if (!c)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    free(d->spec);
    d->spec = c;
    return DLMKL_OK;
}

int dlmkl_dist_validate(dlmkl_dist *d, int normalize)
{
    double sum = 0.0;
    for (uint64_t i = 0; i < d->n; i++) {
        double v = d->p[i];
        if (!isfinite(v))
            return dlmkl_error(DLMKL_EINVAL, "probability %llu (0-based) is %g; every entry must be finite",
                               (unsigned long long)i, v);
        if (v < 0.0)
            return dlmkl_error(DLMKL_EINVAL, "probability %llu (0-based) is negative (%.17g); every entry must be >= 0",
                               (unsigned long long)i, v);
        sum += v;
    }
    if (normalize) {
        if (!(sum > 0.0) || !isfinite(sum))
            return dlmkl_error(DLMKL_EINVAL, "the probabilities sum to %g, which cannot be normalised", sum);
        for (uint64_t i = 0; i < d->n; i++)
            d->p[i] /= sum;
        return DLMKL_OK;
    }
    if (fabs(sum - 1.0) > DLMKL_SUM_TOL)
        return dlmkl_error(DLMKL_EINVAL,
                           "the probabilities sum to %.17g, not 1 (tolerance %g); fix the table or pass "
                           "--normalize to divide by the sum", sum, DLMKL_SUM_TOL);
    return DLMKL_OK;
}

/* ---- table files ---- */

/* Next non-empty, non-comment line into buf; 0 at end of file. Counts lines in *lineno. */
static int next_line(FILE *f, char *buf, size_t len, long *lineno)
{
    while (fgets(buf, (int)len, f)) {
        (*lineno)++;
        char *s = buf;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        return 1;
    }
    return 0;
}

int dlmkl_dist_read_table(const char *path, int normalize, dlmkl_dist **out)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return dlmkl_error(DLMKL_EIO, "cannot open table file '%s': %s", path, strerror(errno));
    char buf[512];
    long lineno = 0;
    int L, V;
    char extra[2];
    if (!next_line(f, buf, sizeof buf, &lineno)) {
        fclose(f);
        return dlmkl_error(DLMKL_EINVAL, "table file '%s' is empty; it needs a line 'L V' then V^L probabilities", path);
    }
    if (sscanf(buf, "%d %d %1s", &L, &V, extra) != 2) {
        fclose(f);
        return dlmkl_error(DLMKL_EINVAL, "table file '%s' line %ld: expected 'L V' (two integers), got '%.60s'",
                           path, lineno, buf);
    }
    dlmkl_dist *d = dlmkl_dist_alloc(L, V);
    if (!d) {
        fclose(f);
        char msg[DLMKL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
        return dlmkl_error(DLMKL_EINVAL, "table file '%s': %s", path, msg);
    }
    uint64_t i = 0;
    while (next_line(f, buf, sizeof buf, &lineno)) {
        char *end;
        errno = 0;
        double v = strtod(buf, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (end == buf || *end != '\0') {
            fclose(f);
            dlmkl_dist_free(d);
            return dlmkl_error(DLMKL_EINVAL, "table file '%s' line %ld: '%.40s' is not a number (one probability per line)",
                               path, lineno, buf);
        }
        if (i >= d->n) {
            unsigned long long want = (unsigned long long)d->n;
            fclose(f);
            dlmkl_dist_free(d);
            return dlmkl_error(DLMKL_EINVAL, "table file '%s' has more than V^L = %llu probabilities (line %ld)",
                               path, want, lineno);
        }
        if (!isfinite(v)) {
            fclose(f);
            dlmkl_dist_free(d);
            return dlmkl_error(DLMKL_EINVAL, "table file '%s' line %ld: %s is not finite", path, lineno, buf);
        }
        if (v < 0.0) {
            fclose(f);
            dlmkl_dist_free(d);
            return dlmkl_error(DLMKL_EINVAL, "table file '%s' line %ld: probability %.17g is negative", path, lineno, v);
        }
        d->p[i++] = v;
    }
    fclose(f);
    if (i != d->n) {
        unsigned long long want = (unsigned long long)d->n;
        dlmkl_dist_free(d);
        return dlmkl_error(DLMKL_EINVAL, "table file '%s' has %llu probabilities, but 'L V' = '%d %d' needs V^L = %llu",
                           path, (unsigned long long)i, L, V, want);
    }
    int st = dlmkl_dist_validate(d, normalize);
    if (st != DLMKL_OK) {
        char msg[DLMKL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
        dlmkl_dist_free(d);
        return dlmkl_error(st, "table file '%s': %s", path, msg);
    }
    *out = d;
    return DLMKL_OK;
}

int dlmkl_dist_write_table(const dlmkl_dist *d, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f)
        return dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", path, strerror(errno));
    fprintf(f, "# %s\n%d %d\n", d->spec ? d->spec : "", d->L, d->V);
    for (uint64_t i = 0; i < d->n; i++)
        fprintf(f, "%.17g\n", d->p[i]);
    int bad = ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    return bad ? dlmkl_error(DLMKL_EIO, "error writing '%s'", path) : DLMKL_OK;
}

/* ---- spec strings ---- */

int dlmkl_dist_from_spec(const char *spec, int normalize, dlmkl_dist **out)
{
    *out = NULL;
    const char *colon = strchr(spec, ':');
    char family[64];
    size_t flen = colon ? (size_t)(colon - spec) : strlen(spec);
    if (flen == 0 || flen >= sizeof family)
        return dlmkl_error(DLMKL_EINVAL, "distribution spec '%s' has no family; write FAMILY:key=value,... "
                           "(see 'dlmkl --help')", spec);
    memcpy(family, spec, flen);
    family[flen] = '\0';
    const char *args = colon ? colon + 1 : "";
    int st;
    if (strcmp(family, "table") == 0) {
        if (!*args)
            return dlmkl_error(DLMKL_EINVAL, "spec 'table:' needs a file path: table:PATH");
        st = dlmkl_dist_read_table(args, normalize, out);
    } else {
        st = dlmkl_family_build(family, args, normalize, out);
    }
    if (st == DLMKL_OK && (st = dlmkl_dist_set_spec(*out, spec)) != DLMKL_OK) {
        dlmkl_dist_free(*out);
        *out = NULL;
    }
    return st;
}

/* ---- key=value lists ---- */

void dlmkl_kv_clear(dlmkl_kv *kv)
{
    for (int i = 0; i < kv->n; i++) {
        free(kv->key[i]);
        free(kv->val[i]);
    }
    kv->n = 0;
}

int dlmkl_kv_parse(const char *s, dlmkl_kv *kv)
{
    memset(kv, 0, sizeof *kv);
    const char *p = s;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (len == 0) {
            dlmkl_kv_clear(kv);
            return dlmkl_error(DLMKL_EINVAL, "empty item in '%s' (stray comma?)", s);
        }
        if (!eq || eq == p) {
            dlmkl_kv_clear(kv);
            return dlmkl_error(DLMKL_EINVAL, "'%.*s' in '%s' is not key=value", (int)len, p, s);
        }
        if (kv->n == 64) {
            dlmkl_kv_clear(kv);
            return dlmkl_error(DLMKL_EINVAL, "too many key=value items in '%s'", s);
        }
        for (int i = 0; i < kv->n; i++)
            if (strlen(kv->key[i]) == (size_t)(eq - p) && strncmp(kv->key[i], p, (size_t)(eq - p)) == 0) {
                dlmkl_error(DLMKL_EINVAL, "key '%s' given twice in '%s'", kv->key[i], s);
                dlmkl_kv_clear(kv);
                return DLMKL_EINVAL;
            }
        kv->key[kv->n] = strndup(p, (size_t)(eq - p));
        kv->val[kv->n] = strndup(eq + 1, len - (size_t)(eq - p) - 1);
        kv->used[kv->n] = 0;
        kv->n++;
        if (!end)
            break;
        p = end + 1;
        if (!*p) {
            dlmkl_kv_clear(kv);
            return dlmkl_error(DLMKL_EINVAL, "trailing comma in '%s'", s);
        }
    }
    return DLMKL_OK;
}

static int kv_find(dlmkl_kv *kv, const char *key)
{
    for (int i = 0; i < kv->n; i++)
        if (strcmp(kv->key[i], key) == 0) {
            kv->used[i] = 1;
            return i;
        }
    return -1;
}

const char *dlmkl_kv_str(dlmkl_kv *kv, const char *key)
{
    int i = kv_find(kv, key);
    return i < 0 ? NULL : kv->val[i];
}

static int kv_missing(const char *family, const char *key)
{
    return dlmkl_error(DLMKL_EINVAL, "%s: missing required key '%s' (write %s:%s=VALUE,...)", family, key, family, key);
}

/* Index of key in kv, or −1 when absent; absent and required sets the error (*st). */
static int kv_lookup(dlmkl_kv *kv, const char *family, const char *key, int required, int *st)
{
    int i = kv_find(kv, key);
    *st = i < 0 && required ? kv_missing(family, key) : DLMKL_OK;
    return i;
}

int dlmkl_kv_int(dlmkl_kv *kv, const char *family, const char *key, int required, long def, long *out)
{
    int st, i = kv_lookup(kv, family, key, required, &st);
    if (i < 0) {
        if (st == DLMKL_OK)
            *out = def;
        return st;
    }
    char *end;
    errno = 0;
    long v = strtol(kv->val[i], &end, 10);
    if (end == kv->val[i] || *end || errno)
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%s' is not an integer", family, key, kv->val[i]);
    *out = v;
    return DLMKL_OK;
}

int dlmkl_kv_u64(dlmkl_kv *kv, const char *family, const char *key, int required, uint64_t def, uint64_t *out)
{
    int st, i = kv_lookup(kv, family, key, required, &st);
    if (i < 0) {
        if (st == DLMKL_OK)
            *out = def;
        return st;
    }
    char *end;
    errno = 0;
    if (kv->val[i][0] == '-')
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%s' must be a non-negative integer", family, key, kv->val[i]);
    unsigned long long v = strtoull(kv->val[i], &end, 10);
    if (end == kv->val[i] || *end || errno)
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%s' is not a non-negative integer", family, key, kv->val[i]);
    *out = v;
    return DLMKL_OK;
}

int dlmkl_kv_double(dlmkl_kv *kv, const char *family, const char *key, int required, double def, double *out)
{
    int st, i = kv_lookup(kv, family, key, required, &st);
    if (i < 0) {
        if (st == DLMKL_OK)
            *out = def;
        return st;
    }
    char *end;
    errno = 0;
    double v = strtod(kv->val[i], &end);
    if (end == kv->val[i] || *end || errno || !isfinite(v))
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%s' is not a finite number", family, key, kv->val[i]);
    *out = v;
    return DLMKL_OK;
}

int dlmkl_kv_check_unused(const dlmkl_kv *kv, const char *family, const char *allowed)
{
    for (int i = 0; i < kv->n; i++)
        if (!kv->used[i])
            return dlmkl_error(DLMKL_EINVAL, "%s: unknown key '%s' (keys of %s: %s)", family, kv->key[i], family, allowed);
    return DLMKL_OK;
}
