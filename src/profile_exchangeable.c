/* profile_exchangeable.c: entropy profiles of exchangeable binary laws from the law of the sum (see
 * profile_exchangeable.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/profile_exchangeable.h"

#define COUPLING_MAX 1e6

/* lf[k] = ln k!, k = 0..n, summed in long double (error ~ k·2^-64 relative). */
static long double *log_factorials(int n)
{
    long double *lf = malloc(((size_t)n + 1) * sizeof *lf);
    if (!lf)
        return NULL;
    lf[0] = 0.0L;
    for (int k = 1; k <= n; k++)
        lf[k] = lf[k - 1] + logl((long double)k);
    return lf;
}

static int check_L(int L, const char *what)
{
    if (L < 1 || L > DLMKL_EXCH_MAX_L)
        return dlmkl_error(DLMKL_EINVAL, "%s: L = %d is out of range (1..%d)", what, L, DLMKL_EXCH_MAX_L);
    return dlmkl_check_memory(((size_t)L + 1) * (2 * sizeof(double) + sizeof(long double)), what);
}

int dlmkl_profile_exchangeable(int L, const double *w, dlmkl_profile **out)
{
    *out = NULL;
    int st = check_L(L, "the exchangeable profile");
    if (st != DLMKL_OK)
        return st;
    /* O(L^2): about 6 ns per unit L^2/2 (measured at L = 20000), so 1e10 units is about a minute */
    const double cost = 0.5 * (double)L * (double)L;
    if (cost > 1e10)
        return dlmkl_error(DLMKL_ECOST, "the exchangeable profile of length %d needs %.3g work units (L^2 / 2), above "
                                        "the budget of 1e10 (about a minute)", L, cost);
    double sum = 0.0;
    for (int k = 0; k <= L; k++) {
        if (!(w[k] >= 0.0 && w[k] <= 1.0 + DLMKL_SUM_TOL))
            return dlmkl_error(DLMKL_EINVAL, "the law of the sum: w[%d] = %.17g is not a probability", k, w[k]);
        sum += w[k];
    }
    if (!(fabs(sum - 1.0) <= DLMKL_SUM_TOL))
        return dlmkl_error(DLMKL_EINVAL, "the law of the sum adds up to %.17g, not 1", sum);
    dlmkl_profile *prof = dlmkl_profile_alloc(L);
    double *cur = malloc(((size_t)L + 1) * sizeof *cur);
    long double *lf = log_factorials(L);
    if (!prof || !cur || !lf) {
        dlmkl_profile_free(prof), free(cur), free(lf);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for the exchangeable profile of length %d", L);
    }
    memcpy(cur, w, ((size_t)L + 1) * sizeof *cur);
    const long double ln2 = 0.693147180559945309417232121458176568L;
    for (int m = L; m >= 1; m--) {
        /* H(X_1..X_m) = Σ_j w_j (log2 C(m,j) − log2 w_j): the 2^m strings come in classes of
         * C(m,j) equally likely ones */
        double H = 0.0;
        for (int j = 0; j <= m; j++) {
            if (cur[j] > 0.0) {
                const double lc = (double)((lf[m] - lf[j] - lf[m - j]) / ln2);
                H += cur[j] * (lc - log2(cur[j]));
            }
        }
        prof->h[m] = H;
        /* sum out X_m: P(S_{m−1} = j) = P(S_m = j)·(m−j)/m + P(S_m = j+1)·(j+1)/m */
        for (int j = 0; j < m; j++)
            cur[j] = (cur[j] * (double)(m - j) + cur[j + 1] * (double)(j + 1)) / (double)m;
    }
    prof->h[0] = 0.0;
    free(cur), free(lf);
    *out = prof;
    return DLMKL_OK;
}

/* w_k = exp(lw_k − max) / Σ exp(lw_j − max): a law from unnormalised logarithms. */
static void normalise_logs(int L, double *w)
{
    double mx = -INFINITY;
    for (int k = 0; k <= L; k++)
        if (w[k] > mx)
            mx = w[k];
    double s = 0.0;
    for (int k = 0; k <= L; k++) {
        w[k] = exp(w[k] - mx);
        s += w[k];
    }
    for (int k = 0; k <= L; k++)
        w[k] /= s;
}

