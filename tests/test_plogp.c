/* test_plogp.c: the deterministic −p log2 p kernel against glibc's log2, its special values, and the
 * same bits from every instruction-set variant this CPU can run. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/plogp.h"
#include "testutil.h"

/* Bounds asserted below, in units in the last place of the glibc value. */
#define LOG2_MAX_ULP 2
#define PLOGP_MAX_ULP 3

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double double_of(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Distance in ulps between two finite doubles: their bit patterns mapped to a monotone integer
 * line (negative numbers mirrored), so that adjacent doubles differ by 1, across 0 too. */
static uint64_t ulp_dist(double a, double b)
{
    uint64_t ua = bits_of(a), ub = bits_of(b);
    int64_t ia = (ua >> 63) ? -(int64_t)(ua & ~(1ULL << 63)) : (int64_t)ua;
    int64_t ib = (ub >> 63) ? -(int64_t)(ub & ~(1ULL << 63)) : (int64_t)ub;
    return ia > ib ? (uint64_t)(ia - ib) : (uint64_t)(ib - ia);
}

/* xorshift64*: the test's own generator, seeded per case. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* A positive finite double spread over the whole range: one of three kinds in turn, a uniformly
 * random bit pattern below +inf (all binades alike, subnormals included), a subnormal, or a value
 * within 2^-20 of 1 (where log2 is small and its relative error is hardest to keep). */
static double sample(uint64_t *s, uint64_t i)
{
    uint64_t r = rng_next(s);
    switch (i % 3) {
    case 0:
        return double_of(1 + r % (0x7ff0000000000000ULL - 1));
    case 1:
        return double_of(1 + r % (0x0010000000000000ULL - 1));
    default:
        return 1.0 + ((double)(r >> 11) * 0x1p-53 - 0.5) * 0x1p-19;
    }
}

START_TEST(test_log2_ulp)
{
    const uint64_t N = 12000000, seed = 0x9e3779b97f4a7c15ULL;
    uint64_t s = seed, worst = 0;
    double worst_x = 0;
    for (uint64_t i = 0; i < N; i++) {
        double x = sample(&s, i);
        uint64_t d = ulp_dist(dlmkl_log2_det(x), log2(x));
        if (d > worst)
            worst = d, worst_x = x;
    }
    printf("log2: max %llu ulp against glibc over %llu samples (worst at x = %a)\n", (unsigned long long)worst,
           (unsigned long long)N, worst_x);
    ck_assert_msg(worst <= LOG2_MAX_ULP, "log2 error %llu ulp at x = %a (seed %llx) exceeds %d",
                  (unsigned long long)worst, worst_x, (unsigned long long)seed, LOG2_MAX_ULP);
    /* exact at the powers of two, every binade including the subnormal ones */
    for (int e = -1074; e <= 1023; e++)
        ck_assert_msg(dlmkl_log2_det(ldexp(1.0, e)) == (double)e, "log2(2^%d) = %.17g", e,
                      dlmkl_log2_det(ldexp(1.0, e)));
}
END_TEST

START_TEST(test_plogp_ulp)
{
    const uint64_t N = 10000000, seed = 12345;
    uint64_t s = seed, worst = 0;
    double worst_p = 0;
    for (uint64_t i = 0; i < N; i++) {
        /* probabilities: (0, 1], subnormals included */
        double p = sample(&s, i);
        if (p > 1.0)
            p = i % 3 == 2 ? 2.0 - p : 1.0 / p;
        double ref = -p * log2(p);
        if (ref == 0.0) /* underflow of p·log2 p for the smallest subnormals, or p = 1 */
            continue;
        uint64_t d = ulp_dist(dlmkl_plogp(p), ref);
        if (d > worst)
            worst = d, worst_p = p;
    }
    printf("plogp: max %llu ulp against -p*log2(p) over %llu samples (worst at p = %a)\n",
           (unsigned long long)worst, (unsigned long long)N, worst_p);
    ck_assert_msg(worst <= PLOGP_MAX_ULP, "-p log2 p error %llu ulp at p = %a (seed %llu) exceeds %d",
                  (unsigned long long)worst, worst_p, (unsigned long long)seed, PLOGP_MAX_ULP);
}
END_TEST

START_TEST(test_special_values)
{
    const double zeros[] = {0.0, -0.0, -1.0, -DBL_MIN, -INFINITY, NAN, 1.0};
    for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++) {
        double v = dlmkl_plogp(zeros[i]);
        ck_assert_msg(bits_of(v) == 0, "plogp(%a) = %a, expected +0", zeros[i], v);
    }
    ck_assert(dlmkl_plogp(0.5) == 0.5);
    ck_assert(dlmkl_plogp(0.25) == 0.5);
    ck_assert(dlmkl_log2_det(1.0) == 0.0);
    /* an accumulator over zeros and ones stays +0 */
    double p[37];
    for (int i = 0; i < 37; i++)
        p[i] = i % 2 ? 1.0 : 0.0;
    ck_assert(bits_of(dlmkl_plogp_sum(p, 37)) == 0);
    ck_assert(bits_of(dlmkl_plogp_sum(p, 0)) == 0);
}
END_TEST

