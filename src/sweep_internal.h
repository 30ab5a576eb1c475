/* sweep_internal.h: declarations shared by the stages of the sweep (not part of the public API):
 * sweep_grid.c (lists, ranges, integer expressions), sweep_ini.c (the config file), sweep_plan.c
 * (expansion into grid points and rows), sweep_journal.c (CSV rows, keys, resume) and sweep.c (the
 * run loop). */
#ifndef DLMKL_SWEEP_INTERNAL_H
#define DLMKL_SWEEP_INTERNAL_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/sweep.h"

/* Largest number of values one list may expand to: a guard against a range typo such as
 * 1..10^9 filling memory; far above any useful grid. */
#define SWEEP_MAX_LIST 1000000

/* Longest config line accepted (libinih's line buffer). */
#define SWEEP_MAX_LINE 65536

/* Largest config file read (it is also checked against the memory cap). */
#define SWEEP_MAX_CONFIG ((size_t)64 << 20)

/* Deepest nesting of an integer expression (parentheses, unary signs, exponents): keeps the
 * recursive-descent parser's stack bounded. */
#define SWEEP_MAX_DEPTH 64

/* ---- small string helpers (grid and config) ---- */

static inline char *xstrndup(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = 0;
    }
    return r;
}

static inline char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

static inline int is_ident_start(int c) { return isalpha(c) || c == '_'; }
static inline int is_ident_char(int c) { return isalnum(c) || c == '_'; }

static inline int is_ident(const char *s)
{
    if (!is_ident_start((unsigned char)*s))
        return 0;
    for (s++; *s; s++)
        if (!is_ident_char((unsigned char)*s))
            return 0;
    return 1;
}

/* ---- files named in specs (sweep_plan.c) ---- */

/*! The next file name spec names after position *from: the text after `head` (e.g. "table:",
 *  "law:") where a spec or a braced component starts (mixture components; `twin:` prefixes
 *  skipped), up to the component's '}' or the end. Its start (NULL when none) and *len; *from is
 *  moved past it. O(length). */
const char *dlmkl_sweep_next_file(const char *spec, const char *head, const char **from, size_t *len);

/*! spec with every relative file name after `head` (dlmkl_sweep_next_file) prefixed by base_dir
 *  and '/' (names starting with '/' and "-", stdin, are kept; base_dir NULL: a copy). malloc'd,
 *  NULL when out of memory. O(length). */
char *dlmkl_sweep_resolve_files(const char *base_dir, const char *spec, const char *head);

/*! FNV-1a (64 bits) over the names and bytes of every file after `head` in a resolved spec, in
 *  order (an unreadable file adds a marker; the error comes when it is used). O(file sizes). */
uint64_t dlmkl_sweep_files_hash(const char *spec, const char *head);

/* ---- the journal (sweep_journal.c) ---- */

/*! 1 if a placeholder called name fills a fixed column of its own (L, V, seed) instead of a
 *  parameter column, else 0. O(1). */
int dlmkl_sweep_own_column(const char *name);

/*! 1 if name is a CSV column a placeholder may not take (every fixed column of the sweep's CSV but
 *  L, V and seed, which placeholders fill), else 0. O(columns). */
int dlmkl_sweep_column_reserved(const char *name);

/* grid-point key -> row index, open addressing (FNV-1a) */
typedef struct {
    char **keys;
    long *idx;
    size_t mask;
} dlmkl_journal_keymap;

/*! An empty map sized for n keys (twice n slots, a power of two). 0, or -1 when out of memory. O(n). */
int dlmkl_journal_keymap_init(dlmkl_journal_keymap *m, long n);
/*! Insert key (the map takes it) -> i; the index already stored under an equal key (key freed),
 *  else -1. O(1) expected. */
long dlmkl_journal_keymap_put(dlmkl_journal_keymap *m, char *key, long i);
void dlmkl_journal_keymap_free(dlmkl_journal_keymap *m);

/*! The key of plan row r: its key columns' texts, each followed by \x1f (malloc'd, NULL when out of
 *  memory). O(length of the key). */
char *dlmkl_journal_row_key(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r);

/*! Plan row r computed (x, from profile prof; V the table's alphabet, 0 if none) as one CSV line with
 *  its '\n' (malloc'd, NULL when out of memory). O(number of columns). */
char *dlmkl_journal_format_row(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r, int V,
                               const dlmkl_profile *prof, const dlmkl_kl_row *x);

