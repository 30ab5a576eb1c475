/* profile.c: the entropy profile h(m) = C(L,m)^{-1} Σ_{|S|=m} H(X_S) by one pass down the subset
 * lattice, and TC, DTC, Z_j derived from it.
 *
 * A node of the lattice is the set T of coordinates summed out (S = [L] \ T). Every T is reached
 * exactly once from its parent T \ {max T}, so the node's marginal is one sum over one coordinate of
 * the parent's marginal: viewing the parent (r coordinates) as [A][V][B] with A = V^pos,
 * B = V^(r−1−pos), child[a][b] = Σ_v parent[a][v][b]. Work: Σ_T V^(L−|T|+1) adds and
 * Σ_T V^(L−|T|) = (1+V)^L logarithms.
 *
 * Parallel units: the nodes with |T| < D are done first (one at a time, from the table), then each
 * T with |T| = D is a unit owning its subtree {T ∪ U : min U > max T}. D depends only on V (2 for
 * V = 2, 1 otherwise), never on the thread count: each unit accumulates its entropies per level in
 * its own row, rows are added in unit order, so the result is bit-identical for any thread count.
 * Memory: per thread a stack of marginals V^(L−D) + V^(L−D−1) + ... ≤ V^(L−D)·V/(V−1); the
 * number of threads is capped so that the stacks together hold at most one more table (2 threads
 * for V = 2 and 3, 3 for V = 4, more for larger V); the cap does not change the result.
 *
 * Kernel: each sum-out writes the child in blocks of at most BLOCK entries and passes each block,
 * still in cache, to the deterministic vector −p log2 p of plogp.c (8 partial sums, fixed order). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "dlmkl/plogp.h"
#include "dlmkl/profile.h"
#include "internal.h"

dlmkl_profile *dlmkl_profile_alloc(int L)
{
    if (L < 1 || L > 100000000) {
        dlmkl_error(DLMKL_EINVAL, "profile length L = %d is out of range (1..1e8)", L);
        return NULL;
    }
    if (dlmkl_check_memory(((size_t)L + 1) * sizeof(double), "a profile of that length") != DLMKL_OK)
        return NULL;
    dlmkl_profile *prof = malloc(sizeof *prof);
    if (!prof) {
        dlmkl_error(DLMKL_ENOMEM, "out of memory allocating a profile");
        return NULL;
    }
    prof->L = L;
    prof->V = 0;
    prof->h = calloc((size_t)L + 1, sizeof *prof->h);
    if (!prof->h) {
        free(prof);
        dlmkl_error(DLMKL_ENOMEM, "out of memory allocating a profile of length %d", L);
        return NULL;
    }
    return prof;
}

void dlmkl_profile_free(dlmkl_profile *prof)
{
    if (!prof)
        return;
    free(prof->h);
    free(prof);
}

/* C(n, k) for n <= 62, exact in 128-bit integers, then rounded once to double. */
static double choose(int n, int k)
{
    unsigned __int128 c = 1;
    for (int i = 0; i < k; i++)
        c = c * (unsigned __int128)(n - i) / (unsigned __int128)(i + 1);
    return (double)c;
}

/* Depth of the parallel units (see the file comment). */
static int unit_depth(int L, int V)
{
    int D = V == 2 ? 2 : 1;
    return D < L ? D : L;
}

/* Elements in one thread's stack of marginals below a unit root of L−D coordinates. */
static uint64_t stack_elems(int L, int V, int D)
{
    uint64_t total = 0, sz = 1;
    for (int r = 0; r <= L - D; r++) {
        total += sz;
        sz *= (uint64_t)V;
    }
    return total;
}

/* Threads the profile uses: at most nthreads, and at most as many stacks as fit in one table
 * (V^L doubles), so that table plus workspace stay within 2 tables for any thread count. The
 * result does not depend on it (the units and their order of combination do not). */
int dlmkl_profile_threads(int L, int V, int nthreads)
{
    if (nthreads < 1)
        nthreads = 1;
    if (L < 1 || V < 2 || L > DLMKL_MAX_L)
        return 1;
    uint64_t n = 1;
    for (int i = 0; i < L; i++) {
        if (n > UINT64_MAX / (uint64_t)V)
            return nthreads; /* no such table; the stacks' size is moot */
        n *= (uint64_t)V;
    }
    const uint64_t fit = n / stack_elems(L, V, unit_depth(L, V));
    return fit < 1 ? 1 : (fit < (uint64_t)nthreads ? (int)fit : nthreads);
}

