/* kl.c: kl_expected — E over sizes and positions of KL(p ‖ q_path) — exactly, and the bounds.
 *
 * Random positions (Chen, Cong & Li 2026, Thm 16 with Lemma 13): given m_k revealed, revealing s_k
 * uniformly chosen tokens costs in expectation
 *     c(m, s) = s·(h(m+1) − h(m)) − (h(m+s) − h(m)) = Σ_{j=1}^{s} (Z_{m+j} − Z_{m+1}),
 * and kl_expected = E Σ_k c(m_k, s_k). Since c is linear in s but for h(m+s), per step
 *     E c(m_k, s_k) = E[ E[s_k | m_k]·Δh(m_k) + h(m_k) ] − E[ h(m_{k+1}) ],   Δh(m) = h(m+1) − h(m),
 * so only the marginal laws of m_k and the conditional means E[s_k | m_k] are needed.
 *
 * Ordered positions (l2r, stride): the path is deterministic given the sizes, and the chain rule gives
 * KL(p ‖ q_path) = Σ_k TC(X_{A_k} | X_{B_k}) (conditional total correlation). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "dlmkl/kl.h"
#include "dlmkl/overshoot.h"
#include "internal.h"

static int kl_fixed(const dlmkl_profile *prof, const dlmkl_schedule *s, double *kl)
{
    double acc = 0;
    int m = 0;
    for (int k = 0; k < s->nsteps; k++) {
        acc += dlmkl_step_cost(prof->h, m, s->sizes[k]);
        m += s->sizes[k];
    }
    *kl = acc;
    return DLMKL_OK;
}

/* Random sizes (i.i.d. reveal times, compositions): Σ_d ΔZ_{d+1}·O(d) from the schedule's overshoot,
 * a sum of non-negative terms (overshoot.c). */
static int kl_overshoot(const dlmkl_profile *prof, const dlmkl_schedule *s, double *kl)
{
    double *O;
    int st = dlmkl_overshoot_alloc(s, &O);
    if (st == DLMKL_OK && (st = dlmkl_overshoot(s, O)) == DLMKL_OK)
        *kl = dlmkl_kl_from_overshoot(prof, O);
    free(O);
    return st;
}

/* E Σ_k cost(m_k, s_k) by the forward DP over (k, m) with the schedule's step law. O(K·L^2). */
typedef double (*cost_fn)(int m, int s, const void *ctx);

