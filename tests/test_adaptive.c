/* test_adaptive.c: value-adaptive position policies and imperfect predictors (adaptive.h).
 * - a brute force written here from the policies' definitions: enumerate every path (sizes, sets,
 *   values) with its ideal and sampler probabilities, conditionals by direct summation over the table;
 *   it gives kl_expected, kl_predictor, kl_path, q̄ (so kl_output) and the sampler's iteration law;
 * - value-blind policies equal kl.h's kl_expected and kl_output;
 * - kl_path = kl_expected + kl_predictor (p first), kl_output <= kl_path;
 * - a G-test of the simulator against q̄ (false-alarm rate 1e-6 per case);
 * - bit-identical results for 1 and 2 threads; the tie rule on markov:L=5,stay=0.8. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "dlmkl/adaptive.h"
#include "dlmkl/kl.h"
#include "dlmkl/profile.h"
#include "testutil.h"

#define TOL 1e-11

/* ---- brute force ---- */

typedef struct bf {
    const dlmkl_dist *d;
    const dlmkl_schedule *s;
    const dlmkl_adaptive *pol;
    const dlmkl_predictor *pred;
    int L, V;
    double klexp, klpred, klpath, itmean, itmean_ideal;
    double multi, excess, summax; /* ideal: steps with |A| >= 2, Σ (|A| − 1), Σ (Σ_A H − max_A H) */
    int incl;                     /* eb: Cai & Li's reading instead (see bf_choose) */
    double *q;
    double iters[DLMKL_MAX_L + 1];
} bf;

/* P(X_B = x_B), B = {i : rev[i] >= 0}, by summing the table */
static double marg(const bf *b, const int *rev)
{
    double sum = 0;
    for (uint64_t x = 0; x < b->d->n; x++) {
        uint64_t r = x;
        int ok = 1;
        for (int i = b->L - 1; i >= 0; i--) {
            int xi = (int)(r % (uint64_t)b->V);
            r /= (uint64_t)b->V;
            if (rev[i] >= 0 && rev[i] != xi)
                ok = 0;
        }
        if (ok)
            sum += b->d->p[x];
    }
    return sum;
}

static uint64_t ext_of(const bf *b, const int *rev)
{
    uint64_t e = 0;
    for (int i = 0; i < b->L; i++)
        e = e * (uint64_t)(b->V + 1) + (uint64_t)(rev[i] >= 0 ? rev[i] : b->V);
    return e;
}

static double ent(int V, const double *q)
{
    double h = 0;
    for (int v = 0; v < V; v++)
        if (q[v] > 0)
            h -= q[v] * log2(q[v]);
    return h;
}

/* the set picked (positions, increasing) from the predicted conditionals ch[i][.] of masked i */
static int bf_choose(const bf *b, const int *rev, double ch[][8], int s, int *A)
{
    const int L = b->L, V = b->V;
    double sc[DLMKL_MAX_L];
    int masked[DLMKL_MAX_L], n = 0;
    for (int i = 0; i < L; i++)
        if (rev[i] < 0)
            masked[n++] = i;
    const dlmkl_adaptive *p = b->pol;
    int want = s;
    for (int j = 0; j < n; j++) {
        const int i = masked[j];
        double m1 = -1, m2 = -1;
        for (int v = 0; v < V; v++) {
            if (ch[i][v] > m1)
                m2 = m1, m1 = ch[i][v];
            else if (ch[i][v] > m2)
                m2 = ch[i][v];
        }
        if (p->kind == DLMKL_ADAPT_CONFIDENCE && p->by == DLMKL_SCORE_MARGIN)
            sc[j] = m1 - m2;
        else if ((p->kind == DLMKL_ADAPT_CONFIDENCE && p->by == DLMKL_SCORE_ENTROPY) || p->kind == DLMKL_ADAPT_EB ||
                 p->kind == DLMKL_ADAPT_ENTSUM)
            sc[j] = -ent(V, ch[i]);
        else
            sc[j] = m1;
    }
    if (p->kind == DLMKL_ADAPT_L2R) {
        for (int j = 0; j < s; j++)
            A[j] = masked[j];
        return s;
    }
    if (p->kind == DLMKL_ADAPT_THRESHOLD) {
        int a = 0;
        for (int j = 0; j < n; j++)
            if (sc[j] > p->param)
                A[a++] = masked[j];
        if (a > 0)
            return a;
        want = 1;
    }
    /* ranking: repeatedly the first (lowest position) whose score is within 1e-12 of the best left */
    int order[DLMKL_MAX_L], used[DLMKL_MAX_L] = {0};
    for (int r = 0; r < n; r++) {
        double best = -1e300;
        for (int j = 0; j < n; j++)
            if (!used[j] && sc[j] > best)
                best = sc[j];
        for (int j = 0; j < n; j++)
            if (!used[j] && sc[j] >= best - 1e-12) {
                used[j] = 1, order[r] = j;
                break;
            }
    }
    if (p->kind == DLMKL_ADAPT_EB || p->kind == DLMKL_ADAPT_ENTSUM) {
        /* the longest prefix meeting the rule, at least 1 */
        want = 1;
        for (int len = 2; len <= n; len++) {
            double sum = 0, mx = 0;
            for (int r = 0; r < len; r++) {
                double h = -sc[order[r]];
                sum += h;
                mx = h > mx ? h : mx;
            }
            double crit = p->kind == DLMKL_ADAPT_EB ? sum - mx : sum;
            /* "keep unmasking until the cumulative entropy exceeds eps" (Cai & Li's abstract): the
             * len-th position of the ranking is taken while the sum of the len − 1 before it is <= eps */
            if (b->incl)
                crit = sum - (-sc[order[len - 1]]);
            if (crit <= p->param)
                want = len;
            else
                break;
        }
    }
    for (int r = 0; r < want; r++)
        A[r] = masked[order[r]];
    for (int x = 1; x < want; x++) /* sort */
        for (int y = x; y > 0 && A[y - 1] > A[y]; y--) {
            int t = A[y];
            A[y] = A[y - 1], A[y - 1] = t;
        }
    return want;
}