size_t dlmkl_profile_workspace_bytes(int L, int V, int nthreads)
{
    uint64_t n;
    if (dlmkl_pow_checked(V, L, &n) != DLMKL_OK)
        return SIZE_MAX;
    nthreads = dlmkl_profile_threads(L, V, nthreads);
    int D = unit_depth(L, V);
    /* serial phase: one marginal of V^(L−1) for the nodes 0 < |T| < D */
    double serial = D > 1 ? (double)(n / (uint64_t)V) : 0.0;
    double stacks = (double)nthreads * (double)stack_elems(L, V, D);
    double b = (serial > stacks ? serial : stacks) * sizeof(double);
    return b > (double)SIZE_MAX ? SIZE_MAX : (size_t)b;
}

/* Marginal entries summed per call of the −p log2 p kernel: a block stays in L1 between the sum-out
 * that writes it and the kernel that reads it. A multiple of DLMKL_PLOGP_LANES. */
#define BLOCK 512

/* dst[a][b] = Σ_v src[a][v][b] for `rows` rows of B < BLOCK entries, v added in order. The
 * short rows of small B have their own loops with B and V constant, which the compiler unrolls and
 * vectorises across rows; the additions are the same. */
#define SUM_ROWS_FIXED(BC, VC)                                                                             \
    for (uint64_t i = 0; i < rows; i++)                                                                    \
        for (int b = 0; b < (BC); b++) {                                                                   \
            double c = src[i * (VC) * (BC) + (uint64_t)b];                                                 \
            for (int v = 1; v < (VC); v++)                                                                 \
                c += src[i * (VC) * (BC) + (uint64_t)v * (BC) + (uint64_t)b];                              \
            dst[i * (BC) + (uint64_t)b] = c;                                                               \
        }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__SANITIZE_ADDRESS__)
/* Wider vectors where the CPU has them (the additions, hence the bits, are the same). */
#define WIDE_CLONES __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define WIDE_CLONES
#endif

WIDE_CLONES static void sum_rows(const double *restrict src, double *restrict dst, uint64_t rows, uint64_t B, int V)
{
    if (V == 2 && B == 1) {
        SUM_ROWS_FIXED(1, 2)
    } else if (V == 2 && B == 2) {
        SUM_ROWS_FIXED(2, 2)
    } else if (V == 2 && B == 4) {
        SUM_ROWS_FIXED(4, 2)
    } else if (V == 3 && B == 1) {
        SUM_ROWS_FIXED(1, 3)
    } else if (V == 3 && B == 3) {
        SUM_ROWS_FIXED(3, 3)
    } else if (V == 4 && B == 1) {
        SUM_ROWS_FIXED(1, 4)
    } else if (V == 4 && B == 4) {
        SUM_ROWS_FIXED(4, 4)
    } else if (B == 1) {
        for (uint64_t j = 0; j < rows; j++) {
            double c = src[j * (uint64_t)V];
            for (int v = 1; v < V; v++)
                c += src[j * (uint64_t)V + (uint64_t)v];
            dst[j] = c;
        }
    } else {
        const uint64_t VB = (uint64_t)V * B;
        for (uint64_t a = 0; a < rows; a++) {
            const double *restrict s = src + a * VB;
            double *restrict d = dst + a * B;
            for (uint64_t b = 0; b < B; b++)
                d[b] = s[b];
            for (int v = 1; v < V; v++)
                for (uint64_t b = 0; b < B; b++)
                    d[b] += s[(uint64_t)v * B + b];
        }
    }
}

/* child[a][b] = Σ_v parent[a][v][b] (added in the order v = 0, 1, ..., V−1), parent of r
 * coordinates, summing out position pos, and in the same pass H(child) = −Σ c log2 c in bits. The
 * child is produced in blocks of at most BLOCK entries (whole rows of B entries when B < BLOCK,
 * else column blocks of one row) and each block goes through the kernel while it is in cache. The
 * blocks depend only on (r, pos, V), so the sum has the same bits on any machine and thread count. */
