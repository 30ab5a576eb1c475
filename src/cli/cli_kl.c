/* cli_kl.c: `dlmkl kl` — exact kl_expected and kl_output of schedules, beside the bounds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dlmkl/adaptive.h"
#include "dlmkl/host.h"
#include "dlmkl/kl.h"
#include "dlmkl/schedule.h"

static const char *const kl_help =
    "Usage: dlmkl kl (--dist SPEC | --profile FILE|CLOSED) --schedule SCHED [--schedule ...]\n"
    "                [--K K[,K...]] [--positions P[,P...]] [--predictor PR ...] [--output-law MODE] [--seed S]\n"
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
    "  --profile P          kl_expected (random positions) from a profile CSV (columns m,h; h in --unit\n"
    "                       or its 'unit' column); a closed-form spec ('dlmkl help specs'), any L; or\n"
    "                       auto:SPEC: the closed form if SPEC's family has one, else enumeration\n"
    "  --schedule SCHED     repeatable; see 'dlmkl help schedules'\n"
    "  --K K[,K...]         iteration budgets, repeatable; required except for schedules that imply K\n";
/* ... "(sizes:, ...)": the schedules that imply K, from the type table ... */
static const char *const kl_help_rest =
    ", which give one row each;\n"
    "                       ranges as in sweep configs, L the law's length: 1..16, pow2:1..L, L/4\n"
    "  --positions P        random (default), l2r, stride[:D], value-adaptive (needs --dist) confidence[:by=],\n"
    "                       threshold:tau=T, eb:gamma=G, entsum:eps=E; repeatable ('dlmkl help adaptive')\n"
    "  --predictor PR       an imperfect predictor (needs --dist): exact, temp:T, topk:k, topp:P, mix:E,seed=S\n"
    "  --output-law MODE    kl_output: auto (default) computes it when the pass is affordable (at most 2e8\n"
    "                       terms, about K (1+2V)^L, and 3 (V+1)^L doubles under --max-memory); always; never\n"
    "  --seed S             recorded in the seed column (every number here is exact: no randomness is used)\n"
    "Columns: dist,L,V,unit,schedule,positions,K,steps,sizes,kl_expected,kl_output,TC,DTC,H,Z_L,\n"
    "  bound_tc_over_K,bound_dtc_over_K,bound_li_cai,bound_zl,bound_chen,zeta,worst_tc,d_tc,worst_dtc,\n"
    "  d_dtc,ln_L,seed (value-adaptive policies and predictors add columns: 'dlmkl help adaptive')\n"
    "  steps: iterations used (a K-targeted chen-* may use fewer than K); sizes joined by '-'. Bounds (empty\n"
    "  where they do not apply): TC/K, DTC/K; Li & Cai (2025) (2^ceil(log2 smax)-1)/L (TC+DTC) and\n"
    "  (smax-1) Z_L for fixed sizes; Chen et al. Thm 9 TC/(zeta-1) or DTC/(zeta-1). worst_tc, worst_dtc: sup\n"
    "  over laws of K kl_expected/TC and K kl_expected/DTC, attained by MDS codes of dimension d_tc, d_dtc\n"
    "  ('dlmkl worst --help'); ln_L = ln L. Rounding never prints kl_expected > TC or kl_output > kl_expected.\n";

