/* profile_sparse.c: the entropy profile from the support of a sparse law, by a walk over the
 * lattice of subsets.
 *
 * H(X_S) needs the partition of the N support points by x_S and the probability of each class. The
 * walk visits S = B ∪ {j} right after B (j > max B, depth first) and refines B's partition by x_j
 * instead of grouping the points from scratch: within each class of B, a stable counting sort by x_j
 * (insertion for classes of at most 16 points, a sort of (key, position) pairs when V > 4 × the class
 * size), so one subset costs O(N) rather than O(N·|S|) plus a sort. A subset with no child in the walk
 * (j = L − 1, half of them) only needs its class sums (refine_sums). A partition held class by class
 * (classes in lexicographic order of x_S, points of a class in support order, class sums added in
 * support order) depends only on S and the support, so H(X_S) has the same bits whatever path reached
 * S. Once a partition is discrete (N classes), S and every superset below it in the walk have
 * H = H(X): they are counted, not computed.
 *
 * Parallelism: the subsets with the same part A in the first P = min(L/2, 12) coordinates form one of
 * 2^P chunks (P depends only on L); a chunk starts from the partition by x_A and walks the subsets of
 * the other coordinates, adding its entropies per |S| in walk order into its own row and counting its
 * discrete subsets per |S|; rows are added in chunk order, then (count of discrete subsets)·H(X), so
 * the result is bit-identical for any thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "dlmkl/plogp.h"
#include "dlmkl/profile_sparse.h"
#include "internal.h"

/* Dense work (entries) below which the dense route is kept whatever the estimate (a few tens of
 * milliseconds: the choice does not matter there, and the dense route keeps its bits). */
#define MIN_DENSE_COST 1e7
/* Most coordinates in a chunk's prefix (at most 2^12 chunks). */
#define MAX_PREFIX 12
/* Cost of one dense marginal entry (a sum and a log2) in units of one point-step of the sparse route
 * (one support point through one refinement: a digit, a counting-sort move, a sum): measured 6.6 ns
 * per dense entry against 3.3 ns per step (perm:n=9, one thread, 2-core x86-64). */
#define DENSE_PER_STEP 2.0
/* The sparse route is taken when estimated at least this many times cheaper (its estimate is an upper
 * bound: discrete partitions end branches early). */
#define SPARSE_MARGIN 2.0

/* C(n, k) for n <= 62 exactly in 128-bit integers, rounded once to double (as profile.c). */
static double choose(int n, int k)
{
    unsigned __int128 c = 1;
    for (int i = 0; i < k; i++)
        c = c * (unsigned __int128)(n - i) / (unsigned __int128)(i + 1);
    return (double)c;
}

/* Coordinates 0..P−1 fix a chunk: 2^P chunks of 2^(L−P) subsets each, P depending only on L. */
static int prefix_len(int L)
{
    return L / 2 < MAX_PREFIX ? L / 2 : MAX_PREFIX;
}

/* Bytes of one thread's workspace: L − P + 2 levels of 16 bytes per point (point, p, offset), keys
 * (8 bytes per point), pairs (8), class sums (8) and V + 1 counters. */
static double thread_bytes(int L, int V, uint64_t N)
{
    return (double)N * (16.0 * (L - prefix_len(L) + 2) + 24.0) + 25.0 * (double)V + 16.0;
}

uint64_t dlmkl_dist_support_size(const dlmkl_dist *d)
{
    uint64_t N = 0;
    for (uint64_t i = 0; i < d->n; i++)
        N += d->p[i] > 0.0;
    return N;
}

double dlmkl_profile_sparse_cost(int L, int V, uint64_t N)
{
    if (L < 1 || V < 2 || L > DLMKL_MAX_L)
        return INFINITY;
    /* one refinement of the N points per nonempty subset (an upper bound: a discrete partition ends
     * its branch of the walk), plus the prefix of each chunk, P/2 refinements on average */
    const int P = prefix_len(L);
    return (double)N * (ldexp(1.0, L) - 1.0 + ldexp(1.0, P) * P / 2.0);
}

