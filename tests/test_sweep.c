/* test_sweep.c: the sweep config (lists, ranges, expressions, errors), grid expansion order and
 * count (against counts written out by hand), the CSV values of a tiny sweep against known values
 * (copy, parity, products), resume from a journal with a torn line (byte-identical result), and
 * the metadata fields. The CLI, kill -9 and the experiment configs are in test_sweep_cli.sh. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlmkl/dist.h"
#include "dlmkl/kl_output.h"
#include "dlmkl/sweep.h"
#include "internal.h" /* dlmkl_threads_setting, dlmkl_max_memory_setting */
#include "testutil.h"

/* ---- lists ---- */

static void expect_list(const char *text, int kind, const dlmkl_sweep_var *vars, int nvars, const char *const *want,
                        int nwant)
{
    dlmkl_sweep_list l;
    int st = dlmkl_sweep_list_expand(text, kind, vars, nvars, "test", &l);
    ck_assert_msg(st == DLMKL_OK, "list '%s' failed: %s", text, dlmkl_last_error());
    ck_assert_msg(l.n == nwant, "list '%s': %d values, expected %d", text, l.n, nwant);
    for (int i = 0; i < nwant; i++)
        ck_assert_msg(strcmp(l.v[i], want[i]) == 0, "list '%s' value %d = '%s', expected '%s'", text, i, l.v[i], want[i]);
    dlmkl_sweep_list_clear(&l);
}

/* the list must fail and its message must contain `needle` */
static void expect_list_error(const char *text, int kind, const dlmkl_sweep_var *vars, int nvars, const char *needle)
{
    dlmkl_sweep_list l;
    int st = dlmkl_sweep_list_expand(text, kind, vars, nvars, "cfg line 3, key K", &l);
    ck_assert_msg(st != DLMKL_OK, "list '%s' should fail", text);
    ck_assert_msg(strstr(dlmkl_last_error(), needle) != NULL, "list '%s': message '%s' lacks '%s'", text,
                  dlmkl_last_error(), needle);
    ck_assert_msg(strstr(dlmkl_last_error(), "cfg line 3, key K") != NULL, "list '%s': message '%s' lacks where",
                  text, dlmkl_last_error());
}

#define W(...) (const char *const[]){__VA_ARGS__}, (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

START_TEST(test_lists_and_ranges)
{
    const dlmkl_sweep_var L8[] = {{"L", "8"}};
    const dlmkl_sweep_var L12[] = {{"L", "12"}};
    expect_list("8,12,16", DLMKL_LIST_INTEGERS, NULL, 0, W("8", "12", "16"));
    expect_list(" 8 , 12 ", DLMKL_LIST_INTEGERS, NULL, 0, W("8", "12"));
    expect_list("1..5", DLMKL_LIST_INTEGERS, NULL, 0, W("1", "2", "3", "4", "5"));
    expect_list("1..L", DLMKL_LIST_INTEGERS, L8, 1, W("1", "2", "3", "4", "5", "6", "7", "8"));
    expect_list("1..10:3", DLMKL_LIST_INTEGERS, NULL, 0, W("1", "4", "7", "10"));
    expect_list("2..L:4", DLMKL_LIST_INTEGERS, L12, 1, W("2", "6", "10"));
    expect_list("pow2:1..L", DLMKL_LIST_INTEGERS, L12, 1, W("1", "2", "4", "8"));
    expect_list("pow2:3..L", DLMKL_LIST_INTEGERS, L8, 1, W("4", "8"));
    expect_list("2^0..2^3", DLMKL_LIST_INTEGERS, NULL, 0, W("1", "2", "4", "8"));
    expect_list("3^1..3^3", DLMKL_LIST_INTEGERS, NULL, 0, W("3", "9", "27"));
    expect_list("L/4, L/2, L", DLMKL_LIST_INTEGERS, L8, 1, W("2", "4", "8"));
    expect_list("(L+1)/2*3-1, 2^(L/4)", DLMKL_LIST_INTEGERS, L8, 1, W("11", "4"));
    /* duplicates dropped, first kept, order kept */
    expect_list("4, 1..3, 2, L/2", DLMKL_LIST_INTEGERS, L8, 1, W("4", "1", "2", "3"));
    expect_list("1, pow2:1..L, L", DLMKL_LIST_INTEGERS, L8, 1, W("1", "2", "4", "8"));
    /* values: literal unless a range or naming a variable */
    expect_list("0.6, 0.9", DLMKL_LIST_VALUES, L8, 1, W("0.6", "0.9"));
    expect_list("1/3, 2*L, L-1..L", DLMKL_LIST_VALUES, L8, 1, W("1/3", "16", "7", "8"));
    expect_list("abc, 1e-3", DLMKL_LIST_VALUES, L8, 1, W("abc", "1e-3"));
    /* quotes group commas; text lists are never evaluated */
    expect_list("balanced, \"sizes:4,3,1\", poly:a=2", DLMKL_LIST_TEXT, NULL, 0, W("balanced", "sizes:4,3,1", "poly:a=2"));
    expect_list("law:../a..b.csv, L", DLMKL_LIST_TEXT, L8, 1, W("law:../a..b.csv", "L"));
    /* later bindings of a name win */
    const dlmkl_sweep_var two[] = {{"L", "4"}, {"L", "6"}};
    expect_list("1..L", DLMKL_LIST_INTEGERS, two, 2, W("1", "2", "3", "4", "5", "6"));
}
END_TEST

START_TEST(test_list_errors)
{
    const dlmkl_sweep_var L8[] = {{"L", "8"}, {"stay", "0.6"}};
    expect_list_error("5..1", DLMKL_LIST_INTEGERS, NULL, 0, "empty range");
    expect_list_error("1..n", DLMKL_LIST_INTEGERS, L8, 2, "unknown name 'n'");
    expect_list_error("1..stay", DLMKL_LIST_INTEGERS, L8, 2, "is not an integer");
    expect_list_error("abc", DLMKL_LIST_INTEGERS, L8, 2, "unknown name 'abc'");
    expect_list_error("0.5", DLMKL_LIST_INTEGERS, L8, 2, "not an integer");
    expect_list_error("1..3:0", DLMKL_LIST_INTEGERS, NULL, 0, "step 0 must be >= 1");
    expect_list_error("", DLMKL_LIST_INTEGERS, NULL, 0, "empty list");
    expect_list_error("1,,2", DLMKL_LIST_INTEGERS, NULL, 0, "empty item");
    expect_list_error("1,2,", DLMKL_LIST_INTEGERS, NULL, 0, "empty item");
    expect_list_error("2^", DLMKL_LIST_INTEGERS, NULL, 0, "ends early");
    expect_list_error("(1+2", DLMKL_LIST_INTEGERS, NULL, 0, "missing ')'");
    expect_list_error("L/0", DLMKL_LIST_INTEGERS, L8, 2, "division by zero");
    expect_list_error("2^70", DLMKL_LIST_INTEGERS, NULL, 0, "overflows");
    expect_list_error("1..10^9", DLMKL_LIST_INTEGERS, NULL, 0, "more than");
    expect_list_error("\"a, b", DLMKL_LIST_TEXT, NULL, 0, "unbalanced");
    expect_list_error("pow2:1..8:2", DLMKL_LIST_INTEGERS, NULL, 0, "no step");
}
END_TEST

