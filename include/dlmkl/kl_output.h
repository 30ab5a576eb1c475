/* kl_output.h: kl_output = KL(p ‖ q̄), q̄ the law of the sampler's output with all its randomness
 * integrated out, by an exact forward pass over partial states (kl_output.c); its cost and memory,
 * the one --output-law rule, and the per-distribution workspace. The sampler's q̄ itself and its
 * draws: sampler.h. */
#ifndef DLMKL_KL_OUTPUT_H
#define DLMKL_KL_OUTPUT_H

#include "dlmkl/dist.h"
#include "dlmkl/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif
