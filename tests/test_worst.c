/* test_worst.c: the worst case over all laws. Routes: (1) mpmath references at L up to 4096
 * (tests/ref/worst_refs.csv: 40-digit binomial tails, independent code); (2) the MDS profiles h_d
 * through the generic (k, m) DP of kl_expected; (3) GLPK's module's own DP (dlmkl_minimax_worst);
 * (4) brute force over laws: random tables and real MDS codes never exceed it, and a code attains it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/kl.h"
#include "dlmkl/minimax.h"
#include "dlmkl/overshoot.h"
#include "dlmkl/schedule.h"
#include "dlmkl/worst.h"
#include "testutil.h"

static dlmkl_schedule *sched(const char *spec, int L, int K)
{
    dlmkl_schedule *s = NULL;
    int st = dlmkl_schedule_from_spec(spec, L, K, NULL, &s);
    ck_assert_msg(st == DLMKL_OK, "schedule '%s' L=%d K=%d failed: %s", spec, L, K, dlmkl_last_error());
    return s;
}

static dlmkl_worst worst_of(const char *spec, int L, int K)
{
    dlmkl_schedule *s = sched(spec, L, K);
    dlmkl_worst w;
    ck_assert_msg(dlmkl_worst_compute(s, &w) == DLMKL_OK, "%s: %s", spec, dlmkl_last_error());
    dlmkl_schedule_free(s);
    return w;
}

START_TEST(test_reference_values)
{
    const char *root = getenv("DLMKL_SOURCE_ROOT");
    char path[4096], mpath[4096];
    snprintf(path, sizeof path, "%s/tests/ref/worst_refs.csv", root ? root : ".");
    snprintf(mpath, sizeof mpath, "%s/tests/ref/worst_refs_margins.csv", root ? root : ".");
    FILE *f = fopen(path, "r"), *g = fopen(mpath, "r");
    ck_assert_msg(f && g, "cannot open %s or %s", path, mpath);
    char line[512], mline[512];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_ptr_nonnull(fgets(mline, sizeof mline, g));
    int rows = 0, dchecked = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64], mname[64];
        int L, K, dtc, ddtc, mL, mK;
        double wtc, wdtc, deficit, tcgap, dtcgap;
        ck_assert_int_eq(sscanf(line, "%63[^,],%d,%d,%lf,%d,%lf,%d", name, &L, &K, &wtc, &dtc, &wdtc, &ddtc), 7);
        ck_assert_ptr_nonnull(fgets(mline, sizeof mline, g));
        ck_assert_int_eq(sscanf(mline, "%63[^,],%d,%d,%lf,%lf,%lf", mname, &mL, &mK, &deficit, &tcgap, &dtcgap), 6);
        ck_assert_msg(strcmp(name, mname) == 0 && L == mL && K == mK, "margins file out of step at %s", line);
        dlmkl_worst w = worst_of(name, L, K);
        TU_CLOSE(w.worst_tc, wtc, 1e-9 * wtc, "%s L=%d K=%d worst_tc", name, L, K);
        TU_CLOSE(w.worst_dtc, wdtc, 1e-9 * wdtc, "%s L=%d K=%d worst_dtc", name, L, K);
        /* the maximiser is defined where the reference shows it apart from its runner-up and, for TC,
         * the ratio apart from its ceiling K (else every d ties in double precision) */
        if (tcgap > 1e-9 && deficit > 1e-9) {
            ck_assert_msg(w.d_tc == dtc, "%s L=%d K=%d: d_tc %d, reference %d", name, L, K, w.d_tc, dtc);
            dchecked++;
        }
        if (dtcgap > 1e-9) {
            ck_assert_msg(w.d_dtc == ddtc, "%s L=%d K=%d: d_dtc %d, reference %d", name, L, K, w.d_dtc, ddtc);
            dchecked++;
        }
        ck_assert_msg(fabs(w.ln_L - log((double)L)) < 1e-15 * log((double)L), "ln_L");
        rows++;
    }
    fclose(f), fclose(g);
    ck_assert_int_ge(rows, 60);
    ck_assert_int_ge(dchecked, 40);
}
END_TEST

