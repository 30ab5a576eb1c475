/* adaptive.c: value-adaptive position policies and imperfect predictors, exactly (adaptive.h).
 *
 * The forward pass. Two weight arrays over partial states are carried layer by layer: wI[y] = P(the
 * ideal process is in state y after t iterations) and wS[y] = the same for the sampler with p̂. From a
 * state y the policy gives one set A per size option (a schedule size s with probability P, or the
 * policy's own size with probability 1; random positions: every s-subset with weight P/C(n, s)).
 * Children z = y with x_A filled in, for every x_A ∈ [V]^|A|:
 *     ideal:    wI[z] += wI[y]·P·p(x_A | x_B),   p(x_A | x_B) = M[z] / M[y]
 *     sampler:  wS[z] += wS[y]·P·Π_{i∈A} p̂_i(x_i)
 * and, on the ideal side, the step's terms TC(X_A | x_B) = Σ_{i∈A} H(p_i) − H(X_A | x_B),
 * Σ_{i∈A} KL(p_i ‖ p̂_i) and Σ_{x_A} p(x_A | x_B) log2(p(x_A | x_B) / Π p̂_i(x_i)) are added with weight
 * wI[y]·P, as are the per-step bound terms (1 if |A| >= 2, |A| − 1, Σ_{i∈A} H(p_i) − max_{i∈A} H(p_i)).
 * Full children are harvested (the sampler's into q̄, both into the iteration counts). The
 * states of a layer are scanned in index order and every sum is accumulated in that fixed order. */
#include "dlmkl/adaptive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/sampler.h"
#include "internal.h"

int dlmkl_adaptive_is_spec(const char *spec)
{
    return spec && (strcmp(spec, "confidence") == 0 || strncmp(spec, "confidence:", 11) == 0 ||
                    strncmp(spec, "threshold:", 10) == 0 || strncmp(spec, "eb:", 3) == 0 ||
                    strncmp(spec, "entsum:", 7) == 0);
}

static int parse_param(const char *spec, const char *prefix, const char *key, double lo, double hi, double *out)
{
    const char *a = spec + strlen(prefix);
    const size_t kl = strlen(key);
    if (strncmp(a, key, kl) != 0 || a[kl] != '=')
        return dlmkl_error(DLMKL_EINVAL, "positions '%s': expected %s%s=VALUE", spec, prefix, key);
    if (dlmkl_read_double(a + kl + 1, (size_t)-1, lo, hi, out) != DLMKL_OK)
        return dlmkl_error_prefix(DLMKL_EINVAL, "positions '%s': %s must lie in [%g, %g]", spec, key, lo, hi);
    return DLMKL_OK;
}

int dlmkl_adaptive_parse(const char *spec, dlmkl_adaptive *pol)
{
    memset(pol, 0, sizeof *pol);
    if (!spec)
        return dlmkl_error(DLMKL_EINVAL, "positions: empty spec");
    if (strcmp(spec, "random") == 0) {
        pol->kind = DLMKL_ADAPT_RANDOM;
        return DLMKL_OK;
    }
    if (strcmp(spec, "l2r") == 0) {
        pol->kind = DLMKL_ADAPT_L2R;
        return DLMKL_OK;
    }
    if (strcmp(spec, "confidence") == 0) {
        pol->kind = DLMKL_ADAPT_CONFIDENCE;
        return DLMKL_OK;
    }
    if (strncmp(spec, "confidence:", 11) == 0) {
        pol->kind = DLMKL_ADAPT_CONFIDENCE;
        const char *a = spec + 11;
        if (strcmp(a, "by=maxprob") == 0)
            pol->by = DLMKL_SCORE_MAXPROB;
        else if (strcmp(a, "by=margin") == 0)
            pol->by = DLMKL_SCORE_MARGIN;
        else if (strcmp(a, "by=entropy") == 0)
            pol->by = DLMKL_SCORE_ENTROPY;
        else
            return dlmkl_error(DLMKL_EINVAL, "positions '%s': expected confidence:by=maxprob, by=margin or by=entropy", spec);
        return DLMKL_OK;
    }
    if (strncmp(spec, "threshold:", 10) == 0) {
        pol->kind = DLMKL_ADAPT_THRESHOLD;
        return parse_param(spec, "threshold:", "tau", 0, 1, &pol->param);
    }
    if (strncmp(spec, "eb:", 3) == 0) {
        pol->kind = DLMKL_ADAPT_EB;
        return parse_param(spec, "eb:", "gamma", 0, 1e6, &pol->param);
    }
    if (strncmp(spec, "entsum:", 7) == 0) {
        pol->kind = DLMKL_ADAPT_ENTSUM;
        return parse_param(spec, "entsum:", "eps", 0, 1e6, &pol->param);
    }
    return dlmkl_error(DLMKL_EINVAL, "positions '%s': expected confidence[:by=maxprob|margin|entropy], "
                       "threshold:tau=T, eb:gamma=G or entsum:eps=E", spec);
}

