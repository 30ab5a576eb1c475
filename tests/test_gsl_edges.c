/* test_gsl_edges.c: every path of the library that calls GSL, fed its domain edge, returns a dlmkl
 * error (or the right value at the edge itself), never a call to GSL's error handler; the library
 * leaves that handler alone; the dlmkl program exits with a status, never a signal.
 *
 * tu_run installs a GSL error handler that fails the running test, so any argument that reached
 * GSL outside its domain would show up here as a failure naming GSL's file and reason.
 *
 * GSL-facing paths (grep gsl_ src/):
 *   schedule.c  gsl_ran_binomial_pdf (iid step law, q in [0, 1]), gsl_sf_lnchoose_e (composition
 *               step law, n >= m)
 *   families.c  gsl_ran_gamma / gsl_rng_uniform_pos (Dirichlet draws, alpha finite > 0)
 *   sampler.c   gsl_rng_uniform_int (bound in 1..masked), gsl_rng_uniform
 *   common.c    the generator allocation (dlmkl_rng_alloc), dlmkl_gsl_status
 * Usage: test_gsl_edges [PATH_TO_DLMKL] (the program checks are skipped without it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "dlmkl/sampler.h"
#include "dlmkl/schedule.h"
#include "internal.h"
#include "testutil.h"

static const char *dlmkl_exe;

static dlmkl_schedule *sched(const char *spec, int L, int K)
{
    dlmkl_schedule *s = NULL;
    int st = dlmkl_schedule_from_spec(spec, L, K, NULL, &s);
    ck_assert_msg(st == DLMKL_OK, "schedule '%s' L=%d K=%d: %s", spec, L, K, dlmkl_last_error());
    return s;
}

#define EXPECT_ERR(call, status, phrase, ...)                                                              \
    do {                                                                                                   \
        int st_ = (call);                                                                                  \
        ck_assert_msg(st_ == (status) && strstr(dlmkl_last_error(), (phrase)),                             \
                      "%s: status %d (want %d), message '%s' (want '%s') -- case: %s", #call, st_, (status), \
                      dlmkl_last_error(), (phrase), tu_case(__VA_ARGS__));                                 \
    } while (0)

/* iid step law: gsl_ran_binomial_pdf needs q in [0, 1] */
START_TEST(test_binomial_q)
{
    const int L = 6, K = 3;
    double ps[7];
    static const double bad[] = {NAN, -0.25, -INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dlmkl_schedule *s = sched("iid:linear", L, K);
        s->pi[0] = bad[i]; /* a corrupted schedule: the step law must refuse it, not pass it to GSL */
        EXPECT_ERR(dlmkl_schedule_step_law(s, 0, 0, ps), DLMKL_EINVAL, "outside [0, 1]", "pi_1 = %g", bad[i]);
        dlmkl_schedule_free(s);
    }
    /* a NaN in the tail (summed once at build time) poisons q */
    dlmkl_schedule *s = sched("iid:linear", L, K);
    s->pi_tail[0] = NAN;
    EXPECT_ERR(dlmkl_schedule_step_law(s, 0, 0, ps), DLMKL_EINVAL, "outside [0, 1]", "pi_3 = NaN");
    /* the edges q = 0 and q = 1 are in the domain: all mass on 0 or on n */
    s->pi[0] = 0.0, s->pi[1] = 0.5, s->pi[2] = 0.5;
    s->pi_tail[0] = 1.0, s->pi_tail[1] = 1.0, s->pi_tail[2] = 0.5;
    ck_assert_int_eq(dlmkl_schedule_step_law(s, 0, 0, ps), DLMKL_OK);
    TU_CLOSE(ps[0], 1.0, 0, "q = 0");
    ck_assert_int_eq(dlmkl_schedule_step_law(s, 2, 1, ps), DLMKL_OK); /* last step: q = 1 */
    TU_CLOSE(ps[L - 1], 1.0, 0, "q = 1 at the last step, m = 1");
    /* pi_1 > its tail (rounding in a real schedule): clamped to q = 1 */
    s->pi[0] = 2.0, s->pi[1] = 0.0, s->pi[2] = 0.0;
    ck_assert_int_eq(dlmkl_schedule_step_law(s, 0, 0, ps), DLMKL_OK);
    TU_CLOSE(ps[L], 1.0, 0, "q clamped to 1");
    dlmkl_schedule_free(s);
    /* pi_k ∝ rho^(1-k) with rho tiny is computed in log space: finite, in [0, 1], and the law of
     * random-dtc with 1/rho */
    dlmkl_schedule *t = NULL, *u = NULL;
    ck_assert_int_eq(dlmkl_schedule_from_spec("random-tc:rho=1e-300", L, K, NULL, &t), DLMKL_OK);
    ck_assert_int_eq(dlmkl_schedule_from_spec("random-dtc:rho=1e300", L, K, NULL, &u), DLMKL_OK);
    for (int k = 0; k < K; k++) {
        ck_assert_msg(t->pi[k] >= 0 && t->pi[k] <= 1, "pi_%d = %g", k + 1, t->pi[k]);
        TU_CLOSE(t->pi[k], u->pi[k], 1e-15, "rho = 1e-300 vs random-dtc 1e300, k = %d", k + 1);
    }
    dlmkl_schedule_free(t), dlmkl_schedule_free(u);
}
END_TEST

