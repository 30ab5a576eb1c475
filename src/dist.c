/* dist.c: the dense table of a law p on [V]^L: allocation, validation, table files, spec strings
 * (the families themselves are in families.c; their key=value lists are read by spec_kv.c). */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
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
        return dlmkl_error(DLMKL_ESUM, "the probabilities sum to %.17g, not 1 (tolerance %g); fix the table or "
                           "divide it by the sum", sum, DLMKL_SUM_TOL);
    /* accepted within the tolerance: remove the residue, so that a point mass summing to 1 - 8e-10
     * has entropy 0, not 1e-9. A residue at the level of the rounding of the sum itself (a table
     * written with %.17g by this library) is left alone, so that tables round-trip exactly. */
    if (fabs(sum - 1.0) > 4.0 * sqrt((double)d->n) * DBL_EPSILON)
        for (uint64_t i = 0; i < d->n; i++)
            d->p[i] /= sum;
    return DLMKL_OK;
}

/* ---- table files ---- */

/* Longest line of a table file: far above any number written with %.17g, and bounded so that a
 * file without line breaks (or /dev/zero) stops at once. */
#define TABLE_MAX_LINE (1 << 20)

/* Next line that is not blank or a '#' comment; *got = 0 at the end of the file. */
static int next_line(FILE *f, dlmkl_line *ln, int *got)
{
    int st;
    while ((st = dlmkl_read_line(f, ln, TABLE_MAX_LINE, got)) == DLMKL_OK && *got) {
        const char *s = ln->s;
        while (isspace((unsigned char)*s))
            s++;
        if (*s != '\0' && *s != '#')
            return DLMKL_OK;
    }
    return st;
}

/* The header "L V": two integers separated by blanks, nothing else. */
static int read_header(const char *s, long *L, long *V)
{
    const char *tok[3];
    size_t len[3];
    int n = 0;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (n == 3)
            break;
        tok[n] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        len[n] = (size_t)(s - tok[n]);
        n++;
    }
    if (n != 2)
        return dlmkl_error(DLMKL_EINVAL, "expected 'L V' (two integers)");
    if (dlmkl_read_long(tok[0], len[0], 1, DLMKL_MAX_L, L))
        return dlmkl_error_prefix(DLMKL_EINVAL, "L in the header 'L V'");
    if (dlmkl_read_long(tok[1], len[1], 2, INT_MAX, V))
        return dlmkl_error_prefix(DLMKL_EINVAL, "V in the header 'L V'");
    return DLMKL_OK;
}

/* The long (tidy) form: a CSV header naming x1..xL and p in any order (a column with an empty name,
 * such as the index pandas writes, is ignored), then one row per string x with its probability;
 * rows in any order, absent strings have probability 0, V = 1 + the largest symbol (at least 2).
 * ln holds the header line. The rows are kept (through the memory cap) until V is known. */