/*! The settings outside row r's key columns that change its cells, as text into buf (see the
 *  definition for the list). O(length). */
void dlmkl_journal_row_settings(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r, char *buf,
                                size_t len);

/*! FNV-1a (64 bits) over settings, '\n' and the len bytes of line. O(length). */
uint64_t dlmkl_journal_row_checksum(const char *settings, const char *line, size_t len);

/*! Load the still-valid rows of an earlier journal (journal != 0) or finished CSV into lines[];
 *  see the definition. O(file size). */
int dlmkl_journal_load_rows(const char *path, const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan,
                            const dlmkl_journal_keymap *map, const char *header, int journal, const uint64_t *sums,
                            long nsums, char **lines, long *loaded, size_t *good_len, int *exists);

/*! The checksums of NAME.csv.sums (none if missing or malformed). O(file size). */
int dlmkl_journal_load_sums(const char *path, uint64_t **sums, long *n);

/*! Open the journal: continue an earlier one after its first good bytes (keep != 0) or start one
 *  with the header, registered for removal (*slot) until its first row is written. O(1). */
int dlmkl_journal_open(const char *path, const char *header, int keep, size_t good, FILE **journal, int *slot);

/* ---- the run (sweep.c), in stages that a distributed runner (src/sweep_mpi.c) reuses ---- */

/* The files and rows of one run: NAME.csv, its journal NAME.csv.partial and checksums
 * NAME.csv.sums; lines[r] is row r's CSV line (NULL until known). */
typedef struct dlmkl_sweep_files {
    const char *csv_path, *partial_path; /* owned by the stats */
    char *sums_path;
    char *header;
    size_t hlen;
    char **lines;
    long nrows;
    dlmkl_journal_keymap map;
    FILE *journal;       /* opened at the first computed row */
    int journal_slot;    /* its temporary-file slot until a row is written, else -1 */
    size_t good;         /* bytes of an earlier journal kept on resume */
    int partial_ok;
    double t0;           /* monotonic start time */
    const dlmkl_sweep_config *cfg; /* for the plain runner's row hook */
    const dlmkl_sweep_plan *plan;
} dlmkl_sweep_files;

/* How rows are computed: ex->profile (NULL: dlmkl_profile_compute) computes the profile of a table,
 * given the local status st of building it (d, prof NULL when st != 0) and returning the status
 * all processes agree on — it is called in the same order on every process; ex->take (NULL: all)
 * says whether this process computes row r; ex->row_done hands over lines[r] just computed here
 * (journal it, or send it) and its time. */
typedef struct dlmkl_sweep_exec {
    int (*profile)(void *ctx, int st, const dlmkl_dist *d, dlmkl_profile *prof);
    int (*take)(void *ctx, long r);
    int (*row_done)(void *ctx, long r, double seconds);
    void *ctx;
} dlmkl_sweep_exec;

/*! Set up a run: the output folder, paths, header, grid keys (repeated points are an error) and,
 *  with opts->resume, the rows of an earlier CSV and journal into f->lines. Clears stats. O(rows +
 *  size of the earlier files). */
int dlmkl_sweep_begin(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_opts *opts,
                      dlmkl_sweep_stats *stats, dlmkl_sweep_files *f);
/*! Append f->lines[r] with its checksum to the journal (opened on first use), flushed. O(line). */
int dlmkl_sweep_journal_row(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, dlmkl_sweep_files *f, long r);
/*! Compute the rows r with todo[r] != 0 that ex->take gives this process, distribution by
 *  distribution (one table, profile and kl_output workspace per distribution, one schedule per
 *  (distribution, schedule, K)), into lines[r], each handed to ex->row_done. Cost: the rows'. */
int dlmkl_sweep_compute_rows(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, char **lines,
                             const unsigned char *todo, const dlmkl_sweep_exec *ex, const dlmkl_sweep_opts *opts,
                             dlmkl_sweep_stats *stats, double t0);
/*! Close the journal, write NAME.csv atomically in grid order and NAME.csv.sums, remove the
 *  journal. Every f->lines[r] must be set. O(output). */
int dlmkl_sweep_finish(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, dlmkl_sweep_files *f);
/*! Release f (a journal with no row is removed) and set stats->seconds. */
void dlmkl_sweep_files_end(dlmkl_sweep_files *f, dlmkl_sweep_stats *stats);

#endif
