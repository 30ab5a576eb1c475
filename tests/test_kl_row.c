/* test_kl_row.c: one result row. Values against the copy law's closed form (a random-order sampler
 * pays (s_1 − 1)·log2 V on the first step and nothing after, TC = (L−1) log2 V, DTC = H = log2 V);
 * the column table against the documented list; the writer's cells read back by dlmkl_csv_split:
 * one cell per column, units converted, worst-case dimensions empty where the ratio is. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/adaptive.h"
#include "dlmkl/kl.h"
#include "dlmkl/overshoot.h"
#include "dlmkl/worst.h"
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
/* A large i.i.d. row (above DLMKL_ROW_IID_BETA_MIN_WORK window cells, few non-zero ΔZ) takes its worst
 * case and kl_expected from order-statistic O(d): every column against the whole overshoot (the route of
 * smaller rows) to 1e-12 relative, the maximisers d equal, the other columns bit for bit. */
START_TEST(test_large_iid_row_vs_overshoot)
{
    if (tu_fast())
        return; /* the window route takes seconds here; minutes under valgrind */
    static const char *specs[] = {"iid:linear", "iid:cosine"};
    const int L = 20000, K = 2048;
    dlmkl_profile *prof = NULL;
    ck_assert_int_eq(dlmkl_profile_closed_form("copy:L=20000", &prof), DLMKL_OK);
    dlmkl_positions pos;
    ck_assert_int_eq(dlmkl_positions_parse("random", &pos), DLMKL_OK);
    for (size_t i = 0; i < 2; i++) {
        dlmkl_schedule *s = NULL;
        ck_assert_int_eq(dlmkl_schedule_from_spec(specs[i], L, K, NULL, &s), DLMKL_OK);
        ck_assert(dlmkl_overshoot_cost(s) > DLMKL_ROW_IID_BETA_MIN_WORK && dlmkl_kl_expected_iid_beta_applies(prof, s));
        dlmkl_kl_row row;
        ck_assert_int_eq(dlmkl_kl_row_compute_schedule(prof, NULL, s, &pos, DLMKL_OUTPUT_LAW_NEVER, NULL, &row), DLMKL_OK);
        double *O = malloc(((size_t)L + 1) * sizeof *O);
        ck_assert_int_eq(dlmkl_overshoot(s, O), DLMKL_OK);
        dlmkl_worst w;
        dlmkl_worst_from_overshoot(L, K, O, &w);
        const double kl = dlmkl_kl_from_overshoot(prof, O);
        TU_CLOSE(row.kl_expected, kl, 1e-12 * kl, "%s kl_expected", specs[i]);
        TU_CLOSE(row.worst_tc, w.worst_tc, 1e-12 * w.worst_tc, "%s worst_tc", specs[i]);
        TU_CLOSE(row.worst_dtc, w.worst_dtc, 1e-12 * w.worst_dtc, "%s worst_dtc", specs[i]);
        ck_assert_int_eq(row.d_tc, w.d_tc);
        ck_assert_int_eq(row.d_dtc, w.d_dtc);
        ck_assert(row.ln_L == w.ln_L && row.TC == dlmkl_profile_tc(prof) && row.H == prof->h[L] && isnan(row.kl_output));
        printf("test_large_iid_row_vs_overshoot %s: kl_expected rel %.2e, worst_tc rel %.2e, worst_dtc rel %.2e\n",
               specs[i], fabs(row.kl_expected - kl) / kl, fabs(row.worst_tc - w.worst_tc) / w.worst_tc,
               fabs(row.worst_dtc - w.worst_dtc) / w.worst_dtc);
        free(O);
        dlmkl_kl_row_clear(&row);
        dlmkl_schedule_free(s);
    }
    dlmkl_profile_free(prof);
}
END_TEST

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

/* ---- rows of value-adaptive policies and predictors (dlmkl_kl_row_compute_adaptive) ---- */