/* h_d(m) = min(m, d): the MDS code profile of dimension d, one symbol's entropy = 1 */
static dlmkl_profile *step_profile(int L, int d)
{
    dlmkl_profile *p = dlmkl_profile_alloc(L);
    for (int m = 0; m <= L; m++)
        p->h[m] = m < d ? m : d;
    return p;
}

static const char *specs[] = {"balanced", "cosine", "chen-tc", "chen-dtc", "iid:cosine", "random-tc", "random-dtc",
                              "composition", "twin:random-tc", "minimax-tc", "minimax-both"};
#define NSPECS (sizeof specs / sizeof specs[0])

START_TEST(test_dp_on_code_profiles)
{
    /* worst_tc = max_d K·KL(h_d)/(L − d) with KL(h_d) from the generic DP of kl_expected, and the
     * worst case computed by the minimax module's own DP */
    for (int L = 2; L <= 12; L += 2)
        for (int K = 1; K <= L; K += 2)
            for (size_t i = 0; i < NSPECS; i++) {
                dlmkl_schedule *s = sched(specs[i], L, K);
                dlmkl_worst w;
                ck_assert_int_eq(dlmkl_worst_compute(s, &w), DLMKL_OK);
                const int B = s->budget;
                double wt = 0, wd = 0;
                for (int d = 1; d < L; d++) {
                    dlmkl_profile *p = step_profile(L, d);
                    double kl;
                    ck_assert_int_eq(dlmkl_kl_expected_dp(p, s, &kl), DLMKL_OK);
                    wt = fmax(wt, B * kl / (L - d));
                    wd = fmax(wd, B * kl / d);
                    dlmkl_profile_free(p);
                }
                TU_CLOSE(w.worst_tc, wt, 1e-12 * (1 + wt), "%s L=%d K=%d worst_tc vs DP", specs[i], L, K);
                TU_CLOSE(w.worst_dtc, wd, 1e-12 * (1 + wd), "%s L=%d K=%d worst_dtc vs DP", specs[i], L, K);
                double mt, md;
                int dd;
                ck_assert_int_eq(dlmkl_minimax_worst(s, DLMKL_MINIMAX_TC, &mt, &dd), DLMKL_OK);
                ck_assert_int_eq(dlmkl_minimax_worst(s, DLMKL_MINIMAX_DTC, &md, &dd), DLMKL_OK);
                TU_CLOSE(w.worst_tc, mt, 1e-12 * (1 + mt), "%s L=%d K=%d worst_tc vs minimax DP", specs[i], L, K);
                TU_CLOSE(w.worst_dtc, md, 1e-12 * (1 + md), "%s L=%d K=%d worst_dtc vs minimax DP", specs[i], L, K);
                dlmkl_schedule_free(s);
            }
}
END_TEST

START_TEST(test_no_law_exceeds_it)
{
    /* random tables (several concentrations) and the bank's families never exceed the worst case */
    static const char *laws[] = {"markov:L=8,V=2,stay=0.9", "copy:L=8,V=2", "parity:L=8", "cw:L=8,J=1.5",
                                 "mixprod:L=8,V=2,m=2,seed=3,alpha=0.1", "mds:q=3,n=3,k=2"};
    int checked = 0;
    for (int t = 0; t < 14; t++) {
        dlmkl_dist *d = t < 6 ? tu_dist(laws[t]) : tu_random_table(7, 2, 4000 + t, t % 2 ? 0.05 : 1.0);
        dlmkl_profile *p = tu_profile(d);
        const int L = d->L;
        const double tc = dlmkl_profile_tc(p), dtc = dlmkl_profile_dtc(p);
        for (int K = 1; K <= L; K++)
            for (size_t i = 0; i < NSPECS; i++) {
                dlmkl_schedule *s = sched(specs[i], L, K);
                dlmkl_worst w;
                double kl;
                ck_assert_int_eq(dlmkl_worst_compute(s, &w), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_expected(p, s, &kl), DLMKL_OK);
                const int B = s->budget;
                if (tc > 1e-9)
                    ck_assert_msg(B * kl / tc <= w.worst_tc * (1 + 1e-9) + 1e-12,
                                  "%s on %s K=%d: K KL/TC = %.17g > worst %.17g", specs[i], d->spec, K, B * kl / tc,
                                  w.worst_tc);
                if (dtc > 1e-9)
                    ck_assert_msg(B * kl / dtc <= w.worst_dtc * (1 + 1e-9) + 1e-12,
                                  "%s on %s K=%d: K KL/DTC = %.17g > worst %.17g", specs[i], d->spec, K,
                                  B * kl / dtc, w.worst_dtc);
                checked++;
                dlmkl_schedule_free(s);
            }
        dlmkl_profile_free(p);
        dlmkl_dist_free(d);
    }
    ck_assert_int_gt(checked, 500);
}
END_TEST

