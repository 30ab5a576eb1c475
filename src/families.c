/* families.c: the built-in distribution families (spec grammar in dlmkl_dist_spec_help()).
 *
 * Every family parses its `key=value` list with the dlmkl_kv_* getters, checks each value's range
 * with one message naming the family, the key and the valid range, rejects unknown keys with
 * dlmkl_kv_check_unused, and fills a table from dlmkl_dist_alloc (which checks V^L for 64-bit
 * overflow and the memory cap). Tables are exact laws: they sum to 1 up to rounding.
 *
 * Randomness: GSL's mt19937 seeded with the spec's seed, draws in a documented order (see each
 * family), no clock, no threads — the same seed gives the same table on every machine. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "dlmkl/dist.h"
#include "families.h"
#include "internal.h"

/* Largest alphabet a family accepts. Keeps V-sized arrays and int arithmetic on symbols safe; the
 * size of the table itself (V^L) is checked by dlmkl_dist_alloc against overflow and the cap. */
#define FAMILY_V_MAX (1L << 20)

/* Largest |J| and |h| of the Ising families. Energies are J·(number of bonds) + h·(magnetisation),
 * at most ~2·62·1e6 in size, far from overflow; beyond 1e6 the normalised law is already the
 * uniform law on the ground states to double precision (exp(-2·1e6) = 0), so larger couplings
 * cannot change the table. */
#define ISING_COUPLING_MAX 1e6

/* Largest V of the trans= form: the matrix is typed inline (V^2 entries), and init=stationary's
 * reachability pass costs O(V^3). */
#define STATIONARY_V_MAX 512

/* ------------------------------------------------------------------------------------------ */
/* shared helpers                                                                               */

static int range_int(const char *fam, const char *key, long v, long lo, long hi)
{
    if (v < lo || v > hi)
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = %ld is out of range; need %ld <= %s <= %ld", fam, key, v, lo,
                           key, hi);
    return DLMKL_OK;
}

/* L of a table: 1 <= L <= DLMKL_MAX_L (tables are enumerated; longer L only via closed forms). */
static int range_L(const char *fam, const char *key, long L)
{
    if (L < 1 || L > DLMKL_MAX_L)
        return dlmkl_error(DLMKL_EINVAL,
                           "%s: %s = %ld is out of range; need 1 <= %s <= %d (a table has V^L entries; for longer "
                           "sequences use a closed-form profile)",
                           fam, key, L, key, DLMKL_MAX_L);
    return DLMKL_OK;
}

static int range_V(const char *fam, const char *key, long V)
{
    if (V < 2 || V > FAMILY_V_MAX)
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = %ld is out of range; need 2 <= %s <= %ld (the alphabet size)", fam,
                           key, V, key, FAMILY_V_MAX);
    return DLMKL_OK;
}

static int range_prob(const char *fam, const char *key, double x)
{
    if (!(x >= 0.0 && x <= 1.0))
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = %g is not a probability; need 0 <= %s <= 1", fam, key, x, key);
    return DLMKL_OK;
}

static int range_pos(const char *fam, const char *key, double x)
{
    if (!(x > 0.0) || !isfinite(x)) /* also guards gsl_ran_gamma, which loops forever on NaN */
        return dlmkl_error(DLMKL_EINVAL, "%s: %s = %g is out of range; need %s > 0", fam, key, x, key);
    return DLMKL_OK;
}

static int get_seed(dlmkl_kv *kv, const char *fam, uint64_t *seed)
{
    int st = dlmkl_kv_u64(kv, fam, "seed", 1, 0, seed);
    if (st)
        return st;
    if (*seed < DLMKL_SEED_MIN || *seed > DLMKL_SEED_MAX)
        return dlmkl_error(DLMKL_EINVAL,
                           "%s: seed = %llu is out of range; need %lu <= seed <= %lu (GSL's mt19937 uses 32 "
                           "bits of the seed and maps 0 to its default seed)",
                           fam, (unsigned long long)*seed, DLMKL_SEED_MIN, DLMKL_SEED_MAX);
    return DLMKL_OK;
}

/* Is key present? (does not mark it used) */
/* dlmkl_dist_alloc with the family's name in front of its message. */
static int alloc_table(const char *fam, long L, long V, dlmkl_dist **d)
{
    *d = dlmkl_dist_alloc((int)L, (int)V);
    if (*d)
        return DLMKL_OK;
    return dlmkl_error_prefix(dlmkl_last_status(), "%s", fam);
}

/* Parameter arrays (matrices, per-site marginals) count against the memory cap too. On failure
 * sets *st and returns NULL; on success leaves *st alone, so that a failure of an earlier call in a
 * chain of allocations is never overwritten by a later success. */
static void *alloc_params(const char *fam, size_t count, size_t size, const char *what, int *st)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s: %s", fam, what);
    if (count > SIZE_MAX / size) {
        *st = dlmkl_error(DLMKL_ETOOBIG, "%s does not fit in memory", buf);
        return NULL;
    }
    int cs = dlmkl_check_memory(count * size, buf);
    if (cs != DLMKL_OK) {
        *st = cs;
        return NULL;
    }
    void *p = calloc(count ? count : 1, size);
    if (!p)
        *st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", buf);
    return p;
}

static gsl_rng *rng_new(uint64_t seed)
{
    return dlmkl_rng_alloc((unsigned long)seed); /* NULL when out of memory, never GSL's handler */
}

/* One draw of Dirichlet(alpha, ..., alpha) on K points into out[0..K).
 * G_i ~ Gamma(alpha, 1) drawn in index order exactly as gsl_ran_gamma draws them (for alpha < 1,
 * G = G'·U^(1/alpha) with U = gsl_rng_uniform_pos drawn first and G' ~ Gamma(1 + alpha)), but kept as
 * logarithms, so that a small alpha cannot underflow every G_i to 0; then
 *     out_i = G_i / Σ_j G_j = exp(log G_i − max) / Σ_j exp(log G_j − max).
 * Cost O(K). alpha must be finite and > 0 (every caller checks it with range_pos): GSL's gamma
 * variates are not defined otherwise. */
static void dirichlet_draw(gsl_rng *r, double alpha, uint64_t K, double *out)
{
    double mx = -INFINITY;
    for (uint64_t i = 0; i < K; i++) {
        double lg;
        if (alpha < 1.0) {
            double u = gsl_rng_uniform_pos(r);
            lg = log(gsl_ran_gamma(r, 1.0 + alpha, 1.0)) + log(u) / alpha;
        } else {
            lg = log(gsl_ran_gamma(r, alpha, 1.0));
        }
        out[i] = lg;
        if (lg > mx)
            mx = lg;
    }
    double s = 0.0;
    for (uint64_t i = 0; i < K; i++) {
        out[i] = exp(out[i] - mx);
        s += out[i];
    }
    for (uint64_t i = 0; i < K; i++)
        out[i] /= s;
}

/* Fill d->p with the Markov law p(x) = q_0(x_1) Π_{i>=2} K_i(x_{i−1}, x_i), where site i's kernel is
 * kern[i] (a V×V row-major matrix, rows = previous symbol), for i = 1..L−1, and q_0 = init.
 * By prefix extension: the law of x_1..x_k lives in p[0..V^k) and
 *     p_k[idx·V + v] = p_{k−1}[idx] · K_k(idx mod V, v),
 * done from the top index down so that it can be done in place. O(V^L).
 * A product law is the case K_i(u, v) = q_i(v) (all rows equal; pass row stride 0). */
static void fill_chain(dlmkl_dist *d, const double *init, const double *const *kern, size_t row_stride)
{
    const uint64_t V = (uint64_t)d->V;
    memcpy(d->p, init, V * sizeof *d->p);
    uint64_t len = V;
    for (int k = 1; k < d->L; k++) {
        const double *K = kern[k];
        for (uint64_t idx = len; idx-- > 0;) {
            const double a = d->p[idx];
            const double *row = K + (idx % V) * row_stride;
            for (uint64_t v = 0; v < V; v++)
                d->p[idx * V + v] = a * row[v];
        }
        len *= V;
    }
}

/* Parse a '/'-separated list of exactly `want` probabilities into out. */
static int parse_list(const char *fam, const char *key, const char *s, long want, const char *shape, double *out)
{
    const char *p = s;
    long n = 0;
    for (;;) {
        const char *end = strchr(p, '/');
        if (!end)
            end = p + strlen(p);
        double v = 0.0;
        if (dlmkl_read_double(p, (size_t)(end - p), -INFINITY, INFINITY, &v))
            return dlmkl_error(DLMKL_EINVAL, "%s: %s = '%s': entry %ld is not a number ('/'-separated %s)", fam, key, s,
                               n + 1, shape);
        if (!(v >= 0.0 && v <= 1.0))
            return dlmkl_error(DLMKL_EINVAL, "%s: %s entry %ld = %g is not a probability; need 0 <= entry <= 1", fam,
                               key, n + 1, v);
        if (n < want)
            out[n] = v;
        n++;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    if (n != want)
        return dlmkl_error(DLMKL_EINVAL, "%s: %s has %ld entries; %s needs %ld", fam, key, n, shape, want);
    return DLMKL_OK;
}

/* Check a probability vector sums to 1 within DLMKL_SUM_TOL, then divide by the sum (which removes
 * the user's rounding so that the table sums to 1 to machine precision). */
static int check_row(const char *fam, const char *what, double *row, long V)
{
    double s = 0.0;
    for (long v = 0; v < V; v++)
        s += row[v];
    if (fabs(s - 1.0) > DLMKL_SUM_TOL)
        return dlmkl_error(DLMKL_EINVAL, "%s: %s sums to %.17g, not 1 (tolerance %g)", fam, what, s, DLMKL_SUM_TOL);
    for (long v = 0; v < V; v++)
        row[v] /= s;
    return DLMKL_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* copy, parity                                                                                 */

/* copy:L=..,V=.. — uniform over the V constant strings. */
/* The keys L (required) and V (default 2), range-checked. */
static int lv_keys(const char *fam, dlmkl_kv *kv, long *L, long *V)
{
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, L)) || (st = dlmkl_kv_int(kv, fam, "V", 0, 2, V)) ||
        (st = range_L(fam, "L", *L)) || (st = range_V(fam, "V", *V)))
        return st;
    return DLMKL_OK;
}

/* The keys of copy and parity: L and V, nothing else; then the table. */
static int lv_table(const char *fam, dlmkl_kv *kv, long *L, long *V, dlmkl_dist **d)
{
    int st;
    if ((st = lv_keys(fam, kv, L, V)) || (st = dlmkl_kv_check_unused(kv, fam, "L, V")))
        return st;
    return alloc_table(fam, *L, *V, d);
}

