/* test_kl.c: kl_expected by its closed-form marginals against the generic (k, m) DP, known values and
 * identities, ordered positions against Σ TC(X_A | X_B) from subset entropies, and the bounds.
 * (The brute force from the sampler's definition is in test_kl_brute.c.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlmkl/kl.h"
#include "dlmkl/schedule.h"
#include "testutil.h"

static dlmkl_schedule *sched(const char *spec, int L, int K, const dlmkl_profile *prof)
{
    dlmkl_schedule *s = NULL;
    int st = dlmkl_schedule_from_spec(spec, L, K, prof, &s);
    ck_assert_msg(st == DLMKL_OK, "schedule '%s' L=%d K=%d failed: %s", spec, L, K, dlmkl_last_error());
    return s;
}

static double klx(const dlmkl_profile *prof, const char *spec, int K)
{
    dlmkl_schedule *s = sched(spec, prof->L, K, prof);
    double v;
    ck_assert_msg(dlmkl_kl_expected(prof, s, &v) == DLMKL_OK, "%s: %s", spec, dlmkl_last_error());
    dlmkl_schedule_free(s);
    return v;
}

static const char *all_specs[] = {"balanced", "linear", "cosine", "poly:a=2", "chen-tc", "chen-dtc", "optimal",
                                  "iid:linear", "iid:cosine", "iid:poly:a=0.5", "random-tc", "random-dtc",
                                  "random-tc:rho=3", "composition"};
#define NSPECS (sizeof all_specs / sizeof all_specs[0])

START_TEST(test_closed_forms_vs_dp)
{
    /* the fast routes (FIXED direct sum, IID binomial marginals, COMPOSITION order statistics) against
     * the generic forward DP over (k, m) with each step law */
    static const int cases[][2] = {{6, 2}, {9, 2}, {5, 3}, {12, 2}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        dlmkl_dist *d = tu_random_table(L, V, 500 + c, 0.5);
        dlmkl_profile *prof = tu_profile(d);
        for (int K = 1; K <= L; K++)
            for (size_t i = 0; i < NSPECS; i++) {
                dlmkl_schedule *s = sched(all_specs[i], L, K, prof);
                double a, b;
                ck_assert_int_eq(dlmkl_kl_expected(prof, s, &a), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_expected_dp(prof, s, &b), DLMKL_OK);
                TU_CLOSE(a, b, 1e-12, "%s L=%d V=%d K=%d seed=%zu", all_specs[i], L, V, K, 500 + c);
                ck_assert_msg(a >= -1e-12, "negative kl_expected %g for %s", a, all_specs[i]);
                dlmkl_schedule_free(s);
            }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_iid_large_L)
{
    /* L = 300: the windowed binomial route against the full DP (no tail cut there) */
    const int L = 300;
    dlmkl_profile *prof = dlmkl_profile_alloc(L);
    for (int m = 1; m <= L; m++)
        prof->h[m] = prof->h[m - 1] + 1.0 / sqrt((double)m); /* concave */
    static const char *specs[] = {"iid:linear", "iid:cosine", "random-tc", "random-dtc", "composition"};
    for (size_t i = 0; i < 5; i++)
        for (int K = 3; K <= 30; K += 9) {
            dlmkl_schedule *s = sched(specs[i], L, K, prof);
            double a, b;
            dlmkl_kl_expected(prof, s, &a);
            dlmkl_kl_expected_dp(prof, s, &b);
            TU_CLOSE(a, b, 1e-10 * (1 + fabs(b)), "%s L=%d K=%d", specs[i], L, K);
            dlmkl_schedule_free(s);
        }
    dlmkl_profile_free(prof);
}
END_TEST

