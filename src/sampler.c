/* sampler.c: the extended marginal table (the exact conditional oracle) and a simulator of the
 * parallel unmasking sampler that reads it (definitions and conventions in sampler.h). */
#include "dlmkl/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int dlmkl_ext_size(int L, int V, uint64_t *n)
{
    if (V < 2 || L < 1 || L > DLMKL_MAX_L)
        return dlmkl_error(DLMKL_EINVAL, "extended table: need V >= 2 and 1 <= L <= %d (got L = %d, V = %d)",
                           DLMKL_MAX_L, L, V);
    uint64_t r = 1;
    for (int i = 0; i < L; i++)
        if (__builtin_mul_overflow(r, (uint64_t)(V + 1), &r))
            return dlmkl_error(DLMKL_ETOOBIG,
                               "the table of partial states has (V+1)^L = %d^%d entries, which overflows 64 bits; "
                               "use a smaller L or V",
                               V + 1, L);
    *n = r;
    return DLMKL_OK;
}

uint64_t dlmkl_ext_index(int L, int V, uint64_t idx)
{
    /* digits of idx in base V, least significant = coordinate L−1, re-weighted by (V+1)^(L−1−i) */
    uint64_t e = 0, w = 1;
    for (int i = L - 1; i >= 0; i--) {
        e += (idx % (uint64_t)V) * w;
        idx /= (uint64_t)V;
        w *= (uint64_t)(V + 1);
    }
    return e;
}

void dlmkl_ext_walk_init(dlmkl_ext_walk *w, int L, int V)
{
    w->L = L;
    w->V = V;
    w->e = 0;
    memset(w->dig, 0, sizeof w->dig);
    w->pw[L - 1] = 1;
    for (int i = L - 2; i >= 0; i--)
        w->pw[i] = w->pw[i + 1] * (uint64_t)(V + 1);
}

void dlmkl_ext_walk_next(dlmkl_ext_walk *w)
{
    /* odometer on the digits of x; a digit going v -> v+1 adds pw[i], wrapping V−1 -> 0 subtracts (V−1)·pw[i] */
    for (int i = w->L - 1; i >= 0; i--) {
        if (++w->dig[i] < w->V) {
            w->e += w->pw[i];
            return;
        }
        w->e -= (uint64_t)(w->V - 1) * w->pw[i];
        w->dig[i] = 0;
    }
}

int dlmkl_ext_marginals(const dlmkl_dist *d, double *M)
{
    const int L = d->L, V = d->V;
    uint64_t N;
    int st = dlmkl_ext_size(L, V, &N);
    if (st != DLMKL_OK)
        return st;
    /* full strings: M[x] = p(x); every other entry starts at 0 */
    memset(M, 0, N * sizeof *M);
    dlmkl_ext_walk walk;
    dlmkl_ext_walk_init(&walk, L, V);
    for (uint64_t x = 0; x < d->n; x++, dlmkl_ext_walk_next(&walk))
        M[walk.e] = d->p[x];
    /* Sum out coordinate i = L−1, ..., 0: M[..V..] = Σ_v M[..v..] (digit i). After the stages for
     * the coordinates in a set S, every entry whose masked digits all lie in S is exact (induction:
     * its summands have one masked digit fewer). Entries with a masked digit outside S are
     * recomputed at that coordinate's stage, so their interim values do not matter. */
    const int nthreads = dlmkl_threads();
    (void)nthreads; /* read only by the OpenMP pragma (unused in a build without OpenMP) */
    uint64_t stride = 1; /* (V+1)^(L−1−i) */
    for (int i = L - 1; i >= 0; i--) {
        const uint64_t block = stride * (uint64_t)(V + 1), nblocks = N / block;
#pragma omp parallel for schedule(static) num_threads(nthreads)
        for (uint64_t hi = 0; hi < nblocks; hi++) {
            double *b = M + hi * block;
            for (uint64_t lo = 0; lo < stride; lo++) {
                double sum = 0.0;
                for (int v = 0; v < V; v++)
                    sum += b[lo + (uint64_t)v * stride];
                b[lo + (uint64_t)V * stride] = sum;
            }
        }
        stride = block;
    }
    return DLMKL_OK;
}

