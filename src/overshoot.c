/* overshoot.c: O(d) = E[N(d)] − d, the expected overshoot of a schedule's cumulative counts past d.
 *
 * Why it is the right primitive. With random positions the step cost is
 *     c(m, s) = Σ_{j=1}^{s} (Z_{m+j} − Z_{m+1}) = Σ_{r=1}^{s−1} ΔZ_{m+r+1}·(s − r),   ΔZ_j = Z_j − Z_{j−1} >= 0,
 * so kl_expected = Σ_k E c(m_k, s_k) = Σ_{d=1}^{L−1} ΔZ_{d+1}·O(d) with
 *     O(d) = Σ_k E[(m_k + s_k − d)^+ ; m_k < d] = E[N(d) − d].
 * Both factors are non-negative, so kl_expected is a sum of non-negative terms and carries the relative
 * accuracy of O(d). The telescoped form E Σ_k [E(s_k|m_k)Δh(m_k) + h(m_k)] − E h(m_{k+1}) that this
 * replaces subtracts expectations of size h(L) ~ L and loses all accuracy near L = 2^20.
 * O depends on the schedule alone: O(d) is kl_expected for the MDS profile h_d(m) = min(m, d), which
 * is what the worst case over all laws needs (worst.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/overshoot.h"
#include "dlmkl/worst.h"
#include "internal.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* Binomial tails cut where the mass beyond the cut is below 2^-60 (as in kl.c). */
#define TAIL_CUT 0x1p-60L

/* pmf of Binomial(n, p), with pc = 1 − p given separately (no 1 − p cancellation), on the window
 * around the mode whose lower tail holds less than TAIL_CUT and whose upper tail less than TAIL_CUT
 * times min(1, pmf(mode+2)/pmf(mode)): when the mean is tiny, E(s − 1)^+ ≈ pmf(2) is itself tiny and
 * must still come out with full relative accuracy. pmf[t] for t in [*lo, *hi] (pmf is
 * indexed by t and holds n+1 doubles). The mode value comes from lgammal (relative error about
 * 1e-12 at n = 2^20), the rest from the exact ratios pmf(t+1)/pmf(t) = (n−t)/(t+1)·p/pc in long
 * double (relative error about the window width times 1e-19). */
static void binom_window(int n, long double p, long double pc, double *pmf, int *lo, int *hi)
{
    if (n == 0 || p <= 0) {
        *lo = *hi = 0;
        pmf[0] = 1.0;
        return;
    }
    if (pc <= 0) {
        *lo = *hi = n;
        pmf[n] = 1.0;
        return;
    }
    const long double odds = p / pc;
    int mode = (int)floorl((n + 1.0L) * p);
    if (mode > n)
        mode = n;
    const long double v = expl(lgammal(n + 1.0L) - lgammal(mode + 1.0L) - lgammal(n - mode + 1.0L) +
                               mode * logl(p) + (n - mode) * logl(pc));
    pmf[mode] = (double)v;
    long double x = v, cut = TAIL_CUT;
    int t = mode;
    while (t < n) {
        x *= (long double)(n - t) / (t + 1) * odds;
        t++;
        pmf[t] = (double)x;
        if (t == mode + 2 && x < v)
            cut = TAIL_CUT * (x / v); /* see below */
        long double r = (long double)(n - t) / (t + 1) * odds; /* decreasing in t */
        if (t >= mode + 2 && r < 1 && x * r / (1 - r) < cut)
            break;
    }
    *hi = t;
    x = v;
    t = mode;
    while (t > 0) {
        x *= (long double)t / (n - t + 1) / odds;
        t--;
        pmf[t] = (double)x;
        long double r = (long double)t / (n - t + 1) / odds;
        if (r < 1 && x * r / (1 - r) < TAIL_CUT)
            break;
    }
    *lo = t;
}

/* pmf of Binomial(n, p) at t = lo..hi into out[0..hi−lo] (0 outside 0..n), anchored at the mode
 * clamped into the range, ratios outward in long double. */
static void binom_fill(int n, long double p, long double pc, int lo, int hi, double *out)
{
    for (int t = lo; t <= hi; t++)
        out[t - lo] = 0.0;
    if (p <= 0 || n == 0) {
        if (lo <= 0 && 0 <= hi)
            out[-lo] = 1.0;
        return;
    }
    if (pc <= 0) {
        if (lo <= n && n <= hi)
            out[n - lo] = 1.0;
        return;
    }
    int a = lo > 0 ? lo : 0, b = hi < n ? hi : n;
    if (a > b)
        return;
    const long double odds = p / pc;
    int mode = (int)floorl((n + 1.0L) * p);
    if (mode > b)
        mode = b;
    if (mode < a)
        mode = a;
    const long double v = expl(lgammal(n + 1.0L) - lgammal(mode + 1.0L) - lgammal(n - mode + 1.0L) +
                               mode * logl(p) + (n - mode) * logl(pc));
    out[mode - lo] = (double)v;
    long double x = v;
    for (int t = mode; t < b; t++) {
        x *= (long double)(n - t) / (t + 1) * odds;
        out[t + 1 - lo] = (double)x;
    }
    x = v;
    for (int t = mode; t > a; t--) {
        x *= (long double)t / (n - t + 1) / odds;
        out[t - 1 - lo] = (double)x;
    }
}

/* F[k] = Σ_{j<k} π_j and T[k] = Σ_{j>=k} π_j, k = 0..K, each summed from its own small end in long
 * double, so neither is formed as 1 − (the other). */
static void heads_tails(const dlmkl_schedule *s, long double *F, long double *T)
{
    long double acc = 0;
    for (int k = 0; k <= s->nsteps; k++) {
        F[k] = acc;
        if (k < s->nsteps)
            acc += s->pi_ld[k];
    }
    acc = 0;
    for (int k = s->nsteps; k >= 0; k--) {
        if (k < s->nsteps)
            acc += s->pi_ld[k];
        T[k] = acc;
    }
}

/* Conditional reveal probability at step k given the masked tokens: q = π_k / T_k, 1 − q = T_{k+1}/T_k;
 * the last step (or no mass after it) reveals everything. */
static void step_q(const dlmkl_schedule *s, const long double *T, int k, long double *q, long double *qc)
{
    if (k == s->nsteps - 1 || !(T[k + 1] > 0) || !(T[k] > 0)) {
        *q = 1.0L, *qc = 0.0L;
    } else {
        *q = s->pi_ld[k] / T[k], *qc = T[k + 1] / T[k];
        if (*q > 1)
            *q = 1.0L, *qc = 0.0L;
    }
}

/* Half-width of a binomial window in standard deviations: the 2^-60 tail is within about 9.2 sd. */
#define WINDOW_SD 9.5

double dlmkl_overshoot_cost(const dlmkl_schedule *s)
{
    const double L = s->L;
    switch (s->kind) {
    case DLMKL_SCHED_FIXED:
    case DLMKL_SCHED_COMPOSITION:
        return L;
    case DLMKL_SCHED_LAW:
    case DLMKL_SCHED_POWER:
        return (double)s->nsteps * (L + 1) * (L + 2) / 2;
    case DLMKL_SCHED_MIX: {
        double w = 0;
        for (int i = 0; i < s->ncomp; i++)
            w += dlmkl_overshoot_cost(s->comp[i]);
        return w;
    }
    case DLMKL_SCHED_IID:
        break;
    }
    /* Σ_k w_m(k)·w_s(k), w_m = 2·9.5 sd of Bin(L, F) + 3, w_s = 2·9.5 sd of Bin(n, q) + q·w_m + 3. */
    double F = 0, T = 1, work = 0;
    for (int k = 0; k < s->nsteps; k++) {
        double q = T > 0 ? s->pi[k] / T : 1.0;
        if (k == s->nsteps - 1 || q > 1)
            q = 1.0;
        double wm = fmin(L + 1, 2 * WINDOW_SD * sqrt(L * F * (1 - F)) + 3);
        double n = L * T;
        double ws = fmin(L + 1, 2 * WINDOW_SD * sqrt(n * q * (1 - q)) + q * wm + 3);
        work += wm * ws + wm;
        F += s->pi[k];
        T -= s->pi[k];
        if (T < 0)
            T = 0;
    }
    return work;
}

