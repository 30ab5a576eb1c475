/* test_kl_row.c: one result row. Values against the copy law's closed form (a random-order sampler
 * pays (s_1 − 1)·log2 V on the first step and nothing after, TC = (L−1) log2 V, DTC = H = log2 V);
 * the column table against the documented list; the writer's cells read back by dlmkl_csv_split:
 * one cell per column, units converted, worst-case dimensions empty where the ratio is. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/kl.h"
#include "dlmkl/schedule.h"
#include "testutil.h"

static const char *const documented =
    "schedule,positions,K,steps,sizes,kl_expected,kl_output,TC,DTC,H,Z_L,bound_tc_over_K,"
    "bound_dtc_over_K,bound_li_cai,bound_zl,bound_chen,zeta,worst_tc,d_tc,worst_dtc,d_dtc,ln_L";

START_TEST(test_columns_are_documented)
{
    char buf[1024];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    ck_assert_ptr_nonnull(f);
    dlmkl_kl_row_write_header(f);
    fclose(f);
    ck_assert_str_eq(buf, documented);
    int n = 1;
    for (const char *p = documented; *p; p++)
        n += *p == ',';
    ck_assert_int_eq(dlmkl_kl_row_ncolumns(), n);
    ck_assert_str_eq(dlmkl_kl_row_column(0), "schedule");
    ck_assert_str_eq(dlmkl_kl_row_column(n - 1), "ln_L");
    ck_assert_ptr_null(dlmkl_kl_row_column(n));
    ck_assert_ptr_null(dlmkl_kl_row_column(-1));
}
END_TEST

/* copy:L,V with balanced sizes: kl_expected = (s_1 − 1) log2 V, where s_1 is the first size */
START_TEST(test_copy_closed_form)
{
    const int Vs[] = {2, 3};
    for (int vi = 0; vi < 2; vi++)
        for (int L = 2; L <= 7; L++)
            for (int K = 1; K <= L; K++) {
                char spec[64];
                snprintf(spec, sizeof spec, "copy:L=%d,V=%d", L, Vs[vi]);
                dlmkl_dist *d = tu_dist(spec);
                dlmkl_profile *prof = tu_profile(d);
                dlmkl_positions pos;
                ck_assert_int_eq(dlmkl_positions_parse("random", &pos), DLMKL_OK);
                dlmkl_kl_row row;
                int st = dlmkl_kl_row_compute(prof, d, "balanced", K, &pos, DLMKL_OUTPUT_LAW_ALWAYS, &row);
                ck_assert_msg(st == DLMKL_OK, "%s K = %d: %s", spec, K, dlmkl_last_error());
                const double lv = log2((double)Vs[vi]);
                const int s1 = atoi(row.sizes);
                ck_assert_int_eq(row.K, K);
                ck_assert_int_eq(row.steps, K);
                TU_CLOSE(row.kl_expected, (s1 - 1) * lv, 1e-12, "%s K = %d sizes %s", spec, K, row.sizes);
                TU_CLOSE(row.TC, (L - 1) * lv, 1e-12, "%s", spec);
                TU_CLOSE(row.DTC, lv, 1e-12, "%s", spec);
                TU_CLOSE(row.H, lv, 1e-12, "%s", spec);
                /* convexity: the output law's KL is at most the expected KL */
                ck_assert_msg(row.kl_output <= row.kl_expected + 1e-12, "%s K = %d: kl_output %.17g > %.17g", spec,
                              K, row.kl_output, row.kl_expected);
                dlmkl_kl_row_clear(&row);
                dlmkl_profile_free(prof);
                dlmkl_dist_free(d);
            }
}
END_TEST

