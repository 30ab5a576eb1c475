/* closed_form.c: entropy profiles h(m) (bits) in closed form, for lengths far beyond enumeration.
 * Spec keys are those of the distribution families (families.c); each formula is checked against
 * the enumerated profile of the same family in tests/test_closed_form.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/dist.h"
#include "dlmkl/profile.h"
#include "dlmkl/profile_sparse.h"
#include "dlmkl/profile_exchangeable.h"
#include "dlmkl/profile_markov.h"
#include "families.h"

/* Longest profile (dlmkl_profile_alloc's own limit). */
#define CF_MAX_L DLMKL_PROFILE_MAX_L

/* Budget of inner-loop terms for the O(L^2) Markov formula (~1 ns each: 1-2 s); above it the call
 * fails with DLMKL_ECOST rather than running for minutes. */
#define CF_MARKOV_MAX_TERMS 2e9

/* Weights w_m(g) below this are set to 0: each term then changes h(m) >= 1 by less than
 * L·1e-280, far below one ulp, and it keeps the inner loop out of subnormal arithmetic (which is
 * ~100 times slower). */
#define CF_FLUSH 1e-280

/* Below this |t| the direct form of phi(t) cancels badly (two terms of size |t| summing to ~t^2);
 * the series is used instead. At |t| = 1/2 it needs ~26 terms (ratio t^2 = 1/4) for full precision. */
#define CF_PHI_SERIES_T 0.5

static int cf_range(const char *fam, const char *key, long v, long lo, long hi)
{
    if (v < lo || v > hi)
        return dlmkl_error(DLMKL_EINVAL, "%s (closed form): %s = %ld is out of range; need %ld <= %s <= %ld", fam, key,
                           v, lo, key, hi);
    return DLMKL_OK;
}

/* phi(t) = 1 − h2((1 − t)/2) = [(1+t) ln(1+t) + (1−t) ln(1−t)] / (2 ln 2), even, phi(±1) = 1;
 * for small |t| by the series 2 ln2 · phi(t) = Σ_{k>=1} t^(2k) / (k(2k−1)). */
static double phi(double t)
{
    t = fabs(t);
    if (t >= 1.0)
        return 1.0;
    if (t < CF_PHI_SERIES_T) {
        const double t2 = t * t;
        double term = t2, s = 0.0;
        for (int k = 1; k < 200 && term > 0.0; k++) {
            const double add = term / ((double)k * (2.0 * k - 1.0));
            s += add;
            if (add <= s * 1e-17)
                break;
            term *= t2;
        }
        return s / (2.0 * M_LN2);
    }
    return ((1.0 + t) * log1p(t) + (1.0 - t) * log1p(-t)) / (2.0 * M_LN2);
}

/* Binary symmetric Markov chain, X_1 uniform (hence stationary), P(X_{i+1} = X_i) = stay.
 * With rho = 2·stay − 1, the flip probability over a gap g is e_g = (1 − rho^g)/2, and for
 * S = {i_1 < ... < i_m} the chain restricted to S is again Markov, so
 *     H(X_S) = 1 + Σ_{consecutive gaps g of S} h2(e_g).
 * Averaging over |S| = m: the number of m-sets with a consecutive pair (a, a+g) is
 * (L−g)·C(L−g−1, m−2) (the other m−2 points avoid [a, a+g]), so with
 *     w_m(g) = (L−g)·C(L−g−1, m−2)/C(L, m),  Σ_g w_m(g) = m − 1,
 *     w_m(1) = m(m−1)/L,  w_m(g+1) = w_m(g)·(L−g−m+1)/(L−g),
 * and h2(e_g) = 1 − phi(rho^g):
 *     h(m) = 1 + Σ_g w_m(g) h2(e_g) = m − Σ_{g=1}^{L−m+1} w_m(g)·phi(rho^g),   m >= 1.
 * phi(rho^g) decreases in g and is exactly 0 in double once rho^(2g) underflows, so the sum stops at
 * the first such g (G): cost O(L·min(L, G)), memory 3 arrays of L doubles. |rho| = 1 (stay = 0 or 1): phi = 1, h(m) = 1. */