const char *dlmkl_adaptive_name(const dlmkl_adaptive *pol, char *buf, size_t len)
{
    static const char *const by[] = {"maxprob", "margin", "entropy"};
    char x[32];
    dlmkl_fmt_double(x, sizeof x, pol->param);
    switch (pol->kind) {
    case DLMKL_ADAPT_RANDOM:
        snprintf(buf, len, "random");
        break;
    case DLMKL_ADAPT_L2R:
        snprintf(buf, len, "l2r");
        break;
    case DLMKL_ADAPT_CONFIDENCE:
        if (pol->by == DLMKL_SCORE_MAXPROB)
            snprintf(buf, len, "confidence");
        else
            snprintf(buf, len, "confidence:by=%s", by[pol->by]);
        break;
    case DLMKL_ADAPT_THRESHOLD:
        snprintf(buf, len, "threshold:tau=%s", x);
        break;
    case DLMKL_ADAPT_EB:
        snprintf(buf, len, "eb:gamma=%s", x);
        break;
    case DLMKL_ADAPT_ENTSUM:
        snprintf(buf, len, "entsum:eps=%s", x);
        break;
    }
    return buf;
}

int dlmkl_adaptive_self_sized(const dlmkl_adaptive *pol)
{
    return pol->kind == DLMKL_ADAPT_THRESHOLD || pol->kind == DLMKL_ADAPT_EB || pol->kind == DLMKL_ADAPT_ENTSUM;
}

double dlmkl_adaptive_threshold_entropy(int V, double tau)
{
    if (V < 2 || tau >= 1.0)
        return 0.0;
    if (tau < 1.0 / (double)V)
        return log2((double)V);
    const double h2 = -tau * log2(tau) - (1.0 - tau) * log2(1.0 - tau);
    return h2 + (1.0 - tau) * log2((double)(V - 1));
}

double dlmkl_adaptive_bytes(const dlmkl_dist *d)
{
    return (5.0 * pow((double)d->V + 1.0, (double)d->L) + (double)d->n) * (double)sizeof(double);
}

/* ---- one state: the conditionals of the masked positions and the policy's choice ---- */

typedef struct aw {
    int L, V;
    uint64_t pw[DLMKL_MAX_L]; /* (V+1)^(L−1−i) */
    const double *M;
    const dlmkl_predictor *pred;
    double *c, *ch;           /* L·V: row j = exact / predicted conditional of the j-th masked position */
    int nU, U[DLMKL_MAX_L];   /* the masked positions, increasing */
    double ent[DLMKL_MAX_L];  /* H(p̂_j) in bits */
    double mp[DLMKL_MAX_L];   /* max_v p̂_j(v) */
    double score[DLMKL_MAX_L];
    int rank[DLMKL_MAX_L];    /* j indices, best first */
} aw;

static double entropy2(int V, const double *q)
{
    double h = 0.0;
    for (int v = 0; v < V; v++)
        if (q[v] > 0)
            h -= q[v] * log2(q[v]);
    return h;
}

