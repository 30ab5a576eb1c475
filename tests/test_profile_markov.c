/* test_profile_markov.c: Markov-chain and Ising-chain profiles from pair marginals, against the
 * enumerated profile of the same law as a full table (L <= 12), and at large L against the
 * closed form of the binary symmetric chain and the exchangeable-free identity for products. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlmkl/profile_markov.h"
#include "testutil.h"

/* xorshift64*, the test's own generator */
static double urand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 0x2545F4914F6CDD1DULL) >> 11) * 0x1p-53;
}

/* a random law on V symbols; with `zeros`, some entries are exactly 0 */
static void random_law(uint64_t *s, int V, double *p, int zeros)
{
    double t = 0.0;
    for (int v = 0; v < V; v++) {
        double u = urand(s);
        p[v] = zeros && u < 0.25 ? 0.0 : -log(1e-300 + urand(s));
        t += p[v];
    }
    if (t == 0.0)
        p[0] = t = 1.0;
    for (int v = 0; v < V; v++)
        p[v] /= t;
}

/* The table p(x) = init(x_1) Π P_i(x_i, x_{i+1}) by its definition. */
static dlmkl_dist *chain_table(int L, int V, const double *init, const double *trans, int per_step)
{
    dlmkl_dist *d = dlmkl_dist_alloc(L, V);
    ck_assert_msg(d != NULL, "%s", dlmkl_last_error());
    int x[64] = {0};
    for (uint64_t idx = 0; idx < d->n; idx++) {
        uint64_t r = idx;
        for (int i = L - 1; i >= 0; i--)
            x[i] = (int)(r % (uint64_t)V), r /= (uint64_t)V;
        double p = init[x[0]];
        for (int i = 0; i + 1 < L; i++)
            p *= trans[((size_t)(per_step ? i : 0) * (size_t)V + (size_t)x[i]) * (size_t)V + (size_t)x[i + 1]];
        d->p[idx] = p;
    }
    return d;
}

