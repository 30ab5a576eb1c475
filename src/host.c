/* host.c: the struct-free entry for hosts — handles over a law and its profile, results as the CSV
 * text of the matching dlmkl subcommand (the program writes this same text). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "dlmkl/dist.h"
#include "dlmkl/host.h"
#include "internal.h"
#include "dlmkl/io.h"
#include "dlmkl/kl.h"
#include "dlmkl/profile_sparse.h"
#include "dlmkl/profile.h"
#include "dlmkl/sampler.h"
#include "dlmkl/schedule.h"
#include "dlmkl/sweep.h"
#include "families.h"

struct dlmkl_host {
    dlmkl_dist *d;        /* NULL for a profile-only handle, or until needed for a support handle */
    dlmkl_support *sup;   /* the support of a spec whose profile goes the sparse route (else NULL) */
    int normalize;        /* of the spec, to build the table of a support handle later */
    int borrowed;         /* d->p belongs to the caller */
    dlmkl_profile *prof;  /* computed on first use (or read, for a profile-only handle) */
    char *name;           /* the dist column */
    int V;                /* the alphabet of a closed-form profile (0: unknown, a profile file) */
    int threads;          /* dlmkl_host_set_threads: threads of this handle's calls (0: the thread's) */
    size_t max_memory;    /* dlmkl_host_set_max_memory: cap of this handle's calls (0: the thread's) */
};

void dlmkl_host_set_threads(dlmkl_host *h, int nthreads) { h->threads = nthreads > 0 ? nthreads : 0; }

void dlmkl_host_set_max_memory(dlmkl_host *h, size_t bytes) { h->max_memory = bytes; }

/* The calling thread's settings, saved while a call runs with the handle's. */
typedef struct {
    int threads;
    size_t max_memory;
} host_settings;

/* the handle's thread count and memory cap for the duration of one call, on the calling thread */
static host_settings settings_push(const dlmkl_host *h)
{
    const host_settings saved = {dlmkl_threads_setting(), dlmkl_max_memory_setting()};
    if (h->threads)
        dlmkl_set_threads(h->threads);
    if (h->max_memory)
        dlmkl_set_max_memory(h->max_memory);
    return saved;
}

static void settings_pop(host_settings saved)
{
    dlmkl_set_threads(saved.threads);
    dlmkl_set_max_memory(saved.max_memory);
}

/* The alphabet size of a closed-form profile spec, from its family's shape (family.h); 0 when the
 * spec does not say. Read only for the V column (the spec was parsed by the caller). */
static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int oom(void) { return dlmkl_error(DLMKL_ENOMEM, "out of memory"); }

static dlmkl_host *host_new(const char *name)
{
    dlmkl_host *h = calloc(1, sizeof *h);
    if (h && !(h->name = strdup(name ? name : ""))) {
        free(h);
        h = NULL;
    }
    if (!h)
        oom();
    return h;
}

void dlmkl_host_free(dlmkl_host *h)
{
    if (!h)
        return;
    if (h->d && h->borrowed)
        h->d->p = NULL;
    dlmkl_dist_free(h->d);
    dlmkl_support_free(h->sup);
    dlmkl_profile_free(h->prof);
    free(h->name);
    free(h);
}

void dlmkl_host_text_free(char *text) { free(text); }

int dlmkl_host_from_spec(const char *spec, int normalize, dlmkl_host **out)
{
    *out = NULL;
    if (!spec)
        return dlmkl_error(DLMKL_EINVAL, "no distribution spec given");
    dlmkl_host *h = host_new(spec);
    if (!h)
        return DLMKL_ENOMEM;
    h->normalize = normalize;
    /* a family with a support generator whose profile goes the sparse route: the support, not the
     * table (the route and the support, hence the bits, are those of the table's) */
    dlmkl_support *cnt = NULL;
    int st = dlmkl_support_from_spec(spec, 1, &cnt);
    if (st == DLMKL_OK && cnt && dlmkl_profile_sparse_preferred(cnt->L, cnt->V, cnt->N, 1)) {
        st = dlmkl_support_from_spec(spec, 0, &h->sup);
        dlmkl_support_free(cnt);
        if (st != DLMKL_OK) {
            dlmkl_host_free(h);
            return st;
        }
        *out = h;
        return DLMKL_OK;
    }
    dlmkl_support_free(cnt);
    st = dlmkl_dist_from_spec(spec, normalize, &h->d);
    if (st != DLMKL_OK) {
        dlmkl_host_free(h);
        return st;
    }
    *out = h;
    return DLMKL_OK;
}

