/* test_profile_sparse.c: the sparse-support profile against the dense profile (random sparse and
 * dense laws), closed forms (perm, mds, parity, copy), thread counts, bad input and the route choice. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "dlmkl/host.h"
#include "dlmkl/profile_sparse.h"

/* a Dirichlet table with all but about `keep` of its entries zeroed (seeded), renormalised */
static dlmkl_dist *sparse_table(int L, int V, unsigned long seed, uint64_t keep)
{
    dlmkl_dist *d = tu_random_table(L, V, seed, 0.8);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed + 17);
    double s = 0.0;
    const double frac = (double)keep / (double)d->n;
    for (uint64_t i = 0; i < d->n; i++) {
        if (gsl_rng_uniform(r) >= frac)
            d->p[i] = 0.0;
        s += d->p[i];
    }
    if (s == 0.0) {
        d->p[d->n / 2] = 1.0;
        s = 1.0;
    }
    for (uint64_t i = 0; i < d->n; i++)
        d->p[i] /= s;
    gsl_rng_free(r);
    return d;
}

static dlmkl_profile *sparse_profile(const dlmkl_dist *d)
{
    dlmkl_profile *p = dlmkl_profile_alloc(d->L);
    ck_assert_ptr_nonnull(p);
    int st = dlmkl_profile_compute_sparse(d, p);
    ck_assert_msg(st == DLMKL_OK, "sparse profile failed: %s", dlmkl_last_error());
    return p;
}

static void vs_dense(dlmkl_dist *d, const char *what)
{
    dlmkl_profile *a = sparse_profile(d), *b = tu_profile(d);
    for (int m = 0; m <= d->L; m++)
        TU_CLOSE(a->h[m], b->h[m], 1e-12 * fmax(1.0, fabs(b->h[m])), "%s L=%d V=%d m=%d", what, d->L, d->V, m);
    dlmkl_profile_free(a);
    dlmkl_profile_free(b);
}

