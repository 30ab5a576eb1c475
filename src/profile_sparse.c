/* profile_sparse.c: the entropy profile from the support of a sparse law.
 *
 * Each nonempty subset S (a bit mask, bit i = coordinate i) is done on its own: the key of support
 * point k is x_S read as a base-V number (coordinates of S in increasing order, the first most
 * significant), which is below V^|S| <= V^L < 2^64. When V^|S| <= max(2N, 256) the marginal is a
 * counting array (zeroed, p added in support order, every entry through the −p log2 p kernel; a
 * zero adds exactly +0); otherwise the (key, p) pairs go through a stable sort (insertion for
 * N <= 32, else LSD radix of 11-bit digits), p is summed over each run of equal keys (in support order, the sort being stable) and the
 * run sums go through the kernel in key order. Either way H(X_S) depends only on S and the support.
 *
 * Parallelism: the 2^L masks are cut into min(2^L, 4096) chunks of consecutive masks, a number that
 * depends only on L; each chunk adds its entropies per |S| in mask order into its own row, and the
 * rows are added in chunk order, so the result is bit-identical for any thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "dlmkl/plogp.h"
#include "dlmkl/profile_sparse.h"
#include "internal.h"

/* Bits of a radix-sort digit, and the counting array's size. */
#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)
/* Dense work (entries) below which the dense route is kept whatever the estimate (a few tens of
 * milliseconds: the choice does not matter there, and the dense route keeps its bits). */
#define MIN_DENSE_COST 1e7
/* Supports of at most this many points are sorted by insertion (stable), not by radix. */
#define SMALL_N 32
/* Most chunks of masks (rows of partial sums). */
#define MAX_CHUNKS 4096
/* Relative cost of one dense marginal entry (a sum and a log2) against one elementary operation of
 * the sparse route (a key digit, a radix move): measured 4.6-11 ns per dense entry against 1.2-1.9 ns
 * per sparse operation (perm:n=8, perm:n=9, parity:L=14 on a 2-core x86-64). */
#define DENSE_OPS_PER_ENTRY 4.0

/* C(n, k) for n <= 62 exactly in 128-bit integers, rounded once to double (as profile.c). */
static double choose(int n, int k)
{
    unsigned __int128 c = 1;
    for (int i = 0; i < k; i++)
        c = c * (unsigned __int128)(n - i) / (unsigned __int128)(i + 1);
    return (double)c;
}

/* Size of the counting array: marginals with at most this many cells are counted, not sorted. */
static uint64_t direct_cap(uint64_t N)
{
    return N > 128 ? 2 * N : 256;
}

/* Radix passes for keys below vm (vm >= 1). */
static int radix_passes(uint64_t vm)
{
    if (vm <= 1)
        return 1;
    int bits = 64 - __builtin_clzll(vm - 1);
    return (bits + RADIX_BITS - 1) / RADIX_BITS;
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
    const double n = (double)N, cap = (double)direct_cap(N);
    double total = 0.0, vm = 1.0;
    for (int m = 1; m <= L; m++) {
        vm *= (double)V;
        double per = n * m;
        if (vm <= cap)
            per += vm + n;
        else if (N <= SMALL_N)
            per += n * n / 4.0 + n;
        else
            per += (2.0 * n + 2.0 * RADIX) * radix_passes(vm > 1.8e19 ? UINT64_MAX : (uint64_t)vm);
        total += choose(L, m) * per;
    }
    return total;
}

double dlmkl_profile_dense_cost(int L, int V)
{
    return pow((double)(V + 1), (double)L);
}

/* Per-thread elements: keys and values twice (radix ping-pong) and the counting array. */
static double thread_bytes(uint64_t N)
{
    return 32.0 * (double)N + 8.0 * (double)direct_cap(N) + 8.0 * RADIX;
}

static uint64_t n_chunks(int L)
{
    return L >= 12 ? MAX_CHUNKS : (1ULL << L);
}

size_t dlmkl_profile_sparse_workspace_bytes(int L, int V, uint64_t N, int nthreads)
{
    (void)V;
    if (nthreads < 1)
        nthreads = 1;
    double b = (double)N * (16.0 + 4.0 * L) + (double)nthreads * thread_bytes(N) +
               (double)n_chunks(L) * (L + 1) * 8.0;
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
    return dense >= MIN_DENSE_COST && 4.0 * dlmkl_profile_sparse_cost(L, V, N) <= DENSE_OPS_PER_ENTRY * dense;
}

/* Stable insertion sort of (key, val) by key, for small N. */
static void insertion_sort(uint64_t *k, double *v, uint64_t N)
{
    for (uint64_t i = 1; i < N; i++) {
        const uint64_t kk = k[i];
        const double vv = v[i];
        uint64_t j = i;
        for (; j > 0 && k[j - 1] > kk; j--) {
            k[j] = k[j - 1];
            v[j] = v[j - 1];
        }
        k[j] = kk;
        v[j] = vv;
    }
}

/* Stable LSD radix sort of (key, val) by key < vm; the result is in (*k, *v) (pointers swapped with
 * the spare buffers as needed). */