int dlmkl_host_from_table(const double *p, int L, int V, int normalize, const char *name, dlmkl_host **out)
{
    *out = NULL;
    if (!p)
        return dlmkl_error(DLMKL_EINVAL, "no table given");
    if (V < 2 || L < 1 || L > DLMKL_MAX_L)
        return dlmkl_error(DLMKL_EINVAL, "a table needs V >= 2 and 1 <= L <= %d (got L = %d, V = %d)", DLMKL_MAX_L,
                           L, V);
    uint64_t n;
    int st = dlmkl_pow_checked(V, L, &n);
    if (st != DLMKL_OK)
        return st;
    dlmkl_host *h = host_new(name);
    if (!h)
        return DLMKL_ENOMEM;
    if (normalize) {
        /* a copy: normalising must not write into the caller's array */
        if (!(h->d = dlmkl_dist_alloc(L, V))) {
            dlmkl_host_free(h);
            return DLMKL_ETOOBIG;
        }
        memcpy(h->d->p, p, (size_t)n * sizeof *p);
    } else {
        /* borrowed: the table is the caller's; dlmkl_dist_validate only reads it */
        if (!(h->d = calloc(1, sizeof *h->d))) {
            dlmkl_host_free(h);
            return oom();
        }
        h->d->L = L, h->d->V = V, h->d->n = n;
        h->d->p = (double *)(uintptr_t)p;
        h->borrowed = 1;
    }
    if ((st = dlmkl_dist_set_spec(h->d, h->name)) != DLMKL_OK ||
        (st = dlmkl_dist_validate(h->d, normalize)) != DLMKL_OK) {
        dlmkl_host_free(h);
        return st;
    }
    *out = h;
    return DLMKL_OK;
}

int dlmkl_host_from_profile(const char *path_or_spec, dlmkl_unit unit, dlmkl_host **out)
{
    *out = NULL;
    if (!path_or_spec)
        return dlmkl_error(DLMKL_EINVAL, "no profile given");
    dlmkl_host *h = host_new(path_or_spec);
    if (!h)
        return DLMKL_ENOMEM;
    struct stat sb;
    int st;
    if (strncmp(path_or_spec, "auto:", 5) == 0)
        st = dlmkl_profile_auto(path_or_spec + 5, 0, &h->prof, &h->V, NULL);
    else if (stat(path_or_spec, &sb) == 0)
        st = dlmkl_profile_read_csv(path_or_spec, unit, &h->prof);
    else if (!strchr(path_or_spec, ':'))
        st = dlmkl_error(DLMKL_EIO, "profile '%s': no such file, and not a closed-form spec FAMILY:key=value,...",
                         path_or_spec);
    else
        st = dlmkl_profile_closed_form(path_or_spec, &h->prof);
    if (st != DLMKL_OK) {
        dlmkl_host_free(h);
        return st;
    }
    h->V = h->prof->V; /* the spec's alphabet, or a profile file's V column (0: not known) */
    *out = h;
    return DLMKL_OK;
}

int dlmkl_host_L(const dlmkl_host *h) { return h->d ? h->d->L : h->sup ? h->sup->L : h->prof->L; }
int dlmkl_host_V(const dlmkl_host *h) { return h->d ? h->d->V : h->sup ? h->sup->V : h->V; }

/* The table of a support handle, built on first need (the family's builder, as dlmkl_dist_from_spec);
 * DLMKL_OK with nothing to do for other handles. */
static int host_need_table(dlmkl_host *h)
{
    if (h->d || !h->sup)
        return DLMKL_OK;
    return dlmkl_dist_from_spec(h->name, h->normalize, &h->d);
}

int dlmkl_host_table(dlmkl_host *h, double *out, uint64_t n)
{
    int st = host_need_table(h);
    if (st != DLMKL_OK)
        return st;
    if (!h->d)
        return dlmkl_error(DLMKL_EINVAL, "a profile-only input has no table");
    if (!out || n != h->d->n)
        return dlmkl_error(DLMKL_EINVAL, "the table has V^L = %llu entries, not %llu", (unsigned long long)h->d->n,
                           (unsigned long long)n);
    memcpy(out, h->d->p, (size_t)n * sizeof *out);
    return DLMKL_OK;
}

