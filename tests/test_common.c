/* test_common.c: error reporting (status and message, prefixes), the strict number readers, the
 * overflow-checked power, the memory cap, CSV splitting, units and the residue rule, each against
 * a second route: the C library's own parser (strtod/strtol), 128-bit arithmetic, a hand-written
 * CSV reference. Random cases print their seed and input on failure. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "dlmkl/common.h"
#include "testutil.h"

START_TEST(test_error_status_and_prefix)
{
    ck_assert_int_eq(dlmkl_error(DLMKL_ETOOBIG, "x = %d", 7), DLMKL_ETOOBIG);
    ck_assert_str_eq(dlmkl_last_error(), "x = 7");
    ck_assert_int_eq(dlmkl_last_status(), DLMKL_ETOOBIG);
    ck_assert_int_eq(dlmkl_error_prefix(DLMKL_ENOMEM, "file '%s' line %d", "a.txt", 3), DLMKL_ENOMEM);
    ck_assert_str_eq(dlmkl_last_error(), "file 'a.txt' line 3: x = 7");
    ck_assert_int_eq(dlmkl_last_status(), DLMKL_ENOMEM);
    /* prefixes nest outermost last */
    dlmkl_error_prefix(DLMKL_EINVAL, "outer");
    ck_assert_str_eq(dlmkl_last_error(), "outer: file 'a.txt' line 3: x = 7");
    ck_assert_int_eq(dlmkl_last_status(), DLMKL_EINVAL);
    /* a long message is cut at DLMKL_ERRMSG_MAX - 1 bytes, never overflows */
    char big[3 * DLMKL_ERRMSG_MAX];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dlmkl_error(DLMKL_EINVAL, "%s", big);
    ck_assert_uint_eq(strlen(dlmkl_last_error()), DLMKL_ERRMSG_MAX - 1);
    dlmkl_error_prefix(DLMKL_EINVAL, "p");
    ck_assert_uint_eq(strlen(dlmkl_last_error()), DLMKL_ERRMSG_MAX - 1);
    ck_assert(strncmp(dlmkl_last_error(), "p: aaa", 6) == 0);
}
END_TEST

/* read_double against strtod on random decimal texts: same bits when accepted */
START_TEST(test_read_double_vs_strtod)
{
    const unsigned long seed = 11;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    char buf[64];
    for (int i = 0; i < 20000; i++) {
        /* a random finite double (random bits), printed in one of several forms */
        uint64_t bits = ((uint64_t)gsl_rng_get(r) << 32) ^ gsl_rng_get(r);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        const char *fmt[] = {"%.17g", "%.3e", "%.10f", "  %.17g\t"};
        snprintf(buf, sizeof buf, fmt[i % 4], x);
        double got = 0.0, want = strtod(buf, NULL);
        int st = dlmkl_read_double(buf, (size_t)-1, -INFINITY, INFINITY, &got);
        ck_assert_msg(st == DLMKL_OK, "seed %lu case %d: '%s' refused: %s", seed, i, buf, dlmkl_last_error());
        ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "seed %lu case %d: '%s' read as %.17g, strtod %.17g",
                      seed, i, buf, got, want);
    }
    gsl_rng_free(r);
    const char *bad[] = {"", " ", "abc", "1 2", "1e999", "-1e999", "inf", "nan", "0x10", "1,5", "--1", "1e", "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v;
        ck_assert_msg(dlmkl_read_double(bad[i], (size_t)-1, -INFINITY, INFINITY, &v) == DLMKL_EINVAL,
                      "'%s' accepted", bad[i]);
    }
    double v;
    ck_assert_int_eq(dlmkl_read_double("0.5", (size_t)-1, 0.0, 0.25, &v), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_read_double("0.25xyz", 4, 0.0, 1.0, &v), DLMKL_OK); /* only len bytes */
    ck_assert(v == 0.25);
}
END_TEST