START_TEST(test_a_code_attains_it)
{
    /* Reed-Solomon codes over F_5 of length 4 (V = 5, L = 4), enumerated as tables: the code of dimension
     * d_tc reaches K KL/TC = worst_tc exactly, the one of dimension d_dtc reaches worst_dtc */
    static const char *sp[] = {"random-tc", "random-dtc", "composition", "iid:linear", "balanced"};
    for (size_t i = 0; i < 5; i++)
        for (int K = 1; K <= 4; K++) {
            dlmkl_schedule *s = sched(sp[i], 4, K);
            dlmkl_worst w;
            ck_assert_int_eq(dlmkl_worst_compute(s, &w), DLMKL_OK);
            for (int which = 0; which < 2; which++) {
                int dim = which ? w.d_dtc : w.d_tc;
                char spec[64];
                snprintf(spec, sizeof spec, "mds:q=5,n=4,k=%d", dim);
                dlmkl_dist *d = tu_dist(spec);
                dlmkl_profile *p = tu_profile(d);
                double kl;
                ck_assert_int_eq(dlmkl_kl_expected(p, s, &kl), DLMKL_OK);
                double r = s->budget * kl / (which ? dlmkl_profile_dtc(p) : dlmkl_profile_tc(p));
                TU_CLOSE(r, which ? w.worst_dtc : w.worst_tc, 1e-11 * (1 + r), "%s K=%d code k=%d (%s)", sp[i], K, dim,
                         which ? "DTC" : "TC");
                dlmkl_profile_free(p);
                dlmkl_dist_free(d);
            }
            dlmkl_schedule_free(s);
        }
}
END_TEST

/* dlmkl_worst_iid_beta (branch and bound over d, order-statistic O(d)) against the whole overshoot
 * (dlmkl_worst_compute) and the 40-digit references: values to 1e-12, and its maximiser d is a maximiser
 * of the window route's ratios to 1e-12 (ties, e.g. ratios at their ceiling K, make d itself loose).
 * DLMKL_ECOST (the bound leaves too many d: the row then takes the whole overshoot) is counted. */