/* 'dlmkl help adaptive': value-adaptive position policies, predictors and their columns */
const char *const cli_adaptive_help =
    "Value-adaptive position policies (--positions of kl and sample; need --dist; exact by a forward\n"
    "pass over partial states):\n"
    "  confidence[:by=maxprob|margin|entropy]  the s_k most confident masked positions (sizes from the\n"
    "                   schedule; scores within 1e-12 tie, toward the lower index)\n"
    "  threshold:tau=T  every masked position with max prob > T (at least one)\n"
    "  eb:gamma=G       EB-sampler: increasing entropy while sum - max <= G (bits)\n"
    "  entsum:eps=E     increasing entropy while the entropy sum <= E (bits)\n"
    "threshold, eb and entsum choose their own sizes: one row each, schedule none, K = steps = 0.\n"
    "With these, kl_expected = E_ideal sum_t TC(X_A_t | x_B_t) (the path KL).\n"
    "Predictors (--predictor PR of kl and sample; repeatable, one per option; needs --dist; random, l2r\n"
    "or value-adaptive positions): exact, temp:T, topk:k, topp:P, mix:E,seed=S. kl_output is then the KL\n"
    "of the sampler that draws from the predictor.\n"
    "Extra columns of kl: predictor,kl_predictor,kl_path,iterations_mean,iterations_mean_ideal,\n"
    "iterations_law,bound_policy,bound_step. kl_predictor = E_ideal sum_t sum_(j in A_t) KL(p_j || phat_j);\n"
    "kl_path = kl_expected + kl_predictor (the path KL of the sampler with phat); iterations = non-empty\n"
    "iterations (mean for the sampler and the ideal process; law 't:P;...' for the sampler);\n"
    "bound_policy = G (eb) or E (entsum) times iterations_mean_ideal, a bound on kl_expected with the\n"
    "exact predictor; bound_step, the sharper per-step bound (exact predictor): G or E times the ideal\n"
    "process's mean number of iterations revealing >= 2 positions, and for threshold:tau=T\n"
    "F(T) (L - iterations_mean_ideal), F(T) = h2(T) + (1-T) log2(V-1) bits for T >= 1/V (else log2 V),\n"
    "the largest entropy of a position with max prob > T (README, 'Per-step bounds').\n";


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

/* The budgets of the --K items in order: plain integers as read (Ks[i]), other items expanded in
 * the sweep grid syntax with L bound. *out is malloc'd. 0, or the exit status after a message. */
static int expand_K_items(char **kstr, int nk, const long *Ks, int L, long **out, int *nout)
{
    long *all = NULL;
    int n = 0;
    for (int i = 0; i < nk; i++) {
        long *v = NULL;
        int nv = 1;
        const char *t = kstr[i] + (kstr[i][0] == '-' || kstr[i][0] == '+');
        const int plain = *t && strspn(t, "0123456789") == strlen(t);
        if (!plain && dlmkl_host_expand_K(kstr[i], L, "K", &v, &nv) != DLMKL_OK) {
            free(all);
            return cli_fail_usage("kl", "--K '%s' is not an integer or a range such as 1..16, pow2:1..L or L/4 (%s)",
                                  kstr[i], dlmkl_last_error());
        }
        long *grown = realloc(all, (size_t)(n + nv) * sizeof *all);
        if (!grown) {
            free(all), free(v);
            return cli_fail("kl", "out of memory");
        }
        all = grown;
        if (plain)
            all[n++] = Ks[i];
        else
            for (int j = 0; j < nv; j++)
                all[n++] = v[j];
        dlmkl_host_text_free((char *)v);
    }
    *out = all, *nout = n;
    return 0;
}

