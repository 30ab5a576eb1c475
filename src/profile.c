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
 * Generated tables (dlmkl_gen): no table is held; each unit's root marginal (and unit 0's table
 * entropy and marginals) is accumulated from chunks of generated entries in index order, every
 * output entry receiving its inputs in the order the stored table gives them, so the rows have
 * the same bits. Each unit regenerates all V^L entries: every unit reads the whole table.
 *
 * Kernel: each sum-out writes the child in blocks of at most BLOCK entries and passes each block,
 * still in cache, to the deterministic vector −p log2 p of plogp.c (8 partial sums, fixed order). The
 * root marginals (one or two coordinates of the table summed out) are made and entropied the same
 * way, in chunks, in one pass over the table.
 *
 * Tiling (V >= 3): below a node, only coordinates after its largest summed-out one are summed out,
 * so a subtree splits by the node's row index (its leading coordinates) into independent slices.
 * A child whose rows are small has its whole subtree done slice by slice in cache, and so has a
 * unit, straight from the table (tiled_rows); small units share passes over the table, and the
 * small tiled children of a node share one pass over it (tiled_children). Each node
 * keeps its own 8 lanes, fed slice by slice at the lane offsets the untiled sum-out gives its
 * entries, and the nodes' entropies are added in the untiled preorder: the bits do not depend on
 * the tiling (test_profile varies it). Tiles use the thread's own stack space; the memory bound is
 * unchanged. */
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
#include "profile_tiling.h"

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

/* dst[a][b] = Σ_v src[a][v][b] for `rows` rows of B entries, v added in order (c = s_0, then
 * c += s_v for v = 1, ..., V−1, whatever the loop shape). The short rows of small B have their own
 * loops with B and V constant, which the compiler unrolls and vectorises across rows; for V = 2, 3, 4
 * and any B one pass with V constant (each child entry written once); the additions, hence the bits,
 * are the same in every branch. */
#define SUM_ROWS_FIXED(BC, VC)                                                                             \
    for (uint64_t i = 0; i < rows; i++)                                                                    \
        for (int b = 0; b < (BC); b++) {                                                                   \
            double c = src[i * (VC) * (BC) + (uint64_t)b];                                                 \
            for (int v = 1; v < (VC); v++)                                                                 \
                c += src[i * (VC) * (BC) + (uint64_t)v * (BC) + (uint64_t)b];                              \
            dst[i * (BC) + (uint64_t)b] = c;                                                               \
        }

/* The same with each row's B entries kept in a small array while the V slices are added (GCC
 * vectorises this shape better for B = 3, V = 3: 0.53 -> 0.45 ns per entry, in cache). */
#define SUM_ROWS_ROWWISE(BC, VC)                                                                           \
    for (uint64_t i = 0; i < rows; i++) {                                                                  \
        const double *restrict s = src + i * (VC) * (BC);                                                  \
        double t[BC];                                                                                      \
        for (int b = 0; b < (BC); b++)                                                                     \
            t[b] = s[b];                                                                                   \
        for (int v = 1; v < (VC); v++)                                                                     \
            for (int b = 0; b < (BC); b++)                                                                 \
                t[b] += s[v * (BC) + b];                                                                   \
        for (int b = 0; b < (BC); b++)                                                                     \
            dst[i * (BC) + (uint64_t)b] = t[b];                                                            \
    }