static void check_beta_worst(const char *spec, int L, int K, int *ok, int *ecost)
{
    dlmkl_schedule *s = sched(spec, L, K);
    dlmkl_worst a, b;
    ck_assert_int_eq(dlmkl_worst_compute(s, &a), DLMKL_OK);
    int st = dlmkl_worst_iid_beta(s, 0, &b);
    if (st == DLMKL_ECOST) {
        printf("  branch and bound left %s L=%d K=%d to the window route\n", spec, L, K);
        ck_assert_msg(strstr(dlmkl_last_error(), "does not narrow") != NULL, "message: %s", dlmkl_last_error());
        (*ecost)++;
        dlmkl_schedule_free(s);
        return;
    }
    ck_assert_msg(st == DLMKL_OK, "%s L=%d K=%d: %s", spec, L, K, dlmkl_last_error());
    ck_assert(b.K == a.K && b.L == a.L && b.ln_L == a.ln_L);
    if (L > 1) {
        TU_CLOSE(b.worst_tc, a.worst_tc, 1e-12 * a.worst_tc, "%s L=%d K=%d worst_tc", spec, L, K);
        TU_CLOSE(b.worst_dtc, a.worst_dtc, 1e-12 * a.worst_dtc, "%s L=%d K=%d worst_dtc", spec, L, K);
        double *O = malloc(((size_t)L + 1) * sizeof *O);
        ck_assert_int_eq(dlmkl_overshoot(s, O), DLMKL_OK);
        const double rt = (double)a.K * O[b.d_tc] / (L - b.d_tc), rd = (double)a.K * O[b.d_dtc] / b.d_dtc;
        ck_assert_msg(rt >= a.worst_tc * (1 - 1e-12) && rd >= a.worst_dtc * (1 - 1e-12),
                      "%s L=%d K=%d: d_tc %d (window %d), d_dtc %d (window %d)", spec, L, K, b.d_tc, a.d_tc, b.d_dtc,
                      a.d_dtc);
        free(O);
    } else {
        ck_assert(isnan(b.worst_tc) && isnan(b.worst_dtc) && b.d_tc == 0 && b.d_dtc == 0);
    }
    (*ok)++;
    dlmkl_schedule_free(s);
}

START_TEST(test_beta_worst_vs_windows)
{
    static const char *ispecs[] = {"iid:linear", "iid:cosine", "iid:poly:a=0.5", "iid:poly:a=3", "random-tc",
                                   "random-dtc", "random-tc:rho=3", "random-dtc:rho=0.2"};
    int ok = 0, ecost = 0;
    for (int L = 1; L <= 6; L++) /* tiny: every K up to 8 */
        for (int K = 1; K <= 8; K++)
            for (size_t i = 0; i < sizeof ispecs / sizeof ispecs[0]; i++)
                check_beta_worst(ispecs[i], L, K, &ok, &ecost);
    static const int LK[][2] = {{16, 4}, {100, 10}, {1000, 64}, {3000, 1000}, {10000, 256}};
    const int nlk = tu_fast() ? 2 : (int)(sizeof LK / sizeof LK[0]);
    for (int j = 0; j < nlk; j++)
        for (size_t i = 0; i < sizeof ispecs / sizeof ispecs[0]; i++)
            check_beta_worst(ispecs[i], LK[j][0], LK[j][1], &ok, &ecost);
    printf("test_beta_worst_vs_windows: %d cases by branch and bound, %d left to the window route\n", ok, ecost);
    ck_assert_int_gt(ok, 4 * ecost);
}
END_TEST

/* The fast route at large L, where it is the one the kl rows take: the branch and bound must narrow the
 * worst case (no DLMKL_ECOST) for these flat ratios (K·O(d)/(L − d) about ln L/2 over most d for random-tc),
 * and agree with the whole overshoot (dlmkl_worst_compute, the windowed (k, m) sums in long double, an
 * independent route) to 1e-12; its d is a maximiser of the whole overshoot's ratios to 1e-12 (at the
 * ceiling K, d_tc is the first d whose ratio rounds to K, which may differ between routes by a few). */
