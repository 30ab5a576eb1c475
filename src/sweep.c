/* sweep.c: the run loop of a sweep: a planned grid (sweep_plan.c) computed row by row with a
 * progressive journal, resume (sweep_journal.c) and an atomic final CSV. Rows are computed and written by dlmkl_kl_row_compute / dlmkl_kl_row_write
 * (src/kl_row.c), the code behind `dlmkl kl`, so the two commands cannot disagree. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dlmkl/io.h"
#include "dlmkl/kl_output.h"
#include "dlmkl/profile_sparse.h"
#include "dlmkl/sweep.h"
#include "internal.h" /* dlmkl_threads_setting, dlmkl_max_memory_setting */
#include "sweep_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* running */

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int mkdir_p(const char *dir)
{
    char *d = strdup(dir);
    if (!d)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    for (char *p = d + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(d, 0777) != 0 && errno != EEXIST) {
                int e = errno;
                int st = dlmkl_error(DLMKL_EIO, "cannot create folder '%s': %s", d, strerror(e));
                free(d);
                return st;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    free(d);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return dlmkl_error(DLMKL_EIO, "'%s' is not a folder", dir);
    return DLMKL_OK;
}

void dlmkl_sweep_stats_clear(dlmkl_sweep_stats *stats)
{
    if (!stats)
        return;
    free(stats->row_seconds);
    free(stats->csv_path);
    free(stats->partial_path);
    memset(stats, 0, sizeof *stats);
}

static char *path_join(const char *dir, const char *name, const char *ext)
{
    size_t n = strlen(dir) + strlen(name) + strlen(ext) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", dir, name, ext);
    return p;
}

/* The row's schedule, built for this profile's L (law: files named relative to the config's
 * folder); *sc_row remembers the row it was built for, so that rows differing only in positions or
 * predictor share it. */
static int row_schedule(const dlmkl_sweep_config *cfg, const dlmkl_sweep_row *row, const dlmkl_profile *prof,
                        dlmkl_schedule **sc, const dlmkl_sweep_row **sc_row)
{
    char *rs = dlmkl_sweep_resolve_files(cfg->base_dir, row->schedule, "law:");
    if (!rs)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    int st = dlmkl_schedule_from_spec(rs, prof->L, row->implied_K ? 0 : row->K, prof, sc);
    free(rs);
    if (st == DLMKL_OK)
        *sc_row = row;
    return st;
}

/* build the table (if any) and the profile of plan distribution di: closed forms here, tables
 * through ex->profile when given (on every process, with the local status st so that all agree),
 * else dlmkl_profile_compute */
static int load_profile(const dlmkl_sweep_config *cfg, const dlmkl_sweep_dist *dd, const dlmkl_sweep_exec *ex,
                        int st, dlmkl_dist **d, dlmkl_profile **prof)
{
    *d = NULL;
    *prof = NULL;
    /* auto:SPEC (dd->is_auto) takes the route of dlmkl_profile_auto: SPEC's closed form, or its
     * table enumerated as a `spec =` table is (the same bits), without the table afterwards */
    if (!dd->enumerated) {
        if (st)
            return st;
        if ((st = dlmkl_profile_closed_form(dd->spec + (dd->is_auto ? 5 : 0), prof)))
            return st;
    } else {
        /* relative file names resolve against the config's folder */
        char *spec = st ? NULL : dlmkl_sweep_resolve_files(cfg->base_dir, dd->spec, "table:");
        if (!st && !spec)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        if (!st && !(st = dlmkl_dist_from_spec(spec + (dd->is_auto ? 5 : 0), 0, d))) {
            *prof = dlmkl_profile_alloc((*d)->L);
            if (!*prof)
                st = dlmkl_last_status();
        }
        free(spec);
        if (ex && ex->profile)
            st = ex->profile(ex->ctx, st, *d, *prof);
        else if (!st) /* the route of a --dist profile (dense, or sparse where chosen): the same bits */
            st = dlmkl_profile_compute_auto(*d, *prof, NULL);
        if (st)
            return st;
        if (dd->is_auto) { /* rows from the profile alone, as those of a profile */
            dlmkl_dist_free(*d);
            *d = NULL;
        }
    }
    if ((*prof)->L != dd->L)
        return dlmkl_error(DLMKL_EINVAL, "the spec gives L = %d but the grid says L = %d; make the L key match "
                           "the spec", (*prof)->L, dd->L);
    return DLMKL_OK;
}

/* Without resume or force: refuse to overwrite earlier results (DLMKL_EEXIST), saying what they are. */
static int check_existing(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_journal_keymap *map,
                          const char *header, const char *csv_path, const char *partial_path, const char *sums_path)
{
    if (access(csv_path, F_OK) != 0) {
        if (access(partial_path, F_OK) == 0)
            return dlmkl_error(DLMKL_EEXIST, "'%s' holds the rows of an interrupted run of this sweep; it is kept",
                               partial_path);
        return DLMKL_OK;
    }
    /* the rows of this grid that the file holds, valid under the current settings */
    char **scratch = calloc((size_t)(plan->nrows ? plan->nrows : 1), sizeof *scratch);
    uint64_t *sums = NULL;
    long nsums = 0, loaded = 0, file_rows = -1;
    size_t good;
    int ex, st = scratch ? dlmkl_journal_load_sums(sums_path, &sums, &nsums) : dlmkl_error(DLMKL_ENOMEM, "out of memory");
    if (!st)
        st = dlmkl_journal_load_rows(csv_path, cfg, plan, map, header, 0, sums, nsums, scratch, &loaded, &good, &ex);
    free(sums);
    for (long r = 0; scratch && r < plan->nrows; r++)
        free(scratch[r]);
    free(scratch);
    if (st == DLMKL_ENOMEM)
        return st;
    FILE *f = fopen(csv_path, "r");
    if (f) {
        int c;
        file_rows = -1;
        while ((c = getc(f)) != EOF)
            file_rows += c == '\n';
        fclose(f);
    }
    if (st != DLMKL_OK) /* another header: other columns */
        return dlmkl_error(DLMKL_EEXIST, "'%s' holds the results of another grid (other columns); it is kept",
                           csv_path);
    if (loaded == plan->nrows && file_rows == plan->nrows)
        return dlmkl_error(DLMKL_EEXIST, "'%s' already holds the results of this grid (all %ld rows, valid under the "
                           "current settings); it is kept", csv_path, plan->nrows);
    return dlmkl_error(DLMKL_EEXIST, "'%s' holds the results of another grid or of other settings (%ld of its %ld rows "
                       "are valid points of this grid of %ld rows); it is kept", csv_path, loaded,
                       file_rows < 0 ? 0 : file_rows, plan->nrows);
}

int dlmkl_sweep_begin(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_opts *opts,
                      dlmkl_sweep_stats *stats, dlmkl_sweep_files *f)
{
    memset(stats, 0, sizeof *stats);
    memset(f, 0, sizeof *f);
    f->journal_slot = -1;
    f->t0 = now_mono();
    const char *dir = opts && opts->out_dir ? opts->out_dir : "results";
    int st = mkdir_p(dir);
    if (st)
        return st;
    stats->csv_path = path_join(dir, cfg->name, ".csv");
    stats->partial_path = path_join(dir, cfg->name, ".csv.partial");
    f->sums_path = path_join(dir, cfg->name, ".csv.sums");
    f->partial_path = stats->partial_path;
    f->csv_path = stats->csv_path;
    f->nrows = plan->nrows;
    stats->rows_total = plan->nrows;
    stats->row_seconds = malloc((size_t)(plan->nrows ? plan->nrows : 1) * sizeof *stats->row_seconds);
    f->lines = calloc((size_t)(plan->nrows ? plan->nrows : 1), sizeof *f->lines);
    FILE *hf = open_memstream(&f->header, &f->hlen);
    if (!stats->csv_path || !stats->partial_path || !f->sums_path || !stats->row_seconds || !f->lines || !hf) {
        if (hf)
            fclose(hf);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    dlmkl_sweep_write_header(plan, hf);
    fclose(hf);
    if (dlmkl_journal_keymap_init(&f->map, plan->nrows))
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    for (long r = 0; r < plan->nrows; r++) {
        char *k = dlmkl_journal_row_key(cfg, plan, r);
        if (!k)
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        long prev = dlmkl_journal_keymap_put(&f->map, k, r);
        if (prev >= 0)
            return dlmkl_error(DLMKL_EINVAL, "grid rows %ld and %ld are the same point (dist %s, schedule %s, K %d); "
                               "remove the repeated value", prev + 1, r + 1, plan->dists[plan->rows[r].dist].spec,
                               plan->rows[r].schedule, plan->rows[r].K);
    }

    /* earlier results are overwritten only when asked */
    if (!(opts && (opts->resume || opts->force)) &&
        (st = check_existing(cfg, plan, &f->map, f->header, stats->csv_path, stats->partial_path, f->sums_path)))
        return st;

    /* resume: rows of a finished NAME.csv (checked against NAME.csv.sums) and of the journal
     * NAME.csv.partial */
    if (opts && opts->resume) {
        long loaded = 0, nsums = 0;
        size_t g0;
        int ex;
        uint64_t *sums = NULL;
        if ((st = dlmkl_journal_load_sums(f->sums_path, &sums, &nsums)))
            return st;
        st = dlmkl_journal_load_rows(stats->csv_path, cfg, plan, &f->map, f->header, 0, sums, nsums, f->lines, &loaded,
                                     &g0, &ex);
        free(sums);
        if (st)
            return st;
        if ((st = dlmkl_journal_load_rows(stats->partial_path, cfg, plan, &f->map, f->header, 1, NULL, 0, f->lines,
                                          &loaded, &f->good, &ex)))
            return st;
        f->partial_ok = ex && f->good >= f->hlen;
    }
    return DLMKL_OK;
}

int dlmkl_sweep_journal_row(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, dlmkl_sweep_files *f, long r)
{
    /* The journal is opened at the first computed row, so that a sweep that fails or is stopped
     * before it leaves no file behind (and an earlier journal untouched). One complete line per
     * computed row, with its checksum, flushed so that a kill loses at most the row being written
     * (whose torn line --resume drops). */
    int st;
    char settings[1024];
    if (!f->journal &&
        (st = dlmkl_journal_open(f->partial_path, f->header, f->partial_ok, f->good, &f->journal, &f->journal_slot)))
        return st;
    const size_t ll = strlen(f->lines[r]) - 1;
    dlmkl_journal_row_settings(cfg, plan, r, settings, sizeof settings);
    if (fwrite(f->lines[r], 1, ll, f->journal) != ll ||
        fprintf(f->journal, "\t%016llx\n", (unsigned long long)dlmkl_journal_row_checksum(settings, f->lines[r], ll)) < 0 ||
        fflush(f->journal) != 0)
        return dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", f->partial_path, strerror(errno));
    /* the journal holds a row now: it is kept if the run stops */
    dlmkl_temp_unregister(f->journal_slot);
    f->journal_slot = -1;
    return DLMKL_OK;
}

/* Row r of plan distribution dd into *line (malloc'd): its schedule (reused from *sc when *sc_row,
 * the row it was built for, has the same schedule and K: rows that differ only in positions share
 * it), the kl row with the distribution's workspaces *ws and *oc (built on first use), formatted.
 * A failure's message names the row. */
static int compute_row(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_dist *dd, long r,
                       dlmkl_dist *d, dlmkl_profile *prof, dlmkl_schedule **sc, const dlmkl_sweep_row **sc_row,
                       dlmkl_kl_output_workspace **ws, dlmkl_ordered_cache **oc, char **line)
{
    const dlmkl_sweep_section *sec = &cfg->sec[dd->section];
    const dlmkl_sweep_row *row = &plan->rows[r];
    dlmkl_positions pos;
    dlmkl_kl_row x;
    int st = DLMKL_OK;
    memset(&x, 0, sizeof x);
    if (*sc && !row->self_sized && !((*sc_row)->K == row->K && (*sc_row)->implied_K == row->implied_K &&
                                     strcmp((*sc_row)->schedule, row->schedule) == 0)) {
        dlmkl_schedule_free(*sc);
        *sc = NULL, *sc_row = NULL;
    }
    if (row->predictor) {
        /* value-adaptive positions or a predictor: adaptive.h, through the row function of kl */
        dlmkl_adaptive pol;
        dlmkl_predictor pred;
        if (!(st = dlmkl_adaptive_parse(row->positions, &pol)) && !(st = dlmkl_predictor_parse(row->predictor, &pred)) &&
            !row->self_sized && !*sc)
            st = row_schedule(cfg, row, prof, sc, sc_row);
        if (!st && !d)
            st = dlmkl_error(DLMKL_EINVAL, "value-adaptive positions and predictors need a distribution table");
        if (!st)
            st = dlmkl_kl_row_compute_adaptive_schedule(prof, d, row->self_sized ? NULL : *sc, &pol, &pred,
                                                        sec->output_law, &x);
    } else {
        if (!(st = dlmkl_positions_parse(row->positions, &pos)) && !*sc)
            st = row_schedule(cfg, row, prof, sc, sc_row);
        if (!st)
            st = dlmkl_kl_row_compute_cached(prof, d, *sc, &pos, sec->output_law, ws, oc, &x);
    }
    if (!st && x.K != row->K)
        st = dlmkl_error(DLMKL_EINVAL, "internal: the row reports K = %d, the grid K = %d", x.K, row->K);
    if (st) {
        st = dlmkl_error_prefix(st, "[dist %s] %s, schedule %s, K = %d, positions %s", sec->name, dd->spec,
                                row->schedule, row->K, row->positions);
        dlmkl_kl_row_clear(&x);
        return st;
    }
    *line = dlmkl_journal_format_row(cfg, plan, r, d ? d->V : dd->V, prof, &x);
    dlmkl_kl_row_clear(&x);
    return *line ? DLMKL_OK : dlmkl_error(DLMKL_ENOMEM, "out of memory");
}

/* One row's outcome in the rows-at-once pass: its line or its status and message, and its time. */
typedef struct {
    int done, st;
    char *line, *msg;
    double seconds;
} row_result;

static void row_results_free(row_result *res, long n)
{
    if (!res)
        return;
    for (long i = 0; i < n; i++)
        free(res[i].line), free(res[i].msg);
    free(res);
}

/* A table whose rows take at most this much memory each (kl_output's tables and an ordered policy's
 * work array) has rows whose passes are short: a parallel region per step of a row costs a
 * start-up and a barrier each, a large share of such a row (and far more on a busy machine, where
 * every barrier waits for a thread to be scheduled). Its rows are computed at once instead, one row
 * per thread, each row with one thread inside, in one parallel region per distribution. Larger
 * tables keep the threads inside each row. */
#define ROWS_AT_ONCE_MAX_BYTES (16.0 * 1024 * 1024)

/* The rows at once of plan distribution dd (with its table d and profile prof): the rows to compute
 * here without a predictor (value-adaptive rows stay in the row loop), in groups of consecutive rows
 * with one schedule (built once per group, as in the row loop), spread over the threads, into *out
 * (dd->nrows entries; done = 0 for a row left to the row loop). *out = NULL when one thread would do
 * it all: one thread, no table, a large table, a single group, or a memory cap that holds one row's
 * memory only (the threads' rows run at once: threads x one row's memory must fit the cap). Each
 * row's value is the same for any thread count, so the lines are those of the row loop. */
static int rows_at_once(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_dist *dd,
                        const unsigned char *todo_mask, const dlmkl_sweep_exec *ex, dlmkl_dist *d, dlmkl_profile *prof,
                        row_result **out)
{
    *out = NULL;
    const int nthreads = dlmkl_threads();
    if (nthreads < 2 || !d)
        return DLMKL_OK;
    const double per_row = dlmkl_kl_output_bytes(d) + (double)d->n * sizeof(double);
    if (!(per_row <= ROWS_AT_ONCE_MAX_BYTES))
        return DLMKL_OK;
    const double fit = floor((double)dlmkl_max_memory() / per_row);
    const long n = dd->nrows;
    long *idx = malloc((size_t)n * sizeof *idx), *grp = malloc(((size_t)n + 1) * sizeof *grp);
    if (!idx || !grp) {
        free(idx), free(grp);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    long m = 0, ngroups = 0;
    const dlmkl_sweep_row *prev = NULL;
    for (long r = dd->first_row; r < dd->first_row + n; r++) {
        const dlmkl_sweep_row *row = &plan->rows[r];
        if (!todo_mask[r] || (ex && ex->take && !ex->take(ex->ctx, r)) || row->predictor)
            continue;
        if (!prev || row->self_sized || prev->self_sized || prev->K != row->K || prev->implied_K != row->implied_K ||
            strcmp(prev->schedule, row->schedule) != 0)
            grp[ngroups++] = m;
        idx[m++] = r;
        prev = row;
    }
    grp[ngroups] = m;
    int T = nthreads;
    if ((double)T > fit)
        T = (int)fit;
    if ((long)T > ngroups)
        T = (int)ngroups;
    row_result *res = T >= 2 ? calloc((size_t)n, sizeof *res) : NULL;
    if (T >= 2 && !res) {
        free(idx), free(grp);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    if (T < 2) {
        free(idx), free(grp);
        return DLMKL_OK;
    }
    /* the workers run with one thread each and with the calling thread's memory cap (both settings
     * are per thread); each thread puts its own settings back at the end */
    const size_t cap = dlmkl_max_memory_setting();
#pragma omp parallel num_threads(T)
    {
        const int own_threads = dlmkl_threads_setting();
        const size_t own_cap = dlmkl_max_memory_setting();
        dlmkl_set_threads(1);
        dlmkl_set_max_memory(cap);
        dlmkl_kl_output_workspace *ws = NULL;
        dlmkl_ordered_cache *oc = NULL;
        dlmkl_schedule *sc = NULL;
        const dlmkl_sweep_row *sc_row = NULL;
#pragma omp for schedule(dynamic, 1)
        for (long g = 0; g < ngroups; g++)
            for (long i = grp[g]; i < grp[g + 1]; i++) {
                row_result *rr = &res[idx[i] - dd->first_row];
                const double t = now_mono();
                rr->st = compute_row(cfg, plan, dd, idx[i], d, prof, &sc, &sc_row, &ws, &oc, &rr->line);
                rr->seconds = now_mono() - t;
                if (rr->st)
                    rr->msg = strdup(dlmkl_last_error());
                rr->done = 1;
                if (rr->st)
                    break; /* the row loop stops at the first failure in row order */
            }
        dlmkl_kl_output_workspace_free(ws);
        dlmkl_ordered_cache_free(oc);
        dlmkl_schedule_free(sc);
        dlmkl_set_threads(own_threads);
        dlmkl_set_max_memory(own_cap);
    }
    free(idx), free(grp);
    *out = res;
    return DLMKL_OK;
}

int dlmkl_sweep_compute_rows(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, char **lines,
                             const unsigned char *todo_mask, const dlmkl_sweep_exec *ex, const dlmkl_sweep_opts *opts,
                             dlmkl_sweep_stats *stats, double t0)
{
    /* compute, distribution by distribution (profile once per distribution; consecutive grid
     * distributions with the same spec, e.g. differing only in a placeholder used by K, share it) */
    int st = DLMKL_OK;
    const int collective = ex && ex->profile;
    dlmkl_dist *d = NULL;
    dlmkl_profile *prof = NULL;
    int cached = -1; /* plan distribution whose table and profile d, prof hold */
    dlmkl_kl_output_workspace *ws = NULL; /* kl_output's tables for d, built on first use */
    dlmkl_ordered_cache *oc = NULL;       /* ordered policies' subset entropies of d, per order */
    dlmkl_schedule *sc = NULL;            /* the last row's schedule, reused by the next row of the */
    const dlmkl_sweep_row *sc_row = NULL; /* same distribution, schedule and K (another positions) */
    row_result *pre = NULL; /* the rows of this distribution computed at once (rows_at_once), or NULL */
    long nres = 0;
    long done_rows = 0;
    double compute_time = 0;
    long computed_in_est = 0;
    /* with a collective profile every process goes through every distribution to be computed, even
     * after a failure here, so that the profile calls match; the failure is shared at the next one */
    for (int di = 0; di < plan->ndists && (!st || collective); di++) {
        const dlmkl_sweep_dist *dd = &plan->dists[di];
        long todo = 0;
        for (long r = dd->first_row; r < dd->first_row + dd->nrows; r++)
            todo += todo_mask[r] != 0;
        long skipped_here = dd->nrows - todo;
        stats->rows_skipped += skipped_here;
        done_rows += skipped_here;
        if (opts && opts->progress && !st) {
            long remaining = plan->nrows - done_rows;
            dlmkl_sweep_progress pr = {done_rows, plan->nrows, stats->rows_skipped, now_mono() - t0,
                                       computed_in_est ? compute_time / (double)computed_in_est * (double)remaining : -1,
                                       dd->spec};
            opts->progress(opts->progress_ctx, &pr);
        }
        if (todo == 0)
            continue;
        const dlmkl_sweep_dist *cd = cached >= 0 ? &plan->dists[cached] : NULL;
        if (!cd || strcmp(cd->spec, dd->spec) != 0 ||
            cfg->sec[cd->section].closed_form != cfg->sec[dd->section].closed_form) {
            dlmkl_kl_output_workspace_free(ws);
            dlmkl_ordered_cache_free(oc);
            oc = NULL;
            dlmkl_schedule_free(sc);
            dlmkl_profile_free(prof);
            dlmkl_dist_free(d);
            d = NULL, prof = NULL, cached = -1, ws = NULL, sc = NULL, sc_row = NULL;
            if (st && !(collective && dd->enumerated))
                continue;
            double tp = now_mono();
            int st0 = st;
            st = load_profile(cfg, dd, ex, st, &d, &prof);
            double tprof = now_mono() - tp;
            stats->profile_seconds += tprof;
            compute_time += tprof;
            if (st && !st0) {
                st = dlmkl_error_prefix(st, "[dist %s] %s", cfg->sec[dd->section].name, dd->spec);
            } else if (!st) {
                stats->dists_computed++;
                cached = di;
            }
        }
        if (st)
            continue;
        row_results_free(pre, nres);
        pre = NULL, nres = 0;
        if ((st = rows_at_once(cfg, plan, dd, todo_mask, ex, d, prof, &pre)))
            continue;
        nres = pre ? dd->nrows : 0;
        for (long r = dd->first_row; r < dd->first_row + dd->nrows && !st; r++) {
            if (!todo_mask[r] || (ex && ex->take && !ex->take(ex->ctx, r)))
                continue;
            double dt;
            if (pre && pre[r - dd->first_row].done) { /* computed by the rows-at-once pass above */
                row_result *rr = &pre[r - dd->first_row];
                if (rr->st) {
                    st = dlmkl_error(rr->st, "%s", rr->msg ? rr->msg : "out of memory");
                    break;
                }
                lines[r] = rr->line, rr->line = NULL;
                dt = rr->seconds;
            } else {
                const double tr = now_mono();
                if ((st = compute_row(cfg, plan, dd, r, d, prof, &sc, &sc_row, &ws, &oc, &lines[r])))
                    break;
                dt = now_mono() - tr;
            }
            if ((st = ex->row_done(ex->ctx, r, dt)))
                break;
            stats->row_seconds[stats->rows_computed++] = dt;
            compute_time += dt;
            done_rows++;
            if (opts && opts->progress) {
                computed_in_est = stats->rows_computed;
                long remaining = plan->nrows - done_rows;
                dlmkl_sweep_progress pr = {done_rows, plan->nrows, stats->rows_skipped, now_mono() - t0,
                                           compute_time / (double)computed_in_est * (double)remaining, dd->spec};
                opts->progress(opts->progress_ctx, &pr);
            }
        }
    }
    row_results_free(pre, nres);
    dlmkl_kl_output_workspace_free(ws);
    dlmkl_ordered_cache_free(oc);
    dlmkl_schedule_free(sc);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
    return st;
}

int dlmkl_sweep_finish(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, dlmkl_sweep_files *f)
{
    int st;
    char settings[1024];
    if (f->journal) {
        FILE *j = f->journal;
        f->journal = NULL;
        if (fclose(j) != 0)
            return dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", f->partial_path, strerror(errno));
    }
    /* the final CSV, atomically, in grid order; then the checksums of its rows for --resume */
    dlmkl_out o;
    if ((st = dlmkl_out_open(f->csv_path, &o)))
        return st;
    fputs(f->header, o.f);
    for (long r = 0; r < plan->nrows; r++)
        fputs(f->lines[r], o.f);
    if ((st = dlmkl_out_commit(&o)))
        return st;
    if ((st = dlmkl_out_open(f->sums_path, &o)))
        return st;
    for (long r = 0; r < plan->nrows; r++) {
        dlmkl_journal_row_settings(cfg, plan, r, settings, sizeof settings);
        fprintf(o.f, "%016llx\n",
                (unsigned long long)dlmkl_journal_row_checksum(settings, f->lines[r], strlen(f->lines[r]) - 1));
    }
    if ((st = dlmkl_out_commit(&o)))
        return st;
    unlink(f->partial_path);
    return DLMKL_OK;
}

void dlmkl_sweep_files_end(dlmkl_sweep_files *f, dlmkl_sweep_stats *stats)
{
    if (f->journal) {
        fclose(f->journal);
        if (f->journal_slot >= 0) /* opened but no row written: leave nothing behind */
            unlink(f->partial_path);
    }
    dlmkl_temp_unregister(f->journal_slot);
    free(f->sums_path);
    if (f->lines)
        for (long r = 0; r < f->nrows; r++)
            free(f->lines[r]);
    free(f->lines);
    free(f->header);
    dlmkl_journal_keymap_free(&f->map);
    stats->seconds = now_mono() - f->t0;
    memset(f, 0, sizeof *f);
    f->journal_slot = -1;
}

static int plain_row_done(void *ctx, long r, double seconds)
{
    (void)seconds;
    dlmkl_sweep_files *f = ctx;
    return dlmkl_sweep_journal_row(f->cfg, f->plan, f, r);
}

int dlmkl_sweep_run(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_opts *opts,
                    dlmkl_sweep_stats *stats)
{
    dlmkl_sweep_files f;
    int st = dlmkl_sweep_begin(cfg, plan, opts, stats, &f);
    unsigned char *todo = NULL;
    if (!st) {
        todo = malloc((size_t)(plan->nrows ? plan->nrows : 1));
        if (!todo)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    if (!st) {
        for (long r = 0; r < plan->nrows; r++)
            todo[r] = f.lines[r] == NULL;
        f.cfg = cfg, f.plan = plan;
        dlmkl_sweep_exec ex = {NULL, NULL, plain_row_done, &f};
        st = dlmkl_sweep_compute_rows(cfg, plan, f.lines, todo, &ex, opts, stats, f.t0);
    }
    if (!st)
        st = dlmkl_sweep_finish(cfg, plan, &f);
    free(todo);
    dlmkl_sweep_files_end(&f, stats);
    return st;
}