#define SUM_ROWS_V(VC)                                                                                     \
    for (uint64_t i = 0; i < rows; i++) {                                                                  \
        const double *restrict s = src + i * (VC) * B;                                                     \
        double *restrict d = dst + i * B;                                                                  \
        for (uint64_t b = 0; b < B; b++) {                                                                 \
            double c = s[b];                                                                               \
            for (int v = 1; v < (VC); v++)                                                                 \
                c += s[(uint64_t)v * B + b];                                                               \
            d[b] = c;                                                                                      \
        }                                                                                                  \
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
    } else if (V == 2 && B == 8) {
        SUM_ROWS_FIXED(8, 2)
    } else if (V == 2) {
        SUM_ROWS_V(2)
    } else if (V == 3 && B == 1) {
        SUM_ROWS_FIXED(1, 3)
    } else if (V == 3 && B == 3) {
        SUM_ROWS_ROWWISE(3, 3)
    } else if (V == 3 && B == 9) {
        SUM_ROWS_FIXED(9, 3)
    } else if (V == 3 && B == 27) {
        SUM_ROWS_FIXED(27, 3)
    } else if (V == 3) {
        SUM_ROWS_V(3)
    } else if (V == 4 && B == 1) {
        SUM_ROWS_FIXED(1, 4)
    } else if (V == 4 && B == 4) {
        SUM_ROWS_FIXED(4, 4)
    } else if (V == 4 && B == 16) {
        SUM_ROWS_FIXED(16, 4)
    } else if (V == 4) {
        SUM_ROWS_V(4)
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

#define SUM_COLS_V(VC)                                                                                     \
    for (uint64_t j = 0; j < n; j++) {                                                                     \
        double c = src[j];                                                                                 \
        for (int v = 1; v < (VC); v++)                                                                     \
            c += src[(uint64_t)v * B + j];                                                                 \
        dst[j] = c;                                                                                        \
    }

/* Part of one row: dst[j] = Σ_v src[v·B + j] for j < n (n <= B), v added in order, in one pass. */
WIDE_CLONES static void sum_cols(const double *restrict src, double *restrict dst, uint64_t n, uint64_t B, int V)
{
    if (V == 2) {
        SUM_COLS_V(2)
    } else if (V == 3) {
        SUM_COLS_V(3)
    } else if (V == 4) {
        SUM_COLS_V(4)
    } else {
        SUM_COLS_V(V)
    }
}

/* Entries k0 <= k < k1 of child[a][b] = Σ_v parent[a][v][b] (rows of B, k = a·B + b): a partial first
 * row, whole rows by sum_rows, a partial last row. The same additions as sum_rows. */
static void sum_range(const double *restrict parent, double *restrict child, uint64_t k0, uint64_t k1, uint64_t B,
                      int V)
{
    const uint64_t VB = (uint64_t)V * B;
    uint64_t a = k0 / B, b = k0 % B, k = k0;
    if (b != 0) {
        const uint64_t n = B - b < k1 - k ? B - b : k1 - k;
        sum_cols(parent + a * VB + b, child + k, n, B, V);
        k += n;
        a++;
    }
    const uint64_t rows = (k1 - k) / B;
    if (rows > 0) {
        sum_rows(parent + a * VB, child + k, rows, B, V);
        k += rows * B;
        a += rows;
    }
    if (k < k1)
        sum_cols(parent + a * VB, child + k, k1 - k, B, V);
}

/* Entries of a root marginal summed per chunk before the kernel reads them; a multiple of
 * DLMKL_PLOGP_LANES, so that the chunks' kernel calls give the bits of one call on the whole vector. */
#define ROOT_CHUNK 2048

/* out[a][b] = Σ_v p[a][v][b] (the table of L coordinates with coordinate c summed out, v added in
 * order) and its entropy, in one pass: the marginal is made in chunks of ROOT_CHUNK entries, each
 * read by the kernel while in cache, with one accumulator, so H has the bits of
 * dlmkl_entropy(out, V^(L−1)). */
static double root_marginal1_entropy(const dlmkl_dist *d, int c, double *restrict out, const uint64_t *vpow)
{
    const uint64_t B = vpow[d->L - 1 - c], n = vpow[d->L - 1];
    dlmkl_plogp_acc acc = {{0}};
    for (uint64_t k0 = 0; k0 < n; k0 += ROOT_CHUNK) {
        const uint64_t k1 = n - k0 < ROOT_CHUNK ? n : k0 + ROOT_CHUNK;
        sum_range(d->p, out, k0, k1, B, d->V);
        dlmkl_plogp_add(&acc, out + k0, k1 - k0);
    }
    return dlmkl_plogp_total(&acc);
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
                sum_cols(src, dst, n, B, V);
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

/* Add −p log2 p of p[0..n) into acc with element i going to lane (off + i) mod 8 (off < 8): the lanes
 * before off of a first vector are padded with zeros, which add exactly +0 (as the kernel's own
 * padding of a last partial block does), so the per-lane sums are those of the kernel called on a
 * block that holds p[0..n) from position off on. */
static void plogp_add_at(dlmkl_plogp_acc *acc, const double *p, uint64_t n, unsigned off)
{
    if (off != 0 && n > 0) {
        double t[DLMKL_PLOGP_LANES] = {0};
        const uint64_t m = DLMKL_PLOGP_LANES - off < n ? DLMKL_PLOGP_LANES - off : n;
        for (uint64_t k = 0; k < m; k++)
            t[off + k] = p[k];
        dlmkl_plogp_add(acc, t, DLMKL_PLOGP_LANES);
        p += m, n -= m;
    }
    if (n > 0)
        dlmkl_plogp_add(acc, p, n);
}

/* Rows [rho0, rho0 + rows) of a node (rows of B; slice arrays: row i at child + i·B, its parent rows
 * at parent + i·V·B), summed out and added into the node's accumulator with the lanes the untiled
 * profile gives them. sum_out feeds the kernel blocks of G = BLOCK / B whole rows (G = 1 for
 * B >= BLOCK, whose column blocks of BLOCK entries, a multiple of 8, give the lanes of one call on the
 * row), each block's element k in lane k mod 8; a root marginal is one block (whole = 1: lane = index
 * in the node mod 8). A slice may start or end inside a block: its pieces are fed at their lane
 * offsets, so the per-lane sums and their order are those of the untiled profile. */
static void slice_sum_out(const double *restrict parent, double *restrict child, uint64_t rows, uint64_t B, int V,
                          uint64_t rho0, int whole, dlmkl_plogp_acc *acc)
{
    if (whole) {
        sum_rows(parent, child, rows, B, V);
        plogp_add_at(acc, child, rows * B, (unsigned)((rho0 * B) % DLMKL_PLOGP_LANES));
        return;
    }
    const uint64_t G = B >= BLOCK ? 1 : BLOCK / B;
    uint64_t i = 0;
    while (i < rows) {
        const uint64_t rho = rho0 + i, in_block = rho % G;
        uint64_t e = i + (G - in_block);
        if (e > rows)
            e = rows;
        sum_rows(parent + i * (uint64_t)V * B, child + i * B, e - i, B, V);
        plogp_add_at(acc, child + i * B, (e - i) * B, (unsigned)((in_block * B) % DLMKL_PLOGP_LANES));
        i = e;
    }
}

/* Tiles of the walk (tiled_subtree): a child whose rows hold at most TILE_MAX entries, in at most
 * TILE_LOG_NODES coordinates (so that its subtree has at most 2^TILE_LOG_NODES nodes), has its
 * subtree done in slices of whole rows, about TILE_ENTRIES entries of the child per slice (at least
 * one row), so that the slice and those of its descendants stay in cache. */
#define TILE_MAX 262144
#define TILE_LOG_NODES 9
#define TILE_NODES (1 << TILE_LOG_NODES)
#define TILE_ENTRIES 8192
/* Largest slice of the table (entries) of a unit run in a group pass (see the units' loop): a
 * chunk of the table stays in cache while the pass's units read it. */
#define PASS_SPAN 65536

typedef struct {
    dlmkl_plogp_acc acc;
    int m; /* |S| of the node */
} tile_node;

/* The subtree of the node C = parent with its coordinate at position pos summed out (parent of r
 * coordinates, C's own largest summed-out coordinate j), C included, tiled by C's rows: below C only
 * coordinates after j are summed out, so every node of the subtree keeps C's row index (its
 * coordinates before pos) as the leading part of its own row index, and a run of g rows of C is
 * the parent of a run of rows of each child, down the subtree. Slice by slice the walk below C runs
 * on g·B entries (in cache, in buf) instead of the whole marginals; each node's accumulator gets its
 * slices in order and at their lane offsets (slice_sum_out), so its entropy has the bits of the
 * untiled walk. tiled_rows does C's rows [row0, row1) (the first call row0 = 0, then in order, up
 * to A = V^pos); tiled_sums then adds the 2^(r−1−pos) nodes' entropies into sums in the walk's
 * preorder, as walk adds them. root: C is a unit's root marginal (lanes of one kernel call). */
static void tiled_rows(const double *parent, int r, int pos, int j, int L, int V, const uint64_t *vpow,
                       uint64_t tile_entries, int root, uint64_t row0, uint64_t row1, double *buf, tile_node *tn)
{
    const uint64_t B = vpow[r - 1 - pos];
    uint64_t g = B >= tile_entries ? 1 : tile_entries / B; /* rows per slice */
    if (g > row1 - row0)
        g = row1 - row0;
    const int rc0 = r - 1 - pos; /* coordinates of C after j */
    double *ss[DLMKL_MAX_L + 2];
    uint64_t off = 0;
    for (int l = 0; l <= rc0; l++) {
        ss[l] = buf + off;
        off += g * vpow[rc0 - l];
    }
    for (uint64_t a0 = row0; a0 < row1; a0 += g) {
        const uint64_t rows = row1 - a0 < g ? row1 - a0 : g;
        int idx = 0, next[DLMKL_MAX_L + 2], l = 0;
        if (a0 == 0)
            tn[0] = (tile_node){{{0}}, r - 1};
        slice_sum_out(parent + a0 * (uint64_t)V * B, ss[0], rows, B, V, a0, root, &tn[idx++].acc);
        next[0] = j + 1;
        while (l >= 0) {
            if (next[l] >= L) {
                l--;
                continue;
            }
            const int jj = next[l]++;
            const int rc = rc0 - l;          /* coordinates after j of the node at level l */
            const int ps = jj - (j + 1 + l); /* position of jj among them */
            const uint64_t As = vpow[ps], Bs = vpow[rc - 1 - ps];
            if (a0 == 0)
                tn[idx] = (tile_node){{{0}}, r - 2 - l};
            slice_sum_out(ss[l], ss[l + 1], rows * As, Bs, V, a0 * As, 0, &tn[idx++].acc);
            if (rc - 1 > 0) {
                l++;
                next[l] = jj + 1;
            }
        }
    }
}

/* Doubles of tiled_rows' buf for a call on `rows` rows of B entries, rc0 coordinates after j. */
static uint64_t tiled_buf_elems(uint64_t B, int rc0, uint64_t tile_entries, uint64_t rows, int V)
{
    uint64_t g = B >= tile_entries ? 1 : tile_entries / B;
    if (g > rows)
        g = rows;
    uint64_t total = 0, sz = g * B;
    for (int l = 0; l <= rc0; l++, sz /= (uint64_t)V)
        total += sz;
    return total;
}

static void tiled_sums(const tile_node *tn, int rc0, double *sums)
{
    for (uint64_t i = 0; i < (uint64_t)1 << rc0; i++)
        sums[tn[i].m] += dlmkl_plogp_total(&tn[i].acc);
}

/* The children of a node (parent of r coordinates, from child jj = j0 at position pos0 to jj = L−1,
 * each tiled) in one pass over the parent: the parent is read in chunks (a slice of rows of the
 * first child, the one with the largest rows), and every child does its rows of the chunk
 * (tiled_rows) while the chunk is in cache, instead of each child reading the whole parent. Each
 * child's nodes keep their own accumulators (at most 2^9 + 2^8 + ... + 1 < 2·TILE_NODES in all) and
 * get their slices in order, so the bits are those of the children done one after the other; their
 * entropies are added in the walk's preorder (children in order jj, each one's subtree in preorder). */
static void tiled_children(const double *parent, int r, int pos0, int j0, int L, int V, const uint64_t *vpow,
                           uint64_t tile_entries, double *buf, tile_node *tn, double *sums)
{
    const uint64_t Bmin = vpow[r - 1 - pos0], Amin = vpow[pos0];
    uint64_t chunk = Bmin >= tile_entries ? 1 : tile_entries / Bmin;
    if (chunk > Amin)
        chunk = Amin;
    for (uint64_t c0 = 0; c0 < Amin; c0 += chunk) {
        const uint64_t c1 = Amin - c0 < chunk ? Amin : c0 + chunk;
        tile_node *t = tn;
        for (int jj = j0; jj < L; jj++) {
            const int ps = pos0 + (jj - j0);
            const uint64_t f = vpow[ps - pos0];
            tiled_rows(parent, r, ps, jj, L, V, vpow, tile_entries, 0, c0 * f, c1 * f, buf, t);
            t += (uint64_t)1 << (r - 1 - ps);
        }
    }
    tile_node *t = tn;
    for (int jj = j0; jj < L; jj++) {
        const int ps = pos0 + (jj - j0);
        tiled_sums(t, r - 1 - ps, sums);
        t += (uint64_t)1 << (r - 1 - ps);
    }
}

/* Depth-first walk, in preorder, of the subtree below a unit root T (|T| = D, max T = t) whose
 * marginal of L−D coordinates is stack[0]; adds H of every node below the root into sums[|S|]. A loop
 * with an explicit stack of next coordinates (no recursion). For V >= 3 a child with at least 2 rows
 * of at most TILE_MAX entries has its whole subtree done slice by slice in cache (tiled_subtree),
 * in the space of the stack levels below it, with the same bits. */
static void walk(double *const *stack, int t, int D, int L, int V, const uint64_t *vpow, const dlmkl_profile_tiling *tl,
                 tile_node *tn, double *sums)
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
        if (V >= 3 && pos > 0 && r - 1 - pos <= TILE_LOG_NODES && vpow[r - 1 - pos] <= tl->max_row) {
            /* the later children of this node are tiled too (smaller rows); once the parent rows
             * they read span at most pass_span entries, they share one pass over the parent */
            if (j + 1 < L && (uint64_t)V * vpow[r - 1 - pos] <= tl->pass_span) {
                tiled_children(stack[l], r, pos, j, L, V, vpow, tl->entries, stack[l + 1], tn, sums);
                next[l] = L;
                continue;
            }
            tiled_rows(stack[l], r, pos, j, L, V, vpow, tl->entries, 0, 0, vpow[pos], stack[l + 1], tn);
            tiled_sums(tn, r - 1 - pos, sums);
            continue;
        }
        sums[r - 1] += sum_out(stack[l], stack[l + 1], r, pos, V, vpow);
        if (r - 1 > 0) {
            l++;
            next[l] = j + 1;
        }
    }
}

