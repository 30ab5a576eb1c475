/* test_profile.c: the entropy profile, TC and DTC against brute force and known values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "profile_tiling.h"
#include "testutil.h"

/* h(m) by brute-force enumeration of every subset with the test's own marginal code. */
static void brute_profile(const dlmkl_dist *d, double *h)
{
    int L = d->L;
    double *cnt = calloc((size_t)L + 1, sizeof *cnt);
    for (int m = 0; m <= L; m++)
        h[m] = 0;
    for (uint64_t S = 0; S < (1ULL << L); S++) {
        int m = __builtin_popcountll(S);
        h[m] += m ? tu_subset_entropy(d, S) : 0.0;
        cnt[m] += 1;
    }
    for (int m = 0; m <= L; m++)
        h[m] /= cnt[m];
    free(cnt);
}

/* The profile of a random table (Dirichlet(alpha), seeded) against the brute force, to 1e-12 bits. */
static void vs_brute(int L, int V, unsigned long seed, double alpha)
{
    dlmkl_dist *d = tu_random_table(L, V, seed, alpha);
    dlmkl_profile *prof = tu_profile(d);
    double h[64];
    brute_profile(d, h);
    for (int m = 0; m <= L; m++)
        TU_CLOSE(prof->h[m], h[m], 1e-12, "random table L=%d V=%d seed=%lu m=%d", L, V, seed, m);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}

START_TEST(test_profile_vs_brute_force)
{
    /* random tables over several (L, V); both routes must agree to 1e-12 bits */
    static const int cases[][2] = {{1, 2}, {2, 2}, {3, 3}, {5, 2}, {6, 2}, {4, 3}, {3, 4}, {7, 2}, {2, 5}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        vs_brute(L, V, 1000 + c, 0.7);
    }
}
END_TEST

START_TEST(test_profile_vs_brute_force_blocks)
{
    /* sizes where the sum-out writes column blocks (a row of B >= 512 entries) as well as groups of
     * short rows, and (V = 2) the pairwise last-coordinate sum: 1e-12 bits against brute force */
    static const int cases[][2] = {{12, 2}, {8, 3}, {6, 4}, {11, 2}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        vs_brute(L, V, 2000 + c, c % 2 ? 0.2 : 1.0);
    }
}
END_TEST

START_TEST(test_workspace_within_one_table)
{
    /* table + workspace <= 2 tables for any thread count */
    for (int V = 2; V <= 6; V++)
        for (int L = 1; L <= 12; L++)
            for (int t = 1; t <= 64; t *= 2) {
                double table = pow(V, L) * sizeof(double);
                ck_assert_msg((double)dlmkl_profile_workspace_bytes(L, V, t) <= table,
                              "workspace %zu > table %.0f bytes at L=%d V=%d threads=%d",
                              dlmkl_profile_workspace_bytes(L, V, t), table, L, V, t);
            }
}
END_TEST

