/* test_dist.c: the distribution families, spec parsing and table files.
 * Every family is checked against a second route: known closed-form values of H, TC, DTC and h(m),
 * tables rebuilt here from the definition (Boltzmann weights, products of marginals, chain
 * products, manual mixing, an independent Dirichlet draw), and every bad input against its status
 * code and a key phrase of its message. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "testutil.h"

/* h2(e) in bits, written out here (not shared with the library) */
static double bin_entropy(double e)
{
    if (e <= 0 || e >= 1)
        return 0;
    return -e * log2(e) - (1 - e) * log2(1 - e);
}

/* digit i (0-based, x_1 = digit 0 most significant) of table index idx */
static int digit(const dlmkl_dist *d, uint64_t idx, int i)
{
    for (int k = d->L - 1; k > i; k--)
        idx /= (uint64_t)d->V;
    return (int)(idx % (uint64_t)d->V);
}

static double table_sum(const dlmkl_dist *d)
{
    double s = 0;
    for (uint64_t i = 0; i < d->n; i++)
        s += d->p[i];
    return s;
}

static void assert_tables_close(const dlmkl_dist *a, const dlmkl_dist *b, double tol, const char *what)
{
    ck_assert_msg(a->L == b->L && a->V == b->V, "%s: shapes differ (%d,%d) vs (%d,%d)", what, a->L, a->V, b->L, b->V);
    for (uint64_t i = 0; i < a->n; i++)
        ck_assert_msg(fabs(a->p[i] - b->p[i]) <= tol, "%s: entry %llu: %.17g vs %.17g (tol %g)", what,
                      (unsigned long long)i, a->p[i], b->p[i], tol);
}

/* ---------------------------------------------------------------------------------------------- */

