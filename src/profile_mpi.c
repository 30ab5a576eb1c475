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

double dlmkl_profile_mpi_split(int L, int V, int P, int *owner)
{
    const int n = dlmkl_profile_units(L, V);
    int *byc = malloc(((size_t)n + 1) * sizeof *byc);
    double *load = calloc((size_t)P + 1, sizeof *load);
    if (!byc || !load || n < 1 || P < 1) {
        free(byc), free(load);
        return 0.0;
    }
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
    double total = 0.0, most = 0.0;
    for (int i = 0; i < n; i++) {
        int best = 0;
        for (int p = 1; p < P; p++)
            if (load[p] < load[best])
                best = p;
        if (owner)
            owner[byc[i]] = best;
        const double c = dlmkl_profile_unit_cost(L, V, byc[i]);
        load[best] += c;
        total += c;
    }
    for (int p = 0; p < P; p++)
        if (load[p] > most)
            most = load[p];
    free(byc), free(load);
    return most / total;
}

/* the units over the processes, from the dense table d or the generated table g (the other NULL) */
static int compute_mpi(int st, const dlmkl_dist *d, const dlmkl_gen *g, dlmkl_profile *prof, MPI_Comm comm)
{
    if (st == DLMKL_OK && prof->L != (d ? d->L : dlmkl_gen_L(g)))
        st = dlmkl_error(DLMKL_EINVAL, "profile has length %d but the table has L = %d", prof->L,
                         d ? d->L : dlmkl_gen_L(g));
    if ((st = dlmkl_mpi_agree(st, comm)) != DLMKL_OK)
        return st;
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const int L = d ? d->L : dlmkl_gen_L(g), V = d ? d->V : dlmkl_gen_V(g), n = dlmkl_profile_units(L, V);
    const size_t row = (size_t)L + 1, all = (size_t)n * row;
    int *owner = malloc((size_t)n * sizeof *owner), *mine = malloc((size_t)n * sizeof *mine);
    double *rows = calloc(all, sizeof *rows), *gathered = NULL;
    if (owner && mine && rows &&
        dlmkl_check_memory((size_t)size * all * sizeof(double), "the gathered profile rows") == DLMKL_OK)
        gathered = malloc((size_t)size * all * sizeof *gathered);
    if (!gathered && st == DLMKL_OK)
        st = dlmkl_last_status() != DLMKL_OK ? dlmkl_last_status()
                                             : dlmkl_error(DLMKL_ENOMEM, "out of memory for the profile rows");
    int count = 0;
    if (st == DLMKL_OK && !(dlmkl_profile_mpi_split(L, V, size, owner) > 0.0))
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory splitting the profile's units");
    if (st == DLMKL_OK) {
        for (int u = 0; u < n; u++)
            if (owner[u] == rank)
                mine[count++] = u;
        st = d ? dlmkl_profile_units_compute(d, mine, count, rows)
               : dlmkl_profile_units_compute_gen(g, mine, count, rows);
    }
    if ((st = dlmkl_mpi_agree(st, comm)) == DLMKL_OK) {
        MPI_Allgather(rows, (int)all, MPI_DOUBLE, gathered, (int)all, MPI_DOUBLE, comm);
        /* each unit's row from the process that computed it */
        for (int u = 0; u < n; u++)
            memcpy(rows + (size_t)u * row, gathered + (size_t)owner[u] * all + (size_t)u * row, row * sizeof *rows);
        st = dlmkl_profile_units_combine(rows, n, prof);
        if (st == DLMKL_OK)
            prof->V = d ? d->V : dlmkl_gen_V(g);
    }
    free(owner), free(mine), free(rows), free(gathered);
    return st;
}

int dlmkl_profile_compute_mpi(int st, const dlmkl_dist *d, dlmkl_profile *prof, MPI_Comm comm)
{
    return compute_mpi(st, d, NULL, prof, comm);
}

int dlmkl_profile_compute_gen_mpi(int st, const dlmkl_gen *g, dlmkl_profile *prof, MPI_Comm comm)
{
    return compute_mpi(st, NULL, g, prof, comm);
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
