/* profile_exchangeable.c: entropy profiles of exchangeable laws from the law of the sum or from
 * string probabilities (see profile_exchangeable.h). Binomial coefficients come from ln k! in
 * double-double (lnfact.h): no long double, so the bits do not depend on its width. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/profile_exchangeable.h"
#include "lnfact.h"

#define COUPLING_MAX 1e6

static int check_L(int L, const char *what)
{
    if (L < 1 || L > DLMKL_EXCH_MAX_L)
        return dlmkl_error(DLMKL_EINVAL, "%s: L = %d is out of range (1..%d)", what, L, DLMKL_EXCH_MAX_L);
    return dlmkl_check_memory(((size_t)L + 1) * (2 * sizeof(double) + sizeof(lnfact_dd)), what);
}

int dlmkl_profile_exchangeable(int L, const double *w, dlmkl_profile **out)
{
    *out = NULL;
    int st = check_L(L, "the exchangeable profile");
    if (st != DLMKL_OK)
        return st;
    /* O(L^2): per unit L^2/2 about 10 ns at L = 2·10^4, 17 ns at L = 1.4·10^5 (measured with cw, J = 1:
     * 1.9 s, 164 s), so 1e10 units is about 3 minutes */
    const double cost = 0.5 * (double)L * (double)L;
    if (cost > 1e10)
        return dlmkl_error(DLMKL_ECOST, "the exchangeable profile of length %d needs %.3g work units (L^2 / 2), above "
                                        "the budget of 1e10 (about 3 minutes); use a smaller L", L, cost);
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
    lnfact_dd *lf = lnfact_table(L);
    if (!prof || !cur || !lf) {
        dlmkl_profile_free(prof), free(cur), free(lf);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for the exchangeable profile of length %d", L);
    }
    memcpy(cur, w, ((size_t)L + 1) * sizeof *cur);
    for (int m = L; m >= 1; m--) {
        /* H(X_1..X_m) = Σ_j w_j (log2 C(m,j) − log2 w_j): the 2^m strings come in classes of
         * C(m,j) equally likely ones */
        double H = 0.0;
        for (int j = 0; j <= m; j++) {
            if (cur[j] > 0.0) {
                const double lc = lnfact_choose(lf, m, j) / M_LN2;
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

/* The checks shared by the Curie-Weiss routes (L in range, memory, finite couplings of at most
 * COUPLING_MAX), then the table of ln k!, k = 0..L (*lf, the caller frees it). */
static int cw_setup(int L, double J, double h, const char *what, lnfact_dd **lf)
{
    *lf = NULL;
    int st = check_L(L, what);
    if (st != DLMKL_OK)
        return st;
    if (!(fabs(J) <= COUPLING_MAX) || !(fabs(h) <= COUPLING_MAX))
        return dlmkl_error(DLMKL_EINVAL, "Curie-Weiss: J = %g, h = %g; need finite |J|, |h| <= %g", J, h, COUPLING_MAX);
    if (!(*lf = lnfact_table(L)))
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for %s", what);
    return DLMKL_OK;
}

/* The Curie-Weiss exponent of a string with k ones: M = 2k − L, J·(M² − L)/(2L) + h·M. */
static double cw_energy(int L, int k, double J, double h)
{
    const double M = (double)(2 * k - L);
    return J * ((M * M - (double)L) / 2.0 / (double)L) + h * M;
}

int dlmkl_exch_sum_law_cw(int L, double J, double h, double *w)
{
    lnfact_dd *lf;
    int st = cw_setup(L, J, h, "the Curie-Weiss law of the sum", &lf);
    if (st != DLMKL_OK)
        return st;
    for (int k = 0; k <= L; k++) {
        w[k] = lnfact_choose(lf, L, k) + cw_energy(L, k, J, h);
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
    lnfact_dd *lf = lnfact_table(L);
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
                term = exp(lnfact_choose(lf, L, k) + (double)k * log(t) + (double)(L - k) * log1p(-t));
            w[k] += weight[c] * term;
        }
    }
    free(lf);
    return DLMKL_OK;
}

int dlmkl_exch_log_string_cw(int L, double J, double h, double *la)
{
    lnfact_dd *lf;
    int st = cw_setup(L, J, h, "the Curie-Weiss string probabilities", &lf);
    if (st != DLMKL_OK)
        return st;
    double mx = -INFINITY;
    for (int k = 0; k <= L; k++) {
        la[k] = cw_energy(L, k, J, h);
        const double lw = lnfact_choose(lf, L, k) + la[k];
        if (lw > mx)
            mx = lw;
    }
    double s = 0.0; /* ln Z = mx + ln Σ_k exp(ln C(L,k) + la_k − mx) */
    for (int k = 0; k <= L; k++)
        s += exp(lnfact_choose(lf, L, k) + la[k] - mx);
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

/* One component of the mixture kernel: ln weight, and for an i.i.d. component the logarithms of
 * the probabilities of the marked symbol (l1) and of all the others together (l0). */
typedef struct {
    double lw, l1, l0;
} mix_comp;

/* The checks shared by the two mixture profiles: L, ncomp >= 1, the cost budget, the weights (each
 * a probability, summing to 1), the memory of the components. */
static int mixture_checks(int L, int ncomp, const double *weight, const char *what)
{
    int st = check_L(L, what);
    if (st != DLMKL_OK)
        return st;
    if (ncomp < 1)
        return dlmkl_error(DLMKL_EINVAL, "%s needs at least one component (got %d)", what, ncomp);
    /* 7.6 ns per unit for V = 3 products (measured: L = 36000, C = 3 in 14.7 s), 11 ns with a cw component
     * (L = 20000, C = 3 in 6.7 s), so 2e9 units is under half a minute */
    const double cost = 0.5 * (double)L * (double)L * (double)ncomp;
    if (cost > 2e9)
        return dlmkl_error(DLMKL_ECOST, "%s of length %d with %d component%s needs %.3g work units (L^2 C / 2), above "
                                        "the budget of 2e9 (under half a minute); use a smaller L or fewer components (one product "
                                        "component alone has its own closed form, product:..., O(L))",
                           what, L, ncomp, ncomp == 1 ? "" : "s", cost);
    double ws = 0.0;
    for (int c = 0; c < ncomp; c++) {
        if (!(weight[c] >= 0.0 && weight[c] <= 1.0 + DLMKL_SUM_TOL))
            return dlmkl_error(DLMKL_EINVAL, "%s: weight %d = %.17g is not a probability", what, c + 1, weight[c]);
        ws += weight[c];
    }
    if (!(fabs(ws - 1.0) <= DLMKL_SUM_TOL))
        return dlmkl_error(DLMKL_EINVAL, "%s: the weights add up to %.17g, not 1", what, ws);
    return dlmkl_check_memory((size_t)ncomp * (sizeof(mix_comp) + sizeof(double)), what);
}

/* The mixture profile from string probabilities. The strings of length m with k marked symbols
 * form a class of C(m,k)·(V−1)^(m−k) equally likely strings (lv1 = ln(V−1)); under component c
 * the class has probability C(m,k)·b_c(m,k), b_c(m,k) = exp(k·l1 + (m−k)·l0) for an i.i.d.
 * component (l0 = ln P(all V−1 unmarked symbols)), exp(la[c][k]) for a tabulated binary one (la[c]
 * overwritten by its marginals, la[c][k] = ln b_c(m,k)); one string has a(m,k) = b(m,k)/(V−1)^(m−k).
 * Fills prof->h[0..L]; DLMKL_ENOMEM only. */
static int mixture_kernel(int L, int ncomp, const mix_comp *comp, double lv1, double *const *la, dlmkl_profile *prof,
                          const char *what)
{
    lnfact_dd *lf = lnfact_table(L);
    double *v = malloc((size_t)ncomp * sizeof *v);
    if (!lf || !v) {
        free(lf), free(v);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for %s of length %d", what, L);
    }
    for (int m = L; m >= 1; m--) {
        double H = 0.0; /* Σ_k C(m,k) (V−1)^(m−k) a(m,k) (−ln a(m,k)), k ascending */
        for (int k = 0; k <= m; k++) {
            double mx = -INFINITY;
            for (int c = 0; c < ncomp; c++) {
                double a;
                if (la && la[c])
                    a = la[c][k];
                else /* k·l1 + (m−k)·l0; no 0·(−inf) */
                    a = (k ? (double)k * comp[c].l1 : 0.0) + (m - k ? (double)(m - k) * comp[c].l0 : 0.0);
                v[c] = comp[c].lw + a;
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
            /* lb = ln Σ_c w_c b_c(m,k) and a(m,k) = b(m,k)/(V−1)^(m−k): the class has probability
             * C(m,k)·e^lb, and −ln a(m,k) = (m−k)·ln(V−1) − lb (no cancellation in the exponent) */
            const double lb = mx + log1p(s);
            const double nla = (lv1 != 0.0 && m > k ? (double)(m - k) * lv1 : 0.0) - lb;
            H += exp(lnfact_choose(lf, m, k) + lb) * nla;
        }
        prof->h[m] = H / M_LN2;
        /* sum out X_m of the tabulated components: a(m−1,k) = a(m,k) + a(m,k+1) */
        if (la)
            for (int c = 0; c < ncomp; c++)
                if (la[c])
                    for (int k = 0; k < m; k++)
                        la[c][k] = log_add_exp(la[c][k], la[c][k + 1]);
    }
    prof->h[0] = 0.0;
    free(lf), free(v);
    return DLMKL_OK;
}

int dlmkl_profile_exchangeable_mixture(int L, int ncomp, const double *weight, const double *theta, double *const *la,
                                       dlmkl_profile **out)
{
    static const char what[] = "the exchangeable mixture's profile";
    *out = NULL;
    int st = mixture_checks(L, ncomp, weight, what);
    if (st != DLMKL_OK)
        return st;
    for (int c = 0; c < ncomp; c++)
        if ((!la || !la[c]) && !(theta[c] >= 0.0 && theta[c] <= 1.0))
            return dlmkl_error(DLMKL_EINVAL, "exchangeable mixture: theta %d = %.17g is not a probability", c + 1,
                               theta[c]);
    dlmkl_profile *prof = dlmkl_profile_alloc(L);
    mix_comp *comp = malloc((size_t)ncomp * sizeof *comp);
    if (!prof || !comp) {
        dlmkl_profile_free(prof), free(comp);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for %s of length %d", what, L);
    }
    for (int c = 0; c < ncomp; c++) { /* the marked symbol is 1 */
        comp[c].lw = log(weight[c]);
        comp[c].l1 = comp[c].l0 = 0.0;
        if (!la || !la[c])
            comp[c].l1 = log(theta[c]), comp[c].l0 = log1p(-theta[c]);
    }
    st = mixture_kernel(L, ncomp, comp, 0.0, la, prof, what);
    free(comp);
    if (st != DLMKL_OK)
        dlmkl_profile_free(prof);
    else
        *out = prof;
    return st;
}

int dlmkl_profile_symmetric_mixture(int L, int V, int ncomp, const double *weight, const double *p0, double *const *la,
                                    dlmkl_profile **out)
{
    static const char what[] = "the symmetric i.i.d. mixture's profile";
    *out = NULL;
    int st = mixture_checks(L, ncomp, weight, what);
    if (st != DLMKL_OK)
        return st;
    if (V < 2)
        return dlmkl_error(DLMKL_EINVAL, "%s: V = %d is out of range; need V >= 2", what, V);
    for (int c = 0; c < ncomp; c++) {
        if (la && la[c] && V != 2)
            return dlmkl_error(DLMKL_EINVAL, "%s: component %d is tabulated (la), which needs V = 2 (got V = %d)", what,
                               c + 1, V);
        if ((!la || !la[c]) && !(p0[c] >= 0.0 && p0[c] <= 1.0))
            return dlmkl_error(DLMKL_EINVAL, "%s: p %d = %.17g is not a probability", what, c + 1, p0[c]);
    }
    dlmkl_profile *prof = dlmkl_profile_alloc(L);
    mix_comp *comp = malloc((size_t)ncomp * sizeof *comp);
    if (!prof || !comp) {
        dlmkl_profile_free(prof), free(comp);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for %s of length %d", what, L);
    }
    const double lv1 = log((double)V - 1.0);
    for (int c = 0; c < ncomp; c++) { /* the marked symbol is 0: ln p; any of the others: ln(1 − p) */
        comp[c].lw = log(weight[c]);
        comp[c].l1 = comp[c].l0 = 0.0;
        if (!la || !la[c])
            comp[c].l1 = log(p0[c]), comp[c].l0 = log1p(-p0[c]);
    }
    st = mixture_kernel(L, ncomp, comp, lv1, la, prof, what);
    free(comp);
    if (st != DLMKL_OK)
        dlmkl_profile_free(prof);
    else
        *out = prof;
    return st;
}