static int dp_expect(const dlmkl_schedule *s, cost_fn cost, const void *ctx, double *kl)
{
    const int L = s->L;
    double *P = calloc((size_t)L + 1, sizeof *P), *Q = calloc((size_t)L + 1, sizeof *Q);
    double *ps = malloc(((size_t)L + 1) * sizeof *ps);
    if (!P || !Q || !ps) {
        free(P), free(Q), free(ps);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    P[0] = 1.0;
    double acc = 0;
    int st = DLMKL_OK;
    for (int k = 0; k < s->nsteps && st == DLMKL_OK; k++) {
        memset(Q, 0, ((size_t)L + 1) * sizeof *Q);
        for (int m = 0; m <= L && st == DLMKL_OK; m++) {
            if (P[m] == 0.0)
                continue;
            if ((st = dlmkl_schedule_step_law(s, k, m, ps)) != DLMKL_OK)
                break;
            double e = 0;
            for (int j = 0; j <= L - m; j++)
                if (ps[j] > 0) {
                    e += ps[j] * cost(m, j, ctx);
                    Q[m + j] += P[m] * ps[j];
                }
            acc += P[m] * e;
        }
        double *t = P;
        P = Q, Q = t;
    }
    free(P), free(Q), free(ps);
    if (st == DLMKL_OK)
        *kl = acc;
    return st;
}

static double cost_random(int m, int s, const void *ctx)
{
    return dlmkl_step_cost((const double *)ctx, m, s);
}

static int check_lengths(const dlmkl_profile *prof, const dlmkl_schedule *s)
{
    if (prof->L != s->L)
        return dlmkl_error(DLMKL_EINVAL, "the profile has L = %d but the schedule was built for L = %d", prof->L, s->L);
    return DLMKL_OK;
}

/* A mixture drawn once per run: Σ_i w_i f(component i), for any of the linear quantities below. */
typedef int (*kl_fn)(const void *ctx, const dlmkl_schedule *s, double *kl);
static int mix_sum(const void *ctx, const dlmkl_schedule *s, kl_fn f, double *kl)
{
    double acc = 0, v;
    for (int i = 0; i < s->ncomp; i++) {
        int st = f(ctx, s->comp[i], &v);
        if (st != DLMKL_OK)
            return st;
        acc += s->comp_w[i] * v;
    }
    *kl = acc;
    return DLMKL_OK;
}

static int dp_fn(const void *ctx, const dlmkl_schedule *s, double *kl)
{
    return dlmkl_kl_expected_dp((const dlmkl_profile *)ctx, s, kl);
}
static int exp_fn(const void *ctx, const dlmkl_schedule *s, double *kl)
{
    return dlmkl_kl_expected((const dlmkl_profile *)ctx, s, kl);
}

int dlmkl_kl_expected_dp(const dlmkl_profile *prof, const dlmkl_schedule *s, double *kl)
{
    int st = check_lengths(prof, s);
    if (st == DLMKL_OK && s->kind == DLMKL_SCHED_MIX)
        return mix_sum(prof, s, dp_fn, kl);
    return st ? st : dp_expect(s, cost_random, prof->h, kl);
}

int dlmkl_kl_expected(const dlmkl_profile *prof, const dlmkl_schedule *s, double *kl)
{
    int st = check_lengths(prof, s);
    if (st)
        return st;
    switch (s->kind) {
    case DLMKL_SCHED_FIXED:
        return kl_fixed(prof, s, kl);
    case DLMKL_SCHED_IID:
        if (dlmkl_kl_expected_iid_beta_applies(prof, s))
            return dlmkl_kl_expected_iid_beta(prof, s, kl); /* few non-zero ΔZ: one integral each */
        return kl_overshoot(prof, s, kl);
    case DLMKL_SCHED_COMPOSITION:
        return kl_overshoot(prof, s, kl);
    case DLMKL_SCHED_LAW:
    case DLMKL_SCHED_POWER:
        return dp_expect(s, cost_random, prof->h, kl);
    case DLMKL_SCHED_MIX:
        return mix_sum(prof, s, exp_fn, kl);
    }
    return dlmkl_error(DLMKL_EINVAL, "unknown schedule kind");
}

/* ---- ordered positions ---- */

typedef struct ordered_ctx {
    int L;
    const double *G;   /* G[m] = H(X_{P_m}), P_m = first m tokens of the order */
    const double *A;   /* A[m*(L+1) + s] = Σ_{j=1}^{s} [H(X_{P_m ∪ {order[m+j−1]}}) − G[m]] */
} ordered_ctx;

/* TC(X_A | X_B) = Σ_{i∈A} [H(X_{B∪i}) − H(X_B)] − [H(X_{B∪A}) − H(X_B)], B = P_m, A the next s tokens. */
static double cost_ordered(int m, int s, const void *vctx)
{
    const ordered_ctx *c = vctx;
    if (s <= 1)
        return 0.0;
    return c->A[(size_t)m * (c->L + 1) + (size_t)s] - (c->G[m + s] - c->G[m]);
}

/* The tables of one order: G[m] (L+1) and A[m*(L+1) + s] ((L+1)^2), from the L(L+1)/2 subset entropies
 * H(X_{P_m ∪ {order[m+j−1]}}), computed in parallel (each independent, so any thread count gives the
 * same bits). */
static int ordered_tables(const dlmkl_dist *d, const int *order, double *G, double *A)
{
    const int L = d->L;
    /* prefix masks */
    uint64_t pre[DLMKL_MAX_L + 1];
    pre[0] = 0;
    for (int m = 0; m < L; m++)
        pre[m + 1] = pre[m] | 1ULL << order[m];
    /* tasks: E[m][j] = H(P_m ∪ {order[m+j−1]}) for m = 0..L−1, j = 1..L−m (j = 1 is G[m+1]) */
    size_t ntask = (size_t)L * (L + 1) / 2;
    double *E = malloc(ntask * sizeof *E);
    uint64_t *mask = malloc(ntask * sizeof *mask);
    const int nthreads = dlmkl_threads();
    size_t wbytes = (size_t)nthreads * (size_t)(d->n / (uint64_t)d->V) * sizeof(double);
    int st = dlmkl_check_memory(wbytes, "the subset entropies of an ordered policy");
    double *work = st == DLMKL_OK ? malloc(wbytes) : NULL;
    if (st == DLMKL_OK && (!E || !mask || !work))
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    if (st != DLMKL_OK) {
        free(E), free(mask), free(work);
        return st;
    }
    size_t t = 0;
    for (int m = 0; m < L; m++)
        for (int j = 1; j <= L - m; j++) {
            mask[t++] = pre[m] | 1ULL << order[m + j - 1];
        }
    const uint64_t per = d->n / (uint64_t)d->V;
#pragma omp parallel num_threads(nthreads)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *w = work + (uint64_t)tid * per;
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < ntask; i++)
            E[i] = dlmkl_subset_entropy(d, mask[i], w);
    }
    G[0] = 0;
    t = 0;
    for (int m = 0; m < L; m++) {
        G[m + 1] = E[t]; /* j = 1: P_{m+1} */
        t += (size_t)(L - m);
    }
    memset(A, 0, ((size_t)L + 1) * ((size_t)L + 1) * sizeof *A);
    t = 0;
    for (int m = 0; m < L; m++) {
        double run = 0;
        for (int j = 1; j <= L - m; j++) {
            run += E[t++] - G[m];
            A[(size_t)m * (L + 1) + (size_t)j] = run;
        }
    }
    free(E), free(mask), free(work);
    return DLMKL_OK;
}