static int cf_markov(long L, double stay, double *h)
{
    const double rho = fabs(2.0 * stay - 1.0);
    h[0] = 0.0;
    if (rho == 1.0) {
        for (long m = 1; m <= L; m++)
            h[m] = 1.0;
        return DLMKL_OK;
    }
    long G = 0; /* phi_g > 0 for g <= G */
    if (dlmkl_check_memory(3 * (size_t)(L + 1) * sizeof(double), "the markov closed form's work arrays") != DLMKL_OK)
        return DLMKL_ETOOBIG;
    double *ph = malloc((size_t)(L + 1) * sizeof *ph), *W = malloc((size_t)(L + 1) * sizeof *W),
           *S = malloc((size_t)(L + 1) * sizeof *S);
    if (!ph || !W || !S) {
        free(ph), free(W), free(S);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    for (long g = 1; g <= L - 1; g++) {
        ph[g] = phi(pow(rho, (double)g));
        if (ph[g] == 0.0)
            break;
        G = g;
    }
    double terms = 0.0; /* Σ_{g<=G} (L − g): one multiply-add pair each */
    for (long g = 1; g <= G; g++)
        terms += (double)(L - g);
    if (terms > CF_MARKOV_MAX_TERMS) {
        free(ph), free(W), free(S);
        return dlmkl_error(DLMKL_ECOST,
                           "markov (closed form): L = %ld with stay = %g needs %.3g terms, above the budget of %.3g; "
                           "use a smaller L or a stay further from 0 and 1",
                           L, stay, terms, CF_MARKOV_MAX_TERMS);
    }
    /* g outermost so that the inner loop over m is independent across m (vectorises):
     * W[m] = w_m(g), S[m] = Σ_{g' < g} w_m(g') phi_g'; w_m(g) = 0 once g > L − m + 1. */
    for (long m = 2; m <= L; m++) {
        W[m] = (double)m * (double)(m - 1) / (double)L;
        S[m] = 0.0;
    }
    for (long g = 1; g <= G; g++) {
        const long mtop = L - g + 1; /* L − g − m + 1 = mtop − m */
        const double c = 1.0 / (double)(L - g), pg = ph[g];
        for (long m = 2; m <= mtop; m++) {
            S[m] += W[m] * pg;
            const double w = W[m] * ((double)(mtop - m) * c);
            W[m] = w < CF_FLUSH ? 0.0 : w;
        }
    }
    h[1] = 1.0;
    for (long m = 2; m <= L; m++)
        h[m] = (double)m - S[m];
    free(ph), free(W), free(S);
    return DLMKL_OK;
}

/* The profile of L + 1 values for a closed form: L and V in range, the memory cap (work = doubles per
 * value, markov's work arrays included), h[0] = 0. */
static int cf_alloc(const char *fam, long L, long V, int work, dlmkl_profile **prof)
{
    int st;
    *prof = NULL;
    if ((st = cf_range(fam, "L", L, 1, CF_MAX_L)) || (st = cf_range(fam, "V", V, 2, 2147483647L)))
        return st;
    char what[96];
    snprintf(what, sizeof what, "%s (closed form): a profile of L + 1 = %ld values", fam, L + 1);
    if ((st = dlmkl_check_memory((size_t)(L + 1) * (size_t)work * sizeof(double), what)))
        return st;
    if (!(*prof = dlmkl_profile_alloc((int)L)))
        return dlmkl_last_status();
    (*prof)->h[0] = 0.0;
    return DLMKL_OK;
}

/* copy:L=..[,V=2]: h(m) = log2 V, m >= 1 */
/* The keys of copy and parity (L, V = 2 by default, nothing else), then the profile's array. */
static int cf_LV(const char *fam, dlmkl_kv *kv, long *L, long *V, dlmkl_profile **out)
{
    int st;
    *L = 0, *V = 2;
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, L)) || (st = dlmkl_kv_int(kv, fam, "V", 0, 2, V)) ||
        (st = dlmkl_kv_check_unused(kv, fam, "L, V")))
        return st;
    return cf_alloc(fam, *L, *V, 1, out);
}

int dlmkl_cf_copy(const char *fam, dlmkl_kv *kv, dlmkl_profile **out)
{
    long L, V;
    int st;
    if ((st = cf_LV(fam, kv, &L, &V, out)))
        return st;
    const double lv = log2((double)V);
    for (long m = 1; m <= L; m++)
        (*out)->h[m] = lv;
    return DLMKL_OK;
}

