/* cli_bench.c: `dlmkl bench` — timings as CSV. Measurement, not results: the only place that reads clocks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli.h"
#include "dlmkl/kl.h"
#include "dlmkl/plogp.h"
#include "dlmkl/schedule.h"

static const char *const bench_help =
    "Usage: dlmkl bench [--suite profile|kl-expected|kl-output|all] [--full] [-o FILE] [--threads N]\n"
    "Benchmarks, one CSV row per case:\n"
    "  log          a bare scalar loop -sum p log2 p (glibc log2) over 2^20 doubles\n"
    "  limit        the vectorised-log lower bound of the profile: per entry one add and one -p log2 p\n"
    "               of the library's vector kernel, on blocks that stay in cache (best of 20)\n"
    "  profile      dlmkl_profile_compute on random:L=..,V=..,seed=1 tables: V=2 L=12..20 (--full: ..22),\n"
    "               V=3 L=8..14 (..15), V=4 L=6..11 (..12). Work = (1+V)^L marginal entries, one log each.\n"
    "  kl-expected  kl_expected of every built-in schedule from the closed-form profile\n"
    "               markov:L=4096,stay=0.9 with K=256 (repeated until 0.2 s have passed); the i.i.d.\n"
    "               reveal-time schedules iid:linear, iid:cosine, random-tc, random-dtc at L=10^6,\n"
    "               K=2^18 on copy:L=1000000 and parity:L=1000000; ordered positions: l2r rows\n"
    "               K=1..14 on random:L=14,V=2, per row and through one cache\n"
    "  kl-output    the kl_output forward pass on random:L=..,V=2 tables, L=8..14, K=4, balanced and\n"
    "               iid:linear sizes (--full: also L=15 balanced); work = transition terms evaluated.\n"
    "               iid:linear takes the factorised route; 'iid:linear generic' (L <= 12) times the\n"
    "               generic pass on the same terms (dlmkl_kl_output_generic), for the ratio\n"
    "Columns: suite,case,L,V,K,threads,seconds,work,work_per_sec_per_core,ns_per_work,\n"
    "         ratio_to_log_loop,ratio_to_limit,cpu_seconds,cpu_ratio_to_limit,peak_rss_bytes,table_bytes,\n"
    "         workspace_bytes,memory_over_table\n"
    "  work is entries (profile), terms (kl-output) or evaluations (kl-expected); ratio_to_log_loop =\n"
    "  ns per entry per core / ns per scalar log term; ratio_to_limit = ns per entry per core / ns per\n"
    "  entry of the limit row (both measured in this run); cpu_seconds is the process's CPU time (all\n"
    "  threads) and cpu_ratio_to_limit the same ratio on CPU times, steadier when other processes load\n"
    "  the machine; peak_rss_bytes is the process's peak so far (cases\n"
    "  run in increasing size, so it is this case's peak); workspace_bytes is what the computation\n"
    "  allocates besides the table (profile: the per-thread marginal stacks; kl-output: 3 (V+1)^L\n"
    "  doubles) and memory_over_table = (table + workspace) / table.\n"
    "Rank scaling (MPI processes): 'mpirun -np P dlmkl-mpi bench' (see 'dlmkl-mpi bench --help'): CPU\n"
    "and wall time per process at 1, 2, 4, ..., P processes, the speed-ups and the model's.\n";

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU seconds of the process, all threads: under a loaded machine (other processes sharing the
 * cores) the ratio of CPU times is steadier than that of wall times. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double peak_rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0;
}

typedef struct bench_ctx {
    FILE *f;
    int threads;
    double log_ns;
    double limit_ns;
    double limit_cpu_ns; /* CPU ns per entry of the limit */
    double cpu;          /* CPU seconds of the row being written, < 0 if not measured */
} bench_ctx;

