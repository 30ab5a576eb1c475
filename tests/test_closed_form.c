/* test_closed_form.c: closed-form entropy profiles against the enumerated profile of the same
 * family (small L), and against independent formulas for h(L), h(2), h(L−1) at large L. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "dlmkl/profile_sparse.h"

static dlmkl_profile *cf(const char *spec)
{
    dlmkl_profile *p = NULL;
    int st = dlmkl_profile_closed_form(spec, &p);
    ck_assert_msg(st == DLMKL_OK, "closed form '%s' failed: %s", spec, dlmkl_last_error());
    ck_assert_ptr_nonnull(p);
    return p;
}

static double bin_entropy(double e)
{
    if (e <= 0 || e >= 1)
        return 0;
    return -e * log2(e) - (1 - e) * log2(1 - e);
}

/* closed form == enumeration of the same spec, every m, to 1e-10 bits */
static void vs_enumeration(const char *spec)
{
    dlmkl_profile *a = cf(spec);
    dlmkl_dist *d = tu_dist(spec);
    dlmkl_profile *b = tu_profile(d);
    ck_assert_msg(a->L == b->L, "%s: closed form L = %d, enumerated L = %d", spec, a->L, b->L);
    for (int m = 0; m <= a->L; m++)
        TU_CLOSE(a->h[m], b->h[m], 1e-10, "%s h(%d): closed form vs enumeration", spec, m);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    dlmkl_dist_free(d);
}

START_TEST(test_vs_enumeration)
{
    char spec[128];
    for (int V = 2; V <= 4; V++)
        for (int L = 1; L <= 6; L++) {
            snprintf(spec, sizeof spec, "copy:L=%d,V=%d", L, V);
            vs_enumeration(spec);
            snprintf(spec, sizeof spec, "parity:L=%d,V=%d", L, V);
            vs_enumeration(spec);
        }
    static const double ps[] = {0.0, 0.25, 0.5, 0.9, 1.0};
    for (size_t c = 0; c < 5; c++)
        for (int V = 2; V <= 3; V++)
            for (int L = 1; L <= 6; L += 2) {
                snprintf(spec, sizeof spec, "product:L=%d,V=%d,p=%.17g", L, V, ps[c]);
                vs_enumeration(spec);
            }
    static const int mds[][3] = {{2, 2, 1}, {3, 3, 2}, {5, 4, 2}, {5, 5, 3}, {7, 4, 1}, {7, 5, 4}, {3, 2, 2}};
    for (size_t c = 0; c < sizeof mds / sizeof mds[0]; c++) {
        snprintf(spec, sizeof spec, "%s:q=%d,n=%d,k=%d", c % 2 ? "mds" : "rs", mds[c][0], mds[c][1], mds[c][2]);
        vs_enumeration(spec);
    }
    for (int n = 2; n <= 6; n++) {
        snprintf(spec, sizeof spec, "perm:n=%d", n);
        vs_enumeration(spec);
    }
    static const double stays[] = {0.0, 0.1, 0.3, 0.5, 0.8, 0.95, 0.999, 1.0};
    for (size_t c = 0; c < sizeof stays / sizeof stays[0]; c++)
        for (int L = 1; L <= 11; L++) {
            snprintf(spec, sizeof spec, "markov:L=%d,stay=%.17g", L, stays[c]);
            vs_enumeration(spec);
        }
    vs_enumeration("markov:L=12,V=2,stay=0.7");
    /* the pair-marginal route (profile_markov.h) and the law of the sum (profile_exchangeable.h)
     * reached through the families' own keys */
    static const char *const structured[] = {
        "markov:L=9,V=3,seed=4",
        "markov:L=8,V=3,seed=9,conc=0.3",
        "markov:L=10,V=2,trans=0.9/0.1/0.3/0.7,init=stationary",
        "markov:L=7,V=4,trans=0.7/0.1/0.1/0.1/0.2/0.5/0.2/0.1/0.1/0.1/0.1/0.7/0.25/0.25/0.25/0.25,init=0.4/0.3/0.2/0.1",
        "ising:L=1,J=0.3",
        "ising:L=10,J=0.5,h=0.2",
        "ising:L=9,J=-1.3",
        "cw:L=1,J=0.3",
        "cw:L=11,J=0.7,h=0.1",
        "cw:L=10,J=-2",
    };
    for (size_t c = 0; c < sizeof structured / sizeof structured[0]; c++)
        vs_enumeration(structured[c]);
}
END_TEST