/* The marginal of the table with coordinates a < b summed out, p viewed as [A][V][B][V][C]
 * (out[i][j][k] = 0 + Σ_v Σ_w p[i][v][j][w][k], added in that order), and its entropy in the same
 * pass: each row of C entries is made in chunks of at most ROOT_CHUNK, and the kernel takes the
 * entries made so far in runs that are multiples of DLMKL_PLOGP_LANES (the rest at the end), so H
 * has the bits of dlmkl_entropy(out, V^(L−2)). */
static double root_marginal2_entropy(const dlmkl_dist *d, int a, int b, double *restrict out, const uint64_t *vpow)
{
    const int L = d->L, V = d->V;
    const uint64_t A = vpow[a], B = vpow[b - a - 1], C = vpow[L - 1 - b];
    dlmkl_plogp_acc acc = {{0}};
    uint64_t made = 0, done = 0;
    for (uint64_t i = 0; i < A; i++)
        for (uint64_t j = 0; j < B; j++)
            for (uint64_t c0 = 0; c0 < C; c0 += ROOT_CHUNK) {
                const uint64_t n = C - c0 < ROOT_CHUNK ? C - c0 : ROOT_CHUNK;
                double *restrict dst = out + (i * B + j) * C + c0;
                for (uint64_t k = 0; k < n; k++)
                    dst[k] = 0.0;
                for (int v = 0; v < V; v++)
                    for (int w = 0; w < V; w++) {
                        const double *restrict src = d->p + (((i * V + (uint64_t)v) * B + j) * V + (uint64_t)w) * C + c0;
                        for (uint64_t k = 0; k < n; k++)
                            dst[k] += src[k];
                    }
                made += n;
                if (made - done >= ROOT_CHUNK) {
                    const uint64_t m = (made - done) / DLMKL_PLOGP_LANES * DLMKL_PLOGP_LANES;
                    dlmkl_plogp_add(&acc, out + done, m);
                    done += m;
                }
            }
    dlmkl_plogp_add(&acc, out + done, made - done);
    return dlmkl_plogp_total(&acc);
}