/* Arrays of every length 0..70 and a few longer ones, of mixed magnitudes (zeros, ones,
 * subnormals, random probabilities), summed by every variant this CPU runs: all lanes equal bit
 * for bit, and the total matches a long double sum of glibc terms. */
START_TEST(test_variants_same_bits)
{
    const size_t lens[] = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 70, 511, 512, 513, 4097, 100003};
    double *p = malloc(100003 * sizeof *p);
    uint64_t s = 77;
    int nvar = 0;
    for (int isa = 0; isa < DLMKL_ISA_COUNT; isa++)
        nvar += dlmkl_plogp_isa_available(isa);
    printf("variants available on this CPU: %d of %d\n", nvar, DLMKL_ISA_COUNT);
    for (size_t c = 0; c < sizeof lens / sizeof lens[0] + 54; c++) {
        size_t n = c < sizeof lens / sizeof lens[0] ? lens[c] : c - sizeof lens / sizeof lens[0] + 18;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = rng_next(&s);
            switch (r % 6) {
            case 0:
                p[i] = 0.0;
                break;
            case 1:
                p[i] = 1.0;
                break;
            case 2:
                p[i] = double_of(1 + (r >> 8) % 0x000fffffffffffffULL);
                break;
            default:
                p[i] = (double)(r >> 11) * 0x1p-53;
            }
        }
        dlmkl_plogp_acc ref = {{0}};
        ck_assert_int_eq(dlmkl_plogp_add_isa(DLMKL_ISA_GENERIC, &ref, p, n), 0);
        for (int isa = 1; isa < DLMKL_ISA_COUNT; isa++) {
            dlmkl_plogp_acc acc = {{0}};
            if (dlmkl_plogp_add_isa(isa, &acc, p, n) != 0)
                continue;
            for (int k = 0; k < DLMKL_PLOGP_LANES; k++)
                ck_assert_msg(bits_of(acc.lane[k]) == bits_of(ref.lane[k]),
                              "variant %d lane %d: %a vs generic %a (n = %zu, seed 77, case %zu)", isa, k,
                              acc.lane[k], ref.lane[k], n, c);
        }
        dlmkl_plogp_acc disp = {{0}};
        dlmkl_plogp_add(&disp, p, n);
        ck_assert(memcmp(&disp, &ref, sizeof ref) == 0);
        /* split into two calls at a multiple of 8: the same lanes */
        dlmkl_plogp_acc split = {{0}};
        size_t h = n / 16 * 8;
        dlmkl_plogp_add(&split, p, h);
        dlmkl_plogp_add(&split, p + h, n - h);
        ck_assert(memcmp(&split, &ref, sizeof ref) == 0);
        long double want = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i] > 0)
                want -= (long double)p[i] * log2l((long double)p[i]);
        TU_CLOSE(dlmkl_plogp_total(&ref), (double)want, 1e-13 * fabs((double)want) + 1e-300, "n = %zu", n);
    }
    free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plogp");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_log2_ulp);
    tcase_add_test(tc, test_plogp_ulp);
    tcase_add_test(tc, test_special_values);
    tcase_add_test(tc, test_variants_same_bits);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
