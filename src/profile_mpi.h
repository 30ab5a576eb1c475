/* profile_mpi.h: the entropy profile over the processes of an MPI communicator (built into
 * dlmkl-mpi only; the library has no MPI dependency). */
#ifndef DLMKL_PROFILE_MPI_H
#define DLMKL_PROFILE_MPI_H

#include <mpi.h>

#include "dlmkl/profile.h"

/*! The status every process of comm agrees on: DLMKL_OK if st is DLMKL_OK on all, else the
 *  status and message of the lowest-ranked process that failed (set as the last error on every
 *  process). Collective; O(log P) messages plus the message text. */
int dlmkl_mpi_agree(int st, MPI_Comm comm);

/*! The split of the profile's units over P processes used by dlmkl_profile_compute_mpi: units
 *  dealt largest first (dlmkl_profile_unit_cost), each to the process with the least estimated
 *  work so far (the lowest rank among equals); owner[u] (if owner is not NULL) = its process.
 *  Returns the largest process's share of the estimated work (1/P at best, never below the
 *  largest unit's share): its inverse is the model's speed-up over one process. 0 when the
 *  arguments are out of range or memory runs out. O(n² + n·P) for n = dlmkl_profile_units(L, V). */
double dlmkl_profile_mpi_split(int L, int V, int P, int *owner);

/*! h(m) of table d computed by every process of comm: the profile's units (dlmkl_profile_units)
 *  are dealt to the processes largest first, each to the one with the least estimated work so far
 *  (dlmkl_profile_unit_cost; a deterministic split), each process computes its units with its own
 *  threads, and every process receives all the units' rows and combines them in unit order
 *  (dlmkl_profile_units_combine): the same bits as dlmkl_profile_compute for any number of
 *  processes and threads. st is this process's status so far (d, prof unused unless every
 *  process is DLMKL_OK); returns the status all processes agree on. Collective: every process
 *  passes the same table. Work per process ≈ (1+V)^L / P, bounded below by the largest unit
 *  (about 1/9 of the work for V = 2, 1/(1+V) otherwise); memory: the table and the workspace of
 *  dlmkl_profile_compute on every process, plus P·units·(L+1) doubles of rows. */
int dlmkl_profile_compute_mpi(int st, const dlmkl_dist *d, dlmkl_profile *prof, MPI_Comm comm);

/*! dlmkl_profile_compute_mpi on a generated table (dlmkl_gen_from_spec; every process passes the
 *  same spec's): each process computes its units with dlmkl_profile_units_compute_gen, so it holds
 *  no table, only the stacks of its threads (V^(L−D)·V/(V−1) doubles each, about half a table for
 *  V = 2, 3) and 16 KiB per thread, and generates the table once per unit it computes. The same
 *  bits as dlmkl_profile_compute on the built table. Collective. */
int dlmkl_profile_compute_gen_mpi(int st, const dlmkl_gen *g, dlmkl_profile *prof, MPI_Comm comm);

/*! The route of dlmkl_profile_compute_auto, agreed by every process of comm: a law for which the
 *  sparse route is chosen (dlmkl_profile_sparse_preferred, as for one thread) is done whole on each
 *  process (no communication), any other by dlmkl_profile_compute_mpi. The same bits as
 *  dlmkl_profile_compute_auto; returns the status all processes agree on. Collective. */
int dlmkl_profile_compute_auto_mpi(int st, const dlmkl_dist *d, dlmkl_profile *prof, MPI_Comm comm);

#endif