WIDE_CLONES static double sum_out(const double *restrict parent, double *restrict child, int r, int pos, int V,
                      const uint64_t *restrict vpow)
{
    const uint64_t A = vpow[pos], B = vpow[r - 1 - pos], VB = (uint64_t)V * B;
    dlmkl_plogp_acc acc = {{0}};
    if (B >= BLOCK) {
        for (uint64_t a = 0; a < A; a++)
            for (uint64_t b0 = 0; b0 < B; b0 += BLOCK) {
                const uint64_t n = B - b0 < BLOCK ? B - b0 : BLOCK;
                const double *restrict src = parent + a * VB + b0;
                double *restrict dst = child + a * B + b0;
                for (uint64_t j = 0; j < n; j++)
                    dst[j] = src[j];
                for (int v = 1; v < V; v++) {
                    const double *restrict sv = src + (uint64_t)v * B;
                    for (uint64_t j = 0; j < n; j++)
                        dst[j] += sv[j];
                }
                dlmkl_plogp_add(&acc, dst, n);
            }
        return dlmkl_plogp_total(&acc);
    }
    const uint64_t G = BLOCK / B; /* rows per block */
    for (uint64_t a0 = 0; a0 < A; a0 += G) {
        const uint64_t rows = A - a0 < G ? A - a0 : G;
        double *restrict dst = child + a0 * B;
        const double *restrict src = parent + a0 * VB;
        sum_rows(src, dst, rows, B, V);
        dlmkl_plogp_add(&acc, dst, rows * B);
    }
    return dlmkl_plogp_total(&acc);
}

/* Depth-first walk, in preorder, of the subtree below a unit root T (|T| = D, max T = t) whose
 * marginal of L−D coordinates is stack[0]; adds H of every node below the root into sums[|S|]. A loop
 * with an explicit stack of next coordinates (no recursion). */
static void walk(double *const *stack, int t, int D, int L, int V, const uint64_t *vpow, double *sums)
{
    int next[DLMKL_MAX_L + 2];
    const int r0 = L - D;
    int l = 0;
    next[0] = t + 1;
    while (l >= 0) {
        if (next[l] >= L) {
            l--;
            continue;
        }
        const int j = next[l]++;
        const int r = r0 - l; /* coordinates of the node at level l */
        const int pos = j - (D + l); /* all of T lies before j, so j is at this position among S */
        sums[r - 1] += sum_out(stack[l], stack[l + 1], r, pos, V, vpow);
        if (r - 1 > 0) {
            l++;
            next[l] = j + 1;
        }
    }
}

/* Marginal of the table with coordinates a (and b > a, if b >= 0) summed out, by contiguous
 * blocks: p viewed as [A][V][B][V][C]. */
static void root_marginal(const dlmkl_dist *d, int a, int b, double *out, const uint64_t *vpow)
{
    const int L = d->L, V = d->V;
    if (b < 0) {
        const uint64_t A = vpow[a], B = vpow[L - 1 - a];
        for (uint64_t i = 0; i < A; i++) {
            double *dst = out + i * B;
            const double *src = d->p + i * (uint64_t)V * B;
            memcpy(dst, src, B * sizeof *dst);
            for (int v = 1; v < V; v++)
                for (uint64_t k = 0; k < B; k++)
                    dst[k] += src[(uint64_t)v * B + k];
        }
        return;
    }
    const uint64_t A = vpow[a], B = vpow[b - a - 1], C = vpow[L - 1 - b];
    for (uint64_t i = 0; i < A; i++)
        for (uint64_t j = 0; j < B; j++) {
            double *dst = out + (i * B + j) * C;
            memset(dst, 0, C * sizeof *dst);
            for (int v = 0; v < V; v++)
                for (int w = 0; w < V; w++) {
                    const double *src = d->p + (((i * V + (uint64_t)v) * B + j) * V + (uint64_t)w) * C;
                    for (uint64_t k = 0; k < C; k++)
                        dst[k] += src[k];
                }
        }
}

/* Units of the public unit API: unit 0 is the serial phase (the nodes with |T| < D), unit 1 + i
 * the i-th T with |T| = D in lexicographic order, stored as (a, b) (b = −1 when D = 1). */