/* composition step law: gsl_sf_lnchoose(n, m) needs n >= m */
START_TEST(test_lnchoose)
{
    const int L = 6, K = 4;
    double ps[7];
    dlmkl_schedule *s = sched("composition", L, K);
    for (int k = 0; k < K; k++) {
        int r = K - k;
        for (int m = 0; m <= L; m++) {
            int n = L - m;
            int st = dlmkl_schedule_step_law(s, k, m, ps);
            if (n < r) {
                ck_assert_msg(st == DLMKL_EINVAL && strstr(dlmkl_last_error(), "cannot fill"),
                              "k=%d m=%d (n=%d < r=%d): status %d, '%s'", k, m, n, r, st, dlmkl_last_error());
                continue;
            }
            ck_assert_msg(st == DLMKL_OK, "k=%d m=%d: %s", k, m, dlmkl_last_error());
            double sum = 0;
            for (int j = 0; j <= n; j++)
                sum += ps[j];
            TU_CLOSE(sum, 1.0, 1e-12, "composition step law k=%d m=%d sums to 1", k, m);
            if (n == r) /* the edge: every remaining part is 1 */
                TU_CLOSE(ps[1], 1.0, 1e-12, "k=%d m=%d n=r", k, m);
        }
    }
    EXPECT_ERR(dlmkl_schedule_step_law(s, K, 0, ps), DLMKL_EINVAL, "outside", "k = K");
    EXPECT_ERR(dlmkl_schedule_step_law(s, -1, 0, ps), DLMKL_EINVAL, "outside", "k = -1");
    EXPECT_ERR(dlmkl_schedule_step_law(s, 0, L + 1, ps), DLMKL_EINVAL, "outside", "m = L + 1");
    dlmkl_schedule_free(s);
}
END_TEST