START_TEST(test_adaptive_columns_are_documented)
{
    static const char *const doc =
        "predictor,kl_predictor,kl_path,iterations_mean,iterations_mean_ideal,iterations_law,bound_policy,bound_step";
    char buf[512];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    ck_assert_ptr_nonnull(f);
    dlmkl_kl_row_write_adaptive_header(f);
    fclose(f);
    ck_assert_str_eq(buf, doc);
    ck_assert_int_eq(dlmkl_kl_row_adaptive_ncolumns(), 8);
    ck_assert_str_eq(dlmkl_kl_row_adaptive_column(0), "predictor");
    ck_assert_str_eq(dlmkl_kl_row_adaptive_column(6), "bound_policy");
    ck_assert_str_eq(dlmkl_kl_row_adaptive_column(7), "bound_step");
    ck_assert_ptr_null(dlmkl_kl_row_adaptive_column(8));
    ck_assert_ptr_null(dlmkl_kl_row_adaptive_column(-1));
}
END_TEST

/* The row's text after the dist,L,V,unit cells: row cells, an empty seed, the adaptive cells. These
 * strings are the bytes `dlmkl kl` wrote for these cases before the adaptive row moved into the
 * library (commit bbda07a, cli_kl.c's own row function), so the move is checked byte for byte; the
 * last cell, bound_step, was added later (branch ebbound; the others unchanged): empty, or gamma
 * times the steps revealing >= 2 positions (copy:L=5 eb:gamma=0.3: one such step, 0.3 bits = 0.3 ln 2
 * nats), or F_3(0.6)·(L − iterations_mean_ideal) = (h2(0.6) + 0.4)·0.19379313985668212. */
static const struct {
    const char *dist, *schedule;
    int K;
    const char *positions, *predictor;
    dlmkl_output_law_mode mode;
    dlmkl_unit unit;
    const char *text;
} pinned[] = {
    {"markov:L=5,stay=0.8", "balanced", 3, "confidence", "exact", DLMKL_OUTPUT_LAW_ALWAYS, DLMKL_BITS,
     "balanced,confidence,3,3,2-2-1,0.46052526794976939,0.46052526794976889,1.1122876204505512,0.82543199362403463,"
     "3.8877123795494488,0.38754392281491734,,,,,,,,,,,,,exact,0,0.46052526794976889,3,3,3:1,,"},
    {"ising:L=6,J=0.7", "balanced", 3, "threshold:tau=0.8", "mix:0.2,seed=4", DLMKL_OUTPUT_LAW_ALWAYS,
     DLMKL_BITS,
     "none,threshold:tau=0.8,0,0,,0,0.10746011668388039,1.4123062180340007,1.0182991814076274,4.5876937819660011,"
     "0.40510089990693832,,,,,,,,,,,,,\"mix:0.2,seed=4\",0.10746011668388189,0.10746011668388189,6.0000000000000027,"
     "6.0000000000000018,6:1.0000000000000004,,"},
    {"ising:L=6,J=0.7", "balanced", 3, "eb:gamma=0.5", "exact", DLMKL_OUTPUT_LAW_ALWAYS, DLMKL_BITS,
     "none,eb:gamma=0.5,0,0,,0,0,1.4123062180340007,1.0182991814076274,4.5876937819660011,0.40510089990693832,,,,,,"
     ",,,,,,,exact,0,0,6,6,6:1,3,0"},
    {"copy:L=5", "sizes:2,2,1", -1, "eb:gamma=0.3", "exact", DLMKL_OUTPUT_LAW_AUTO, DLMKL_NATS,
     "none,eb:gamma=0.3,0,0,,0,0,2.7725887222397811,0.69314718055994529,0.69314718055994529,0.69314718055994529,,,,"
     ",,,,,,,,,exact,0,0,2,2,2:1,0.41588830833596718,0.20794415416798359"},
    {"random:L=4,V=3,seed=7,alpha=0.3", "balanced", 2, "threshold:tau=0.6", "exact", DLMKL_OUTPUT_LAW_AUTO,
     DLMKL_BITS,
     "none,threshold:tau=0.6,0,0,,0.027664451769885866,0.027664451769885211,0.8936179431480733,1.368373432080352,"
     "5.2509114283374263,0.56549784380710655,,,,,,,,,,,,,exact,0,0.027664451769885842,3.8062068601433179,"
     "3.8062068601433179,3:0.1937931398566822;4:0.80620686014331788,,0.26568082028775519"},
    {"ising:L=6,J=0.7", "iid:cosine", 3, "confidence", "temp:2", DLMKL_OUTPUT_LAW_AUTO, DLMKL_BITS,
     "iid:cosine,confidence,3,3,,0.83227513588082691,0.87038856306904067,1.4123062180340007,1.0182991814076274,"
     "4.5876937819660011,0.40510089990693832,,,,,,,,,,,,,temp:2,0.13396470047596798,0.96623983635679467,"
     "2.4975721331744141,2.4975721331744141,1:0.018035518562663062;2:0.4663568297002611;3:0.51560765173707623,,"},
    /* a value-blind row (no adaptive pass) in a call with adaptive rows: empty adaptive cells */
    {"random:L=4,V=3,seed=7,alpha=0.3", "balanced", 2, "l2r", NULL, DLMKL_OUTPUT_LAW_AUTO, DLMKL_BITS,
     "balanced,l2r,2,2,2-2,0.44225782420693349,0.44225782420693294,0.8936179431480733,1.368373432080352,"
     "5.2509114283374263,0.56549784380710655,0.44680897157403665,0.684186716040176,0.56549784380710633,"
     "0.56549784380710655,,,,,,,,,,,,,,,,"},
};