/* Large L, against values known in closed form: with J = 0 the ising chain and Curie-Weiss are
 * products of Bernoulli(e^h / (e^h + e^-h)) bits, h(m) = m H1; a chain whose rows are all equal is a
 * product too. */
START_TEST(test_structured_large_L)
{
    const double hf = 0.3, q = exp(hf) / (exp(hf) + exp(-hf)), H1 = bin_entropy(q);
    const char *const specs[] = {"ising:L=400,J=0,h=0.3", "cw:L=2000,J=0,h=0.3"};
    for (int c = 0; c < 2; c++) {
        dlmkl_profile *p = cf(specs[c]);
        for (int m = 0; m <= p->L; m += 37)
            TU_CLOSE(p->h[m], m * H1, 1e-9 * fmax(1.0, m * H1), "%s h(%d)", specs[c], m);
        dlmkl_profile_free(p);
    }
    dlmkl_profile *p = cf("markov:L=300,V=3,trans=0.5/0.3/0.2/0.5/0.3/0.2/0.5/0.3/0.2,init=0.5/0.3/0.2");
    const double H3 = -(0.5 * log2(0.5) + 0.3 * log2(0.3) + 0.2 * log2(0.2));
    for (int m = 0; m <= p->L; m += 13)
        TU_CLOSE(p->h[m], m * H3, 1e-9 * fmax(1.0, m * H3), "markov product h(%d)", m);
    dlmkl_profile_free(p);
}
END_TEST

/* h(0) = 0, h nondecreasing, Z_j = h(1) + h(j−1) − h(j) nondecreasing (Han), h(L) = expected. */
static void sanity(const char *spec, int L, double hL, double rel)
{
    dlmkl_profile *p = cf(spec);
    ck_assert_msg(p->L == L, "%s: L = %d, expected %d", spec, p->L, L);
    const double tol = 1e-9 * fmax(1.0, p->h[L]);
    ck_assert_msg(p->h[0] == 0.0, "%s: h(0) = %g", spec, p->h[0]);
    for (int m = 1; m <= L; m++) {
        ck_assert_msg(isfinite(p->h[m]), "%s: h(%d) = %g", spec, m, p->h[m]);
        ck_assert_msg(p->h[m] >= p->h[m - 1] - tol, "%s: h decreases at m = %d", spec, m);
    }
    for (int j = 2; j <= L; j++)
        ck_assert_msg(dlmkl_profile_Z(p, j) >= dlmkl_profile_Z(p, j - 1) - tol, "%s: Z_%d = %.17g < Z_%d = %.17g", spec,
                      j, dlmkl_profile_Z(p, j), j - 1, dlmkl_profile_Z(p, j - 1));
    TU_CLOSE(p->h[L], hL, rel * fmax(1.0, fabs(hL)), "%s h(L)", spec);
    dlmkl_profile_free(p);
}

