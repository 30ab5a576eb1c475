/* cli_sweep.c: `dlmkl sweep` — run a grid from a config file (or from flags) into
 * OUT/NAME.csv and OUT/NAME.meta.json. Parsing, the progress bar and signals only; the grid,
 * the computation and the files are the library's (src/sweep*.c, src/meta.c). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dlmkl/sweep.h"

static const char *const sweep_help =
    "Usage: dlmkl sweep CONFIG [--out-dir DIR] [--resume | --force] [--quick] [--threads N] [--unit U]\n"
    "       dlmkl sweep (--dist SPEC | --profile SPEC)... [--L LIST] --K LIST --schedule S [--schedule S ...]\n"
    "                   [--positions LIST] [--set KEY=LIST ...] [--output-law auto|always|never]\n"
    "                   [--infeasible error|skip] [--name NAME] [--out-dir DIR] [--resume | --force]\n"
    "Runs a grid of distributions x L x K x schedules x position policies and writes one tidy CSV row\n"
    "per grid point to DIR/NAME.csv (atomically; rows in grid order) and the run's metadata to\n"
    "DIR/NAME.meta.json. Each distribution's profile is computed once for all its rows. Rows are\n"
    "journaled to DIR/NAME.csv.partial, so an interrupted sweep continues with --resume and ends with\n"
    "the same bytes as an uninterrupted run; the CSV does not depend on the thread count.\n"
    "\n"
    "Options:\n"
    "  --out-dir DIR       output folder (default results; created if missing)\n"
    "  --resume            reuse the rows of DIR/NAME.csv and DIR/NAME.csv.partial whose key columns\n"
    "                      match a grid point; compute only the rest\n"
    "  --force             overwrite the DIR/NAME.csv or .partial of an earlier run (without --resume\n"
    "                      or --force an existing output is an error, never silently overwritten)\n"
    "  --quick             use the quick_KEY values of the config (a smaller grid for a first look)\n"
    "  --dry-run           print the grid (one line per row) and its size, compute nothing\n"
    "  --quiet             no progress line (drawn only when stderr is a terminal)\n"
    "  --name NAME         output name for the flag form (default: sweep)\n"
    "  --dist SPEC         a distribution table spec with {placeholders} (flag form; repeatable)\n"
    "  --profile SPEC      a closed-form profile spec instead (flag form; repeatable)\n"
    "  --L LIST, --K LIST  values of L and K (lists and ranges, see below)\n"
    "  --schedule S        a schedule spec (repeatable; commas inside S are kept)\n"
    "  --positions LIST    position policies (default random)\n"
    "  --set KEY=LIST      values of another placeholder {KEY}\n"
    "  --output-law MODE   kl_output: auto (when cheap), always, never (default auto)\n"
    "  --infeasible MODE   a schedule that cannot be built for some (L, K): error (default) or skip\n"
    "\n"
    "CSV columns: dist,family,L,V,unit,profile_source,positions_spec, those of 'dlmkl kl' (schedule,\n"
    "positions,K,...,zeta; schedule as written), kl_over_tc_K, kl_over_dtc_K (K*kl_expected/TC, /DTC),\n"
    "schedule_resolved (e.g. chen-tc:zeta=3), zeta_fallback (1: chen-* at this K reveals all at once),\n"
    "seed, section, one per other placeholder, then with value-adaptive positions or a predictor those\n"
    "of 'dlmkl help adaptive'; empty: not applicable (columns: experiments/README.md).\n";

enum {
    OPT_OUT_DIR = CLI_OPT_FIRST_FREE, OPT_RESUME, OPT_QUICK, OPT_DRY_RUN, OPT_NAME, OPT_DIST, OPT_PROFILE,
    OPT_L, OPT_K, OPT_SCHEDULE, OPT_POSITIONS, OPT_SET, OPT_OUTPUT_LAW, OPT_INFEASIBLE, OPT_FORCE
};

/* ---- progress: the rows, drawn by the common progress line (cli_progress.c) with the library's
 * estimate of the time left (from the rows computed, not those reused) ---- */

static void progress(void *vctx, const dlmkl_sweep_progress *p)
{
    (void)vctx;
    char count[48];
    if (p->skipped)
        snprintf(count, sizeof count, "%ld/%ld rows (%ld reused)", p->done, p->total, p->skipped);
    else
        snprintf(count, sizeof count, "%ld/%ld rows", p->done, p->total);
    cli_progress_stage("sweep", (double)p->done, (double)p->total, p->eta, count, p->what ? p->what : "");
}

