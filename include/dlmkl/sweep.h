/* sweep.h: batch sweeps — a grid of distributions × L × K × schedules × position policies, one
 * tidy CSV row per grid point, with resume and a metadata sidecar. Each row is computed by
 * dlmkl_kl_row_compute and written by dlmkl_kl_row_write (kl.h), the code behind `dlmkl kl`. */
#ifndef DLMKL_SWEEP_H
#define DLMKL_SWEEP_H

#include <stdint.h>
#include <stdio.h>

#include "dlmkl/kl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- lists and ranges of a grid ---- */

/* A variable an integer expression may refer to (an earlier parameter with an integer value). */
typedef struct dlmkl_sweep_var {
    const char *name;
    const char *value;   /* text; used in expressions only if it is an integer */
} dlmkl_sweep_var;

/* An expanded list of values (strings, owned). */
typedef struct dlmkl_sweep_list {
    int n;
    char **v;
} dlmkl_sweep_list;

void dlmkl_sweep_list_clear(dlmkl_sweep_list *l);

/* How the items of a list are read. */
enum {
    DLMKL_LIST_TEXT = -1,    /* literal text only (schedules, positions) */
    DLMKL_LIST_VALUES = 0,   /* ranges; an item naming a variable is evaluated; else literal */
    DLMKL_LIST_INTEGERS = 1  /* every item an integer expression or a range (L, K) */
};

/*! Expand a list written in the grid syntax into values, duplicates dropped (first kept):
 *    items separated by commas at top level (commas inside "..." or (...) do not split; quotes
 *    are removed);
 *    `a..b` and `a..b:step` integer ranges (a ≤ b, step ≥ 1), `pow2:a..b` the powers of two in
 *    [a, b], `B^i..B^j` the powers B^i, ..., B^j, where a, b, step, i, j are integer expressions;
 *    integer expressions: integers, variable names, + − * / (floor division) ^ and parentheses.
 *  kind (DLMKL_LIST_*): INTEGERS: every item is an integer expression or range (L, K); VALUES: an
 *  item is evaluated only if it names a variable (so `0.6` and `1/3` stay literal text); TEXT:
 *  items are literal. Errors name `what` (e.g. "x.ini line 7, [dist markov] key K").
 *  O(total length · values) (duplicate check). */
int dlmkl_sweep_list_expand(const char *text, int kind, const dlmkl_sweep_var *vars, int nvars,
                            const char *what, dlmkl_sweep_list *out);

/*! Evaluate an integer expression (grammar above) into *out; DLMKL_EINVAL naming `what`. */
int dlmkl_sweep_eval(const char *expr, const dlmkl_sweep_var *vars, int nvars, const char *what,
                     long long *out);

/* ---- configuration ---- */

/* One `key = value` of a config, with the line it came from (0 for keys made from flags). */
typedef struct dlmkl_sweep_kv {
    char *key;
    char *value;
    int line;
} dlmkl_sweep_kv;

/* What happens to a grid point whose schedule cannot be built (e.g. K > L for fixed sizes). */
typedef enum { DLMKL_INFEASIBLE_ERROR = 0, DLMKL_INFEASIBLE_SKIP = 1 } dlmkl_infeasible_mode;

/* A [dist NAME] section: a spec template and its grid. */
typedef struct dlmkl_sweep_section {
    char *name;
    int line;                   /* line of the section header */
    char *tmpl;                 /* spec template with {placeholders} */
    int closed_form;            /* 1: `profile =` (a closed form, or auto:SPEC: dlmkl_profile_auto), rows
                                   from the profile alone; 0: `spec =` (a table) */
    dlmkl_sweep_kv K, schedules, positions;  /* raw lists (from the section or [sweep]) */
    dlmkl_sweep_kv predictors;  /* raw list of predictor specs (`predictor =`); key NULL when not given */
    dlmkl_output_law_mode output_law;
    dlmkl_infeasible_mode infeasible;
    int nparams;
    dlmkl_sweep_kv *params;     /* placeholders in declaration order (grid nesting order) */
} dlmkl_sweep_section;

typedef struct dlmkl_sweep_config {
    char *path;                 /* config file, or NULL when built from flags */
    char *base_dir;             /* the config file's folder, against which relative file names in
                                   specs (table:, law:) resolve; NULL: the current folder */
    char *text;                 /* the config text (as read, or as generated from flags) */
    char *name;                 /* NAME of NAME.csv and NAME.meta.json */
    char *description;          /* free text from [sweep] (may be "") */
    dlmkl_unit unit;
    int quick;                  /* quick_* keys replaced their plain keys */
    int nsections;
    dlmkl_sweep_section *sec;
} dlmkl_sweep_config;

