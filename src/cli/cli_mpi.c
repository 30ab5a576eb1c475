/* cli_mpi.c: the dlmkl-mpi program — `profile` and `sweep` over MPI processes (mpirun/srun), with
 * the options and output bytes of `dlmkl profile` and `dlmkl sweep`. Rank 0 reads nothing more
 * than the others and writes every file and message; the other ranks' stdout and stderr go to
 * /dev/null. Built only when MPI is found (meson option mpi). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <mpi.h>

#include "cli.h"
#include "dlmkl/host.h"
#include "dlmkl/profile_sparse.h"
#include "profile_mpi.h"
#include "sweep_mpi.h"

static const char *const mpi_help =
    "dlmkl-mpi — the entropy profile and sweeps of dlmkl over MPI processes\n"
    "\n"
    "Usage: mpirun -np P dlmkl-mpi profile --dist SPEC [options]\n"
    "       mpirun -np P dlmkl-mpi sweep CONFIG | (--dist SPEC ... --K LIST --schedule S ...) [options]\n"
    "       mpirun -np P dlmkl-mpi bench [--dist SPEC] [--ranks LIST] [options]   (rank scaling, CSV)\n"
    "Same options and output bytes as 'dlmkl profile' and 'dlmkl sweep' (see their --help). The\n"
    "profile's units are split over the P processes (each with --threads N threads) and combined in\n"
    "a fixed order, so the result is bit-identical for any P and N. A sweep computes each table's\n"
    "profile with all P processes, deals the rows round robin, and rank 0 journals every row and\n"
    "writes DIR/NAME.csv (resumable with --resume, as dlmkl sweep). The profile command generates\n"
    "the tables of ising, ising2d, cw, product, markov and mixprod on every process instead of\n"
    "holding them (see profile --help); a sweep builds every table whole (its rows read it).\n"
    "Options: -h, --help; -V, --version (also after a command)\n";

static const char *const profile_mpi_help =
    "Usage: mpirun -np P dlmkl-mpi profile --dist SPEC [options]\n"
    "The entropy profile h(m) and the information curve Z_m, as 'dlmkl profile' (same columns and\n"
    "bytes), computed by P processes together. Columns: m,h,Z,unit,V\n"
    "Tables of ising, ising2d, cw, product, markov and mixprod are generated from their\n"
    "parameters: no process holds the table, each generates it again, in chunks, for every unit\n"
    "it computes (memory per process: its threads' marginal stacks, about half a table each for\n"
    "V = 2, 3). Other families, and laws profiled from their support, are built whole on every\n"
    "process.\n"
    "  --whole-table         build the whole table on every process for those families too (more\n"
    "                        memory, no regeneration)\n";

static int cmd_profile_mpi(int argc, char **argv)
{
    static const struct option longopts[] = {{"dist", required_argument, 0, 'd'},
                                             {"whole-table", no_argument, 0, 'W'},
                                             CLI_COMMON_LONGOPTS,
                                             {0, 0, 0, 0}};
    cli_common co;
    cli_common_init(&co);
    const char *spec = NULL;
    int c, whole = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "d:o:", longopts, &co)) != -1) {
        if (c < -1)
            return cli_stop_status(c);
        if (c == OPT_HELP) {
            printf("%s\n%s\n%s", profile_mpi_help, cli_common_help, cli_help_footer);
            return 0;
        }
        if (c == 'd') {
            spec = optarg;
            continue;
        }
        if (c == 'W') {
            whole = 1;
            continue;
        }
        return cli_usage("profile");
    }
    if (optind < argc)
        return cli_fail_usage("profile", "unexpected argument '%s'", argv[optind]);
    if (!spec)
        return cli_fail_usage("profile", "missing --dist SPEC");
    dlmkl_dist *d = NULL;
    dlmkl_gen *g = NULL;
    dlmkl_profile *prof = NULL;
    char *csv = NULL;
    /* a family generated from its parameters, on the dense route of `dlmkl profile`: no process
     * holds the table (every one agrees, else all build it) */
    int st = whole ? DLMKL_OK : dlmkl_gen_from_spec(spec, &g);
    int gen = st == DLMKL_OK && g &&
              !dlmkl_profile_sparse_preferred(dlmkl_gen_L(g), dlmkl_gen_V(g), dlmkl_gen_support(g), 1);
    MPI_Allreduce(MPI_IN_PLACE, &gen, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (gen) {
        if (!(prof = dlmkl_profile_alloc(dlmkl_gen_L(g))))
            st = dlmkl_last_status();
        st = dlmkl_profile_compute_gen_mpi(st, g, prof, MPI_COMM_WORLD);
    } else {
        dlmkl_gen_free(g);
        g = NULL;
        st = dlmkl_dist_from_spec(spec, co.normalize, &d);
        if (st == DLMKL_OK && !(prof = dlmkl_profile_alloc(d->L)))
            st = dlmkl_last_status();
        /* the route of `dlmkl profile` (dlmkl_profile_compute_auto), agreed by every process */
        st = dlmkl_profile_compute_auto_mpi(st, d, prof, MPI_COMM_WORLD);
    }
    if (st == DLMKL_OK && cli_rank == 0) {
        dlmkl_out out;
        if ((st = dlmkl_profile_csv(prof, co.unit, &csv)) == DLMKL_OK &&
            (st = dlmkl_out_open(co.output, &out)) == DLMKL_OK) {
            fputs(csv, out.f);
            st = dlmkl_out_commit(&out);
        }
    }
    dlmkl_host_text_free(csv);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
    dlmkl_gen_free(g);
    return st == DLMKL_OK ? 0 : cli_fail_lib("profile", st);
}

