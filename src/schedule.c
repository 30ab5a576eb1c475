/* schedule.c: unmasking schedules — the law of the sizes (s_1..s_K), Σ s_k = L — the object, its
 * step laws, and the schedule type table that builds one from a spec string (size rules: sizes.c;
 * law files: law_file.c; position policies: positions.c). Formulas:
 *   i.i.d. reveal times: token i reveals at iteration k with prob. π_k; π_k = α(k/K) − α((k−1)/K), or
 *     π_k ∝ ρ^(−k) (random-tc), π_k ∝ ρ^k (random-dtc), ρ = L^(1/K) by default. Given m_k,
 *     s_k ~ Binomial(L − m_k, π_k / Σ_{j>=k} π_j).
 *   composition: uniform over the C(L−1, K−1) compositions of L into K positive parts; given m_k,
 *     P(s_k = s) = C(L−m_k−s−1, K−k−1) / C(L−m_k−1, K−k)  (1-based k < K), s_K = L − m_K. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "dlmkl/law_file.h"
#include "dlmkl/minimax.h"
#include "dlmkl/schedule.h"
#include "internal.h"
#include "schedule_internal.h"

/* ---- allocation ---- */

dlmkl_schedule *dlmkl_schedule_new(dlmkl_schedule_kind kind, int L, int K, const char *name)
{
    if (K > 0 && dlmkl_check_memory((size_t)K * (2 * sizeof(double) + sizeof(long double)),
                                     "the per-iteration arrays of a schedule") != DLMKL_OK)
        return NULL;
    dlmkl_schedule *s = calloc(1, sizeof *s);
    if (!s) {
        dlmkl_error(DLMKL_ENOMEM, "out of memory");
        return NULL;
    }
    s->kind = kind;
    s->L = L;
    s->nsteps = K;
    s->budget = K;
    s->name = strdup(name);
    if (kind == DLMKL_SCHED_FIXED)
        s->sizes = calloc((size_t)(K > 0 ? K : 1), sizeof *s->sizes);
    if (kind == DLMKL_SCHED_IID)
        s->pi = calloc((size_t)(K > 0 ? K : 1), sizeof *s->pi),
        s->pi_tail = calloc((size_t)(K > 0 ? K : 1), sizeof *s->pi_tail),
        s->pi_ld = calloc((size_t)(K > 0 ? K : 1), sizeof *s->pi_ld);
    if (!s->name || (kind == DLMKL_SCHED_FIXED && !s->sizes) ||
        (kind == DLMKL_SCHED_IID && (!s->pi || !s->pi_tail || !s->pi_ld))) {
        dlmkl_schedule_free(s);
        dlmkl_error(DLMKL_ENOMEM, "out of memory");
        return NULL;
    }
    return s;
}

void dlmkl_schedule_free(dlmkl_schedule *s)
{
    if (!s)
        return;
    free(s->sizes);
    free(s->pi);
    free(s->pi_tail);
    free(s->pi_ld);
    for (int i = 0; i < s->ncomp; i++)
        dlmkl_schedule_free(s->comp[i]);
    free(s->comp);
    free(s->comp_w);
    free(s->row_start);
    free(s->law);
    free(s->name);
    free(s);
}

int dlmkl_schedule_fixed(int L, const int *sizes, int K, const char *name, dlmkl_schedule **out)
{
    *out = NULL;
    if (K < 1)
        return dlmkl_error(DLMKL_EINVAL, "a schedule needs at least one iteration (K = %d)", K);
    long sum = 0;
    for (int k = 0; k < K; k++) {
        if (sizes[k] < 0)
            return dlmkl_error(DLMKL_EINVAL, "size s_%d = %d is negative", k + 1, sizes[k]);
        sum += sizes[k];
    }
    if (sum != L)
        return dlmkl_error(DLMKL_EINVAL, "the sizes sum to %ld but must sum to L = %d (every token revealed exactly once)", sum, L);
    dlmkl_schedule *s = dlmkl_schedule_new(DLMKL_SCHED_FIXED, L, K, name);
    if (!s)
        return DLMKL_ENOMEM;
    memcpy(s->sizes, sizes, (size_t)K * sizeof *sizes);
    *out = s;
    return DLMKL_OK;
}

int dlmkl_schedule_check_dist(const dlmkl_schedule *s, const dlmkl_dist *d, const char *who)
{
    if (!d || !s)
        return dlmkl_error(DLMKL_EINVAL, "%s: missing distribution or schedule", who);
    if (s->L != d->L)
        return dlmkl_error(DLMKL_EINVAL, "%s: the schedule is for L = %d tokens but the distribution has L = %d", who,
                           s->L, d->L);
    if (s->nsteps < 1)
        return dlmkl_error(DLMKL_EINVAL, "%s: the schedule has K = %d iterations (need K >= 1)", who, s->nsteps);
    return DLMKL_OK;
}

int dlmkl_schedule_is_fixed(const dlmkl_schedule *s) { return s->kind == DLMKL_SCHED_FIXED; }

/* ---- the budget check shared by the builders ---- */

/* K must be given (>= 1); with k_le_l (every iteration reveals at least one token) also K <= L. */
static int require_K(int K, int L, const char *name, int k_le_l)
{
    if (K < 1)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' needs the number of iterations K (K >= 1)", name);
    if (k_le_l && K > L)
        return dlmkl_error(DLMKL_EINVAL,
                           "schedule '%s' is deterministic and reveals at least one token per iteration, so K = %d "
                           "cannot exceed L = %d; use K <= L or a randomized schedule (iid:..., random-tc, ...)",
                           name, K, L);
    return DLMKL_OK;
}

/* ---- specs ---- */

static int parse_kv_double(const char *text, const char *key, double *out, int *found)
{
    /* text is "key=value" or empty */
    *found = 0;
    if (!text || !*text)
        return DLMKL_OK;
    size_t kl = strlen(key);
    if (strncmp(text, key, kl) != 0 || text[kl] != '=')
        return dlmkl_error(DLMKL_EINVAL, "expected %s=VALUE, got '%s'", key, text);
    char *end;
    errno = 0;
    double v = strtod(text + kl + 1, &end);
    if (end == text + kl + 1 || *end || errno || !isfinite(v))
        return dlmkl_error(DLMKL_EINVAL, "%s = '%s' is not a finite number", key, text + kl + 1);
    *out = v;
    *found = 1;
    return DLMKL_OK;
}

