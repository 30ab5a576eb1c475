/* profile_sparse.h: the entropy profile h(m) from the support of a sparse law (codes, parity,
 * permutations, copy), with work proportional to the support rather than to V^L.
 *
 * For every subset S of the L coordinates, the N support points x (p(x) > 0) are projected to x_S,
 * the projected keys are grouped (a counting array when V^|S| is small, else a stable sort),
 * p is summed per key in support order and H(X_S) = −Σ_k P_k log2 P_k by the deterministic kernel of
 * plogp.h. h(m) = C(L,m)^{-1} Σ_{|S|=m} H(X_S). Subsets are processed in fixed chunks whose per-|S|
 * sums are added in chunk order, so the result is bit-identical for any thread count (it is not
 * bit-identical to dlmkl_profile_compute, which adds in another order: the two agree to rounding). */
#ifndef DLMKL_PROFILE_SPARSE_H
#define DLMKL_PROFILE_SPARSE_H

#include "dlmkl/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest estimated work (dlmkl_profile_sparse_cost) the sparse route accepts: about a day. */
#define DLMKL_SPARSE_MAX_COST 1e14

/*! Number N of nonzero entries of the table. O(V^L). */
uint64_t dlmkl_dist_support_size(const dlmkl_dist *d);

/*! h(m), m = 0..L, from a support: N points with table indices idx[k] = Σ_i x_i V^(L−1−i) (< V^L,
 *  any order; a repeated index adds its probabilities) and probabilities p[k] > 0 summing to 1 (within DLMKL_SUM_TOL; not
 *  renormalised). Work Σ_m C(L,m)·(N·m + [V^m + N when V^m <= max(2N, 256), else a stable sort:
 *  N²/4 for N <= 32, (2N + 4096)·ceil(log2(V^m)/11) radix]), about 2^L·N·L; memory N·(16 + 4L)
 *  bytes plus per thread 32·N + 8·max(2N, 256) + 16 KiB, through the
 *  memory cap. Bit-identical for any thread count. DLMKL_EINVAL on bad input (the message names
 *  the entry), DLMKL_ETOOBIG above the memory cap, DLMKL_ECOST above DLMKL_SPARSE_MAX_COST. */
int dlmkl_profile_sparse_support(int L, int V, const uint64_t *idx, const double *p, uint64_t N,
                                 dlmkl_profile *prof);

/*! dlmkl_profile_sparse_support on the nonzero entries of d (in index order): the same h(m) as
 *  dlmkl_profile_compute up to rounding (relative ~1e-15·L), with work ~ 2^L·N·L instead of
 *  (1+V)^L and no table-sized workspace. */
int dlmkl_profile_compute_sparse(const dlmkl_dist *d, dlmkl_profile *prof);

/*! Estimated work of the sparse route in elementary operations, the formula of
 *  dlmkl_profile_sparse_support. O(L). */
double dlmkl_profile_sparse_cost(int L, int V, uint64_t N);

/*! Estimated work of the dense route, (1+V)^L marginal entries (one log2 each). O(1). */
double dlmkl_profile_dense_cost(int L, int V);

/*! Bytes of workspace of the sparse route (support, digits, per-thread buffers, chunk rows). */
size_t dlmkl_profile_sparse_workspace_bytes(int L, int V, uint64_t N, int nthreads);

/*! 1 if the sparse route should be used for a table of L, V with N nonzero entries and nthreads:
 *  the dense workspace (dlmkl_profile_workspace_bytes) is above the memory cap while the sparse one
 *  (dlmkl_profile_sparse_workspace_bytes) is not and its cost is within DLMKL_SPARSE_MAX_COST, or the sparse route is estimated at least 4×
 *  cheaper, 4·sparse_cost ≤ 4·dense_cost (one dense entry, a sum and a log2, measured at about 4
 *  elementary operations of the sparse route) with dense_cost ≥ 1e7 (below, dense is kept); else 0.
 *  O(L). */
int dlmkl_profile_sparse_preferred(int L, int V, uint64_t N, int nthreads);

/*! h(m) by dlmkl_profile_compute_sparse when dlmkl_profile_sparse_preferred (asked for one thread,
 *  so that the route and the bits do not depend on the thread count) says so, else by
 *  dlmkl_profile_compute (same bits as it then). *sparse_used (may be NULL) is 1 for the sparse
 *  route. Cost: one scan of the table plus the chosen route. */
int dlmkl_profile_compute_auto(const dlmkl_dist *d, dlmkl_profile *prof, int *sparse_used);

#ifdef __cplusplus
}
#endif
#endif
