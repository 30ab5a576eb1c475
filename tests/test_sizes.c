/* test_sizes.c: the deterministic size rules of sizes.c, each against a second route written here:
 * balanced sizes by counting, the α rules by the recursion on cumulative counts evaluated directly,
 * Chen's sizes by the N_i recursion of App. D, the zeta search by a full scan, and the optimal DP (both
 * variants) by enumerating every composition of L into at most K parts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/sizes.h"
#include "testutil.h"

START_TEST(test_balanced)
{
    for (int L = 1; L <= 40; L++)
        for (int K = 1; K <= L + 3; K++) {
            int sizes[64], sum = 0, big = 0;
            ck_assert_int_eq(dlmkl_balanced_sizes(L, K, sizes), DLMKL_OK);
            for (int k = 0; k < K; k++) {
                sum += sizes[k];
                ck_assert_msg(sizes[k] == L / K || sizes[k] == L / K + 1, "L=%d K=%d s_%d=%d", L, K, k + 1, sizes[k]);
                ck_assert_msg(k == 0 || sizes[k] <= sizes[k - 1], "L=%d K=%d: larger sizes come first", L, K);
                big += sizes[k] == L / K + 1;
            }
            ck_assert_msg(sum == L, "L=%d K=%d: sizes sum to %d", L, K, sum);
            ck_assert_msg(big == L % K, "L=%d K=%d: %d sizes of floor(L/K)+1, expected L mod K", L, K, big);
        }
    int s[2];
    ck_assert_int_eq(dlmkl_balanced_sizes(4, 0, s), DLMKL_EINVAL);
}
END_TEST

/* α(t) written independently of the library */
static double alpha_direct(int kind, double a, double t)
{
    return kind == 0 ? t : kind == 1 ? 1.0 - cos(M_PI * t / 2.0) : pow(t, a);
}

START_TEST(test_alpha_rules)
{
    static const char *specs[] = {"linear", "cosine", "poly:a=2", "poly:0.5", "poly:a=7"};
    static const int kinds[] = {0, 1, 2, 2, 2};
    static const double as[] = {1, 1, 2, 0.5, 7};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        dlmkl_alpha f;
        ck_assert_int_eq(dlmkl_alpha_parse(specs[i], &f, "test"), DLMKL_OK);
        for (int K = 1; K <= 30; K++) {
            /* the increments telescope to 1 and match differences of α, relative 1e-12 */
            long double tot = 0;
            for (int k = 1; k <= K; k++) {
                long double inc = dlmkl_alpha_increment(&f, k, K);
                double dir = alpha_direct(kinds[i], as[i], (double)k / K) - alpha_direct(kinds[i], as[i], (double)(k - 1) / K);
                TU_CLOSE((double)inc, dir, 1e-12 * fabs(dir) + 1e-15, "%s increment k=%d K=%d", specs[i], k, K);
                tot += inc;
            }
            TU_CLOSE((double)tot, 1.0, 1e-13, "%s increments sum, K=%d", specs[i], K);
            for (int L = K; L <= 40; L += 3) {
                /* second route: N_k = clamp(round(L α(k/K)), N_{k-1} + 1, L - (K - k)), N_K = L */
                int sizes[64], prev = 0;
                dlmkl_sizes_from_fractions(&f, NULL, L, K, sizes);
                for (int k = 1; k <= K; k++) {
                    double r = floor(L * alpha_direct(kinds[i], as[i], (double)k / K) + 0.5);
                    int N = (int)r;
                    N = N < prev + 1 ? prev + 1 : N;
                    N = N > L - (K - k) ? L - (K - k) : N;
                    if (k == K)
                        N = L;
                    ck_assert_msg(sizes[k - 1] == N - prev && sizes[k - 1] >= 1, "%s L=%d K=%d: s_%d = %d, expected %d",
                                  specs[i], L, K, k, sizes[k - 1], N - prev);
                    prev = N;
                }
            }
        }
    }
    static const char *bad[] = {"poly", "poly:a=0", "poly:a=-1", "poly:x", "poly:a=inf", "wavy", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dlmkl_alpha f;
        ck_assert_msg(dlmkl_alpha_parse(bad[i], &f, "test") == DLMKL_EINVAL, "'%s' accepted", bad[i]);
    }
}
END_TEST

