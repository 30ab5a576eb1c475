/* sweep_journal.c: the sweep's CSV: its columns, the line of a computed row, the key that names a
 * grid point, the settings and checksum that say whether an earlier row is still valid, and the
 * reading of an earlier journal (NAME.csv.partial) or finished CSV (NAME.csv + .sums) to resume. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlmkl/io.h"
#include "sweep_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* the columns */

/* CSV columns: a prefix naming the grid point, the columns of dlmkl_kl_row_write (kl.h; its
 * `schedule` cell is the spec as the config gives it, so that rows group by it), then the
 * normalised errors, the schedule as built (schedule_resolved, e.g. chen-tc:zeta=3 for chen-tc)
 * and whether a K-targeted Chen schedule fell back to zeta = 1, seed, section and the parameter
 * columns of the plan; a plan with rows evaluated by adaptive.h adds the columns of
 * dlmkl_kl_row_write_adaptive (kl.h) last. The key columns (which identify a grid point for
 * --resume) are listed in key_names, and the predictor column joins them in such a plan. */
static const char *const prefix_cols[] = {"dist", "family", "L", "V", "unit", "profile_source", "positions_spec"};
#define NPREFIX ((int)(sizeof prefix_cols / sizeof prefix_cols[0]))
static const char *const suffix_cols[] = {"kl_over_tc_K", "kl_over_dtc_K", "schedule_resolved", "zeta_fallback", "seed",
                                          "section"};
#define NSUFFIX ((int)(sizeof suffix_cols / sizeof suffix_cols[0]))

/* index of a named column among the fixed ones (prefix, row, suffix), -1 if absent */
static int fixed_index(const char *name)
{
    for (int i = 0; i < NPREFIX; i++)
        if (strcmp(prefix_cols[i], name) == 0)
            return i;
    for (int i = 0; i < dlmkl_kl_row_ncolumns(); i++)
        if (strcmp(dlmkl_kl_row_column(i), name) == 0)
            return NPREFIX + i;
    for (int j = 0; j < NSUFFIX; j++)
        if (strcmp(suffix_cols[j], name) == 0)
            return NPREFIX + dlmkl_kl_row_ncolumns() + j;
    return -1;
}

int dlmkl_sweep_own_column(const char *name)
{
    return strcmp(name, "L") == 0 || strcmp(name, "V") == 0 || strcmp(name, "seed") == 0;
}

int dlmkl_sweep_column_reserved(const char *name)
{
    for (int i = 0; i < dlmkl_kl_row_adaptive_ncolumns(); i++)
        if (strcmp(dlmkl_kl_row_adaptive_column(i), name) == 0)
            return 1;
    return !dlmkl_sweep_own_column(name) && fixed_index(name) >= 0;
}

#define NFIXED (NPREFIX + dlmkl_kl_row_ncolumns() + NSUFFIX)
static const char *const key_names[] = {"dist", "unit", "profile_source", "schedule", "positions_spec", "K",
                                        "seed", "section"};
#define NKEYFIXED ((int)(sizeof key_names / sizeof key_names[0]))

int dlmkl_sweep_ncolumns(const dlmkl_sweep_plan *plan)
{
    return NFIXED + plan->nparams + (plan->adaptive ? dlmkl_kl_row_adaptive_ncolumns() : 0);
}

void dlmkl_sweep_write_header(const dlmkl_sweep_plan *plan, FILE *f)
{
    for (int i = 0; i < NPREFIX; i++)
        fprintf(f, "%s,", prefix_cols[i]);
    dlmkl_kl_row_write_header(f);
    for (int i = 0; i < NSUFFIX; i++)
        fprintf(f, ",%s", suffix_cols[i]);
    for (int i = 0; i < plan->nparams; i++)
        fprintf(f, ",%s", plan->param_names[i]);
    if (plan->adaptive) {
        fputc(',', f);
        dlmkl_kl_row_write_adaptive_header(f);
    }
    fputc('\n', f);
}

/* ------------------------------------------------------------------------------------------ */
/* CSV lines and keys */

