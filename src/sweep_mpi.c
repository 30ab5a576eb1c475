/* sweep_mpi.c: a sweep over MPI processes (dlmkl-mpi only), on the stages of sweep.c: the rows are
 * computed by dlmkl_sweep_compute_rows on every process with hooks for the profile (collective),
 * the rows a process takes, and what happens to a computed row (rank 0 journals it, the others
 * send it to rank 0). Rank 0 writes the one CSV, so the bytes are those of a one-process run. */
#include <stdlib.h>
#include <string.h>

#include "profile_mpi.h"
#include "sweep_internal.h"
#include "sweep_mpi.h"

enum { TAG_ROW = 1, TAG_END = 2 };

/* A row message: the row index and its seconds, then the line's text with its '\n' and NUL. */
typedef struct {
    long r;
    double seconds;
} row_head;

typedef struct {
    MPI_Comm comm;
    int rank, size;
    const dlmkl_sweep_config *cfg;
    const dlmkl_sweep_plan *plan;
    char **lines;
    const int *owner;        /* rank computing row r (for the rows to compute) */
    /* rank 0 */
    dlmkl_sweep_files *f;
    dlmkl_sweep_stats *stats;
    int ends;                /* other processes done */
    int st;                  /* the first failure reported or met here */
    /* other ranks: pending sends */
    MPI_Request *req;
    char **bufs;
    long nreq;
} mpi_ctx;

static int hook_profile(void *vctx, int st, const dlmkl_dist *d, dlmkl_profile *prof)
{
    mpi_ctx *c = vctx;
    return dlmkl_profile_compute_auto_mpi(st, d, prof, c->comm);
}

static int hook_take(void *vctx, long r)
{
    mpi_ctx *c = vctx;
    return c->owner[r] == c->rank;
}

/* rank 0: a row received from another process: journal it and count it (the rows computed here
 * are counted by dlmkl_sweep_compute_rows) */
static int root_keep(mpi_ctx *c, long r, double seconds)
{
    c->stats->row_seconds[c->stats->rows_computed++] = seconds;
    return dlmkl_sweep_journal_row(c->cfg, c->plan, c->f, r);
}

/* rank 0: receive one message (blocking), a row or the end of another process */
static void root_receive(mpi_ctx *c)
{
    MPI_Status ms;
    int n;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, c->comm, &ms);
    MPI_Get_count(&ms, MPI_BYTE, &n);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf) { /* receive into nothing is not possible: fail the run, keep the protocol */
        static char sink[1 << 16];
        MPI_Recv(sink, (int)sizeof sink, MPI_BYTE, ms.MPI_SOURCE, ms.MPI_TAG, c->comm, MPI_STATUS_IGNORE);
        if (ms.MPI_TAG == TAG_END)
            c->ends++;
        if (!c->st)
            c->st = dlmkl_error(DLMKL_ENOMEM, "out of memory receiving a row");
        return;
    }
    MPI_Recv(buf, n, MPI_BYTE, ms.MPI_SOURCE, ms.MPI_TAG, c->comm, MPI_STATUS_IGNORE);
    if (ms.MPI_TAG == TAG_END) {
        int st;
        memcpy(&st, buf, sizeof st);
        c->ends++;
        if (st && !c->st)
            c->st = dlmkl_error(st, "%s", buf + sizeof st);
        free(buf);
        return;
    }
    row_head h;
    memcpy(&h, buf, sizeof h);
    const size_t len = (size_t)n - sizeof h;
    if (h.r < 0 || h.r >= c->plan->nrows || c->lines[h.r] || len < 2 || buf[n - 1] != 0) {
        if (!c->st)
            c->st = dlmkl_error(DLMKL_EINVAL, "internal: a malformed row from process %d", ms.MPI_SOURCE);
        free(buf);
        return;
    }
    memmove(buf, buf + sizeof h, len);
    c->lines[h.r] = buf;
    int st = root_keep(c, h.r, h.seconds);
    if (st && !c->st)
        c->st = st;
}

static int hook_row_root(void *vctx, long r, double seconds)
{
    mpi_ctx *c = vctx;
    (void)seconds;
    int st = dlmkl_sweep_journal_row(c->cfg, c->plan, c->f, r);
    /* then whatever the others sent meanwhile */
    int flag = 1;
    while (flag) {
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, c->comm, &flag, MPI_STATUS_IGNORE);
        if (flag)
            root_receive(c);
    }
    return st;
}

