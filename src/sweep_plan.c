/* sweep_plan.c: a sweep's plan: the config expanded into grid points (one distribution spec with
 * its L, V, seed and placeholder values each) and rows (schedule, positions, K), every schedule
 * built once while planning so that bad specs fail before any computation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/dist.h"
#include "dlmkl/adaptive.h"
#include "dlmkl/schedule.h"
#include "families.h"
#include "sweep_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* files named in specs */

const char *dlmkl_sweep_next_file(const char *spec, const char *head, const char **from, size_t *len)
{
    const size_t hl = strlen(head);
    for (const char *q = *from; *q; q++) {
        if (q != spec && q[-1] != '{')
            continue;
        const char *h = q;
        while (strncmp(h, "twin:", 5) == 0 || (q == spec && strncmp(h, "auto:", 5) == 0))
            h += 5;
        if (strncmp(h, head, hl) != 0)
            continue;
        const char *path = h + hl;
        *len = strcspn(path, "}");
        *from = path + *len;
        return path;
    }
    *from = spec + strlen(spec);
    *len = 0;
    return NULL;
}

char *dlmkl_sweep_resolve_files(const char *base_dir, const char *spec, const char *head)
{
    const size_t bl = base_dir ? strlen(base_dir) : 0, n = strlen(spec);
    size_t count = 0, len;
    for (const char *from = spec; dlmkl_sweep_next_file(spec, head, &from, &len);)
        count++;
    char *out = malloc(n + count * (bl + 1) + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const char *done = spec, *from = spec, *path;
    while (base_dir && (path = dlmkl_sweep_next_file(spec, head, &from, &len))) {
        if (len == 0 || path[0] == '/' || (len == 1 && path[0] == '-'))
            continue;
        memcpy(out + o, done, (size_t)(path - done));
        o += (size_t)(path - done);
        memcpy(out + o, base_dir, bl);
        o += bl;
        if (bl && base_dir[bl - 1] != '/')
            out[o++] = '/';
        done = path;
    }
    memcpy(out + o, done, n - (size_t)(done - spec) + 1);
    return out;
}

static uint64_t fnv_add(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

uint64_t dlmkl_sweep_files_hash(const char *spec, const char *head)
{
    uint64_t h = 1469598103934665603ULL;
    size_t len;
    const char *from = spec, *path;
    while ((path = dlmkl_sweep_next_file(spec, head, &from, &len))) {
        char name[4096];
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, path, len);
        name[len] = '\0';
        h = fnv_add(h, name, len + 1);
        FILE *f = strcmp(name, "-") == 0 ? NULL : fopen(name, "rb");
        if (!f) {
            h = fnv_add(h, "\0unreadable", 11);
            continue;
        }
        char buf[65536];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0)
            h = fnv_add(h, buf, got);
        if (ferror(f))
            h = fnv_add(h, "\0unreadable", 11);
        fclose(f);
    }
    return h;
}

/* L and V of the first table file a resolved spec names, from its header line 'L V' (a long-format
 * table, CSV x1..xL,p, is read whole); -1 when there is none or it cannot be read here (the run
 * then reports the file's own error). */
static void table_shape(const char *spec, long *L, long *V)
{
    *L = *V = -1;
    size_t len;
    const char *from = spec, *path = dlmkl_sweep_next_file(spec, "table:", &from, &len);
    char name[4096];
    if (!path || len == 0 || len >= sizeof name)
        return;
    memcpy(name, path, len);
    name[len] = '\0';
    if (strcmp(name, "-") == 0) /* stdin is read once, by the run */
        return;
    FILE *f = fopen(name, "r");
    if (!f)
        return;
    char line[4096];
    int long_form = 0;
    while (fgets(line, sizeof line, f)) {
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '\n' || *s == '\r' || !*s)
            continue;
        if (strchr(s, ',')) {
            long_form = 1;
        } else {
            char *end;
            errno = 0;
            long l = strtol(s, &end, 10), v = end != s ? strtol(end, &end, 10) : -1;
            while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
                end++;
            if (!errno && !*end && l >= 1 && v >= 1)
                *L = l, *V = v;
        }
        break;
    }
    fclose(f);
    if (long_form) {
        dlmkl_dist *d = NULL;
        if (dlmkl_dist_read_table(name, 1, &d) == DLMKL_OK)
            *L = d->L, *V = d->V;
        dlmkl_dist_free(d);
    }
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
        free(plan->rows[r].schedule), free(plan->rows[r].positions), free(plan->rows[r].predictor);
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