/* read_long against strtol and the bounds */
START_TEST(test_read_long_vs_strtol)
{
    const unsigned long seed = 12;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    char buf[64];
    for (int i = 0; i < 20000; i++) {
        long x = (long)(((uint64_t)gsl_rng_get(r) << 32) ^ gsl_rng_get(r)) >> (gsl_rng_get(r) % 63);
        snprintf(buf, sizeof buf, "%ld", x);
        long lo = -(long)(gsl_rng_get(r) % 1000000), hi = (long)(gsl_rng_get(r) % 1000000);
        long got = 0;
        int st = dlmkl_read_long(buf, (size_t)-1, lo, hi, &got);
        const int inside = x >= lo && x <= hi;
        ck_assert_msg((st == DLMKL_OK) == inside, "seed %lu case %d: '%s' in [%ld, %ld]: status %d", seed, i, buf, lo,
                      hi, st);
        if (inside)
            ck_assert_msg(got == strtol(buf, NULL, 10), "seed %lu case %d: '%s' read as %ld", seed, i, buf, got);
    }
    gsl_rng_free(r);
    long v;
    ck_assert_int_eq(dlmkl_read_long("9223372036854775807", (size_t)-1, LONG_MIN, LONG_MAX, &v), DLMKL_OK);
    ck_assert(v == LONG_MAX);
    ck_assert_int_eq(dlmkl_read_long("9223372036854775808", (size_t)-1, LONG_MIN, LONG_MAX, &v), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_read_long("1.0", (size_t)-1, LONG_MIN, LONG_MAX, &v), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_read_long("", (size_t)-1, LONG_MIN, LONG_MAX, &v), DLMKL_EINVAL);
}
END_TEST

/* V^L with 128-bit arithmetic as the second route */
START_TEST(test_pow_checked_vs_int128)
{
    const int Vs[] = {2, 3, 5, 7, 10, 255, 256, 65535, 65536, 1 << 20, INT_MAX};
    for (size_t i = 0; i < sizeof Vs / sizeof Vs[0]; i++)
        for (int L = 1; L <= 64; L++) {
            unsigned __int128 w = 1;
            int over = 0;
            for (int j = 0; j < L && !over; j++) {
                w *= (unsigned)Vs[i];
                over = w > (unsigned __int128)UINT64_MAX;
            }
            uint64_t n = 0;
            int st = dlmkl_pow_checked(Vs[i], L, &n);
            ck_assert_msg(st == (over ? DLMKL_ETOOBIG : DLMKL_OK), "V = %d, L = %d: status %d", Vs[i], L, st);
            if (!over)
                ck_assert_msg(n == (uint64_t)w, "V = %d, L = %d: %llu", Vs[i], L, (unsigned long long)n);
        }
    uint64_t n;
    ck_assert_int_eq(dlmkl_pow_checked(1, 3, &n), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_pow_checked(2, 0, &n), DLMKL_EINVAL);
}
END_TEST

START_TEST(test_memory_cap)
{
    size_t old = dlmkl_max_memory();
    dlmkl_set_max_memory(1000);
    ck_assert_int_eq(dlmkl_check_memory(1000, "x"), DLMKL_OK);
    ck_assert_int_eq(dlmkl_check_memory(1001, "a thing"), DLMKL_ETOOBIG);
    ck_assert_int_eq(dlmkl_last_status(), DLMKL_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "a thing needs 1001 B"));
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "1000 B"));
    ck_assert_ptr_null(strstr(dlmkl_last_error(), "--")); /* no command-line flags */
    dlmkl_set_max_memory(old);
}
END_TEST

/* a reference CSV reader written independently: RFC 4180 fields, "" for a quote */
static int ref_split(const char *s, char out[][64], int maxf)
{
    int n = 0;
    for (;;) {
        char *o = out[n++];
        if (*s == '"') {
            for (s++;; s++) {
                if (*s == '"' && s[1] == '"')
                    *o++ = '"', s++;
                else if (*s == '"')
                    break;
                else
                    *o++ = *s;
            }
            s++;
        } else
            while (*s && *s != ',')
                *o++ = *s++;
        *o = '\0';
        if (!*s || n == maxf)
            return n;
        s++;
    }
}