static void row(bench_ctx *b, const char *suite, const char *cas, int L, int V, int K, double sec, double work,
                double table_bytes, double work_bytes)
{
    fprintf(b->f, "%s,", suite);
    dlmkl_put_str(b->f, cas);
    fprintf(b->f, ",%d,%d,", L, V);
    if (K > 0)
        fprintf(b->f, "%d", K);
    fprintf(b->f, ",%d,%.6f,%.0f,%.6g,%.4g,", b->threads, sec, work, work / sec / b->threads,
            sec * b->threads / work * 1e9);
    const int is_profile = strcmp(suite, "profile") == 0;
    if (b->log_ns > 0 && is_profile)
        fprintf(b->f, "%.3f", sec * b->threads / work * 1e9 / b->log_ns);
    fputc(',', b->f);
    if (b->limit_ns > 0 && (is_profile || strcmp(suite, "limit") == 0))
        fprintf(b->f, "%.3f", sec * b->threads / work * 1e9 / b->limit_ns);
    fputc(',', b->f);
    if (b->cpu >= 0)
        fprintf(b->f, "%.6f", b->cpu);
    fputc(',', b->f);
    if (b->cpu >= 0 && b->limit_cpu_ns > 0 && (is_profile || strcmp(suite, "limit") == 0))
        fprintf(b->f, "%.3f", b->cpu / work * 1e9 / b->limit_cpu_ns);
    b->cpu = -1;
    fprintf(b->f, ",%.0f,", peak_rss());
    if (table_bytes > 0)
        fprintf(b->f, "%.0f", table_bytes);
    fputc(',', b->f);
    if (work_bytes > 0)
        fprintf(b->f, "%.0f,%.3f", work_bytes, (table_bytes + work_bytes) / table_bytes);
    else
        fputc(',', b->f);
    fputc('\n', b->f);
    fflush(b->f);
}

static volatile double sink;

static int bench_log(bench_ctx *b)
{
    /* 2^20 doubles (8 MiB), so that the process's peak memory stays that of the cases that follow */
    const uint64_t n = 1u << 20;
    double *p = malloc(n * sizeof *p);
    if (!p)
        return cli_fail("bench", "out of memory");
    for (uint64_t i = 0; i < n; i++)
        p[i] = (double)(i % 4093 + 1) / (4093.0 * 4094.0 / 2.0) / (double)(n / 4093 + 1);
    double best = INFINITY, best_cpu = INFINITY;
    for (int r = 0; r < 20; r++) {
        double t = now(), c0 = cpu_now(), h = 0.0;
        for (uint64_t i = 0; i < n; i++)
            if (p[i] > 0.0)
                h -= p[i] * log2(p[i]);
        sink = h;
        t = now() - t;
        c0 = cpu_now() - c0;
        if (t < best)
            best = t;
        if (c0 < best_cpu)
            best_cpu = c0;
    }
    b->log_ns = best / (double)n * 1e9;
    int th = b->threads;
    b->threads = 1;
    b->cpu = best_cpu;
    row(b, "log", "bare scalar -p log2 p loop, glibc log2 (best of 20)", 0, 0, 0, best, (double)n, 0, 0);

    /* The limit: what the profile cannot beat per entry, one add (the sum-out) and one term of the
     * vector kernel, on cache-resident 4096-entry blocks (no memory traffic); 2^19 entries per
     * repetition. */
    enum { BLK = 4096 };
    double *c = malloc(BLK * sizeof *c);
    if (!c) {
        free(p);
        return cli_fail("bench", "out of memory");
    }
    best = INFINITY, best_cpu = INFINITY;
    for (int r = 0; r < 20; r++) {
        double t = now(), c0 = cpu_now();
        dlmkl_plogp_acc acc = {{0}};
        for (uint64_t o = 0; o < n; o += 2 * BLK) {
            /* the same 2 blocks (64 KiB, cache-resident) each time, with a varying block offset */
            const double *x = p + (o / (2 * BLK)) % 64, *y = x + BLK;
            for (int i = 0; i < BLK; i++)
                c[i] = x[i] + y[i];
            dlmkl_plogp_add(&acc, c, BLK);
        }
        sink = dlmkl_plogp_total(&acc);
        t = now() - t;
        c0 = cpu_now() - c0;
        if (t < best)
            best = t;
        if (c0 < best_cpu)
            best_cpu = c0;
    }
    free(c);
    free(p);
    const double entries = (double)(n / 2);
    b->limit_ns = best / entries * 1e9;
    b->limit_cpu_ns = best_cpu / entries * 1e9;
    b->cpu = best_cpu;
    row(b, "limit", "one add + vector -p log2 p per entry, cache-resident (best of 20)", 0, 0, 0, best, entries, 0, 0);
    b->threads = th;
    return 0;
}