static int build_copy(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long L, V;
    dlmkl_dist *d;
    int st = lv_table(fam, kv, &L, &V, &d);
    if (st)
        return st;
    /* the constant string (v,...,v) has index v·(V^L − 1)/(V − 1) */
    uint64_t rep = (d->n - 1) / (uint64_t)(V - 1);
    for (long v = 0; v < V; v++)
        d->p[(uint64_t)v * rep] = 1.0 / (double)V;
    *out = d;
    return DLMKL_OK;
}

/* parity:L=..[,V=m] — uniform over strings with Σ x_i ≡ 0 (mod V): V^(L−1) of them. */
static int build_parity(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long L, V;
    dlmkl_dist *d;
    int st = lv_table(fam, kv, &L, &V, &d);
    if (st)
        return st;
    double w = 1.0 / (double)(d->n / (uint64_t)V);
    for (uint64_t i = 0; i < d->n; i++) {
        uint64_t x = i, s = 0;
        for (long k = 0; k < L; k++) {
            s += x % (uint64_t)V;
            x /= (uint64_t)V;
        }
        d->p[i] = s % (uint64_t)V == 0 ? w : 0.0;
    }
    *out = d;
    return DLMKL_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* product                                                                                      */

/* product:L=..,V=..,p=..  i.i.d. with P(x = 0) = p, P(x = v) = (1 − p)/(V − 1) for v >= 1;
 * product:L=..,V=..,seed=..[,alpha=1]  independent sites, site i's marginal q_i ~ Dirichlet(alpha)
 * (drawn for i = 1..L in order). p(x) = Π_i q_i(x_i). */
/* The keys of product, read and checked, and its per-site marginals: *q_out = q_1..q_L (L×V,
 * malloc'd, the caller frees it). Shared by the table builder and the generated table. */
static int product_params(const char *fam, dlmkl_kv *kv, long *L_out, long *V_out, double **q_out)
{
    long L, V;
    int st;
    *q_out = NULL;
    if ((st = lv_keys(fam, kv, &L, &V)))
        return st;
    const int hp = dlmkl_kv_has(kv, "p"), hs = dlmkl_kv_has(kv, "seed");
    if (!hp && !hs && (st = dlmkl_kv_check_unused(kv, fam, "L, V, p | L, V, seed, alpha")))
        return st; /* a misspelt key is the likelier mistake */
    if (hp == hs)
        return dlmkl_error(DLMKL_EINVAL, "%s: give exactly one of p= (i.i.d. sites, P(x=0) = p) or seed= (random "
                                         "per-site marginals), e.g. product:L=8,V=2,p=0.3",
                           fam);
    double p = 0.0, alpha = 1.0;
    uint64_t seed = 0;
    if (hp) {
        if ((st = dlmkl_kv_double(kv, fam, "p", 1, 0, &p)) || (st = range_prob(fam, "p", p)))
            return st;
        if (dlmkl_kv_has(kv, "alpha"))
            return dlmkl_error(DLMKL_EINVAL, "%s: alpha= applies only to the seed= form", fam);
    } else {
        if ((st = get_seed(kv, fam, &seed)) || (st = dlmkl_kv_double(kv, fam, "alpha", 0, 1.0, &alpha)) ||
            (st = range_pos(fam, "alpha", alpha)))
            return st;
    }
    if ((st = dlmkl_kv_check_unused(kv, fam, "L, V, p | L, V, seed, alpha")))
        return st;
    double *q = alloc_params(fam, (size_t)L * (size_t)V, sizeof *q, "per-site marginals", &st);
    if (!q)
        return st;
    if (hp) {
        for (long v = 0; v < V; v++)
            q[v] = v == 0 ? p : (1.0 - p) / (double)(V - 1);
        for (long i = 1; i < L; i++)
            memcpy(q + i * V, q, (size_t)V * sizeof *q);
    } else {
        gsl_rng *r = rng_new(seed);
        if (!r) {
            free(q);
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        }
        for (long i = 0; i < L; i++)
            dirichlet_draw(r, alpha, (uint64_t)V, q + i * V);
        gsl_rng_free(r);
    }
    *L_out = L, *V_out = V, *q_out = q;
    return DLMKL_OK;
}

/* product:L=..,V=..,p=..  i.i.d. with P(x = 0) = p, P(x = v) = (1 − p)/(V − 1) for v >= 1;
 * product:L=..,V=..,seed=..[,alpha=1]  independent sites, site i's marginal q_i ~ Dirichlet(alpha)
 * (drawn for i = 1..L in order). p(x) = Π_i q_i(x_i). */
static int build_product(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long L = 0, V = 0;
    double *q;
    int st;
    if ((st = product_params(fam, kv, &L, &V, &q)))
        return st;
    const double **kern = alloc_params(fam, (size_t)L, sizeof *kern, "per-site marginals", &st);
    if (!kern) {
        free(q);
        return st;
    }
    for (long i = 0; i < L; i++)
        kern[i] = q + i * V;
    dlmkl_dist *d;
    if ((st = alloc_table(fam, L, V, &d)) == DLMKL_OK) {
        fill_chain(d, q, kern, 0);
        *out = d;
    }
    free(q), free(kern);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* markov                                                                                       */

/* Unique stationary law π = πP of a V-state chain, or DLMKL_EINVAL if it is not unique.
 * Exact structure first: state i is recurrent iff every state reachable from i reaches i back; the
 * stationary law is unique iff the recurrent states form one class (mutually reachable); then π is
 * 0 on transient states and, on the (closed, irreducible) class, is computed by the GTH algorithm
 * (Grassmann, Taksar & Heyman 1985), which uses no subtractions and is accurate for any
 * irreducible chain. O(V^3). */
static int stationary(const char *fam, const double *P, long V, double *pi)
{
    int st = DLMKL_OK;
    unsigned char *reach = alloc_params(fam, (size_t)V * (size_t)V, 1, "reachability matrix", &st);
    long *stack = alloc_params(fam, (size_t)V, sizeof *stack, "stationary law", &st);
    long *cls = alloc_params(fam, (size_t)V, sizeof *cls, "stationary law", &st);
    double *A = alloc_params(fam, (size_t)V * (size_t)V, sizeof *A, "stationary law", &st);
    if (!reach || !stack || !cls || !A)
        goto done;
    /* reach[i*V + j]: j reachable from i in >= 0 steps (depth-first search from each i) */
    for (long i = 0; i < V; i++) {
        unsigned char *ri = reach + i * V;
        long top = 0;
        ri[i] = 1;
        stack[top++] = i;
        while (top) {
            long u = stack[--top];
            for (long v = 0; v < V; v++)
                if (P[u * V + v] > 0.0 && !ri[v]) {
                    ri[v] = 1;
                    stack[top++] = v;
                }
        }
    }
    long nc = 0, first = -1;
    for (long i = 0; i < V; i++) {
        int rec = 1;
        for (long j = 0; j < V && rec; j++)
            if (reach[i * V + j] && !reach[j * V + i])
                rec = 0;
        if (!rec)
            continue;
        if (first < 0)
            first = i;
        else if (!reach[first * V + i]) {
            st = dlmkl_error(DLMKL_EINVAL,
                             "%s: init=stationary needs a unique stationary law, but trans has more than one closed "
                             "class of states (e.g. the classes of symbols %ld and %ld); give init= explicitly",
                             fam, first, i);
            goto done;
        }
        cls[nc++] = i;
    }
    /* GTH on the class: A = P restricted to it (a stochastic matrix, the class being closed) */
    for (long a = 0; a < nc; a++)
        for (long b = 0; b < nc; b++)
            A[a * nc + b] = P[cls[a] * V + cls[b]];
    for (long n = nc - 1; n >= 1; n--) {
        double s = 0.0;
        for (long j = 0; j < n; j++)
            s += A[n * nc + j];
        /* s > 0 for an irreducible chain (the censored chain on states 0..n stays irreducible) */
        for (long i = 0; i < n; i++)
            A[i * nc + n] /= s;
        for (long i = 0; i < n; i++)
            for (long j = 0; j < n; j++)
                A[i * nc + j] += A[i * nc + n] * A[n * nc + j];
    }
    double *x = calloc((size_t)nc, sizeof *x);
    if (!x) {
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        goto done;
    }
    x[0] = 1.0;
    double tot = 1.0;
    for (long n = 1; n < nc; n++) {
        double s = 0.0;
        for (long i = 0; i < n; i++)
            s += x[i] * A[i * nc + n];
        x[n] = s;
        tot += s;
    }
    for (long v = 0; v < V; v++)
        pi[v] = 0.0;
    for (long a = 0; a < nc; a++)
        pi[cls[a]] = x[a] / tot;
    free(x);
done:
    free(reach), free(stack), free(cls), free(A);
    return st;
}

/* markov:L=..,V=2,stay=..             binary, uniform X_1, P(X_{i+1} = X_i) = stay;
 * markov:L=..,V=..,trans=..[,init=..]   P row-major '/'-separated, init '/'-list | uniform | stationary;
 * markov:L=..,V=..,seed=..[,conc=1]     init, then rows 0..V−1, each ~ Dirichlet(conc).
 * p(x) = init(x_1) Π_{i>=2} P(x_{i−1}, x_i). */
/* The keys of markov after L and V (stay= | trans=[,init=] | seed=[,conc=]), read and checked, and the
 * chain they give: *P_out the V×V transition matrix (row-major), *init_out the law of X_1, both
 * malloc'd (families.h). Shared by the table builder and the closed form. */
int dlmkl_markov_params(const char *fam, dlmkl_kv *kv, long L, long V, double **P_out, double **init_out)
{
    int st;
    *P_out = *init_out = NULL;
    const int hst = dlmkl_kv_has(kv, "stay"), htr = dlmkl_kv_has(kv, "trans"), hse = dlmkl_kv_has(kv, "seed");
    if (hst + htr + hse == 0 &&
        (st = dlmkl_kv_check_unused(kv, fam, "L, V, stay | L, V, trans, init | L, V, seed, conc")))
        return st; /* a misspelt key is the likelier mistake */
    if (hst + htr + hse != 1)
        return dlmkl_error(DLMKL_EINVAL,
                           "%s: give exactly one of stay= (binary chain), trans= (a V×V matrix) or seed= (random "
                           "matrix), e.g. markov:L=8,V=2,stay=0.9",
                           fam);
    if (!htr && dlmkl_kv_has(kv, "init"))
        return dlmkl_error(DLMKL_EINVAL, "%s: init= applies only to the trans= form", fam);
    if (hst && V != 2)
        return dlmkl_error(DLMKL_EINVAL, "%s: stay= is the binary chain, so V must be 2 (got V = %ld); for V > 2 give "
                                         "trans= or seed=",
                           fam, V);
    if (htr && V > STATIONARY_V_MAX)
        return dlmkl_error(DLMKL_EINVAL, "%s: V = %ld is out of range for trans=; need 2 <= V <= %d", fam, V,
                           STATIONARY_V_MAX);
    /* every key is read and checked before anything is allocated */
    static const char *const allowed = "L, V, stay | L, V, trans, init | L, V, seed, conc";
    double stay = 0.0, conc = 1.0;
    uint64_t seed = 0;
    const char *ts = NULL, *is = NULL;
    if (hst) {
        if ((st = dlmkl_kv_double(kv, fam, "stay", 1, 0, &stay)) || (st = range_prob(fam, "stay", stay)))
            return st;
    } else if (htr) {
        ts = dlmkl_kv_str(kv, "trans");
        is = dlmkl_kv_str(kv, "init");
    } else if ((st = get_seed(kv, fam, &seed)) || (st = dlmkl_kv_double(kv, fam, "conc", 0, 1.0, &conc)) ||
               (st = range_pos(fam, "conc", conc))) {
        return st;
    }
    if ((st = dlmkl_kv_check_unused(kv, fam, allowed)))
        return st;
    if ((size_t)V > SIZE_MAX / sizeof(double) / ((size_t)V + 2) ||
        (st = dlmkl_check_memory(((size_t)V * (size_t)V + (size_t)V + (size_t)L) * sizeof(double),
                                 "markov: the transition matrix")) != DLMKL_OK)
        return st ? st : dlmkl_error(DLMKL_ETOOBIG, "%s: a %ldx%ld transition matrix does not fit in memory", fam, V, V);
    double *P = alloc_params(fam, (size_t)V * (size_t)V, sizeof *P, "transition matrix", &st);
    double *init = alloc_params(fam, (size_t)V, sizeof *init, "initial law", &st);
    if (!P || !init)
        goto fail;
    if (hst) {
        P[0] = P[3] = stay;
        P[1] = P[2] = 1.0 - stay;
        init[0] = init[1] = 0.5;
    } else if (htr) {
        char shape[96];
        snprintf(shape, sizeof shape, "a %ldx%ld matrix (row-major)", V, V);
        if ((st = parse_list(fam, "trans", ts, V * V, shape, P)))
            goto fail;
        for (long u = 0; u < V; u++) {
            char what[96];
            snprintf(what, sizeof what, "row %ld of trans (previous symbol %ld)", u + 1, u);
            if ((st = check_row(fam, what, P + u * V, V)))
                goto fail;
        }
        if (!is || strcmp(is, "uniform") == 0) {
            for (long v = 0; v < V; v++)
                init[v] = 1.0 / (double)V;
        } else if (strcmp(is, "stationary") == 0) {
            if ((st = stationary(fam, P, V, init)))
                goto fail;
        } else {
            char ishape[96];
            snprintf(ishape, sizeof ishape, "a law on %ld symbols (or init=uniform|stationary)", V);
            if ((st = parse_list(fam, "init", is, V, ishape, init)) || (st = check_row(fam, "init", init, V)))
                goto fail;
        }
    } else {
        gsl_rng *r = rng_new(seed);
        if (!r) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
            goto fail;
        }
        dirichlet_draw(r, conc, (uint64_t)V, init);
        for (long u = 0; u < V; u++)
            dirichlet_draw(r, conc, (uint64_t)V, P + u * V);
        gsl_rng_free(r);
    }
    *P_out = P, *init_out = init;
    return DLMKL_OK;
fail:
    free(P), free(init);
    return st;
}

static int build_markov(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long L, V;
    double *P, *init;
    int st;
    if ((st = lv_keys(fam, kv, &L, &V)) || (st = dlmkl_markov_params(fam, kv, L, V, &P, &init)))
        return st;
    const double **kern = alloc_params(fam, (size_t)L, sizeof *kern, "transition matrix", &st);
    if (!kern)
        goto fail;
    for (long i = 0; i < L; i++)
        kern[i] = P;
    dlmkl_dist *d;
    if ((st = alloc_table(fam, L, V, &d)))
        goto fail;
    fill_chain(d, init, kern, (size_t)V);
    *out = d;
fail:
    free(P), free(init), free(kern);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Ising: 1D chain, 2D grid, Curie–Weiss                                                        */

/* Binary laws p(x) ∝ exp(E(x)) with, for s_i = 2x_i − 1,
 *     E(x) = J·B(x) + h·M(x),  M = Σ_i s_i,  B = the family's pair sum,
 * computed from bit counts of the table index idx (bit L−1−i of idx is x_i):
 *     M = 2·popcount(idx) − L;
 *     a bond set given as masks (pairs of bits at distance dist, one mask per distance):
 *         Σ_bonds s_i s_j = nbonds − 2·popcount((idx ^ (idx >> dist)) & mask);
 *     Curie–Weiss: Σ_{i<j} s_i s_j = (M^2 − L)/2, B = that / L.
 * Normalised by log-sum-exp: p = exp(E − max E) / Σ exp(E − max E), stable for any |J|, |h|. O(2^L). */
typedef struct {
    int nd;                 /* number of bond masks */
    int dist[2];
    uint64_t mask[2];
    int cw;                 /* Curie–Weiss pair sum instead of bonds */
} ising_bonds;

static void fill_ising(dlmkl_dist *d, const ising_bonds *b, double J, double h)
{
    const int L = d->L;
    int nbonds = 0;
    for (int t = 0; t < b->nd; t++)
        nbonds += __builtin_popcountll(b->mask[t]);
    double mx = -INFINITY;
    for (uint64_t idx = 0; idx < d->n; idx++) {
        const int M = 2 * __builtin_popcountll(idx) - L;
        double B;
        if (b->cw) {
            B = (double)(M * M - L) / 2.0 / (double)L;
        } else {
            int diff = 0;
            for (int t = 0; t < b->nd; t++)
                diff += __builtin_popcountll((idx ^ (idx >> b->dist[t])) & b->mask[t]);
            B = (double)(nbonds - 2 * diff);
        }
        const double E = J * B + h * (double)M;
        d->p[idx] = E;
        if (E > mx)
            mx = E;
    }
    double s = 0.0;
    for (uint64_t idx = 0; idx < d->n; idx++) {
        d->p[idx] = exp(d->p[idx] - mx);
        s += d->p[idx];
    }
    for (uint64_t idx = 0; idx < d->n; idx++)
        d->p[idx] /= s;
}

static int ising_couplings(const char *fam, dlmkl_kv *kv, double *J, double *h)
{
    int st;
    if ((st = dlmkl_kv_double(kv, fam, "J", 1, 0, J)) || (st = dlmkl_kv_double(kv, fam, "h", 0, 0.0, h)))
        return st;
    if (fabs(*J) > ISING_COUPLING_MAX)
        return dlmkl_error(DLMKL_EINVAL, "%s: J = %g is out of range; need |J| <= %g", fam, *J, ISING_COUPLING_MAX);
    if (fabs(*h) > ISING_COUPLING_MAX)
        return dlmkl_error(DLMKL_EINVAL, "%s: h = %g is out of range; need |h| <= %g", fam, *h, ISING_COUPLING_MAX);
    return DLMKL_OK;
}

/* ising:L=..,J=..[,h=0] — open chain, B = Σ_{i=1}^{L−1} s_i s_{i+1}: bits at distance 1, all L−1 pairs. */
static int ising_params(const char *fam, dlmkl_kv *kv, long *L, ising_bonds *b, double *J, double *h)
{
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, L)) || (st = ising_couplings(fam, kv, J, h)) ||
        (st = dlmkl_kv_check_unused(kv, fam, "L, J, h")) || (st = range_L(fam, "L", *L)))
        return st;
    *b = (ising_bonds){.nd = 1, .dist = {1, 0}, .mask = {(1ULL << (*L - 1)) - 1, 0}, .cw = 0};
    return DLMKL_OK;
}