START_TEST(test_eval)
{
    const dlmkl_sweep_var v[] = {{"L", "12"}, {"a", "3"}};
    static const struct {
        const char *e;
        long long want;
    } cases[] = {{"2*(3+4)^2", 98}, {"-7/2", -4}, {"7/2", 3}, {"L/a+1", 5}, {"2^3^2", 512}, {"-2^2", -4},
                 {"L - a*2", 6},   {"((L))", 12}, {"+5", 5}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long long x;
        ck_assert_msg(dlmkl_sweep_eval(cases[i].e, v, 2, "t", &x) == DLMKL_OK, "'%s': %s", cases[i].e, dlmkl_last_error());
        ck_assert_msg(x == cases[i].want, "'%s' = %lld, expected %lld", cases[i].e, x, cases[i].want);
    }
    long long x;
    ck_assert(dlmkl_sweep_eval("1 2", v, 2, "t", &x) != DLMKL_OK);
    ck_assert(dlmkl_sweep_eval("", v, 2, "t", &x) != DLMKL_OK);
    ck_assert(dlmkl_sweep_eval("3L", v, 2, "t", &x) != DLMKL_OK);
}
END_TEST

/* ---- configs ---- */

static const char *good_cfg =
    "; a comment\n"
    "# another\n"
    "[sweep]\n"
    "name = demo\n"
    "unit = nats\n"
    "positions = random, l2r\n"
    "K = 1..2\n"
    "quick_K = 1\n"
    "\n"
    "[dist markov]\n"
    "spec = markov:L={L},V=2,stay={stay}   ; inline comment\n"
    "L = 6, 8\n"
    "stay = 0.6, 0.9\n"
    "quick_L = 4\n"
    "schedules = balanced, random-tc\n"
    "[dist big]\n"
    "profile = copy:L={L},V=2\n"
    "L = 64\n"
    "K = pow2:1..L\n"
    "schedules = balanced\n"
    "positions = random\n"
    "output_law = never\n";

START_TEST(test_config_parse)
{
    dlmkl_sweep_config *cfg;
    ck_assert_msg(dlmkl_sweep_config_parse(good_cfg, "demo.ini", 0, &cfg) == DLMKL_OK, "%s", dlmkl_last_error());
    ck_assert_str_eq(cfg->name, "demo");
    ck_assert_int_eq(cfg->unit, DLMKL_NATS);
    ck_assert_int_eq(cfg->nsections, 2);
    const dlmkl_sweep_section *m = &cfg->sec[0], *b = &cfg->sec[1];
    ck_assert_str_eq(m->name, "markov");
    ck_assert_int_eq(m->line, 10);
    ck_assert_str_eq(m->tmpl, "markov:L={L},V=2,stay={stay}");
    ck_assert_int_eq(m->closed_form, 0);
    ck_assert_int_eq(m->nparams, 2);
    ck_assert_str_eq(m->params[0].key, "L");
    ck_assert_str_eq(m->params[0].value, "6, 8");
    ck_assert_int_eq(m->params[0].line, 12);
    ck_assert_str_eq(m->params[1].key, "stay");
    ck_assert_str_eq(m->K.value, "1..2"); /* inherited from [sweep] */
    ck_assert_int_eq(m->K.line, 7);
    ck_assert_str_eq(m->positions.value, "random, l2r");
    ck_assert_int_eq(m->output_law, DLMKL_OUTPUT_LAW_AUTO);
    ck_assert_str_eq(b->name, "big");
    ck_assert_int_eq(b->closed_form, 1);
    ck_assert_str_eq(b->K.value, "pow2:1..L");
    ck_assert_str_eq(b->positions.value, "random");
    ck_assert_int_eq(b->output_law, DLMKL_OUTPUT_LAW_NEVER);
    dlmkl_sweep_config_free(cfg);

    /* --quick: quick_KEY replaces KEY within its section */
    ck_assert(dlmkl_sweep_config_parse(good_cfg, "demo.ini", 1, &cfg) == DLMKL_OK);
    ck_assert_str_eq(cfg->sec[0].params[0].value, "4");
    ck_assert_str_eq(cfg->sec[0].K.value, "1");
    ck_assert_str_eq(cfg->sec[1].K.value, "pow2:1..L"); /* the section's own K wins over [sweep] quick_K */
    ck_assert_int_eq(cfg->quick, 1);
    dlmkl_sweep_config_free(cfg);

    /* default name: the file's base name without extension */
    const char *mini = "[dist a]\nspec = parity:L=4\nK = 1\nschedules = balanced\n";
    ck_assert(dlmkl_sweep_config_parse(mini, "some/dir/q1_table.ini", 0, &cfg) == DLMKL_OK);
    ck_assert_str_eq(cfg->name, "q1_table");
    ck_assert_int_eq(cfg->sec[0].nparams, 0);
    dlmkl_sweep_config_free(cfg);

    /* mixture braces are not placeholders */
    const char *mix = "[dist a]\nspec = mixture:1*{copy:L=4}+1*{parity:L=4}\nK = 1\nschedules = balanced\n";
    ck_assert_msg(dlmkl_sweep_config_parse(mix, "m.ini", 0, &cfg) == DLMKL_OK, "%s", dlmkl_last_error());
    dlmkl_sweep_config_free(cfg);
}
END_TEST

/* each bad config must fail, and the message must contain every needle */
static void expect_cfg_error(const char *text, const char *n1, const char *n2)
{
    dlmkl_sweep_config *cfg = NULL;
    int st = dlmkl_sweep_config_parse(text, "bad.ini", 0, &cfg);
    ck_assert_msg(st != DLMKL_OK, "config should fail:\n%s", text);
    ck_assert_ptr_null(cfg);
    const char *msg = dlmkl_last_error();
    ck_assert_msg(strstr(msg, "bad.ini") != NULL, "message '%s' lacks the file name", msg);
    ck_assert_msg(strstr(msg, n1) != NULL, "message '%s' lacks '%s'", msg, n1);
    ck_assert_msg(!n2 || strstr(msg, n2) != NULL, "message '%s' lacks '%s'", msg, n2);
}

