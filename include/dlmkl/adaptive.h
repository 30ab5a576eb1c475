/* adaptive.h: value-adaptive position policies (confidence, threshold, EB-sampler, entropy-sum) and
 * imperfect predictors, evaluated exactly by a forward pass over partial states (issue 13).
 *
 * The sampler. State y = (revealed set B, values x_B) (sampler.h). At each iteration the policy
 * looks at the predictor's conditionals p̂_i = p̂(X_i = · | x_B) of the masked positions i ∉ B
 * (predictor.h; the exact p(X_i = · | x_B) when there is no predictor) and picks a set A of them,
 * then each i ∈ A is drawn independently from p̂_i. On an impossible state (P(X_B = x_B) = 0) the
 * exact conditionals are taken uniform on [V] (the convention of sampler.h) before the predictor.
 *
 * Policies (scores from p̂_i; "ties" = scores within 1e-12, broken toward the lower position):
 *   confidence[:by=maxprob|margin|entropy]  with a size s from the schedule (fixed or random,
 *       P(s_k = s | m_k)), A = the s best masked positions by score: maxprob max_v p̂_i(v), margin
 *       (largest minus second largest p̂_i(v)), or entropy (lowest H(p̂_i) best). The ranking is
 *       greedy: repeatedly take the lowest-indexed position whose score is within 1e-12 of the best
 *       remaining score.
 *   threshold:tau=T  A = {i : max_v p̂_i(v) > T}; if empty, the single best by maxprob.
 *   eb:gamma=G       EB-sampler (Ben-Hamu et al. 2025): rank by increasing entropy H(p̂_i) (bits),
 *       A = the longest prefix of the ranking with Σ_{i∈A} H(p̂_i) − max_{i∈A} H(p̂_i) <= G (always at
 *       least one position).
 *   entsum:eps=E     entropy-sum rule: rank by increasing entropy, A = the longest prefix with
 *       Σ_{i∈A} H(p̂_i) <= E, at least one. (Cai & Li 2026's exact rule was not available to us; this
 *       is the rule as the issue states it: keep the summed entropy of a step below ε. Their abstract
 *       says "continues unmasking tokens within each iteration until the cumulative entropy exceeds a
 *       threshold", which takes the crossing position too: in increasing-entropy order that is
 *       eb:gamma=E, since the (a+1)-th is taken iff the sum of the first a is <= E = Σ − max.)
 *   random, l2r      the value-blind policies (uniform s-subset of the masked; the first s masked by
 *       index), for the schedule's sizes: so that predictors can be evaluated with them, and as a
 *       check against kl.h's kl_expected.
 * threshold, eb and entsum choose their own sizes: they take no schedule and run until every position
 * is revealed (at most L iterations). The others take a schedule.
 *
 * What is computed (bits):
 *   kl_expected  = E_ideal Σ_t TC(X_{A_t} | X_{B_t} = x_{B_t}), the ideal process being x ~ p revealed by
 *                  the same policy (and size law): the KL between the ideal and the factorised path
 *                  laws with the exact predictor (Wen, Liang & Lu). For value-blind policies it equals
 *                  kl.h's kl_expected.
 *   kl_predictor = E_ideal Σ_t Σ_{j∈A_t} KL(p(X_j | x_{B_t}) ‖ p̂_j(· | x_{B_t})) (0 for the exact predictor).
 *   kl_path      = KL(ideal path law ‖ the path law of the sampler with p̂), summed directly term by
 *                  term: the chain rule gives kl_path = kl_expected + kl_predictor, p first in both.
 *   kl_output    = KL(p ‖ q̄), q̄ the law of the sampler's output (with p̂); <= kl_path.
 *   iterations   = the number of non-empty iterations of the sampler (with p̂): its law and mean;
 *                  and its mean under the ideal process.
 *   per-step bound terms (ideal process): the mean number of iterations revealing at least two
 *                  positions, the mean of Σ_t (|A_t| − 1), and E_ideal Σ_t (Σ_{i∈A_t} H(p_i) −
 *                  max_{i∈A_t} H(p_i)), which bounds kl_expected for every policy since
 *                  H(X_A | x_B) >= max_{i∈A} H(X_i | x_B).
 * Cost: serial pass over layers t = 0.. (at most K, or L for the self-sized policies); each layer
 * scans the (V+1)^L states and, from each state reached with weight > 0, evaluates the p̂_i of the
 * masked positions (O(L·V)) and visits V^|A| children, O(|A|) each (random positions: every s-subset,
 * C(L−m, s)·V^s children). States reached by a deterministic policy at layer t number at most the
 * value sequences revealed so far, so the children visited are at most Σ_t Σ_m V^m·V^s ≤ 2·T·V^L for
 * deterministic policies: T_adaptive ≈ layers·((V+1)^L + L·V·V^L). Memory: 5 arrays of (V+1)^L
 * doubles plus V^L, checked against the cap. Serial, so bit-identical for any thread count. */
#ifndef DLMKL_ADAPTIVE_H
#define DLMKL_ADAPTIVE_H

#include <gsl/gsl_rng.h>

#include "dlmkl/dist.h"
#include "dlmkl/predictor.h"
#include "dlmkl/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DLMKL_ADAPT_RANDOM = 0,
    DLMKL_ADAPT_L2R = 1,
    DLMKL_ADAPT_CONFIDENCE = 2,
    DLMKL_ADAPT_THRESHOLD = 3,
    DLMKL_ADAPT_EB = 4,
    DLMKL_ADAPT_ENTSUM = 5
} dlmkl_adaptive_kind;