static void check_beta_worst_large(const char *spec, int L, int K)
{
    dlmkl_schedule *s = sched(spec, L, K);
    dlmkl_worst a, b;
    int st = dlmkl_worst_iid_beta(s, 0, &b);
    ck_assert_msg(st == DLMKL_OK, "%s L=%d K=%d: the fast route gave up: %s", spec, L, K, dlmkl_last_error());
    double *O = malloc(((size_t)L + 1) * sizeof *O);
    ck_assert_ptr_nonnull(O);
    ck_assert_int_eq(dlmkl_overshoot(s, O), DLMKL_OK);
    dlmkl_worst_from_overshoot(L, s->budget, O, &a);
    ck_assert(b.K == a.K && b.L == a.L && b.ln_L == a.ln_L);
    TU_CLOSE(b.worst_tc, a.worst_tc, 1e-12 * a.worst_tc, "%s L=%d K=%d worst_tc", spec, L, K);
    TU_CLOSE(b.worst_dtc, a.worst_dtc, 1e-12 * a.worst_dtc, "%s L=%d K=%d worst_dtc", spec, L, K);
    const double rt = (double)a.K * O[b.d_tc] / (L - b.d_tc), rd = (double)a.K * O[b.d_dtc] / b.d_dtc;
    ck_assert_msg(rt >= a.worst_tc * (1 - 1e-12) && rd >= a.worst_dtc * (1 - 1e-12),
                  "%s L=%d K=%d: d_tc %d (whole %d), d_dtc %d (whole %d)", spec, L, K, b.d_tc, a.d_tc, b.d_dtc, a.d_dtc);
    if (a.worst_tc < (double)a.K * (1 - 1e-12)) /* no tie at the ceiling: the same d */
        ck_assert_msg(b.d_tc == a.d_tc, "%s L=%d K=%d: d_tc %d, whole %d", spec, L, K, b.d_tc, a.d_tc);
    ck_assert_msg(b.d_dtc == a.d_dtc, "%s L=%d K=%d: d_dtc %d, whole %d", spec, L, K, b.d_dtc, a.d_dtc);
    printf("  %s L=%d K=%d: worst_tc %.17g (d %d, whole %d), worst_dtc %.17g (d %d)\n", spec, L, K, b.worst_tc,
           b.d_tc, a.d_tc, b.worst_dtc, b.d_dtc);
    free(O);
    dlmkl_schedule_free(s);
}

START_TEST(test_beta_worst_large_L)
{
    static const struct {
        const char *spec;
        int L, K;
    } cases[] = {{"random-tc", 100000, 16384}, {"iid:cosine", 100000, 16384}, {"iid:linear", 100000, 16384},
                 {"random-dtc", 100000, 16384}, {"iid:linear", 100000, 1024}, {"random-tc", 200000, 65536},
                 {"iid:poly:a=2", 100000, 16384}};
    const int n = tu_fast() ? 2 : (int)(sizeof cases / sizeof cases[0]);
    for (int i = 0; i < n; i++)
        check_beta_worst_large(cases[i].spec, cases[i].L, cases[i].K);
    if (tu_fast())
        return;
    /* L = 10^6, K = 2^18: the whole overshoot takes about 25 s here, so its values (dlmkl 'kl --profile
     * copy:L=1000000 --schedule random-tc --K 262144' before the branch and bound could narrow this case,
     * commit f22de3c) are the reference; the fast route must not give up */
    dlmkl_schedule *s = sched("random-tc", 1000000, 262144);
    dlmkl_worst w;
    int st = dlmkl_worst_iid_beta(s, 0, &w);
    ck_assert_msg(st == DLMKL_OK, "random-tc L=10^6 K=2^18: %s", dlmkl_last_error());
    TU_CLOSE(w.worst_tc, 13.81521409329703, 1e-12 * 13.81521409329703, "L=10^6 worst_tc");
    TU_CLOSE(w.worst_dtc, 13553016.327067902, 1e-12 * 13553016.327067902, "L=10^6 worst_dtc");
    ck_assert_int_eq(w.d_tc, 999999);
    ck_assert_int_eq(w.d_dtc, 1);
    dlmkl_schedule_free(s);
}
END_TEST

