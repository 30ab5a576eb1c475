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
    memset(row, 0, sizeof *row);
    const int L = prof->L;
    if (d && d->L != L)
        return dlmkl_error(DLMKL_EINVAL, "table L = %d and profile L = %d differ", d->L, L);
    dlmkl_schedule *s;
    int st = dlmkl_schedule_from_spec(schedule_spec, L, K, prof, &s);
    if (st != DLMKL_OK)
        return st;
    row->schedule = strdup(s->name);
    size_t slen = (size_t)s->K * 12 + 1;
    row->sizes = malloc(slen);
    if (!row->schedule || !row->sizes) {
        dlmkl_schedule_free(s);
        dlmkl_kl_row_clear(row);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    dlmkl_schedule_sizes_string(s, row->sizes, slen);
    dlmkl_positions_name(pos, s->K, row->positions, sizeof row->positions);
    row->K = s->budget;
    row->steps = s->K;
    row->zeta = s->chen ? s->zeta : NAN;
    row->H = prof->h[L];
    row->TC = dlmkl_profile_tc(prof);
    row->DTC = dlmkl_profile_dtc(prof);
    row->Z_L = dlmkl_profile_Z(prof, L);
    dlmkl_bounds_compute(prof, s, &row->bounds);

    row->worst_tc = row->worst_dtc = row->ln_L = NAN;
    if (pos->kind == DLMKL_POS_RANDOM) {
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
        st = dlmkl_error(DLMKL_EINVAL, "positions '%s' need the distribution itself (--dist), not only its profile",
                         row->positions);
    } else {
        int *order = malloc((size_t)L * sizeof *order);
        if (!order)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        else if ((st = dlmkl_positions_order(pos, L, s->K, order)) == DLMKL_OK)
            st = dlmkl_kl_expected_ordered(d, order, s, &row->kl_expected);
        free(order);
    }

    row->kl_output = NAN;
    if (st == DLMKL_OK && mode != DLMKL_OUTPUT_LAW_NEVER) {
        int take = 0;
        if (!d) {
            if (mode == DLMKL_OUTPUT_LAW_ALWAYS)
                st = dlmkl_error(DLMKL_EINVAL, "kl_output needs the distribution itself (--dist), not only its profile");
        } else if (mode == DLMKL_OUTPUT_LAW_ALWAYS) {
            take = 1;
        } else {
            take = dlmkl_kl_output_cost(d, s, pos) <= DLMKL_OUTPUT_LAW_AUTO_TERMS &&
                   dlmkl_kl_output_bytes(d) <= (double)dlmkl_max_memory();
        }
        if (take)
            st = dlmkl_kl_output(d, s, pos, &row->kl_output, NULL);
    }
    dlmkl_schedule_free(s);
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

const char *dlmkl_kl_row_columns(void)
{
    return "schedule,positions,K,steps,sizes,kl_expected,kl_output,TC,DTC,H,Z_L,bound_tc_over_K,"
           "bound_dtc_over_K,bound_li_cai,bound_zl,bound_chen,zeta,worst_tc,d_tc,worst_dtc,d_dtc,ln_L";
}

/* ",RATIO,D" or ",," where the worst case does not apply */
static void put_worst(FILE *f, double ratio, int d)
{
    fputc(',', f);
    dlmkl_put(f, ratio);
    if (isnan(ratio))
        fputc(',', f);
    else
        fprintf(f, ",%d", d);
}

void dlmkl_kl_row_write(FILE *f, const dlmkl_kl_row *row, dlmkl_unit unit, double scale)
{
    const double u = dlmkl_unit_factor(unit);
    dlmkl_put_str(f, row->schedule);
    fprintf(f, ",%s,%d,%d,%s", row->positions, row->K, row->steps, row->sizes);
    const double v[] = {row->kl_expected, row->kl_output, row->TC, row->DTC, row->H, row->Z_L,
                        row->bounds.tc_over_K, row->bounds.dtc_over_K, row->bounds.li_cai, row->bounds.zl,
                        row->bounds.chen};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        fputc(',', f);
        /* every one of these is non-negative in exact arithmetic: clear rounding residue */
        dlmkl_put(f, isnan(v[i]) || isinf(v[i]) ? v[i] : u * dlmkl_nonneg(v[i], scale));
    }
    fputc(',', f);
    dlmkl_put(f, row->zeta);
    /* the worst case: ratios without unit; empty where it does not apply */
    put_worst(f, row->worst_tc, row->d_tc);
    put_worst(f, row->worst_dtc, row->d_dtc);
    fputc(',', f);
    dlmkl_put(f, row->ln_L);
}
