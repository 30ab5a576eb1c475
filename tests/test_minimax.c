/* test_minimax.c: the minimax size law (LP) against independent evaluations: its own worst case by
 * a forward DP written here, every deterministic composition, random i.i.d.-reveal and random
 * (k, m)-dependent laws, a grid search over the K = 2 family, and bad arguments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/common.h"
#include "dlmkl/kl.h"
#include "dlmkl/minimax.h"
#include "testutil.h"

#define MAXL 64

static const dlmkl_minimax_target targets[3] = {DLMKL_MINIMAX_TC, DLMKL_MINIMAX_DTC, DLMKL_MINIMAX_BOTH};

static double w_of(int t, int L, int d)
{
    if (t == DLMKL_MINIMAX_TC)
        return L - d;
    if (t == DLMKL_MINIMAX_DTC)
        return d;
    return d < L - d ? d : L - d;
}

/* overshoot cost of the jump m -> m + s on h_d */
static double cost_d(int m, int s, int d)
{
    return m < d && m + s > d ? (double)(m + s - d) : 0.0;
}

/* Worst case of a (k, m)-law given as row(k, m, ps) by a forward DP over (k, m), reading the
 * public LAW arrays directly (not dlmkl_schedule_step_law). Returns max_d K·KL_d/w(d). Also checks
 * the rows: probabilities in [0, 1] summing to 1, sizes in range, the last step revealing all. */
static double law_worst_here(const dlmkl_schedule *s, int target, double *kld)
{
    const int L = s->L, K = s->nsteps;
    ck_assert_int_eq(s->kind, DLMKL_SCHED_LAW);
    double P[MAXL + 1] = {0}, Q[MAXL + 1], kl[MAXL + 1] = {0};
    P[0] = 1;
    for (int k = 0; k < K; k++) {
        memset(Q, 0, sizeof Q);
        for (int m = 0; m <= L; m++) {
            size_t r = (size_t)k * (L + 1) + (size_t)m;
            int64_t a = s->row_start[r], b = s->row_start[r + 1];
            ck_assert_msg(b > a, "row k=%d m=%d is empty", k + 1, m);
            double sum = 0;
            for (int64_t i = a; i < b; i++) {
                int sz = s->law[i].s;
                double p = s->law[i].prob;
                ck_assert(sz >= 0 && sz <= L - m);
                ck_assert(p > 0 && p <= 1 + 1e-12);
                if (i > a)
                    ck_assert(sz > s->law[i - 1].s);
                if (k == K - 1)
                    ck_assert_int_eq(sz, L - m);
                sum += p;
                if (P[m] > 0) {
                    Q[m + sz] += P[m] * p;
                    for (int d = 1; d < L; d++)
                        kl[d] += P[m] * p * cost_d(m, sz, d);
                }
            }
            ck_assert_msg(fabs(sum - 1) < 1e-12, "row k=%d m=%d sums to %.17g", k + 1, m, sum);
        }
        memcpy(P, Q, sizeof P);
    }
    ck_assert(fabs(P[L] - 1) < 1e-12);
    double worst = 0;
    for (int d = 1; d < L; d++) {
        double v = K * kl[d] / w_of(target, L, d);
        if (v > worst)
            worst = v;
        if (kld)
            kld[d] = kl[d];
    }
    return worst;
}

/* worst case of deterministic sizes: max_d K (N(d) − d)/w(d) */
static double fixed_worst_here(const int *sz, int n, int L, int K, int target)
{
    double worst = 0;
    int cum[MAXL + 2], c = 0;
    cum[0] = 0;
    for (int i = 0; i < n; i++)
        cum[i + 1] = (c += sz[i]);
    for (int d = 1; d < L; d++) {
        int N = L;
        for (int i = 0; i <= n; i++)
            if (cum[i] >= d) {
                N = cum[i];
                break;
            }
        double v = (double)K * (N - d) / w_of(target, L, d);
        if (v > worst)
            worst = v;
    }
    return worst;
}

static dlmkl_schedule *solve(int L, int K, int target, double *lp, dlmkl_minimax_info *info)
{
    dlmkl_schedule *s = NULL;
    int st = dlmkl_minimax_law(L, K, (dlmkl_minimax_target)target, &s, lp, info);
    ck_assert_msg(st == DLMKL_OK, "minimax L=%d K=%d target %d: %s", L, K, target, dlmkl_last_error());
    return s;
}

