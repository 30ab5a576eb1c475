/* test_law_file.c: the law: file reader — good files (header in any order, extra columns, quoting,
 * CRLF, a byte-order mark, blank lines) read back row by row through the step law, against the rows
 * written; bad files each refused with their reason and no schedule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlmkl/law_file.h"
#include "testutil.h"


/* A law for L = 4, K = 2: from m = 0 reveal 1 or 3 (prob 0.25, 0.75), then the rest. */
static void check_law4(dlmkl_schedule *s, const char *what, int has_row22)
{
    ck_assert_msg(s->kind == DLMKL_SCHED_LAW && s->L == 4 && s->nsteps == 2, "%s: kind %d L %d K %d", what, s->kind, s->L, s->nsteps);
    double ps[5];
    ck_assert_int_eq(dlmkl_schedule_step_law(s, 0, 0, ps), DLMKL_OK);
    const double want0[5] = {0, 0.25, 0, 0.75, 0};
    for (int j = 0; j <= 4; j++)
        ck_assert_msg(ps[j] == want0[j], "%s: P(s_1 = %d | m = 0) = %g, expected %g", what, j, ps[j], want0[j]);
    ck_assert_int_eq(dlmkl_schedule_step_law(s, 1, 1, ps), DLMKL_OK);
    ck_assert_msg(ps[3] == 1 && ps[0] == 0 && ps[1] == 0 && ps[2] == 0, "%s: row (2, 1)", what);
    ck_assert_int_eq(dlmkl_schedule_step_law(s, 1, 3, ps), DLMKL_OK);
    ck_assert_msg(ps[1] == 1 && ps[0] == 0, "%s: row (2, 3)", what);
    if (!has_row22) /* a state the law never reaches, and no row for it */
        ck_assert_int_eq(dlmkl_schedule_step_law(s, 1, 2, ps), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_schedule_max_size(s), 3);
}

START_TEST(test_good_files)
{
    static const char *texts[] = {
        "k,m,s,prob\n1,0,1,0.25\n1,0,3,0.75\n2,1,3,1\n2,3,1,1\n",
        "prob,s,m,k\n0.75,3,0,1\n0.25,1,0,1\n1,1,3,2\n1,3,1,2\n",                  /* any column order */
        ",k,m,s,prob\n0,1,0,1,0.25\n1,1,0,3,0.75\n2,2,1,3,1\n3,2,3,1,1\n",          /* pandas' index column */
        "\xEF\xBB\xBFk,m,s,prob\r\n1,0,1,0.25\r\n\r\n1,0,3,\"0.75\"\r\n2,1,3,1\r\n2,3,1,1\r\n", /* BOM, CRLF, quotes */
        "k,m,s,prob\n1,0,1,0.25\n1,0,3,0.75\n1,0,2,0\n2,1,3,1\n2,3,1,1\n2,2,2,1\n", /* zero rows, extra states */
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *p = tu_write_tmp(texts[i]);
        dlmkl_schedule *s = NULL;
        int st = dlmkl_law_file_read(p, 4, 0, &s);
        ck_assert_msg(st == DLMKL_OK, "good file %zu refused: %s", i, dlmkl_last_error());
        char what[32];
        snprintf(what, sizeof what, "file %zu", i);
        check_law4(s, what, i == 4);
        dlmkl_schedule_free(s);
        /* the budget given must be the file's K */
        ck_assert_int_eq(dlmkl_law_file_read(p, 4, 2, &s), DLMKL_OK);
        dlmkl_schedule_free(s);
        s = NULL;
        ck_assert_int_eq(dlmkl_law_file_read(p, 4, 3, &s), DLMKL_EINVAL);
        ck_assert(s == NULL);
        unlink(p);
    }
}
END_TEST

START_TEST(test_bad_files)
{
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"", "empty"},
        {"k,m,s\n1,0,4,1\n", "lacks column 'prob'"},
        {"k,m,s,prob\n", "no rows"},
        {"k,m,s,prob\n1,0,2,0.5\n1,0,1,0.4\n2,2,2,1\n2,1,3,1\n", "sums to"},
        {"k,m,s,prob\n1,0,2,0.5\n1,0,2,0.5\n2,2,2,1\n", "twice"},
        {"k,m,s,prob\n1,0,2,1\n2,2,1,1\n", "last iteration"},
        {"k,m,s,prob\n1,0,2,0.5\n1,0,1,0.5\n2,2,2,1\n", "no row"},
        {"k,m,s,prob\n1,0,5,1\n", "out of range"},
        {"k,m,s,prob\n0,0,4,1\n", "column k"},
        {"k,m,s,prob\n1,0,2.5,1\n", "not an integer"},
        {"k,m,s,prob\n1,0,4,1.5\n", "column prob"},
        {"k,m,s,prob\n1,0,4,nan\n", "column prob"},
        {"k,m,s,prob\n1,0\n", "missing"},
        {"k,m,s,prob\n1,0,4,\"1\n", "line 2"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *p = tu_write_tmp(bad[i].text);
        dlmkl_schedule *s = NULL;
        int st = dlmkl_law_file_read(p, 4, 0, &s);
        ck_assert_msg(st != DLMKL_OK && s == NULL, "bad file %zu ('%s') accepted", i, bad[i].why);
        ck_assert_msg(strstr(dlmkl_last_error(), bad[i].why) != NULL, "bad file %zu: message '%s' lacks '%s'", i,
                      dlmkl_last_error(), bad[i].why);
        unlink(p);
    }
    dlmkl_schedule *s = NULL;
    ck_assert_int_eq(dlmkl_law_file_read("/nonexistent/law.csv", 4, 0, &s), DLMKL_EIO);
    ck_assert(strstr(dlmkl_last_error(), "cannot open") != NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("law_file");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_good_files);
    tcase_add_test(tc, test_bad_files);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