/* parity:L=..[,V=2]: any m < L coordinates are uniform; all L carry L−1 free symbols */
int dlmkl_cf_parity(const char *fam, dlmkl_kv *kv, dlmkl_profile **out)
{
    long L, V;
    int st;
    if ((st = cf_LV(fam, kv, &L, &V, out)))
        return st;
    const double lv = log2((double)V);
    for (long m = 1; m <= L; m++)
        (*out)->h[m] = (double)(m < L ? m : L - 1) * lv;
    return DLMKL_OK;
}

/* product:L=..[,V=2],p=..: h(m) = m·H(q), q = (p, (1−p)/(V−1), ..., (1−p)/(V−1)),
 * H(q) = −p log2 p − (1−p) log2((1−p)/(V−1)) */
int dlmkl_cf_product(const char *fam, dlmkl_kv *kv, dlmkl_profile **out)
{
    long L = 0, V = 2;
    double p = 0.0;
    int st;
    if (dlmkl_kv_str(kv, "seed"))
        return dlmkl_error(DLMKL_EINVAL, "product (closed form): only the i.i.d. form product:L=..,V=..,p=.. has a "
                                         "closed form here; build seeded products as a table");
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, &L)) || (st = dlmkl_kv_int(kv, fam, "V", 0, 2, &V)) ||
        (st = dlmkl_kv_double(kv, fam, "p", 1, 0, &p)) || (st = dlmkl_kv_check_unused(kv, fam, "L, V, p")))
        return st;
    if (!(p >= 0.0 && p <= 1.0))
        return dlmkl_error(DLMKL_EINVAL, "product (closed form): p = %g is not a probability; need 0 <= p <= 1", p);
    if ((st = cf_alloc(fam, L, V, 1, out)))
        return st;
    /* ln r = ln(1 − p) − ln(V − 1) by log1p: for p near 0, log2 of the rounded 1 − p would be off by
     * up to 2^-53/p relative (3e-11 of H1 at p = 1e-7) */
    const double H1 = (p > 0.0 ? -p * log2(p) : 0.0) +
                      (p < 1.0 ? -(1.0 - p) * (log1p(-p) - log((double)(V - 1))) / M_LN2 : 0.0);
    for (long m = 1; m <= L; m++)
        (*out)->h[m] = (double)m * H1;
    return DLMKL_OK;
}

/* mds:q=..,n=..,k=.. (any MDS code, L = n, V = q): h(m) = min(m, k)·log2 q */
int dlmkl_cf_mds(const char *fam, dlmkl_kv *kv, dlmkl_profile **out)
{
    long q = 0, n = 0, k = 0;
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "q", 1, 0, &q)) || (st = dlmkl_kv_int(kv, fam, "n", 1, 0, &n)) ||
        (st = dlmkl_kv_int(kv, fam, "k", 1, 0, &k)) || (st = dlmkl_kv_check_unused(kv, fam, "q, n, k")) ||
        (st = cf_range(fam, "q", q, 2, 2147483647L)) || (st = cf_range(fam, "n", n, 1, q < CF_MAX_L ? q : CF_MAX_L)) ||
        (st = cf_range(fam, "k", k, 1, n)) || (st = cf_alloc(fam, n, q, 1, out)))
        return st;
    const double lv = log2((double)q);
    for (long m = 1; m <= n; m++)
        (*out)->h[m] = (double)(m < k ? m : k) * lv;
    return DLMKL_OK;
}

/* perm:n=.. (L = V = n): h(m) = log2 n!/(n−m)! = Σ_{j=0}^{m−1} log2(n − j) */
int dlmkl_cf_perm(const char *fam, dlmkl_kv *kv, dlmkl_profile **out)
{
    long n = 0;
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "n", 1, 0, &n)) || (st = dlmkl_kv_check_unused(kv, fam, "n")) ||
        (st = cf_range(fam, "n", n, 2, CF_MAX_L)) || (st = cf_alloc(fam, n, n, 1, out)))
        return st;
    double *h = (*out)->h;
    for (long m = 1; m <= n; m++)
        h[m] = h[m - 1] + log2((double)(n - m + 1));
    return DLMKL_OK;
}