START_TEST(test_large_L)
{
    sanity("copy:L=100000,V=7", 100000, log2(7), 1e-15);
    sanity("parity:L=100000,V=3", 100000, 99999 * log2(3), 1e-14);
    const double H1 = -0.3 * log2(0.3) - 0.7 * log2(0.7 / 4);
    sanity("product:L=100000,V=5,p=0.3", 100000, 100000 * H1, 1e-13);
    sanity("mds:q=257,n=200,k=50", 200, 50 * log2(257), 1e-14);
    sanity("rs:q=100003,n=100000,k=777", 100000, 777 * log2(100003), 1e-14);
    sanity("perm:n=100000", 100000, lgamma(100001.0) / log(2.0), 1e-11);
    sanity("perm:n=1000", 1000, lgamma(1001.0) / log(2.0), 1e-12);
    /* Markov: h(L) = 1 + (L−1) h2(1 − stay) */
    static const double stays[] = {0.9, 0.6, 0.999999, 0.05, 1.0, 0.5};
    static const int Ls[] = {10000, 20000, 10000, 10000, 100000, 100000};
    char spec[96];
    for (size_t c = 0; c < sizeof stays / sizeof stays[0]; c++) {
        snprintf(spec, sizeof spec, "markov:L=%d,stay=%.17g", Ls[c], stays[c]);
        sanity(spec, Ls[c], 1 + (Ls[c] - 1) * bin_entropy(1 - stays[c]), 1e-10);
    }
    /* Markov at large L, h(2) and h(L−1) by separate formulas:
     *   h(2)   = 1 + C(L,2)^-1 Σ_{g=1}^{L−1} (L−g) h2(e_g),
     *   h(L−1) = [2(1 + (L−2) h2(e_1)) + (L−2)(1 + (L−3) h2(e_1) + h2(e_2))] / L
     * (drop an end point: L−2 gaps of 1; drop an interior point: L−3 gaps of 1 and one of 2). */
    static const double st2[] = {0.9, 0.2, 0.9999};
    for (size_t c = 0; c < 3; c++) {
        const int L = 5000;
        snprintf(spec, sizeof spec, "markov:L=%d,stay=%.17g", L, st2[c]);
        dlmkl_profile *p = cf(spec);
        const double rho = 2 * st2[c] - 1;
        double s = 0;
        for (int g = 1; g < L; g++)
            s += (L - g) * bin_entropy((1 - pow(rho, g)) / 2);
        TU_CLOSE(p->h[2], 1 + s / (0.5 * L * (L - 1.0)), 1e-10, "%s h(2)", spec);
        const double e1 = bin_entropy(1 - st2[c]), e2 = bin_entropy((1 - rho * rho) / 2);
        TU_CLOSE(p->h[L - 1], (2 * (1 + (L - 2) * e1) + (L - 2) * (1 + (L - 3) * e1 + e2)) / L, 1e-8, "%s h(L-1)",
                 spec);
        dlmkl_profile_free(p);
    }
}
END_TEST

static void cf_fail(const char *spec, int status, const char *phrase)
{
    dlmkl_profile *p = (dlmkl_profile *)0x1;
    int st = dlmkl_profile_closed_form(spec, &p);
    ck_assert_msg(st == status, "closed form '%s': status %d, expected %d (%s)", spec, st, status, dlmkl_last_error());
    ck_assert_msg(p == NULL, "closed form '%s': *out not NULL on failure", spec);
    ck_assert_msg(strstr(dlmkl_last_error(), phrase) != NULL, "closed form '%s': message '%s' lacks '%s'", spec,
                  dlmkl_last_error(), phrase);
}

START_TEST(test_bad_specs)
{
    cf_fail("ising2d:rows=2,cols=2,J=1", DLMKL_EINVAL, "no closed-form profile for family 'ising2d'");
    cf_fail("L=3", DLMKL_EINVAL, "no closed-form profile");
    cf_fail(":L=3", DLMKL_EINVAL, "has no family");
    cf_fail("copy:V=3", DLMKL_EINVAL, "missing required key 'L'");
    cf_fail("copy:L=0", DLMKL_EINVAL, "L = 0 is out of range");
    cf_fail("copy:L=100000001", DLMKL_EINVAL, "need 1 <= L <= 100000000");
    cf_fail("parity:L=5,V=1", DLMKL_EINVAL, "V = 1 is out of range");
    cf_fail("copy:L=3,W=2", DLMKL_EINVAL, "unknown key 'W'");
    cf_fail("copy:L=3,V", DLMKL_EINVAL, "not key=value");
    cf_fail("product:L=3,seed=4", DLMKL_EINVAL, "only the i.i.d. form");
    cf_fail("product:L=3,p=1.2", DLMKL_EINVAL, "p = 1.2 is not a probability");
    cf_fail("product:L=3", DLMKL_EINVAL, "missing required key 'p'");
    cf_fail("mds:q=5,n=6,k=2", DLMKL_EINVAL, "n = 6 is out of range");
    cf_fail("mds:q=5,n=4,k=5", DLMKL_EINVAL, "k = 5 is out of range");
    cf_fail("rs:q=1,n=1,k=1", DLMKL_EINVAL, "q = 1 is out of range");
    cf_fail("perm:n=1", DLMKL_EINVAL, "n = 1 is out of range");
    cf_fail("markov:L=5,V=3,stay=0.5", DLMKL_EINVAL, "V must be 2 (got V = 3)");
    cf_fail("markov:L=5,stay=-0.5", DLMKL_EINVAL, "stay = -0.5 is not a probability");
    cf_fail("markov:L=5,trans=0.5/0.6/0.5/0.5", DLMKL_EINVAL, "row 1 of trans (previous symbol 0) sums to");
    cf_fail("markov:L=5,stay=0.5,seed=3", DLMKL_EINVAL, "unknown key 'seed'");
    cf_fail("markov:L=100001,V=3,seed=3", DLMKL_EINVAL, "L = 100001 is out of range");
    cf_fail("ising:L=5,J=2e6", DLMKL_EINVAL, "J");
    cf_fail("cw:L=5", DLMKL_EINVAL, "missing required key 'J'");
    cf_fail("markov:L=1000000,stay=0.999999999", DLMKL_ECOST, "above the budget");
    dlmkl_set_max_memory((size_t)1 << 20);
    cf_fail("copy:L=1000000", DLMKL_ETOOBIG, "above the memory cap");
    dlmkl_set_max_memory(0);
    /* mds needs no primality here (MDS codes exist over any prime power) */
    dlmkl_profile *p = cf("mds:q=4,n=4,k=2");
    TU_CLOSE(p->h[4], 4.0, 1e-15, "mds q=4 h(L)");
    dlmkl_profile_free(p);
}
END_TEST

