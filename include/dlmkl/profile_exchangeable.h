/* profile_exchangeable.h: exact entropy profiles of exchangeable laws without enumeration.
 *
 * A law p on {0,1}^L is exchangeable when p(x) depends only on k = Σ x_i; it is then given by the
 * law of the sum, w_k = P(Σ X_i = k), k = 0..L, with p(x) = w_k / C(L,k). Every sub-vector X_S with
 * |S| = m has the law of the first m coordinates, so h(m) = H(X_1..X_m) exactly, and that law is
 * again exchangeable with sum law w^(m). Covered: Curie–Weiss (`cw`), products of one Bernoulli
 * marginal, mixtures of i.i.d. Bernoulli laws (finite or beta), and mixtures of all of these (the
 * `mixture:` closed form, dlmkl_profile_exchangeable_mixture, from string probabilities in logs).
 * On [V]^L, V > 2: mixtures of i.i.d. laws symmetric among the nonzero symbols
 * (dlmkl_profile_symmetric_mixture), whose p(x) depends only on the number of zeros in x.
 * Binomial coefficients come from ln k! summed in double-double (every route here uses IEEE double
 * only, so the bits do not depend on the width of long double). */
#ifndef DLMKL_PROFILE_EXCHANGEABLE_H
#define DLMKL_PROFILE_EXCHANGEABLE_H

#include "dlmkl/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest L of the exchangeable routes (the O(L²) work and the log-factorial table). */
#define DLMKL_EXCH_MAX_L 1000000

/*! The profile of the exchangeable binary law with sum law w[0..L] (finite, ≥ 0, summing to 1
 *  within DLMKL_SUM_TOL; it is used as given, not renormalised). From m = L down to 1:
 *      h(m) = Σ_j w^(m)_j (log2 C(m,j) − log2 w^(m)_j),
 *      w^(m−1)_j = (w^(m)_j (m−j) + w^(m)_{j+1} (j+1)) / m     (X_m summed out),
 *  log2 C(m,j) from a table of ln k! accumulated in double-double (error about one ulp of
 *  ln C(m,j) plus the rounding of the log k summed, ~1e-14 at L = 10^4). O(L²) time, O(L) memory.
 *  DLMKL_EINVAL on bad w (message names the entry), DLMKL_ETOOBIG above the memory cap, DLMKL_ECOST
 *  when L²/2 exceeds 1e10 (about a minute). */
int dlmkl_profile_exchangeable(int L, const double *w, dlmkl_profile **out);

/*! Sum law of Curie–Weiss, p(x) ∝ exp(J·B + h·M) with s_i = 2x_i − 1, M = Σ s_i,
 *  B = (M² − L)/(2L) (as the `cw` family): w_k ∝ C(L,k) exp(J·B + h·M) at M = 2k − L, normalised
 *  by log-sum-exp. |J|, |h| ≤ 1e6 and finite (else DLMKL_EINVAL). w holds L+1 entries. O(L). */
int dlmkl_exch_sum_law_cw(int L, double J, double h, double *w);

/*! Sum law of the mixture Σ_c weight[c]·Bernoulli(theta[c])^⊗L of ncomp ≥ 1 components (weights
 *  ≥ 0 summing to 1 within DLMKL_SUM_TOL, theta in [0,1]): w_k = Σ_c weight[c] C(L,k) θ^k (1−θ)^(L−k),
 *  each term from logarithms. One component is the i.i.d. product. O(L·ncomp). */
int dlmkl_exch_sum_law_iid_mixture(int L, int ncomp, const double *weight, const double *theta, double *w);

/*! Natural-log string probabilities of Curie–Weiss (as dlmkl_exch_sum_law_cw): la[k] = ln p(x) for
 *  any x with k ones, = J·B + h·M − ln Z at M = 2k − L, ln Z by log-sum-exp over k (no underflow).
 *  la holds L+1 entries. O(L). */
