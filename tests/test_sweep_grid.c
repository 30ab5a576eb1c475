/* test_sweep_grid.c: the list/range/expression language of sweep grids against a second route:
 * ranges against plain loops, random integer expressions against the same expression evaluated by
 * a tiny evaluator written here (floor division, powers), duplicates dropped keeping the first.
 * Random cases print the seed and the expression on failure. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "dlmkl/sweep.h"
#include "testutil.h"

static long long floordiv(long long a, long long b)
{
    long long q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* a random expression over x (value xv) into buf; returns its value (reference route) */
static long long gen(gsl_rng *r, int depth, long long xv, char *buf, size_t len)
{
    if (depth == 0 || gsl_rng_uniform(r) < 0.3) {
        if (gsl_rng_uniform(r) < 0.3) {
            snprintf(buf, len, "x");
            return xv;
        }
        long long v = (long long)gsl_rng_uniform_int(r, 20);
        snprintf(buf, len, "%lld", v);
        return v;
    }
    char a[512], b[512];
    long long va = gen(r, depth - 1, xv, a, sizeof a), vb = gen(r, depth - 1, xv, b, sizeof b);
    switch (gsl_rng_uniform_int(r, 5)) {
    case 0:
        snprintf(buf, len, "(%s + %s)", a, b);
        return va + vb;
    case 1:
        snprintf(buf, len, "(%s - %s)", a, b);
        return va - vb;
    case 2:
        snprintf(buf, len, "(%s * %s)", a, b);
        return va * vb;
    case 3:
        if (vb == 0) {
            snprintf(buf, len, "(%s - %s)", a, b);
            return va - vb;
        }
        snprintf(buf, len, "(%s / %s)", a, b);
        return floordiv(va, vb);
    default:
        snprintf(buf, len, "-(%s)", a);
        return -va;
    }
}

START_TEST(test_eval_random_expressions)
{
    const unsigned long seed = 31;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (int i = 0; i < 3000; i++) {
        char expr[4096], xs[32];
        long long xv = (long long)gsl_rng_uniform_int(r, 50) - 10;
        snprintf(xs, sizeof xs, "%lld", xv);
        long long want = gen(r, 3, xv, expr, sizeof expr); /* at most 8 leaves < 50: no overflow */
        dlmkl_sweep_var vars[1] = {{"x", xs}};
        long long got = 0;
        int st = dlmkl_sweep_eval(expr, vars, 1, "test", &got);
        ck_assert_msg(st == DLMKL_OK, "seed %lu case %d: '%s' (x = %lld): %s", seed, i, expr, xv, dlmkl_last_error());
        ck_assert_msg(got == want, "seed %lu case %d: '%s' (x = %lld) = %lld, reference %lld", seed, i, expr, xv, got,
                      want);
    }
    gsl_rng_free(r);
    long long v;
    ck_assert_int_eq(dlmkl_sweep_eval("2^10", NULL, 0, "t", &v), DLMKL_OK);
    ck_assert(v == 1024);
    ck_assert_int_eq(dlmkl_sweep_eval("1/0", NULL, 0, "t", &v), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_sweep_eval("y + 1", NULL, 0, "t", &v), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_sweep_eval("2^64", NULL, 0, "t", &v), DLMKL_EINVAL);
}
END_TEST