/* (1) the LP value is the worst case of the returned law, evaluated here; the library's
 * kl_expected on h_d agrees with this file's DP */
START_TEST(test_value_is_law_worst)
{
    static const int cases[][2] = {{1, 1}, {2, 1}, {2, 2}, {3, 2}, {5, 3}, {8, 2}, {8, 4}, {10, 3}, {12, 4}, {16, 4}, {24, 6}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int t = 0; t < 3; t++) {
            int L = cases[c][0], K = cases[c][1];
            double lp, kld[MAXL + 1];
            dlmkl_minimax_info info;
            dlmkl_schedule *s = solve(L, K, targets[t], &lp, &info);
            double here = law_worst_here(s, targets[t], kld);
            TU_CLOSE(lp, here, 1e-9 * (1 + here), "L=%d K=%d target %d", L, K, t);
            TU_CLOSE(info.law_worst, here, 1e-9 * (1 + here), "L=%d K=%d target %d", L, K, t);
            ck_assert_int_eq(info.exact, 1);
            double lw;
            ck_assert_int_eq(dlmkl_minimax_worst(s, targets[t], &lw, NULL), DLMKL_OK);
            TU_CLOSE(lw, here, 1e-9 * (1 + here), "L=%d K=%d", L, K);
            dlmkl_profile *prof = dlmkl_profile_alloc(L);
            for (int d = 1; d < L; d++) {
                for (int m = 0; m <= L; m++)
                    prof->h[m] = m < d ? m : d;
                double kl;
                ck_assert_int_eq(dlmkl_kl_expected(prof, s, &kl), DLMKL_OK);
                TU_CLOSE(kl, kld[d], 1e-9 * L, "L=%d K=%d d=%d", L, K, d);
            }
            dlmkl_profile_free(prof);
            if (K == L || L == 1)
                TU_CLOSE(lp, 0.0, 1e-12, "L=%d K=%d: singles cost nothing", L, K);
            if (K == 1) /* one step: KL = TC, so K·KL/TC = 1, K·KL/DTC = max_d (L−d)/d = L − 1 */
                TU_CLOSE(lp, L == 1 ? 0.0 : (targets[t] == DLMKL_MINIMAX_TC ? 1.0 : L - 1.0), 1e-9, "K=1 L=%d", L);
            dlmkl_schedule_free(s);
        }
}
END_TEST

/* all compositions of L into at most K parts (positive parts), through a callback on sizes */
static void best_composition(int L, int K, int target, int *sz, int n, int left, double *best)
{
    if (left == 0) {
        double v = fixed_worst_here(sz, n, L, K, target);
        if (v < *best)
            *best = v;
        return;
    }
    if (n == K)
        return;
    for (int s = 1; s <= left; s++) {
        sz[n] = s;
        best_composition(L, K, target, sz, n + 1, left - s, best);
    }
}

/* (2) the LP value is <= the worst case of every composition (and the library's bottleneck DP
 * finds the best composition), and strictly below the best one where randomisation helps */
START_TEST(test_below_deterministic)
{
    int strict = 0;
    for (int L = 2; L <= 10; L++)
        for (int K = 1; K <= L; K++)
            for (int t = 0; t < 3; t++) {
                int sz[MAXL];
                double best = INFINITY, lp;
                best_composition(L, K, targets[t], sz, 0, L, &best);
                dlmkl_schedule *s = solve(L, K, targets[t], &lp, NULL);
                dlmkl_schedule_free(s);
                ck_assert_msg(lp <= best + 1e-9, "L=%d K=%d target %d: LP %.17g above the best composition %.17g", L, K, t, lp, best);
                int fs[MAXL], nst;
                double fw;
                ck_assert_int_eq(dlmkl_minimax_fixed(L, K, targets[t], fs, &nst, &fw), DLMKL_OK);
                TU_CLOSE(fw, best, 1e-12, "fixed DP L=%d K=%d target %d", L, K, t);
                ck_assert(nst <= K);
                TU_CLOSE(fixed_worst_here(fs, nst, L, K, targets[t]), best, 1e-12, "fixed sizes L=%d K=%d", L, K);
                if (lp < best - 1e-6)
                    strict++;
            }
    ck_assert_msg(strict > 0, "randomisation never helped");
    /* documented instances: L = 8, K = 2, TC: best composition 7+1 gives 12/7, the LP 1.2287 */
    double lp;
    dlmkl_schedule *s = solve(8, 2, DLMKL_MINIMAX_TC, &lp, NULL);
    dlmkl_schedule_free(s);
    ck_assert(lp < 12.0 / 7.0 - 0.4);
}
END_TEST