static int overshoot_mix(const dlmkl_schedule *s, double *O, int (*f)(const dlmkl_schedule *, double *));

static int check_cost(const dlmkl_schedule *s)
{
    const double work = dlmkl_overshoot_cost(s);
    if (work > DLMKL_OVERSHOOT_MAX_WORK)
        return dlmkl_error(DLMKL_ECOST,
                           "schedule '%s' at L = %d, K = %d: the exact expectation needs about %.3g window cells, "
                           "above the budget of %.3g; use a smaller L or K", s->name, s->L, s->nsteps, work,
                           DLMKL_OVERSHOOT_MAX_WORK);
    return DLMKL_OK;
}

int dlmkl_overshoot_alloc(const dlmkl_schedule *s, double **O)
{
    *O = NULL;
    int st = check_cost(s);
    if (st == DLMKL_OK)
        st = dlmkl_check_memory(((size_t)s->L + 1) * sizeof **O, "the overshoot of a schedule");
    if (st == DLMKL_OK && !(*O = malloc(((size_t)s->L + 1) * sizeof **O)))
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    return st;
}

static int overshoot_fixed(const dlmkl_schedule *s, double *O)
{
    const int L = s->L;
    int m = 0;
    for (int k = 0; k < s->nsteps; k++) {
        int next = m + s->sizes[k];
        for (int d = m + 1; d <= next; d++)
            O[d] = (double)(next - d);
        m = next;
    }
    O[0] = O[L] = 0.0;
    return DLMKL_OK;
}

/* The cumulative counts N_1 < ... < N_{K−1} are a uniform (K−1)-subset of {1..L−1} and N_K = L, so
 * P(N(d) − d >= t) = P(none of d..d+t−1 is a count) = C(L−1−t, K−1)/C(L−1, K−1) = a_t for t <= L−d, with
 * a_0 = 1, a_t = a_{t−1}·(L−t−K+1)/(L−t). O(d) = Σ_{t=1}^{L−d} a_t. */
static int overshoot_composition(const dlmkl_schedule *s, double *O)
{
    const int L = s->L, K = s->nsteps;
    if (K > L)
        return dlmkl_error(DLMKL_EINVAL, "composition: K = %d > L = %d has no composition into positive parts", K, L);
    long double a = 1, acc = 0;
    O[L] = 0.0;
    for (int t = 1; t <= L - 1; t++) {
        a *= (long double)(L - t - K + 1) / (L - t);
        if (a < 0)
            a = 0;
        acc += a;
        O[L - t] = (double)acc;
    }
    O[0] = 0.0;
    return DLMKL_OK;
}

/* The generic route: forward DP over (k, m) with the step law P(s_k = s | m_k = m); for each
 * reachable state ψ(r) = E(s − r)^+ = Σ_{t>=r} P(s > t) by suffix sums, then O(m + r) += P(m)·ψ(r). */
