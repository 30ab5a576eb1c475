/* test_sweep_plan.c: planning a sweep. The number of rows against the product of the list sizes
 * counted here; L and V of each grid point read from the spec's own keys through the family table
 * (copy L=, ising2d rows·cols, mds n and q, perm n) against the table each spec builds; schedules
 * that fix their own K give their rows once. A table: spec needs no L key (L and V from the file);
 * relative file names (table:, law:, mixture and mix: components) resolve against the config's
 * folder, and the plan's file checksums follow the files' bytes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlmkl/dist.h"
#include "dlmkl/sweep.h"
#include "testutil.h"

static dlmkl_sweep_plan *plan_of(const char *text, dlmkl_sweep_config **cfg)
{
    int st = dlmkl_sweep_config_parse(text, "test.ini", 0, cfg);
    ck_assert_msg(st == DLMKL_OK, "config: %s", dlmkl_last_error());
    dlmkl_sweep_plan *p = NULL;
    st = dlmkl_sweep_plan_build(*cfg, &p);
    ck_assert_msg(st == DLMKL_OK, "plan: %s", dlmkl_last_error());
    return p;
}

START_TEST(test_shapes_from_family_table)
{
    const char *text = "[sweep]\n"
                       "name = t\n"
                       "K = 1..3\n"
                       "schedules = balanced\n"
                       "positions = random, l2r\n"
                       "[dist copy]\n"
                       "spec = copy:L={L},V=3\n"
                       "L = 3, 4\n"
                       "[dist grid]\n"
                       "spec = ising2d:rows=2,cols={c},J=0.4\n"
                       "c = 2, 3\n"
                       "[dist code]\n"
                       "spec = mds:q=5,n={n},k=2\n"
                       "n = 3, 4\n"
                       "[dist perm]\n"
                       "spec = perm:n=3\n";
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *p = plan_of(text, &cfg);
    /* 2 + 2 + 2 + 1 grid points, each 3 K values x 1 schedule x 2 position policies */
    ck_assert_int_eq(p->ndists, 7);
    ck_assert_int_eq(p->nrows, 7 * 3 * 2);
    for (int i = 0; i < p->ndists; i++) {
        const dlmkl_sweep_dist *dd = &p->dists[i];
        dlmkl_dist *d = tu_dist(dd->spec);
        ck_assert_msg(dd->L == d->L && dd->V == d->V, "%s: planned L = %d, V = %d; built L = %d, V = %d", dd->spec,
                      dd->L, dd->V, d->L, d->V);
        ck_assert_int_eq(dd->nrows, 3 * 2);
        for (long r = dd->first_row; r < dd->first_row + dd->nrows; r++)
            ck_assert_int_eq(p->rows[r].dist, i);
        dlmkl_dist_free(d);
    }
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);
}
END_TEST

/* rows = Σ over grid points of |K| · |schedules| · |positions|, a K-fixing schedule once per point */
START_TEST(test_row_count)
{
    for (int nK = 1; nK <= 4; nK++)
        for (int nL = 1; nL <= 3; nL++) {
            char text[1024];
            snprintf(text, sizeof text,
                     "[sweep]\nname = t\npositions = random\n"
                     "[dist c]\nspec = copy:L={L}\nL = 6..%d\nK = 1..%d\nschedules = balanced, \"sizes:2,2,2\"\n"
                     "infeasible = skip\n",
                     5 + nL, nK);
            dlmkl_sweep_config *cfg;
            dlmkl_sweep_plan *p = plan_of(text, &cfg);
            long want = 0;
            for (int L = 6; L <= 5 + nL; L++)
                want += nK + (L == 6 ? 1 : 0); /* sizes:2,2,2 sums to 6: only L = 6 can take it */
            ck_assert_msg(p->nrows == want, "nK = %d nL = %d: %ld rows, reference %ld", nK, nL, p->nrows, want);
            /* the fixed sizes are tried once per L (at its first K) and skipped for L = 7.. */
            ck_assert_msg(p->ninfeasible == nL - 1, "nK = %d nL = %d: %ld infeasible, reference %d", nK, nL,
                          p->ninfeasible, nL - 1);
            dlmkl_sweep_plan_free(p);
            dlmkl_sweep_config_free(cfg);
        }
}
END_TEST

/* closed-form profiles have no table: V comes from the spec (q= for mds, n= for perm, V=, else
 * the families' default 2), so that every CSV row has its V */
