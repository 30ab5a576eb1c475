/* kl.h: the exact KL between p and the parallel sampler's law; the bounds of the papers. */
#ifndef DLMKL_KL_H
#define DLMKL_KL_H

#include <stdio.h>

#include "dlmkl/adaptive.h"
#include "dlmkl/kl_output.h"
#include "dlmkl/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

/*! kl_expected with random positions (bits): E over sizes and positions of KL(p ‖ q_path)
 *    = E Σ_k [ s_k (h(m_k+1) − h(m_k)) − (h(m_k+s_k) − h(m_k)) ]   (Chen, Cong & Li, Thm 16 + Lemma 13)
 *    = Σ_k E[ E[s_k | m_k] · Δh(m_k) ] − h(L)   (the h(m_k+s_k) − h(m_k) terms telescope to h(L)).
 *  FIXED: O(K). IID: m_k ~ Binomial(L, Σ_{j<k} π_j), E[s_k|m_k] = (L−m_k) π_k/(1−Σ_{j<k}π_j):
 *  O(K·w), w the binomial window kept (tails cut below 2^-60 mass). COMPOSITION: partial sums
 *  are a uniform (K−1)-subset of {1..L−1}: O(K·L). LAW: forward DP over (k, m): O(K·L·smax). */
int dlmkl_kl_expected(const dlmkl_profile *prof, const dlmkl_schedule *s, double *kl);

/*! The same expectation by the generic forward DP over (k, m) with the step law of
 *  dlmkl_schedule_step_law, for any kind (the second route for tests). O(K·L^2). */
int dlmkl_kl_expected_dp(const dlmkl_profile *prof, const dlmkl_schedule *s, double *kl);

/*! kl_expected for an ordered position policy (order = permutation of 0..L−1; B_k is the first
 *  m_k tokens of the order, A_k the next s_k): E Σ_k TC(X_{A_k} | X_{B_k}), with
 *  TC(X_A | X_B) = Σ_{i∈A} [H(X_{B∪i}) − H(X_B)] − [H(X_{B∪A}) − H(X_B)].
 *  Needs O(L^2) subset entropies, each O(V^L), then a DP over (k, m). */
int dlmkl_kl_expected_ordered(const dlmkl_dist *d, const int *order, const dlmkl_schedule *s,
                              double *kl);

/*! A cache of the ordered policies' tables for one distribution: per order, the L(L+1)/2 subset
 *  entropies H(X_{P_m ∪ {i}}) folded into G[m] = H(X_{P_m}) and the running sums
 *  A[m][s] = Σ_{j<=s} [H(X_{P_m ∪ {order[m+j−1]}}) − G[m]] ((L+1)^2 doubles per order, up to 64
 *  orders, the oldest recomputed beyond). Rows of a sweep that share (distribution, order) — every
 *  schedule and K with l2r, every schedule with stride:D — then pay the O(L^2 V^L) entropies once and
 *  only the O(K·L^2) DP each. Used with another distribution (another pointer), it starts afresh.
 *  Allocation: NULL (error set) on failure. */
typedef struct dlmkl_ordered_cache dlmkl_ordered_cache;
dlmkl_ordered_cache *dlmkl_ordered_cache_alloc(void);
void dlmkl_ordered_cache_free(dlmkl_ordered_cache *c);
/*! dlmkl_kl_expected_ordered through the cache c: the same value, bit for bit (the same tables and
 *  DP); a miss costs what dlmkl_kl_expected_ordered costs, a hit O(K·L^2). */
int dlmkl_kl_expected_ordered_cached(dlmkl_ordered_cache *c, const dlmkl_dist *d, const int *order,
                                     const dlmkl_schedule *s, double *kl);

/* Bounds beside the truth, in bits; NAN where a bound does not apply. */
typedef struct dlmkl_bounds {
    double tc_over_K;    /* TC/K */
    double dtc_over_K;   /* DTC/K */
    double li_cai;       /* (2^ceil(log2 smax) − 1)/L · (TC + DTC), fixed sizes */
    double zl;           /* (smax − 1)·Z_L, fixed sizes */
    double chen;         /* Chen et al. Thm 9 for chen-tc / chen-dtc with zeta: TC/(zeta−1), DTC/(zeta−1) */
} dlmkl_bounds;

/*! The bounds for this profile and schedule. O(L). */
void dlmkl_bounds_compute(const dlmkl_profile *prof, const dlmkl_schedule *s, dlmkl_bounds *b);

/* ---- one result row: a (distribution, schedule, K, positions) evaluation (src/kl_row.c) ---- */

