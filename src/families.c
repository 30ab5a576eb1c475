/* families.c: the built-in distribution families (spec grammar in dlmkl_dist_spec_help()). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/dist.h"
#include "internal.h"

/* copy:L=..,V=.. — uniform over the V constant strings. */
static int build_copy(dlmkl_kv *kv, dlmkl_dist **out)
{
    long L, V;
    int st;
    if ((st = dlmkl_kv_int(kv, "copy", "L", 1, 0, &L)) || (st = dlmkl_kv_int(kv, "copy", "V", 0, 2, &V)) ||
        (st = dlmkl_kv_check_unused(kv, "copy", "L, V")))
        return st;
    if (L < 1 || L > DLMKL_MAX_L || V < 2 || V > 1 << 20)
        return dlmkl_error(DLMKL_EINVAL, "copy: need 1 <= L <= %d and V >= 2 (got L = %ld, V = %ld)", DLMKL_MAX_L, L, V);
    dlmkl_dist *d = dlmkl_dist_alloc((int)L, (int)V);
    if (!d)
        return DLMKL_ETOOBIG;
    /* the constant string (v,...,v) has index v·(V^L − 1)/(V − 1) */
    uint64_t rep = (d->n - 1) / (uint64_t)(V - 1);
    for (long v = 0; v < V; v++)
        d->p[(uint64_t)v * rep] = 1.0 / (double)V;
    *out = d;
    return DLMKL_OK;
}

/* parity:L=..[,V=m] — uniform over strings with Σ x_i ≡ 0 (mod V). */
static int build_parity(dlmkl_kv *kv, dlmkl_dist **out)
{
    long L, V;
    int st;
    if ((st = dlmkl_kv_int(kv, "parity", "L", 1, 0, &L)) || (st = dlmkl_kv_int(kv, "parity", "V", 0, 2, &V)) ||
        (st = dlmkl_kv_check_unused(kv, "parity", "L, V")))
        return st;
    if (L < 1 || L > DLMKL_MAX_L || V < 2 || V > 1 << 20)
        return dlmkl_error(DLMKL_EINVAL, "parity: need 1 <= L <= %d and V >= 2 (got L = %ld, V = %ld)", DLMKL_MAX_L, L, V);
    dlmkl_dist *d = dlmkl_dist_alloc((int)L, (int)V);
    if (!d)
        return DLMKL_ETOOBIG;
    double w = 1.0 / (double)(d->n / (uint64_t)V);
    for (uint64_t i = 0; i < d->n; i++) {
        uint64_t x = i, s = 0;
        for (long k = 0; k < L; k++) {
            s += x % (uint64_t)V;
            x /= (uint64_t)V;
        }
        d->p[i] = s % (uint64_t)V == 0 ? w : 0.0;
    }
    *out = d;
    return DLMKL_OK;
}

typedef int (*builder)(dlmkl_kv *kv, dlmkl_dist **out);
static const struct {
    const char *name;
    builder build;
} families[] = {
    {"copy", build_copy},
    {"parity", build_parity},
};

int dlmkl_family_build(const char *family, const char *args, int normalize, dlmkl_dist **out)
{
    (void)normalize;
    *out = NULL;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        if (strcmp(family, families[i].name) != 0)
            continue;
        dlmkl_kv kv;
        int st = dlmkl_kv_parse(args, &kv);
        if (st != DLMKL_OK)
            return st;
        st = families[i].build(&kv, out);
        dlmkl_kv_clear(&kv);
        return st;
    }
    return dlmkl_error(DLMKL_EINVAL, "unknown distribution family '%s' (families: table, copy, parity; see 'dlmkl --help')", family);
}

const char *dlmkl_dist_spec_help(void)
{
    return "Distribution specs (FAMILY:key=value,...):\n"
           "  table:PATH                 text file: '#' comments, a line 'L V', then V^L probabilities\n"
           "                             (x_1 most significant); must sum to 1 within 1e-9 unless --normalize\n"
           "  copy:L=..,V=..             uniform over the V constant strings\n"
           "  parity:L=..[,V=m]          uniform over strings with sum x_i = 0 mod m (default m = V = 2)\n";
}