/* A Chen schedule with its sizes, named "chen-tc:zeta=Z", for iteration budget. */
static int make_chen(const char *head, int L, double zeta, dlmkl_chen_kind chen, const int *sizes, int n, int budget,
                     dlmkl_schedule **out)
{
    char name[64], z[32];
    snprintf(name, sizeof name, "%s:zeta=%s", head, dlmkl_fmt_double(z, sizeof z, zeta));
    int st = dlmkl_schedule_fixed(L, sizes, n, name, out);
    if (st == DLMKL_OK) {
        (*out)->chen = chen;
        (*out)->zeta = zeta;
        (*out)->budget = budget;
    }
    return st;
}

/* Normalise the long double weights to sum 1 and set π (double) and the tails Σ_{j>=k} π_j. */
static int iid_normalise(dlmkl_schedule *s)
{
    long double sum = 0;
    for (int k = 0; k < s->nsteps; k++)
        sum += s->pi_ld[k];
    if (!(sum > 0) || !isfinite((double)sum))
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s': the reveal probabilities do not sum to a positive number", s->name);
    for (int k = 0; k < s->nsteps; k++) {
        s->pi_ld[k] /= sum;
        s->pi[k] = (double)s->pi_ld[k];
    }
    long double acc = 0;
    for (int k = s->nsteps - 1; k >= 0; k--)
        s->pi_tail[k] = (double)(acc += s->pi_ld[k]);
    return DLMKL_OK;
}

/* The longest explicit weight list of iid:pi=. */
#define DLMKL_MAX_K_WEIGHTS 1000000

/* iid:pi=w1/w2/.../wK: reveal-time weights given one per iteration (K implied), normalised. */
static int iid_from_weights(const char *spec, const char *list, int L, int K, dlmkl_schedule **out)
{
    int n = 1;
    for (const char *p = list; *p; p++)
        n += *p == '/';
    if (!*list || n > DLMKL_MAX_K_WEIGHTS)
        return dlmkl_error(DLMKL_EINVAL, "iid:pi=: give 1 to %d weights separated by '/', e.g. iid:pi=0.5/0.3/0.2",
                           DLMKL_MAX_K_WEIGHTS);
    if (K > 0 && K != n)
        return dlmkl_error(DLMKL_EINVAL, "iid:pi= lists %d weights but the budget K is %d (the weights imply K)", n, K);
    dlmkl_schedule *s = dlmkl_schedule_new(DLMKL_SCHED_IID, L, n, spec);
    if (!s)
        return DLMKL_ENOMEM;
    const char *p = list;
    for (int k = 0; k < n; k++) {
        const size_t len = strcspn(p, "/");
        double w;
        if (dlmkl_read_double(p, len, 0.0, DBL_MAX, &w) != DLMKL_OK) {
            dlmkl_schedule_free(s);
            return dlmkl_error_prefix(DLMKL_EINVAL, "iid:pi=: weight %d", k + 1);
        }
        s->pi_ld[k] = w;
        p += len + (p[len] == '/');
    }
    int st = iid_normalise(s);
    if (st != DLMKL_OK) {
        dlmkl_schedule_free(s);
        return st;
    }
    *out = s;
    return DLMKL_OK;
}

/* E[m_{k+1}]/L, k = 0..K−1 (the expected fraction revealed after iteration k+1) into fr. FIXED:
 * cumulative sizes; IID: Σ_{j<=k} π_j; COMPOSITION: (k+1)/K; LAW: forward DP over (k, m), O(K·L^2). */
static int expected_fractions(const dlmkl_schedule *s, double *fr)
{
    const int L = s->L, K = s->nsteps;
    if (s->kind == DLMKL_SCHED_MIX) { /* Σ_i w_i E_i[m_{k+1}]/L, a component past its K has revealed all */
        for (int k = 0; k < K; k++)
            fr[k] = 0.0;
        double *fi = malloc((size_t)K * sizeof *fi);
        if (!fi)
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        int st = DLMKL_OK;
        for (int i = 0; i < s->ncomp && st == DLMKL_OK; i++)
            if ((st = expected_fractions(s->comp[i], fi)) == DLMKL_OK)
                for (int k = 0; k < K; k++)
                    fr[k] += s->comp_w[i] * (k < s->comp[i]->nsteps ? fi[k] : 1.0);
        free(fi);
        return st;
    }
    if (s->kind == DLMKL_SCHED_FIXED || s->kind == DLMKL_SCHED_IID || s->kind == DLMKL_SCHED_COMPOSITION) {
        long double acc = 0;
        for (int k = 0; k < K; k++) {
            if (s->kind == DLMKL_SCHED_FIXED)
                acc += (long double)s->sizes[k] / L;
            else if (s->kind == DLMKL_SCHED_IID)
                acc += s->pi_ld[k];
            else
                acc = (long double)(k + 1) / K;
            fr[k] = (double)acc;
        }
        return DLMKL_OK;
    }
    int st = dlmkl_check_memory(3 * ((size_t)L + 2) * sizeof(double), "the expected sizes of a law");
    if (st)
        return st;
    double *P = calloc((size_t)L + 1, sizeof *P), *Q = calloc((size_t)L + 1, sizeof *Q);
    double *ps = malloc(((size_t)L + 1) * sizeof *ps);
    if (!P || !Q || !ps)
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    else
        P[0] = 1.0;
    for (int k = 0; k < K && st == DLMKL_OK; k++) {
        memset(Q, 0, ((size_t)L + 1) * sizeof *Q);
        for (int m = 0; m <= L && st == DLMKL_OK; m++)
            if (P[m] > 0 && (st = dlmkl_schedule_step_law(s, k, m, ps)) == DLMKL_OK)
                for (int j = 0; j <= L - m; j++)
                    Q[m + j] += P[m] * ps[j];
        long double e = 0;
        for (int m = 0; m <= L; m++)
            e += (long double)Q[m] * m;
        fr[k] = (double)(e / L);
        double *t = P;
        P = Q, Q = t;
    }
    free(P), free(Q), free(ps);
    return st;
}

/* mix:W1*{SCHED1}+W2*{SCHED2}+... — one component drawn once per run with probability W_i / Σ W.
 * Components are any schedules but mixtures, for the same L and budget K. */