START_TEST(test_adaptive_row_bytes)
{
    for (size_t c = 0; c < sizeof pinned / sizeof pinned[0]; c++) {
        dlmkl_dist *d = tu_dist(pinned[c].dist);
        dlmkl_profile *prof = tu_profile(d);
        dlmkl_kl_row row;
        int st;
        if (pinned[c].predictor) {
            dlmkl_adaptive pol;
            dlmkl_predictor pred;
            ck_assert_int_eq(dlmkl_adaptive_parse(pinned[c].positions, &pol), DLMKL_OK);
            ck_assert_int_eq(dlmkl_predictor_parse(pinned[c].predictor, &pred), DLMKL_OK);
            st = dlmkl_kl_row_compute_adaptive(prof, d, pinned[c].schedule, pinned[c].K, &pol, &pred, pinned[c].mode,
                                               &row);
        } else {
            dlmkl_positions pos;
            ck_assert_int_eq(dlmkl_positions_parse(pinned[c].positions, &pos), DLMKL_OK);
            st = dlmkl_kl_row_compute(prof, d, pinned[c].schedule, pinned[c].K, &pos, pinned[c].mode, &row);
        }
        ck_assert_msg(st == DLMKL_OK, "case %zu: %s", c, dlmkl_last_error());
        char buf[4096];
        FILE *f = fmemopen(buf, sizeof buf, "w");
        ck_assert_ptr_nonnull(f);
        dlmkl_kl_row_write(f, &row, pinned[c].unit, dlmkl_profile_scale(prof));
        fputs(",,", f);
        dlmkl_kl_row_write_adaptive(f, &row, pinned[c].unit, dlmkl_profile_scale(prof));
        fclose(f);
        ck_assert_msg(strcmp(buf, pinned[c].text) == 0, "case %zu (%s %s):\n got  %s\n want %s", c, pinned[c].dist,
                      pinned[c].positions, buf, pinned[c].text);
        dlmkl_kl_row_clear(&row);
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

/* Value-blind policies through the adaptive pass against the profile's formula (random positions)
 * and the ordered DP (l2r): kl_expected equal to 1e-12; kl_path = kl_expected + kl_predictor; the
 * row's value equals dlmkl_adaptive_eval's bit for bit. */
START_TEST(test_adaptive_row_value_blind)
{
    const char *dists[] = {"markov:L=5,stay=0.8", "ising:L=5,J=0.7", "random:L=4,V=3,seed=7,alpha=0.3"};
    const char *pols[] = {"random", "l2r"};
    for (int di = 0; di < 3; di++) {
        dlmkl_dist *d = tu_dist(dists[di]);
        dlmkl_profile *prof = tu_profile(d);
        for (int pi = 0; pi < 2; pi++)
            for (int K = 1; K <= d->L; K++) {
                dlmkl_adaptive pol;
                dlmkl_positions pos;
                ck_assert_int_eq(dlmkl_adaptive_parse(pols[pi], &pol), DLMKL_OK);
                ck_assert_int_eq(dlmkl_positions_parse(pols[pi], &pos), DLMKL_OK);
                dlmkl_kl_row a, b;
                ck_assert_int_eq(dlmkl_kl_row_compute_adaptive(prof, d, "balanced", K, &pol, NULL,
                                                               DLMKL_OUTPUT_LAW_ALWAYS, &a), DLMKL_OK);
                ck_assert_int_eq(dlmkl_kl_row_compute(prof, d, "balanced", K, &pos, DLMKL_OUTPUT_LAW_ALWAYS, &b),
                                 DLMKL_OK);
                TU_CLOSE(a.kl_expected, b.kl_expected, 1e-12, "%s %s K = %d", dists[di], pols[pi], K);
                TU_CLOSE(a.kl_output, b.kl_output, 1e-12, "%s %s K = %d", dists[di], pols[pi], K);
                ck_assert_int_eq(a.adaptive.used, 1);
                ck_assert_int_eq(b.adaptive.used, 0);
                ck_assert_str_eq(a.adaptive.predictor, "exact");
                ck_assert(a.adaptive.kl_predictor == 0.0);
                ck_assert_str_eq(a.sizes, b.sizes);
                ck_assert_str_eq(a.positions, b.positions);
                dlmkl_schedule *s;
                ck_assert_int_eq(dlmkl_schedule_from_spec("balanced", d->L, K, prof, &s), DLMKL_OK);
                dlmkl_adaptive_result res;
                ck_assert_int_eq(dlmkl_adaptive_eval(d, s, &pol, NULL, NULL, &res), DLMKL_OK);
                ck_assert(a.kl_expected == res.kl_expected && a.adaptive.kl_path == res.kl_path);
                dlmkl_schedule_free(s);
                dlmkl_kl_row_clear(&a);
                dlmkl_kl_row_clear(&b);
            }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
}
END_TEST

START_TEST(test_adaptive_row_needs_table)
{
    dlmkl_dist *d = tu_dist("copy:L=4");
    dlmkl_profile *prof = tu_profile(d);
    dlmkl_adaptive pol;
    ck_assert_int_eq(dlmkl_adaptive_parse("confidence", &pol), DLMKL_OK);
    dlmkl_kl_row row;
    ck_assert_int_eq(dlmkl_kl_row_compute_adaptive(prof, NULL, "balanced", 2, &pol, NULL, DLMKL_OUTPUT_LAW_AUTO, &row),
                     DLMKL_EINVAL);
    ck_assert_ptr_null(strstr(dlmkl_last_error(), "--"));
    /* a mixture of schedules is refused, with a message that names no flag */
    ck_assert_int_ne(dlmkl_kl_row_compute_adaptive(prof, d, "mix:1*{balanced}", 2, &pol, NULL, DLMKL_OUTPUT_LAW_AUTO,
                                                   &row), DLMKL_OK);
    ck_assert_ptr_null(strstr(dlmkl_last_error(), "--"));
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
}
END_TEST

/* theory.md (value-adaptive policies): with fixed sizes and a deterministic policy the output
 * determines the path, so kl_output = KL_path. The path of the sampler with a predictor p̂ is the
 * same function of its output (p̂ is a function of the state), so kl_output = kl_path for every
 * predictor; both laws give the same +inf. Self-sized policies are deterministic with no size
 * randomness. Random sizes (iid:cosine) only give kl_output <= kl_path. */
START_TEST(test_adaptive_output_equals_path)
{
    const char *dists[] = {"markov:L=5,stay=0.8", "ising:L=5,J=0.7", "random:L=4,V=3,seed=7,alpha=0.3"};
    const char *pols[] = {"confidence", "confidence:by=entropy", "confidence:by=margin", "l2r",
                          "threshold:tau=0.7", "eb:gamma=0.4", "entsum:eps=0.8"};
    const char *preds[] = {"exact", "temp:1.5", "topk:1", "topp:0.8", "mix:0.2,seed=4"};
    const char *scheds[] = {"balanced", "linear", "iid:cosine"};
    int n_eq = 0;
    for (int di = 0; di < 3; di++) {
        dlmkl_dist *d = tu_dist(dists[di]);
        dlmkl_profile *prof = tu_profile(d);
        const double tol = 1e-12 * (1.0 + dlmkl_profile_scale(prof));
        for (int pi = 0; pi < 7; pi++)
            for (int qi = 0; qi < 5; qi++)
                for (int si = 0; si < 3; si++)
                    for (int K = 2; K <= 3; K++) {
                        dlmkl_adaptive pol;
                        dlmkl_predictor pred;
                        ck_assert_int_eq(dlmkl_adaptive_parse(pols[pi], &pol), DLMKL_OK);
                        ck_assert_int_eq(dlmkl_predictor_parse(preds[qi], &pred), DLMKL_OK);
                        dlmkl_kl_row r;
                        ck_assert_int_eq(dlmkl_kl_row_compute_adaptive(prof, d, scheds[si], K, &pol, &pred,
                                                                       DLMKL_OUTPUT_LAW_ALWAYS, &r), DLMKL_OK);
                        const double ko = r.kl_output, kp = r.adaptive.kl_path, bs = r.adaptive.bound_step;
                        /* bound_step: only self-sized policies with the exact predictor, and then a
                         * bound on kl_expected at most bound_policy (eb, entsum) */
                        if (dlmkl_adaptive_self_sized(&pol) && pred.kind == DLMKL_PRED_EXACT) {
                            ck_assert_msg(r.kl_expected <= bs + tol, "%s %s: kl_expected %.17g > bound_step %.17g",
                                          dists[di], pols[pi], r.kl_expected, bs);
                            if (pol.kind != DLMKL_ADAPT_THRESHOLD)
                                ck_assert_msg(bs <= r.adaptive.bound_policy + tol, "%s %s", dists[di], pols[pi]);
                        } else {
                            ck_assert_msg(isnan(bs), "%s %s %s: bound_step %g", dists[di], pols[pi], preds[qi], bs);
                        }
                        const int fixed = dlmkl_adaptive_self_sized(&pol) || si < 2;
                        if (isinf(kp) || isinf(ko))
                            ck_assert_msg(!fixed || (isinf(kp) && isinf(ko)), "%s %s %s %s K=%d: %g vs %g",
                                          dists[di], pols[pi], preds[qi], scheds[si], K, ko, kp);
                        else if (fixed) {
                            TU_CLOSE(ko, kp, tol, "%s %s %s %s K=%d", dists[di], pols[pi], preds[qi], scheds[si], K);
                            n_eq++;
                        } else
                            ck_assert_msg(ko <= kp + tol, "%s %s %s K=%d: kl_output %.17g > kl_path %.17g",
                                          dists[di], pols[pi], preds[qi], K, ko, kp);
                        dlmkl_kl_row_clear(&r);
                    }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
    }
    ck_assert_int_gt(n_eq, 100);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kl_row");
    TCase *tc = tcase_create("kl_row");
    tcase_add_test(tc, test_columns_are_documented);
    tcase_add_test(tc, test_copy_closed_form);
    tcase_add_test(tc, test_large_iid_row_vs_overshoot);
    tcase_add_test(tc, test_write_reads_back);
    tcase_add_test(tc, test_profile_only_errors);
    tcase_add_test(tc, test_adaptive_columns_are_documented);
    tcase_add_test(tc, test_adaptive_row_bytes);
    tcase_add_test(tc, test_adaptive_row_value_blind);
    tcase_add_test(tc, test_adaptive_row_needs_table);
    tcase_add_test(tc, test_adaptive_output_equals_path);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