/* The profile, computed once: the dense route, or the sparse one where the dense workspace does not
 * fit the memory cap or the sparse route is estimated at least 4x cheaper (dlmkl_profile_compute_auto). */
static int host_profile(dlmkl_host *h)
{
    if (h->prof)
        return DLMKL_OK;
    dlmkl_profile *prof = dlmkl_profile_alloc(dlmkl_host_L(h));
    int st = !prof ? DLMKL_ENOMEM
             : h->sup ? dlmkl_profile_sparse_support(h->sup->L, h->sup->V, h->sup->idx, h->sup->p, h->sup->N, prof)
                      : dlmkl_profile_compute_auto(h->d, prof, NULL);
    if (st != DLMKL_OK) {
        dlmkl_profile_free(prof);
        return st == DLMKL_ENOMEM && !prof ? oom() : st;
    }
    h->prof = prof;
    return DLMKL_OK;
}

/* A text under construction (open_memstream). */
typedef struct text {
    FILE *f;
    char *s;
    size_t n;
} text;

static int text_open(text *t)
{
    t->s = NULL, t->n = 0;
    t->f = open_memstream(&t->s, &t->n);
    return t->f ? DLMKL_OK : oom();
}

/* Close the stream; on success *out owns the text. */
static int text_close(text *t, int st, char **out)
{
    int bad = fclose(t->f) != 0;
    if (st == DLMKL_OK && bad)
        st = oom();
    if (st != DLMKL_OK) {
        free(t->s);
        return st;
    }
    *out = t->s;
    return DLMKL_OK;
}

static void put_V(FILE *f, const dlmkl_host *h)
{
    if (dlmkl_host_V(h) > 0)
        fprintf(f, "%d", dlmkl_host_V(h));
}

static int host_info_csv(dlmkl_host *h, dlmkl_unit unit, int header, char **csv)
{
    *csv = NULL;
    int st = host_profile(h);
    if (st != DLMKL_OK)
        return st;
    const dlmkl_profile *prof = h->prof;
    const double f = dlmkl_unit_factor(unit), sc = dlmkl_profile_scale(prof);
    const double tc = dlmkl_nonneg(dlmkl_profile_tc(prof), sc), dtc = dlmkl_nonneg(dlmkl_profile_dtc(prof), sc);
    const double v[5] = {f * dlmkl_nonneg(dlmkl_profile_H(prof), sc), f * tc, f * dtc, f * (tc + dtc),
                         f * dlmkl_nonneg(dlmkl_profile_Z(prof, prof->L), sc)};
    text t;
    if ((st = text_open(&t)) != DLMKL_OK)
        return st;
    if (header)
        fputs("dist,L,V,unit,H,TC,DTC,TC_plus_DTC,Z_L\n", t.f);
    dlmkl_put_str(t.f, h->name);
    fprintf(t.f, ",%d,", prof->L);
    put_V(t.f, h);
    fprintf(t.f, ",%s", dlmkl_unit_name(unit));
    for (int k = 0; k < 5; k++) {
        fputc(',', t.f);
        dlmkl_put(t.f, v[k]);
    }
    fputc('\n', t.f);
    return text_close(&t, DLMKL_OK, csv);
}

static int host_profile_csv(dlmkl_host *h, dlmkl_unit unit, char **csv)
{
    *csv = NULL;
    int st = host_profile(h);
    if (st != DLMKL_OK)
        return st;
    return dlmkl_profile_csv(h->prof, unit, csv);
}

int dlmkl_profile_csv(const dlmkl_profile *prof, dlmkl_unit unit, char **csv)
{
    *csv = NULL;
    int st;
    const double f = dlmkl_unit_factor(unit), sc = dlmkl_profile_scale(prof);
    text t;
    if ((st = text_open(&t)) != DLMKL_OK)
        return st;
    fputs("m,h,Z,unit,V\n", t.f);
    char Vs[16] = "";
    if (prof->V > 0)
        snprintf(Vs, sizeof Vs, "%d", prof->V);
    for (int m = 0; m <= prof->L; m++) {
        fprintf(t.f, "%d,", m);
        dlmkl_put(t.f, f * dlmkl_nonneg(prof->h[m], sc));
        fputc(',', t.f);
        if (m > 0)
            dlmkl_put(t.f, f * dlmkl_nonneg(dlmkl_profile_Z(prof, m), sc));
        fprintf(t.f, ",%s,%s\n", dlmkl_unit_name(unit), Vs);
    }
    return text_close(&t, DLMKL_OK, csv);
}

