/* cli_mpi.c: the dlmkl-mpi program — `profile` and `sweep` over MPI processes (mpirun/srun), with
 * the options and output bytes of `dlmkl profile` and `dlmkl sweep`. Rank 0 reads nothing more
 * than the others and writes every file and message; the other ranks' stdout and stderr go to
 * /dev/null. Built only when MPI is found (meson option mpi). */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <mpi.h>

#include "cli.h"
#include "dlmkl/host.h"
#include "profile_mpi.h"
#include "sweep_mpi.h"

static const char *const mpi_help =
    "dlmkl-mpi — the entropy profile and sweeps of dlmkl over MPI processes\n"
    "\n"
    "Usage: mpirun -np P dlmkl-mpi profile --dist SPEC [options]\n"
    "       mpirun -np P dlmkl-mpi sweep CONFIG | (--dist SPEC ... --K LIST --schedule S ...) [options]\n"
    "Same options and output bytes as 'dlmkl profile' and 'dlmkl sweep' (see their --help). The\n"
    "profile's units are split over the P processes (each with --threads N threads) and combined in\n"
    "a fixed order, so the result is bit-identical for any P and N. A sweep computes each table's\n"
    "profile with all P processes, deals the rows round robin, and rank 0 journals every row and\n"
    "writes DIR/NAME.csv (resumable with --resume, as dlmkl sweep). Every process builds the whole\n"
    "table: memory per process is that of a one-process run.\n"
    "Options: -h, --help; -V, --version (also after a command)\n";

static const char *const profile_mpi_help =
    "Usage: mpirun -np P dlmkl-mpi profile --dist SPEC [options]\n"
    "The entropy profile h(m) and the information curve Z_m, as 'dlmkl profile' (same columns and\n"
    "bytes), computed by P processes together. Columns: m,h,Z,unit,V\n";

static int cmd_profile_mpi(int argc, char **argv)
{
    static const struct option longopts[] = {{"dist", required_argument, 0, 'd'}, CLI_COMMON_LONGOPTS, {0, 0, 0, 0}};
    cli_common co;
    cli_common_init(&co);
    const char *spec = NULL;
    int c;
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
        return cli_usage("profile");
    }
    if (optind < argc)
        return cli_fail_usage("profile", "unexpected argument '%s'", argv[optind]);
    if (!spec)
        return cli_fail_usage("profile", "missing --dist SPEC");
    dlmkl_dist *d = NULL;
    dlmkl_profile *prof = NULL;
    char *csv = NULL;
    int st = dlmkl_dist_from_spec(spec, co.normalize, &d);
    if (st == DLMKL_OK && !(prof = dlmkl_profile_alloc(d->L)))
        st = dlmkl_last_status();
    /* the route of `dlmkl profile` (dlmkl_profile_compute_auto), agreed by every process */
    st = dlmkl_profile_compute_auto_mpi(st, d, prof, MPI_COMM_WORLD);
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
    return st == DLMKL_OK ? 0 : cli_fail_lib("profile", st);
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
    if (strcmp(argv[1], "sweep") == 0) {
        cli_sweep_runner = run_sweep_mpi;
        return cmd_sweep(argc - 1, argv + 1);
    }
    fprintf(stderr, "dlmkl-mpi: unknown command '%s' (commands: profile, sweep; see dlmkl-mpi --help)\n", argv[1]);
    return 2;
}

int main(int argc, char **argv)
{
    int provided;
    /* OpenMP threads inside a process never call MPI */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &cli_rank);
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