static void radix_sort(uint64_t **k, double **v, uint64_t **k2, double **v2, uint64_t N, uint64_t vm,
                       uint64_t *count)
{
    const int passes = radix_passes(vm);
    for (int ps = 0; ps < passes; ps++) {
        const int sh = ps * RADIX_BITS;
        memset(count, 0, RADIX * sizeof *count);
        const uint64_t *ks = *k;
        for (uint64_t i = 0; i < N; i++)
            count[(ks[i] >> sh) & (RADIX - 1)]++;
        uint64_t s = 0;
        for (unsigned r = 0; r < RADIX; r++) {
            uint64_t c = count[r];
            count[r] = s;
            s += c;
        }
        const double *vs = *v;
        uint64_t *kd = *k2;
        double *vd = *v2;
        for (uint64_t i = 0; i < N; i++) {
            uint64_t pos = count[(ks[i] >> sh) & (RADIX - 1)]++;
            kd[pos] = ks[i];
            vd[pos] = vs[i];
        }
        uint64_t *tk = *k;
        *k = *k2, *k2 = tk;
        double *tv = *v;
        *v = *v2, *v2 = tv;
    }
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
    if (N < 1)
        return dlmkl_error(DLMKL_EINVAL, "the support is empty; a law needs at least one point with p > 0");
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
    const uint64_t nch = n_chunks(L), chunk = (1ULL << L) / nch, cap = direct_cap(N);
    uint32_t *dig = malloc((size_t)N * (size_t)L * sizeof *dig);
    double *rows = calloc((size_t)nch * (size_t)(L + 1), sizeof *rows);
    double *tw = malloc((size_t)nthreads * (size_t)(4 * N + cap + RADIX) * sizeof(double));
    if (!dig || !rows || !tw) {
        free(dig), free(rows), free(tw);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the sparse profile's workspace");
    }
    /* digits of each point by coordinate (dig[i·N + k] = x_i of point k), x_1 (coordinate 0) the most
     * significant digit of the index */
    for (uint64_t k = 0; k < N; k++) {
        uint64_t x = idx[k];
        for (int i = L - 1; i >= 0; i--) {
            dig[(uint64_t)i * N + k] = (uint32_t)(x % (uint64_t)V);
            x /= (uint64_t)V;
        }
    }
    uint64_t vpow[DLMKL_MAX_L + 1];
    vpow[0] = 1;
    for (int m = 1; m <= L; m++)
        vpow[m] = vpow[m - 1] * (uint64_t)V;

    double done = 0.0;
    dlmkl_progress("entropy profile", 0.0, (double)nch);
#pragma omp parallel num_threads(nthreads)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *base = tw + (size_t)tid * (size_t)(4 * N + cap + RADIX);
        uint64_t *ka = (uint64_t *)base, *kb = (uint64_t *)(base + N);
        double *va = base + 2 * N, *vb = base + 3 * N, *cnt = base + 4 * N;
        uint64_t *count = (uint64_t *)(base + 4 * N + cap);
        int pos[DLMKL_MAX_L];
#pragma omp for schedule(dynamic, 1)
        for (uint64_t c = 0; c < nch; c++) {
            double *row = rows + c * (uint64_t)(L + 1);
            for (uint64_t S = c * chunk; S < (c + 1) * chunk; S++) {
                if (!S)
                    continue;
                int m = 0;
                for (int i = 0; i < L; i++)
                    if (S >> i & 1)
                        pos[m++] = i;
                uint64_t *k = ka, *k2 = kb;
                double *v = va, *v2 = vb;
                {
                    const uint32_t *restrict x = dig + (uint64_t)pos[0] * N;
                    for (uint64_t j = 0; j < N; j++)
                        k[j] = x[j];
                }
                for (int t = 1; t < m; t++) {
                    const uint32_t *restrict x = dig + (uint64_t)pos[t] * N;
                    for (uint64_t j = 0; j < N; j++)
                        k[j] = k[j] * (uint64_t)V + x[j];
                }
                double H;
                const uint64_t vm = vpow[m];
                if (vm <= cap) {
                    memset(cnt, 0, vm * sizeof *cnt);
                    for (uint64_t j = 0; j < N; j++)
                        cnt[k[j]] += p[j];
                    H = dlmkl_plogp_sum(cnt, vm);
                } else {
                    memcpy(v, p, N * sizeof *v);
                    if (N <= SMALL_N)
                        insertion_sort(k, v, N);
                    else
                        radix_sort(&k, &v, &k2, &v2, N, vm, count);
                    uint64_t g = 0;
                    for (uint64_t j = 0; j < N;) {
                        double s = v[j];
                        uint64_t e = j + 1;
                        while (e < N && k[e] == k[j])
                            s += v[e++];
                        v2[g++] = s;
                        j = e;
                    }
                    H = dlmkl_plogp_sum(v2, g);
                }
                row[m] += H;
            }
            double now;
#pragma omp atomic capture
            now = done += 1.0;
            dlmkl_progress("entropy profile", now, (double)nch);
        }
    }
    for (int m = 0; m <= L; m++) {
        double s = rows[m];
        for (uint64_t c = 1; c < nch; c++)
            s += rows[c * (uint64_t)(L + 1) + (uint64_t)m];
        prof->h[m] = m == 0 ? 0.0 : s / choose(L, m);
    }
    free(dig), free(rows), free(tw);
    return DLMKL_OK;
}

int dlmkl_profile_compute_sparse(const dlmkl_dist *d, dlmkl_profile *prof)
{
    prof->V = d->V;
    const uint64_t N = dlmkl_dist_support_size(d);
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

int dlmkl_profile_compute_auto(const dlmkl_dist *d, dlmkl_profile *prof, int *sparse_used)
{
    /* decided as for one thread, so that the route, hence the bits, do not depend on the thread count */
    const int sparse = dlmkl_profile_sparse_preferred(d->L, d->V, dlmkl_dist_support_size(d), 1);
    if (sparse_used)
        *sparse_used = sparse;
    return sparse ? dlmkl_profile_compute_sparse(d, prof) : dlmkl_profile_compute(d, prof);
}