int dlmkl_overshoot_dp(const dlmkl_schedule *s, double *O)
{
    const int L = s->L;
    if (s->kind == DLMKL_SCHED_MIX)
        return overshoot_mix(s, O, dlmkl_overshoot_dp);
    int st = check_cost(s);
    if (st)
        return st;
    st = dlmkl_check_memory(4 * ((size_t)L + 2) * sizeof(double), "the overshoot DP");
    if (st)
        return st;
    double *P = calloc((size_t)L + 1, sizeof *P), *Q = calloc((size_t)L + 1, sizeof *Q);
    double *ps = malloc(((size_t)L + 2) * sizeof *ps), *psi = malloc(((size_t)L + 2) * sizeof *psi);
    if (!P || !Q || !ps || !psi) {
        free(P), free(Q), free(ps), free(psi);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    memset(O, 0, ((size_t)L + 1) * sizeof *O);
    P[0] = 1.0;
    for (int k = 0; k < s->nsteps && st == DLMKL_OK; k++) {
        memset(Q, 0, ((size_t)L + 1) * sizeof *Q);
        for (int m = 0; m <= L; m++) {
            if (P[m] == 0.0)
                continue;
            if ((st = dlmkl_schedule_step_law(s, k, m, ps)) != DLMKL_OK)
                break;
            const int n = L - m;
            /* G(t) = P(s >= t) carried in g; ψ(r) = ψ(r+1) + P(s >= r+1) */
            double g = 0;
            psi[n] = 0.0;
            for (int r = n - 1; r >= 0; r--) {
                g += ps[r + 1];
                psi[r] = psi[r + 1] + g;
            }
            for (int r = 1; r < n; r++)
                O[m + r] += P[m] * psi[r];
            for (int j = 0; j <= n; j++)
                if (ps[j] > 0)
                    Q[m + j] += P[m] * ps[j];
        }
        double *t = P;
        P = Q, Q = t;
    }
    free(P), free(Q), free(ps), free(psi);
    O[0] = O[L] = 0.0;
    return st;
}

/* Scratch of one thread for overshoot_iid: arrays indexed by m or t (L+2 each). */
typedef struct iid_scratch {
    double *P, *W, *PF0, *PF1, *PB0, *PB1, *pm, *pm2, *G, *psi;
    double *acc; /* the chunk's sum of step contributions, indexed by d; zero outside [lo, hi] */
    int lo, hi;  /* touched range of acc */
} iid_scratch;
#define IID_SCRATCH_ARRAYS 11

/* The step kernel is element-wise (no reductions, no FMA: the build keeps contraction off), so an AVX2
 * clone gives the same bits as the SSE2 default; ifunc dispatch needs glibc on x86-64. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define DLMKL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define DLMKL_CLONES
#endif

/* Add step k's contribution c_k(d) = Σ_{m<d} P(m_k = m)·ψ_k(L − m, d − m) into w->acc. */
DLMKL_CLONES static void iid_step(const dlmkl_schedule *s, const long double *F, const long double *T, int k,
                                  iid_scratch *w)
{
    const int L = s->L, K = s->nsteps;
    double *P = w->P, *acc = w->acc;
    if (!(s->pi[k] > 0) && k != K - 1)
        return; /* no token reveals here */
    int alo, ahi;
    binom_window(L, F[k], T[k], P, &alo, &ahi);
    long double tot = 0;
    for (int m = alo; m <= ahi; m++)
        tot += P[m];
    for (int m = alo; m <= ahi; m++)
        P[m] = (double)(P[m] / tot);
    if (ahi > L - 1)
        ahi = L - 1; /* m = L: nothing left to reveal */
    if (alo > ahi)
        return;
    long double ql, qcl;
    step_q(s, T, k, &ql, &qcl);
    const double q = (double)ql, qc = (double)qcl; /* the recurrences run over w_m steps only */
    const int nmin = L - ahi, nmax = L - alo;
    int slo, shi, unused;
    binom_window(nmin, ql, qcl, w->W, &slo, &unused);
    binom_window(nmax, ql, qcl, w->W, &unused, &shi);
    int dmax = ahi + shi < L - 1 ? ahi + shi : L - 1;
    if (alo + 1 <= dmax) {
        if (w->lo > w->hi) {
            w->lo = alo + 1, w->hi = dmax;
            memset(acc + w->lo, 0, (size_t)(w->hi - w->lo + 1) * sizeof *acc);
        }
        if (alo + 1 < w->lo) {
            memset(acc + alo + 1, 0, (size_t)(w->lo - alo - 1) * sizeof *acc);
            w->lo = alo + 1;
        }
        if (dmax > w->hi) {
            memset(acc + w->hi + 1, 0, (size_t)(dmax - w->hi) * sizeof *acc);
            w->hi = dmax;
        }
    }

    /* r in [1, slo−1]: P(s < r) is below the tail cut for every n in the window, so
     * ψ(n, r) = E(s) − r = n q − r exactly: contribution P(m)·((L − m) q − (d − m)) to d = m + r. */
    if (slo >= 2) {
        const int wm = ahi - alo + 1;
        if (slo - 1 < wm) {
            for (int m = alo; m <= ahi; m++) {
                const double nq = (double)(L - m) * q, Pm = P[m];
                int rmax = slo - 1 < L - 1 - m ? slo - 1 : L - 1 - m;
                double *Od = acc + m;
                for (int r = 1; r <= rmax; r++)
                    Od[r] += Pm * (nq - r);
            }
        } else {
            /* Every range [d−slo+1, d−1] ∩ [alo, ahi] then touches an end of the window, so its sums are
             * prefix or suffix sums of non-negative terms:
             * Σ P(m)((L−m)q − (d−m)) = S0·((L−alo)q − (d−alo)) + (1−q)·S1, S1 = Σ P(m)(m − alo). */
            double *PF0 = w->PF0, *PF1 = w->PF1, *PB0 = w->PB0, *PB1 = w->PB1;
            long double a0 = 0, a1 = 0;
            for (int m = alo; m <= ahi; m++) {
                a0 += P[m], a1 += (long double)P[m] * (m - alo);
                PF0[m] = (double)a0, PF1[m] = (double)a1;
            }
            a0 = a1 = 0;
            for (int m = ahi; m >= alo; m--) {
                a0 += P[m], a1 += (long double)P[m] * (m - alo);
                PB0[m] = (double)a0, PB1[m] = (double)a1;
            }
            const double base = (double)(L - alo) * q;
            int dm = ahi + slo - 1 < L - 1 ? ahi + slo - 1 : L - 1;
            for (int d = alo + 1; d <= dm; d++) {
                int a = d - slo + 1 > alo ? d - slo + 1 : alo, b = d - 1 < ahi ? d - 1 : ahi;
                if (a > b)
                    continue;
                double S0, S1;
                if (a == alo)
                    S0 = PF0[b], S1 = PF1[b];
                else
                    S0 = PB0[a], S1 = PB1[a];
                acc[d] += S0 * (base - (double)(d - alo)) + qc * S1;
            }
        }
    }

    /* r in [max(1, slo), shi]: the table ψ(n, r), from n = nmin up, by non-negative updates
     *   ψ(n+1, r) = ψ(n, r) + q·P(B_n >= r),  P(B_{n+1} >= t) = P(B_n >= t) + q·P(B_n = t−1),
     *   P(B_{n+1} = t) = (1−q)·P(B_n = t) + q·P(B_n = t−1)          (B_n ~ Binomial(n, q)),
     * with P(B = slo − 1) taken as 0 (below the cut, or slo = 0). Element-wise only (no reductions), so
     * the bits do not depend on the vector width. */
    const int tlo = slo, nt = shi - slo + 1;
    const int rlo = slo > 1 ? slo : 1;
    if (rlo > shi)
        return;
    double *pm = w->pm, *pn = w->pm2, *G = w->G, *psi = w->psi;
    binom_fill(nmin, ql, qcl, tlo, shi, pm + 1);
    pm[0] = 0.0; /* pm[i + 1] = P(B = tlo + i); pm[0] = P(B = tlo − 1) = 0 */
    pn[0] = 0.0;
    G[nt] = 0.0;
    for (int i = nt - 1; i >= 0; i--)
        G[i] = G[i + 1] + pm[i + 1];
    psi[nt - 1] = 0.0;
    for (int i = nt - 2; i >= 0; i--)
        psi[i] = psi[i + 1] + G[i + 1];
    for (int m = ahi; m >= alo; m--) {
        if (m != ahi) {
            for (int i = 0; i < nt; i++) {
                psi[i] += q * G[i];
                G[i] += q * pm[i];
                pn[i + 1] = qc * pm[i + 1] + q * pm[i];
            }
            double *t = pm;
            pm = pn, pn = t;
        }
        const double Pm = P[m];
        int rmax = shi < L - 1 - m ? shi : L - 1 - m;
        double *Od = acc + m;
        const double *ps = psi - tlo;
        for (int r = rlo; r <= rmax; r++)
            Od[r] += Pm * ps[r];
    }
}

/* Fixed chunks of consecutive steps, whatever the thread count: each chunk's steps are summed in step
 * order, the chunks are added in chunk order, so the bits do not depend on the threads. */
#define IID_CHUNKS 32

static int overshoot_iid(const dlmkl_schedule *s, double *O)
{
    const int L = s->L, K = s->nsteps;
    int st = check_cost(s);
    if (st)
        return st;
    const int nchunk = K < IID_CHUNKS ? K : IID_CHUNKS;
    int nthreads = dlmkl_threads();
    if (nthreads > nchunk)
        nthreads = nchunk;
    const size_t n1 = (size_t)L + 2;
    size_t bytes = 2 * ((size_t)K + 1) * sizeof(long double) + (size_t)nthreads * IID_SCRATCH_ARRAYS * n1 * sizeof(double);
    st = dlmkl_check_memory(bytes, "the windows of an i.i.d. reveal-time schedule");
    if (st)
        return st;
    long double *FT = malloc(2 * ((size_t)K + 1) * sizeof *FT);
    double *buf = malloc((size_t)nthreads * IID_SCRATCH_ARRAYS * n1 * sizeof *buf);
    if (!FT || !buf) {
        free(FT), free(buf);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    long double *F = FT, *T = F + K + 1;
    heads_tails(s, F, T);
    memset(O, 0, ((size_t)L + 1) * sizeof *O);
#pragma omp parallel num_threads(nthreads)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *b = buf + (size_t)tid * IID_SCRATCH_ARRAYS * n1;
        iid_scratch w = {b, b + n1, b + 2 * n1, b + 3 * n1, b + 4 * n1, b + 5 * n1,
                         b + 6 * n1, b + 7 * n1, b + 8 * n1, b + 9 * n1, b + 10 * n1, 1, 0};
#pragma omp for schedule(static, 1) ordered
        for (int c = 0; c < nchunk; c++) {
            const int k0 = (int)((long long)K * c / nchunk), k1 = (int)((long long)K * (c + 1) / nchunk);
            w.lo = 1, w.hi = 0;
            for (int k = k0; k < k1; k++)
                iid_step(s, F, T, k, &w);
#pragma omp ordered
            {
                for (int d = w.lo; d <= w.hi; d++)
                    O[d] += w.acc[d];
            }
        }
    }
    /* O(d) <= L − d (the overshoot never exceeds what is left) and >= 0: clear rounding beyond them. */
    for (int d = 1; d < L; d++) {
        if (O[d] > L - d)
            O[d] = L - d;
        if (O[d] < 0)
            O[d] = 0;
    }
    O[0] = O[L] = 0.0;
    free(buf), free(FT);
    return DLMKL_OK;
}

/* A mixture drawn once per run: O = Σ_i w_i O_i (the overshoot is an expectation). */
static int overshoot_mix(const dlmkl_schedule *s, double *O, int (*f)(const dlmkl_schedule *, double *))
{
    const int L = s->L;
    int st = dlmkl_check_memory(((size_t)L + 1) * sizeof(double), "the overshoot of a component");
    double *Oi = st == DLMKL_OK ? malloc(((size_t)L + 1) * sizeof *Oi) : NULL;
    if (st == DLMKL_OK && !Oi)
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    if (st == DLMKL_OK)
        memset(O, 0, ((size_t)L + 1) * sizeof *O);
    for (int i = 0; i < s->ncomp && st == DLMKL_OK; i++)
        if ((st = f(s->comp[i], Oi)) == DLMKL_OK)
            for (int d = 0; d <= L; d++)
                O[d] += s->comp_w[i] * Oi[d];
    free(Oi);
    return st;
}

int dlmkl_overshoot(const dlmkl_schedule *s, double *O)
{
    switch (s->kind) {
    case DLMKL_SCHED_MIX:
        return overshoot_mix(s, O, dlmkl_overshoot);
    case DLMKL_SCHED_FIXED:
        return overshoot_fixed(s, O);
    case DLMKL_SCHED_COMPOSITION:
        return overshoot_composition(s, O);
    case DLMKL_SCHED_IID:
        return overshoot_iid(s, O);
    case DLMKL_SCHED_LAW:
    case DLMKL_SCHED_POWER:
        return dlmkl_overshoot_dp(s, O);
    }
    return dlmkl_error(DLMKL_EINVAL, "unknown schedule kind");
}

double dlmkl_kl_from_overshoot(const dlmkl_profile *prof, const double *O)
{
    const double *h = prof->h;
    double acc = 0;
    for (int d = 1; d < prof->L; d++) {
        double dZ = (h[d] - h[d - 1]) - (h[d + 1] - h[d]); /* ΔZ_{d+1} = Z_{d+1} − Z_d */
        acc += dZ * O[d];
    }
    return acc;
}

/* ---- O(d) of i.i.d. reveal times by order statistics (one d at a time), in double ----
 *
 * With U_1..U_L i.i.d. uniform and token i revealed at the step k with F_{k−1} < U_i <= F_k, the
 * d-th smallest U_(d) = u lands in a reveal interval with right end R(u), and the L − d larger ones
 * are uniform on (u, 1). So O(d) = E[(L − d)(R(u) − u)/(1 − u)] = L ∫_0^1 (R(u) − u) g_d(u) du with
 * g_d the Beta(d, L − d) density (L − 1)·b(d − 1; L − 2, u). Every integrand is >= 0.
 *
 * Plain double throughout (no long double, no reliance on infinities): every point is carried as the
 * pair (u, v = 1 − u), each from its own end of the reveal interval, so neither is formed as 1 − (the
 * other); the exponents of ln g_d (of order L) multiply only quantities taken from the smaller of u, v
 * (log1p for the larger), and the binomial's deviation n·u − a is formed from the smaller one. */

/* stirlerr(n) = ln n! − ((n + ½) ln n − n + ln√(2π)) at n = 1..40 (mpmath, 40 digits, rounded). */
static const double stirlerr_tab[40] = {
    0.08106146679532726,  0.0413406959554093,   0.02767792568499834,  0.020790672103765093,
    0.016644691189821193, 0.013876128823070748, 0.01189670994589177,  0.010411265261972096,
    0.009255462182712733, 0.00833056343336287,  0.007573675487951841, 0.00694284010720953,
    0.006408994188004207, 0.0059513701127588475, 0.005554733551962801, 0.0052076559196096404,
    0.004901395948434738, 0.004629153749334028, 0.004385560249232324, 0.004166319691996922,
    0.00396795421864086,  0.0037876180684444346, 0.0036229602246830948, 0.003472021382978767,
    0.003333155636728093, 0.003204970228055038, 0.0030862786826087773, 0.002976063983550409,
    0.0028734493623524663, 0.0027776749297526936, 0.002688078828531143, 0.0026040819192516564,
    0.0025251752497567844, 0.002450909735438118, 0.002380887608234112, 0.002314755290514684,
    0.002252197424337524, 0.002192931843287834, 0.0021367053177525,   0.0020832899383024218};

/* stirlerr at an integer n >= 1: the table, else the asymptotic series (next term < 1e-22 at n > 40). */
static double stirlerr_int(double n)
{
    if (n <= 40)
        return stirlerr_tab[(int)n - 1];
    const double nn = n * n;
    const double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260, S3 = 1.0 / 1680, S4 = 1.0 / 1188,
                 S5 = 691.0 / 360360;
    return (S0 - (S1 - (S2 - (S3 - (S4 - S5 / nn) / nn) / nn) / nn) / nn) / n;
}

/* Loader's bd0(x, M) = x ln(x/M) + M − x for x > 0, with M = x + e given through e = M − x (so that no
 * difference of two large numbers is formed): the series in (x − M)/(x + M) near M = x, else
 * e − x·log1p(e/x). */
static double bd0_e(double x, double e)
{
    const double sum = 2 * x + e; /* x + M > 0 */
    if (fabs(e) < 0.1 * sum) {
        double v = -e / sum, s = -e * v, ej = 2 * x * v;
        v *= v;
        for (int j = 1; j < 1000; j++) {
            ej *= v;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s1;
            s = s1;
        }
        return s;
    }
    return e - x * log1p(e / x);
}

typedef struct beta_ctx {
    int L, d;
    double n, a, b; /* L − 2 and the exponents d − 1, L − d − 1 */
    double lconst;  /* ln(L − 1) + the stirlerr and √ terms of b(d − 1; L − 2, ·) */
} beta_ctx;

static void beta_init(beta_ctx *c, int L, int d)
{
    c->L = L, c->d = d;
    c->n = L - 2, c->a = d - 1, c->b = L - d - 1;
    c->lconst = log((double)L - 1);
    if (c->a > 0 && c->b > 0)
        c->lconst += stirlerr_int(c->n) - stirlerr_int(c->a) - stirlerr_int(c->b) +
                     0.5 * log(c->n / (6.283185307179586 * c->a * c->b));
}

/* ln g_d at the point (u, v), u + v = 1, each accurate on its own. */
static double beta_log(const beta_ctx *c, double u, double v)
{
    const int su = u <= v; /* u is the smaller one */
    if (c->a == 0 && c->b == 0)
        return c->lconst;
    if (c->a == 0)
        return c->lconst + c->n * (su ? log1p(-u) : log(v));
    if (c->b == 0)
        return c->lconst + c->n * (su ? log(u) : log1p(-v));
    const double e = su ? c->n * u - c->a : c->b - c->n * v; /* n·u − a = b − n·v */
    return c->lconst - bd0_e(c->a, e) - bd0_e(c->b, -e);
}

/* The local scale of ln g_d = a ln u + b ln v + const: an upper bound of |ℓ'| + √|ℓ''|. Finite at every
 * point the quadrature visits (u >= BETA_TINY where a > 0, v >= BETA_TINY where b > 0). */
static double beta_scale(const beta_ctx *c, double u, double v)
{
    double d1 = 0, d2 = 0;
    if (c->a > 0)
        d1 += c->a / u, d2 += sqrt(c->a) / u;
    if (c->b > 0)
        d1 -= c->b / v, d2 += sqrt(c->b) / v;
    return fabs(d1) + d2;
}

/* 16-point Gauss–Legendre nodes and weights on [0, 1] (mpmath, 50 digits, rounded). */
#define BETA_GL 16
static const double beta_gl[BETA_GL][2] = {
    {0.005299532504175033, 0.013576229705877048}, {0.02771248846338371, 0.031126761969323947},
    {0.06718439880608412, 0.04757925584124639},   {0.12229779582249849, 0.06231448562776694},
    {0.19106187779867811, 0.07479799440828837},   {0.2709916111713863, 0.08457825969750127},
    {0.35919822461037054, 0.09130170752246179},   {0.4524937450811813, 0.09472530522753425},
    {0.5475062549188188, 0.09472530522753425},    {0.6408017753896295, 0.09130170752246179},
    {0.7290083888286137, 0.08457825969750127},    {0.8089381222013219, 0.07479799440828837},
    {0.8777022041775016, 0.06231448562776694},    {0.9328156011939158, 0.04757925584124639},
    {0.9722875115366163, 0.031126761969323947},   {0.994700467495825, 0.013576229705877048}};

/* Shorter Gauss–Legendre rules on [0, 1] (mpmath, 50 digits, rounded) for pieces where ln g_d barely moves:
 * with t = h·(|ℓ'| + √|ℓ''|) over the piece, the n-point rule's relative error on (linear)·e^ℓ is at most
 * about c_n·(√(2n)·t)^{2n}·(1 + 4n/t)·e^t, c_n = (n!)^4/((2n + 1)((2n)!)^3) (c_4 = 5.6e-10, c_8 = 1.7e-23),
 * below 1e-16 for n = 4 at t <= 0.02 and n = 8 at t <= 0.5 (the 16-point rule takes the rest, t <= 2). Near
 * u = 1 (or 0) many short reveal intervals meet the window of g_d; there each half interval is one piece
 * with a small t and four points instead of sixteen. */
static const double beta_gl4[4][2] = {
    {0.069431844202973712, 0.17392742256872693}, {0.33000947820757187, 0.32607257743127307},
    {0.66999052179242813, 0.32607257743127307}, {0.93056815579702629, 0.17392742256872693}};
static const double beta_gl8[8][2] = {
    {0.019855071751231884, 0.05061426814518813}, {0.10166676129318663, 0.11119051722668724},
    {0.23723379504183551, 0.15685332293894364},  {0.4082826787521751, 0.18134189168918099},
    {0.5917173212478249, 0.18134189168918099},   {0.76276620495816449, 0.15685332293894364},
    {0.89833323870681337, 0.11119051722668724},  {0.98014492824876812, 0.05061426814518813}};
static const struct {
    double tmax;
    int n;
    const double (*nodes)[2];
} beta_rules[] = {{0.02, 4, beta_gl4}, {0.5, 8, beta_gl8}};
#define BETA_NRULES ((int)(sizeof beta_rules / sizeof beta_rules[0]))

/* Nats below the maximum of ln g_d beyond which the density is dropped: e^-400 < 1e-173, far below
 * anything the factor R(u) − u <= 1 against its smallest value (>= 1/(4K) over a quarter of an
 * interval) and the window width can lift to 1e-17 of O(d). */
#define BETA_CUT 400.0
/* Largest piece: h·(|ℓ'| + √|ℓ''|) <= BETA_STEP at both of its ends. */
#define BETA_STEP 2.0
/* Window ends are kept >= this where the density vanishes there (a > 0 at u = 0, b > 0 at v = 0): the
 * density below it is < (L − 1)·L^a·1e-290 (nothing), and a/u, √a/u stay finite. */
#define BETA_TINY 1e-290
/* Pieces per O(d) before the quadrature gives up with an error (never drops mass silently). */
#define BETA_MAX_PIECES 50000000L

/* The window of u where ln g_d >= max − BETA_CUT, as [ulo, 1 − vlo] with ulo and vlo each found by
 * bisection on its own side of the mode (ln g_d is concave); a bisection point t and 1 − t carry no
 * rounding when t >= ½, and below ½ only the smaller one (t) is read. */
static void beta_window(const beta_ctx *c, double *ulo, double *vlo)
{
    const double umode = c->n > 0 ? c->a / c->n : 0.5, vmode = c->n > 0 ? c->b / c->n : 0.5;
    const double top = beta_log(c, umode, vmode) - BETA_CUT;
    *ulo = *vlo = 0;
    if (c->a > 0) {
        double lo = 0, hi = umode;
        for (int it = 0; it < 5000; it++) {
            double mid = lo + (hi - lo) / 2;
            if (!(mid > lo && mid < hi))
                break;
            if (beta_log(c, mid, 1 - mid) < top)
                lo = mid;
            else
                hi = mid;
        }
        *ulo = lo > BETA_TINY ? lo : BETA_TINY;
    }
    if (c->b > 0) {
        double lo = 0, hi = vmode;
        for (int it = 0; it < 5000; it++) {
            double mid = lo + (hi - lo) / 2;
            if (!(mid > lo && mid < hi))
                break;
            if (beta_log(c, 1 - mid, mid) < top)
                lo = mid;
            else
                hi = mid;
        }
        *vlo = lo > BETA_TINY ? lo : BETA_TINY;
    }
}

/* Neumaier's compensated sum. */
typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double x)
{
    const double t = k->s + x;
    k->c += fabs(k->s) >= fabs(x) ? (k->s - t) + x : (x - t) + k->s;
    k->s = t;
}