/* ---- signals: the journal is flushed after every row, so stopping at once loses only the row in
 * progress; say how to continue ---- */

static char resume_hint[1024];

/* async-signal-safe: the hint, the temporary files (a header-only journal, the CSV's temporary
 * file), then the signal again with its default action */
static void on_signal(int sig)
{
    ssize_t r = write(2, resume_hint, strlen(resume_hint));
    (void)r;
    dlmkl_temp_cleanup_and_reraise(sig);
}

/* ---- the flag form: generate the equivalent INI text (parsed by the same code) ---- */

typedef struct {
    char *s;
    size_t n;
    FILE *f;
} textbuf;

/* a usage error: the message, exit status 2 */
#define USAGE(...) (cli_fail(__VA_ARGS__), 2)

/* a library failure; an invalid value in a grid given as flags is a usage error */
static int lib_fail(int st, int flag_form)
{
    int r = cli_fail_lib("sweep", st);
    return flag_form && (st == DLMKL_EINVAL || st == DLMKL_ESUM) ? 2 : r;
}

static int bad_value(const char *what, const char *v)
{
    if (strchr(v, '\n') || strchr(v, '\r'))
        return cli_fail("sweep", "%s '%s' contains a line break", what, v);
    if (strstr(v, " ;") || strstr(v, "\t;"))
        return cli_fail("sweep", "%s '%s' contains ' ;', which starts a comment in the config syntax", what, v);
    return 0;
}

