/* test_schedule.c: schedule specs, size rules, Chen schedules, the optimal DP, and bad specs. */
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

static void expect_sizes(const char *spec, int L, int K, const char *want)
{
    dlmkl_schedule *s = sched(spec, L, K, NULL);
    char buf[512];
    dlmkl_schedule_sizes_string(s, buf, sizeof buf);
    ck_assert_msg(strcmp(buf, want) == 0, "'%s' L=%d K=%d gave sizes %s, expected %s", spec, L, K, buf, want);
    dlmkl_schedule_free(s);
}

START_TEST(test_deterministic_rules)
{
    expect_sizes("sizes:4,3,1", 8, -1, "4-3-1");
    expect_sizes("balanced", 10, 4, "3-3-2-2");
    expect_sizes("balanced", 8, 8, "1-1-1-1-1-1-1-1");
    /* linear: N_k = round(10 k/4) = 3 (2.5 rounds up), 5, 8 (7.5), 10 */
    expect_sizes("linear", 10, 4, "3-2-3-2");
    /* cosine: N_k = round(10 (1 - cos(pi k/8))): 0.76->1, 2.93->3, 6.17->6, 10 */
    expect_sizes("cosine", 10, 4, "1-2-3-4");
    /* poly a=2: round(10 (k/4)^2) = 0.625->1, 2.5->3, 5.625->6, 10 */
    expect_sizes("poly:a=2", 10, 4, "1-2-3-4");
    /* at least one token per iteration: poly a=4, L=4, K=4 */
    expect_sizes("poly:a=4", 4, 4, "1-1-1-1");
    expect_sizes("cosine", 3, 3, "1-1-1");
}
END_TEST

START_TEST(test_chen_sizes)
{
    /* L = 10, zeta = 2: lambda = floor(log(9)/log 2) + 2 = 5; N = 5, 7, 8, 9, 9 (zero dropped), then 10 */
    expect_sizes("chen-tc:zeta=2", 10, -1, "5-2-1-1-1");
    expect_sizes("chen-dtc:zeta=2", 10, -1, "1-1-1-2-5");
    /* zeta = 1: one step */
    expect_sizes("chen-tc:zeta=1", 6, -1, "6");
    /* zeta >= L + 1: singles */
    expect_sizes("chen-tc:zeta=7", 6, -1, "1-1-1-1-1-1");
    /* L = 20, zeta = 3: lambda = floor(log(18)/log(1.5)) + 2 = 9; steps floor(rem/3):
     * 6 (N=6), 4 (10), 3 (13), 2 (15), 1 (16), 1 (17), 1 (18), 0, 0, then singles 19, 20 */
    expect_sizes("chen-tc:zeta=3", 20, -1, "6-4-3-2-1-1-1-1-1");
    /* K-targeted: the largest integer zeta that fits */
    for (int K = 1; K <= 12; K++) {
        dlmkl_schedule *s = sched("chen-tc", 12, K, NULL);
        ck_assert_msg(s->nsteps <= K, "chen-tc K=%d used %d steps", K, s->nsteps);
        ck_assert_int_eq(s->budget, K);
        int n, buf[64];
        dlmkl_chen_sizes(12, s->zeta + 1, 0, buf, &n);
        ck_assert_msg(n > K || s->zeta >= 13, "zeta %g is not the largest for K=%d", s->zeta, K);
        dlmkl_schedule_free(s);
    }
    /* an empty parameter ("chen-tc:") is the K-targeted form, never an unset zeta (read uninitialised
     * before: caught by the valgrind pass) */
    for (int K = 1; K <= 6; K++)
        for (int c = 0; c < 2; c++) {
            dlmkl_schedule *a = sched(c ? "chen-dtc" : "chen-tc", 12, K, NULL);
            dlmkl_schedule *b = sched(c ? "chen-dtc:" : "chen-tc:", 12, K, NULL);
            ck_assert_msg(a->nsteps == b->nsteps && a->zeta == b->zeta && memcmp(a->sizes, b->sizes, (size_t)a->nsteps * sizeof *a->sizes) == 0,
                          "%s: with K=%d: zeta %g, %d steps; without ':' zeta %g, %d steps", b->name, K, b->zeta, b->nsteps,
                          a->zeta, a->nsteps);
            dlmkl_schedule_free(a), dlmkl_schedule_free(b);
        }
}
END_TEST