/* Conditionals at state y (digits dig, V = masked). */
static void state_eval(aw *w, uint64_t y, const int *dig)
{
    const int L = w->L, V = w->V;
    const double My = w->M[y];
    w->nU = 0;
    for (int i = 0; i < L; i++) {
        if (dig[i] != V)
            continue;
        const int j = w->nU++;
        w->U[j] = i;
        double *c = w->c + (size_t)j * (size_t)V, *ch = w->ch + (size_t)j * (size_t)V;
        const uint64_t base = y - (uint64_t)V * w->pw[i];
        for (int v = 0; v < V; v++)
            c[v] = My > 0 ? w->M[base + (uint64_t)v * w->pw[i]] / My : 1.0 / (double)V;
        dlmkl_predictor_apply(w->pred, V, c, y, i, ch);
        w->ent[j] = entropy2(V, ch);
        double m1 = 0.0;
        for (int v = 0; v < V; v++)
            m1 = ch[v] > m1 ? ch[v] : m1;
        w->mp[j] = m1;
    }
}

/* Greedy ranking by w->score (higher better): repeatedly the lowest j within DLMKL_ADAPT_TIE of the best
 * remaining score. O(n^2). */
static void rank_scores(aw *w)
{
    const int n = w->nU;
    unsigned char used[DLMKL_MAX_L] = {0};
    for (int r = 0; r < n; r++) {
        double best = -INFINITY;
        for (int j = 0; j < n; j++)
            if (!used[j] && w->score[j] > best)
                best = w->score[j];
        int pick = -1;
        for (int j = 0; j < n && pick < 0; j++)
            if (!used[j] && w->score[j] >= best - DLMKL_ADAPT_TIE)
                pick = j;
        used[pick] = 1;
        w->rank[r] = pick;
    }
}

static void sort_int(int *a, int n)
{
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && a[k - 1] > a[k]; k--) {
            int t = a[k];
            a[k] = a[k - 1], a[k - 1] = t;
        }
}

/* The set A (as j indices, increasing) the policy picks at this state for size s (schedule-driven
 * policies other than random) or on its own (self-sized). Returns |A|. */
static int choose(const dlmkl_adaptive *pol, aw *w, int s, int *Aj)
{
    const int n = w->nU, V = w->V;
    int a = 0;
    switch (pol->kind) {
    case DLMKL_ADAPT_L2R:
        for (a = 0; a < s; a++)
            Aj[a] = a;
        return s;
    case DLMKL_ADAPT_CONFIDENCE:
        for (int j = 0; j < n; j++) {
            if (pol->by == DLMKL_SCORE_MAXPROB) {
                w->score[j] = w->mp[j];
            } else if (pol->by == DLMKL_SCORE_ENTROPY) {
                w->score[j] = -w->ent[j];
            } else {
                const double *q = w->ch + (size_t)j * (size_t)V;
                double m1 = -1, m2 = -1;
                for (int v = 0; v < V; v++) {
                    if (q[v] > m1)
                        m2 = m1, m1 = q[v];
                    else if (q[v] > m2)
                        m2 = q[v];
                }
                w->score[j] = m1 - m2;
            }
        }
        rank_scores(w);
        for (a = 0; a < s; a++)
            Aj[a] = w->rank[a];
        break;
    case DLMKL_ADAPT_THRESHOLD:
        for (int j = 0; j < n; j++)
            if (w->mp[j] > pol->param)
                Aj[a++] = j;
        if (a == 0) {
            for (int j = 0; j < n; j++)
                w->score[j] = w->mp[j];
            rank_scores(w);
            Aj[a++] = w->rank[0];
        }
        break;
    case DLMKL_ADAPT_EB:
    case DLMKL_ADAPT_ENTSUM: {
        for (int j = 0; j < n; j++)
            w->score[j] = -w->ent[j];
        rank_scores(w);
        double sum = 0.0, mx = 0.0;
        for (a = 0; a < n; a++) {
            const double h = w->ent[w->rank[a]];
            const double s2 = sum + h, m2 = h > mx ? h : mx;
            const double crit = pol->kind == DLMKL_ADAPT_EB ? s2 - m2 : s2;
            if (a > 0 && crit > pol->param)
                break;
            sum = s2, mx = m2;
            Aj[a] = w->rank[a];
        }
        break;
    }
    case DLMKL_ADAPT_RANDOM:
        return -1; /* not used: random positions enumerate subsets */
    }
    sort_int(Aj, a);
    return a;
}