/* Entries generated per call of dlmkl_gen_fill: a multiple of DLMKL_PLOGP_LANES (so that a
 * streamed entropy keeps each entry's lane), small enough to stay in cache. */
#define CHUNK 2048

/* The marginal of a generated table with coordinate a (and b > a, if b >= 0) summed out, read once
 * in index order in chunks of CHUNK entries (buf). Each output entry receives its inputs in index
 * order, as the dense route adds them (the first by a copy for one summed coordinate, 0 + the first
 * for two), so the bits are those of the dense marginal. The index is followed by an odometer over
 * runs of constant (i, v[, j, w]). */
static void root_marginal_gen(const dlmkl_gen *g, int L, int Vi, uint64_t n, int a, int b, double *out,
                              const uint64_t *vpow, double *buf)
{
    const uint64_t V = (uint64_t)Vi;
    /* idx = (((i·V + v)·B + j)·V + w)·C + k; one summed coordinate: B = 1, w = 0 (Vw = 1) */
    const uint64_t B = b < 0 ? 1 : vpow[b - a - 1], C = b < 0 ? vpow[L - 1 - a] : vpow[L - 1 - b];
    const uint64_t Vw = b < 0 ? 1 : V;
    uint64_t i = 0, v = 0, j = 0, w = 0, k = 0;
    for (uint64_t c0 = 0; c0 < n; c0 += CHUNK) {
        const uint64_t m = n - c0 < CHUNK ? n - c0 : CHUNK;
        dlmkl_gen_fill(g, c0, m, buf);
        uint64_t t = 0;
        while (t < m) {
            const uint64_t run = C - k < m - t ? C - k : m - t;
            double *restrict dst = out + (i * B + j) * C + k;
            const double *restrict src = buf + t;
            if (v == 0 && w == 0) {
                if (b < 0)
                    for (uint64_t q = 0; q < run; q++)
                        dst[q] = src[q];
                else
                    for (uint64_t q = 0; q < run; q++)
                        dst[q] = 0.0 + src[q];
            } else {
                for (uint64_t q = 0; q < run; q++)
                    dst[q] += src[q];
            }
            t += run;
            k += run;
            if (k == C) {
                k = 0;
                if (++w == Vw) {
                    w = 0;
                    if (++j == B) {
                        j = 0;
                        if (++v == V) {
                            v = 0;
                            i++;
                        }
                    }
                }
            }
        }
    }
}

