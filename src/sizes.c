/* sizes.c: deterministic size rules — balanced sizes, the rounded revealed-fraction (α) rules, the
 * Chen, Cong & Li (2026) TC/DTC sizes and the optimal sizes of a profile (Chen et al. Thm 4).
 *   balanced: s_k = ⌊L/K⌋ + [k <= L mod K] (1-based k): sizes differ by at most one, larger first.
 *   revealed fraction α(t), t = k/K:  linear α = t;  cosine (MaskGIT) α = 1 − cos(πt/2);  poly α = t^a.
 *   rounding: N_0 = 0, N_k = clamp(round(L·α(k/K)), N_{k−1} + 1, L − (K − k)), s_k = N_k − N_{k−1}
 *     (round = nearest, halves up): every iteration reveals at least one token when K <= L.
 *   Chen, Cong & Li (2026) App. D, TC schedule with ζ: N_0 = 0, N_i = N_{i−1} + ⌊(L − N_{i−1})/ζ⌋ for
 *     i <= λ = ⌊log(L−ζ+1)/log(1/(1−1/ζ))⌋ + 2, then singles; zero sizes dropped; ζ >= L+1: all singles.
 *     The DTC schedule N'_i = ⌈N'_{i−1}(1 − 1/ζ)⌉ = N'_{i−1} − ⌊N'_{i−1}/ζ⌋ removes the same amounts, so its
 *     sizes are the TC sizes in reverse order (singles first, then sizes growing geometrically).
 *   optimal: min over compositions of L into at most K parts of Σ_k c(m_k, s_k), c(m, s) =
 *     Σ_{j=1}^{s} (Z_{m+j} − Z_{m+1}), by dynamic programming over (k, m). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/sizes.h"
#include "internal.h"

/* ---- balanced ---- */

int dlmkl_balanced_sizes(int L, int K, int *sizes)
{
    if (K < 1 || L < 0)
        return dlmkl_error(DLMKL_EINVAL, "balanced sizes: K = %d must be >= 1 and L = %d >= 0", K, L);
    for (int k = 0; k < K; k++)
        sizes[k] = L / K + (k < L % K ? 1 : 0);
    return DLMKL_OK;
}

/* ---- revealed-fraction families α ---- */

double dlmkl_alpha_eval(const dlmkl_alpha *f, double t)
{
    if (t <= 0)
        return 0;
    if (t >= 1)
        return 1;
    switch (f->kind) {
    case DLMKL_ALPHA_COSINE:
        return 1.0 - cos(M_PI * t / 2.0);
    case DLMKL_ALPHA_POLY:
        return pow(t, f->a);
    case DLMKL_ALPHA_LINEAR:
        break;
    }
    return t;
}

/* cosine: cos(πu/2) − cos(πt/2) = 2 sin(π(t+u)/4) sin(π(t−u)/4); poly: u^a·expm1(a·log1p(1/(k−1))). */
long double dlmkl_alpha_increment(const dlmkl_alpha *f, int k, int K)
{
    const long double t = (long double)k / K, u = (long double)(k - 1) / K;
    switch (f->kind) {
    case DLMKL_ALPHA_COSINE:
        return 2.0L * sinl(M_PI * (t + u) / 4.0L) * sinl(M_PI / (4.0L * K));
    case DLMKL_ALPHA_POLY:
        return k == 1 ? powl(t, f->a) : powl(u, f->a) * expm1l(f->a * log1pl(1.0L / (k - 1)));
    case DLMKL_ALPHA_LINEAR:
        break;
    }
    return 1.0L / K;
}

int dlmkl_alpha_parse(const char *spec, dlmkl_alpha *f, const char *ctx)
{
    f->a = 1;
    if (strcmp(spec, "linear") == 0) {
        f->kind = DLMKL_ALPHA_LINEAR;
        return DLMKL_OK;
    }
    if (strcmp(spec, "cosine") == 0) {
        f->kind = DLMKL_ALPHA_COSINE;
        return DLMKL_OK;
    }
    if (strncmp(spec, "poly:", 5) == 0) {
        const char *v = spec + 5;
        if (strncmp(v, "a=", 2) == 0)
            v += 2;
        char *end;
        errno = 0;
        double a = strtod(v, &end);
        if (end == v || *end || errno || !isfinite(a) || a <= 0)
            return dlmkl_error(DLMKL_EINVAL, "%s: '%s' needs an exponent a > 0, e.g. poly:a=2", ctx, spec);
        f->kind = DLMKL_ALPHA_POLY;
        f->a = a;
        return DLMKL_OK;
    }
    if (strcmp(spec, "poly") == 0)
        return dlmkl_error(DLMKL_EINVAL, "%s: poly needs an exponent, e.g. poly:a=2", ctx);
    return dlmkl_error(DLMKL_EINVAL, "%s: unknown revealed-fraction family '%s' (linear, cosine, poly:a=..)", ctx, spec);
}