/* ---- the exact pass ---- */

typedef struct pass {
    aw w;
    double *wI, *wS, *nI, *nS, *qacc;
    double klexp, klpred, klpath;
    double multiI, excessI, summaxI; /* ideal: steps with |A| >= 2, Σ (|A| − 1), Σ (Σ_A H − max_A H) */
    int klpath_inf;
    double iterI[DLMKL_MAX_L + 2], iterS[DLMKL_MAX_L + 2];
    double terms;
} pass;

/* Table index of the full extended state z. */
static uint64_t table_index(const aw *w, uint64_t z)
{
    uint64_t t = 0;
    for (int i = 0; i < w->L; i++)
        t = t * (uint64_t)w->V + (z / w->pw[i]) % (uint64_t)(w->V + 1);
    return t;
}

/* Push the weights of state y (wi ideal, ws sampler) through the set A (j indices Aj, a of them),
 * with probability P; m = revealed count at y; layer = iterations done. */
static void push(pass *ps, uint64_t y, int m, int layer, const int *Aj, int a, double wi, double ws, double P)
{
    aw *w = &ps->w;
    const int V = w->V, L = w->L;
    if (a == 0) {
        ps->nI[y] += wi * P;
        ps->nS[y] += ws * P;
        return;
    }
    if (a >= 2)
        ps->multiI += wi * P;
    ps->excessI += wi * P * (double)(a - 1);
    const double My = w->M[y];
    const int full = m + a == L;
    int v[DLMKL_MAX_L] = {0};
    uint64_t z = y;
    for (int q = 0; q < a; q++)
        z -= (uint64_t)V * w->pw[w->U[Aj[q]]];
    /* ideal-side step terms */
    double hA = 0.0, pathsum = 0.0, hsum = 0.0, hmax = 0.0, kls = 0.0;
    int pinf = 0;
    for (;;) {
        ps->terms++;
        double pS = 1.0;
        for (int q = 0; q < a; q++)
            pS *= w->ch[(size_t)Aj[q] * (size_t)V + (size_t)v[q]];
        const double pI = wi > 0 && My > 0 ? w->M[z] / My : 0.0;
        if (pI > 0) {
            hA -= pI * log2(pI);
            if (pS > 0)
                pathsum += pI * log2(pI / pS);
            else
                pinf = 1;
        }
        if (full) {
            ps->iterI[layer + 1] += wi * P * pI;
            ps->iterS[layer + 1] += ws * P * pS;
            ps->qacc[table_index(w, z)] += ws * P * pS;
        } else {
            ps->nI[z] += wi * P * pI;
            ps->nS[z] += ws * P * pS;
        }
        int q = a - 1;
        for (; q >= 0; q--) {
            const uint64_t pwi = w->pw[w->U[Aj[q]]];
            if (++v[q] < V) {
                z += pwi;
                break;
            }
            z -= (uint64_t)(V - 1) * pwi;
            v[q] = 0;
        }
        if (q < 0)
            break;
    }
    if (wi > 0 && My > 0) {
        for (int q = 0; q < a; q++) {
            const double *c = w->c + (size_t)Aj[q] * (size_t)V, *ch = w->ch + (size_t)Aj[q] * (size_t)V;
            const double hc = entropy2(V, c);
            hsum += hc;
            hmax = hc > hmax ? hc : hmax;
            for (int u = 0; u < V; u++)
                if (c[u] > 0)
                    kls += ch[u] > 0 ? c[u] * log2(c[u] / ch[u]) : INFINITY;
        }
        ps->klexp += wi * P * (hsum - hA);
        ps->summaxI += wi * P * (hsum - hmax);
        ps->klpred += wi * P * kls;
        ps->klpath += wi * P * pathsum;
        if (pinf)
            ps->klpath_inf = 1;
    }
}

