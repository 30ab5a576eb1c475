/* test_tiny.c: kl_output and q̄ on laws with tiny, subnormal or underflowed probabilities.
 *
 * The plain forward pass loses these (1/M overflows for a subnormal M; q̄(x) underflows where
 * p(x) > 0), and dlmkl then redoes the pass in log space (kl_output.c). Checked here by two routes
 * independent of that code:
 *   1. a brute force in long double (range down to 1e-4951, so q̄(x) >= p(x)^L is representable for
 *      the L used here): every ordered sequence of reveal sets A_1..A_K with its probability
 *      Π 1/C(L - m_k, s_k), q_path(x) = Π_k Π_{i∈A_k} P(x_{B_k ∪ i}) / P(x_{B_k}) from marginals
 *      summed by this file (uniform 1/V where P(x_{B_k}) = 0), q̄ = Σ, KL = Σ p log2(p/q̄);
 *   2. continuity: kl_output is continuous in p here, so a law whose tiny entries go to 0 (markov
 *      stay = 1e-300 versus stay = 0; ising2d with J = 50 versus the copy law, its J -> ∞ limit)
 *      has the limit's kl_output up to O(1e-80), and the limit laws need no log space.
 * Also: the log-space route forced on ordinary laws equals the plain route (every code path:
 * fixed and random sizes, random and ordered positions, impossible states). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/kl.h"
#include "dlmkl/sampler.h"
#include "dlmkl/schedule.h"
#include "testutil.h"

/* ---- brute force (long double) ---- */

typedef struct {
    const dlmkl_dist *d;
    const int *sizes;
    int K;
    long double *marg;  /* marg[S * n + proj_S(x)] = P(X_S = x_S) */
    long double *qbar;  /* n */
    long double *qp;    /* work: n */
    int (*dig)[32];     /* digits of every x */
} brute;

static uint64_t proj(const brute *b, uint64_t S, uint64_t x)
{
    /* x with the digits outside S set to 0 */
    const int L = b->d->L, V = b->d->V;
    uint64_t r = 0;
    for (int i = 0; i < L; i++)
        r = r * (uint64_t)V + ((S >> i & 1) ? (uint64_t)b->dig[x][i] : 0);
    return r;
}

static long double binoml(int n, int k)
{
    long double c = 1;
    for (int j = 1; j <= k; j++)
        c = c * (n - k + j) / j;
    return c;
}

/* every reveal sequence from step k with revealed set B and path probability pr */
static void brute_rec(brute *b, int k, uint64_t B, long double pr, uint64_t *sets)
{
    const int L = b->d->L, V = b->d->V;
    const uint64_t n = b->d->n;
    if (k == b->K) {
        for (uint64_t x = 0; x < n; x++) {
            long double q = pr;
            uint64_t Bk = 0;
            for (int j = 0; j < b->K && q > 0; j++) {
                const uint64_t pB = proj(b, Bk, x);
                const long double den = b->marg[Bk * n + pB];
                uint64_t w = 1; /* V^(L-1-i) */
                for (int i = L - 1; i >= 0; i--, w *= (uint64_t)V)
                    if (sets[j] >> i & 1)
                        q *= den > 0 ? b->marg[(Bk | 1ULL << i) * n + pB + (uint64_t)b->dig[x][i] * w] / den : 1.0L / V;
                Bk |= sets[j];
            }
            b->qbar[x] += q;
        }
        return;
    }
    const int s = b->sizes[k], m = __builtin_popcountll(B);
    const long double c = 1.0L / binoml(L - m, s);
    const uint64_t full = (1ULL << L) - 1;
    for (uint64_t A = 0; A <= full; A++)
        if (!(A & B) && __builtin_popcountll(A) == s) {
            sets[k] = A;
            brute_rec(b, k + 1, B | A, pr * c, sets);
        }
}