START_TEST(test_config_errors)
{
    const char *base = "[dist a]\nspec = parity:L=4\nK = 1\nschedules = balanced\n";
    char buf[1024];
    expect_cfg_error("[swep]\nname = x\n", "unknown section [swep]", "line 1");
    expect_cfg_error("[dist]\nspec = x\n", "[dist]", "line 1");
    expect_cfg_error("[dist a b]\nspec = x\n", "one word", NULL);
    expect_cfg_error("name = x\n[dist a]\n", "before any section", "line 1");
    snprintf(buf, sizeof buf, "[sweep]\nnmae = x\n%s", base);
    expect_cfg_error(buf, "unknown key 'nmae' in [sweep]", "line 2");
    snprintf(buf, sizeof buf, "[sweep]\nunit = furlongs\n%s", base);
    expect_cfg_error(buf, "unit = 'furlongs'", "line 2");
    snprintf(buf, sizeof buf, "[sweep]\nname = a/b\n%s", base);
    expect_cfg_error(buf, "plain file name", NULL);
    expect_cfg_error("[sweep]\nname = x\n", "no [dist NAME] section", NULL);
    expect_cfg_error("[dist a]\nspec = parity:L=4\nK = 1\nK = 2\nschedules = balanced\n", "given twice", "line 4");
    expect_cfg_error("[dist a]\nspec = parity:L=4\nprofile = parity:L=4\nK = 1\nschedules = b\n", "both spec", NULL);
    expect_cfg_error("[dist a]\nK = 1\nschedules = balanced\n", "needs 'spec", "[dist a]");
    expect_cfg_error("[dist a]\nspec = parity:L=4\nschedules = balanced\n", "has no 'K'", NULL);
    expect_cfg_error("[dist a]\nspec = parity:L=4\nK = 1\n", "has no 'schedules'", NULL);
    expect_cfg_error("[dist a]\nspec = markov:L={L},stay={stay}\nL = 4\nK = 1\nschedules = b\n",
                     "placeholder {stay} has no values", "line 2");
    expect_cfg_error("[dist a]\nspec = parity:L=4\nK = 1\nshedules = balanced\nschedules = b\n", "key 'shedules' is not a setting",
                     "line 4");
    expect_cfg_error("[dist a]\nspec = parity:L=4\nK = 1\nschedules = b\noutput_law = sometimes\n", "output_law = 'sometimes'",
                     "line 5");
    expect_cfg_error("[dist a]\nspec = parity:L=4\nK = 1\nschedules = b\ninfeasible = ignore\n", "infeasible = 'ignore'", NULL);
    expect_cfg_error("[dist a]\nspec = parity:L={H}\nH = 4\nK = 1\nschedules = b\n", "'H' is a CSV column", "line 3");
    expect_cfg_error("[dist a]\nspec = parity:L=4\nK = 1\nschedules = b\nquick_L = 3\n", "quick_L", "no 'L'");
    expect_cfg_error("[dist a]\nspec = parity:L=4\nthis line is not ini\nK = 1\n", "line 3", "key = value");
    expect_cfg_error("[dist a]\nspec = parity:L={L\nL = 4\nK = 1\nschedules = b\n", "without '}'", NULL);
    expect_cfg_error("[dist a]\nspec = x\nK = 1\nschedules = b\n[dist a]\nspec = y\nK = 1\nschedules = b\n", "appears twice",
                     "line 5");
}
END_TEST

/* ---- grid expansion ---- */

static dlmkl_sweep_plan *plan_of(const char *text, int quick, dlmkl_sweep_config **cfgp)
{
    dlmkl_sweep_config *cfg;
    ck_assert_msg(dlmkl_sweep_config_parse(text, "g.ini", quick, &cfg) == DLMKL_OK, "%s", dlmkl_last_error());
    dlmkl_sweep_plan *plan;
    ck_assert_msg(dlmkl_sweep_plan_build(cfg, &plan) == DLMKL_OK, "%s", dlmkl_last_error());
    *cfgp = cfg;
    return plan;
}

START_TEST(test_grid_order_and_count)
{
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *p = plan_of(good_cfg, 0, &cfg);
    /* markov: L (2) x stay (2) dists, each K (2) x schedules (2) x positions (2) = 8 rows;
     * big: 1 dist, K = 1,2,4,...,64 (7) x 1 x 1 */
    ck_assert_int_eq(p->ndists, 5);
    ck_assert_int_eq(p->nrows, 4 * 8 + 7);
    ck_assert_int_eq(p->nparams, 1); /* stay (L has its own column) */
    ck_assert_str_eq(p->param_names[0], "stay");
    static const char *specs[] = {"markov:L=6,V=2,stay=0.6", "markov:L=6,V=2,stay=0.9", "markov:L=8,V=2,stay=0.6",
                                  "markov:L=8,V=2,stay=0.9", "copy:L=64,V=2"};
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(p->dists[i].spec, specs[i]);
        ck_assert_int_eq(p->dists[i].first_row, 8 * i);
    }
    ck_assert_int_eq(p->dists[2].L, 8);
    ck_assert_str_eq(p->dists[3].param[0], "0.9");
    ck_assert_ptr_null(p->dists[4].param[0]);
    ck_assert_str_eq(p->dists[4].family, "copy");
    /* innermost positions, then schedules, then K */
    static const struct {
        int K;
        const char *s, *pos;
    } first8[] = {{1, "balanced", "random"}, {1, "balanced", "l2r"}, {1, "random-tc", "random"}, {1, "random-tc", "l2r"},
                  {2, "balanced", "random"}, {2, "balanced", "l2r"}, {2, "random-tc", "random"}, {2, "random-tc", "l2r"}};
    for (int r = 0; r < 8; r++) {
        ck_assert_int_eq(p->rows[r].dist, 0);
        ck_assert_int_eq(p->rows[r].K, first8[r].K);
        ck_assert_str_eq(p->rows[r].schedule, first8[r].s);
        ck_assert_str_eq(p->rows[r].positions, first8[r].pos);
    }
    for (int r = 0; r < 7; r++)
        ck_assert_int_eq(p->rows[32 + r].K, 1 << r);
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);

    /* --quick: L = 4 only, K = 1 from [sweep] quick_K */
    p = plan_of(good_cfg, 1, &cfg);
    ck_assert_int_eq(p->ndists, 3);
    ck_assert_int_eq(p->nrows, 2 * 4 + 7);
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);

    /* K = 1..L with L varying: sum of L; a placeholder used in K only; expressions over keys */
    const char *t = "[dist p]\nspec = parity:L={L}\nL = 3..5\nK = 1..L\nschedules = balanced\n"
                    "[dist r]\nspec = ising2d:rows={r},cols={c},J=0.5\nr = 2,3\nc = r+1\nL = r*c\nK = L/2\n"
                    "schedules = balanced, \"sizes:{L}\"\n";
    p = plan_of(t, 0, &cfg);
    ck_assert_int_eq(p->ndists, 5);
    ck_assert_int_eq(p->nrows, (3 + 4 + 5) + 2 * 2);
    ck_assert_str_eq(p->dists[3].spec, "ising2d:rows=2,cols=3,J=0.5");
    ck_assert_int_eq(p->dists[3].L, 6);
    ck_assert_ptr_null(p->dists[3].seed);
    ck_assert_int_eq(p->dists[4].L, 12);
    ck_assert_int_eq(p->rows[12].K, 3);
    /* sizes:{L} implies K = 1: its row carries K = 1 and is built without the K list */
    ck_assert_str_eq(p->rows[13].schedule, "sizes:6");
    ck_assert_int_eq(p->rows[13].K, 1);
    ck_assert_int_eq(p->rows[13].implied_K, 1);
    ck_assert_int_eq(p->nparams, 2);
    ck_assert_str_eq(p->param_names[0], "r");
    ck_assert_str_eq(p->param_names[1], "c");
    ck_assert_ptr_null(p->dists[0].param[0]);
    ck_assert_str_eq(p->dists[4].param[1], "4");
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);

    /* infeasible = skip drops K > L for deterministic schedules, keeps the random ones */
    t = "[dist p]\nspec = parity:L=4\nK = 2..6:2\nschedules = balanced, random-tc\ninfeasible = skip\n";
    p = plan_of(t, 0, &cfg);
    ck_assert_int_eq(p->nrows, 3 + 2);
    ck_assert_int_eq(p->ninfeasible, 1);
    dlmkl_sweep_plan_free(p);
    dlmkl_sweep_config_free(cfg);
}
END_TEST