/* H of a generated table, streamed in chunks of CHUNK entries (a multiple of the kernel's lanes, so
 * every entry meets the same lane and the sum has the bits of one call on the stored table). */
static double table_entropy_gen(const dlmkl_gen *g, uint64_t n, double *buf)
{
    dlmkl_plogp_acc acc = {{0}};
    for (uint64_t c0 = 0; c0 < n; c0 += CHUNK) {
        const uint64_t m = n - c0 < CHUNK ? n - c0 : CHUNK;
        dlmkl_gen_fill(g, c0, m, buf);
        dlmkl_plogp_add(&acc, buf, (size_t)m);
    }
    return dlmkl_plogp_total(&acc);
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
    const dlmkl_profile_tiling tl = {TILE_MAX, TILE_ENTRIES, PASS_SPAN};
    return dlmkl_profile_units_compute_tiled(d, units, count, rows, &tl);
}

/* Work of one read of the table (per entry), relative to one marginal entry made and logged: a pass
 * or a root marginal streams the table at about 0.5 ns per entry against about 2 ns per marginal
 * entry (V = 3, L = 14, measured per item). Used only to order and group the work. */
#define ITEM_READ_W 0.25

/* Longest time of nthreads threads taking the items of work w[0..n) largest first, each the next
 * free thread (the schedule(dynamic, 1) loop over items sorted by work). w is sorted in place. */
static double list_makespan(double *w, int n, int nthreads)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && w[j] > w[j - 1]; j--) {
            const double x = w[j];
            w[j] = w[j - 1], w[j - 1] = x;
        }
    double load[DLMKL_MAX_L + 2] = {0};
    const int T = nthreads < DLMKL_MAX_L + 2 ? nthreads : DLMKL_MAX_L + 2;
    double mx = 0.0;
    for (int i = 0; i < n; i++) {
        int b = 0;
        for (int t = 1; t < T; t++)
            if (load[t] < load[b])
                b = t;
        load[b] += w[i];
        if (load[b] > mx)
            mx = load[b];
    }
    return mx;
}

