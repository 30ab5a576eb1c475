/* cli_kl.c: `dlmkl kl` — exact kl_expected and kl_output of schedules, beside the bounds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dlmkl/kl.h"
#include "dlmkl/schedule.h"

static const char *const kl_help =
    "Usage: dlmkl kl (--dist SPEC | --profile FILE|CLOSED) --schedule SCHED [--schedule ...]\n"
    "                [--K K[,K...]] [--positions P[,P...]] [--output-law auto|always|never] [--seed S]\n"
    "The exact KL between p and the law of the parallel sampler: K iterations; iteration k reveals s_k\n"
    "still-masked positions (uniformly at random by default) and draws each revealed token independently\n"
    "from p(x_i | tokens revealed before iteration k).\n"
    "  kl_expected  E over sizes and positions of KL(p || q_path), q_path the sampler's law given the\n"
    "               realised sizes and positions: the quantity the papers bound. Random positions: from the\n"
    "               entropy profile alone, E sum_k [s_k (h(m_k+1) - h(m_k)) - (h(m_k+s_k) - h(m_k))].\n"
    "  kl_output    KL(p || qbar), qbar the law of the output with all randomness integrated out, by a\n"
    "               forward pass over (revealed set, revealed values); <= kl_expected. Needs --dist.\n"
    "Options:\n"
    "  --dist SPEC          the distribution (enumerated exactly)\n"
    "  --profile FILE       a profile CSV with columns m,h (rows m = 0..L; h in --unit, or in the file's\n"
    "                       'unit' column if it has one), e.g. from 'dlmkl profile'; or a closed-form\n"
    "                       profile spec (see below) for L far beyond enumeration. kl_expected only,\n"
    "                       random positions only.\n"
    "  --schedule SCHED     repeatable; see the schedule list below\n"
    "  --K K[,K...]         iteration budgets, repeatable; required except for schedules that imply K\n";
/* ... "(sizes:, ...)": the schedules that imply K, from the type table ... */
static const char *const kl_help_rest =
    ", which give one row each\n"
    "  --positions P        random (default), l2r, stride[:D]; repeatable or comma-separated\n"
    "  --output-law MODE    kl_output: auto (default) computes it when the forward pass needs at most\n"
    "                       2e8 transition terms (about K (1+2V)^L for random sizes; see README) and its\n"
    "                       3 (V+1)^L doubles fit the memory cap, else leaves the cell empty; always; never\n"
    "  --seed S             recorded in the seed column (every number here is exact: no randomness is used)\n"
    "Columns: dist,L,V,unit,schedule,positions,K,steps,sizes,kl_expected,kl_output,TC,DTC,H,Z_L,\n"
    "  bound_tc_over_K,bound_dtc_over_K,bound_li_cai,bound_zl,bound_chen,zeta,worst_tc,d_tc,worst_dtc,\n"
    "  d_dtc,ln_L,seed\n"
    "  steps: iterations used (a K-targeted chen-tc/chen-dtc may use fewer than K); sizes joined by '-'\n"
    "  (empty for random schedules). Bounds (empty where they do not apply): TC/K, DTC/K; Li & Cai (2025)\n"
    "  (2^ceil(log2 smax) - 1)/L (TC + DTC) and (smax - 1) Z_L for fixed sizes; Chen et al. Thm 9\n"
    "  TC/(zeta-1) (chen-tc) or DTC/(zeta-1) (chen-dtc). worst_tc, worst_dtc: the schedule's worst case over\n"
    "  every law, sup K kl_expected/TC and sup K kl_expected/DTC, attained by an MDS code of dimension d_tc,\n"
    "  d_dtc (random positions; see 'dlmkl worst --help'); ln_L = ln L. kl_expected is never printed above\n"
    "  TC, nor kl_output above kl_expected, by rounding.\n";

/* The spec forms that fix their own K ("sizes:, chen-tc:zeta=, ..."), from the schedule type table. */
static const char *own_K_list(void)
{
    static char buf[256];
    return dlmkl_schedule_type_list(DLMKL_SCHED_FLAG_OWN_K, buf, sizeof buf);
}