/* One cached order: the permutation and its tables G (L+1 doubles) and A ((L+1)^2). */
typedef struct ordered_entry {
    int *order;
    double *G, *A;
} ordered_entry;

/* Orders kept at once; a sweep uses l2r and one stride per K, so more than this many distinct orders
 * of one distribution only recompute the oldest. */
#define ORDERED_CACHE_MAX 64

struct dlmkl_ordered_cache {
    const dlmkl_dist *d; /* the distribution the entries belong to (NULL: none yet) */
    int L, n, next;      /* entries held; next slot to overwrite when full */
    ordered_entry e[ORDERED_CACHE_MAX];
};

dlmkl_ordered_cache *dlmkl_ordered_cache_alloc(void)
{
    dlmkl_ordered_cache *c = calloc(1, sizeof *c);
    if (!c)
        dlmkl_error(DLMKL_ENOMEM, "out of memory");
    return c;
}

static void ordered_cache_clear(dlmkl_ordered_cache *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->e[i].order), free(c->e[i].G), free(c->e[i].A);
    memset(c->e, 0, sizeof c->e);
    c->d = NULL, c->L = c->n = c->next = 0;
}

void dlmkl_ordered_cache_free(dlmkl_ordered_cache *c)
{
    if (!c)
        return;
    ordered_cache_clear(c);
    free(c);
}

/* The entry of this order, computed on a miss. NULL (error set) on failure. */
static const ordered_entry *ordered_lookup(dlmkl_ordered_cache *c, const dlmkl_dist *d, const int *order)
{
    const int L = d->L;
    if (c->d != d || c->L != L)
        ordered_cache_clear(c);
    c->d = d, c->L = L;
    for (int i = 0; i < c->n; i++)
        if (memcmp(c->e[i].order, order, (size_t)L * sizeof *order) == 0)
            return &c->e[i];
    const size_t nA = ((size_t)L + 1) * ((size_t)L + 1);
    if (dlmkl_check_memory((nA + (size_t)L + 1) * sizeof(double) + (size_t)L * sizeof(int),
                           "the cached subset entropies of an ordered policy") != DLMKL_OK)
        return NULL;
    ordered_entry x = {malloc((size_t)L * sizeof *x.order), malloc(((size_t)L + 1) * sizeof *x.G),
                       malloc(nA * sizeof *x.A)};
    int st = x.order && x.G && x.A ? DLMKL_OK : dlmkl_error(DLMKL_ENOMEM, "out of memory");
    if (st == DLMKL_OK)
        st = ordered_tables(d, order, x.G, x.A);
    if (st != DLMKL_OK) {
        free(x.order), free(x.G), free(x.A);
        return NULL;
    }
    memcpy(x.order, order, (size_t)L * sizeof *order);
    int slot;
    if (c->n < ORDERED_CACHE_MAX) {
        slot = c->n++;
    } else {
        slot = c->next;
        c->next = (c->next + 1) % ORDERED_CACHE_MAX;
        free(c->e[slot].order), free(c->e[slot].G), free(c->e[slot].A);
    }
    c->e[slot] = x;
    return &c->e[slot];
}

