/* worst.h: the worst case of a schedule over every law on [V]^L (random positions). */
#ifndef DLMKL_WORST_H
#define DLMKL_WORST_H

#include "dlmkl/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The supremum over all laws p of K·kl_expected/TC and of K·kl_expected/DTC for one schedule. */
typedef struct dlmkl_worst {
    int L;
    int K;            /* the iteration budget the ratios are taken with */
    double worst_tc;  /* sup_p K·kl_expected(p)/TC(p) = max_d K·O(d)/(L − d) */
    int d_tc;         /* the maximising code dimension d (smallest on ties) */
    double worst_dtc; /* sup_p K·kl_expected(p)/DTC(p) = max_d K·O(d)/d */
    int d_dtc;
    double ln_L;      /* natural log of L, so that worst_tc/ln_L reads off the log factor */
} dlmkl_worst;

/*! The worst case over all laws from the schedule's overshoot O(d) (dlmkl_overshoot).
 *  kl_expected, TC and DTC are linear in the non-negative increments ΔZ_j (j = 2..L) of the
 *  information curve, so a ratio of two of them is largest on an extreme ray ΔZ = e_{d+1}: the step
 *  curve Z_j = 1[j > d], i.e. the profile h_d(m) = min(m, d) of a uniform MDS code of dimension d,
 *  with kl_expected = O(d), TC = L − d, DTC = d (Chen, Cong & Li 2026, the code family of Thm 5).
 *  Hence sup_p K·KL/TC = max_{1<=d<L} K·O(d)/(L − d) and sup_p K·KL/DTC = max_{1<=d<L} K·O(d)/d.
 *  K is the budget given (K <= 0: the schedule's). O(L). */
void dlmkl_worst_from_overshoot(int L, int K, const double *O, dlmkl_worst *w);

/*! The same from the schedule: its overshoot, then the maxima. Cost: dlmkl_overshoot's. For L = 1
 *  there is no dependence to measure: ratios are NAN, dimensions 0. */
int dlmkl_worst_compute(const dlmkl_schedule *s, dlmkl_worst *w);

/*! The same for i.i.d. reveal times (IID kind only) without the whole overshoot: branch and bound over
 *  d, best bound first, with O(d) <= L·Σ_c (the largest π_k·φ(Λ_k·π_k) over the reveal intervals the d-th
 *  order statistic reaches at Chernoff level c, weighted by e^-c), φ(t) = 1/(1 − e^-t) − 1/t the mean
 *  distance to the right end under the steepest fall Λ_k of the Beta density on the interval (½ where the
 *  density is flat there), levels up to 60 nats; each d that can still reach the maximum is evaluated by
 *  dlmkl_overshoot_iid_at's quadrature (so the values agree with dlmkl_worst_compute to its relative
 *  accuracy, about 1e-14; the maximising d is the smallest among the evaluated maxima: where ratios round
 *  to the ceiling K it may differ from dlmkl_worst_compute's by a few). K as above.
 *  DLMKL_ECOST when the quadratures and bounds would cost more than about a third of the whole overshoot
 *  (dlmkl_overshoot_cost; then dlmkl_worst_compute is the route). Cost: a few O(d) quadratures plus O(K)
 *  for the heads and tails; at L = 10^6 about 0.3 s for random-tc and random-dtc at K = 2^18, 0.05 s for
 *  iid:linear, iid:cosine at K >= 2^14 (the whole overshoot: 25 to 60 s). */
int dlmkl_worst_iid_beta(const dlmkl_schedule *s, int K, dlmkl_worst *w);

#ifdef __cplusplus
}
#endif
#endif