/* The groups of the units first_group <= k < nsub (sorted by a = ua[k] ascending, i.e. by work
 * uw[k] descending) that share passes over the table: for each count q of groups up to
 * min(units, 4·nthreads), the units are dealt largest first each to the group with the least work
 * so far (a group's units are then in ascending a, its first one the largest), a group fitting
 * when its slice buffer and accumulators fit in one thread's stack space (per_thread doubles);
 * of the q whose groups all fit, the one whose items (untiled units, single passes and groups,
 * each also reading the table once, table_w; the first pass, first_tiled, also takes the table's
 * entropy, pass0_w) the threads finish soonest (list_makespan), the fewest groups on ties. Writes
 * the group of each unit to gof (gtry: scratch) and returns the count, 0 if there are no such units
 * or no grouping fits. The profile's bits never depend on the grouping. */
static int choose_groups(const int *ua, const double *uw, int first_tiled, int first_group, int nsub, int nthreads,
                         double table_w, double pass0_w, int L, int V, const uint64_t *vpow, uint64_t entries,
                         uint64_t per_thread, int *gof, int *gtry)
{
    const int nu = nsub - first_group;
    if (nu <= 0 || nsub > DLMKL_MAX_L)
        return 0;
    const int qmax = nthreads >= (nu + 3) / 4 ? nu : 4 * nthreads;
    double gw[DLMKL_MAX_L + 2], items[2 * DLMKL_MAX_L + 4], best = INFINITY;
    int bestq = 0;
    for (int q = 1; q <= qmax; q++) {
        for (int grp = 0; grp < q; grp++)
            gw[grp] = 0.0;
        for (int k = first_group; k < nsub; k++) {
            int b = 0;
            for (int grp = 1; grp < q; grp++)
                if (gw[grp] < gw[b])
                    b = grp;
            gtry[k] = b;
            gw[b] += uw[k];
        }
        int fits = 1;
        for (int grp = 0; grp < q && fits; grp++) {
            int amin = -1;
            uint64_t chunk = 0, buf = 0, acc = 0;
            for (int k = first_group; k < nsub; k++) {
                if (gtry[k] != grp)
                    continue;
                if (amin < 0) {
                    amin = ua[k];
                    const uint64_t Bmin = vpow[L - 1 - amin], Amin = vpow[amin];
                    chunk = Bmin >= entries ? 1 : entries / Bmin;
                    if (chunk > Amin)
                        chunk = Amin;
                }
                const uint64_t need = tiled_buf_elems(vpow[L - 1 - ua[k]], L - 1 - ua[k], entries,
                                                      chunk * vpow[ua[k] - amin], V);
                buf = need > buf ? need : buf;
                acc += ((uint64_t)1 << (L - 1 - ua[k])) * sizeof(tile_node);
            }
            if (buf * sizeof(double) + acc > per_thread * sizeof(double))
                fits = 0;
        }
        if (!fits)
            continue;
        int n = 0;
        for (int i = 0; i < first_group; i++)
            items[n++] = table_w + uw[i] + (i == first_tiled ? pass0_w : 0.0);
        for (int grp = 0; grp < q; grp++)
            items[n++] = table_w + gw[grp] + (grp == 0 && first_group == first_tiled ? pass0_w : 0.0);
        const double ms = list_makespan(items, n, nthreads);
        if (ms < best) {
            best = ms, bestq = q;
            for (int k = first_group; k < nsub; k++)
                gof[k] = gtry[k];
        }
    }
    return bestq;
}

/* The units of a dense table d, or of a generated one g (then d holds only L, V and n, d->p = NULL):
 * a generated table runs every unit from its own root marginal (no tiled passes over the table). */