/* One half of a reveal interval: the points z in [z0, z1], with (u, v) = (u0 + sgn·z, v0 − sgn·z) and
 * integrand factor R(u) − u = r0 − sgn·z (left half: from the interval's left end, sgn = +1, r0 = π_k;
 * right half: from its right end, sgn = −1, r0 = 0). Adds ∫ (R − u) g_d dz to acc; counts pieces. */
static int beta_half(const beta_ctx *c, double u0, double v0, double r0, double sgn, double z0, double z1,
                     ksum *acc, long *pieces)
{
    double z = z0;
    while (z < z1) {
        const double sa = beta_scale(c, u0 + sgn * z, v0 - sgn * z);
        double h = z1 - z;
        int last = 1;
        if (h * sa > BETA_STEP)
            h = 0.75 * BETA_STEP / sa, last = 0;
        double sm;
        for (int it = 0;; it++) {
            const double sb = beta_scale(c, u0 + sgn * (z + h), v0 - sgn * (z + h));
            sm = sa > sb ? sa : sb;
            if (h * sm <= BETA_STEP)
                break;
            if (it >= 200 || !isfinite(sm))
                return dlmkl_error(DLMKL_EINVAL, "the order-statistic quadrature of O(%d) found no piece at u = %.17g "
                                                 "(scale %g); this is a bug", c->d, u0 + sgn * z, sm);
            h = 0.75 * BETA_STEP / sm, last = 0; /* a margin of 3/4 ends the search in a few rounds */
        }
        if (!(h > 0) || (!last && !(z + h > z)) || ++*pieces > BETA_MAX_PIECES)
            return dlmkl_error(DLMKL_ECOST, "the order-statistic quadrature of O(%d) needs more than %ld pieces "
                                            "or a piece below the rounding at u = %.17g", c->d, BETA_MAX_PIECES,
                               u0 + sgn * z);
        /* the smallest rule of beta_rules whose bound on the relative error is below 1e-16 here */
        const double (*gl)[2] = beta_gl;
        int ngl = BETA_GL;
        for (int r = 0; r < BETA_NRULES; r++)
            if (h * sm <= beta_rules[r].tmax) {
                gl = beta_rules[r].nodes, ngl = beta_rules[r].n;
                break;
            }
        double part = 0;
        for (int i = 0; i < ngl; i++) {
            const double t = z + h * gl[i][0];
            part += gl[i][1] * (r0 - sgn * t) * exp(beta_log(c, u0 + sgn * t, v0 - sgn * t));
        }
        ksum_add(acc, part * h);
        z = last ? z1 : z + h;
    }
    return DLMKL_OK;
}