static int make_mix(const char *spec, const char *arg, int L, int K, const dlmkl_profile *prof, dlmkl_schedule **out)
{
    if (!arg || !*arg)
        return dlmkl_error(DLMKL_EINVAL, "mix: give the components, mix:W1*{SCHED1}+W2*{SCHED2}+..., e.g. "
                           "mix:0.5*{random-tc}+0.5*{random-dtc}");
    dlmkl_schedule *s = dlmkl_schedule_new(DLMKL_SCHED_MIX, L, 0, spec);
    if (!s)
        return DLMKL_ENOMEM;
    int st = DLMKL_OK, cap = 0;
    long double tot = 0;
    const char *p = arg;
    while (*p && st == DLMKL_OK) {
        const char *star = strchr(p, '*');
        double w;
        if (!star || star[1] != '{' || dlmkl_read_double(p, (size_t)(star - p), 0.0, DBL_MAX, &w) != DLMKL_OK ||
            !(w > 0)) {
            st = dlmkl_error(DLMKL_EINVAL, "mix: expected WEIGHT*{SCHED} with a weight > 0 at '%.40s'", p);
            break;
        }
        const char *open = star + 2, *q = open;
        int depth = 1;
        for (; *q && depth; q++)
            depth += *q == '{' ? 1 : *q == '}' ? -1 : 0;
        if (depth || (*q && *q != '+') || (*q == '+' && !q[1])) {
            st = dlmkl_error(DLMKL_EINVAL, "mix: component %d ('%.40s'): braces must match and components be "
                             "joined by '+'", s->ncomp + 1, open);
            break;
        }
        char *cs = strndup(open, (size_t)(q - 1 - open));
        if (!cs) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
            break;
        }
        if (strncmp(cs, "mix:", 4) == 0) {
            st = dlmkl_error(DLMKL_EINVAL, "mix: component %d is itself a mixture; write the mixture flat",
                             s->ncomp + 1);
            free(cs);
            break;
        }
        if (s->ncomp == cap) {
            cap = cap ? 2 * cap : 4;
            dlmkl_schedule **nc = realloc(s->comp, (size_t)cap * sizeof *nc);
            if (nc)
                s->comp = nc;
            double *nw = realloc(s->comp_w, (size_t)cap * sizeof *nw);
            if (nw)
                s->comp_w = nw;
            if (!nc || !nw) {
                free(cs);
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                break;
            }
        }
        dlmkl_schedule *c;
        if ((st = dlmkl_schedule_from_spec(cs, L, K, prof, &c)) != DLMKL_OK) {
            st = dlmkl_error_prefix(st, "mix: component %d ('%s')", s->ncomp + 1, cs);
            free(cs);
            break;
        }
        free(cs);
        s->comp[s->ncomp] = c;
        s->comp_w[s->ncomp++] = w;
        tot += w;
        if (c->nsteps > s->nsteps)
            s->nsteps = c->nsteps;
        p = *q ? q + 1 : q;
    }
    if (st == DLMKL_OK && !(tot > 0 && isfinite((double)tot)))
        st = dlmkl_error(DLMKL_EINVAL, "mix: the weights sum to %Lg; need a finite sum > 0", tot);
    if (st != DLMKL_OK) {
        dlmkl_schedule_free(s);
        return st;
    }
    for (int i = 0; i < s->ncomp; i++)
        s->comp_w[i] = (double)(s->comp_w[i] / tot);
    s->budget = K > 0 ? K : s->nsteps;
    *out = s;
    return DLMKL_OK;
}

/* twin:SCHED — the deterministic twin of a (randomized) schedule: the same number of iterations and
 * the expected cumulative counts rounded, N_k = clamp(round(E[m_{k+1}]), N_{k−1} + 1, L − (K − k)),
 * the rule of the α schedules (every iteration reveals at least one token). */
static int make_twin(const char *arg, int L, int K, const dlmkl_profile *prof, dlmkl_schedule **out)
{
    if (!arg || !*arg)
        return dlmkl_error(DLMKL_EINVAL, "twin: give the schedule to twin, e.g. twin:random-tc");
    if (strncmp(arg, "twin:", 5) == 0)
        return dlmkl_error(DLMKL_EINVAL, "twin:%s: a twin is already deterministic; write twin: once", arg);
    dlmkl_schedule *in;
    int st = dlmkl_schedule_from_spec(arg, L, K, prof, &in);
    if (st != DLMKL_OK) {
        char msg[DLMKL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
        return dlmkl_error(st, "twin: %s", msg);
    }
    if (in->nsteps > L) {
        st = dlmkl_error(DLMKL_EINVAL, "twin:%s: its deterministic twin reveals at least one token per iteration, so "
                         "K = %d cannot exceed L = %d", arg, in->nsteps, L);
        dlmkl_schedule_free(in);
        return st;
    }
    double *fr = malloc((size_t)in->nsteps * sizeof *fr);
    int *sizes = malloc((size_t)in->nsteps * sizeof *sizes);
    char *name = malloc(strlen(in->name) + 6);
    if (!fr || !sizes || !name)
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    if (st == DLMKL_OK && (st = expected_fractions(in, fr)) == DLMKL_OK) {
        dlmkl_sizes_from_fractions(NULL, fr, L, in->nsteps, sizes);
        sprintf(name, "twin:%s", in->name);
        if ((st = dlmkl_schedule_fixed(L, sizes, in->nsteps, name, out)) == DLMKL_OK)
            (*out)->budget = in->budget;
    }
    free(fr), free(sizes), free(name);
    dlmkl_schedule_free(in);
    return st;
}

/* ---- builders, one per record of the type table ----
 * Each checks its inputs in the order the spec parser always has, so that a bad spec gets the same
 * message as before: first the budget K where the kind needs one, then the argument. */

static int build_sizes(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    const char *arg = rq->arg;
    const int L = rq->L, K = rq->K;
    if (!arg || !*arg)
        return dlmkl_error(DLMKL_EINVAL, "sizes: give the sizes, e.g. sizes:4,3,1");
    int n = 1;
    for (const char *p = arg; *p; p++)
        n += *p == ',';
    int *buf = malloc((size_t)n * sizeof *buf);
    if (!buf)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    const char *p = arg;
    for (int i = 0; i < n; i++) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || errno || v < 0 || v > L) {
            free(buf);
            return dlmkl_error(DLMKL_EINVAL, "sizes: '%s' must be a comma-separated list of integers in 0..L", arg);
        }
        buf[i] = (int)v;
        p = *end ? end + 1 : end;
    }
    if (K > 0 && K != n) {
        free(buf);
        return dlmkl_error(DLMKL_EINVAL, "sizes: lists %d sizes but K is %d (sizes: implies K; give no other K)", n, K);
    }
    int st = dlmkl_schedule_fixed(L, buf, n, rq->spec, out);
    free(buf);
    return st;
}