/* q̄ (n long doubles, malloc'd) and KL in bits for fixed sizes and random positions */
static long double *brute_qbar(const dlmkl_dist *d, const int *sizes, int K, long double *kl)
{
    const int L = d->L, V = d->V;
    const uint64_t n = d->n, nm = 1ULL << L;
    brute b = {d, sizes, K, calloc(nm * n, sizeof(long double)), calloc(n, sizeof(long double)), NULL,
               malloc(n * sizeof *b.dig)};
    ck_assert(b.marg && b.qbar && b.dig);
    for (uint64_t x = 0; x < n; x++) {
        uint64_t t = x;
        for (int i = L - 1; i >= 0; i--) {
            b.dig[x][i] = (int)(t % (uint64_t)V);
            t /= (uint64_t)V;
        }
    }
    for (uint64_t S = 0; S < nm; S++)
        for (uint64_t y = 0; y < n; y++)
            b.marg[S * n + proj(&b, S, y)] += d->p[y];
    uint64_t sets[32];
    brute_rec(&b, 0, 0, 1.0L, sets);
    long double acc = 0;
    int inf = 0;
    for (uint64_t x = 0; x < n; x++)
        if (d->p[x] > 0) {
            if (b.qbar[x] > 0)
                acc += (long double)d->p[x] * log2l((long double)d->p[x] / b.qbar[x]);
            else
                inf = 1;
        }
    *kl = inf ? INFINITY : acc;
    free(b.marg), free(b.dig);
    return b.qbar;
}

/* ---- checks ---- */

static dlmkl_schedule *sched(const dlmkl_dist *d, const char *spec, int K)
{
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_schedule *s;
    ck_assert_msg(dlmkl_schedule_from_spec(spec, d->L, K, prof, &s) == DLMKL_OK, "%s", dlmkl_last_error());
    dlmkl_profile_free(prof);
    return s;
}

/* kl_output, q̄ and log2 q̄ of d under fixed-size schedule spec/K against the brute force */
static double check_brute(const dlmkl_dist *d, const char *spec, int K, const char *what)
{
    dlmkl_schedule *s = sched(d, spec, K);
    ck_assert_int_eq(s->kind, DLMKL_SCHED_FIXED);
    long double klb;
    long double *qb = brute_qbar(d, s->sizes, s->nsteps, &klb);
    double kl = NAN;
    ck_assert_msg(dlmkl_kl_output(d, s, NULL, &kl, NULL) == DLMKL_OK, "%s", dlmkl_last_error());
    ck_assert_msg(isfinite(kl), "%s: kl_output = %g, expected finite", what, kl);
    ck_assert_msg(isfinite((double)klb), "%s: the brute force is infinite", what);
    TU_CLOSE(kl, (double)klb, 1e-11 * fmax(1.0, fabs((double)klb)), "%s kl_output", what);
    double *q = malloc(d->n * sizeof *q), *lq = malloc(d->n * sizeof *lq);
    ck_assert(q && lq);
    ck_assert(dlmkl_sampler_law(d, s, NULL, q, NULL) == DLMKL_OK);
    double kl2;
    ck_assert(dlmkl_sampler_law_log2(d, s, NULL, 0, &kl2, lq) == DLMKL_OK);
    TU_CLOSE(kl2, (double)klb, 1e-11 * fmax(1.0, fabs((double)klb)), "%s kl from the q̄ route", what);
    int tiny = 0;
    for (uint64_t x = 0; x < d->n; x++) {
        ck_assert_msg(isfinite(q[x]) && q[x] >= 0, "%s: q̄[%llu] = %g", what, (unsigned long long)x, q[x]);
        if (qb[x] > 0) {
            const double want = (double)log2l(qb[x]);
            TU_CLOSE(lq[x], want, 1e-9 * fmax(1.0, fabs(want)), "%s log2 q̄[%llu]", what, (unsigned long long)x);
            if (qb[x] >= DBL_MIN)
                TU_CLOSE(q[x], (double)qb[x], 1e-9 * (double)qb[x], "%s q̄[%llu]", what, (unsigned long long)x);
            tiny += qb[x] < DBL_MIN;
        } else {
            ck_assert_msg(lq[x] == -INFINITY && q[x] == 0, "%s: q̄[%llu] must be exactly 0", what,
                          (unsigned long long)x);
        }
    }
    free(q), free(lq), free(qb);
    dlmkl_schedule_free(s);
    return tiny;
}

static dlmkl_dist *table_of(int L, int V, const double *p)
{
    dlmkl_dist *d = dlmkl_dist_alloc(L, V);
    ck_assert_ptr_nonnull(d);
    memcpy(d->p, p, d->n * sizeof *p);
    return d;
}

