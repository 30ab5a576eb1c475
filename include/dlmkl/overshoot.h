/* overshoot.h: the expected overshoot of a schedule — the one schedule-only quantity behind
 * kl_expected (random positions) and behind its worst case over all laws. */
#ifndef DLMKL_OVERSHOOT_H
#define DLMKL_OVERSHOOT_H

#include "dlmkl/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Cost budget of dlmkl_overshoot for i.i.d. reveal times: estimated window cells (see below). */
#define DLMKL_OVERSHOOT_MAX_WORK 2.0e11

/*! The expected overshoot of the sizes, O(d) = E[N(d)] − d for d = 0..L (O(0) = O(L) = 0), where
 *  N(d) is the number of tokens revealed by the end of the iteration that reveals the d-th token.
 *  Since the step cost with random positions is c(m, s) = Σ_{r=1}^{s−1} ΔZ_{m+r+1}·(s − r), with
 *  ΔZ_j = Z_j − Z_{j−1} = 2h(j−1) − h(j−2) − h(j),
 *      kl_expected(h) = Σ_{d=1}^{L−1} ΔZ_{d+1} · O(d),
 *  a sum of non-negative terms (no cancellation), and O(d) = kl_expected(h_d) for the MDS-code
 *  profile h_d(m) = min(m, d) (in units of its symbol entropy). Per kind:
 *    FIXED        O(d) = N(d) − d, N(d) the first cumulative count >= d. O(L).
 *    COMPOSITION  O(d) = Σ_{t=1}^{L−d} C(L−1−t, K−1)/C(L−1, K−1). O(L).
 *    IID          O(d) = Σ_k Σ_{m<d} P(m_k = m)·ψ_k(L − m, d − m), m_k ~ Bin(L, F_{k−1}),
 *                 ψ_k(n, r) = E(Bin(n, q_k) − r)^+, q_k = π_k/T_k; ψ is carried from n to n+1 by
 *                 non-negative updates (ψ += q·P(B >= r)), so every term is a sum of non-negative
 *                 numbers. Binomial tails below 2^-60 are cut. O(Σ_k w_m(k)·w_s(k)), the widths of
 *                 the windows of m_k and s_k (about 19 standard deviations each); refused with
 *                 DLMKL_ECOST above DLMKL_OVERSHOOT_MAX_WORK.
 *    LAW, POWER   forward DP over (k, m) with ψ from each row. O(K·L^2).
 *  O must hold L+1 doubles. Relative error: a few hundred ulps for IID (window sums in long double),
 *  exact integers for FIXED. */
int dlmkl_overshoot(const dlmkl_schedule *s, double *O);

/*! Check the cost budget (DLMKL_ECOST) and the memory cap, then allocate L+1 doubles for
 *  dlmkl_overshoot into *O (free with free()). */
int dlmkl_overshoot_alloc(const dlmkl_schedule *s, double **O);

/*! The generic route for any kind: the forward DP over (k, m) with dlmkl_schedule_step_law; for each
 *  reachable state ψ(r) = E(s − r)^+ by suffix sums, O(m + r) += P(m_k = m)·ψ(r). O(K·L^2). */
int dlmkl_overshoot_dp(const dlmkl_schedule *s, double *O);

/*! The estimated work of dlmkl_overshoot (window cells for IID, L or K·L^2 otherwise). O(K). */
double dlmkl_overshoot_cost(const dlmkl_schedule *s);

/*! kl_expected (bits) from the overshoot: Σ_{d=1}^{L−1} ΔZ_{d+1}·O(d). O(L). */
double dlmkl_kl_from_overshoot(const dlmkl_profile *prof, const double *O);

#ifdef __cplusplus
}
#endif
#endif