START_TEST(test_vs_dense_sparse_laws)
{
    /* (L, V, kept entries): classes refined by counting (V <= 4s, s > 16 points), insertion
     * (s <= 16) and a sort of pairs (V > 4s: V = 100, 300), one-byte and (V = 300) four-byte digits */
    static const int cases[][3] = {{1, 2, 1}, {2, 3, 2},  {4, 2, 3},   {5, 3, 20},  {6, 2, 10},   {4, 5, 40},
                                   {7, 4, 300}, {8, 3, 500}, {13, 2, 500}, {6, 7, 1000}, {10, 2, 1}, {9, 3, 5000}, {9, 2, 20}, {5, 4, 30}, {12, 2, 3},
                                   {3, 100, 20}, {2, 300, 40}, {3, 40, 2000}, {4, 12, 3000}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        dlmkl_dist *d = sparse_table(cases[c][0], cases[c][1], 300 + c, (uint64_t)cases[c][2]);
        vs_dense(d, "sparse law");
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_vs_dense_dense_laws)
{
    static const int cases[][2] = {{3, 2}, {6, 2}, {4, 3}, {3, 5}, {9, 2}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        dlmkl_dist *d = tu_random_table(cases[c][0], cases[c][1], 700 + c, 0.6);
        vs_dense(d, "dense law");
        dlmkl_dist_free(d);
    }
}
END_TEST

/* the sparse profile of a family against its closed form */
static void vs_closed(const char *spec, double tol)
{
    dlmkl_dist *d = tu_dist(spec);
    dlmkl_profile *a = sparse_profile(d), *b = NULL;
    ck_assert_msg(dlmkl_profile_closed_form(spec, &b) == DLMKL_OK, "closed form %s: %s", spec, dlmkl_last_error());
    ck_assert_int_eq(b->L, d->L);
    for (int m = 0; m <= d->L; m++)
        TU_CLOSE(a->h[m], b->h[m], tol * fmax(1.0, b->h[m]), "%s m=%d", spec, m);
    dlmkl_profile_free(a);
    dlmkl_profile_free(b);
    dlmkl_dist_free(d);
}

START_TEST(test_vs_closed_forms)
{
    vs_closed("perm:n=5", 1e-13);
    vs_closed("perm:n=7", 1e-13);
    vs_closed("mds:q=5,n=5,k=3", 1e-13);
    vs_closed("mds:q=7,n=7,k=3", 1e-13);
    vs_closed("parity:L=12", 1e-13);
    vs_closed("parity:L=8,V=3", 1e-13);
    vs_closed("copy:L=18,V=3", 1e-13);
    vs_closed("copy:L=6,V=9", 1e-13);
}
END_TEST

START_TEST(test_vs_closed_forms_large)
{
    vs_closed("perm:n=8", 1e-13);
    vs_closed("perm:n=9", 1e-13);
    vs_closed("copy:L=20", 1e-13);
}
END_TEST

START_TEST(test_threads_bit_identical)
{
    static const char *specs[] = {"perm:n=6", "mds:q=7,n=6,k=2", "parity:L=13", "copy:L=14,V=3"};
    for (size_t c = 0; c < 5; c++) {
        dlmkl_dist *d = c < 4 ? tu_dist(specs[c]) : sparse_table(12, 3, 99, 3000);
        dlmkl_set_threads(1);
        dlmkl_profile *a = sparse_profile(d);
        dlmkl_set_threads(2);
        dlmkl_profile *b = sparse_profile(d);
        dlmkl_set_threads(3);
        dlmkl_profile *e = sparse_profile(d);
        dlmkl_set_threads(0);
        ck_assert_msg(memcmp(a->h, b->h, (size_t)(d->L + 1) * sizeof(double)) == 0, "case %zu: 1 vs 2 threads", c);
        ck_assert_msg(memcmp(a->h, e->h, (size_t)(d->L + 1) * sizeof(double)) == 0, "case %zu: 1 vs 3 threads", c);
        dlmkl_profile_free(a), dlmkl_profile_free(b), dlmkl_profile_free(e);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_support_api_and_bad_input)
{
    /* x = (1,0,2) and (2,2,0) on [3]^3 with 1/4, 3/4, listed in either order (and as a repeat) */
    dlmkl_profile *p = dlmkl_profile_alloc(3);
    uint64_t idx[] = {1 * 9 + 0 * 3 + 2, 2 * 9 + 2 * 3 + 0};
    double pr[] = {0.25, 0.75};
    ck_assert_int_eq(dlmkl_profile_sparse_support(3, 3, idx, pr, 2, p), DLMKL_OK);
    const double hb = -(0.25 * log2(0.25) + 0.75 * log2(0.75));
    for (int m = 1; m <= 3; m++)
        TU_CLOSE(p->h[m], hb, 1e-15, "two points m=%d", m);
    uint64_t idx2[] = {idx[1], idx[0]};
    double pr2[] = {0.75, 0.25};
    ck_assert_int_eq(dlmkl_profile_sparse_support(3, 3, idx2, pr2, 2, p), DLMKL_OK);
    TU_CLOSE(p->h[2], hb, 1e-15, "swapped");
    uint64_t idx3[] = {idx[0], idx[1], idx[1]};
    double pr3[] = {0.25, 0.5, 0.25};
    ck_assert_int_eq(dlmkl_profile_sparse_support(3, 3, idx3, pr3, 3, p), DLMKL_OK);
    TU_CLOSE(p->h[3], hb, 1e-15, "repeat");

    uint64_t bad_idx[] = {1, 27};
    ck_assert_int_eq(dlmkl_profile_sparse_support(3, 3, bad_idx, pr, 2, p), DLMKL_EINVAL);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "beyond V^L"));
    double bad_p[] = {1.0, 0.0};
    ck_assert_int_eq(dlmkl_profile_sparse_support(3, 3, idx, bad_p, 2, p), DLMKL_EINVAL);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "finite and > 0"));
    double bad_s[] = {0.25, 0.5};
    ck_assert_int_eq(dlmkl_profile_sparse_support(3, 3, idx, bad_s, 2, p), DLMKL_ESUM);
    ck_assert_int_eq(dlmkl_profile_sparse_support(3, 3, idx, pr, 0, p), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_profile_sparse_support(4, 3, idx, pr, 2, p), DLMKL_EINVAL);
    /* 2^62 subsets: refused by its cost, not run */
    dlmkl_profile *p62 = dlmkl_profile_alloc(62);
    uint64_t one = 0;
    double pone = 1.0;
    ck_assert_int_eq(dlmkl_profile_sparse_support(62, 2, &one, &pone, 1, p62), DLMKL_ECOST);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "smaller L"));
    dlmkl_profile_free(p62);
    const size_t cap = dlmkl_max_memory();
    dlmkl_set_max_memory(64);
    ck_assert_int_eq(dlmkl_profile_sparse_support(3, 3, idx, pr, 2, p), DLMKL_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "memory cap"));
    dlmkl_set_max_memory(cap);
    dlmkl_profile_free(p);
}
END_TEST