/* O(d) from the heads F[k] = Σ_{j<k} π_j and tails T[k] = Σ_{j>=k} π_j (k = 0..K). Each reveal interval
 * (F_k, F_{k+1}] is split at its middle; the left half is read from its left end (u = F_k + x,
 * v = T_k − x, R − u = π_k − x), the right half from its right end (u = F_{k+1} − y, v = T_{k+1} + y,
 * R − u = y), so u and v are both accurate on each half. */
static int overshoot_iid_at_work(const dlmkl_schedule *s, const double *F, const double *T, int d, double *Od,
                                 long *npieces)
{
    const int K = s->nsteps;
    beta_ctx c;
    beta_init(&c, s->L, d);
    double ulo, vlo;
    beta_window(&c, &ulo, &vlo);
    /* the first step whose interval reaches past ulo (F[k+1] > ulo), the last one whose interval starts
     * before 1 − vlo (T[k] > vlo) */
    int lo = 0, hi = K - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (F[mid + 1] > ulo)
            hi = mid;
        else
            lo = mid + 1;
    }
    const int k0 = lo;
    lo = k0, hi = K - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (T[mid] > vlo)
            lo = mid;
        else
            hi = mid - 1;
    }
    const int k1 = lo;
    ksum acc = {0, 0};
    long pieces = 0;
    for (int k = k0; k <= k1; k++) {
        const double pk = s->pi[k];
        if (!(pk > 0))
            continue;
        const double half = pk / 2;
        /* left half: x in [0, π_k/2] with u >= ulo and v >= vlo */
        double z0 = ulo > F[k] ? ulo - F[k] : 0, z1 = T[k] - vlo < half ? T[k] - vlo : half;
        int st = z0 < z1 ? beta_half(&c, F[k], T[k], pk, 1.0, z0, z1, &acc, &pieces) : DLMKL_OK;
        if (st)
            return st;
        /* right half: y in [0, π_k/2] with v >= vlo and u >= ulo */
        z0 = vlo > T[k + 1] ? vlo - T[k + 1] : 0, z1 = F[k + 1] - ulo < half ? F[k + 1] - ulo : half;
        st = z0 < z1 ? beta_half(&c, F[k + 1], T[k + 1], 0.0, -1.0, z0, z1, &acc, &pieces) : DLMKL_OK;
        if (st)
            return st;
    }
    *Od = (acc.s + acc.c) * s->L;
    *npieces = pieces;
    return DLMKL_OK;
}