static void bf_rec(bf *b, int *rev, int k, int its, double wi, double ws);

/* reveal A (a positions) from state rev with option prob P */
static void bf_reveal(bf *b, int *rev, int k, int its, double wi, double ws, double P, const int *A, int a,
                      double ch[][8], double c[][8], double Mb)
{
    const int V = b->V;
    if (a == 0) {
        bf_rec(b, rev, k + 1, its, wi * P, ws * P);
        return;
    }
    /* TC and predictor terms on the ideal side */
    int v[DLMKL_MAX_L] = {0};
    double HA = 0, path = 0, hs = 0, kp = 0;
    for (;;) {
        for (int q = 0; q < a; q++)
            rev[A[q]] = v[q];
        double pI = Mb > 0 ? marg(b, rev) / Mb : 0, pS = 1;
        for (int q = 0; q < a; q++)
            pS *= ch[A[q]][v[q]];
        if (pI > 0) {
            HA -= pI * log2(pI);
            path += pI * log2(pI / pS);
        }
        if (wi * pI > 0 || ws * pS > 0)
            bf_rec(b, rev, k + 1, its + 1, wi * P * pI, ws * P * pS);
        int q = a - 1;
        while (q >= 0 && ++v[q] == V)
            v[q--] = 0;
        if (q < 0)
            break;
    }
    for (int q = 0; q < a; q++)
        rev[A[q]] = -1;
    if (wi > 0) {
        double hmax = 0;
        for (int q = 0; q < a; q++) {
            const double h = ent(V, c[A[q]]);
            hs += h;
            hmax = h > hmax ? h : hmax;
            for (int u = 0; u < V; u++)
                if (c[A[q]][u] > 0)
                    kp += c[A[q]][u] * log2(c[A[q]][u] / ch[A[q]][u]);
        }
        b->klexp += wi * P * (hs - HA);
        b->summax += wi * P * (hs - hmax);
        b->multi += a >= 2 ? wi * P : 0.0;
        b->excess += wi * P * (a - 1);
        b->klpred += wi * P * kp;
        b->klpath += wi * P * path;
    }
}

static void bf_rec(bf *b, int *rev, int k, int its, double wi, double ws)
{
    const int L = b->L, V = b->V;
    int m = 0;
    for (int i = 0; i < L; i++)
        m += rev[i] >= 0;
    if (m == L) {
        uint64_t x = 0;
        for (int i = 0; i < L; i++)
            x = x * (uint64_t)V + (uint64_t)rev[i];
        b->q[x] += ws;
        b->iters[its] += ws;
        b->itmean += ws * its;
        b->itmean_ideal += wi * its;
        return;
    }
    const double Mb = marg(b, rev);
    double c[DLMKL_MAX_L][8], ch[DLMKL_MAX_L][8];
    const uint64_t y = ext_of(b, rev);
    for (int i = 0; i < L; i++) {
        if (rev[i] >= 0)
            continue;
        for (int v = 0; v < V; v++) {
            rev[i] = v;
            c[i][v] = Mb > 0 ? marg(b, rev) / Mb : 1.0 / V;
        }
        rev[i] = -1;
        dlmkl_predictor_apply(b->pred, V, c[i], y, i, ch[i]);
    }
    int A[DLMKL_MAX_L];
    if (dlmkl_adaptive_self_sized(b->pol)) {
        int a = bf_choose(b, rev, ch, 0, A);
        bf_reveal(b, rev, k, its, wi, ws, 1.0, A, a, ch, c, Mb);
        return;
    }
    ck_assert_int_lt(k, b->s->nsteps);
    double pl[DLMKL_MAX_L + 1];
    ck_assert_int_eq(dlmkl_schedule_step_law(b->s, k, m, pl), DLMKL_OK);
    for (int s = 0; s <= L - m; s++) {
        if (!(pl[s] > 0))
            continue;
        if (b->pol->kind == DLMKL_ADAPT_RANDOM) {
            /* every s-subset of the masked positions */
            int masked[DLMKL_MAX_L], n = 0;
            for (int i = 0; i < L; i++)
                if (rev[i] < 0)
                    masked[n++] = i;
            int cnt = 0;
            for (int sub = 0; sub < 1 << n; sub++)
                cnt += __builtin_popcount((unsigned)sub) == s;
            for (int sub = 0; sub < 1 << n; sub++) {
                if (__builtin_popcount((unsigned)sub) != s)
                    continue;
                int a = 0;
                for (int j = 0; j < n; j++)
                    if (sub >> j & 1)
                        A[a++] = masked[j];
                bf_reveal(b, rev, k, its, wi, ws, pl[s] / cnt, A, a, ch, c, Mb);
            }
        } else {
            int a = bf_choose(b, rev, ch, s, A);
            bf_reveal(b, rev, k, its, wi, ws, pl[s], A, a, ch, c, Mb);
        }
    }
}