START_TEST(test_help)
{
    const char *h = dlmkl_closed_form_help();
    static const char *needles[] = {"copy:", "parity:", "product:", "mds:", "rs:", "perm:", "markov:", "stay=", "trans=", "ising:", "cw:", "mixture:"};
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
        ck_assert_msg(strstr(h, needles[i]) != NULL, "closed-form help lacks '%s'", needles[i]);
}
END_TEST

/* dlmkl_profile_auto: the closed form, bit for bit, where the family has one; the enumerated
 * profile, bit for bit, where it has none; the closed form's own errors, never a silent fallback. */
START_TEST(test_auto_route)
{
    static const struct {
        const char *spec;
        dlmkl_profile_route route;
        int V;
    } cases[] = {
        {"markov:L=9,stay=0.8", DLMKL_PROFILE_ROUTE_CLOSED_FORM, 2},
        {"markov:L=300,V=3,seed=5", DLMKL_PROFILE_ROUTE_CLOSED_FORM, 3},
        {"copy:L=7,V=3", DLMKL_PROFILE_ROUTE_CLOSED_FORM, 3},
        {"perm:n=5", DLMKL_PROFILE_ROUTE_CLOSED_FORM, 5},
        {"cw:L=2000,J=0.7", DLMKL_PROFILE_ROUTE_CLOSED_FORM, 2},
        {"random:L=8,V=2,seed=3", DLMKL_PROFILE_ROUTE_ENUMERATED, 2},
        {"ising2d:rows=2,cols=3,J=0.4", DLMKL_PROFILE_ROUTE_ENUMERATED, 2},
        {"mixture:0.5*{copy:L=5}+0.5*{product:L=5,p=0.3}", DLMKL_PROFILE_ROUTE_ENUMERATED, 2},
        /* exchangeable mixtures have one (dlmkl_profile_exchangeable_mixture); others enumerate */
        {"mixture:0.5*{cw:L=9,J=0.7}+0.5*{product:L=9,p=0.3}", DLMKL_PROFILE_ROUTE_CLOSED_FORM, 2},
        {"mixture:1*{mixture:1*{product:L=600,p=0.1}+1*{cw:L=600,J=2}}+1*{product:L=600,p=0.5}",
         DLMKL_PROFILE_ROUTE_CLOSED_FORM, 2},
        {"mixture:0.5*{product:L=6,V=2,seed=3}+0.5*{product:L=6,p=0.3}", DLMKL_PROFILE_ROUTE_ENUMERATED, 2},
        /* V > 2: products symmetric among the nonzero symbols have one; seeded products do not */
        {"mixture:0.5*{product:L=5,V=3,p=0.2}+0.5*{product:L=5,V=3,p=0.7}", DLMKL_PROFILE_ROUTE_CLOSED_FORM, 3},
        {"mixture:1*{mixture:1*{product:L=400,V=4,p=0.1}+1*{product:L=400,V=4,p=0.9}}+1*{product:L=400,V=4,p=0.5}",
         DLMKL_PROFILE_ROUTE_CLOSED_FORM, 4},
        {"mixture:0.5*{product:L=5,V=3,p=0.2}+0.5*{product:L=5,V=3,seed=4}", DLMKL_PROFILE_ROUTE_ENUMERATED, 3},
        {"mixture:0.5*{cw:L=6,J=1}+0.5*{mixture:1*{markov:L=6,stay=0.8}}", DLMKL_PROFILE_ROUTE_ENUMERATED, 2},
        /* no closed form, 3 points in 3^14: the table's sparse route (profile_sparse.h) */
        {"mixture:0.5*{copy:L=14,V=3}+0.5*{copy:L=14,V=3}", DLMKL_PROFILE_ROUTE_ENUMERATED, 3},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *spec = cases[c].spec;
        dlmkl_profile *a = NULL;
        int V = -1;
        dlmkl_profile_route route = 0;
        int st = dlmkl_profile_auto(spec, 0, &a, &V, &route);
        ck_assert_msg(st == DLMKL_OK, "auto '%s' failed: %s", spec, dlmkl_last_error());
        ck_assert_msg(route == cases[c].route && V == cases[c].V, "auto '%s': route %d V %d, expected %d %d", spec,
                      (int)route, V, (int)cases[c].route, cases[c].V);
        dlmkl_profile *b;
        dlmkl_dist *d = NULL;
        if (route == DLMKL_PROFILE_ROUTE_CLOSED_FORM)
            b = cf(spec);
        else {
            /* the route a --dist profile takes (dense or sparse), bit for bit */
            d = tu_dist(spec);
            b = dlmkl_profile_alloc(d->L);
            int sparse = -1;
            ck_assert_int_eq(dlmkl_profile_compute_auto(d, b, &sparse), DLMKL_OK);
            ck_assert_msg(sparse == (d->L == 14), "auto '%s': sparse route %d", spec, sparse);
            if (d->L == 14) /* a copy law: h(m) = log2 3 for m >= 1 */
                for (int m = 1; m <= 14; m++)
                    TU_CLOSE(b->h[m], log2(3.0), 1e-13, "auto '%s' h(%d)", spec, m);
        }
        ck_assert_msg(a->L == b->L, "auto '%s': L %d vs %d", spec, a->L, b->L);
        for (int m = 0; m <= a->L; m++)
            ck_assert_msg(a->h[m] == b->h[m], "auto '%s' h(%d) = %.17g, its route gives %.17g", spec, m, a->h[m],
                          b->h[m]);
        dlmkl_profile_free(a), dlmkl_profile_free(b);
        dlmkl_dist_free(d);
    }
    static const struct {
        const char *spec, *needle;
    } bad[] = {
        {"nosuch:L=3", "unknown distribution family"},
        {"markov:L=5,stay=2", "stay"},      /* the closed form's error, not an enumeration */
        {"random:L=40,seed=1", "2^40"},     /* no closed form and beyond enumeration */
        {"mixture:1*{cw:L=5,J=1}+1*{product:L=6,p=0.5}", "same L"}, /* no closed form; the builder's error */
        {"mixture:1*{cw:L=5,J=1}+1*{product:L=5,p=1.5}", "p = 1.5"}, /* the closed form's error */
        {"mixture:1*{product:L=5,V=3,p=0.5}+1*{product:L=5,V=3,p=-0.5}", "p = -0.5"},
        {"mixture:1*{product:L=5,V=3,p=0.5}+1*{cw:L=5,J=1}", "same L and V"}, /* the builder's error */
        {"", "no family"},
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        dlmkl_profile *a = (dlmkl_profile *)1;
        int st = dlmkl_profile_auto(bad[c].spec, 0, &a, NULL, NULL);
        ck_assert_msg(st != DLMKL_OK && a == NULL, "auto '%s' should fail", bad[c].spec);
        ck_assert_msg(strstr(dlmkl_last_error(), bad[c].needle) != NULL, "auto '%s': message '%s' lacks '%s'",
                      bad[c].spec, dlmkl_last_error(), bad[c].needle);
    }
}
END_TEST


