/* sampler.h: the parallel unmasking sampler with the exact conditional oracle — the extended
 * marginal table it reads, a simulator, and the exact law of its output.
 *
 * The sampler (README, issue 3): K iterations; iteration k reveals s_k of the still-masked positions
 * (s_k from the schedule, positions by the policy) and draws each revealed token independently from
 * p(x_i | x_{B_k}), B_k the positions revealed before iteration k.
 *
 * Convention for impossible partial states. When P(X_B = x_B) = 0 (possible once two tokens were
 * drawn in the same iteration, e.g. copy:L=2 revealing 0 and 1 together) the oracle p(x_i | x_B)
 * does not exist. dlmkl then draws every later token uniformly from [V]. Whatever the convention,
 * such states only lead to outputs x with p(x) = 0, so kl_output = KL(p ‖ q̄) does not depend on it;
 * it only fixes q̄ (and the simulator) off the support of p, so that q̄ sums to 1. */
#ifndef DLMKL_SAMPLER_H
#define DLMKL_SAMPLER_H

#include <gsl/gsl_rng.h>

#include "dlmkl/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the extended marginal table ---- */

/*! The partial state (revealed set B, values x_B) as a string y ∈ {0..V}^L, digit V = "masked",
 *  index y = Σ_i y_i (V+1)^(L−1−i) (x_1 most significant, as in dist.h). M[y] = P(X_B = x_B)
 *  (M[all masked] = 1, M[full x] = p(x)). Then p(x_i = v | x_B) = M[y with digit i := v] / M[y].
 *  Computed by summing out one coordinate at a time: for each i, M[..V..] = Σ_v M[..v..].
 *  M must hold (V+1)^L doubles (dlmkl_ext_size). Cost L·V·(V+1)^L additions; bit-identical for any
 *  thread count (each entry is one fixed-order sum). */
int dlmkl_ext_marginals(const dlmkl_dist *d, double *M);

/* A walk over the full strings x = 0, 1, ..., V^L − 1 (table order) that keeps e = the extended index
 * of x (dlmkl_ext_index) in O(1) amortised per step. */
typedef struct dlmkl_ext_walk {
    int L, V;
    int dig[DLMKL_MAX_L];
    uint64_t pw[DLMKL_MAX_L];  /* (V+1)^(L−1−i) */
    uint64_t e;                /* the extended index of the current x */
} dlmkl_ext_walk;

/*! Start at x = 0 (e = 0). */
void dlmkl_ext_walk_init(dlmkl_ext_walk *w, int L, int V);
/*! Advance to x + 1. */
void dlmkl_ext_walk_next(dlmkl_ext_walk *w);

/*! *n = (V+1)^L, with an overflow check (DLMKL_ETOOBIG with a message). */
int dlmkl_ext_size(int L, int V, uint64_t *n);

/*! Index in the extended space of the full string with table index idx (digits < V). O(L). */
uint64_t dlmkl_ext_index(int L, int V, uint64_t idx);

/* ---- the simulator ---- */

typedef struct dlmkl_sampler dlmkl_sampler;

/*! A sampler for p with schedule s and position policy pos (NULL: random). d and s are borrowed
 *  and must outlive the sampler. Allocates the extended table ((V+1)^L doubles, checked against
 *  the memory cap: DLMKL_ETOOBIG names the size) and, for random sizes, a cache of the step laws
 *  (K·(L+1)^2 doubles when that is at most 64 MiB; otherwise they are recomputed as needed).
 *  Cost O(L·V·(V+1)^L). */
int dlmkl_sampler_alloc(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos,
                        dlmkl_sampler **out);
/* A kl_output workspace (kl.h): the extended table of one distribution and the forward pass's arrays. */
typedef struct dlmkl_kl_output_workspace dlmkl_kl_output_workspace;
/*! dlmkl_sampler_alloc reading the extended table of a kl_output workspace of d (kl.h) instead of
 *  building its own: no table allocated, no O(L·V·(V+1)^L) rebuild when the workspace has already
 *  computed q̄ (dlmkl_sampler_law_ws). The draws are the same, bit for bit. The workspace must
 *  outlive the sampler; while the sampler lives, a kl_output of that workspace that needs the
 *  log-space pass fails (EINVAL) rather than rewrite the table. Cost O(K·L^2) if the table is built. */
int dlmkl_sampler_alloc_ws(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos,
                           dlmkl_sampler **out);
/*! Free a sampler (NULL is fine); a table borrowed from a workspace goes back to it. O(1). */
void dlmkl_sampler_free(dlmkl_sampler *smp);

/*! Bytes dlmkl_sampler_alloc needs for this table (the extended table; the step-law cache, at most
 *  64 MiB, is not included). */
double dlmkl_sampler_bytes(const dlmkl_dist *d);

/*! One run of the sampler: for k = 1..K, s_k = sizes[k] (FIXED) or s_k ~ P(s_k = · | m_k) (one
 *  uniform from r, inverse CDF); A_k = a uniform s_k-subset of the masked positions (s_k draws
 *  of a partial Fisher–Yates shuffle, gsl_rng_uniform_int) or the next s_k of the order; then for
 *  each i ∈ A_k in increasing i, x_i ~ p(· | x_{B_k}) (one uniform, inverse CDF over v = 0..V−1).
 *  x receives L values in [0, V); *idx (if not NULL) the table index. O(K + L·V) per draw. */
int dlmkl_sampler_draw(dlmkl_sampler *smp, gsl_rng *r, int *x, uint64_t *idx);

/*! n draws from a gsl_rng_mt19937 seeded with seed (gsl_rng_set(r, seed); DLMKL_EINVAL unless
 *  DLMKL_SEED_MIN <= seed <= DLMKL_SEED_MAX, since GSL keeps 32 bits and treats 0 as 4357), added to counts[0..V^L) by table index. Serial, so the counts depend only on
 *  (p, schedule, policy, seed, n), never on the thread count. */
int dlmkl_sampler_counts(dlmkl_sampler *smp, unsigned long seed, uint64_t n, uint64_t *counts);

/* ---- the exact law of the output ---- */

/*! q̄ = law of the sampler's output with sizes, positions and tokens integrated out, on the whole
 *  of [V]^L (table order; with the convention above off the support of p, so Σ q̄ = 1), by the
 *  forward pass of dlmkl_kl_output with no pruning. *terms (if not NULL) receives the number of
 *  transition terms visited, which equals dlmkl_kl_output_cost. Memory and cost: as
 *  dlmkl_kl_output. */
int dlmkl_sampler_law(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos,
                      double *qbar, double *terms);

/*! log2 q̄ on the whole of [V]^L (table order; -INFINITY where q̄(x) = 0), which stays exact where q̄
 *  lies below the double range, and KL(p ‖ q̄) in *kl (if not NULL). force_log != 0 always takes
 *  the log-space pass that dlmkl_kl_output uses only when the plain one under- or overflows (see
 *  kl_output.c); a second route for tests. Memory and cost: as dlmkl_kl_output. */
/*! dlmkl_sampler_law with a kl_output workspace of d (kl.h): the same q̄ and terms, bit for bit,
 *  without rebuilding the table or reallocating; a sampler may then borrow the same table
 *  (dlmkl_sampler_alloc_ws). Cost: the forward pass only. */
int dlmkl_sampler_law_ws(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos,
                         double *qbar, double *terms);

int dlmkl_sampler_law_log2(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos, int force_log,
                           double *kl, double *log2qbar);

#ifdef __cplusplus
}
#endif
#endif