double dlmkl_profile_dense_cost(int L, int V)
{
    return pow((double)(V + 1), (double)L);
}

size_t dlmkl_profile_sparse_workspace_bytes(int L, int V, uint64_t N, int nthreads)
{
    if (nthreads < 1)
        nthreads = 1;
    if (L < 1 || L > DLMKL_MAX_L)
        return SIZE_MAX;
    /* digits (1 or 4 bytes per coordinate and point), the root partition, the chunk rows and counts,
     * the threads' parts */
    double b = (V <= 256 ? 1.0 : 4.0) * (double)N * L + 12.0 * (double)N + 16.0 * ldexp(1.0, prefix_len(L)) * (L + 1) +
               (double)nthreads * thread_bytes(L, V, N);
    return b >= (double)SIZE_MAX ? SIZE_MAX : (size_t)b;
}

int dlmkl_profile_sparse_preferred(int L, int V, uint64_t N, int nthreads)
{
    const size_t cap = dlmkl_max_memory();
    const size_t sparse_b = dlmkl_profile_sparse_workspace_bytes(L, V, N, nthreads);
    const size_t dense_b = dlmkl_profile_workspace_bytes(L, V, nthreads);
    if (sparse_b <= cap && dense_b > cap)
        return dlmkl_profile_sparse_cost(L, V, N) <= DLMKL_SPARSE_MAX_COST;
    const double dense = dlmkl_profile_dense_cost(L, V);
    return dense >= MIN_DENSE_COST && SPARSE_MARGIN * dlmkl_profile_sparse_cost(L, V, N) <= DENSE_PER_STEP * dense;
}

/* The partition of the support by x_S, held class by class: perm lists the support points class after
 * class, classes in lexicographic order of x_S (coordinates in increasing order) and the points of a
 * class in support order; pv[i] = p[perm[i]]; class c is perm[bnd[c] .. bnd[c+1]). This form depends
 * only on S and the support, however it was reached. */
typedef struct sp_level {
    uint32_t *perm;
    double *pv;
    uint32_t *bnd; /* G + 1 offsets */
    uint64_t G;
} sp_level;

/* The law (digits by coordinate: dig8 when V <= 256, else dig32; dig[i·N + k] = x_i of point k). */
typedef struct sp_law {
    int L, P;
    uint64_t V, N;
    const uint8_t *dig8;
    const uint32_t *dig32;
    const sp_level *root; /* the partition by x_∅: one class, the support in order */
} sp_law;

/* One thread's workspace. */
typedef struct sp_ws {
    sp_level lev[DLMKL_MAX_L + 2]; /* the partition at each depth of the walk */
    uint32_t *key, *key2;          /* a class's keys, and sorted (N each) */
    uint64_t *kp;                  /* (key, position) pairs of a wide alphabet (N) */
    uint32_t *count;               /* V counters */
    double *bsum;                  /* V sums, then their V compensations */
    uint32_t *nz;                  /* the keys present in a class (V) */
    uint8_t *seen;                 /* V flags, all 0 between calls */
    double *sum;                   /* class sums of the latest refinement (N) */
    double *row;     /* the chunk's Σ H(X_S) per |S| over S whose partition is not discrete */
    uint64_t *nfull; /* the chunk's count per |S| of S whose partition is discrete (H = H(X)) */
} sp_ws;

/* s + c += x by Neumaier's compensated summation (s, x >= 0): the class sums of a big class (perm:n=10:
 * 362880 equal terms) keep about full precision, the sum of a class being (s + c) at its end, still a
 * function of the class's points in support order only. */
static inline void sum_add(double *s, double *c, double x)
{
    const double t = *s + x;
    if (*s >= x)
        *c += (*s - t) + x;
    else
        *c += (x - t) + *s;
    *s = t;
}

/* H = −Σ p log2 p of G class sums: the deterministic kernel (plogp.h) on blocks of 1024, the block
 * results added by compensated summation, so that a support of millions of equal points keeps about
 * full precision (perm:n=10: H(X) = log2 10! to ~1e-15). A function of the sequence only. */
