/* profile.h: subset entropies, the entropy profile h(m), TC, DTC and the information curve. */
#ifndef DLMKL_PROFILE_H
#define DLMKL_PROFILE_H

#include "dlmkl/dist.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The entropy profile h(m) = C(L,m)^{-1} sum_{|S|=m} H(X_S), m = 0..L, in bits; h[0] = 0. */
typedef struct dlmkl_profile {
    int L;
    double *h;      /* L+1 entries, bits */
    int V;          /* the alphabet of the law it is the profile of; 0 when not known (a profile file
                       without a V column). Set by the compute routes, the closed forms and the
                       reader; written as the V column of dlmkl_profile_csv. */
} dlmkl_profile;

dlmkl_profile *dlmkl_profile_alloc(int L);
void dlmkl_profile_free(dlmkl_profile *prof);

/*! h(m) for m = 0..L by one pass down the subset lattice: the marginal of S is summed from the
 *  marginal of S ∪ {j}, its entropy accumulated into the sum for |S|. Work ~ (1+V)^L entries
 *  (one log2 each) plus C(L,d)·V^L for the d-level roots of the parallel units; memory: the table
 *  plus at most about one more table across threads. Bit-identical for any thread count. */
int dlmkl_profile_compute(const dlmkl_dist *d, dlmkl_profile *prof);

/* The unit API: the pass is split into parallel units, unit 0 the nodes nearest the full table
 * (the table itself and, for V = 2, its L marginals of L−1 coordinates), unit 1 + i the subtree
 * below the i-th set T of D summed-out coordinates in lexicographic order (D = 2 for V = 2, else
 * 1). dlmkl_profile_compute = every unit, then the combination; a distributed run computes
 * disjoint sets of units on different processes and combines all the rows in one place, with the
 * same bits as dlmkl_profile_compute for any split and thread count. */

/*! Number of units of the profile of a V-ary table of length L: 1 + C(L,2) for V = 2, 1 + L
 *  otherwise; 0 if L or V is out of range. O(1). */
int dlmkl_profile_units(int L, int V);

/*! Estimated work of unit u, in marginal entries visited: unit 0 (L+1)·V^L for V = 2 else V^L;
 *  a subtree unit with t = max T: V^L (its root marginal) + V^(t+1−D)·(1+V)^(L−1−t) (its nodes).
 *  For balancing only; the largest unit is about 1/9 of the work for V = 2 (1/(1+V) otherwise),
 *  which bounds the speed-up of any split. 0 for u out of range. O(1). */
double dlmkl_profile_unit_cost(int L, int V, int u);

/*! Partial sums of the listed units: for each u in units[0..count), rows[u·(L+1) + m] =
 *  Σ H(X_S) in bits over the unit's nodes with |S| = m, m = 0..L (rows of other units are not
 *  touched; rows holds dlmkl_profile_units(L, V)·(L+1) doubles; a unit out of range or listed
 *  twice is DLMKL_EINVAL; no unit: nothing done). Threads as
 *  dlmkl_profile_compute; each unit's row is the same whatever the threads and the list. Work:
 *  Σ of the units' costs; memory: the workspace of dlmkl_profile_compute. */
int dlmkl_profile_units_compute(const dlmkl_dist *d, const int *units, int count, double *rows);

/*! dlmkl_profile_units_compute on a generated table (dlmkl_gen_from_spec): the same rows, bit for
 *  bit, without the table. Every unit reads every entry once (its root marginal sums out only
 *  D = 1 or 2 coordinates), so each unit generates the whole table again, in chunks of 2048
 *  entries per thread: extra work V^L generated entries per unit (unit 0: (1+L)·V^L for V = 2).
 *  Memory: the stacks of dlmkl_profile_compute plus 16 KiB per thread, no table, checked against
 *  the memory cap. */
int dlmkl_profile_units_compute_gen(const dlmkl_gen *g, const int *units, int count, double *rows);

/*! h(m) = C(L,m)^{-1} Σ_u rows[u·(L+1) + m], the units added in the order u = 0, 1, ...,
 *  nunits−1 (prof->L = L; nunits = dlmkl_profile_units(L, V)). O(nunits·L). */
int dlmkl_profile_units_combine(const double *rows, int nunits, dlmkl_profile *prof);

/*! Threads dlmkl_profile_compute uses when nthreads are allowed: at most as many as keep its
 *  per-thread stacks within one table (V^L doubles), so table + workspace ≤ 2 tables for any
 *  thread count (2 for V = 2, 3; 3 for V = 4). The result does not depend on it. O(L). */
int dlmkl_profile_threads(int L, int V, int nthreads);

/*! Bytes of workspace dlmkl_profile_compute will allocate for this table with nthreads. */
size_t dlmkl_profile_workspace_bytes(int L, int V, int nthreads);