static void brute(bf *b, const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_adaptive *pol,
                  const dlmkl_predictor *pred)
{
    memset(b, 0, sizeof *b);
    b->d = d, b->s = s, b->pol = pol, b->pred = pred, b->L = d->L, b->V = d->V;
    b->q = calloc(d->n, sizeof *b->q);
    ck_assert_ptr_nonnull(b->q);
    int rev[DLMKL_MAX_L];
    for (int i = 0; i < d->L; i++)
        rev[i] = -1;
    bf_rec(b, rev, 0, 0, 1.0, 1.0);
}

static double klq(const dlmkl_dist *d, const double *q)
{
    double acc = 0;
    for (uint64_t x = 0; x < d->n; x++)
        if (d->p[x] > 0)
            acc += q[x] > 0 ? d->p[x] * log2(d->p[x] / q[x]) : INFINITY;
    return acc;
}

static dlmkl_schedule *sched(const char *spec, int L, int K)
{
    dlmkl_schedule *s = NULL;
    ck_assert_msg(dlmkl_schedule_from_spec(spec, L, K, NULL, &s) == DLMKL_OK, "%s: %s", spec, dlmkl_last_error());
    return s;
}

static void eval(const dlmkl_dist *d, const dlmkl_schedule *s, const char *polspec, const char *predspec,
                 dlmkl_adaptive_result *r, double *q)
{
    dlmkl_adaptive pol;
    dlmkl_predictor pred;
    ck_assert_msg(dlmkl_adaptive_parse(polspec, &pol) == DLMKL_OK, "%s", dlmkl_last_error());
    ck_assert_msg(dlmkl_predictor_parse(predspec, &pred) == DLMKL_OK, "%s", dlmkl_last_error());
    ck_assert_msg(dlmkl_adaptive_eval(d, dlmkl_adaptive_self_sized(&pol) ? NULL : s, &pol, &pred, q, r) == DLMKL_OK,
                  "%s %s: %s", polspec, predspec, dlmkl_last_error());
}

static const char *const dists[] = {"markov:L=5,stay=0.8", "copy:L=4,V=2", "parity:L=4", "ising:L=5,J=0.7",
                                    "random:L=4,V=3,seed=7,alpha=0.3", "mixture:0.5*{copy:L=4,V=2}+0.5*{parity:L=4}",
                                    "random:L=3,V=3,seed=2,alpha=0.2"};
static const char *const pols[] = {"confidence", "confidence:by=margin", "confidence:by=entropy", "threshold:tau=0.7",
                                   "threshold:tau=0.95", "eb:gamma=0.3", "eb:gamma=2", "entsum:eps=0.5",
                                   "entsum:eps=1.5", "random", "l2r"};
static const char *const preds[] = {"exact", "temp:0.7", "temp:1.5", "topk:1", "topp:0.8", "mix:0.2,seed=5"};
static const char *const scheds[] = {"balanced", "iid:cosine", "composition"};