/* expand text and compare with want[0..n) */
static void expect(const char *text, const long long *want, int n)
{
    dlmkl_sweep_list l;
    int st = dlmkl_sweep_list_expand(text, DLMKL_LIST_INTEGERS, NULL, 0, "test", &l);
    ck_assert_msg(st == DLMKL_OK, "'%s': %s", text, dlmkl_last_error());
    ck_assert_msg(l.n == n, "'%s': %d values, reference %d", text, l.n, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(atoll(l.v[i]) == want[i], "'%s' value %d: %s, reference %lld", text, i, l.v[i], want[i]);
    dlmkl_sweep_list_clear(&l);
}

START_TEST(test_ranges_vs_loops)
{
    const unsigned long seed = 32;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    static long long want[4096];
    for (int i = 0; i < 300; i++) {
        long long a = (long long)gsl_rng_uniform_int(r, 100), b = a + (long long)gsl_rng_uniform_int(r, 200);
        long long step = 1 + (long long)gsl_rng_uniform_int(r, 7);
        char text[128];
        int n = 0;
        /* a..b:step, then a second range overlapping the first: duplicates dropped, first kept */
        long long c = a + (long long)gsl_rng_uniform_int(r, 50), d = c + (long long)gsl_rng_uniform_int(r, 50);
        snprintf(text, sizeof text, "%lld..%lld:%lld, %lld..%lld", a, b, step, c, d);
        for (long long x = a; x <= b; x += step)
            want[n++] = x;
        for (long long x = c; x <= d; x++) {
            int seen = 0;
            for (int j = 0; j < n && !seen; j++)
                seen = want[j] == x;
            if (!seen)
                want[n++] = x;
        }
        expect(text, want, n);
        /* pow2:a..b: the powers of two in [a, b] */
        n = 0;
        for (long long p = 1; p <= b; p *= 2)
            if (p >= a)
                want[n++] = p;
        snprintf(text, sizeof text, "pow2:%lld..%lld", a, b);
        if (n > 0) {
            expect(text, want, n);
        } else { /* no power of two in [a, b]: an error, not an empty list */
            dlmkl_sweep_list l;
            ck_assert_msg(dlmkl_sweep_list_expand(text, DLMKL_LIST_INTEGERS, NULL, 0, "t", &l) == DLMKL_EINVAL,
                          "seed %lu: '%s' accepted", seed, text);
        }
    }
    gsl_rng_free(r);
    const long long p3[] = {9, 27, 81};
    expect("3^2..3^4", p3, 3);
    const long long sc[] = {7};
    expect("7", sc, 1);
}
END_TEST

START_TEST(test_text_lists)
{
    dlmkl_sweep_list l;
    ck_assert_int_eq(dlmkl_sweep_list_expand("balanced, \"chen-tc:zeta=2,eps=0.1\", (a,b), balanced", DLMKL_LIST_TEXT,
                                             NULL, 0, "t", &l),
                     DLMKL_OK);
    ck_assert_int_eq(l.n, 3);
    ck_assert_str_eq(l.v[0], "balanced");
    ck_assert_str_eq(l.v[1], "chen-tc:zeta=2,eps=0.1");
    ck_assert_str_eq(l.v[2], "(a,b)");
    dlmkl_sweep_list_clear(&l);
    /* VALUES: literal unless an item names a variable */
    dlmkl_sweep_var v[1] = {{"L", "8"}};
    ck_assert_int_eq(dlmkl_sweep_list_expand("0.6, 1/3, L/2, 2..3", DLMKL_LIST_VALUES, v, 1, "t", &l), DLMKL_OK);
    ck_assert_int_eq(l.n, 5);
    ck_assert_str_eq(l.v[0], "0.6");
    ck_assert_str_eq(l.v[1], "1/3");
    ck_assert_str_eq(l.v[2], "4");
    ck_assert_str_eq(l.v[3], "2");
    ck_assert_str_eq(l.v[4], "3");
    dlmkl_sweep_list_clear(&l);
    ck_assert_int_eq(dlmkl_sweep_list_expand("5..1", DLMKL_LIST_INTEGERS, NULL, 0, "t", &l), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_sweep_list_expand("1..10^9", DLMKL_LIST_INTEGERS, NULL, 0, "t", &l), DLMKL_ETOOBIG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sweep_grid");
    TCase *tc = tcase_create("sweep_grid");
    tcase_add_test(tc, test_eval_random_expressions);
    tcase_add_test(tc, test_ranges_vs_loops);
    tcase_add_test(tc, test_text_lists);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
