/* testutil.c: helpers shared by the Check tests. */
#include "testutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

const char *tu_case(const char *fmt, ...)
{
    static char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

dlmkl_dist *tu_dist(const char *spec)
{
    dlmkl_dist *d = NULL;
    int st = dlmkl_dist_from_spec(spec, 0, &d);
    ck_assert_msg(st == DLMKL_OK, "spec '%s' failed: %s", spec, dlmkl_last_error());
    return d;
}

dlmkl_profile *tu_profile(const dlmkl_dist *d)
{
    dlmkl_profile *prof = dlmkl_profile_alloc(d->L);
    ck_assert_ptr_nonnull(prof);
    int st = dlmkl_profile_compute(d, prof);
    ck_assert_msg(st == DLMKL_OK, "profile of '%s' failed: %s", d->spec ? d->spec : "?", dlmkl_last_error());
    return prof;
}

dlmkl_dist *tu_random_table(int L, int V, unsigned long seed, double alpha)
{
    dlmkl_dist *d = dlmkl_dist_alloc(L, V);
    ck_assert_ptr_nonnull(d);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double s = 0;
    for (uint64_t i = 0; i < d->n; i++) {
        d->p[i] = gsl_ran_gamma(r, alpha, 1.0);
        s += d->p[i];
    }
    for (uint64_t i = 0; i < d->n; i++)
        d->p[i] /= s;
    gsl_rng_free(r);
    char spec[64];
    snprintf(spec, sizeof spec, "testtable:L=%d,V=%d,seed=%lu", L, V, seed);
    ck_assert_int_eq(dlmkl_dist_set_spec(d, spec), DLMKL_OK);
    return d;
}

double tu_subset_entropy(const dlmkl_dist *d, uint64_t mask)
{
    /* decode every index into digits, keep those of S, accumulate into a marginal */
    uint64_t nout = 1;
    for (int i = 0; i < d->L; i++)
        if (mask >> i & 1)
            nout *= (uint64_t)d->V;
    double *m = calloc(nout, sizeof *m);
    for (uint64_t idx = 0; idx < d->n; idx++) {
        uint64_t rest = idx, o = 0, w = 1;
        for (int i = d->L - 1; i >= 0; i--) {
            uint64_t digit = rest % (uint64_t)d->V;
            rest /= (uint64_t)d->V;
            if (mask >> i & 1) {
                o += digit * w;
                w *= (uint64_t)d->V;
            }
        }
        m[o] += d->p[idx];
    }
    double h = 0;
    for (uint64_t i = 0; i < nout; i++)
        if (m[i] > 0)
            h -= m[i] * log(m[i]) / log(2.0);
    free(m);
    return h;
}

/* GSL's default handler aborts the process; in the tests any GSL error is a failed test instead,
 * naming GSL's reason and location (the library must validate its inputs so GSL never sees a bad one). */
static void tu_gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    ck_abort_msg("GSL error handler called: %s:%d: %s (gsl_errno %d)", file, line, reason, gsl_errno);
}

int tu_fast(void)
{
    const char *e = getenv("DLMKL_TEST_FAST");
    return e && *e && strcmp(e, "0") != 0;
}

int tu_run(Suite *s)
{
    gsl_set_error_handler(tu_gsl_handler);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf == 0 ? 0 : 1;
}

char *tu_write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/dlmkl_test_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}