/* Exhaustive minimum of Σ_k c(m_k, s_k) over compositions of L into at most K positive parts. */
static double exhaustive(const double *h, int L, int K, int m, int k)
{
    if (m == L)
        return 0.0;
    if (k == K)
        return INFINITY;
    double best = INFINITY;
    for (int s = 1; s <= L - m; s++) {
        double c = s * (h[m + 1] - h[m]) - (h[m + s] - h[m]);
        double v = c + exhaustive(h, L, K, m + s, k + 1);
        if (v < best)
            best = v;
    }
    return best;
}

START_TEST(test_optimal_vs_exhaustive)
{
    static const int cases[][2] = {{6, 2}, {7, 2}, {8, 2}, {5, 3}, {4, 4}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        dlmkl_dist *d = tu_random_table(L, V, 300 + c, 0.4);
        dlmkl_profile *prof = tu_profile(d);
        for (int K = 1; K <= L; K++) {
            int sizes[64], n;
            double cost, cost2;
            ck_assert_int_eq(dlmkl_optimal_sizes_exact(prof, K, sizes, &n, &cost), DLMKL_OK);
            double ex = exhaustive(prof->h, L, K, 0, 0);
            TU_CLOSE(cost, ex, 1e-12, "optimal vs exhaustive L=%d V=%d K=%d seed=%zu", L, V, K, 300 + c);
            /* the reported sizes attain the cost, and no other deterministic schedule beats it */
            dlmkl_schedule *s = sched("optimal", L, K, prof);
            ck_assert_int_le(s->nsteps, K);
            ck_assert_int_eq(dlmkl_kl_expected(prof, s, &cost2), DLMKL_OK);
            TU_CLOSE(cost2, ex, 1e-12, "optimal schedule's kl_expected, L=%d K=%d", L, K);
            static const char *others[] = {"balanced", "linear", "cosine", "poly:a=2", "chen-tc", "chen-dtc"};
            for (size_t o = 0; o < sizeof others / sizeof others[0]; o++) {
                dlmkl_schedule *t = sched(others[o], L, K, prof);
                double v;
                dlmkl_kl_expected(prof, t, &v);
                ck_assert_msg(v >= cost2 - 1e-12, "%s beats optimal at L=%d K=%d: %g < %g", others[o], L, K, v, cost2);
                dlmkl_schedule_free(t);
            }
            dlmkl_schedule_free(s);
        }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_optimal_divide_and_conquer)
{
    /* large profiles: the O(K L log L) route must match the exact DP (concave random profiles: h(m) =
     * Σ_{j<=m} g_j with g nonincreasing) */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    for (int trial = 0; trial < 4; trial++) {
        int L = 200 + 100 * trial;
        dlmkl_profile *prof = dlmkl_profile_alloc(L);
        double *g = malloc((size_t)L * sizeof *g);
        for (int j = 0; j < L; j++)
            g[j] = gsl_rng_uniform(r);
        for (int j = 0; j < L; j++)
            for (int i = j + 1; i < L; i++)
                if (g[i] > g[j]) {
                    double t = g[i];
                    g[i] = g[j];
                    g[j] = t;
                }
        for (int m = 1; m <= L; m++)
            prof->h[m] = prof->h[m - 1] + g[m - 1];
        for (int K = 2; K <= 40; K += 19) {
            int a[1024], b[1024], na, nb;
            double ca, cb;
            ck_assert_int_eq(dlmkl_optimal_sizes_exact(prof, K, a, &na, &ca), DLMKL_OK);
            ck_assert_int_eq(dlmkl_optimal_sizes_dc(prof, K, b, &nb, &cb), DLMKL_OK);
            TU_CLOSE(cb, ca, 1e-9 * (1 + ca), "D&C vs exact L=%d K=%d trial=%d seed=42", L, K, trial);
        }
        free(g);
        dlmkl_profile_free(prof);
    }
    gsl_rng_free(r);
}
END_TEST

static void expect_error(const char *spec, int L, int K, const char *phrase)
{
    dlmkl_schedule *s = NULL;
    int st = dlmkl_schedule_from_spec(spec, L, K, NULL, &s);
    ck_assert_msg(st != DLMKL_OK, "'%s' L=%d K=%d should fail", spec, L, K);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(dlmkl_last_error(), phrase), "'%s': message '%s' lacks '%s'", spec, dlmkl_last_error(), phrase);
}