typedef enum { DLMKL_SCORE_MAXPROB = 0, DLMKL_SCORE_MARGIN = 1, DLMKL_SCORE_ENTROPY = 2 } dlmkl_score;

typedef struct dlmkl_adaptive {
    dlmkl_adaptive_kind kind;
    dlmkl_score by;  /* CONFIDENCE */
    double param;    /* THRESHOLD: tau; EB: gamma; ENTSUM: eps */
} dlmkl_adaptive;

/*! Tie tolerance of the scores. */
#define DLMKL_ADAPT_TIE 1e-12

/*! 1 if spec names a value-adaptive policy (confidence, threshold:, eb:, entsum:), 0 otherwise. */
int dlmkl_adaptive_is_spec(const char *spec);

/*! Parse "confidence[:by=maxprob|margin|entropy]", "threshold:tau=T" (0 <= T <= 1), "eb:gamma=G"
 *  (G >= 0), "entsum:eps=E" (E >= 0), "random" or "l2r". */
int dlmkl_adaptive_parse(const char *spec, dlmkl_adaptive *pol);

/*! Canonical name ("confidence", "confidence:by=margin", "threshold:tau=0.9", ...) into buf. */
const char *dlmkl_adaptive_name(const dlmkl_adaptive *pol, char *buf, size_t len);

/*! 1 if the policy chooses its own sizes (threshold, eb, entsum): no schedule. */
int dlmkl_adaptive_self_sized(const dlmkl_adaptive *pol);

/*! Results of dlmkl_adaptive_eval (bits; see the head comment). */
typedef struct dlmkl_adaptive_result {
    double kl_expected, kl_predictor, kl_path, kl_output;
    double iter_mean;                  /* sampler (with p̂) */
    double iter_mean_ideal;            /* ideal process */
    double iter_prob[DLMKL_MAX_L + 1]; /* sampler: P(iterations = t), t = 0..L */
    /* Ideal process, for the per-step bounds (kl.h's bound_step): */
    double multi_mean_ideal;           /* E_ideal #{t : |A_t| >= 2} */
    double excess_ideal;               /* E_ideal Σ_{t : A_t non-empty} (|A_t| − 1) (= L − iter_mean_ideal) */
    double summax_ideal;               /* E_ideal Σ_t (Σ_{i∈A_t} H(p_i) − max_{i∈A_t} H(p_i)), exact p_i: >= kl_expected */
    double terms;                      /* children visited */
} dlmkl_adaptive_result;

/*! Evaluate the sampler with policy pol, predictor pred (NULL: exact) and schedule s (NULL for
 *  self-sized policies; required otherwise; mixtures are refused) on d, exactly. qbar (if not NULL,
 *  V^L doubles) receives the output law q̄ in table order. Cost and memory: head comment. */
int dlmkl_adaptive_eval(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_adaptive *pol,
                        const dlmkl_predictor *pred, double *qbar, dlmkl_adaptive_result *res);

/*! F_V(tau) = sup{H(q) : q a law on [V], max_v q(v) > tau} in bits: h2(tau) + (1 − tau)·log2(V − 1)
 *  for tau >= 1/V (Fano: the rest of the mass spread evenly; decreasing in the max from 1/V on), and
 *  log2 V for tau < 1/V. Every position threshold:tau reveals with others has entropy <= F_V(tau).
 *  O(1). */
double dlmkl_adaptive_threshold_entropy(int V, double tau);

/*! Bytes dlmkl_adaptive_eval allocates (5·(V+1)^L + V^L doubles). */
double dlmkl_adaptive_bytes(const dlmkl_dist *d);

/*! Simulate n runs of the same sampler with a gsl mt19937 seeded with seed; counts[idx] += 1 for each
 *  output (table index), iters[t] += 1 for a run with t non-empty iterations (iters may be NULL).
 *  Uniforms per iteration: one for the size (random schedules, inverse CDF), one per draw of a
 *  random-positions subset (partial Fisher–Yates), then one per revealed position in increasing
 *  position order (inverse CDF of p̂_i over v = 0..V−1). Serial. O(K·L·V) per run plus the table. */
int dlmkl_adaptive_sample(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_adaptive *pol,
                          const dlmkl_predictor *pred, unsigned long seed, uint64_t n, uint64_t *counts,
                          uint64_t *iters);

/* Called once per run of dlmkl_adaptive_sample_each: the output x[0..L-1] (tokens 0..V-1), the
 * run's index (0-based) and its number of non-empty iterations; a status other than DLMKL_OK stops
 * the runs and is returned. */
typedef int (*dlmkl_adaptive_draw_fn)(void *ctx, const int *x, uint64_t index, int iterations);

/*! The runs of dlmkl_adaptive_sample one at a time, in the same order from the same generator (so
 *  the counts of dlmkl_adaptive_sample tally exactly the outputs given here), each handed to
 *  each(ctx, ...) instead of counted. Same cost, without the output counts. */
int dlmkl_adaptive_sample_each(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_adaptive *pol,
                               const dlmkl_predictor *pred, unsigned long seed, uint64_t n, dlmkl_adaptive_draw_fn each,
                               void *ctx);

#ifdef __cplusplus
}
#endif
#endif
