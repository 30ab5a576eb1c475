/* dist.h: joint laws p on [V]^L as dense tables, built from spec strings. */
#ifndef DLMKL_DIST_H
#define DLMKL_DIST_H

#include "dlmkl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest L the library handles (subsets are 64-bit masks; bit i is coordinate i, i = 0..L-1,
 * coordinate 0 being x_1, the most significant digit of the table index). */
#define DLMKL_MAX_L 62

/* A law p on [V]^L. p[idx] with idx = sum_i x_i V^(L-1-i) (lexicographic, x_1 slowest).
 * Sums to 1, entries finite and >= 0. */
typedef struct dlmkl_dist {
    int L;
    int V;
    uint64_t n;      /* V^L */
    double *p;       /* n entries */
    char *spec;      /* the spec it was built from (owned) */
} dlmkl_dist;

/*! Allocate a zeroed table for [V]^L after checking V >= 2, 1 <= L <= DLMKL_MAX_L, V^L overflow
 *  and the memory cap. NULL on failure (message in dlmkl_last_error()). Cost O(V^L). */
dlmkl_dist *dlmkl_dist_alloc(int L, int V);
void dlmkl_dist_free(dlmkl_dist *d);

/*! Set d->spec to a copy of spec. */
int dlmkl_dist_set_spec(dlmkl_dist *d, const char *spec);

/*! Check every entry is finite and >= 0 (else DLMKL_EINVAL) and sum p = 1 within DLMKL_SUM_TOL (else
 *  DLMKL_ESUM); with normalize != 0
 *  divide by the sum instead (the sum must still be positive and finite). O(V^L). */
#define DLMKL_SUM_TOL 1e-9
int dlmkl_dist_validate(dlmkl_dist *d, int normalize);

/*! Build p from a spec string `family:key=value,...` (grammar in dlmkl_dist_spec_help()).
 *  normalize applies to table: files. On failure *out = NULL and a message is set. */
int dlmkl_dist_from_spec(const char *spec, int normalize, dlmkl_dist **out);

/*! Read a `table:` text file: optional '#' lines, a line "L V", then V^L probabilities. */
int dlmkl_dist_read_table(const char *path, int normalize, dlmkl_dist **out);

/*! Write p in the table file format (inverse of dlmkl_dist_read_table, %.17g). */
int dlmkl_dist_write_table(const dlmkl_dist *d, const char *path);

/* A generated table: the law of a spec whose entries are computed from the family's parameters on
 * demand, with the bits of the built table, without holding the V^L entries (for the profile's
 * units, which each read the whole table once; see dlmkl_profile_units_compute_gen). */
typedef struct dlmkl_gen dlmkl_gen;

/*! The generated table of spec, for the families whose entries are cheap functions of their
 *  parameters: ising, ising2d, cw (p(x) = exp(E − max E)/Z with E from bit counts of x; the
 *  distinct values of exp(E − max E)/Z are tabulated, max E and Z are found by two passes in index
 *  order exactly as the builder does), product, markov (p(x) a product along x, the prefix
 *  products kept by an odometer) and mixprod (p(x) = Σ_c w_c Π_i q_{c,i}(x_i), the builder's
 *  products and sum, which it does not divide by a total; the prefix products of each component
 *  kept by an odometer, O(m) per entry). Every other family (random: one sequential random
 *  stream; copy, parity, perm, mds: sparse, profiled from their support; mixture, table:) gives
 *  *out = NULL and DLMKL_OK: build the table instead; so does a table whose marginals of L−1
 *  coordinates (V^(L−1) doubles, the least any profile workspace holds) exceed the memory cap (its
 *  builder reports the cap at once). Errors in the spec are reported as by dlmkl_dist_from_spec.
 *  Memory O(L²) plus the parameters (not the table), checked against the cap; cost two passes of
 *  O(V^L) bit counts (Ising-type) or one pass of generation (chains, mixprod: to count the
 *  support). */
int dlmkl_gen_from_spec(const char *spec, dlmkl_gen **out);
/*! Free g and its parameters (NULL: nothing). O(1). */
void dlmkl_gen_free(dlmkl_gen *g);
/*! L, V, V^L and the number of nonzero entries of the generated table. O(1). */
int dlmkl_gen_L(const dlmkl_gen *g);
int dlmkl_gen_V(const dlmkl_gen *g);
uint64_t dlmkl_gen_size(const dlmkl_gen *g);
uint64_t dlmkl_gen_support(const dlmkl_gen *g);
/*! out[t] = p[i0 + t] for t < count (i0 + count <= V^L), bit for bit the entries of the table
 *  dlmkl_dist_from_spec builds. Thread-safe (g is read only). O(count + L) per call (mixprod:
 *  O(m·(count + L))). */
void dlmkl_gen_fill(const dlmkl_gen *g, uint64_t i0, uint64_t count, double *out);

/*! Multi-line help text describing every family and key. */
const char *dlmkl_dist_spec_help(void);

#ifdef __cplusplus
}
#endif
#endif
