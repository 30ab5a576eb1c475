/* profile_tiling.h: the dense profile with a chosen tiling of its walk (profile.c), for tests: the
 * bits must not depend on it. Not part of the public API. */
#ifndef DLMKL_PROFILE_TILING_H
#define DLMKL_PROFILE_TILING_H

#include <stdint.h>

#include "dlmkl/profile.h"

/* A child of the walk (V >= 3) whose rows hold at most max_row entries (0: none), in at most 9
 * coordinates, has its subtree done in slices of about `entries` of its entries (at least one row);
 * so does a unit (from the table); units whose slices span at most pass_span table entries share
 * passes over the table (at most 4 per thread, grouped to balance the threads' work). */
typedef struct {
    uint64_t max_row;
    uint64_t entries;
    uint64_t pass_span;
} dlmkl_profile_tiling;

/*! dlmkl_profile_units_compute with the walk tiled as *tiling says (dlmkl_profile_units_compute uses
 *  max_row = 2^18, entries = 8192, pass_span = 2^16). The rows have the same bits for every tiling. Cost as that. */
int dlmkl_profile_units_compute_tiled(const dlmkl_dist *d, const int *units, int count, double *rows,
                                      const dlmkl_profile_tiling *tiling);

#endif