int dlmkl_profile_units(int L, int V)
{
    if (L < 1 || V < 2 || L > DLMKL_MAX_L)
        return 0;
    const int D = unit_depth(L, V);
    return 1 + (D == 1 ? L : L * (L - 1) / 2);
}

/* (a, b) of subtree unit i (0-based, lexicographic); b = −1 when D = 1 */
static void unit_root(int L, int D, int i, int *a, int *b)
{
    if (D == 1) {
        *a = i, *b = -1;
        return;
    }
    for (int x = 0; x < L; x++) {
        if (i < L - 1 - x) {
            *a = x, *b = x + 1 + i;
            return;
        }
        i -= L - 1 - x;
    }
    *a = *b = -1; /* not reached for i < C(L, 2) */
}

double dlmkl_profile_unit_cost(int L, int V, int u)
{
    const int n = dlmkl_profile_units(L, V);
    if (u < 0 || u >= n)
        return 0.0;
    const int D = unit_depth(L, V);
    const double table = pow((double)V, (double)L);
    if (u == 0)
        return D == 2 ? (double)(L + 1) * table : table;
    int a, b;
    unit_root(L, D, u - 1, &a, &b);
    const int t = D == 1 ? a : b;
    /* the root marginal reads the table; the subtree's nodes T ∪ U, U ⊂ (t, L), hold
     * Σ_j C(L−1−t, j) V^(L−D−j) = V^(t+1−D) (1+V)^(L−1−t) entries */
    return table + pow((double)V, (double)(t + 1 - D)) * pow(1.0 + (double)V, (double)(L - 1 - t));
}

