/* test_sampler.c: the simulator against the exact law of its output (a Monte Carlo route to
 * kl_output), the extended marginal table against direct summation, reproducibility.
 *
 * Statistical tests, at fixed seeds (deterministic: a given build either passes or fails):
 * - G-test (likelihood ratio) of n draws against q̄ = dlmkl_sampler_law: G = 2 Σ O ln(O/E),
 *   E = n q̄; cells with E < G_MIN_EXPECTED are pooled into one cell (the χ² approximation needs
 *   E of a few units); df = (#cells) − 1; reject when G > χ²_df quantile at false-alarm rate
 *   G_ALPHA. A draw in a cell with q̄ = 0 fails outright. The same test must REJECT p when p ≠ q̄
 *   (power check, so the test can fail).
 * - Plug-in KL(p ‖ q̂), q̂ = counts/n: by the delta method, E ≈ kl_output + b,
 *   b = Σ_{p>0} p (1 − q̄)/(2 n q̄) / ln 2, sd ≈ sqrt((Σ_{p>0} p²/q̄ − 1)/n) / ln 2; we require
 *   |KL̂ − kl_output − b| ≤ PLUGIN_SDS·sd + b (the last term covers second-order terms of order b). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "dlmkl/kl.h"
#include "dlmkl/sampler.h"
#include "testutil.h"

#define G_ALPHA 1e-3
#define G_MIN_EXPECTED 5.0
#define PLUGIN_SDS 5.0
#define N_DRAWS (tu_fast() ? 20000 : 200000) /* fewer under valgrind (testutil.h) */

static dlmkl_schedule *sched(const char *spec, int L, int K, const dlmkl_profile *prof)
{
    dlmkl_schedule *s = NULL;
    int st = dlmkl_schedule_from_spec(spec, L, K, prof, &s);
    ck_assert_msg(st == DLMKL_OK, "schedule '%s' L=%d K=%d: %s", spec, L, K, dlmkl_last_error());
    return s;
}

/* G statistic of counts against law ref (n draws); *df its degrees of freedom (set on every path:
 * 0 when a cell with ref = 0 was drawn, and then the statistic is +INFINITY, an outright reject). */
static double g_stat(const uint64_t *counts, const double *ref, uint64_t ncells, uint64_t n, int *df)
{
    double G = 0, Opool = 0, Epool = 0;
    int cells = 0;
    *df = 0;
    for (uint64_t x = 0; x < ncells; x++) {
        double E = (double)n * ref[x], O = (double)counts[x];
        if (ref[x] <= 0) {
            if (O > 0)
                return INFINITY;
            continue;
        }
        if (E < G_MIN_EXPECTED) {
            Opool += O, Epool += E;
            continue;
        }
        cells++;
        if (O > 0)
            G += 2 * O * log(O / E);
    }
    if (Epool > 0) {
        cells++;
        if (Opool > 0)
            G += 2 * Opool * log(Opool / Epool);
    }
    /* the sums of O and E agree, so Σ 2 O ln(O/E) is the usual G */
    *df = cells - 1;
    return G;
}

typedef struct {
    const char *dist; /* spec, or NULL for a random table */
    int L, V;
    unsigned long tseed;
    const char *schedule;
    int K;
    const char *positions;
    unsigned long seed;
    int plugin; /* check the plug-in KL too (needs n q̄ large on the support) */
} scase;