/* ising2d:rows=..,cols=..,J=..[,h=0] — open rows×cols grid, site (r, c) is coordinate i = r·cols + c.
 * Horizontal bonds (i, i+1) with i mod cols != cols−1: bits L−1−i, L−2−i, distance 1;
 * vertical bonds (i, i+cols): bits L−1−i−cols (= 0..L−1−cols) and that + cols, distance cols. */
static int ising2d_params(const char *fam, dlmkl_kv *kv, long *Lout, ising_bonds *b, double *J, double *h)
{
    long R, C;
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "rows", 1, 0, &R)) || (st = dlmkl_kv_int(kv, fam, "cols", 1, 0, &C)) ||
        (st = ising_couplings(fam, kv, J, h)) || (st = dlmkl_kv_check_unused(kv, fam, "rows, cols, J, h")) ||
        (st = range_int(fam, "rows", R, 1, DLMKL_MAX_L)) || (st = range_int(fam, "cols", C, 1, DLMKL_MAX_L)))
        return st;
    if (R * C > DLMKL_MAX_L)
        return dlmkl_error(DLMKL_EINVAL, "%s: rows·cols = %ld is out of range; need 1 <= rows·cols <= %d", fam, R * C,
                           DLMKL_MAX_L);
    const int L = (int)(R * C);
    *b = (ising_bonds){.nd = 2, .dist = {1, (int)C}, .mask = {0, 0}, .cw = 0};
    for (int i = 0; i + 1 < L; i++)
        if (i % C != C - 1)
            b->mask[0] |= 1ULL << (L - 2 - i);
    b->mask[1] = L > C ? (1ULL << (L - C)) - 1 : 0;
    *Lout = L;
    return DLMKL_OK;
}

/* cw:L=..,J=..[,h=0] — Curie–Weiss, B = (1/L) Σ_{i<j} s_i s_j. */
static int cw_params(const char *fam, dlmkl_kv *kv, long *L, ising_bonds *b, double *J, double *h)
{
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, L)) || (st = ising_couplings(fam, kv, J, h)) ||
        (st = dlmkl_kv_check_unused(kv, fam, "L, J, h")) || (st = range_L(fam, "L", *L)))
        return st;
    *b = (ising_bonds){.nd = 0, .dist = {0, 0}, .mask = {0, 0}, .cw = 1};
    return DLMKL_OK;
}

typedef int (*ising_params_fn)(const char *fam, dlmkl_kv *kv, long *L, ising_bonds *b, double *J, double *h);