typedef struct ordered_cached_args {
    dlmkl_ordered_cache *c;
    const dlmkl_dist *d;
    const int *order;
} ordered_cached_args;
static int ord_cached_fn(const void *ctx, const dlmkl_schedule *s, double *kl)
{
    const ordered_cached_args *a = ctx;
    return dlmkl_kl_expected_ordered_cached(a->c, a->d, a->order, s, kl);
}

int dlmkl_kl_expected_ordered_cached(dlmkl_ordered_cache *c, const dlmkl_dist *d, const int *order,
                                     const dlmkl_schedule *s, double *kl)
{
    if (s->kind == DLMKL_SCHED_MIX) {
        ordered_cached_args a = {c, d, order};
        return mix_sum(&a, s, ord_cached_fn, kl);
    }
    const int L = d->L;
    if (s->L != L)
        return dlmkl_error(DLMKL_EINVAL, "the table has L = %d but the schedule was built for L = %d", L, s->L);
    const ordered_entry *e = ordered_lookup(c, d, order);
    if (!e)
        return dlmkl_last_status();
    ordered_ctx ctx = {L, e->G, e->A};
    return dp_expect(s, cost_ordered, &ctx, kl);
}

int dlmkl_kl_expected_ordered(const dlmkl_dist *d, const int *order, const dlmkl_schedule *s, double *kl)
{
    dlmkl_ordered_cache *c = dlmkl_ordered_cache_alloc();
    if (!c)
        return dlmkl_last_status();
    int st = dlmkl_kl_expected_ordered_cached(c, d, order, s, kl);
    dlmkl_ordered_cache_free(c);
    return st;
}

/* ---- bounds ---- */

void dlmkl_bounds_compute(const dlmkl_profile *prof, const dlmkl_schedule *s, dlmkl_bounds *b)
{
    const int L = prof->L, K = s->budget > 0 ? s->budget : s->nsteps;
    const double sc = dlmkl_profile_scale(prof);
    const double tc = dlmkl_nonneg(dlmkl_profile_tc(prof), sc), dtc = dlmkl_nonneg(dlmkl_profile_dtc(prof), sc);
    b->tc_over_K = tc / K;
    b->dtc_over_K = dtc / K;
    b->li_cai = b->zl = b->chen = NAN;
    if (s->kind == DLMKL_SCHED_FIXED) {
        int smax = dlmkl_schedule_max_size(s);
        /* Li & Cai (2025): (2^⌈log2 smax⌉ − 1)/L · (TC + DTC); sharper: (smax − 1)·Z_L */
        double pw = 1.0; /* 2^⌈log2 smax⌉ */
        while (pw < smax)
            pw *= 2.0;
        b->li_cai = (pw - 1.0) / L * (tc + dtc);
        b->zl = (smax - 1) * dlmkl_nonneg(dlmkl_profile_Z(prof, L), sc);
    }
    /* Chen, Cong & Li Thm 9: ζ = 1 + ⌈TĈ/ε⌉ gives kl_expected <= ε, i.e. ε = TC/(ζ − 1) (DTC for the mirror). */
    if (s->chen && s->zeta > 1.0)
        b->chen = (s->chen == DLMKL_CHEN_TC ? tc : dtc) / (s->zeta - 1.0);
}
