/* kl_row.c: one evaluation row (distribution × schedule × K × positions) — the single piece of code
 * behind both `dlmkl kl` and `dlmkl sweep`, so their numbers cannot drift apart. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/io.h"
#include "dlmkl/kl.h"
#include "dlmkl/overshoot.h"
#include "dlmkl/worst.h"

void dlmkl_kl_row_clear(dlmkl_kl_row *row)
{
    free(row->schedule);
    free(row->sizes);
    memset(row, 0, sizeof *row);
}

int dlmkl_output_law_parse(const char *s, dlmkl_output_law_mode *mode)
{
    if (strcmp(s, "auto") == 0)
        *mode = DLMKL_OUTPUT_LAW_AUTO;
    else if (strcmp(s, "always") == 0)
        *mode = DLMKL_OUTPUT_LAW_ALWAYS;
    else if (strcmp(s, "never") == 0)
        *mode = DLMKL_OUTPUT_LAW_NEVER;
    else
        return dlmkl_error(DLMKL_EINVAL, "output-law '%s' is not one of auto, always, never", s);
    return DLMKL_OK;
}

int dlmkl_kl_row_compute(const dlmkl_profile *prof, const dlmkl_dist *d, const char *schedule_spec, int K,
                         const dlmkl_positions *pos, dlmkl_output_law_mode mode, dlmkl_kl_row *row)
{
    return dlmkl_kl_row_compute_ws(prof, d, schedule_spec, K, pos, mode, NULL, row);
}

int dlmkl_kl_row_compute_ws(const dlmkl_profile *prof, const dlmkl_dist *d, const char *schedule_spec, int K,
                            const dlmkl_positions *pos, dlmkl_output_law_mode mode, dlmkl_kl_output_workspace **ws,
                            dlmkl_kl_row *row)
{
    memset(row, 0, sizeof *row);
    if (d && d->L != prof->L)
        return dlmkl_error(DLMKL_EINVAL, "table L = %d and profile L = %d differ", d->L, prof->L);
    dlmkl_schedule *s;
    int st = dlmkl_schedule_from_spec(schedule_spec, prof->L, K, prof, &s);
    if (st != DLMKL_OK)
        return st;
    st = dlmkl_kl_row_compute_schedule(prof, d, s, pos, mode, ws, row);
    dlmkl_schedule_free(s);
    return st;
}

int dlmkl_kl_row_compute_schedule(const dlmkl_profile *prof, const dlmkl_dist *d, const dlmkl_schedule *s,
                                  const dlmkl_positions *pos, dlmkl_output_law_mode mode,
                                  dlmkl_kl_output_workspace **ws, dlmkl_kl_row *row)
{
    return dlmkl_kl_row_compute_cached(prof, d, s, pos, mode, ws, NULL, row);
}

int dlmkl_kl_row_compute_cached(const dlmkl_profile *prof, const dlmkl_dist *d, const dlmkl_schedule *s,
                                const dlmkl_positions *pos, dlmkl_output_law_mode mode,
                                dlmkl_kl_output_workspace **ws, dlmkl_ordered_cache **oc, dlmkl_kl_row *row)
{
    memset(row, 0, sizeof *row);
    const int L = prof->L;
    if (d && d->L != L)
        return dlmkl_error(DLMKL_EINVAL, "table L = %d and profile L = %d differ", d->L, L);
    if (s->L != L)
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' is for L = %d, the profile has L = %d", s->name, s->L, L);
    int st = DLMKL_OK;
    row->schedule = strdup(s->name);
    size_t slen = (size_t)s->nsteps * 12 + 1;
    row->sizes = malloc(slen);
    if (!row->schedule || !row->sizes) {
        dlmkl_kl_row_clear(row);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    dlmkl_schedule_sizes_string(s, row->sizes, slen);
    dlmkl_positions_name(pos, s->nsteps, row->positions, sizeof row->positions);
    row->K = s->budget;
    row->steps = s->nsteps;
    row->zeta = s->chen ? s->zeta : NAN;
    row->H = prof->h[L];
    row->TC = dlmkl_profile_tc(prof);
    row->DTC = dlmkl_profile_dtc(prof);
    row->Z_L = dlmkl_profile_Z(prof, L);
    dlmkl_bounds_compute(prof, s, &row->bounds);

    row->worst_tc = row->worst_dtc = row->ln_L = NAN;
    int fast = 0;
    if (pos->kind == DLMKL_POS_RANDOM && s->kind == DLMKL_SCHED_IID && dlmkl_kl_expected_iid_beta_applies(prof, s) &&
        dlmkl_overshoot_cost(s) > DLMKL_ROW_IID_BETA_MIN_WORK) {
        /* large i.i.d. rows: the worst case by branch and bound over d and kl_expected by order statistics,
         * each from a few O(d) quadratures instead of the whole overshoot; when the bound does not narrow
         * the worst case to a few d (DLMKL_ECOST), the whole overshoot below */
        dlmkl_worst w;
        st = dlmkl_worst_iid_beta(s, row->K, &w);
        if (st == DLMKL_OK && (st = dlmkl_kl_expected_iid_beta(prof, s, &row->kl_expected)) == DLMKL_OK) {
            row->worst_tc = w.worst_tc, row->worst_dtc = w.worst_dtc, row->ln_L = w.ln_L;
            row->d_tc = w.d_tc, row->d_dtc = w.d_dtc;
            fast = 1;
        } else if (st == DLMKL_ECOST) {
            st = DLMKL_OK;
        }
    }
    if (fast || st != DLMKL_OK) {
        /* done above, or failed */
    } else if (pos->kind == DLMKL_POS_RANDOM) {
        /* one overshoot serves kl_expected (random sizes) and the worst case over all laws */
        double *O;
        st = dlmkl_overshoot_alloc(s, &O);
        if (st == DLMKL_OK)
            st = dlmkl_overshoot(s, O);
        if (st == DLMKL_OK) {
            dlmkl_worst w;
            dlmkl_worst_from_overshoot(L, row->K, O, &w);
            row->worst_tc = w.worst_tc, row->worst_dtc = w.worst_dtc, row->ln_L = w.ln_L;
            row->d_tc = w.d_tc, row->d_dtc = w.d_dtc;
            if (s->kind == DLMKL_SCHED_IID || s->kind == DLMKL_SCHED_COMPOSITION || s->kind == DLMKL_SCHED_MIX)
                row->kl_expected = dlmkl_kl_from_overshoot(prof, O);
            else
                st = dlmkl_kl_expected(prof, s, &row->kl_expected);
        }
        free(O);
    } else if (!d) {
        st = dlmkl_error(DLMKL_EINVAL, "positions '%s' need the distribution itself (its table), not only its profile",
                         row->positions);
    } else {
        int *order = malloc((size_t)L * sizeof *order);
        if (!order)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        else if ((st = dlmkl_positions_order(pos, L, s->nsteps, order)) == DLMKL_OK) {
            if (!oc)
                st = dlmkl_kl_expected_ordered(d, order, s, &row->kl_expected);
            else if (!*oc && !(*oc = dlmkl_ordered_cache_alloc()))
                st = dlmkl_last_status();
            else
                st = dlmkl_kl_expected_ordered_cached(*oc, d, order, s, &row->kl_expected);
        }
        free(order);
    }

    row->kl_output = NAN;
    if (st == DLMKL_OK && mode != DLMKL_OUTPUT_LAW_NEVER) {
        int take = 0;
        if (!d) {
            if (mode == DLMKL_OUTPUT_LAW_ALWAYS)
                st = dlmkl_error(DLMKL_EINVAL, "kl_output needs the distribution itself (its table), not only its profile");
        } else {
            take = dlmkl_output_law_take(mode, d, s, pos);
        }
        if (take && ws) {
            /* the caller's workspace for this distribution, allocated on first use */
            if (!*ws && !(*ws = dlmkl_kl_output_workspace_alloc(d)))
                st = dlmkl_last_status();
            if (st == DLMKL_OK)
                st = dlmkl_kl_output_ws(*ws, s, pos, &row->kl_output, NULL);
        } else if (take) {
            st = dlmkl_kl_output(d, s, pos, &row->kl_output, NULL);
        }
    }
    if (st != DLMKL_OK) {
        dlmkl_kl_row_clear(row);
        return st;
    }
    /* Theorems, not estimates: kl_expected <= TC (each step's conditional TC is at most what the
     * step reveals of the joint TC) and kl_output <= kl_expected (convexity). Rounding may cross them
     * by a residue; a larger excess is kept, since it means the input is not a valid profile. */
    const double tol = DLMKL_RESIDUE_REL * dlmkl_profile_scale(prof);
    if (row->kl_expected > row->TC && row->kl_expected - row->TC <= tol)
        row->kl_expected = row->TC;
    if (row->kl_output > row->kl_expected && row->kl_output - row->kl_expected <= tol)
        row->kl_output = row->kl_expected;
    return st;
}

