/* profile_mpi.c: the entropy profile over MPI processes (dlmkl-mpi only). The units of
 * dlmkl_profile_units are split over the processes; the rows of partial sums are gathered and
 * combined in unit order, so the result has the bits of dlmkl_profile_compute on one process. */
#include <stdlib.h>
#include <string.h>

#include "profile_mpi.h"
#include "dlmkl/profile_sparse.h"

int dlmkl_mpi_agree(int st, MPI_Comm comm)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int mine = st != DLMKL_OK ? rank : size, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    if (first == size)
        return DLMKL_OK;
    char msg[1024];
    int fst = st;
    if (rank == first)
        snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
    MPI_Bcast(&fst, 1, MPI_INT, first, comm);
    MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first, comm);
    if (rank != first)
        dlmkl_error(fst, "%s", msg);
    return fst;
}

int dlmkl_profile_compute_mpi(int st, const dlmkl_dist *d, dlmkl_profile *prof, MPI_Comm comm)
{
    if (st == DLMKL_OK && prof->L != d->L)
        st = dlmkl_error(DLMKL_EINVAL, "profile has length %d but the table has L = %d", prof->L, d->L);
    if ((st = dlmkl_mpi_agree(st, comm)) != DLMKL_OK)
        return st;
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const int L = d->L, V = d->V, n = dlmkl_profile_units(L, V);
    const size_t row = (size_t)L + 1, all = (size_t)n * row;
    int *owner = malloc((size_t)n * sizeof *owner), *mine = malloc((size_t)n * sizeof *mine);
    int *byc = malloc((size_t)n * sizeof *byc);
    double *load = calloc((size_t)size, sizeof *load);
    double *rows = calloc(all, sizeof *rows), *gathered = NULL;
    if (owner && mine && byc && load && rows &&
        dlmkl_check_memory((size_t)size * all * sizeof(double), "the gathered profile rows") == DLMKL_OK)
        gathered = malloc((size_t)size * all * sizeof *gathered);
    if (!gathered && st == DLMKL_OK)
        st = dlmkl_last_status() != DLMKL_OK ? dlmkl_last_status()
                                             : dlmkl_error(DLMKL_ENOMEM, "out of memory for the profile rows");
    int count = 0;
    if (st == DLMKL_OK) {
        /* largest first (a stable insertion sort by cost), each to the least loaded process (the
         * lowest rank among equals): the same split on every process */
        for (int u = 0; u < n; u++) {
            int j = u;
            const double c = dlmkl_profile_unit_cost(L, V, u);
            while (j > 0 && dlmkl_profile_unit_cost(L, V, byc[j - 1]) < c) {
                byc[j] = byc[j - 1];
                j--;
            }
            byc[j] = u;
        }
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int p = 1; p < size; p++)
                if (load[p] < load[best])
                    best = p;
            owner[byc[i]] = best;
            load[best] += dlmkl_profile_unit_cost(L, V, byc[i]);
        }
        for (int u = 0; u < n; u++)
            if (owner[u] == rank)
                mine[count++] = u;
        st = dlmkl_profile_units_compute(d, mine, count, rows);
    }
    if ((st = dlmkl_mpi_agree(st, comm)) == DLMKL_OK) {
        MPI_Allgather(rows, (int)all, MPI_DOUBLE, gathered, (int)all, MPI_DOUBLE, comm);
        /* each unit's row from the process that computed it */
        for (int u = 0; u < n; u++)
            memcpy(rows + (size_t)u * row, gathered + (size_t)owner[u] * all + (size_t)u * row, row * sizeof *rows);
        st = dlmkl_profile_units_combine(rows, n, prof);
    }
    free(owner), free(mine), free(byc), free(load), free(rows), free(gathered);
    return st;
}

int dlmkl_profile_compute_auto_mpi(int st, const dlmkl_dist *d, dlmkl_profile *prof, MPI_Comm comm)
{
    int sparse = st == DLMKL_OK && dlmkl_profile_sparse_preferred(d->L, d->V, dlmkl_dist_support_size(d), 1);
    MPI_Allreduce(MPI_IN_PLACE, &sparse, 1, MPI_INT, MPI_MIN, comm);
    st = !sparse ? dlmkl_profile_compute_mpi(st, d, prof, comm)
                 : dlmkl_mpi_agree(dlmkl_profile_compute_sparse(d, prof), comm);
    if (st == DLMKL_OK)
        prof->V = d->V;
    return st;
}