START_TEST(test_route_choice)
{
    /* perm:n=10 (N = 10!): the dense workspace alone is far above any cap; copy on [3]^20 (N = 3) */
    ck_assert_int_eq(dlmkl_profile_sparse_preferred(10, 10, 3628800, 2), 1);
    ck_assert_int_eq(dlmkl_profile_sparse_preferred(20, 3, 3, 2), 1);
    /* perm:n=8, 9: the lattice walk, estimated 3.7x and 5x cheaper than dense (measured ~9x and ~10x) */
    ck_assert_int_eq(dlmkl_profile_sparse_preferred(9, 9, 362880, 2), 1);
    ck_assert_int_eq(dlmkl_profile_sparse_preferred(8, 8, 40320, 1), 1);
    /* parity:L=16 (N = 2^15): the walk refines half the table per subset, dense */
    ck_assert_int_eq(dlmkl_profile_sparse_preferred(16, 2, 1u << 15, 1), 0);
    /* a full-support binary table, parity at L = 20, and any small table (mds:q=7,n=7,k=2): dense */
    ck_assert_int_eq(dlmkl_profile_sparse_preferred(7, 7, 49, 2), 0);
    ck_assert_int_eq(dlmkl_profile_sparse_preferred(10, 2, 1024, 2), 0);
    ck_assert_int_eq(dlmkl_profile_sparse_preferred(20, 2, 1u << 19, 2), 0);
    ck_assert(dlmkl_profile_sparse_cost(20, 3, 3) < 1e-3 * dlmkl_profile_dense_cost(20, 3));
    /* the auto route: dense gives dlmkl_profile_compute's bits, sparse the sparse route's */
    dlmkl_dist *d = tu_random_table(8, 2, 5, 0.5);
    int used = -1;
    dlmkl_profile *a = dlmkl_profile_alloc(8), *b = tu_profile(d);
    ck_assert_int_eq(dlmkl_profile_compute_auto(d, a, &used), DLMKL_OK);
    ck_assert_int_eq(used, 0);
    ck_assert(memcmp(a->h, b->h, 9 * sizeof(double)) == 0);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    dlmkl_dist_free(d);
    d = tu_dist("copy:L=12,V=3");
    a = dlmkl_profile_alloc(12);
    b = sparse_profile(d);
    ck_assert_int_eq(dlmkl_profile_compute_auto(d, a, &used), DLMKL_OK);
    ck_assert_int_eq(used, 1);
    ck_assert(memcmp(a->h, b->h, 13 * sizeof(double)) == 0);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    dlmkl_dist_free(d);
}
END_TEST

/* the generated support equals the table's nonzero entries, in order and bit for bit */
static void support_vs_table(const char *spec)
{
    dlmkl_support *s = NULL, *c = NULL;
    ck_assert_msg(dlmkl_support_from_spec(spec, 0, &s) == DLMKL_OK && s, "%s: %s", spec, dlmkl_last_error());
    ck_assert_int_eq(dlmkl_support_from_spec(spec, 1, &c), DLMKL_OK);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(c->idx);
    ck_assert_ptr_null(c->p);
    dlmkl_dist *d = tu_dist(spec);
    ck_assert_int_eq(s->L, d->L);
    ck_assert_int_eq(s->V, d->V);
    ck_assert_int_eq(c->L, d->L);
    ck_assert_int_eq(c->V, d->V);
    ck_assert_uint_eq(s->N, dlmkl_dist_support_size(d));
    ck_assert_uint_eq(c->N, s->N);
    uint64_t k = 0;
    for (uint64_t i = 0; i < d->n; i++)
        if (d->p[i] > 0.0) {
            ck_assert_msg(s->idx[k] == i, "%s: point %llu", spec, (unsigned long long)k);
            ck_assert_msg(memcmp(&s->p[k], &d->p[i], sizeof(double)) == 0, "%s: p of point %llu", spec,
                          (unsigned long long)k);
            k++;
        }
    /* the sparse profile of the support has the bits of the table's sparse profile */
    dlmkl_profile *a = dlmkl_profile_alloc(d->L), *b = sparse_profile(d);
    ck_assert_int_eq(dlmkl_profile_sparse_support(s->L, s->V, s->idx, s->p, s->N, a), DLMKL_OK);
    ck_assert(memcmp(a->h, b->h, (size_t)(d->L + 1) * sizeof(double)) == 0);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    dlmkl_dist_free(d);
    dlmkl_support_free(s), dlmkl_support_free(c);
}