static int read_long_table(FILE *f, dlmkl_line *ln, dlmkl_dist **out)
{
    dlmkl_csv_row row = {0};
    int col[DLMKL_MAX_L + 1], pcol = -1, L = 0, ncols, st;
    if ((st = dlmkl_csv_split(ln->s, &row)) != DLMKL_OK) {
        dlmkl_csv_row_free(&row); /* the fields split before the error */
        return dlmkl_error_prefix(st, "line %ld (the CSV header x1,...,xL,p)", ln->lineno);
    }
    ncols = row.n;
    int *role = calloc((size_t)ncols, sizeof *role); /* 0 ignored, 1 + i for x_{i+1}, -1 for p */
    if (!role) {
        dlmkl_csv_row_free(&row);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    for (int c = 0; c < ncols && st == DLMKL_OK; c++) {
        const char *name = row.field[c];
        while (isspace((unsigned char)*name))
            name++;
        long i;
        size_t nl = strlen(name);
        while (nl > 0 && isspace((unsigned char)name[nl - 1]))
            nl--;
        if (nl == 0)
            continue;
        if (nl == 1 && name[0] == 'p') {
            if (pcol >= 0)
                st = dlmkl_error(DLMKL_EINVAL, "line %ld: column p appears twice", ln->lineno);
            pcol = c, role[c] = -1;
        } else if (name[0] == 'x' && dlmkl_read_long(name + 1, nl - 1, 1, DLMKL_MAX_L, &i) == DLMKL_OK) {
            for (int c2 = 0; c2 < c && st == DLMKL_OK; c2++)
                if (role[c2] == (int)i)
                    st = dlmkl_error(DLMKL_EINVAL, "line %ld: column x%ld appears twice", ln->lineno, i);
            role[c] = (int)i;
            if ((int)i > L)
                L = (int)i;
        } else {
            st = dlmkl_error(DLMKL_EINVAL, "line %ld: column '%.*s' is not x1..xL or p (a long-format table has "
                             "the columns x1,...,xL,p)", ln->lineno, (int)nl, name);
        }
    }
    dlmkl_csv_row_free(&row);
    int nx = 0;
    for (int c = 0; c < ncols; c++)
        nx += role[c] > 0;
    if (st == DLMKL_OK && (pcol < 0 || L == 0 || nx != L))
        st = dlmkl_error(DLMKL_EINVAL, "line %ld: a long-format table needs the columns x1,...,xL (each once, none "
                         "missing) and p", ln->lineno);
    for (int c = 0; c < ncols; c++)
        if (role[c] > 0)
            col[role[c] - 1] = c;
    /* the rows: L symbols and a probability each */
    size_t n = 0, cap = 0;
    int *xs = NULL;
    double *ps = NULL;
    long V = 2;
    int got;
    while (st == DLMKL_OK && (st = next_line(f, ln, &got)) == DLMKL_OK && got) {
        if ((st = dlmkl_csv_split(ln->s, &row)) != DLMKL_OK) {
            st = dlmkl_error_prefix(st, "line %ld", ln->lineno);
            break;
        }
        if (row.n != ncols) {
            st = dlmkl_error(DLMKL_EINVAL, "line %ld has %d fields, the header %d", ln->lineno, row.n, ncols);
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 1024;
            if ((st = dlmkl_check_memory(ncap * ((size_t)L * sizeof *xs + sizeof *ps),
                                         "the rows of a long-format table")) != DLMKL_OK)
                break;
            int *nxs = realloc(xs, ncap * (size_t)L * sizeof *xs);
            if (nxs)
                xs = nxs;
            double *nps = nxs ? realloc(ps, ncap * sizeof *ps) : NULL;
            if (!nps) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory reading a long-format table");
                break;
            }
            ps = nps, cap = ncap;
        }
        for (int i = 0; i < L && st == DLMKL_OK; i++) {
            long v;
            const char *s = row.field[col[i]];
            if (dlmkl_read_long(s, strlen(s), 0, INT_MAX - 1, &v) != DLMKL_OK)
                st = dlmkl_error_prefix(DLMKL_EINVAL, "line %ld, column x%d (a symbol 0..V-1)", ln->lineno, i + 1);
            else {
                xs[n * (size_t)L + (size_t)i] = (int)v;
                if (v + 1 > V)
                    V = v + 1;
            }
        }
        const char *s = row.field[pcol];
        if (st == DLMKL_OK && dlmkl_read_double(s, strlen(s), -INFINITY, INFINITY, &ps[n]) != DLMKL_OK)
            st = dlmkl_error_prefix(DLMKL_EINVAL, "line %ld, column p", ln->lineno);
        else if (st == DLMKL_OK && ps[n] < 0.0)
            st = dlmkl_error(DLMKL_EINVAL, "line %ld: probability %.17g is negative", ln->lineno, ps[n]);
        if (st == DLMKL_OK)
            n++;
    }
    dlmkl_csv_row_free(&row);
    free(role);
    dlmkl_dist *d = NULL;
    if (st == DLMKL_OK && n == 0)
        st = dlmkl_error(DLMKL_EINVAL, "a long-format table needs at least one row after its header");
    if (st == DLMKL_OK && !(d = dlmkl_dist_alloc(L, (int)V)))
        st = strncmp(dlmkl_last_error(), "out of memory", 13) == 0 ? DLMKL_ENOMEM : DLMKL_ETOOBIG;
    /* each string once; a NaN marks the cells set so far */
    for (uint64_t i = 0; st == DLMKL_OK && i < d->n; i++)
        d->p[i] = NAN;
    for (size_t r = 0; r < n && st == DLMKL_OK; r++) {
        uint64_t idx = 0;
        for (int i = 0; i < L; i++)
            idx = idx * (uint64_t)V + (uint64_t)xs[r * (size_t)L + (size_t)i];
        if (!isnan(d->p[idx]))
            st = dlmkl_error(DLMKL_EINVAL, "data row %zu repeats an earlier row's string x", r + 1);
        d->p[idx] = ps[r];
    }
    for (uint64_t i = 0; st == DLMKL_OK && i < d->n; i++)
        if (isnan(d->p[i]))
            d->p[i] = 0.0;
    free(xs), free(ps);
    if (st != DLMKL_OK) {
        dlmkl_dist_free(d);
        return st;
    }
    *out = d;
    return DLMKL_OK;
}