static int overshoot_iid_at_ht(const dlmkl_schedule *s, const double *F, const double *T, int d, double *Od)
{
    long unused;
    return overshoot_iid_at_work(s, F, T, d, Od, &unused);
}

/* F and T of the double π_k, each summed from its own small end with compensation (to the rounding of
 * the result). */
static void heads_tails_d(const dlmkl_schedule *s, double *F, double *T)
{
    const int K = s->nsteps;
    ksum acc = {0, 0};
    for (int k = 0; k <= K; k++) {
        F[k] = acc.s + acc.c;
        if (k < K)
            ksum_add(&acc, s->pi[k]);
    }
    acc.s = acc.c = 0;
    for (int k = K; k >= 0; k--) {
        if (k < K)
            ksum_add(&acc, s->pi[k]);
        T[k] = acc.s + acc.c;
    }
}

int dlmkl_overshoot_iid_at(const dlmkl_schedule *s, int d, double *Od)
{
    if (s->kind != DLMKL_SCHED_IID)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' does not draw i.i.d. reveal times", s->name);
    const int L = s->L, K = s->nsteps;
    if (d <= 0 || d >= L) {
        *Od = 0.0;
        return DLMKL_OK;
    }
    int st = dlmkl_check_memory(2 * ((size_t)K + 1) * sizeof(double), "the heads and tails of a schedule");
    if (st)
        return st;
    double *F = malloc(2 * ((size_t)K + 1) * sizeof *F);
    if (!F)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    double *T = F + K + 1;
    heads_tails_d(s, F, T);
    st = overshoot_iid_at_ht(s, F, T, d, Od);
    free(F);
    return st;
}

