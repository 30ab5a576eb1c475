/* test_kl_output.c: kl_output = KL(p ‖ q̄) against identities and closed forms (the brute force
 * from the definition is in test_kl_brute.c): K = 1 gives TC and q̄ = Π_i p_i; all sizes 1 give 0 and
 * q̄ = p; products give 0 for every schedule; copy gives (s_1 − 1)·log2 V; parity gives 1 bit or 0
 * by the last size; kl_output ≤ kl_expected; bit-identical for any thread count; the cost formula
 * equals the terms the pass visits (and a closed form for i.i.d. schedules); errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "dlmkl/kl.h"
#include "dlmkl/kl_output.h"
#include "dlmkl/sampler.h"
#include "testutil.h"

/* Exact identities hold up to rounding of sums of ≤ (1+2V)^L products; 1e-12 bits is ample. */
#define ID_TOL 1e-12

static dlmkl_schedule *sched(const char *spec, int L, int K, const dlmkl_profile *prof)
{
    dlmkl_schedule *s = NULL;
    int st = dlmkl_schedule_from_spec(spec, L, K, prof, &s);
    ck_assert_msg(st == DLMKL_OK, "schedule '%s' L=%d K=%d: %s", spec, L, K, dlmkl_last_error());
    return s;
}

static double kl_out(const dlmkl_dist *d, const dlmkl_schedule *s, const char *posspec, double *qbar)
{
    dlmkl_positions pos;
    ck_assert_int_eq(dlmkl_positions_parse(posspec, &pos), DLMKL_OK);
    double kl = NAN;
    int st = dlmkl_kl_output(d, s, &pos, &kl, qbar);
    ck_assert_msg(st == DLMKL_OK, "kl_output %s %s %s: %s", d->spec ? d->spec : "?", s->name, posspec,
                  dlmkl_last_error());
    return kl;
}

/* p(x) = Π_i f_i(x_i), random f_i */
static dlmkl_dist *product(int L, int V, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double f[16][16];
    for (int i = 0; i < L; i++) {
        double s = 0;
        for (int v = 0; v < V; v++)
            s += f[i][v] = gsl_ran_gamma(r, 1.0, 1.0);
        for (int v = 0; v < V; v++)
            f[i][v] /= s;
    }
    gsl_rng_free(r);
    dlmkl_dist *d = dlmkl_dist_alloc(L, V);
    ck_assert_ptr_nonnull(d);
    for (uint64_t x = 0; x < d->n; x++) {
        uint64_t rest = x;
        double p = 1;
        for (int i = L - 1; i >= 0; i--) {
            p *= f[i][rest % (uint64_t)V];
            rest /= (uint64_t)V;
        }
        d->p[x] = p;
    }
    char spec[64];
    snprintf(spec, sizeof spec, "test-product:L=%d,V=%d,seed=%lu", L, V, seed);
    dlmkl_dist_set_spec(d, spec);
    return d;
}

static const char *const positions[] = {"random", "l2r", "stride"};