/* Split a CSV line (no trailing newline) into fields; quotes ("" escapes) removed. Returns the
 * number of fields, or -1 on a malformed quote. fields[i] point into buf (a copy of line). */
static int csv_split(const char *line, char *buf, char **fields, int maxf)
{
    int n = 0;
    const char *p = line;
    char *o = buf;
    for (;;) {
        if (n == maxf)
            return -1;
        fields[n++] = o;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p)
                    return -1;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *o++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *o++ = *p++;
            }
            if (*p && *p != ',')
                return -1;
        } else {
            while (*p && *p != ',') {
                if (*p == '"')
                    return -1;
                *o++ = *p++;
            }
        }
        *o++ = 0;
        if (!*p)
            return n;
        p++;
    }
}

/* append s to a growing buffer */
typedef struct {
    char *s;
    size_t n, cap;
} strbuf;

static int sb_add(strbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t nc = (b->n + n + 1) * 2;
        char *ns = realloc(b->s, nc);
        if (!ns)
            return -1;
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
    return 0;
}

static const char *source_name(const dlmkl_sweep_dist *d)
{
    return d->enumerated ? "enumerated" : "closed-form";
}

/* the key of a plan row: the key columns' texts joined by \x1f */
char *dlmkl_journal_row_key(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r)
{
    const dlmkl_sweep_row *row = &plan->rows[r];
    const dlmkl_sweep_dist *d = &plan->dists[row->dist];
    char Ks[32];
    snprintf(Ks, sizeof Ks, "%d", row->K);
    /* in the order of key_names */
    const char *vals[NKEYFIXED] = {d->spec, dlmkl_unit_name(cfg->unit), source_name(d), row->schedule,
                                   row->positions, Ks, d->seed ? d->seed : "", cfg->sec[d->section].name};
    strbuf b = {0};
    int bad = 0;
    for (int i = 0; i < NKEYFIXED; i++)
        bad |= sb_add(&b, vals[i], strlen(vals[i])) | sb_add(&b, "\x1f", 1);
    for (int j = 0; j < plan->nparams; j++) {
        const char *v = d->param[j] ? d->param[j] : "";
        bad |= sb_add(&b, v, strlen(v)) | sb_add(&b, "\x1f", 1);
    }
    if (plan->adaptive) {
        const char *v = row->predictor ? row->predictor : "";
        bad |= sb_add(&b, v, strlen(v)) | sb_add(&b, "\x1f", 1);
    }
    if (bad) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* the key of a CSV line already split into fields */
static char *fields_key(char **f, const int *key_cols, int nfixed, int nparams, int adaptive)
{
    strbuf b = {0};
    int bad = 0;
    for (int i = 0; i < NKEYFIXED; i++)
        bad |= sb_add(&b, f[key_cols[i]], strlen(f[key_cols[i]])) | sb_add(&b, "\x1f", 1);
    for (int j = 0; j < nparams; j++)
        bad |= sb_add(&b, f[nfixed + j], strlen(f[nfixed + j])) | sb_add(&b, "\x1f", 1);
    if (adaptive) /* the predictor column, first of the adaptive ones */
        bad |= sb_add(&b, f[nfixed + nparams], strlen(f[nfixed + nparams])) | sb_add(&b, "\x1f", 1);
    if (bad) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int dlmkl_journal_keymap_init(dlmkl_journal_keymap *m, long n)
{
    size_t cap = 16;
    while (cap < (size_t)n * 2)
        cap *= 2;
    m->keys = calloc(cap, sizeof *m->keys);
    m->idx = calloc(cap, sizeof *m->idx);
    m->mask = cap - 1;
    return m->keys && m->idx ? 0 : -1;
}

/* insert key (taken) -> i; returns the previous index if present (key freed), else -1 */
long dlmkl_journal_keymap_put(dlmkl_journal_keymap *m, char *key, long i)
{
    for (size_t h = fnv(key) & m->mask;; h = (h + 1) & m->mask) {
        if (!m->keys[h]) {
            m->keys[h] = key;
            m->idx[h] = i;
            return -1;
        }
        if (strcmp(m->keys[h], key) == 0) {
            free(key);
            return m->idx[h];
        }
    }
}

static long keymap_get(const dlmkl_journal_keymap *m, const char *key)
{
    for (size_t h = fnv(key) & m->mask; m->keys[h]; h = (h + 1) & m->mask)
        if (strcmp(m->keys[h], key) == 0)
            return m->idx[h];
    return -1;
}

void dlmkl_journal_keymap_free(dlmkl_journal_keymap *m)
{
    if (m->keys)
        for (size_t i = 0; i <= m->mask; i++)
            free(m->keys[i]);
    free(m->keys);
    free(m->idx);
}

/* format a computed row (bits) as one CSV line (with '\n'); malloc'd */
char *dlmkl_journal_format_row(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r, int V,
                        const dlmkl_profile *prof, const dlmkl_kl_row *x)
{
    const dlmkl_sweep_row *row = &plan->rows[r];
    const dlmkl_sweep_dist *d = &plan->dists[row->dist];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    dlmkl_put_str(f, d->spec);
    fputc(',', f);
    dlmkl_put_str(f, d->family);
    fprintf(f, ",%d,", d->L);
    if (V > 0)
        fprintf(f, "%d", V);
    fprintf(f, ",%s,%s,", dlmkl_unit_name(cfg->unit), source_name(d));
    dlmkl_put_str(f, row->positions);
    fputc(',', f);
    const double sc = dlmkl_profile_scale(prof);
    /* the schedule column: the spec as given; the built schedule's name goes to schedule_resolved */
    dlmkl_kl_row y = *x;
    y.schedule = row->schedule;
    dlmkl_kl_row_write(f, &y, cfg->unit, sc);
    /* normalised errors K·KL/TC and K·KL/DTC with K the budget, unit-free (from the bit values) */
    const double kl = dlmkl_nonneg(x->kl_expected, sc), tc = dlmkl_nonneg(x->TC, sc), dtc = dlmkl_nonneg(x->DTC, sc);
    fputc(',', f);
    dlmkl_put(f, tc > 0 && x->K > 0 ? (double)x->K * kl / tc : NAN); /* K = 0: a self-sized policy, no budget */
    fputc(',', f);
    dlmkl_put(f, dtc > 0 && x->K > 0 ? (double)x->K * kl / dtc : NAN);
    fputc(',', f);
    dlmkl_put_str(f, x->schedule);
    fputc(',', f);
    /* a Chen schedule (zeta set) whose zeta was picked from K (the spec gives none) and is 1: no
     * zeta >= 2 fits in K iterations, so it reveals everything in one step */
    if (!isnan(x->zeta))
        fputc(!row->implied_K && x->zeta == 1.0 ? '1' : '0', f);
    fputc(',', f);
    dlmkl_put_str(f, d->seed ? d->seed : "");
    fputc(',', f);
    dlmkl_put_str(f, cfg->sec[d->section].name);
    for (int j = 0; j < plan->nparams; j++) {
        fputc(',', f);
        dlmkl_put_str(f, d->param[j] ? d->param[j] : "");
    }
    if (plan->adaptive) {
        fputc(',', f);
        dlmkl_kl_row_write_adaptive(f, x, cfg->unit, sc);
    }
    fputc('\n', f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The settings outside a row's key columns that change its cells, as text: the dlmkl version and
 * git revision (a rebuilt program may compute other bits), the unit, the section's output_law, for
 * output_law = auto the memory cap and the term limit of the auto rule, and the checksums of the
 * bytes of every file the row's specs name (table: files of the distribution, mixture components
 * too; law: files of the schedule), so that an edited file is computed again. A journal or .sums
 * checksum covers them, so a changed setting invalidates the row. */
void dlmkl_journal_row_settings(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r, char *buf, size_t len)
{
    const dlmkl_sweep_row *row = &plan->rows[r];
    const dlmkl_sweep_dist *d = &plan->dists[row->dist];
    const dlmkl_output_law_mode m = cfg->sec[d->section].output_law;
    int n;
    if (m == DLMKL_OUTPUT_LAW_AUTO)
        n = snprintf(buf, len, "dlmkl-row-v3;dlmkl=%s@%s;unit=%s;output_law=auto;max_memory=%zu;auto_terms=%.17g",
                     dlmkl_version(), dlmkl_git_revision(), dlmkl_unit_name(cfg->unit), dlmkl_max_memory(),
                     (double)DLMKL_OUTPUT_LAW_AUTO_TERMS);
    else
        n = snprintf(buf, len, "dlmkl-row-v3;dlmkl=%s@%s;unit=%s;output_law=%s", dlmkl_version(),
                     dlmkl_git_revision(), dlmkl_unit_name(cfg->unit),
                     m == DLMKL_OUTPUT_LAW_ALWAYS ? "always" : "never");
    if (n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ";tables=%016llx;laws=%016llx", (unsigned long long)d->files_hash,
                 (unsigned long long)row->files_hash);
}

/* checksum of a row: FNV-1a (64 bits) over its settings, a newline and the bytes of its CSV line
 * (without the line's own newline) */
uint64_t dlmkl_journal_row_checksum(const char *settings, const char *line, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = settings; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ (unsigned char)'\n') * 1099511628211ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)line[i]) * 1099511628211ULL;
    return h;
}