/*! Parse a sweep config (INI, read with libinih; format in experiments/README.md and
 *  dlmkl_sweep_config_help()). path names the file in messages (may be NULL: "<config>");
 *  quick != 0 makes every `quick_KEY` replace `KEY`. Unknown sections or keys, placeholders
 *  without values, malformed values: DLMKL_EINVAL naming file, line, section and key.
 *  Lists are checked for syntax here and expanded by dlmkl_sweep_plan_build. */
int dlmkl_sweep_config_parse(const char *text, const char *path, int quick, dlmkl_sweep_config **out);
/*! Read the file at path and parse it. */
int dlmkl_sweep_config_read(const char *path, int quick, dlmkl_sweep_config **out);
void dlmkl_sweep_config_free(dlmkl_sweep_config *cfg);
const char *dlmkl_sweep_config_help(void);

/* ---- the grid ---- */

/* One distribution of the grid: a section with every placeholder bound. */
typedef struct dlmkl_sweep_dist {
    int section;
    char *spec;         /* the spec after substitution (owned) */
    char *family;       /* text before ':' (owned) */
    int L;
    int V;              /* from the spec's V= (q= for mds, n= for perm; else 2, the families'
                           default); for table: files the file's header (0 if it cannot be read
                           while planning). A built table's own V is reported. */
    uint64_t files_hash; /* FNV-1a over the bytes of every file the spec names (table:), in order */
    char **param;       /* value of each plan column parameter, NULL if not in this section (owned) */
    char *seed;         /* the `seed` placeholder's value, else the spec's seed= item, else NULL (owned) */
    long first_row, nrows;
    int is_auto;        /* `profile = auto:SPEC`: the profile of SPEC by dlmkl_profile_auto's route, the
                           rows from the profile alone (as dlmkl_host_from_profile("auto:SPEC")) */
    int enumerated;     /* the profile is computed from a table: `spec =`, or auto: of a family without
                           a closed form (profile_source "enumerated"; else "closed-form") */
} dlmkl_sweep_dist;

typedef struct dlmkl_sweep_row {
    int dist;
    int K;              /* the budget (for implied_K: the schedule's own number of iterations) */
    int implied_K;      /* the schedule fixes its own K (sizes:, chen-*:zeta=, law:): built with K = 0,
                           once per distribution, whatever the K list */
    char *schedule;     /* after substitution (owned): the schedule column (the built schedule's
                           canonical name is the schedule_resolved column) */
    char *positions;    /* as written (owned): the positions_spec column */
    uint64_t files_hash; /* FNV-1a over the bytes of every file the schedule names (law:), in order */
    char *predictor;    /* rows evaluated by adaptive.h (a value-adaptive policy, or any row of a section
                           with `predictor =`): the predictor's canonical name ("exact" by default), the
                           predictor column; NULL for the other rows (owned) */
    int self_sized;     /* the policy chooses its own sizes (threshold, eb, entsum): no schedule; one
                           row per distribution, position policy and predictor, schedule "none", K = 0 */
} dlmkl_sweep_row;

typedef struct dlmkl_sweep_plan {
    int ndists;
    dlmkl_sweep_dist *dists;
    long nrows;
    dlmkl_sweep_row *rows;
    int nparams;          /* parameter columns: union over sections, order of first appearance */
    char **param_names;   /* (L, V and seed have their own columns and are not repeated) */
    long ninfeasible;     /* grid points dropped by `infeasible = skip` */
    int adaptive;         /* some row is evaluated by adaptive.h: the columns of
                             dlmkl_kl_row_write_adaptive_header follow the parameter columns */
} dlmkl_sweep_plan;

/*! Expand the grid, in its order: sections in file order; within a section the placeholders'
 *  values nested in declaration order (first declared outermost), then K, schedules, positions,
 *  predictors (innermost). Value-adaptive position policies (adaptive.h) and predictors make rows
 *  evaluated by dlmkl_kl_row_compute_adaptive (a table is needed); a self-sized policy (threshold,
 *  eb, entsum) gives its rows once per distribution, at the first K and schedule, with schedule
 *  "none" and K = 0. A schedule that fixes its own number of iterations (dlmkl_schedule_implies_K)
 *  gives one row per distribution and position policy, at the first K of the list, with K = its
 *  own count. Every schedule is built once here (except `optimal`, which needs the profile) so
 *  that bad specs fail before any computation. O(rows + schedule construction). */