static int bench_profile(bench_ctx *b, int full)
{
    static const int ranges[][3] = {{2, 12, 20}, {3, 8, 14}, {4, 6, 11}};
    for (int r = 0; r < 3; r++) {
        int V = ranges[r][0], hi = ranges[r][2] + (full ? (V == 2 ? 2 : 1) : 0);
        for (int L = ranges[r][1]; L <= hi; L++) {
            char spec[64];
            snprintf(spec, sizeof spec, "random:L=%d,V=%d,seed=1", L, V);
            dlmkl_dist *d;
            if (dlmkl_dist_from_spec(spec, 0, &d) != DLMKL_OK)
                return cli_fail_lib("bench", dlmkl_last_status());
            dlmkl_profile *prof = dlmkl_profile_alloc(L);
            double t = now(), c0 = cpu_now();
            int st = dlmkl_profile_compute(d, prof);
            t = now() - t;
            b->cpu = cpu_now() - c0;
            if (st != DLMKL_OK) {
                dlmkl_profile_free(prof), dlmkl_dist_free(d);
                return cli_fail_lib("bench", st);
            }
            const int th = b->threads;
            b->threads = dlmkl_profile_threads(L, V, th); /* the threads it used */
            row(b, "profile", spec, L, V, 0, t, pow(1.0 + V, L), (double)d->n * sizeof(double),
                (double)dlmkl_profile_workspace_bytes(L, V, th));
            b->threads = th;
            dlmkl_profile_free(prof);
            dlmkl_dist_free(d);
        }
    }
    return 0;
}

/* One timed case: the schedule built from spec, then its kl_expected, repeated for 0.2 s. */
static int bench_kl_expected_one(bench_ctx *b, const dlmkl_profile *prof, const char *pname, const char *spec, int L,
                                 int K)
{
    int reps = 0, st;
    double t = now(), el;
    do {
        dlmkl_schedule *s;
        double kl;
        if ((st = dlmkl_schedule_from_spec(spec, L, K, prof, &s)) != DLMKL_OK ||
            (st = dlmkl_kl_expected(prof, s, &kl)) != DLMKL_OK)
            return cli_fail_lib("bench", st);
        sink = kl;
        dlmkl_schedule_free(s);
        reps++;
        el = now() - t;
    } while (el < 0.2);
    char cas[160];
    if (pname)
        snprintf(cas, sizeof cas, "%s on %s (schedule build + kl_expected)", spec, pname);
    else
        snprintf(cas, sizeof cas, "%s (schedule build + kl_expected)", spec);
    row(b, "kl-expected", cas, L, 0, K, el / reps, 1, 0, 0);
    return 0;
}

/* Ordered positions over a sweep's rows: l2r with balanced sizes for K = 1..L on one table, each row's
 * subset entropies recomputed, then through one dlmkl_ordered_cache (computed once for the order). */