/* ---- bench: rank scaling of the profile ---- */

static const char *const bench_mpi_help =
    "Usage: mpirun -np P dlmkl-mpi bench [--dist SPEC] [--ranks LIST] [--whole-table] [-o FILE] [--threads N]\n"
    "Rank scaling of the entropy profile: for each k in LIST (default 1, 2, 4, ... up to P, and P;\n"
    "each k <= P) the first k processes compute the profile of SPEC (default random:L=20,V=2,seed=1)\n"
    "together, as 'dlmkl-mpi profile' does with the dense or generated table, while the others wait\n"
    "(sleeping, so that they leave the cores to the k). One CSV row per k, then model rows:\n"
    "  suite=ranks        measured: wall_seconds (slowest process, from a common barrier),\n"
    "                     cpu_seconds_max, cpu_seconds_sum and cpu_seconds_per_rank (CPU time of each\n"
    "                     process, all its threads, '/'-separated), speedup_wall and speedup_cpu\n"
    "                     against the first row (k = 1: wall, and the largest CPU time), model_speedup,\n"
    "                     peak_rss_bytes_max (the largest process's peak so far; rows run in LIST's\n"
    "                     order) and same_bits (1 if h equals the first row's bit for bit)\n"
    "  suite=ranks-model  the model for P = 1, 2, 4, ..., 1024 processes: model_speedup = the total\n"
    "                     estimated work over the largest process's (the units dealt as the profile\n"
    "                     deals them); it saturates at the largest unit (about 9.5 for V = 2, 1+V\n"
    "                     otherwise)\n"
    "The CPU ratio is the steadier figure when other processes share the cores.\n";