int dlmkl_sweep_plan_build(const dlmkl_sweep_config *cfg, dlmkl_sweep_plan **out);
void dlmkl_sweep_plan_free(dlmkl_sweep_plan *plan);

/*! The CSV header line (with '\n') for this plan into f. */
void dlmkl_sweep_write_header(const dlmkl_sweep_plan *plan, FILE *f);
/*! Number of CSV columns of this plan. */
int dlmkl_sweep_ncolumns(const dlmkl_sweep_plan *plan);

/* ---- running ---- */

typedef struct dlmkl_sweep_progress {
    long done;          /* rows finished (computed or skipped) */
    long total;
    long skipped;       /* rows taken from an earlier run (--resume) */
    double elapsed;     /* seconds since the run started */
    double eta;         /* seconds left, estimated from the computed rows so far (< 0: unknown) */
    const char *what;   /* the distribution being worked on */
} dlmkl_sweep_progress;

typedef void (*dlmkl_sweep_progress_fn)(void *ctx, const dlmkl_sweep_progress *p);

typedef struct dlmkl_sweep_opts {
    const char *out_dir;    /* folder of NAME.csv (created if missing) */
    int resume;             /* reuse rows of NAME.csv / NAME.csv.partial */
    dlmkl_sweep_progress_fn progress;  /* may be NULL */
    void *progress_ctx;
    int force;              /* overwrite an existing NAME.csv / NAME.csv.partial (else, without
                               resume, DLMKL_EEXIST) */
} dlmkl_sweep_opts;

/* What a run did (for the metadata; nothing here enters the CSV). */
typedef struct dlmkl_sweep_stats {
    long rows_total, rows_computed, rows_skipped;
    int dists_computed;
    double *row_seconds;      /* seconds of each computed row (rows_computed entries, owned) */
    double profile_seconds;   /* total seconds building tables and profiles */
    double seconds;           /* wall time of the run (monotonic clock) */
    char *csv_path;           /* owned */
    char *partial_path;       /* owned */
} dlmkl_sweep_stats;

/*! Run the plan: for every distribution whose rows are not all present already, build the table
 *  (or closed-form profile) and its profile ONCE, then compute its rows with
 *  dlmkl_kl_row_compute and write them with dlmkl_kl_row_write (the code of `dlmkl kl`), plus
 *  the normalised errors kl_over_tc_K = K·kl_expected/TC and kl_over_dtc_K = K·kl_expected/DTC (K the
 *  budget; empty when TC or DTC is 0). Consecutive distributions with the same spec share one profile. Rows are appended (and flushed) to OUT/NAME.csv.partial as they are
 *  computed; at the end OUT/NAME.csv is written atomically in grid order and the .partial removed.
 *  With opts->resume, complete rows of an existing NAME.csv and NAME.csv.partial whose key columns
 *  (section, dist, unit, profile_source, schedule, positions_spec, K, seed, parameters) match a grid
 *  point are reused and a torn last line is dropped, so the final CSV is byte-identical to an
 *  uninterrupted run. Without resume or force, an existing NAME.csv or NAME.csv.partial is never
 *  overwritten: DLMKL_EEXIST before any computation, the message saying whether the file holds
 *  this grid's results (all rows valid), another grid's, or an interrupted run's. The CSV is the
 *  same for any thread count. */
int dlmkl_sweep_run(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_opts *opts,
                    dlmkl_sweep_stats *stats);
void dlmkl_sweep_stats_clear(dlmkl_sweep_stats *stats);

/* ---- metadata (src/meta.c) ---- */

/* Wall-clock times and the command line, given by the caller (metadata only, never results). */
typedef struct dlmkl_sweep_meta_info {
    int argc;
    char *const *argv;
    double start_time, end_time;   /* seconds since the epoch (wall clock) */
} dlmkl_sweep_meta_info;

/*! Write OUT/NAME.meta.json atomically (jansson): dlmkl version and git revision, config path and
 *  text, command line, seeds and RNG type, thread count, start/end time (UTC, ISO 8601), rows
 *  computed/skipped, per-row timing summary (min/median/max/total seconds), CSV columns. */
int dlmkl_sweep_meta_write(const char *path, const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan,
                           const dlmkl_sweep_stats *stats, const dlmkl_sweep_meta_info *info);

#ifdef __cplusplus
}
#endif
#endif