static int bench_ordered(bench_ctx *b)
{
    const int L = 14;
    dlmkl_dist *d;
    if (dlmkl_dist_from_spec("random:L=14,V=2,seed=1", 0, &d) != DLMKL_OK)
        return cli_fail_lib("bench", dlmkl_last_status());
    int order[14];
    for (int i = 0; i < L; i++)
        order[i] = i;
    int st = DLMKL_OK;
    for (int cached = 0; cached < 2 && st == DLMKL_OK; cached++) {
        dlmkl_ordered_cache *c = cached ? dlmkl_ordered_cache_alloc() : NULL;
        if (cached && !c) {
            st = dlmkl_last_status();
            break;
        }
        double t = now();
        for (int K = 1; K <= L && st == DLMKL_OK; K++) {
            dlmkl_schedule *s;
            double kl;
            if ((st = dlmkl_schedule_from_spec("balanced", L, K, NULL, &s)) != DLMKL_OK)
                break;
            st = cached ? dlmkl_kl_expected_ordered_cached(c, d, order, s, &kl) : dlmkl_kl_expected_ordered(d, order, s, &kl);
            sink = kl;
            dlmkl_schedule_free(s);
        }
        t = now() - t;
        dlmkl_ordered_cache_free(c);
        if (st == DLMKL_OK)
            row(b, "kl-expected",
                cached ? "random:L=14,V=2 l2r balanced K=1..14 (one ordered cache)"
                       : "random:L=14,V=2 l2r balanced K=1..14 (entropies per row)",
                L, 2, L, t, L, 0, 0);
    }
    dlmkl_dist_free(d);
    return st == DLMKL_OK ? 0 : cli_fail_lib("bench", st);
}

static int bench_kl_expected(bench_ctx *b)
{
    const int L = 4096, K = 256;
    dlmkl_profile *prof;
    int st = dlmkl_profile_closed_form("markov:L=4096,stay=0.9", &prof);
    if (st != DLMKL_OK)
        return cli_fail_lib("bench", st);
    /* every schedule type that names benchmark specs, in table order */
    int ret = 0;
    for (int i = 0; i < dlmkl_schedule_type_count() && !ret; i++) {
        const char *list = dlmkl_schedule_type_at(i)->bench;
        while (list && *list && !ret) {
            char spec[64];
            size_t n = strcspn(list, " ");
            snprintf(spec, sizeof spec, "%.*s", (int)n, list);
            ret = bench_kl_expected_one(b, prof, NULL, spec, L, K);
            list += n + (list[n] == ' ');
        }
    }
    dlmkl_profile_free(prof);
    /* L = 10^6, K = 2^18: i.i.d. reveal times on one-term profiles (the order-statistic route) */
    static const char *big[] = {"iid:linear", "iid:cosine", "random-tc", "random-dtc"};
    static const char *bigprof[] = {"copy:L=1000000", "parity:L=1000000"};
    for (size_t j = 0; j < sizeof bigprof / sizeof bigprof[0] && !ret; j++) {
        if ((st = dlmkl_profile_closed_form(bigprof[j], &prof)) != DLMKL_OK)
            return cli_fail_lib("bench", st);
        for (size_t i = 0; i < sizeof big / sizeof big[0] && !ret; i++)
            ret = bench_kl_expected_one(b, prof, bigprof[j], big[i], 1000000, 1 << 18);
        dlmkl_profile_free(prof);
    }
    return ret ? ret : bench_ordered(b);
}

