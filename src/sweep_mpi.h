/* sweep_mpi.h: a sweep over the processes of an MPI communicator (built into dlmkl-mpi only). */
#ifndef DLMKL_SWEEP_MPI_H
#define DLMKL_SWEEP_MPI_H

#include <mpi.h>

#include "dlmkl/sweep.h"

/*! dlmkl_sweep_run over the processes of comm, with the same files and bytes: rank 0 sets up the
 *  run (resume included) and tells every process which rows are to be computed; each table's
 *  profile is computed by all processes together (dlmkl_profile_compute_mpi), its rows are dealt
 *  round robin in grid order; every row computed elsewhere is sent to rank 0, which journals it
 *  as it arrives (so an interrupted run resumes like a one-process sweep) and writes NAME.csv in
 *  grid order at the end. Collective: every process passes the same cfg and plan; only rank 0's
 *  opts->out_dir and opts->resume matter, and no progress is reported. Returns the status all
 *  processes agree on; stats are rank 0's (rows computed anywhere, with their times). */
int dlmkl_sweep_run_mpi(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_opts *opts,
                        dlmkl_sweep_stats *stats, MPI_Comm comm);

#endif