int dlmkl_exch_sum_law_cw(int L, double J, double h, double *w)
{
    int st = check_L(L, "the Curie-Weiss law of the sum");
    if (st != DLMKL_OK)
        return st;
    if (!(fabs(J) <= COUPLING_MAX) || !(fabs(h) <= COUPLING_MAX))
        return dlmkl_error(DLMKL_EINVAL, "Curie-Weiss: J = %g, h = %g; need finite |J|, |h| <= %g", J, h, COUPLING_MAX);
    long double *lf = log_factorials(L);
    if (!lf)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for the Curie-Weiss law of the sum");
    for (int k = 0; k <= L; k++) {
        const double M = (double)(2 * k - L);
        const double B = (M * M - (double)L) / 2.0 / (double)L;
        w[k] = (double)(lf[L] - lf[k] - lf[L - k]) + (J * B + h * M);
    }
    free(lf);
    normalise_logs(L, w);
    return DLMKL_OK;
}

int dlmkl_exch_sum_law_iid_mixture(int L, int ncomp, const double *weight, const double *theta, double *w)
{
    int st = check_L(L, "the i.i.d. mixture's law of the sum");
    if (st != DLMKL_OK)
        return st;
    if (ncomp < 1)
        return dlmkl_error(DLMKL_EINVAL, "an i.i.d. mixture needs at least one component (got %d)", ncomp);
    double ws = 0.0;
    for (int c = 0; c < ncomp; c++) {
        if (!(weight[c] >= 0.0 && weight[c] <= 1.0))
            return dlmkl_error(DLMKL_EINVAL, "i.i.d. mixture: weight %d = %g is not a probability", c + 1, weight[c]);
        if (!(theta[c] >= 0.0 && theta[c] <= 1.0))
            return dlmkl_error(DLMKL_EINVAL, "i.i.d. mixture: theta %d = %g is not a probability", c + 1, theta[c]);
        ws += weight[c];
    }
    if (!(fabs(ws - 1.0) <= DLMKL_SUM_TOL))
        return dlmkl_error(DLMKL_EINVAL, "i.i.d. mixture: the weights add up to %.17g, not 1", ws);
    long double *lf = log_factorials(L);
    if (!lf)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for the i.i.d. mixture's law of the sum");
    for (int k = 0; k <= L; k++)
        w[k] = 0.0;
    for (int c = 0; c < ncomp; c++) {
        const double t = theta[c];
        for (int k = 0; k <= L; k++) {
            double term;
            if (t == 0.0 || t == 1.0) /* a point mass at k = 0 or k = L (no 0·log 0) */
                term = (t == 0.0 ? k == 0 : k == L) ? 1.0 : 0.0;
            else
                term = exp((double)(lf[L] - lf[k] - lf[L - k]) + (double)k * log(t) + (double)(L - k) * log1p(-t));
            w[k] += weight[c] * term;
        }
    }
    free(lf);
    return DLMKL_OK;
}

int dlmkl_exch_log_string_cw(int L, double J, double h, double *la)
{
    int st = check_L(L, "the Curie-Weiss string probabilities");
    if (st != DLMKL_OK)
        return st;
    if (!(fabs(J) <= COUPLING_MAX) || !(fabs(h) <= COUPLING_MAX))
        return dlmkl_error(DLMKL_EINVAL, "Curie-Weiss: J = %g, h = %g; need finite |J|, |h| <= %g", J, h, COUPLING_MAX);
    long double *lf = log_factorials(L);
    if (!lf)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for the Curie-Weiss string probabilities");
    double mx = -INFINITY;
    for (int k = 0; k <= L; k++) {
        const double M = (double)(2 * k - L);
        la[k] = J * ((M * M - (double)L) / 2.0 / (double)L) + h * M;
        const double lw = (double)(lf[L] - lf[k] - lf[L - k]) + la[k];
        if (lw > mx)
            mx = lw;
    }
    double s = 0.0; /* ln Z = mx + ln Σ_k exp(ln C(L,k) + la_k − mx) */
    for (int k = 0; k <= L; k++)
        s += exp((double)(lf[L] - lf[k] - lf[L - k]) + la[k] - mx);
    const double lz = mx + log(s);
    for (int k = 0; k <= L; k++)
        la[k] -= lz;
    free(lf);
    return DLMKL_OK;
}

/* ln(e^x + e^y), exact at −inf */
static double log_add_exp(double x, double y)
{
    const double hi = x > y ? x : y, lo = x > y ? y : x;
    if (hi == -INFINITY)
        return -INFINITY;
    return hi + log1p(exp(lo - hi));
}

