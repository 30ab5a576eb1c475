/* test_families.c: every record of the family table on its example spec, so that a new family is
 * checked by adding its record: the spec builds; the shape read from its keys is the built table's
 * L and V; its help lines are part of dlmkl_dist_spec_help(); the lookup finds it by name and
 * alias; a closed form equals the profile enumerated from the table (the second route). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dlmkl/dist.h"
#include "dlmkl/profile.h"
#include "families.h"
#include "testutil.h"

START_TEST(test_every_record)
{
    int nrec = 0, nclosed = 0;
    for (size_t i = 0; dlmkl_family_at(i); i++, nrec++) {
        const dlmkl_family *f = dlmkl_family_at(i);
        ck_assert_ptr_eq(dlmkl_family_find(f->name, strlen(f->name)), f);
        if (f->alias)
            ck_assert_ptr_eq(dlmkl_family_find(f->alias, strlen(f->alias)), f);
        ck_assert_msg((f->build_kv != NULL) != (f->build_args != NULL), "%s: exactly one builder", f->name);
        ck_assert_msg(f->help && strstr(dlmkl_dist_spec_help(), f->help), "%s: help lines not in the help", f->name);
        if (!f->example)
            continue;
        ck_assert_msg(strncmp(f->example, f->name, strlen(f->name)) == 0 && f->example[strlen(f->name)] == ':',
                      "%s: example '%s' is of another family", f->name, f->example);
        dlmkl_dist *d = tu_dist(f->example);
        long L, V;
        dlmkl_family_shape(f->example, &L, &V);
        ck_assert_msg(L == d->L && V == d->V, "%s: shape L = %ld, V = %ld; the table has L = %d, V = %d", f->example, L,
                      V, d->L, d->V);
        if (f->closed_form) {
            nclosed++;
            dlmkl_profile *want = tu_profile(d), *got = NULL;
            int st = dlmkl_profile_closed_form(f->example, &got);
            ck_assert_msg(st == DLMKL_OK, "%s: %s", f->example, dlmkl_last_error());
            ck_assert_int_eq(got->L, want->L);
            for (int m = 0; m <= want->L; m++)
                TU_CLOSE(got->h[m], want->h[m], 1e-12, "%s, h(%d)", f->example, m);
            dlmkl_profile_free(got);
            dlmkl_profile_free(want);
        } else {
            dlmkl_profile *got = NULL;
            ck_assert_int_eq(dlmkl_profile_closed_form(f->example, &got), DLMKL_EINVAL);
            ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "no closed-form profile"));
        }
        dlmkl_dist_free(d);
    }
    ck_assert_int_eq(nrec, 13);
    ck_assert_int_eq(nclosed, 8); /* copy, parity, product, mds, perm, markov, ising, cw */
    ck_assert_ptr_null(dlmkl_family_at((size_t)nrec));
    ck_assert_ptr_null(dlmkl_family_find("cop", 3));
    ck_assert_ptr_null(dlmkl_family_find("copyx", 5));
}
END_TEST

START_TEST(test_shapes)
{
    const struct {
        const char *spec;
        long L, V;
    } cases[] = {
        {"copy:L=7", 7, 2},
        {"copy:V=5,L=3", 3, 5},
        {"ising2d:cols=4,rows=3,J=1", 12, 2},
        {"ising2d:rows=3,J=1", -1, 2},
        {"perm:n=9", 9, 9},
        {"mds:q=7,n=5,k=2", 5, 7},
        {"rs:q=7,n=5,k=2", 5, 7},
        {"table:/no/such/file", -1, -1},
        {"mixture:0.5*{copy:L=3,V=4}+0.5*{parity:L=3,V=4}", 3, 4},
        {"mixture:1*{mixture:1*{perm:n=4}}", 4, 4},
        {"nosuch:L=3", 3, 2}, /* read anyway, so that building reports the unknown family */
        {"copy:L=x", -1, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long L, V;
        dlmkl_family_shape(cases[i].spec, &L, &V);
        ck_assert_msg(L == cases[i].L && V == cases[i].V, "%s: L = %ld, V = %ld; expected %ld, %ld", cases[i].spec, L,
                      V, cases[i].L, cases[i].V);
    }
}
END_TEST

START_TEST(test_unknown_family_lists_table)
{
    dlmkl_dist *d = NULL;
    ck_assert_int_eq(dlmkl_dist_from_spec("nosuch:L=3", 0, &d), DLMKL_EINVAL);
    const char *msg = dlmkl_last_error();
    for (size_t i = 0; dlmkl_family_at(i); i++)
        ck_assert_msg(strstr(msg, dlmkl_family_at(i)->name), "'%s' missing from: %s", dlmkl_family_at(i)->name, msg);
    ck_assert_ptr_nonnull(strstr(msg, "mds/rs"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("families");
    TCase *tc = tcase_create("families");
    tcase_add_test(tc, test_every_record);
    tcase_add_test(tc, test_shapes);
    tcase_add_test(tc, test_unknown_family_lists_table);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