START_TEST(test_K1_is_TC)
{
    static const int cases[][2] = {{3, 2}, {6, 2}, {8, 2}, {4, 3}, {3, 4}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        dlmkl_dist *d = tu_random_table(L, V, 40 + c, 0.5);
        dlmkl_profile *prof = tu_profile(d);
        char spec[32];
        snprintf(spec, sizeof spec, "sizes:%d", L);
        dlmkl_schedule *s = sched(spec, L, 0, prof);
        /* q̄ = Π_i p_i, by the test's own marginals */
        double *pm = calloc((size_t)L * V, sizeof *pm), *q = malloc(d->n * sizeof *q);
        for (uint64_t x = 0; x < d->n; x++) {
            uint64_t rest = x;
            for (int i = L - 1; i >= 0; i--) {
                pm[i * V + (int)(rest % (uint64_t)V)] += d->p[x];
                rest /= (uint64_t)V;
            }
        }
        for (int p = 0; p < 3; p++) {
            double kl = kl_out(d, s, positions[p], q);
            TU_CLOSE(kl, dlmkl_profile_tc(prof), ID_TOL, "K=1 vs TC, L=%d V=%d %s", L, V, positions[p]);
            for (uint64_t x = 0; x < d->n; x++) {
                uint64_t rest = x;
                double pr = 1;
                for (int i = L - 1; i >= 0; i--) {
                    pr *= pm[i * V + (int)(rest % (uint64_t)V)];
                    rest /= (uint64_t)V;
                }
                TU_CLOSE(q[x], pr, 1e-15, "K=1 qbar = prod of marginals, L=%d V=%d x=%llu", L, V, (unsigned long long)x);
            }
        }
        free(pm), free(q);
        dlmkl_schedule_free(s);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_singles_are_exact)
{
    static const int cases[][2] = {{3, 2}, {7, 2}, {4, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        dlmkl_dist *d = tu_random_table(L, V, 60 + c, 0.5);
        dlmkl_profile *prof = tu_profile(d);
        dlmkl_schedule *s = sched("balanced", L, L, prof);
        double *q = malloc(d->n * sizeof *q);
        for (int p = 0; p < 3; p++) {
            double kl = kl_out(d, s, positions[p], q);
            ck_assert_msg(fabs(kl) <= ID_TOL, "all sizes 1: kl_output = %g, L=%d V=%d %s", kl, L, V, positions[p]);
            for (uint64_t x = 0; x < d->n; x++)
                TU_CLOSE(q[x], d->p[x], 1e-15, "all sizes 1: qbar = p, x=%llu", (unsigned long long)x);
        }
        free(q);
        dlmkl_schedule_free(s);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_products_zero)
{
    static const char *const specs[] = {"balanced", "linear", "cosine",     "poly:a=2",   "chen-tc",    "chen-dtc",
                                        "optimal",  "iid:linear", "iid:cosine", "random-tc", "random-dtc", "composition"};
    static const int cases[][3] = {{6, 2, 3}, {4, 3, 2}, {7, 2, 4}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1], K = cases[c][2];
        dlmkl_dist *d = product(L, V, 7 + c);
        dlmkl_profile *prof = tu_profile(d);
        for (size_t j = 0; j < sizeof specs / sizeof specs[0]; j++) {
            dlmkl_schedule *s = sched(specs[j], L, K, prof);
            for (int p = 0; p < 3; p++) {
                double kl = kl_out(d, s, positions[p], NULL);
                ck_assert_msg(fabs(kl) <= ID_TOL, "product: kl_output = %g for %s K=%d %s, %s", kl, s->name, K,
                              positions[p], d->spec);
            }
            dlmkl_schedule_free(s);
        }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_copy_and_parity)
{
    /* copy: the first step's s_1 tokens agree with prob V^(1−s_1); later steps copy them, so
     * q̄(a..a) = V^(−s_1) and kl_output = (s_1 − 1) log2 V, for random and ordered positions */
    static const char *const copy_sizes[] = {"sizes:1,4", "sizes:1,2,2", "sizes:1,1,1,1,1", "sizes:2,3", "sizes:3,1,1",
                                             "sizes:5"};
    static const int s1[] = {1, 1, 1, 2, 3, 5};
    for (int V = 2; V <= 3; V++) {
        char spec[32];
        snprintf(spec, sizeof spec, "copy:L=5,V=%d", V);
        dlmkl_dist *d = tu_dist(spec);
        dlmkl_profile *prof = tu_profile(d);
        for (int j = 0; j < 6; j++) {
            dlmkl_schedule *s = sched(copy_sizes[j], 5, 0, prof);
            for (int p = 0; p < 3; p++) {
                double kl = kl_out(d, s, positions[p], NULL);
                TU_CLOSE(kl, (s1[j] - 1) * log2((double)V), ID_TOL, "%s %s %s", spec, copy_sizes[j], positions[p]);
            }
            dlmkl_schedule_free(s);
        }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
    /* parity on L bits: any L−1 tokens are i.i.d. uniform, so the sampler is exact until the last
     * step; a last step of size ≥ 2 makes the output uniform: kl_output = 1 bit, else 0 */
    static const char *const par_sizes[] = {"sizes:3,2,1", "sizes:1,1,4", "sizes:5,1", "sizes:2,2,2", "sizes:6"};
    static const double par_kl[] = {0, 1, 0, 1, 1};
    dlmkl_dist *d = tu_dist("parity:L=6");
    dlmkl_profile *prof = tu_profile(d);
    for (int j = 0; j < 5; j++) {
        dlmkl_schedule *s = sched(par_sizes[j], 6, 0, prof);
        for (int p = 0; p < 3; p++)
            TU_CLOSE(kl_out(d, s, positions[p], NULL), par_kl[j], ID_TOL, "parity:L=6 %s %s", par_sizes[j], positions[p]);
        dlmkl_schedule_free(s);
    }
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_output_below_expected)
{
    static const char *const specs[] = {"balanced", "cosine", "chen-tc", "iid:linear", "random-tc", "random-dtc",
                                        "composition", "optimal"};
    int n = 0;
    for (unsigned long seed = 1; seed <= 12; seed++) {
        int L = 3 + (int)(seed % 5), V = seed % 3 == 0 ? 3 : 2, K = 2 + (int)(seed % (unsigned long)(L - 1));
        if (V == 3 && L > 5)
            L = 5;
        if (K > L)
            K = L;
        dlmkl_dist *d = tu_random_table(L, V, 300 + seed, seed % 2 ? 0.3 : 1.0);
        dlmkl_profile *prof = tu_profile(d);
        for (size_t j = 0; j < sizeof specs / sizeof specs[0]; j++) {
            dlmkl_schedule *s = sched(specs[j], L, K, prof);
            double ke, ko = kl_out(d, s, "random", NULL);
            ck_assert_int_eq(dlmkl_kl_expected(prof, s, &ke), DLMKL_OK);
            ck_assert_msg(ko >= -ID_TOL && ko <= ke + ID_TOL, "kl_output %.17g vs kl_expected %.17g, seed %lu L=%d V=%d K=%d %s",
                          ko, ke, seed, L, V, K, s->name);
            int order[64];
            dlmkl_positions pos = {DLMKL_POS_STRIDE, 0};
            ck_assert_int_eq(dlmkl_positions_order(&pos, L, s->nsteps, order), DLMKL_OK);
            ck_assert_int_eq(dlmkl_kl_expected_ordered(d, order, s, &ke), DLMKL_OK);
            ko = kl_out(d, s, "stride", NULL);
            ck_assert_msg(ko >= -ID_TOL && ko <= ke + ID_TOL, "stride: kl_output %.17g vs kl_expected %.17g, seed %lu %s", ko,
                          ke, seed, s->name);
            n++;
            dlmkl_schedule_free(s);
        }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
    ck_assert_int_eq(n, 12 * 8);
}
END_TEST

START_TEST(test_threads_bit_identical)
{
    static const int cases[][3] = {{10, 2, 4}, {6, 3, 3}};
    static const char *const specs[] = {"iid:linear", "balanced", "composition"};
    for (size_t c = 0; c < 2; c++) {
        int L = cases[c][0], V = cases[c][1], K = cases[c][2];
        dlmkl_dist *d = tu_random_table(L, V, 90 + c, 0.4);
        dlmkl_profile *prof = tu_profile(d);
        double *q[3];
        for (int t = 0; t < 3; t++)
            q[t] = malloc(d->n * sizeof(double));
        for (int j = 0; j < 3; j++) {
            dlmkl_schedule *s = sched(specs[j], L, K, prof);
            for (int p = 0; p < 2; p++) {
                double kl[3], kq[3];
                for (int t = 0; t < 3; t++) {
                    dlmkl_set_threads(t + 1);
                    kl[t] = kl_out(d, s, positions[p], NULL);
                    kq[t] = kl_out(d, s, positions[p], q[t]);
                }
                for (int t = 1; t < 3; t++) {
                    ck_assert_msg(memcmp(&kl[0], &kl[t], sizeof(double)) == 0 && memcmp(&kq[0], &kq[t], sizeof(double)) == 0,
                                  "kl_output differs between 1 and %d threads: %.17g vs %.17g (L=%d V=%d %s %s)", t + 1,
                                  kl[0], kl[t], L, V, s->name, positions[p]);
                    ck_assert_msg(memcmp(q[0], q[t], d->n * sizeof(double)) == 0,
                                  "qbar differs between 1 and %d threads (L=%d V=%d %s %s)", t + 1, L, V, s->name, positions[p]);
                }
            }
            dlmkl_schedule_free(s);
        }
        dlmkl_set_threads(0);
        for (int t = 0; t < 3; t++)
            free(q[t]);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_cost_counts_terms)
{
    /* full-support tables: nothing is pruned, so the terms visited equal the formula */
    static const char *const specs[] = {"balanced", "cosine", "iid:linear", "random-dtc", "composition", "chen-dtc"};
    static const int cases[][3] = {{7, 2, 3}, {5, 3, 3}, {8, 2, 5}};
    for (size_t c = 0; c < 3; c++) {
        int L = cases[c][0], V = cases[c][1], K = cases[c][2];
        dlmkl_dist *d = tu_random_table(L, V, 500 + c, 1.0);
        for (uint64_t x = 0; x < d->n; x++)
            ck_assert_msg(d->p[x] > 0, "test table must have full support");
        dlmkl_profile *prof = tu_profile(d);
        double *q = malloc(d->n * sizeof *q);
        for (size_t j = 0; j < sizeof specs / sizeof specs[0]; j++) {
            dlmkl_schedule *s = sched(specs[j], L, K, prof);
            for (int p = 0; p < 3; p++) {
                dlmkl_positions pos;
                dlmkl_positions_parse(positions[p], &pos);
                double terms = -1, cost = dlmkl_kl_output_cost(d, s, &pos);
                ck_assert_int_eq(dlmkl_sampler_law(d, s, &pos, q, &terms), DLMKL_OK);
                ck_assert_msg(cost == terms, "cost %.17g but %.17g terms visited (L=%d V=%d %s %s)", cost, terms, L, V,
                              s->name, positions[p]);
                ck_assert_msg(cost <= K * pow(1 + 2.0 * V, L), "cost above K (1+2V)^L");
                if (s->kind == DLMKL_SCHED_IID && pos.kind == DLMKL_POS_RANDOM) {
                    /* every m and every s has positive probability except at the first step (m = 0)
                     * and the last (s = L − m): (1+V)^L + (K−2)(1+2V)^L + (2V)^L */
                    double closed = pow(1.0 + V, L) + (s->nsteps - 2) * pow(1.0 + 2 * V, L) + pow(2.0 * V, L);
                    ck_assert_msg(cost == closed, "iid cost %.17g, closed form %.17g", cost, closed);
                }
            }
            dlmkl_schedule_free(s);
        }
        free(q);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

/* The factorised route (i.i.d. reveal times, random positions; dlmkl_kl_output takes it by itself)
 * against the generic pull (dlmkl_kl_output_generic) on many laws, i.i.d. schedules and K: the same
 * terms summed in another order, so each q̄(x) agrees to a relative K·(2L+4)·2^-53 < 2e-14 here
 * (products of at most L+2 rounded factors, sums of nonnegative terms, K steps); we allow 1e-12
 * relative on q̄ and 1e-12 bits on KL = Σ p log2(p/q̄) (an error ε relative in every q̄ moves it by at
 * most ε/ln 2). Laws with zeros (copy, parity, Reed–Solomon) exercise the pruning, a law with
 * subnormal entries the log-space fallback, iid:pi= with a zero weight a step with q = 0, and a
 * mixture of schedules the per-component route. Also bit-identical for 1 and 2 threads. */
START_TEST(test_fast_route_vs_generic)
{
    static const char *const dists[] = {"random:L=6,V=2,seed=3",  "random:L=5,V=3,seed=4,alpha=0.3",
                                        "random:L=4,V=4,seed=5",  "copy:L=6,V=2",
                                        "parity:L=6",             "mds:q=5,n=4,k=2",
                                        "markov:L=7,V=2,stay=0.9", "TINY"};
    static const char *const specs[] = {"iid:linear", "iid:cosine", "iid:poly:a=2", "random-tc", "random-dtc",
                                        "random-tc:rho=7", "mix:1*{iid:linear}+3*{random-dtc}"};
    int ncase = 0, nbits = 0;
    for (size_t a = 0; a < sizeof dists / sizeof dists[0]; a++) {
        dlmkl_dist *d;
        if (strcmp(dists[a], "TINY") == 0) {
            d = tu_random_table(6, 2, 93, 1.0);
            d->p[3] = 0x1p-1060, d->p[17] = 0x1p-1070, d->p[40] = 1e-300;
        } else {
            d = tu_dist(dists[a]);
        }
        const int L = d->L;
        double *q1 = malloc(d->n * sizeof *q1), *q2 = malloc(d->n * sizeof *q2), *q3 = malloc(d->n * sizeof *q3);
        ck_assert_ptr_nonnull(q1);
        ck_assert_ptr_nonnull(q2);
        ck_assert_ptr_nonnull(q3);
        for (int K = 1; K <= 5; K++)
            for (size_t j = 0; j < sizeof specs / sizeof specs[0] + 1; j++) {
                dlmkl_schedule *s;
                if (j < sizeof specs / sizeof specs[0]) {
                    s = sched(specs[j], L, K, NULL);
                } else { /* explicit weights with a zero: a step that reveals nothing */
                    if (K < 3)
                        continue;
                    char spec[64] = "iid:pi=0.5/0";
                    for (int k = 2; k < K; k++)
                        strcat(spec, "/0.25");
                    s = sched(spec, L, 0, NULL);
                }
                dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
                double kf = NAN, kg = NAN, kqf = NAN, kqg = NAN;
                ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &kf, NULL), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_output_generic(d, s, &pos, &kg, NULL), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &kqf, q1), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_output_generic(d, s, &pos, &kqg, q2), DLMKL_OK);
                ck_assert_msg(isfinite(kf) == isfinite(kg) && (!isfinite(kf) || fabs(kf - kg) <= 1e-12),
                              "%s %s K=%d: kl_output fast %.17g, generic %.17g", dists[a], s->name, K, kf, kg);
                ck_assert_msg(isfinite(kqf) == isfinite(kqg) && (!isfinite(kqf) || fabs(kqf - kqg) <= 1e-12),
                              "%s %s K=%d: kl_output (qbar asked) fast %.17g, generic %.17g", dists[a], s->name, K,
                              kqf, kqg);
                for (uint64_t x = 0; x < d->n; x++)
                    ck_assert_msg(fabs(q1[x] - q2[x]) <= 1e-12 * fabs(q2[x]),
                                  "%s %s K=%d: qbar[%llu] fast %.17g, generic %.17g", dists[a], s->name, K,
                                  (unsigned long long)x, q1[x], q2[x]);
                ncase++;
                nbits += memcmp(&kf, &kg, sizeof kf) == 0;
                /* the fast route with 2 threads: the same bits as with 1 */
                for (int t = 2; t <= 2; t++) {
                    double k1 = NAN;
                    dlmkl_set_threads(t);
                    ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &k1, q3), DLMKL_OK);
                    dlmkl_set_threads(1);
                    ck_assert_msg(memcmp(&k1, &kqf, sizeof k1) == 0 && memcmp(q1, q3, d->n * sizeof *q1) == 0,
                                  "%s %s K=%d: fast route differs between 1 and %d threads", dists[a], s->name, K, t);
                }
                dlmkl_schedule_free(s);
            }
        dlmkl_set_threads(0);
        free(q1), free(q2), free(q3);
        dlmkl_dist_free(d);
    }
    /* the routes sum in different orders: most results differ in their last bits (none need agree) */
    ck_assert_int_gt(ncase, 200);
    ck_assert_int_le(nbits, ncase);
}
END_TEST

/* A workspace reused across schedules and positions gives the values of fresh calls bit for bit,
 * also around a pass that had to go to log space (a table with subnormal entries: M is turned into
 * log2 M, and the next plain pass rebuilds it). */
START_TEST(test_workspace_reuse)
{
    for (int tiny = 0; tiny < 2; tiny++) {
        dlmkl_dist *d = tu_random_table(6, 2, 91 + tiny, 1.0);
        if (tiny) {
            d->p[3] = 0x1p-1060, d->p[17] = 0x1p-1070, d->p[40] = 1e-300;
        }
        dlmkl_profile *prof = tu_profile(d);
        dlmkl_kl_output_workspace *ws = dlmkl_kl_output_workspace_alloc(d);
        ck_assert_ptr_nonnull(ws);
        static const char *const specs[] = {"balanced", "iid:linear", "cosine", "balanced", "mix:1*{balanced}+2*{iid:cosine}"};
        for (size_t j = 0; j < sizeof specs / sizeof specs[0]; j++)
            for (int p = 0; p < 3; p++) {
                dlmkl_schedule *s = sched(specs[j], 6, 3, prof);
                dlmkl_positions pos;
                dlmkl_positions_parse(positions[p], &pos);
                double a = -1, b = -2;
                ck_assert_int_eq(dlmkl_kl_output_ws(ws, s, &pos, &a, NULL), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &b, NULL), DLMKL_OK);
                ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "tiny %d, %s, %s: workspace %.17g, fresh %.17g", tiny,
                              specs[j], positions[p], a, b);
                dlmkl_schedule_free(s);
            }
        dlmkl_kl_output_workspace_free(ws);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
    dlmkl_kl_output_workspace_free(NULL);
}
END_TEST

/* The one auto rule (dlmkl_output_law_take): always / never as asked; auto by the term count (an
 * i.i.d. schedule at L = 14, V = 2, K = 4 needs 1.2e10 > 2e8 terms) and by the memory cap. */
START_TEST(test_output_law_take)
{
    dlmkl_dist *d = tu_random_table(5, 2, 77, 1.0), *big = tu_random_table(14, 2, 78, 1.0);
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_schedule *s = sched("balanced", 5, 3, prof), *sb = NULL;
    ck_assert_int_eq(dlmkl_schedule_from_spec("iid:linear", 14, 4, NULL, &sb), DLMKL_OK);
    dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
    ck_assert_int_eq(dlmkl_output_law_take(DLMKL_OUTPUT_LAW_ALWAYS, big, sb, &pos), 1);
    ck_assert_int_eq(dlmkl_output_law_take(DLMKL_OUTPUT_LAW_NEVER, d, s, &pos), 0);
    ck_assert_int_eq(dlmkl_output_law_take(DLMKL_OUTPUT_LAW_AUTO, d, s, &pos), 1);
    ck_assert_msg(dlmkl_kl_output_cost(big, sb, &pos) > DLMKL_OUTPUT_LAW_AUTO_TERMS, "case too small");
    ck_assert_int_eq(dlmkl_output_law_take(DLMKL_OUTPUT_LAW_AUTO, big, sb, &pos), 0);
    const size_t cap = dlmkl_max_memory();
    dlmkl_set_max_memory((size_t)dlmkl_kl_output_bytes(d) - 1);
    ck_assert_int_eq(dlmkl_output_law_take(DLMKL_OUTPUT_LAW_AUTO, d, s, &pos), 0);
    dlmkl_set_max_memory((size_t)dlmkl_kl_output_bytes(d));
    ck_assert_int_eq(dlmkl_output_law_take(DLMKL_OUTPUT_LAW_AUTO, d, s, &pos), 1);
    dlmkl_set_max_memory(cap);
    dlmkl_schedule_free(s), dlmkl_schedule_free(sb);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d), dlmkl_dist_free(big);
}
END_TEST

/* The sampler reads the workspace's table: the same q̄ (dlmkl_sampler_law_ws) and the same draws as a
 * sampler with a table of its own, bit for bit; while it lives, a pass that would rewrite the table
 * into log2 (subnormal entries) is refused, and works again once the sampler is freed. */
START_TEST(test_sampler_shares_workspace)
{
    for (int tiny = 0; tiny < 2; tiny++) {
        dlmkl_dist *d = tu_random_table(6, 2, 95 + tiny, 1.0);
        if (tiny)
            d->p[3] = 0x1p-1060, d->p[17] = 0x1p-1070;
        dlmkl_kl_output_workspace *ws = dlmkl_kl_output_workspace_alloc(d);
        ck_assert_ptr_nonnull(ws);
        /* all sizes 1: q̄ = p, so the subnormal p(x) send that pass to log space */
        static const char *const specs[] = {"iid:linear", "balanced", "composition", "sizes:1,1,1,1,1,1"};
        int refused = 0;
        for (size_t j = 0; j < 4; j++)
            for (int p = 0; p < 3; p++) {
                dlmkl_schedule *s = sched(specs[j], 6, j == 3 ? 0 : 3, NULL);
                dlmkl_positions pos;
                dlmkl_positions_parse(positions[p], &pos);
                double qa[64], qb[64], ta = -1, tb = -2;
                ck_assert_int_eq(dlmkl_sampler_law_ws(ws, s, &pos, qa, &ta), DLMKL_OK);
                ck_assert_int_eq(dlmkl_sampler_law(d, s, &pos, qb, &tb), DLMKL_OK);
                ck_assert_msg(memcmp(qa, qb, sizeof qa) == 0 && ta == tb, "%s %s: sampler_law_ws differs", specs[j],
                              positions[p]);
                dlmkl_sampler *sa = NULL, *sb = NULL;
                ck_assert_int_eq(dlmkl_sampler_alloc_ws(ws, s, &pos, &sa), DLMKL_OK);
                ck_assert_int_eq(dlmkl_sampler_alloc(d, s, &pos, &sb), DLMKL_OK);
                uint64_t ca[64] = {0}, cb[64] = {0};
                ck_assert_int_eq(dlmkl_sampler_counts(sa, 7, 2000, ca), DLMKL_OK);
                ck_assert_int_eq(dlmkl_sampler_counts(sb, 7, 2000, cb), DLMKL_OK);
                ck_assert_msg(memcmp(ca, cb, sizeof ca) == 0, "%s %s: draws differ", specs[j], positions[p]);
                double kl = NAN;
                int st = dlmkl_kl_output_ws(ws, s, &pos, &kl, NULL);
                if (st != DLMKL_OK) {
                    ck_assert_msg(tiny && st == DLMKL_EINVAL && strstr(dlmkl_last_error(), "sampler"),
                                  "%s %s: status %d, %s", specs[j], positions[p], st, dlmkl_last_error());
                    refused++;
                }
                dlmkl_sampler_free(sa), dlmkl_sampler_free(sb);
                double kb = NAN;
                ck_assert_int_eq(dlmkl_kl_output_ws(ws, s, &pos, &kl, NULL), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &kb, NULL), DLMKL_OK);
                ck_assert_msg(memcmp(&kl, &kb, sizeof kl) == 0, "%s %s: after the sampler %.17g vs %.17g", specs[j],
                              positions[p], kl, kb);
                dlmkl_schedule_free(s);
            }
        ck_assert_msg(tiny ? refused >= 3 : refused == 0, "tiny %d: %d passes refused", tiny, refused);
        dlmkl_kl_output_workspace_free(ws);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_impossible_states)
{
    /* copy with a first step of 2: half the mass (V = 2) reaches impossible states; q̄ still sums to
     * 1 (uniform continuation) and puts 1/V^2 on each constant string */
    dlmkl_dist *d = tu_dist("copy:L=4,V=2");
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_schedule *s = sched("sizes:2,1,1", 4, 0, prof);
    double q[16], tot = 0;
    double kl = kl_out(d, s, "random", q);
    for (int x = 0; x < 16; x++)
        tot += q[x];
    TU_CLOSE(tot, 1.0, ID_TOL, "copy sizes 2,1,1: sum of qbar");
    TU_CLOSE(q[0], 0.25, ID_TOL, "copy: qbar(0000)");
    TU_CLOSE(q[15], 0.25, ID_TOL, "copy: qbar(1111)");
    TU_CLOSE(kl, 1.0, ID_TOL, "copy sizes 2,1,1: kl_output");
    dlmkl_schedule_free(s);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_errors)
{
    dlmkl_dist *d = tu_random_table(5, 2, 1, 0.5);
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_schedule *s = sched("sizes:2,2", 4, 0, NULL);
    dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
    double kl;
    ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &kl, NULL), DLMKL_EINVAL);
    ck_assert_msg(strstr(dlmkl_last_error(), "L = 4") != NULL, "message should name the lengths: %s", dlmkl_last_error());
    ck_assert_msg(isnan(dlmkl_kl_output_cost(d, s, &pos)), "cost of a mismatched schedule should be NaN");
    dlmkl_schedule_free(s);
    s = sched("sizes:3,2", 5, 0, NULL);
    size_t cap = dlmkl_max_memory();
    dlmkl_set_max_memory(4096);
    ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &kl, NULL), DLMKL_ETOOBIG);
    ck_assert_msg(strstr(dlmkl_last_error(), "kl_output") && strstr(dlmkl_last_error(), "raise the cap"),
                  "memory message should name kl_output and the fix: %s", dlmkl_last_error());
    dlmkl_set_max_memory(cap);
    TU_CLOSE(dlmkl_kl_output_bytes(d), 3.0 * 243 * 8, 0, "kl_output bytes for L=5 V=2");
    dlmkl_schedule_free(s);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kl_output");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_K1_is_TC);
    tcase_add_test(tc, test_singles_are_exact);
    tcase_add_test(tc, test_products_zero);
    tcase_add_test(tc, test_copy_and_parity);
    TU_ADD_SLOW_TEST(tc, test_output_below_expected);
    TU_ADD_SLOW_TEST(tc, test_threads_bit_identical);
    TU_ADD_SLOW_TEST(tc, test_cost_counts_terms);
    tcase_add_test(tc, test_output_law_take);
    TU_ADD_SLOW_TEST(tc, test_fast_route_vs_generic);
    tcase_add_test(tc, test_workspace_reuse);
    tcase_add_test(tc, test_sampler_shares_workspace);
    tcase_add_test(tc, test_impossible_states);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