START_TEST(test_subnormal_table_entry)
{
    /* a table entry 4.9e-324 (the smallest subnormal): kl_output was +inf */
    const double p[] = {0.5, 4.9e-324, 0.25, 0.25};
    dlmkl_dist *d = table_of(2, 2, p);
    check_brute(d, "balanced", 2, "2x2 table with 4.9e-324");
    check_brute(d, "balanced", 1, "2x2 table with 4.9e-324, K = 1");
    dlmkl_dist_free(d);
    /* L = 4, several subnormal and tiny entries */
    double p4[16];
    for (int i = 0; i < 16; i++)
        p4[i] = (i % 3 == 0) ? 4.9e-324 * (i + 1) : (i % 3 == 1 ? 1e-300 : 0.0);
    double rest = 0;
    for (int i = 0; i < 16; i++)
        rest += p4[i];
    p4[5] = 0.6 - rest / 2, p4[10] = 0.4 - rest / 2;
    d = table_of(4, 2, p4);
    for (int K = 1; K <= 4; K++)
        check_brute(d, "balanced", K, "L=4 table with subnormals");
    check_brute(d, "sizes:1,3", 0, "L=4 table, sizes 1,3");
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_random_alpha_small)
{
    /* the case: random:L=8,V=2,seed=1,alpha=0.001 with balanced K = 5 gave -inf */
    dlmkl_dist *d = tu_dist("random:L=8,V=2,seed=1,alpha=0.001");
    int tiny = (int)check_brute(d, "balanced", 5, "random alpha=0.001 balanced K=5");
    check_brute(d, "balanced", 2, "random alpha=0.001 balanced K=2");
    (void)tiny;
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_ising_strong)
{
    /* ising2d 3x3, J = 50, optimal K = 2 gave +inf; brute force, and the copy law (J -> inf) */
    dlmkl_dist *d = tu_dist("ising2d:rows=3,cols=3,J=50");
    dlmkl_dist *c = tu_dist("copy:L=9");
    check_brute(d, "optimal", 2, "ising2d J=50 optimal K=2");
    check_brute(d, "balanced", 2, "ising2d J=50 balanced K=2");
    const char *specs[] = {"optimal", "balanced", "cosine", "iid:linear", "random-tc"};
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        for (int K = 2; K <= 4; K++) {
            dlmkl_schedule *s = sched(d, specs[i], K), *sc = sched(c, specs[i], K);
            double a, b;
            ck_assert(dlmkl_kl_output(d, s, NULL, &a, NULL) == DLMKL_OK);
            ck_assert(dlmkl_kl_output(c, sc, NULL, &b, NULL) == DLMKL_OK);
            ck_assert_msg(isfinite(a), "ising2d J=50 %s K=%d: kl_output = %g", specs[i], K, a);
            TU_CLOSE(a, b, 1e-12, "ising2d J=50 vs copy:L=9, %s K=%d", specs[i], K);
            dlmkl_schedule_free(s), dlmkl_schedule_free(sc);
        }
    dlmkl_dist_free(d), dlmkl_dist_free(c);
}
END_TEST