/* Exchangeable mixtures (dlmkl_profile_exchangeable_mixture): the closed form equals the enumerated
 * profile of the same spec (dlmkl_profile_compute on the built table) to 1e-12 bits at every m,
 * for L up to 14: products (p = P(x=0)), Curie-Weiss with and without field, nested mixtures,
 * point masses (p = 0, 1) and a single component. */
START_TEST(test_mixture_vs_enumeration)
{
    static const char *fmt[] = {
        "mixture:0.3*{product:L=%d,p=0.2}+0.7*{product:L=%d,p=0.9}",
        "mixture:1*{product:L=%d,p=0.3}+2*{cw:L=%d,J=0.8,h=0.2}+0.5*{cw:L=%d,J=-1.2}",
        "mixture:0.4*{mixture:1*{product:L=%d,p=0.1}+1*{cw:L=%d,J=2,h=-0.3}}+0.6*{product:L=%d,p=0.6}",
        "mixture:1*{product:L=%d,p=0}+3*{product:L=%d,p=1}+2*{cw:L=%d,J=1.5,h=0.05}",
        "mixture:1*{cw:L=%d,J=1.1,h=0.4}",
    };
    static const int Ls[] = {1, 2, 5, 9, 14};
    char spec[256];
    for (size_t f = 0; f < sizeof fmt / sizeof fmt[0]; f++)
        for (size_t i = 0; i < sizeof Ls / sizeof Ls[0]; i++) {
            const int L = Ls[i];
            snprintf(spec, sizeof spec, fmt[f], L, L, L);
            dlmkl_profile *a = cf(spec);
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_profile *b = dlmkl_profile_alloc(d->L);
            ck_assert_int_eq(dlmkl_profile_compute(d, b), DLMKL_OK);
            ck_assert_msg(a->L == L && b->L == L && a->V == 2, "%s: L %d / %d, V %d", spec, a->L, b->L, a->V);
            for (int m = 0; m <= L; m++)
                TU_CLOSE(a->h[m], b->h[m], 1e-12, "%s h(%d): closed form vs enumeration", spec, m);
            dlmkl_profile_free(a), dlmkl_profile_free(b);
            dlmkl_dist_free(d);
        }
    /* one cw component: the same profile as cw's own (linear-domain) closed form, to 1e-12 relative
     * (measured 2.6e-14, the same bits natively and under valgrind since both routes use ln k! in
     * double-double; with long double log-factorials valgrind's run was off by 2e-13 at h = 52; the
     * log route is pinned against mpmath separately) */
    dlmkl_profile *a = cf("mixture:2*{cw:L=300,J=1.3,h=0.1}"), *b = cf("cw:L=300,J=1.3,h=0.1");
    for (int m = 0; m <= 300; m++)
        TU_CLOSE(a->h[m], b->h[m], 1e-12 * fmax(1.0, fabs(b->h[m])), "one-component mixture vs cw h(%d)", m);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    /* two point masses, weights 1:3: h(m) = h2(1/4) for m >= 1 */
    a = cf("mixture:1*{product:L=1000,p=0}+3*{product:L=1000,p=1}");
    const double h2 = -0.25 * log2(0.25) - 0.75 * log2(0.75);
    for (int m = 1; m <= 1000; m += 111)
        TU_CLOSE(a->h[m], h2, 1e-14, "point masses h(%d)", m);
    dlmkl_profile_free(a);
}
END_TEST