int dlmkl_dist_read_table(const char *path, int normalize, dlmkl_dist **out)
{
    *out = NULL;
    const int use_stdin = strcmp(path, "-") == 0;
    FILE *f = use_stdin ? stdin : fopen(path, "r");
    if (!f)
        return dlmkl_error(DLMKL_EIO, "cannot open table file '%s': %s", path, strerror(errno));
    dlmkl_line ln = {0};
    dlmkl_dist *d = NULL;
    long L = 0, V = 0;
    int got, st = next_line(f, &ln, &got), long_form = 0;
    if (st == DLMKL_OK && !got)
        st = dlmkl_error(DLMKL_EINVAL, "the file is empty; it needs a line 'L V' then V^L probabilities");
    else if (st == DLMKL_OK && strchr(ln.s, ','))
        long_form = 1, st = read_long_table(f, &ln, &d);
    else if (st == DLMKL_OK && (st = read_header(ln.s, &L, &V)) != DLMKL_OK)
        st = dlmkl_error_prefix(st, "line %ld", ln.lineno);
    if (st == DLMKL_OK && !long_form && !(d = dlmkl_dist_alloc((int)L, (int)V)))
        st = dlmkl_last_status();
    uint64_t i = long_form && d ? d->n : 0;
    while (st == DLMKL_OK && !long_form && (st = next_line(f, &ln, &got)) == DLMKL_OK && got) {
        double v;
        if (i >= d->n)
            st = dlmkl_error(DLMKL_EINVAL, "more than V^L = %llu probabilities (line %ld)",
                             (unsigned long long)d->n, ln.lineno);
        else if (dlmkl_read_double(ln.s, ln.len, -INFINITY, INFINITY, &v))
            st = dlmkl_error_prefix(DLMKL_EINVAL, "line %ld (one probability per line)", ln.lineno);
        else if (v < 0.0)
            st = dlmkl_error(DLMKL_EINVAL, "line %ld: probability %.17g is negative", ln.lineno, v);
        else
            d->p[i++] = v;
    }
    if (!use_stdin)
        fclose(f);
    dlmkl_line_free(&ln);
    if (st == DLMKL_OK && i != d->n)
        st = dlmkl_error(DLMKL_EINVAL, "has %llu probabilities, but 'L V' = '%ld %ld' needs V^L = %llu",
                         (unsigned long long)i, L, V, (unsigned long long)d->n);
    if (st == DLMKL_OK)
        st = dlmkl_dist_validate(d, normalize);
    if (st != DLMKL_OK) {
        dlmkl_dist_free(d);
        return dlmkl_error_prefix(st, "table file '%s'", path);
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
        return dlmkl_error(DLMKL_EINVAL, "distribution spec '%s' has no family; write FAMILY:key=value,...", spec);
    memcpy(family, spec, flen);
    family[flen] = '\0';
    const char *args = colon ? colon + 1 : "";
    int st = dlmkl_family_build(family, args, normalize, out);
    if (st == DLMKL_OK && (st = dlmkl_dist_set_spec(*out, spec)) != DLMKL_OK) {
        dlmkl_dist_free(*out);
        *out = NULL;
    }
    return st;
}