static double bench_now(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Wait at a barrier of comm without spinning (Open MPI busy-polls in MPI_Barrier): an idle process
 * must not take a core from the ones being timed. */
static void sleepy_barrier(MPI_Comm comm)
{
    MPI_Request req;
    int done = 0;
    MPI_Ibarrier(comm, &req);
    while (!done) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (!done)
            nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
}

/* "1,2,4" into ks (each 1..P), else a usage message (every process reads the same text) */
static int bench_ranks(const char *list, int P, int *ks, int *nk)
{
    *nk = 0;
    if (!list) {
        for (int k = 1; k < P; k *= 2)
            ks[(*nk)++] = k;
        ks[(*nk)++] = P;
        return 0;
    }
    const char *p = list;
    while (*p && *nk < 64) {
        char *end;
        long k = strtol(p, &end, 10);
        if (end == p || k < 1 || k > P || (*end && *end != ','))
            return cli_fail_usage("bench", "--ranks '%s': want a comma-separated list of process counts 1..%d "
                                  "(P of mpirun -np P)", list, P);
        ks[(*nk)++] = (int)k;
        p = *end ? end + 1 : end;
    }
    if (*nk == 0 || *p)
        return cli_fail_usage("bench", "--ranks '%s': want 1 to 64 process counts, e.g. 1,2", list);
    return 0;
}

static int cmd_bench_mpi(int argc, char **argv)
{
    enum { OPT_RANKS = CLI_OPT_FIRST_FREE, OPT_DIST };
    static const struct option longopts[] = {{"dist", required_argument, 0, OPT_DIST},
                                             {"ranks", required_argument, 0, OPT_RANKS},
                                             {"whole-table", no_argument, 0, 'W'},
                                             CLI_COMMON_LONGOPTS,
                                             {0, 0, 0, 0}};
    cli_common co;
    cli_common_init(&co);
    const char *spec = "random:L=20,V=2,seed=1", *list = NULL;
    int c, whole = 0, rank, P;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:", longopts, &co)) != -1) {
        if (c == CLI_BAD_OPT)
            return 2;
        if (c == OPT_HELP) {
            printf("%s\n%s\n%s", bench_mpi_help, cli_common_help, cli_help_footer);
            return 0;
        }
        if (c == OPT_DIST)
            spec = optarg;
        else if (c == OPT_RANKS)
            list = optarg;
        else if (c == 'W')
            whole = 1;
        else
            return cli_usage("bench");
    }
    if (optind < argc)
        return cli_fail_usage("bench", "unexpected argument '%s'", argv[optind]);
    int ks[64], nk;
    int r = bench_ranks(list, P, ks, &nk);
    if (r)
        return r;
    /* the table, as dlmkl-mpi profile takes it (generated where the family allows) */
    dlmkl_dist *d = NULL;
    dlmkl_gen *g = NULL;
    int st = whole ? DLMKL_OK : dlmkl_gen_from_spec(spec, &g);
    int gen = st == DLMKL_OK && g != NULL;
    MPI_Allreduce(MPI_IN_PLACE, &gen, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!gen) {
        dlmkl_gen_free(g);
        g = NULL;
        if (st == DLMKL_OK)
            st = dlmkl_dist_from_spec(spec, co.normalize, &d);
    }
    const int L = st != DLMKL_OK ? 1 : gen ? dlmkl_gen_L(g) : d->L, V = st != DLMKL_OK ? 2 : gen ? dlmkl_gen_V(g) : d->V;
    dlmkl_profile *first = NULL, *prof = NULL;
    if (st == DLMKL_OK && (!(first = dlmkl_profile_alloc(L)) || !(prof = dlmkl_profile_alloc(L))))
        st = dlmkl_last_status();
    if ((st = dlmkl_mpi_agree(st, MPI_COMM_WORLD)) != DLMKL_OK) {
        dlmkl_profile_free(first), dlmkl_profile_free(prof), dlmkl_dist_free(d), dlmkl_gen_free(g);
        return cli_fail_lib("bench", st);
    }
    dlmkl_out out = {0};
    int opened = 0;
    if (rank == 0 && (st = dlmkl_out_open(co.output, &out)) == DLMKL_OK) {
        opened = 1;
        fputs("suite,case,L,V,ranks,threads,wall_seconds,cpu_seconds_max,cpu_seconds_sum,cpu_seconds_per_rank,"
              "speedup_wall,speedup_cpu,model_speedup,peak_rss_bytes_max,same_bits\n",
              out.f);
    }
    st = dlmkl_mpi_agree(st, MPI_COMM_WORLD);
    double *all = malloc(2 * (size_t)P * sizeof *all);
    double wall1 = 0.0, cpu1 = 0.0;
    for (int i = 0; st == DLMKL_OK && i < nk; i++) {
        const int k = ks[i];
        MPI_Comm sub;
        MPI_Comm_split(MPI_COMM_WORLD, rank < k ? 0 : MPI_UNDEFINED, rank, &sub);
        double mine[2] = {-1.0, -1.0};
        int sti = DLMKL_OK;
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank < k) {
            const double w0 = bench_now(CLOCK_MONOTONIC), c0 = bench_now(CLOCK_PROCESS_CPUTIME_ID);
            sti = gen ? dlmkl_profile_compute_gen_mpi(DLMKL_OK, g, i == 0 ? first : prof, sub)
                      : dlmkl_profile_compute_mpi(DLMKL_OK, d, i == 0 ? first : prof, sub);
            mine[0] = bench_now(CLOCK_MONOTONIC) - w0;
            mine[1] = bench_now(CLOCK_PROCESS_CPUTIME_ID) - c0;
            MPI_Comm_free(&sub);
        }
        sleepy_barrier(MPI_COMM_WORLD);
        st = dlmkl_mpi_agree(sti, MPI_COMM_WORLD);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double rss = (double)ru.ru_maxrss * 1024.0, rss_max = 0.0;
        MPI_Reduce(&rss, &rss_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        MPI_Gather(mine, 2, MPI_DOUBLE, all, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        if (st != DLMKL_OK || rank != 0)
            continue;
        double wall = 0.0, cmax = 0.0, csum = 0.0;
        for (int p = 0; p < k; p++) {
            wall = all[2 * p] > wall ? all[2 * p] : wall;
            cmax = all[2 * p + 1] > cmax ? all[2 * p + 1] : cmax;
            csum += all[2 * p + 1];
        }
        if (i == 0)
            wall1 = wall, cpu1 = cmax;
        fprintf(out.f, "ranks,");
        dlmkl_put_str(out.f, spec);
        fprintf(out.f, ",%d,%d,%d,%d,%.3f,%.3f,%.3f,", L, V, k, dlmkl_threads(), wall, cmax, csum);
        for (int p = 0; p < k; p++)
            fprintf(out.f, "%s%.3f", p ? "/" : "", all[2 * p + 1]);
        fprintf(out.f, ",%.3f,%.3f,%.3f,%.0f,%d\n", wall1 / wall, cpu1 / cmax, 1.0 / dlmkl_profile_mpi_split(L, V, k, NULL),
                rss_max, memcmp(first->h, (i == 0 ? first : prof)->h, ((size_t)L + 1) * sizeof(double)) == 0);
        fflush(out.f);
    }
    if (st == DLMKL_OK && rank == 0) {
        for (int k = 1; k <= 1024; k *= 2) {
            fprintf(out.f, "ranks-model,");
            dlmkl_put_str(out.f, spec);
            fprintf(out.f, ",%d,%d,%d,,,,,,,,%.3f,,\n", L, V, k, 1.0 / dlmkl_profile_mpi_split(L, V, k, NULL));
        }
    }
    if (opened) {
        if (st == DLMKL_OK)
            st = dlmkl_out_commit(&out);
        else
            dlmkl_out_abort(&out);
    }
    free(all);
    dlmkl_profile_free(first), dlmkl_profile_free(prof), dlmkl_dist_free(d), dlmkl_gen_free(g);
    return st == DLMKL_OK ? 0 : cli_fail_lib("bench", st);
}

static int run_sweep_mpi(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_opts *opts,
                         dlmkl_sweep_stats *stats)
{
    return dlmkl_sweep_run_mpi(cfg, plan, opts, stats, MPI_COMM_WORLD);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(mpi_help, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("%s", mpi_help);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
        return cli_print_version(); /* also after a command (cli_getopt), through the same exit */
    if (strcmp(argv[1], "profile") == 0)
        return cmd_profile_mpi(argc - 1, argv + 1);
    if (strcmp(argv[1], "bench") == 0)
        return cmd_bench_mpi(argc - 1, argv + 1);
    if (strcmp(argv[1], "sweep") == 0) {
        cli_sweep_runner = run_sweep_mpi;
        return cmd_sweep(argc - 1, argv + 1);
    }
    fprintf(stderr, "dlmkl-mpi: unknown command '%s' (commands: profile, sweep, bench; see dlmkl-mpi --help)\n", argv[1]);
    return 2;
}

int main(int argc, char **argv)
{
    int provided;
    /* OpenMP threads inside a process never call MPI */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &cli_rank);
    cli_prog = "dlmkl-mpi";
    if (cli_rank != 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            MPI_Abort(MPI_COMM_WORLD, 1);
    }
    gsl_set_error_handler_off();
    int major = 0, minor = 0;
    MPI_Get_version(&major, &minor);
    cli_program = "dlmkl-mpi";
    snprintf(cli_version_extra, sizeof cli_version_extra, ", MPI %d.%d", major, minor);
    /* every return of dispatch, --help and -V included, reaches MPI_Finalize below */
    int r = dispatch(argc, argv);
    /* every process exits with rank 0's status: the collective steps agree on failures */
    MPI_Bcast(&r, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return r;
}