/* binomial upper tail P(Bin(n, p) >= d), by the pmf recursion (no library code) */
static double binom_tail(int n, double p, int d)
{
    if (d <= 0)
        return 1.0;
    if (p <= 0)
        return 0.0;
    if (p >= 1)
        return d <= n ? 1.0 : 0.0;
    double tail = 0;
    for (int j = d; j <= n; j++)
        tail += exp(lgamma(n + 1.0) - lgamma(j + 1.0) - lgamma(n - j + 1.0) + j * log(p) + (n - j) * log1p(-p));
    return tail;
}

/* (2b) random laws: i.i.d. reveal times with random π (closed form from theory.md) and random
 * (k, m)-dependent laws (DP here) are never better than the LP */
START_TEST(test_below_random_laws)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 12345);
    static const int cases[][2] = {{4, 2}, {6, 2}, {6, 3}, {8, 2}, {8, 4}, {10, 3}, {12, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int t = 0; t < 3; t++) {
            int L = cases[c][0], K = cases[c][1];
            double lp;
            dlmkl_schedule *opt = solve(L, K, targets[t], &lp, NULL);
            dlmkl_schedule_free(opt);
            for (int trial = 0; trial < 200; trial++) {
                /* i.i.d. reveal times: KL_d = (L − d) − L Σ_k π_k P(Bin(L−1, F_{k−1}) >= d) */
                double pi[MAXL], tot = 0;
                for (int k = 0; k < K; k++)
                    tot += pi[k] = -log(gsl_rng_uniform_pos(rng)) * (trial % 2 ? pow(3.0, k) : 1.0);
                double worst = 0, F = 0;
                double kl[MAXL + 1];
                for (int d = 1; d < L; d++)
                    kl[d] = L - d;
                for (int k = 0; k < K; k++) {
                    pi[k] /= tot;
                    for (int d = 1; d < L; d++)
                        kl[d] -= L * pi[k] * binom_tail(L - 1, F, d);
                    F += pi[k];
                }
                for (int d = 1; d < L; d++)
                    worst = fmax(worst, K * kl[d] / w_of(targets[t], L, d));
                ck_assert_msg(lp <= worst + 1e-9, "iid law beats the LP: L=%d K=%d t=%d %.17g < %.17g", L, K, t, worst, lp);

                /* a random (k, m)-dependent law, as a LAW schedule built here */
                dlmkl_schedule sc = {.kind = DLMKL_SCHED_LAW, .L = L, .nsteps = K, .budget = K};
                int64_t rs[(MAXL + 1) * 16 + 1];
                dlmkl_law_entry le[(MAXL + 1) * 16 * 2];
                sc.row_start = rs;
                sc.law = le;
                int64_t at = 0;
                for (int k = 0; k < K; k++)
                    for (int m = 0; m <= L; m++) {
                        rs[k * (L + 1) + m] = at;
                        if (k == K - 1 || m == L) {
                            le[at++] = (dlmkl_law_entry){L - m, 1.0};
                            continue;
                        }
                        int a = (int)gsl_rng_uniform_int(rng, (unsigned long)(L - m + 1));
                        int b = (int)gsl_rng_uniform_int(rng, (unsigned long)(L - m + 1));
                        if (a == b) {
                            le[at++] = (dlmkl_law_entry){a, 1.0};
                        } else {
                            double p = gsl_rng_uniform_pos(rng);
                            int lo = a < b ? a : b, hi = a < b ? b : a;
                            le[at++] = (dlmkl_law_entry){lo, p};
                            le[at++] = (dlmkl_law_entry){hi, 1 - p};
                        }
                    }
                rs[K * (L + 1)] = at;
                double rw = law_worst_here(&sc, targets[t], NULL);
                ck_assert_msg(lp <= rw + 1e-9, "random law beats the LP: L=%d K=%d t=%d", L, K, t);
            }
        }
    gsl_rng_free(rng);
}
END_TEST