static int host_kl_adaptive_csv(dlmkl_host *h, const char *const *schedules, int nsched, const long *K, int nK,
                                const char *const *positions, int npos, const char *const *predictors, int npred,
                                dlmkl_output_law_mode mode, dlmkl_unit unit, const char *seed, char **csv);

static int host_kl_csv(dlmkl_host *h, const char *const *schedules, int nsched, const long *K, int nK,
                      const char *const *positions, int npos, dlmkl_output_law_mode mode, dlmkl_unit unit,
                      const char *seed, char **csv)
{
    return host_kl_adaptive_csv(h, schedules, nsched, K, nK, positions, npos, NULL, 0, mode, unit, seed, csv);
}

static int host_kl_adaptive_csv(dlmkl_host *h, const char *const *schedules, int nsched, const long *K, int nK,
                                const char *const *positions, int npos, const char *const *predictors, int npred,
                                dlmkl_output_law_mode mode, dlmkl_unit unit, const char *seed, char **csv)
{
    *csv = NULL;
    if (nsched <= 0 || !schedules)
        return dlmkl_error(DLMKL_EINVAL, "no schedule given");
    if (nK < 0 || npos < 0 || npred < 0 || (nK > 0 && !K) || (npos > 0 && !positions) || (npred > 0 && !predictors))
        return dlmkl_error(DLMKL_EINVAL, "bad list of budgets, position policies or predictors");
    for (int j = 0; j < nK; j++)
        if (K[j] < 1 || K[j] > 1000000000L)
            return dlmkl_error(DLMKL_EINVAL, "K = %ld is out of range (1..1000000000)", K[j]);
    if (mode != DLMKL_OUTPUT_LAW_NEVER || npos > 0 || npred > 0) {
        /* the table of a support handle, for kl_output and value-adaptive policies; AUTO goes on
         * without it when it does not fit the memory cap */
        const int tst = host_need_table(h);
        if (tst != DLMKL_OK && (tst != DLMKL_ETOOBIG || mode != DLMKL_OUTPUT_LAW_AUTO || npos > 0 || npred > 0))
            return tst;
    }
    if (!h->d && mode == DLMKL_OUTPUT_LAW_ALWAYS)
        return dlmkl_error(DLMKL_EINVAL, "kl_output needs the distribution itself, not only its profile");
    for (int i = 0; i < nsched; i++) {
        if (!schedules[i])
            return dlmkl_error(DLMKL_EINVAL, "schedule %d is missing", i + 1);
        if (nK == 0 && !dlmkl_schedule_implies_K(schedules[i]))
            return dlmkl_error(DLMKL_EINVAL, "schedule '%s' needs K (only sizes:, chen-tc:zeta=, chen-dtc:zeta= "
                               "and law: imply it)", schedules[i]);
    }
    const int np = npos > 0 ? npos : 1, npr = npred > 0 ? npred : 1;
    /* each position policy is value-blind (positions.h) or goes through adaptive.h: every one does
     * when there are predictors; zeroed entries are random positions and the exact predictor */
    dlmkl_positions *pos = calloc((size_t)np, sizeof *pos);
    dlmkl_adaptive *apol = calloc((size_t)np, sizeof *apol);
    unsigned char *adapt = calloc((size_t)np, 1);
    dlmkl_predictor *preds = calloc((size_t)npr, sizeof *preds);
    if (!pos || !apol || !adapt || !preds) {
        free(pos), free(apol), free(adapt), free(preds);
        return oom();
    }
    int st = DLMKL_OK, any_adapt = npred > 0;
    for (int r = 0; r < npred && st == DLMKL_OK; r++)
        st = predictors[r] ? dlmkl_predictor_parse(predictors[r], &preds[r])
                           : dlmkl_error(DLMKL_EINVAL, "predictor %d is missing", r + 1);
    for (int q = 0; q < npos && st == DLMKL_OK; q++) {
        if (!positions[q]) {
            st = dlmkl_error(DLMKL_EINVAL, "position policy %d is missing", q + 1);
        } else if (dlmkl_adaptive_is_spec(positions[q]) || npred > 0) {
            st = dlmkl_adaptive_parse(positions[q], &apol[q]);
            if (st != DLMKL_OK && !dlmkl_adaptive_is_spec(positions[q]))
                st = dlmkl_error(DLMKL_EINVAL, "a predictor works with random, l2r or value-adaptive positions, not '%s'",
                                 positions[q]);
            adapt[q] = 1, any_adapt = 1;
        } else {
            st = dlmkl_positions_parse(positions[q], &pos[q]);
        }
    }
    if (st == DLMKL_OK && npos == 0 && npred > 0)
        adapt[0] = 1; /* apol[0] is random (zeroed) */
    if (st == DLMKL_OK && any_adapt && !h->d)
        st = dlmkl_error(DLMKL_EINVAL, "value-adaptive positions and predictors need the distribution itself (its "
                                       "table): they read its conditionals");
    if (st == DLMKL_OK)
        st = host_profile(h);
    if (st != DLMKL_OK) {
        free(pos), free(apol), free(adapt), free(preds);
        return st;
    }
    /* every row first, so that a failure gives no partial text */
    size_t maxrows = (size_t)nsched * (size_t)(nK > 0 ? nK : 1) * (size_t)np * (size_t)npr, nrows = 0;
    dlmkl_kl_row *rows = calloc(maxrows, sizeof *rows);
    if (!rows) {
        free(pos), free(apol), free(adapt), free(preds);
        return oom();
    }
    dlmkl_kl_output_workspace *ws = NULL; /* kl_output's tables of this law, shared by the rows */
    dlmkl_ordered_cache *oc = NULL;       /* the ordered policies' entropies of this law, per order */
    size_t rowsdone = 0;
    dlmkl_progress("kl rows", 0.0, (double)maxrows);
    for (int i = 0; i < nsched && st == DLMKL_OK; i++) {
        const int implied = dlmkl_schedule_implies_K(schedules[i]);
        /* a schedule that fixes its K gives one row; a K given with it is checked against it */
        const int nkk = implied && nK == 0 ? 1 : nK;
        for (int j = 0; j < nkk && st == DLMKL_OK; j++)
            for (int q = 0; q < np && st == DLMKL_OK; q++) {
                const int k = implied && nK == 0 ? -1 : (int)K[j];
                if (!adapt[q]) {
                    dlmkl_schedule *s = NULL;
                    st = dlmkl_schedule_from_spec(schedules[i], h->prof->L, k, h->prof, &s);
                    if (st == DLMKL_OK)
                        st = dlmkl_kl_row_compute_cached(h->prof, h->d, s, &pos[q], mode, &ws, &oc, &rows[nrows]);
                    dlmkl_schedule_free(s);
                    if (st == DLMKL_OK)
                        nrows++;
                    rowsdone += (size_t)npr;
                    dlmkl_progress("kl rows", (double)rowsdone, (double)maxrows);
                    continue;
                }
                /* a self-sized policy ignores the schedule: one row, at the first schedule and K */
                if (dlmkl_adaptive_self_sized(&apol[q]) && (i > 0 || j > 0)) {
                    rowsdone += (size_t)npr;
                    continue;
                }
                for (int r = 0; r < npr && st == DLMKL_OK; r++) {
                    st = dlmkl_kl_row_compute_adaptive(h->prof, h->d, schedules[i], k, &apol[q], &preds[r], mode,
                                                       &rows[nrows]);
                    if (st == DLMKL_OK)
                        nrows++;
                    dlmkl_progress("kl rows", (double)++rowsdone, (double)maxrows);
                }
            }
    }
    dlmkl_progress("kl rows", (double)maxrows, (double)maxrows);
    dlmkl_kl_output_workspace_free(ws);
    dlmkl_ordered_cache_free(oc);
    text t;
    if (st == DLMKL_OK)
        st = text_open(&t);
    if (st == DLMKL_OK) {
        const double sc = dlmkl_profile_scale(h->prof);
        fputs("dist,L,V,unit,", t.f);
        dlmkl_kl_row_write_header(t.f);
        fputs(",seed", t.f);
        if (any_adapt) { /* the adaptive columns only when used, so that other output stays as it was */
            fputc(',', t.f);
            dlmkl_kl_row_write_adaptive_header(t.f);
        }
        fputc('\n', t.f);
        for (size_t i = 0; i < nrows; i++) {
            dlmkl_put_str(t.f, h->name);
            fprintf(t.f, ",%d,", h->prof->L);
            put_V(t.f, h);
            fprintf(t.f, ",%s,", dlmkl_unit_name(unit));
            dlmkl_kl_row_write(t.f, &rows[i], unit, sc);
            fprintf(t.f, ",%s", seed ? seed : "");
            if (any_adapt) {
                fputc(',', t.f);
                dlmkl_kl_row_write_adaptive(t.f, &rows[i], unit, sc);
            }
            fputc('\n', t.f);
        }
        st = text_close(&t, DLMKL_OK, csv);
    }
    for (size_t i = 0; i < nrows; i++)
        dlmkl_kl_row_clear(&rows[i]);
    free(rows);
    free(pos), free(apol), free(adapt), free(preds);
    return st;
}