int dlmkl_exch_log_string_cw(int L, double J, double h, double *la);

/*! The profile of the mixture Σ_c weight[c]·p_c of ncomp ≥ 1 exchangeable binary laws on {0,1}^L
 *  (weights ≥ 0 summing to 1 within DLMKL_SUM_TOL). Component c is i.i.d. with P(x_i = 1) = theta[c]
 *  when la == NULL or la[c] == NULL, else the law with natural-log string probabilities la[c][0..L]
 *  (la[c][k] = ln a_c(L,k), finite or −inf), overwritten by its marginals. With a_c(m,k) the
 *  probability under p_c of one string of length m with k ones (θ^k (1−θ)^(m−k), or marginalised:
 *  a_c(m−1,k) = a_c(m,k) + a_c(m,k+1), by log-add-exp), a(m,k) = Σ_c weight[c] a_c(m,k) by
 *  log-sum-exp and
 *      h(m) = −Σ_k C(m,k) a(m,k) log2 a(m,k)   (bits),
 *  a sum of non-negative terms from logarithms: no cancellation, no underflow of a(m,k) itself;
 *  relative error about L·2^−53 (the logarithms are O(L) in size). Bit-identical for any thread
 *  count (one thread, fixed order). O(L²·ncomp) time (≈ 30 ns per (m,k,c)), O(L·ncomp) memory.
 *  DLMKL_EINVAL on bad weights/theta, DLMKL_ETOOBIG above the memory cap, DLMKL_ECOST when
 *  L²·ncomp/2 exceeds 2e9 (about a minute). */
int dlmkl_profile_exchangeable_mixture(int L, int ncomp, const double *weight, const double *theta, double *const *la,
                                       dlmkl_profile **out);

/*! The profile of the mixture Σ_c weight[c]·p_c on [V]^L, V ≥ 2, of ncomp ≥ 1 laws whose string
 *  probabilities depend only on the number of zeros. Component c is, when la == NULL or
 *  la[c] == NULL, the i.i.d. law q_c^⊗L symmetric among the nonzero symbols: q_c(0) = p0[c],
 *  q_c(v) = (1 − p0[c])/(V − 1) for v ≥ 1 (the `product:L=..,V=..,p=..` family; p0 in [0,1]); else
 *  (V = 2 only) the binary exchangeable law with natural-log string probabilities la[c][0..L],
 *  la[c][k] = ln p_c(x) for x with k ZEROS (finite or −inf; overwritten by its marginals, as in
 *  dlmkl_profile_exchangeable_mixture). Weights ≥ 0 summing to 1 within DLMKL_SUM_TOL. A string
 *  x_S, |S| = m, with k zeros has probability
 *      a(m,k) = Σ_c weight[c] p0^k ((1 − p0)/(V − 1))^(m−k)   (i.i.d. components),
 *  and C(m,k)·(V−1)^(m−k) strings share it, so
 *      h(m) = −Σ_k C(m,k) (V−1)^(m−k) a(m,k) log2 a(m,k)   (bits),
 *  from logarithms (log-sum-exp over c of ln weight + k ln p0 + (m−k) ln(1 − p0); the class
 *  probability is formed without ln(V−1), which enters only −ln a(m,k)): no underflow at any L,
 *  relative error about L·2^−53, also for p0 near 0 or 1 (p0 is used as given, never as 1 − θ).
 *  One thread, fixed order. O(L²·ncomp) time, O(L + ncomp) memory. DLMKL_EINVAL on bad V, weights
 *  or p0, or la with V ≠ 2 (the message names the entry), DLMKL_ETOOBIG above the memory cap,
 *  DLMKL_ECOST when L²·ncomp/2 exceeds 2e9 (about a minute). */
int dlmkl_profile_symmetric_mixture(int L, int V, int ncomp, const double *weight, const double *p0, double *const *la,
                                    dlmkl_profile **out);

#ifdef __cplusplus
}
#endif
#endif