START_TEST(test_bad_specs)
{
    expect_error("sizes:4,3", 8, -1, "sum to L");
    expect_error("sizes:4,x", 8, -1, "integers");
    expect_error("sizes:4,4", 8, 3, "but K is 3");
    expect_error("balanced", 4, 5, "cannot exceed L");
    expect_error("balanced", 4, -1, "number of iterations K");
    expect_error("optimal", 4, 2, "profile");
    expect_error("random-tc:rho=0", 8, 3, "rho");
    expect_error("random-dtc:rho=-2", 8, 3, "rho");
    expect_error("iid:wavy", 8, 3, "unknown");
    expect_error("poly:a=-1", 8, 3, "a > 0");
    expect_error("chen-tc:zeta=0.5", 8, -1, "zeta");
    expect_error("nonsense", 8, 3, "unknown schedule");
    expect_error("law:/nonexistent/law.csv", 4, -1, "cannot open");
    char *p = tu_write_tmp("k,m,s,prob\n1,0,2,0.5\n1,0,1,0.4\n2,2,2,1\n2,1,3,1\n");
    char spec[128];
    snprintf(spec, sizeof spec, "law:%s", p);
    expect_error(spec, 4, -1, "sums to");
    unlink(p);
    p = tu_write_tmp("k,m,s,prob\n1,0,2,1\n2,2,1,1\n");
    snprintf(spec, sizeof spec, "law:%s", p);
    expect_error(spec, 4, -1, "last iteration");
    unlink(p);
    p = tu_write_tmp("k,m,s,prob\n1,0,2,0.5\n1,0,1,0.5\n2,2,2,1\n");
    snprintf(spec, sizeof spec, "law:%s", p);
    expect_error(spec, 4, -1, "no row");
    unlink(p);
    /* the twin of a law file has the file's K: no K needed (K = 0, as a sweep passes it), and a
     * K other than the file's is refused */
    p = tu_write_tmp("k,m,s,prob\n1,0,2,0.5\n1,0,4,0.5\n2,2,4,1\n2,4,2,1\n");
    snprintf(spec, sizeof spec, "twin:law:%s", p);
    ck_assert_msg(dlmkl_schedule_implies_K(spec), "%s should imply K", spec);
    for (int K = 0; K <= 2; K += 2) {
        dlmkl_schedule *tw = NULL;
        int st = dlmkl_schedule_from_spec(spec, 6, K, NULL, &tw);
        ck_assert_msg(st == DLMKL_OK, "%s with K = %d: %s", spec, K, dlmkl_last_error());
        char sizes[64];
        dlmkl_schedule_sizes_string(tw, sizes, sizeof sizes);
        ck_assert_msg(tw->nsteps == 2 && strcmp(sizes, "3-3") == 0, "%s: %d steps, sizes %s; expected 2, 3-3", spec,
                      tw->nsteps, sizes);
        dlmkl_schedule_free(tw);
    }
    expect_error(spec, 6, 3, "K is 3");
    unlink(p);
    dlmkl_positions pos;
    ck_assert_int_ne(dlmkl_positions_parse("diagonal", &pos), DLMKL_OK);
    ck_assert_int_ne(dlmkl_positions_parse("stride:0", &pos), DLMKL_OK);
}
END_TEST

