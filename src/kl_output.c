/* kl_output.c: kl_output = KL(p ‖ q̄), q̄ the law of the sampler's output with all its randomness
 * (sizes, positions, tokens) integrated out, exactly, by a forward pass over partial states.
 *
 * States. A partial state (revealed set B, values x_B) is y ∈ {0..V}^L, digit V = masked, index
 * y = Σ_i y_i (V+1)^(L−1−i) (sampler.h). M[y] = P(X_B = x_B) is the extended marginal table, so
 * p(x_i = v | x_B) = M[y with digit i := v] / M[y] in O(1).
 *
 * Forward pass. w_k[y] = P(the state before iteration k is y); w_1 = δ(all masked). From y with
 * |B| = m the sampler draws s ~ P(s_k = s | m_k = m), A uniform among the C(L−m, s) s-subsets of the
 * masked positions (random policy) or the next s positions of the order (ordered policies), and
 * x_A ~ Π_{i∈A} p(x_i | x_B), so
 *     w_{k+1}[t] = Σ_{(y, A): y = t with A masked} w_k[y] · P(s = |A| | m_k = |B_t| − |A|)
 *                  · c(A) · Π_{i∈A} p(t_i | t_{B_t∖A}),
 * c(A) = 1/C(L−m, s) (random) or 1 if A is the next block of the order, 0 otherwise (ordered).
 * At the end q̄(x) = w_{K+1}[x] for full x, and kl_output = Σ_{p(x)>0} p(x) log2(p(x)/q̄(x)),
 * +INFINITY if q̄(x) = 0 somewhere p(x) > 0.
 *
 * The pass is written as a pull: each TARGET t is computed by one sum over its predecessors in a
 * fixed order (sizes s ascending, subsets A of B_t in increasing bit order), and only that target's
 * cell is written. Threads (OpenMP, dynamic schedule) own disjoint targets, so w_{k+1} is
 * bit-identical for any thread count. A term costs O(s) (the s conditionals of its source).
 *
 * Pruning (KL only). A target with M[t] = 0 (P(X_B = x_B) = 0) only leads to outputs x with
 * p(x) ≤ M[t] = 0, which do not enter KL(p ‖ q̄); when q̄ is not asked for such targets are skipped
 * (left at 0). Sources with M = 0 then carry no weight. When q̄ is asked for, nothing is pruned and
 * the continuation from impossible states is uniform over [V] (the convention of sampler.h).
 *
 * Cost (number of transition terms; dlmkl_kl_output_cost returns it exactly, and it equals the terms
 * visited when nothing is pruned):
 *     T = Σ_{k=1}^{K} Σ_{m ∈ R_k} N_m · Σ_{s: P(s_k = s | m) > 0} C(L−m, s)·V^s,
 * R_k = the values of m_k reachable under the schedule, N_m = C(L,m)·V^m (random positions) or
 * V^m (ordered; then C(L−m, s) is replaced by 1). T ≤ K·(1+2V)^L. Each term costs O(s) flops; the
 * pass also scans the reachable states once per step. Memory: 3 arrays of (V+1)^L doubles (M, w_k,
 * w_{k+1}), checked against the cap.
 *
 * Tiny probabilities. The pass above runs in plain doubles, and its result is kept unless a
 * floating-point exception says it may be wrong: an overflow, an invalid operation or a division
 * by zero (e.g. 1/M for a subnormal M), or an underflow while some q̄(x) of interest (p(x) > 0 for
 * KL, every x for q̄) is below 2^-969. The second condition is sound: an underflow changes a value
 * by at most 2^-1074 and everything computed from it is scaled by factors <= 1, so when every q̄(x)
 * of interest is >= 2^-969 its relative error from underflows is < 2^-60 for any feasible number of
 * terms. Otherwise the pass is run again in log space: M is replaced by log2 M (in place), w_k
 * holds log2 w_k, each term is log2 w + log2(P·c) + Σ log2 M[child] − s·log2 M[source], and the sum
 * over a target's terms is a log-sum-exp in the same fixed order. Then q̄(x) may lie far below
 * the double range and KL = Σ p(x) (log2 p(x) − log2 q̄(x)) is still exact to about 1e-13 bits per
 * term; it is +INFINITY only where q̄(x) is exactly 0 (no path reaches x). Typical laws never take
 * this route, so their results are unchanged bit for bit. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/kl_output.h"
#include "dlmkl/sampler.h"
#include "internal.h"

/* Targets per work unit: units are (revealed set, a chunk of at most this many value vectors), so
 * that one large revealed set (e.g. the full one, V^L targets) is still split among threads. The
 * unit size does not affect the result, only the load balance. */
#define KLO_CHUNK 4096

/* The reachable sizes: reach[k*(L+1)+m] = 1 iff m_k = m has positive probability, k = 0..K (k
 * 0-based; k = K is the end). O(K·L^2) time, O(K·L) memory. */
static int reach_compute(const dlmkl_schedule *s, unsigned char **out)
{
    const int L = s->L, K = s->nsteps;
    const size_t L1 = (size_t)L + 1;
    *out = NULL;
    unsigned char *reach = calloc(((size_t)K + 1) * L1, 1);
    double *ps = malloc(L1 * sizeof *ps);
    if (!reach || !ps) {
        free(reach), free(ps);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory in kl_output");
    }
    reach[0] = 1;
    for (int k = 0; k < K; k++)
        for (int m = 0; m <= L; m++) {
            if (!reach[(size_t)k * L1 + (size_t)m])
                continue;
            int st = dlmkl_schedule_step_law(s, k, m, ps);
            if (st != DLMKL_OK) {
                free(reach), free(ps);
                return st;
            }
            for (int j = 0; j <= L - m; j++)
                if (ps[j] > 0)
                    reach[(size_t)(k + 1) * L1 + (size_t)(m + j)] = 1;
        }
    free(ps);
    *out = reach;
    return DLMKL_OK;
}