/* balanced: s_k = ⌊L/K⌋ + [k <= L mod K] (1-based k). */
static int build_balanced(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    const int L = rq->L, K = rq->K;
    int st = require_K(K, L, rq->spec, rq->type->flags & DLMKL_SCHED_FLAG_K_LE_L);
    if (st != DLMKL_OK)
        return st;
    if (rq->arg)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' takes no parameters", rq->type->name);
    int *buf = malloc((size_t)K * sizeof *buf);
    if (!buf)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    if ((st = dlmkl_balanced_sizes(L, K, buf)) == DLMKL_OK)
        st = dlmkl_schedule_fixed(L, buf, K, "balanced", out);
    free(buf);
    return st;
}

/* linear, cosine, poly:a=A: the rounded revealed fractions α(k/K). */
static int build_alpha(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    const int L = rq->L, K = rq->K;
    int st = require_K(K, L, rq->spec, rq->type->flags & DLMKL_SCHED_FLAG_K_LE_L);
    if (st != DLMKL_OK)
        return st;
    if (!(rq->type->flags & DLMKL_SCHED_FLAG_TAKES_ARG) && rq->arg)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' takes no parameters", rq->type->name);
    int *buf = malloc((size_t)K * sizeof *buf);
    if (!buf)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    dlmkl_alpha f;
    if ((st = dlmkl_alpha_parse(rq->spec, &f, "schedule")) == DLMKL_OK) {
        dlmkl_sizes_from_fractions(&f, NULL, L, K, buf);
        st = dlmkl_schedule_fixed(L, buf, K, rq->spec, out);
    }
    free(buf);
    return st;
}

/* chen-tc, chen-dtc: with zeta=Z the schedule of that ζ (K implied); without, the largest integer ζ
 * whose schedule fits in the budget K. */
