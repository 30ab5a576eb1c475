/* profile_markov.c: entropy profiles of Markov chains and of the Ising chain (see profile_markov.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/plogp.h"
#include "dlmkl/profile_markov.h"
#include "lnfact.h"

#define COUPLING_MAX 1e6
/* Budget of work units, L²/2·(V³ + 64): the transition powers (V³ multiply-adds per pair) and the
 * binomial weights (an exp and a double-double sum per (m, n), counted as 64): under a minute of
 * one core. */
#define MARKOV_COST_MAX 1.5e10 /* measured 3.7 ns per unit at V = 2, L = 5000; 2.2 ns at L = 20000 (ising, 31 s) */

static int check_law(const double *p, int V, const char *what, long index)
{
    double s = 0.0;
    for (int v = 0; v < V; v++) {
        if (!(p[v] >= 0.0 && p[v] <= 1.0))
            return index < 0 ? dlmkl_error(DLMKL_EINVAL, "%s: entry %d = %.17g is not a probability", what, v + 1, p[v])
                             : dlmkl_error(DLMKL_EINVAL, "%s %ld: entry %d = %.17g is not a probability", what, index,
                                           v + 1, p[v]);
        s += p[v];
    }
    if (!(fabs(s - 1.0) <= DLMKL_SUM_TOL))
        return index < 0 ? dlmkl_error(DLMKL_EINVAL, "%s adds up to %.17g, not 1", what, s)
                         : dlmkl_error(DLMKL_EINVAL, "%s %ld adds up to %.17g, not 1", what, index, s);
    return DLMKL_OK;
}

int dlmkl_profile_markov(int L, int V, const double *init, const double *trans, int per_step, dlmkl_profile **out)
{
    *out = NULL;
    if (L < 1 || L > DLMKL_MARKOV_MAX_L)
        return dlmkl_error(DLMKL_EINVAL, "Markov profile: L = %d is out of range (1..%d)", L, DLMKL_MARKOV_MAX_L);
    if (V < 2 || V > DLMKL_MARKOV_MAX_V)
        return dlmkl_error(DLMKL_EINVAL, "Markov profile: V = %d is out of range (2..%d)", V, DLMKL_MARKOV_MAX_V);
    const double cost = 0.5 * (double)L * (double)L * ((double)V * (double)V * (double)V + 64.0);
    if (cost > MARKOV_COST_MAX)
        return dlmkl_error(DLMKL_ECOST, "Markov profile: L = %d, V = %d needs %.3g work units (L^2 (V^3 + 64) / 2), "
                           "above the budget of %.3g; use a smaller L or V", L, V, cost, MARKOV_COST_MAX);
    const size_t VV = (size_t)V * (size_t)V, nmat = per_step && L > 1 ? (size_t)L - 1 : 1;
    int st = check_law(init, V, "Markov profile: the initial law", -1);
    for (size_t k = 0; st == DLMKL_OK && k < nmat * (size_t)V; k++)
        st = check_law(trans + k * (size_t)V, V, "Markov profile: row of the transition matrices", (long)k + 1);
    if (st != DLMKL_OK)
        return st;
    const size_t bytes = ((size_t)L * (size_t)V + 2 * VV + 2 * (size_t)L) * sizeof(double) +
                         ((size_t)L + 1) * sizeof(lnfact_dd);
    if ((st = dlmkl_check_memory(bytes, "the Markov profile's work arrays")) != DLMKL_OK)
        return st;
    dlmkl_profile *prof = dlmkl_profile_alloc(L);
    double *mu = malloc((size_t)L * (size_t)V * sizeof *mu);
    double *M = malloc(VV * sizeof *M), *T = malloc(VV * sizeof *T);
    double *E = calloc((size_t)L, sizeof *E), *G = calloc((size_t)L, sizeof *G);
    lnfact_dd *lf = lnfact_table(L);
    if (!prof || !mu || !M || !T || !E || !G || !lf) {
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory for the Markov profile (L = %d, V = %d)", L, V);
        goto done;
    }
    /* marginals μ_a, a = 0..L−1: μ_{a+1}(v) = Σ_u μ_a(u) P_a(u,v) */
    memcpy(mu, init, (size_t)V * sizeof *mu);
    for (int a = 0; a + 1 < L; a++) {
        const double *P = trans + (per_step ? (size_t)a * VV : 0);
        double *nx = mu + (size_t)(a + 1) * (size_t)V;
        for (int v = 0; v < V; v++)
            nx[v] = 0.0;
        for (int u = 0; u < V; u++)
            for (int v = 0; v < V; v++)
                nx[v] += mu[(size_t)a * (size_t)V + (size_t)u] * P[(size_t)u * (size_t)V + (size_t)v];
    }
    /* E_n = H(X_a), n = L−1−a; G_n += H(X_b | X_a), n = a + L−1−b */
    for (int a = 0; a < L; a++) {
        const double *ma = mu + (size_t)a * (size_t)V;
        E[L - 1 - a] = dlmkl_plogp_sum(ma, (size_t)V);
        if (a + 1 >= L)
            continue;
        memcpy(M, trans + (per_step ? (size_t)a * VV : 0), VV * sizeof *M); /* P_a: b = a + 1 */
        for (int b = a + 1; b < L; b++) {
            double g = 0.0;
            for (int u = 0; u < V; u++)
                if (ma[u] > 0.0)
                    g += ma[u] * dlmkl_plogp_sum(M + (size_t)u * (size_t)V, (size_t)V);
            G[a + L - 1 - b] += g;
            if (b + 1 < L) { /* M ← M·P_b */
                const double *P = trans + (per_step ? (size_t)b * VV : 0);
                for (size_t i = 0; i < VV; i++)
                    T[i] = 0.0;
                for (int u = 0; u < V; u++)
                    for (int w = 0; w < V; w++) {
                        const double x = M[(size_t)u * (size_t)V + (size_t)w];
                        if (x == 0.0)
                            continue;
                        const double *row = P + (size_t)w * (size_t)V;
                        double *dst = T + (size_t)u * (size_t)V;
                        for (int v = 0; v < V; v++)
                            dst[v] += x * row[v];
                    }
                double *t = M;
                M = T, T = t;
            }
        }
    }
    /* C(L,m)·h(m) = Σ_n E_n C(n, m−1) + Σ_n G_n C(n, m−2); weights C(n,k)/C(L,m) ≤ 1 from ln k! in
     * double-double, the non-negative terms summed with compensation (TwoSum) */
    prof->h[0] = 0.0;
    for (int m = 1; m <= L; m++) {
        double s = 0.0, comp = 0.0;
        for (int n = m - 1; n <= L - 1; n++)
            lnfact_add(&s, &comp, E[n] * exp(lnfact_choose_ratio(lf, n, m - 1, L, m)));
        for (int n = m - 2; m >= 2 && n <= L - 2; n++)
            lnfact_add(&s, &comp, G[n] * exp(lnfact_choose_ratio(lf, n, m - 2, L, m)));
        prof->h[m] = s + comp;
    }
    *out = prof;
    prof = NULL;
done:
    dlmkl_profile_free(prof);
    free(mu), free(M), free(T), free(E), free(G), free(lf);
    return st;
}

