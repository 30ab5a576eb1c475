/* test_profile_exchangeable.c: profiles of exchangeable binary laws from the law of the sum, against
 * the enumerated profile of the same law as a full table (L <= 12), and at large L against an
 * independent route (hypergeometric marginals of the sum in long double) and known closed forms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlmkl/profile_exchangeable.h"
#include "testutil.h"

/* The table of the exchangeable law with sum law w: p(x) = w_k / C(L,k), k = popcount. */
static dlmkl_dist *table_from_sum_law(int L, const double *w)
{
    dlmkl_dist *d = dlmkl_dist_alloc(L, 2);
    ck_assert_msg(d != NULL, "%s", dlmkl_last_error());
    for (uint64_t idx = 0; idx < d->n; idx++) {
        int k = __builtin_popcountll(idx);
        double c = 1.0;
        for (int i = 0; i < k; i++)
            c = c * (double)(L - i) / (double)(i + 1);
        d->p[idx] = w[k] / c;
    }
    return d;
}

START_TEST(test_cw_vs_enumeration)
{
    static const double params[][2] = {{0.0, 0.0}, {0.7, 0.2}, {1.5, 0.0}, {-0.8, 0.4}, {3.0, -1.0}};
    for (int L = 1; L <= 12; L += (L < 4 ? 1 : 4)) {
        for (size_t c = 0; c < sizeof params / sizeof params[0]; c++) {
            char spec[96];
            snprintf(spec, sizeof spec, "cw:L=%d,J=%g,h=%g", L, params[c][0], params[c][1]);
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_profile *ref = tu_profile(d), *prof;
            double w[64];
            ck_assert_int_eq(dlmkl_exch_sum_law_cw(L, params[c][0], params[c][1], w), DLMKL_OK);
            ck_assert_int_eq(dlmkl_profile_exchangeable(L, w, &prof), DLMKL_OK);
            for (int m = 0; m <= L; m++)
                TU_CLOSE(prof->h[m], ref->h[m], 1e-12, "%s m=%d", spec, m);
            dlmkl_profile_free(prof), dlmkl_profile_free(ref), dlmkl_dist_free(d);
        }
    }
}
END_TEST

START_TEST(test_iid_mixture_vs_enumeration)
{
    static const double theta[] = {0.1, 0.55, 0.9, 0.0, 1.0};
    static const double weight[] = {0.3, 0.2, 0.25, 0.15, 0.1};
    for (int L = 1; L <= 12; L++) {
        for (int nc = 1; nc <= 5; nc += 2) {
            double wt[5], s = 0.0;
            for (int c = 0; c < nc; c++)
                s += weight[c];
            for (int c = 0; c < nc; c++)
                wt[c] = weight[c] / s;
            double w[64];
            ck_assert_int_eq(dlmkl_exch_sum_law_iid_mixture(L, nc, wt, theta, w), DLMKL_OK);
            dlmkl_dist *d = table_from_sum_law(L, w);
            /* the table of the mixture by its definition, Σ_c π_c θ^k (1−θ)^(L−k), to check w too */
            for (uint64_t idx = 0; idx < d->n; idx++) {
                int k = __builtin_popcountll(idx);
                double p = 0.0;
                for (int c = 0; c < nc; c++)
                    p += wt[c] * pow(theta[c], k) * pow(1.0 - theta[c], L - k);
                TU_CLOSE(d->p[idx], p, 1e-14, "mixture L=%d components=%d idx=%llu", L, nc, (unsigned long long)idx);
            }
            dlmkl_profile *ref = tu_profile(d), *prof;
            ck_assert_int_eq(dlmkl_profile_exchangeable(L, w, &prof), DLMKL_OK);
            for (int m = 0; m <= L; m++)
                TU_CLOSE(prof->h[m], ref->h[m], 1e-12, "mixture L=%d components=%d m=%d", L, nc, m);
            dlmkl_profile_free(prof), dlmkl_profile_free(ref), dlmkl_dist_free(d);
        }
    }
}
END_TEST

/* h(m) by the direct route: the law of the sum of m coordinates is the mixture over k of
 * hypergeometric laws, P(S_m = j) = Σ_k w_k C(k,j) C(L−k, m−j) / C(L,m), and
 * h(m) = Σ_j P(S_m = j)(log2 C(m,j) − log2 P(S_m = j)); all in long double with lgammal. */
static long double lchoose(int n, int k) { return lgammal(n + 1.0L) - lgammal(k + 1.0L) - lgammal(n - k + 1.0L); }