static void expect_plan_error(const char *text, const char *n1, const char *n2)
{
    dlmkl_sweep_config *cfg;
    ck_assert_msg(dlmkl_sweep_config_parse(text, "g.ini", 0, &cfg) == DLMKL_OK, "%s", dlmkl_last_error());
    dlmkl_sweep_plan *plan = NULL;
    int st = dlmkl_sweep_plan_build(cfg, &plan);
    ck_assert_msg(st != DLMKL_OK, "plan should fail:\n%s", text);
    const char *msg = dlmkl_last_error();
    ck_assert_msg(strstr(msg, "g.ini") && strstr(msg, n1), "message '%s' lacks '%s'", msg, n1);
    ck_assert_msg(!n2 || strstr(msg, n2), "message '%s' lacks '%s'", msg, n2);
    dlmkl_sweep_config_free(cfg);
}

START_TEST(test_plan_errors)
{
    expect_plan_error("[dist p]\nspec = parity:L=4\nK = 5\nschedules = balanced\n", "schedule 'balanced'",
                      "infeasible = skip");
    expect_plan_error("[dist p]\nspec = parity:L=4\nK = 2\nschedules = balanced, nonsense\ninfeasible = skip\n",
                      "'nonsense' cannot be built", NULL);
    expect_plan_error("[dist p]\nspec = parity:L=4\nK = 2\nschedules = balanced\npositions = sideways\n", "key positions",
                      NULL);
    expect_plan_error("[dist p]\nprofile = copy:L=4\nK = 2\nschedules = balanced\npositions = l2r\n", "closed-form",
                      NULL);
    expect_plan_error("[dist p]\nspec = table:/nonexistent\nK = 2\nschedules = balanced\n", "cannot tell L",
                      "cannot open table file '/nonexistent'");
    expect_plan_error("[dist p]\nspec = parity:L={L}\nL = 4, x\nK = 2\nschedules = balanced\n", "key L", "unknown name 'x'");
    expect_plan_error("[dist p]\nspec = parity:L=4\nK = 0..2\nschedules = balanced\n", "K = 0", "line 3");
    expect_plan_error("[dist p]\nspec = parity:L={L}\nL = 4, 0\nK = 1\nschedules = balanced\n", "L = '0' must be",
                      "line 3");
    expect_plan_error("[dist p]\nspec = parity:L=4\nK = 1..M\nschedules = balanced\n", "unknown name 'M'", "line 3");
}
END_TEST

/* ---- running: values, resume, metadata ---- */

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dlmkl_test_sweep_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static void spit(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(s, 1, n, f), n);
    fclose(f);
}

/* column index of name in a header line */
static int col_of(const char *header, const char *name)
{
    int i = 0;
    size_t n = strlen(name);
    for (const char *p = header;; i++) {
        const char *e = p + strcspn(p, ",\n");
        if ((size_t)(e - p) == n && strncmp(p, name, n) == 0)
            return i;
        if (*e != ',')
            return -1;
        p = e + 1;
    }
}

/* field i of a CSV line as a number (NAN if empty); quoted fields are skipped correctly */
static double field(const char *line, int i)
{
    const char *p = line;
    for (int k = 0; k < i; k++) {
        int q = 0;
        while (*p && *p != '\n' && (q || *p != ',')) {
            if (*p == '"')
                q = !q;
            p++;
        }
        ck_assert_msg(*p == ',', "line has fewer than %d fields", i + 1);
        p++;
    }
    if (*p == ',' || *p == '\n')
        return NAN;
    return strtod(p, NULL);
}

static const char *run_cfg = "[sweep]\nname = tiny\n"
                             "[dist copy]\nspec = copy:L={L}\nL = 5, 6\nK = 1, 2\nschedules = balanced, random-tc\n"
                             "[dist parity]\nspec = parity:L={L}\nL = 5\nK = 1\nschedules = balanced\n"
                             "positions = random, l2r\n"
                             "[dist prod]\nspec = product:L={L},V=3,p=0.2\nL = 4\nK = 2\nschedules = balanced, composition\n"
                             "[dist big]\nprofile = copy:L={L}\nL = 200\nK = 1\nschedules = balanced\n";

START_TEST(test_run_values)
{
    make_tmpdir();
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *plan = plan_of(run_cfg, 0, &cfg);
    dlmkl_sweep_opts opts = {tmpdir, 0, NULL, NULL, 0};
    dlmkl_sweep_stats stats;
    ck_assert_msg(dlmkl_sweep_run(cfg, plan, &opts, &stats) == DLMKL_OK, "%s", dlmkl_last_error());
    ck_assert_int_eq(stats.rows_total, 8 + 2 + 2 + 1);
    ck_assert_int_eq(stats.rows_computed, 13);
    ck_assert_int_eq(stats.rows_skipped, 0);
    ck_assert_int_eq(stats.dists_computed, 5);
    char path[512];
    snprintf(path, sizeof path, "%s/tiny.csv.partial", tmpdir);
    ck_assert_msg(access(path, F_OK) != 0, "the journal must be removed at the end");
    char *csv = slurp(stats.csv_path);
    /* header, then 13 rows, no comment lines */
    int nl = 0;
    for (const char *p = csv; *p; p++)
        nl += *p == '\n';
    ck_assert_int_eq(nl, 14);
    ck_assert(csv[0] != '#');
    const char *hdr = csv;
    int ckl = col_of(hdr, "kl_expected"), ctc = col_of(hdr, "TC"), cdtc = col_of(hdr, "DTC"), ck = col_of(hdr, "K");
    int cn = col_of(hdr, "kl_over_tc_K"), cnd = col_of(hdr, "kl_over_dtc_K"), cpar = col_of(hdr, "section");
    int cko = col_of(hdr, "kl_output");
    ck_assert(ckl > 0 && ctc > 0 && cdtc > 0 && ck > 0 && cn > 0 && cnd > 0 && cpar > 0 && cko > 0);
    ck_assert_int_eq(col_of(hdr, "dist"), 0);
    ck_assert(col_of(hdr, "unit") > 0 && col_of(hdr, "sizes") > 0 && col_of(hdr, "bound_li_cai") > 0);
    /* known values (theory.md): copy TC = L-1, DTC = 1; K = 1 gives KL = TC; parity TC = 1,
     * DTC = L-1; products give 0 for every schedule */
    const char *line = strchr(csv, '\n') + 1;
    for (int r = 0; r < 13; r++) {
        const char *next = strchr(line, '\n') + 1;
        int L = (int)field(line, 2), K = (int)field(line, ck);
        double kl = field(line, ckl), tc = field(line, ctc), dtc = field(line, cdtc);
        if (strncmp(line, "copy:", 5) == 0) {
            TU_CLOSE(tc, L - 1, 1e-12, "row %d copy TC", r);
            TU_CLOSE(dtc, 1, 1e-12, "row %d copy DTC", r);
            if (K == 1)
                TU_CLOSE(kl, L - 1, 1e-12, "row %d copy K=1", r);
            /* normalised errors K·KL/TC and K·KL/DTC */
            TU_CLOSE(field(line, cn), K * kl / tc, 1e-12, "row %d", r);
            TU_CLOSE(field(line, cnd), K * kl / dtc, 1e-12, "row %d", r);
            if (L <= 6)
                ck_assert_msg(!isnan(field(line, cko)), "row %d: kl_output is cheap here and must be computed", r);
        } else if (strncmp(line, "parity:", 7) == 0) {
            TU_CLOSE(tc, 1, 1e-12, "row %d parity TC", r);
            TU_CLOSE(dtc, L - 1, 1e-12, "row %d parity DTC", r);
            TU_CLOSE(kl, 1, 1e-12, "row %d parity K=1 (both position policies)", r);
        } else if (strncmp(line, "product:", 8) == 0) {
            TU_CLOSE(kl, 0, 1e-12, "row %d product", r);
            ck_assert_msg(isnan(field(line, cn)), "row %d: K·KL/TC is not applicable when TC = 0", r);
        }
        line = next;
    }
    /* the closed-form row: profile_source closed-form, V = 2 (the default), kl_output empty */
    const char *last = strstr(csv, "copy:L=200");
    ck_assert_ptr_nonnull(last);
    ck_assert_ptr_nonnull(strstr(last, "closed-form"));
    TU_CLOSE(field(last, col_of(hdr, "V")), 2, 0, "closed-form copy V");
    ck_assert(isnan(field(last, cko)));
    TU_CLOSE(field(last, ckl), 199, 1e-9, "closed-form copy L=200 K=1");
    free(csv);
    dlmkl_sweep_stats_clear(&stats);
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    rm_tmpdir();
}
END_TEST

