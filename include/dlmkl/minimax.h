/* minimax.h: the minimax-optimal agnostic size law for a budget of K iterations (a linear program). */
#ifndef DLMKL_MINIMAX_H
#define DLMKL_MINIMAX_H

#include "dlmkl/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the worst case is measured against. For a size law (random positions) and 1 <= d <= L−1 let
 * KL_d = kl_expected on the profile h_d(m) = min(m, d) (a uniform MDS code of dimension d, c = 1):
 * TC = L − d, DTC = d. */
typedef enum {
    DLMKL_MINIMAX_TC = 0,   /* sup_p K·kl_expected/TC      = max_d K·KL_d/(L − d) */
    DLMKL_MINIMAX_DTC = 1,  /* sup_p K·kl_expected/DTC     = max_d K·KL_d/d */
    DLMKL_MINIMAX_BOTH = 2  /* sup_p K·kl_expected/min(TC, DTC) = max_d K·KL_d/min(d, L − d)
                               = max(worst TC, worst DTC) of the same law */
} dlmkl_minimax_target;

/* Refuse an LP when the estimate K·(L+1)(L+2)/2 (the full occupation measure x(k, m, s); the LP
 * solved is about half of it) exceeds this. Measured wall times on 2 cores shared with other jobs
 * (primal simplex + exact check, TC target; "both" takes up to 2x longer):
 * L = 16, K = 4/8: 0.03 s; L = 24, K = 6/9: 0.07 s; L = 32, K = 8/10: 0.2 s; L = 48, K = 11/12:
 * 1-1.3 s; L = 64, K = 12: 4 s; L = 64, K = 16 (estimate 34,320): 4-9 s. The cap admits L = 64
 * with K <= 18. */
#define DLMKL_MINIMAX_MAX_VARS 40000.0

/* Run GLPK's exact (rational) simplex after the floating-point one when the LP has at most this
 * many variables; above it the floating-point optimum is returned (info->exact = 0). Verifying the
 * simplex's basis is cheap (well under the simplex's own time at L = 64). */
#define DLMKL_MINIMAX_EXACT_VARS 40000.0

/* Diagnostics of one solve (all optional). */
typedef struct dlmkl_minimax_info {
    double lp_value;     /* the LP optimum t* (= *worst) */
    double law_worst;    /* the worst case of the returned law, re-evaluated by dlmkl_minimax_worst */
    int worst_d;         /* a d attaining law_worst */
    int exact;           /* 1: the optimal basis was verified in rational arithmetic (glp_exact), so
                            lp_value is the exact optimum rounded to double; 0: floating point only */
    long variables, rows, nonzeros; /* of the LP handed to GLPK */
} dlmkl_minimax_info;

/*! The size law minimising the worst case over all distributions p on [V]^L (any V) of
 *  K·kl_expected / w(p), w = TC, DTC or min(TC, DTC) (random positions), among ALL laws of the sizes
 *  whose step-k law may depend on (k, m_k), with the last step revealing everything.
 *
 *  Math. kl_expected, TC and DTC are linear in the increments Z_{j} − Z_{j−1} >= 0 of the
 *  information curve, so for a fixed law sup_p K·KL/TC and sup_p K·KL/DTC are attained on the
 *  extreme rays Z_j = 1[j > d], i.e. h_d(m) = min(m, d) (TC = L − d, DTC = d). For "both",
 *  1/min(TC, DTC) = max(1/TC, 1/DTC), so sup_p K·KL/min(TC, DTC) = max(sup K·KL/TC, sup K·KL/DTC)
 *  is attained on the same rays with weight w(d) = min(d, L − d): the extreme-ray reduction is exact
 *  for all three targets. On h_d the step cost is c_d(m, s) = (m + s − d)^+ if m < d, else 0.
 *  With x(k, m, s) = P(m_k = m, s_k = s) >= 0 (the occupation measure; any path law is replaced by
 *  the Markov law with the same x, which has the same cost), the LP is
 *      minimise t  s.t.  Σ_s x(1, 0, s) = 1;  Σ_s x(k, m, s) = Σ_{m'+s'=m} x(k−1, m', s')  (k >= 2);
 *                        x(K, m, s) = 0 unless s = L − m;
 *                        K·Σ_{k,m,s} x(k, m, s)·c_d(m, s) <= t·w(d),   d = 1..L−1.
 *  Two reductions keep it small: every step reveals >= 1 token (WLOG for K <= L: a zero step can
 *  be traded for splitting a jump m -> m+s into m -> m+1 -> m+s, which lowers or keeps c_d for all d
 *  at once), so m_k ∈ [k−1, L−K+k−1]; and y(m, s) = Σ_k x(k, m, s) carries the d-rows, which keeps
 *  the matrix sparse (O(L^3) there instead of O(K·L^3)).
 *  The law returned is P(s | k, m) = x(k, m, s)/Σ_s x(k, m, s) on reachable rows (entries below
 *  1e-13 of mass dropped); unreachable rows reveal one token (all of them at k = K).
 *
 *  Cost: at most K·(L+1)(L+2)/2 + O(L^2) variables (about (K−2)(L−K+2)^2/2 + L^2/2 after the
 *  reduction), O(K·L^2 + L^3) nonzeros; GLPK's primal simplex, then
 *  (up to DLMKL_MINIMAX_EXACT_VARS variables) glp_exact from the optimal basis. Refused with
 *  DLMKL_EINVAL when K·(L+1)(L+2)/2 > DLMKL_MINIMAX_MAX_VARS. GLPK never prints (terminal output
 *  off and a terminal hook that swallows everything, even fatal-error text; on return the output
 *  flag is restored and the hook reset to none) and never ends the process: its fatal errors are
 *  caught by an error hook and become DLMKL_EINVAL with GLPK's message; after such a failure GLPK's
 *  environment of the calling thread is freed (glp_free_env), as GLPK requires. Simplex failures or
 *  a non-optimal status are DLMKL_EINVAL too. Thread-safe if GLPK was built thread-local (Debian's
 *  is).
 *  L >= 1, 1 <= K <= L. *worst gets t* (0 when L = 1 or K = L). info may be NULL. */
int dlmkl_minimax_law(int L, int K, dlmkl_minimax_target target, dlmkl_schedule **out, double *worst,
                      dlmkl_minimax_info *info);

/*! The worst case max_d K·KL_d/w(d) of any schedule (its budget K = s->budget), by a forward DP
 *  over (k, m) with dlmkl_schedule_step_law. *d_worst (may be NULL) gets a maximising d (0 if L = 1).
 *  O(K·L^2 + L^3) time, O(L^2) memory. */
int dlmkl_minimax_worst(const dlmkl_schedule *s, dlmkl_minimax_target target, double *worst, int *d_worst);

/*! The best deterministic schedule for the same criterion: a composition of L into at most K parts
 *  minimising max_d K·(N(d) − d)/w(d), N(d) = the first cumulative count >= d. The worst case is the
 *  largest over the parts (a -> b] of max_{a<d<b} K·(b − d)/w(d), so a bottleneck DP over (parts, m)
 *  is exact. sizes must hold K ints; *nsteps gets the parts used. O(K·L^2 + L^3). */
int dlmkl_minimax_fixed(int L, int K, dlmkl_minimax_target target, int *sizes, int *nsteps, double *worst);


#ifdef __cplusplus
}
#endif
#endif