/* The step law of step k on its reachable m: law[m*(L+1)+s] = P(s_k = s | m_k = m), 0 elsewhere. */
static int step_table(const dlmkl_schedule *s, int k, const unsigned char *reach_k, double *law)
{
    const size_t L1 = (size_t)s->L + 1;
    memset(law, 0, L1 * L1 * sizeof *law);
    for (int m = 0; m <= s->L; m++)
        if (reach_k[m]) {
            int st = dlmkl_schedule_step_law(s, k, m, law + (size_t)m * L1);
            if (st != DLMKL_OK)
                return st;
        }
    return DLMKL_OK;
}

static int is_ordered(const dlmkl_positions *pos) { return pos && pos->kind != DLMKL_POS_RANDOM; }

double dlmkl_kl_output_bytes(const dlmkl_dist *d)
{
    return 3.0 * pow((double)d->V + 1.0, (double)d->L) * (double)sizeof(double);
}

int dlmkl_output_law_take(dlmkl_output_law_mode mode, const dlmkl_dist *d, const dlmkl_schedule *s,
                          const dlmkl_positions *pos)
{
    if (mode == DLMKL_OUTPUT_LAW_ALWAYS)
        return 1;
    if (mode != DLMKL_OUTPUT_LAW_AUTO)
        return 0;
    return dlmkl_kl_output_cost(d, s, pos) <= DLMKL_OUTPUT_LAW_AUTO_TERMS &&
           dlmkl_kl_output_bytes(d) <= (double)dlmkl_max_memory();
}

double dlmkl_kl_output_cost(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos)
{
    if (dlmkl_schedule_check_dist(s, d, "kl_output") != DLMKL_OK)
        return NAN;
    if (s->kind == DLMKL_SCHED_MIX) {
        double c = 0;
        for (int i = 0; i < s->ncomp; i++)
            c += dlmkl_kl_output_cost(d, s->comp[i], pos);
        return c;
    }
    const int L = d->L, V = d->V, ord = is_ordered(pos);
    const size_t L1 = (size_t)L + 1;
    unsigned char *reach;
    if (reach_compute(s, &reach) != DLMKL_OK)
        return NAN;
    double *law = malloc(L1 * L1 * sizeof *law);
    if (!law) {
        free(reach);
        dlmkl_error(DLMKL_ENOMEM, "out of memory in kl_output_cost");
        return NAN;
    }
    /* T = Σ_k Σ_{m ∈ R_k} N_m Σ_{s: P>0} C(L−m, s) V^s */
    double T = 0.0;
    for (int k = 0; k < s->nsteps; k++) {
        if (step_table(s, k, reach + (size_t)k * L1, law) != DLMKL_OK) {
            free(reach), free(law);
            return NAN;
        }
        for (int m = 0; m <= L; m++) {
            if (!reach[(size_t)k * L1 + (size_t)m])
                continue;
            const double *ps = law + (size_t)m * L1;
            double inner = 0.0;
            for (int j = 0; j <= L - m; j++)
                if (ps[j] > 0)
                    inner += (ord ? 1.0 : dlmkl_choose(L - m, j)) * pow((double)V, (double)j);
            T += (ord ? 1.0 : dlmkl_choose(L, m)) * pow((double)V, (double)m) * inner;
        }
    }
    free(reach), free(law);
    return T;
}

/* A work unit: revealed set `mask`, value vectors [start, start + count) of [V]^|mask|. */
typedef struct klo_unit {
    uint64_t mask;
    uint64_t start;
    uint64_t count;
} klo_unit;

/* The floating-point exceptions that make the plain pass untrustworthy (see the head comment). */
#define KLO_FP_BAD (FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO)

/* log2 of the sum of 2^x over a target's terms, accumulated in a fixed order: mx the largest term
 * so far, S = Σ 2^(term − mx). */
typedef struct {
    double mx, S;
} klo_lse;

static inline void lse_add(klo_lse *a, double x)
{
    if (x == -INFINITY)
        return;
    if (x > a->mx) {
        a->S = a->S * exp2(a->mx - x) + 1.0;
        a->mx = x;
    } else {
        a->S += exp2(x - a->mx);
    }
}

static inline double lse_value(const klo_lse *a) { return a->mx == -INFINITY ? -INFINITY : a->mx + log2(a->S); }

/* One target t of the log-space pass (head comment): log2 w_{k+1}[t] from log2 w_k and log2 M,
 * over the same terms in the same order as the plain pass. Arguments as in forward_pass. */