static double direct_h(int L, const double *w, int m)
{
    long double H = 0.0L;
    for (int j = 0; j <= m; j++) {
        long double q = 0.0L;
        for (int k = j; k <= L - (m - j); k++)
            if (w[k] > 0.0)
                q += (long double)w[k] * expl(lchoose(k, j) + lchoose(L - k, m - j) - lchoose(L, m));
        if (q > 0.0L)
            H += q * (lchoose(m, j) - logl(q)) / logl(2.0L);
    }
    return (double)H;
}

START_TEST(test_large_L_vs_direct_route)
{
    const int L = 240;
    double *w = malloc((L + 1) * sizeof *w);
    static const double cw[][2] = {{1.2, 0.05}, {0.5, 0.0}, {2.0, 0.0}};
    for (size_t c = 0; c < 3; c++) {
        ck_assert_int_eq(dlmkl_exch_sum_law_cw(L, cw[c][0], cw[c][1], w), DLMKL_OK);
        dlmkl_profile *prof;
        ck_assert_int_eq(dlmkl_profile_exchangeable(L, w, &prof), DLMKL_OK);
        static const int ms[] = {1, 2, 3, 17, 60, 120, 200, 239, 240};
        for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
            TU_CLOSE(prof->h[ms[i]], direct_h(L, w, ms[i]), 1e-12 * (1.0 + prof->h[ms[i]]), "cw L=%d J=%g h=%g m=%d", L,
                     cw[c][0], cw[c][1], ms[i]);
        dlmkl_profile_free(prof);
    }
    /* i.i.d. product: h(m) = m·h2(θ) exactly */
    const double th = 0.3, h2 = -(th * log2(th) + (1 - th) * log2(1 - th)), one = 1.0;
    ck_assert_int_eq(dlmkl_exch_sum_law_iid_mixture(L, 1, &one, &th, w), DLMKL_OK);
    dlmkl_profile *prof;
    ck_assert_int_eq(dlmkl_profile_exchangeable(L, w, &prof), DLMKL_OK);
    for (int m = 0; m <= L; m++)
        TU_CLOSE(prof->h[m], m * h2, 1e-12 * (1.0 + m), "product L=%d theta=%g m=%d", L, th, m);
    dlmkl_profile_free(prof);
    /* two-point mixture of the constant strings = copy: h(m) = 1 bit for every m >= 1 */
    const double wt[2] = {0.5, 0.5}, tt[2] = {0.0, 1.0};
    ck_assert_int_eq(dlmkl_exch_sum_law_iid_mixture(L, 2, wt, tt, w), DLMKL_OK);
    ck_assert_int_eq(dlmkl_profile_exchangeable(L, w, &prof), DLMKL_OK);
    for (int m = 1; m <= L; m++)
        TU_CLOSE(prof->h[m], 1.0, 1e-12, "copy as a mixture, m=%d", m);
    dlmkl_profile_free(prof);
    free(w);
}
END_TEST

START_TEST(test_bad_inputs)
{
    dlmkl_profile *prof = (dlmkl_profile *)1;
    double w[4] = {0.5, 0.6, -0.1, 0.0};
    ck_assert_int_eq(dlmkl_profile_exchangeable(3, w, &prof), DLMKL_EINVAL);
    ck_assert_ptr_null(prof);
    ck_assert_msg(strstr(dlmkl_last_error(), "w[2]") != NULL, "%s", dlmkl_last_error());
    double w2[3] = {0.5, 0.6, 0.0};
    ck_assert_int_eq(dlmkl_profile_exchangeable(2, w2, &prof), DLMKL_EINVAL);
    double w3[3] = {0.5, NAN, 0.5};
    ck_assert_int_eq(dlmkl_profile_exchangeable(2, w3, &prof), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_exchangeable(0, w3, &prof), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_exch_sum_law_cw(4, INFINITY, 0, w), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_exch_sum_law_cw(4, 0, 2e6, w), DLMKL_EINVAL);
    const double bad_w[2] = {0.5, 0.4}, th[2] = {0.1, 0.2}, bad_th[2] = {0.1, 1.5};
    ck_assert_int_eq(dlmkl_exch_sum_law_iid_mixture(3, 2, bad_w, th, w), DLMKL_EINVAL);
    const double ok_w[2] = {0.5, 0.5};
    ck_assert_int_eq(dlmkl_exch_sum_law_iid_mixture(3, 2, ok_w, bad_th, w), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_exch_sum_law_iid_mixture(3, 0, ok_w, th, w), DLMKL_EINVAL);
}
END_TEST

