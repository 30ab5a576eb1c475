/* profile_markov.h: exact entropy profiles of Markov chains (any V, stationary or not) and of the
 * 1-D Ising chain with a field, without enumeration.
 *
 * For a Markov chain and S = {s_1 < ... < s_m}, the chain rule and the Markov property give
 *     H(X_S) = H(X_{s_1}) + Σ_{t≥2} H(X_{s_t} | X_{s_{t−1}}),
 * a sum over consecutive elements of S. With e(a) = H(X_a) and g(a,b) = H(X_b | X_a), a < b, and
 * counting the m-subsets with min a (C(L−1−a, m−1)) and those in which a, b are consecutive
 * (C(a + L−1−b, m−2)):
 *     C(L,m)·h(m) = Σ_n E_n C(n, m−1) + Σ_n G_n C(n, m−2),
 *     E_n = e(L−1−n),  G_n = Σ_{a<b, a+L−1−b = n} g(a,b),
 * (coordinates 0-based). g(a,b) = Σ_u μ_a(u) H(row u of P_a P_{a+1} ··· P_{b−1}) from the
 * marginal μ_a and the (b−a)-step transition matrix, one V×V product per step of b. */
#ifndef DLMKL_PROFILE_MARKOV_H
#define DLMKL_PROFILE_MARKOV_H

#include "dlmkl/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest L and V of the Markov route. */
#define DLMKL_MARKOV_MAX_L 100000
#define DLMKL_MARKOV_MAX_V 4096

/*! The profile of the chain on [V]^L with X_1 ~ init (V entries) and
 *  P(X_{i+1} = v | X_i = u) = trans[(step·V + u)·V + v], step = i − 1 if per_step (L−1 matrices,
 *  row-major, one after another) else 0 (one matrix for every step). Entries finite in [0,1], rows
 *  and init summing to 1 within DLMKL_SUM_TOL. O(L²·V³) time (the transition powers), O(L·V + V²)
 *  memory; the binomial weights C(n,k)/C(L,m) = exp(ln ...) from ln k! summed in double-double and
 *  the sums over n compensated (TwoSum), IEEE double only: the same bits wherever long double is
 *  narrower (valgrind). DLMKL_EINVAL on bad input (the message names the entry), DLMKL_ETOOBIG
 *  above the memory cap, DLMKL_ECOST when L²(V³ + 64)/2 exceeds 1.5e10 (about a minute). */
int dlmkl_profile_markov(int L, int V, const double *init, const double *trans, int per_step,
                         dlmkl_profile **out);

/*! The profile of the open 1-D Ising chain on {0,1}^L, s_i = 2x_i − 1,
 *  p(x) ∝ exp(J Σ_{i<L} s_i s_{i+1} + h Σ_i s_i) (the `ising` family), as the Markov chain it is:
 *  with backward messages β_L = 1, β_i(s) = Σ_{s'} e^{J s s' + h s'} β_{i+1}(s') (kept in logs),
 *  P(X_1 = s) ∝ e^{h s} β_1(s) and P(X_{i+1} = s' | X_i = s) ∝ e^{J s s' + h s'} β_{i+1}(s').
 *  |J|, |h| ≤ 1e6 and finite. O(L²). */
int dlmkl_profile_ising_chain(int L, double J, double h, dlmkl_profile **out);

#ifdef __cplusplus
}
#endif
#endif