int dlmkl_kl_row_compute_adaptive(const dlmkl_profile *prof, const dlmkl_dist *d, const char *schedule_spec, int K,
                                  const dlmkl_adaptive *pol, const dlmkl_predictor *pred, dlmkl_output_law_mode mode,
                                  dlmkl_kl_row *row)
{
    memset(row, 0, sizeof *row);
    dlmkl_schedule *s;
    int st = dlmkl_schedule_from_spec(schedule_spec, prof->L, K, prof, &s);
    if (st != DLMKL_OK)
        return st;
    st = dlmkl_kl_row_compute_adaptive_schedule(prof, d, s, pol, pred, mode, row);
    dlmkl_schedule_free(s);
    return st;
}

int dlmkl_kl_row_compute_adaptive_schedule(const dlmkl_profile *prof, const dlmkl_dist *d, const dlmkl_schedule *s,
                                           const dlmkl_adaptive *pol, const dlmkl_predictor *pred,
                                           dlmkl_output_law_mode mode, dlmkl_kl_row *row)
{
    memset(row, 0, sizeof *row);
    if (!d)
        return dlmkl_error(DLMKL_EINVAL, "value-adaptive positions and predictors need the distribution itself (its "
                                         "table): they read its conditionals");
    static const dlmkl_predictor exact = {DLMKL_PRED_EXACT, 0, 0};
    if (!pred)
        pred = &exact;
    const int selfsz = dlmkl_adaptive_self_sized(pol);
    const int blind = pol->kind == DLMKL_ADAPT_RANDOM || pol->kind == DLMKL_ADAPT_L2R;
    int st = DLMKL_OK;
    if (selfsz) {
        /* no schedule: schedule "none", sizes "", K = steps = 0; no bound of the schedule theory applies */
        if (d->L != prof->L)
            return dlmkl_error(DLMKL_EINVAL, "table L = %d and profile L = %d differ", d->L, prof->L);
        row->schedule = strdup("none");
        row->sizes = strdup("");
        if (!row->schedule || !row->sizes) {
            dlmkl_kl_row_clear(row);
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        }
        row->K = row->steps = 0;
        row->zeta = NAN;
        row->H = prof->h[prof->L];
        row->TC = dlmkl_profile_tc(prof);
        row->DTC = dlmkl_profile_dtc(prof);
        row->Z_L = dlmkl_profile_Z(prof, prof->L);
    } else {
        if (!s)
            return dlmkl_error(DLMKL_EINVAL, "this position policy takes its sizes from a schedule, and none was given");
        /* the schedule's cells and the profile's quantities, as for random positions */
        const dlmkl_positions rnd = {DLMKL_POS_RANDOM, 0};
        if ((st = dlmkl_kl_row_compute_schedule(prof, d, s, &rnd, DLMKL_OUTPUT_LAW_NEVER, NULL, row)) != DLMKL_OK)
            return st;
    }
    dlmkl_adaptive_result res;
    st = dlmkl_adaptive_eval(d, selfsz ? NULL : s, pol, pred, NULL, &res); /* kl_expected needs the pass too */
    if (st != DLMKL_OK) {
        dlmkl_kl_row_clear(row);
        return st;
    }
    dlmkl_adaptive_name(pol, row->positions, sizeof row->positions);
    row->kl_expected = res.kl_expected;
    row->kl_output = mode == DLMKL_OUTPUT_LAW_NEVER ? NAN : res.kl_output;
    /* kl_output <= kl_path (data processing): a rounding residue above it is cleared */
    const double tol = DLMKL_RESIDUE_REL * dlmkl_profile_scale(prof);
    if (row->kl_output > res.kl_path && row->kl_output - res.kl_path <= tol)
        row->kl_output = res.kl_path;
    if (!blind) {
        row->bounds.tc_over_K = row->bounds.dtc_over_K = row->bounds.li_cai = row->bounds.zl = row->bounds.chen = NAN;
        row->worst_tc = row->worst_dtc = row->ln_L = NAN;
    }
    if (pol->kind == DLMKL_ADAPT_L2R)
        row->worst_tc = row->worst_dtc = row->ln_L = NAN;
    row->adaptive.used = 1;
    dlmkl_predictor_name(pred, row->adaptive.predictor, sizeof row->adaptive.predictor);
    row->adaptive.kl_predictor = res.kl_predictor;
    row->adaptive.kl_path = res.kl_path;
    row->adaptive.iter_mean = res.iter_mean;
    row->adaptive.iter_mean_ideal = res.iter_mean_ideal;
    row->adaptive.L = prof->L;
    memcpy(row->adaptive.iter_prob, res.iter_prob, sizeof row->adaptive.iter_prob);
    /* each step's TC(X_A | x_B) <= sum_A H - max_A H <= G (eb) and <= sum_A H - H(X_A | x_B) <= E
     * (entsum), when the entropies are the exact ones */
    row->adaptive.bound_policy = NAN;
    if (pred->kind == DLMKL_PRED_EXACT && (pol->kind == DLMKL_ADAPT_EB || pol->kind == DLMKL_ADAPT_ENTSUM))
        row->adaptive.bound_policy = pol->param * res.iter_mean_ideal;
    /* per step, TC(X_A | x_B) <= sum_A H − max_A H (H(X_A | x_B) >= max_A H), and 0 when |A| = 1:
     * <= G (eb; the rule itself), <= E (entsum: sum_A H <= E whenever |A| >= 2, the forced single
     * position being alone), <= (|A| − 1)·F_V(T) (threshold: every revealed position has max prob > T
     * when |A| >= 2) */
    row->adaptive.bound_step = NAN;
    if (pred->kind == DLMKL_PRED_EXACT) {
        if (pol->kind == DLMKL_ADAPT_EB || pol->kind == DLMKL_ADAPT_ENTSUM)
            row->adaptive.bound_step = pol->param * res.multi_mean_ideal;
        else if (pol->kind == DLMKL_ADAPT_THRESHOLD)
            row->adaptive.bound_step = dlmkl_adaptive_threshold_entropy(d->V, pol->param) * res.excess_ideal;
    }
    return DLMKL_OK;
}