static double log_target(int L, int V, int mp, uint64_t t, const int *dig, const uint64_t *delta,
                         const int *order, const uint64_t *pw, const unsigned char *rk, const double *lawk,
                         const double *cinv, double log2V, int ord, const double *lM, const double *lw,
                         uint64_t *terms)
{
    const size_t L1 = (size_t)L + 1;
    klo_lse acc = {-INFINITY, 0.0};
    for (int sz = 0; sz <= mp; sz++) {
        const int m = mp - sz;
        if (!rk[m])
            continue;
        const double P = lawk[(size_t)m * L1 + (size_t)sz];
        if (!(P > 0))
            continue;
        if (ord) {
            uint64_t src = t;
            for (int q = m; q < mp; q++)
                src += (uint64_t)(V - dig[order[q]]) * pw[order[q]];
            (*terms)++;
            const double lws = lw[src];
            if (lws == -INFINITY)
                continue;
            const double lMs = lM[src];
            double lp = 0.0;
            if (lMs > -INFINITY) {
                for (int q = m; q < mp; q++)
                    lp += lM[src - (uint64_t)(V - dig[order[q]]) * pw[order[q]]];
                lp = lp == -INFINITY ? lp : lp - (double)sz * lMs;
            } else {
                lp = -(double)sz * log2V;
            }
            lse_add(&acc, lws + log2(P) + lp);
        } else {
            const double lcoef = log2(P * cinv[(size_t)(L - m) * L1 + (size_t)sz]);
            uint64_t comb = sz == 0 ? 0 : (1ULL << sz) - 1;
            const uint64_t end = 1ULL << mp;
            while (comb < end) {
                uint64_t src = t;
                for (uint64_t b = comb; b; b &= b - 1)
                    src += delta[__builtin_ctzll(b)];
                (*terms)++;
                const double lws = lw[src];
                if (lws > -INFINITY) {
                    const double lMs = lM[src];
                    double lp = 0.0;
                    if (lMs > -INFINITY) {
                        for (uint64_t b = comb; b; b &= b - 1)
                            lp += lM[src - delta[__builtin_ctzll(b)]];
                        lp = lp == -INFINITY ? lp : lp - (double)sz * lMs;
                    } else {
                        lp = -(double)sz * log2V;
                    }
                    lse_add(&acc, lws + lcoef + lp);
                }
                if (sz == 0)
                    break;
                const uint64_t lo = comb & -comb, hi = comb + lo;
                comb = hi | (((comb ^ hi) >> 2) / lo);
            }
        }
    }
    return lse_value(&acc);
}

/* The forward pass. On return w (the array returned in *wout, one of the two buffers) holds
 * w_{K+1}; prune != 0 skips targets with M = 0 (KL only). logsp != 0: M holds log2 M and w holds
 * log2 w (head comment). *fpx receives the floating-point exceptions raised by the terms. */