START_TEST(test_step_laws_sum_to_one)
{
    static const char *specs[] = {"iid:linear", "iid:cosine", "iid:poly:a=3", "random-tc", "random-dtc", "composition",
                                  "random-tc:rho=1"};
    const int L = 9, K = 4;
    double ps[16];
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        dlmkl_schedule *s = sched(specs[i], L, K, NULL);
        for (int k = 0; k < K; k++)
            for (int m = 0; m + (s->kind == DLMKL_SCHED_COMPOSITION ? K - k : 0) <= L; m++) {
                ck_assert_int_eq(dlmkl_schedule_step_law(s, k, m, ps), DLMKL_OK);
                double sum = 0;
                for (int j = 0; j <= L - m; j++)
                    sum += ps[j];
                TU_CLOSE(sum, 1.0, 1e-12, "%s k=%d m=%d", specs[i], k, m);
                if (k == K - 1)
                    TU_CLOSE(ps[L - m], 1.0, 1e-12, "%s last step reveals all, m=%d", specs[i], m);
            }
        dlmkl_schedule_free(s);
    }
    /* random-tc front-loads, random-dtc back-loads */
    dlmkl_schedule *a = sched("random-tc", 64, 6, NULL), *b = sched("random-dtc", 64, 6, NULL);
    ck_assert(a->pi[0] > a->pi[5] && b->pi[0] < b->pi[5]);
    TU_CLOSE(a->pi[0] / a->pi[1], pow(64, 1.0 / 6), 1e-12, "rho = L^(1/K)");
    dlmkl_schedule_free(a), dlmkl_schedule_free(b);
}
END_TEST

START_TEST(test_chen_zeta_binary_search)
{
    /* the K-targeted ζ (binary search, relying on n(ζ) nondecreasing) equals the full scan over
     * ζ = 1..K of the largest ζ whose schedule fits in K steps */
    static const int Ls[] = {1, 2, 3, 7, 16, 33, 64, 100, 257, 300, 1000, 4096};
    for (size_t i = 0; i < sizeof Ls / sizeof Ls[0]; i++) {
        const int L = Ls[i];
        int *buf = malloc((size_t)L * sizeof *buf), prev = 0;
        for (int z = 1; z <= L + 1; z++) { /* n(ζ) nondecreasing, and the count equals the sizes' */
            int n, c;
            dlmkl_chen_sizes(L, z, 0, buf, &n);
            dlmkl_chen_sizes(L, z, 0, NULL, &c);
            ck_assert_msg(n == c, "L=%d zeta=%d: %d sizes, count %d", L, z, n, c);
            ck_assert_msg(n >= prev, "L=%d: n(%d) = %d < n(%d) = %d", L, z, n, z - 1, prev);
            prev = n;
        }
        for (int K = 1; K <= L; K += (L > 300 ? 37 : 1)) {
            int best = 1;
            for (int z = 1; z <= K; z++) {
                int n;
                dlmkl_chen_sizes(L, z, 0, buf, &n);
                if (n <= K)
                    best = z;
            }
            dlmkl_schedule *s = NULL;
            ck_assert_int_eq(dlmkl_schedule_from_spec("chen-tc", L, K, NULL, &s), DLMKL_OK);
            double want = K >= L ? L + 1.0 : best;
            ck_assert_msg(s->zeta == want, "L=%d K=%d: zeta %g, scan %g", L, K, s->zeta, want);
            dlmkl_schedule_free(s);
        }
        free(buf);
    }
}
END_TEST

/* A schedule's name (the kl CSV's schedule column) rebuilds the same schedule: parameters are
 * named with every digit they need (before: "%g", so rho = 1.23456789123 was recorded as 1.23457). */
START_TEST(test_name_round_trip)
{
    static const char *specs[] = {"random-tc:rho=1.23456789123", "random-dtc:rho=0.1", "random-tc:rho=1e300",
                                  "powerlaw:a=0.333333333333333", "powerlaw:a=2", "chen-tc:zeta=2.718281828459045",
                                  "chen-dtc:zeta=3", "chen-tc"};
    static const char *want[] = {"random-tc:rho=1.23456789123", "random-dtc:rho=0.1", "random-tc:rho=1e+300",
                                 "powerlaw:a=0.333333333333333", "powerlaw:a=2", "chen-tc:zeta=2.718281828459045",
                                 "chen-dtc:zeta=3", "chen-tc:zeta=1"};
    const int L = 40, K = 6;
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
        const int Ki = dlmkl_schedule_implies_K(specs[i]) ? 0 : K;
        dlmkl_schedule *a = sched(specs[i], L, Ki, NULL), *b = sched(a->name, L, Ki, NULL);
        ck_assert_msg(strcmp(a->name, want[i]) == 0, "'%s' named '%s', expected '%s'", specs[i], a->name, want[i]);
        ck_assert_msg(strcmp(a->name, b->name) == 0, "'%s' named '%s', which builds '%s'", specs[i], a->name, b->name);
        ck_assert_msg(a->nsteps == b->nsteps && a->zeta == b->zeta && a->power_a == b->power_a,
                      "'%s' and its name '%s' differ", specs[i], a->name);
        if (a->pi)
            for (int k = 0; k < a->nsteps; k++)
                ck_assert_msg(a->pi[k] == b->pi[k], "'%s': pi[%d] %.17g, from its name %.17g", specs[i], k, a->pi[k],
                              b->pi[k]);
        dlmkl_schedule_free(a), dlmkl_schedule_free(b);
    }
}
END_TEST