cli_sweep_runner_fn cli_sweep_runner = dlmkl_sweep_run;
int cli_rank = 0;
const char *cli_prog = "dlmkl";

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out-dir", required_argument, 0, OPT_OUT_DIR}, {"resume", no_argument, 0, OPT_RESUME},
        {"quick", no_argument, 0, OPT_QUICK},           {"dry-run", no_argument, 0, OPT_DRY_RUN},
        {"name", required_argument, 0, OPT_NAME},       {"dist", required_argument, 0, OPT_DIST},
        {"profile", required_argument, 0, OPT_PROFILE}, {"L", required_argument, 0, OPT_L},
        {"K", required_argument, 0, OPT_K},             {"schedule", required_argument, 0, OPT_SCHEDULE},
        {"positions", required_argument, 0, OPT_POSITIONS}, {"set", required_argument, 0, OPT_SET},
        {"output-law", required_argument, 0, OPT_OUTPUT_LAW}, {"infeasible", required_argument, 0, OPT_INFEASIBLE},
        {"force", no_argument, 0, OPT_FORCE},           {"quiet", no_argument, 0, OPT_QUIET},
        CLI_COMMON_LONGOPTS, {0, 0, 0, 0}};
    cli_common co;
    cli_common_init(&co);
    const char *out_dir = "results", *name = NULL, *Llist = NULL, *Klist = NULL, *poslist = NULL;
    const char *olaw = NULL, *infeas = NULL;
    int resume = 0, force = 0, quick = 0, dry = 0, unit_given = 0;
    const char *dists[64];
    int dist_is_profile[64], ndists = 0;
    const char *scheds[256], *sets[64];
    int nscheds = 0, nsets = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:V", longopts, NULL)) != -1) {
        if (c == 'V')
            return cli_print_version();
        if (c == 'o')
            return USAGE("sweep", "-o/--output does not apply: a sweep writes DIR/NAME.csv (use --out-dir "
                            "and the config's name, or --name)");
        if (c == OPT_NORMALIZE)
            return USAGE("sweep", "--normalize does not apply to sweeps; normalise the table files first");
        if (c == OPT_UNIT)
            unit_given = 1;
        int r = cli_common_opt(c, optarg, &co);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        switch (c) {
        case OPT_HELP:
            printf("%s\n%s\n%s%s", sweep_help, cli_common_help,
                   "The config file format: 'dlmkl help config'; worked configs: experiments/README.md.\n",
                   cli_help_footer);
            return 0;
        case OPT_OUT_DIR: out_dir = optarg; break;
        case OPT_RESUME: resume = 1; break;
        case OPT_FORCE: force = 1; break;
        case OPT_QUICK: quick = 1; break;
        case OPT_DRY_RUN: dry = 1; break;
        case OPT_NAME: name = optarg; break;
        case OPT_DIST:
        case OPT_PROFILE:
            if (ndists == 64)
                return USAGE("sweep", "at most 64 --dist/--profile per call; use a config file");
            dist_is_profile[ndists] = c == OPT_PROFILE;
            dists[ndists++] = optarg;
            break;
        case OPT_L: Llist = optarg; break;
        case OPT_K: Klist = optarg; break;
        case OPT_SCHEDULE:
            if (nscheds == 256)
                return USAGE("sweep", "at most 256 --schedule per call; use a config file");
            scheds[nscheds++] = optarg;
            break;
        case OPT_POSITIONS: poslist = optarg; break;
        case OPT_SET:
            if (nsets == 64)
                return USAGE("sweep", "at most 64 --set per call; use a config file");
            sets[nsets++] = optarg;
            break;
        case OPT_OUTPUT_LAW: olaw = optarg; break;
        case OPT_INFEASIBLE: infeas = optarg; break;
        default:
            return cli_usage("sweep");
        }
    }
    const char *config_path = NULL;
    if (optind < argc)
        config_path = argv[optind++];
    if (optind < argc)
        return USAGE("sweep", "unexpected argument '%s' (one config file per call)", argv[optind]);
    int flag_form = ndists || Llist || Klist || nscheds || poslist || nsets || olaw || infeas || name;
    if (config_path && flag_form)
        return USAGE("sweep", "give either a config file or the grid as flags (--dist, --K, --schedule, "
                        "...), not both");
    if (resume && force)
        return USAGE("sweep", "--resume keeps the valid rows of an earlier run, --force discards them; give one");
    if (!config_path && !ndists)
        return USAGE("sweep", "missing CONFIG file or --dist SPEC (see 'dlmkl sweep --help')");

    dlmkl_sweep_config *cfg = NULL;
    int st;
    if (config_path) {
        st = dlmkl_sweep_config_read(config_path, quick, &cfg);
    } else {
        if (!Klist)
            return USAGE("sweep", "missing --K LIST (e.g. --K 1..L or --K pow2:1..L)");
        if (!nscheds)
            return USAGE("sweep", "missing --schedule SPEC (repeat it for several schedules)");
        textbuf tb = {0};
        tb.f = open_memstream(&tb.s, &tb.n);
        if (!tb.f)
            return cli_fail("sweep", "out of memory");
        fprintf(tb.f, "; generated from the command line\n[sweep]\nname = %s\n", name ? name : "sweep");
        int bad = name && bad_value("--name", name);
        for (int i = 0; i < ndists && !bad; i++) {
            bad |= bad_value(dist_is_profile[i] ? "--profile" : "--dist", dists[i]);
            if (ndists == 1)
                fprintf(tb.f, "\n[dist cli]\n");
            else
                fprintf(tb.f, "\n[dist cli%d]\n", i + 1);
            fprintf(tb.f, "%s = %s\n", dist_is_profile[i] ? "profile" : "spec", dists[i]);
            if (Llist) {
                bad |= bad_value("--L", Llist);
                fprintf(tb.f, "L = %s\n", Llist);
            }
            for (int j = 0; j < nsets && !bad; j++) {
                const char *eq = strchr(sets[j], '=');
                if (!eq || eq == sets[j]) {
                    bad = cli_fail("sweep", "--set '%s' is not KEY=LIST", sets[j]);
                    break;
                }
                bad |= bad_value("--set", sets[j]);
                fprintf(tb.f, "%.*s = %s\n", (int)(eq - sets[j]), sets[j], eq + 1);
            }
            bad |= bad_value("--K", Klist);
            fprintf(tb.f, "K = %s\nschedules = ", Klist);
            for (int j = 0; j < nscheds && !bad; j++) {
                bad |= bad_value("--schedule", scheds[j]);
                if (strchr(scheds[j], '"'))
                    bad = cli_fail("sweep", "--schedule '%s' contains '\"'", scheds[j]);
                fprintf(tb.f, "%s\"%s\"", j ? ", " : "", scheds[j]);
            }
            fputc('\n', tb.f);
            if (poslist) {
                bad |= bad_value("--positions", poslist);
                fprintf(tb.f, "positions = %s\n", poslist);
            }
            if (olaw)
                fprintf(tb.f, "output_law = %s\n", olaw);
            if (infeas)
                fprintf(tb.f, "infeasible = %s\n", infeas);
        }
        fclose(tb.f);
        if (bad) {
            free(tb.s);
            return 2;
        }
        st = dlmkl_sweep_config_parse(tb.s, NULL, quick, &cfg);
        free(tb.s);
    }
    /* a grid given as flags that does not parse is a usage error; a config file's content is input */
    if (st)
        return lib_fail(st, !config_path);
    if (unit_given)
        cfg->unit = co.unit;

    dlmkl_sweep_plan *plan = NULL;
    if ((st = dlmkl_sweep_plan_build(cfg, &plan))) {
        dlmkl_sweep_config_free(cfg);
        return lib_fail(st, !config_path);
    }
    if (plan->nrows == 0) {
        const int skipped = plan->ninfeasible > 0;
        dlmkl_sweep_plan_free(plan);
        dlmkl_sweep_config_free(cfg);
        return cli_fail("sweep", "the grid has no points%s; nothing to compute",
                        skipped ? " (every point was infeasible and skipped)" : "");
    }
    if (dry) {
        printf("section,dist,L,K,schedule,positions%s\n", plan->adaptive ? ",predictor" : "");
        for (long r = 0; r < plan->nrows; r++) {
            const dlmkl_sweep_row *row = &plan->rows[r];
            const dlmkl_sweep_dist *d = &plan->dists[row->dist];
            printf("%s,", cfg->sec[d->section].name);
            dlmkl_put_str(stdout, d->spec);
            printf(",%d,%d,", d->L, row->K);
            dlmkl_put_str(stdout, row->schedule);
            putchar(',');
            dlmkl_put_str(stdout, row->positions);
            if (plan->adaptive) {
                putchar(',');
                dlmkl_put_str(stdout, row->predictor ? row->predictor : "");
            }
            putchar('\n');
        }
        fprintf(stderr, "dlmkl sweep %s: %ld rows, %d distributions%s\n", cfg->name, plan->nrows, plan->ndists,
                plan->ninfeasible ? " (some infeasible grid points left out)" : "");
        dlmkl_sweep_plan_free(plan);
        dlmkl_sweep_config_free(cfg);
        return 0;
    }

    snprintf(resume_hint, sizeof resume_hint,
             "\ndlmkl sweep %s: interrupted; the rows computed so far are in %s/%s.csv.partial; rerun the same "
             "command with --resume to continue\n", cfg->name, out_dir, cfg->name);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    cli_progress_begin(&co); /* on a terminal, without --quiet; the profiles' stages nest in the rows' */
    dlmkl_sweep_opts opts = {out_dir, resume, progress, NULL, force};
    dlmkl_sweep_stats stats;
    double t_start = wall_now();
    st = cli_sweep_runner(cfg, plan, &opts, &stats);
    double t_end = wall_now();
    cli_progress_end();
    if (st == DLMKL_EEXIST) {
        /* earlier results: the library says what they are, the flags are the CLI's */
        int r = cli_fail("sweep", "%s; rerun with --resume to continue from it (its rows of this grid are reused) or "
                         "--force to overwrite it", dlmkl_last_error());
        dlmkl_sweep_stats_clear(&stats);
        dlmkl_sweep_plan_free(plan);
        dlmkl_sweep_config_free(cfg);
        return r;
    }
    if (st) {
        int r = cli_fail("sweep", "%s%s%s", dlmkl_last_error(), cli_hint(st),
                         stats.rows_computed || stats.rows_skipped
                             ? " (rows done so far are kept in the .csv.partial file; fix the cause and rerun with --resume)"
                             : "");
        dlmkl_sweep_stats_clear(&stats);
        dlmkl_sweep_plan_free(plan);
        dlmkl_sweep_config_free(cfg);
        return r;
    }
    if (cli_rank != 0) { /* the MPI program's other processes: rank 0 writes the metadata */
        dlmkl_sweep_stats_clear(&stats);
        dlmkl_sweep_plan_free(plan);
        dlmkl_sweep_config_free(cfg);
        return 0;
    }
    char meta_path[4096];
    snprintf(meta_path, sizeof meta_path, "%s/%s.meta.json", out_dir, cfg->name);
    /* the command line as typed: "dlmkl" then this subcommand's argv (argv[0] = "sweep") */
    char **cmdline = malloc((size_t)(argc + 1) * sizeof *cmdline);
    if (cmdline) {
        cmdline[0] = "dlmkl";
        memcpy(cmdline + 1, argv, (size_t)argc * sizeof *cmdline);
    }
    dlmkl_sweep_meta_info info = {cmdline ? argc + 1 : 0, cmdline, t_start, t_end};
    st = dlmkl_sweep_meta_write(meta_path, cfg, plan, &stats, &info);
    free(cmdline);
    if (st == DLMKL_OK)
        fprintf(stderr, "dlmkl sweep %s: %ld rows (%ld computed, %ld reused) in %.1f s -> %s\n", cfg->name,
                stats.rows_total, stats.rows_computed, stats.rows_skipped, stats.seconds, stats.csv_path);
    dlmkl_sweep_stats_clear(&stats);
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    return st ? cli_fail_lib("sweep", st) : 0;
}