static int forward_pass(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos, int prune,
                        int logsp, double *M, double *wa, double *wb, double **wout, double *terms_out, int *fpx)
{
    const int L = d->L, V = d->V, K = s->nsteps, ord = is_ordered(pos);
    const size_t L1 = (size_t)L + 1;
    uint64_t N;
    int st = dlmkl_ext_size(L, V, &N);
    if (st != DLMKL_OK)
        return st;
    unsigned char *reach;
    if ((st = reach_compute(s, &reach)) != DLMKL_OK)
        return st;

    uint64_t pw[DLMKL_MAX_L + 1], vpow[DLMKL_MAX_L + 1];
    pw[L - 1] = 1;
    for (int i = L - 2; i >= 0; i--)
        pw[i] = pw[i + 1] * (uint64_t)(V + 1);
    vpow[0] = 1;
    for (int i = 1; i <= L; i++)
        vpow[i] = vpow[i - 1] * (uint64_t)V;
    double invVpow[DLMKL_MAX_L + 1]; /* V^-s: the weight of s uniform draws (convention of sampler.h) */
    invVpow[0] = 1.0;
    for (int i = 1; i <= L; i++)
        invVpow[i] = invVpow[i - 1] / (double)V;
    double *cinv = malloc(L1 * L1 * sizeof *cinv); /* 1 / C(n, s) */
    double *lawk = malloc(L1 * L1 * sizeof *lawk); /* the step law of the current step */
    int *order = malloc(L1 * sizeof *order);
    uint64_t *prefix = malloc(L1 * sizeof *prefix); /* ordered: mask of the first m of the order */
    if (!cinv || !lawk || !order || !prefix) {
        free(cinv), free(lawk), free(order), free(prefix), free(reach);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory in kl_output");
    }
    for (int n = 0; n <= L; n++)
        for (int j = 0; j <= L; j++)
            cinv[(size_t)n * L1 + (size_t)j] = j <= n ? 1.0 / dlmkl_choose(n, j) : 0.0;
    if (ord) {
        if ((st = dlmkl_positions_order(pos, L, K, order)) != DLMKL_OK) {
            free(cinv), free(lawk), free(order), free(prefix), free(reach);
            return st;
        }
        prefix[0] = 0;
        for (int m = 1; m <= L; m++)
            prefix[m] = prefix[m - 1] | (1ULL << order[m - 1]);
    }

    /* work units: for each target revealed set (every mask of a reachable size, or the prefix of
     * the order), chunks of its V^m value vectors */
    const uint64_t nmasks = 1ULL << L;
    size_t cap = 1024, nunits = 0;
    klo_unit *units = malloc(cap * sizeof *units);
    if (!units) {
        free(cinv), free(lawk), free(order), free(prefix), free(reach);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory in kl_output");
    }

    double *wc = wa, *wn = wb;
    const double log2V = log2((double)V);
    if (logsp)
        for (uint64_t y = 0; y < N; y++)
            wc[y] = -INFINITY;
    else
        memset(wc, 0, N * sizeof *wc);
    wc[N - 1] = logsp ? 0.0 : 1.0; /* all masked: every digit V */
    const double zero = logsp ? -INFINITY : 0.0; /* "no weight" in the current representation */
    uint64_t terms_total = 0;
    int fpall = 0;
    const int nthreads = dlmkl_threads();
    (void)nthreads; /* read only by the OpenMP pragma (unused in a build without OpenMP) */

    for (int k = 0; k < K && st == DLMKL_OK; k++) {
        const unsigned char *rk = reach + (size_t)k * L1, *rk1 = reach + (size_t)(k + 1) * L1;
        if ((st = step_table(s, k, rk, lawk)) != DLMKL_OK)
            break;
        nunits = 0;
        for (uint64_t B = 0; B < nmasks && st == DLMKL_OK; B++) {
            int mp = __builtin_popcountll(B);
            if (!rk1[mp] || (ord && B != prefix[mp]))
                continue;
            for (uint64_t a = 0; a < vpow[mp]; a += KLO_CHUNK) {
                if (nunits == cap) {
                    klo_unit *nu = realloc(units, 2 * cap * sizeof *units);
                    if (!nu) {
                        st = dlmkl_error(DLMKL_ENOMEM, "out of memory in kl_output");
                        break;
                    }
                    units = nu, cap *= 2;
                }
                units[nunits].mask = B;
                units[nunits].start = a;
                units[nunits].count = vpow[mp] - a < KLO_CHUNK ? vpow[mp] - a : KLO_CHUNK;
                nunits++;
            }
        }
        if (st != DLMKL_OK)
            break;
        if (logsp)
            for (uint64_t y = 0; y < N; y++)
                wn[y] = -INFINITY;
        else
            memset(wn, 0, N * sizeof *wn);
        uint64_t terms = 0;
        int fpstep = 0;
        size_t udone = 0; /* progress: step k and the fraction of its units done */
        dlmkl_progress("kl_output pass", (double)k, (double)K);

#pragma omp parallel num_threads(nthreads) reduction(| : fpstep)
        {
        feclearexcept(FE_ALL_EXCEPT);
#pragma omp for schedule(dynamic, 1) reduction(+ : terms)
        for (size_t u = 0; u < nunits; u++) {
            const uint64_t B = units[u].mask;
            int r[DLMKL_MAX_L], dig[DLMKL_MAX_L], mp = 0;
            uint64_t delta[DLMKL_MAX_L]; /* (V − t_i)·pw_i for the revealed i = r[j]: t → t with i masked */
            uint64_t t = 0;
            for (int i = 0; i < L; i++) {
                if (B >> i & 1) {
                    r[mp++] = i;
                } else {
                    dig[i] = V;
                    t += (uint64_t)V * pw[i];
                }
            }
            /* value vector number `start`, r[mp−1] the fastest digit */
            uint64_t a = units[u].start;
            for (int j = mp - 1; j >= 0; j--) {
                dig[r[j]] = (int)(a % (uint64_t)V);
                a /= (uint64_t)V;
                t += (uint64_t)dig[r[j]] * pw[r[j]];
            }
            for (uint64_t c = 0; c < units[u].count; c++) {
                if (!(prune && M[t] == zero)) {
                    for (int j = 0; j < mp; j++)
                        delta[j] = (uint64_t)(V - dig[r[j]]) * pw[r[j]];
                    if (logsp) {
                        wn[t] = log_target(L, V, mp, t, dig, delta, order, pw, rk, lawk, cinv, log2V, ord, M, wc,
                                           &terms);
                        goto next;
                    }
                    double sum = 0.0;
                    for (int sz = 0; sz <= mp; sz++) {
                        const int m = mp - sz;
                        if (!rk[m])
                            continue;
                        const double P = lawk[(size_t)m * L1 + (size_t)sz];
                        if (!(P > 0))
                            continue;
                        if (ord) {
                            /* A = order[m .. mp): the last sz of the prefix */
                            uint64_t src = t;
                            for (int q = m; q < mp; q++)
                                src += (uint64_t)(V - dig[order[q]]) * pw[order[q]];
                            terms++;
                            const double ws = wc[src];
                            if (ws == 0.0)
                                continue;
                            const double Ms = M[src];
                            double prod = 1.0;
                            if (Ms > 0) {
                                const double inv = 1.0 / Ms;
                                for (int q = m; q < mp; q++)
                                    prod *= M[src - (uint64_t)(V - dig[order[q]]) * pw[order[q]]] * inv;
                            } else {
                                prod = invVpow[sz];
                            }
                            sum += ws * P * prod;
                        } else {
                            /* every sz-subset A of the revealed positions, as a bit set over r[] */
                            const double coef = P * cinv[(size_t)(L - m) * L1 + (size_t)sz];
                            uint64_t comb = sz == 0 ? 0 : (1ULL << sz) - 1;
                            const uint64_t end = 1ULL << mp;
                            while (comb < end) {
                                uint64_t src = t;
                                for (uint64_t b = comb; b; b &= b - 1)
                                    src += delta[__builtin_ctzll(b)];
                                terms++;
                                const double ws = wc[src];
                                if (ws != 0.0) {
                                    const double Ms = M[src];
                                    double prod = 1.0;
                                    if (Ms > 0) {
                                        const double inv = 1.0 / Ms;
                                        for (uint64_t b = comb; b; b &= b - 1)
                                            prod *= M[src - delta[__builtin_ctzll(b)]] * inv;
                                    } else {
                                        prod = invVpow[sz];
                                    }
                                    sum += ws * coef * prod;
                                }
                                if (sz == 0)
                                    break;
                                /* next subset of the same size (Gosper's hack) */
                                const uint64_t lo = comb & -comb, hi = comb + lo;
                                comb = hi | (((comb ^ hi) >> 2) / lo);
                            }
                        }
                    }
                    wn[t] = sum;
                }
            next:
                /* next value vector (odometer, r[mp−1] fastest) */
                for (int j = mp - 1; j >= 0; j--) {
                    const int i = r[j];
                    if (++dig[i] < V) {
                        t += pw[i];
                        break;
                    }
                    t -= (uint64_t)(V - 1) * pw[i];
                    dig[i] = 0;
                }
            }
            size_t ud;
#pragma omp atomic capture
            ud = ++udone;
            dlmkl_progress("kl_output pass", (double)k + (double)ud / (double)nunits, (double)K);
        }
        fpstep |= fetestexcept(FE_UNDERFLOW | KLO_FP_BAD);
        }
        fpall |= fpstep;
        terms_total += terms;
        double *tmp = wc;
        wc = wn, wn = tmp;
    }
    free(units), free(cinv), free(lawk), free(order), free(prefix), free(reach);
    if (st != DLMKL_OK)
        return st;
    dlmkl_progress("kl_output pass", (double)K, (double)K);
    *wout = wc;
    if (terms_out)
        *terms_out = (double)terms_total;
    *fpx = fpall;
    return DLMKL_OK;
}