static void run_case(const scase *c)
{
    dlmkl_dist *d = c->dist ? tu_dist(c->dist) : tu_random_table(c->L, c->V, c->tseed, 0.7);
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_schedule *s = sched(c->schedule, d->L, c->K, prof);
    dlmkl_positions pos;
    ck_assert_int_eq(dlmkl_positions_parse(c->positions, &pos), DLMKL_OK);
    const char *dn = d->spec ? d->spec : "?";

    double *q = malloc(d->n * sizeof *q), kl;
    ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &kl, q), DLMKL_OK);
    dlmkl_sampler *smp;
    ck_assert_msg(dlmkl_sampler_alloc(d, s, &pos, &smp) == DLMKL_OK, "%s", dlmkl_last_error());
    uint64_t *counts = calloc(d->n, sizeof *counts);
    ck_assert_int_eq(dlmkl_sampler_counts(smp, c->seed, N_DRAWS, counts), DLMKL_OK);

    int df;
    double G = g_stat(counts, q, d->n, N_DRAWS, &df);
    ck_assert_msg(isfinite(G) && df >= 1, "sampler drew a string outside the support of q̄, or q̄ has a single cell "
                  "(G = %g, df = %d) -- %s, %s, %s, seed %lu", G, df, dn, s->name, c->positions, c->seed);
    double crit = gsl_cdf_chisq_Qinv(G_ALPHA, df);
    printf("sampler vs qbar: %s, %s K=%d, %s, seed %lu: G = %.2f, df = %d, critical %.2f; kl_output = %.6g\n", dn,
           s->name, c->K, c->positions, c->seed, G, df, crit, kl);
    ck_assert_msg(G <= crit, "G-test rejects the sampler vs its exact law: G = %g > %g (df %d) -- %s, %s, %s, seed %lu", G,
                  crit, df, dn, s->name, c->positions, c->seed);

    /* power: when kl_output is clearly positive, the same test must reject p itself */
    if (kl > 0.01) {
        int df2;
        double G2 = g_stat(counts, d->p, d->n, N_DRAWS, &df2);
        /* G2 = +INFINITY (a draw where p = 0) is an outright rejection; df2 is then 0 and no quantile exists */
        ck_assert_msg(G2 == INFINITY || (df2 >= 1 && G2 > gsl_cdf_chisq_Qinv(G_ALPHA, df2)),
                      "G-test fails to tell q̄ from p (kl_output %g): G = %g, df = %d -- %s, %s, %s, seed %lu", kl, G2,
                      df2, dn, s->name, c->positions, c->seed);
    }

    if (c->plugin) {
        double klh = 0, b = 0, v = 0;
        for (uint64_t x = 0; x < d->n; x++) {
            if (d->p[x] <= 0)
                continue;
            ck_assert_msg(counts[x] > 0, "plug-in: cell %llu with p > 0 never drawn", (unsigned long long)x);
            double qh = (double)counts[x] / N_DRAWS;
            klh += d->p[x] * log2(d->p[x] / qh);
            b += d->p[x] * (1 - q[x]) / (2.0 * N_DRAWS * q[x]);
            v += d->p[x] * d->p[x] / q[x];
        }
        b /= log(2.0);
        double sd = sqrt((v - 1) / N_DRAWS) / log(2.0);
        double tol = PLUGIN_SDS * sd + b;
        printf("  plug-in KL(p||q_hat) = %.6g, kl_output + bias = %.6g, tolerance %.3g\n", klh, kl + b, tol);
        ck_assert_msg(fabs(klh - kl - b) <= tol, "plug-in KL %.8g vs kl_output %.8g + bias %.3g: beyond %.3g -- %s %s",
                      klh, kl, b, tol, dn, s->name);
    }
    free(counts), free(q);
    dlmkl_sampler_free(smp);
    dlmkl_schedule_free(s);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}