static int build_ising_with(ising_params_fn params, const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long L = 0;
    ising_bonds b;
    double J, h;
    int st;
    if ((st = params(fam, kv, &L, &b, &J, &h)))
        return st;
    dlmkl_dist *d;
    if ((st = alloc_table(fam, L, 2, &d)))
        return st;
    fill_ising(d, &b, J, h);
    *out = d;
    return DLMKL_OK;
}

static int build_ising(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    return build_ising_with(ising_params, fam, kv, out);
}

static int build_ising2d(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    return build_ising_with(ising2d_params, fam, kv, out);
}

static int build_cw(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    return build_ising_with(cw_params, fam, kv, out);
}

/* ------------------------------------------------------------------------------------------ */
/* perm, mds, random, mixprod                                                                   */

/* Step a[0..n) to the next permutation in lexicographic order; 0 when a was the last one. */
static int next_permutation(int *a, int n)
{
    int i = n - 2;
    while (i >= 0 && a[i] > a[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (a[j] < a[i])
        j--;
    int t = a[i];
    a[i] = a[j], a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--)
        t = a[l], a[l] = a[r], a[r] = t;
    return 1;
}

/* perm:n=.. — uniform over the n! permutations of [n] as strings x in [n]^n: p(x) = 1/n! if the x_i
 * are distinct. Enumerated in lexicographic order (next-permutation). O(n^n) memory, O(n!·n) work. */
static int build_perm(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long n;
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "n", 1, 0, &n)) || (st = dlmkl_kv_check_unused(kv, fam, "n")) ||
        (st = range_int(fam, "n", n, 2, DLMKL_MAX_L)))
        return st;
    dlmkl_dist *d;
    if ((st = alloc_table(fam, n, n, &d)))
        return st;
    int a[DLMKL_MAX_L];
    double nfact = 1.0;
    for (int i = 0; i < n; i++) {
        a[i] = i;
        nfact *= (double)(i + 1);
    }
    const double w = 1.0 / nfact;
    for (;;) {
        uint64_t idx = 0;
        for (int i = 0; i < n; i++)
            idx = idx * (uint64_t)n + (uint64_t)a[i];
        d->p[idx] = w;
        if (!next_permutation(a, (int)n))
            break;
    }
    *out = d;
    return DLMKL_OK;
}

static int is_prime(long q)
{
    if (q < 2)
        return 0;
    for (long f = 2; f * f <= q; f++)
        if (q % f == 0)
            return 0;
    return 1;
}

/* The keys q (prime), n and k (1 <= k <= n <= q) of mds: / rs:, checked. */
static int mds_params(const char *fam, dlmkl_kv *kv, long *q, long *n, long *k)
{
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "q", 1, 0, q)) || (st = dlmkl_kv_int(kv, fam, "n", 1, 0, n)) ||
        (st = dlmkl_kv_int(kv, fam, "k", 1, 0, k)) || (st = dlmkl_kv_check_unused(kv, fam, "q, n, k")) ||
        (st = range_V(fam, "q", *q)))
        return st;
    if (!is_prime(*q))
        return dlmkl_error(DLMKL_EINVAL, "%s: q = %ld is not prime; the code lives over the prime field F_q (q = 2, 3, 5, "
                                         "7, 11, ...)",
                           fam, *q);
    if ((st = range_int(fam, "n", *n, 1, *q < DLMKL_MAX_L ? *q : DLMKL_MAX_L)) || (st = range_int(fam, "k", *k, 1, *n)))
        return st;
    return DLMKL_OK;
}

/* Index of the codeword of message c: x_j = Σ_t c_t j^t mod q (Horner), x_0 the most significant digit. */
static uint64_t mds_codeword(const long *c, long n, long k, uint64_t Q)
{
    uint64_t idx = 0;
    for (long j = 0; j < n; j++) {
        uint64_t x = 0;
        for (long t = k - 1; t >= 0; t--)
            x = (x * (uint64_t)j + (uint64_t)c[t]) % Q;
        idx = idx * Q + x;
    }
    return idx;
}

/* The next message c in [q]^k (an odometer, c_0 fastest). */
static void mds_next_message(long *c, long k, long q)
{
    for (long t = 0; t < k; t++) {
        if (++c[t] < q)
            return;
        c[t] = 0;
    }
}

/* mds:q=..,n=..,k=.. (alias rs:) — uniform over the Reed–Solomon code
 *     { (f(0), f(1), ..., f(n−1)) : f ∈ F_q[z], deg f < k },  q prime, 1 <= k <= n <= q.
 * The q^k messages (c_0..c_{k−1}) are enumerated by an odometer; each codeword x_j = Σ_t c_t j^t mod q
 * (Horner) gets 1/q^k. Distinct points and deg f < k <= n make the map injective (a nonzero f of degree
 * < n has fewer than n roots), and any k coordinates determine f (Lagrange), so the code is MDS:
 * h(m) = min(m, k)·log2 q. O(q^n) memory, O(q^k·n·k) work. */
static int build_mds(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long q, n, k;
    int st;
    if ((st = mds_params(fam, kv, &q, &n, &k)))
        return st;
    dlmkl_dist *d;
    if ((st = alloc_table(fam, n, q, &d)))
        return st;
    uint64_t nmsg = 1;
    for (long t = 0; t < k; t++)
        nmsg *= (uint64_t)q; /* q^k <= q^n = d->n, no overflow */
    const double w = 1.0 / (double)nmsg;
    long c[DLMKL_MAX_L] = {0};
    const uint64_t Q = (uint64_t)q;
    for (uint64_t msg = 0; msg < nmsg; msg++) {
        const uint64_t idx = mds_codeword(c, n, k, Q);
        d->p[idx] = w;
        mds_next_message(c, k, q);
    }
    *out = d;
    return DLMKL_OK;
}

/* random:L=..,V=..,seed=..[,alpha=1] — the whole table ~ Dirichlet(alpha) on V^L points, drawn in
 * index order. O(V^L). */
static int build_random(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long L, V;
    uint64_t seed;
    double alpha;
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, &L)) || (st = dlmkl_kv_int(kv, fam, "V", 0, 2, &V)) ||
        (st = get_seed(kv, fam, &seed)) || (st = dlmkl_kv_double(kv, fam, "alpha", 0, 1.0, &alpha)) ||
        (st = dlmkl_kv_check_unused(kv, fam, "L, V, seed, alpha")) || (st = range_L(fam, "L", L)) ||
        (st = range_V(fam, "V", V)) || (st = range_pos(fam, "alpha", alpha)))
        return st;
    dlmkl_dist *d;
    if ((st = alloc_table(fam, L, V, &d)))
        return st;
    gsl_rng *r = rng_new(seed);
    if (!r) {
        dlmkl_dist_free(d);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    dirichlet_draw(r, alpha, d->n, d->p);
    gsl_rng_free(r);
    *out = d;
    return DLMKL_OK;
}

/* The keys of mixprod, read and checked, and its parameters drawn in the documented order (see
 * build_mixprod): *w_out the m weights, *q_out the m·L·V component marginals (component c, site i
 * at q + (c·L + i)·V), *pre_out m·(L+1) doubles for the builder's prefix products. All three are
 * malloc'd (the caller frees them; NULL on failure) and checked against the memory cap in this
 * order, so that the generated table meets the cap where the builder does. Shared by the table
 * builder and the generated table. O(m·L·V) draws. */
static int mixprod_params(const char *fam, dlmkl_kv *kv, long *L_out, long *V_out, long *m_out, double **w_out,
                          double **q_out, double **pre_out)
{
    long L, V, m;
    uint64_t seed;
    double alpha;
    int st;
    *w_out = *q_out = *pre_out = NULL;
    if ((st = dlmkl_kv_int(kv, fam, "L", 1, 0, &L)) || (st = dlmkl_kv_int(kv, fam, "V", 0, 2, &V)) ||
        (st = dlmkl_kv_int(kv, fam, "m", 1, 0, &m)) || (st = get_seed(kv, fam, &seed)) ||
        (st = dlmkl_kv_double(kv, fam, "alpha", 0, 1.0, &alpha)) ||
        (st = dlmkl_kv_check_unused(kv, fam, "L, V, m, seed, alpha")) || (st = range_L(fam, "L", L)) ||
        (st = range_V(fam, "V", V)) || (st = range_int(fam, "m", m, 1, 1L << 20)) ||
        (st = range_pos(fam, "alpha", alpha)))
        return st;
    double *w = alloc_params(fam, (size_t)m, sizeof *w, "mixture weights", &st);
    double *q = w ? alloc_params(fam, (size_t)m * (size_t)L * (size_t)V, sizeof *q, "component marginals", &st) : NULL;
    double *pre = q ? alloc_params(fam, (size_t)m * (size_t)(L + 1), sizeof *pre, "prefix products", &st) : NULL;
    gsl_rng *r = pre ? rng_new(seed) : NULL;
    if (!pre || !r) {
        if (pre)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        free(w), free(q), free(pre);
        return st;
    }
    dirichlet_draw(r, 1.0, (uint64_t)m, w);
    for (long c = 0; c < m; c++)
        for (long i = 0; i < L; i++)
            dirichlet_draw(r, alpha, (uint64_t)V, q + (c * L + i) * V);
    gsl_rng_free(r);
    *L_out = L, *V_out = V, *m_out = m;
    *w_out = w, *q_out = q, *pre_out = pre;
    return DLMKL_OK;
}

/* mixprod:L=..,V=..,m=..,seed=..[,alpha=1] — p(x) = Σ_c w_c Π_i q_{c,i}(x_i), c = 1..m, with
 * w ~ Dirichlet(1) on m points drawn first, then q_{c,i} ~ Dirichlet(alpha) on V points for c = 1..m,
 * i = 1..L in that order. A mixture of m products has DTC <= H(component) <= log2 m.
 * Filled in index order by an odometer over x keeping the prefix products
 *     pre[c][i] = w_c Π_{t<i} q_{c,t}(x_t),
 * recomputed only from the first digit that changed: amortised O(m) per entry. The entries are
 * these sums as they are (w and each q_{c,i} already sum to 1): no division by their total. */
