/* predictor.h: imperfect predictors — deterministic perturbations p̂ of the exact conditionals
 * p(x_i = · | x_B) that a parallel sampler reads instead of the truth (issue 13).
 *
 * A predictor maps the exact conditional law c = p(X_i = · | x_B) on [V] to p̂ on [V]:
 *   exact      p̂ = c
 *   temp:T     p̂_v ∝ c_v^(1/T), T > 0 (T < 1 sharpens, T > 1 flattens; zeros stay zero)
 *   topk:k     keep the k largest c_v (ties, values within 1e-12, toward the lower v), renormalise; k >= 1
 *   topp:P     sort c decreasing (ties toward the lower v), keep the shortest non-empty prefix whose
 *              mass is >= P − 1e-12, renormalise; 0 < P <= 1
 *   mix:E,seed=S   p̂ = (1 − E)·c + E·r, r a random law on [V] that is a fixed function of
 *              (S, the partial state y, the position i): r_v = u_v / Σ_w u_w with u_v ∈ (0, 1] from
 *              a 64-bit hash of (S, y, i, v); 0 <= E <= 1. The same state always sees the same r, so
 *              the exact pass and the simulator read the same p̂.
 * Every p̂ is a function of (c, y, i) only: the exact forward pass and the simulator agree. */
#ifndef DLMKL_PREDICTOR_H
#define DLMKL_PREDICTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DLMKL_PRED_EXACT = 0,
    DLMKL_PRED_TEMP = 1,
    DLMKL_PRED_TOPK = 2,
    DLMKL_PRED_TOPP = 3,
    DLMKL_PRED_MIX = 4
} dlmkl_predictor_kind;

typedef struct dlmkl_predictor {
    dlmkl_predictor_kind kind;
    double param;   /* T, k, P or E */
    uint64_t seed;  /* MIX: S */
} dlmkl_predictor;

/*! Parse "exact", "temp:T", "topk:k", "topp:P" or "mix:E,seed=S" (also "mix:eps=E,seed=S").
 *  DLMKL_EINVAL with a message naming the spec for anything else or a value out of range. */
int dlmkl_predictor_parse(const char *spec, dlmkl_predictor *pred);

/*! Canonical name ("exact", "temp:0.5", "topk:2", "topp:0.9", "mix:0.1,seed=3") into buf. */
const char *dlmkl_predictor_name(const dlmkl_predictor *pred, char *buf, size_t len);

/*! p̂ from the exact conditional c (V values summing to 1) at partial state y (extended index,
 *  sampler.h) and position i, into out (V values summing to 1; out may not alias c). pred NULL:
 *  exact. O(V log V) for topk/topp (an insertion sort, O(V^2) worst case), O(V) otherwise. */
void dlmkl_predictor_apply(const dlmkl_predictor *pred, int V, const double *c, uint64_t y, int i, double *out);

#ifdef __cplusplus
}
#endif
#endif