/* every (dist, policy, predictor, schedule) against the brute force */
START_TEST(test_brute)
{
    /* under valgrind (DLMKL_TEST_FAST) the first two distributions only */
    const size_t nd = tu_fast() ? 2 : sizeof dists / sizeof *dists;
    for (size_t di = 0; di < nd; di++) {
        dlmkl_dist *d = tu_dist(dists[di]);
        for (size_t pi = 0; pi < sizeof pols / sizeof *pols; pi++)
            for (size_t qi = 0; qi < sizeof preds / sizeof *preds; qi++)
                for (size_t si = 0; si < sizeof scheds / sizeof *scheds; si++) {
                    dlmkl_adaptive pol;
                    ck_assert_int_eq(dlmkl_adaptive_parse(pols[pi], &pol), DLMKL_OK);
                    if (dlmkl_adaptive_self_sized(&pol) && si > 0)
                        continue;
                    const int K = d->L > 2 ? d->L - 2 : 1;
                    dlmkl_schedule *s = sched(scheds[si], d->L, K);
                    dlmkl_predictor pred;
                    ck_assert_int_eq(dlmkl_predictor_parse(preds[qi], &pred), DLMKL_OK);
                    dlmkl_adaptive_result r;
                    double *q = malloc(d->n * sizeof *q);
                    eval(d, s, pols[pi], preds[qi], &r, q);
                    bf b;
                    brute(&b, d, dlmkl_adaptive_self_sized(&pol) ? NULL : s, &pol, &pred);
                    char cs[256];
                    snprintf(cs, sizeof cs, "%s %s %s %s K=%d", dists[di], pols[pi], preds[qi], scheds[si], K);
                    TU_CLOSE(r.kl_expected, b.klexp, TOL, "%s", cs);
                    if (isinf(b.klpred))
                        ck_assert_msg(isinf(r.kl_predictor), "%s", cs);
                    else
                        TU_CLOSE(r.kl_predictor, b.klpred, TOL, "%s", cs);
                    if (isinf(b.klpath))
                        ck_assert_msg(isinf(r.kl_path), "%s", cs);
                    else
                        TU_CLOSE(r.kl_path, b.klpath, TOL, "%s", cs);
                    for (uint64_t x = 0; x < d->n; x++)
                        TU_CLOSE(q[x], b.q[x], 1e-14, "%s x=%llu", cs, (unsigned long long)x);
                    const double ko = klq(d, b.q);
                    if (isinf(ko))
                        ck_assert_msg(isinf(r.kl_output), "%s", cs);
                    else
                        TU_CLOSE(r.kl_output, ko, TOL, "%s", cs);
                    if (dlmkl_adaptive_self_sized(&pol)) {
                        TU_CLOSE(r.iter_mean, b.itmean, 1e-12, "%s", cs);
                        TU_CLOSE(r.iter_mean_ideal, b.itmean_ideal, 1e-12, "%s", cs);
                        for (int t = 0; t <= d->L; t++)
                            TU_CLOSE(r.iter_prob[t], b.iters[t], 1e-12, "%s t=%d", cs, t);
                    } else {
                        TU_CLOSE(r.iter_mean, b.itmean, 1e-12, "%s", cs);
                    }
                    TU_CLOSE(r.multi_mean_ideal, b.multi, 1e-12, "%s", cs);
                    TU_CLOSE(r.excess_ideal, b.excess, 1e-12, "%s", cs);
                    TU_CLOSE(r.summax_ideal, b.summax, TOL, "%s", cs);
                    ck_assert_msg(r.kl_expected <= r.summax_ideal + 1e-12, "kl_expected %.17g > summax %.17g: %s",
                                  r.kl_expected, r.summax_ideal, cs);
                    /* the policies' own bounds (exact predictor): every step's TC(X_A | x_B) is at most
                     * Σ_A H − max_A H <= gamma (EB) or Σ_A H <= eps (entropy sum) */
                    if (pred.kind == DLMKL_PRED_EXACT && (pol.kind == DLMKL_ADAPT_EB || pol.kind == DLMKL_ADAPT_ENTSUM))
                        ck_assert_msg(r.kl_expected <= pol.param * r.iter_mean_ideal + 1e-12, "policy bound: %.17g > %g * %.17g: %s",
                                      r.kl_expected, pol.param, r.iter_mean_ideal, cs);
                    /* the chain rule: p first */
                    if (!isinf(r.kl_path)) {
                        TU_CLOSE(r.kl_path, r.kl_expected + r.kl_predictor, 1e-11, "%s", cs);
                        ck_assert_msg(r.kl_output <= r.kl_path + 1e-12, "kl_output %.17g > kl_path %.17g: %s",
                                      r.kl_output, r.kl_path, cs);
                    }
                    free(q), free(b.q);
                    dlmkl_schedule_free(s);
                }
        dlmkl_dist_free(d);
    }
}
END_TEST