static int units_compute(const dlmkl_dist *d, const dlmkl_gen *g, const int *units, int count, double *rows,
                         const dlmkl_profile_tiling *tiling)
{
    dlmkl_profile_tiling tl = *tiling;
    if (tl.entries < 1)
        tl.entries = 1;
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
    /* a generated table: no table, one chunk buffer per thread after the stacks */
    const size_t chunks = g ? (size_t)nthreads * CHUNK * sizeof(double) : 0;
    if (chunks && ws > SIZE_MAX - chunks)
        ws = SIZE_MAX - chunks;
    int status = g ? dlmkl_check_memory(ws + chunks, "the entropy profile of a generated table (workspace)")
                   : dlmkl_check_memory(ws + (size_t)d->n * sizeof(double), "the entropy profile (table plus workspace)");
    double *work = status == DLMKL_OK ? malloc(ws + chunks > 0 ? ws + chunks : 1) : NULL;
    double *bufs = work && g ? (double *)(void *)((char *)work + ws) : NULL;
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

    /* Units run tiled from the table (D = 1, V >= 3, root rows of at most max_row entries in at most
     * TILE_LOG_NODES coordinates): a suffix of the order. Each is a pass over the table, except that
     * the units whose slices span at most pass_span (PASS_SPAN) table entries are grouped into a few
     * passes: such a pass reads the table once, chunk by chunk (a slice of its largest unit), every
     * unit of the pass doing its rows of the chunk while the chunk is in cache. The first pass also
     * takes the table's own entropy (unit 0) on the way. The units' rows do not depend on the grouping
     * (each unit's slices are in order), so the groups are chosen for the balance of the threads'
     * work (choose_groups). A group keeps its units' accumulators after its slice buffer in the
     * thread's stack space; where they do not fit, its units are passes of their own. Pass p: units
     * plist[pofs[p]], ..., plist[pofs[p + 1] − 1], largest (smallest a) first. */
    int first_tiled = nsub;
    while (!g && D == 1 && V >= 3 && first_tiled > 0 && ua[first_tiled - 1] > 0 && L - 1 - ua[first_tiled - 1] <= TILE_LOG_NODES &&
           vpow[L - 1 - ua[first_tiled - 1]] <= tl.max_row)
        first_tiled--;
    int first_group = nsub;
    while (first_group > first_tiled && vpow[L - ua[first_group - 1]] <= tl.pass_span)
        first_group--;
    const uint64_t per_thread = stack_elems(L, V, D);
    /* work of unit i's subtree (marginal entries, one log each): the marginals over the subsets of
     * (max T, L), V^(t+1-D) (V+1)^(L-1-t) for max T = t; an item (an untiled unit or a pass) adds one
     * read of the table, ITEM_READ_W·V^L */
    double *uw = malloc(((size_t)nsub + 1) * sizeof *uw);
    int *gof = malloc(((size_t)nsub + 1) * sizeof *gof), *gtry = malloc(((size_t)nsub + 1) * sizeof *gtry);
    int *plist = malloc(((size_t)nsub + 1) * sizeof *plist), *pofs = malloc(((size_t)nsub + 2) * sizeof *pofs);
    if (!uw || !gof || !gtry || !plist || !pofs) {
        free(uw), free(gof), free(gtry), free(plist), free(pofs);
        free(ua), free(ub), free(order), free(work);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the profile workspace");
    }
    const double table_w = ITEM_READ_W * pow((double)V, (double)L);
    for (int i = 0; i < nsub; i++) {
        const int t = D == 1 ? ua[i] : ub[i];
        uw[i] = pow((double)V, (double)(t + 1 - D)) * pow((double)(V + 1), (double)(L - 1 - t));
    }
    /* the first pass also takes the table's entropy (unit 0), one log per table entry */
    const double pass0_w = serial && D == 1 ? pow((double)V, (double)L) : 0.0;
    const int ngroups = choose_groups(ua, uw, first_tiled, first_group, nsub, nthreads, table_w, pass0_w, L, V,
                                      vpow, tl.entries, per_thread, gof, gtry);
    if (ngroups == 0)
        first_group = nsub;
    const int npass = (first_group - first_tiled) + ngroups;
    {
        int q = 0, p = 0;
        for (; p < first_group - first_tiled; p++) {
            pofs[p] = q;
            plist[q++] = first_tiled + p;
        }
        for (int grp = 0; grp < ngroups; grp++, p++) {
            pofs[p] = q;
            for (int k = first_group; k < nsub; k++)
                if (gof[k] == grp)
                    plist[q++] = k;
        }
        pofs[p] = q;
    }
    free(gof), free(gtry);
    const int table_in_pass = serial && D == 1 && npass > 0;

    /* Unit 0, serial: nodes with |T| < D. */
    if (serial) {
        double *sums0 = rows;
        if (!table_in_pass)
            sums0[L] = g ? table_entropy_gen(g, d->n, bufs) : dlmkl_entropy(d->p, d->n);
        if (D == 2) {
            for (int a = 0; a < L; a++) {
                if (g) {
                    root_marginal_gen(g, L, V, d->n, a, -1, work, vpow, bufs);
                    sums0[L - 1] += dlmkl_entropy(work, vpow[L - 1]);
                } else {
                    sums0[L - 1] += root_marginal1_entropy(d, a, work, vpow);
                }
            }
        }
    }

    /* progress and the order of work: the items (the untiled units, then the passes), started
     * largest first, each weighing one read of the table plus its units' subtrees (as choose_groups) */
    const int nitems = first_tiled + npass;
    double *iw = malloc(((size_t)nitems + 1) * sizeof *iw);
    int *item = malloc(((size_t)nitems + 1) * sizeof *item);
    double wtotal = 0.0, wdone = 0.0;
    if (!iw || !item) {
        free(uw), free(iw), free(item), free(plist), free(pofs);
        free(ua), free(ub), free(order), free(work);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the profile workspace");
    }
    for (int i = 0; i < nitems; i++) {
        item[i] = i;
        iw[i] = table_w;
        if (i < first_tiled)
            iw[i] += uw[i];
        else
            for (int q = pofs[i - first_tiled]; q < pofs[i - first_tiled + 1]; q++)
                iw[i] += uw[plist[q]];
        if (i == first_tiled)
            iw[i] += pass0_w;
        wtotal += iw[i];
    }
    for (int i = 1; i < nitems; i++)
        for (int j = i; j > 0 && iw[item[j]] > iw[item[j - 1]]; j--) {
            int x = item[j]; item[j] = item[j - 1]; item[j - 1] = x;
        }
    dlmkl_progress("entropy profile", 0.0, wtotal);

#pragma omp parallel num_threads(nthreads)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *base = work + (uint64_t)tid * per_thread;
        double *stack[DLMKL_MAX_L + 2];
        tile_node tn[2 * TILE_NODES]; /* accumulators of a tiled subtree, or of a node's tiled children */
        /* level l holds a marginal of L−D−l coordinates */
        uint64_t off = 0;
        for (int l = 0; l <= L - D; l++) {
            stack[l] = base + off;
            off += vpow[L - D - l];
        }
#pragma omp for schedule(dynamic, 1)
        for (int it = 0; it < nitems; it++) {
            const int i = item[it];
            if (i < first_tiled) {
                double *sums = rows + (size_t)order[i] * (size_t)(L + 1);
                const int r = L - D;
                if (g) {
                    root_marginal_gen(g, L, V, d->n, ua[i], D == 1 ? -1 : ub[i], stack[0], vpow,
                                      bufs + (size_t)tid * CHUNK);
                    sums[r] += dlmkl_entropy(stack[0], vpow[r]);
                } else {
                    sums[r] += D == 1 ? root_marginal1_entropy(d, ua[i], stack[0], vpow)
                                      : root_marginal2_entropy(d, ua[i], ub[i], stack[0], vpow);
                }
                if (r > 0)
                    walk(stack, D == 1 ? ua[i] : ub[i], D, L, V, vpow, &tl, tn, sums);
            } else {
                /* a pass: units plist[q0 .. q1) (largest first), chunks of the first one's rows */
                const int p = i - first_tiled, q0 = pofs[p], q1 = pofs[p + 1], amin = ua[plist[q0]];
                const uint64_t Bmin = vpow[L - 1 - amin], Amin = vpow[amin], span = (uint64_t)V * Bmin;
                uint64_t chunk = Bmin >= tl.entries ? 1 : tl.entries / Bmin, buf = 0;
                if (chunk > Amin)
                    chunk = Amin;
                for (int q = q0; q < q1; q++) {
                    const int k = plist[q];
                    const uint64_t need = tiled_buf_elems(vpow[L - 1 - ua[k]], L - 1 - ua[k], tl.entries,
                                                          chunk * vpow[ua[k] - amin], V);
                    buf = need > buf ? need : buf;
                }
                tile_node *accs = q1 - q0 > 1 ? (tile_node *)(void *)(base + buf) : tn;
                dlmkl_plogp_acc tacc = {{0}};
                for (uint64_t c0 = 0; c0 < Amin; c0 += chunk) {
                    const uint64_t c1 = Amin - c0 < chunk ? Amin : c0 + chunk;
                    tile_node *t = accs;
                    for (int q = q0; q < q1; q++) {
                        const int a = ua[plist[q]];
                        const uint64_t f = vpow[a - amin];
                        tiled_rows(d->p, L, a, a, L, V, vpow, tl.entries, 1, c0 * f, c1 * f, base, t);
                        t += (uint64_t)1 << (L - 1 - a);
                    }
                    if (table_in_pass && p == 0)
                        plogp_add_at(&tacc, d->p + c0 * span, (c1 - c0) * span,
                                     (unsigned)((c0 * span) % DLMKL_PLOGP_LANES));
                }
                tile_node *t = accs;
                for (int q = q0; q < q1; q++) {
                    const int k = plist[q];
                    tiled_sums(t, L - 1 - ua[k], rows + (size_t)order[k] * (size_t)(L + 1));
                    t += (uint64_t)1 << (L - 1 - ua[k]);
                }
                if (table_in_pass && p == 0)
                    rows[L] = dlmkl_plogp_total(&tacc);
            }
            double now;
#pragma omp atomic capture
            now = wdone += iw[i];
            dlmkl_progress("entropy profile", now < wtotal ? now : wtotal, wtotal);
        }
    }
    dlmkl_progress("entropy profile", wtotal, wtotal);
    free(uw), free(iw), free(item), free(plist), free(pofs);
    free(ua), free(ub), free(order), free(work);
    return DLMKL_OK;
}

int dlmkl_profile_units_compute_tiled(const dlmkl_dist *d, const int *units, int count, double *rows,
                                      const dlmkl_profile_tiling *tiling)
{
    return units_compute(d, NULL, units, count, rows, tiling);
}

int dlmkl_profile_units_compute_gen(const dlmkl_gen *g, const int *units, int count, double *rows)
{
    const dlmkl_dist shape = {dlmkl_gen_L(g), dlmkl_gen_V(g), dlmkl_gen_size(g), NULL, NULL};
    const dlmkl_profile_tiling tl = {TILE_MAX, TILE_ENTRIES, PASS_SPAN};
    return units_compute(&shape, g, units, count, rows, &tl);
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