int dlmkl_adaptive_eval(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_adaptive *pol,
                        const dlmkl_predictor *pred, double *qbar, dlmkl_adaptive_result *res)
{
    const int selfsz = dlmkl_adaptive_self_sized(pol);
    if (!selfsz && !s)
        return dlmkl_error(DLMKL_EINVAL, "adaptive: this position policy takes its sizes from a schedule");
    if (s) {
        int st0 = dlmkl_schedule_check_dist(s, d, "adaptive");
        if (st0 != DLMKL_OK)
            return st0;
        if (s->kind == DLMKL_SCHED_MIX)
            return dlmkl_error(DLMKL_EINVAL, "adaptive: schedule '%s' is a mixture; evaluate its components", s->name);
    }
    const int L = d->L, V = d->V;
    uint64_t N;
    int st = dlmkl_ext_size(L, V, &N);
    if (st != DLMKL_OK)
        return st;
    if (N > SIZE_MAX / (6 * sizeof(double)))
        return dlmkl_error(DLMKL_ETOOBIG, "adaptive pass for L = %d, V = %d: more than the address space", L, V);
    char what[160];
    snprintf(what, sizeof what, "the adaptive forward pass for L = %d, V = %d (5 arrays of (V+1)^L = %llu doubles)", L, V,
             (unsigned long long)N);
    if ((st = dlmkl_check_memory((5 * (size_t)N + (size_t)d->n) * sizeof(double), what)) != DLMKL_OK)
        return st;
    const size_t L1 = (size_t)L + 1;
    pass ps;
    memset(&ps, 0, sizeof ps);
    double *M = malloc(N * sizeof *M), *law = malloc(L1 * L1 * sizeof *law);
    unsigned char *lawdone = malloc(L1);
    ps.wI = calloc(N, sizeof(double)), ps.wS = calloc(N, sizeof(double));
    ps.nI = malloc(N * sizeof(double)), ps.nS = malloc(N * sizeof(double));
    ps.qacc = calloc(d->n, sizeof(double));
    ps.w.c = malloc(L1 * (size_t)V * sizeof(double)), ps.w.ch = malloc(L1 * (size_t)V * sizeof(double));
    if (!M || !law || !lawdone || !ps.wI || !ps.wS || !ps.nI || !ps.nS || !ps.qacc || !ps.w.c || !ps.w.ch) {
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
        goto done;
    }
    if ((st = dlmkl_ext_marginals(d, M)) != DLMKL_OK)
        goto done;
    ps.w.L = L, ps.w.V = V, ps.w.M = M, ps.w.pred = pred;
    ps.w.pw[L - 1] = 1;
    for (int i = L - 2; i >= 0; i--)
        ps.w.pw[i] = ps.w.pw[i + 1] * (uint64_t)(V + 1);
    ps.wI[N - 1] = 1.0, ps.wS[N - 1] = 1.0;
    const int layers = selfsz ? L : s->nsteps;
    int Aj[DLMKL_MAX_L], dig[DLMKL_MAX_L];
    for (int k = 0; k < layers && st == DLMKL_OK; k++) {
        memset(ps.nI, 0, N * sizeof(double));
        memset(ps.nS, 0, N * sizeof(double));
        memset(lawdone, 0, L1);
        for (uint64_t y = 0; y < N && st == DLMKL_OK; y++) {
            const double wi = ps.wI[y], ws = ps.wS[y];
            if (wi == 0.0 && ws == 0.0)
                continue;
            int m = 0;
            for (int i = 0; i < L; i++) {
                dig[i] = (int)((y / ps.w.pw[i]) % (uint64_t)(V + 1));
                m += dig[i] != V;
            }
            state_eval(&ps.w, y, dig);
            if (selfsz) {
                int a = choose(pol, &ps.w, 0, Aj);
                push(&ps, y, m, k, Aj, a, wi, ws, 1.0);
                continue;
            }
            double *pl = law + (size_t)m * L1;
            if (!lawdone[m]) {
                if ((st = dlmkl_schedule_step_law(s, k, m, pl)) != DLMKL_OK)
                    break;
                lawdone[m] = 1;
            }
            for (int sz = 0; sz <= L - m; sz++) {
                const double P = pl[sz];
                if (!(P > 0))
                    continue;
                if (pol->kind != DLMKL_ADAPT_RANDOM) {
                    int a = choose(pol, &ps.w, sz, Aj);
                    push(&ps, y, m, k, Aj, a, wi, ws, P);
                    continue;
                }
                /* every sz-subset of the nU masked, weight 1/C(nU, sz) */
                const int n = ps.w.nU;
                const double coef = P / dlmkl_choose(n, sz);
                uint64_t comb = sz == 0 ? 0 : (1ULL << sz) - 1;
                const uint64_t end = 1ULL << n;
                while (comb < end) {
                    int a = 0;
                    for (uint64_t b = comb; b; b &= b - 1)
                        Aj[a++] = __builtin_ctzll(b);
                    push(&ps, y, m, k, Aj, a, wi, ws, coef);
                    if (sz == 0)
                        break;
                    const uint64_t lo = comb & -comb, hi = comb + lo;
                    comb = hi | (((comb ^ hi) >> 2) / lo);
                }
            }
        }
        double *t = ps.wI;
        ps.wI = ps.nI, ps.nI = t;
        t = ps.wS, ps.wS = ps.nS, ps.nS = t;
    }
    if (st != DLMKL_OK)
        goto done;
    for (uint64_t y = 0; y < N; y++)
        if (ps.wI[y] > 0 || ps.wS[y] > 0) {
            st = dlmkl_error(DLMKL_EINVAL, "adaptive: schedule '%s' left tokens masked after K = %d iterations",
                             s ? s->name : "?", layers);
            goto done;
        }
    /* iterations: layers for self-sized policies; non-empty steps of the size law otherwise (the same
     * law for both processes, since the sizes do not look at the values): DP over (m, count) */
    memset(res, 0, sizeof *res);
    if (selfsz) {
        for (int t = 0; t <= L; t++) {
            res->iter_prob[t] = ps.iterS[t];
            res->iter_mean += t * ps.iterS[t];
            res->iter_mean_ideal += t * ps.iterI[t];
        }
    } else {
        double *dp = calloc(L1 * L1, sizeof *dp), *dn = malloc(L1 * L1 * sizeof *dn), *pl = malloc(L1 * sizeof *pl);
        if (!dp || !dn || !pl) {
            free(dp), free(dn), free(pl);
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
            goto done;
        }
        dp[0] = 1.0;
        for (int k = 0; k < s->nsteps && st == DLMKL_OK; k++) {
            memset(dn, 0, L1 * L1 * sizeof *dn);
            for (int m = 0; m <= L && st == DLMKL_OK; m++) {
                int any = 0;
                for (int c = 0; c <= L; c++)
                    any |= dp[(size_t)m * L1 + (size_t)c] > 0;
                if (!any)
                    continue;
                if ((st = dlmkl_schedule_step_law(s, k, m, pl)) != DLMKL_OK)
                    break;
                for (int sz = 0; sz <= L - m; sz++)
                    if (pl[sz] > 0)
                        for (int c = 0; c < L; c++)
                            dn[(size_t)(m + sz) * L1 + (size_t)(c + (sz > 0))] += dp[(size_t)m * L1 + (size_t)c] * pl[sz];
            }
            double *t = dp;
            dp = dn, dn = t;
        }
        for (int c = 0; c <= L; c++) {
            res->iter_prob[c] = dp[(size_t)L * L1 + (size_t)c];
            res->iter_mean += c * res->iter_prob[c];
        }
        res->iter_mean_ideal = res->iter_mean;
        free(dp), free(dn), free(pl);
        if (st != DLMKL_OK)
            goto done;
    }
    const double sc = (double)L * log2((double)V);
    res->kl_expected = dlmkl_nonneg(ps.klexp, sc);
    res->kl_predictor = dlmkl_nonneg(ps.klpred, sc);
    res->kl_path = ps.klpath_inf ? INFINITY : dlmkl_nonneg(ps.klpath, sc);
    double acc = 0.0;
    int inf = 0;
    for (uint64_t x = 0; x < d->n; x++) {
        if (qbar)
            qbar[x] = ps.qacc[x];
        if (d->p[x] > 0) {
            if (ps.qacc[x] > 0)
                acc += d->p[x] * log2(d->p[x] / ps.qacc[x]);
            else
                inf = 1;
        }
    }
    res->kl_output = inf ? INFINITY : dlmkl_nonneg(acc, sc);
    res->multi_mean_ideal = ps.multiI;
    res->excess_ideal = ps.excessI;
    res->summax_ideal = dlmkl_nonneg(ps.summaxI, sc);
    res->terms = ps.terms;
done:
    free(M), free(law), free(lawdone), free(ps.wI), free(ps.wS), free(ps.nI), free(ps.nS), free(ps.qacc);
    free(ps.w.c), free(ps.w.ch);
    return st;
}