#define H_BLOCK 1024
static double entropy_of(const double *p, uint64_t G)
{
    if (G <= H_BLOCK)
        return dlmkl_plogp_sum(p, (size_t)G);
    double s = dlmkl_plogp_sum(p, H_BLOCK), c = 0.0;
    for (uint64_t b = H_BLOCK; b < G; b += H_BLOCK)
        sum_add(&s, &c, dlmkl_plogp_sum(p + b, (size_t)(G - b < H_BLOCK ? G - b : H_BLOCK)));
    return s + c;
}

static int cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Stable sort of a class (s points: keys ws->key[], points ip[], probabilities pp[]) by key into
 * (op, opv), with okey receiving the sorted keys. */
static void sort_class(sp_ws *ws, uint64_t s, const uint32_t *ip, const double *pp, uint32_t *op,
                       double *opv, uint32_t *okey)
{
    const uint32_t *key = ws->key;
    if (s <= 16) {
        /* stable insertion */
        for (uint64_t i = 0; i < s; i++) {
            const uint32_t kk = key[i];
            uint64_t j = i;
            for (; j > 0 && okey[j - 1] > kk; j--) {
                okey[j] = okey[j - 1];
                op[j] = op[j - 1];
                opv[j] = opv[j - 1];
            }
            okey[j] = kk;
            op[j] = ip[i];
            opv[j] = pp[i];
        }
        return;
    }
    /* a wide alphabet: sort the distinct pairs (key, position), which is stable */
    uint64_t *kp = ws->kp;
    for (uint64_t i = 0; i < s; i++)
        kp[i] = (uint64_t)key[i] << 32 | i;
    qsort(kp, s, sizeof *kp, cmp_u64);
    for (uint64_t r = 0; r < s; r++) {
        const uint64_t i = kp[r] & 0xffffffffu;
        okey[r] = key[i];
        op[r] = ip[i];
        opv[r] = pp[i];
    }
}

/* Refine the partition `in` by coordinate j into `out`; ws->sum gets the class sums (p added in
 * support order within a class, starting from +0), returns the number of classes. A class of s
 * points costs O(s + V) by counting when V <= 4s, else a sort (insertion for s <= 16, else O(s log s)). */