/* a usage error: the message, exit status 2 */
#define USAGE(...) (cli_fail(__VA_ARGS__), 2)

/* Append the comma-separated items of s to list. */
static int add_items(const char *cmd, const char *opt, char *s, char **list, int *n, int max)
{
    for (char *tok = s;;) { /* empty items are errors, not skipped ("--positions ''", "--K 2,,3") */
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        if (!*tok)
            return cli_fail(cmd, "%s has an empty value; give a comma-separated list without empty items", opt);
        if (*n == max)
            return cli_fail(cmd, "too many %s values (at most %d)", opt, max);
        list[(*n)++] = tok;
        if (!comma)
            return 0;
        tok = comma + 1;
    }
}

/* A --profile argument: an existing file is read as CSV, anything else as a closed-form spec. */
static int load_profile(const char *arg, dlmkl_unit unit, dlmkl_profile **prof)
{
    struct stat sb;
    if (stat(arg, &sb) == 0)
        return dlmkl_profile_read_csv(arg, unit, prof);
    if (!strchr(arg, ':'))
        return dlmkl_error(DLMKL_EIO, "--profile '%s': no such file, and not a closed-form spec FAMILY:key=value,...", arg);
    return dlmkl_profile_closed_form(arg, prof);
}

int cmd_kl(int argc, char **argv)
{
    enum { OPT_PROFILE = CLI_OPT_FIRST_FREE, OPT_SCHEDULE, OPT_K, OPT_POSITIONS, OPT_OUTPUT_LAW, OPT_SEED };
    static const struct option longopts[] = {
        {"dist", required_argument, 0, 'd'},        {"profile", required_argument, 0, OPT_PROFILE},
        {"schedule", required_argument, 0, OPT_SCHEDULE}, {"K", required_argument, 0, OPT_K},
        {"positions", required_argument, 0, OPT_POSITIONS}, {"output-law", required_argument, 0, OPT_OUTPUT_LAW},
        {"seed", required_argument, 0, OPT_SEED},   CLI_COMMON_LONGOPTS,
        {0, 0, 0, 0}};
    enum { MAXN = 1024 };
    cli_common co;
    cli_common_init(&co);
    const char *dist_spec = NULL, *profile_arg = NULL, *seed = "";
    char *sched[MAXN], *kstr[MAXN], *posstr[MAXN];
    int nsched = 0, nk = 0, npos = 0, c;
    dlmkl_output_law_mode mode = DLMKL_OUTPUT_LAW_AUTO;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "d:o:", longopts, &co)) != -1) {
        if (c == CLI_BAD_OPT)
            return 2;
        switch (c) {
        case OPT_HELP:
            printf("%s                       (%s)%s\n%s\n%s\n%s\n%s", kl_help, own_K_list(), kl_help_rest, cli_common_help, dlmkl_schedule_spec_help(), dlmkl_dist_spec_help(),
                   dlmkl_closed_form_help());
            return 0;
        case 'd':
            dist_spec = optarg;
            break;
        case OPT_PROFILE:
            profile_arg = optarg;
            break;
        case OPT_SCHEDULE:
            if (nsched == MAXN)
                return cli_fail_usage("kl", "too many --schedule (at most %d)", MAXN);
            sched[nsched++] = optarg;
            break;
        case OPT_K:
            if (add_items("kl", "--K", optarg, kstr, &nk, MAXN))
                return 2;
            break;
        case OPT_POSITIONS:
            if (add_items("kl", "--positions", optarg, posstr, &npos, MAXN))
                return 2;
            break;
        case OPT_OUTPUT_LAW:
            if (dlmkl_output_law_parse(optarg, &mode) != DLMKL_OK)
                return (cli_fail_lib("kl", dlmkl_last_status()), 2);
            break;
        case OPT_SEED: {
            long v;
            if (cli_parse_int("kl", "--seed", optarg, 0, 0x7fffffffL, &v))
                return 2;
            seed = optarg;
            break;
        }
        default:
            return cli_usage("kl");
        }
    }
    if (optind < argc)
        return cli_fail_usage("kl", "unexpected argument '%s'", argv[optind]);
    if (!dist_spec == !profile_arg)
        return cli_fail_usage("kl", "give exactly one of --dist SPEC or --profile FILE");
    if (nsched == 0)
        return cli_fail_usage("kl", "missing --schedule SCHED");
    if (profile_arg && mode == DLMKL_OUTPUT_LAW_ALWAYS)
        return cli_fail_usage("kl", "--output-law always needs --dist: kl_output is computed from the distribution itself");

    long Ks[MAXN];
    for (int i = 0; i < nk; i++)
        if (cli_parse_int("kl", "--K", kstr[i], 1, 1000000000L, &Ks[i]))
            return 2;
    dlmkl_positions pos[MAXN] = {{DLMKL_POS_RANDOM, 0}}; /* default: random positions */
    for (int i = 0; i < npos; i++)
        if (dlmkl_positions_parse(posstr[i], &pos[i]) != DLMKL_OK)
            return (cli_fail_lib("kl", dlmkl_last_status()), 2);
    if (npos == 0)
        npos = 1;
    for (int i = 0; i < nsched; i++)
        if (!dlmkl_schedule_implies_K(sched[i]) && nk == 0)
            return cli_fail_usage("kl", "schedule '%s' needs --K (only %s imply it)", sched[i], own_K_list());

    /* inputs: the profile is computed once per call */
    dlmkl_dist *d = NULL;
    dlmkl_profile *prof = NULL;
    int st;
    if (dist_spec) {
        if (cli_load_dist("kl", dist_spec, co.normalize, &d))
            return 1;
        prof = dlmkl_profile_alloc(d->L);
        st = prof ? dlmkl_profile_compute(d, prof) : dlmkl_last_status();
    } else {
        st = load_profile(profile_arg, co.unit, &prof);
    }
    if (st != DLMKL_OK) {
        dlmkl_dist_free(d), dlmkl_profile_free(prof);
        return cli_fail_lib("kl", st);
    }

    /* compute every row before writing, so that an error leaves no partial file */
    int maxrows = nsched * (nk > 0 ? nk : 1) * npos, nrows = 0;
    dlmkl_kl_row *rows = calloc((size_t)maxrows, sizeof *rows);
    if (!rows) {
        dlmkl_dist_free(d), dlmkl_profile_free(prof);
        return cli_fail("kl", "out of memory");
    }
    st = DLMKL_OK;
    for (int i = 0; i < nsched && st == DLMKL_OK; i++) {
        int implied = dlmkl_schedule_implies_K(sched[i]);
        /* a schedule that fixes its K gives one row; a --K given with it is checked against it */
        int nkk = implied && nk == 0 ? 1 : nk;
        for (int j = 0; j < nkk && st == DLMKL_OK; j++)
            for (int q = 0; q < npos && st == DLMKL_OK; q++) {
                int K = implied && nk == 0 ? -1 : (int)Ks[j];
                st = dlmkl_kl_row_compute(prof, d, sched[i], K, &pos[q], mode, &rows[nrows]);
                if (st == DLMKL_OK)
                    nrows++;
            }
    }
    dlmkl_out out;
    if (st == DLMKL_OK)
        st = dlmkl_out_open(co.output, &out);
    if (st == DLMKL_OK) {
        const double sc = dlmkl_profile_scale(prof);
        fputs("dist,L,V,unit,", out.f);
        dlmkl_kl_row_write_header(out.f);
        fputs(",seed\n", out.f);
        for (int i = 0; i < nrows; i++) {
            dlmkl_put_str(out.f, dist_spec ? dist_spec : profile_arg);
            fprintf(out.f, ",%d,", prof->L);
            if (d)
                fprintf(out.f, "%d", d->V);
            fprintf(out.f, ",%s,", dlmkl_unit_name(co.unit));
            dlmkl_kl_row_write(out.f, &rows[i], co.unit, sc);
            fprintf(out.f, ",%s\n", seed);
        }
        st = dlmkl_out_commit(&out);
    }
    int ret = st == DLMKL_OK ? 0 : cli_fail_lib("kl", st);
    for (int i = 0; i < nrows; i++)
        dlmkl_kl_row_clear(&rows[i]);
    free(rows);
    dlmkl_dist_free(d), dlmkl_profile_free(prof);
    return ret;
}