/* Large L against mpmath at 50 digits: tests/ref/exch_mixture_mpmath.py (an independent route: the
 * cw marginal as sum_j C(N-m,j) a(N,k+j), no recursion, no logarithms of parts) printed these. */
START_TEST(test_mixture_large_L)
{
    static const struct {
        int L, m;
        double h;
    } ref[] = {
#include "ref/exch_mixture_mpmath.inc"
    };
    char spec[256];
    dlmkl_profile *p = NULL;
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        if (!p || p->L != ref[i].L) {
            dlmkl_profile_free(p);
            const int N = ref[i].L;
            snprintf(spec, sizeof spec, "mixture:0.3*{product:L=%d,p=0.2}+0.5*{product:L=%d,p=0.7}+0.2*{cw:L=%d,J=1.5,h=0.05}",
                     N, N, N);
            p = cf(spec);
        }
        TU_CLOSE(p->h[ref[i].m], ref[i].h, 1e-11 * (1.0 + ref[i].h), "L = %d h(%d): closed form vs mpmath", ref[i].L,
                 ref[i].m);
    }
    dlmkl_profile_free(p);
    cf_fail("mixture:1*{product:L=20,p=0.5}+1*{copy:L=20}", DLMKL_EINVAL, "no closed-form profile for this mixture");
    cf_fail("mixture:1*{product:L=20,p=0.5}+1*{cw:L=21,J=1}", DLMKL_EINVAL, "no closed-form profile for this mixture");
    cf_fail("mixture:1*{product:L=20,p=0.5}+1*{cw:L=20,J=1,K=2}", DLMKL_EINVAL, "unknown key 'K'");
    cf_fail("mixture:1*{product:L=20,p=0.5}+", DLMKL_EINVAL, "trailing '+'");
    cf_fail("mixture:1*{product:L=1000000,p=0.5}+1*{product:L=1000000,p=0.1}", DLMKL_ECOST, "above the budget");
}
END_TEST