START_TEST(test_chains_vs_enumeration)
{
    static const int cases[][3] = {{1, 2, 0}, {2, 2, 1}, {5, 2, 1}, {12, 2, 0}, {12, 2, 1}, {7, 3, 1},
                                   {8, 3, 0}, {6, 4, 1}, {5, 5, 0}, {4, 7, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int L = cases[c][0], V = cases[c][1], per = cases[c][2];
        for (int zeros = 0; zeros < 2; zeros++) {
            uint64_t seed = 1000 + 17 * c + (uint64_t)zeros, s = seed;
            const int nmat = per && L > 1 ? L - 1 : 1;
            double *init = malloc((size_t)V * sizeof *init), *P = malloc((size_t)nmat * V * V * sizeof *P);
            random_law(&s, V, init, zeros);
            for (int r = 0; r < nmat * V; r++)
                random_law(&s, V, P + (size_t)r * V, zeros);
            dlmkl_dist *d = chain_table(L, V, init, P, per);
            dlmkl_profile *ref = tu_profile(d), *prof;
            ck_assert_msg(dlmkl_profile_markov(L, V, init, P, per, &prof) == DLMKL_OK, "%s", dlmkl_last_error());
            for (int m = 0; m <= L; m++)
                TU_CLOSE(prof->h[m], ref->h[m], 1e-12, "chain L=%d V=%d per_step=%d zeros=%d seed=%llu m=%d", L, V,
                         per, zeros, (unsigned long long)seed, m);
            dlmkl_profile_free(prof), dlmkl_profile_free(ref), dlmkl_dist_free(d);
            free(init), free(P);
        }
    }
}
END_TEST

START_TEST(test_ising_vs_enumeration)
{
    static const double params[][2] = {{0.0, 0.0}, {0.8, 0.3}, {-0.6, 0.0}, {1.5, -0.7}, {30.0, 0.2}, {0.2, 40.0}};
    for (int L = 1; L <= 12; L += (L < 3 ? 1 : 3)) {
        for (size_t c = 0; c < sizeof params / sizeof params[0]; c++) {
            char spec[96];
            snprintf(spec, sizeof spec, "ising:L=%d,J=%g,h=%g", L, params[c][0], params[c][1]);
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_profile *ref = tu_profile(d), *prof;
            ck_assert_msg(dlmkl_profile_ising_chain(L, params[c][0], params[c][1], &prof) == DLMKL_OK, "%s",
                          dlmkl_last_error());
            for (int m = 0; m <= L; m++)
                TU_CLOSE(prof->h[m], ref->h[m], 1e-12, "%s m=%d", spec, m);
            dlmkl_profile_free(prof), dlmkl_profile_free(ref), dlmkl_dist_free(d);
        }
    }
}
END_TEST

START_TEST(test_large_L_symmetric_chain)
{
    /* binary symmetric chain, uniform start: the closed form of closed_form.c (a different route,
     * through the flip probabilities of gaps); and the Ising chain at h = 0, which is that chain
     * with stay = e^J / (e^J + e^-J) */
    const int L = 300;
    static const double stays[] = {0.9, 0.6, 0.99};
    for (size_t c = 0; c < sizeof stays / sizeof stays[0]; c++) {
        const double st = stays[c];
        const double init[2] = {0.5, 0.5}, P[4] = {st, 1 - st, 1 - st, st};
        char spec[96];
        snprintf(spec, sizeof spec, "markov:L=%d,stay=%.17g", L, st);
        dlmkl_profile *cf, *prof, *is;
        ck_assert_msg(dlmkl_profile_closed_form(spec, &cf) == DLMKL_OK, "%s", dlmkl_last_error());
        ck_assert_int_eq(dlmkl_profile_markov(L, 2, init, P, 0, &prof), DLMKL_OK);
        const double J = 0.5 * log(st / (1 - st));
        ck_assert_int_eq(dlmkl_profile_ising_chain(L, J, 0.0, &is), DLMKL_OK);
        for (int m = 0; m <= L; m++) {
            TU_CLOSE(prof->h[m], cf->h[m], 1e-11 * (1 + cf->h[m]), "%s m=%d", spec, m);
            TU_CLOSE(is->h[m], cf->h[m], 1e-11 * (1 + cf->h[m]), "ising J=%g (%s) m=%d", J, spec, m);
        }
        dlmkl_profile_free(cf), dlmkl_profile_free(prof), dlmkl_profile_free(is);
    }
    /* a chain whose rows are all the same law q is the i.i.d. product (after X_1 ~ init = q):
     * h(m) = m·H(q), for V = 5 at L = 200 */
    const int V = 5, L2 = 200;
    double q[5] = {0.1, 0.2, 0.3, 0.15, 0.25}, Hq = 0, P5[25];
    for (int v = 0; v < V; v++)
        Hq -= q[v] * log2(q[v]);
    for (int u = 0; u < V; u++)
        memcpy(P5 + u * V, q, sizeof q);
    dlmkl_profile *prod;
    ck_assert_int_eq(dlmkl_profile_markov(L2, V, q, P5, 0, &prod), DLMKL_OK);
    for (int m = 0; m <= L2; m++)
        TU_CLOSE(prod->h[m], m * Hq, 1e-12 * (1 + m), "iid rows V=5 m=%d", m);
    dlmkl_profile_free(prod);
}
END_TEST

START_TEST(test_bad_inputs)
{
    dlmkl_profile *prof = (dlmkl_profile *)1;
    const double init[2] = {0.5, 0.5}, P[4] = {0.9, 0.1, 0.3, 0.6}, Pn[4] = {0.9, 0.1, NAN, 0.5};
    ck_assert_int_eq(dlmkl_profile_markov(4, 2, init, P, 0, &prof), DLMKL_EINVAL);
    ck_assert_ptr_null(prof);
    ck_assert_msg(strstr(dlmkl_last_error(), "row of the transition matrices 2") != NULL, "%s", dlmkl_last_error());
    ck_assert_int_eq(dlmkl_profile_markov(4, 2, init, Pn, 0, &prof), DLMKL_EINVAL);
    const double bad_init[2] = {0.5, 0.4}, okP[4] = {0.9, 0.1, 0.3, 0.7};
    ck_assert_int_eq(dlmkl_profile_markov(4, 2, bad_init, okP, 0, &prof), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_markov(0, 2, init, okP, 0, &prof), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_markov(4, 1, init, okP, 0, &prof), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_markov(100000, 2, init, okP, 0, &prof), DLMKL_ECOST);
    ck_assert_int_eq(dlmkl_profile_ising_chain(4, NAN, 0.0, &prof), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_ising_chain(4, 0.0, -3e6, &prof), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_ising_chain(0, 0.0, 0.0, &prof), DLMKL_EINVAL);
}
END_TEST

START_TEST(test_speed_report)
{
    /* timings for the notes; no assertion on time */
    static const int Ls[] = {20, 100, 500};
    static const int Vs[] = {2, 4};
    for (size_t i = 0; i < sizeof Ls / sizeof Ls[0]; i++)
        for (size_t k = 0; k < sizeof Vs / sizeof Vs[0]; k++) {
            const int L = Ls[i], V = Vs[k];
            uint64_t s = 5;
            double *init = malloc(V * sizeof *init), *P = malloc((size_t)(L - 1) * V * V * sizeof *P);
            random_law(&s, V, init, 0);
            for (int r = 0; r < (L - 1) * V; r++)
                random_law(&s, V, P + (size_t)r * V, 0);
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            dlmkl_profile *prof;
            ck_assert_int_eq(dlmkl_profile_markov(L, V, init, P, 1, &prof), DLMKL_OK);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            printf("markov per-step L=%d V=%d: %.6f s, H = %.6f bits\n", L, V,
                   (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), prof->h[L]);
            dlmkl_profile_free(prof);
            free(init), free(P);
        }
    for (size_t i = 0; i < sizeof Ls / sizeof Ls[0]; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        dlmkl_profile *prof;
        ck_assert_int_eq(dlmkl_profile_ising_chain(Ls[i], 0.7, 0.3, &prof), DLMKL_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("ising chain L=%d J=0.7 h=0.3: %.6f s, H = %.6f bits\n", Ls[i],
               (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), prof->h[Ls[i]]);
        dlmkl_profile_free(prof);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("profile_markov");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_chains_vs_enumeration);
    tcase_add_test(tc, test_ising_vs_enumeration);
    tcase_add_test(tc, test_large_L_symmetric_chain);
    tcase_add_test(tc, test_bad_inputs);
    tcase_add_test(tc, test_speed_report);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