int dlmkl_kl_expected_iid_beta(const dlmkl_profile *prof, const dlmkl_schedule *s, double *kl)
{
    if (s->kind != DLMKL_SCHED_IID)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' does not draw i.i.d. reveal times", s->name);
    if (prof->L != s->L)
        return dlmkl_error(DLMKL_EINVAL, "the profile has L = %d but the schedule was built for L = %d", prof->L, s->L);
    const int L = s->L, K = s->nsteps;
    const double *h = prof->h;
    int nnz = 0;
    for (int d = 1; d < L; d++)
        nnz += (h[d] - h[d - 1]) - (h[d + 1] - h[d]) != 0;
    size_t bytes = 2 * ((size_t)K + 1) * sizeof(double) + ((size_t)nnz + 1) * (sizeof(double) + 2 * sizeof(int));
    int st = dlmkl_check_memory(bytes, "the heads and tails of a schedule");
    if (st)
        return st;
    double *F = malloc(2 * ((size_t)K + 1) * sizeof *F), *val = malloc(((size_t)nnz + 1) * sizeof *val);
    int *ds = malloc(2 * ((size_t)nnz + 1) * sizeof *ds);
    if (!F || !val || !ds) {
        free(F), free(val), free(ds);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    double *T = F + K + 1;
    int *sts = ds + nnz + 1;
    heads_tails_d(s, F, T);
    int n = 0;
    for (int d = 1; d < L; d++)
        if ((h[d] - h[d - 1]) - (h[d + 1] - h[d]) != 0)
            ds[n++] = d;
    int nthreads = dlmkl_threads();
    if (nthreads > nnz)
        nthreads = nnz > 0 ? nnz : 1;
    /* each O(d) on its own, then summed in d order: the bits do not depend on the threads */
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
    for (int i = 0; i < nnz; i++)
        sts[i] = overshoot_iid_at_ht(s, F, T, ds[i], &val[i]);
    double acc = 0;
    st = DLMKL_OK;
    for (int i = 0; i < nnz && !st; i++) {
        if (sts[i]) {
            st = dlmkl_error(sts[i], "the order-statistic quadrature of O(%d) failed (L = %d, K = %d)", ds[i], L, K);
            break;
        }
        const int d = ds[i];
        double dZ = (h[d] - h[d - 1]) - (h[d + 1] - h[d]); /* ΔZ_{d+1}, as in dlmkl_kl_from_overshoot */
        double Od = val[i];
        if (Od > L - d)
            Od = L - d;
        acc += dZ * Od;
    }
    free(F), free(val), free(ds);
    if (st)
        return st;
    *kl = acc;
    return DLMKL_OK;
}

int dlmkl_kl_expected_iid_beta_applies(const dlmkl_profile *prof, const dlmkl_schedule *s)
{
    if (s->kind != DLMKL_SCHED_IID || prof->L != s->L)
        return 0;
    const double *h = prof->h;
    int nnz = 0;
    for (int d = 1; d < prof->L; d++)
        nnz += (h[d] - h[d - 1]) - (h[d + 1] - h[d]) != 0;
    return nnz <= DLMKL_IID_BETA_MAX_TERMS;
}

/* ---- the worst case over all laws of i.i.d. reveal times: branch and bound over d ----
 *
 * worst_tc = max_d K·O(d)/(L − d) and worst_dtc = max_d K·O(d)/d need O(d) only where it can reach the
 * maximum. For d in [d1, d2]: O(d) = L E[R(U_(d)) − U_(d)] with E[R(u) − u | u in reveal interval k] at most
 * π_k·φ(Λ_k π_k) (φ from ½ to 1, Λ_k the largest fall rate of g_d on the interval: bb_obound), and U_(d)
 * (stochastically increasing in d) below x_lo(d1, c) or above x_hi(d2, c) with probability <= e^-c each
 * (Chernoff: P(U_(d) < x) = P(Bin(L, x) >= d) <= e^{−L·KL(d/L ‖ x)}, P(U_(d) > y) = P(Bin(L, y) <= d − 1) <=
 * e^{−L·KL((d−1)/L ‖ y)}), at the levels c of bb_levels up to BB_CHERNOFF, beyond which R(u) − u <= 1.
 * Where K·O(d)/(L − d) is flat in d (random-tc: about ln L/2 over most d, ln L at d = L − 1), the former
 * bound L·max π_k over the 60-nat window was twice too large to drop any block; this one is within a few
 * per cent where g_d varies slowly over each interval.
 * Blocks of d are split best bound first; a block whose bound (with a margin of 1e-9 for the rounding of
 * the computed O) is below the best ratio found is dropped, a single d is evaluated by
 * dlmkl_overshoot_iid_at's quadrature. */
#define BB_CHERNOFF 60.0
/* Budget of the quadratures, in Gauss–Legendre points (about 60 ns each with the bounds' share, measured):
 * BB_WORK_PER_CELL per window cell of the whole overshoot (dlmkl_overshoot_cost; about 1 ns each), so that a
 * branch and bound that gives up (DLMKL_ECOST, the row then takes the whole overshoot) costs at most about a
 * third more (random-tc, L = 10^6, K = 2^10: 0.7 s before the whole overshoot's 2.2 s; half this budget
 * would leave random-dtc at K = 2^14 and iid:linear at K = 2^10, 1.2 s and 0.6 s here, to the whole
 * overshoot's 10 s and 6 s), and at least BB_MIN_WORK. BB_EVAL_WORK: the fixed cost of one O(d) (its
 * window); BB_NODE_WORK: of one block's bound. */
#define BB_WORK_PER_CELL 5e-3
#define BB_MIN_WORK 1e6
#define BB_EVAL_WORK 300.0
#define BB_NODE_WORK 3000.0 /* one bound: the Chernoff points of every level */
#define BB_MAX_NODES (1 << 18) /* open blocks of d */

static double kl_bern(double p, double x)
{
    double r = 0;
    if (p > 0)
        r += p * log(p / x);
    if (p < 1)
        r += (1 - p) * log((1 - p) / (1 - x));
    return r;
}

/* A point x < d/L with L·KL(d/L ‖ x) >= nats (0 always qualifies), so P(U_(d) < x) <= e^-nats. */
static double chernoff_lo(int L, int d, double nats)
{
    const double p = (double)d / L;
    double lo = 0, hi = p;
    for (int it = 0; it < 200; it++) {
        double mid = lo + (hi - lo) / 2;
        if (!(mid > lo && mid < hi))
            break;
        if (L * kl_bern(p, mid) >= nats)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* A point y > (d − 1)/L with L·KL((d − 1)/L ‖ y) >= nats (1 always qualifies): P(U_(d) > y) <= e^-nats. */
static double chernoff_hi(int L, int d, double nats)
{
    const double p = (double)(d - 1) / L;
    double lo = p, hi = 1;
    for (int it = 0; it < 200; it++) {
        double mid = lo + (hi - lo) / 2;
        if (!(mid > lo && mid < hi))
            break;
        if (L * kl_bern(p, mid) >= nats)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

typedef struct bb_ctx {
    const dlmkl_schedule *s;
    const double *F, *T, *bmax; /* heads, tails, max of π over blocks of 64 steps */
    int L, K, budget_K;
    double *O;                  /* computed O(d), NAN where not computed */
    int evals;
    double work, max_work;      /* quadrature points spent (plus BB_EVAL_WORK per d), and the budget */
} bb_ctx;

/* max π_k over k in [ka, kb] */
static double bb_range_max(const bb_ctx *c, int ka, int kb)
{
    double m = 0;
    int k = ka;
    for (; k <= kb && (k & 63); k++)
        m = c->s->pi[k] > m ? c->s->pi[k] : m;
    for (; k + 63 <= kb; k += 64)
        m = c->bmax[k >> 6] > m ? c->bmax[k >> 6] : m;
    for (; k <= kb; k++)
        m = c->s->pi[k] > m ? c->s->pi[k] : m;
    return m;
}

/* The reveal intervals meeting [xlo, xhi] (one more on each side for the rounding of F). */
static void bb_krange(const bb_ctx *c, double xlo, double xhi, int *ka, int *kb)
{
    int lo = 0, hi = c->K - 1;
    while (lo < hi) { /* first k with F[k+1] > xlo */
        int mid = lo + (hi - lo) / 2;
        if (c->F[mid + 1] > xlo)
            hi = mid;
        else
            lo = mid + 1;
    }
    *ka = lo > 0 ? lo - 1 : 0;
    lo = 0, hi = c->K - 1;
    while (lo < hi) { /* last k with F[k] < xhi */
        int mid = lo + (hi - lo + 1) / 2;
        if (c->F[mid] < xhi)
            lo = mid;
        else
            hi = mid - 1;
    }
    *kb = lo < c->K - 1 ? lo + 1 : c->K - 1;
    if (*kb < *ka)
        *kb = *ka;
}

/* max over the reveal intervals k in [ka, kb] of the bound π_k·φ(Λ·π_k) on E[R(u) − u | u in interval k]
 * for d >= d1 (see BB_LEVELS): Λ = max(0, −min ℓ'), ℓ' = (d − 1)/u − (L − d − 1)/(1 − u) the log-derivative
 * of g_d, is smallest at the right end u = F[kb+1] (1 − u = T[kb+1]) and at d = d1; φ(t) <= min(1, ½ + t/12)
 * is increasing, so the maximum is at the largest π_k. */
static double bb_factor(const bb_ctx *c, int ka, int kb, int d1)
{
    const double pmax = bb_range_max(c, ka, kb);
    const double a = d1 - 1, b = c->L - d1 - 1, u = c->F[kb + 1], v = c->T[kb + 1];
    double lam;
    if (b == 0)
        lam = 0;
    else if (!(v > 0))
        return pmax;
    else
        lam = b / v - (a > 0 ? a / u : 0);
    if (!(lam > 0))
        lam = 0;
    /* φ(t) = 1/(1 − e^{−t}) − 1/t (no cancellation for t >= 1), <= ½ + t/12 below */
    const double t = lam * pmax;
    const double phi = t < 1 ? 0.5 + t / 12 : 1 / -expm1(-t) - 1 / t;
    return phi < 1 ? pmax * phi : pmax;
}

/* Nested windows of U_(d), d in [d1, d2]: P(U_(d) < x_lo(d1, c)) <= e^-c and P(U_(d) > x_hi(d2, c)) <= e^-c
 * at each level c (Chernoff, as above). */
static const double bb_levels[] = {0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 23, 26,
                                   30, 34, 38, 43, 48, 54, BB_CHERNOFF};
#define BB_NLEVELS ((int)(sizeof bb_levels / sizeof bb_levels[0]))

/* Upper bound of O(d) on [d1, d2] (its cost is charged to c->work):
 *     O(d) = L Σ_k ∫_{I_k} (F_{k+1} − u) g_d(u) du <= L Σ_k π_k φ(Λ_k π_k) P(U_(d) ∈ I_k),
 * since on an interval where (ln g)' >= −Λ, g = e^{−Λu}·(non-decreasing), and by Chebyshev's association
 * inequality the mean of the decreasing F_{k+1} − u is at most its mean under the density ∝ e^{−Λu}, which
 * is π_k·φ(Λπ_k), φ(t) = 1/(1 − e^{−t}) − 1/t = ½ + (coth(t/2) − 2/t)/2 <= ½ + t/12. With Y(u) that factor
 * of the interval holding u, M_0 its max over the centre window [x_lo(d1, 0), x_hi(d2, 0)], and M_i^lo
 * (M_i^hi) its max over the centre widened to level c_i on the low (high) side,
 *     Y <= M_0 + Σ_i (M_i^lo − M_{i−1}^lo)·1[U < x_lo(c_{i−1})] + Σ_i (M_i^hi − M_{i−1}^hi)·1[U > x_hi(c_{i−1})],
 * and beyond the last level R(u) − u <= 1. Taking expectations gives the bound below; for d with a flat
 * K·O(d)/(L − d) it is about half the former L·max π_k. A margin of 1e-9 covers the rounding. */
static double bb_obound(bb_ctx *c, int d1, int d2)
{
    const int L = c->L;
    c->work += BB_NODE_WORK;
    int ka0, kb0;
    double xl = chernoff_lo(L, d1, bb_levels[0]), xh = chernoff_hi(L, d2, bb_levels[0]);
    if (xh < xl) {
        double t = xl;
        xl = xh, xh = t;
    }
    bb_krange(c, xl, xh, &ka0, &kb0);
    const double m0 = bb_factor(c, ka0, kb0, d1);
    double bound = m0, mlo = m0, mhi = m0;
    for (int i = 1; i < BB_NLEVELS; i++) {
        int ka, kb, unused;
        bb_krange(c, chernoff_lo(L, d1, bb_levels[i]), xh, &ka, &unused);
        bb_krange(c, xl, chernoff_hi(L, d2, bb_levels[i]), &unused, &kb);
        if (ka > ka0)
            ka = ka0;
        if (kb < kb0)
            kb = kb0;
        const double w = exp(-bb_levels[i - 1]);
        const double nlo = bb_factor(c, ka, kb0, d1), nhi = bb_factor(c, ka0, kb, d1);
        if (nlo > mlo)
            bound += w * (nlo - mlo), mlo = nlo;
        if (nhi > mhi)
            bound += w * (nhi - mhi), mhi = nhi;
    }
    bound += 2 * exp(-bb_levels[BB_NLEVELS - 1]);
    const double b = L * bound * (1 + 1e-9);
    return b < L - d1 ? b : L - d1; /* O(d) <= L − d */
}

static int bb_over_budget(const bb_ctx *c)
{
    return dlmkl_error(DLMKL_ECOST, "the bound on O(d) does not narrow the worst case of '%s' at L = %d, K = %d to a "
                       "few d (%d evaluations, %.3g units of quadrature and bounds, against %.3g window cells of the "
                       "whole overshoot)", c->s->name, c->L, c->K, c->evals, c->work, dlmkl_overshoot_cost(c->s));
}

static int bb_eval(bb_ctx *c, int d, double *Od)
{
    if (!isnan(c->O[d])) {
        *Od = c->O[d];
        return DLMKL_OK;
    }
    if (c->work > c->max_work)
        return bb_over_budget(c);
    long pieces = 0;
    int st = overshoot_iid_at_work(c->s, c->F, c->T, d, Od, &pieces);
    c->evals++;
    c->work += BB_EVAL_WORK + (double)pieces * BETA_GL;
    if (st)
        return st;
    if (*Od > c->L - d)
        *Od = c->L - d;
    if (*Od < 0)
        *Od = 0;
    c->O[d] = *Od;
    return DLMKL_OK;
}

typedef struct bb_node {
    double bound;
    int d1, d2;
} bb_node;

/* a before b in the heap: larger bound first, then smaller d1 (a fixed order) */
static int bb_before(const bb_node *a, const bb_node *b)
{
    return a->bound > b->bound || (a->bound == b->bound && a->d1 < b->d1);
}

static void bb_push(bb_node *h, int *n, bb_node x)
{
    int i = (*n)++;
    while (i > 0 && bb_before(&x, &h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static bb_node bb_pop(bb_node *h, int *n)
{
    bb_node top = h[0], x = h[--*n];
    int i = 0;
    for (;;) {
        int j = 2 * i + 1;
        if (j >= *n)
            break;
        if (j + 1 < *n && bb_before(&h[j + 1], &h[j]))
            j++;
        if (!bb_before(&h[j], &x))
            break;
        h[i] = h[j];
        i = j;
    }
    h[i] = x;
    return top;
}

/* One maximum by branch and bound: tc (dtc = 0) or dtc (dtc = 1). The heap holds at most 2 nodes per
 * evaluation plus the splits in flight, bounded by cap. */
static int bb_max(bb_ctx *c, int dtc, bb_node *heap, int cap, double *best, int *dbest)
{
    const int L = c->L;
    const double K = c->budget_K;
    int n = 0;
    *best = 0.0, *dbest = 1;
    bb_node root = {0, 1, L - 1};
    root.bound = K * bb_obound(c, 1, L - 1); /* divided by L − (L − 1) = 1 or by d1 = 1 */
    bb_push(heap, &n, root);
    while (n > 0) {
        bb_node b = bb_pop(heap, &n);
        if (b.bound < *best)
            break; /* every block left is below the best */
        if (b.d1 == b.d2) {
            double Od = 0;
            int st = bb_eval(c, b.d1, &Od);
            if (st)
                return st;
            const double r = K * Od / (double)(dtc ? b.d1 : L - b.d1);
            if (r > *best || (r == *best && b.d1 < *dbest))
                *best = r, *dbest = b.d1;
            continue;
        }
        if (c->work > c->max_work)
            return bb_over_budget(c);
        const int mid = b.d1 + (b.d2 - b.d1) / 2;
        const int lo[2] = {b.d1, mid + 1}, hi[2] = {mid, b.d2};
        for (int i = 0; i < 2; i++) {
            bb_node x = {0, lo[i], hi[i]};
            x.bound = K * bb_obound(c, lo[i], hi[i]) / (double)(dtc ? lo[i] : L - hi[i]);
            if (x.bound < *best)
                continue;
            if (n >= cap)
                return dlmkl_error(DLMKL_ECOST, "the bound on O(d) does not narrow the worst case of '%s' at L = %d "
                                   "to a few d (more than %d open blocks)", c->s->name, L, cap);
            bb_push(heap, &n, x);
        }
    }
    return DLMKL_OK;
}

int dlmkl_worst_iid_beta(const dlmkl_schedule *s, int K, dlmkl_worst *w)
{
    if (s->kind != DLMKL_SCHED_IID)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' does not draw i.i.d. reveal times", s->name);
    const int L = s->L, nK = s->nsteps;
    if (K <= 0)
        K = s->budget > 0 ? s->budget : s->nsteps;
    w->L = L, w->K = K, w->ln_L = log((double)L);
    w->worst_tc = w->worst_dtc = L > 1 ? 0.0 : NAN;
    w->d_tc = w->d_dtc = L > 1 ? 1 : 0;
    if (L < 2)
        return DLMKL_OK;
    const int cap = BB_MAX_NODES;
    const size_t nb = (size_t)nK / 64 + 1;
    size_t bytes = (2 * ((size_t)nK + 1) + nb + (size_t)L + 1) * sizeof(double) + (size_t)cap * sizeof(bb_node);
    int st = dlmkl_check_memory(bytes, "the branch and bound of a worst case");
    if (st)
        return st;
    double *F = malloc((2 * ((size_t)nK + 1) + nb + (size_t)L + 1) * sizeof *F);
    bb_node *heap = malloc((size_t)cap * sizeof *heap);
    if (!F || !heap) {
        free(F), free(heap);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    double *T = F + nK + 1, *bmax = T + nK + 1, *O = bmax + nb;
    heads_tails_d(s, F, T);
    for (size_t b = 0; b < nb; b++) {
        double m = 0;
        for (size_t k = 64 * b; k < 64 * b + 64 && k < (size_t)nK; k++)
            m = s->pi[k] > m ? s->pi[k] : m;
        bmax[b] = m;
    }
    for (int d = 0; d <= L; d++)
        O[d] = NAN;
    double max_work = BB_WORK_PER_CELL * dlmkl_overshoot_cost(s);
    bb_ctx c = {s, F, T, bmax, L, nK, K, O, 0, 0, max_work > BB_MIN_WORK ? max_work : BB_MIN_WORK};
    st = bb_max(&c, 0, heap, cap, &w->worst_tc, &w->d_tc);
    if (st == DLMKL_OK)
        st = bb_max(&c, 1, heap, cap, &w->worst_dtc, &w->d_dtc);
    free(F), free(heap);
    return st;
}