START_TEST(test_known_values)
{
    char spec[64];
    for (int V = 2; V <= 4; V++) {
        for (int L = 2; L <= 7; L++) {
            snprintf(spec, sizeof spec, "copy:L=%d,V=%d", L, V);
            dlmkl_dist *d = tu_dist(spec);
            dlmkl_profile *prof = tu_profile(d);
            double lv = log2((double)V);
            TU_CLOSE(dlmkl_profile_H(prof), lv, 1e-12, "%s H", spec);
            TU_CLOSE(dlmkl_profile_tc(prof), (L - 1) * lv, 1e-12, "%s TC", spec);
            TU_CLOSE(dlmkl_profile_dtc(prof), lv, 1e-12, "%s DTC", spec);
            dlmkl_profile_free(prof);
            dlmkl_dist_free(d);
        }
    }
    for (int L = 2; L <= 10; L++) {
        snprintf(spec, sizeof spec, "parity:L=%d", L);
        dlmkl_dist *d = tu_dist(spec);
        dlmkl_profile *prof = tu_profile(d);
        TU_CLOSE(dlmkl_profile_H(prof), L - 1, 1e-12, "%s H", spec);
        TU_CLOSE(dlmkl_profile_tc(prof), 1.0, 1e-12, "%s TC", spec);
        TU_CLOSE(dlmkl_profile_dtc(prof), L - 1, 1e-12, "%s DTC", spec);
        for (int m = 0; m < L; m++)
            TU_CLOSE(prof->h[m], m, 1e-12, "%s h(%d)", spec, m);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_identities)
{
    /* TC = KL(p || prod p_i) computed directly; DTC = H − Σ_i H(X_i | X_−i) directly;
     * 0 <= DTC <= H; TC/(L−1) <= DTC <= (L−1) TC; Z nondecreasing (Han). */
    static const int cases[][2] = {{3, 2}, {5, 2}, {8, 2}, {4, 3}, {3, 5}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        unsigned long seed = 77 + c;
        dlmkl_dist *d = tu_random_table(L, V, seed, 0.3);
        dlmkl_profile *prof = tu_profile(d);
        /* marginals p_i by decoding */
        double *pm = calloc((size_t)L * V, sizeof *pm);
        for (uint64_t idx = 0; idx < d->n; idx++) {
            uint64_t rest = idx;
            for (int i = L - 1; i >= 0; i--) {
                pm[i * V + (int)(rest % V)] += d->p[idx];
                rest /= V;
            }
        }
        double kl = 0;
        for (uint64_t idx = 0; idx < d->n; idx++) {
            if (d->p[idx] <= 0)
                continue;
            uint64_t rest = idx;
            double q = 1;
            for (int i = L - 1; i >= 0; i--) {
                q *= pm[i * V + (int)(rest % V)];
                rest /= V;
            }
            kl += d->p[idx] * log2(d->p[idx] / q);
        }
        double H = tu_subset_entropy(d, (1ULL << L) - 1), cond = 0;
        for (int i = 0; i < L; i++)
            cond += H - tu_subset_entropy(d, ((1ULL << L) - 1) & ~(1ULL << i));
        double tc = dlmkl_profile_tc(prof), dtc = dlmkl_profile_dtc(prof);
        TU_CLOSE(tc, kl, 1e-11, "TC vs KL(p||prod), L=%d V=%d seed=%lu", L, V, seed);
        TU_CLOSE(dtc, H - cond, 1e-11, "DTC direct, L=%d V=%d seed=%lu", L, V, seed);
        ck_assert_msg(dtc >= -1e-12 && dtc <= H + 1e-12, "0 <= DTC <= H fails: %g %g", dtc, H);
        ck_assert_msg(tc / (L - 1) <= dtc + 1e-12 && dtc <= (L - 1) * tc + 1e-12, "TC/DTC sandwich fails");
        for (int j = 2; j <= L; j++)
            ck_assert_msg(dlmkl_profile_Z(prof, j) >= dlmkl_profile_Z(prof, j - 1) - 1e-12, "Z not monotone at %d", j);
        free(pm);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_threads_bit_identical)
{
    static const int cases[][2] = {{12, 2}, {7, 3}, {5, 4}, {5, 6}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        dlmkl_dist *d = tu_random_table(L, V, 5 + c, 0.5);
        dlmkl_set_threads(1);
        dlmkl_profile *a = tu_profile(d);
        dlmkl_set_threads(2);
        dlmkl_profile *b = tu_profile(d);
        dlmkl_set_threads(3);
        dlmkl_profile *e = tu_profile(d);
        ck_assert_msg(memcmp(a->h, b->h, (L + 1) * sizeof(double)) == 0, "1 vs 2 threads differ, L=%d V=%d", L, V);
        ck_assert_msg(memcmp(a->h, e->h, (L + 1) * sizeof(double)) == 0, "1 vs 3 threads differ, L=%d V=%d", L, V);
        dlmkl_profile_free(a), dlmkl_profile_free(b), dlmkl_profile_free(e);
        dlmkl_dist_free(d);
    }
    dlmkl_set_threads(0);
}
END_TEST

START_TEST(test_tiling_bit_identical)
{
    /* The walk's tiling (slices of whole rows, each node's kernel lanes fed at their offsets, the
     * entropies added in preorder) and the grouping of units into passes over the table do not
     * change a bit: no tiling, the default, single rows, slices that start and end inside the
     * kernel's blocks, units in several slices (L = 10, V = 3: root rows of up to 3^9 entries,
     * slices of 8192), every unit its own pass or all in one or two; against brute force too. */
    static const int cases[][2] = {{10, 3}, {8, 4}, {6, 5}, {5, 7}, {9, 3}};
    static const dlmkl_profile_tiling tilings[] = {{262144, 8192, 65536}, {19683, 1, 0},      {19683, 100, 1 << 30},
                                                   {81, 7, 81},            {27, 1000, 243},     {3, 8192, 1 << 30},
                                                   {1, 8192, 0},           {100000, 50, 6561}, {1 << 30, 8192, 1 << 30}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int L = cases[c][0], V = cases[c][1];
        dlmkl_dist *d = tu_random_table(L, V, 70 + c, c % 2 ? 0.3 : 1.0);
        const int n = dlmkl_profile_units(L, V);
        int *units = malloc((size_t)n * sizeof *units);
        for (int i = 0; i < n; i++)
            units[i] = i;
        double *ref = malloc((size_t)n * (size_t)(L + 1) * sizeof *ref);
        double *rows = malloc((size_t)n * (size_t)(L + 1) * sizeof *rows);
        const dlmkl_profile_tiling none = {0, 1, 0};
        ck_assert_int_eq(dlmkl_profile_units_compute_tiled(d, units, n, ref, &none), DLMKL_OK);
        for (size_t t = 0; t < sizeof tilings / sizeof tilings[0]; t++)
            for (int th = 1; th <= 3; th++) { /* the passes' grouping depends on the thread count */
                dlmkl_set_threads(th);
                ck_assert_int_eq(dlmkl_profile_units_compute_tiled(d, units, n, rows, &tilings[t]), DLMKL_OK);
                ck_assert_msg(memcmp(ref, rows, (size_t)n * (size_t)(L + 1) * sizeof *rows) == 0,
                              "tiling {%llu, %llu, %llu} changes the unit rows, L=%d V=%d threads=%d",
                              (unsigned long long)tilings[t].max_row, (unsigned long long)tilings[t].entries,
                              (unsigned long long)tilings[t].pass_span, L, V, th);
            }
        dlmkl_set_threads(0);
        dlmkl_profile *a = tu_profile(d), *b = dlmkl_profile_alloc(L);
        ck_assert_int_eq(dlmkl_profile_units_combine(ref, n, b), DLMKL_OK);
        ck_assert_msg(memcmp(a->h, b->h, (size_t)(L + 1) * sizeof(double)) == 0, "untiled profile differs, L=%d V=%d",
                      L, V);
        if (c == sizeof cases / sizeof cases[0] - 1) {
            double h[64];
            brute_profile(d, h);
            for (int m = 0; m <= L; m++)
                TU_CLOSE(a->h[m], h[m], 1e-12, "tiled profile against brute force, L=%d V=%d m=%d", L, V, m);
        }
        dlmkl_profile_free(a), dlmkl_profile_free(b);
        free(units), free(ref), free(rows);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_units_split_bit_identical)
{
    /* the units computed in disjoint sets (as on k processes, round robin, each set into its own
     * rows), gathered and combined in unit order: the same bits as dlmkl_profile_compute */
    static const int cases[][2] = {{1, 2}, {2, 2}, {9, 2}, {6, 3}, {5, 4}, {3, 6}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int L = cases[c][0], V = cases[c][1];
        dlmkl_dist *d = tu_random_table(L, V, 40 + c, 0.5);
        dlmkl_profile *a = tu_profile(d);
        const int n = dlmkl_profile_units(L, V);
        ck_assert_int_eq(n, 1 + (V == 2 && L >= 2 ? L * (L - 1) / 2 : L));
        for (int k = 1; k <= 3; k++) {
            double *all = calloc((size_t)n * (size_t)(L + 1), sizeof *all);
            double *part = malloc((size_t)n * (size_t)(L + 1) * sizeof *part);
            int *mine = malloc((size_t)n * sizeof *mine);
            for (int r = 0; r < k; r++) {
                int cnt = 0;
                for (int u = n - 1 - r; u >= 0; u -= k)
                    mine[cnt++] = u; /* any order */
                for (size_t i = 0; i < (size_t)n * (size_t)(L + 1); i++)
                    part[i] = NAN;
                dlmkl_set_threads(r + 1);
                ck_assert_int_eq(dlmkl_profile_units_compute(d, mine, cnt, part), DLMKL_OK);
                for (int i = 0; i < cnt; i++)
                    memcpy(all + (size_t)mine[i] * (size_t)(L + 1), part + (size_t)mine[i] * (size_t)(L + 1),
                           (size_t)(L + 1) * sizeof *all);
            }
            dlmkl_set_threads(0);
            dlmkl_profile *b = dlmkl_profile_alloc(L);
            ck_assert_int_eq(dlmkl_profile_units_combine(all, n, b), DLMKL_OK);
            ck_assert_msg(memcmp(a->h, b->h, (size_t)(L + 1) * sizeof(double)) == 0,
                          "units on %d sets differ from the one-call profile, L=%d V=%d", k, L, V);
            dlmkl_profile_free(b);
            free(all), free(part), free(mine);
        }
        /* the costs: Σ over the subtree units of their nodes' entries is (1+V)^L minus the nodes
         * of unit 0 (the table, and for V = 2 its L marginals of L−1 coordinates) */
        double nodes = 0;
        const double table = pow(V, L);
        for (int u = 1; u < n; u++)
            nodes += dlmkl_profile_unit_cost(L, V, u) - table;
        double expect = pow(1 + V, L) - table - (V == 2 && L >= 2 ? L * pow(V, L - 1) : 0.0);
        TU_CLOSE(nodes, expect, 1e-12, "unit costs L=%d V=%d", L, V);
        ck_assert(dlmkl_profile_unit_cost(L, V, n) == 0.0 && dlmkl_profile_unit_cost(L, V, -1) == 0.0);
        int bad[2] = {n, -1}, twice[2] = {0, 0};
        ck_assert_int_eq(dlmkl_profile_units_compute(d, bad, 1, a->h), DLMKL_EINVAL);
        ck_assert_int_eq(dlmkl_profile_units_compute(d, bad + 1, 1, a->h), DLMKL_EINVAL);
        ck_assert_int_eq(dlmkl_profile_units_compute(d, twice, 2, a->h), DLMKL_EINVAL);
        ck_assert_str_eq(dlmkl_last_error(), "profile unit 0 is listed twice");
        ck_assert_int_eq(dlmkl_profile_units_compute(d, twice, 0, NULL), DLMKL_OK);
        dlmkl_profile_free(a);
        dlmkl_dist_free(d);
    }
}
END_TEST

/* progress reports: one stage, done nondecreasing from 0 to total, on the calling thread only (the
 * callback is thread-local); the bits are those of a run without a callback, for 1 and 3 threads */
typedef struct {
    int calls, bad;
    double last, total;
} prog_log;

static void prog_cb(void *ctx, const char *what, double done, double total)
{
    prog_log *g = ctx;
    if (strcmp(what, "entropy profile") != 0 || done < g->last || done > total || (g->calls && total != g->total))
        g->bad++;
    g->calls++, g->last = done, g->total = total;
}

START_TEST(test_progress_reports)
{
    dlmkl_dist *d = tu_random_table(12, 2, 77, 0.5);
    dlmkl_profile *ref = tu_profile(d);
    for (int nt = 1; nt <= 3; nt += 2) {
        prog_log g = {0, 0, 0.0, 0.0};
        dlmkl_set_threads(nt);
        dlmkl_set_progress(prog_cb, &g);
        dlmkl_profile *p = tu_profile(d);
        dlmkl_set_progress(NULL, NULL);
        ck_assert_msg(g.bad == 0, "%d bad progress reports with %d threads", g.bad, nt);
        /* start, end, and (one thread) one per unit; with more, the calling thread may do no unit */
        ck_assert_msg(g.calls >= (nt == 1 ? 3 : 2), "only %d progress reports with %d threads", g.calls, nt);
        ck_assert_msg(g.last == g.total && g.total > 0, "the last report is %g of %g", g.last, g.total);
        ck_assert_msg(memcmp(p->h, ref->h, 13 * sizeof(double)) == 0, "a progress callback changed the bits");
        dlmkl_profile_free(p);
    }
    dlmkl_set_threads(0);
    dlmkl_profile_free(ref);
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_generated_tables)
{
    /* a generated table (dlmkl_gen): its entries, read in chunks of odd sizes, are the built table's
     * bits; its support is the count of nonzero entries; every unit's row computed from it equals
     * the row from the dense table, bit for bit, with 1 and 2 threads (chunks of 2048 entries:
     * L = 12, 13 cross chunk boundaries) */
    static const char *const specs[] = {
        "ising:L=12,J=0.7,h=0.2", "ising:L=1,J=0.3,h=-0.4", "ising:L=2,J=-1.5", "ising2d:rows=3,cols=4,J=0.4,h=0.1",
        "cw:L=13,J=0.9,h=-0.3", "cw:L=6,J=900", "product:L=12,V=2,p=0.3", "product:L=5,V=3,seed=4,alpha=0.5",
        "product:L=1,V=4,seed=2", "markov:L=13,stay=0.8", "markov:L=7,V=3,seed=9",
        "markov:L=6,V=3,trans=0.5/0.5/0/0/0.5/0.5/0.2/0/0.8,init=stationary", "markov:L=3,V=5,seed=3,conc=0.3",
        "ising:L=6,J=1e6,h=1", "mixprod:L=14,V=2,m=3,seed=7", "mixprod:L=13,V=2,m=1,seed=2",
        "mixprod:L=14,V=2,m=40,seed=9,alpha=0.3", "mixprod:L=9,V=3,m=4,seed=5,alpha=0.5", "mixprod:L=1,V=2,m=2,seed=1",
        "mixprod:L=6,V=3,m=2,seed=11,alpha=0.002", "mixprod:L=4,V=5,m=7,seed=3"};
    for (size_t c = 0; c < sizeof specs / sizeof specs[0]; c++) {
        dlmkl_dist *d;
        dlmkl_gen *g;
        ck_assert_int_eq(dlmkl_dist_from_spec(specs[c], 0, &d), DLMKL_OK);
        ck_assert_int_eq(dlmkl_gen_from_spec(specs[c], &g), DLMKL_OK);
        ck_assert_msg(g != NULL, "%s is generated", specs[c]);
        ck_assert_int_eq(dlmkl_gen_L(g), d->L);
        ck_assert_int_eq(dlmkl_gen_V(g), d->V);
        ck_assert(dlmkl_gen_size(g) == d->n);
        double *e = malloc(d->n * sizeof *e);
        uint64_t sup = 0;
        for (uint64_t i0 = 0, step = 1; i0 < d->n; i0 += step, step = step * 3 + 1) {
            const uint64_t m = d->n - i0 < step ? d->n - i0 : step;
            dlmkl_gen_fill(g, i0, m, e + i0);
        }
        for (uint64_t i = 0; i < d->n; i++)
            sup += d->p[i] > 0.0;
        ck_assert_msg(memcmp(e, d->p, d->n * sizeof *e) == 0, "generated entries of %s differ", specs[c]);
        ck_assert_msg(dlmkl_gen_support(g) == sup, "support of %s: %llu, counted %llu", specs[c],
                      (unsigned long long)dlmkl_gen_support(g), (unsigned long long)sup);
        const int L = d->L, n = dlmkl_profile_units(L, d->V);
        int *all = malloc((size_t)n * sizeof *all);
        for (int u = 0; u < n; u++)
            all[u] = u;
        double *r1 = malloc((size_t)n * (size_t)(L + 1) * sizeof *r1);
        double *r2 = malloc((size_t)n * (size_t)(L + 1) * sizeof *r2);
        ck_assert_int_eq(dlmkl_profile_units_compute(d, all, n, r1), DLMKL_OK);
        for (int nt = 1; nt <= 2; nt++) {
            dlmkl_set_threads(nt);
            ck_assert_int_eq(dlmkl_profile_units_compute_gen(g, all, n, r2), DLMKL_OK);
            ck_assert_msg(memcmp(r1, r2, (size_t)n * (size_t)(L + 1) * sizeof *r1) == 0,
                          "unit rows of generated %s differ (%d threads)", specs[c], nt);
        }
        dlmkl_set_threads(0);
        free(all), free(r1), free(r2), free(e);
        dlmkl_gen_free(g);
        dlmkl_dist_free(d);
    }
    /* not generated: *out = NULL, no error; errors of the spec as the builder's */
    static const char *const other[] = {"random:L=4,V=2,seed=1", "copy:L=4,V=2",
                                        "rs:q=5,n=3,k=2", "nosuch:L=3", "table:/nonexistent"};
    for (size_t c = 0; c < sizeof other / sizeof other[0]; c++) {
        dlmkl_gen *g = (dlmkl_gen *)&g;
        ck_assert_int_eq(dlmkl_gen_from_spec(other[c], &g), DLMKL_OK);
        ck_assert(g == NULL);
    }
    /* a table whose marginals of L−1 coordinates exceed the cap is not generated (its builder
     * reports the cap at once); with the cap one double above them it is */
    const size_t cap = dlmkl_max_memory();
    dlmkl_gen *big = NULL;
    dlmkl_set_max_memory((size_t)(1u << 19) * sizeof(double) - 1);
    ck_assert_int_eq(dlmkl_gen_from_spec("ising:L=20,J=0.5", &big), DLMKL_OK);
    ck_assert(big == NULL);
    dlmkl_set_max_memory((size_t)(1u << 19) * sizeof(double));
    ck_assert_int_eq(dlmkl_gen_from_spec("ising:L=20,J=0.5", &big), DLMKL_OK);
    ck_assert(big != NULL && dlmkl_gen_support(big) == (1u << 20));
    dlmkl_gen_free(big);
    dlmkl_set_max_memory(cap);
    static const char *const bad[] = {"ising:L=5", "ising:L=0,J=1", "cw:L=4,J=1,x=2", "product:L=3,V=2",
                                      "markov:L=4,V=3,stay=0.5", "ising2d:rows=8,cols=8,J=1", "product:L=63,V=2,p=0.5",
                                      "mixprod:L=3,V=2,seed=1", "mixprod:L=3,V=2,m=0,seed=1", "mixprod:L=4,m=2,seed=1,beta=1",
                                      "mixprod:L=41,V=3,m=2,seed=1", "mixprod:L=3,V=2,m=2,seed=1,alpha=0",
                                      "product:L=41,V=3,p=0.5", "markov:L=41,V=3,seed=1"};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        dlmkl_gen *g = (dlmkl_gen *)&g;
        dlmkl_dist *d;
        const int sd = dlmkl_dist_from_spec(bad[c], 0, &d);
        char msg[512];
        snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
        ck_assert_int_eq(dlmkl_gen_from_spec(bad[c], &g), sd);
        ck_assert(g == NULL && sd != DLMKL_OK);
        ck_assert_msg(strcmp(msg, dlmkl_last_error()) == 0, "%s: '%s' vs '%s'", bad[c], msg, dlmkl_last_error());
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("profile");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_profile_vs_brute_force);
    tcase_add_test(tc, test_profile_vs_brute_force_blocks);
    tcase_add_test(tc, test_workspace_within_one_table);
    tcase_add_test(tc, test_known_values);
    tcase_add_test(tc, test_identities);
    tcase_add_test(tc, test_threads_bit_identical);
    tcase_add_test(tc, test_units_split_bit_identical);
    tcase_add_test(tc, test_tiling_bit_identical);
    tcase_add_test(tc, test_progress_reports);
    tcase_add_test(tc, test_generated_tables);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