/* The journal form of a CSV line (with its '\n'): the line, a tab, and FNV-1a 64 of the row's
 * settings, '\n' and the line (the format documented in sweep.c and experiments/README.md);
 * output_law = auto with the current memory cap. */
static void put_journal_line(FILE *f, const char *line, size_t len_with_nl)
{
    char settings[512];
    snprintf(settings, sizeof settings,
             "dlmkl-row-v3;dlmkl=%s@%s;unit=bits;output_law=auto;max_memory=%zu;auto_terms=%.17g"
             ";tables=0000000000000000;laws=0000000000000000", dlmkl_version(),
             dlmkl_git_revision(), dlmkl_max_memory(), (double)DLMKL_OUTPUT_LAW_AUTO_TERMS);
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = settings; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ (unsigned char)'\n') * 1099511628211ULL;
    for (size_t i = 0; i + 1 < len_with_nl; i++)
        h = (h ^ (unsigned char)line[i]) * 1099511628211ULL;
    fwrite(line, 1, len_with_nl - 1, f);
    fprintf(f, "\t%016llx\n", (unsigned long long)h);
}

START_TEST(test_resume_and_meta)
{
    make_tmpdir();
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *plan = plan_of(run_cfg, 0, &cfg);
    dlmkl_sweep_opts opts = {tmpdir, 0, NULL, NULL, 0};
    dlmkl_sweep_stats stats;
    ck_assert_msg(dlmkl_sweep_run(cfg, plan, &opts, &stats) == DLMKL_OK, "%s", dlmkl_last_error());
    char *ref = slurp(stats.csv_path);
    char csvp[512], partial[512];
    snprintf(csvp, sizeof csvp, "%s", stats.csv_path);
    snprintf(partial, sizeof partial, "%s", stats.partial_path);
    dlmkl_sweep_stats_clear(&stats);

    /* an interrupted run: the journal holds the header, rows 1..5 in another order, and a torn
     * sixth line; no final CSV */
    const char *lines[16];
    int n = 0;
    for (const char *p = ref; *p; p = strchr(p, '\n') + 1)
        lines[n++] = p;
    ck_assert_int_eq(n, 14);
    unlink(csvp);
    FILE *f = fopen(partial, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(lines[0], 1, (size_t)(lines[1] - lines[0]), f);
    static const int order[] = {3, 1, 5, 2, 4};
    for (int i = 0; i < 5; i++)
        put_journal_line(f, lines[order[i]], (size_t)(lines[order[i] + 1] - lines[order[i]]));
    fwrite(lines[6], 1, (size_t)(lines[7] - lines[6]) / 2, f); /* torn */
    fclose(f);
    opts.resume = 1;
    ck_assert_msg(dlmkl_sweep_run(cfg, plan, &opts, &stats) == DLMKL_OK, "%s", dlmkl_last_error());
    ck_assert_int_eq(stats.rows_skipped, 5);
    ck_assert_int_eq(stats.rows_computed, 8);
    char *again = slurp(csvp);
    ck_assert_msg(strcmp(ref, again) == 0, "resumed CSV differs from the uninterrupted one");
    free(again);
    dlmkl_sweep_stats_clear(&stats);

    /* resume over a complete CSV computes nothing and rewrites the same bytes */
    ck_assert(dlmkl_sweep_run(cfg, plan, &opts, &stats) == DLMKL_OK);
    ck_assert_int_eq(stats.rows_computed, 0);
    ck_assert_int_eq(stats.rows_skipped, 13);
    ck_assert_int_eq(stats.dists_computed, 0);
    again = slurp(csvp);
    ck_assert_msg(strcmp(ref, again) == 0, "CSV rewritten differently");
    free(again);

    /* metadata */
    char metap[512];
    snprintf(metap, sizeof metap, "%s/tiny.meta.json", tmpdir);
    char *argv[] = {"dlmkl", "sweep", "x.ini"};
    dlmkl_sweep_meta_info info = {3, argv, 1.7e9, 1.7e9 + 3};
    ck_assert_msg(dlmkl_sweep_meta_write(metap, cfg, plan, &stats, &info) == DLMKL_OK, "%s", dlmkl_last_error());
    json_error_t jerr;
    json_t *m = json_load_file(metap, 0, &jerr);
    ck_assert_msg(m != NULL, "meta.json does not parse: %s", jerr.text);
    static const char *keys[] = {"name", "dlmkl_version", "git_revision", "config", "command_line", "unit", "rng",
                                 "seeds", "threads", "start_time", "end_time", "rows", "timing", "columns", "csv"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(json_object_get(m, keys[i]) != NULL, "meta.json lacks '%s'", keys[i]);
    ck_assert_str_eq(json_string_value(json_object_get(m, "dlmkl_version")), dlmkl_version());
    ck_assert_str_eq(json_string_value(json_object_get(m, "rng")), "mt19937");
    ck_assert_str_eq(json_string_value(json_object_get(m, "start_time")), "2023-11-14T22:13:20Z");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "config"), "text")), run_cfg);
    ck_assert_int_eq(json_array_size(json_object_get(m, "command_line")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(m, "rows"), "skipped")), 13);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(m, "rows"), "total")), 13);
    ck_assert_int_eq(json_integer_value(json_object_get(m, "threads")), dlmkl_threads());
    json_t *rs = json_object_get(json_object_get(m, "timing"), "row_seconds");
    ck_assert_ptr_nonnull(json_object_get(rs, "median"));
    ck_assert_ptr_nonnull(json_object_get(rs, "total"));
    ck_assert_int_eq(json_array_size(json_object_get(m, "columns")), (size_t)dlmkl_sweep_ncolumns(plan));
    json_decref(m);
    free(ref);
    dlmkl_sweep_stats_clear(&stats);

    /* a journal with other columns is refused under --resume */
    spit(partial, "a,b,c\n1,2,3\n", 12);
    ck_assert(dlmkl_sweep_run(cfg, plan, &opts, &stats) != DLMKL_OK);
    ck_assert_msg(strstr(dlmkl_last_error(), "other columns") != NULL, "%s", dlmkl_last_error());
    dlmkl_sweep_stats_clear(&stats);
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    rm_tmpdir();
}
END_TEST