/*! H = h(L). */
double dlmkl_profile_H(const dlmkl_profile *prof);
/*! TC = L·h(1) − h(L). */
double dlmkl_profile_tc(const dlmkl_profile *prof);
/*! DTC = L·h(L−1) − (L−1)·h(L). */
double dlmkl_profile_dtc(const dlmkl_profile *prof);
/*! Information curve Z_j = h(1) + h(j−1) − h(j), j = 1..L (Z_1 = 0). */
double dlmkl_profile_Z(const dlmkl_profile *prof, int j);
/*! Scale for residue clamping of quantities derived from this profile: max(1, h(L), L·h(1)). */
double dlmkl_profile_scale(const dlmkl_profile *prof);

/*! Read a profile CSV with columns m,h (header required, any column order, other columns ignored,
 *  an optional unit column of bits|nats per row, an optional V column, the law's alphabet, into
 *  prof->V: empty cells or no column leave it 0, not known; the non-empty cells must agree; RFC 4180 quoting, CRLF and a byte-order mark are
 *  accepted; rows m = 0..L in order, h(0) = 0) whose h is in `unit`. Converted to bits. Every
 *  number is read strictly; the profile must be finite, nondecreasing and concave within rounding
 *  (it is an entropy profile), else DLMKL_EINVAL with a message naming the line or m. */
int dlmkl_profile_read_csv(const char *path, dlmkl_unit unit, dlmkl_profile **out);

/* ---- subset marginals (src/marginals.c) ---- */

/*! Entropy in bits of a probability vector, −Σ p log2 p with 0 log 0 = 0. O(n). */
double dlmkl_entropy(const double *p, uint64_t n);

/*! Marginal of X_S (S = bits of mask) into out[V^|S|], lexicographic over the coordinates of S in
 *  increasing order. O(V^L). */
int dlmkl_marginal(const dlmkl_dist *d, uint64_t mask, double *out);

/*! H(X_S) in bits. work must hold V^|S| doubles. O(V^L). */
double dlmkl_subset_entropy(const dlmkl_dist *d, uint64_t mask, double *work);

/*! Bytes of work dlmkl_subset_entropy needs for the largest mask (V^L doubles). */
size_t dlmkl_subset_work_bytes(const dlmkl_dist *d);

/* ---- closed-form profiles (src/closed_form.c), for L far beyond enumeration ---- */

/* Longest profile: h(0..L) with L <= DLMKL_PROFILE_MAX_L (dlmkl_profile_alloc, profile files,
 * closed forms). */
#define DLMKL_PROFILE_MAX_L 100000000L

/*! h(m) in closed form for a spec naming a family with a known profile: copy, parity (mod V),
 *  product (i.i.d. p), mds (Reed–Solomon/MDS: h(m) = min(m,k)·log2 q), perm (h(m) = log2 n!/(n−m)!),
 *  markov (any V: stay=, trans= or seed=), ising, cw, and mixtures of one L and one V of product
 *  laws (any V, p=: symmetric among the nonzero symbols) and cw laws (V = 2), nested too
 *  (dlmkl_profile_symmetric_mixture). Grammar as the distribution families; see
 *  dlmkl_closed_form_help(). Cost O(L) or O(L^2) (cw, binary markov; O(L^2 V^3) for a general chain;
 *  O(L^2 C) for C mixture components). */
int dlmkl_profile_closed_form(const char *spec, dlmkl_profile **out);
const char *dlmkl_closed_form_help(void);

/* How dlmkl_profile_auto obtained a profile. */
typedef enum {
    DLMKL_PROFILE_ROUTE_CLOSED_FORM = 1, /* the family's closed form (polynomial in L) */
    DLMKL_PROFILE_ROUTE_ENUMERATED = 2   /* the table, enumerated: dlmkl_profile_compute */
} dlmkl_profile_route;

/*! The exact profile h(0..L) of a distribution spec by the cheapest exact route: the family's
 *  closed form when the family has one (cost O(L) to O(L^2 V^3), any L its keys allow), otherwise
 *  the enumerated table by the route dlmkl_profile_compute_auto chooses (dense O((1+V)^L) or sparse,
 *  profile_sparse.h; L <= DLMKL_MAX_L, memory cap applies), the bits of a table's profile. The closed form's
 *  errors are returned as they are (a spec it refuses is not silently enumerated). *V_out (may be
 *  NULL) is the alphabet (0 when the spec does not give it); *route_out (may be NULL) the route. */
int dlmkl_profile_auto(const char *spec, int normalize, dlmkl_profile **out, int *V_out,
                       dlmkl_profile_route *route_out);

#ifdef __cplusplus
}
#endif
#endif