START_TEST(test_support_generators)
{
    static const char *specs[] = {"copy:L=5,V=3", "copy:L=1,V=4", "parity:L=6,V=3", "parity:L=1", "parity:L=9",
                                  "perm:n=2",     "perm:n=6",     "mds:q=5,n=4,k=2", "rs:q=7,n=5,k=3", "mds:q=3,n=3,k=3"};
    for (size_t c = 0; c < sizeof specs / sizeof specs[0]; c++)
        support_vs_table(specs[c]);
    /* families without a generator, and no family: nothing, no error (the caller builds the table) */
    dlmkl_support *s = (dlmkl_support *)1;
    ck_assert_int_eq(dlmkl_support_from_spec("product:L=3,V=2,p=0.3", 0, &s), DLMKL_OK);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(dlmkl_support_from_spec("nosuch:L=3", 0, &s), DLMKL_OK);
    ck_assert_ptr_null(s);
    /* perm:n=10 counted without any table (10^10 cells): 10! points */
    ck_assert_int_eq(dlmkl_support_from_spec("perm:n=10", 1, &s), DLMKL_OK);
    ck_assert_uint_eq(s->N, 3628800);
    ck_assert_int_eq(s->L, 10);
    dlmkl_support_free(s);
    /* the family's own errors; V^L beyond 64 bits; the memory cap */
    ck_assert_int_eq(dlmkl_support_from_spec("perm:n=1", 1, &s), DLMKL_EINVAL);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "perm"));
    ck_assert_int_eq(dlmkl_support_from_spec("mds:q=6,n=4,k=2", 1, &s), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_support_from_spec("copy:L=5,V=3,x=1", 1, &s), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_support_from_spec("perm:n=20", 1, &s), DLMKL_ETOOBIG);
    ck_assert_ptr_null(s);
    const size_t cap = dlmkl_max_memory();
    dlmkl_set_max_memory(1 << 20);
    ck_assert_int_eq(dlmkl_support_from_spec("perm:n=9", 0, &s), DLMKL_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "memory cap"));
    dlmkl_set_max_memory(cap);
}
END_TEST

/* a host handle of a spec whose sparse route is chosen holds the support: the same profile bits as
 * the table's route, and the table when asked for */
START_TEST(test_host_support_handle)
{
    static const char *specs[] = {"perm:n=8", "copy:L=16,V=3"};
    for (size_t c = 0; c < 2; c++) {
        dlmkl_dist *d = tu_dist(specs[c]);
        dlmkl_profile *a = dlmkl_profile_alloc(d->L);
        int used = 0;
        ck_assert_int_eq(dlmkl_profile_compute_auto(d, a, &used), DLMKL_OK);
        ck_assert_int_eq(used, 1);
        dlmkl_host *h = NULL, *g = NULL;
        ck_assert_int_eq(dlmkl_host_from_spec(specs[c], 0, &h), DLMKL_OK);
        ck_assert_int_eq(dlmkl_host_L(h), d->L);
        ck_assert_int_eq(dlmkl_host_V(h), d->V);
        char *csv = NULL, *csv2 = NULL;
        ck_assert_int_eq(dlmkl_host_profile_csv(h, DLMKL_BITS, &csv), DLMKL_OK);
        ck_assert_int_eq(dlmkl_host_from_table(d->p, d->L, d->V, 0, specs[c], &g), DLMKL_OK);
        ck_assert_int_eq(dlmkl_host_profile_csv(g, DLMKL_BITS, &csv2), DLMKL_OK);
        ck_assert_str_eq(csv, csv2);
        double *tab = malloc((size_t)d->n * sizeof *tab);
        ck_assert_int_eq(dlmkl_host_table(h, tab, d->n), DLMKL_OK);
        ck_assert(memcmp(tab, d->p, (size_t)d->n * sizeof *tab) == 0);
        free(tab);
        dlmkl_host_text_free(csv), dlmkl_host_text_free(csv2);
        dlmkl_host_free(h), dlmkl_host_free(g);
        dlmkl_profile_free(a);
        dlmkl_dist_free(d);
    }
}
END_TEST

/* perm:n=10 from its generated support (10^10 cells never built) against the closed form */
START_TEST(test_perm10_no_table)
{
    dlmkl_support *s = NULL;
    ck_assert_int_eq(dlmkl_support_from_spec("perm:n=10", 0, &s), DLMKL_OK);
    dlmkl_profile *a = dlmkl_profile_alloc(10), *b = NULL;
    ck_assert_int_eq(dlmkl_profile_sparse_support(s->L, s->V, s->idx, s->p, s->N, a), DLMKL_OK);
    ck_assert_int_eq(dlmkl_profile_closed_form("perm:n=10", &b), DLMKL_OK);
    for (int m = 0; m <= 10; m++)
        TU_CLOSE(a->h[m], b->h[m], 1e-13 * fmax(1.0, b->h[m]), "perm:n=10 m=%d", m);
    dlmkl_profile_free(a), dlmkl_profile_free(b);
    dlmkl_support_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("profile_sparse");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_vs_dense_sparse_laws);
    tcase_add_test(tc, test_vs_dense_dense_laws);
    tcase_add_test(tc, test_vs_closed_forms);
    TU_ADD_SLOW_TEST(tc, test_vs_closed_forms_large);
    tcase_add_test(tc, test_threads_bit_identical);
    tcase_add_test(tc, test_support_api_and_bad_input);
    tcase_add_test(tc, test_route_choice);
    tcase_add_test(tc, test_support_generators);
    tcase_add_test(tc, test_host_support_handle);
    TU_ADD_SLOW_TEST(tc, test_perm10_no_table);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
