/* kl.h: the exact KL between p and the parallel sampler's law; the bounds of the papers. */
#ifndef DLMKL_KL_H
#define DLMKL_KL_H

#include <stdio.h>

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

/* Options for kl_output. */
typedef enum { DLMKL_OUTPUT_LAW_AUTO = 0, DLMKL_OUTPUT_LAW_ALWAYS = 1, DLMKL_OUTPUT_LAW_NEVER = 2 }
    dlmkl_output_law_mode;

/* The auto rule: compute kl_output when the forward pass needs at most this many transition
 * terms (dlmkl_kl_output_cost) and its memory fits the cap. */
#define DLMKL_OUTPUT_LAW_AUTO_TERMS 2.0e8

/*! Number of transition terms the kl_output forward pass will evaluate (≈ its cost): for random
 *  positions Σ_k Σ_{B reachable} V^|B| Σ_s P(s)>0 C(L−|B|, s) V^s, at most K·(1+2V)^L. */
double dlmkl_kl_output_cost(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos);
/*! Bytes of memory the kl_output forward pass needs (3 arrays of (V+1)^L doubles). */
double dlmkl_kl_output_bytes(const dlmkl_dist *d);
/*! The one `--output-law` rule, for kl rows, sweeps and the sampler's q̄: 1 if kl_output is to be
 *  computed for d under s and pos — always for ALWAYS; for AUTO when dlmkl_kl_output_cost ≤
 *  DLMKL_OUTPUT_LAW_AUTO_TERMS and dlmkl_kl_output_bytes fits the memory cap; never for NEVER.
 *  O(L²·K) (the cost count). */
int dlmkl_output_law_take(dlmkl_output_law_mode mode, const dlmkl_dist *d, const dlmkl_schedule *s,
                          const dlmkl_positions *pos);

/* A kl_output workspace: the extended marginal table of one distribution, built once, and the
 * forward pass's two arrays (3·(V+1)^L doubles in all), reused by every kl_output of that
 * distribution (the rows of a sweep, several schedules of one `kl` call). Results are bit-identical
 * to dlmkl_kl_output's. The distribution must outlive the workspace and stay unchanged. */
typedef struct dlmkl_kl_output_workspace dlmkl_kl_output_workspace;
/*! Allocate a workspace for d (through the memory cap: 3·(V+1)^L doubles); NULL with the library's
 *  error set (ETOOBIG, ENOMEM) on failure. The table M is built on first use, L·(V+1)^L. */
dlmkl_kl_output_workspace *dlmkl_kl_output_workspace_alloc(const dlmkl_dist *d);
/*! Free a workspace (NULL is fine). O(1). */
void dlmkl_kl_output_workspace_free(dlmkl_kl_output_workspace *ws);
/*! dlmkl_kl_output with the workspace of its distribution: the same value, bit for bit, without
 *  rebuilding M or reallocating. Cost: the forward pass only (see dlmkl_kl_output_cost). */
int dlmkl_kl_output_ws(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos, double *kl,
                       double *qbar);

/*! kl_output = KL(p ‖ q̄) in bits, q̄ = law of the sampler's output with sizes, positions and
 *  tokens integrated out, by a forward pass over partial states (revealed set B, values x_B).
 *  If qbar != NULL it receives q̄ on [V]^L (V^L doubles). May return +INFINITY. */
int dlmkl_kl_output(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos,
                    double *kl, double *qbar);
/*! dlmkl_kl_output by the generic forward pass only (the pull over each target's predecessors,
 *  O(s) per term), the reference for the factorised route that dlmkl_kl_output takes by itself for
 *  i.i.d. reveal-time schedules (iid:, random-tc, random-dtc, iid:pi=) with random positions: there
 *  the transition out of a state factorises over its masked positions (each revealed with the
 *  hazard q_k = π_k / Σ_{j≥k} π_j, to v with p(v | x_B)), and a push that reads each source's
 *  conditionals once costs O(1) per term. Same terms, so the routes agree to rounding (relative
 *  ≤ K·(2L+4)·2^-53 on each q̄(x)), not bit for bit; both are bit-identical for any thread count.
 *  Cost: dlmkl_kl_output_cost terms, O(s) each; memory as dlmkl_kl_output. */
int dlmkl_kl_output_generic(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos,
                            double *kl, double *qbar);

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
} dlmkl_kl_row;

/*! Evaluate one row: build the schedule from spec (L from prof, budget K; K <= 0 only for schedules
 *  that imply it), kl_expected (random positions: from prof alone; ordered: from d), the schedule's
 *  worst case over all laws (random positions, from the same overshoot), kl_output from
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

/*! Parse "auto", "always", "never". */
int dlmkl_output_law_parse(const char *s, dlmkl_output_law_mode *mode);

#ifdef __cplusplus
}
#endif
#endif