static uint64_t refine(const sp_law *w, sp_ws *ws, const sp_level *in, int j, sp_level *out)
{
    const uint64_t N = w->N, V = w->V;
    uint64_t G = 0;
    double *restrict sum = ws->sum;
    uint32_t *restrict ob = out->bnd;
    uint32_t *restrict key = ws->key, *restrict cnt = ws->count;
    double *restrict bsum = ws->bsum;
    const uint8_t *x8 = w->dig8 ? w->dig8 + (uint64_t)j * N : NULL;
    const uint32_t *x32 = w->dig32 ? w->dig32 + (uint64_t)j * N : NULL;
    for (uint64_t c = 0; c < in->G; c++) {
        const uint64_t a = in->bnd[c], s = in->bnd[c + 1] - a;
        const uint32_t *restrict ip = in->perm + a;
        const double *restrict pp = in->pv + a;
        uint32_t *restrict op = out->perm + a;
        double *restrict opv = out->pv + a;
        if (s == 1) {
            op[0] = ip[0];
            opv[0] = pp[0];
            ob[G] = (uint32_t)a;
            sum[G++] = pp[0];
            continue;
        }
        if (V <= 4 * s && s > 16) {
            /* counting sort; the sum of each key's points is added during the (stable) scatter */
            memset(cnt, 0, (size_t)V * sizeof *cnt);
            if (x8)
                for (uint64_t i = 0; i < s; i++)
                    cnt[key[i] = x8[ip[i]]]++;
            else
                for (uint64_t i = 0; i < s; i++)
                    cnt[key[i] = x32[ip[i]]]++;
            uint32_t at = 0, *restrict nz = ws->nz;
            uint64_t nnz = 0;
            for (uint64_t v = 0; v < V; v++) {
                const uint32_t n = cnt[v];
                cnt[v] = at;
                bsum[v] = 0.0;
                if (n) {
                    ob[G + nnz] = (uint32_t)a + at;
                    nz[nnz++] = (uint32_t)v;
                }
                at += n;
            }
            for (uint64_t i = 0; i < s; i++) {
                const uint32_t pos = cnt[key[i]]++;
                op[pos] = ip[i];
                opv[pos] = pp[i];
            }
            /* each new class's sum, its points in support order */
            ob[G + nnz] = (uint32_t)(a + s);
            for (uint64_t r = 0; r < nnz; r++) {
                const uint64_t e = ob[G + r + 1] - a;
                uint64_t i = ob[G + r] - a;
                double acc = opv[i++], comp = 0.0;
                for (; i < e; i++)
                    sum_add(&acc, &comp, opv[i]);
                sum[G + r] = acc + comp;
            }
            G += nnz;
            continue;
        }
        if (x8)
            for (uint64_t i = 0; i < s; i++)
                key[i] = x8[ip[i]];
        else
            for (uint64_t i = 0; i < s; i++)
                key[i] = x32[ip[i]];
        uint32_t *okey = ws->key2;
        sort_class(ws, s, ip, pp, op, opv, okey);
        double acc = opv[0], comp = 0.0;
        ob[G] = (uint32_t)a;
        for (uint64_t i = 1; i < s; i++) {
            if (okey[i] != okey[i - 1]) {
                sum[G++] = acc + comp;
                ob[G] = (uint32_t)(a + i);
                acc = opv[i], comp = 0.0;
            } else
                sum_add(&acc, &comp, opv[i]);
        }
        sum[G++] = acc + comp;
    }
    ob[G] = (uint32_t)N;
    out->G = G;
    return G;
}

