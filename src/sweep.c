/* sweep.c: expanding a sweep's grid and running it with a progressive journal, resume and an
 * atomic final CSV. Rows are computed and written by dlmkl_kl_row_compute / dlmkl_kl_row_write
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
#include "dlmkl/sweep.h"
#include "family.h"

/* ------------------------------------------------------------------------------------------ */
/* the grid */

/* CSV columns: a prefix naming the grid point, the columns of dlmkl_kl_row_write (kl.h), then
 * the normalised errors, seed, section and the parameter columns of the plan. The key columns
 * (which identify a grid point for --resume) are listed in key_cols. */
static const char *const prefix_cols[] = {"dist", "family", "L", "V", "unit", "profile_source", "schedule_spec",
                                          "positions_spec"};
#define NPREFIX ((int)(sizeof prefix_cols / sizeof prefix_cols[0]))
static const char *const suffix_cols[] = {"kl_over_tc_K", "kl_over_dtc_K", "seed", "section"};
#define NSUFFIX ((int)(sizeof suffix_cols / sizeof suffix_cols[0]))

/* number of columns written by dlmkl_kl_row_write */
static int nrowcols(void)
{
    int n = 1;
    for (const char *p = dlmkl_kl_row_columns(); *p; p++)
        n += *p == ',';
    return n;
}

/* index of a named column among the fixed ones (prefix, row, suffix), -1 if absent */
static int fixed_index(const char *name)
{
    for (int i = 0; i < NPREFIX; i++)
        if (strcmp(prefix_cols[i], name) == 0)
            return i;
    int i = NPREFIX;
    const char *p = dlmkl_kl_row_columns();
    size_t n = strlen(name);
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return i;
        i++;
        if (!e)
            break;
        p = e + 1;
    }
    for (int j = 0; j < NSUFFIX; j++)
        if (strcmp(suffix_cols[j], name) == 0)
            return NPREFIX + nrowcols() + j;
    return -1;
}

#define NFIXED (NPREFIX + nrowcols() + NSUFFIX)
static const char *const key_names[] = {"dist", "unit", "profile_source", "schedule_spec", "positions_spec", "K",
                                        "seed", "section"};
#define NKEYFIXED ((int)(sizeof key_names / sizeof key_names[0]))

int dlmkl_sweep_ncolumns(const dlmkl_sweep_plan *plan) { return NFIXED + plan->nparams; }

void dlmkl_sweep_write_header(const dlmkl_sweep_plan *plan, FILE *f)
{
    for (int i = 0; i < NPREFIX; i++)
        fprintf(f, "%s,", prefix_cols[i]);
    fputs(dlmkl_kl_row_columns(), f);
    for (int i = 0; i < NSUFFIX; i++)
        fprintf(f, ",%s", suffix_cols[i]);
    for (int i = 0; i < plan->nparams; i++)
        fprintf(f, ",%s", plan->param_names[i]);
    fputc('\n', f);
}

void dlmkl_sweep_plan_free(dlmkl_sweep_plan *plan)
{
    if (!plan)
        return;
    for (int i = 0; i < plan->ndists; i++) {
        dlmkl_sweep_dist *d = &plan->dists[i];
        free(d->spec);
        free(d->family);
        free(d->seed);
        if (d->param)
            for (int j = 0; j < plan->nparams; j++)
                free(d->param[j]);
        free(d->param);
    }
    for (long r = 0; r < plan->nrows; r++)
        free(plan->rows[r].schedule), free(plan->rows[r].positions);
    for (int j = 0; j < plan->nparams; j++)
        free(plan->param_names[j]);
    free(plan->param_names);
    free(plan->dists);
    free(plan->rows);
    free(plan);
}

/* growable arrays of the plan */
typedef struct {
    dlmkl_sweep_plan *p;
    int capd;
    long capr;
    const dlmkl_sweep_config *cfg;
} builder;

/* Replace {name} by values; extra (L, K) are given as name/value pairs too. */
static char *substitute(const char *tmpl, const dlmkl_sweep_var *vars, int nvars)
{
    size_t cap = strlen(tmpl) + 64, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = tmpl; *p;) {
        const char *val = NULL;
        size_t skip = 1;
        if (*p == '{') {
            const char *q = strchr(p, '}');
            if (q)
                for (int i = nvars - 1; i >= 0 && !val; i--)
                    if (strlen(vars[i].name) == (size_t)(q - p - 1) && strncmp(vars[i].name, p + 1, (size_t)(q - p - 1)) == 0)
                        val = vars[i].value, skip = (size_t)(q - p + 1);
        }
        size_t add = val ? strlen(val) : 1;
        if (n + add + 1 > cap) {
            cap = (n + add + 1) * 2;
            char *no = realloc(out, cap);
            if (!no) {
                free(out);
                return NULL;
            }
            out = no;
        }
        memcpy(out + n, val ? val : p, add);
        n += add;
        p += skip;
    }
    out[n] = 0;
    return out;
}