/* dlmkl_profile_exchangeable_mixture (string probabilities in logs) against the linear-domain route:
 * the mixture's law of the sum (i.i.d. components, and cw's sum law mixed in) through
 * dlmkl_profile_exchangeable, at L = 400; then its bad inputs. */
START_TEST(test_log_mixture_vs_sum_law_route)
{
    const int L = 400;
    const double wt[3] = {0.25, 0.35, 0.4}, th[3] = {0.15, 0.6, 0.0};
    double *w = malloc((L + 1) * sizeof *w), *wc = malloc((L + 1) * sizeof *wc), *la = malloc((L + 1) * sizeof *la);
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(wc);
    ck_assert_ptr_nonnull(la);
    /* i.i.d. only: three components (one a point mass at k = 0) */
    dlmkl_profile *a, *b;
    ck_assert_int_eq(dlmkl_exch_sum_law_iid_mixture(L, 3, wt, th, w), DLMKL_OK);
    ck_assert_int_eq(dlmkl_profile_exchangeable(L, w, &b), DLMKL_OK);
    ck_assert_int_eq(dlmkl_profile_exchangeable_mixture(L, 3, wt, th, NULL, &a), DLMKL_OK);
    for (int m = 0; m <= L; m++)
        TU_CLOSE(a->h[m], b->h[m], 1e-11 * (1 + b->h[m]), "i.i.d. mixture h(%d): log route vs sum law", m);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    /* 0.6 of the first two (renormalised) and 0.4 Curie-Weiss: sum laws mixed linearly */
    const double w2[2] = {0.25 / 0.6, 0.35 / 0.6}, w3[3] = {0.25, 0.35, 0.4};
    ck_assert_int_eq(dlmkl_exch_sum_law_iid_mixture(L, 2, w2, th, w), DLMKL_OK);
    ck_assert_int_eq(dlmkl_exch_sum_law_cw(L, 1.4, -0.1, wc), DLMKL_OK);
    for (int k = 0; k <= L; k++)
        w[k] = 0.6 * w[k] + 0.4 * wc[k];
    ck_assert_int_eq(dlmkl_profile_exchangeable(L, w, &b), DLMKL_OK);
    ck_assert_int_eq(dlmkl_exch_log_string_cw(L, 1.4, -0.1, la), DLMKL_OK);
    double *tab[3] = {NULL, NULL, la};
    ck_assert_int_eq(dlmkl_profile_exchangeable_mixture(L, 3, w3, th, tab, &a), DLMKL_OK);
    for (int m = 0; m <= L; m++)
        TU_CLOSE(a->h[m], b->h[m], 1e-11 * (1 + b->h[m]), "i.i.d. + cw mixture h(%d): log route vs sum law", m);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    /* bad inputs: *out stays NULL */
    const double bad_w[2] = {0.5, 0.6}, ok_w[2] = {0.5, 0.5}, bad_th[2] = {0.5, -0.1};
    a = (dlmkl_profile *)1;
    ck_assert_int_eq(dlmkl_profile_exchangeable_mixture(5, 2, bad_w, th, NULL, &a), DLMKL_EINVAL);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(dlmkl_profile_exchangeable_mixture(5, 2, ok_w, bad_th, NULL, &a), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_exchangeable_mixture(5, 0, ok_w, th, NULL, &a), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_exchangeable_mixture(0, 2, ok_w, th, NULL, &a), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_exchangeable_mixture(100000, 2, ok_w, th, NULL, &a), DLMKL_ECOST);
    ck_assert_int_eq(dlmkl_exch_log_string_cw(5, 2e6, 0, la), DLMKL_EINVAL);
    free(w), free(wc), free(la);
}
END_TEST

/* dlmkl_profile_symmetric_mixture: at V = 2 the binary mixture (theta = 1 − p, cw tables reindexed
 * from ones to zeros) at L = 400 to 1e-12 relative; at V = 3 the brute-force sum over the classes in
 * the linear domain (L = 60: no underflow there) to 1e-12 relative; then its bad inputs. */