/* markov: stay= (the binary symmetric chain) by its own closed form (cf_markov); trans=[,init=] and
 * seed=[,conc=] (any V, the builder's keys, read by dlmkl_markov_params) by the pair-marginal route of
 * profile_markov.h: H(X_S) = H(X_{s_1}) + Σ_t H(X_{s_t} | X_{s_{t-1}}), O(L^2 V^3). */
int dlmkl_cf_markov(const char *fam, dlmkl_kv *kv, dlmkl_profile **out)
{
    long L = 0, V = 2;
    int st;
    *out = NULL;
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, &L)) || (st = dlmkl_kv_int(kv, fam, "V", 0, 2, &V)))
        return st;
    if (!dlmkl_kv_has(kv, "stay")) {
        double *P, *init;
        if ((st = cf_range(fam, "L", L, 1, DLMKL_MARKOV_MAX_L)) || (st = cf_range(fam, "V", V, 2, DLMKL_MARKOV_MAX_V)) ||
            (st = dlmkl_markov_params(fam, kv, L, V, &P, &init)))
            return st;
        st = dlmkl_profile_markov((int)L, (int)V, init, P, 0, out);
        free(P), free(init);
        return st;
    }
    double stay = 0.0;
    if ((st = dlmkl_kv_double(kv, fam, "stay", 1, 0, &stay)) ||
        (st = dlmkl_kv_check_unused(kv, fam, "L, V, stay | L, V, trans, init | L, V, seed, conc")))
        return st;
    if (V != 2)
        return dlmkl_error(DLMKL_EINVAL, "markov (closed form): stay= is the binary chain, so V must be 2 (got V = %ld); "
                                         "for V > 2 give trans= or seed=",
                           V);
    if (!(stay >= 0.0 && stay <= 1.0))
        return dlmkl_error(DLMKL_EINVAL, "markov (closed form): stay = %g is not a probability; need 0 <= stay <= 1",
                           stay);
    if ((st = cf_alloc(fam, L, V, 4, out)))
        return st;
    if ((st = cf_markov(L, stay, (*out)->h))) {
        dlmkl_profile_free(*out);
        *out = NULL;
    }
    return st;
}

/* The keys of the Ising-type families ising and cw: L, J, h (|J|, |h| <= 1e6, checked by the route). */
static int ising_keys(const char *fam, dlmkl_kv *kv, long maxL, long *L, double *J, double *h)
{
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, L)) || (st = dlmkl_kv_double(kv, fam, "J", 1, 0, J)) ||
        (st = dlmkl_kv_double(kv, fam, "h", 0, 0.0, h)) || (st = dlmkl_kv_check_unused(kv, fam, "L, J, h")))
        return st;
    return cf_range(fam, "L", *L, 1, maxL);
}

/* ising:L=..,J=..[,h=0]: the open chain is a (non-stationary) binary Markov chain; its profile by
 * the pair-marginal route of profile_markov.h, O(L^2). */
int dlmkl_cf_ising(const char *fam, dlmkl_kv *kv, dlmkl_profile **out)
{
    long L;
    double J, h;
    int st;
    *out = NULL;
    if ((st = ising_keys(fam, kv, DLMKL_MARKOV_MAX_L, &L, &J, &h)))
        return st;
    return dlmkl_profile_ising_chain((int)L, J, h, out);
}

/* cw:L=..,J=..[,h=0]: Curie-Weiss is exchangeable, h(m) = H(X_1..X_m) from the law of the sum
 * (profile_exchangeable.h), O(L^2). */
int dlmkl_cf_cw(const char *fam, dlmkl_kv *kv, dlmkl_profile **out)
{
    long L;
    double J, h;
    int st;
    *out = NULL;
    if ((st = ising_keys(fam, kv, DLMKL_EXCH_MAX_L, &L, &J, &h)))
        return st;
    char what[96];
    snprintf(what, sizeof what, "%s (closed form): the law of the sum, %ld values", fam, L + 1);
    if ((st = dlmkl_check_memory((size_t)(L + 1) * sizeof(double), what)))
        return st;
    double *w = malloc((size_t)(L + 1) * sizeof *w);
    if (!w)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
    if ((st = dlmkl_exch_sum_law_cw((int)L, J, h, w)) == DLMKL_OK)
        st = dlmkl_profile_exchangeable((int)L, w, out);
    free(w);
    return st;
}