START_TEST(test_known_values)
{
    char spec[64];
    for (int L = 3; L <= 8; L++) {
        dlmkl_dist *d = tu_random_table(L, 2, 900 + L, 0.6);
        dlmkl_profile *prof = tu_profile(d);
        /* K = 1: every schedule reveals everything at once and kl_expected = TC */
        for (size_t i = 0; i < NSPECS; i++)
            TU_CLOSE(klx(prof, all_specs[i], 1), dlmkl_profile_tc(prof), 1e-12, "%s K=1 L=%d", all_specs[i], L);
        /* all sizes 1: 0 */
        TU_CLOSE(klx(prof, "balanced", L), 0.0, 1e-12, "singles L=%d", L);
        TU_CLOSE(klx(prof, "composition", L), 0.0, 1e-12, "composition K=L, L=%d", L);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
        /* copy with a first step of size 1: 0 */
        snprintf(spec, sizeof spec, "copy:L=%d,V=3", L);
        d = tu_dist(spec);
        prof = tu_profile(d);
        TU_CLOSE(klx(prof, "chen-dtc:zeta=2", -1), 0.0, 1e-12, "copy, chen-dtc starts with a single, L=%d", L);
        char sz[64];
        snprintf(sz, sizeof sz, "sizes:1,%d", L - 1);
        TU_CLOSE(klx(prof, sz, -1), 0.0, 1e-12, "copy %s", sz);
        /* copy with one step: TC = (L−1) log2 3 */
        TU_CLOSE(klx(prof, "balanced", 1), (L - 1) * log2(3.0), 1e-12, "copy K=1 L=%d", L);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
        /* parity: h(m) = m for m < L, so a step costs only if it reveals the last token with others:
         * sizes (L−2, 2) costs 2·1 − (h(L) − h(L−2)) = 1 bit; (2, L−2) costs (L−2) − (L−3) = 1 if L−2 >= 2 */
        snprintf(spec, sizeof spec, "parity:L=%d", L);
        d = tu_dist(spec);
        prof = tu_profile(d);
        snprintf(sz, sizeof sz, "sizes:%d,2", L - 2);
        TU_CLOSE(klx(prof, sz, -1), 1.0, 1e-12, "parity %s", sz);
        snprintf(sz, sizeof sz, "sizes:2,%d", L - 2); /* a last step of one token costs nothing */
        TU_CLOSE(klx(prof, sz, -1), L >= 4 ? 1.0 : 0.0, 1e-12, "parity %s", sz);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_products_zero)
{
    /* a product law (built here as an explicit table) has h linear: every schedule gives 0 */
    const int L = 6, V = 3;
    dlmkl_dist *d = dlmkl_dist_alloc(L, V);
    double m1[3] = {0.5, 0.3, 0.2};
    for (uint64_t i = 0; i < d->n; i++) {
        uint64_t r = i;
        double p = 1;
        for (int j = 0; j < L; j++) {
            p *= m1[r % V];
            r /= V;
        }
        d->p[i] = p;
    }
    dlmkl_profile *prof = tu_profile(d);
    for (int K = 1; K <= L; K++)
        for (size_t i = 0; i < NSPECS; i++)
            TU_CLOSE(klx(prof, all_specs[i], K), 0.0, 1e-12, "product, %s K=%d", all_specs[i], K);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_ordered_vs_subset_entropies)
{
    /* l2r / stride with fixed and random sizes: Σ_k TC(X_{A_k} | X_{B_k}) from brute-force subset
     * entropies (tu_subset_entropy), averaged over the size law by enumeration of size sequences */
    const int L = 6, V = 2;
    dlmkl_dist *d = tu_random_table(L, V, 4242, 0.5);
    dlmkl_profile *prof = tu_profile(d);
    static const char *pspecs[] = {"l2r", "stride:2", "stride:4"};
    static const char *sspecs[] = {"sizes:3,1,2", "balanced", "iid:linear", "composition", "random-dtc"};
    for (size_t pi = 0; pi < 3; pi++) {
        dlmkl_positions pos;
        dlmkl_positions_parse(pspecs[pi], &pos);
        for (size_t si = 0; si < 5; si++) {
            int K = si == 0 ? -1 : 3;
            dlmkl_schedule *s = sched(sspecs[si], L, K, prof);
            int order[16];
            dlmkl_positions_order(&pos, L, s->nsteps, order);
            double got;
            ck_assert_int_eq(dlmkl_kl_expected_ordered(d, order, s, &got), DLMKL_OK);
            /* enumerate size sequences (s_1..s_K) with their probabilities */
            double want = 0;
            int sz[8] = {0};
            double ps[16];
            long total = 1;
            for (int k = 0; k < s->nsteps; k++)
                total *= L + 1;
            for (long code = 0; code < total; code++) {
                long c = code;
                int m = 0;
                double prob = 1, kl = 0;
                for (int k = 0; k < s->nsteps; k++) {
                    sz[k] = (int)(c % (L + 1));
                    c /= L + 1;
                }
                for (int k = 0; k < s->nsteps && prob > 0; k++) {
                    if (sz[k] > L - m) {
                        prob = 0;
                        break;
                    }
                    dlmkl_schedule_step_law(s, k, m, ps);
                    prob *= ps[sz[k]];
                    uint64_t B = 0, A = 0;
                    for (int i = 0; i < m; i++)
                        B |= 1ULL << order[i];
                    for (int i = m; i < m + sz[k]; i++)
                        A |= 1ULL << order[i];
                    double HB = B ? tu_subset_entropy(d, B) : 0.0, tc = 0;
                    for (int i = m; i < m + sz[k]; i++)
                        tc += tu_subset_entropy(d, B | 1ULL << order[i]) - HB;
                    tc -= tu_subset_entropy(d, B | A) - HB;
                    kl += tc;
                    m += sz[k];
                }
                if (prob > 0 && m == L)
                    want += prob * kl;
            }
            TU_CLOSE(got, want, 1e-12, "ordered %s, schedule %s, L=%d seed=4242", pspecs[pi], sspecs[si], L);
            dlmkl_schedule_free(s);
        }
    }
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

/* The ordered-policy cache: the same bits as the uncached route over many orders (more than the cache
 * holds, so entries are evicted and recomputed), revisited orders (hits), mixtures (components share an
 * entry), a second distribution through the same cache (it starts afresh), and through kl rows. */
START_TEST(test_ordered_cache_bits)
{
    const int L = 6;
    dlmkl_dist *d1 = tu_random_table(L, 2, 4242, 0.5), *d2 = tu_random_table(L, 3, 77, 0.5);
    dlmkl_profile *p1 = tu_profile(d1);
    static const char *sspecs[] = {"sizes:3,1,2", "balanced", "iid:linear", "mix:1*{random-tc}+2*{balanced}"};
    dlmkl_ordered_cache *c = dlmkl_ordered_cache_alloc();
    ck_assert_ptr_nonnull(c);
    unsigned rng = 12345;
    int orders[150][8];
    for (int r = 0; r < 150; r++) { /* 150 pseudo-random permutations (Fisher–Yates), some repeated */
        for (int i = 0; i < L; i++)
            orders[r][i] = i;
        for (int i = L - 1; i > 0; i--) {
            rng = rng * 1103515245u + 12345u;
            int j = (int)((rng >> 16) % (unsigned)(i + 1)), t = orders[r][i];
            orders[r][i] = orders[r][j], orders[r][j] = t;
        }
    }
    for (int pass = 0; pass < 2; pass++)
        for (int r = 0; r < 150; r++) {
            const dlmkl_dist *d = (r % 50 == 49) ? d2 : d1; /* switch distributions now and then */
            const int *order = orders[(r * 7 + pass * 3) % 150];
            for (size_t si = 0; si < 4; si++) {
                dlmkl_schedule *s = sched(sspecs[si], L, si == 0 ? -1 : 3, NULL);
                double a, b;
                ck_assert_int_eq(dlmkl_kl_expected_ordered(d, order, s, &a), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_expected_ordered_cached(c, d, order, s, &b), DLMKL_OK);
                ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "pass %d order %d schedule %s: %.17g vs %.17g", pass, r,
                              sspecs[si], a, b);
                dlmkl_schedule_free(s);
            }
        }
    dlmkl_ordered_cache_free(c);
    dlmkl_ordered_cache_free(NULL);

    /* kl rows: l2r and stride through one cache equal the rows without it, column for column */
    dlmkl_ordered_cache *oc = NULL;
    static const char *pspecs[] = {"l2r", "stride:2", "l2r", "stride", "stride:2"};
    for (int K = 1; K <= L; K++)
        for (size_t pi = 0; pi < 5; pi++) {
            dlmkl_positions pos;
            dlmkl_positions_parse(pspecs[pi], &pos);
            dlmkl_schedule *s = sched("balanced", L, K, p1);
            dlmkl_kl_row x, y;
            ck_assert_int_eq(dlmkl_kl_row_compute_schedule(p1, d1, s, &pos, DLMKL_OUTPUT_LAW_NEVER, NULL, &x), DLMKL_OK);
            ck_assert_int_eq(dlmkl_kl_row_compute_cached(p1, d1, s, &pos, DLMKL_OUTPUT_LAW_NEVER, NULL, &oc, &y),
                             DLMKL_OK);
            ck_assert_ptr_nonnull(oc);
            ck_assert_msg(memcmp(&x.kl_expected, &y.kl_expected, sizeof x.kl_expected) == 0, "K=%d %s", K, pspecs[pi]);
            dlmkl_kl_row_clear(&x);
            dlmkl_kl_row_clear(&y);
            dlmkl_schedule_free(s);
        }
    dlmkl_ordered_cache_free(oc);
    dlmkl_profile_free(p1);
    dlmkl_dist_free(d1);
    dlmkl_dist_free(d2);
}
END_TEST

START_TEST(test_bounds_hold)
{
    /* Li & Cai and (smax−1) Z_L bound kl_expected for fixed sizes; Chen's Thm 9 for its schedules */
    for (int c = 0; c < 6; c++) {
        int L = 5 + c, V = 2;
        dlmkl_dist *d = tu_random_table(L, V, 1300 + c, 0.2 + 0.3 * c);
        dlmkl_profile *prof = tu_profile(d);
        for (int K = 1; K <= L; K++) {
            static const char *fixed[] = {"balanced", "linear", "cosine", "chen-tc", "chen-dtc", "optimal"};
            for (size_t i = 0; i < 6; i++) {
                dlmkl_schedule *s = sched(fixed[i], L, K, prof);
                dlmkl_bounds b;
                double kl;
                dlmkl_kl_expected(prof, s, &kl);
                dlmkl_bounds_compute(prof, s, &b);
                ck_assert_msg(kl <= b.li_cai + 1e-12, "Li-Cai bound fails: %s L=%d K=%d: %g > %g", fixed[i], L, K, kl, b.li_cai);
                ck_assert_msg(kl <= b.zl + 1e-12, "(smax-1) Z_L bound fails: %s L=%d K=%d", fixed[i], L, K);
                ck_assert_msg(b.zl <= b.li_cai * L + 1e-12, "sanity");
                if (s->chen && s->zeta > 1)
                    ck_assert_msg(kl <= b.chen + 1e-12, "Chen Thm 9 fails: %s L=%d K=%d zeta=%g: %g > %g", fixed[i], L, K,
                                  s->zeta, kl, b.chen);
                else
                    ck_assert(isnan(b.chen));
                TU_CLOSE(b.tc_over_K, dlmkl_profile_tc(prof) / K, 1e-12, "TC/K");
                dlmkl_schedule_free(s);
            }
            dlmkl_schedule *s = sched("random-tc", L, K, prof);
            dlmkl_bounds b;
            dlmkl_bounds_compute(prof, s, &b);
            ck_assert(isnan(b.li_cai) && isnan(b.zl) && isnan(b.chen));
            dlmkl_schedule_free(s);
        }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_law_file_matches_composition)
{
    /* a law: file holding the composition step law must give the composition closed form */
    const int L = 7, K = 3;
    dlmkl_dist *d = tu_random_table(L, 2, 77, 0.5);
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_schedule *c = sched("composition", L, K, prof);
    char path[] = "/tmp/dlmkl_law_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "k,m,s,prob\n");
    double ps[16];
    for (int k = 0; k < K; k++)
        for (int m = k; m <= L - (K - k); m++) {
            dlmkl_schedule_step_law(c, k, m, ps);
            for (int j = 0; j <= L - m; j++)
                if (ps[j] > 0)
                    fprintf(f, "%d,%d,%d,%.17g\n", k + 1, m, j, ps[j]);
        }
    fclose(f);
    char spec[64];
    snprintf(spec, sizeof spec, "law:%s", path);
    double a = klx(prof, "composition", K), b = klx(prof, spec, -1);
    TU_CLOSE(b, a, 1e-12, "law file vs composition L=%d K=%d", L, K);
    unlink(path);
    dlmkl_schedule_free(c);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_speed_scale_L4096)
{
    /* L = 4096, K = 256 from a closed-form-like concave profile: every built-in schedule evaluates
     * (a value check, not a timing: the benchmark times it) */
    const int L = 4096, K = 256;
    dlmkl_profile *prof = dlmkl_profile_alloc(L);
    for (int m = 1; m <= L; m++)
        prof->h[m] = prof->h[m - 1] + 1.0 / (1.0 + 0.01 * m);
    for (size_t i = 0; i < NSPECS; i++) {
        double v = klx(prof, all_specs[i], K);
        ck_assert_msg(isfinite(v) && v >= -1e-9, "%s: %g", all_specs[i], v);
        ck_assert_msg(v <= dlmkl_profile_tc(prof) + 1e-9, "%s exceeds TC", all_specs[i]);
    }
    dlmkl_profile_free(prof);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kl");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_closed_forms_vs_dp);
    TU_ADD_SLOW_TEST(tc, test_iid_large_L);
    tcase_add_test(tc, test_known_values);
    tcase_add_test(tc, test_products_zero);
    tcase_add_test(tc, test_ordered_vs_subset_entropies);
    tcase_add_test(tc, test_ordered_cache_bits);
    tcase_add_test(tc, test_bounds_hold);
    tcase_add_test(tc, test_law_file_matches_composition);
    TU_ADD_SLOW_TEST(tc, test_speed_scale_L4096);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