/* Resume validation: a journal row with a NUL byte, a row whose numbers were damaged, rows of
 * another output_law or memory cap (through the auto rule), and a finished CSV without its .sums
 * are computed again, and the result equals an uninterrupted run with the current settings. */
static const char *const val_cfg = "[sweep]\nname = val\n"
                                   "[dist m]\nspec = markov:L=5,V=2,stay=0.8\nK = 1, 2, 3\nschedules = balanced\n";

static dlmkl_sweep_stats run_in(const char *dir, const char *cfgtext, int resume, char **csv)
{
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *plan = plan_of(cfgtext, 0, &cfg);
    dlmkl_sweep_opts opts = {dir, resume, NULL, NULL, 0};
    dlmkl_sweep_stats stats;
    ck_assert_msg(dlmkl_sweep_run(cfg, plan, &opts, &stats) == DLMKL_OK, "%s", dlmkl_last_error());
    *csv = slurp(stats.csv_path);
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    return stats;
}

static dlmkl_sweep_stats run_val(const char *cfgtext, int resume, char **csv)
{
    return run_in(tmpdir, cfgtext, resume, csv);
}

START_TEST(test_resume_validation)
{
    make_tmpdir();
    char *ref, *again, partial[512], csvp[512], sums[512];
    dlmkl_sweep_stats st = run_val(val_cfg, 0, &ref);
    snprintf(partial, sizeof partial, "%s", st.partial_path);
    snprintf(csvp, sizeof csvp, "%s", st.csv_path);
    snprintf(sums, sizeof sums, "%s.sums", st.csv_path);
    dlmkl_sweep_stats_clear(&st);
    struct stat sb;
    ck_assert_msg(stat(sums, &sb) == 0 && sb.st_size == 3 * 17, "NAME.csv.sums holds one checksum per row");
    const char *ln[5];
    int n = 0;
    for (const char *p = ref; *p; p = strchr(p, '\n') + 1)
        ln[n++] = p;
    ck_assert_int_eq(n, 4);
#define LEN(i) ((size_t)((i) + 1 < n ? ln[(i) + 1] - ln[i] : (long)strlen(ln[i])))

    /* 1. zero fill after a crash: row 1 valid, then NUL bytes and row 2 on the same line */
    unlink(csvp);
    FILE *f = fopen(partial, "wb");
    fwrite(ln[0], 1, LEN(0), f);
    put_journal_line(f, ln[1], LEN(1));
    fwrite("\0\0\0\0", 1, 4, f);
    put_journal_line(f, ln[2], LEN(2));
    fclose(f);
    st = run_val(val_cfg, 1, &again);
    ck_assert_int_eq(st.rows_skipped, 1);
    ck_assert_int_eq(st.rows_computed, 2);
    ck_assert_msg(strcmp(ref, again) == 0, "a journal line with NUL bytes changed the CSV");
    free(again);
    dlmkl_sweep_stats_clear(&st);

    /* 2. the key columns match but a number was damaged: the checksum rejects the row */
    unlink(csvp);
    f = fopen(partial, "wb");
    fwrite(ln[0], 1, LEN(0), f);
    put_journal_line(f, ln[1], LEN(1));
    char *bad = strndup(ln[2], LEN(2));
    char *digit = strrchr(bad, '.'); /* a digit after some decimal point */
    ck_assert_ptr_nonnull(digit);
    for (char *q = digit; *q && *q != '\n'; q++)
        if (*q >= '0' && *q <= '8') {
            (*q)++;
            break;
        }
    fwrite(bad, 1, LEN(2) - 1, f);
    fprintf(f, "\t0123456789abcdef\n");
    fclose(f);
    free(bad);
    st = run_val(val_cfg, 1, &again);
    ck_assert_int_eq(st.rows_skipped, 1);
    ck_assert_msg(strcmp(ref, again) == 0, "a damaged journal row was copied");
    free(again);
    dlmkl_sweep_stats_clear(&st);

    /* 3. output_law changed (auto -> never): rows of the finished CSV and of a journal are stale */
    char cfg_never[512];
    snprintf(cfg_never, sizeof cfg_never, "%soutput_law = never\n", val_cfg);
    char *ref_never;
    {
        char sub[600];
        snprintf(sub, sizeof sub, "%s/never", tmpdir);
        st = run_in(sub, cfg_never, 0, &ref_never);
        dlmkl_sweep_stats_clear(&st);
        char cmd[1300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", sub);
        ck_assert_int_eq(system(cmd), 0);
    }
    ck_assert_msg(strcmp(ref, ref_never) != 0, "output_law never must empty the kl_output cells");
    st = run_val(cfg_never, 1, &again); /* over the finished auto CSV */
    ck_assert_int_eq(st.rows_skipped, 0);
    ck_assert_msg(strcmp(ref_never, again) == 0, "stale rows reused after an output_law change");
    free(again);
    dlmkl_sweep_stats_clear(&st);
    unlink(csvp);
    f = fopen(partial, "wb"); /* a journal written under auto */
    fwrite(ln[0], 1, LEN(0), f);
    for (int i = 1; i < 4; i++)
        put_journal_line(f, ln[i], LEN(i));
    fclose(f);
    st = run_val(cfg_never, 1, &again);
    ck_assert_int_eq(st.rows_skipped, 0);
    ck_assert_msg(strcmp(ref_never, again) == 0, "stale journal rows reused after an output_law change");
    free(again);
    dlmkl_sweep_stats_clear(&st);

    /* 4. the memory cap changed under output_law = auto: the same journal's rows are stale */
    unlink(csvp);
    f = fopen(partial, "wb");
    fwrite(ln[0], 1, LEN(0), f);
    for (int i = 1; i < 4; i++)
        put_journal_line(f, ln[i], LEN(i));
    fclose(f);
    size_t cap = dlmkl_max_memory();
    dlmkl_set_max_memory(1024); /* too small for kl_output's 3*3^5 doubles: auto leaves it empty */
    st = run_val(val_cfg, 1, &again);
    dlmkl_set_max_memory(cap);
    ck_assert_int_eq(st.rows_skipped, 0);
    ck_assert_msg(strcmp(ref_never, again) == 0, "stale rows reused after a memory cap change");
    free(again);
    dlmkl_sweep_stats_clear(&st);

    /* 5. a finished CSV without its .sums is not trusted; with it, everything is reused */
    st = run_val(val_cfg, 1, &again);
    ck_assert_int_eq(st.rows_skipped, 0); /* the CSV on disk was the 'never' one */
    ck_assert_msg(strcmp(ref, again) == 0, "CSV differs");
    free(again);
    dlmkl_sweep_stats_clear(&st);
    st = run_val(val_cfg, 1, &again);
    ck_assert_int_eq(st.rows_skipped, 3);
    free(again);
    dlmkl_sweep_stats_clear(&st);
    unlink(sums);
    st = run_val(val_cfg, 1, &again);
    ck_assert_int_eq(st.rows_skipped, 0);
    ck_assert_msg(strcmp(ref, again) == 0, "CSV differs");
    free(again);
    dlmkl_sweep_stats_clear(&st);
#undef LEN
    free(ref_never);
    free(ref);
    rm_tmpdir();
}
END_TEST

/* A sweep that fails before its first row leaves no journal, and an earlier journal untouched. */
START_TEST(test_fail_before_first_row)
{
    make_tmpdir();
    const char *cfgtext = "[sweep]\nname = nofile\n[dist t]\nspec = table:/nonexistent/dlmkl/p.txt\nL = 2\nK = 1\n"
                          "schedules = balanced\n";
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *plan = plan_of(cfgtext, 0, &cfg);
    dlmkl_sweep_opts opts = {tmpdir, 0, NULL, NULL, 0};
    dlmkl_sweep_stats stats;
    ck_assert(dlmkl_sweep_run(cfg, plan, &opts, &stats) != DLMKL_OK);
    ck_assert_msg(access(stats.partial_path, F_OK) != 0, "a header-only journal was left behind");
    ck_assert_msg(access(stats.csv_path, F_OK) != 0, "a CSV was left behind");
    char partial[512];
    snprintf(partial, sizeof partial, "%s", stats.partial_path);
    dlmkl_sweep_stats_clear(&stats);
    spit(partial, "old journal\n", 12);
    ck_assert(dlmkl_sweep_run(cfg, plan, &opts, &stats) != DLMKL_OK);
    char *old = slurp(partial);
    ck_assert_str_eq(old, "old journal\n");
    free(old);
    unlink(partial);
    dlmkl_sweep_stats_clear(&stats);
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    rm_tmpdir();
}
END_TEST

START_TEST(test_meta_seeds)
{
    make_tmpdir();
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *plan = plan_of("[dist r]\nspec = random:L=3,V=2,seed={seed}\nseed = 7, 9, 7\nK = 1\n"
                                     "schedules = balanced\n", 0, &cfg);
    ck_assert_int_eq(plan->ndists, 2);
    ck_assert_str_eq(plan->dists[1].seed, "9");
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    /* a seed written in the spec is the row's seed too */
    plan = plan_of("[dist r]\nspec = mixprod:L=3,V=2,m=2,seed=11,alpha=0.5\nK = 1\nschedules = balanced\n", 0, &cfg);
    ck_assert_str_eq(plan->dists[0].seed, "11");
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    plan = plan_of("[dist r]\nspec = random:L=3,V=2,seed={seed}\nseed = 7, 9, 7\nK = 1\n"
                   "schedules = balanced\n", 0, &cfg);
    dlmkl_sweep_opts opts = {tmpdir, 0, NULL, NULL, 0};
    dlmkl_sweep_stats stats;
    ck_assert_msg(dlmkl_sweep_run(cfg, plan, &opts, &stats) == DLMKL_OK, "%s", dlmkl_last_error());
    char metap[512];
    snprintf(metap, sizeof metap, "%s/m.json", tmpdir);
    ck_assert(dlmkl_sweep_meta_write(metap, cfg, plan, &stats, NULL) == DLMKL_OK);
    json_t *m = json_load_file(metap, 0, NULL);
    ck_assert_ptr_nonnull(m);
    json_t *seeds = json_object_get(m, "seeds");
    ck_assert_int_eq(json_array_size(seeds), 2);
    ck_assert_int_eq(json_integer_value(json_array_get(seeds, 0)), 7);
    ck_assert_int_eq(json_integer_value(json_array_get(seeds, 1)), 9);
    json_decref(m);
    /* the seed column holds the seed */
    char *csv = slurp(stats.csv_path);
    int cs = col_of(csv, "seed");
    const char *l1 = strchr(csv, '\n') + 1;
    ck_assert_int_eq((int)field(l1, cs), 7);
    free(csv);
    dlmkl_sweep_stats_clear(&stats);
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    rm_tmpdir();
}
END_TEST

START_TEST(test_profile_shared)
{
    /* a placeholder used only by K gives grid distributions with the same spec: one profile */
    make_tmpdir();
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *plan = plan_of("[dist p]\nspec = parity:L=8\nr = 4, 2\nK = L/r\nschedules = balanced\n"
                                     "[dist c]\nspec = copy:L=8\nK = 2\nschedules = balanced\n", 0, &cfg);
    ck_assert_int_eq(plan->ndists, 3);
    ck_assert_int_eq(plan->nrows, 3);
    ck_assert_int_eq(plan->rows[0].K, 2);
    ck_assert_int_eq(plan->rows[1].K, 4);
    dlmkl_sweep_opts opts = {tmpdir, 0, NULL, NULL, 0};
    dlmkl_sweep_stats stats;
    ck_assert_msg(dlmkl_sweep_run(cfg, plan, &opts, &stats) == DLMKL_OK, "%s", dlmkl_last_error());
    ck_assert_int_eq(stats.dists_computed, 2);
    char *csv = slurp(stats.csv_path);
    int cr = col_of(csv, "r");
    ck_assert_int_eq(cr, dlmkl_sweep_ncolumns(plan) - 1);
    const char *l1 = strchr(csv, '\n') + 1, *l2 = strchr(l1, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    ck_assert_int_eq((int)field(l1, cr), 4);
    ck_assert_int_eq((int)field(l2, cr), 2);
    ck_assert(isnan(field(l3, cr))); /* not a parameter of [dist c] */
    /* parity: Z_j = 0 for j < L and Z_L = 1 (theory.md), so balanced sizes 4-4 (K = 2) give
     * Z_8 - Z_5 = 1 and 2-2-2-2 (K = 4) give Z_8 - Z_7 = 1 as well */
    TU_CLOSE(field(l1, col_of(csv, "kl_expected")), 1, 1e-12, "parity L=8 K=2");
    TU_CLOSE(field(l2, col_of(csv, "kl_expected")), 1, 1e-12, "parity L=8 K=4");
    free(csv);
    dlmkl_sweep_stats_clear(&stats);
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    rm_tmpdir();
}
END_TEST

/* The rows of a small table are computed at once, one row per thread (sweep.c, rows_at_once), and
 * journaled in row order: the CSV is the same bytes for 1, 2 and 3 threads, with rows of random and
 * ordered positions and schedules shared by consecutive rows, and under a memory cap that holds
 * only one row's memory at a time (one row after the other). */
START_TEST(test_rows_at_once)
{
    make_tmpdir();
    const char *cfgtext = "[sweep]\nname = at_once\noutput_law = always\nK = 1..L\n"
                          "schedules = balanced, iid:cosine, optimal, random-tc\npositions = random, l2r\n"
                          "[dist p]\nspec = parity:L={L}\nL = 5, 6\n"
                          "[dist m]\nspec = markov:L=6,V=3,seed=2\nL = 6\n"
                          "[dist c]\nspec = copy:L=6,V=2\nL = 6\n";
    const int saved_threads = dlmkl_threads_setting();
    const size_t saved_cap = dlmkl_max_memory_setting();
    char *ref = NULL;
    for (int run = 0; run < 4; run++) {
        const int threads = run < 3 ? run + 1 : 2;
        char dir[512];
        snprintf(dir, sizeof dir, "%s/run%d", tmpdir, run);
        ck_assert_int_eq(mkdir(dir, 0700), 0);
        dlmkl_set_threads(threads);
        if (run == 3) { /* room for one row of the largest table (markov V=3, L=6) and not two */
            dlmkl_dist *d;
            ck_assert_int_eq(dlmkl_dist_from_spec("markov:L=6,V=3,seed=2", 0, &d), DLMKL_OK);
            dlmkl_set_max_memory((size_t)(1.5 * (dlmkl_kl_output_bytes(d) + (double)d->n * sizeof(double))));
            dlmkl_dist_free(d);
        }
        char *csv;
        dlmkl_sweep_stats stats = run_in(dir, cfgtext, 0, &csv);
        ck_assert_int_eq(stats.rows_computed, 4 * 4 * 2 * 6 - 4 * 2); /* L = 5: K = 1..5 */
        dlmkl_sweep_stats_clear(&stats);
        if (!ref)
            ref = csv;
        else {
            ck_assert_msg(strcmp(csv, ref) == 0, "run %d (%d threads): the CSV differs from 1 thread", run, threads);
            free(csv);
        }
    }
    dlmkl_set_threads(saved_threads);
    dlmkl_set_max_memory(saved_cap);
    free(ref);
    rm_tmpdir();
}
END_TEST

/* earlier results are never overwritten silently: without resume or force, an existing NAME.csv
 * (of this grid or another) or NAME.csv.partial is DLMKL_EEXIST before any computation, the file
 * untouched; force overwrites */
static int run_opts(const char *text, int resume, int force, dlmkl_sweep_stats *stats)
{
    dlmkl_sweep_config *cfg;
    dlmkl_sweep_plan *plan = plan_of(text, 0, &cfg);
    dlmkl_sweep_opts opts = {tmpdir, resume, NULL, NULL, force};
    int st = dlmkl_sweep_run(cfg, plan, &opts, stats);
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    return st;
}

START_TEST(test_existing_output)
{
    make_tmpdir();
    const char *a = "[sweep]\nname = ex\n[dist c]\nspec = copy:L=4\nK = 1, 2\nschedules = balanced\n";
    const char *b = "[sweep]\nname = ex\n[dist c]\nspec = copy:L=4\nK = 1, 2, 3\nschedules = balanced\n";
    dlmkl_sweep_stats st;
    ck_assert_msg(run_opts(a, 0, 0, &st) == DLMKL_OK, "%s", dlmkl_last_error());
    char csvp[512];
    snprintf(csvp, sizeof csvp, "%s", st.csv_path);
    dlmkl_sweep_stats_clear(&st);
    char *ref = slurp(csvp);
    /* the same grid again */
    ck_assert_int_eq(run_opts(a, 0, 0, &st), DLMKL_EEXIST);
    ck_assert_msg(strstr(dlmkl_last_error(), "already holds the results of this grid (all 2 rows") &&
                      strstr(dlmkl_last_error(), csvp) && !strstr(dlmkl_last_error(), "--"),
                  "same grid: '%s'", dlmkl_last_error());
    ck_assert_int_eq(st.rows_computed, 0);
    dlmkl_sweep_stats_clear(&st);
    /* another grid under the same name: 2 of its 2 rows are points of the new 3-row grid */
    ck_assert_int_eq(run_opts(b, 0, 0, &st), DLMKL_EEXIST);
    ck_assert_msg(strstr(dlmkl_last_error(), "another grid or of other settings (2 of its 2 rows are valid points of "
                                              "this grid of 3 rows)"),
                  "other grid: '%s'", dlmkl_last_error());
    dlmkl_sweep_stats_clear(&st);
    char *again = slurp(csvp);
    ck_assert_msg(strcmp(ref, again) == 0, "a refused sweep changed the CSV");
    free(again);
    /* force overwrites; resume continues (1 row computed) */
    ck_assert_int_eq(run_opts(b, 1, 0, &st), DLMKL_OK);
    ck_assert_int_eq(st.rows_computed, 1);
    ck_assert_int_eq(st.rows_skipped, 2);
    dlmkl_sweep_stats_clear(&st);
    ck_assert_int_eq(run_opts(a, 0, 1, &st), DLMKL_OK);
    ck_assert_int_eq(st.rows_computed, 2);
    dlmkl_sweep_stats_clear(&st);
    again = slurp(csvp);
    ck_assert_msg(strcmp(ref, again) == 0, "force: the CSV of grid a");
    free(again);
    /* other columns (a placeholder column more) */
    ck_assert_int_eq(run_opts("[sweep]\nname = ex\n[dist c]\nspec = copy:L={n}\nn = 4\nK = 1\nschedules = balanced\n",
                              0, 0, &st), DLMKL_EEXIST);
    ck_assert_msg(strstr(dlmkl_last_error(), "another grid (other columns)"), "columns: '%s'", dlmkl_last_error());
    dlmkl_sweep_stats_clear(&st);
    /* the journal of an interrupted run, no CSV */
    unlink(csvp);
    char partial[600];
    snprintf(partial, sizeof partial, "%s.partial", csvp);
    FILE *f = fopen(partial, "w");
    fputs(ref, f);
    fclose(f);
    ck_assert_int_eq(run_opts(a, 0, 0, &st), DLMKL_EEXIST);
    ck_assert_msg(strstr(dlmkl_last_error(), "interrupted run"), "partial: '%s'", dlmkl_last_error());
    ck_assert_msg(access(csvp, F_OK) != 0, "a refused sweep wrote a CSV");
    dlmkl_sweep_stats_clear(&st);
    free(ref);
    rm_tmpdir();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_lists_and_ranges);
    tcase_add_test(tc, test_list_errors);
    tcase_add_test(tc, test_eval);
    tcase_add_test(tc, test_config_parse);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_grid_order_and_count);
    tcase_add_test(tc, test_plan_errors);
    tcase_add_test(tc, test_run_values);
    tcase_add_test(tc, test_resume_and_meta);
    tcase_add_test(tc, test_resume_validation);
    tcase_add_test(tc, test_fail_before_first_row);
    tcase_add_test(tc, test_meta_seeds);
    tcase_add_test(tc, test_profile_shared);
    tcase_add_test(tc, test_existing_output);
    tcase_add_test(tc, test_rows_at_once);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