static void put_x(FILE *f, const int *x, int L)
{
    for (int i = 0; i < L; i++)
        fprintf(f, i ? "-%d" : "%d", x[i]);
}

static int host_sample_csv(dlmkl_host *h, const char *schedule, long K, uint64_t n, unsigned long seed,
                          const char *positions, int samples, dlmkl_output_law_mode mode, char **csv)
{
    *csv = NULL;
    int st = host_need_table(h);
    if (st != DLMKL_OK)
        return st;
    if (!h->d)
        return dlmkl_error(DLMKL_EINVAL, "sampling needs the distribution itself, not only its profile");
    if (!schedule)
        return dlmkl_error(DLMKL_EINVAL, "no schedule given");
    if (n < 1 || n > (UINT64_C(1) << 53))
        return dlmkl_error(DLMKL_EINVAL, "the number of draws must be from 1 to 2^53");
    if (seed == 0)
        return dlmkl_error(DLMKL_EINVAL, "seed 0 is refused: GSL's mt19937 treats seed 0 as 4357; give a seed >= 1");
    if (K < 0 || K > (1L << 30))
        return dlmkl_error(DLMKL_EINVAL, "K = %ld is out of range (1..%ld)", K, 1L << 30);
    if (K == 0 && !dlmkl_schedule_implies_K(schedule))
        return dlmkl_error(DLMKL_EINVAL, "schedule '%s' needs K (the number of iterations)", schedule);
    dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
    st = positions ? dlmkl_positions_parse(positions, &pos) : DLMKL_OK;
    if (st != DLMKL_OK)
        return st;

    const dlmkl_dist *d = h->d;
    const int L = d->L;
    dlmkl_schedule *s = NULL;
    dlmkl_sampler *smp = NULL;
    dlmkl_kl_output_workspace *ws = NULL; /* the exact law's tables, then the sampler's */
    double *qbar = NULL;
    uint64_t *counts = NULL;
    gsl_rng *rng = NULL;
    text t = {0};
    if (dlmkl_schedule_spec_flags(schedule) & DLMKL_SCHED_FLAG_NEEDS_PROFILE) /* optimal, twin:optimal */
        st = host_profile(h);
    if (st == DLMKL_OK)
        st = dlmkl_schedule_from_spec(schedule, L, (int)K, h->prof, &s);
    if (st != DLMKL_OK)
        goto done;
    if (!samples) {
        char what[96];
        snprintf(what, sizeof what, "the sample counts over [V]^L (%llu cells)", (unsigned long long)d->n);
        if ((st = dlmkl_check_memory((size_t)d->n * sizeof *counts, what)) != DLMKL_OK)
            goto done;
        if (!(counts = calloc(d->n, sizeof *counts))) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating %s", what);
            goto done;
        }
        const int take = dlmkl_output_law_take(mode, d, s, &pos);
        if (take) {
            /* the exact law first; the sampler then reads the same extended table */
            if ((st = dlmkl_check_memory((size_t)d->n * sizeof *qbar, "the exact output law over [V]^L")) != DLMKL_OK)
                goto done;
            if (!(qbar = malloc(d->n * sizeof *qbar))) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the exact output law");
                goto done;
            }
            if (!(ws = dlmkl_kl_output_workspace_alloc(d))) {
                st = dlmkl_last_status();
                goto done;
            }
            if ((st = dlmkl_sampler_law_ws(ws, s, &pos, qbar, NULL)) != DLMKL_OK)
                goto done;
        }
    }
    if ((st = ws ? dlmkl_sampler_alloc_ws(ws, s, &pos, &smp) : dlmkl_sampler_alloc(d, s, &pos, &smp)) != DLMKL_OK)
        goto done;
    if (!samples) {
        if ((st = dlmkl_sampler_counts(smp, seed, n, counts)) != DLMKL_OK || (st = text_open(&t)) != DLMKL_OK)
            goto done;
        fputs("x,count,freq,p,q_bar,seed\n", t.f);
        int x[DLMKL_MAX_L] = {0};
        for (uint64_t idx = 0; idx < d->n; idx++) {
            if (d->p[idx] > 0 || counts[idx] > 0) {
                put_x(t.f, x, L);
                fprintf(t.f, ",%llu,", (unsigned long long)counts[idx]);
                dlmkl_put(t.f, (double)counts[idx] / (double)n);
                fputc(',', t.f);
                dlmkl_put(t.f, d->p[idx]);
                fputc(',', t.f);
                dlmkl_put(t.f, qbar ? dlmkl_nonneg(qbar[idx], 1.0) : NAN);
                fprintf(t.f, ",%lu\n", seed);
            }
            for (int i = L - 1; i >= 0 && ++x[i] == d->V; i--)
                x[i] = 0;
        }
    } else {
        /* the same generator and draws as dlmkl_sampler_counts, one row each */
        if (!(rng = gsl_rng_alloc(gsl_rng_mt19937))) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory allocating the random number generator");
            goto done;
        }
        gsl_rng_set(rng, seed);
        if ((st = text_open(&t)) != DLMKL_OK)
            goto done;
        fputs("sample,x,seed\n", t.f);
        int x[DLMKL_MAX_L];
        for (uint64_t j = 1; j <= n && st == DLMKL_OK; j++) {
            if ((st = dlmkl_sampler_draw(smp, rng, x, NULL)) != DLMKL_OK)
                break;
            fprintf(t.f, "%llu,", (unsigned long long)j);
            put_x(t.f, x, L);
            fprintf(t.f, ",%lu\n", seed);
        }
    }