/* Dirichlet draws: gsl_ran_gamma needs a finite shape > 0 (it loops forever on NaN) */
START_TEST(test_gamma_shape)
{
    static const char *bad[] = {
        "random:L=2,V=2,seed=1,alpha=0",          "random:L=2,V=2,seed=1,alpha=-1",
        "random:L=2,V=2,seed=1,alpha=nan",        "random:L=2,V=2,seed=1,alpha=inf",
        "product:L=2,V=3,seed=1,alpha=0",
        "product:L=2,V=3,seed=1,alpha=-inf",      "markov:L=3,V=2,seed=1,conc=0",
        "markov:L=3,V=2,seed=1,conc=nan",         "mixprod:L=2,V=2,m=2,seed=1,alpha=-0.5",
        "mixprod:L=2,V=2,m=2,seed=1,alpha=1e999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dlmkl_dist *d = NULL;
        int st = dlmkl_dist_from_spec(bad[i], 0, &d);
        ck_assert_msg(st == DLMKL_EINVAL && d == NULL && (strstr(dlmkl_last_error(), "alpha") || strstr(dlmkl_last_error(), "conc")),
                      "spec '%s': status %d, message '%s'", bad[i], st, dlmkl_last_error());
    }
    /* the edges that are in the domain: tiny and huge shapes give a normalised table */
    static const char *good[] = {"random:L=3,V=2,seed=1,alpha=1e-300", "random:L=3,V=2,seed=1,alpha=1e300",
                                 "product:L=2,V=3,seed=1,alpha=1e-200", "markov:L=3,V=3,seed=2,conc=1e-300",
                                 "mixprod:L=2,V=2,m=2,seed=1,alpha=1e-300"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        dlmkl_dist *d = tu_dist(good[i]);
        double s = 0;
        for (uint64_t x = 0; x < d->n; x++) {
            ck_assert_msg(isfinite(d->p[x]) && d->p[x] >= 0, "%s: p[%llu] = %g", good[i], (unsigned long long)x, d->p[x]);
            s += d->p[x];
        }
        TU_CLOSE(s, 1.0, 1e-12, "%s sums to 1", good[i]);
        dlmkl_dist_free(d);
    }
}
END_TEST

/* the sampler: gsl_rng_uniform_int(r, n) needs 1 <= n; a step larger than the masked count is an error */
START_TEST(test_uniform_int_bound)
{
    dlmkl_dist *d = tu_dist("copy:L=4,V=2");
    dlmkl_schedule *s = sched("sizes:2,2", 4, 0);
    dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
    dlmkl_sampler *smp = NULL;
    ck_assert_int_eq(dlmkl_sampler_alloc(d, s, &pos, &smp), DLMKL_OK);
    gsl_rng *r = dlmkl_rng_alloc(1);
    ck_assert_ptr_nonnull(r);
    int x[4];
    uint64_t idx;
    ck_assert_int_eq(dlmkl_sampler_draw(smp, r, x, &idx), DLMKL_OK);
    s->sizes[1] = 3; /* corrupted after the sampler checked it: 3 tokens asked, 2 masked */
    EXPECT_ERR(dlmkl_sampler_draw(smp, r, x, &idx), DLMKL_EINVAL, "masked", "sizes 2,3 on L = 4");
    s->sizes[1] = 2, s->sizes[0] = 0; /* an empty step is fine (no draw), the last then leaves tokens */
    EXPECT_ERR(dlmkl_sampler_draw(smp, r, x, &idx), DLMKL_EINVAL, "masked", "sizes 0,2 on L = 4");
    gsl_rng_free(r);
    dlmkl_sampler_free(smp);
    dlmkl_schedule_free(s);
    dlmkl_dist_free(d);
}
END_TEST

/* the library's generator is GSL's mt19937 stream exactly; GSL statuses map to dlmkl's */
START_TEST(test_rng_and_status)
{
    static const unsigned long seeds[] = {0, 1, 42, 4294967295UL};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        gsl_rng *a = dlmkl_rng_alloc(seeds[i]), *b = gsl_rng_alloc(gsl_rng_mt19937);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        gsl_rng_set(b, seeds[i]);
        ck_assert_str_eq(gsl_rng_name(a), "mt19937");
        for (int j = 0; j < 2000; j++) {
            unsigned long u = gsl_rng_get(a), v = gsl_rng_get(b);
            ck_assert_msg(u == v, "seed %lu draw %d: %lu vs gsl_rng_alloc's %lu", seeds[i], j, u, v);
        }
        gsl_rng_free(a), gsl_rng_free(b);
    }
    ck_assert_int_eq(dlmkl_gsl_status(GSL_SUCCESS, "x"), DLMKL_OK);
    EXPECT_ERR(dlmkl_gsl_status(GSL_ENOMEM, "alloc"), DLMKL_ENOMEM, "alloc: GSL error", "GSL_ENOMEM");
    EXPECT_ERR(dlmkl_gsl_status(GSL_EDOM, "lnchoose"), DLMKL_EINVAL, "lnchoose: GSL error 1 (input domain error)",
               "GSL_EDOM");
    EXPECT_ERR(dlmkl_gsl_status(GSL_EINVAL, "q"), DLMKL_EINVAL, "q: GSL error", "GSL_EINVAL");
    EXPECT_ERR(dlmkl_gsl_status(GSL_ERANGE, NULL), DLMKL_EINVAL, "GSL: GSL error", "GSL_ERANGE");
}
END_TEST