/* ---- the columns: one record per CSV cell, name and writer; u the unit factor, sc the profile's
 * scale (for the rounding residue of non-negative quantities) ---- */

typedef void (*cell_writer)(FILE *f, const dlmkl_kl_row *row, double u, double sc);

/* a quantity that is non-negative in exact arithmetic, in the output unit, rounding residue cleared */
static void put_quantity(FILE *f, double v, double u, double sc)
{
    dlmkl_put(f, isnan(v) || isinf(v) ? v : u * dlmkl_nonneg(v, sc));
}

#define QUANTITY_CELL(fn, field)                                                                                       \
    static void fn(FILE *f, const dlmkl_kl_row *row, double u, double sc) { put_quantity(f, row->field, u, sc); }
QUANTITY_CELL(cell_kl_expected, kl_expected)
QUANTITY_CELL(cell_kl_output, kl_output)
QUANTITY_CELL(cell_TC, TC)
QUANTITY_CELL(cell_DTC, DTC)
QUANTITY_CELL(cell_H, H)
QUANTITY_CELL(cell_Z_L, Z_L)
QUANTITY_CELL(cell_bound_tc_over_K, bounds.tc_over_K)
QUANTITY_CELL(cell_bound_dtc_over_K, bounds.dtc_over_K)
QUANTITY_CELL(cell_bound_li_cai, bounds.li_cai)
QUANTITY_CELL(cell_bound_zl, bounds.zl)
QUANTITY_CELL(cell_bound_chen, bounds.chen)