/* ------------------------------------------------------------------------------------------ */
/* earlier files: resume */

static char *read_all(const char *path, size_t *len, int *missing)
{
    *missing = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *missing = errno == ENOENT;
        return NULL;
    }
    strbuf b = {0};
    char chunk[65536];
    size_t n;
    int bad = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        bad |= sb_add(&b, chunk, n);
    bad |= ferror(f);
    fclose(f);
    if (bad) {
        free(b.s);
        return NULL;
    }
    if (!b.s)
        b.s = calloc(1, 1);
    *len = b.n;
    return b.s;
}

/* Load the valid rows of an earlier file into lines[] (rows not yet filled). journal != 0: the
 * journal NAME.csv.partial, whose rows end in a tab and the row's checksum (dlmkl_journal_row_checksum, 16 hex
 * digits); else a finished NAME.csv, whose checksums are sums[0..nsums) in row order (from
 * NAME.csv.sums). A row is taken only if its key columns name a grid point and its checksum
 * matches that grid point's current settings, so damaged, torn or stale rows are computed again.
 * *good_len gets the length of the prefix made of complete lines (a torn last line is excluded). */
int dlmkl_journal_load_rows(const char *path, const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan,
                     const dlmkl_journal_keymap *map, const char *header, int journal, const uint64_t *sums, long nsums,
                     char **lines, long *loaded, size_t *good_len, int *exists)
{
    size_t len = 0;
    int missing;
    *good_len = 0;
    *exists = 0;
    char *text = read_all(path, &len, &missing);
    if (!text) {
        if (missing)
            return DLMKL_OK;
        return dlmkl_error(DLMKL_EIO, "cannot read '%s' to resume: %s", path, strerror(errno));
    }
    *exists = 1;
    if (len == 0) {
        free(text);
        return DLMKL_OK;
    }
    size_t hl = strlen(header);
    if (len < hl || memcmp(text, header, hl) != 0) {
        char *nl = memchr(text, '\n', len);
        if (!nl && len < hl && memcmp(text, header, len) == 0) { /* torn header */
            free(text);
            return DLMKL_OK;
        }
        free(text);
        return dlmkl_error(DLMKL_EINVAL, "'%s' has other columns than this sweep (was the config changed?); "
                           "move it away or start the sweep afresh", path);
    }
    int nf = dlmkl_sweep_ncolumns(plan);
    int key_cols[NKEYFIXED];
    for (int i = 0; i < NKEYFIXED; i++)
        key_cols[i] = fixed_index(key_names[i]);
    char **fields = malloc((size_t)(nf + 1) * sizeof *fields);
    if (!fields) {
        free(text);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    size_t pos = hl;
    *good_len = hl;
    long rowno = 0;
    char settings[1024];
    while (pos < len) {
        char *nl = memchr(text + pos, '\n', len - pos);
        if (!nl)
            break; /* torn last line: dropped */
        size_t ll = (size_t)(nl - (text + pos));
        const char *raw = text + pos;
        size_t csvlen = ll;
        uint64_t want = 0;
        int ok = memchr(raw, '\0', ll) == NULL; /* zero fill after a crash */
        if (ok && journal) {
            /* "<csv>\t<16 hex digits>" */
            ok = ll > 17 && raw[ll - 17] == '\t';
            for (size_t k = ll - 16; ok && k < ll; k++)
                ok = isxdigit((unsigned char)raw[k]) && !isupper((unsigned char)raw[k]);
            if (ok) {
                want = strtoull(raw + ll - 16, NULL, 16);
                csvlen = ll - 17;
            }
        } else if (ok) {
            ok = rowno < nsums;
            if (ok)
                want = sums[rowno];
        }
        rowno++;
        char *line = ok ? strndup(raw, csvlen) : NULL;
        char *buf = ok ? malloc(csvlen + 1) : NULL;
        if (ok && (!line || !buf)) {
            free(line), free(buf), free(fields), free(text);
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        }
        if (ok && csv_split(line, buf, fields, nf + 1) == nf) {
            char *key = fields_key(fields, key_cols, NFIXED, plan->nparams, plan->adaptive);
            long r = key ? keymap_get(map, key) : -1;
            free(key);
            if (r >= 0 && !lines[r]) {
                dlmkl_journal_row_settings(cfg, plan, r, settings, sizeof settings);
                if (dlmkl_journal_row_checksum(settings, raw, csvlen) == want) {
                    lines[r] = malloc(csvlen + 2);
                    if (!lines[r]) {
                        free(line), free(buf), free(fields), free(text);
                        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
                    }
                    memcpy(lines[r], raw, csvlen);
                    lines[r][csvlen] = '\n';
                    lines[r][csvlen + 1] = 0;
                    (*loaded)++;
                }
            }
        }
        free(line), free(buf);
        pos += ll + 1;
        *good_len = pos;
    }
    free(fields);
    free(text);
    return DLMKL_OK;
}

/* The checksums of NAME.csv.sums (one 16-hex-digit line per CSV row); none if it is missing or
 * damaged (then no row of NAME.csv is reused). */
int dlmkl_journal_load_sums(const char *path, uint64_t **sums, long *n)
{
    *sums = NULL;
    *n = 0;
    size_t len = 0;
    int missing;
    char *text = read_all(path, &len, &missing);
    if (!text)
        return DLMKL_OK;
    long cap = (long)(len / 17) + 1;
    uint64_t *v = malloc((size_t)cap * sizeof *v);
    if (!v) {
        free(text);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    size_t pos = 0;
    long k = 0;
    while (pos + 17 <= len && k < cap) {
        int ok = text[pos + 16] == '\n';
        for (size_t q = pos; ok && q < pos + 16; q++)
            ok = isxdigit((unsigned char)text[q]) && !isupper((unsigned char)text[q]);
        if (!ok)
            break;
        v[k++] = strtoull(text + pos, NULL, 16);
        pos += 17;
    }
    free(text);
    if (pos != len) { /* damaged: trust none */
        free(v);
        return DLMKL_OK;
    }
    *sums = v;
    *n = k;
    return DLMKL_OK;
}

/* Open the journal at the first computed row: continue an earlier one after its last complete line
 * (keep != 0, good its length), or start one with the header. A new journal is registered for
 * removal (*slot) until its first row is written. */
int dlmkl_journal_open(const char *path, const char *header, int keep, size_t good, FILE **journal, int *slot)
{
    *slot = -1;
    if (keep) {
        if (truncate(path, (off_t)good) != 0 || !(*journal = fopen(path, "ab")))
            return dlmkl_error(DLMKL_EIO, "cannot continue '%s': %s", path, strerror(errno));
        return DLMKL_OK;
    }
    if (!(*journal = fopen(path, "wb")))
        return dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", path, strerror(errno));
    *slot = dlmkl_temp_register(path);
    if (fputs(header, *journal) < 0 || fflush(*journal) != 0)
        return dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", path, strerror(errno));
    return DLMKL_OK;
}