static int build_chen(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    const char *head = rq->type->name, *arg = rq->arg;
    const int L = rq->L, K = rq->K;
    const dlmkl_chen_kind chen = strcmp(head, "chen-dtc") == 0 ? DLMKL_CHEN_DTC : DLMKL_CHEN_TC;
    int st, n, *buf;
    double zeta;
    if (arg && *arg) { /* "chen-tc:" (empty) is "chen-tc": parse_kv_double sets no zeta then */
        int found;
        if ((st = parse_kv_double(arg, "zeta", &zeta, &found)) != DLMKL_OK) {
            char msg[DLMKL_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
            return dlmkl_error(st, "%s: %s (write %s:zeta=Z with Z >= 1)", head, msg, head);
        }
        if (!(zeta >= 1))
            return dlmkl_error(DLMKL_EINVAL, "%s: zeta = %g must be >= 1", head, zeta);
        if (!(buf = malloc((size_t)L * sizeof *buf)))
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        dlmkl_chen_sizes(L, zeta, chen == DLMKL_CHEN_DTC, buf, &n);
        if (K > 0 && n > K) {
            free(buf);
            char z[32];
            return dlmkl_error(DLMKL_EINVAL, "%s:zeta=%s takes %d iterations, more than K = %d; use a smaller zeta or %s without zeta (zeta picked from K)",
                               head, dlmkl_fmt_double(z, sizeof z, zeta), n, K, head);
        }
        st = make_chen(head, L, zeta, chen, buf, n, K > 0 ? K : n, out);
        free(buf);
        return st;
    }
    if ((st = require_K(K, L, rq->spec, rq->type->flags & DLMKL_SCHED_FLAG_K_LE_L)) != DLMKL_OK)
        return st;
    if (!(buf = malloc((size_t)L * sizeof *buf)))
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    dlmkl_chen_zeta_for_K(L, K, &zeta);
    dlmkl_chen_sizes(L, zeta, chen == DLMKL_CHEN_DTC, buf, &n);
    st = make_chen(head, L, zeta, chen, buf, n, K, out);
    free(buf);
    return st;
}

static int build_optimal(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    const int L = rq->L, K = rq->K;
    const dlmkl_profile *prof = rq->prof;
    int st = require_K(K, L, rq->spec, rq->type->flags & DLMKL_SCHED_FLAG_K_LE_L);
    if (st != DLMKL_OK)
        return st;
    if (rq->arg)
        return dlmkl_error(DLMKL_EINVAL, "schedule 'optimal' takes no parameters");
    if (!prof)
        return dlmkl_error(DLMKL_EINVAL, "schedule 'optimal' needs the distribution's profile");
    if (prof->L != L)
        return dlmkl_error(DLMKL_EINVAL, "optimal: profile length %d differs from L = %d", prof->L, L);
    int *buf = malloc((size_t)K * sizeof *buf);
    if (!buf)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    int n;
    double cost;
    if ((st = dlmkl_optimal_sizes(prof, K, buf, &n, &cost)) == DLMKL_OK) {
        st = dlmkl_schedule_fixed(L, buf, n, "optimal", out);
        if (st == DLMKL_OK)
            (*out)->budget = K;
    }
    free(buf);
    return st;
}

static int build_mix(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    return make_mix(rq->spec, rq->arg, rq->L, rq->K, rq->prof, out);
}

static int build_twin(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    /* the twin's own K <= L check follows the build; a twin of a schedule that fixes its own K (law:,
     * sizes:, ...) needs none */
    int st = rq->K <= 0 && rq->arg && dlmkl_schedule_implies_K(rq->arg) ? DLMKL_OK : require_K(rq->K, rq->L, rq->spec, 0);
    if (st != DLMKL_OK)
        return st;
    return make_twin(rq->arg, rq->L, rq->K, rq->prof, out);
}

/* iid:ALPHA (π_k = α(k/K) − α((k−1)/K)), iid:pi=W1/../WK (K implied), random-tc / random-dtc
 * (π_k ∝ ρ^(∓k)). */
static int build_iid(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    const char *head = rq->type->name, *arg = rq->arg, *spec = rq->spec;
    const int L = rq->L, K = rq->K;
    const int is_iid = strcmp(head, "iid") == 0;
    if (is_iid && arg && strncmp(arg, "pi=", 3) == 0)
        return iid_from_weights(spec, arg + 3, L, K, out);
    int st = require_K(K, L, spec, rq->type->flags & DLMKL_SCHED_FLAG_K_LE_L);
    if (st != DLMKL_OK)
        return st;
    dlmkl_schedule *s;
    if (is_iid) {
        dlmkl_alpha f;
        if (!arg)
            return dlmkl_error(DLMKL_EINVAL, "iid: give the revealed-fraction family, e.g. iid:linear, iid:cosine, iid:poly:a=2");
        if ((st = dlmkl_alpha_parse(arg, &f, "iid")) != DLMKL_OK)
            return st;
        if (!(s = dlmkl_schedule_new(DLMKL_SCHED_IID, L, K, spec)))
            return DLMKL_ENOMEM;
        for (int k = 1; k <= K; k++)
            s->pi_ld[k - 1] = dlmkl_alpha_increment(&f, k, K);
    } else {
        double rho = pow((double)L, 1.0 / K);
        int found;
        char name[256];
        if ((st = parse_kv_double(arg, "rho", &rho, &found)) != DLMKL_OK) {
            char msg[DLMKL_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
            return dlmkl_error(st, "%s: %s (write %s or %s:rho=R with R > 0)", head, msg, head, head);
        }
        if (!(rho > 0))
            return dlmkl_error(DLMKL_EINVAL, "%s: rho = %g must be > 0", head, rho);
        const int grow = strcmp(head, "random-dtc") == 0;
        char r[32];
        if (found)
            snprintf(name, sizeof name, "%s:rho=%s", head, dlmkl_fmt_double(r, sizeof r, rho));
        else
            snprintf(name, sizeof name, "%s", head);
        if (!(s = dlmkl_schedule_new(DLMKL_SCHED_IID, L, K, name)))
            return DLMKL_ENOMEM;
        /* π_k ∝ ρ^(∓k), in log space relative to the largest term (k = 1 or k = K, by the sign of
         * the exponent), so that every ρ > 0 gives weights in (0, 1]; ln ρ = ln(L)/K by default */
        const long double lrho = found ? logl(rho) : logl((long double)L) / K;
        const long double lr = grow ? lrho : -lrho; /* π_k ∝ exp((k−1)·lr) */
        const long double top = lr > 0 ? (K - 1) * lr : 0.0L;
        for (int k = 1; k <= K; k++)
            s->pi_ld[k - 1] = expl((k - 1) * lr - top);
    }
    if ((st = iid_normalise(s)) != DLMKL_OK) {
        dlmkl_schedule_free(s);
        return st;
    }
    *out = s;
    return DLMKL_OK;
}

static int build_powerlaw(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    const int L = rq->L, K = rq->K;
    int st = require_K(K, L, rq->spec, rq->type->flags & DLMKL_SCHED_FLAG_K_LE_L);
    if (st != DLMKL_OK)
        return st;
    double a;
    int found;
    if ((st = parse_kv_double(rq->arg, "a", &a, &found)) != DLMKL_OK || !found || !(a >= 0) || a > 1e6) {
        if (st == DLMKL_OK)
            st = dlmkl_error(DLMKL_EINVAL, "powerlaw: give the exponent, powerlaw:a=A with 0 <= A <= 1e6 "
                             "(a = 0: uniform fraction of the masked tokens, a = 1: log-uniform)");
        return st;
    }
    char name[256], as[32];
    snprintf(name, sizeof name, "powerlaw:a=%s", dlmkl_fmt_double(as, sizeof as, a));
    if (!(*out = dlmkl_schedule_new(DLMKL_SCHED_POWER, L, K, name)))
        return DLMKL_ENOMEM;
    (*out)->power_a = a;
    return DLMKL_OK;
}

static int build_composition(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    int st = require_K(rq->K, rq->L, rq->spec, rq->type->flags & DLMKL_SCHED_FLAG_K_LE_L);
    if (st != DLMKL_OK)
        return st;
    if (rq->arg)
        return dlmkl_error(DLMKL_EINVAL, "schedule 'composition' takes no parameters");
    *out = dlmkl_schedule_new(DLMKL_SCHED_COMPOSITION, rq->L, rq->K, "composition");
    return *out ? DLMKL_OK : DLMKL_ENOMEM;
}

/* minimax-tc, minimax-dtc, minimax-both: the LP of minimax.c. */
static int build_minimax(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    const char *head = rq->type->name;
    const dlmkl_minimax_target target = strcmp(head, "minimax-tc") == 0    ? DLMKL_MINIMAX_TC
                                        : strcmp(head, "minimax-dtc") == 0 ? DLMKL_MINIMAX_DTC
                                                                           : DLMKL_MINIMAX_BOTH;
    int st = require_K(rq->K, rq->L, rq->spec, 0);
    if (st != DLMKL_OK)
        return st;
    if (rq->arg)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' takes no parameters", head);
    if ((st = require_K(rq->K, rq->L, rq->spec, rq->type->flags & DLMKL_SCHED_FLAG_K_LE_L)) != DLMKL_OK)
        return st;
    double worst;
    if ((st = dlmkl_minimax_law(rq->L, rq->K, target, out, &worst, NULL)) != DLMKL_OK)
        return st;
    free((*out)->name);
    if (!((*out)->name = strdup(head))) {
        dlmkl_schedule_free(*out);
        *out = NULL;
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    return DLMKL_OK;
}

static int build_law(const dlmkl_schedule_request *rq, dlmkl_schedule **out)
{
    if (!rq->arg || !*rq->arg)
        return dlmkl_error(DLMKL_EINVAL, "law: give a CSV file, law:PATH, with columns k,m,s,prob");
    int st = dlmkl_law_file_read(rq->arg, rq->L, rq->K, out);
    if (st == DLMKL_OK) {
        free((*out)->name);
        (*out)->name = strdup(rq->spec);
    }
    return st;
}

/* ---- the type table ---- */

#define F_PROFILE DLMKL_SCHED_FLAG_NEEDS_PROFILE
#define F_K_LE_L DLMKL_SCHED_FLAG_K_LE_L
#define F_ARG DLMKL_SCHED_FLAG_TAKES_ARG
#define F_NEEDS_ARG (DLMKL_SCHED_FLAG_TAKES_ARG | DLMKL_SCHED_FLAG_NEEDS_ARG)
#define F_FIXED DLMKL_SCHED_FLAG_FIXED_SIZES
#define F_OWN_K DLMKL_SCHED_FLAG_OWN_K

static const char SEC_FIXED[] = " deterministic (K <= L; every iteration reveals >= 1 token):\n";
static const char SEC_RANDOM[] = " randomized:\n";

static const char HELP_ALPHA[] =
    "  linear | cosine | poly:a=A\n"
    "                      revealed fraction alpha(k/K): t, 1 - cos(pi t/2) (MaskGIT), t^A; rounded as\n"
    "                      N_k = clamp(round(L alpha(k/K)), N_{k-1} + 1, L - (K - k)), s_k = N_k - N_{k-1}\n";
static const char HELP_MINIMAX[] =
    "  minimax-tc | minimax-dtc | minimax-both\n"
    "                      the agnostic size law (step law depending on (k, m)) minimising the worst case\n"
    "                      over every law of K kl_expected/TC, /DTC, or /min(TC, DTC): an exact linear\n"
    "                      program (GLPK), for K (L+1)(L+2)/2 <= 40000 (L up to about 64)\n";

/* The table, in help order. A new schedule kind is a builder above and one record here:
 *   name        the spec head;  flags  DLMKL_SCHED_FLAG_*;
 *   own_K_arg   with OWN_K, the argument prefix that makes the spec fix its K ("" any argument),
 *   own_K_form  and the form named in hints ("chen-tc:zeta=");
 *   usage       the short form listed in messages;  example  a valid spec at L = 8, K = 4;
 *   bench       the specs `dlmkl bench` times at L = 4096, K = 256 (NULL: none);
 *   build       the builder;  section, help  its group heading and paragraph in the help text. */
static const dlmkl_schedule_type schedule_types[] = {
    {
        .name = "sizes",
        .flags = F_FIXED | F_NEEDS_ARG | F_OWN_K,
        .own_K_arg = "",
        .own_K_form = "sizes:",
        .usage = "sizes:..",
        .example = "sizes:4,3,1",
        .build = build_sizes,
        .section = SEC_FIXED,
        .help = "  sizes:s1,s2,...     explicit sizes (K implied)\n",
    },
    {
        .name = "balanced",
        .flags = F_FIXED | F_K_LE_L,
        .usage = "balanced",
        .example = "balanced",
        .bench = "balanced",
        .build = build_balanced,
        .section = SEC_FIXED,
        .help = "  balanced            sizes differ by at most one, larger first: s_k = floor(L/K) + [k <= L mod K]\n",
    },
    {
        .name = "linear",
        .flags = F_FIXED | F_K_LE_L,
        .usage = "linear",
        .example = "linear",
        .bench = "linear",
        .build = build_alpha,
        .section = SEC_FIXED,
        .help = HELP_ALPHA,
    },
    {
        .name = "cosine",
        .flags = F_FIXED | F_K_LE_L,
        .usage = "cosine",
        .example = "cosine",
        .bench = "cosine",
        .build = build_alpha,
        .section = SEC_FIXED,
        .help = HELP_ALPHA,
    },
    {
        .name = "poly",
        .flags = F_FIXED | F_K_LE_L | F_NEEDS_ARG,
        .usage = "poly:a=..",
        .example = "poly:a=2",
        .bench = "poly:a=2",
        .build = build_alpha,
        .section = SEC_FIXED,
        .help = HELP_ALPHA,
    },
    {
        .name = "chen-tc",
        .flags = F_FIXED | F_K_LE_L | F_ARG | F_OWN_K,
        .own_K_arg = "",
        .own_K_form = "chen-tc:zeta=",
        .usage = "chen-tc[:zeta=..]",
        .example = "chen-tc:zeta=2",
        .bench = "chen-tc",
        .build = build_chen,
        .section = SEC_FIXED,
        .help = "  chen-tc:zeta=Z      Chen, Cong & Li (2026) TC schedule: N_i = N_{i-1} + floor((L - N_{i-1})/Z) for\n"
            "                      i <= lambda = floor(log(L-Z+1)/log(1/(1-1/Z))) + 2, then singles (K implied)\n",
    },
    {
        .name = "chen-dtc",
        .flags = F_FIXED | F_K_LE_L | F_ARG | F_OWN_K,
        .own_K_arg = "",
        .own_K_form = "chen-dtc:zeta=",
        .usage = "chen-dtc[:zeta=..]",
        .example = "chen-dtc",
        .bench = "chen-dtc",
        .build = build_chen,
        .section = SEC_FIXED,
        .help = "  chen-dtc:zeta=Z     its mirror image: the same sizes in reverse (singles first, then growing)\n"
            "  chen-tc | chen-dtc  with --K: the largest integer zeta whose schedule fits in K iterations\n",
    },
    {
        .name = "optimal",
        .flags = F_FIXED | F_K_LE_L | F_PROFILE,
        .usage = "optimal",
        .example = "optimal",
        .bench = "optimal",
        .build = build_optimal,
        .section = SEC_FIXED,
        .help = "  optimal             the best deterministic sizes for budget K given the distribution (exact DP over\n"
            "                      the profile, Chen et al. Thm 4); needs --dist or --profile\n",
    },
    {
        .name = "mix",
        .flags = F_NEEDS_ARG,
        .usage = "mix:W*{SCHED}+..",
        .example = "mix:1*{random-tc}+3*{iid:cosine}",
        .build = build_mix,
        .section = SEC_FIXED,
        .help = "  mix:W1*{S1}+W2*{S2}+...  one schedule drawn once per run, S_i with probability W_i/sum W (no\n"
            "                      nested mix:); kl_expected and the worst case are the weighted ones, kl_output the\n"
            "                      KL to the mixture of the output laws\n",
    },
    {
        .name = "twin",
        .flags = F_FIXED | F_K_LE_L | F_NEEDS_ARG,
        .usage = "twin:SCHED",
        .example = "twin:random-tc",
        .build = build_twin,
        .section = SEC_FIXED,
        .help = "  twin:SCHED          the deterministic twin of SCHED: its number of iterations and its expected\n"
            "                      cumulative counts, rounded by the rule of linear/cosine/poly\n",
    },
    {
        .name = "iid",
        .flags = F_NEEDS_ARG | F_OWN_K,
        .own_K_arg = "pi=",
        .own_K_form = "iid:pi=",
        .usage = "iid:ALPHA",
        .example = "iid:cosine",
        .bench = "iid:linear iid:cosine iid:poly:a=2",
        .build = build_iid,
        .section = SEC_RANDOM,
        .help = "  iid:ALPHA           each token reveals at iteration k with prob pi_k = alpha(k/K) - alpha((k-1)/K),\n"
            "                      ALPHA = linear | cosine | poly:a=A (the masked-diffusion sampler); sizes are\n"
            "                      multinomial and iterations that reveal nothing still count\n"
            "  iid:pi=W1/W2/../WK  i.i.d. reveal with pi_k proportional to the weights given (K implied)\n",
    },
    {
        .name = "powerlaw",
        .flags = F_NEEDS_ARG,
        .usage = "powerlaw:a=..",
        .example = "powerlaw:a=1",
        .build = build_powerlaw,
        .section = SEC_RANDOM,
        .help = "  powerlaw:a=A        sizes drawn independently each iteration, P(s) proportional to s^-A on 1..(masked\n"
            "                      count), the last iteration revealing the rest (A = 0: a uniform fraction of the\n"
            "                      masked tokens; A = 1: log-uniform); exact by the (k, m) DP, O(K L^2)\n",
    },
    {
        .name = "random-tc",
        .flags = F_ARG,
        .usage = "random-tc[:rho=..]",
        .example = "random-tc:rho=3",
        .bench = "random-tc",
        .build = build_iid,
        .section = SEC_RANDOM,
        .help = "  random-tc[:rho=R]   i.i.d. reveal with pi_k proportional to R^-k (sizes shrinking), R = L^(1/K) default\n",
    },
    {
        .name = "random-dtc",
        .flags = F_ARG,
        .usage = "random-dtc[:rho=..]",
        .example = "random-dtc",
        .bench = "random-dtc",
        .build = build_iid,
        .section = SEC_RANDOM,
        .help = "  random-dtc[:rho=R]  i.i.d. reveal with pi_k proportional to R^k (sizes growing)\n",
    },
    {
        .name = "composition",
        .flags = F_K_LE_L,
        .usage = "composition",
        .example = "composition",
        .bench = "composition",
        .build = build_composition,
        .section = SEC_RANDOM,
        .help = "  composition         uniform over the compositions of L into K positive parts\n",
    },
    {
        .name = "minimax-tc",
        .flags = F_K_LE_L,
        .usage = "minimax-tc",
        .example = "minimax-tc",
        .build = build_minimax,
        .section = SEC_RANDOM,
        .help = HELP_MINIMAX,
    },
    {
        .name = "minimax-dtc",
        .flags = F_K_LE_L,
        .usage = "minimax-dtc",
        .example = "minimax-dtc",
        .build = build_minimax,
        .section = SEC_RANDOM,
        .help = HELP_MINIMAX,
    },
    {
        .name = "minimax-both",
        .flags = F_K_LE_L,
        .usage = "minimax-both",
        .example = "minimax-both",
        .build = build_minimax,
        .section = SEC_RANDOM,
        .help = HELP_MINIMAX,
    },
    {
        .name = "law",
        .flags = F_NEEDS_ARG | F_OWN_K,
        .own_K_arg = "",
        .own_K_form = "law:",
        .usage = "law:PATH",
        .example = "law:PATH",
        .build = build_law,
        .section = SEC_RANDOM,
        .help = "  law:PATH            CSV with columns k,m,s,prob: P(s_k = s | m_k = m), k = 1..K (K implied); each\n"
            "                      (k,m) row sums to 1, the last iteration reveals all, reachable states need rows\n",
    },
};
#define N_SCHEDULE_TYPES ((int)(sizeof schedule_types / sizeof schedule_types[0]))

int dlmkl_schedule_type_count(void) { return N_SCHEDULE_TYPES; }

const dlmkl_schedule_type *dlmkl_schedule_type_at(int i)
{
    return i >= 0 && i < N_SCHEDULE_TYPES ? &schedule_types[i] : NULL;
}

const dlmkl_schedule_type *dlmkl_schedule_type_find(const char *spec)
{
    if (!spec)
        return NULL;
    const size_t n = strcspn(spec, ":");
    for (int i = 0; i < N_SCHEDULE_TYPES; i++)
        if (strncmp(schedule_types[i].name, spec, n) == 0 && schedule_types[i].name[n] == '\0')
            return &schedule_types[i];
    return NULL;
}

unsigned dlmkl_schedule_spec_flags(const char *spec)
{
    const dlmkl_schedule_type *t = dlmkl_schedule_type_find(spec);
    if (!t)
        return 0;
    unsigned f = t->flags & ~(unsigned)DLMKL_SCHED_FLAG_OWN_K;
    const char *colon = strchr(spec, ':');
    if ((t->flags & DLMKL_SCHED_FLAG_OWN_K) && colon && strncmp(colon + 1, t->own_K_arg, strlen(t->own_K_arg)) == 0)
        f |= DLMKL_SCHED_FLAG_OWN_K;
    if (t->build == build_twin && colon) /* the twin has the iterations of what it twins, and its needs */
        f |= dlmkl_schedule_spec_flags(colon + 1) & (DLMKL_SCHED_FLAG_OWN_K | DLMKL_SCHED_FLAG_NEEDS_PROFILE);
    return f;
}

int dlmkl_schedule_implies_K(const char *spec)
{
    return (dlmkl_schedule_spec_flags(spec) & DLMKL_SCHED_FLAG_OWN_K) != 0;
}

const char *dlmkl_schedule_type_list(unsigned with, char *buf, size_t len)
{
    size_t pos = 0;
    if (len)
        buf[0] = '\0';
    for (int i = 0; i < N_SCHEDULE_TYPES && pos < len; i++) {
        if ((schedule_types[i].flags & with) != with)
            continue;
        int w = snprintf(buf + pos, len - pos, "%s%s", pos ? ", " : "",
                         with & DLMKL_SCHED_FLAG_OWN_K ? schedule_types[i].own_K_form : schedule_types[i].usage);
        if (w < 0)
            break;
        pos += (size_t)w;
    }
    return buf;
}

int dlmkl_schedule_from_spec(const char *spec, int L, int K, const dlmkl_profile *prof, dlmkl_schedule **out)
{
    *out = NULL;
    if (L < 1)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s': L = %d must be >= 1", spec, L);
    const dlmkl_schedule_type *t = dlmkl_schedule_type_find(spec);
    if (!t) {
        char names[1024];
        return dlmkl_error(DLMKL_EINVAL, "unknown schedule '%s' (%s)", spec,
                           dlmkl_schedule_type_list(0, names, sizeof names));
    }
    const char *colon = strchr(spec, ':');
    const dlmkl_schedule_request rq = {spec, colon ? colon + 1 : NULL, L, K <= 0 ? -1 : K, prof, t};
    return t->build(&rq, out);
}

/* ---- help ---- */

static const char SPEC_HELP_HEAD[] = "Schedules (--schedule; the law of the sizes s_1..s_K, sum s_k = L):\n";
static const char SPEC_HELP_POSITIONS[] =
    "Positions (--positions): random (uniform among masked, the theory's setting), l2r (left to right),\n"
    "  stride[:D] (dilated: residues mod D in turn, 0,D,2D,..,1,1+D,..; D = K by default)\n";

static char spec_help_text[8192];
static once_flag spec_help_once = ONCE_FLAG_INIT;

/* The heading, then each record's paragraph (once per shared paragraph) under its group heading. */
static void spec_help_build(void)
{
    size_t pos = 0, len = sizeof spec_help_text;
    const char *section = NULL, *help = NULL;
#define PUT(text)                                                                                                      \
    do {                                                                                                               \
        int w_ = snprintf(spec_help_text + pos, len - pos, "%s", (text));                                              \
        pos = w_ < 0 || (size_t)w_ >= len - pos ? len - 1 : pos + (size_t)w_;                                          \
    } while (0)
    PUT(SPEC_HELP_HEAD);
    for (int i = 0; i < N_SCHEDULE_TYPES; i++) {
        const dlmkl_schedule_type *t = &schedule_types[i];
        if (t->section != section)
            PUT(section = t->section);
        if (t->help != help)
            PUT(help = t->help);
    }
    PUT(SPEC_HELP_POSITIONS);
#undef PUT
}

const char *dlmkl_schedule_spec_help(void)
{
    call_once(&spec_help_once, spec_help_build);
    return spec_help_text;
}

/* ---- step laws ---- */

int dlmkl_schedule_step_law(const dlmkl_schedule *s, int k, int m, double *ps)
{
    const int L = s->L, n = L - m;
    if (k < 0 || k >= s->nsteps || m < 0 || m > L)
        return dlmkl_error(DLMKL_EINVAL, "step law asked for k = %d, m = %d outside 0..%d, 0..%d", k, m, s->nsteps - 1, L);
    for (int j = 0; j <= n; j++)
        ps[j] = 0.0;
    switch (s->kind) {
    case DLMKL_SCHED_FIXED:
        if (s->sizes[k] > n)
            return dlmkl_error(DLMKL_EINVAL, "fixed schedule: size %d at step %d exceeds the %d masked tokens", s->sizes[k], k + 1, n);
        ps[s->sizes[k]] = 1.0;
        return DLMKL_OK;
    case DLMKL_SCHED_IID: {
        /* q = π_k / Σ_{j>=k} π_j, the tail summed from the end once at build time (not 1 − head), so
         * each call is O(L); q = 1 at the last step */
        const double tail = s->pi_tail[k];
        double q = k == s->nsteps - 1 ? 1.0 : (tail > 0 ? s->pi[k] / tail : 1.0);
        if (q > 1)
            q = 1;
        if (!(q >= 0 && q <= 1) || !isfinite(tail)) /* never hand GSL a probability outside [0, 1] or NaN */
            return dlmkl_error(DLMKL_EINVAL, "schedule '%s': reveal probability %g at step %d is outside [0, 1]",
                               s->name ? s->name : "iid", q, k + 1);
        for (int j = 0; j <= n; j++)
            ps[j] = gsl_ran_binomial_pdf((unsigned)j, q, (unsigned)n);
        return DLMKL_OK;
    }
    case DLMKL_SCHED_COMPOSITION: {
        int r = s->nsteps - k; /* parts left, this one included */
        if (n < r || r < 1) /* also keeps gsl_sf_lnchoose's arguments in its domain (n >= m >= 0) */
            return dlmkl_error(DLMKL_EINVAL, "composition: %d tokens cannot fill %d positive parts (state not reachable)", n, r);
        if (r == 1) {
            ps[n] = 1.0;
            return DLMKL_OK;
        }
        /* n >= r >= 2 here, so every lnchoose(a, b) below has a >= b >= 0 */
        gsl_sf_result lden, lnum;
        int gst = gsl_sf_lnchoose_e((unsigned)(n - 1), (unsigned)(r - 1), &lden);
        for (int j = 1; j <= n - r + 1 && gst == GSL_SUCCESS; j++)
            if ((gst = gsl_sf_lnchoose_e((unsigned)(n - j - 1), (unsigned)(r - 2), &lnum)) == GSL_SUCCESS)
                ps[j] = exp(lnum.val - lden.val);
        return dlmkl_gsl_status(gst, "composition step law");
    }
    case DLMKL_SCHED_MIX:
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s': a mixture drawn once per run has no step law (its sizes "
                           "depend on the component drawn); its quantities are the weighted ones of its components",
                           s->name);
    case DLMKL_SCHED_POWER: {
        /* P(s) = s^(−a) / Σ_{j=1}^{n} j^(−a), s = 1..n; the last iteration reveals the rest */
        if (n == 0) {
            ps[0] = 1.0;
            return DLMKL_OK;
        }
        if (k == s->nsteps - 1) {
            ps[n] = 1.0;
            return DLMKL_OK;
        }
        long double z = 0;
        for (int j = 1; j <= n; j++)
            z += expl(-s->power_a * logl((long double)j));
        for (int j = 1; j <= n; j++)
            ps[j] = (double)(expl(-s->power_a * logl((long double)j)) / z);
        return DLMKL_OK;
    }
    case DLMKL_SCHED_LAW: {
        size_t r = (size_t)k * (L + 1) + (size_t)m;
        if (s->row_start[r] == s->row_start[r + 1])
            return dlmkl_error(DLMKL_EINVAL, "the law has no row for k = %d, m = %d", k + 1, m);
        for (int64_t i = s->row_start[r]; i < s->row_start[r + 1]; i++)
            ps[s->law[i].s] = s->law[i].prob;
        return DLMKL_OK;
    }
    }
    return dlmkl_error(DLMKL_EINVAL, "unknown schedule kind");
}

int dlmkl_schedule_max_size(const dlmkl_schedule *s)
{
    int mx = 0;
    switch (s->kind) {
    case DLMKL_SCHED_FIXED:
        for (int k = 0; k < s->nsteps; k++)
            if (s->sizes[k] > mx)
                mx = s->sizes[k];
        return mx;
    case DLMKL_SCHED_MIX:
        for (int i = 0; i < s->ncomp; i++) {
            int c = dlmkl_schedule_max_size(s->comp[i]);
            if (c > mx)
                mx = c;
        }
        return mx;
    case DLMKL_SCHED_IID: /* every token can land in the iteration with the largest π_k > 0 */
    case DLMKL_SCHED_POWER: /* the first iteration may reveal all */
        return s->L;
    case DLMKL_SCHED_COMPOSITION:
        return s->L - s->nsteps + 1;
    case DLMKL_SCHED_LAW:
        for (int64_t i = 0; i < s->row_start[(size_t)s->nsteps * (s->L + 1)]; i++)
            if (s->law[i].prob > 0 && s->law[i].s > mx)
                mx = s->law[i].s;
        return mx;
    }
    return s->L;
}

const char *dlmkl_schedule_sizes_string(const dlmkl_schedule *s, char *buf, size_t len)
{
    buf[0] = '\0';
    if (s->kind != DLMKL_SCHED_FIXED)
        return buf;
    size_t pos = 0;
    for (int k = 0; k < s->nsteps && pos < len; k++) {
        int w = snprintf(buf + pos, len - pos, k ? "-%d" : "%d", s->sizes[k]);
        if (w < 0 || (size_t)w >= len - pos) {
            buf[pos] = '\0';
            break;
        }
        pos += (size_t)w;
    }
    return buf;
}