/* The step laws P(s_k = · | m_k = m) are cached per (k, m) when the whole cache, K·(L+1)^2 doubles,
 * takes at most this many bytes; beyond (huge K) each is recomputed when needed, O(L) per step. The
 * choice changes speed only, never a draw. */
#define SAMPLER_LAW_CACHE_BYTES (64.0 * 1024 * 1024)

struct dlmkl_sampler {
    const dlmkl_dist *d;
    const dlmkl_schedule *s;
    int L, V, K, ordered;
    uint64_t N;
    uint64_t pw[DLMKL_MAX_L];  /* (V+1)^(L−1−i) */
    double *M;                 /* extended marginal table (owned unless borrowed from ws) */
    dlmkl_kl_output_workspace *ws; /* the workspace M is borrowed from, or NULL */
    int *order;                /* ordered policies: the reveal order */
    double *law;               /* random sizes: cache of P(s_k = s | m_k = m), row (k, m) of L+1,
                                  or (no cache) one row of L+1 */
    unsigned char *law_done;   /* row computed? NULL: no cache */
    int unmasked[DLMKL_MAX_L]; /* work: the masked positions */
    int A[DLMKL_MAX_L];        /* work: the positions revealed in this iteration */
};

double dlmkl_sampler_bytes(const dlmkl_dist *d)
{
    return pow((double)d->V + 1.0, (double)d->L) * (double)sizeof(double);
}

void dlmkl_sampler_free(dlmkl_sampler *smp)
{
    if (!smp)
        return;
    if (smp->ws)
        dlmkl_klo_ws_return(smp->ws);
    else
        free(smp->M);
    free(smp->order);
    free(smp->law);
    free(smp->law_done);
    free(smp);
}

/* The sampler, with its own table (ws NULL) or the table of ws (of d). */
static int sampler_alloc(const dlmkl_dist *d, dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s,
                         const dlmkl_positions *pos, dlmkl_sampler **out)
{
    *out = NULL;
    int st0 = dlmkl_schedule_check_dist(s, d, "sampler");
    if (st0 == DLMKL_OK && s->kind == DLMKL_SCHED_MIX)
        st0 = dlmkl_error(DLMKL_EINVAL, "sampler: schedule '%s' is a mixture drawn once per run; simulate each "
                          "component (its output law is the weighted mixture of theirs)", s->name);
    if (st0 != DLMKL_OK)
        return st0;
    const int L = d->L, V = d->V, K = s->nsteps;
    uint64_t N;
    int st = dlmkl_ext_size(L, V, &N);
    if (st != DLMKL_OK)
        return st;
    if (N > SIZE_MAX / sizeof(double))
        return dlmkl_error(DLMKL_ETOOBIG, "the sampler's table of partial states ((V+1)^L = %d^%d doubles) exceeds the address space",
                           V + 1, L);
    char what[160];
    snprintf(what, sizeof what, "the sampler's oracle for L = %d, V = %d (the table of partial states, (V+1)^L = %llu doubles)",
             L, V, (unsigned long long)N);
    if (!ws && (st = dlmkl_check_memory((size_t)N * sizeof(double), what)) != DLMKL_OK)
        return st;
    const size_t L1 = (size_t)L + 1;
    const int fixed = s->kind == DLMKL_SCHED_FIXED;
    const int cache = !fixed && (double)K * (double)L1 * (double)L1 * sizeof(double) <= SAMPLER_LAW_CACHE_BYTES;
    dlmkl_sampler *smp = calloc(1, sizeof *smp);
    if (!smp)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the sampler");
    smp->d = d, smp->s = s, smp->L = L, smp->V = V, smp->K = K, smp->N = N;
    smp->ordered = pos && pos->kind != DLMKL_POS_RANDOM;
    smp->pw[L - 1] = 1;
    for (int i = L - 2; i >= 0; i--)
        smp->pw[i] = smp->pw[i + 1] * (uint64_t)(V + 1);
    if (!ws)
        smp->M = malloc(N * sizeof *smp->M);
    else if ((st = dlmkl_klo_ws_lend(ws, d, &smp->M)) != DLMKL_OK) {
        free(smp);
        return st;
    } else
        smp->ws = ws;
    if (smp->ordered)
        smp->order = malloc(L1 * sizeof *smp->order);
    if (cache) {
        smp->law = malloc((size_t)K * L1 * L1 * sizeof *smp->law);
        smp->law_done = calloc((size_t)K * L1, 1);
    } else if (!fixed) {
        smp->law = malloc(L1 * sizeof *smp->law);
    }
    if (!smp->M || (smp->ordered && !smp->order) || (!fixed && !smp->law) || (cache && !smp->law_done)) {
        dlmkl_sampler_free(smp);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
    }
    if ((!ws && (st = dlmkl_ext_marginals(d, smp->M)) != DLMKL_OK) ||
        (smp->ordered && (st = dlmkl_positions_order(pos, L, K, smp->order)) != DLMKL_OK)) {
        dlmkl_sampler_free(smp);
        return st;
    }
    *out = smp;
    return DLMKL_OK;
}