done:
    if (t.f)
        st = text_close(&t, st, csv);
    if (rng)
        gsl_rng_free(rng);
    free(counts), free(qbar);
    dlmkl_sampler_free(smp);
    dlmkl_kl_output_workspace_free(ws);
    dlmkl_schedule_free(s);
    return st;
}

/* the public entry points: each runs with the handle's thread count and memory cap
 * (dlmkl_host_set_threads, dlmkl_host_set_max_memory) */
int dlmkl_host_info_csv(dlmkl_host *h, dlmkl_unit unit, int header, char **csv)
{
    const host_settings saved = settings_push(h);
    const int st = host_info_csv(h, unit, header, csv);
    settings_pop(saved);
    return st;
}

int dlmkl_host_profile_csv(dlmkl_host *h, dlmkl_unit unit, char **csv)
{
    const host_settings saved = settings_push(h);
    const int st = host_profile_csv(h, unit, csv);
    settings_pop(saved);
    return st;
}

int dlmkl_host_kl_csv(dlmkl_host *h, const char *const *schedules, int nsched, const long *K, int nK,
                      const char *const *positions, int npos, dlmkl_output_law_mode mode, dlmkl_unit unit,
                      const char *seed, char **csv)
{
    const host_settings saved = settings_push(h);
    const int st = host_kl_csv(h, schedules, nsched, K, nK, positions, npos, mode, unit, seed, csv);
    settings_pop(saved);
    return st;
}