static void cell_schedule(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    dlmkl_put_str(f, row->schedule);
}

static void cell_positions(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    fputs(row->positions, f);
}

static void cell_K(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    fprintf(f, "%d", row->K);
}

static void cell_steps(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    fprintf(f, "%d", row->steps);
}

static void cell_sizes(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    fputs(row->sizes, f);
}

/* zeta and ln L: no unit */
static void cell_zeta(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    dlmkl_put(f, row->zeta);
}

static void cell_ln_L(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    dlmkl_put(f, row->ln_L);
}

/* the worst case: ratios without unit; the dimension empty where the ratio does not apply */
static void cell_worst_tc(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    dlmkl_put(f, row->worst_tc);
}

static void cell_d_tc(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    if (!isnan(row->worst_tc))
        fprintf(f, "%d", row->d_tc);
}

static void cell_worst_dtc(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    dlmkl_put(f, row->worst_dtc);
}

static void cell_d_dtc(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    if (!isnan(row->worst_dtc))
        fprintf(f, "%d", row->d_dtc);
}

/* A column of a row table: its header name and its cell. */
typedef struct {
    const char *name;
    cell_writer write;
} kl_column;

static void write_names(FILE *f, const kl_column *cols, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? "," : "", cols[i].name);
}

/* the cells of row, comma-separated; all empty when blank */
static void write_cells(FILE *f, const kl_column *cols, int n, const dlmkl_kl_row *row, dlmkl_unit unit, double scale,
                        int blank)
{
    const double u = dlmkl_unit_factor(unit);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        if (!blank)
            cols[i].write(f, row, u, scale);
    }
}

