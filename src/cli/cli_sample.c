/* cli_sample.c: `dlmkl sample` — simulate the parallel unmasking sampler with the exact conditional
 * oracle; write the draws or their empirical law beside the exact law q̄ of the output. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dlmkl/adaptive.h"
#include "dlmkl/kl.h"
#include "dlmkl/sampler.h"
#include "dlmkl/schedule.h"

static const char *const sample_help =
    "Usage: dlmkl sample --dist SPEC --schedule SCHED [--K K] --n N --seed S [--positions P]\n"
    "                    [--predictor PR] [--format law|samples] [--output-law auto|always|never] [options]\n"
    "Simulate the parallel unmasking sampler with the exact oracle: K iterations; iteration k reveals\n"
    "s_k still-masked positions (s_k from the schedule; positions uniformly at random, or the next s_k\n"
    "of an order) and draws each revealed token independently from p(x_i | x_B), B the positions revealed\n"
    "before iteration k. If the revealed values are impossible under p (P(x_B) = 0, possible when several\n"
    "tokens are drawn in one iteration), later tokens are drawn uniformly from 0..V-1; this only affects\n"
    "outputs x with p(x) = 0. A user's check of kl_output (and dlmkl's statistical test of it).\n"
    "Options:\n"
    "  --dist SPEC          the distribution (enumerated exactly; the oracle needs (V+1)^L doubles)\n"
    "  --schedule SCHED     the size schedule (list below)\n"
    "  --K K                the iteration budget; required except for schedules that imply it\n";
/* ... "(sizes:, ...)": the schedules that imply K, from the type table ... */
static const char *const sample_help_rest =
    "  --n N                number of draws (>= 1)\n"
    "  --seed S             seed of the GSL mt19937 generator (1 .. 2^32-1; 0 is refused because GSL\n"
    "                       treats it as 4357); the same arguments and seed give the same draws on any\n"
    "                       machine and for any --threads (the simulation is serial)\n"
    "  --positions P        random (default), l2r, stride[:D], or value-adaptive: confidence[:by=maxprob|\n"
    "                       margin|entropy], threshold:tau=T, eb:gamma=G, entsum:eps=E (see 'dlmkl kl\n"
    "                       --help'; threshold, eb and entsum ignore the schedule's sizes)\n"
    "  --predictor PR       the sampler draws from an imperfect predictor: exact (default), temp:T, topk:k,\n"
    "                       topp:P, mix:E,seed=S (with random, l2r or value-adaptive positions). With a\n"
    "                       value-adaptive policy or a predictor, q_bar comes from the exact pass of\n"
    "                       adaptive policies (computed unless --output-law never)\n"
    "  --format F           law (default): CSV x,count,freq,p,q_bar,seed, one row per string x (table\n"
    "                       order, x_1 first) with p(x) > 0 or count > 0; count = draws equal to x,\n"
    "                       freq = count/N, p = p(x), q_bar = the exact law of the output (all randomness\n"
    "                       integrated out, as in kl_output = KL(p || q_bar)), empty when not computed.\n"
    "                       samples: CSV sample,x,seed, one row per draw (sample = 1..N). For the same\n"
    "                       arguments the law format's counts tally exactly the samples format's rows.\n"
    "                       x is written as its tokens joined by '-', e.g. 0-1-1-0.\n"
    "  --output-law MODE    q_bar: auto (default) when the forward pass needs at most 2e8 terms and its\n"
    "                       3 (V+1)^L doubles fit the memory cap; always; never\n"
    "--unit has no effect here: every column is a count or a probability.\n";

static void put_x(FILE *f, const int *x, int L)
{
    for (int i = 0; i < L; i++)
        fprintf(f, i ? "-%d" : "%d", x[i]);
}

/* --format samples with adaptive.h: one row per run, as dlmkl_adaptive_sample_each hands them over */
typedef struct {
    FILE *f;
    int L;
    unsigned long seed;
} sample_row_ctx;

static int write_sample_row(void *ctx, const int *x, uint64_t index, int iterations)
{
    const sample_row_ctx *c = ctx;
    (void)iterations;
    fprintf(c->f, "%llu,", (unsigned long long)index + 1);
    put_x(c->f, x, c->L);
    fprintf(c->f, ",%lu\n", c->seed);
    return DLMKL_OK;
}