static int build_mixprod(const char *fam, dlmkl_kv *kv, dlmkl_dist **out)
{
    long L, V, m;
    double *w, *q, *pre;
    int st;
    if ((st = mixprod_params(fam, kv, &L, &V, &m, &w, &q, &pre)))
        return st;
    dlmkl_dist *d = NULL;
    if ((st = alloc_table(fam, L, V, &d)))
        goto done;
    int x[DLMKL_MAX_L] = {0};
    long from = 0; /* first digit whose prefix products are stale */
    for (long c = 0; c < m; c++)
        pre[c * (L + 1)] = w[c];
    for (uint64_t idx = 0; idx < d->n; idx++) {
        double s = 0.0;
        for (long c = 0; c < m; c++) {
            double *pc = pre + c * (L + 1);
            const double *qc = q + c * L * V;
            for (long i = from; i < L; i++)
                pc[i + 1] = pc[i] * qc[i * V + x[i]];
            s += pc[L];
        }
        d->p[idx] = s;
        long i = L - 1; /* odometer: x_L varies fastest */
        while (i >= 0 && x[i] == V - 1)
            x[i--] = 0;
        if (i >= 0)
            x[i]++;
        from = i < 0 ? 0 : i;
    }
    *out = d;
done:
    free(w), free(q), free(pre);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* mixture                                                                                      */

/* mixture:W1*{SPEC1}+W2*{SPEC2}+... — p = Σ_c (W_c / Σ W) p_c. The specs are any specs (mixtures
 * nest through the braces); every component must be a law on the same [V]^L. Components are built
 * one at a time and added in order, so memory is about two tables. O(Σ_c cost(p_c) + C·V^L). */
/* Deepest nesting of mixture: specs. Each level holds up to two tables and a stack frame; the
 * limit keeps a hostile spec ({{{{...}}}}) from overflowing the stack. */
#define MIXTURE_MAX_DEPTH 16
static _Thread_local int mixture_depth;

static int build_mixture_body(const char *fam, const char *args, int normalize, dlmkl_dist **out);

static int build_mixture(const char *fam, const char *args, int normalize, dlmkl_dist **out)
{
    int depth = 0, deepest = 0;
    for (const char *c = args; *c; c++)
        if (*c == '{' && ++depth > deepest)
            deepest = depth;
        else if (*c == '}')
            depth--;
    if (mixture_depth + deepest > MIXTURE_MAX_DEPTH)
        return dlmkl_error(DLMKL_EINVAL, "%s: braces are nested %d deep; mixtures nest at most %d deep", fam,
                           mixture_depth + deepest, MIXTURE_MAX_DEPTH);
    mixture_depth++;
    int st = build_mixture_body(fam, args, normalize, out);
    mixture_depth--;
    return st;
}

void dlmkl_mixture_free(size_t nc, double *w, char **spec)
{
    for (size_t c = 0; c < nc; c++)
        free(spec[c]);
    free(spec), free(w);
}

int dlmkl_mixture_split(const char *fam, const char *args, size_t *nc_out, double **w_out, char ***spec_out)
{
    size_t cap = 0, nc = 0;
    double *w = NULL;
    char **spec = NULL;
    double tot = 0.0;
    int st = DLMKL_OK;
    const char *p = args;
    *nc_out = 0, *w_out = NULL, *spec_out = NULL;
    if (!*p) {
        st = dlmkl_error(DLMKL_EINVAL, "%s: no components; write %s:W1*{SPEC1}+W2*{SPEC2}+... (e.g. "
                                       "%s:0.5*{copy:L=4}+0.5*{parity:L=4})",
                         fam, fam, fam);
        goto done;
    }
    while (*p) {
        const char *end = strchr(p, '*');
        double wt = 0.0;
        if (!end || end[1] != '{' || dlmkl_read_double(p, (size_t)(end - p), -INFINITY, INFINITY, &wt)) {
            st = dlmkl_error(DLMKL_EINVAL, "%s: expected WEIGHT*{SPEC} at '%.40s'; write %s:W1*{SPEC1}+W2*{SPEC2}+...",
                             fam, p, fam);
            goto done;
        }
        if (!isfinite(wt) || !(wt > 0.0)) {
            st = dlmkl_error(DLMKL_EINVAL, "%s: weight %ld = %g is out of range; weights must be finite and > 0", fam,
                             (long)nc + 1, wt);
            goto done;
        }
        const char *open = end + 2, *q = open;
        int depth = 1;
        for (; *q && depth; q++)
            depth += *q == '{' ? 1 : *q == '}' ? -1 : 0;
        if (depth) {
            st = dlmkl_error(DLMKL_EINVAL, "%s: unbalanced braces in component %ld ('%.40s'); each SPEC is enclosed "
                                           "in {...}",
                             fam, (long)nc + 1, open);
            goto done;
        }
        /* q is just past the matching '}' */
        if (*q != '\0' && *q != '+') {
            st = dlmkl_error(DLMKL_EINVAL, "%s: expected '+' or the end after component %ld, got '%.40s'", fam,
                             (long)nc + 1, q);
            goto done;
        }
        if (nc == cap) {
            cap = cap ? 2 * cap : 4;
            double *w2 = realloc(w, cap * sizeof *w);
            if (w2)
                w = w2;
            char **s2 = realloc(spec, cap * sizeof *spec);
            if (s2)
                spec = s2;
            if (!w2 || !s2) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                goto done;
            }
        }
        w[nc] = wt;
        spec[nc] = strndup(open, (size_t)(q - 1 - open));
        if (!spec[nc]) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
            goto done;
        }
        nc++;
        tot += wt;
        if (*q == '+') {
            q++;
            if (!*q) {
                st = dlmkl_error(DLMKL_EINVAL, "%s: trailing '+' after component %ld", fam, (long)nc);
                goto done;
            }
        }
        p = q;
    }
    if (!isfinite(tot)) {
        st = dlmkl_error(DLMKL_EINVAL, "%s: the weights sum to %g; use smaller weights", fam, tot);
        goto done;
    }
    *nc_out = nc, *w_out = w, *spec_out = spec;
    return DLMKL_OK;
done:
    dlmkl_mixture_free(nc, w, spec);
    return st;
}