void dlmkl_sizes_from_fractions(const dlmkl_alpha *f, const double *fr, int L, int K, int *sizes)
{
    int prev = 0;
    for (int k = 1; k <= K; k++) {
        double target = floor((double)L * (f ? dlmkl_alpha_eval(f, (double)k / K) : fr[k - 1]) + 0.5);
        int N = target < 0 ? 0 : target > L ? L : (int)target;
        if (N < prev + 1)
            N = prev + 1;
        if (N > L - (K - k))
            N = L - (K - k);
        if (k == K)
            N = L;
        sizes[k - 1] = N - prev;
        prev = N;
    }
}

int dlmkl_chen_sizes(int L, double zeta, int dtc, int *sizes, int *K)
{
    *K = 0; /* set on every path: some callers rely on zeta >= 1 and do not check the status */
    if (!(zeta >= 1.0) || !isfinite(zeta))
        return dlmkl_error(DLMKL_EINVAL, "Chen schedule: zeta = %g must be a finite number >= 1", zeta);
    int n = 0;
    if (zeta >= L + 1.0) {
        for (int i = 0; i < L && sizes; i++)
            sizes[n++] = 1;
        n = L;
    } else {
        /* λ = ⌊log(L−ζ+1) / log(1/(1−1/ζ))⌋ + 2; for ζ = 1 the denominator is +∞ and λ = 2. */
        double den = zeta > 1.0 ? -log1p(-1.0 / zeta) : INFINITY;
        double lam_d = floor(log((double)L - zeta + 1.0) / den) + 2.0;
        long lambda = lam_d < 0 ? 0 : lam_d > L + 2.0 ? L + 2 : (long)lam_d;
        int N = 0;
        for (long i = 1; i <= lambda && N < L; i++) {
            int step = (int)floor((double)(L - N) / zeta);
            if (step == 0)
                break; /* L − N < ζ: every later step of the first phase is 0 as well */
            if (sizes)
                sizes[n] = step;
            n++;
            N += step;
        }
        if (!sizes) { /* counting only: the singles that finish */
            *K = n + (L - N);
            return DLMKL_OK;
        }
        while (N < L) {
            sizes[n++] = 1;
            N++;
        }
    }
    if (dtc && sizes)
        for (int i = 0; i < n / 2; i++) {
            int t = sizes[i];
            sizes[i] = sizes[n - 1 - i];
            sizes[n - 1 - i] = t;
        }
    *K = n;
    return DLMKL_OK;
}

/* The largest integer ζ in [1, L+1] whose Chen schedule takes at most K iterations. Each step reveals
 * at most max(1, L/ζ) tokens, so the schedule takes at least min(L, ζ) steps: for K < L no ζ > K fits;
 * for K >= L, ζ = L+1 (all singles) fits. The number of steps n(ζ) is nondecreasing in ζ (checked for
 * every ζ at L <= 400 and at larger L in tests/test_schedule.c, against the full scan), so a binary
 * search over [1, K] finds it with O(log K) counts of O(ζ log L) each (the scan was O(K·L): hours at
 * L = 2^20, K = L/4). ζ = 1 (one step) always fits. */
int dlmkl_chen_zeta_for_K(int L, int K, double *zeta)
{
    if (K >= L) {
        *zeta = L + 1.0;
        return DLMKL_OK;
    }
    int lo = 1, hi = K; /* n(lo) <= K; find the largest such */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2, n;
        dlmkl_chen_sizes(L, mid, 0, NULL, &n);
        if (n <= K)
            lo = mid;
        else
            hi = mid - 1;
    }
    *zeta = lo;
    return DLMKL_OK;
}

/* ---- optimal deterministic sizes ---- */

/* min over m in [lo, hi] of F_{k−1}(m) + c(m, m2 − m), the first minimiser in *arg (−1 if the range
 * is empty or every candidate is infinite). Candidates within tol of the best so far are ties and keep
 * the first (smallest m): compositions of equal cost (MDS codes and uniform products have many) then
 * give the same sizes whatever the last bits of the profile. */
static double best_split(const double *h, const double *Fp, int lo, int hi, int m2, double tol, int *arg)
{
    double best = INFINITY;
    *arg = -1;
    for (int m = lo; m <= hi; m++) {
        double v = Fp[m] + dlmkl_step_cost(h, m, m2 - m);
        if (v < best - tol) {
            best = v;
            *arg = m;
        }
    }
    return best;
}

/* The tie tolerance of the DP: 1e-12 of the profile's scale (its rounding is ~1e-16 of it). */
static double optimal_tol(const dlmkl_profile *prof)
{
    return 1e-12 * (1.0 + fabs(prof->h[prof->L]));
}

static int optimal_alloc(int L, int K, double **F, int **arg)
{
    size_t cells = (size_t)(K + 1) * (size_t)(L + 1);
    if (dlmkl_check_memory(cells * (sizeof(double) + sizeof(int)), "the optimal-schedule DP") != DLMKL_OK)
        return DLMKL_ETOOBIG;
    *F = malloc(cells * sizeof **F);
    *arg = malloc(cells * sizeof **arg);
    if (!*F || !*arg) {
        free(*F), free(*arg);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory for the optimal-schedule DP");
    }
    return DLMKL_OK;
}