/* spec with every "@L" replaced by L and every "@V" by V */
static void fill_LV(char *out, size_t len, const char *fmt, int L, int V)
{
    size_t n = 0;
    for (const char *c = fmt; *c && n + 12 < len; c++) {
        if (c[0] == '@' && (c[1] == 'L' || c[1] == 'V')) {
            n += (size_t)snprintf(out + n, len - n, "%d", c[1] == 'L' ? L : V);
            c++;
        } else
            out[n++] = *c;
    }
    out[n] = '\0';
}

/* Mixtures of i.i.d. laws on [V]^L symmetric among the nonzero symbols (product:L=..,V=..,p=..),
 * V = 3, 4 (dlmkl_profile_symmetric_mixture): the closed form equals the dense enumerated profile of
 * the same spec (dlmkl_profile_compute on the built table) to 1e-12 relative at every m, L <= 8:
 * one component, p near 0 and 1, exact point masses (p = 0: all mass on the nonzero symbols), the
 * uniform law (p = 1/V), nested mixtures. */
START_TEST(test_symmetric_mixture_vs_enumeration)
{
    static const char *fmt[] = {
        "mixture:0.3*{product:L=@L,V=@V,p=0.2}+0.7*{product:L=@L,V=@V,p=0.9}",
        "mixture:1*{product:L=@L,V=@V,p=0.45}",
        "mixture:1*{product:L=@L,V=@V,p=1e-9}+2*{product:L=@L,V=@V,p=0.999999999}+0.5*{product:L=@L,V=@V,p=0.5}",
        "mixture:1*{product:L=@L,V=@V,p=0}+3*{product:L=@L,V=@V,p=1}+1*{product:L=@L,V=@V,p=0.3}",
        "mixture:0.4*{mixture:1*{product:L=@L,V=@V,p=0.1}+1*{product:L=@L,V=@V,p=0.6}}+0.6*{product:L=@L,V=@V,p=1e-6}",
        "mixture:1*{product:L=@L,V=@V,p=0.25}+1*{product:L=@L,V=@V,p=0.3333333333333333}+1*{product:L=@L,V=@V,p=0.02}",
    };
    static const int Vs[] = {3, 4};
    static const int Ls[] = {1, 2, 5, 8};
    char spec[512];
    for (size_t f = 0; f < sizeof fmt / sizeof fmt[0]; f++)
        for (size_t iv = 0; iv < sizeof Vs / sizeof Vs[0]; iv++)
            for (size_t i = 0; i < sizeof Ls / sizeof Ls[0]; i++) {
                const int L = Ls[i], V = Vs[iv];
                if (tu_fast() && V == 4 && L == 8)
                    continue; /* 4^8 entries, 2^8 subsets: slow under valgrind */
                fill_LV(spec, sizeof spec, fmt[f], L, V);
                dlmkl_profile *a = cf(spec);
                dlmkl_dist *d = tu_dist(spec);
                dlmkl_profile *b = dlmkl_profile_alloc(d->L);
                ck_assert_int_eq(dlmkl_profile_compute(d, b), DLMKL_OK);
                ck_assert_msg(a->L == L && b->L == L && a->V == V && d->V == V, "%s: L %d / %d, V %d / %d", spec, a->L,
                              b->L, a->V, d->V);
                for (int m = 0; m <= L; m++)
                    TU_CLOSE(a->h[m], b->h[m], 1e-12 * fmax(1.0, fabs(b->h[m])), "%s h(%d): closed form vs enumeration",
                             spec, m);
                dlmkl_profile_free(a), dlmkl_profile_free(b);
                dlmkl_dist_free(d);
            }
    /* the uniform law on [V]^L as a one-component mixture (p = 1/V, V = 4): h(m) = 2m bits */
    dlmkl_profile *a = cf("mixture:1*{product:L=3000,V=4,p=0.25}");
    for (int m = 0; m <= 3000; m++)
        TU_CLOSE(a->h[m], 2.0 * m, 1e-12 * fmax(1.0, 2.0 * m), "uniform on [4]^3000 h(%d)", m);
    dlmkl_profile_free(a);
    /* p = 0 and p = 1 with weights 1:3 at V = 5: X is 0...0 (3/4) or uniform on the nonzero
     * symbols (1/4): h(m) = h2(1/4) + m/4·log2 4 */
    a = cf("mixture:1*{product:L=1000,V=5,p=0}+3*{product:L=1000,V=5,p=1}");
    const double h2 = -0.25 * log2(0.25) - 0.75 * log2(0.75);
    for (int m = 1; m <= 1000; m += 37)
        TU_CLOSE(a->h[m], h2 + 0.5 * m, 1e-12 * (h2 + 0.5 * m), "point mass and uniform on 1..4, h(%d)", m);
    dlmkl_profile_free(a);
}
END_TEST