static int plan_add_row(builder *b, int dist, int K, int implied, const char *sched, const char *pos,
                        uint64_t files_hash, const char *pred, int self_sized)
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
    r->files_hash = files_hash;
    r->self_sized = self_sized;
    r->schedule = strdup(sched);
    r->positions = strdup(pos);
    r->predictor = pred ? strdup(pred) : NULL;
    if (!r->schedule || !r->positions || (pred && !r->predictor)) {
        free(r->schedule), free(r->positions), free(r->predictor);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    if (pred)
        p->adaptive = 1;
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
    /* `profile = auto:SPEC`: SPEC's closed form if its family has one, else its table enumerated
     * (dlmkl_profile_auto); either way the rows come from the profile alone */
    const int is_auto = sec->closed_form && strncmp(spec, "auto:", 5) == 0;
    const char *ispec = is_auto ? spec + 5 : spec;
    int enumerated = !sec->closed_form;
    if (is_auto) {
        enumerated = !dlmkl_spec_has_closed_form(ispec);
    }
    /* what the spec's own keys say (the family table's shape of each family); a table file's
     * header says its L and V (relative file names resolve against the config's folder) */
    long spec_L, spec_V;
    dlmkl_family_shape(ispec, &spec_L, &spec_V);
    char *rspec = !enumerated ? strdup(spec) : dlmkl_sweep_resolve_files(cfg->base_dir, spec, "table:");
    if (!rspec) {
        free(spec);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    size_t tlen;
    const char *tfrom = rspec, *tpath = !enumerated ? NULL : dlmkl_sweep_next_file(rspec, "table:", &tfrom, &tlen);
    const dlmkl_sweep_dist *prev = p->ndists ? &p->dists[p->ndists - 1] : NULL;
    if (tpath && (spec_L < 1 || spec_V < 1) && prev && prev->section == si && !lv && strcmp(prev->spec, spec) == 0) {
        /* the same table as the previous grid point of this section (a placeholder used by K only) */
        if (spec_L < 1)
            spec_L = prev->L;
        if (spec_V < 1)
            spec_V = prev->V;
    } else if (tpath && (spec_L < 1 || spec_V < 1)) {
        long tL, tV;
        table_shape(rspec, &tL, &tV);
        if (spec_L < 1)
            spec_L = tL;
        if (spec_V < 1)
            spec_V = tV;
    }
    if (!lv)
        L = spec_L;
    if (L < 1) {
        where(w, sizeof w, cfg, sec, NULL);
        dlmkl_dist *td = NULL;
        char *tname = tpath ? strndup(tpath, tlen) : NULL;
        if (tname && strcmp(tname, "-") != 0 && (st = dlmkl_dist_read_table(tname, 1, &td)) != DLMKL_OK)
            st = dlmkl_error_prefix(st, "%s: cannot tell L for '%s'", w, spec);
        else
            st = dlmkl_error(DLMKL_EINVAL, "%s: cannot tell L for '%s' (L = %ld); add a key 'L = ...' to the section "
                             "or an item L=.. to the spec", w, spec, L);
        dlmkl_dist_free(td);
        free(tname);
        free(spec), free(rspec);
        return st;
    }
    if (V < 0)
        V = spec_V;

    dlmkl_sweep_dist *dd = NULL;
    if ((st = plan_add_dist(b, &dd))) {
        free(spec), free(rspec);
        return st;
    }
    int di = p->ndists - 1;
    dd->section = si;
    dd->spec = spec;
    /* the bytes of its table files, for the resume checksums (consecutive grid points with the
     * same spec share them) */
    if (tpath && di > 0 && strcmp(p->dists[di - 1].spec, spec) == 0 && p->dists[di - 1].enumerated &&
        p->dists[di - 1].files_hash)
        dd->files_hash = p->dists[di - 1].files_hash;
    else if (tpath)
        dd->files_hash = dlmkl_sweep_files_hash(rspec, "table:");
    free(rspec);
    dd->is_auto = is_auto;
    dd->enumerated = enumerated;
    const char *colon = strchr(ispec, ':');
    dd->family = colon ? strndup(ispec, (size_t)(colon - ispec)) : strdup(ispec);
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
    if (L > DLMKL_MAX_L && enumerated) {
        where(w, sizeof w, cfg, sec, NULL);
        return dlmkl_error(DLMKL_EINVAL, "%s: L = %ld is beyond exact enumeration (L <= %d)%s; use 'profile =' with "
                           "a closed form for long sequences", w, L, DLMKL_MAX_L,
                           is_auto ? " and this family has no closed form" : "");
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
    dlmkl_sweep_list Kl = {0, NULL}, Sl = {0, NULL}, Pl = {0, NULL}, Rl = {0, NULL};
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
    /* predictors (a grid dimension, innermost): canonical names; none when the key is absent */
    const int has_pred = sec->predictors.key != NULL;
    if (!st && has_pred) {
        where(w, sizeof w, cfg, sec, &sec->predictors);
        st = dlmkl_sweep_list_expand(sec->predictors.value, DLMKL_LIST_TEXT, kv, nkv, w, &Rl);
        for (int j = 0; !st && j < Rl.n; j++) {
            dlmkl_predictor pr;
            char name[64];
            if ((st = dlmkl_predictor_parse(Rl.v[j], &pr))) {
                st = dlmkl_error_prefix(st, "%s", w);
                break;
            }
            dlmkl_predictor_name(&pr, name, sizeof name);
            char *c = strdup(name);
            if (!c) {
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                break;
            }
            free(Rl.v[j]);
            Rl.v[j] = c;
        }
    }
    /* positions: parse once, check against closed forms. Value-adaptive policies, and every policy of
     * a section with predictors, go through adaptive.h (random, l2r or value-adaptive only) */
    unsigned char *adapt = calloc((size_t)Pl.n + 1, 1), *selfsz = calloc((size_t)Pl.n + 1, 1),
                  *selfsz_done = calloc((size_t)Pl.n + 1, 1);
    if (!st && (!adapt || !selfsz || !selfsz_done))
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
    for (int j = 0; !st && j < Pl.n; j++) {
        dlmkl_positions pos = {DLMKL_POS_RANDOM, 0};
        dlmkl_adaptive pol;
        where(w, sizeof w, cfg, sec, &sec->positions);
        adapt[j] = dlmkl_adaptive_is_spec(Pl.v[j]) || has_pred;
        if (adapt[j]) {
            if ((st = dlmkl_adaptive_parse(Pl.v[j], &pol)) && !dlmkl_adaptive_is_spec(Pl.v[j]))
                st = dlmkl_error(DLMKL_EINVAL, "%s: positions '%s' cannot take a predictor: use random, l2r or a "
                                 "value-adaptive policy in a section with predictors", w, Pl.v[j]);
            else if (st)
                st = dlmkl_error_prefix(st, "%s", w);
            else
                selfsz[j] = (unsigned char)dlmkl_adaptive_self_sized(&pol);
        } else if ((st = dlmkl_positions_parse(Pl.v[j], &pos))) {
            st = dlmkl_error_prefix(st, "%s", w);
        }
        if (!st && sec->closed_form && (adapt[j] || pos.kind != DLMKL_POS_RANDOM)) {
            st = dlmkl_error(DLMKL_EINVAL, "%s: positions '%s'%s need a distribution table; a closed-form profile "
                             "supports only random positions without predictors (set positions = random in this "
                             "section)", w, Pl.v[j], has_pred ? " with predictors" : "");
        }
    }
    const int npr = has_pred ? Rl.n : 1;
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
            char *rsched = sched ? dlmkl_sweep_resolve_files(cfg->base_dir, sched, "law:") : NULL;
            if (!rsched) {
                free(sched);
                st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                break;
            }
            /* a schedule that fixes its own K gives its rows once, at the first K of the list */
            int implied = dlmkl_schedule_implies_K(sched);
            if (implied && ki > 0) {
                free(sched), free(rsched);
                continue;
            }
            size_t llen;
            const char *lfrom = rsched;
            const uint64_t law_hash =
                dlmkl_sweep_next_file(rsched, "law:", &lfrom, &llen) ? dlmkl_sweep_files_hash(rsched, "law:") : 0;
            /* build the schedule now so that bad specs fail before any computation. A schedule
             * built from the profile (the type table's NEEDS_PROFILE: optimal, twin:optimal) is
             * built at run time; here only its K <= L rule is checked */
            int feasible = 1, rowK = (int)K;
            {
                const unsigned flags = dlmkl_schedule_spec_flags(sched);
                dlmkl_schedule *s = NULL;
                int sst = DLMKL_OK;
                if (!(flags & DLMKL_SCHED_FLAG_NEEDS_PROFILE)) {
                    sst = dlmkl_schedule_from_spec(rsched, (int)L, implied ? 0 : (int)K, NULL, &s);
                    if (sst == DLMKL_OK && implied)
                        rowK = s->budget;
                    dlmkl_schedule_free(s);
                    if (sst != DLMKL_OK)
                        snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
                } else if ((flags & DLMKL_SCHED_FLAG_K_LE_L) && !implied && K > L) {
                    sst = DLMKL_EINVAL;
                    snprintf(msg, sizeof msg, "'%s' reveals at least one token per iteration, so K cannot exceed L",
                             sched);
                }
                if (sst != DLMKL_OK) {
                    if (sec->infeasible == DLMKL_INFEASIBLE_SKIP && sst == DLMKL_EINVAL) {
                        feasible = 0;
                        for (int pj = 0; pj < Pl.n; pj++)
                            p->ninfeasible += selfsz[pj] ? 0 : (adapt[pj] ? npr : 1);
                    } else {
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
            for (int pj = 0; !st && pj < Pl.n; pj++) {
                /* a self-sized policy reads no schedule: its rows once, at the first K and schedule */
                if (selfsz[pj]) {
                    for (int rj = 0; !st && !selfsz_done[pj] && rj < npr; rj++)
                        st = plan_add_row(b, di, 0, 0, "none", Pl.v[pj], 0, has_pred ? Rl.v[rj] : "exact", 1);
                    selfsz_done[pj] = 1;
                } else if (feasible && adapt[pj]) {
                    for (int rj = 0; !st && rj < npr; rj++)
                        st = plan_add_row(b, di, rowK, implied, sched, Pl.v[pj], law_hash,
                                          has_pred ? Rl.v[rj] : "exact", 0);
                } else if (feasible) {
                    st = plan_add_row(b, di, rowK, implied, sched, Pl.v[pj], law_hash, NULL, 0);
                }
            }
            free(sched), free(rsched);
        }
    }
    dd = &p->dists[di];
    dd->nrows = p->nrows - dd->first_row;
    dlmkl_sweep_list_clear(&Kl), dlmkl_sweep_list_clear(&Sl), dlmkl_sweep_list_clear(&Pl), dlmkl_sweep_list_clear(&Rl);
    free(adapt), free(selfsz), free(selfsz_done);
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
            if (!dlmkl_sweep_own_column(k) && param_column(p, k) < 0)
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
                                 "check its spelling", w, sl.v[j]);
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