/* Backtrack: F[k][m] = min cost of revealing m tokens in k steps (each >= 1); argument of the min in arg. */
static void optimal_backtrack(const double *F, const int *arg, int L, int K, double tol, int *sizes, int *nsteps,
                              double *cost)
{
    /* splitting a step never costs more (c(a,b) − c(a,x) − c(x,b) = (b−x)(Z_{x+1} − Z_{a+1}) >= 0), so
     * K steps are optimal; take the fewest steps within tol of the minimum (a tie). */
    double fmin = INFINITY;
    for (int k = 1; k <= K; k++)
        fmin = fmin < F[(size_t)k * (L + 1) + L] ? fmin : F[(size_t)k * (L + 1) + L];
    int bestk = K;
    for (int k = K; k >= 1; k--)
        if (F[(size_t)k * (L + 1) + L] <= fmin + tol)
            bestk = k;
    *cost = F[(size_t)bestk * (L + 1) + L];
    int m = L;
    for (int k = bestk; k >= 1; k--) {
        int prev = arg[(size_t)k * (L + 1) + m];
        sizes[k - 1] = m - prev;
        m = prev;
    }
    *nsteps = bestk;
}

static int optimal_check(const dlmkl_profile *prof, int K)
{
    if (K < 1 || K > prof->L)
        return dlmkl_error(DLMKL_EINVAL, "optimal: K = %d must be between 1 and L = %d", K, prof->L);
    return DLMKL_OK;
}

int dlmkl_optimal_sizes_exact(const dlmkl_profile *prof, int K, int *sizes, int *nsteps, double *cost)
{
    const int L = prof->L;
    int st = optimal_check(prof, K);
    double *F;
    int *arg;
    if (st || (st = optimal_alloc(L, K, &F, &arg)))
        return st;
    const double *h = prof->h, tol = optimal_tol(prof);
    for (int m = 0; m <= L; m++)
        F[m] = m == 0 ? 0.0 : INFINITY;
    for (int k = 1; k <= K; k++) {
        double *Fk = F + (size_t)k * (L + 1), *Fp = Fk - (L + 1);
        int *ak = arg + (size_t)k * (L + 1);
        Fk[0] = INFINITY;
        ak[0] = 0;
        for (int m2 = 1; m2 <= L; m2++)
            Fk[m2] = best_split(h, Fp, k - 1, m2 - 1, m2, tol, &ak[m2]);
    }
    optimal_backtrack(F, arg, L, K, tol, sizes, nsteps, cost);
    free(F), free(arg);
    return DLMKL_OK;
}

/* Divide and conquer over one DP layer: opt(m2) is nondecreasing in m2 because the step costs
 * satisfy the quadrangle inequality (Z nondecreasing), so F_k on [lo,hi] needs only candidates
 * in [olo, ohi]. O(L log L) per layer. */
static void dc_layer(const double *h, const double *Fp, double *Fk, int *ak, int k, int lo, int hi, int olo, int ohi,
                     double tol)
{
    if (lo > hi)
        return;
    int mid = lo + (hi - lo) / 2, bm;
    Fk[mid] = best_split(h, Fp, olo > k - 1 ? olo : k - 1, ohi < mid - 1 ? ohi : mid - 1, mid, tol, &bm);
    if (bm < 0)
        bm = olo;
    ak[mid] = bm;
    dc_layer(h, Fp, Fk, ak, k, lo, mid - 1, olo, bm, tol);
    dc_layer(h, Fp, Fk, ak, k, mid + 1, hi, bm, ohi, tol);
}

int dlmkl_optimal_sizes(const dlmkl_profile *prof, int K, int *sizes, int *nsteps, double *cost)
{
    const int L = prof->L;
    if ((double)K * L * L / 2.0 <= DLMKL_OPTIMAL_EXACT_WORK)
        return dlmkl_optimal_sizes_exact(prof, K, sizes, nsteps, cost);
    return dlmkl_optimal_sizes_dc(prof, K, sizes, nsteps, cost);
}

int dlmkl_optimal_sizes_dc(const dlmkl_profile *prof, int K, int *sizes, int *nsteps, double *cost)
{
    const int L = prof->L;
    int st = optimal_check(prof, K);
    if (st)
        return st;
    double *F;
    int *arg;
    if ((st = optimal_alloc(L, K, &F, &arg)))
        return st;
    for (int m = 0; m <= L; m++)
        F[m] = m == 0 ? 0.0 : INFINITY;
    for (int k = 1; k <= K; k++) {
        double *Fk = F + (size_t)k * (L + 1), *Fp = Fk - (L + 1);
        int *ak = arg + (size_t)k * (L + 1);
        for (int m = 0; m < k; m++) {
            Fk[m] = INFINITY;
            ak[m] = 0;
        }
        dc_layer(prof->h, Fp, Fk, ak, k, k, L, k - 1, L - 1, optimal_tol(prof));
    }
    optimal_backtrack(F, arg, L, K, optimal_tol(prof), sizes, nsteps, cost);
    free(F), free(arg);
    return DLMKL_OK;
}