START_TEST(test_sampler_vs_exact_law)
{
    static const scase cases[] = {
        {NULL, 5, 2, 1, "sizes:2,1,2", 0, "random", 11, 1},
        {NULL, 4, 3, 2, "iid:linear", 3, "random", 12, 1},
        {NULL, 6, 2, 3, "composition", 3, "stride", 13, 1},
        {NULL, 5, 2, 4, "random-dtc", 3, "l2r", 14, 1},
        {NULL, 6, 2, 5, "sizes:6", 0, "random", 15, 1},
        {"copy:L=4,V=2", 0, 0, 0, "sizes:2,2", 0, "random", 16, 0},
        {"parity:L=5", 0, 0, 0, "random-tc", 3, "random", 17, 0},
        {"copy:L=3,V=3", 0, 0, 0, "iid:cosine", 2, "l2r", 18, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}
END_TEST

START_TEST(test_ext_marginals)
{
    static const int cases[][2] = {{4, 3}, {6, 2}, {3, 4}};
    for (int c = 0; c < 3; c++) {
        int L = cases[c][0], V = cases[c][1];
        dlmkl_dist *d = tu_random_table(L, V, 70 + c, 0.5);
        uint64_t N;
        ck_assert_int_eq(dlmkl_ext_size(L, V, &N), DLMKL_OK);
        ck_assert_uint_eq(N, (uint64_t)pow(V + 1, L));
        double *M = malloc(N * sizeof *M);
        ck_assert_int_eq(dlmkl_ext_marginals(d, M), DLMKL_OK);
        for (uint64_t y = 0; y < N; y++) {
            /* decode y; sum p over the strings that agree on the revealed digits */
            int dy[16];
            uint64_t r = y;
            for (int i = L - 1; i >= 0; i--) {
                dy[i] = (int)(r % (uint64_t)(V + 1));
                r /= (uint64_t)(V + 1);
            }
            double s = 0;
            for (uint64_t x = 0; x < d->n; x++) {
                uint64_t rx = x;
                int ok = 1;
                for (int i = L - 1; i >= 0; i--) {
                    if (dy[i] < V && dy[i] != (int)(rx % (uint64_t)V))
                        ok = 0;
                    rx /= (uint64_t)V;
                }
                if (ok)
                    s += d->p[x];
            }
            TU_CLOSE(M[y], s, 1e-15, "extended marginal y=%llu, L=%d V=%d", (unsigned long long)y, L, V);
        }
        for (uint64_t x = 0; x < d->n; x++)
            ck_assert_msg(M[dlmkl_ext_index(L, V, x)] == d->p[x], "ext_index(%llu) is not the full string",
                          (unsigned long long)x);
        TU_CLOSE(M[N - 1], 1.0, 1e-15, "all-masked entry");
        free(M);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_reproducible)
{
    dlmkl_dist *d = tu_random_table(6, 2, 3, 0.5);
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_schedule *s = sched("iid:cosine", 6, 3, prof);
    dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
    dlmkl_sampler *a, *b;
    ck_assert_int_eq(dlmkl_sampler_alloc(d, s, &pos, &a), DLMKL_OK);
    ck_assert_int_eq(dlmkl_sampler_alloc(d, s, &pos, &b), DLMKL_OK);
    /* same seed: the same sequence of draws, from two samplers */
    gsl_rng *ra = gsl_rng_alloc(gsl_rng_mt19937), *rb = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(ra, 42), gsl_rng_set(rb, 42);
    int xa[6], xb[6], differ = 0;
    for (int j = 0; j < 1000; j++) {
        uint64_t ia, ib;
        ck_assert_int_eq(dlmkl_sampler_draw(a, ra, xa, &ia), DLMKL_OK);
        ck_assert_int_eq(dlmkl_sampler_draw(b, rb, xb, &ib), DLMKL_OK);
        ck_assert_msg(memcmp(xa, xb, sizeof xa) == 0 && ia == ib, "same seed, draw %d differs", j);
        uint64_t t = 0;
        for (int i = 0; i < 6; i++) {
            ck_assert(xa[i] >= 0 && xa[i] < 2);
            t = 2 * t + (uint64_t)xa[i];
        }
        ck_assert_uint_eq(t, ia);
    }
    /* counts: same seed → identical for 1 and 2 threads; another seed → different */
    uint64_t c1[64] = {0}, c2[64] = {0}, c3[64] = {0};
    dlmkl_set_threads(1);
    ck_assert_int_eq(dlmkl_sampler_counts(a, 7, 5000, c1), DLMKL_OK);
    dlmkl_set_threads(2);
    ck_assert_int_eq(dlmkl_sampler_counts(b, 7, 5000, c2), DLMKL_OK);
    dlmkl_set_threads(0);
    ck_assert_msg(memcmp(c1, c2, sizeof c1) == 0, "same seed, different counts");
    ck_assert_int_eq(dlmkl_sampler_counts(a, 8, 5000, c3), DLMKL_OK);
    for (int x = 0; x < 64; x++)
        differ |= c1[x] != c3[x];
    ck_assert_msg(differ, "seeds 7 and 8 gave identical counts");
    gsl_rng_free(ra), gsl_rng_free(rb);
    dlmkl_sampler_free(a), dlmkl_sampler_free(b);
    dlmkl_schedule_free(s);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_sampler_errors)
{
    dlmkl_dist *d = tu_random_table(5, 2, 1, 0.5);
    dlmkl_schedule *s = sched("sizes:2,2", 4, 0, NULL);
    dlmkl_sampler *smp = NULL;
    ck_assert_int_eq(dlmkl_sampler_alloc(d, s, NULL, &smp), DLMKL_EINVAL);
    ck_assert_ptr_null(smp);
    dlmkl_schedule_free(s);
    s = sched("sizes:2,3", 5, 0, NULL);
    size_t cap = dlmkl_max_memory();
    dlmkl_set_max_memory(1000);
    ck_assert_int_eq(dlmkl_sampler_alloc(d, s, NULL, &smp), DLMKL_ETOOBIG);
    ck_assert_msg(strstr(dlmkl_last_error(), "sampler") && strstr(dlmkl_last_error(), "1.90 KiB"),
                  "message should name the sampler and the memory needed: %s", dlmkl_last_error());
    dlmkl_set_max_memory(cap);
    dlmkl_schedule_free(s);
    dlmkl_dist_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sampler");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_sampler_vs_exact_law);
    tcase_add_test(tc, test_ext_marginals);
    tcase_add_test(tc, test_reproducible);
    tcase_add_test(tc, test_sampler_errors);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