/* App. D directly: N_i = N_{i-1} + floor((L - N_{i-1})/zeta) for i <= lambda, zero steps dropped, then
 * singles; zeta >= L + 1: singles. */
static int chen_direct(int L, double zeta, int *sizes)
{
    int n = 0, N = 0;
    if (zeta < L + 1.0) {
        double lam = zeta > 1 ? floor(log(L - zeta + 1.0) / log(1.0 / (1.0 - 1.0 / zeta))) + 2 : 2;
        for (int i = 1; i <= (int)lam; i++) {
            int step = (int)floor((L - N) / zeta);
            if (step > 0)
                sizes[n++] = step, N += step;
        }
    }
    while (N < L)
        sizes[n++] = 1, N++;
    return n;
}

START_TEST(test_chen)
{
    static int a[4096], b[4096];
    for (int L = 1; L <= 200; L += (L < 40 ? 1 : 13))
        for (double zeta = 1; zeta <= L + 2; zeta += zeta < 6 ? 0.5 : 7) {
            int n, m = chen_direct(L, zeta, b), cnt;
            ck_assert_int_eq(dlmkl_chen_sizes(L, zeta, 0, a, &n), DLMKL_OK);
            ck_assert_msg(n == m, "chen-tc L=%d zeta=%g: %d steps, expected %d", L, zeta, n, m);
            for (int i = 0; i < n; i++)
                ck_assert_msg(a[i] == b[i], "chen-tc L=%d zeta=%g: s_%d = %d, expected %d", L, zeta, i + 1, a[i], b[i]);
            ck_assert_int_eq(dlmkl_chen_sizes(L, zeta, 1, a, &n), DLMKL_OK);
            for (int i = 0; i < n; i++)
                ck_assert_msg(a[i] == b[n - 1 - i], "chen-dtc L=%d zeta=%g is not the mirror at %d", L, zeta, i);
            ck_assert_int_eq(dlmkl_chen_sizes(L, zeta, 0, NULL, &cnt), DLMKL_OK);
            ck_assert_msg(cnt == m, "chen step count L=%d zeta=%g: %d, expected %d", L, zeta, cnt, m);
        }
    int n = -1;
    ck_assert_int_eq(dlmkl_chen_sizes(5, 0.5, 0, a, &n), DLMKL_EINVAL);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(dlmkl_chen_sizes(5, NAN, 0, a, &n), DLMKL_EINVAL);
}
END_TEST

START_TEST(test_chen_zeta_for_K_scan)
{
    static int buf[512];
    for (int L = 1; L <= 120; L += (L < 30 ? 1 : 7))
        for (int K = 1; K <= L + 1; K++) {
            double z;
            ck_assert_int_eq(dlmkl_chen_zeta_for_K(L, K, &z), DLMKL_OK);
            int best = 1; /* full scan over every integer zeta in [1, L+1] */
            for (int zz = 1; zz <= L + 1; zz++)
                if (chen_direct(L, zz, buf) <= K)
                    best = zz;
            ck_assert_msg(z == best, "L=%d K=%d: zeta %g, scan %d", L, K, z, best);
        }
}
END_TEST

/* Σ_k c(m_k, s_k) with c(m, s) = s (h(m+1) − h(m)) − (h(m+s) − h(m)), i.e. Σ_{j<=s} (Z_{m+j} − Z_{m+1}) */
static double comp_cost(const double *h, const int *s, int n)
{
    double c = 0;
    int m = 0;
    for (int k = 0; k < n; k++) {
        c += s[k] * (h[m + 1] - h[m]) - (h[m + s[k]] - h[m]);
        m += s[k];
    }
    return c;
}