/* Everything in bits; writers convert with dlmkl_unit_factor. NAN marks "not applicable / not
 * computed" (an empty CSV cell). */
typedef struct dlmkl_kl_row {
    char *schedule;      /* canonical schedule name, e.g. "chen-tc:zeta=5" (owned) */
    char *sizes;         /* "4-3-1" for deterministic sizes, "" otherwise (owned) */
    char positions[32];  /* "random", "l2r", "stride:4" */
    int K;               /* the iteration budget */
    int steps;           /* iterations the schedule takes (= K except K-targeted schedules) */
    double kl_expected, kl_output;
    double H, TC, DTC, Z_L;
    double zeta;         /* Chen schedules: the zeta used; NAN otherwise */
    dlmkl_bounds bounds;
    /* The schedule's worst case over every law (random positions; NAN / 0 otherwise), worst.h:
     * sup_p K·kl_expected/TC and sup_p K·kl_expected/DTC with the maximising code dimensions. */
    double worst_tc, worst_dtc, ln_L;
    int d_tc, d_dtc;
    /* The cells of a row evaluated by adaptive.h (a value-adaptive policy or a predictor):
     * used = 0 for the other rows, whose adaptive cells are empty. */
    struct {
        int used;
        char predictor[64];  /* canonical predictor name, "exact", "temp:1.5", ... */
        double kl_predictor; /* E_ideal sum_t sum_(j in A_t) KL(p_j || phat_j) */
        double kl_path;      /* kl_expected + kl_predictor, summed term by term */
        double iter_mean, iter_mean_ideal;   /* non-empty iterations: sampler, ideal process */
        int L;                               /* iter_prob[0..L] are meaningful */
        double iter_prob[DLMKL_MAX_L + 1];   /* sampler: P(iterations = t) */
        double bound_policy; /* G (eb) or E (entsum) times iter_mean_ideal, exact predictor; else NAN */
        /* the per-step bound on kl_expected, exact predictor (else NAN): G (eb) or E (entsum) times
         * E_ideal #{t : |A_t| >= 2}; threshold:tau=T: F_V(T)·E_ideal Σ_t (|A_t| − 1), F_V(T) =
         * sup{H(q) : q a law on [V], max_v q(v) > T} = h2(T) + (1 − T) log2(V − 1) for T >= 1/V, else
         * log2 V (README "Per-step bounds") */
        double bound_step;
    } adaptive;
} dlmkl_kl_row;

/*! Evaluate one row: build the schedule from spec (L from prof, budget K; K <= 0 only for schedules
 *  that imply it), kl_expected (random positions: from prof alone; ordered: from d), the schedule's
 *  worst case over all laws (random positions, from the same overshoot; for an i.i.d. schedule above
 *  DLMKL_ROW_IID_BETA_MIN_WORK window cells with few non-zero ΔZ, both from a few order-statistic O(d)
 *  instead, overshoot.h), kl_output from
 *  d by `mode` (AUTO: when dlmkl_kl_output_cost <= DLMKL_OUTPUT_LAW_AUTO_TERMS and the memory fits;
 *  NAN if not computed; ALWAYS with d == NULL is an error), TC, DTC, H, Z_L and the bounds.
 *  d may be NULL (a profile-only input, e.g. a closed form). Cost: the schedule's kl_expected cost
 *  plus the kl_output pass when taken. */
int dlmkl_kl_row_compute(const dlmkl_profile *prof, const dlmkl_dist *d, const char *schedule_spec, int K,
                         const dlmkl_positions *pos, dlmkl_output_law_mode mode, dlmkl_kl_row *row);
/*! dlmkl_kl_row_compute with a kl_output workspace of d (kl_output.h above): *ws is allocated on the
 *  first row that computes kl_output and reused by the next rows of the same d (the caller frees it
 *  with dlmkl_kl_output_workspace_free); ws NULL: none kept. Same values, bit for bit. */
int dlmkl_kl_row_compute_ws(const dlmkl_profile *prof, const dlmkl_dist *d, const char *schedule_spec, int K,
                            const dlmkl_positions *pos, dlmkl_output_law_mode mode, dlmkl_kl_output_workspace **ws,
                            dlmkl_kl_row *row);
/*! The same from a schedule already built for this profile's L (so that one schedule serves the rows
 *  of several position policies); s is not freed. */
int dlmkl_kl_row_compute_schedule(const dlmkl_profile *prof, const dlmkl_dist *d, const dlmkl_schedule *s,
                                  const dlmkl_positions *pos, dlmkl_output_law_mode mode,
                                  dlmkl_kl_output_workspace **ws, dlmkl_kl_row *row);