int dlmkl_profile_exchangeable_mixture(int L, int ncomp, const double *weight, const double *theta, double *const *la,
                                       dlmkl_profile **out)
{
    *out = NULL;
    int st = check_L(L, "the exchangeable mixture's profile");
    if (st != DLMKL_OK)
        return st;
    if (ncomp < 1)
        return dlmkl_error(DLMKL_EINVAL, "an exchangeable mixture needs at least one component (got %d)", ncomp);
    /* about 30 ns per unit (measured: L = 10^4, C = 3 in 4.5 s), so 2e9 units is about a minute */
    const double cost = 0.5 * (double)L * (double)L * (double)ncomp;
    if (cost > 2e9)
        return dlmkl_error(DLMKL_ECOST, "the exchangeable mixture's profile of length %d with %d components needs "
                                        "%.3g work units (L^2 C / 2), above the budget of 2e9 (about a minute)",
                           L, ncomp, cost);
    double ws = 0.0;
    for (int c = 0; c < ncomp; c++) {
        if (!(weight[c] >= 0.0 && weight[c] <= 1.0 + DLMKL_SUM_TOL))
            return dlmkl_error(DLMKL_EINVAL, "exchangeable mixture: weight %d = %.17g is not a probability", c + 1,
                               weight[c]);
        if ((!la || !la[c]) && !(theta[c] >= 0.0 && theta[c] <= 1.0))
            return dlmkl_error(DLMKL_EINVAL, "exchangeable mixture: theta %d = %.17g is not a probability", c + 1,
                               theta[c]);
        ws += weight[c];
    }
    if (!(fabs(ws - 1.0) <= DLMKL_SUM_TOL))
        return dlmkl_error(DLMKL_EINVAL, "exchangeable mixture: the weights add up to %.17g, not 1", ws);
    if ((st = dlmkl_check_memory((size_t)ncomp * 4 * sizeof(double), "the exchangeable mixture's components")))
        return st;
    dlmkl_profile *prof = dlmkl_profile_alloc(L);
    long double *lf = log_factorials(L);
    double *lw = malloc((size_t)ncomp * sizeof *lw), *l1 = malloc((size_t)ncomp * sizeof *l1),
           *l0 = malloc((size_t)ncomp * sizeof *l0), *v = malloc((size_t)ncomp * sizeof *v);
    if (!prof || !lf || !lw || !l1 || !l0 || !v) {
        dlmkl_profile_free(prof), free(lf), free(lw), free(l1), free(l0), free(v);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for the exchangeable mixture's profile of length %d", L);
    }
    for (int c = 0; c < ncomp; c++) {
        lw[c] = log(weight[c]);
        if (!la || !la[c])
            l1[c] = log(theta[c]), l0[c] = log1p(-theta[c]);
    }
    const long double ln2 = 0.693147180559945309417232121458176568L;
    for (int m = L; m >= 1; m--) {
        double H = 0.0; /* Σ_k C(m,k) a(m,k) (−ln a(m,k)), k ascending */
        for (int k = 0; k <= m; k++) {
            double mx = -INFINITY;
            for (int c = 0; c < ncomp; c++) {
                double a;
                if (la && la[c])
                    a = la[c][k];
                else /* ln θ^k (1−θ)^(m−k); no 0·(−inf) */
                    a = (k ? (double)k * l1[c] : 0.0) + (m - k ? (double)(m - k) * l0[c] : 0.0);
                v[c] = lw[c] + a;
                if (v[c] > mx)
                    mx = v[c];
            }
            if (mx == -INFINITY)
                continue;
            double s = 0.0; /* ln a(m,k) = mx + ln1p(Σ_{c ≠ argmax} exp(v_c − mx)) */
            int first = 1;
            for (int c = 0; c < ncomp; c++) {
                if (first && v[c] == mx)
                    first = 0;
                else
                    s += exp(v[c] - mx);
            }
            const double lak = mx + log1p(s);
            const double lc = (double)(lf[m] - lf[k] - lf[m - k]);
            H += exp(lc + lak) * -lak;
        }
        prof->h[m] = (double)((long double)H / ln2);
        /* sum out X_m of the tabulated components: a(m−1,k) = a(m,k) + a(m,k+1) */
        if (la)
            for (int c = 0; c < ncomp; c++)
                if (la[c])
                    for (int k = 0; k < m; k++)
                        la[c][k] = log_add_exp(la[c][k], la[c][k + 1]);
    }
    prof->h[0] = 0.0;
    free(lf), free(lw), free(l1), free(l0), free(v);
    *out = prof;
    return DLMKL_OK;
}