/* Deepest nesting of mixture: specs read by the mixture closed form (as the builder's limit). */
#define CF_MIX_MAX_DEPTH 16

/* One component of an exchangeable mixture, nested mixtures flattened: weight w (the product of
 * the normalised weights down the nesting) and either p = P(x = 0) of product:L=..,V=..,p=.. (cw == 0;
 * each nonzero symbol has (1 − p)/(V − 1)) or the Curie-Weiss couplings J, hf (cw == 1, V = 2). */
typedef struct {
    double w, p, J, hf;
    int cw;
} cf_comp;

/* The components (all of length L on [V]^L), and why the walk stopped when it found no closed form. */
typedef struct {
    size_t n, cap;
    cf_comp *c;
    long L, V;
    char why[320];
} cf_mix;

static void cf_mix_free(cf_mix *mx)
{
    free(mx->c);
    memset(mx, 0, sizeof *mx);
}

static int cf_mix_push(cf_mix *mx, cf_comp comp)
{
    if (mx->n == mx->cap) {
        const size_t cap = mx->cap ? 2 * mx->cap : 4;
        cf_comp *c = realloc(mx->c, cap * sizeof *c);
        if (!c)
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        mx->c = c, mx->cap = cap;
    }
    mx->c[mx->n++] = comp;
    return DLMKL_OK;
}

/* No closed form: clear *ok and say why (component number at this nesting level and its spec). */
static void cf_mix_reject(cf_mix *mx, int *ok, size_t c, const char *sp, const char *why)
{
    *ok = 0;
    snprintf(mx->why, sizeof mx->why, "component %zu ('%.60s') %s", c + 1, sp, why);
}

/* Walk the components of mixture:ARGS with weights scaled by `scale`. *ok is cleared (and the walk
 * stops, mx->why saying why) at the first component that is not product:L=..,V=..,p=.. (any V),
 * cw:L=.. (V = 2) or such a mixture, or whose L or V differs from the others'. full = 0: that
 * syntactic check only (keys not read); full = 1: keys read as the builders read them (their errors
 * returned) and components appended to mx. */
static int cf_mix_walk(const char *args, double scale, int depth, int full, cf_mix *mx, int *ok)
{
    size_t nc;
    double *w;
    char **spec;
    if (depth >= CF_MIX_MAX_DEPTH) {
        *ok = 0;
        snprintf(mx->why, sizeof mx->why, "mixtures nest more than %d deep", CF_MIX_MAX_DEPTH);
        return DLMKL_OK;
    }
    int st = dlmkl_mixture_split("mixture", args, &nc, &w, &spec);
    if (st) {
        if (!full)
            *ok = 0;
        return full ? st : DLMKL_OK;
    }
    double tot = 0.0;
    for (size_t c = 0; c < nc; c++)
        tot += w[c];
    for (size_t c = 0; c < nc && *ok && !st; c++) {
        const char *sp = spec[c], *colon = strchr(sp, ':');
        const size_t flen = colon ? (size_t)(colon - sp) : strlen(sp);
        const double wc = scale * (w[c] / tot);
        if (colon && flen == 7 && strncmp(sp, "mixture", 7) == 0) {
            st = cf_mix_walk(colon + 1, wc, depth + 1, full, mx, ok);
            continue;
        }
        const int is_prod = flen == 7 && strncmp(sp, "product", 7) == 0, is_cw = flen == 2 && strncmp(sp, "cw", 2) == 0;
        long L, V;
        dlmkl_family_shape(sp, &L, &V);
        if (!colon || !(is_prod || is_cw)) {
            cf_mix_reject(mx, ok, c, sp, "is neither product:L=..,V=..,p=.. nor cw:L=..,J=.. nor such a mixture");
            break;
        }
        if (L < 1 || V < 2) {
            cf_mix_reject(mx, ok, c, sp, "has no valid L and V");
            break;
        }
        if (mx->L && (L != mx->L || V != mx->V)) {
            char why[128];
            snprintf(why, sizeof why, "is a law on [V]^L with L = %ld, V = %ld, but the components before it have "
                                      "L = %ld, V = %ld",
                     L, V, mx->L, mx->V);
            cf_mix_reject(mx, ok, c, sp, why);
            break;
        }
        mx->L = L, mx->V = V;
        dlmkl_kv kv;
        if ((st = dlmkl_kv_parse(colon + 1, &kv))) {
            /* syntactic walk: *ok stays set, so that the full walk reports the parse error */
            st = full ? dlmkl_error_prefix(st, "mixture component %zu ('%.60s')", c + 1, sp) : DLMKL_OK;
            break;
        }
        if (is_prod && dlmkl_kv_has(&kv, "seed")) /* per-site marginals: not exchangeable, not symmetric */
            cf_mix_reject(mx, ok, c, sp,
                          "has random per-site marginals (seed=): its sites are neither identically distributed nor "
                          "symmetric among the nonzero symbols (only p=, with P(x=0) = p and (1-p)/(V-1) for each "
                          "other symbol, is)");
        else if (full) {
            char fam[16];
            snprintf(fam, sizeof fam, "%s", is_prod ? "product" : "cw");
            cf_comp comp = {.w = wc, .cw = is_cw};
            if (is_prod) {
                if (!(st = dlmkl_kv_int(&kv, fam, "L", 1, 0, &L)) && !(st = dlmkl_kv_int(&kv, fam, "V", 0, 2, &V)) &&
                    !(st = dlmkl_kv_double(&kv, fam, "p", 1, 0, &comp.p)) &&
                    !(st = dlmkl_kv_check_unused(&kv, fam, "L, V, p")) && !(comp.p >= 0.0 && comp.p <= 1.0))
                    st = dlmkl_error(DLMKL_EINVAL, "product (closed form): p = %g is not a probability; need 0 <= p "
                                                   "<= 1", comp.p);
            } else
                st = ising_keys(fam, &kv, DLMKL_EXCH_MAX_L, &L, &comp.J, &comp.hf);
            if (!st)
                st = cf_mix_push(mx, comp);
        }
        dlmkl_kv_clear(&kv);
    }
    dlmkl_mixture_free(nc, w, spec);
    return st;
}