/* ---- The factorised route (i.i.d. reveal times, random positions) ----
 *
 * When every token draws its reveal iteration independently (DLMKL_SCHED_IID: iid:..., random-tc,
 * random-dtc, iid:pi=...), the iteration-k transition out of a state y with masked set U factorises
 * over the masked positions: each i ∈ U is revealed with the hazard q_k = π_k / Σ_{j≥k} π_j (1 at the
 * last step), independently, and a revealed i draws t_i from p(t_i | y_B). Indeed
 *     P(s = |A| | m) / C(L−m, |A|) = q^|A| (1−q)^(|U|−|A|)   (the step law is Binomial(|U|, q)),
 * so the weight of the pair (y, t) is
 *     w_k[y] · Π_{i∈U, t_i masked} (1 − q) · Π_{i∈U, t_i = v} q · M[y with i := v] / M[y],
 * the same terms as the generic pass (head comment), each a product of |U| precomputed factors.
 * This pass is a push: each source y reads its |U|·V conditionals ONCE and hands its weight down a
 * depth-first product over the masked coordinates (one multiply per tree node, a leaf per target),
 * so a term costs O(1) instead of the generic O(s) reads and divisions and subset bookkeeping.
 *
 * Determinism. Targets are split into units by their first j digits (a prefix pattern P ∈
 * {0..V}^j, a contiguous block of (V+1)^(L−j) cells). A unit enumerates, in a fixed order (source
 * prefix choices in bit order, then the free digits ascending), the sources that can reach it: a
 * prefix digit P_i = mask needs a masked source digit (factor 1 − q), P_i = v a source digit v
 * (factor 1) or mask (factor q·p(v | y_B)). Every cell of the unit is written by that unit only, and
 * receives its terms in that order, whatever the number of threads: bit-identical for any thread
 * count. The sum order differs from the generic pull's, so the two routes agree to rounding
 * (relative ≤ K·(2L+4)·2^-53 per cell, all terms ≥ 0), not bit for bit.
 *
 * Pruning: a factor 0 (p(v | y_B) = 0, or q ∈ {0, 1}) cuts its whole subtree, so targets with M = 0
 * get nothing from sources with M > 0; in KL mode sources with M = 0 are skipped (they carry no
 * weight there). Without pruning a source with M = 0 continues uniformly (factor q/V), as in the
 * generic pass. The terms reported are the pairs the generic pass would visit without pruning
 * (dlmkl_kl_output_cost's count of this schedule), so both routes report the same number.
 *
 * Cost: the same pair count as the generic pass, O(1) each, plus (1+2V)^j·(V+1)^(L−j) source visits
 * per step for the unit split (j ≤ 4: a few % of the terms). No memory besides the workspace. */

/* Units: the smallest j with (V+1)^j >= KLO_FAST_UNITS (at most L). */
#define KLO_FAST_UNITS 64

typedef struct {
    double *wn;
    int V1;              /* V + 1: the options of a masked coordinate (V values, then 'stay masked') */
    const double *f;     /* f[l*V1 + o]: the factor of option o at masked coordinate number l */
    const uint64_t *dl;  /* dl[l*V1 + o]: how much the index drops (digit V -> o; 0 for stay) */
} klo_push;

/* Hand w down the product over masked coordinates l..n−1 (n > l) of the target t (digits of the
 * coordinates before l already chosen). */
static void push_rec(const klo_push *P, uint64_t t, double w, int l, int n)
{
    const double *f = P->f + (size_t)l * (size_t)P->V1;
    const uint64_t *dl = P->dl + (size_t)l * (size_t)P->V1;
    if (l == n - 1) {
        for (int o = 0; o < P->V1; o++)
            if (f[o] != 0.0)
                P->wn[t - dl[o]] += w * f[o];
        return;
    }
    for (int o = 0; o < P->V1; o++)
        if (f[o] != 0.0)
            push_rec(P, t - dl[o], w * f[o], l + 1, n);
}

/* The reveal hazard q_k of an IID schedule, as dlmkl_schedule_step_law computes it. */
static double iid_hazard(const dlmkl_schedule *s, int k)
{
    const double tail = s->pi_tail[k];
    double q = k == s->nsteps - 1 ? 1.0 : (tail > 0 ? s->pi[k] / tail : 1.0);
    return q > 1 ? 1.0 : q;
}

/* The factors of one source live on the thread's stack: L·(V+1) of them at most this many (else the
 * generic pass is used; only tiny L with huge V exceed it). */
#define KLO_FAST_MAXF 1024

/* 1 if the factorised route applies (i.i.d. reveal times, random positions). */
static int fast_applies(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos)
{
    return s->kind == DLMKL_SCHED_IID && !is_ordered(pos) && (size_t)d->L * ((size_t)d->V + 1) <= KLO_FAST_MAXF;
}