int dlmkl_host_kl_adaptive_csv(dlmkl_host *h, const char *const *schedules, int nsched, const long *K, int nK,
                               const char *const *positions, int npos, const char *const *predictors, int npred,
                               dlmkl_output_law_mode mode, dlmkl_unit unit, const char *seed, char **csv)
{
    const host_settings saved = settings_push(h);
    const int st = host_kl_adaptive_csv(h, schedules, nsched, K, nK, positions, npos, predictors, npred, mode, unit,
                                        seed, csv);
    settings_pop(saved);
    return st;
}

int dlmkl_host_sample_csv(dlmkl_host *h, const char *schedule, long K, uint64_t n, unsigned long seed,
                          const char *positions, int samples, dlmkl_output_law_mode mode, char **csv)
{
    const host_settings saved = settings_push(h);
    const int st = host_sample_csv(h, schedule, K, n, seed, positions, samples, mode, csv);
    settings_pop(saved);
    return st;
}

int dlmkl_host_expand_K(const char *text_, int L, const char *what, long **K, int *n)
{
    *K = NULL, *n = 0;
    if (!text_)
        return dlmkl_error(DLMKL_EINVAL, "no list of budgets given");
    dlmkl_sweep_list l = {0};
    char Ltext[16];
    snprintf(Ltext, sizeof Ltext, "%d", L);
    const dlmkl_sweep_var var = {"L", Ltext};
    int st = dlmkl_sweep_list_expand(text_, DLMKL_LIST_INTEGERS, &var, L > 0 ? 1 : 0, what ? what : "K", &l);
    if (st != DLMKL_OK)
        return st;
    long *v = malloc((size_t)(l.n > 0 ? l.n : 1) * sizeof *v);
    if (!v) {
        dlmkl_sweep_list_clear(&l);
        return oom();
    }
    for (int i = 0; i < l.n && st == DLMKL_OK; i++)
        if (dlmkl_read_long(l.v[i], (size_t)-1, 1, 1000000000L, &v[i]) != DLMKL_OK)
            st = dlmkl_error(DLMKL_EINVAL, "%s: '%s' is not an integer from 1 to 1000000000", what ? what : "K",
                             l.v[i]);
    if (st == DLMKL_OK && l.n == 0)
        st = dlmkl_error(DLMKL_EINVAL, "%s: the list is empty", what ? what : "K");
    if (st == DLMKL_OK)
        *K = v, *n = l.n;
    else
        free(v);
    dlmkl_sweep_list_clear(&l);
    return st;
}