/*! The same with a cache of d's ordered-policy tables (dlmkl_ordered_cache above): *oc is allocated
 *  on the first row with an ordered policy and reused by the next rows of the same d (the caller frees
 *  it with dlmkl_ordered_cache_free when d changes or at the end); oc NULL: none kept. Same values,
 *  bit for bit. */
int dlmkl_kl_row_compute_cached(const dlmkl_profile *prof, const dlmkl_dist *d, const dlmkl_schedule *s,
                                const dlmkl_positions *pos, dlmkl_output_law_mode mode,
                                dlmkl_kl_output_workspace **ws, dlmkl_ordered_cache **oc, dlmkl_kl_row *row);
/*! One row of the sampler with a value-adaptive or value-blind position policy pol and a predictor
 *  pred (NULL: exact), evaluated by dlmkl_adaptive_eval (adaptive.h) on the table d (required):
 *  the schedule's cells and the profile's quantities as dlmkl_kl_row_compute gives them with random
 *  positions, then kl_expected = E_ideal sum_t TC(X_A_t | x_B_t), kl_output (the sampler with pred;
 *  NAN for mode NEVER: the pass runs anyway, since kl_expected needs it) and row->adaptive. The
 *  bounds of the random-positions theory and the worst case over laws are NAN for the value-adaptive
 *  policies (and the worst case for l2r). A self-sized policy (threshold, eb, entsum) ignores the
 *  schedule's sizes: schedule "none", sizes "", K = steps = 0, zeta NAN; the schedule must still
 *  build. Mixtures are refused. Cost: dlmkl_kl_row_compute's with random positions and no kl_output,
 *  plus the adaptive pass (adaptive.h: about layers·((V+1)^L + L·V·V^L)). */
int dlmkl_kl_row_compute_adaptive(const dlmkl_profile *prof, const dlmkl_dist *d, const char *schedule_spec, int K,
                                  const dlmkl_adaptive *pol, const dlmkl_predictor *pred, dlmkl_output_law_mode mode,
                                  dlmkl_kl_row *row);
/*! The same from a schedule already built for this profile's L (s is not freed); s may be NULL
 *  for a self-sized policy, which reads no schedule. */
int dlmkl_kl_row_compute_adaptive_schedule(const dlmkl_profile *prof, const dlmkl_dist *d, const dlmkl_schedule *s,
                                           const dlmkl_adaptive *pol, const dlmkl_predictor *pred,
                                           dlmkl_output_law_mode mode, dlmkl_kl_row *row);
void dlmkl_kl_row_clear(dlmkl_kl_row *row);

/*! The CSV columns written by dlmkl_kl_row_write (one table in kl_row.c, name and writer each):
 *  schedule,positions,K,steps,sizes,kl_expected,kl_output,TC,DTC,H,Z_L,bound_tc_over_K,
 *  bound_dtc_over_K,bound_li_cai,bound_zl,bound_chen,zeta,worst_tc,d_tc,worst_dtc,d_dtc,ln_L.
 *  Their number; the name of column i (0-based), NULL out of range; the names comma-separated to f,
 *  no newline. O(1), O(1), O(columns). */
int dlmkl_kl_row_ncolumns(void);
const char *dlmkl_kl_row_column(int i);
void dlmkl_kl_row_write_header(FILE *f);
/*! Write the row's cells in that order (no leading comma, no newline), quantities converted to unit. */
void dlmkl_kl_row_write(FILE *f, const dlmkl_kl_row *row, dlmkl_unit unit, double scale);

/*! The extra columns of rows evaluated by adaptive.h (a second table in kl_row.c, name and writer
 *  each): predictor,kl_predictor,kl_path,iterations_mean,iterations_mean_ideal,iterations_law,
 *  bound_policy,bound_step. iterations_law is "t:P;t:P;..." over the t with P > 0. Written after the seed
 *  column, only when a call has adaptive rows; empty cells for the other rows. Their number; the
 *  name of column i (0-based), NULL out of range; the names comma-separated to f, no newline; the
 *  row's cells (no leading comma, no newline). O(1), O(1), O(columns), O(columns + L). */
int dlmkl_kl_row_adaptive_ncolumns(void);
const char *dlmkl_kl_row_adaptive_column(int i);
void dlmkl_kl_row_write_adaptive_header(FILE *f);
void dlmkl_kl_row_write_adaptive(FILE *f, const dlmkl_kl_row *row, dlmkl_unit unit, double scale);

/*! Parse "auto", "always", "never". */
int dlmkl_output_law_parse(const char *s, dlmkl_output_law_mode *mode);

#ifdef __cplusplus
}
#endif
#endif