int cmd_kl(int argc, char **argv)
{
    enum { OPT_PROFILE = CLI_OPT_FIRST_FREE, OPT_SCHEDULE, OPT_K, OPT_POSITIONS, OPT_OUTPUT_LAW, OPT_SEED, OPT_PREDICTOR };
    static const struct option longopts[] = {
        {"dist", required_argument, 0, 'd'},        {"profile", required_argument, 0, OPT_PROFILE},
        {"schedule", required_argument, 0, OPT_SCHEDULE}, {"K", required_argument, 0, OPT_K},
        {"positions", required_argument, 0, OPT_POSITIONS}, {"output-law", required_argument, 0, OPT_OUTPUT_LAW},
        {"seed", required_argument, 0, OPT_SEED},   {"predictor", required_argument, 0, OPT_PREDICTOR},
        CLI_COMMON_LONGOPTS, CLI_DISPLAY_LONGOPTS,
        {0, 0, 0, 0}};
    enum { MAXN = 1024 };
    cli_common co;
    cli_common_init(&co);
    const char *dist_spec = NULL, *profile_arg = NULL, *seed = "";
    char *sched[MAXN], *kstr[MAXN], *posstr[MAXN], *predstr[MAXN];
    int nsched = 0, nk = 0, npos = 0, npred = 0, c;
    dlmkl_output_law_mode mode = DLMKL_OUTPUT_LAW_AUTO;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "d:o:", longopts, &co)) != -1) {
        if (c < -1)
            return cli_stop_status(c);
        switch (c) {
        case OPT_HELP:
            printf("%s                       (%s)%s\n", kl_help, own_K_list(), kl_help_rest);
            cli_print_common_help(CLI_HELP_FORMAT);
            printf("\n%s", cli_help_footer);
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
        case OPT_PREDICTOR:
            /* repeatable, not comma-separated: mix:E,seed=S holds a comma */
            if (npred == MAXN)
                return cli_fail_usage("kl", "too many --predictor (at most %d)", MAXN);
            predstr[npred++] = optarg;
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

    /* an item that is a plain integer is read here; ranges and expressions ("1..L", "pow2:1..64",
     * "L/4", the sweep grid syntax) once L is known */
    long Ks[MAXN];
    int ranged = 0;
    for (int i = 0; i < nk; i++) {
        const char *t = kstr[i] + (kstr[i][0] == '-' || kstr[i][0] == '+');
        if (*t && strspn(t, "0123456789") == strlen(t)) {
            if (cli_parse_int("kl", "--K", kstr[i], 1, 1000000000L, &Ks[i]))
                return 2;
        } else {
            ranged = 1;
        }
    }
    /* the specs are read here for usage errors (exit 2); the library reads them again. Value-adaptive
     * policies and predictors (issue 13) add columns, written only then */
    int any_adapt = npred > 0;
    for (int i = 0; i < npred; i++) {
        dlmkl_predictor pr;
        if (dlmkl_predictor_parse(predstr[i], &pr) != DLMKL_OK)
            return USAGE("kl", "--predictor: %s", dlmkl_last_error());
    }
    for (int i = 0; i < npos; i++) {
        dlmkl_adaptive ap;
        dlmkl_positions po;
        if (dlmkl_adaptive_is_spec(posstr[i]) || npred > 0) {
            if (dlmkl_adaptive_parse(posstr[i], &ap) != DLMKL_OK)
                return npred > 0 && !dlmkl_adaptive_is_spec(posstr[i])
                           ? cli_fail_usage("kl", "--predictor works with --positions random, l2r or a value-adaptive "
                                            "policy, not '%s'", posstr[i])
                           : USAGE("kl", "%s", dlmkl_last_error());
            any_adapt = 1;
        } else if (dlmkl_positions_parse(posstr[i], &po) != DLMKL_OK) {
            return USAGE("kl", "%s", dlmkl_last_error());
        }
    }
    if (any_adapt && !dist_spec)
        return cli_fail_usage("kl", "value-adaptive positions and --predictor need --dist: they read the conditionals of the distribution itself");
    for (int i = 0; i < nsched; i++)
        if (!dlmkl_schedule_implies_K(sched[i]) && nk == 0)
            return cli_fail_usage("kl", "schedule '%s' needs --K (only %s imply it)", sched[i], own_K_list());

    cli_progress_begin(&co);
    /* the rows are the library's host text (host.h), the very text a host such as the Python
     * package reads, value-adaptive rows and predictors included (dlmkl_kl_row_compute_adaptive);
     * every row is computed before the output is opened, so an error leaves no file */
    dlmkl_host *h = NULL;
    char *csv = NULL;
    struct stat sb;
    if (profile_arg && stat(profile_arg, &sb) != 0 && !strchr(profile_arg, ':'))
        return cli_fail("kl", "--profile '%s': no such file, and not a closed-form spec FAMILY:key=value,...", profile_arg);
    int st = dist_spec ? dlmkl_host_from_spec(dist_spec, co.normalize, &h) : dlmkl_host_from_profile(profile_arg, co.unit, &h);
    long *Kall = Ks;
    int nKall = nk;
    if (st == DLMKL_OK && ranged) {
        int rc = expand_K_items(kstr, nk, Ks, dlmkl_host_L(h), &Kall, &nKall);
        if (rc) {
            dlmkl_host_free(h);
            return rc;
        }
    }
    if (st == DLMKL_OK)
        st = dlmkl_host_kl_adaptive_csv(h, (const char *const *)sched, nsched, Kall, nKall, (const char *const *)posstr,
                                        npos, (const char *const *)predstr, npred, mode, co.unit, seed, &csv);
    dlmkl_host_free(h);
    if (Kall != Ks)
        free(Kall);
    if (st == DLMKL_OK)
        st = cli_write(csv, &co);
    dlmkl_host_text_free(csv);
    return st == DLMKL_OK ? 0 : cli_fail_lib("kl", st);
}