static int bench_kl_output(bench_ctx *b, int full)
{
    static const char *specs[] = {"balanced", "iid:linear", "iid:linear"}; /* the last by the generic pass */
    const int K = 4;
    for (int L = 8; L <= (full ? 15 : 14); L++) {
        char spec[64];
        snprintf(spec, sizeof spec, "random:L=%d,V=2,seed=1", L);
        dlmkl_dist *d;
        if (dlmkl_dist_from_spec(spec, 0, &d) != DLMKL_OK)
            return cli_fail_lib("bench", dlmkl_last_status());
        dlmkl_profile *prof = dlmkl_profile_alloc(L);
        int pst = prof ? dlmkl_profile_compute(d, prof) : dlmkl_last_status();
        if (pst != DLMKL_OK) {
            dlmkl_profile_free(prof);
            dlmkl_dist_free(d);
            return cli_fail_lib("bench", pst);
        }
        for (int i = 0; i < (L <= 12 ? 3 : L <= 14 ? 2 : 1); i++) { /* iid at L = 15 would take minutes */
            dlmkl_schedule *s;
            dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
            double kl;
            int st = dlmkl_schedule_from_spec(specs[i], L, K, prof, &s);
            if (st != DLMKL_OK) {
                dlmkl_profile_free(prof), dlmkl_dist_free(d);
                return cli_fail_lib("bench", st);
            }
            double terms = dlmkl_kl_output_cost(d, s, &pos);
            double t = now();
            st = i == 2 ? dlmkl_kl_output_generic(d, s, &pos, &kl, NULL) : dlmkl_kl_output(d, s, &pos, &kl, NULL);
            t = now() - t;
            dlmkl_schedule_free(s);
            if (st != DLMKL_OK) {
                dlmkl_profile_free(prof), dlmkl_dist_free(d);
                return cli_fail_lib("bench", st);
            }
            char cas[96];
            snprintf(cas, sizeof cas, "%s %s%s", spec, specs[i], i == 2 ? " generic" : "");
            row(b, "kl-output", cas, L, 2, K, t, terms, (double)d->n * sizeof(double), dlmkl_kl_output_bytes(d));
        }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    enum { OPT_SUITE = CLI_OPT_FIRST_FREE, OPT_FULL };
    static const struct option longopts[] = {{"suite", required_argument, 0, OPT_SUITE}, {"full", no_argument, 0, OPT_FULL},
                                             CLI_COMMON_LONGOPTS, {0, 0, 0, 0}};
    cli_common co;
    cli_common_init(&co);
    const char *suite = "all";
    int full = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:", longopts, &co)) != -1) {
        if (c < -1)
            return cli_stop_status(c);
        if (c == OPT_HELP) {
            printf("%s\n%s", bench_help, cli_common_help);
            return 0;
        }
        if (c == OPT_SUITE)
            suite = optarg;
        else if (c == OPT_FULL)
            full = 1;
        else
            return cli_usage("bench");
    }
    if (optind < argc)
        return cli_fail_usage("bench", "unexpected argument '%s'", argv[optind]);
    int all = strcmp(suite, "all") == 0;
    if (!all && strcmp(suite, "profile") && strcmp(suite, "kl-expected") && strcmp(suite, "kl-output"))
        return cli_fail_usage("bench", "--suite '%s' is not one of profile, kl-expected, kl-output, all", suite);
    dlmkl_out out;
    int st = dlmkl_out_open(co.output, &out);
    if (st != DLMKL_OK)
        return cli_fail_lib("bench", st);
    bench_ctx b = {out.f, dlmkl_threads(), 0, 0, 0, -1};
    fputs("suite,case,L,V,K,threads,seconds,work,work_per_sec_per_core,ns_per_work,ratio_to_log_loop,ratio_to_limit,"
          "cpu_seconds,cpu_ratio_to_limit,peak_rss_bytes,"
          "table_bytes,workspace_bytes,memory_over_table\n",
          out.f);
    int ret = bench_log(&b);
    if (!ret && (all || !strcmp(suite, "profile")))
        ret = bench_profile(&b, full);
    if (!ret && (all || !strcmp(suite, "kl-expected")))
        ret = bench_kl_expected(&b);
    if (!ret && (all || !strcmp(suite, "kl-output")))
        ret = bench_kl_output(&b, full);
    if (ret) {
        dlmkl_out_abort(&out);
        return ret;
    }
    st = dlmkl_out_commit(&out);
    return st == DLMKL_OK ? 0 : cli_fail_lib("bench", st);
}