/* other ranks: send the row to rank 0 without waiting (rank 0 may be busy in a collective profile) */
static int hook_row_send(void *vctx, long r, double seconds)
{
    mpi_ctx *c = vctx;
    const size_t len = strlen(c->lines[r]) + 1;
    char *buf = malloc(sizeof(row_head) + len);
    if (!buf)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    row_head h = {r, seconds};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, c->lines[r], len);
    c->bufs[c->nreq] = buf;
    MPI_Isend(buf, (int)(sizeof h + len), MPI_BYTE, 0, TAG_ROW, c->comm, &c->req[c->nreq]);
    c->nreq++;
    return DLMKL_OK;
}

int dlmkl_sweep_run_mpi(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_opts *opts,
                        dlmkl_sweep_stats *stats, MPI_Comm comm)
{
    mpi_ctx c;
    memset(&c, 0, sizeof c);
    c.comm = comm, c.cfg = cfg, c.plan = plan, c.stats = stats;
    MPI_Comm_rank(comm, &c.rank);
    MPI_Comm_size(comm, &c.size);
    const long nr = plan->nrows ? plan->nrows : 1;
    dlmkl_sweep_files f;
    memset(&f, 0, sizeof f);
    f.journal_slot = -1;
    int st;
    if (c.rank == 0) {
        st = dlmkl_sweep_begin(cfg, plan, opts, stats, &f);
        c.lines = f.lines;
        c.f = &f;
    } else {
        memset(stats, 0, sizeof *stats);
        c.lines = calloc((size_t)nr, sizeof *c.lines);
        stats->row_seconds = malloc((size_t)nr * sizeof *stats->row_seconds);
        c.req = malloc((size_t)nr * sizeof *c.req);
        c.bufs = malloc((size_t)nr * sizeof *c.bufs);
        st = c.lines && stats->row_seconds && c.req && c.bufs ? DLMKL_OK : dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    unsigned char *todo = malloc((size_t)nr);
    int *owner = malloc((size_t)nr * sizeof *owner);
    if ((!todo || !owner) && !st)
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    if ((st = dlmkl_mpi_agree(st, comm)) == DLMKL_OK) {
        /* the rows to compute (rank 0 knows what a resume reuses), dealt round robin in grid order */
        if (c.rank == 0)
            for (long r = 0; r < plan->nrows; r++)
                todo[r] = f.lines[r] == NULL;
        MPI_Bcast(todo, (int)plan->nrows, MPI_UNSIGNED_CHAR, 0, comm);
        long k = 0;
        for (long r = 0; r < plan->nrows; r++)
            owner[r] = todo[r] ? (int)(k++ % c.size) : -1;
        c.owner = owner;
        dlmkl_sweep_exec ex = {hook_profile, hook_take, c.rank == 0 ? hook_row_root : hook_row_send, &c};
        const double t0 = f.t0;
        st = dlmkl_sweep_compute_rows(cfg, plan, c.lines, todo, &ex, NULL, stats, t0);
        if (c.rank == 0) {
            if (st && !c.st)
                c.st = st;
            while (c.ends < c.size - 1)
                root_receive(&c);
            st = c.st;
            for (long r = 0; r < plan->nrows && !st; r++)
                if (!c.lines[r])
                    st = dlmkl_error(DLMKL_EINVAL, "internal: row %ld was not computed", r + 1);
            if (!st)
                st = dlmkl_sweep_finish(cfg, plan, &f);
        } else {
            MPI_Waitall((int)c.nreq, c.req, MPI_STATUSES_IGNORE);
            const char *msg = st ? dlmkl_last_error() : "";
            const size_t len = strlen(msg) + 1;
            char *buf = malloc(sizeof st + len);
            static char fallback[sizeof(int) + 1];
            char *b = buf ? buf : fallback;
            memcpy(b, &st, sizeof st);
            if (buf)
                memcpy(buf + sizeof st, msg, len);
            else
                fallback[sizeof st] = 0;
            MPI_Send(b, buf ? (int)(sizeof st + len) : (int)sizeof fallback, MPI_BYTE, 0, TAG_END, comm);
            free(buf);
        }
        st = dlmkl_mpi_agree(st, comm);
    }
    if (c.rank == 0) {
        dlmkl_sweep_files_end(&f, stats);
    } else {
        for (long i = 0; i < c.nreq; i++)
            free(c.bufs[i]);
        if (c.lines)
            for (long r = 0; r < plan->nrows; r++)
                free(c.lines[r]);
        free(c.lines), free(c.req), free(c.bufs);
    }
    free(todo), free(owner);
    return st;
}