static int plan_add_dist(builder *b, dlmkl_sweep_dist **out)
{
    dlmkl_sweep_plan *p = b->p;
    if (p->ndists == b->capd) {
        b->capd = b->capd ? 2 * b->capd : 16;
        dlmkl_sweep_dist *nd = realloc(p->dists, (size_t)b->capd * sizeof *nd);
        if (!nd)
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        p->dists = nd;
    }
    *out = &p->dists[p->ndists++];
    memset(*out, 0, sizeof **out);
    return DLMKL_OK;
}

static int plan_add_row(builder *b, int dist, int K, int implied, const char *sched, const char *pos)
{
    dlmkl_sweep_plan *p = b->p;
    if (p->nrows == b->capr) {
        b->capr = b->capr ? 2 * b->capr : 64;
        dlmkl_sweep_row *nr = realloc(p->rows, (size_t)b->capr * sizeof *nr);
        if (!nr)
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        p->rows = nr;
    }
    dlmkl_sweep_row *r = &p->rows[p->nrows];
    r->dist = dist;
    r->K = K;
    r->implied_K = implied;
    r->schedule = strdup(sched);
    r->positions = strdup(pos);
    if (!r->schedule || !r->positions) {
        free(r->schedule), free(r->positions);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    p->nrows++;
    return DLMKL_OK;
}

static int param_column(const dlmkl_sweep_plan *p, const char *name)
{
    for (int j = 0; j < p->nparams; j++)
        if (strcmp(p->param_names[j], name) == 0)
            return j;
    return -1;
}

static int is_own_column(const char *name)
{
    return strcmp(name, "L") == 0 || strcmp(name, "V") == 0 || strcmp(name, "seed") == 0;
}

static void where(char *buf, size_t len, const dlmkl_sweep_config *cfg, const dlmkl_sweep_section *sec,
                  const dlmkl_sweep_kv *kv)
{
    const char *file = cfg->path ? cfg->path : "<command line>";
    if (kv && kv->line > 0)
        snprintf(buf, len, "%s line %d, [dist %s] key %s", file, kv->line, sec->name, kv->key);
    else
        snprintf(buf, len, "%s, [dist %s]%s%s", file, sec->name, kv ? " key " : "", kv ? kv->key : "");
}

/* the leaf of the placeholder odometer: one distribution and its rows */
static int expand_leaf(builder *b, int si, const dlmkl_sweep_var *vars, int nvars, int *sched_ok)
{
    const dlmkl_sweep_config *cfg = b->cfg;
    const dlmkl_sweep_section *sec = &cfg->sec[si];
    dlmkl_sweep_plan *p = b->p;
    char w[768], msg[DLMKL_ERRMSG_MAX];
    int st;
    char *spec = substitute(sec->tmpl, vars, nvars);
    if (!spec)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    /* L: the L key, else the spec's L= item */
    long L = -1, V = -1;
    const dlmkl_sweep_var *lv = NULL;
    for (int i = 0; i < nvars; i++) {
        if (strcmp(vars[i].name, "L") == 0)
            lv = &vars[i];
        if (strcmp(vars[i].name, "V") == 0) {
            char *end;
            long v = strtol(vars[i].value, &end, 10);
            if (end != vars[i].value && !*end)
                V = v;
        }
    }
    if (lv) {
        char *end;
        errno = 0;
        L = strtol(lv->value, &end, 10);
        if (end == lv->value || *end || errno || L < 1) {
            where(w, sizeof w, cfg, sec, &sec->params[lv - vars]); /* vars follow the params' order */
            free(spec);
            return dlmkl_error(DLMKL_EINVAL, "%s: L = '%s' must be an integer >= 1", w, lv->value);
        }
    }
    /* what the spec's own keys say (the family table's shape of each family) */
    long spec_L, spec_V;
    dlmkl_family_shape(spec, &spec_L, &spec_V);
    if (!lv)
        L = spec_L;
    if (L < 1) {
        where(w, sizeof w, cfg, sec, NULL);
        st = dlmkl_error(DLMKL_EINVAL, "%s: cannot tell L for '%s' (L = %ld); add a key 'L = ...' to the section "
                         "or an item L=.. to the spec", w, spec, L);
        free(spec);
        return st;
    }
    if (V < 0)
        V = spec_V;

    dlmkl_sweep_dist *dd = NULL;
    if ((st = plan_add_dist(b, &dd))) {
        free(spec);
        return st;
    }
    int di = p->ndists - 1;
    dd->section = si;
    dd->spec = spec;
    const char *colon = strchr(spec, ':');
    dd->family = colon ? strndup(spec, (size_t)(colon - spec)) : strdup(spec);
    dd->L = (int)L;
    dd->V = V > 0 ? (int)V : 0;
    dd->param = calloc((size_t)(p->nparams ? p->nparams : 1), sizeof *dd->param);
    if (!dd->family || !dd->param)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    for (int i = 0; i < nvars; i++) {
        if (strcmp(vars[i].name, "seed") == 0) {
            free(dd->seed);
            dd->seed = strdup(vars[i].value);
        }
        int c = param_column(p, vars[i].name);
        if (c >= 0) {
            free(dd->param[c]);
            dd->param[c] = strdup(vars[i].value);
        }
    }
    if (!dd->seed) {
        /* a seed written into the spec itself (random:...,seed=3) is reported too */
        const char *c = strchr(spec, ':');
        for (const char *q = c; q; q = strchr(q + 1, ',')) {
            if (strncmp(q + 1, "seed=", 5) == 0) {
                size_t n = strcspn(q + 6, ",");
                dd->seed = strndup(q + 6, n);
                break;
            }
        }
    }
    dd->first_row = p->nrows;
    if (L > DLMKL_MAX_L && !sec->closed_form) {
        where(w, sizeof w, cfg, sec, NULL);
        return dlmkl_error(DLMKL_EINVAL, "%s: L = %ld is beyond exact enumeration (L <= %d); use 'profile =' with "
                           "a closed form for long sequences", w, L, DLMKL_MAX_L);
    }

    /* K, schedules, positions (may refer to L, V and the placeholders) */
    dlmkl_sweep_var *kv = malloc((size_t)(nvars + 3) * sizeof *kv);
    if (!kv)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    char Ls[32], Vs[32], Ks[32];
    snprintf(Ls, sizeof Ls, "%ld", L);
    snprintf(Vs, sizeof Vs, "%ld", V);
    memcpy(kv, vars, (size_t)nvars * sizeof *kv);
    int nkv = nvars;
    kv[nkv++] = (dlmkl_sweep_var){"L", Ls};
    if (V > 0)
        kv[nkv++] = (dlmkl_sweep_var){"V", Vs};
    dlmkl_sweep_list Kl = {0, NULL}, Sl = {0, NULL}, Pl = {0, NULL};
    where(w, sizeof w, cfg, sec, &sec->K);
    st = dlmkl_sweep_list_expand(sec->K.value, DLMKL_LIST_INTEGERS, kv, nkv, w, &Kl);
    if (!st) {
        where(w, sizeof w, cfg, sec, &sec->schedules);
        st = dlmkl_sweep_list_expand(sec->schedules.value, DLMKL_LIST_TEXT, kv, nkv, w, &Sl);
    }
    if (!st) {
        where(w, sizeof w, cfg, sec, &sec->positions);
        st = dlmkl_sweep_list_expand(sec->positions.value, DLMKL_LIST_TEXT, kv, nkv, w, &Pl);
    }
    /* positions: parse once, check against closed forms */
    for (int j = 0; !st && j < Pl.n; j++) {
        dlmkl_positions pos;
        where(w, sizeof w, cfg, sec, &sec->positions);
        if ((st = dlmkl_positions_parse(Pl.v[j], &pos))) {
            snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
            st = dlmkl_error(st, "%s: %s", w, msg);
        } else if (sec->closed_form && pos.kind != DLMKL_POS_RANDOM) {
            st = dlmkl_error(DLMKL_EINVAL, "%s: positions '%s' need a distribution table; a closed-form profile "
                             "supports only random positions (set positions = random in this section)", w, Pl.v[j]);
        }
    }
    for (int ki = 0; !st && ki < Kl.n; ki++) {
        long K = strtol(Kl.v[ki], NULL, 10);
        if (K < 1 || K > 100000000) {
            where(w, sizeof w, cfg, sec, &sec->K);
            st = dlmkl_error(DLMKL_EINVAL, "%s: K = %ld is out of range (K >= 1)", w, K);
            break;
        }
        snprintf(Ks, sizeof Ks, "%ld", K);
        kv[nkv] = (dlmkl_sweep_var){"K", Ks};
        for (int sj = 0; !st && sj < Sl.n; sj++) {
            char *sched = substitute(Sl.v[sj], kv, nkv + 1);
            if (!sched) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                break;
            }
            /* a schedule that fixes its own K gives its rows once, at the first K of the list */
            int implied = dlmkl_schedule_implies_K(sched);
            if (implied && ki > 0) {
                free(sched);
                continue;
            }
            /* build the schedule now so that bad specs fail before any computation; `optimal`
             * needs the profile and is built at run time: `balanced` (deterministic, K <= L, as
             * optimal) stands in for it here */
            int feasible = 1, rowK = (int)K;
            {
                dlmkl_schedule *s = NULL;
                const char *probe = strcmp(sched, "optimal") == 0 ? "balanced" : sched;
                int sst = dlmkl_schedule_from_spec(probe, (int)L, implied ? 0 : (int)K, NULL, &s);
                if (sst == DLMKL_OK && implied)
                    rowK = s->budget;
                dlmkl_schedule_free(s);
                if (sst != DLMKL_OK) {
                    if (sec->infeasible == DLMKL_INFEASIBLE_SKIP && sst == DLMKL_EINVAL) {
                        feasible = 0;
                        p->ninfeasible += Pl.n;
                    } else {
                        if (probe != sched)
                            snprintf(msg, sizeof msg, "'optimal' is deterministic and reveals at least one token "
                                     "per iteration, so K cannot exceed L");
                        else
                            snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
                        where(w, sizeof w, cfg, sec, &sec->schedules);
                        st = dlmkl_error(sst, "%s: schedule '%s' for L = %ld, K = %ld (dist %s): %s%s", w, sched, L,
                                         K, spec, msg,
                                         sec->infeasible == DLMKL_INFEASIBLE_ERROR
                                             ? " (set 'infeasible = skip' to leave such grid points out)"
                                             : "");
                    }
                }
            }
            if (feasible)
                sched_ok[sj] = 1;
            for (int pj = 0; !st && feasible && pj < Pl.n; pj++)
                st = plan_add_row(b, di, rowK, implied, sched, Pl.v[pj]);
            free(sched);
        }
    }
    dd = &p->dists[di];
    dd->nrows = p->nrows - dd->first_row;
    dlmkl_sweep_list_clear(&Kl), dlmkl_sweep_list_clear(&Sl), dlmkl_sweep_list_clear(&Pl);
    free(kv);
    return st;
}