int dlmkl_spec_has_closed_form(const char *spec)
{
    const char *colon = strchr(spec, ':');
    const size_t flen = colon ? (size_t)(colon - spec) : strlen(spec);
    const dlmkl_family *f = flen ? dlmkl_family_find(spec, flen) : NULL;
    if (!f || f->closed_form)
        return f != NULL;
    if (!colon || strcmp(f->name, "mixture") != 0)
        return 0;
    cf_mix mx = {0};
    int ok = 1;
    const int st = cf_mix_walk(colon + 1, 1.0, 0, 0, &mx, &ok);
    cf_mix_free(&mx);
    return st == DLMKL_OK && ok;
}

/* mixture:W1*{SPEC1}+... of exchangeable laws of one L and V: product:L=..,V=..,p=.. (any V) and,
 * when V = 2, cw; nested such mixtures. h(m) from the string probabilities a(m,k) = Σ_c w_c a_c(m,k),
 * k the number of zeros (products: p as given; cw: its log string probabilities, reindexed from ones
 * to zeros), by dlmkl_profile_symmetric_mixture, O(L^2·C). Others: "no closed form" naming the first
 * component that has none (DLMKL_EINVAL). *V_out = V. */
static int cf_mixture(const char *args, dlmkl_profile **out, int *V_out)
{
    cf_mix mx = {0};
    int ok = 1;
    int st = cf_mix_walk(args, 1.0, 0, 1, &mx, &ok);
    if (!st && !ok)
        st = dlmkl_error(DLMKL_EINVAL, "no closed-form profile for this mixture: %s. A mixture has one only when every "
                                       "component is product:L=..,V=..,p=.. (any V), cw:L=..,J=.. (V = 2) or such a "
                                       "mixture, all of the same L and V; enumerate its table instead",
                         mx.why);
    if (!st)
        st = cf_range("mixture", "L", mx.L, 1, DLMKL_EXCH_MAX_L);
    if (!st)
        st = cf_range("mixture", "V", mx.V, 2, 2147483647L);
    if (!st && mx.n > 2147483647u)
        st = dlmkl_error(DLMKL_EINVAL, "mixture (closed form): too many components (%zu)", mx.n);
    double *w = NULL, *par = NULL, **la = NULL;
    if (!st && (!(w = malloc(mx.n * sizeof *w)) || !(par = malloc(mx.n * sizeof *par))))
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    for (size_t c = 0; !st && c < mx.n; c++)
        w[c] = mx.c[c].w, par[c] = mx.c[c].p;
    size_t ncw = 0;
    for (size_t c = 0; !st && c < mx.n; c++)
        ncw += (size_t)mx.c[c].cw;
    if (!st && ncw) { /* V = 2 (cw is binary) */
        char what[128];
        snprintf(what, sizeof what, "mixture (closed form): %zu Curie-Weiss components of %ld values", ncw, mx.L + 1);
        st = dlmkl_check_memory(ncw * (size_t)(mx.L + 1) * sizeof(double), what);
        if (!st && !(la = calloc(mx.n, sizeof *la)))
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    for (size_t c = 0; !st && la && c < mx.n; c++) {
        if (!mx.c[c].cw)
            continue;
        if (!(la[c] = malloc((size_t)(mx.L + 1) * sizeof **la)))
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        else if (!(st = dlmkl_exch_log_string_cw((int)mx.L, mx.c[c].J, mx.c[c].hf, la[c])))
            for (long k = 0, j = mx.L; k < j; k++, j--) { /* by k ones → by k zeros */
                const double t = la[c][k];
                la[c][k] = la[c][j], la[c][j] = t;
            }
    }
    if (!st)
        st = dlmkl_profile_symmetric_mixture((int)mx.L, (int)mx.V, (int)mx.n, w, par, la, out);
    if (!st)
        *V_out = (int)mx.V;
    for (size_t c = 0; la && c < mx.n; c++)
        free(la[c]);
    free(la), free(w), free(par);
    cf_mix_free(&mx);
    return st;
}

/* "a, b/c, d": the families with a closed form, aliases after '/' */
static void cf_names(char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; dlmkl_family_at(i); i++) {
        const dlmkl_family *f = dlmkl_family_at(i);
        if (!f->closed_form || n >= len)
            continue;
        n += (size_t)snprintf(buf + n, len - n, "%s%s%s%s", n ? ", " : "", f->name, f->alias ? "/" : "",
                              f->alias ? f->alias : "");
    }
    if (n < len)
        snprintf(buf + n, len - n, ", mixture (of product with p=, any V, and cw)");
}