/* A one-component mixture is the product law itself: the mixture closed form (in logs, through the
 * classes of strings) against product's closed form m·H1 at L = 2000, to 1e-12 relative, for V = 2
 * (the binary route), 3, 5, 30, 1000 and p from 1e-7 to 1 − 1e-7. */
START_TEST(test_symmetric_mixture_one_component)
{
    static const int Vs[] = {2, 3, 5, 30, 1000};
    static const double ps[] = {0.3, 1e-7, 0.9999999, 0.0, 1.0, 0.5};
    char spec[160], prod[128];
    for (size_t iv = 0; iv < sizeof Vs / sizeof Vs[0]; iv++)
        for (size_t ip = 0; ip < sizeof ps / sizeof ps[0]; ip++) {
            const int L = tu_fast() ? 400 : 2000;
            snprintf(prod, sizeof prod, "product:L=%d,V=%d,p=%.17g", L, Vs[iv], ps[ip]);
            snprintf(spec, sizeof spec, "mixture:2*{%s}", prod);
            dlmkl_profile *a = cf(spec), *b = cf(prod);
            ck_assert_int_eq(a->V, Vs[iv]);
            for (int m = 0; m <= L; m++)
                TU_CLOSE(a->h[m], b->h[m], 1e-12 * fmax(1e-300, fabs(b->h[m])), "%s h(%d) vs %s", spec, m, prod);
            dlmkl_profile_free(a), dlmkl_profile_free(b);
        }
}
END_TEST

/* The mixture closed form names the component that has none and why. */
START_TEST(test_symmetric_mixture_rejects)
{
    cf_fail("mixture:1*{product:L=6,V=3,p=0.5}+1*{product:L=6,V=3,seed=2}", DLMKL_EINVAL,
            "component 2 ('product:L=6,V=3,seed=2') has random per-site marginals (seed=)");
    cf_fail("mixture:1*{product:L=6,V=3,p=0.5}+1*{product:L=6,V=3,seed=2}", DLMKL_EINVAL,
            "symmetric among the nonzero symbols");
    cf_fail("mixture:1*{product:L=6,V=3,p=0.5}+1*{cw:L=6,J=1}", DLMKL_EINVAL,
            "component 2 ('cw:L=6,J=1') is a law on [V]^L with L = 6, V = 2, but the components before it have L = 6, "
            "V = 3");
    cf_fail("mixture:1*{product:L=6,V=3,p=0.5}+1*{product:L=6,V=4,p=0.5}", DLMKL_EINVAL, "V = 4, but");
    cf_fail("mixture:1*{product:L=6,V=3,p=0.5}+1*{copy:L=6,V=3}", DLMKL_EINVAL,
            "component 2 ('copy:L=6,V=3') is neither product");
    cf_fail("mixture:1*{product:L=6,V=3,p=0.5}+1*{product:L=6,V=3,p=2}", DLMKL_EINVAL, "p = 2 is not a probability");
    cf_fail("mixture:1*{product:L=100000,V=3,p=0.5}", DLMKL_ECOST, "above the budget");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("closed_form");
    TCase *tc = tcase_create("closed_form");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_vs_enumeration);
    TU_ADD_SLOW_TEST(tc, test_large_L);
    tcase_add_test(tc, test_structured_large_L);
    tcase_add_test(tc, test_bad_specs);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_auto_route);
    tcase_add_test(tc, test_mixture_vs_enumeration);
    tcase_add_test(tc, test_mixture_large_L);
    tcase_add_test(tc, test_symmetric_mixture_vs_enumeration);
    tcase_add_test(tc, test_symmetric_mixture_one_component);
    tcase_add_test(tc, test_symmetric_mixture_rejects);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