/* ---- the simulator ---- */

static int draw_size(const dlmkl_schedule *s, int k, int m, double *pl, gsl_rng *r, int *size)
{
    int st = dlmkl_schedule_step_law(s, k, m, pl);
    if (st != DLMKL_OK)
        return st;
    const double u = gsl_rng_uniform(r);
    double c = 0.0;
    int last = -1;
    for (int j = 0; j <= s->L - m; j++) {
        if (!(pl[j] > 0))
            continue;
        last = j;
        c += pl[j];
        if (u < c) {
            *size = j;
            return DLMKL_OK;
        }
    }
    if (last < 0)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s': no size has positive probability at step %d", s->name, k + 1);
    *size = last;
    return DLMKL_OK;
}

/* the counts of dlmkl_adaptive_sample, one draw at a time */
typedef struct {
    uint64_t *counts, *iters;
    int L, V;
} count_ctx;

static int count_draw(void *ctx, const int *x, uint64_t index, int iterations)
{
    count_ctx *c = ctx;
    (void)index;
    uint64_t t = 0;
    for (int i = 0; i < c->L; i++)
        t = t * (uint64_t)c->V + (uint64_t)x[i];
    c->counts[t]++;
    if (c->iters)
        c->iters[iterations]++;
    return DLMKL_OK;
}