/* Every record of the type table: found by its name, help and usage non-empty, and its flags true of
 * what its example builds (L = 8, K = 4 unless the example fixes its own K). */
START_TEST(test_type_table)
{
    const int L = 8, n = dlmkl_schedule_type_count();
    ck_assert_int_gt(n, 0);
    ck_assert(dlmkl_schedule_type_at(-1) == NULL && dlmkl_schedule_type_at(n) == NULL);
    ck_assert(dlmkl_schedule_type_find("nosuch") == NULL && dlmkl_schedule_type_find("") == NULL);
    dlmkl_dist *d = tu_dist("copy:L=8");
    dlmkl_profile *prof = tu_profile(d);
    char *lawpath = tu_write_tmp("k,m,s,prob\n1,0,3,1\n2,3,5,1\n");
    char spec[256];
    dlmkl_schedule *s;
    for (int i = 0; i < n; i++) {
        const dlmkl_schedule_type *t = dlmkl_schedule_type_at(i);
        const unsigned f = t->flags;
        ck_assert_msg(dlmkl_schedule_type_find(t->name) == t, "'%s' not found by its name", t->name);
        snprintf(spec, sizeof spec, "%s:x", t->name);
        ck_assert_msg(dlmkl_schedule_type_find(spec) == t, "'%s' not found as the head of '%s'", t->name, spec);
        ck_assert_msg(t->help && *t->help && strstr(dlmkl_schedule_spec_help(), t->help), "'%s': help missing", t->name);
        ck_assert_msg(t->usage && strncmp(t->usage, t->name, strlen(t->name)) == 0, "'%s': usage '%s'", t->name, t->usage);
        ck_assert_msg(t->build && t->example, "'%s': no builder or example", t->name);
        ck_assert_msg(!(f & DLMKL_SCHED_FLAG_NEEDS_ARG) || (f & DLMKL_SCHED_FLAG_TAKES_ARG), "'%s': flags", t->name);
        ck_assert_msg(!(f & DLMKL_SCHED_FLAG_OWN_K) == !t->own_K_arg && !t->own_K_arg == !t->own_K_form,
                      "'%s': OWN_K without its argument prefix and form", t->name);
        if (strcmp(t->name, "law") == 0)
            snprintf(spec, sizeof spec, "law:%s", lawpath);
        else
            snprintf(spec, sizeof spec, "%s", t->example);
        ck_assert_msg(dlmkl_schedule_type_find(spec) == t, "'%s': example '%s' has another head", t->name, spec);
        const unsigned sf = dlmkl_schedule_spec_flags(spec);
        const int own = (sf & DLMKL_SCHED_FLAG_OWN_K) != 0, K = own ? -1 : 4;
        ck_assert_int_eq(own, dlmkl_schedule_implies_K(spec));
        int st = dlmkl_schedule_from_spec(spec, L, K, prof, &s);
        ck_assert_msg(st == DLMKL_OK, "'%s' example '%s' failed: %s", t->name, spec, dlmkl_last_error());
        if (f & DLMKL_SCHED_FLAG_FIXED_SIZES)
            ck_assert_msg(s->kind == DLMKL_SCHED_FIXED, "'%s': FIXED_SIZES but kind %d", t->name, s->kind);
        else
            ck_assert_msg(s->kind != DLMKL_SCHED_FIXED, "'%s': not FIXED_SIZES but fixed", t->name);
        if (f & DLMKL_SCHED_FLAG_K_LE_L)
            ck_assert_msg(s->nsteps <= L, "'%s': K_LE_L but K = %d > L", t->name, s->nsteps);
        if (!own)
            ck_assert_msg(s->budget == 4, "'%s': budget %d, asked 4", t->name, s->budget);
        dlmkl_schedule_free(s);
        if (!own) {
            /* without K it fails; with K = L + 1 exactly when every iteration must reveal a token */
            ck_assert_msg(dlmkl_schedule_from_spec(spec, L, -1, prof, &s) == DLMKL_EINVAL, "'%s' without K", spec);
            st = dlmkl_schedule_from_spec(spec, L, L + 1, prof, &s);
            ck_assert_msg((st == DLMKL_OK) == !(f & DLMKL_SCHED_FLAG_K_LE_L), "'%s' K = L + 1: status %d", spec, st);
            if (st == DLMKL_OK)
                dlmkl_schedule_free(s);
            /* the profile: needed exactly by NEEDS_PROFILE */
            st = dlmkl_schedule_from_spec(spec, L, 4, NULL, &s);
            ck_assert_msg((st == DLMKL_OK) == !(f & DLMKL_SCHED_FLAG_NEEDS_PROFILE), "'%s' without profile: %d", spec, st);
            if (st == DLMKL_OK)
                dlmkl_schedule_free(s);
        }
        /* the bare name: refused exactly when an argument is needed (K given) */
        st = dlmkl_schedule_from_spec(t->name, L, 4, prof, &s);
        ck_assert_msg((st == DLMKL_OK) == !(f & DLMKL_SCHED_FLAG_NEEDS_ARG), "'%s' bare: status %d", t->name, st);
        if (st == DLMKL_OK)
            dlmkl_schedule_free(s);
        if (!(f & DLMKL_SCHED_FLAG_TAKES_ARG)) {
            snprintf(spec, sizeof spec, "%s:x", t->name);
            ck_assert_msg(dlmkl_schedule_from_spec(spec, L, 4, prof, &s) == DLMKL_EINVAL, "'%s' took an argument", spec);
        }
        /* an unknown schedule's message lists every name */
        ck_assert_int_eq(dlmkl_schedule_from_spec("nosuch", L, 4, prof, &s), DLMKL_EINVAL);
        ck_assert_msg(strstr(dlmkl_last_error(), t->usage) != NULL, "unknown-schedule message lacks '%s'", t->usage);
    }
    /* twin: takes its iterations and needs from what it twins */
    ck_assert(dlmkl_schedule_spec_flags("twin:sizes:3,5") & DLMKL_SCHED_FLAG_OWN_K);
    ck_assert(dlmkl_schedule_spec_flags("twin:optimal") & DLMKL_SCHED_FLAG_NEEDS_PROFILE);
    ck_assert(!(dlmkl_schedule_spec_flags("twin:random-tc") & DLMKL_SCHED_FLAG_OWN_K));
    ck_assert(!(dlmkl_schedule_spec_flags("iid:linear") & DLMKL_SCHED_FLAG_OWN_K));
    ck_assert(dlmkl_schedule_spec_flags("iid:pi=1/2") & DLMKL_SCHED_FLAG_OWN_K);
    ck_assert(!(dlmkl_schedule_spec_flags("sizes") & DLMKL_SCHED_FLAG_OWN_K));
    ck_assert_int_eq(dlmkl_schedule_spec_flags("nosuch:x"), 0);
    unlink(lawpath);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_deterministic_rules);
    tcase_add_test(tc, test_chen_sizes);
    tcase_add_test(tc, test_optimal_vs_exhaustive);
    tcase_add_test(tc, test_optimal_divide_and_conquer);
    tcase_add_test(tc, test_bad_specs);
    tcase_add_test(tc, test_step_laws_sum_to_one);
    tcase_add_test(tc, test_chen_zeta_binary_search);
    tcase_add_test(tc, test_type_table);
    tcase_add_test(tc, test_name_round_trip);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