START_TEST(test_closed_form_V)
{
    const char *text = "[sweep]\nname = t\nK = 2\nschedules = balanced\n"
                       "[dist a]\nprofile = perm:n=6\n[dist b]\nprofile = mds:q=7,n=5,k=2\n"
                       "[dist c]\nprofile = cw:L=5,J=0.3\n[dist d]\nprofile = markov:L=7,stay=0.8\n"
                       "[dist e]\nprofile = copy:L=9,V=4\n";
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *p = plan_of(text, &cfg);
    static const int wantL[] = {6, 5, 5, 7, 9}, wantV[] = {6, 7, 2, 2, 4};
    ck_assert_int_eq(p->ndists, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_msg(p->dists[i].L == wantL[i] && p->dists[i].V == wantV[i], "%s: L = %d, V = %d; want %d, %d",
                      p->dists[i].spec, p->dists[i].L, p->dists[i].V, wantL[i], wantV[i]);
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

START_TEST(test_files_relative_to_config)
{
    char dir[] = "/tmp/dlmkl_test_plan_XXXXXX";
    ck_assert(mkdtemp(dir) != NULL);
    char sub[600], cfgpath[600];
    snprintf(sub, sizeof sub, "%s/data", dir);
    ck_assert_int_eq(mkdir(sub, 0777), 0);
    /* a table with L = 2, V = 3 (header after a comment) and a law file: one token, then one */
    write_file(sub, "t.txt", "# a table\n2 3\n0.1\n0.1\n0.1\n0.1\n0.2\n0.1\n0.1\n0.1\n0.1\n");
    write_file(sub, "law.csv", "k,m,s,prob\n1,0,1,1\n2,1,1,1\n");
    const char *text = "[sweep]\nname = rel\n"
                       "[dist t]\nspec = table:data/t.txt\nK = 2\n"
                       "schedules = balanced, law:data/law.csv, \"mix:0.5*{law:data/law.csv}+0.5*{random-tc}\"\n"
                       "[dist m]\nspec = mixture:1*{table:data/t.txt}+1*{copy:L=2,V=3}\nK = 2\nschedules = balanced\n";
    snprintf(cfgpath, sizeof cfgpath, "%s/c.ini", dir);
    dlmkl_sweep_config *cfg;
    ck_assert_int_eq(dlmkl_sweep_config_parse(text, cfgpath, 0, &cfg), DLMKL_OK);
    ck_assert_str_eq(cfg->base_dir, dir);
    dlmkl_sweep_plan *p = NULL;
    int st = dlmkl_sweep_plan_build(cfg, &p); /* the test runs elsewhere: data/ is found through the config */
    ck_assert_msg(st == DLMKL_OK, "plan: %s", dlmkl_last_error());
    ck_assert_int_eq(p->ndists, 2);
    ck_assert_int_eq(p->nrows, 4);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(p->dists[i].L == 2 && p->dists[i].V == 3, "%s: L = %d, V = %d, the file says 2 3",
                      p->dists[i].spec, p->dists[i].L, p->dists[i].V);
        ck_assert_str_eq(p->dists[i].spec, i ? "mixture:1*{table:data/t.txt}+1*{copy:L=2,V=3}" : "table:data/t.txt");
    }
    /* the file checksums: equal for the same bytes, another after an edit of the same size */
    const uint64_t h_table = p->dists[0].files_hash, h_law = p->rows[1].files_hash;
    ck_assert(p->dists[1].files_hash == h_table);
    ck_assert(p->rows[2].files_hash == h_law);
    ck_assert(p->rows[0].files_hash == 0 && p->rows[3].files_hash == 0);
    dlmkl_sweep_plan_free(p);
    write_file(sub, "t.txt", "# a table\n2 3\n0.1\n0.1\n0.1\n0.1\n0.1\n0.2\n0.1\n0.1\n0.1\n");
    write_file(sub, "law.csv", "k,m,s,prob\n1,0,2,1\n2,2,0,1\n");
    ck_assert_int_eq(dlmkl_sweep_plan_build(cfg, &p), DLMKL_OK);
    ck_assert(p->dists[0].files_hash != h_table && p->dists[1].files_hash == p->dists[0].files_hash);
    ck_assert(p->rows[1].files_hash != h_law);
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);

    /* grid points of one section with the same table spec (a placeholder used by K only) share its
     * shape; another section reads the file again */
    const char *text2 = "[sweep]\nname = rel2\nschedules = balanced\n"
                        "[dist t]\nspec = table:data/t.txt\nr = 1, 2\nK = r\n"
                        "[dist u]\nspec = table:data/t.txt\nK = 1\n";
    ck_assert_int_eq(dlmkl_sweep_config_parse(text2, cfgpath, 0, &cfg), DLMKL_OK);
    st = dlmkl_sweep_plan_build(cfg, &p);
    ck_assert_msg(st == DLMKL_OK, "plan: %s", dlmkl_last_error());
    ck_assert_int_eq(p->ndists, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(p->dists[i].L == 2 && p->dists[i].V == 3 && p->dists[i].files_hash == p->dists[0].files_hash,
                      "grid point %d: L = %d, V = %d", i, p->dists[i].L, p->dists[i].V);
    ck_assert_int_eq(p->rows[1].K, 2);
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);

    /* a config read from the current folder (no '/'): names as written */
    ck_assert_int_eq(dlmkl_sweep_config_parse(text, "c.ini", 0, &cfg), DLMKL_OK);
    ck_assert_ptr_null(cfg->base_dir);
    st = dlmkl_sweep_plan_build(cfg, &p);
    ck_assert_msg(st != DLMKL_OK && strstr(dlmkl_last_error(), "data/t.txt") != NULL &&
                      strstr(dlmkl_last_error(), "cannot tell L") != NULL,
                  "a missing table without an L key: '%s'", dlmkl_last_error());
    dlmkl_sweep_config_free(cfg);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* predictors and value-adaptive positions: rows = |K|·|schedules|·(|blind| + |sized|·|pred|) +
 * |self-sized|·|pred|, predictors innermost, canonical predictor names, self-sized rows once with
 * schedule "none" and K = 0, value-blind rows without a predictor only when the section has none */
START_TEST(test_predictor_dimension)
{
    for (int nK = 1; nK <= 3; nK++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "[dist m]\nspec = markov:L=6,stay=0.8\nK = 1..%d\nschedules = balanced, linear\n"
                 "positions = confidence, threshold:tau=0.7, random\npredictor = exact, temp:2.0, \"mix:0.1,seed=3\"\n"
                 "[dist n]\nspec = markov:L=5,stay=0.7\nK = 2\nschedules = balanced\n"
                 "positions = random, eb:gamma=0.5\n",
                 nK);
        dlmkl_sweep_config *cfg;
        dlmkl_sweep_plan *p = plan_of(text, &cfg);
        const long want_m = (long)nK * 2 * 2 * 3 + 3, want = want_m + 1 + 1;
        ck_assert_msg(p->nrows == want, "nK = %d: %ld rows, reference %ld", nK, p->nrows, want);
        ck_assert_int_eq(p->adaptive, 1);
        /* first K and schedule: confidence x 3 predictors, threshold x 3 (self-sized), random x 3 */
        const char *pos[] = {"confidence", "confidence", "confidence", "threshold:tau=0.7", "threshold:tau=0.7",
                             "threshold:tau=0.7", "random", "random", "random"};
        const char *pred[] = {"exact", "temp:2", "mix:0.1,seed=3"};
        for (int r = 0; r < 9; r++) {
            ck_assert_str_eq(p->rows[r].positions, pos[r]);
            ck_assert_str_eq(p->rows[r].predictor, pred[r % 3]);
            ck_assert_int_eq(p->rows[r].self_sized, r >= 3 && r < 6);
            ck_assert_str_eq(p->rows[r].schedule, r >= 3 && r < 6 ? "none" : "balanced");
            ck_assert_int_eq(p->rows[r].K, r >= 3 && r < 6 ? 0 : 1);
        }
        for (long r = 9; r < want_m; r++)
            ck_assert_int_eq(p->rows[r].self_sized, 0);
        /* the section without predictors: random is value-blind (no predictor), eb self-sized (exact) */
        ck_assert_ptr_null(p->rows[want_m].predictor);
        ck_assert_str_eq(p->rows[want_m + 1].predictor, "exact");
        ck_assert_int_eq(p->rows[want_m + 1].self_sized, 1);
        dlmkl_sweep_plan_free(p);
        dlmkl_sweep_config_free(cfg);
    }
    /* a sweep without either has no adaptive columns */
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *p =
        plan_of("[dist m]\nspec = markov:L=6,stay=0.8\nK = 2\nschedules = balanced\npositions = random, l2r\n", &cfg);
    ck_assert_int_eq(p->adaptive, 0);
    ck_assert_ptr_null(p->rows[0].predictor);
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sweep_plan");
    TCase *tc = tcase_create("sweep_plan");
    tcase_add_test(tc, test_shapes_from_family_table);
    tcase_add_test(tc, test_row_count);
    tcase_add_test(tc, test_files_relative_to_config);
    tcase_add_test(tc, test_closed_form_V);
    tcase_add_test(tc, test_predictor_dimension);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