/* The factorised forward pass (plain doubles only; arguments as in forward_pass). */
static int forward_pass_iid(const dlmkl_dist *d, const dlmkl_schedule *s, int prune, double *M, double *wa,
                            double *wb, double **wout, double *terms_out, int *fpx)
{
    const int L = d->L, V = d->V, V1 = V + 1, K = s->nsteps;
    const size_t L1 = (size_t)L + 1;
    uint64_t N;
    int st = dlmkl_ext_size(L, V, &N);
    if (st != DLMKL_OK)
        return st;
    unsigned char *reach;
    if ((st = reach_compute(s, &reach)) != DLMKL_OK)
        return st;
    double *lawk = malloc(L1 * L1 * sizeof *lawk);
    if (!lawk) {
        free(reach);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory in kl_output");
    }
    uint64_t pw[DLMKL_MAX_L + 1];
    pw[L - 1] = 1;
    for (int i = L - 2; i >= 0; i--)
        pw[i] = pw[i + 1] * (uint64_t)V1;
    int j = 0;
    uint64_t nunits = 1;
    while (j < L && nunits < KLO_FAST_UNITS)
        j++, nunits *= (uint64_t)V1;
    const uint64_t block = N / nunits; /* (V+1)^(L−j) cells per unit */
    double *wc = wa, *wn = wb;
    memset(wc, 0, N * sizeof *wc);
    wc[N - 1] = 1.0;
    double terms_total = 0.0;
    int fpall = 0;
    const int nthreads = dlmkl_threads();
    (void)nthreads;
    const double invV = 1.0 / (double)V;

    for (int k = 0; k < K; k++) {
        const unsigned char *rk = reach + (size_t)k * L1;
        if ((st = step_table(s, k, rk, lawk)) != DLMKL_OK)
            break;
        /* the pairs of this step, counted as dlmkl_kl_output_cost counts them */
        for (int m = 0; m <= L; m++) {
            if (!rk[m])
                continue;
            const double *ps = lawk + (size_t)m * L1;
            double inner = 0.0;
            for (int z = 0; z <= L - m; z++)
                if (ps[z] > 0)
                    inner += dlmkl_choose(L - m, z) * pow((double)V, (double)z);
            terms_total += dlmkl_choose(L, m) * pow((double)V, (double)m) * inner;
        }
        const double q = iid_hazard(s, k), stay = 1.0 - q;
        memset(wn, 0, N * sizeof *wn);
        int fpstep = 0;

#pragma omp parallel num_threads(nthreads) reduction(| : fpstep)
        {
        feclearexcept(FE_ALL_EXCEPT);
        double f[KLO_FAST_MAXF];
        uint64_t dl[KLO_FAST_MAXF];
        klo_push P = {wn, V1, f, dl};
#pragma omp for schedule(dynamic, 1)
        for (uint64_t u = 0; u < nunits; u++) {
            /* the unit's prefix digits P_0..P_{j−1} (P_0 most significant) */
            int pd[DLMKL_MAX_L], rp[DLMKL_MAX_L], nr = 0, nmask = 0;
            uint64_t a = u;
            for (int i = j - 1; i >= 0; i--) {
                pd[i] = (int)(a % (uint64_t)V1);
                a /= (uint64_t)V1;
            }
            uint64_t tbase = 0; /* index of the unit's first cell */
            for (int i = 0; i < j; i++) {
                tbase += (uint64_t)pd[i] * pw[i];
                if (pd[i] < V)
                    rp[nr++] = i;
                else
                    nmask++;
            }
            if (nmask && stay == 0.0)
                continue; /* the prefix keeps a token masked that the step must reveal */
            double stayP = 1.0;
            for (int c = 0; c < nmask; c++)
                stayP *= stay;
            for (uint64_t ch = 0; ch < (1ULL << nr); ch++) {
                /* bit b of ch set: the source's digit r = rp[b] is masked and revealed to P_r now */
                uint64_t sbase = tbase;
                for (int b = 0; b < nr; b++)
                    if (ch >> b & 1)
                        sbase += (uint64_t)(V - pd[rp[b]]) * pw[rp[b]];
                if (ch && q == 0.0)
                    break;
                int dig[DLMKL_MAX_L];
                for (int i = j; i < L; i++)
                    dig[i] = 0;
                for (uint64_t z = 0; z < block; z++) {
                    const uint64_t y = sbase + z;
                    const double w = wc[y];
                    if (w != 0.0) {
                        const double Ms = M[y];
                        if (!(prune && !(Ms > 0))) {
                            const double inv = Ms > 0 ? 1.0 / Ms : 0.0;
                            double base = w * stayP;
                            uint64_t t = y;
                            for (int b = 0; b < nr && base != 0.0; b++)
                                if (ch >> b & 1) {
                                    const int r = rp[b];
                                    const uint64_t dr = (uint64_t)(V - pd[r]) * pw[r];
                                    base *= q * (Ms > 0 ? M[y - dr] * inv : invV);
                                    t -= dr;
                                }
                            if (base != 0.0) {
                                int n = 0;
                                for (int i = j; i < L; i++)
                                    if (dig[i] == V) {
                                        double *fl = f + (size_t)n * (size_t)V1;
                                        uint64_t *dll = dl + (size_t)n * (size_t)V1;
                                        for (int v = 0; v < V; v++) {
                                            dll[v] = (uint64_t)(V - v) * pw[i];
                                            fl[v] = q * (Ms > 0 ? M[y - dll[v]] * inv : invV);
                                        }
                                        fl[V] = stay, dll[V] = 0;
                                        n++;
                                    }
                                if (n == 0)
                                    wn[t] += base;
                                else
                                    push_rec(&P, t, base, 0, n);
                            }
                        }
                    }
                    /* next free digits (odometer, coordinate L−1 fastest) */
                    for (int i = L - 1; i >= j; i--) {
                        if (++dig[i] < V1)
                            break;
                        dig[i] = 0;
                    }
                }
            }
        }
        fpstep |= fetestexcept(FE_UNDERFLOW | KLO_FP_BAD);
        }
        fpall |= fpstep;
        double *tmp = wc;
        wc = wn, wn = tmp;
    }
    free(lawk), free(reach);
    if (st != DLMKL_OK)
        return st;
    *wout = wc;
    if (terms_out)
        *terms_out = terms_total;
    *fpx = fpall;
    return DLMKL_OK;
}

