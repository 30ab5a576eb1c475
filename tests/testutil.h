/* testutil.h: helpers shared by the Check tests. */
#ifndef DLMKL_TESTUTIL_H
#define DLMKL_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

#include "dlmkl/dist.h"
#include "dlmkl/profile.h"

/* Build a distribution from a spec or fail the test with the library's message. */
dlmkl_dist *tu_dist(const char *spec);
/* Profile of d or fail. */
dlmkl_profile *tu_profile(const dlmkl_dist *d);
/* A Dirichlet(alpha) table on [V]^L from seed (independent of the library's families). */
dlmkl_dist *tu_random_table(int L, int V, unsigned long seed, double alpha);
/* H(X_S) by brute force: marginal by direct index decoding (no shared code with the library). */
double tu_subset_entropy(const dlmkl_dist *d, uint64_t mask);
/* DLMKL_TEST_FAST set (not "0"): the reduced run used under valgrind (`./run test`); the slowest
 * tests are left out (TU_ADD_SLOW_TEST) and a few sizes shrink. */
int tu_fast(void);
#define TU_ADD_SLOW_TEST(tc, tf)                                                                   \
    do {                                                                                           \
        if (tu_fast())                                                                             \
            printf("DLMKL_TEST_FAST: %s left out\n", #tf);                                         \
        else                                                                                       \
            tcase_add_test(tc, tf);                                                                \
    } while (0)
/* Run a suite and return the exit status for main. Installs a GSL error handler that fails the
 * current test (instead of GSL's default, which aborts). */
int tu_run(Suite *s);

/* assert |a - b| <= tol, printing the case on failure */
#define TU_CLOSE(a, b, tol, ...)                                                                   \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        ck_assert_msg(fabs(a_ - b_) <= (tol), "%s = %.17g, expected %.17g (tol %g) -- case: %s", #a, \
                      a_, b_, (double)(tol), tu_case(__VA_ARGS__));                                \
    } while (0)
const char *tu_case(const char *fmt, ...);

/* Write text to a new temporary file (mkstemp under /tmp) and return its path (static buffer, valid
 * until the next call; the caller removes the file). */
char *tu_write_tmp(const char *text);

#endif
