/* lnfact.h: ln k! in double-double (private to the exchangeable and Markov profile routes).
 *
 * lf[k] = ln k! is kept as an unevaluated sum hi + lo: hi the running double sum of log(j),
 * j = 1..k, lo the exact rounding errors of those additions (TwoSum). The only error left is that
 * of each log(j) itself (< 1 ulp of log j), so ln C(n,k) = lf[n] − lf[k] − lf[n−k] comes out to
 * about one ulp of its own size plus Σ of those log errors (a random walk, ~1e-14 absolute at
 * n = 10^4), whatever the size of ln n!. Only IEEE double arithmetic (the project builds with
 * -ffp-contract=off, which TwoSum needs): the same bits wherever long double differs (valgrind). */
#ifndef DLMKL_LNFACT_H
#define DLMKL_LNFACT_H

#include <math.h>
#include <stdlib.h>

typedef struct {
    double hi, lo;
} lnfact_dd;

/* s + e ← s + e + x with the rounding error of s + x kept in e (Knuth's TwoSum, 6 flops). */
static inline void lnfact_add(double *s, double *e, double x)
{
    const double t = *s + x, bp = t - *s;
    *e += (*s - (t - bp)) + (x - bp);
    *s = t;
}

/* The table lf[0..n] (malloc'd, the caller frees it), or NULL when out of memory. O(n). */
static inline lnfact_dd *lnfact_table(int n)
{
    lnfact_dd *lf = malloc(((size_t)n + 1) * sizeof *lf);
    if (!lf)
        return NULL;
    double hi = 0.0, lo = 0.0;
    lf[0].hi = 0.0, lf[0].lo = 0.0;
    for (int k = 1; k <= n; k++) {
        lnfact_add(&hi, &lo, log((double)k));
        lf[k].hi = hi, lf[k].lo = lo;
    }
    return lf;
}

/* ln C(n, k) = ln n! − ln k! − ln (n−k)!, 0 <= k <= n. */
static inline double lnfact_choose(const lnfact_dd *lf, int n, int k)
{
    double s = lf[n].hi, e = lf[n].lo;
    lnfact_add(&s, &e, -lf[k].hi);
    lnfact_add(&s, &e, -lf[n - k].hi);
    return s + (e - lf[k].lo - lf[n - k].lo);
}

/* ln [C(n1, k1) / C(n2, k2)] (0 <= k1 <= n1, 0 <= k2 <= n2), the six terms summed in one pass. */
static inline double lnfact_choose_ratio(const lnfact_dd *lf, int n1, int k1, int n2, int k2)
{
    double s = lf[n1].hi, e = lf[n1].lo;
    lnfact_add(&s, &e, -lf[k1].hi);
    lnfact_add(&s, &e, -lf[n1 - k1].hi);
    lnfact_add(&s, &e, -lf[n2].hi);
    lnfact_add(&s, &e, lf[k2].hi);
    lnfact_add(&s, &e, lf[n2 - k2].hi);
    return s + (e - lf[k1].lo - lf[n1 - k1].lo - lf[n2].lo + lf[k2].lo + lf[n2 - k2].lo);
}

#endif
