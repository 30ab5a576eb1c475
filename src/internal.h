/* internal.h: declarations shared between library files, not part of the public API. */
#ifndef DLMKL_INTERNAL_H
#define DLMKL_INTERNAL_H

#include <math.h>

#include <gsl/gsl_rng.h>

#include "dlmkl/dist.h"

/*! A gsl_rng_mt19937 seeded with gsl_rng_set(r, seed), exactly as gsl_rng_alloc + gsl_rng_set make it,
 *  but NULL when out of memory instead of a call to GSL's error handler (which aborts by default).
 *  Free with gsl_rng_free. */
gsl_rng *dlmkl_rng_alloc(unsigned long seed);

struct dlmkl_kl_output_workspace;
/* The workspace's extended marginal table, in linear form (built if need be), lent to a sampler,
 * which only reads it: *M stays valid and unchanged until dlmkl_klo_ws_return; meanwhile a kl_output pass that would
 * have to turn it into log2 fails with EINVAL instead (kl_output.c). O(L·V·(V+1)^L) if not built. */
int dlmkl_klo_ws_lend(struct dlmkl_kl_output_workspace *ws, const struct dlmkl_dist *d, double **M);
void dlmkl_klo_ws_return(struct dlmkl_kl_output_workspace *ws);
/* The distribution a workspace was allocated for. O(1). */
const struct dlmkl_dist *dlmkl_klo_ws_dist(const struct dlmkl_kl_output_workspace *ws);

/*! Build the law of a family of the table in families.c (table: files included). args is the text
 *  after "family:". DLMKL_EINVAL with "unknown distribution family" if family is not one of them. */
int dlmkl_family_build(const char *family, const char *args, int normalize, dlmkl_dist **out);

/*! Cost of revealing s tokens when m are revealed, random positions (Chen, Cong & Li, Thm 16):
 *  c(m, s) = s·(h(m+1) − h(m)) − (h(m+s) − h(m)) = Σ_{j=1}^{s} (Z_{m+j} − Z_{m+1}); 0 for s <= 1. */
static inline double dlmkl_step_cost(const double *h, int m, int s)
{
    return s <= 1 ? 0.0 : (double)s * (h[m + 1] - h[m]) - (h[m + s] - h[m]);
}

/*! C(n, k) as a double, rounded to the nearest integer (exact below 2^53); 0 outside 0 <= k <= n.
 *  O(k). */
static inline double dlmkl_choose(int n, int k)
{
    if (k < 0 || k > n)
        return 0.0;
    double c = 1.0;
    for (int j = 1; j <= k; j++)
        c = c * (double)(n - k + j) / (double)j;
    return nearbyint(c);
}

/*! The calling thread's dlmkl_set_threads value (0: the default), to restore it after a call. */
int dlmkl_threads_setting(void);

/*! The calling thread's dlmkl_set_max_memory value (0: the default), to restore it after a call. */
size_t dlmkl_max_memory_setting(void);

/*! Report progress to the calling thread's callback (dlmkl_set_progress); a no-op on other threads
 *  and when none is set. */
void dlmkl_progress(const char *what, double done, double total);

/*! x in the fewest significant digits (%.1g to %.17g) that read back (strtod) as x itself, so a
 *  name built from a parameter reproduces it exactly: 0.5 -> "0.5", 1e300 -> "1e+300", the double
 *  nearest 2/3 -> "0.6666666666666666"; values of at most 6 digits print as "%g" does. Returns buf.
 *  O(17) snprintf. */
const char *dlmkl_fmt_double(char *buf, size_t len, double x);

#endif