int dlmkl_profile_units_compute(const dlmkl_dist *d, const int *units, int count, double *rows)
{
    const int L = d->L, V = d->V;
    const int nall = dlmkl_profile_units(L, V);
    unsigned char *seen = calloc((size_t)nall + 1, 1);
    if (!seen)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the profile workspace");
    for (int i = 0; i < count; i++) {
        if (units[i] < 0 || units[i] >= nall) {
            free(seen);
            return dlmkl_error(DLMKL_EINVAL, "profile unit %d is out of range (0..%d)", units[i], nall - 1);
        }
        if (seen[units[i]]++) {
            free(seen);
            return dlmkl_error(DLMKL_EINVAL, "profile unit %d is listed twice", units[i]);
        }
    }
    free(seen);
    if (count == 0)
        return DLMKL_OK;
    const int D = unit_depth(L, V);
    const int nthreads = dlmkl_profile_threads(L, V, dlmkl_threads());
    uint64_t vpow[DLMKL_MAX_L + 1];
    vpow[0] = 1;
    for (int i = 1; i <= L; i++)
        vpow[i] = vpow[i - 1] * (uint64_t)V;

    int *ua = malloc(((size_t)count + 1) * sizeof *ua), *ub = malloc(((size_t)count + 1) * sizeof *ub);
    int *order = malloc(((size_t)count + 1) * sizeof *order);
    size_t ws = dlmkl_profile_workspace_bytes(L, V, nthreads);
    int status = dlmkl_check_memory(ws + (size_t)d->n * sizeof(double), "the entropy profile (table plus workspace)");
    double *work = status == DLMKL_OK ? malloc(ws > 0 ? ws : 1) : NULL;
    if (status == DLMKL_OK && (!ua || !ub || !order || !work))
        status = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the profile workspace");
    if (status != DLMKL_OK) {
        free(ua), free(ub), free(order), free(work);
        return status;
    }
    int serial = 0, nsub = 0;
    for (int i = 0; i < count; i++) {
        memset(rows + (size_t)units[i] * (size_t)(L + 1), 0, (size_t)(L + 1) * sizeof *rows);
        if (units[i] == 0)
            serial = 1;
        else
            order[nsub++] = units[i];
    }
    /* Work order: the subtree of T holds the subsets of (max T, L), so a smaller max T means a
     * bigger unit; start those first (a stable sort by max T). The order of work does not affect
     * the result. */
    for (int i = 0; i < nsub; i++) {
        unit_root(L, D, order[i] - 1, &ua[i], &ub[i]);
    }
    for (int i = 1; i < nsub; i++)
        for (int j = i; j > 0 && (D == 1 ? ua[j] < ua[j - 1] : ub[j] < ub[j - 1]); j--) {
            int x = ua[j]; ua[j] = ua[j - 1]; ua[j - 1] = x;
            x = ub[j]; ub[j] = ub[j - 1]; ub[j - 1] = x;
            x = order[j]; order[j] = order[j - 1]; order[j - 1] = x;
        }

    /* Unit 0, serial: nodes with |T| < D. */
    if (serial) {
        double *sums0 = rows;
        sums0[L] = dlmkl_entropy(d->p, d->n);
        if (D == 2) {
            for (int a = 0; a < L; a++) {
                root_marginal(d, a, -1, work, vpow);
                sums0[L - 1] += dlmkl_entropy(work, vpow[L - 1]);
            }
        }
    }

    /* progress: a unit's work is about its root marginal (V^L) plus its subtree, the marginals over
     * the subsets of (max T, L): V^(t+1-D) (V+1)^(L-1-t) for max T = t */
    double *uw = malloc(((size_t)nsub + 1) * sizeof *uw), wtotal = 0.0, wdone = 0.0;
    if (!uw) {
        free(ua), free(ub), free(order), free(work);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the profile workspace");
    }
    for (int i = 0; i < nsub; i++) {
        const int t = D == 1 ? ua[i] : ub[i];
        uw[i] = pow((double)V, (double)L) + pow((double)V, (double)(t + 1 - D)) * pow((double)(V + 1), (double)(L - 1 - t));
        wtotal += uw[i];
    }
    dlmkl_progress("entropy profile", 0.0, wtotal);

    const uint64_t per_thread = stack_elems(L, V, D);
#pragma omp parallel num_threads(nthreads)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *base = work + (uint64_t)tid * per_thread;
        double *stack[DLMKL_MAX_L + 2];
        /* level l holds a marginal of L−D−l coordinates */
        uint64_t off = 0;
        for (int l = 0; l <= L - D; l++) {
            stack[l] = base + off;
            off += vpow[L - D - l];
        }
#pragma omp for schedule(dynamic, 1)
        for (int i = 0; i < nsub; i++) {
            double *sums = rows + (size_t)order[i] * (size_t)(L + 1);
            root_marginal(d, ua[i], ub[i], stack[0], vpow);
            int r = L - D;
            sums[r] += dlmkl_entropy(stack[0], vpow[r]);
            if (r > 0)
                walk(stack, D == 1 ? ua[i] : ub[i], D, L, V, vpow, sums);
            double now;
#pragma omp atomic capture
            now = wdone += uw[i];
            dlmkl_progress("entropy profile", now < wtotal ? now : wtotal, wtotal);
        }
    }
    dlmkl_progress("entropy profile", wtotal, wtotal);
    free(uw);
    free(ua), free(ub), free(order), free(work);
    return DLMKL_OK;
}

int dlmkl_profile_units_combine(const double *rows, int nunits, dlmkl_profile *prof)
{
    const int L = prof->L;
    if (nunits < 1)
        return dlmkl_error(DLMKL_EINVAL, "no profile units to combine");
    /* a fixed order: the serial nodes, then the units in lexicographic order */
    for (int m = 0; m <= L; m++) {
        double s = rows[m];
        for (int i = 1; i < nunits; i++)
            s += rows[(size_t)i * (size_t)(L + 1) + (size_t)m];
        prof->h[m] = m == 0 ? 0.0 : s / choose(L, m);
    }
    return DLMKL_OK;
}

int dlmkl_profile_compute(const dlmkl_dist *d, dlmkl_profile *prof)
{
    const int L = d->L, V = d->V;
    if (prof->L != L)
        return dlmkl_error(DLMKL_EINVAL, "profile has length %d but the table has L = %d", prof->L, L);
    prof->V = V;
    const int n = dlmkl_profile_units(L, V);
    int *units = malloc((size_t)n * sizeof *units);
    double *rows = malloc((size_t)n * (size_t)(L + 1) * sizeof *rows);
    int st = units && rows ? DLMKL_OK : dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the profile workspace");
    for (int i = 0; st == DLMKL_OK && i < n; i++)
        units[i] = i;
    if (st == DLMKL_OK)
        st = dlmkl_profile_units_compute(d, units, n, rows);
    if (st == DLMKL_OK)
        st = dlmkl_profile_units_combine(rows, n, prof);
    free(units), free(rows);
    return st;
}