/* the library never changes the host's GSL error handler */
START_TEST(test_handler_untouched)
{
    gsl_error_handler_t *mine = gsl_set_error_handler(NULL);
    gsl_set_error_handler(mine);
    ck_assert_ptr_nonnull(mine); /* tu_run's */
    dlmkl_dist *d = tu_dist("random:L=4,V=2,seed=3");
    dlmkl_profile *prof = tu_profile(d);
    static const char *specs[] = {"iid:cosine", "composition", "random-tc"};
    for (int i = 0; i < 3; i++) {
        dlmkl_schedule *s = sched(specs[i], 4, 2);
        dlmkl_sampler *smp = NULL;
        ck_assert_int_eq(dlmkl_sampler_alloc(d, s, NULL, &smp), DLMKL_OK);
        uint64_t counts[16] = {0};
        ck_assert_int_eq(dlmkl_sampler_counts(smp, 5, 100, counts), DLMKL_OK);
        dlmkl_sampler_free(smp);
        dlmkl_schedule_free(s);
    }
    gsl_error_handler_t *now = gsl_set_error_handler(NULL);
    gsl_set_error_handler(now);
    ck_assert_msg(now == mine, "the library changed GSL's error handler");
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

/* the program: each edge ends with exit status 1 and a message, never a signal (abort = 134) */
START_TEST(test_cli_edges)
{
    if (!dlmkl_exe) {
        printf("test_cli_edges: no dlmkl program given, skipped\n");
        return;
    }
    static const char *args[][2] = {
        {"info --dist random:L=2,V=2,seed=1,alpha=0", "alpha"},
        {"info --dist markov:L=3,V=2,seed=1,conc=nan", "conc"},
        {"sample --dist copy:L=4,V=2 --schedule composition --K 5 --n 10 --seed 1", "K"},
        {"kl --dist copy:L=4,V=2 --schedule composition --K 5", "K"},
    };
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        char cmd[1024], err[4096] = "";
        char tmpl[] = "/tmp/dlmkl_gsl_edges.XXXXXX";
        int fd = mkstemp(tmpl);
        ck_assert_int_ge(fd, 0);
        snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>'%s'", dlmkl_exe, args[i][0], tmpl);
        int ws = system(cmd);
        FILE *f = fdopen(fd, "r");
        size_t n = f ? fread(err, 1, sizeof err - 1, f) : 0;
        err[n] = 0;
        if (f)
            fclose(f);
        unlink(tmpl);
        ck_assert_msg(ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 1 && strstr(err, args[i][1]),
                      "dlmkl %s: %s %d (want exit 1), stderr '%s' (want '%s')", args[i][0],
                      WIFEXITED(ws) ? "exit" : "signal/status", WIFEXITED(ws) ? WEXITSTATUS(ws) : ws, err, args[i][1]);
    }
}
END_TEST

int main(int argc, char **argv)
{
    dlmkl_exe = argc > 1 ? argv[1] : NULL;
    Suite *s = suite_create("gsl_edges");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_binomial_q);
    tcase_add_test(tc, test_lnchoose);
    tcase_add_test(tc, test_gamma_shape);
    tcase_add_test(tc, test_uniform_int_bound);
    tcase_add_test(tc, test_rng_and_status);
    tcase_add_test(tc, test_handler_untouched);
    tcase_add_test(tc, test_cli_edges);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