int dlmkl_sampler_alloc(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos,
                        dlmkl_sampler **out)
{
    return sampler_alloc(d, NULL, s, pos, out);
}

int dlmkl_sampler_alloc_ws(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos,
                           dlmkl_sampler **out)
{
    *out = NULL;
    if (!ws)
        return dlmkl_error(DLMKL_EINVAL, "sampler: no kl_output workspace given");
    return sampler_alloc(dlmkl_klo_ws_dist(ws), ws, s, pos, out);
}

/* s_k given m_k = m, by inverse CDF of the step law with one uniform. */
static int draw_size(dlmkl_sampler *smp, gsl_rng *r, int k, int m, int *size)
{
    const dlmkl_schedule *s = smp->s;
    const int L = smp->L;
    if (s->kind == DLMKL_SCHED_FIXED) {
        *size = s->sizes[k];
        if (*size < 0 || *size > L - m)
            return dlmkl_error(DLMKL_EINVAL, "schedule '%s': step %d reveals %d tokens but %d are masked",
                               s->name ? s->name : "?", k + 1, *size, L - m);
        return DLMKL_OK;
    }
    const size_t L1 = (size_t)L + 1, row = (size_t)k * L1 + (size_t)m;
    double *ps = smp->law_done ? smp->law + row * L1 : smp->law;
    if (!smp->law_done || !smp->law_done[row]) {
        int st = dlmkl_schedule_step_law(s, k, m, ps);
        if (st != DLMKL_OK)
            return st;
        if (smp->law_done)
            smp->law_done[row] = 1;
    }
    /* smallest j with u < P(s ≤ j); rounding leftovers go to the largest size of positive prob. */
    const double u = gsl_rng_uniform(r);
    double c = 0.0;
    int last = -1;
    for (int j = 0; j <= L - m; j++) {
        if (!(ps[j] > 0))
            continue;
        last = j;
        c += ps[j];
        if (u < c) {
            *size = j;
            return DLMKL_OK;
        }
    }
    if (last < 0)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s': no size has positive probability at step %d with %d revealed",
                           s->name ? s->name : "?", k + 1, m);
    *size = last;
    return DLMKL_OK;
}