/* the written cells, read back: one per column, nats = bits·ln 2, empty d_* where worst_* is NaN */
START_TEST(test_write_reads_back)
{
    dlmkl_dist *d = tu_dist("markov:L=6,stay=0.8");
    dlmkl_profile *prof = tu_profile(d);
    const char *pos_specs[] = {"random", "l2r"};
    for (int pi = 0; pi < 2; pi++) {
        dlmkl_positions pos;
        ck_assert_int_eq(dlmkl_positions_parse(pos_specs[pi], &pos), DLMKL_OK);
        dlmkl_kl_row row;
        ck_assert_int_eq(dlmkl_kl_row_compute(prof, d, "balanced", 3, &pos, DLMKL_OUTPUT_LAW_ALWAYS, &row),
                         DLMKL_OK);
        for (int unit = 0; unit < 2; unit++) {
            char buf[2048];
            FILE *f = fmemopen(buf, sizeof buf, "w");
            ck_assert_ptr_nonnull(f);
            dlmkl_kl_row_write(f, &row, (dlmkl_unit)unit, dlmkl_profile_scale(prof));
            fclose(f);
            dlmkl_csv_row cells = {0};
            ck_assert_int_eq(dlmkl_csv_split(buf, &cells), DLMKL_OK);
            ck_assert_msg(cells.n == dlmkl_kl_row_ncolumns(), "positions %s: %d cells for %d columns: %s",
                          pos_specs[pi], cells.n, dlmkl_kl_row_ncolumns(), buf);
            const double u = unit ? log(2.0) : 1.0;
            for (int c = 0; c < cells.n; c++) {
                const char *name = dlmkl_kl_row_column(c);
                const char *v = cells.field[c];
                if (strcmp(name, "kl_expected") == 0)
                    TU_CLOSE(strtod(v, NULL), u * row.kl_expected, 1e-15, "unit %d", unit);
                else if (strcmp(name, "TC") == 0)
                    TU_CLOSE(strtod(v, NULL), u * row.TC, 1e-15, "unit %d", unit);
                else if (strcmp(name, "K") == 0)
                    ck_assert_int_eq(atoi(v), 3);
                else if (strcmp(name, "positions") == 0)
                    ck_assert_str_eq(v, pos_specs[pi]);
                else if (strcmp(name, "d_tc") == 0 || strcmp(name, "d_dtc") == 0) {
                    const double w = strcmp(name, "d_tc") == 0 ? row.worst_tc : row.worst_dtc;
                    ck_assert_msg((*v == '\0') == (isnan(w) != 0), "%s = '%s' with its ratio %g", name, v, w);
                } else if (strcmp(name, "zeta") == 0)
                    ck_assert_str_eq(v, ""); /* not a Chen schedule */
            }
            dlmkl_csv_row_free(&cells);
        }
        dlmkl_kl_row_clear(&row);
    }
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_profile_only_errors)
{
    dlmkl_dist *d = tu_dist("copy:L=4");
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_positions pos;
    ck_assert_int_eq(dlmkl_positions_parse("l2r", &pos), DLMKL_OK);
    dlmkl_kl_row row;
    /* ordered positions need the table; the message names no command-line flag */
    ck_assert_int_eq(dlmkl_kl_row_compute(prof, NULL, "balanced", 2, &pos, DLMKL_OUTPUT_LAW_NEVER, &row),
                     DLMKL_EINVAL);
    ck_assert_ptr_null(strstr(dlmkl_last_error(), "--"));
    ck_assert_int_eq(dlmkl_positions_parse("random", &pos), DLMKL_OK);
    ck_assert_int_eq(dlmkl_kl_row_compute(prof, NULL, "balanced", 2, &pos, DLMKL_OUTPUT_LAW_ALWAYS, &row),
                     DLMKL_EINVAL);
    ck_assert_ptr_null(strstr(dlmkl_last_error(), "--"));
    /* without the table, kl_output is not computed: NaN, an empty cell */
    ck_assert_int_eq(dlmkl_kl_row_compute(prof, NULL, "balanced", 2, &pos, DLMKL_OUTPUT_LAW_AUTO, &row), DLMKL_OK);
    ck_assert(isnan(row.kl_output));
    TU_CLOSE(row.kl_expected, 1.0, 1e-12, "copy:L=4 sizes %s", row.sizes);
    dlmkl_kl_row_clear(&row);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kl_row");
    TCase *tc = tcase_create("kl_row");
    tcase_add_test(tc, test_columns_are_documented);
    tcase_add_test(tc, test_copy_closed_form);
    tcase_add_test(tc, test_write_reads_back);
    tcase_add_test(tc, test_profile_only_errors);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