int dlmkl_profile_closed_form(const char *spec, dlmkl_profile **out)
{
    *out = NULL;
    const char *colon = strchr(spec, ':');
    size_t flen = colon ? (size_t)(colon - spec) : strlen(spec);
    char names[256];
    cf_names(names, sizeof names);
    if (flen == 0 || flen >= 32)
        return dlmkl_error(DLMKL_EINVAL, "closed-form profile spec '%s' has no family; write FAMILY:key=value,... with "
                                         "FAMILY one of %s",
                           spec, names);
    char fam[32];
    memcpy(fam, spec, flen);
    fam[flen] = '\0';
    const dlmkl_family *f = dlmkl_family_find(fam, flen);
    if (f && !f->closed_form && colon && strcmp(f->name, "mixture") == 0) {
        int V = 0, st = cf_mixture(colon + 1, out, &V);
        if (st == DLMKL_OK)
            (*out)->V = V;
        return st;
    }
    if (!f || !f->closed_form)
        return dlmkl_error(DLMKL_EINVAL, "no closed-form profile for family '%s' (closed forms: %s; other families "
                                         "need an enumerated table)",
                           fam, names);
    dlmkl_kv kv;
    int st = dlmkl_kv_parse(colon ? colon + 1 : "", &kv);
    if (st)
        return dlmkl_error_prefix(st, "%s (closed form)", fam);
    st = f->closed_form(fam, &kv, out);
    dlmkl_kv_clear(&kv);
    if (st == DLMKL_OK) { /* the alphabet the keys give (V=, q=, n=; else the default 2) */
        long L, V;
        dlmkl_family_shape(spec, &L, &V);
        (*out)->V = V > 0 && V <= 1L << 30 ? (int)V : 0;
    }
    return st;
}