int dlmkl_adaptive_sample(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_adaptive *pol,
                          const dlmkl_predictor *pred, unsigned long seed, uint64_t n, uint64_t *counts,
                          uint64_t *iters)
{
    count_ctx c = {counts, iters, d->L, d->V};
    return dlmkl_adaptive_sample_each(d, s, pol, pred, seed, n, count_draw, &c);
}

int dlmkl_adaptive_sample_each(const dlmkl_dist *d, const dlmkl_schedule *s, const dlmkl_adaptive *pol,
                               const dlmkl_predictor *pred, unsigned long seed, uint64_t n, dlmkl_adaptive_draw_fn each,
                               void *ctx)
{
    const int selfsz = dlmkl_adaptive_self_sized(pol);
    if (!selfsz && !s)
        return dlmkl_error(DLMKL_EINVAL, "adaptive: this position policy takes its sizes from a schedule");
    if (s) {
        int st0 = dlmkl_schedule_check_dist(s, d, "adaptive sampler");
        if (st0 != DLMKL_OK)
            return st0;
        if (s->kind == DLMKL_SCHED_MIX)
            return dlmkl_error(DLMKL_EINVAL, "adaptive sampler: schedule '%s' is a mixture; simulate its components", s->name);
    }
    const int L = d->L, V = d->V;
    uint64_t N;
    int st = dlmkl_ext_size(L, V, &N);
    if (st != DLMKL_OK)
        return st;
    char what[160];
    snprintf(what, sizeof what, "the sampler's oracle for L = %d, V = %d ((V+1)^L = %llu doubles)", L, V,
             (unsigned long long)N);
    if (N > SIZE_MAX / sizeof(double) || (st = dlmkl_check_memory((size_t)N * sizeof(double), what)) != DLMKL_OK)
        return st != DLMKL_OK ? st : dlmkl_error(DLMKL_ETOOBIG, "%s exceeds the address space", what);
    const size_t L1 = (size_t)L + 1;
    aw w;
    memset(&w, 0, sizeof w);
    double *M = malloc(N * sizeof *M), *pl = malloc(L1 * sizeof *pl);
    w.c = malloc(L1 * (size_t)V * sizeof(double)), w.ch = malloc(L1 * (size_t)V * sizeof(double));
    gsl_rng *r = dlmkl_rng_alloc(seed);
    if (!M || !pl || !w.c || !w.ch || !r) {
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
        goto done;
    }
    if ((st = dlmkl_ext_marginals(d, M)) != DLMKL_OK)
        goto done;
    w.L = L, w.V = V, w.M = M, w.pred = pred;
    w.pw[L - 1] = 1;
    for (int i = L - 2; i >= 0; i--)
        w.pw[i] = w.pw[i + 1] * (uint64_t)(V + 1);
    const int layers = selfsz ? L : s->nsteps;
    int Aj[DLMKL_MAX_L], dig[DLMKL_MAX_L];
    for (uint64_t run = 0; run < n && st == DLMKL_OK; run++) {
        uint64_t y = N - 1;
        int m = 0, its = 0;
        for (int i = 0; i < L; i++)
            dig[i] = V;
        for (int k = 0; k < layers && m < L; k++) {
            state_eval(&w, y, dig);
            int a;
            if (selfsz) {
                a = choose(pol, &w, 0, Aj);
            } else {
                int sz = 0;
                if ((st = draw_size(s, k, m, pl, r, &sz)) != DLMKL_OK)
                    break;
                if (sz > w.nU) {
                    st = dlmkl_error(DLMKL_EINVAL, "schedule '%s': step %d reveals %d tokens but %d are masked",
                                     s->name, k + 1, sz, w.nU);
                    break;
                }
                if (pol->kind == DLMKL_ADAPT_RANDOM) {
                    int J[DLMKL_MAX_L];
                    for (int j = 0; j < w.nU; j++)
                        J[j] = j;
                    for (int j = 0; j < sz; j++) {
                        int q = j + (int)gsl_rng_uniform_int(r, (unsigned long)(w.nU - j));
                        int t = J[j];
                        J[j] = J[q], J[q] = t;
                    }
                    memcpy(Aj, J, (size_t)sz * sizeof *Aj);
                    sort_int(Aj, sz);
                    a = sz;
                } else {
                    a = choose(pol, &w, sz, Aj);
                }
            }
            uint64_t ynew = y;
            for (int q = 0; q < a; q++) {
                const double *ch = w.ch + (size_t)Aj[q] * (size_t)V;
                const double u = gsl_rng_uniform(r);
                double c = 0.0;
                int v, last = 0;
                for (v = 0; v < V; v++) {
                    if (ch[v] > 0)
                        last = v;
                    c += ch[v];
                    if (ch[v] > 0 && u < c)
                        break;
                }
                if (v == V)
                    v = last;
                const int i = w.U[Aj[q]];
                ynew -= (uint64_t)(V - v) * w.pw[i];
                dig[i] = v;
            }
            y = ynew;
            m += a;
            its += a > 0;
        }
        if (st != DLMKL_OK)
            break;
        if (m != L) {
            st = dlmkl_error(DLMKL_EINVAL, "adaptive sampler: %d of %d tokens still masked at the end", L - m, L);
            break;
        }
        if ((st = each(ctx, dig, run, its)) != DLMKL_OK)
            break;
    }
done:
    if (r)
        gsl_rng_free(r);
    free(M), free(pl), free(w.c), free(w.ch);
    return st;
}