/* value-blind policies with the exact predictor: kl.h's kl_expected and kl_output */
START_TEST(test_value_blind)
{
    const char *ds[] = {"markov:L=6,stay=0.8", "ising:L=6,J=0.5", "random:L=5,V=3,seed=3", "copy:L=6,V=2"};
    const char *ss[] = {"balanced", "iid:cosine", "composition", "powerlaw:a=1"};
    for (size_t di = 0; di < 4; di++) {
        dlmkl_dist *d = tu_dist(ds[di]);
        dlmkl_profile *prof = tu_profile(d);
        for (size_t si = 0; si < 4; si++)
            for (int K = 1; K <= d->L; K += 2) {
                dlmkl_schedule *s = sched(ss[si], d->L, K);
                dlmkl_adaptive_result r;
                double want, wo;
                eval(d, s, "random", "exact", &r, NULL);
                ck_assert_int_eq(dlmkl_kl_expected(prof, s, &want), DLMKL_OK);
                TU_CLOSE(r.kl_expected, want, 1e-11, "%s %s K=%d random", ds[di], ss[si], K);
                TU_CLOSE(r.kl_path, want, 1e-11, "%s %s K=%d random", ds[di], ss[si], K);
                dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
                ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &wo, NULL), DLMKL_OK);
                TU_CLOSE(r.kl_output, wo, 1e-11, "%s %s K=%d random", ds[di], ss[si], K);
                eval(d, s, "l2r", "exact", &r, NULL);
                int order[DLMKL_MAX_L];
                for (int i = 0; i < d->L; i++)
                    order[i] = i;
                ck_assert_int_eq(dlmkl_kl_expected_ordered(d, order, s, &want), DLMKL_OK);
                TU_CLOSE(r.kl_expected, want, 1e-11, "%s %s K=%d l2r", ds[di], ss[si], K);
                pos.kind = DLMKL_POS_L2R;
                ck_assert_int_eq(dlmkl_kl_output(d, s, &pos, &wo, NULL), DLMKL_OK);
                TU_CLOSE(r.kl_output, wo, 1e-11, "%s %s K=%d l2r", ds[di], ss[si], K);
                dlmkl_schedule_free(s);
            }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

/* The simulator against the exact q̄: G = 2 Σ n_x ln(n_x / (N q̄_x)) over cells with q̄ > 0 is about
 * χ²(cells − 1); the test fails above the 1 − 1e-6 quantile (a false alarm once in a million runs
 * per case). Cells with q̄ = 0 must get no draws. */
START_TEST(test_simulation)
{
    const struct {
        const char *d, *pol, *pred, *sched;
        int K;
    } cs[] = {
        {"markov:L=5,stay=0.8", "confidence", "exact", "balanced", 3},
        {"ising:L=5,J=0.7", "confidence:by=entropy", "temp:1.5", "iid:cosine", 3},
        {"random:L=4,V=3,seed=7,alpha=0.3", "threshold:tau=0.6", "exact", NULL, 0},
        {"random:L=4,V=3,seed=7,alpha=0.3", "eb:gamma=0.5", "mix:0.2,seed=5", NULL, 0},
        {"mixture:0.5*{copy:L=4,V=2}+0.5*{parity:L=4}", "entsum:eps=1", "topp:0.9", NULL, 0},
        {"random:L=5,V=2,seed=4", "random", "topk:1", "composition", 2},
    };
    const uint64_t n = tu_fast() ? 20000 : 200000; /* the test's level does not depend on n */
    for (size_t c = 0; c < sizeof cs / sizeof *cs; c++) {
        dlmkl_dist *d = tu_dist(cs[c].d);
        dlmkl_schedule *s = cs[c].sched ? sched(cs[c].sched, d->L, cs[c].K) : NULL;
        dlmkl_adaptive pol;
        dlmkl_predictor pred;
        ck_assert_int_eq(dlmkl_adaptive_parse(cs[c].pol, &pol), DLMKL_OK);
        ck_assert_int_eq(dlmkl_predictor_parse(cs[c].pred, &pred), DLMKL_OK);
        double *q = malloc(d->n * sizeof *q);
        uint64_t *cnt = calloc(d->n, sizeof *cnt), it[DLMKL_MAX_L + 1] = {0};
        dlmkl_adaptive_result r;
        ck_assert_int_eq(dlmkl_adaptive_eval(d, s, &pol, &pred, q, &r), DLMKL_OK);
        const unsigned long seed = 1000 + c;
        ck_assert_msg(dlmkl_adaptive_sample(d, s, &pol, &pred, seed, n, cnt, it) == DLMKL_OK, "%s", dlmkl_last_error());
        double G = 0;
        int cells = 0;
        for (uint64_t x = 0; x < d->n; x++) {
            if (q[x] > 0) {
                cells++;
                if (cnt[x] > 0)
                    G += 2.0 * (double)cnt[x] * log((double)cnt[x] / ((double)n * q[x]));
            } else {
                ck_assert_msg(cnt[x] == 0, "case %zu (%s %s %s): a draw where q̄ = 0, seed %lu", c, cs[c].d, cs[c].pol,
                              cs[c].pred, seed);
            }
        }
        const double crit = gsl_cdf_chisq_Qinv(1e-6, cells - 1);
        ck_assert_msg(G <= crit, "case %zu (%s %s %s) seed %lu: G = %g > %g (df %d)", c, cs[c].d, cs[c].pol, cs[c].pred,
                      seed, G, crit, cells - 1);
        /* the iteration count's law, the same way (cells with P > 0) */
        double Gi = 0;
        int ic = 0;
        for (int t = 0; t <= d->L; t++)
            if (r.iter_prob[t] > 0) {
                ic++;
                if (it[t] > 0)
                    Gi += 2.0 * (double)it[t] * log((double)it[t] / ((double)n * r.iter_prob[t]));
            } else {
                ck_assert_msg(it[t] == 0, "case %zu: %llu runs with %d iterations, P = 0", c, (unsigned long long)it[t], t);
            }
        if (ic > 1)
            ck_assert_msg(Gi <= gsl_cdf_chisq_Qinv(1e-6, ic - 1), "case %zu seed %lu: iterations G = %g", c, seed, Gi);
        free(q), free(cnt);
        dlmkl_schedule_free(s);
        dlmkl_dist_free(d);
    }
}
END_TEST

