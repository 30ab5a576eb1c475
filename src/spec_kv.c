/* spec_kv.c: the `key=value,...` lists of distribution specs: parsing, typed getters with messages
 * naming the family and key, the unknown-key check, and a lenient look-up used before building. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spec_kv.h"

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
        if (kv->n == DLMKL_KV_MAX) {
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
        if (!kv->key[kv->n - 1] || !kv->val[kv->n - 1]) {
            dlmkl_kv_clear(kv);
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        }
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
    if (dlmkl_read_long(kv->val[i], (size_t)-1, LONG_MIN, LONG_MAX, out))
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%.60s' is not an integer", family, key, kv->val[i]);
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
    const char *v = kv->val[i];
    if (!*v || strspn(v, "0123456789") != strlen(v))
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%.60s' is not a non-negative integer", family, key, v);
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno)
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%.60s' is out of range (more than 64 bits)", family, key, v);
    *out = x;
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
    if (dlmkl_read_double(kv->val[i], (size_t)-1, -INFINITY, INFINITY, out))
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%.60s' is not a finite number", family, key, kv->val[i]);
    return DLMKL_OK;
}

int dlmkl_kv_check_unused(const dlmkl_kv *kv, const char *family, const char *allowed)
{
    for (int i = 0; i < kv->n; i++)
        if (!kv->used[i])
            return dlmkl_error(DLMKL_EINVAL, "%s: unknown key '%s' (keys of %s: %s)", family, kv->key[i], family, allowed);
    return DLMKL_OK;
}

int dlmkl_kv_has(const dlmkl_kv *kv, const char *key)
{
    for (int i = 0; i < kv->n; i++)
        if (strcmp(kv->key[i], key) == 0)
            return 1;
    return 0;
}

long dlmkl_kv_peek_long(const char *args, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = args; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, key, n) == 0 && p[n] == '=') {
            char *end;
            errno = 0;
            long v = strtol(p + n + 1, &end, 10);
            if (end != p + n + 1 && (*end == ',' || *end == 0) && !errno)
                return v;
            return -1;
        }
    }
    return -1;
}