double dlmkl_profile_H(const dlmkl_profile *prof) { return prof->h[prof->L]; }

double dlmkl_profile_tc(const dlmkl_profile *prof)
{
    return (double)prof->L * prof->h[1] - prof->h[prof->L];
}

double dlmkl_profile_dtc(const dlmkl_profile *prof)
{
    const int L = prof->L;
    return (double)L * prof->h[L - 1] - (double)(L - 1) * prof->h[L];
}

double dlmkl_profile_Z(const dlmkl_profile *prof, int j)
{
    if (j <= 1)
        return 0.0;
    return prof->h[1] + prof->h[j - 1] - prof->h[j];
}

double dlmkl_profile_scale(const dlmkl_profile *prof)
{
    double s = 1.0, a = prof->h[prof->L], b = (double)prof->L * prof->h[1];
    if (a > s)
        s = a;
    if (b > s)
        s = b;
    return s;
}

/* ---- profile files ---- */

/* Longest line of a profile CSV. */
#define PROFILE_MAX_LINE (1 << 20)
/* Largest L of a profile file (as dlmkl_profile_alloc). */
#define PROFILE_MAX_L 100000000

/* A profile read from a file is what the theory assumes: finite, h(0) = 0, nondecreasing and
 * concave (Han's inequality: the increments h(m) − h(m−1) do not increase), within rounding
 * (DLMKL_RESIDUE_REL times the scale), and small enough that L²·h stays finite, so that TC, DTC,
 * Z and every kl_expected are finite. */
static int profile_check(const char *path, const double *h, size_t n)
{
    const size_t L = n - 1;
    double mx = 0.0;
    for (size_t m = 0; m < n; m++)
        if (fabs(h[m]) > mx)
            mx = fabs(h[m]);
    if (!(mx * ((double)L + 1) * ((double)L + 1) < DBL_MAX / 16))
        return dlmkl_error(DLMKL_EINVAL, "profile file '%s': |h| reaches %.17g, too large for L = %zu (TC, DTC "
                           "and KL would overflow); is it an entropy profile?", path, mx, L);
    const double tol = DLMKL_RESIDUE_REL * (mx > 1.0 ? mx : 1.0);
    for (size_t m = 1; m < n; m++) {
        double d = h[m] - h[m - 1];
        if (d < -tol)
            return dlmkl_error(DLMKL_EINVAL, "profile file '%s': h decreases from m = %zu to m = %zu (%.17g -> "
                               "%.17g); an entropy profile is nondecreasing", path, m - 1, m, h[m - 1], h[m]);
        if (m >= 2 && d > h[m - 1] - h[m - 2] + tol)
            return dlmkl_error(DLMKL_EINVAL, "profile file '%s': h is not concave at m = %zu (the increment %.17g "
                               "exceeds the previous one %.17g); an entropy profile is concave (Han's inequality)",
                               path, m - 1, d, h[m - 1] - h[m - 2]);
    }
    return DLMKL_OK;
}