/* markov:L=5,stay=0.8: the first step's maxprob scores are all 0.5 up to the last bit; ties go to the
 * lower index, so confidence with sizes 1,... reveals position 0 first, and then (stay = 0.8 makes
 * positions 1 the most confident) left to right: kl is 0 with singles and equals l2r's for any sizes. */
START_TEST(test_ties)
{
    dlmkl_dist *d = tu_dist("markov:L=5,stay=0.8");
    for (int K = 1; K <= 5; K++) {
        dlmkl_schedule *s = sched("balanced", 5, K);
        dlmkl_adaptive_result a, b;
        eval(d, s, "confidence", "exact", &a, NULL);
        eval(d, s, "l2r", "exact", &b, NULL);
        ck_assert_msg(a.kl_expected == b.kl_expected && a.kl_output == b.kl_output, "K=%d: %.17g vs %.17g", K,
                      a.kl_expected, b.kl_expected);
        dlmkl_schedule_free(s);
    }
    dlmkl_dist_free(d);
}
END_TEST

/* F_V(tau) = sup{H(q) : max q > tau}: closed values, continuity at tau = 1/V, and against a search
 * over laws with max q > tau (random Dirichlet(1) laws and the laws (m, rest even), m > tau): none
 * exceeds F, and (tau + 1e-9, rest even) comes within 1e-6 of it. */
START_TEST(test_threshold_entropy)
{
    TU_CLOSE(dlmkl_adaptive_threshold_entropy(2, 0.5), 1.0, 1e-15, "F_2(0.5)");
    TU_CLOSE(dlmkl_adaptive_threshold_entropy(2, 0.2), 1.0, 0, "F_2(0.2)");
    TU_CLOSE(dlmkl_adaptive_threshold_entropy(3, 0.1), log2(3.0), 0, "F_3(0.1)");
    TU_CLOSE(dlmkl_adaptive_threshold_entropy(4, 1.0), 0.0, 0, "F_4(1)");
    for (int V = 2; V <= 5; V++)
        TU_CLOSE(dlmkl_adaptive_threshold_entropy(V, 1.0 / V), log2((double)V), 1e-14, "F_%d(1/V)", V);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    const double taus[] = {0.0, 0.1, 0.3, 0.5, 0.6, 0.75, 0.9, 0.99};
    for (int V = 2; V <= 4; V++)
        for (size_t t = 0; t < sizeof taus / sizeof *taus; t++) {
            const double tau = taus[t], F = dlmkl_adaptive_threshold_entropy(V, tau);
            double best = 0, q[8];
            for (int it = 0; it < 20000; it++) {
                double z = 0, mx = 0;
                for (int v = 0; v < V; v++)
                    q[v] = -log(gsl_rng_uniform_pos(rng)), z += q[v];
                for (int v = 0; v < V; v++)
                    q[v] /= z, mx = q[v] > mx ? q[v] : mx;
                if (mx <= tau) { /* move mass to the first coordinate until max > tau */
                    const double m = tau + (1 - tau) * gsl_rng_uniform_pos(rng);
                    q[0] = m;
                    double r = 0;
                    for (int v = 1; v < V; v++)
                        r += q[v];
                    for (int v = 1; v < V; v++)
                        q[v] = r > 0 ? q[v] * (1 - m) / r : (1 - m) / (V - 1);
                    mx = 0;
                    for (int v = 0; v < V; v++)
                        mx = q[v] > mx ? q[v] : mx;
                    if (mx <= tau)
                        continue;
                }
                const double h = ent(V, q);
                ck_assert_msg(h <= F + 1e-12, "V=%d tau=%g: H = %.17g > F = %.17g", V, tau, h, F);
                best = h > best ? h : best;
            }
            const double m = tau >= 1.0 / V ? tau + 1e-9 : 1.0 / V;
            q[0] = m;
            for (int v = 1; v < V; v++)
                q[v] = (1 - m) / (V - 1);
            TU_CLOSE(ent(V, q), F, 1e-6, "V=%d tau=%g: the extremal law", V, tau);
            ck_assert_msg(best <= F + 1e-12, "V=%d tau=%g", V, tau);
        }
    gsl_rng_free(rng);
}
END_TEST

