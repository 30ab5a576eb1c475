/* test_predictor.c: imperfect predictors (predictor.h) against their definitions, computed here by
 * other routes (pow instead of exp/log, explicit sorting), on fixed and random conditionals; specs,
 * names and errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "dlmkl/common.h"
#include "dlmkl/predictor.h"
#include "testutil.h"

static dlmkl_predictor P(const char *spec)
{
    dlmkl_predictor p;
    ck_assert_msg(dlmkl_predictor_parse(spec, &p) == DLMKL_OK, "%s: %s", spec, dlmkl_last_error());
    return p;
}

/* values sorted decreasing, ties toward the lower index (these test vectors have no near-ties) */
static void order_desc(int V, const double *c, int *ord)
{
    for (int v = 0; v < V; v++)
        ord[v] = v;
    for (int i = 1; i < V; i++)
        for (int k = i; k > 0 && c[ord[k - 1]] < c[ord[k]]; k--) {
            int t = ord[k];
            ord[k] = ord[k - 1], ord[k - 1] = t;
        }
}

START_TEST(test_definitions)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 17);
    for (int trial = 0; trial < 200; trial++) {
        const int V = 2 + trial % 6;
        double c[8], out[8], want[8], alpha[8];
        for (int v = 0; v < V; v++)
            alpha[v] = 0.5;
        gsl_ran_dirichlet(r, (size_t)V, alpha, c);
        if (trial % 5 == 0)
            c[trial % V] = 0, c[(trial + 1) % V] += 0; /* a zero */
        double s = 0;
        for (int v = 0; v < V; v++)
            s += c[v];
        for (int v = 0; v < V; v++)
            c[v] /= s;
        /* temperature */
        const double T = 0.3 + 0.2 * (trial % 9);
        char spec[64];
        snprintf(spec, sizeof spec, "temp:%g", T);
        dlmkl_predictor p = P(spec);
        dlmkl_predictor_apply(&p, V, c, 5, 1, out);
        double z = 0;
        for (int v = 0; v < V; v++)
            z += want[v] = pow(c[v], 1.0 / T);
        for (int v = 0; v < V; v++)
            TU_CLOSE(out[v], want[v] / z, 1e-12, "trial %d temp %g v %d", trial, T, v);
        /* top-k */
        int ord[8];
        order_desc(V, c, ord);
        const int k = 1 + trial % V;
        snprintf(spec, sizeof spec, "topk:%d", k);
        p = P(spec);
        dlmkl_predictor_apply(&p, V, c, 5, 1, out);
        z = 0;
        memset(want, 0, sizeof want);
        for (int j = 0; j < k; j++)
            z += want[ord[j]] = c[ord[j]];
        for (int v = 0; v < V; v++)
            TU_CLOSE(out[v], want[v] / z, 1e-15, "trial %d topk %d v %d", trial, k, v);
        /* top-p: the shortest prefix of the sorted law with mass >= P */
        const double pp = 0.1 + 0.1 * (trial % 10);
        snprintf(spec, sizeof spec, "topp:%g", pp);
        p = P(spec);
        dlmkl_predictor_apply(&p, V, c, 5, 1, out);
        z = 0;
        memset(want, 0, sizeof want);
        for (int j = 0; j < V && z < pp - 1e-12; j++)
            z += want[ord[j]] = c[ord[j]];
        for (int v = 0; v < V; v++)
            TU_CLOSE(out[v], want[v] / z, 1e-15, "trial %d topp %g v %d", trial, pp, v);
        /* top-p with P at or below the 1e-12 tolerance keeps the first-ranked symbol alone (the
         * prefix is never empty: before, p̂ was all zeros) */
        const char *tiny[] = {"topp:1e-12", "topp:1e-300", "topp:0.0000000000001"};
        for (int t = 0; t < 3; t++) {
            p = P(tiny[t]);
            dlmkl_predictor_apply(&p, V, c, 5, 1, out);
            for (int v = 0; v < V; v++)
                ck_assert_msg(out[v] == (v == ord[0] ? 1.0 : 0.0), "trial %d %s: out[%d] = %g (top symbol %d)", trial,
                              tiny[t], v, out[v], ord[0]);
        }
        /* mix: (1 - E) c + E r with r a law, the same for the same (seed, y, i), another elsewhere */
        p = P("mix:0.25,seed=9");
        double out2[8], out3[8];
        dlmkl_predictor_apply(&p, V, c, 77, 2, out);
        dlmkl_predictor_apply(&p, V, c, 77, 2, out2);
        dlmkl_predictor_apply(&p, V, c, 78, 2, out3);
        double sr = 0;
        int differ = 0;
        for (int v = 0; v < V; v++) {
            ck_assert(out[v] == out2[v]);
            const double rv = (out[v] - 0.75 * c[v]) / 0.25;
            ck_assert_msg(rv > 0, "trial %d: r_%d = %g", trial, v, rv);
            sr += rv;
            differ |= out3[v] != out[v];
        }
        TU_CLOSE(sr, 1.0, 1e-12, "trial %d mix", trial);
        ck_assert_msg(differ, "trial %d: mix gives the same r at two states", trial);
        /* exact */
        dlmkl_predictor_apply(NULL, V, c, 0, 0, out);
        for (int v = 0; v < V; v++)
            ck_assert(out[v] == c[v]);
    }
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_specs)
{
    const char *good[][2] = {{"exact", "exact"},         {"temp:0.5", "temp:0.5"},         {"topk:2", "topk:2"},
                             {"topp:0.9", "topp:0.9"},   {"mix:0.1,seed=3", "mix:0.1,seed=3"},
                             {"mix:eps=0.2,seed=0", "mix:0.2,seed=0"},
                             /* names keep every digit the parameter needs to read back exactly */
                             {"topp:0.66666666666666666666666", "topp:0.6666666666666666"},
                             {"temp:0.1234567890123456789", "temp:0.12345678901234568"},
                             {"mix:1e-300,seed=1", "mix:1e-300,seed=1"}};
    char buf[64];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        dlmkl_predictor p = P(good[i][0]);
        ck_assert_str_eq(dlmkl_predictor_name(&p, buf, sizeof buf), good[i][1]);
    }
    const char *bad[] = {"", "temp", "temp:0", "temp:-1", "topk:0", "topk:1.5", "topp:0", "topp:1.01",
                         "mix:0.1",  "mix:1.5,seed=1", "mix:0.1,seed=-1", "mix:0.1,sed=1", "foo:1", "exact:1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dlmkl_predictor p;
        ck_assert_msg(dlmkl_predictor_parse(bad[i], &p) == DLMKL_EINVAL, "'%s' accepted", bad[i]);
        ck_assert_msg(strlen(dlmkl_last_error()) > 0, "'%s': no message", bad[i]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("predictor");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_definitions);
    tcase_add_test(tc, test_specs);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