START_TEST(test_optimal_vs_compositions)
{
    for (int L = 1; L <= 9; L++) {
        dlmkl_dist *d = tu_random_table(L, 2, 700 + L, 0.3);
        dlmkl_profile *prof = tu_profile(d);
        for (int K = 1; K <= L; K++) {
            /* every composition of L: a subset of the L−1 cut points */
            double best = INFINITY;
            for (unsigned mask = 0; mask < 1u << (L - 1); mask++) {
                int s[16], n = 0, last = 0;
                for (int i = 1; i < L; i++)
                    if (mask >> (i - 1) & 1)
                        s[n++] = i - last, last = i;
                s[n++] = L - last;
                if (n <= K) {
                    double c = comp_cost(prof->h, s, n);
                    best = c < best ? c : best;
                }
            }
            int se[16], sd[16], ne, nd;
            double ce, cd;
            ck_assert_int_eq(dlmkl_optimal_sizes_exact(prof, K, se, &ne, &ce), DLMKL_OK);
            ck_assert_int_eq(dlmkl_optimal_sizes_dc(prof, K, sd, &nd, &cd), DLMKL_OK);
            TU_CLOSE(ce, best, 1e-12, "exact DP L=%d K=%d seed=%d", L, K, 700 + L);
            TU_CLOSE(cd, best, 1e-12, "divide and conquer L=%d K=%d seed=%d", L, K, 700 + L);
            TU_CLOSE(comp_cost(prof->h, se, ne), ce, 1e-12, "exact DP sizes attain the cost L=%d K=%d", L, K);
            TU_CLOSE(comp_cost(prof->h, sd, nd), cd, 1e-12, "D&C sizes attain the cost L=%d K=%d", L, K);
            ck_assert_int_le(ne, K);
            ck_assert_int_le(nd, K);
        }
        int s[16], n;
        double c;
        ck_assert_int_eq(dlmkl_optimal_sizes(prof, L + 1, s, &n, &c), DLMKL_EINVAL);
        ck_assert_int_eq(dlmkl_optimal_sizes(prof, 0, s, &n, &c), DLMKL_EINVAL);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

/* Exact ties (an MDS profile h(m) = min(m,k) log q has many equally good compositions) give the same
 * sizes whatever the last bits of the profile: each h(m) moved by a few ulps, seeded, 200 times. */
START_TEST(test_optimal_ties_stable)
{
    const unsigned seed = 20261202u;
    srand(seed);
    const int L = 9;
    for (int k = 1; k <= L; k++)
        for (int K = 1; K <= L; K++) {
            dlmkl_profile *p = dlmkl_profile_alloc(L);
            for (int m = 0; m <= L; m++)
                p->h[m] = (m < k ? m : k) * log2(5.0);
            int ref[16], got[16], n0, n1;
            double c0, c1;
            ck_assert_int_eq(dlmkl_optimal_sizes_exact(p, K, ref, &n0, &c0), DLMKL_OK);
            dlmkl_profile *q = dlmkl_profile_alloc(L);
            for (int rep = 0; rep < 200; rep++) {
                for (int m = 0; m <= L; m++)
                    q->h[m] = m ? p->h[m] * (1.0 + (rand() % 9 - 4) * 0x1p-52) : 0.0;
                for (int route = 0; route < 2; route++) {
                    int st = route ? dlmkl_optimal_sizes_dc(q, K, got, &n1, &c1) : dlmkl_optimal_sizes_exact(q, K, got, &n1, &c1);
                    ck_assert_int_eq(st, DLMKL_OK);
                    ck_assert_msg(n1 == n0 && memcmp(got, ref, (size_t)n0 * sizeof *ref) == 0,
                                  "seed %u, mds k = %d, K = %d, rep %d, %s: sizes moved with the last bits of h", seed, k,
                                  K, rep, route ? "divide and conquer" : "exact DP");
                    TU_CLOSE(c1, c0, 1e-11, "seed %u, k = %d, K = %d: cost", seed, k, K);
                }
            }
            dlmkl_profile_free(p), dlmkl_profile_free(q);
        }
}
END_TEST

int main(void)
{
Suite *s = suite_create("sizes");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_balanced);
    tcase_add_test(tc, test_alpha_rules);
    tcase_add_test(tc, test_chen);
    tcase_add_test(tc, test_chen_zeta_for_K_scan);
    tcase_add_test(tc, test_optimal_vs_compositions);
    tcase_add_test(tc, test_optimal_ties_stable);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