int dlmkl_sampler_draw(dlmkl_sampler *smp, gsl_rng *r, int *x, uint64_t *idx)
{
    const int L = smp->L, V = smp->V;
    const double *M = smp->M;
    int nmasked = L, st;
    for (int i = 0; i < L; i++)
        smp->unmasked[i] = i;
    uint64_t y = smp->N - 1; /* all masked */
    int m = 0;
    for (int k = 0; k < smp->K; k++) {
        int sz = 0;
        if ((st = draw_size(smp, r, k, m, &sz)) != DLMKL_OK)
            return st;
        if (sz < 0 || sz > nmasked) /* keeps gsl_rng_uniform_int's bound below in 1..nmasked */
            return dlmkl_error(DLMKL_EINVAL, "schedule '%s': step %d reveals %d tokens but %d are masked",
                               smp->s->name ? smp->s->name : "?", k + 1, sz, nmasked);
        int *A = smp->A;
        if (smp->ordered) {
            for (int j = 0; j < sz; j++)
                A[j] = smp->order[m + j];
        } else {
            /* partial Fisher–Yates: the first sz entries become a uniform sz-subset */
            int *U = smp->unmasked;
            for (int j = 0; j < sz; j++) {
                int q = j + (int)gsl_rng_uniform_int(r, (unsigned long)(nmasked - j));
                int tmp = U[j];
                U[j] = U[q], U[q] = tmp;
            }
            /* the revealed ones leave the masked list; the rest keep their relative order */
            memcpy(A, U, (size_t)sz * sizeof *A);
            memmove(U, U + sz, (size_t)(nmasked - sz) * sizeof *U);
        }
        nmasked -= sz;
        /* sort A so tokens are drawn in increasing position (documented order of uniforms) */
        for (int a = 1; a < sz; a++)
            for (int b = a; b > 0 && A[b - 1] > A[b]; b--) {
                int tmp = A[b];
                A[b] = A[b - 1], A[b - 1] = tmp;
            }
        /* x_i ~ p(· | x_B) = M[y with digit i := v] / M[y], all given the same y (state before k) */
        const double My = M[y];
        uint64_t ynew = y;
        for (int j = 0; j < sz; j++) {
            const int i = A[j];
            const uint64_t base = y - (uint64_t)V * smp->pw[i]; /* digit i := 0 */
            int v;
            if (My > 0) {
                const double u = gsl_rng_uniform(r) * My;
                double c = 0.0;
                int last = -1;
                for (v = 0; v < V; v++) {
                    const double pv = M[base + (uint64_t)v * smp->pw[i]];
                    if (pv > 0)
                        last = v;
                    c += pv;
                    if (pv > 0 && u < c)
                        break;
                }
                if (v == V)
                    v = last; /* rounding: u ≥ the computed sum */
            } else {
                /* impossible state: uniform continuation (sampler.h) */
                v = (int)gsl_rng_uniform_int(r, (unsigned long)V);
            }
            ynew -= (uint64_t)(V - v) * smp->pw[i];
        }
        y = ynew;
        m += sz;
    }
    if (m != L)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' left %d of %d tokens masked after K = %d iterations",
                           smp->s->name ? smp->s->name : "?", L - m, L, smp->K);
    uint64_t t = 0;
    for (int i = 0; i < L; i++) {
        x[i] = (int)((y / smp->pw[i]) % (uint64_t)(V + 1));
        t = t * (uint64_t)V + (uint64_t)x[i];
    }
    if (idx)
        *idx = t;
    return DLMKL_OK;
}

int dlmkl_sampler_counts(dlmkl_sampler *smp, unsigned long seed, uint64_t n, uint64_t *counts)
{
    if (seed < DLMKL_SEED_MIN || seed > DLMKL_SEED_MAX)
        return dlmkl_error(DLMKL_EINVAL, "seed = %lu is out of range; need %lu <= seed <= %lu (GSL's mt19937 keeps "
                           "32 bits of the seed and maps 0 to its default seed)", seed, DLMKL_SEED_MIN, DLMKL_SEED_MAX);
    gsl_rng *r = dlmkl_rng_alloc(seed); /* NULL when out of memory, never GSL's handler */
    if (!r)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the random number generator");
    int x[DLMKL_MAX_L], st = DLMKL_OK;
    for (uint64_t j = 0; j < n && st == DLMKL_OK; j++) {
        uint64_t idx;
        if ((st = dlmkl_sampler_draw(smp, r, x, &idx)) == DLMKL_OK)
            counts[idx]++;
    }
    gsl_rng_free(r);
    return st;
}