/* the odometer over the section's placeholders, first declared outermost */
static int expand_level(builder *b, int si, int level, dlmkl_sweep_var *vars, int *sched_ok)
{
    const dlmkl_sweep_section *sec = &b->cfg->sec[si];
    if (level == sec->nparams)
        return expand_leaf(b, si, vars, level, sched_ok);
    const dlmkl_sweep_kv *pk = &sec->params[level];
    char w[768];
    where(w, sizeof w, b->cfg, sec, pk);
    dlmkl_sweep_list l;
    int kind = strcmp(pk->key, "L") == 0 ? DLMKL_LIST_INTEGERS : DLMKL_LIST_VALUES;
    int st = dlmkl_sweep_list_expand(pk->value, kind, vars, level, w, &l);
    for (int i = 0; !st && i < l.n; i++) {
        vars[level].name = pk->key;
        vars[level].value = l.v[i];
        st = expand_level(b, si, level + 1, vars, sched_ok);
    }
    dlmkl_sweep_list_clear(&l);
    return st;
}

int dlmkl_sweep_plan_build(const dlmkl_sweep_config *cfg, dlmkl_sweep_plan **out)
{
    *out = NULL;
    dlmkl_sweep_plan *p = calloc(1, sizeof *p);
    if (!p)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    builder b = {p, 0, 0, cfg};
    int st = DLMKL_OK;
    /* parameter columns: union over sections, order of first appearance */
    int maxp = 0;
    for (int s = 0; s < cfg->nsections; s++)
        maxp += cfg->sec[s].nparams;
    p->param_names = calloc((size_t)(maxp ? maxp : 1), sizeof *p->param_names);
    if (!p->param_names) {
        free(p);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    for (int s = 0; s < cfg->nsections; s++)
        for (int j = 0; j < cfg->sec[s].nparams; j++) {
            const char *k = cfg->sec[s].params[j].key;
            if (!is_own_column(k) && param_column(p, k) < 0)
                p->param_names[p->nparams++] = strdup(k);
        }
    for (int s = 0; s < cfg->nsections && !st; s++) {
        const dlmkl_sweep_section *sec = &cfg->sec[s];
        dlmkl_sweep_var *vars = calloc((size_t)sec->nparams + 1, sizeof *vars);
        dlmkl_sweep_list sl;
        char w[768];
        where(w, sizeof w, cfg, sec, &sec->schedules);
        st = dlmkl_sweep_list_expand(sec->schedules.value, DLMKL_LIST_TEXT, NULL, 0, w, &sl);
        int *sched_ok = st ? NULL : calloc((size_t)sl.n + 1, sizeof *sched_ok);
        if (!st && (!vars || !sched_ok))
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        if (!st)
            st = expand_level(&b, s, 0, vars, sched_ok);
        for (int j = 0; !st && j < sl.n; j++)
            if (!sched_ok[j] && sec->infeasible == DLMKL_INFEASIBLE_SKIP) {
                /* never feasible: report the error it gives at the first grid point */
                st = dlmkl_error(DLMKL_EINVAL, "%s: schedule '%s' cannot be built for any (L, K) of the grid; "
                                 "check its spelling ('dlmkl --help' lists schedule specs)", w, sl.v[j]);
            }
        dlmkl_sweep_list_clear(&sl);
        free(sched_ok);
        free(vars);
    }
    if (st) {
        dlmkl_sweep_plan_free(p);
        return st;
    }
    *out = p;
    return DLMKL_OK;
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

static const char *source_name(const dlmkl_sweep_config *cfg, const dlmkl_sweep_dist *d)
{
    return cfg->sec[d->section].closed_form ? "closed-form" : "enumerated";
}

/* the key of a plan row: the key columns' texts joined by \x1f */
static char *row_key(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r)
{
    const dlmkl_sweep_row *row = &plan->rows[r];
    const dlmkl_sweep_dist *d = &plan->dists[row->dist];
    char Ks[32];
    snprintf(Ks, sizeof Ks, "%d", row->K);
    /* in the order of key_names */
    const char *vals[NKEYFIXED] = {d->spec, dlmkl_unit_name(cfg->unit), source_name(cfg, d), row->schedule,
                                   row->positions, Ks, d->seed ? d->seed : "", cfg->sec[d->section].name};
    strbuf b = {0};
    int bad = 0;
    for (int i = 0; i < NKEYFIXED; i++)
        bad |= sb_add(&b, vals[i], strlen(vals[i])) | sb_add(&b, "\x1f", 1);
    for (int j = 0; j < plan->nparams; j++) {
        const char *v = d->param[j] ? d->param[j] : "";
        bad |= sb_add(&b, v, strlen(v)) | sb_add(&b, "\x1f", 1);
    }
    if (bad) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* the key of a CSV line already split into fields */
static char *fields_key(char **f, const int *key_cols, int nfixed, int nparams)
{
    strbuf b = {0};
    int bad = 0;
    for (int i = 0; i < NKEYFIXED; i++)
        bad |= sb_add(&b, f[key_cols[i]], strlen(f[key_cols[i]])) | sb_add(&b, "\x1f", 1);
    for (int j = 0; j < nparams; j++)
        bad |= sb_add(&b, f[nfixed + j], strlen(f[nfixed + j])) | sb_add(&b, "\x1f", 1);
    if (bad) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* string -> row index, open addressing (FNV-1a) */
typedef struct {
    char **keys;
    long *idx;
    size_t mask;
} keymap;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int keymap_init(keymap *m, long n)
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
static long keymap_put(keymap *m, char *key, long i)
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

static long keymap_get(const keymap *m, const char *key)
{
    for (size_t h = fnv(key) & m->mask; m->keys[h]; h = (h + 1) & m->mask)
        if (strcmp(m->keys[h], key) == 0)
            return m->idx[h];
    return -1;
}

static void keymap_free(keymap *m)
{
    if (m->keys)
        for (size_t i = 0; i <= m->mask; i++)
            free(m->keys[i]);
    free(m->keys);
    free(m->idx);
}

/* format a computed row (bits) as one CSV line (with '\n'); malloc'd */
static char *format_row(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r, int V,
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
    fprintf(f, ",%s,%s,", dlmkl_unit_name(cfg->unit), source_name(cfg, d));
    dlmkl_put_str(f, row->schedule);
    fputc(',', f);
    dlmkl_put_str(f, row->positions);
    fputc(',', f);
    const double sc = dlmkl_profile_scale(prof);
    dlmkl_kl_row_write(f, x, cfg->unit, sc);
    /* normalised errors K·KL/TC and K·KL/DTC with K the budget, unit-free (from the bit values) */
    const double kl = dlmkl_nonneg(x->kl_expected, sc), tc = dlmkl_nonneg(x->TC, sc), dtc = dlmkl_nonneg(x->DTC, sc);
    fputc(',', f);
    dlmkl_put(f, tc > 0 ? (double)x->K * kl / tc : NAN);
    fputc(',', f);
    dlmkl_put(f, dtc > 0 ? (double)x->K * kl / dtc : NAN);
    fputc(',', f);
    dlmkl_put_str(f, d->seed ? d->seed : "");
    fputc(',', f);
    dlmkl_put_str(f, cfg->sec[d->section].name);
    for (int j = 0; j < plan->nparams; j++) {
        fputc(',', f);
        dlmkl_put_str(f, d->param[j] ? d->param[j] : "");
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
 * output_law = auto the memory cap and the term limit of the auto rule, and for every table: file
 * named in the spec (mixture components too) its size and modification time, so that an edited
 * table is computed again. A journal or .sums checksum covers them, so a changed setting
 * invalidates the row. */
static void row_settings(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, long r, char *buf, size_t len)
{
    const dlmkl_sweep_dist *d = &plan->dists[plan->rows[r].dist];
    const dlmkl_output_law_mode m = cfg->sec[d->section].output_law;
    int n;
    if (m == DLMKL_OUTPUT_LAW_AUTO)
        n = snprintf(buf, len, "dlmkl-row-v2;dlmkl=%s@%s;unit=%s;output_law=auto;max_memory=%zu;auto_terms=%.17g",
                     dlmkl_version(), dlmkl_git_revision(), dlmkl_unit_name(cfg->unit), dlmkl_max_memory(),
                     (double)DLMKL_OUTPUT_LAW_AUTO_TERMS);
    else
        n = snprintf(buf, len, "dlmkl-row-v2;dlmkl=%s@%s;unit=%s;output_law=%s", dlmkl_version(),
                     dlmkl_git_revision(), dlmkl_unit_name(cfg->unit),
                     m == DLMKL_OUTPUT_LAW_ALWAYS ? "always" : "never");
    for (const char *t = d->spec ? strstr(d->spec, "table:") : NULL; t && n > 0 && (size_t)n < len;
         t = strstr(t + 6, "table:")) {
        char path[4096];
        size_t pl = strcspn(t + 6, "}");
        if (pl >= sizeof path)
            pl = sizeof path - 1;
        memcpy(path, t + 6, pl);
        path[pl] = '\0';
        struct stat sb;
        int w = stat(path, &sb) == 0
                    ? snprintf(buf + n, len - (size_t)n, ";table=%lld:%lld", (long long)sb.st_size,
                               (long long)sb.st_mtime)
                    : snprintf(buf + n, len - (size_t)n, ";table=missing");
        if (w < 0)
            break;
        n += w;
    }
}

/* checksum of a row: FNV-1a (64 bits) over its settings, a newline and the bytes of its CSV line
 * (without the line's own newline) */
static uint64_t row_checksum(const char *settings, const char *line, size_t len)
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
 * journal NAME.csv.partial, whose rows end in a tab and the row's checksum (row_checksum, 16 hex
 * digits); else a finished NAME.csv, whose checksums are sums[0..nsums) in row order (from
 * NAME.csv.sums). A row is taken only if its key columns name a grid point and its checksum
 * matches that grid point's current settings, so damaged, torn or stale rows are computed again.
 * *good_len gets the length of the prefix made of complete lines (a torn last line is excluded). */
static int load_rows(const char *path, const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan,
                     const keymap *map, const char *header, int journal, const uint64_t *sums, long nsums,
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
                           "move it away or run without --resume", path);
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
            char *key = fields_key(fields, key_cols, NFIXED, plan->nparams);
            long r = key ? keymap_get(map, key) : -1;
            free(key);
            if (r >= 0 && !lines[r]) {
                row_settings(cfg, plan, r, settings, sizeof settings);
                if (row_checksum(settings, raw, csvlen) == want) {
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
static int load_sums(const char *path, uint64_t **sums, long *n)
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

/* build the table (if any) and the profile of plan distribution di */
static int load_profile(const dlmkl_sweep_config *cfg, const dlmkl_sweep_dist *dd, dlmkl_dist **d,
                        dlmkl_profile **prof)
{
    *d = NULL;
    *prof = NULL;
    int st;
    if (cfg->sec[dd->section].closed_form) {
        if ((st = dlmkl_profile_closed_form(dd->spec, prof)))
            return st;
    } else {
        if ((st = dlmkl_dist_from_spec(dd->spec, 0, d)))
            return st;
        *prof = dlmkl_profile_alloc((*d)->L);
        if (!*prof)
            return DLMKL_ENOMEM;
        if ((st = dlmkl_profile_compute(*d, *prof)))
            return st;
    }
    if ((*prof)->L != dd->L)
        return dlmkl_error(DLMKL_EINVAL, "the spec gives L = %d but the grid says L = %d; make the L key match "
                           "the spec", (*prof)->L, dd->L);
    return DLMKL_OK;
}

/* Open the journal at the first computed row: continue an earlier one after its last complete line
 * (keep != 0, good its length), or start one with the header. A new journal is registered for
 * removal (*slot) until its first row is written. */
static int journal_open(const char *path, const char *header, int keep, size_t good, FILE **journal, int *slot)
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

int dlmkl_sweep_run(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan, const dlmkl_sweep_opts *opts,
                    dlmkl_sweep_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    const double t0 = now_mono();
    const char *dir = opts && opts->out_dir ? opts->out_dir : "results";
    int st = mkdir_p(dir);
    if (st)
        return st;
    stats->csv_path = path_join(dir, cfg->name, ".csv");
    stats->partial_path = path_join(dir, cfg->name, ".csv.partial");
    char *sums_path = path_join(dir, cfg->name, ".csv.sums");
    stats->rows_total = plan->nrows;
    stats->row_seconds = malloc((size_t)(plan->nrows ? plan->nrows : 1) * sizeof *stats->row_seconds);
    char **lines = calloc((size_t)(plan->nrows ? plan->nrows : 1), sizeof *lines);
    char *header = NULL;
    size_t hlen = 0;
    FILE *hf = open_memstream(&header, &hlen);
    keymap map = {0};
    FILE *journal = NULL;
    /* The journal is opened at the first computed row, so that a sweep that fails or is stopped
     * before it leaves no file behind (and an earlier journal untouched). */
    int journal_slot = -1;
    char settings[1024];
    if (!stats->csv_path || !stats->partial_path || !sums_path || !stats->row_seconds || !lines || !hf) {
        if (hf)
            fclose(hf);
        free(header), free(lines), free(sums_path);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    dlmkl_sweep_write_header(plan, hf);
    fclose(hf);
    if (keymap_init(&map, plan->nrows)) {
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        goto done;
    }
    for (long r = 0; r < plan->nrows; r++) {
        char *k = row_key(cfg, plan, r);
        if (!k) {
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
            goto done;
        }
        long prev = keymap_put(&map, k, r);
        if (prev >= 0) {
            st = dlmkl_error(DLMKL_EINVAL, "grid rows %ld and %ld are the same point (dist %s, schedule %s, K %d); "
                             "remove the repeated value", prev + 1, r + 1, plan->dists[plan->rows[r].dist].spec,
                             plan->rows[r].schedule, plan->rows[r].K);
            goto done;
        }
    }

    /* resume: rows of a finished NAME.csv (checked against NAME.csv.sums) and of the journal
     * NAME.csv.partial */
    size_t good = 0;
    int partial_ok = 0;
    if (opts && opts->resume) {
        long loaded = 0, nsums = 0;
        size_t g0;
        int ex;
        uint64_t *sums = NULL;
        if ((st = load_sums(sums_path, &sums, &nsums)))
            goto done;
        st = load_rows(stats->csv_path, cfg, plan, &map, header, 0, sums, nsums, lines, &loaded, &g0, &ex);
        free(sums);
        if (st)
            goto done;
        if ((st = load_rows(stats->partial_path, cfg, plan, &map, header, 1, NULL, 0, lines, &loaded, &good, &ex)))
            goto done;
        partial_ok = ex && good >= hlen;
    }

    /* compute, distribution by distribution (profile once per distribution; consecutive grid
     * distributions with the same spec, e.g. differing only in a placeholder used by K, share it) */
    dlmkl_dist *d = NULL;
    dlmkl_profile *prof = NULL;
    int cached = -1; /* plan distribution whose table and profile d, prof hold */
    long done_rows = 0;
    double compute_time = 0;
    long computed_in_est = 0;
    for (int di = 0; di < plan->ndists && !st; di++) {
        const dlmkl_sweep_dist *dd = &plan->dists[di];
        long todo = 0;
        for (long r = dd->first_row; r < dd->first_row + dd->nrows; r++)
            todo += lines[r] == NULL;
        long skipped_here = dd->nrows - todo;
        stats->rows_skipped += skipped_here;
        done_rows += skipped_here;
        if (opts && opts->progress) {
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
            dlmkl_profile_free(prof);
            dlmkl_dist_free(d);
            d = NULL, prof = NULL, cached = -1;
            double tp = now_mono();
            st = load_profile(cfg, dd, &d, &prof);
            double tprof = now_mono() - tp;
            stats->profile_seconds += tprof;
            compute_time += tprof;
            if (st) {
                char msg[DLMKL_ERRMSG_MAX];
                snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
                st = dlmkl_error(st, "[dist %s] %s: %s", cfg->sec[dd->section].name, dd->spec, msg);
            } else {
                stats->dists_computed++;
                cached = di;
            }
        }
        const dlmkl_sweep_section *sec = &cfg->sec[dd->section];
        for (long r = dd->first_row; r < dd->first_row + dd->nrows && !st; r++) {
            if (lines[r])
                continue;
            const dlmkl_sweep_row *row = &plan->rows[r];
            dlmkl_positions pos;
            double tr = now_mono();
            dlmkl_kl_row x;
            memset(&x, 0, sizeof x);
            if (!(st = dlmkl_positions_parse(row->positions, &pos)))
                st = dlmkl_kl_row_compute(prof, d, row->schedule, row->implied_K ? 0 : row->K, &pos, sec->output_law,
                                          &x);
            if (!st && x.K != row->K)
                st = dlmkl_error(DLMKL_EINVAL, "internal: the row reports K = %d, the grid K = %d", x.K, row->K);
            if (st) {
                char msg[DLMKL_ERRMSG_MAX];
                snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
                st = dlmkl_error(st, "[dist %s] %s, schedule %s, K = %d, positions %s: %s", sec->name, dd->spec,
                                 row->schedule, row->K, row->positions, msg);
                dlmkl_kl_row_clear(&x);
                break;
            }
            lines[r] = format_row(cfg, plan, r, d ? d->V : dd->V, prof, &x);
            dlmkl_kl_row_clear(&x);
            if (!lines[r]) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                break;
            }
            /* journal: one complete line per computed row, with its checksum, flushed so that a kill
             * loses at most the row being written (whose torn line --resume drops) */
            if (!journal && (st = journal_open(stats->partial_path, header, partial_ok, good, &journal, &journal_slot)))
                break;
            const size_t ll = strlen(lines[r]) - 1;
            row_settings(cfg, plan, r, settings, sizeof settings);
            if (fwrite(lines[r], 1, ll, journal) != ll ||
                fprintf(journal, "\t%016llx\n", (unsigned long long)row_checksum(settings, lines[r], ll)) < 0 ||
                fflush(journal) != 0) {
                st = dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", stats->partial_path, strerror(errno));
                break;
            }
            /* the journal holds a row now: it is kept if the run stops */
            dlmkl_temp_unregister(journal_slot);
            journal_slot = -1;
            double dt = now_mono() - tr;
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
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
    if (st)
        goto done;
    if (journal && fclose(journal) != 0) {
        journal = NULL;
        st = dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", stats->partial_path, strerror(errno));
        goto done;
    }
    journal = NULL;

    /* the final CSV, atomically, in grid order; then the checksums of its rows for --resume */
    dlmkl_out o;
    if ((st = dlmkl_out_open(stats->csv_path, &o)))
        goto done;
    fputs(header, o.f);
    for (long r = 0; r < plan->nrows; r++)
        fputs(lines[r], o.f);
    if ((st = dlmkl_out_commit(&o)))
        goto done;
    if ((st = dlmkl_out_open(sums_path, &o)))
        goto done;
    for (long r = 0; r < plan->nrows; r++) {
        row_settings(cfg, plan, r, settings, sizeof settings);
        fprintf(o.f, "%016llx\n", (unsigned long long)row_checksum(settings, lines[r], strlen(lines[r]) - 1));
    }
    if ((st = dlmkl_out_commit(&o)))
        goto done;
    unlink(stats->partial_path);

done:
    if (journal) {
        fclose(journal);
        if (journal_slot >= 0) /* opened but no row written: leave nothing behind */
            unlink(stats->partial_path);
    }
    dlmkl_temp_unregister(journal_slot);
    free(sums_path);
    for (long r = 0; r < plan->nrows; r++)
        free(lines[r]);
    free(lines);
    free(header);
    keymap_free(&map);
    stats->seconds = now_mono() - t0;
    return st;
}