static const kl_column columns[] = {
    {"schedule", cell_schedule},
    {"positions", cell_positions},
    {"K", cell_K},
    {"steps", cell_steps},
    {"sizes", cell_sizes},
    {"kl_expected", cell_kl_expected},
    {"kl_output", cell_kl_output},
    {"TC", cell_TC},
    {"DTC", cell_DTC},
    {"H", cell_H},
    {"Z_L", cell_Z_L},
    {"bound_tc_over_K", cell_bound_tc_over_K},
    {"bound_dtc_over_K", cell_bound_dtc_over_K},
    {"bound_li_cai", cell_bound_li_cai},
    {"bound_zl", cell_bound_zl},
    {"bound_chen", cell_bound_chen},
    {"zeta", cell_zeta},
    {"worst_tc", cell_worst_tc},
    {"d_tc", cell_d_tc},
    {"worst_dtc", cell_worst_dtc},
    {"d_dtc", cell_d_dtc},
    {"ln_L", cell_ln_L},
};
#define NCOLUMNS ((int)(sizeof columns / sizeof columns[0]))

int dlmkl_kl_row_ncolumns(void)
{
    return NCOLUMNS;
}

const char *dlmkl_kl_row_column(int i)
{
    return i >= 0 && i < NCOLUMNS ? columns[i].name : NULL;
}

void dlmkl_kl_row_write_header(FILE *f) { write_names(f, columns, NCOLUMNS); }

void dlmkl_kl_row_write(FILE *f, const dlmkl_kl_row *row, dlmkl_unit unit, double scale)
{
    write_cells(f, columns, NCOLUMNS, row, unit, scale, 0);
}

/* ---- the columns of rows evaluated by adaptive.h: a second table, empty cells for the other rows ---- */

static void cell_predictor(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    dlmkl_put_str(f, row->adaptive.predictor);
}

/* kl_predictor and kl_path: +inf is kept (a predictor that gives zero mass to a possible value) */
static void cell_kl_predictor(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    put_quantity(f, row->adaptive.kl_predictor, u, sc);
}

static void cell_kl_path(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    put_quantity(f, row->adaptive.kl_path, u, sc);
}

/* iteration counts: no unit */
static void cell_iterations_mean(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    dlmkl_put(f, row->adaptive.iter_mean);
}

static void cell_iterations_mean_ideal(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    dlmkl_put(f, row->adaptive.iter_mean_ideal);
}

static void cell_iterations_law(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)u, (void)sc;
    int first = 1;
    for (int t = 0; t <= row->adaptive.L; t++)
        if (row->adaptive.iter_prob[t] > 0) {
            fprintf(f, first ? "%d:" : ";%d:", t);
            dlmkl_put(f, row->adaptive.iter_prob[t]);
            first = 0;
        }
}

static void cell_bound_policy(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)sc;
    const double b = row->adaptive.bound_policy;
    dlmkl_put(f, isnan(b) ? b : u * b);
}

static void cell_bound_step(FILE *f, const dlmkl_kl_row *row, double u, double sc)
{
    (void)sc;
    const double b = row->adaptive.bound_step;
    dlmkl_put(f, isnan(b) ? b : u * b);
}

static const kl_column adaptive_columns[] = {
    {"predictor", cell_predictor},
    {"kl_predictor", cell_kl_predictor},
    {"kl_path", cell_kl_path},
    {"iterations_mean", cell_iterations_mean},
    {"iterations_mean_ideal", cell_iterations_mean_ideal},
    {"iterations_law", cell_iterations_law},
    {"bound_policy", cell_bound_policy},
    {"bound_step", cell_bound_step},
};
#define NADAPTIVE ((int)(sizeof adaptive_columns / sizeof adaptive_columns[0]))

int dlmkl_kl_row_adaptive_ncolumns(void)
{
    return NADAPTIVE;
}

const char *dlmkl_kl_row_adaptive_column(int i)
{
    return i >= 0 && i < NADAPTIVE ? adaptive_columns[i].name : NULL;
}

void dlmkl_kl_row_write_adaptive_header(FILE *f) { write_names(f, adaptive_columns, NADAPTIVE); }

void dlmkl_kl_row_write_adaptive(FILE *f, const dlmkl_kl_row *row, dlmkl_unit unit, double scale)
{
    write_cells(f, adaptive_columns, NADAPTIVE, row, unit, scale, !row->adaptive.used);
}