/* The workspace: the extended marginal table M of one distribution (built once, L·(V+1)^L) and the
 * two forward-pass arrays, reused by every kl_output of that distribution. M is kept as P(X_B = x_B)
 * ('linear') or, after a pass that had to go to log space, as log2 of it ('log'); each pass takes the
 * form it needs and converts (rebuilding M from the table when going back to linear, so its bits are
 * those of a fresh build). */
struct dlmkl_kl_output_workspace {
    const dlmkl_dist *d;
    uint64_t N;
    double *M, *wa, *wb;
    int M_state; /* 0: not built, 1: linear, 2: log2 */
    int lent;    /* samplers reading M (dlmkl_klo_ws_lend): M stays linear while > 0 */
};

dlmkl_kl_output_workspace *dlmkl_kl_output_workspace_alloc(const dlmkl_dist *d)
{
    const int L = d->L, V = d->V;
    uint64_t N;
    if (dlmkl_ext_size(L, V, &N) != DLMKL_OK)
        return NULL;
    if (N > SIZE_MAX / (3 * sizeof(double))) {
        dlmkl_error(DLMKL_ETOOBIG, "kl_output for L = %d, V = %d needs 3·%d^%d doubles, more than the address space", L,
                    V, V + 1, L);
        return NULL;
    }
    char what[160];
    snprintf(what, sizeof what, "kl_output for L = %d, V = %d (3 arrays of (V+1)^L = %llu doubles)", L, V,
             (unsigned long long)N);
    if (dlmkl_check_memory(3 * (size_t)N * sizeof(double), what) != DLMKL_OK)
        return NULL;
    dlmkl_kl_output_workspace *ws = calloc(1, sizeof *ws);
    if (ws) {
        ws->M = malloc(N * sizeof *ws->M), ws->wa = malloc(N * sizeof *ws->wa), ws->wb = malloc(N * sizeof *ws->wb);
    }
    if (!ws || !ws->M || !ws->wa || !ws->wb) {
        dlmkl_kl_output_workspace_free(ws);
        dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
        return NULL;
    }
    ws->d = d, ws->N = N;
    return ws;
}

void dlmkl_kl_output_workspace_free(dlmkl_kl_output_workspace *ws)
{
    if (!ws)
        return;
    free(ws->M), free(ws->wa), free(ws->wb);
    free(ws);
}

/* M in the form asked for (1 linear, 2 log2). */
static int ws_M(dlmkl_kl_output_workspace *ws, int form)
{
    if (ws->M_state == form)
        return DLMKL_OK;
    if (form == 1 || ws->M_state == 0) {
        int st = dlmkl_ext_marginals(ws->d, ws->M);
        if (st != DLMKL_OK) {
            ws->M_state = 0;
            return st;
        }
        ws->M_state = 1;
    }
    if (form == 2) {
        if (ws->lent)
            return dlmkl_error(DLMKL_EINVAL, "kl_output: this law needs the log-space pass, which rewrites the "
                               "workspace's table, but a sampler is reading it; free the sampler first or use "
                               "another workspace");
        for (uint64_t y = 0; y < ws->N; y++)
            ws->M[y] = ws->M[y] > 0 ? log2(ws->M[y]) : -INFINITY;
        ws->M_state = 2;
    }
    return DLMKL_OK;
}

int dlmkl_klo_ws_lend(dlmkl_kl_output_workspace *ws, const dlmkl_dist *d, double **M)
{
    if (ws->d != d)
        return dlmkl_error(DLMKL_EINVAL, "sampler: the kl_output workspace belongs to another distribution");
    int st = ws_M(ws, 1);
    if (st != DLMKL_OK)
        return st;
    ws->lent++;
    *M = ws->M;
    return DLMKL_OK;
}

const dlmkl_dist *dlmkl_klo_ws_dist(const dlmkl_kl_output_workspace *ws) { return ws->d; }

void dlmkl_klo_ws_return(dlmkl_kl_output_workspace *ws)
{
    if (ws && ws->lent > 0)
        ws->lent--;
}

/* Run the pass with the workspace's arrays (in log space if force_log, or if the plain pass is not
 * trustworthy); q̄ into qbar and log2 q̄ into lqbar (V^L, table order) and KL if asked. */
static int output_law_mix(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos,
                          int prune, int force_log, int generic, double *kl, double *qbar, double *lqbar,
                          double *terms);