/* (3) K = 2: the law is the first size's law q on {0..L}; a grid of step 1/N over the simplex
 * reaches the LP optimum within the grid's resolution: |worst(q) − worst(q')| <= A·|q − q'|_1,
 * A = max_{d,s} K·KL_d(s)/w(d), and some grid point has |q − q*|_1 <= (L+1)/N. */
static void grid_rec(int L, int t, int N, int s, int left, double *q, double *best)
{
    if (s == L) {
        q[L] = (double)left / N;
        double worst = 0;
        for (int d = 1; d < L; d++) {
            double kl = 0;
            for (int j = 0; j <= L; j++)
                kl += q[j] * (cost_d(0, j, d) + cost_d(j, L - j, d));
            worst = fmax(worst, 2 * kl / w_of(targets[t], L, d));
        }
        if (worst < *best)
            *best = worst;
        return;
    }
    for (int i = 0; i <= left; i++) {
        q[s] = (double)i / N;
        grid_rec(L, t, N, s + 1, left - i, q, best);
    }
}

START_TEST(test_grid_k2)
{
    static const int Ns[] = {0, 0, 0, 0, 60, 36, 24};
    for (int L = 4; L <= 6; L++)
        for (int t = 0; t < 3; t++) {
            double lp, q[MAXL + 1], best = INFINITY, A = 0;
            dlmkl_schedule *s = solve(L, 2, targets[t], &lp, NULL);
            dlmkl_schedule_free(s);
            grid_rec(L, t, Ns[L], 0, Ns[L], q, &best);
            for (int d = 1; d < L; d++)
                for (int j = 0; j <= L; j++)
                    A = fmax(A, 2 * (cost_d(0, j, d) + cost_d(j, L - j, d)) / w_of(targets[t], L, d));
            double res = A * (L + 1) / Ns[L];
            ck_assert_msg(best >= lp - 1e-9, "grid below the LP: L=%d t=%d %.17g < %.17g", L, t, best, lp);
            ck_assert_msg(best <= lp + res, "grid too far above the LP: L=%d t=%d %.17g vs %.17g (res %g)", L, t, best, lp, res);
        }
}
END_TEST

/* (4) bad arguments are errors */
START_TEST(test_bad_args)
{
    dlmkl_schedule *s = (dlmkl_schedule *)1;
    double w = -1;
    ck_assert_int_eq(dlmkl_minimax_law(8, 0, DLMKL_MINIMAX_TC, &s, &w, NULL), DLMKL_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(dlmkl_minimax_law(8, -3, DLMKL_MINIMAX_TC, &s, &w, NULL), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_minimax_law(8, 9, DLMKL_MINIMAX_DTC, &s, &w, NULL), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_minimax_law(0, 1, DLMKL_MINIMAX_TC, &s, &w, NULL), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_minimax_law(8, 2, (dlmkl_minimax_target)7, &s, &w, NULL), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_minimax_law(200, 50, DLMKL_MINIMAX_TC, &s, &w, NULL), DLMKL_EINVAL);
    ck_assert_msg(strstr(dlmkl_last_error(), "variables") != NULL, "message: %s", dlmkl_last_error());
    ck_assert_int_eq(dlmkl_minimax_law(1 << 30, 1 << 29, DLMKL_MINIMAX_TC, &s, &w, NULL), DLMKL_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert(w == -1);
    int sz[8], n;
    ck_assert_int_eq(dlmkl_minimax_fixed(8, 0, DLMKL_MINIMAX_TC, sz, &n, &w), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_minimax_fixed(8, 9, DLMKL_MINIMAX_TC, sz, &n, &w), DLMKL_EINVAL);
    /* the memory cap applies */
    size_t cap = dlmkl_max_memory();
    dlmkl_set_max_memory(1000);
    ck_assert_int_eq(dlmkl_minimax_law(16, 4, DLMKL_MINIMAX_TC, &s, &w, NULL), DLMKL_ETOOBIG);
    dlmkl_set_max_memory(cap);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("minimax");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_value_is_law_worst);
    tcase_add_test(tc, test_below_deterministic);
    tcase_add_test(tc, test_below_random_laws);
    tcase_add_test(tc, test_grid_k2);
    tcase_add_test(tc, test_bad_args);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