static int cmp_u32(const void *a, const void *b)
{
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The class sums of the refinement of `in` by coordinate j, as refine gives them (same order, same
 * additions), without building the refined partition: for a subset with no child in the walk. Returns
 * the number of classes. A class of s points with t distinct keys costs O(s + t log t). */
static uint64_t refine_sums(const sp_law *w, sp_ws *ws, const sp_level *in, int j)
{
    const uint64_t N = w->N;
    uint64_t G = 0;
    double *restrict sum = ws->sum, *restrict bsum = ws->bsum, *restrict bcomp = ws->bsum + w->V;
    uint8_t *restrict seen = ws->seen;
    uint32_t *restrict list = ws->nz;
    const uint8_t *x8 = w->dig8 ? w->dig8 + (uint64_t)j * N : NULL;
    const uint32_t *x32 = w->dig32 ? w->dig32 + (uint64_t)j * N : NULL;
    for (uint64_t c = 0; c < in->G; c++) {
        const uint64_t a = in->bnd[c], s = in->bnd[c + 1] - a;
        const uint32_t *restrict ip = in->perm + a;
        const double *restrict pp = in->pv + a;
        if (s == 1) {
            sum[G++] = pp[0];
            continue;
        }
        uint64_t nt = 0;
        for (uint64_t i = 0; i < s; i++) {
            const uint32_t k = x8 ? x8[ip[i]] : x32[ip[i]];
            if (seen[k])
                sum_add(&bsum[k], &bcomp[k], pp[i]);
            else {
                seen[k] = 1;
                bsum[k] = pp[i];
                bcomp[k] = 0.0;
                list[nt++] = k;
            }
        }
        if (nt <= 32) {
            for (uint64_t i = 1; i < nt; i++) {
                const uint32_t k = list[i];
                uint64_t r = i;
                for (; r > 0 && list[r - 1] > k; r--)
                    list[r] = list[r - 1];
                list[r] = k;
            }
        } else
            qsort(list, nt, sizeof *list, cmp_u32);
        for (uint64_t r = 0; r < nt; r++) {
            sum[G++] = bsum[list[r]] + bcomp[list[r]];
            seen[list[r]] = 0;
        }
    }
    return G;
}

/* Every S = B ∪ T with T a nonempty subset of {j0, ..., L−1}, where lev[depth] is the partition by
 * x_B (not discrete) and |B| = m: children in increasing j, depth first. */
static void walk(const sp_law *w, sp_ws *ws, int depth, int j0, int m)
{
    for (int j = j0; j < w->L; j++) {
        /* S = B ∪ {j} has children (j < L − 1) or not: then only its class sums are needed */
        const uint64_t G = j + 1 < w->L ? refine(w, ws, &ws->lev[depth], j, &ws->lev[depth + 1])
                                        : refine_sums(w, ws, &ws->lev[depth], j);
        if (G == w->N) {
            /* discrete: S and its 2^(L−1−j) − 1 descendants all have H(X_S) = H(X) */
            const int r = w->L - 1 - j;
            uint64_t c = 1;
            for (int t = 0; t <= r; t++) {
                ws->nfull[m + 1 + t] += c;
                c = c * (uint64_t)(r - t) / (uint64_t)(t + 1);
            }
            continue;
        }
        ws->row[m + 1] += entropy_of(ws->sum, G);
        walk(w, ws, depth + 1, j + 1, m + 1);
    }
}

/* Chunk A (a subset of the first P coordinates): every S with S ∩ {0..P−1} = A. */
static void do_chunk(const sp_law *w, sp_ws *ws, uint64_t A)
{
    /* the partition by x_A, refined coordinate by coordinate in lev[0] / lev[1] */
    const sp_level *cur = w->root;
    uint64_t G = 1;
    int m = 0, flip = 0;
    for (int i = 0; i < w->P && G < w->N; i++) {
        if (!(A >> i & 1))
            continue;
        G = refine(w, ws, cur, i, &ws->lev[flip]);
        cur = &ws->lev[flip];
        flip ^= 1;
        m++;
    }
    if (G == w->N) {
        /* discrete: x_{A'} separates the points for the part A' of A done so far, so A and all its
         * supersets in this chunk have H = H(X) */
        m = __builtin_popcountll(A);
        const int r = w->L - w->P;
        uint64_t c = 1;
        for (int t = 0; t <= r; t++) {
            ws->nfull[m + t] += c;
            c = c * (uint64_t)(r - t) / (uint64_t)(t + 1);
        }
        return;
    }
    if (m > 0)
        ws->row[m] += entropy_of(ws->sum, G);
    if (cur == &ws->lev[1]) {
        /* the walk starts from lev[0] */
        const sp_level t = ws->lev[0];
        ws->lev[0] = ws->lev[1];
        ws->lev[1] = t;
        cur = &ws->lev[0];
    }
    if (cur == w->root) {
        memcpy(ws->lev[0].perm, w->root->perm, w->N * sizeof *w->root->perm);
        memcpy(ws->lev[0].pv, w->root->pv, w->N * sizeof *w->root->pv);
        memcpy(ws->lev[0].bnd, w->root->bnd, 2 * sizeof *w->root->bnd);
        ws->lev[0].G = 1;
    }
    walk(w, ws, 0, w->P, m);
}

int dlmkl_profile_sparse_support(int L, int V, const uint64_t *idx, const double *p, uint64_t N,
                                 dlmkl_profile *prof)
{
    uint64_t n;
    int st = dlmkl_pow_checked(V, L, &n);
    if (st != DLMKL_OK)
        return st;
    if (prof->L != L)
        return dlmkl_error(DLMKL_EINVAL, "profile has length %d but the support has L = %d", prof->L, L);
    prof->V = V;
    if (N < 1)
        return dlmkl_error(DLMKL_EINVAL, "the support is empty; a law needs at least one point with p > 0");
    if (N >= (uint64_t)UINT32_MAX)
        return dlmkl_error(DLMKL_ETOOBIG, "the support has %llu points; the sparse route takes fewer than 2^32 - 1",
                           (unsigned long long)N);
    double sum = 0.0;
    for (uint64_t k = 0; k < N; k++) {
        if (idx[k] >= n)
            return dlmkl_error(DLMKL_EINVAL, "support point %llu has index %llu, beyond V^L = %llu",
                               (unsigned long long)k, (unsigned long long)idx[k], (unsigned long long)n);
        if (!(p[k] > 0.0) || !isfinite(p[k]))
            return dlmkl_error(DLMKL_EINVAL, "support point %llu has p = %.17g; support probabilities must be "
                               "finite and > 0", (unsigned long long)k, p[k]);
        sum += p[k];
    }
    if (!(fabs(sum - 1.0) <= DLMKL_SUM_TOL))
        return dlmkl_error(DLMKL_ESUM, "the support probabilities sum to %.17g, not 1", sum);

    const double cost = dlmkl_profile_sparse_cost(L, V, N);
    if (!(cost <= DLMKL_SPARSE_MAX_COST))
        return dlmkl_error(DLMKL_ECOST, "sparse profile: L = %d, V = %d with %llu support points needs about %.3g "
                           "operations (2^L subsets), above the budget of %.3g (days); use a smaller L",
                           L, V, (unsigned long long)N, cost, DLMKL_SPARSE_MAX_COST);
    const int nthreads = dlmkl_threads();
    const size_t need = dlmkl_profile_sparse_workspace_bytes(L, V, N, nthreads);
    if ((st = dlmkl_check_memory(need, "the sparse profile's workspace")) != DLMKL_OK)
        return st;
    const int P = prefix_len(L), nlev = L - P + 2;
    const uint64_t nch = 1ULL << P;
    /* digits of each point by coordinate (dig[i·N + k] = x_i of point k), x_1 (coordinate 0) the most
     * significant digit of the index; one byte each when V <= 256 */
    const int narrow = V <= 256;
    void *dig = malloc((size_t)N * (size_t)L * (narrow ? 1 : sizeof(uint32_t)));
    double *rows = calloc((size_t)nch * (size_t)(L + 1), sizeof *rows);
    uint64_t *full = calloc((size_t)nch * (size_t)(L + 1), sizeof *full);
    sp_ws *ws = calloc((size_t)nthreads, sizeof *ws);
    sp_level root = {malloc((size_t)N * sizeof(uint32_t)), malloc((size_t)N * sizeof(double)),
                     malloc(2 * sizeof(uint32_t)), 1};
    int ok = dig && rows && full && ws && root.perm && root.pv && root.bnd;
    for (int t = 0; ok && t < nthreads; t++) {
        sp_ws *s = &ws[t];
        for (int l = 0; l < nlev; l++) {
            s->lev[l].perm = malloc((size_t)N * sizeof(uint32_t));
            s->lev[l].pv = malloc((size_t)N * sizeof(double));
            s->lev[l].bnd = malloc((size_t)(N + 1) * sizeof(uint32_t));
            ok = ok && s->lev[l].perm && s->lev[l].pv && s->lev[l].bnd;
        }
        s->key = malloc((size_t)N * sizeof(uint32_t));
        s->key2 = malloc((size_t)N * sizeof(uint32_t));
        s->kp = malloc((size_t)N * sizeof(uint64_t));
        s->count = malloc((size_t)V * sizeof(uint32_t));
        s->bsum = malloc(2 * (size_t)V * sizeof(double));
        s->nz = malloc((size_t)V * sizeof(uint32_t));
        s->seen = calloc((size_t)V, 1);
        s->sum = malloc((size_t)N * sizeof(double));
        ok = ok && s->key && s->key2 && s->kp && s->count && s->bsum && s->nz && s->seen && s->sum;
    }
    if (ok) {
        for (uint64_t k = 0; k < N; k++) {
            uint64_t x = idx[k];
            for (int i = L - 1; i >= 0; i--) {
                const uint64_t at = (uint64_t)i * N + k, v = x % (uint64_t)V;
                if (narrow)
                    ((uint8_t *)dig)[at] = (uint8_t)v;
                else
                    ((uint32_t *)dig)[at] = (uint32_t)v;
                x /= (uint64_t)V;
            }
            root.perm[k] = (uint32_t)k;
            root.pv[k] = p[k];
        }
        root.bnd[0] = 0, root.bnd[1] = (uint32_t)N;
        const sp_law w = {.L = L, .P = P, .V = (uint64_t)V, .N = N, .dig8 = narrow ? dig : NULL,
                          .dig32 = narrow ? NULL : dig, .root = &root};
        double done = 0.0;
        dlmkl_progress("entropy profile", 0.0, (double)nch);
#pragma omp parallel num_threads(nthreads)
        {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            sp_ws *s = &ws[tid];
#pragma omp for schedule(dynamic, 1)
            for (uint64_t c = 0; c < nch; c++) {
                s->row = rows + c * (uint64_t)(L + 1);
                s->nfull = full + c * (uint64_t)(L + 1);
                do_chunk(&w, s, c);
                double now;
#pragma omp atomic capture
                now = done += 1.0;
                dlmkl_progress("entropy profile", now, (double)nch);
            }
        }
        const double Hx = entropy_of(p, N);
        for (int m = 0; m <= L; m++) {
            double sm = rows[m];
            uint64_t nf = full[m];
            for (uint64_t c = 1; c < nch; c++) {
                sm += rows[c * (uint64_t)(L + 1) + (uint64_t)m];
                nf += full[c * (uint64_t)(L + 1) + (uint64_t)m];
            }
            if (nf)
                sm += (double)nf * Hx;
            prof->h[m] = m == 0 ? 0.0 : sm / choose(L, m);
        }
    }
    for (int t = 0; ws && t < nthreads; t++) {
        for (int l = 0; l < nlev; l++)
            free(ws[t].lev[l].perm), free(ws[t].lev[l].pv), free(ws[t].lev[l].bnd);
        free(ws[t].key), free(ws[t].key2), free(ws[t].kp), free(ws[t].count), free(ws[t].bsum), free(ws[t].nz), free(ws[t].seen), free(ws[t].sum);
    }
    free(ws), free(dig), free(rows), free(full), free(root.perm), free(root.pv), free(root.bnd);
    return ok ? DLMKL_OK : dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the sparse profile's workspace");
}

/* dlmkl_profile_compute_sparse given N = dlmkl_dist_support_size(d) (one scan of the table less). */
static int compute_sparse_n(const dlmkl_dist *d, uint64_t N, dlmkl_profile *prof)
{
    int st = dlmkl_check_memory((size_t)N * 16, "the support of the table");
    if (st != DLMKL_OK)
        return st;
    uint64_t *idx = malloc((N ? N : 1) * sizeof *idx);
    double *p = malloc((N ? N : 1) * sizeof *p);
    if (!idx || !p) {
        free(idx), free(p);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory collecting the support of the table");
    }
    uint64_t k = 0;
    for (uint64_t i = 0; i < d->n; i++)
        if (d->p[i] > 0.0) {
            idx[k] = i;
            p[k++] = d->p[i];
        }
    st = dlmkl_profile_sparse_support(d->L, d->V, idx, p, N, prof);
    free(idx), free(p);
    return st;
}

int dlmkl_profile_compute_sparse(const dlmkl_dist *d, dlmkl_profile *prof)
{
    return compute_sparse_n(d, dlmkl_dist_support_size(d), prof);
}

int dlmkl_profile_compute_auto(const dlmkl_dist *d, dlmkl_profile *prof, int *sparse_used)
{
    /* decided as for one thread, so that the route, hence the bits, do not depend on the thread count */
    const uint64_t N = dlmkl_dist_support_size(d);
    const int sparse = dlmkl_profile_sparse_preferred(d->L, d->V, N, 1);
    if (sparse_used)
        *sparse_used = sparse;
    return sparse ? compute_sparse_n(d, N, prof) : dlmkl_profile_compute(d, prof);
}