static int output_law_ws(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos,
                         int prune, int force_log, int generic, double *kl, double *qbar, double *lqbar,
                         double *terms)
{
    const dlmkl_dist *d = ws->d;
    int st = dlmkl_schedule_check_dist(s, d, "kl_output");
    if (st != DLMKL_OK)
        return st;
    if (s->kind == DLMKL_SCHED_MIX)
        return output_law_mix(ws, s, pos, prune, force_log, generic, kl, qbar, lqbar, terms);
    const int L = d->L, V = d->V;
    double *w = NULL;
    int fpx = 0, logsp = 0;
    if (!force_log && (st = ws_M(ws, 1)) == DLMKL_OK) {
        if (!generic && fast_applies(d, s, pos))
            st = forward_pass_iid(d, s, prune, ws->M, ws->wa, ws->wb, &w, terms, &fpx);
        else
            st = forward_pass(d, s, pos, prune, 0, ws->M, ws->wa, ws->wb, &w, terms, &fpx);
    }
    if (st == DLMKL_OK) {
        /* is the plain result trustworthy? (head comment) */
        int redo = force_log || (fpx & KLO_FP_BAD);
        /* The flags are a hint only (valgrind, for one, does not raise them): the values themselves
         * decide. Any q̄(x) that matters below 2^-969, or not finite, sends the pass to log space. */
        if (!redo) {
            dlmkl_ext_walk walk;
            dlmkl_ext_walk_init(&walk, L, V);
            for (uint64_t x = 0; x < d->n && !redo; x++, dlmkl_ext_walk_next(&walk))
                if ((d->p[x] > 0 || !prune) && !(w[walk.e] >= 0x1p-969 && w[walk.e] <= DBL_MAX))
                    redo = 1;
        }
        if (redo) {
            logsp = 1;
            if ((st = ws_M(ws, 2)) == DLMKL_OK)
                st = forward_pass(d, s, pos, prune, 1, ws->M, ws->wa, ws->wb, &w, terms, &fpx);
        }
    }
    if (st == DLMKL_OK) {
        /* walk the full strings in table order; e = extended index of x */
        dlmkl_ext_walk walk;
        dlmkl_ext_walk_init(&walk, L, V);
        double acc = 0.0;
        int infinite = 0;
        for (uint64_t x = 0; x < d->n; x++, dlmkl_ext_walk_next(&walk)) {
            const double px = d->p[x], q = w[walk.e];
            if (qbar)
                qbar[x] = logsp ? exp2(q) : q;
            if (lqbar)
                lqbar[x] = logsp ? q : (q > 0 ? log2(q) : -INFINITY);
            /* Σ_{p(x)>0} p(x) log2(p(x)/q̄(x)), in table order */
            if (px > 0) {
                if (logsp)
                    q > -INFINITY ? (void)(acc += px * (log2(px) - q)) : (void)(infinite = 1);
                else if (q > 0)
                    acc += px * log2(px / q);
                else
                    infinite = 1;
            }
        }
        if (kl)
            *kl = infinite ? INFINITY : acc;
    }
    return st;
}

/* The same with a workspace of its own, for the calls that do not hold one. */
static int output_law(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos, int prune,
                      int force_log, int generic, double *kl, double *qbar, double *lqbar, double *terms)
{
    int st = dlmkl_schedule_check_dist(s, d, "kl_output");
    if (st != DLMKL_OK)
        return st;
    dlmkl_kl_output_workspace *ws = dlmkl_kl_output_workspace_alloc(d);
    if (!ws)
        return dlmkl_last_status();
    st = output_law_ws(ws, s, pos, prune, force_log, generic, kl, qbar, lqbar, terms);
    dlmkl_kl_output_workspace_free(ws);
    return st;
}


/* A mixture of schedules drawn once per run: q̄ = Σ_i w_i q̄_i, each q̄_i from its own forward pass
 * (in log2, so that no component's tiny values underflow), combined by a max-shifted log-sum-exp in
 * component order; then KL(p ‖ q̄) over the table in table order. Memory: two more tables. */
static int output_law_mix(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos,
                          int prune, int force_log, int generic, double *kl, double *qbar, double *lqbar,
                          double *terms)
{
    const dlmkl_dist *d = ws->d;
    const uint64_t n = d->n;
    int st = dlmkl_check_memory(2 * (size_t)n * sizeof(double), "the output laws of a mixture's components");
    if (st != DLMKL_OK)
        return st;
    double *acc = malloc(n * sizeof *acc), *li = malloc(n * sizeof *li);
    if (!acc || !li) {
        free(acc), free(li);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    double tsum = 0;
    for (int i = 0; i < s->ncomp && st == DLMKL_OK; i++) {
        double ti = 0;
        if ((st = output_law_ws(ws, s->comp[i], pos, prune, force_log, generic, NULL, NULL, li, &ti)) != DLMKL_OK)
            break;
        tsum += ti;
        const double lw = log2(s->comp_w[i]);
        for (uint64_t x = 0; x < n; x++) {
            const double b = lw + li[x];
            if (i == 0) {
                acc[x] = b;
            } else if (b > -INFINITY) {
                const double a = acc[x], m = a > b ? a : b;
                acc[x] = a == -INFINITY ? b : m + log2(exp2(a - m) + exp2(b - m));
            }
        }
    }
    if (st == DLMKL_OK) {
        double sum = 0.0;
        int infinite = 0;
        for (uint64_t x = 0; x < n; x++) {
            if (qbar)
                qbar[x] = exp2(acc[x]);
            if (lqbar)
                lqbar[x] = acc[x];
            if (d->p[x] > 0) {
                if (acc[x] > -INFINITY)
                    sum += d->p[x] * (log2(d->p[x]) - acc[x]);
                else
                    infinite = 1;
            }
        }
        if (kl)
            *kl = infinite ? INFINITY : sum;
        if (terms)
            *terms = tsum;
    }
    free(acc), free(li);
    return st;
}

int dlmkl_kl_output(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos, double *kl,
                    double *qbar)
{
    return output_law(d, s, pos, qbar == NULL, 0, 0, kl, qbar, NULL, NULL);
}

int dlmkl_kl_output_generic(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos, double *kl,
                            double *qbar)
{
    return output_law(d, s, pos, qbar == NULL, 0, 1, kl, qbar, NULL, NULL);
}

int dlmkl_kl_output_ws(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos, double *kl,
                       double *qbar)
{
    return output_law_ws(ws, s, pos, qbar == NULL, 0, 0, kl, qbar, NULL, NULL);
}

int dlmkl_sampler_law(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos, double *qbar,
                      double *terms)
{
    return output_law(d, s, pos, 0, 0, 0, NULL, qbar, NULL, terms);
}

int dlmkl_sampler_law_ws(dlmkl_kl_output_workspace *ws, const dlmkl_schedule *s, const dlmkl_positions *pos,
                         double *qbar, double *terms)
{
    return output_law_ws(ws, s, pos, 0, 0, 0, NULL, qbar, NULL, terms);
}

int dlmkl_sampler_law_log2(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_positions *pos, int force_log,
                           double *kl, double *log2qbar)
{
    return output_law(d, s, pos, 0, force_log, 0, kl, NULL, log2qbar, NULL);
}