int dlmkl_profile_ising_chain(int L, double J, double h, dlmkl_profile **out)
{
    *out = NULL;
    if (L < 1 || L > DLMKL_MARKOV_MAX_L)
        return dlmkl_error(DLMKL_EINVAL, "Ising chain profile: L = %d is out of range (1..%d)", L, DLMKL_MARKOV_MAX_L);
    if (!(fabs(J) <= COUPLING_MAX) || !(fabs(h) <= COUPLING_MAX))
        return dlmkl_error(DLMKL_EINVAL, "Ising chain: J = %g, h = %g; need finite |J|, |h| <= %g", J, h, COUPLING_MAX);
    int st = dlmkl_check_memory((size_t)L * 4 * sizeof(double), "the Ising chain's transition matrices");
    if (st != DLMKL_OK)
        return st;
    double *P = malloc((size_t)(L > 1 ? L - 1 : 1) * 4 * sizeof *P);
    if (!P)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for the Ising chain's transition matrices");
    /* lb(s): log β_{i+1}(s), shifted so that its max is 0 (ratios are all that matter); s = 2x − 1 */
    double lb[2] = {0.0, 0.0}, init[2];
    for (int i = L - 2; i >= 0; i--) {
        double nb[2];
        for (int x = 0; x < 2; x++) {
            const double s = 2.0 * x - 1.0;
            double e[2];
            for (int y = 0; y < 2; y++) {
                const double t = 2.0 * y - 1.0;
                e[y] = J * s * t + h * t + lb[y];
            }
            const double mx = e[0] > e[1] ? e[0] : e[1];
            const double z0 = exp(e[0] - mx), z1 = exp(e[1] - mx);
            P[(size_t)i * 4 + (size_t)x * 2 + 0] = z0 / (z0 + z1);
            P[(size_t)i * 4 + (size_t)x * 2 + 1] = z1 / (z0 + z1);
            nb[x] = mx + log(z0 + z1);
        }
        const double mx = nb[0] > nb[1] ? nb[0] : nb[1];
        lb[0] = nb[0] - mx, lb[1] = nb[1] - mx;
    }
    {
        const double e0 = -h + lb[0], e1 = h + lb[1], mx = e0 > e1 ? e0 : e1;
        const double z0 = exp(e0 - mx), z1 = exp(e1 - mx);
        init[0] = z0 / (z0 + z1), init[1] = z1 / (z0 + z1);
    }
    if (L == 1)
        P[0] = P[3] = 1.0, P[1] = P[2] = 0.0; /* unused */
    st = dlmkl_profile_markov(L, 2, init, P, 1, out);
    free(P);
    return st;
}