/* The per-step bounds (exact predictor) over many laws and parameters:
 *   kl_expected <= E Σ_t (Σ_A H − max_A H) (summax_ideal) <= bound_step, where bound_step =
 *   gamma·E #{|A_t| >= 2} (eb), eps·E #{|A_t| >= 2} (entsum), F_V(tau)·E Σ_t (|A_t| − 1) (threshold);
 *   bound_step <= bound_policy = param·E[N] (eb, entsum); E Σ (|A_t| − 1) = L − E_ideal[N]; and for
 *   eb the iteration bound E_ideal[N] <= 1 + (H + kl_expected)/gamma.
 * Equalities: on copy laws every step's joint is a function of any one revealed position, so
 * summax_ideal = kl_expected for every policy; eb with gamma = (L − 1)·log2 V and threshold with
 * tau < 1/V reveal everything at once, so kl_expected = TC = bound_step. */
START_TEST(test_step_bounds)
{
    const char *ds[] = {"markov:L=6,stay=0.8", "ising:L=6,J=0.7", "parity:L=5", "copy:L=5,V=2", "copy:L=4,V=3",
                        "random:L=5,V=2,seed=3,alpha=0.3", "random:L=4,V=3,seed=7,alpha=0.3",
                        "mixture:0.5*{copy:L=5,V=2}+0.5*{parity:L=5}", "product:L=5,V=2,p=0.2",
                        "mixture:0.5*{markov:L=6,stay=0.9}+0.5*{product:L=6,V=2,p=0.2}"};
    const double gam[] = {0, 0.01, 0.1, 0.3, 0.5, 0.9, 1, 1.5, 2, 3, 4, 8};
    const double taus[] = {0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1};
    const size_t nd = tu_fast() ? 3 : sizeof ds / sizeof *ds;
    int checked = 0;
    for (size_t di = 0; di < nd; di++) {
        dlmkl_dist *d = tu_dist(ds[di]);
        const int iscopy = strncmp(ds[di], "copy:", 5) == 0;
        double H = 0;
        for (uint64_t x = 0; x < d->n; x++)
            H -= d->p[x] > 0 ? d->p[x] * log2(d->p[x]) : 0.0;
        for (int kind = 0; kind < 3; kind++) {
            const size_t np = kind < 2 ? sizeof gam / sizeof *gam : sizeof taus / sizeof *taus;
            for (size_t j = 0; j < np; j++) {
                char spec[64];
                if (kind == 0)
                    snprintf(spec, sizeof spec, "eb:gamma=%g", gam[j]);
                else if (kind == 1)
                    snprintf(spec, sizeof spec, "entsum:eps=%g", gam[j]);
                else
                    snprintf(spec, sizeof spec, "threshold:tau=%g", taus[j]);
                dlmkl_adaptive pol;
                ck_assert_int_eq(dlmkl_adaptive_parse(spec, &pol), DLMKL_OK);
                dlmkl_adaptive_result r;
                eval(d, NULL, spec, "exact", &r, NULL);
                const double bound = kind < 2 ? pol.param * r.multi_mean_ideal
                                              : dlmkl_adaptive_threshold_entropy(d->V, pol.param) * r.excess_ideal;
                ck_assert_msg(r.kl_expected <= r.summax_ideal + 1e-12 && r.summax_ideal <= bound + 1e-12,
                              "%s %s: kl %.17g, summax %.17g, bound %.17g", ds[di], spec, r.kl_expected, r.summax_ideal,
                              bound);
                if (kind < 2)
                    ck_assert_msg(bound <= pol.param * r.iter_mean_ideal + 1e-12, "%s %s", ds[di], spec);
                /* eb: a step that leaves positions masked stopped because one more would break the rule,
                 * so its entropy sum is > gamma (Σ_A >= Σ_{A+j} − max_{A+j} > gamma); the ideal
                 * process's entropy sums add up to H + kl_expected (chain rule over the path), hence
                 * E_ideal[N] <= 1 + (H + kl_expected) / gamma */
                if (kind == 0 && pol.param > 0)
                    ck_assert_msg(r.iter_mean_ideal <= 1 + (H + r.kl_expected) / pol.param + 1e-12,
                                  "%s %s: E[N] %.17g > 1 + (%.17g + %.17g) / %g", ds[di], spec, r.iter_mean_ideal, H,
                                  r.kl_expected, pol.param);
                TU_CLOSE(r.excess_ideal, d->L - r.iter_mean_ideal, 1e-12, "%s %s", ds[di], spec);
                ck_assert_msg(r.multi_mean_ideal <= r.excess_ideal + 1e-12, "%s %s", ds[di], spec);
                if (iscopy)
                    TU_CLOSE(r.summax_ideal, r.kl_expected, 1e-12, "%s %s: summax = kl on copy", ds[di], spec);
                checked++;
            }
        }
        if (iscopy) { /* the equality cases */
            const double tc = (d->L - 1) * log2((double)d->V);
            char spec[64];
            snprintf(spec, sizeof spec, "eb:gamma=%.17g", tc);
            dlmkl_adaptive_result r;
            eval(d, NULL, spec, "exact", &r, NULL);
            TU_CLOSE(r.kl_expected, tc, 1e-12, "%s %s", ds[di], spec);
            TU_CLOSE(tc * r.multi_mean_ideal, tc, 1e-12, "%s %s: bound_step", ds[di], spec);
            snprintf(spec, sizeof spec, "threshold:tau=%.17g", 0.9 / d->V);
            eval(d, NULL, spec, "exact", &r, NULL);
            TU_CLOSE(r.kl_expected, tc, 1e-12, "%s %s", ds[di], spec);
            TU_CLOSE(dlmkl_adaptive_threshold_entropy(d->V, 0.9 / d->V) * r.excess_ideal, tc, 1e-12, "%s %s: bound_step",
                     ds[di], spec);
        }
        dlmkl_dist_free(d);
    }
    ck_assert_int_ge(checked, 3 * 34);
}
END_TEST

