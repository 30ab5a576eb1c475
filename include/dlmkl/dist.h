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

/*! Multi-line help text describing every family and key. */
const char *dlmkl_dist_spec_help(void);

#ifdef __cplusplus
}
#endif
#endif