START_TEST(test_markov_tiny_stay)
{
    /* markov:L=10,stay=1e-300 against its limit stay = 0 (continuity), every schedule family and
     * both position kinds; brute force at L = 6 */
    const char *laws[][2] = {{"markov:L=10,stay=1e-300", "markov:L=10,stay=0"},
                             {"markov:L=7,stay=1e-300", "markov:L=7,stay=0"}};
    const char *specs[] = {"optimal", "balanced", "cosine", "iid:linear", "random-tc", "composition"};
    dlmkl_positions pos[2] = {{DLMKL_POS_RANDOM, 0}, {DLMKL_POS_L2R, 0}};
    dlmkl_dist *d, *z;
    for (int li = 0; li < 2; li++) {
        d = tu_dist(laws[li][0]), z = tu_dist(laws[li][1]);
        /* L = 10 (the law): the fixed schedules; L = 7: every family */
        const size_t nspecs = li == 0 ? 2 : sizeof specs / sizeof *specs;
        for (size_t i = 0; i < nspecs; i++)
            for (int K = 2; K <= 5; K += 3)
                for (int pi = 0; pi < 2; pi++) {
                    dlmkl_schedule *s = sched(d, specs[i], K), *sz = sched(z, specs[i], K);
                    double a, b;
                    ck_assert(dlmkl_kl_output(d, s, &pos[pi], &a, NULL) == DLMKL_OK);
                    ck_assert(dlmkl_kl_output(z, sz, &pos[pi], &b, NULL) == DLMKL_OK);
                    ck_assert_msg(isfinite(a), "%s %s K=%d: kl_output = %g", laws[li][0], specs[i], K, a);
                    TU_CLOSE(a, b, 1e-12, "%s vs stay=0, %s K=%d positions %d", laws[li][0], specs[i], K, pi);
                    dlmkl_schedule_free(s), dlmkl_schedule_free(sz);
                }
        dlmkl_dist_free(d), dlmkl_dist_free(z);
    }
    d = tu_dist("markov:L=6,stay=1e-300");
    ck_assert_msg(check_brute(d, "optimal", 2, "markov L=6 stay=1e-300 optimal K=2") > 0,
                  "the case must reach q̄ below the double range");
    check_brute(d, "balanced", 3, "markov L=6 stay=1e-300 balanced K=3");
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_log_route_equals_plain)
{
    /* the log-space pass forced on ordinary laws equals the plain pass, cell by cell */
    const char *dists[] = {"random:L=5,V=3,seed=4", "copy:L=5", "parity:L=5", "markov:L=6,stay=0.9"};
    const char *specs[] = {"balanced", "iid:cosine", "composition", "random-dtc"};
    dlmkl_positions pos[3] = {{DLMKL_POS_RANDOM, 0}, {DLMKL_POS_L2R, 0}, {DLMKL_POS_STRIDE, 2}};
    for (size_t i = 0; i < sizeof dists / sizeof *dists; i++) {
        dlmkl_dist *d = tu_dist(dists[i]);
        double *lq0 = malloc(d->n * sizeof *lq0), *lq1 = malloc(d->n * sizeof *lq1);
        for (size_t j = 0; j < sizeof specs / sizeof *specs; j++)
            for (int pi = 0; pi < 3; pi++) {
                dlmkl_schedule *s = sched(d, specs[j], 3);
                double k0, k1, k2;
                ck_assert(dlmkl_sampler_law_log2(d, s, &pos[pi], 0, &k0, lq0) == DLMKL_OK);
                ck_assert(dlmkl_sampler_law_log2(d, s, &pos[pi], 1, &k1, lq1) == DLMKL_OK);
                ck_assert(dlmkl_kl_output(d, s, &pos[pi], &k2, NULL) == DLMKL_OK);
                TU_CLOSE(k1, k0, 1e-11, "%s %s positions %d: log route", dists[i], specs[j], pi);
                TU_CLOSE(k2, k0, 1e-12, "%s %s positions %d: pruned", dists[i], specs[j], pi);
                for (uint64_t x = 0; x < d->n; x++) {
                    if (lq0[x] == -INFINITY)
                        ck_assert_msg(lq1[x] == -INFINITY, "%s: q̄ = 0 by one route only", dists[i]);
                    else
                        TU_CLOSE(lq1[x], lq0[x], 1e-11, "%s %s log2 q̄[%llu]", dists[i], specs[j],
                                 (unsigned long long)x);
                }
                dlmkl_schedule_free(s);
            }
        free(lq0), free(lq1);
        dlmkl_dist_free(d);
    }
}
END_TEST

int main(void)
{
    dlmkl_set_threads(1); /* many small passes: thread start-up would dominate (results do not depend on it) */
    Suite *s = suite_create("tiny");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    /* the long-double brute force needs the x87 exponent range, which valgrind (the DLMKL_TEST_FAST
     * run) emulates with doubles: those three cases run in the other builds only */
    TU_ADD_SLOW_TEST(tc, test_subnormal_table_entry);
    tcase_add_test(tc, test_random_alpha_small);
    TU_ADD_SLOW_TEST(tc, test_ising_strong);
    TU_ADD_SLOW_TEST(tc, test_markov_tiny_stay);
    tcase_add_test(tc, test_log_route_equals_plain);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