START_TEST(test_symmetric_mixture)
{
    const int L = 400;
    const double wt[3] = {0.25, 0.35, 0.4}, p0[3] = {0.85, 0.4, 0.5}, th[3] = {0.15, 0.6, 0.5};
    double *la = malloc((L + 1) * sizeof *la), *lz = malloc((L + 1) * sizeof *lz);
    ck_assert_ptr_nonnull(la);
    ck_assert_ptr_nonnull(lz);
    ck_assert_int_eq(dlmkl_exch_log_string_cw(L, 1.4, -0.1, la), DLMKL_OK);
    for (int k = 0; k <= L; k++)
        lz[k] = la[L - k];
    double *t1[3] = {NULL, NULL, la}, *t0[3] = {NULL, NULL, lz};
    dlmkl_profile *a, *b;
    ck_assert_int_eq(dlmkl_profile_exchangeable_mixture(L, 3, wt, th, t1, &b), DLMKL_OK);
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(L, 2, 3, wt, p0, t0, &a), DLMKL_OK);
    for (int m = 0; m <= L; m++)
        TU_CLOSE(a->h[m], b->h[m], 1e-12 * fmax(1.0, b->h[m]), "V = 2 symmetric vs binary mixture h(%d)", m);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    /* V = 3, L = 60: h(m) = −Σ_k C(m,k) 2^(m−k) a log2 a with a(m,k) = Σ_c w_c p^k ((1−p)/2)^(m−k) in long
     * double, binomials by the multiplicative recurrence */
    const int L3 = 60;
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(L3, 3, 3, wt, p0, NULL, &a), DLMKL_OK);
    for (int m = 0; m <= L3; m++) {
        long double H = 0.0L, cmk = 1.0L; /* C(m,k) */
        for (int k = 0; k <= m; k++) {
            long double am = 0.0L;
            for (int c = 0; c < 3; c++)
                am += (long double)wt[c] * powl(p0[c], k) * powl((1.0L - p0[c]) / 2.0L, m - k);
            if (am > 0.0L)
                H -= cmk * powl(2.0L, m - k) * am * log2l(am);
            cmk = cmk * (long double)(m - k) / (long double)(k + 1);
        }
        TU_CLOSE(a->h[m], (double)H, 1e-12 * fmax(1.0, (double)H), "V = 3 L = %d h(%d) vs the linear sum", L3, m);
    }
    dlmkl_profile_free(a);
    /* bad inputs: *out stays NULL */
    const double bad_w[2] = {0.5, 0.6}, ok_w[2] = {0.5, 0.5}, bad_p[2] = {0.5, 1.5}, ok_p[2] = {0.1, 0.9};
    double *tab[2] = {NULL, la};
    a = (dlmkl_profile *)1;
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(5, 3, 2, bad_w, ok_p, NULL, &a), DLMKL_EINVAL);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(5, 3, 2, ok_w, bad_p, NULL, &a), DLMKL_EINVAL);
    ck_assert_msg(strstr(dlmkl_last_error(), "p 2 = 1.5") != NULL, "%s", dlmkl_last_error());
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(5, 1, 2, ok_w, ok_p, NULL, &a), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(5, 3, 2, ok_w, ok_p, tab, &a), DLMKL_EINVAL);
    ck_assert_msg(strstr(dlmkl_last_error(), "needs V = 2") != NULL, "%s", dlmkl_last_error());
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(5, 3, 0, ok_w, ok_p, NULL, &a), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(0, 3, 2, ok_w, ok_p, NULL, &a), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_symmetric_mixture(100000, 3, 2, ok_w, ok_p, NULL, &a), DLMKL_ECOST);
    ck_assert_ptr_null(a);
    free(la), free(lz);
}
END_TEST

START_TEST(test_speed_report)
{
    /* timings for the notes; no assertion on time */
    static const int Ls[] = {20, 100, 500, 5000};
    for (size_t i = 0; i < sizeof Ls / sizeof Ls[0]; i++) {
        const int L = Ls[i];
        double *w = malloc((L + 1) * sizeof *w);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        dlmkl_profile *prof;
        ck_assert_int_eq(dlmkl_exch_sum_law_cw(L, 1.1, 0.0, w), DLMKL_OK);
        ck_assert_int_eq(dlmkl_profile_exchangeable(L, w, &prof), DLMKL_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("exchangeable cw:L=%d,J=1.1: %.6f s, H = %.6f bits\n", L,
               (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), prof->h[L]);
        dlmkl_profile_free(prof);
        free(w);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("profile_exchangeable");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_cw_vs_enumeration);
    tcase_add_test(tc, test_iid_mixture_vs_enumeration);
    tcase_add_test(tc, test_large_L_vs_direct_route);
    tcase_add_test(tc, test_bad_inputs);
    tcase_add_test(tc, test_log_mixture_vs_sum_law_route);
    tcase_add_test(tc, test_symmetric_mixture);
    tcase_add_test(tc, test_speed_report);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