static int parse_seed(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '+')
        return cli_fail("sample", "--seed '%s' must be an integer from %lu to %lu", s, DLMKL_SEED_MIN, DLMKL_SEED_MAX);
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || *end || errno || v > DLMKL_SEED_MAX)
        return cli_fail("sample", "--seed '%s' must be an integer from %lu to %lu (GSL's mt19937 keeps 32 bits of "
                        "the seed)", s, DLMKL_SEED_MIN, DLMKL_SEED_MAX);
    if (v == 0)
        return cli_fail("sample", "--seed 0 is refused: GSL's mt19937 treats seed 0 as 4357; give a seed >= 1");
    *out = v;
    return 0;
}

int cmd_sample(int argc, char **argv)
{
    enum { OPT_SCHEDULE = CLI_OPT_FIRST_FREE, OPT_K, OPT_N, OPT_SEED, OPT_POSITIONS, OPT_FORMAT, OPT_OUTPUT_LAW, OPT_PREDICTOR };
    static const struct option longopts[] = {
        {"dist", required_argument, 0, 'd'},          {"schedule", required_argument, 0, OPT_SCHEDULE},
        {"K", required_argument, 0, OPT_K},           {"n", required_argument, 0, OPT_N},
        {"seed", required_argument, 0, OPT_SEED},     {"positions", required_argument, 0, OPT_POSITIONS},
        {"format", required_argument, 0, OPT_FORMAT}, {"output-law", required_argument, 0, OPT_OUTPUT_LAW},
        {"predictor", required_argument, 0, OPT_PREDICTOR},
        CLI_COMMON_LONGOPTS,                          CLI_DIGITS_LONGOPTS,
                                 {0, 0, 0, 0}};
    cli_common co;
    cli_common_init(&co);
    const char *dist_spec = NULL, *sched_spec = NULL, *pos_spec = "random", *seed_str = NULL, *pred_spec = NULL;
    long K = 0, n = 0;
    int have_n = 0, samples = 0, c;
    dlmkl_output_law_mode mode = DLMKL_OUTPUT_LAW_AUTO;
    unsigned long seed = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "d:o:", longopts, &co)) != -1) {
        if (c < -1)
            return cli_stop_status(c);
        switch (c) {
        case OPT_HELP: {
            char own[256];
            printf("%s                       (%s)\n%s\n", sample_help,
                   dlmkl_schedule_type_list(DLMKL_SCHED_FLAG_OWN_K, own, sizeof own), sample_help_rest);
            cli_print_common_help(CLI_HELP_DIGITS);
            printf("\n%s", cli_help_footer);
            return 0;
        }
        case 'd':
            dist_spec = optarg;
            break;
        case OPT_SCHEDULE:
            sched_spec = optarg;
            break;
        case OPT_K:
            if (cli_parse_int("sample", "--K", optarg, 1, 1L << 30, &K))
                return 2;
            break;
        case OPT_N:
            if (cli_parse_int("sample", "--n", optarg, 1, (long)(1ULL << 53), &n))
                return 2;
            have_n = 1;
            break;
        case OPT_SEED:
            seed_str = optarg;
            if (parse_seed(optarg, &seed))
                return 2;
            break;
        case OPT_POSITIONS:
            pos_spec = optarg;
            break;
        case OPT_PREDICTOR:
            pred_spec = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "law") == 0)
                samples = 0;
            else if (strcmp(optarg, "samples") == 0)
                samples = 1;
            else
                return cli_fail("sample", "--format '%s' is not one of law, samples", optarg), 2;
            break;
        case OPT_OUTPUT_LAW:
            if (dlmkl_output_law_parse(optarg, &mode) != DLMKL_OK)
                return cli_fail_lib("sample", dlmkl_last_status()), 2;
            break;
        default:
            return cli_usage("sample");
        }
    }
    if (optind < argc)
        return cli_fail("sample", "unexpected argument '%s' (see 'dlmkl sample --help')", argv[optind]), 2;
    if (!dist_spec)
        return cli_fail("sample", "missing --dist SPEC (see 'dlmkl sample --help')"), 2;
    if (!sched_spec)
        return cli_fail("sample", "missing --schedule SCHED (see 'dlmkl sample --help')"), 2;
    if (!have_n)
        return cli_fail("sample", "missing --n N, the number of draws"), 2;
    if (!seed_str)
        return cli_fail("sample", "missing --seed S: the seed is explicit so that runs can be repeated"), 2;
    if (K == 0 && !dlmkl_schedule_implies_K(sched_spec))
        return cli_fail("sample", "schedule '%s' needs --K K (the number of iterations)", sched_spec), 2;
    dlmkl_positions pos;
    dlmkl_adaptive apol;
    dlmkl_predictor pred = {DLMKL_PRED_EXACT, 0, 0};
    const int adaptive = pred_spec || dlmkl_adaptive_is_spec(pos_spec);
    if (pred_spec && dlmkl_predictor_parse(pred_spec, &pred) != DLMKL_OK)
        return cli_fail("sample", "--predictor: %s", dlmkl_last_error()), 2;
    if (adaptive) {
        if (dlmkl_adaptive_parse(pos_spec, &apol) != DLMKL_OK)
            return cli_fail("sample", "%s", dlmkl_adaptive_is_spec(pos_spec) ? dlmkl_last_error()
                                      : "--predictor works with --positions random, l2r or a value-adaptive policy"), 2;
    } else if (dlmkl_positions_parse(pos_spec, &pos) != DLMKL_OK) {
        return cli_fail("sample", "%s", dlmkl_last_error()), 2;
    }

    cli_progress_begin(&co);
    dlmkl_dist *d = NULL;
    dlmkl_profile *prof = NULL;
    dlmkl_schedule *s = NULL;
    dlmkl_sampler *smp = NULL;
    dlmkl_kl_output_workspace *ws = NULL; /* the exact law's tables, then the sampler's */
    double *qbar = NULL;
    uint64_t *counts = NULL;
    gsl_rng *rng = NULL;
    int st = DLMKL_OK, ret = 1;
    if (cli_load_dist("sample", dist_spec, co.normalize, &d))
        return 1;
    const int L = d->L;
    if (dlmkl_schedule_spec_flags(sched_spec) & DLMKL_SCHED_FLAG_NEEDS_PROFILE) {
        /* only schedules built from the profile (`optimal`) need it */
        prof = dlmkl_profile_alloc(L);
        st = prof ? dlmkl_profile_compute(d, prof) : dlmkl_last_status();
    }
    if (st == DLMKL_OK)
        st = dlmkl_schedule_from_spec(sched_spec, L, (int)K, prof, &s);
    if (st != DLMKL_OK)
        goto fail;

    if (adaptive && samples) {
        /* one row per draw, streamed: the same runs as the law format's counts */
        const dlmkl_schedule *sa = dlmkl_adaptive_self_sized(&apol) ? NULL : s;
        dlmkl_out out;
        if ((st = dlmkl_out_open(co.output, &out)) != DLMKL_OK)
            goto fail;
        fputs("sample,x,seed\n", out.f);
        sample_row_ctx rc = {out.f, L, seed};
        if ((st = dlmkl_adaptive_sample_each(d, sa, &apol, &pred, seed, (uint64_t)n, write_sample_row, &rc)) != DLMKL_OK) {
            dlmkl_out_abort(&out);
            goto fail;
        }
        if ((st = dlmkl_out_commit(&out)) == DLMKL_OK)
            ret = 0;
        goto fail;
    } else if (adaptive) {
        /* exact law and draws by adaptive.h, both before the output is opened */
        char what[96];
        snprintf(what, sizeof what, "the sample counts and exact law over [V]^L (%llu cells)", (unsigned long long)d->n);
        if ((st = dlmkl_check_memory(2 * (size_t)d->n * sizeof(double), what)) != DLMKL_OK)
            goto fail;
        counts = calloc(d->n, sizeof *counts);
        qbar = mode == DLMKL_OUTPUT_LAW_NEVER ? NULL : malloc(d->n * sizeof *qbar);
        if (!counts || (mode != DLMKL_OUTPUT_LAW_NEVER && !qbar)) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
            goto fail;
        }
        const dlmkl_schedule *sa = dlmkl_adaptive_self_sized(&apol) ? NULL : s;
        dlmkl_adaptive_result res;
        if (qbar && (st = dlmkl_adaptive_eval(d, sa, &apol, &pred, qbar, &res)) != DLMKL_OK)
            goto fail;
        if ((st = dlmkl_adaptive_sample(d, sa, &apol, &pred, seed, (uint64_t)n, counts, NULL)) != DLMKL_OK)
            goto fail;
    } else if (!samples) {
        char what[96];
        snprintf(what, sizeof what, "the sample counts over [V]^L (%llu cells)", (unsigned long long)d->n);
        if ((st = dlmkl_check_memory((size_t)d->n * sizeof *counts, what)) != DLMKL_OK)
            goto fail;
        if (!(counts = calloc(d->n, sizeof *counts))) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
            goto fail;
        }
        int take = dlmkl_output_law_take(mode, d, s, &pos);
        if (take) {
            /* the exact law first; the sampler then reads the same extended table */
            if ((st = dlmkl_check_memory((size_t)d->n * sizeof *qbar, "the exact output law over [V]^L")) != DLMKL_OK)
                goto fail;
            if (!(qbar = malloc(d->n * sizeof *qbar))) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the exact output law");
                goto fail;
            }
            if (!(ws = dlmkl_kl_output_workspace_alloc(d))) {
                st = dlmkl_last_status();
                goto fail;
            }
            if ((st = dlmkl_sampler_law_ws(ws, s, &pos, qbar, NULL)) != DLMKL_OK)
                goto fail;
        }
    }
    if (!adaptive && (st = ws ? dlmkl_sampler_alloc_ws(ws, s, &pos, &smp) : dlmkl_sampler_alloc(d, s, &pos, &smp)) != DLMKL_OK)
        goto fail;

    dlmkl_out out;
    if (!samples) {
        /* everything computed before the output is opened: a failure leaves no file */
        if (!adaptive && (st = dlmkl_sampler_counts(smp, seed, (uint64_t)n, counts)) != DLMKL_OK)
            goto fail;
        if ((st = dlmkl_out_open(co.output, &out)) != DLMKL_OK)
            goto fail;
        fputs("x,count,freq,p,q_bar,seed\n", out.f);
        int x[DLMKL_MAX_L] = {0};
        for (uint64_t idx = 0; idx < d->n; idx++) {
            if (d->p[idx] > 0 || counts[idx] > 0) {
                put_x(out.f, x, L);
                fprintf(out.f, ",%llu,", (unsigned long long)counts[idx]);
                cli_put(out.f, (double)counts[idx] / (double)n, &co);
                fputc(',', out.f);
                cli_put(out.f, d->p[idx], &co);
                fputc(',', out.f);
                cli_put(out.f, qbar ? dlmkl_nonneg(qbar[idx], 1.0) : NAN, &co);
                fprintf(out.f, ",%lu\n", seed);
            }
            for (int i = L - 1; i >= 0 && ++x[i] == d->V; i--)
                x[i] = 0;
        }
    } else {
        /* the same generator and draws as dlmkl_sampler_counts, streamed */
        if (!(rng = gsl_rng_alloc(gsl_rng_mt19937))) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the random number generator");
            goto fail;
        }
        gsl_rng_set(rng, seed);
        if ((st = dlmkl_out_open(co.output, &out)) != DLMKL_OK)
            goto fail;
        fputs("sample,x,seed\n", out.f);
        int x[DLMKL_MAX_L];
        for (long j = 1; j <= n; j++) {
            if ((st = dlmkl_sampler_draw(smp, rng, x, NULL)) != DLMKL_OK) {
                dlmkl_out_abort(&out);
                goto fail;
            }
            fprintf(out.f, "%ld,", j);
            put_x(out.f, x, L);
            fprintf(out.f, ",%lu\n", seed);
        }
    }
    st = dlmkl_out_commit(&out);
    if (st == DLMKL_OK)
        ret = 0;
fail:
    if (st != DLMKL_OK)
        ret = cli_fail_lib("sample", st);
    if (rng)
        gsl_rng_free(rng);
    free(counts), free(qbar);
    dlmkl_sampler_free(smp);
    dlmkl_kl_output_workspace_free(ws);
    dlmkl_schedule_free(s);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
    return ret;
}