int dlmkl_host_sweep(const char *config_path, const char *out_dir, int quick, int resume, char **csv_path)
{
    *csv_path = NULL;
    if (!config_path || !out_dir)
        return dlmkl_error(DLMKL_EINVAL, "a sweep needs a config file and an output folder");
    if (resume < 0 || resume > 2)
        return dlmkl_error(DLMKL_EINVAL, "resume = %d: 0 (refuse an existing output), 1 (resume) or 2 (overwrite)", resume);
    dlmkl_sweep_config *cfg = NULL;
    dlmkl_sweep_plan *plan = NULL;
    int st = dlmkl_sweep_config_read(config_path, quick, &cfg);
    if (st == DLMKL_OK)
        st = dlmkl_sweep_plan_build(cfg, &plan);
    if (st == DLMKL_OK && plan->nrows == 0)
        st = dlmkl_error(DLMKL_EINVAL, "the grid has no points%s; nothing to compute",
                         plan->ninfeasible > 0 ? " (every point was infeasible and skipped)" : "");
    if (st == DLMKL_OK) {
        dlmkl_sweep_opts opts = {out_dir, resume == 1, NULL, NULL, resume == 2};
        dlmkl_sweep_stats stats;
        const double t0 = wall_now();
        st = dlmkl_sweep_run(cfg, plan, &opts, &stats);
        const double t1 = wall_now();
        if (st == DLMKL_OK) {
            char meta_path[4096];
            snprintf(meta_path, sizeof meta_path, "%s/%s.meta.json", out_dir, cfg->name);
            char *argv[] = {"dlmkl_host_sweep", (char *)(uintptr_t)config_path};
            dlmkl_sweep_meta_info info = {2, argv, t0, t1};
            st = dlmkl_sweep_meta_write(meta_path, cfg, plan, &stats, &info);
        }
        if (st == DLMKL_OK && !(*csv_path = strdup(stats.csv_path)))
            st = oom();
        dlmkl_sweep_stats_clear(&stats);
    }
    dlmkl_sweep_plan_free(plan);
    dlmkl_sweep_config_free(cfg);
    return st;
}