START_TEST(test_every_family_sums_to_one)
{
    static const char *specs[] = {
        "product:L=5,V=3,p=0.2",
        "product:L=6,p=0",
        "product:L=4,V=4,seed=7",
        "product:L=4,V=3,seed=7,alpha=0.05",
        "markov:L=6,V=2,stay=0.8",
        "markov:L=5,V=3,trans=0.2/0.3/0.5/0.1/0.1/0.8/1/0/0",
        "markov:L=4,V=3,trans=0.2/0.3/0.5/0.1/0.1/0.8/1/0/0,init=0.5/0.5/0",
        "markov:L=4,V=3,trans=0.2/0.3/0.5/0.1/0.1/0.8/1/0/0,init=stationary",
        "markov:L=4,V=4,seed=3",
        "markov:L=4,V=3,seed=3,conc=0.1",
        "ising:L=8,J=0.7,h=-0.3",
        "ising:L=10,J=800,h=0",
        "ising:L=9,J=-1000,h=3",
        "ising2d:rows=3,cols=4,J=0.4,h=0.1",
        "ising2d:rows=3,cols=3,J=-900,h=0",
        "cw:L=9,J=1.5,h=0.2",
        "cw:L=7,J=5000,h=0",
        "copy:L=5,V=4",
        "parity:L=5,V=3",
        "mixture:1*{copy:L=4}+3*{parity:L=4}",
        "mixture:2*{mixture:1*{copy:L=3,V=3}+1*{random:L=3,V=3,seed=2}}+1*{parity:L=3,V=3}",
        "mixprod:L=6,V=3,m=4,seed=11",
        "mixprod:L=5,V=2,m=3,seed=11,alpha=0.3",
        "perm:n=6",
        "random:L=6,V=3,seed=42",
        "random:L=8,V=2,seed=42,alpha=0.01",
        "mds:q=5,n=5,k=3",
        "rs:q=7,n=4,k=2",
        "mds:q=2,n=2,k=2",
    };
    for (size_t c = 0; c < sizeof specs / sizeof specs[0]; c++) {
        dlmkl_dist *d = tu_dist(specs[c]);
        ck_assert_str_eq(d->spec, specs[c]);
        for (uint64_t i = 0; i < d->n; i++)
            ck_assert_msg(isfinite(d->p[i]) && d->p[i] >= 0, "%s: entry %llu = %g", specs[c], (unsigned long long)i,
                          d->p[i]);
        TU_CLOSE(table_sum(d), 1.0, 1e-12, "%s sums to 1", specs[c]);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_copy_parity_known)
{
    char spec[64];
    for (int V = 2; V <= 4; V++)
        for (int L = 1; L <= 6; L++) {
            snprintf(spec, sizeof spec, "copy:L=%d,V=%d", L, V);
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_profile *pr = tu_profile(d);
            double lv = log2(V);
            TU_CLOSE(dlmkl_profile_H(pr), lv, 1e-12, "%s H", spec);
            TU_CLOSE(dlmkl_profile_tc(pr), (L - 1) * lv, 1e-12, "%s TC", spec);
            if (L > 1)
                TU_CLOSE(dlmkl_profile_dtc(pr), lv, 1e-12, "%s DTC", spec);
            TU_CLOSE(tu_subset_entropy(d, (1ULL << L) - 1), lv, 1e-12, "%s H brute", spec);
            dlmkl_profile_free(pr);
            dlmkl_dist_free(d);
        }
    /* parity mod m: H = (L−1) log m, TC = log m, DTC = (L−1) log m */
    for (int V = 2; V <= 4; V++)
        for (int L = 2; L <= 6; L++) {
            snprintf(spec, sizeof spec, "parity:L=%d,V=%d", L, V);
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_profile *pr = tu_profile(d);
            double lv = log2(V);
            TU_CLOSE(dlmkl_profile_H(pr), (L - 1) * lv, 1e-12, "%s H", spec);
            TU_CLOSE(dlmkl_profile_tc(pr), lv, 1e-12, "%s TC", spec);
            TU_CLOSE(dlmkl_profile_dtc(pr), (L - 1) * lv, 1e-12, "%s DTC", spec);
            for (uint64_t i = 0; i < d->n; i++) {
                int s = 0;
                for (int k = 0; k < L; k++)
                    s += digit(d, i, k);
                TU_CLOSE(d->p[i], s % V == 0 ? pow(V, -(L - 1)) : 0.0, 1e-15, "%s entry %llu", spec,
                         (unsigned long long)i);
            }
            dlmkl_profile_free(pr);
            dlmkl_dist_free(d);
        }
}
END_TEST

START_TEST(test_products)
{
    /* i.i.d. form: every entry is Π_i q(x_i) with q = (p, (1−p)/(V−1), ...); H = L·H(q); TC = DTC = 0 */
    static const struct {
        int L, V;
        double p;
    } cs[] = {{5, 2, 0.3}, {4, 3, 0.2}, {3, 4, 0.7}, {6, 2, 0.0}, {3, 3, 1.0}};
    char spec[96];
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        snprintf(spec, sizeof spec, "product:L=%d,V=%d,p=%.17g", cs[c].L, cs[c].V, cs[c].p);
        dlmkl_dist *d = tu_dist(spec);
        const double r = (1 - cs[c].p) / (cs[c].V - 1);
        for (uint64_t i = 0; i < d->n; i++) {
            double w = 1;
            for (int k = 0; k < cs[c].L; k++)
                w *= digit(d, i, k) == 0 ? cs[c].p : r;
            TU_CLOSE(d->p[i], w, 1e-15, "%s entry %llu", spec, (unsigned long long)i);
        }
        dlmkl_profile *pr = tu_profile(d);
        double H1 = -(cs[c].p > 0 ? cs[c].p * log2(cs[c].p) : 0) - (r > 0 ? (cs[c].V - 1) * r * log2(r) : 0);
        TU_CLOSE(dlmkl_profile_H(pr), cs[c].L * H1, 1e-12, "%s H", spec);
        TU_CLOSE(dlmkl_profile_tc(pr), 0, 1e-12, "%s TC", spec);
        TU_CLOSE(dlmkl_profile_dtc(pr), 0, 1e-12, "%s DTC", spec);
        dlmkl_profile_free(pr);
        dlmkl_dist_free(d);
    }
    /* seeded form: the table equals the product of its own one-site marginals; TC = DTC = 0 */
    static const char *seeded[] = {"product:L=4,V=3,seed=5", "product:L=5,V=2,seed=99,alpha=0.2",
                                   "product:L=3,V=5,seed=123456,alpha=4"};
    for (size_t c = 0; c < sizeof seeded / sizeof seeded[0]; c++) {
        dlmkl_dist *d = tu_dist(seeded[c]);
        double marg[8][8] = {{0}};
        for (uint64_t i = 0; i < d->n; i++)
            for (int k = 0; k < d->L; k++)
                marg[k][digit(d, i, k)] += d->p[i];
        for (uint64_t i = 0; i < d->n; i++) {
            double w = 1;
            for (int k = 0; k < d->L; k++)
                w *= marg[k][digit(d, i, k)];
            TU_CLOSE(d->p[i], w, 1e-14, "%s entry %llu = product of marginals", seeded[c], (unsigned long long)i);
        }
        /* sites differ (a Dirichlet draw per site) */
        ck_assert_msg(fabs(marg[0][0] - marg[1][0]) > 1e-6, "%s: sites 1 and 2 have the same marginal", seeded[c]);
        dlmkl_profile *pr = tu_profile(d);
        TU_CLOSE(dlmkl_profile_tc(pr), 0, 1e-12, "%s TC", seeded[c]);
        TU_CLOSE(dlmkl_profile_dtc(pr), 0, 1e-12, "%s DTC", seeded[c]);
        dlmkl_profile_free(pr);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_markov)
{
    /* binary symmetric chain: H = 1 + (L−1) h2(e), TC = (L−1)(1 − h2(e)), e = 1 − stay */
    static const double stays[] = {0.5, 0.9, 0.99, 0.1, 1.0, 0.0, 0.731};
    char spec[128];
    for (size_t c = 0; c < sizeof stays / sizeof stays[0]; c++)
        for (int L = 1; L <= 9; L += 2) {
            snprintf(spec, sizeof spec, "markov:L=%d,V=2,stay=%.17g", L, stays[c]);
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_profile *pr = tu_profile(d);
            double he = bin_entropy(1 - stays[c]);
            TU_CLOSE(dlmkl_profile_H(pr), 1 + (L - 1) * he, 1e-12, "%s H", spec);
            TU_CLOSE(dlmkl_profile_tc(pr), (L - 1) * (1 - he), 1e-12, "%s TC", spec);
            /* the same law as a general trans= spec */
            snprintf(spec, sizeof spec, "markov:L=%d,V=2,trans=%.17g/%.17g/%.17g/%.17g", L, stays[c], 1 - stays[c],
                     1 - stays[c], stays[c]);
            dlmkl_dist *g = tu_dist(spec);
            assert_tables_close(d, g, 1e-15, spec);
            dlmkl_dist_free(g);
            dlmkl_profile_free(pr);
            dlmkl_dist_free(d);
        }

    /* general chain: entries are init(x_1) Π P(x_i, x_{i+1}) */
    const double P[3][3] = {{0.2, 0.3, 0.5}, {0.1, 0.1, 0.8}, {0.6, 0.0, 0.4}};
    const double init[3] = {0.5, 0.25, 0.25};
    dlmkl_dist *d = tu_dist("markov:L=5,V=3,trans=0.2/0.3/0.5/0.1/0.1/0.8/0.6/0/0.4,init=0.5/0.25/0.25");
    for (uint64_t i = 0; i < d->n; i++) {
        double w = init[digit(d, i, 0)];
        for (int k = 1; k < d->L; k++)
            w *= P[digit(d, i, k - 1)][digit(d, i, k)];
        TU_CLOSE(d->p[i], w, 1e-15, "general markov entry %llu", (unsigned long long)i);
    }
    dlmkl_dist_free(d);

    /* default init is uniform */
    d = tu_dist("markov:L=3,V=3,trans=0.2/0.3/0.5/0.1/0.1/0.8/0.6/0/0.4");
    dlmkl_dist *u = tu_dist("markov:L=3,V=3,trans=0.2/0.3/0.5/0.1/0.1/0.8/0.6/0/0.4,init=uniform");
    assert_tables_close(d, u, 0, "init default = uniform");
    dlmkl_dist_free(u);
    dlmkl_dist_free(d);

    /* init=stationary: every X_i has the same marginal pi, and pi P = pi */
    static const char *stat[] = {"markov:L=4,V=3,trans=0.2/0.3/0.5/0.1/0.1/0.8/0.6/0/0.4,init=stationary",
                                 /* transient state 0, closed class {1, 2} */
                                 "markov:L=4,V=3,trans=0.5/0.25/0.25/0/0.3/0.7/0/0.9/0.1,init=stationary",
                                 /* absorbing state 2 */
                                 "markov:L=3,V=3,trans=0.5/0.5/0/0.2/0.3/0.5/0/0/1,init=stationary"};
    static const double statP[3][9] = {{0.2, 0.3, 0.5, 0.1, 0.1, 0.8, 0.6, 0, 0.4},
                                       {0.5, 0.25, 0.25, 0, 0.3, 0.7, 0, 0.9, 0.1},
                                       {0.5, 0.5, 0, 0.2, 0.3, 0.5, 0, 0, 1}};
    for (size_t c = 0; c < 3; c++) {
        d = tu_dist(stat[c]);
        double m[4][3] = {{0}};
        for (uint64_t i = 0; i < d->n; i++)
            for (int k = 0; k < d->L; k++)
                m[k][digit(d, i, k)] += d->p[i];
        for (int v = 0; v < 3; v++) {
            double pv = 0;
            for (int w = 0; w < 3; w++)
                pv += m[0][w] * statP[c][w * 3 + v];
            TU_CLOSE(pv, m[0][v], 1e-14, "%s: (pi P)_%d = pi_%d", stat[c], v, v);
            for (int k = 1; k < d->L; k++)
                TU_CLOSE(m[k][v], m[0][v], 1e-14, "%s: P(X_%d = %d) = pi_%d", stat[c], k + 1, v, v);
        }
        if (c == 1)
            TU_CLOSE(m[0][0], 0, 0, "%s: transient state has pi = 0", stat[c]);
        if (c == 2)
            TU_CLOSE(m[0][2], 1, 1e-15, "%s: absorbing state has pi = 1", stat[c]);
        dlmkl_dist_free(d);
    }
    /* stationary law of a 2-state chain: pi = (b, a)/(a + b) for flip rates a = P01, b = P10 */
    d = tu_dist("markov:L=1,V=2,trans=0.7/0.3/0.1/0.9,init=stationary");
    TU_CLOSE(d->p[0], 0.25, 1e-15, "two-state stationary pi_0");
    dlmkl_dist_free(d);

    /* seeded chains are Markov: H(X) = H(X_1 X_2) + Σ_{i=2}^{L−1} [H(X_i X_{i+1}) − H(X_i)] */
    static const char *seeded[] = {"markov:L=5,V=3,seed=17", "markov:L=4,V=4,seed=18,conc=0.3"};
    for (size_t c = 0; c < 2; c++) {
        d = tu_dist(seeded[c]);
        double rhs = tu_subset_entropy(d, 1ULL << (d->L - 1) | 1ULL << (d->L - 2));
        for (int i = 1; i < d->L - 1; i++) {
            uint64_t bi = 1ULL << (d->L - 1 - i), bj = 1ULL << (d->L - 2 - i);
            rhs += tu_subset_entropy(d, bi | bj) - tu_subset_entropy(d, bi);
        }
        TU_CLOSE(tu_subset_entropy(d, (1ULL << d->L) - 1), rhs, 1e-12, "%s chain rule of a Markov chain", seeded[c]);
        dlmkl_profile *pr = tu_profile(d);
        ck_assert_msg(dlmkl_profile_tc(pr) > 1e-3, "%s: a random chain should be dependent", seeded[c]);
        dlmkl_profile_free(pr);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_perm_mds)
{
    char spec[64];
    for (int n = 2; n <= 6; n++) {
        snprintf(spec, sizeof spec, "perm:n=%d", n);
        dlmkl_dist *d = tu_dist(spec);
        ck_assert_int_eq(d->L, n);
        ck_assert_int_eq(d->V, n);
        dlmkl_profile *pr = tu_profile(d);
        double h = 0;
        for (int m = 1; m <= n; m++) {
            h += log2(n - m + 1); /* log2 n!/(n−m)! */
            TU_CLOSE(pr->h[m], h, 1e-12, "%s h(%d)", spec, m);
        }
        /* support: exactly the strings with distinct symbols */
        for (uint64_t i = 0; i < d->n; i++) {
            int seen = 0, distinct = 1;
            for (int k = 0; k < n; k++) {
                int x = digit(d, i, k);
                distinct &= !(seen >> x & 1);
                seen |= 1 << x;
            }
            TU_CLOSE(d->p[i], distinct ? exp(-lgamma(n + 1.0)) : 0.0, 1e-15, "%s entry %llu", spec,
                     (unsigned long long)i);
        }
        dlmkl_profile_free(pr);
        dlmkl_dist_free(d);
    }
    static const int cs[][3] = {{2, 2, 1}, {2, 2, 2}, {3, 3, 1}, {3, 3, 2}, {5, 4, 2}, {5, 5, 3}, {7, 4, 3}, {7, 5, 1},
                                {11, 3, 2}, {3, 1, 1}};
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        snprintf(spec, sizeof spec, "%s:q=%d,n=%d,k=%d", c % 2 ? "rs" : "mds", cs[c][0], cs[c][1], cs[c][2]);
        dlmkl_dist *d = tu_dist(spec);
        ck_assert_int_eq(d->L, cs[c][1]);
        ck_assert_int_eq(d->V, cs[c][0]);
        dlmkl_profile *pr = tu_profile(d);
        for (int m = 0; m <= d->L; m++)
            TU_CLOSE(pr->h[m], (m < cs[c][2] ? m : cs[c][2]) * log2(cs[c][0]), 1e-12, "%s h(%d)", spec, m);
        /* every codeword: evaluations of a polynomial of degree < k (check: the k-th finite
         * difference of f(0..n−1) vanishes, i.e. Σ_j (−1)^j C(k, j) f(t+j) ≡ 0 mod q) */
        for (uint64_t i = 0; i < d->n; i++) {
            if (d->p[i] == 0)
                continue;
            for (int t = 0; t + cs[c][2] < d->L; t++) {
                long s = 0, binom = 1;
                for (int j = 0; j <= cs[c][2]; j++) {
                    s += (j % 2 ? -1 : 1) * binom * digit(d, i, t + j);
                    binom = binom * (cs[c][2] - j) / (j + 1);
                }
                ck_assert_msg(((s % cs[c][0]) + cs[c][0]) % cs[c][0] == 0, "%s: entry %llu is not a codeword", spec,
                              (unsigned long long)i);
            }
        }
        dlmkl_profile_free(pr);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_mixprod)
{
    char spec[96];
    for (int m = 1; m <= 4; m++)
        for (unsigned long seed = 1; seed <= 3; seed++) {
            snprintf(spec, sizeof spec, "mixprod:L=6,V=%d,m=%d,seed=%lu,alpha=%s", 2 + (int)seed % 2, m, seed,
                     seed == 2 ? "0.3" : "1");
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_profile *pr = tu_profile(d);
            double dtc = dlmkl_profile_dtc(pr), tc = dlmkl_profile_tc(pr);
            ck_assert_msg(dtc <= log2(m) + 1e-12, "%s: DTC = %.17g > log2 m = %g", spec, dtc, log2(m));
            if (m == 1) {
                TU_CLOSE(tc, 0, 1e-12, "%s: one product has TC = 0", spec);
                TU_CLOSE(dtc, 0, 1e-12, "%s: one product has DTC = 0", spec);
            } else {
                ck_assert_msg(tc > 1e-4, "%s: a mixture of products should be dependent (TC = %g)", spec, tc);
            }
            dlmkl_profile_free(pr);
            dlmkl_dist_free(d);
        }
}
END_TEST

/* Boltzmann weights from the definition: E = J Σ_{edges} s_a s_b + h Σ s_i, p ∝ exp(E), with the
 * edges listed explicitly; cw != 0 uses all pairs with coupling J/L. */
static dlmkl_dist *brute_boltzmann(int L, const int (*edges)[2], int ne, int cw, double J, double h)
{
    dlmkl_dist *d = dlmkl_dist_alloc(L, 2);
    ck_assert_ptr_nonnull(d);
    double z = 0;
    for (uint64_t i = 0; i < d->n; i++) {
        int s[64];
        for (int k = 0; k < L; k++)
            s[k] = 2 * digit(d, i, k) - 1;
        double E = 0;
        if (cw) {
            for (int a = 0; a < L; a++)
                for (int b = a + 1; b < L; b++)
                    E += J / L * s[a] * s[b];
        } else {
            for (int e = 0; e < ne; e++)
                E += J * s[edges[e][0]] * s[edges[e][1]];
        }
        for (int k = 0; k < L; k++)
            E += h * s[k];
        d->p[i] = exp(E);
        z += d->p[i];
    }
    for (uint64_t i = 0; i < d->n; i++)
        d->p[i] /= z;
    return d;
}

START_TEST(test_ising)
{
    char spec[128];
    int edges[128][2];
    /* J = 0: i.i.d. with P(x = 1) = e^h/(e^h + e^−h) */
    static const double hs[] = {0.0, 0.4, -1.3};
    for (size_t c = 0; c < 3; c++) {
        snprintf(spec, sizeof spec, "ising:L=5,J=0,h=%.17g", hs[c]);
        dlmkl_dist *d = tu_dist(spec);
        double p0 = exp(-hs[c]) / (exp(hs[c]) + exp(-hs[c]));
        snprintf(spec, sizeof spec, "product:L=5,V=2,p=%.17g", p0);
        dlmkl_dist *e = tu_dist(spec);
        assert_tables_close(d, e, 1e-15, spec);
        dlmkl_dist_free(d), dlmkl_dist_free(e);
    }
    /* h = 0: the chain is the symmetric Markov chain with stay = e^J/(e^J + e^−J), uniform start
     * (transfer-matrix route, built by the markov family) */
    static const double Js[] = {0.3, -0.8, 2.0};
    for (size_t c = 0; c < 3; c++) {
        snprintf(spec, sizeof spec, "ising:L=7,J=%.17g", Js[c]);
        dlmkl_dist *d = tu_dist(spec);
        snprintf(spec, sizeof spec, "markov:L=7,V=2,stay=%.17g", exp(Js[c]) / (exp(Js[c]) + exp(-Js[c])));
        dlmkl_dist *e = tu_dist(spec);
        assert_tables_close(d, e, 1e-14, spec);
        dlmkl_dist_free(d), dlmkl_dist_free(e);
    }
    /* with a field: against Boltzmann weights from the definition */
    static const double Jh[][2] = {{0.5, 0.3}, {-0.7, 0.9}, {1.2, -0.4}};
    for (size_t c = 0; c < 3; c++)
        for (int L = 1; L <= 8; L += 3) {
            snprintf(spec, sizeof spec, "ising:L=%d,J=%.17g,h=%.17g", L, Jh[c][0], Jh[c][1]);
            dlmkl_dist *d = tu_dist(spec);
            int ne = 0;
            for (int i = 0; i + 1 < L; i++)
                edges[ne][0] = i, edges[ne][1] = i + 1, ne++;
            dlmkl_dist *e = brute_boltzmann(L, (const int(*)[2])edges, ne, 0, Jh[c][0], Jh[c][1]);
            assert_tables_close(d, e, 1e-14, spec);
            dlmkl_dist_free(d), dlmkl_dist_free(e);
        }
    /* 2D grid: edges (r,c)-(r,c+1) and (r,c)-(r+1,c), site r·cols + c */
    static const int grids[][2] = {{2, 3}, {3, 2}, {3, 3}, {1, 5}, {4, 1}, {2, 2}};
    for (size_t c = 0; c < sizeof grids / sizeof grids[0]; c++) {
        int R = grids[c][0], C = grids[c][1];
        snprintf(spec, sizeof spec, "ising2d:rows=%d,cols=%d,J=0.6,h=-0.25", R, C);
        dlmkl_dist *d = tu_dist(spec);
        int ne = 0;
        for (int r = 0; r < R; r++)
            for (int k = 0; k < C; k++) {
                if (k + 1 < C)
                    edges[ne][0] = r * C + k, edges[ne][1] = r * C + k + 1, ne++;
                if (r + 1 < R)
                    edges[ne][0] = r * C + k, edges[ne][1] = (r + 1) * C + k, ne++;
            }
        ck_assert_int_eq(ne, R * (C - 1) + C * (R - 1));
        dlmkl_dist *e = brute_boltzmann(R * C, (const int(*)[2])edges, ne, 0, 0.6, -0.25);
        assert_tables_close(d, e, 1e-14, spec);
        dlmkl_dist_free(d), dlmkl_dist_free(e);
    }
    /* a 1×L grid is the chain */
    dlmkl_dist *a = tu_dist("ising2d:rows=1,cols=6,J=0.45,h=0.2"), *b = tu_dist("ising:L=6,J=0.45,h=0.2");
    assert_tables_close(a, b, 0, "ising2d 1x6 = ising L=6");
    dlmkl_dist_free(a), dlmkl_dist_free(b);
    /* Curie–Weiss */
    static const double cwJh[][2] = {{1.0, 0.0}, {3.0, 0.2}, {-2.0, 0.5}};
    for (size_t c = 0; c < 3; c++)
        for (int L = 1; L <= 9; L += 4) {
            snprintf(spec, sizeof spec, "cw:L=%d,J=%.17g,h=%.17g", L, cwJh[c][0], cwJh[c][1]);
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_dist *e = brute_boltzmann(L, NULL, 0, 1, cwJh[c][0], cwJh[c][1]);
            assert_tables_close(d, e, 1e-14, spec);
            dlmkl_dist_free(d), dlmkl_dist_free(e);
        }
    /* huge couplings (exp(E) overflows without log-sum-exp): the ground states share the mass */
    a = tu_dist("ising:L=6,J=700,h=0"); /* ferromagnet: 000000 and 111111 */
    TU_CLOSE(a->p[0], 0.5, 1e-15, "J=700 ground state 0");
    TU_CLOSE(a->p[63], 0.5, 1e-15, "J=700 ground state 1");
    dlmkl_dist_free(a);
    a = tu_dist("ising:L=6,J=-1e6,h=0"); /* antiferromagnet: 010101 and 101010 */
    TU_CLOSE(a->p[21], 0.5, 1e-15, "J=-1e6 ground state 010101");
    TU_CLOSE(a->p[42], 0.5, 1e-15, "J=-1e6 ground state 101010");
    dlmkl_dist_free(a);
    a = tu_dist("cw:L=5,J=2000,h=20"); /* field breaks the tie: all up */
    TU_CLOSE(a->p[31], 1.0, 1e-15, "cw J=2000 h=20 all up");
    dlmkl_dist_free(a);
    a = tu_dist("ising2d:rows=2,cols=3,J=5000,h=-50");
    TU_CLOSE(a->p[0], 1.0, 1e-15, "ising2d J=5000 h=-50 all down");
    dlmkl_dist_free(a);
}
END_TEST

START_TEST(test_mixture)
{
    static const char *parts[][2] = {{"copy:L=3,V=3", "random:L=3,V=3,seed=4"},
                                     {"parity:L=4", "markov:L=4,V=2,stay=0.8"},
                                     {"perm:n=3", "mds:q=3,n=3,k=2"}};
    static const double ws[][2] = {{0.3, 0.7}, {2, 5}, {1e-3, 1}};
    char spec[256];
    for (size_t c = 0; c < 3; c++) {
        snprintf(spec, sizeof spec, "mixture:%.17g*{%s}+%.17g*{%s}", ws[c][0], parts[c][0], ws[c][1], parts[c][1]);
        dlmkl_dist *d = tu_dist(spec), *a = tu_dist(parts[c][0]), *b = tu_dist(parts[c][1]);
        const double t = ws[c][0] + ws[c][1];
        for (uint64_t i = 0; i < d->n; i++)
            TU_CLOSE(d->p[i], ws[c][0] / t * a->p[i] + ws[c][1] / t * b->p[i], 1e-15, "%s entry %llu", spec,
                     (unsigned long long)i);
        dlmkl_dist_free(d), dlmkl_dist_free(a), dlmkl_dist_free(b);
    }
    /* nested: 1*{1*{A}+1*{B}}+2*{C} = A/6 + B/6 + 2C/3; a single component is the component */
    dlmkl_dist *n = tu_dist("mixture:1*{mixture:1*{copy:L=3}+1*{parity:L=3}}+2*{product:L=3,p=0.1}");
    dlmkl_dist *A = tu_dist("copy:L=3"), *B = tu_dist("parity:L=3"), *C = tu_dist("product:L=3,p=0.1");
    for (uint64_t i = 0; i < n->n; i++)
        TU_CLOSE(n->p[i], A->p[i] / 6 + B->p[i] / 6 + 2 * C->p[i] / 3, 1e-15, "nested mixture entry %llu",
                 (unsigned long long)i);
    dlmkl_dist *one = tu_dist("mixture:3.5*{product:L=3,p=0.1}");
    assert_tables_close(one, C, 1e-16, "one-component mixture");
    dlmkl_dist_free(one);
    dlmkl_dist_free(n), dlmkl_dist_free(A), dlmkl_dist_free(B), dlmkl_dist_free(C);
}
END_TEST

START_TEST(test_random_and_seeds)
{
    /* random: the library's log-space Dirichlet vs the test's plain gsl_ran_gamma draw (same stream) */
    static const struct {
        int L, V;
        unsigned long seed;
        double alpha;
    } cs[] = {{4, 3, 3, 1.0}, {5, 2, 77, 0.5}, {3, 4, 1000, 2.5}};
    char spec[96];
    for (size_t c = 0; c < 3; c++) {
        snprintf(spec, sizeof spec, "random:L=%d,V=%d,seed=%lu,alpha=%.17g", cs[c].L, cs[c].V, cs[c].seed, cs[c].alpha);
        dlmkl_dist *d = tu_dist(spec), *e = tu_random_table(cs[c].L, cs[c].V, cs[c].seed, cs[c].alpha);
        for (uint64_t i = 0; i < d->n; i++)
            TU_CLOSE(d->p[i], e->p[i], 1e-13 * e->p[i], "%s entry %llu vs gsl_ran_gamma route", spec,
                     (unsigned long long)i);
        dlmkl_dist_free(d), dlmkl_dist_free(e);
    }
    /* tiny alpha: a gamma draw that underflows in linear space still gives a valid law */
    dlmkl_dist *d = tu_dist("random:L=6,V=2,seed=5,alpha=0.002");
    TU_CLOSE(table_sum(d), 1, 1e-12, "random alpha=0.002 sums to 1");
    dlmkl_dist_free(d);
    /* same seed: identical tables; different seed: different tables */
    static const char *fmt[] = {"random:L=5,V=3,seed=%d", "product:L=5,V=3,seed=%d", "markov:L=5,V=3,seed=%d",
                                "mixprod:L=5,V=3,m=3,seed=%d"};
    for (size_t c = 0; c < 4; c++) {
        char s1[96], s2[96];
        snprintf(s1, sizeof s1, fmt[c], 12);
        snprintf(s2, sizeof s2, fmt[c], 13);
        dlmkl_dist *a = tu_dist(s1), *b = tu_dist(s1), *e = tu_dist(s2);
        ck_assert_msg(memcmp(a->p, b->p, a->n * sizeof(double)) == 0, "%s twice differs", s1);
        ck_assert_msg(memcmp(a->p, e->p, a->n * sizeof(double)) != 0, "%s and %s are identical", s1, s2);
        dlmkl_dist_free(a), dlmkl_dist_free(b), dlmkl_dist_free(e);
    }
    /* the exact value of one draw, so that a change of RNG, stream order or algorithm is noticed
     * (same on every machine: mt19937 and the gamma algorithm are fixed) */
    d = tu_dist("random:L=1,V=2,seed=1");
    dlmkl_dist *e = tu_random_table(1, 2, 1, 1.0);
    TU_CLOSE(d->p[0], e->p[0], 1e-15, "random:L=1,V=2,seed=1 vs testutil");
    dlmkl_dist_free(d), dlmkl_dist_free(e);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* bad input                                                                                        */

static void expect_fail(const char *spec, int normalize, int status, const char *phrase)
{
    dlmkl_dist *d = (dlmkl_dist *)0x1;
    int st = dlmkl_dist_from_spec(spec, normalize, &d);
    ck_assert_msg(st == status, "spec '%s': status %d, expected %d (message: %s)", spec, st, status,
                  dlmkl_last_error());
    ck_assert_msg(d == NULL, "spec '%s': *out not NULL on failure", spec);
    ck_assert_msg(strstr(dlmkl_last_error(), phrase) != NULL, "spec '%s': message '%s' lacks '%s'", spec,
                  dlmkl_last_error(), phrase);
}

START_TEST(test_bad_specs)
{
    static const struct {
        const char *spec;
        int status;
        const char *phrase;
    } cs[] = {
        {"nosuch:L=3", DLMKL_EINVAL, "unknown distribution family 'nosuch'"},
        {":L=3", DLMKL_EINVAL, "no family"},
        {"copy:L=3,W=2", DLMKL_EINVAL, "unknown key 'W'"},
        {"copy:V=3", DLMKL_EINVAL, "missing required key 'L'"},
        {"copy:L=abc", DLMKL_EINVAL, "L = 'abc' is not an integer"},
        {"copy:L=", DLMKL_EINVAL, "is not an integer"},
        {"copy:L=3,V", DLMKL_EINVAL, "is not key=value"},
        {"copy:L=3,,V=2", DLMKL_EINVAL, "empty item"},
        {"copy:L=3,L=4", DLMKL_EINVAL, "given twice"},
        {"copy:L=3,V=1", DLMKL_EINVAL, "copy: V = 1 is out of range; need 2 <= V"},
        {"parity:L=0", DLMKL_EINVAL, "parity: L = 0 is out of range; need 1 <= L"},
        {"random:L=-2,seed=1", DLMKL_EINVAL, "need 1 <= L"},
        {"copy:L=20,V=10", DLMKL_ETOOBIG, "overflows 64 bits"},
        {"product:L=41,V=3,p=0.5", DLMKL_ETOOBIG, "overflows 64 bits"},
        {"product:L=64,V=2,p=0.5", DLMKL_EINVAL, "need 1 <= L <= 62"},
        {"perm:n=16", DLMKL_ETOOBIG, "overflows 64 bits"},
        {"product:L=3,p=1.5", DLMKL_EINVAL, "p = 1.5 is not a probability"},
        {"product:L=3,p=-0.1", DLMKL_EINVAL, "not a probability"},
        {"product:L=3,p=x", DLMKL_EINVAL, "p = 'x' is not a finite number"},
        {"product:L=3,p=nan", DLMKL_EINVAL, "not a finite number"},
        {"product:L=3", DLMKL_EINVAL, "exactly one of p="},
        {"product:L=3,p=0.5,seed=2", DLMKL_EINVAL, "exactly one of p="},
        {"product:L=3,q=0.5", DLMKL_EINVAL, "unknown key 'q'"},
        {"product:L=3,p=0.5,alpha=2", DLMKL_EINVAL, "alpha= applies only"},
        {"product:L=3,seed=0", DLMKL_EINVAL, "need 1 <= seed <= 4294967295"},
        {"product:L=3,seed=4294967296", DLMKL_EINVAL, "need 1 <= seed"},
        {"product:L=3,seed=-4", DLMKL_EINVAL, "non-negative integer"},
        {"product:L=3,seed=2,alpha=0", DLMKL_EINVAL, "alpha = 0 is out of range; need alpha > 0"},
        {"markov:L=3", DLMKL_EINVAL, "exactly one of stay="},
        {"markov:L=3,sty=0.9", DLMKL_EINVAL, "unknown key 'sty'"},
        {"markov:L=3,stay=0.9,seed=1", DLMKL_EINVAL, "exactly one of stay="},
        {"markov:L=3,V=3,stay=0.9", DLMKL_EINVAL, "V must be 2"},
        {"markov:L=3,stay=2", DLMKL_EINVAL, "stay = 2 is not a probability"},
        {"markov:L=3,stay=0.5,init=0.5/0.5", DLMKL_EINVAL, "init= applies only to the trans= form"},
        {"markov:L=3,trans=0.5/0.4/0.5/0.5", DLMKL_EINVAL, "row 1 of trans (previous symbol 0) sums to 0.9"},
        {"markov:L=3,trans=0.5/0.5/0.5", DLMKL_EINVAL, "trans has 3 entries; a 2x2 matrix (row-major) needs 4"},
        {"markov:L=3,trans=0.5/0.5/a/0.5", DLMKL_EINVAL, "entry 3 is not a number"},
        {"markov:L=3,trans=1.5/-0.5/0.5/0.5", DLMKL_EINVAL, "entry 1 = 1.5 is not a probability"},
        {"markov:L=3,trans=0.5/0.5/0.5/0.5,init=0.2/0.6", DLMKL_EINVAL, "init sums to 0.8"},
        {"markov:L=3,trans=0.5/0.5/0.5/0.5,init=1", DLMKL_EINVAL, "init has 1 entries"},
        {"markov:L=3,trans=1/0/0/1,init=stationary", DLMKL_EINVAL, "unique stationary law"},
        {"markov:L=3,V=3,seed=1,conc=-1", DLMKL_EINVAL, "conc = -1 is out of range"},
        {"ising:L=5", DLMKL_EINVAL, "missing required key 'J'"},
        {"ising:L=5,J=1e7", DLMKL_EINVAL, "|J| <= 1e+06"},
        {"ising:L=5,J=1,h=-2e6", DLMKL_EINVAL, "|h| <= 1e+06"},
        {"ising:L=5,J=1,V=3", DLMKL_EINVAL, "unknown key 'V'"},
        {"ising2d:rows=8,cols=8,J=1", DLMKL_EINVAL, "rows·cols = 64 is out of range"},
        {"ising2d:rows=0,cols=3,J=1", DLMKL_EINVAL, "rows = 0 is out of range"},
        {"cw:L=0,J=1", DLMKL_EINVAL, "need 1 <= L"},
        {"perm:n=1", DLMKL_EINVAL, "perm: n = 1 is out of range; need 2 <= n"},
        {"perm:L=4", DLMKL_EINVAL, "missing required key 'n'"},
        {"mds:q=4,n=3,k=2", DLMKL_EINVAL, "q = 4 is not prime"},
        {"rs:q=1,n=1,k=1", DLMKL_EINVAL, "q = 1 is out of range"},
        {"mds:q=5,n=6,k=2", DLMKL_EINVAL, "n = 6 is out of range; need 1 <= n <= 5"},
        {"mds:q=5,n=4,k=5", DLMKL_EINVAL, "k = 5 is out of range; need 1 <= k <= 4"},
        {"mds:q=5,n=4,k=0", DLMKL_EINVAL, "k = 0 is out of range"},
        {"random:L=3,V=2", DLMKL_EINVAL, "missing required key 'seed'"},
        {"random:L=3,seed=1,alpha=-1", DLMKL_EINVAL, "alpha = -1 is out of range"},
        {"mixprod:L=3,m=0,seed=1", DLMKL_EINVAL, "m = 0 is out of range"},
        {"mixture:", DLMKL_EINVAL, "no components"},
        {"mixture:0.5*{copy:L=3}+0.5*{copy:L=4}", DLMKL_EINVAL, "same L and V"},
        {"mixture:0.5*{copy:L=3}+0.5*{copy:L=3,V=3}", DLMKL_EINVAL, "same L and V"},
        {"mixture:-1*{copy:L=3}", DLMKL_EINVAL, "weights must be finite and > 0"},
        {"mixture:0*{copy:L=3}", DLMKL_EINVAL, "weights must be finite and > 0"},
        {"mixture:1*{copy:L=3", DLMKL_EINVAL, "unbalanced braces"},
        {"mixture:1*copy:L=3", DLMKL_EINVAL, "expected WEIGHT*{SPEC}"},
        {"mixture:{copy:L=3}", DLMKL_EINVAL, "expected WEIGHT*{SPEC}"},
        {"mixture:1*{copy:L=3}+", DLMKL_EINVAL, "trailing '+'"},
        {"mixture:1*{copy:L=3}x", DLMKL_EINVAL, "expected '+' or the end"},
        {"mixture:1*{nosuch:L=3}", DLMKL_EINVAL, "mixture component 1 ('nosuch:L=3'): unknown distribution family"},
        {"mixture:1*{copy:L=3}+1*{copy:L=3,V=1}", DLMKL_EINVAL, "component 2"},
        {"table:", DLMKL_EINVAL, "needs a file path"},
        {"table:/nonexistent/dir/t.txt", DLMKL_EIO, "cannot open table file"},
    };
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++)
        expect_fail(cs[c].spec, 0, cs[c].status, cs[c].phrase);
}
END_TEST

START_TEST(test_memory_cap)
{
    /* 2^20 doubles = 8 MiB above a 1 MiB cap: ETOOBIG naming the size needed and the cap */
    dlmkl_set_max_memory((size_t)1 << 20);
    expect_fail("random:L=20,V=2,seed=1", 0, DLMKL_ETOOBIG, "needs 8.00 MiB, above the memory cap of 1.00 MiB");
    expect_fail("copy:L=20,V=2", 0, DLMKL_ETOOBIG, "raise the cap");
    expect_fail("mixture:1*{copy:L=20}+1*{parity:L=20}", 0, DLMKL_ETOOBIG, "needs 8.00 MiB");
    /* just under the cap works */
    dlmkl_dist *d = tu_dist("copy:L=17,V=2"); /* 1 MiB */
    dlmkl_dist_free(d);
    dlmkl_set_max_memory(0); /* back to the default */
    ck_assert_msg(dlmkl_max_memory() > ((size_t)1 << 20), "default cap restored");
}
END_TEST

START_TEST(test_spec_help_documents_every_key)
{
    const char *h = dlmkl_dist_spec_help();
    static const char *needles[] = {"table:PATH", "product:", "markov:", "ising:", "ising2d:", "cw:", "copy:",
                                    "parity:", "mixture:", "mixprod:", "perm:", "random:", "mds:", "rs:",
                                    "stay=", "trans=", "init=", "stationary", "conc=", "seed=", "alpha=", "p=",
                                    "J=", "h=", "rows=", "cols=", "m=", "n=", "q=", "k=", "V=", "L="};
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
        ck_assert_msg(strstr(h, needles[i]) != NULL, "spec help lacks '%s'", needles[i]);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* table files                                                                                      */

static char tmpdir[256];

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* The folder is made in the parent process before the test and removed (with whatever is in it)
 * after it, also when the test fails (an unchecked fixture). */
static void setup_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/dlmkl_test_dist_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static void teardown_tmp(void)
{
    DIR *dir = opendir(tmpdir);
    if (dir) {
        struct dirent *e;
        char path[600];
        while ((e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
            unlink(path);
        }
        closedir(dir);
    }
    if (rmdir(tmpdir) != 0)
        perror(tmpdir);
}

static void table_fail(const char *name, const char *text, int normalize, int status, const char *phrase)
{
    char spec[600];
    snprintf(spec, sizeof spec, "table:%s", write_file(name, text));
    expect_fail(spec, normalize, status, phrase);
}

START_TEST(test_table_files)
{
    table_fail("count.txt", "2 2\n0.25\n0.25\n0.5\n", 0, DLMKL_EINVAL, "has 3 probabilities");
    table_fail("count2.txt", "1 2\n0.25\n0.25\n0.5\n", 0, DLMKL_EINVAL, "more than V^L = 2");
    table_fail("nan.txt", "1 2\nnan\n0.5\n", 0, DLMKL_EINVAL, "not finite");
    table_fail("inf.txt", "1 2\ninf\n0.5\n", 1, DLMKL_EINVAL, "not finite");
    table_fail("neg.txt", "1 2\n-0.5\n1.5\n", 0, DLMKL_EINVAL, "negative");
    table_fail("sum.txt", "# comment\n1 3\n0.2\n0.2\n0.2\n", 0, DLMKL_ESUM, "divide it by the sum");
    table_fail("zero.txt", "1 2\n0\n0\n", 1, DLMKL_EINVAL, "cannot be normalised");
    table_fail("hdr.txt", "2\n0.5\n0.5\n", 0, DLMKL_EINVAL, "expected 'L V'");
    table_fail("word.txt", "1 2\n0.5\nhalf\n", 0, DLMKL_EINVAL, "not a number");
    table_fail("empty.txt", "# nothing\n", 0, DLMKL_EINVAL, "is empty");
    /* --normalize: the same non-normalised file is accepted and divided by its sum */
    char spec[600];
    snprintf(spec, sizeof spec, "table:%s/sum.txt", tmpdir);
    dlmkl_dist *d = NULL;
    ck_assert_int_eq(dlmkl_dist_from_spec(spec, 1, &d), DLMKL_OK);
    for (int i = 0; i < 3; i++)
        TU_CLOSE(d->p[i], 1.0 / 3, 1e-15, "normalised entry %d", i);
    dlmkl_dist_free(d);
    /* a well-formed file with comments and blank lines */
    snprintf(spec, sizeof spec, "table:%s", write_file("ok.txt", "# a comment\n\n2 2\n# inside\n0.1\n0.2\n\n0.3\n0.4\n"));
    d = tu_dist(spec);
    ck_assert_int_eq(d->L, 2);
    ck_assert_int_eq(d->V, 2);
    TU_CLOSE(d->p[3], 0.4, 0, "last entry");
    dlmkl_dist_free(d);
    /* round trip: write then read gives the identical table (%.17g round-trips a double) */
    static const char *rt[] = {"random:L=4,V=3,seed=9,alpha=0.3", "ising:L=5,J=0.3,h=0.1", "perm:n=4"};
    for (size_t c = 0; c < 3; c++) {
        dlmkl_dist *a = tu_dist(rt[c]);
        char path[512];
        snprintf(path, sizeof path, "%s/rt.txt", tmpdir);
        ck_assert_int_eq(dlmkl_dist_write_table(a, path), DLMKL_OK);
        snprintf(spec, sizeof spec, "table:%s", path);
        dlmkl_dist *b = tu_dist(spec);
        ck_assert_msg(a->L == b->L && a->V == b->V && memcmp(a->p, b->p, a->n * sizeof(double)) == 0,
                      "round trip of %s differs", rt[c]);
        /* a table spec inside a mixture */
        char mix[700];
        snprintf(mix, sizeof mix, "mixture:1*{%s}+1*{%s}", spec, rt[c]);
        dlmkl_dist *m = tu_dist(mix);
        assert_tables_close(m, a, 1e-16, mix);
        dlmkl_dist_free(m);
        dlmkl_dist_free(a), dlmkl_dist_free(b);
    }
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* hardening: strict readers, allocation failures, nesting, table edge cases                        */

START_TEST(test_strict_readers)
{
    static const struct {
        const char *text;
        int ok;
        double value;
    } dc[] = {
        {"0.5", 1, 0.5},     {" 0.25\t", 1, 0.25}, {"1e-320", 1, 1e-320}, {"-3", 1, -3},   {"1e-400", 1, 0},
        {"", 0, 0},          {" ", 0, 0},          {"nan", 0, 0},         {"inf", 0, 0},   {"0x1p3", 0, 0},
        {"1e400", 0, 0},     {"0.5 0.5", 0, 0},    {"1,5", 0, 0},         {"5abc", 0, 0},  {".", 0, 0},
        {"--1", 0, 0},
    };
    for (size_t c = 0; c < sizeof dc / sizeof dc[0]; c++) {
        double v = -99;
        int st = dlmkl_read_double(dc[c].text, (size_t)-1, -INFINITY, INFINITY, &v);
        ck_assert_msg((st == DLMKL_OK) == dc[c].ok, "read_double('%s'): status %d (%s)", dc[c].text, st,
                      dlmkl_last_error());
        if (dc[c].ok)
            ck_assert_msg(v == dc[c].value, "read_double('%s') = %.17g, expected %.17g", dc[c].text, v, dc[c].value);
    }
    double v;
    ck_assert_int_eq(dlmkl_read_double("0.5\0" "1", 5, 0, 1, &v), DLMKL_EINVAL); /* NUL inside the field */
    ck_assert_msg(strstr(dlmkl_last_error(), "NUL byte"), "message: %s", dlmkl_last_error());
    ck_assert_int_eq(dlmkl_read_double("2", (size_t)-1, 0, 1, &v), DLMKL_EINVAL);
    ck_assert_msg(strstr(dlmkl_last_error(), "out of range"), "message: %s", dlmkl_last_error());
    static const struct {
        const char *text;
        int ok;
        long value;
    } lc[] = {{"42", 1, 42}, {"-7", 1, -7}, {"+3", 1, 3}, {"3.0", 0, 0}, {"1e3", 0, 0}, {"4294967298", 1, 4294967298L},
              {"99999999999999999999", 0, 0}, {"", 0, 0}, {"0x10", 0, 0}};
    for (size_t c = 0; c < sizeof lc / sizeof lc[0]; c++) {
        long x = -99;
        int st = dlmkl_read_long(lc[c].text, (size_t)-1, LONG_MIN, LONG_MAX, &x);
        ck_assert_msg((st == DLMKL_OK) == lc[c].ok, "read_long('%s'): status %d (%s)", lc[c].text, st,
                      dlmkl_last_error());
        if (lc[c].ok)
            ck_assert_msg(x == lc[c].value, "read_long('%s') = %ld", lc[c].text, x);
    }
    /* CSV records: empty fields kept, quotes removed, "" is a quote */
    char line[] = ",k,\"a,b\",\"say \"\"hi\"\"\",,";
    dlmkl_csv_row row = {0};
    ck_assert_int_eq(dlmkl_csv_split(line, &row), DLMKL_OK);
    static const char *want[] = {"", "k", "a,b", "say \"hi\"", "", ""};
    ck_assert_msg(row.n == 6, "%d fields", row.n);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(strcmp(row.field[i], want[i]) == 0, "field %d = '%s', expected '%s'", i, row.field[i], want[i]);
    ck_assert_int_eq(dlmkl_csv_find(&row, "k"), 1);
    ck_assert_int_eq(dlmkl_csv_find(&row, "m"), -1);
    char bad1[] = "a,\"b", bad2[] = "a,\"b\"c", bad3[] = "a,b\"c";
    ck_assert_int_eq(dlmkl_csv_split(bad1, &row), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_csv_split(bad2, &row), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_csv_split(bad3, &row), DLMKL_EINVAL);
    dlmkl_csv_row_free(&row);
}
END_TEST

START_TEST(test_hardened_specs)
{
    /* a failed parameter allocation is never overwritten by a later success (was: OK, no table) */
    dlmkl_set_max_memory((size_t)1 << 20);
    expect_fail("markov:L=1,V=50000,seed=1", 0, DLMKL_ETOOBIG, "above the memory cap");
    expect_fail("markov:L=2,V=3000,seed=1", 0, DLMKL_ETOOBIG, "transition matrix");
    expect_fail("product:L=20,V=100000,seed=1", 0, DLMKL_ETOOBIG, "above the memory cap");
    expect_fail("mixprod:L=20,V=1000,m=1000,seed=1", 0, DLMKL_ETOOBIG, "above the memory cap");
    /* keys are checked before anything is allocated */
    expect_fail("markov:L=1,V=50000,seed=1,bogus=1", 0, DLMKL_EINVAL, "unknown key 'bogus'");
    expect_fail("markov:L=1,V=50000,seed=0", 0, DLMKL_EINVAL, "seed = 0 is out of range");
    dlmkl_set_max_memory(0);
    /* nesting depth */
    char spec[4096] = "copy:L=3";
    for (int i = 0; i < 16; i++) {
        char t[4200];
        int n = snprintf(t, sizeof t, "mixture:1*{%s}", spec);
        ck_assert(n > 0 && (size_t)n < sizeof spec);
        memcpy(spec, t, (size_t)n + 1);
    }
    dlmkl_dist *d = tu_dist(spec); /* 16 deep is fine */
    TU_CLOSE(d->p[0], 0.5, 1e-15, "%s", spec);
    dlmkl_dist_free(d);
    char deeper[4200];
    snprintf(deeper, sizeof deeper, "mixture:1*{%s}", spec);
    expect_fail(deeper, 0, DLMKL_EINVAL, "mixtures nest at most 16 deep");
    /* strict numbers in keys, lists and weights */
    expect_fail("copy:L=3x", 0, DLMKL_EINVAL, "not an integer");
    expect_fail("product:L=3,p=0x1p-1", 0, DLMKL_EINVAL, "not a finite number");
    expect_fail("markov:L=3,V=2,trans=0.5/0.5/nan/0.5", 0, DLMKL_EINVAL, "entry 3 is not a number");
    expect_fail("mixture:inf*{copy:L=3}", 0, DLMKL_EINVAL, "expected WEIGHT");
    expect_fail("product:L=3,seed=99999999999999999999", 0, DLMKL_EINVAL, "out of range");
}
END_TEST

static const char *write_bytes(const char *name, const char *bytes, size_t n)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return path;
}

START_TEST(test_table_hardening)
{
    table_fail("int.txt", "4294967298 2\n0.5\n0.5\n", 0, DLMKL_EINVAL, "4294967298 is out of range");
    table_fail("hdr3.txt", "1 2 3\n0.5\n0.5\n", 0, DLMKL_EINVAL, "expected 'L V'");
    table_fail("two.txt", "1 2\n0.5 0.5\n", 0, DLMKL_EINVAL, "line 2");
    table_fail("hex.txt", "1 2\n0x1p-1\n0.5\n", 0, DLMKL_EINVAL, "not a number");
    char spec[600];
    snprintf(spec, sizeof spec, "table:%s", write_bytes("nul.txt", "1 2\n0.5\0" "1\n0.5\n", 11));
    expect_fail(spec, 0, DLMKL_EINVAL, "NUL byte");
    expect_fail("table:/dev/zero", 0, DLMKL_EINVAL, "NUL byte");
    /* accepted within the tolerance, then renormalised: a point mass has entropy exactly 0 */
    snprintf(spec, sizeof spec, "table:%s", write_file("pm.txt", "1 2\n0.9999999992\n0\n"));
    dlmkl_dist *d = tu_dist(spec);
    ck_assert_msg(d->p[0] == 1.0, "renormalised p[0] = %.17g", d->p[0]);
    dlmkl_profile *prof = tu_profile(d);
    ck_assert_msg(dlmkl_profile_H(prof) == 0.0, "H = %.17g", dlmkl_profile_H(prof));
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
    /* subnormal entries, CRLF, a byte-order mark, a 5000-digit number */
    snprintf(spec, sizeof spec, "table:%s", write_file("sub.txt", "\xEF\xBB\xBF" "1 2\r\n1\r\n1e-320\r\n"));
    d = tu_dist(spec);
    ck_assert_msg(d->p[1] == 1e-320, "subnormal p[1] = %g", d->p[1]);
    dlmkl_dist_free(d);
    char *big = malloc(6000);
    ck_assert_ptr_nonnull(big);
    strcpy(big, "1 2\n0.5");
    memset(big + 7, '0', 5000);
    strcpy(big + 5007, "\n0.5\n");
    snprintf(spec, sizeof spec, "table:%s", write_file("long.txt", big));
    free(big);
    d = tu_dist(spec);
    ck_assert_msg(d->p[0] == 0.5 && d->p[1] == 0.5, "long number read as %.17g", d->p[0]);
    dlmkl_dist_free(d);
}
END_TEST

/* Long-format tables (x1..xL,p): every permutation of rows and columns, a pandas index column and
 * absent zero rows give the dense table bit for bit; malformed ones are refused with a message. */
static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

START_TEST(test_long_tables)
{
    char path[] = "/tmp/dlmkl_test_long_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    dlmkl_dist *d = tu_random_table(3, 3, 77, 0.5);
    for (uint64_t i = 0; i < d->n; i += 4) /* some zero cells, left out of the long file */
        d->p[i] = 0;
    ck_assert_int_eq(dlmkl_dist_validate(d, 1), DLMKL_OK);
    for (int variant = 0; variant < 3; variant++) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(variant == 0 ? "x1,x2,x3,p\n" : variant == 1 ? "p,x3,x1,x2\n" : ",x2,p,x1,x3\n", f);
        for (uint64_t k = 0; k < d->n; k++) {
            uint64_t i = variant ? d->n - 1 - k : k; /* rows in reverse order for the later variants */
            if (d->p[i] == 0)
                continue;
            int x1 = (int)(i / 9), x2 = (int)(i / 3 % 3), x3 = (int)(i % 3);
            if (variant == 0)
                fprintf(f, "%d,%d,%d,%.17g\n", x1, x2, x3, d->p[i]);
            else if (variant == 1)
                fprintf(f, "%.17g,%d,%d,%d\n", d->p[i], x3, x1, x2);
            else
                fprintf(f, "%llu,%d,%.17g,%d,%d\n", (unsigned long long)k, x2, d->p[i], x1, x3);
        }
        ck_assert_int_eq(fclose(f), 0);
        dlmkl_dist *e;
        ck_assert_msg(dlmkl_dist_read_table(path, 0, &e) == DLMKL_OK, "variant %d: %s", variant, dlmkl_last_error());
        ck_assert_int_eq(e->L, 3);
        ck_assert_int_eq(e->V, 3);
        ck_assert_msg(memcmp(e->p, d->p, d->n * sizeof *d->p) == 0, "variant %d: the tables differ", variant);
        dlmkl_dist_free(e);
    }
    static const struct {
        const char *text, *phrase;
    } bad[] = {
        {"x1,x2,p\n0,0,0.5\n0,0,0.5\n", "repeats"},
        {"x1,x3,p\n0,0,1\n", "x1,...,xL"},
        {"x1,x1,p\n0,0,1\n", "twice"},
        {"x1,x2\n0,0\n", "x1,...,xL"},
        {"x1,y,p\n0,0,1\n", "not x1..xL or p"},
        {"x1,x2,p\n0,-1,1\n", "x2"},
        {"x1,x2,p\n0,1,-0.5\n1,1,1.5\n", "negative"},
        {"x1,x2,p\n0,1\n", "fields"},
        {"x1,x2,p\n", "at least one row"},
        {"x1,x2,p\n0,1,0.7\n", "sum"},
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        ck_assert_int_eq(write_text(path, bad[c].text), 0);
        dlmkl_dist *e = (dlmkl_dist *)1;
        ck_assert_msg(dlmkl_dist_read_table(path, 0, &e) != DLMKL_OK, "accepted:\n%s", bad[c].text);
        ck_assert_ptr_null(e);
        ck_assert_msg(strstr(dlmkl_last_error(), bad[c].phrase) != NULL, "case %zu: message '%s' lacks '%s'", c,
                      dlmkl_last_error(), bad[c].phrase);
    }
    unlink(path);
    dlmkl_dist_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dist");
    TCase *tc = tcase_create("families");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_every_family_sums_to_one);
    tcase_add_test(tc, test_copy_parity_known);
    tcase_add_test(tc, test_products);
    tcase_add_test(tc, test_markov);
    tcase_add_test(tc, test_perm_mds);
    tcase_add_test(tc, test_mixprod);
    tcase_add_test(tc, test_ising);
    tcase_add_test(tc, test_mixture);
    tcase_add_test(tc, test_random_and_seeds);
    tcase_add_test(tc, test_bad_specs);
    tcase_add_test(tc, test_memory_cap);
    tcase_add_test(tc, test_spec_help_documents_every_key);
    tcase_add_test(tc, test_strict_readers);
    tcase_add_test(tc, test_hardened_specs);
    suite_add_tcase(s, tc);
    TCase *files = tcase_create("table_files");
    tcase_set_timeout(files, 600);
    tcase_add_unchecked_fixture(files, setup_tmp, teardown_tmp);
    tcase_add_test(files, test_table_files);
    tcase_add_test(files, test_table_hardening);
    tcase_add_test(files, test_long_tables);
    suite_add_tcase(s, files);
    return tu_run(s);
}