int dlmkl_profile_read_csv(const char *path, dlmkl_unit unit, dlmkl_profile **out)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return dlmkl_error(DLMKL_EIO, "cannot open profile file '%s': %s", path, strerror(errno));
    dlmkl_line ln = {0};
    dlmkl_csv_row row = {0};
    double *h = NULL;
    size_t cap = 0, n = 0;
    int cm = -1, ch = -1, cu = -1, cv = -1, got;
    long fileV = 0; /* the V column's value (every non-empty cell the same), 0: none */
    int st = dlmkl_read_line(f, &ln, PROFILE_MAX_LINE, &got);
    if (st == DLMKL_OK && !got)
        st = dlmkl_error(DLMKL_EINVAL, "the file is empty; it needs a header with columns m,h");
    if (st == DLMKL_OK && (st = dlmkl_csv_split(ln.s, &row)) != DLMKL_OK)
        st = dlmkl_error_prefix(st, "line 1 (the header)");
    if (st == DLMKL_OK) {
        cm = dlmkl_csv_find(&row, "m"), ch = dlmkl_csv_find(&row, "h"), cu = dlmkl_csv_find(&row, "unit");
        cv = dlmkl_csv_find(&row, "V");
        if (cm < 0 || ch < 0)
            st = dlmkl_error(DLMKL_EINVAL, "the header (line 1) needs columns 'm' and 'h'");
    }
    while (st == DLMKL_OK && (st = dlmkl_read_line(f, &ln, PROFILE_MAX_LINE, &got)) == DLMKL_OK && got) {
        if (strspn(ln.s, " \t") == ln.len)
            continue; /* blank line */
        const long lineno = ln.lineno;
        double m, v;
        dlmkl_unit file_unit = unit;
        if ((st = dlmkl_csv_split(ln.s, &row)) != DLMKL_OK) {
            st = dlmkl_error_prefix(st, "line %ld", lineno);
            break;
        }
        if (row.n <= cm || row.n <= ch || (cu >= 0 && row.n <= cu) || (cv >= 0 && row.n <= cv)) {
            st = dlmkl_error(DLMKL_EINVAL, "line %ld has %d fields; the header has more", lineno, row.n);
            break;
        }
        if (dlmkl_read_double(row.field[cm], (size_t)-1, 0, PROFILE_MAX_L, &m)) {
            st = dlmkl_error_prefix(DLMKL_EINVAL, "line %ld, column m", lineno);
            break;
        }
        if (m != (double)n) {
            st = dlmkl_error(DLMKL_EINVAL, "line %ld: m = %.17g, expected %zu (rows m = 0..L in order)", lineno, m, n);
            break;
        }
        if (dlmkl_read_double(row.field[ch], (size_t)-1, -INFINITY, INFINITY, &v)) {
            st = dlmkl_error_prefix(DLMKL_EINVAL, "line %ld, column h", lineno);
            break;
        }
        if (cu >= 0) {
            const char *u = row.field[cu];
            if (strcmp(u, "nats") == 0)
                file_unit = DLMKL_NATS;
            else if (strcmp(u, "bits") == 0)
                file_unit = DLMKL_BITS;
            else if (*u) {
                st = dlmkl_error(DLMKL_EINVAL, "line %ld: unit '%.40s' is not bits or nats", lineno, u);
                break;
            }
        }
        if (cv >= 0 && *row.field[cv]) {
            long vv;
            if (dlmkl_read_long(row.field[cv], (size_t)-1, 2, 1L << 30, &vv) != DLMKL_OK) {
                st = dlmkl_error(DLMKL_EINVAL, "line %ld: V '%.40s' is not an alphabet size (an integer >= 2)", lineno,
                                 row.field[cv]);
                break;
            }
            if (fileV && vv != fileV) {
                st = dlmkl_error(DLMKL_EINVAL, "line %ld: V = %ld, but earlier rows say V = %ld (one law, one V)",
                                 lineno, vv, fileV);
                break;
            }
            fileV = vv;
        }
        if (n == 0 && v != 0.0) {
            st = dlmkl_error(DLMKL_EINVAL, "line %ld: h(0) must be 0, got %.17g", lineno, v);
            break;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            if ((st = dlmkl_check_memory(nc * sizeof *h, "the profile")) != DLMKL_OK)
                break;
            double *t = realloc(h, nc * sizeof *h);
            if (!t) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                break;
            }
            h = t;
            cap = nc;
        }
        h[n++] = v / dlmkl_unit_factor(file_unit);
    }
    fclose(f);
    dlmkl_line_free(&ln);
    dlmkl_csv_row_free(&row);
    if (st == DLMKL_OK && n < 2)
        st = dlmkl_error(DLMKL_EINVAL, "it needs rows m = 0..L with L >= 1");
    if (st != DLMKL_OK) {
        free(h);
        return dlmkl_error_prefix(st, "profile file '%s'", path);
    }
    if ((st = profile_check(path, h, n)) == DLMKL_OK) {
        *out = dlmkl_profile_alloc((int)n - 1);
        if (!*out)
            st = DLMKL_ENOMEM;
        else {
            memcpy((*out)->h, h, n * sizeof *h);
            (*out)->V = (int)fileV;
        }
    }
    free(h);
    return st;
}