static int build_mixture_body(const char *fam, const char *args, int normalize, dlmkl_dist **out)
{
    size_t nc;
    double *w;
    char **spec;
    dlmkl_dist *d = NULL;
    int st = dlmkl_mixture_split(fam, args, &nc, &w, &spec);
    if (st)
        return st;
    double tot = 0.0;
    for (size_t c = 0; c < nc; c++)
        tot += w[c];
    for (size_t c = 0; c < nc; c++) {
        dlmkl_dist *comp;
        if ((st = dlmkl_dist_from_spec(spec[c], normalize, &comp))) {
            st = dlmkl_error_prefix(st, "%s component %zu ('%.60s')", fam, c + 1, spec[c]);
            goto done;
        }
        if (!d) {
            if ((st = alloc_table(fam, comp->L, comp->V, &d))) {
                dlmkl_dist_free(comp);
                goto done;
            }
        } else if (comp->L != d->L || comp->V != d->V) {
            st = dlmkl_error(DLMKL_EINVAL,
                             "%s: component %zu ('%.60s') is a law on [V]^L with L = %d, V = %d, but component 1 "
                             "has L = %d, V = %d; all components must have the same L and V",
                             fam, c + 1, spec[c], comp->L, comp->V, d->L, d->V);
            dlmkl_dist_free(comp);
            goto done;
        }
        const double wc = w[c] / tot;
        for (uint64_t i = 0; i < d->n; i++)
            d->p[i] += wc * comp->p[i];
        dlmkl_dist_free(comp);
    }
    *out = d;
    d = NULL;
done:
    dlmkl_dist_free(d);
    dlmkl_mixture_free(nc, w, spec);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* generated tables (dlmkl_gen): the entries of ising, ising2d, cw, product, markov, mixprod       */

enum { GEN_ISING = 1, GEN_CHAIN = 2, GEN_MIXPROD = 3 };

struct dlmkl_gen {
    int L, V, kind;
    uint64_t n, support;
    /* GEN_ISING: p(idx) = ptab[c·nd + k], c = popcount(idx), k = the bond disagreements (0 for cw) */
    ising_bonds b;
    int nd;
    double *ptab;
    /* GEN_CHAIN: p(x) = init(x_1) Π_{k>=1} kern[k][x_k·stride + x_{k+1}], multiplied left to right */
    double *init, *own;
    const double **kern;
    size_t stride;
    /* GEN_MIXPROD: p(x) = Σ_c w[c]·Π_i q[(c·L + i)·V + x_i], each product from w[c] left to right,
     * the sum from 0 in component order (build_mixprod's operations) */
    long m;
    double *w, *q;
    int tailK;      /* the trailing digits fill_mixprod expands per block, tailT = V^tailK entries */
    uint64_t tailT;
};

void dlmkl_gen_free(dlmkl_gen *g)
{
    if (!g)
        return;
    free(g->ptab), free(g->init), free(g->own), free(g->kern), free(g->w), free(g->q);
    free(g);
}

int dlmkl_gen_L(const dlmkl_gen *g) { return g->L; }
int dlmkl_gen_V(const dlmkl_gen *g) { return g->V; }
uint64_t dlmkl_gen_size(const dlmkl_gen *g) { return g->n; }
uint64_t dlmkl_gen_support(const dlmkl_gen *g) { return g->support; }

/* the key of idx in ptab (as fill_ising reads idx: M from popcount, the bond disagreements) */
static inline uint64_t ising_key(const dlmkl_gen *g, uint64_t idx)
{
    int diff = 0;
    for (int t = 0; t < g->b.nd; t++)
        diff += __builtin_popcountll((idx ^ (idx >> g->b.dist[t])) & g->b.mask[t]);
    return (uint64_t)__builtin_popcountll(idx) * (uint64_t)g->nd + (uint64_t)diff;
}

/* Largest block of trailing entries that fill_mixprod expands from one prefix product: the tail of
 * K digits, T = V^K <= MIXPROD_TAIL entries (K = 0, T = 1 for V > MIXPROD_TAIL: entry by entry).
 * 256 (2 KiB of stack): for V = 2, 64 cost 25% more per entry, 1024 no less; for V = 3, 729 misses
 * the profile's chunks of 2048 entries too often. */
#define MIXPROD_TAIL 256

/* The odometer's next index (x_{L-1} fastest): digits i, i-1, ... that are V-1 wrap to 0 and the first
 * other one is incremented; returns its position, the first digit whose prefix product changed, or -1
 * past the last index. */
static int odometer_carry(int *x, int i, int V)
{
    while (i >= 0 && x[i] == V - 1)
        x[i--] = 0;
    if (i >= 0)
        x[i]++;
    return i;
}

/* GEN_MIXPROD entries i0..i0+count−1, components outermost: out[t] = 0, then for c = 0..m−1 an
 * odometer over the chunk (x_L fastest) keeps component c's prefix products
 *     pre[0] = w_c,  pre[i+1] = pre[i]·q_{c,i}(x_i),
 * recomputed from the first digit that changed, and out[t] += pre[L]. Where a block of T = V^K
 * entries whose last K digits run through all values lies in the chunk, it is done at once: from
 * pre[L−K] the products of sites L−K..L−2 are expanded in place, site by site (as fill_chain
 * does), into tail[0..T/V), and out[t + j·V + v] += tail[j]·q_{c,L−1}(v) (the product rounded,
 * then added: no contraction, -ffp-contract=off). Either way each entry gets the builder's
 * products (the same factors, left to right) and its sum (from 0.0, components in order); only
 * the loops are swapped and shared, so that the scratch is O(L + T) whatever m. Amortised
 * O(m·V/(V−1)) per entry, plus O(m·(L + T)) per call. */
static void fill_mixprod(const dlmkl_gen *g, uint64_t i0, uint64_t count, double *out)
{
    const int L = g->L, K = g->tailK;
    const uint64_t V = (uint64_t)g->V, T = g->tailT;
    int x0[DLMKL_MAX_L], x[DLMKL_MAX_L];
    double pre[DLMKL_MAX_L + 1], tail[MIXPROD_TAIL];
    uint64_t r = i0;
    for (int i = L - 1; i >= 0; i--) {
        x0[i] = (int)(r % V);
        r /= V;
    }
    for (uint64_t t = 0; t < count; t++)
        out[t] = 0.0;
    for (long c = 0; c < g->m; c++) {
        const double *qc = g->q + (size_t)c * (size_t)L * V;
        memcpy(x, x0, (size_t)L * sizeof *x);
        pre[0] = g->w[c];
        int from = 0; /* pre[0..from] hold the products of the current digits */
        for (uint64_t t = 0; t < count;) {
            int i;
            if (K > 0 && (i0 + t) % T == 0 && count - t >= T) {
                /* a block: its last K digits are 0 and run through all V^K values */
                for (int k = from; k < L - K; k++)
                    pre[k + 1] = pre[k] * qc[(size_t)k * V + (size_t)x[k]];
                tail[0] = pre[L - K];
                uint64_t len = 1;
                for (int k = L - K; k < L - 1; k++) {
                    const double *qk = qc + (size_t)k * V;
                    for (uint64_t j = len; j-- > 0;) {
                        const double a = tail[j];
                        for (uint64_t v = 0; v < V; v++)
                            tail[j * V + v] = a * qk[v];
                    }
                    len *= V;
                }
                /* the last site's products, each rounded, then added (no contraction) */
                const double *ql = qc + (size_t)(L - 1) * V;
                double *o = out + t;
                if (V == 2) {
                    const double q0 = ql[0], q1 = ql[1];
                    for (uint64_t j = 0; j < len; j++) {
                        o[2 * j] += tail[j] * q0;
                        o[2 * j + 1] += tail[j] * q1;
                    }
                } else {
                    for (uint64_t j = 0; j < len; j++)
                        for (uint64_t v = 0; v < V; v++)
                            o[j * V + v] += tail[j] * ql[v];
                }
                t += T;
                i = L - K - 1; /* the carry out of the block */
            } else {
                for (int k = from; k < L; k++)
                    pre[k + 1] = pre[k] * qc[(size_t)k * V + (size_t)x[k]];
                out[t] += pre[L];
                t++;
                i = L - 1;
            }
            if ((from = odometer_carry(x, i, (int)V)) < 0)
                break; /* past the last entry */
        }
    }
}

void dlmkl_gen_fill(const dlmkl_gen *g, uint64_t i0, uint64_t count, double *out)
{
    if (g->kind == GEN_MIXPROD) {
        fill_mixprod(g, i0, count, out);
        return;
    }
    if (g->kind == GEN_ISING) {
        for (uint64_t t = 0; t < count; t++)
            out[t] = g->ptab[ising_key(g, i0 + t)];
        return;
    }
    /* GEN_CHAIN: the digits of i0, the prefix products, then an odometer (x_L fastest) that
     * recomputes the products from the first digit that changed: amortised O(V/(V−1)) per entry */
    const int L = g->L;
    const uint64_t V = (uint64_t)g->V;
    int x[DLMKL_MAX_L];
    double pre[DLMKL_MAX_L] = {0};
    uint64_t r = i0;
    for (int i = L - 1; i >= 0; i--) {
        x[i] = (int)(r % V);
        r /= V;
    }
    int from = 0;
    for (uint64_t t = 0; t < count; t++) {
        for (int k = from; k < L; k++)
            pre[k] = k == 0 ? g->init[x[0]] : pre[k - 1] * g->kern[k][(size_t)x[k - 1] * g->stride + (size_t)x[k]];
        out[t] = pre[L - 1];
        int i = L - 1;
        if ((from = odometer_carry(x, i, (int)V)) < 0)
            break; /* past the last entry */
    }
}

/* The table of distinct values of an Ising-type law: fill_ising's E for each (popcount, bond
 * disagreements), max E over the keys that occur and Z = Σ exp(E − max E), both over the indices
 * in index order as fill_ising does, then ptab = exp(E − max E)/Z. */
static int gen_ising(const char *fam, long L, const ising_bonds *b, double J, double h, dlmkl_gen *g)
{
    int st = DLMKL_OK;
    int nbonds = 0;
    for (int t = 0; t < b->nd; t++)
        nbonds += __builtin_popcountll(b->mask[t]);
    g->kind = GEN_ISING;
    g->b = *b;
    g->nd = b->cw ? 1 : nbonds + 1;
    const size_t nk = ((size_t)L + 1) * (size_t)g->nd;
    double *E = alloc_params(fam, nk, sizeof *E, "energy table", &st);
    uint64_t *cnt = E ? alloc_params(fam, nk, sizeof *cnt, "energy table", &st) : NULL;
    g->ptab = cnt ? alloc_params(fam, nk, sizeof *g->ptab, "energy table", &st) : NULL;
    if (!g->ptab) {
        free(E), free(cnt);
        return st;
    }
    for (int c = 0; c <= L; c++)
        for (int diff = 0; diff < g->nd; diff++) {
            const int M = 2 * c - (int)L;
            const double B = b->cw ? (double)(M * M - (int)L) / 2.0 / (double)L : (double)(nbonds - 2 * diff);
            E[(size_t)c * (size_t)g->nd + (size_t)diff] = J * B + h * (double)M;
        }
    double mx = -INFINITY;
    for (uint64_t idx = 0; idx < g->n; idx++) {
        const uint64_t k = ising_key(g, idx);
        cnt[k]++;
        if (E[k] > mx)
            mx = E[k];
    }
    for (size_t k = 0; k < nk; k++)
        E[k] = exp(E[k] - mx);
    double s = 0.0;
    for (uint64_t idx = 0; idx < g->n; idx++)
        s += E[ising_key(g, idx)];
    g->support = 0;
    for (size_t k = 0; k < nk; k++) {
        g->ptab[k] = E[k] / s;
        if (cnt[k] && g->ptab[k] > 0.0)
            g->support += cnt[k];
    }
    free(E), free(cnt);
    return DLMKL_OK;
}

/* g->support: the nonzero entries of g, counted by one pass over them (chunks of 4096). O(V^L) fills. */
static void gen_count_support(dlmkl_gen *g)
{
    double buf[4096];
    g->support = 0;
    for (uint64_t i0 = 0; i0 < g->n; i0 += 4096) {
        const uint64_t m = g->n - i0 < 4096 ? g->n - i0 : 4096;
        dlmkl_gen_fill(g, i0, m, buf);
        for (uint64_t t = 0; t < m; t++)
            g->support += buf[t] > 0.0;
    }
}

/* A chain law (fill_chain's init, kern, stride); takes init and own (freed with g). The support is
 * counted by one pass over the entries. */
static int gen_chain(const char *fam, double *init, double *own, size_t stride, long L, dlmkl_gen *g)
{
    int st = DLMKL_OK;
    g->kind = GEN_CHAIN;
    g->init = init, g->own = own, g->stride = stride;
    g->kern = alloc_params(fam, (size_t)L, sizeof *g->kern, "per-site kernels", &st);
    if (!g->kern)
        return st;
    for (long i = 0; i < L; i++)
        g->kern[i] = stride ? own : own + i * g->V; /* markov: P at every site; product: q_i */
    gen_count_support(g);
    return DLMKL_OK;
}

/* Not worth generating: one marginal of L−1 coordinates (V^(L−1) doubles, the least any profile
 * workspace holds) is over the memory cap, so no profile can use the table; its builder reports the
 * cap at once, where the generator's O(V^L) passes would run first. */
static int too_big(const dlmkl_gen *g)
{
    return (double)(g->n / (uint64_t)g->V) * (double)sizeof(double) > (double)dlmkl_max_memory();
}

int dlmkl_gen_from_spec(const char *spec, dlmkl_gen **out)
{
    *out = NULL;
    const char *colon = strchr(spec, ':');
    const char *args = colon ? colon + 1 : "";
    const size_t flen = colon ? (size_t)(colon - spec) : strlen(spec);
    const dlmkl_family *f = dlmkl_family_find(spec, flen);
    if (!f)
        return DLMKL_OK; /* not generated: building it reports the unknown family */
    const char *fam = f->name;
    ising_params_fn ip = NULL;
    if (strcmp(fam, "ising") == 0)
        ip = ising_params;
    else if (strcmp(fam, "ising2d") == 0)
        ip = ising2d_params;
    else if (strcmp(fam, "cw") == 0)
        ip = cw_params;
    else if (strcmp(fam, "product") != 0 && strcmp(fam, "markov") != 0 && strcmp(fam, "mixprod") != 0)
        return DLMKL_OK;
    char fname[64];
    snprintf(fname, sizeof fname, "%.*s", (int)(flen < 63 ? flen : 63), spec); /* as the user wrote it */
    dlmkl_kv kv;
    int st = dlmkl_kv_parse(args, &kv);
    if (st != DLMKL_OK)
        return dlmkl_error_prefix(st, "%s", fname);
    dlmkl_gen *g = calloc(1, sizeof *g);
    long L = 0, V = 2;
    double *a = NULL, *b = NULL;
    if (!g) {
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    } else if (ip) {
        ising_bonds bonds;
        double J, h;
        if ((st = ip(fname, &kv, &L, &bonds, &J, &h)) == DLMKL_OK)
            st = dlmkl_pow_checked(2, (int)L, &g->n);
        g->L = (int)L, g->V = 2;
        if (st == DLMKL_OK && !too_big(g))
            st = gen_ising(fname, L, &bonds, J, h, g);
    } else if (strcmp(fam, "mixprod") == 0) {
        /* the builder's parameters (its prefix products are only checked against the cap, as the
         * builder allocates them), then V^L as the builder's table allocation reports it */
        long m = 0;
        double *pre = NULL;
        if ((st = mixprod_params(fname, &kv, &L, &V, &m, &g->w, &g->q, &pre)) == DLMKL_OK &&
            (st = dlmkl_pow_checked((int)V, (int)L, &g->n)) != DLMKL_OK)
            st = dlmkl_error_prefix(st, "%s", fname);
        free(pre);
        g->L = (int)L, g->V = (int)V, g->m = m;
        if (st == DLMKL_OK && !too_big(g)) {
            g->kind = GEN_MIXPROD;
            g->tailK = 0, g->tailT = 1;
            while (g->tailK < g->L && g->tailT * (uint64_t)g->V <= MIXPROD_TAIL)
                g->tailK++, g->tailT *= (uint64_t)g->V;
            gen_count_support(g);
        }
    } else {
        if (strcmp(fam, "product") == 0)
            st = product_params(fname, &kv, &L, &V, &b); /* q_1..q_L; init = q_1 */
        else if ((st = lv_keys(fname, &kv, &L, &V)) == DLMKL_OK)
            st = dlmkl_markov_params(fname, &kv, L, V, &b, &a);
        g->L = (int)L, g->V = (int)V;
        if (st == DLMKL_OK && (st = dlmkl_pow_checked((int)V, (int)L, &g->n)) != DLMKL_OK)
            st = dlmkl_error_prefix(st, "%s", fname); /* as the builder's table allocation reports it */
        if (st == DLMKL_OK && !a) {
            a = alloc_params(fname, (size_t)V, sizeof *a, "initial law", &st);
            if (a)
                memcpy(a, b, (size_t)V * sizeof *a);
        }
        if (st == DLMKL_OK && !too_big(g)) {
            st = gen_chain(fname, a, b, strcmp(fam, "markov") == 0 ? (size_t)V : 0, L, g);
            a = b = NULL; /* owned by g */
        }
    }
    dlmkl_kv_clear(&kv);
    free(a), free(b);
    if (st != DLMKL_OK || !g->kind) { /* an error, or too big to be worth generating */
        dlmkl_gen_free(g);
        return st;
    }
    *out = g;
    return DLMKL_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* shapes: L and V read from a spec's keys before it is built (the sweep's planning)              */

/* L=.. and V=.. (V defaults to 2, the families' default alphabet) */
static void shape_LV(const char *args, long *L, long *V)
{
    *L = dlmkl_kv_peek_long(args, "L");
    *V = dlmkl_kv_peek_long(args, "V");
    if (*V < 0)
        *V = 2;
}

/* rows=..,cols=..: L = rows·cols, V = 2 */
static void shape_ising2d(const char *args, long *L, long *V)
{
    long r = dlmkl_kv_peek_long(args, "rows"), c = dlmkl_kv_peek_long(args, "cols");
    *L = r >= 1 && c >= 1 && r <= DLMKL_MAX_L && c <= DLMKL_MAX_L ? r * c : -1;
    *V = 2;
}

/* perm:n=..: L = V = n */
static void shape_perm(const char *args, long *L, long *V)
{
    *L = *V = dlmkl_kv_peek_long(args, "n");
}

/* mds:q=..,n=..,k=..: L = n, V = q */
static void shape_mds(const char *args, long *L, long *V)
{
    *L = dlmkl_kv_peek_long(args, "n");
    *V = dlmkl_kv_peek_long(args, "q");
}

/* table:PATH: the file says, not the spec */
static void shape_unknown(const char *args, long *L, long *V)
{
    (void)args;
    *L = *V = -1;
}

/* mixture:W1*{SPEC1}+...: all components share L and V; read them from the first */
static void shape_mixture(const char *args, long *L, long *V)
{
    *L = *V = -1;
    const char *open = strchr(args, '{');
    if (!open || mixture_depth >= MIXTURE_MAX_DEPTH)
        return;
    int depth = 1;
    const char *q = open + 1;
    for (; *q && depth; q++)
        depth += *q == '{' ? 1 : *q == '}' ? -1 : 0;
    if (depth)
        return;
    char *inner = strndup(open + 1, (size_t)(q - 1 - (open + 1)));
    if (!inner)
        return;
    mixture_depth++;
    dlmkl_family_shape(inner, L, V);
    mixture_depth--;
    free(inner);
}

/* table:PATH */
static int build_table(const char *fam, const char *args, int normalize, dlmkl_dist **out)
{
    (void)fam;
    if (!*args)
        return dlmkl_error(DLMKL_EINVAL, "spec 'table:' needs a file path: table:PATH");
    return dlmkl_dist_read_table(args, normalize, out);
}

/* ------------------------------------------------------------------------------------------ */
/* supports generated from parameters, without the table (profile_sparse.h)                    */

/* The support's arrays for N points, through the memory cap (unless count_only). */
static int support_alloc(const char *fam, long L, long V, uint64_t N, int count_only, dlmkl_support *s)
{
    uint64_t n;
    int st = dlmkl_pow_checked((int)V, (int)L, &n); /* the table indices must exist */
    if (st != DLMKL_OK)
        return dlmkl_error_prefix(st, "%s", fam);
    s->L = (int)L, s->V = (int)V, s->N = N;
    if (count_only)
        return DLMKL_OK;
    if ((st = dlmkl_check_memory(N > SIZE_MAX / 16 ? SIZE_MAX : (size_t)N * 16, "the support of the law")) != DLMKL_OK)
        return dlmkl_error_prefix(st, "%s", fam);
    s->idx = malloc((size_t)N * sizeof *s->idx);
    s->p = malloc((size_t)N * sizeof *s->p);
    if (!s->idx || !s->p)
        return dlmkl_error(DLMKL_ENOMEM, "%s: out of memory allocating the support (%llu points)", fam,
                           (unsigned long long)N);
    return DLMKL_OK;
}

/* copy: the V constant strings, index v·(V^L − 1)/(V − 1), p = 1/V (as build_copy). */
static int support_copy(const char *fam, dlmkl_kv *kv, int count_only, dlmkl_support *s)
{
    long L, V;
    int st;
    if ((st = lv_keys(fam, kv, &L, &V)) || (st = dlmkl_kv_check_unused(kv, fam, "L, V")) ||
        (st = support_alloc(fam, L, V, (uint64_t)V, count_only, s)) || count_only)
        return st;
    uint64_t n;
    dlmkl_pow_checked((int)V, (int)L, &n);
    const uint64_t rep = (n - 1) / (uint64_t)(V - 1);
    for (long v = 0; v < V; v++) {
        s->idx[v] = (uint64_t)v * rep;
        s->p[v] = 1.0 / (double)V;
    }
    return DLMKL_OK;
}

/* parity: one point per prefix x_1..x_{L−1} (in index order), x_L = −Σ prefix mod V; p = 1/V^(L−1)
 * (as build_parity). */
static int support_parity(const char *fam, dlmkl_kv *kv, int count_only, dlmkl_support *s)
{
    long L, V;
    int st;
    if ((st = lv_keys(fam, kv, &L, &V)) || (st = dlmkl_kv_check_unused(kv, fam, "L, V")))
        return st;
    uint64_t n;
    if ((st = dlmkl_pow_checked((int)V, (int)L, &n)) != DLMKL_OK)
        return dlmkl_error_prefix(st, "%s", fam);
    const uint64_t N = n / (uint64_t)V;
    if ((st = support_alloc(fam, L, V, N, count_only, s)) || count_only)
        return st;
    const double w = 1.0 / (double)N;
    long dig[DLMKL_MAX_L] = {0}; /* the prefix, last digit fastest */
    uint64_t sum = 0;
    for (uint64_t k = 0; k < N; k++) {
        s->idx[k] = k * (uint64_t)V + (uint64_t)((V - (long)(sum % (uint64_t)V)) % V);
        s->p[k] = w;
        for (long i = L - 2; i >= 0; i--) { /* odometer over the prefix */
            if (++dig[i] < V) {
                sum++;
                break;
            }
            dig[i] = 0;
            sum -= (uint64_t)(V - 1);
        }
    }
    return DLMKL_OK;
}

/* perm: the n! permutations in lexicographic (= index) order, p = 1/n! (as build_perm). */
static int support_perm(const char *fam, dlmkl_kv *kv, int count_only, dlmkl_support *s)
{
    long n;
    int st;
    if ((st = dlmkl_kv_int(kv, fam, "n", 1, 0, &n)) || (st = dlmkl_kv_check_unused(kv, fam, "n")) ||
        (st = range_int(fam, "n", n, 2, DLMKL_MAX_L)))
        return st;
    uint64_t tot;
    if ((st = dlmkl_pow_checked((int)n, (int)n, &tot)) != DLMKL_OK)
        return dlmkl_error_prefix(st, "%s", fam);
    uint64_t N = 1; /* n! < n^n < 2^64 */
    double nfact = 1.0;
    for (long i = 0; i < n; i++) {
        N *= (uint64_t)(i + 1);
        nfact *= (double)(i + 1);
    }
    if ((st = support_alloc(fam, n, n, N, count_only, s)) || count_only)
        return st;
    const double w = 1.0 / nfact;
    int a[DLMKL_MAX_L];
    for (int i = 0; i < n; i++)
        a[i] = i;
    for (uint64_t k = 0;; k++) {
        uint64_t idx = 0;
        for (int i = 0; i < n; i++)
            idx = idx * (uint64_t)n + (uint64_t)a[i];
        s->idx[k] = idx;
        s->p[k] = w;
        if (!next_permutation(a, (int)n))
            break;
    }
    return DLMKL_OK;
}

static int cmp_index(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* mds: the q^k codewords (as build_mds), sorted into index order, p = 1/q^k. */
static int support_mds(const char *fam, dlmkl_kv *kv, int count_only, dlmkl_support *s)
{
    long q, n, k;
    int st;
    if ((st = mds_params(fam, kv, &q, &n, &k)))
        return st;
    uint64_t tot;
    if ((st = dlmkl_pow_checked((int)q, (int)n, &tot)) != DLMKL_OK)
        return dlmkl_error_prefix(st, "%s", fam);
    uint64_t nmsg = 1;
    for (long t = 0; t < k; t++)
        nmsg *= (uint64_t)q; /* q^k <= q^n */
    if ((st = support_alloc(fam, n, q, nmsg, count_only, s)) || count_only)
        return st;
    const double w = 1.0 / (double)nmsg;
    long c[DLMKL_MAX_L] = {0};
    const uint64_t Q = (uint64_t)q;
    for (uint64_t msg = 0; msg < nmsg; msg++) {
        const uint64_t idx = mds_codeword(c, n, k, Q);
        s->idx[msg] = idx;
        s->p[msg] = w;
        mds_next_message(c, k, q);
    }
    qsort(s->idx, (size_t)nmsg, sizeof *s->idx, cmp_index);
    return DLMKL_OK;
}

void dlmkl_support_free(dlmkl_support *s)
{
    if (!s)
        return;
    free(s->idx);
    free(s->p);
    free(s);
}

int dlmkl_support_from_spec(const char *spec, int count_only, dlmkl_support **out)
{
    *out = NULL;
    const char *colon = strchr(spec, ':');
    const dlmkl_family *f = colon ? dlmkl_family_find(spec, (size_t)(colon - spec)) : NULL;
    if (!f || !f->support)
        return DLMKL_OK;
    char fam[64];
    const size_t flen = (size_t)(colon - spec);
    if (flen >= sizeof fam)
        return DLMKL_OK;
    memcpy(fam, spec, flen);
    fam[flen] = '\0';
    dlmkl_kv kv;
    int st = dlmkl_kv_parse(colon + 1, &kv);
    if (st != DLMKL_OK)
        return dlmkl_error_prefix(st, "%s", fam);
    dlmkl_support *s = calloc(1, sizeof *s);
    st = s ? f->support(fam, &kv, count_only, s) : dlmkl_error(DLMKL_ENOMEM, "out of memory");
    dlmkl_kv_clear(&kv);
    if (st != DLMKL_OK) {
        dlmkl_support_free(s);
        return st;
    }
    *out = s;
    return DLMKL_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* the table of families                                                                       */

/* help lines of each family, in the table's order (dlmkl_dist_spec_help() joins them) */
#define HELP_TABLE                                                                                                     \
    "  table:PATH                  text file: '#' comment lines, a line 'L V', then V^L probabilities,\n"              \
    "                              one per line; finite, >= 0, summing to 1 within 1e-9 unless --normalize\n"
#define HELP_PRODUCT                                                                                                   \
    "  product:L=..,V=..,p=..      i.i.d. sites, P(x=0) = p, P(x=v) = (1-p)/(V-1) for v >= 1\n"                        \
    "  product:L=..,V=..,seed=..[,alpha=1]\n"                                                                          \
    "                              independent sites, site i's marginal ~ Dirichlet(alpha) (i = 1..L)\n"
#define HELP_MARKOV                                                                                                    \
    "  markov:L=..,V=2,stay=..     binary chain, X_1 uniform, P(X_{i+1} = X_i) = stay\n"                               \
    "  markov:L=..,V=..,trans=P11/P12/.../PVV[,init=..]\n"                                                             \
    "                              chain with the V x V transition matrix P (row-major, '/'-separated,\n"              \
    "                              rows sum to 1 within 1e-9); init = u1/.../uV, uniform (default) or\n"               \
    "                              stationary (the unique law with pi P = pi)\n"                                       \
    "  markov:L=..,V=..,seed=..[,conc=1]\n"                                                                            \
    "                              chain with init and each row of P ~ Dirichlet(conc)\n"
#define HELP_ISING                                                                                                     \
    "  ising:L=..,J=..[,h=0]       open chain of spins s_i = 2x_i - 1 (V = 2),\n"                                      \
    "                              p ~ exp(J sum_i s_i s_{i+1} + h sum_i s_i); |J|, |h| <= 1e6\n"
#define HELP_ISING2D                                                                                                   \
    "  ising2d:rows=..,cols=..,J=..[,h=0]\n"                                                                           \
    "                              the same on the open rows x cols grid, L = rows*cols, site (r,c)\n"                 \
    "                              is coordinate r*cols + c (row-major)\n"
#define HELP_CW "  cw:L=..,J=..[,h=0]          Curie-Weiss: p ~ exp((J/L) sum_{i<j} s_i s_j + h sum_i s_i)\n"
#define HELP_COPY "  copy:L=..,V=..              uniform over the V constant strings (TC = (L-1) log V, DTC = log V)\n"
#define HELP_PARITY "  parity:L=..[,V=m]           uniform over strings with sum_i x_i = 0 mod m (V = m, default 2)\n"
#define HELP_MIXTURE                                                                                                   \
    "  mixture:W1*{SPEC1}+W2*{SPEC2}+...\n"                                                                            \
    "                              weighted mixture of any specs (nestable); weights > 0, divided by\n"                \
    "                              their sum; all components need the same L and V\n"
#define HELP_MIXPROD                                                                                                   \
    "  mixprod:L=..,V=..,m=..,seed=..[,alpha=1]\n"                                                                     \
    "                              mixture of m product laws: weights ~ Dirichlet(1), each site\n"                     \
    "                              marginal ~ Dirichlet(alpha); DTC <= log m\n"
#define HELP_PERM                                                                                                      \
    "  perm:n=..                   uniform random permutation of [n] (V = L = n),\n"                                   \
    "                              h(m) = log n!/(n-m)!\n"
#define HELP_RANDOM                                                                                                    \
    "  random:L=..,V=..,seed=..[,alpha=1]\n"                                                                           \
    "                              the whole table ~ Dirichlet(alpha) on V^L points\n"
#define HELP_MDS                                                                                                       \
    "  mds:q=..,n=..,k=..          (alias rs:) uniform over the Reed-Solomon code over F_q (q prime):\n"               \
    "                              evaluations at 0..n-1 of the polynomials of degree < k,\n"                          \
    "                              1 <= k <= n <= q; V = q, L = n; h(m) = min(m,k) log q\n"

/* name, alias, help, example, build_kv, build_args, shape, closed_form. A new family: one record here. */
static const dlmkl_family families[] = {
    {"table", NULL, HELP_TABLE, NULL, NULL, build_table, shape_unknown, NULL, NULL},
    {"product", NULL, HELP_PRODUCT, "product:L=5,V=3,p=0.3", build_product, NULL, shape_LV, dlmkl_cf_product, NULL},
    {"markov", NULL, HELP_MARKOV, "markov:L=6,stay=0.8", build_markov, NULL, shape_LV, dlmkl_cf_markov, NULL},
    {"ising", NULL, HELP_ISING, "ising:L=5,J=0.5,h=0.1", build_ising, NULL, shape_LV, dlmkl_cf_ising, NULL},
    {"ising2d", NULL, HELP_ISING2D, "ising2d:rows=2,cols=3,J=0.4", build_ising2d, NULL, shape_ising2d, NULL, NULL},
    {"cw", NULL, HELP_CW, "cw:L=5,J=0.7", build_cw, NULL, shape_LV, dlmkl_cf_cw, NULL},
    {"copy", NULL, HELP_COPY, "copy:L=4,V=3", build_copy, NULL, shape_LV, dlmkl_cf_copy, support_copy},
    {"parity", NULL, HELP_PARITY, "parity:L=5,V=3", build_parity, NULL, shape_LV, dlmkl_cf_parity, support_parity},
    {"mixture", NULL, HELP_MIXTURE, "mixture:1*{copy:L=4,V=3}+2*{parity:L=4,V=3}", NULL, build_mixture, shape_mixture,
     NULL, NULL},
    {"mixprod", NULL, HELP_MIXPROD, "mixprod:L=4,V=3,m=2,seed=5", build_mixprod, NULL, shape_LV, NULL, NULL},
    {"perm", NULL, HELP_PERM, "perm:n=5", build_perm, NULL, shape_perm, dlmkl_cf_perm, support_perm},
    {"random", NULL, HELP_RANDOM, "random:L=4,V=3,seed=7", build_random, NULL, shape_LV, NULL, NULL},
    {"mds", "rs", HELP_MDS, "mds:q=5,n=4,k=2", build_mds, NULL, shape_mds, dlmkl_cf_mds, support_mds},
};
#define NFAMILIES (sizeof families / sizeof families[0])

const dlmkl_family *dlmkl_family_at(size_t i)
{
    return i < NFAMILIES ? &families[i] : NULL;
}

const dlmkl_family *dlmkl_family_find(const char *name, size_t nlen)
{
    for (size_t i = 0; i < NFAMILIES; i++) {
        const dlmkl_family *f = &families[i];
        if ((strlen(f->name) == nlen && strncmp(f->name, name, nlen) == 0) ||
            (f->alias && strlen(f->alias) == nlen && strncmp(f->alias, name, nlen) == 0))
            return f;
    }
    return NULL;
}

void dlmkl_family_shape(const char *spec, long *L, long *V)
{
    const char *colon = strchr(spec, ':');
    const dlmkl_family *f = colon ? dlmkl_family_find(spec, (size_t)(colon - spec)) : NULL;
    if (f)
        f->shape(colon + 1, L, V);
    else /* not a family: read L= and V= anyway, so that building it reports the unknown family */
        shape_LV(colon ? colon + 1 : "", L, V);
}

int dlmkl_family_build(const char *family, const char *args, int normalize, dlmkl_dist **out)
{
    *out = NULL;
    const dlmkl_family *f = dlmkl_family_find(family, strlen(family));
    if (!f) {
        char names[256];
        size_t n = 0;
        for (size_t i = 0; i < NFAMILIES && n < sizeof names; i++)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s%s%s%s", i ? ", " : "", families[i].name,
                                  families[i].alias ? "/" : "", families[i].alias ? families[i].alias : "");
        return dlmkl_error(DLMKL_EINVAL, "unknown distribution family '%s' (families: %s)", family,
                           names);
    }
    if (f->build_args)
        return f->build_args(family, args, normalize, out);
    dlmkl_kv kv;
    int st = dlmkl_kv_parse(args, &kv);
    if (st != DLMKL_OK)
        return dlmkl_error_prefix(st, "%s", family);
    st = f->build_kv(family, &kv, out);
    dlmkl_kv_clear(&kv);
    return st;
}

const char *dlmkl_dist_spec_help(void)
{
    return "Distribution specs (FAMILY:key=value,...; a law p on [V]^L, x_1 the most significant digit;\n"
           "V defaults to 2 where it is a key; seeds are 1..4294967295 and drive GSL's mt19937, so a\n"
           "seed gives the same table on every machine):\n" HELP_TABLE HELP_PRODUCT HELP_MARKOV HELP_ISING
               HELP_ISING2D HELP_CW HELP_COPY HELP_PARITY HELP_MIXTURE HELP_MIXPROD HELP_PERM HELP_RANDOM HELP_MDS;
}
