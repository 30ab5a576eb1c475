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

/*! O(d) of one d for i.i.d. reveal times (IID kind only) by order statistics: with U_(d) the d-th
 *  smallest of L uniforms and R(u) = F_k the right end of the reveal interval (F_{k−1}, F_k] holding u,
 *      O(d) = L ∫_0^1 (R(u) − u) g_d(u) du,   g_d = Beta(d, L − d) density = (L − 1)·b(d − 1; L − 2, u),
 *  an integral of a non-negative integrand (no cancellation). Evaluated on the window where
 *  ln g_d >= its maximum − 400 (the rest is below e^-400 relative), split at the reveal-interval ends and
 *  middles and into pieces of width h with t = h·(|ℓ'| + √|ℓ''|) <= 2 at both ends (ℓ = ln g_d),
 *  Gauss–Legendre on each (16 points; 8 where t <= 0.5 and 4 where t <= 0.02, each with an error bound
 *  below 1e-16 relative: the many short reveal intervals near u = 0 or 1), g_d from Loader's saddle-point form, all in double (no long double: the bits
 *  do not depend on the platform's long double). Each half of a reveal interval is read from its own
 *  end, so u and 1 − u are both accurate. A piece that cannot be formed is an error, never dropped.
 *  Relative error: checked against dlmkl_overshoot, the generic DP, exact polynomial integration
 *  (L <= 6) and 60-digit references (tests/test_overshoot.c) to 1e-12 (measured 1.4e-14). Cost O(K) for
 *  the heads and tails plus 4 to 16 × (2 × reveal intervals meeting the window + about 40·√(window in nats))
 *  evaluations: milliseconds when few reveal intervals meet the window, but about K·√(800/L)·... ones
 *  (thousands) at L = 10^6, K = 2^18 and d near L/2. */
int dlmkl_overshoot_iid_at(const dlmkl_schedule *s, int d, double *Od);

/* dlmkl_kl_expected takes dlmkl_kl_expected_iid_beta for IID schedules when the profile has at most this
 * many non-zero ΔZ_{d+1}. */
#define DLMKL_IID_BETA_MAX_TERMS 64

/* A kl row (random positions, an i.i.d. schedule whose profile has at most DLMKL_IID_BETA_MAX_TERMS
 * non-zero ΔZ) whose whole overshoot would cost more than this many window cells (dlmkl_overshoot_cost;
 * about a second) takes its worst case from dlmkl_worst_iid_beta and its kl_expected from
 * dlmkl_kl_expected_iid_beta; smaller rows keep the whole overshoot. */
#define DLMKL_ROW_IID_BETA_MIN_WORK 1.0e8

/*! kl_expected (bits, random positions) for i.i.d. reveal times (IID kind only) as
 *  Σ_d ΔZ_{d+1}·O(d) over the d with ΔZ_{d+1} != 0 only, each O(d) by dlmkl_overshoot_iid_at (so
 *  kl_expected = L ∫ (R(u) − u) φ(u) du, φ = Σ_d ΔZ_{d+1} g_d); summed in d order whatever the threads.
 *  Cost O(K) plus the cost of dlmkl_overshoot_iid_at per non-zero ΔZ: milliseconds for copy, parity,
 *  MDS profiles at L = 10^6, K = 2^18, where dlmkl_overshoot needs minutes. */
int dlmkl_kl_expected_iid_beta(const dlmkl_profile *prof, const dlmkl_schedule *s, double *kl);

/*! 1 when dlmkl_kl_expected uses dlmkl_kl_expected_iid_beta: an IID schedule of the profile's L and at
 *  most DLMKL_IID_BETA_MAX_TERMS non-zero ΔZ_{d+1}. O(L). */
int dlmkl_kl_expected_iid_beta_applies(const dlmkl_profile *prof, const dlmkl_schedule *s);

#ifdef __cplusplus
}
#endif
#endif