int dlmkl_profile_auto(const char *spec, int normalize, dlmkl_profile **out, int *V_out,
                       dlmkl_profile_route *route_out)
{
    *out = NULL;
    if (V_out)
        *V_out = 0;
    if (!spec)
        return dlmkl_error(DLMKL_EINVAL, "no distribution spec given");
    int st;
    if (dlmkl_spec_has_closed_form(spec)) {
        if ((st = dlmkl_profile_closed_form(spec, out)) != DLMKL_OK)
            return st;
        if (V_out) {
            long L, V;
            dlmkl_family_shape(spec, &L, &V);
            *V_out = V > 0 && V <= 1L << 30 ? (int)V : 0;
        }
        if (route_out)
            *route_out = DLMKL_PROFILE_ROUTE_CLOSED_FORM;
        return DLMKL_OK;
    }
    /* no closed form (or an unknown family: dlmkl_dist_from_spec names it) */
    dlmkl_dist *d = NULL;
    if ((st = dlmkl_dist_from_spec(spec, normalize, &d)) != DLMKL_OK)
        return st;
    dlmkl_profile *prof = dlmkl_profile_alloc(d->L);
    if (!prof)
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    else
        st = dlmkl_profile_compute_auto(d, prof, NULL); /* the route of a --dist profile: same bits */
    if (st == DLMKL_OK) {
        *out = prof;
        if (V_out)
            *V_out = d->V;
        if (route_out)
            *route_out = DLMKL_PROFILE_ROUTE_ENUMERATED;
    } else
        dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
    return st;
}

const char *dlmkl_closed_form_help(void)
{
    return "Closed-form entropy profiles (bits; any L up to 1e8, same keys as the families):\n"
           "  copy:L=..[,V=2]             h(m) = log V for m >= 1\n"
           "  parity:L=..[,V=2]           h(m) = m log V for m < L, (L-1) log V at m = L\n"
           "  product:L=..[,V=2],p=..     h(m) = m H1, H1 = -p log p - (1-p) log((1-p)/(V-1))\n"
           "  mds:q=..,n=..,k=..          (alias rs:) any MDS code of length n = L, dimension k over q\n"
           "                              symbols: h(m) = min(m,k) log q\n"
           "  perm:n=..                   h(m) = log n!/(n-m)!, L = V = n\n"
           "  markov:L=..,stay=..[,V=2]   binary symmetric chain, uniform start: with rho = 2 stay - 1 and\n"
           "                              e_g = (1 - rho^g)/2, h(m) = 1 + sum_g w_m(g) h2(e_g),\n"
           "                              w_m(g) = (L-g) C(L-g-1, m-2) / C(L,m); cost O(L^2) at worst\n"
           "                              (L ~ 1e4 in well under a second)\n"
           "  markov:L=..,V=..,trans=..[,init=..] | markov:L=..,V=..,seed=..[,conc=1]\n"
           "                              any chain: H(X_S) = H(X_s1) + sum_t H(X_st | X_st-1) from pair\n"
           "                              marginals by transition powers, O(L^2 V^3); budget L^2 (V^3 + 64)/2\n"
           "                              <= 1.5e10 (L up to about 2e4 at V = 2, 5e3 at V = 10; half a minute)\n"
           "  ising:L=..,J=..[,h=0]       the open chain as the Markov chain it is, O(L^2) (L up to about 2e4)\n"
           "  cw:L=..,J=..[,h=0]          Curie-Weiss is exchangeable: h(m) = H(X_1..X_m) from the law of\n"
           "                              the sum, O(L^2): L^2/2 <= 1e10 (L up to about 1.4e5, 3 minutes)\n"
           "  mixture:W1*{SPEC1}+W2*{SPEC2}+...\n"
           "                              a mixture of exchangeable laws of one L and V: every SPEC\n"
           "                              product:L=..,V=..,p=.. (P(x=0) = p, (1-p)/(V-1) for each other\n"
           "                              symbol; any V), cw:L=..,J=..[,h=0] (V = 2) or such a mixture.\n"
           "                              With a(m,k) = sum_c w_c a_c(m,k) the probability of one string\n"
           "                              of length m with k zeros, shared by C(m,k) (V-1)^(m-k) strings,\n"
           "                              h(m) = -sum_k C(m,k) (V-1)^(m-k) a(m,k) log a(m,k), in logs;\n"
           "                              O(L^2 C) for C components, L^2 C/2 <= 2e9 (L = 1e4, C = 3: about a\n"
           "                              second; L = 3.6e4, C = 3: 15 s). Other mixtures\n"
           "                              (e.g. product:...,seed=, not symmetric among the nonzero symbols)\n"
           "                              have no closed form (auto: enumerates them)\n";
}