/* Cai & Li's rule as their abstract words it ("continue unmasking tokens within each iteration until
 * the cumulative entropy exceeds a threshold"), taken in increasing-entropy order: the brute force
 * with that rule (bf.incl) gives the same path law as dlmkl's eb:gamma=eps (the crossing position is
 * included; the sum of those before it is <= eps, and in increasing order that sum is Σ − max). */
START_TEST(test_cai_li_reading)
{
    const char *ds[] = {"markov:L=5,stay=0.8", "random:L=4,V=3,seed=7,alpha=0.3", "ising:L=5,J=0.7",
                        "mixture:0.5*{copy:L=4,V=2}+0.5*{parity:L=4}"};
    const char *ps[] = {"eb:gamma=0.05", "eb:gamma=0.3", "eb:gamma=0.8", "eb:gamma=1.7", "eb:gamma=3"};
    for (size_t di = 0; di < (tu_fast() ? 1 : sizeof ds / sizeof *ds); di++) {
        dlmkl_dist *d = tu_dist(ds[di]);
        for (size_t pi = 0; pi < sizeof ps / sizeof *ps; pi++) {
            dlmkl_adaptive pol;
            dlmkl_predictor pred;
            ck_assert_int_eq(dlmkl_adaptive_parse(ps[pi], &pol), DLMKL_OK);
            ck_assert_int_eq(dlmkl_predictor_parse("exact", &pred), DLMKL_OK);
            dlmkl_adaptive_result r;
            eval(d, NULL, ps[pi], "exact", &r, NULL);
            bf b;
            memset(&b, 0, sizeof b);
            b.incl = 1;
            b.d = d, b.pol = &pol, b.pred = &pred, b.L = d->L, b.V = d->V;
            b.q = calloc(d->n, sizeof *b.q);
            int rev[DLMKL_MAX_L];
            for (int i = 0; i < d->L; i++)
                rev[i] = -1;
            bf_rec(&b, rev, 0, 0, 1.0, 1.0);
            TU_CLOSE(r.kl_expected, b.klexp, TOL, "%s %s", ds[di], ps[pi]);
            TU_CLOSE(r.iter_mean, b.itmean, 1e-12, "%s %s", ds[di], ps[pi]);
            TU_CLOSE(r.multi_mean_ideal, b.multi, 1e-12, "%s %s", ds[di], ps[pi]);
            free(b.q);
        }
        dlmkl_dist_free(d);
    }
}
END_TEST

/* errors: bad specs; a schedule-driven policy without a schedule */
START_TEST(test_errors)
{
    dlmkl_adaptive pol;
    dlmkl_predictor pred;
    const char *bad[] = {"confidence:by=foo", "threshold:tau=2", "threshold:0.5", "eb:gamma=-1", "entsum:", "conf"};
    for (size_t i = 0; i < 6; i++)
        ck_assert_int_eq(dlmkl_adaptive_parse(bad[i], &pol), DLMKL_EINVAL);
    const char *badp[] = {"temp:0", "topk:0", "topp:0", "topp:1.5", "mix:0.1", "mix:2,seed=1", "foo:1", "temp"};
    for (size_t i = 0; i < 8; i++)
        ck_assert_msg(dlmkl_predictor_parse(badp[i], &pred) == DLMKL_EINVAL, "%s accepted", badp[i]);
    dlmkl_dist *d = tu_dist("copy:L=3,V=2");
    ck_assert_int_eq(dlmkl_adaptive_parse("confidence", &pol), DLMKL_OK);
    dlmkl_adaptive_result r;
    ck_assert_int_eq(dlmkl_adaptive_eval(d, NULL, &pol, NULL, NULL, &r), DLMKL_EINVAL);
    dlmkl_dist_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("adaptive");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_brute);
    tcase_add_test(tc, test_value_blind);
    tcase_add_test(tc, test_simulation);
    tcase_add_test(tc, test_ties);
    tcase_add_test(tc, test_threshold_entropy);
    tcase_add_test(tc, test_step_bounds);
    tcase_add_test(tc, test_cai_li_reading);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