START_TEST(test_beta_worst_reference_values)
{
    const char *root = getenv("DLMKL_SOURCE_ROOT");
    char path[4096], mpath[4096];
    snprintf(path, sizeof path, "%s/tests/ref/worst_refs.csv", root ? root : ".");
    snprintf(mpath, sizeof mpath, "%s/tests/ref/worst_refs_margins.csv", root ? root : ".");
    FILE *f = fopen(path, "r"), *g = fopen(mpath, "r");
    ck_assert_msg(f && g, "cannot open %s or %s", path, mpath);
    char line[512], mline[512];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_ptr_nonnull(fgets(mline, sizeof mline, g));
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64], mname[64];
        int L, K, dtc, ddtc, mL, mK;
        double wtc, wdtc, deficit, tcgap, dtcgap;
        ck_assert_int_eq(sscanf(line, "%63[^,],%d,%d,%lf,%d,%lf,%d", name, &L, &K, &wtc, &dtc, &wdtc, &ddtc), 7);
        ck_assert_ptr_nonnull(fgets(mline, sizeof mline, g));
        ck_assert_int_eq(sscanf(mline, "%63[^,],%d,%d,%lf,%lf,%lf", mname, &mL, &mK, &deficit, &tcgap, &dtcgap), 6);
        if (strncmp(name, "iid:", 4) != 0 && strncmp(name, "random-", 7) != 0)
            continue;
        dlmkl_schedule *s = sched(name, L, K);
        dlmkl_worst w;
        int st = dlmkl_worst_iid_beta(s, 0, &w);
        dlmkl_schedule_free(s);
        if (st == DLMKL_ECOST)
            continue; /* the bound leaves too many d (counted below) */
        ck_assert_msg(st == DLMKL_OK, "%s L=%d K=%d: %s", name, L, K, dlmkl_last_error());
        TU_CLOSE(w.worst_tc, wtc, 1e-12 * wtc, "%s L=%d K=%d worst_tc", name, L, K);
        TU_CLOSE(w.worst_dtc, wdtc, 1e-12 * wdtc, "%s L=%d K=%d worst_dtc", name, L, K);
        if (tcgap > 1e-9 && deficit > 1e-9)
            ck_assert_msg(w.d_tc == dtc, "%s L=%d K=%d: d_tc %d, reference %d", name, L, K, w.d_tc, dtc);
        if (dtcgap > 1e-9)
            ck_assert_msg(w.d_dtc == ddtc, "%s L=%d K=%d: d_dtc %d, reference %d", name, L, K, w.d_dtc, ddtc);
        rows++;
    }
    fclose(f), fclose(g);
    printf("test_beta_worst_reference_values: %d rows by branch and bound\n", rows);
    ck_assert_int_ge(rows, 8);
}
END_TEST

START_TEST(test_known_worst_cases)
{
    /* balanced with K | L: O(d) = N(d) − d is largest at d = 1 after each boundary: worst_tc = K
     * (d = L − 1 inside the last block... the last block reveals d = L−1 with overshoot 1: K·1/1),
     * worst_dtc = K (L/K − 1) at d = 1 */
    dlmkl_worst w = worst_of("balanced", 16, 4);
    TU_CLOSE(w.worst_tc, 4.0, 1e-15, "balanced 16/4 worst_tc");
    TU_CLOSE(w.worst_dtc, 12.0, 1e-15, "balanced 16/4 worst_dtc");
    ck_assert_int_eq(w.d_dtc, 1);
    /* one iteration: K·(L − d)/(L − d) = 1 for every d; DTC: (L − 1)/1 at d = 1 */
    w = worst_of("random-tc", 10, 1);
    TU_CLOSE(w.worst_tc, 1.0, 1e-14, "K=1 worst_tc");
    TU_CLOSE(w.worst_dtc, 9.0, 1e-13, "K=1 worst_dtc");
    /* all singles: 0 */
    w = worst_of("balanced", 9, 9);
    ck_assert(w.worst_tc == 0 && w.worst_dtc == 0);
    /* L = 1: nothing to measure */
    w = worst_of("balanced", 1, 1);
    ck_assert(isnan(w.worst_tc) && isnan(w.worst_dtc));
}
END_TEST

int main(void)
{
    Suite *su = suite_create("worst");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, test_known_worst_cases);
    tcase_add_test(tc, test_dp_on_code_profiles);
    tcase_add_test(tc, test_no_law_exceeds_it);
    tcase_add_test(tc, test_a_code_attains_it);
    tcase_add_test(tc, test_reference_values);
    tcase_add_test(tc, test_beta_worst_vs_windows);
    tcase_add_test(tc, test_beta_worst_reference_values);
    tcase_add_test(tc, test_beta_worst_large_L);
    suite_add_tcase(su, tc);
    return tu_run(su);
}