START_TEST(test_csv_split_vs_reference)
{
    const char *lines[] = {"a,b,c", "", ",", "\"x,y\",z", "\"he said \"\"hi\"\"\",,3", "  a , b ", "\"\"", "1,\"\",2"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char buf[128], want[8][64];
        snprintf(buf, sizeof buf, "%s", lines[i]);
        int nw = ref_split(lines[i], want, 8);
        dlmkl_csv_row row = {0};
        ck_assert_int_eq(dlmkl_csv_split(buf, &row), DLMKL_OK);
        ck_assert_msg(row.n == nw, "line '%s': %d fields, reference %d", lines[i], row.n, nw);
        for (int j = 0; j < nw; j++)
            ck_assert_msg(strcmp(row.field[j], want[j]) == 0, "line '%s' field %d: '%s', reference '%s'", lines[i],
                          j, row.field[j], want[j]);
        dlmkl_csv_row_free(&row);
    }
    const char *bad[] = {"\"open", "a\"b\",c", "\"x\"y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", bad[i]);
        dlmkl_csv_row row = {0};
        ck_assert_msg(dlmkl_csv_split(buf, &row) == DLMKL_EINVAL, "'%s' accepted", bad[i]);
        dlmkl_csv_row_free(&row);
    }
    char hdr[] = "dist, L ,V";
    dlmkl_csv_row h = {0};
    ck_assert_int_eq(dlmkl_csv_split(hdr, &h), DLMKL_OK);
    ck_assert_int_eq(dlmkl_csv_find(&h, "L"), 1);
    ck_assert_int_eq(dlmkl_csv_find(&h, "K"), -1);
    dlmkl_csv_row_free(&h);
}
END_TEST

START_TEST(test_units_and_residue)
{
    ck_assert(dlmkl_unit_factor(DLMKL_BITS) == 1.0);
    TU_CLOSE(dlmkl_unit_factor(DLMKL_NATS), log(2.0), 0.0, "nats");
    ck_assert_str_eq(dlmkl_unit_name(DLMKL_BITS), "bits");
    ck_assert_str_eq(dlmkl_unit_name(DLMKL_NATS), "nats");
    /* residue below DLMKL_RESIDUE_REL·max(1, scale) is +0; above it stays */
    ck_assert(dlmkl_nonneg(-0.0, 1.0) == 0.0 && !signbit(dlmkl_nonneg(-0.0, 1.0)));
    ck_assert(dlmkl_nonneg(-0.5e-9, 1.0) == 0.0);
    ck_assert(dlmkl_nonneg(0.5e-9, 1.0) == 0.0);
    ck_assert(dlmkl_nonneg(-2e-9, 1.0) == -2e-9);
    ck_assert(dlmkl_nonneg(-2e-9, 10.0) == 0.0);
    ck_assert(dlmkl_nonneg(0.25, 10.0) == 0.25);
}
END_TEST

START_TEST(test_seed_range_constants)
{
    /* GSL's mt19937 keeps 32 bits: the range is exactly 1..2^32-1 */
    ck_assert_uint_eq(DLMKL_SEED_MIN, 1);
    ck_assert_uint_eq(DLMKL_SEED_MAX, (1ULL << 32) - 1);
    gsl_rng *a = gsl_rng_alloc(gsl_rng_mt19937), *b = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(a, DLMKL_SEED_MAX);
    gsl_rng_set(b, 1);
    ck_assert(gsl_rng_get(a) != gsl_rng_get(b));
    gsl_rng_free(a), gsl_rng_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("common");
    tcase_add_test(tc, test_error_status_and_prefix);
    tcase_add_test(tc, test_read_double_vs_strtod);
    tcase_add_test(tc, test_read_long_vs_strtol);
    tcase_add_test(tc, test_pow_checked_vs_int128);
    tcase_add_test(tc, test_memory_cap);
    tcase_add_test(tc, test_csv_split_vs_reference);
    tcase_add_test(tc, test_units_and_residue);
    tcase_add_test(tc, test_seed_range_constants);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
