/* sizes.h: deterministic size rules — balanced, the α (revealed-fraction) rules, Chen's TC/DTC
 * sizes and the optimal sizes of a profile. Each writes sizes s_1..s_K summing to L. */
#ifndef DLMKL_SIZES_H
#define DLMKL_SIZES_H

#include "dlmkl/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/*! Balanced sizes s_k = floor(L/K) + [k <= L mod K] (1-based k) into sizes[0..K-1]: they differ by at
 *  most one, larger first, and sum to L. Errors: K < 1, L < 0. O(K). */
int dlmkl_balanced_sizes(int L, int K, int *sizes);

/* A revealed-fraction family α(t) on [0, 1], α(0) = 0, α(1) = 1. */
typedef enum {
    DLMKL_ALPHA_LINEAR, /* α(t) = t */
    DLMKL_ALPHA_COSINE, /* α(t) = 1 − cos(πt/2) (MaskGIT) */
    DLMKL_ALPHA_POLY    /* α(t) = t^a */
} dlmkl_alpha_kind;

typedef struct dlmkl_alpha {
    dlmkl_alpha_kind kind;
    double a; /* DLMKL_ALPHA_POLY: the exponent a > 0 */
} dlmkl_alpha;

/*! Parse "linear", "cosine", "poly:a=A" or "poly:A" (A > 0); ctx prefixes the message. O(1). */
int dlmkl_alpha_parse(const char *spec, dlmkl_alpha *f, const char *ctx);
/*! α(t), clamped to 0 for t <= 0 and 1 for t >= 1. O(1). */
double dlmkl_alpha_eval(const dlmkl_alpha *f, double t);
/*! π_k = α(k/K) − α((k−1)/K), 1 <= k <= K, in long double and without cancellation. O(1). */
long double dlmkl_alpha_increment(const dlmkl_alpha *f, int k, int K);
/*! Rounded cumulative counts N_k = clamp(round(L·frac(k)), N_{k−1} + 1, L − (K − k)), N_K = L, with
 *  frac(k) = α(k/K) when f is given, else fr[k−1]; sizes s_k = N_k − N_{k−1} into sizes[0..K-1].
 *  Every size is >= 1 when K <= L. O(K). */
void dlmkl_sizes_from_fractions(const dlmkl_alpha *f, const double *fr, int L, int K, int *sizes);

/*! The Chen, Cong & Li (2026) TC schedule sizes for zeta (App. D); dtc != 0 gives the mirror DTC
 *  schedule. sizes must hold L ints, or be NULL to count the steps only (O(ζ log L)); *K gets the
 *  number of steps. O(L). */
int dlmkl_chen_sizes(int L, double zeta, int dtc, int *sizes, int *K);

/*! The largest integer zeta in [1, L+1] whose Chen schedule takes at most K iterations (K >= 1; K >= L
 *  gives L+1, all singles), by binary search over the step count, nondecreasing in zeta:
 *  O(log K) counts of O(zeta log L) each. */
int dlmkl_chen_zeta_for_K(int L, int K, double *zeta);

/*! Optimal deterministic sizes for budget K (Chen et al. Thm 4): minimise
 *  Σ_k Σ_{j=1}^{s_k} (Z_{m_k+j} − Z_{m_k+1}) over compositions of L into at most K parts.
 *  Exact O(K·L^2) DP when K·L^2 <= DLMKL_OPTIMAL_EXACT_WORK, else O(K·L·log L) divide and conquer
 *  (exact because Z is nondecreasing, Han's inequality, so segment costs satisfy the quadrangle
 *  inequality). sizes must hold K ints; *nsteps gets the parts used; *cost the minimum (bits). */
#define DLMKL_OPTIMAL_EXACT_WORK 200000000.0
int dlmkl_optimal_sizes(const dlmkl_profile *prof, int K, int *sizes, int *nsteps, double *cost);
/*! The exact O(K·L^2) DP, always (for tests). */
int dlmkl_optimal_sizes_exact(const dlmkl_profile *prof, int K, int *sizes, int *nsteps, double *cost);
/*! The O(K·L·log L) divide-and-conquer DP, always (for tests). */
int dlmkl_optimal_sizes_dc(const dlmkl_profile *prof, int K, int *sizes, int *nsteps, double *cost);

#ifdef __cplusplus
}
#endif
#endif
