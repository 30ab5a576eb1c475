/* profile_sparse.h: the entropy profile h(m) from the support of a sparse law (codes, parity,
 * permutations, copy), with work proportional to the support rather than to V^L.
 *
 * The subsets S are walked depth first over the lattice (S = B ∪ {j} after B), the partition of the N
 * support points by x_S refined from B's by one coordinate (a counting sort within each class), p
 * summed per class in support order and H(X_S) = −Σ_k P_k log2 P_k by the deterministic kernel of
 * plogp.h; a discrete partition ends its branch (every superset has H = H(X)). h(m) = C(L,m)^{-1}
 * Σ_{|S|=m} H(X_S). The subsets are cut into chunks by their first coordinates, whose per-|S| sums are
 * added in chunk order, so the result is bit-identical for any thread count (it is not bit-identical
 * to dlmkl_profile_compute, which adds in another order: the two agree to rounding). */
#ifndef DLMKL_PROFILE_SPARSE_H
#define DLMKL_PROFILE_SPARSE_H

#include "dlmkl/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest estimated work (dlmkl_profile_sparse_cost, point-steps of ~3 ns) the sparse route accepts:
 * a few days. */
#define DLMKL_SPARSE_MAX_COST 1e14

/* The support of a law on [V]^L: N points with table indices idx[k] (increasing) and p[k] > 0. */
typedef struct dlmkl_support {
    int L, V;
    uint64_t N;
    uint64_t *idx; /* NULL for a count_only support */
    double *p;
} dlmkl_support;

/*! The support of a spec FAMILY:key=value,... generated from its parameters without the V^L table,
 *  for the families that have a generator (copy, parity, perm, mds/rs): the points in increasing index
 *  order with the very doubles the family's table holds, so that dlmkl_profile_sparse_support on it
 *  gives the bits of dlmkl_profile_compute_sparse on the table. count_only: L, V and N only (idx, p
 *  NULL; O(|spec|)). DLMKL_OK with *out NULL for any other family or spec (the caller builds the
 *  table); the family's own errors for bad keys; DLMKL_ETOOBIG when V^L overflows 64 bits or the 16N
 *  bytes are above the memory cap. Work O(N·L) (mds: O(N·n·k) plus a sort). Free with
 *  dlmkl_support_free. */
int dlmkl_support_from_spec(const char *spec, int count_only, dlmkl_support **out);

/*! Free a support (NULL is fine). */
void dlmkl_support_free(dlmkl_support *s);

/*! Number N of nonzero entries of the table. O(V^L). */
uint64_t dlmkl_dist_support_size(const dlmkl_dist *d);

/*! h(m), m = 0..L, from a support: N points with table indices idx[k] = Σ_i x_i V^(L−1−i) (< V^L,
 *  any order; a repeated index adds its probabilities) and probabilities p[k] > 0 summing to 1 (within
 *  DLMKL_SUM_TOL; not renormalised). Work at most N·(2^L + 2^P·P/2) point-steps, P = min(L/2, 12)
 *  (one refinement of the support per subset, plus each chunk's start; a class of s points costs
 *  O(s + V) by counting, O(s log s) when V > 4s), less where partitions become discrete (perm:n=9:
 *  1.97e8 steps, about 0.66 s on one core); memory (1 or 4)·N·L bytes of digits + 12N + per thread
 *  N·(16·(L − P + 2) + 24) + 17V bytes, through the memory cap. N < 2^32 − 1. Bit-identical for any
 *  thread count. DLMKL_EINVAL on bad input (the message names the entry), DLMKL_ETOOBIG above the
 *  memory cap, DLMKL_ECOST above DLMKL_SPARSE_MAX_COST. */
int dlmkl_profile_sparse_support(int L, int V, const uint64_t *idx, const double *p, uint64_t N,
                                 dlmkl_profile *prof);

/*! dlmkl_profile_sparse_support on the nonzero entries of d (in index order): the same h(m) as
 *  dlmkl_profile_compute up to rounding (relative ~1e-15·L), with work ~ 2^L·N instead of (1+V)^L
 *  and no table-sized workspace (two scans of the table to collect the support). */
int dlmkl_profile_compute_sparse(const dlmkl_dist *d, dlmkl_profile *prof);

/*! Estimated work of the sparse route in point-steps (one support point through one refinement),
 *  N·(2^L − 1 + 2^P·P/2) with P = min(L/2, 12): an upper bound (discrete partitions end branches).
 *  O(1). */
double dlmkl_profile_sparse_cost(int L, int V, uint64_t N);

/*! Estimated work of the dense route, (1+V)^L marginal entries (one log2 each). O(1). */
double dlmkl_profile_dense_cost(int L, int V);

/*! Bytes of workspace of the sparse route (support, digits, per-thread buffers, chunk rows). */
size_t dlmkl_profile_sparse_workspace_bytes(int L, int V, uint64_t N, int nthreads);

/*! 1 if the sparse route should be used for a table of L, V with N nonzero entries and nthreads:
 *  the dense workspace (dlmkl_profile_workspace_bytes) is above the memory cap while the sparse one
 *  (dlmkl_profile_sparse_workspace_bytes) is not and its cost is within DLMKL_SPARSE_MAX_COST, or
 *  2·sparse_cost ≤ 2·dense_cost (one dense entry, a sum and a log2, measured at 1–2 point-steps of
 *  the sparse route; a margin of 2 on the estimate, an upper bound) with dense_cost ≥ 1e7 (below,
 *  dense is kept); else 0. O(L). */
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
