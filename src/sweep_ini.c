/* sweep_ini.c: the sweep config file (INI, parsed by libinih): sections, keys, quick_ overrides,
 * placeholders and their checks. The format is documented in dlmkl_sweep_config_help() and
 * experiments/README.md. */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* the config file */

/* keys of [sweep] and the settings keys of [dist NAME]; any other key of [dist NAME] is a
 * placeholder */
static const char *const sweep_keys[] = {"name", "description", "unit", "K", "schedules", "positions",
                                         "predictor", "output_law", "infeasible", NULL};
static const char *const dist_keys[] = {"spec", "profile", "K", "schedules", "positions", "predictor", "output_law",
                                        "infeasible", NULL};
static int in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (strcmp(*l, s) == 0)
            return 1;
    return 0;
}

typedef struct raw_entry {
    int sec;      /* index into raw.secs */
    char *key, *value;
    int line;
} raw_entry;

typedef struct raw_section {
    char *header; /* text inside [...] */
    int line;
} raw_section;

typedef struct raw_cfg {
    const char *text, *p;
    int line;          /* lines started so far */
    int at_line_start;
    raw_section *secs;
    int nsecs, capsecs;
    raw_entry *ents;
    int nents, capents;
    int st;
} raw_cfg;

/* fgets-style reader over the text; counts lines and records section headers (so that empty
 * sections are seen too) */
static char *reader(char *str, int num, void *stream)
{
    raw_cfg *r = stream;
    if (!*r->p || r->st)
        return NULL;
    int i = 0;
    if (r->at_line_start)
        r->line++;
    const char *line_start = r->p;
    while (i < num - 1 && r->p[i]) {
        str[i] = r->p[i];
        i++;
        if (str[i - 1] == '\n')
            break;
    }
    str[i] = 0;
    r->p += i;
    r->at_line_start = i > 0 && str[i - 1] == '\n';
    if (!r->at_line_start && *r->p) {
        r->st = dlmkl_error(DLMKL_EINVAL, "line %d is longer than %d characters", r->line, SWEEP_MAX_LINE);
        return NULL;
    }
    /* a section header? */
    const char *q = line_start;
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q == '[' && q < r->p) {
        const char *e = memchr(q, ']', (size_t)(r->p - q));
        if (r->nsecs == r->capsecs) {
            r->capsecs = r->capsecs ? 2 * r->capsecs : 8;
            raw_section *ns = realloc(r->secs, (size_t)r->capsecs * sizeof *ns);
            if (!ns) {
                r->st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                return NULL;
            }
            r->secs = ns;
        }
        r->secs[r->nsecs].header = e ? trim_dup(q + 1, (size_t)(e - q - 1)) : strdup("");
        r->secs[r->nsecs].line = r->line;
        r->nsecs++;
    }
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    (void)section;
    raw_cfg *r = user;
    if (r->st)
        return 0;
    if (r->nents == r->capents) {
        r->capents = r->capents ? 2 * r->capents : 32;
        raw_entry *ne = realloc(r->ents, (size_t)r->capents * sizeof *ne);
        if (!ne) {
            r->st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
            return 0;
        }
        r->ents = ne;
    }
    raw_entry *e = &r->ents[r->nents++];
    e->sec = r->nsecs - 1; /* -1: before any section */
    e->key = strdup(name);
    e->value = strdup(value ? value : "");
    e->line = r->line;
    return 1;
}

static void raw_free(raw_cfg *r)
{
    for (int i = 0; i < r->nsecs; i++)
        free(r->secs[i].header);
    for (int i = 0; i < r->nents; i++)
        free(r->ents[i].key), free(r->ents[i].value);
    free(r->secs);
    free(r->ents);
}

static void kv_free(dlmkl_sweep_kv *kv)
{
    free(kv->key);
    free(kv->value);
    kv->key = kv->value = NULL;
}

static int kv_set(dlmkl_sweep_kv *kv, const char *key, const char *value, int line)
{
    kv_free(kv);
    kv->key = strdup(key);
    kv->value = strdup(value);
    kv->line = line;
    return kv->key && kv->value ? DLMKL_OK : dlmkl_error(DLMKL_ENOMEM, "out of memory");
}

void dlmkl_sweep_config_free(dlmkl_sweep_config *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < cfg->nsections; i++) {
        dlmkl_sweep_section *s = &cfg->sec[i];
        free(s->name);
        free(s->tmpl);
        kv_free(&s->K), kv_free(&s->schedules), kv_free(&s->positions), kv_free(&s->predictors);
        for (int j = 0; j < s->nparams; j++)
            kv_free(&s->params[j]);
        free(s->params);
    }
    free(cfg->sec);
    free(cfg->path);
    free(cfg->base_dir);
    free(cfg->text);
    free(cfg->name);
    free(cfg->description);
    free(cfg);
}

static int parse_infeasible(const char *v, dlmkl_infeasible_mode *m)
{
    if (strcmp(v, "error") == 0)
        *m = DLMKL_INFEASIBLE_ERROR;
    else if (strcmp(v, "skip") == 0)
        *m = DLMKL_INFEASIBLE_SKIP;
    else
        return -1;
    return 0;
}

/* Find the effective entry for key in section sec: quick_key (if quick) wins over key. */
static const raw_entry *lookup(const raw_cfg *r, int sec, const char *key, int quick)
{
    const raw_entry *plain = NULL, *q = NULL;
    for (int i = 0; i < r->nents; i++) {
        const raw_entry *e = &r->ents[i];
        if (e->sec != sec)
            continue;
        if (strcmp(e->key, key) == 0)
            plain = e;
        else if (strncmp(e->key, "quick_", 6) == 0 && strcmp(e->key + 6, key) == 0)
            q = e;
    }
    return quick && q ? q : plain;
}

/* 1 if name occurs as an identifier in s */
static int mentions_ident(const char *s, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = s; (p = strstr(p, name)) != NULL; p++) {
        int before = p > s && is_ident_char((unsigned char)p[-1]);
        int after = is_ident_char((unsigned char)p[n]);
        if (!before && !after)
            return 1;
    }
    return 0;
}

/* 1 if s holds the placeholder {name} */
static int mentions_placeholder(const char *s, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = s; (p = strchr(p, '{')) != NULL; p++)
        if (strncmp(p + 1, name, n) == 0 && p[1 + n] == '}')
            return 1;
    return 0;
}

int dlmkl_sweep_config_parse(const char *text, const char *path, int quick, dlmkl_sweep_config **out)
{
    *out = NULL;
    const char *file = path ? path : "<config>";
    raw_cfg r;
    memset(&r, 0, sizeof r);
    r.text = r.p = text;
    r.at_line_start = 1;

    ini_allow_multiline = 0;      /* an indented line is a new key, never a silent continuation */
    ini_allow_inline_comments = 1; /* "key = value ; comment" */
    ini_stop_on_first_error = 1;
    ini_max_line = SWEEP_MAX_LINE;
    int perr = ini_parse_stream(reader, &r, handler, &r);
    if (r.st) {
        raw_free(&r);
        return dlmkl_error_prefix(r.st, "%s", file);
    }
    if (perr > 0) {
        raw_free(&r);
        return dlmkl_error(DLMKL_EINVAL, "%s line %d: not a 'key = value' line, a [section] header or a "
                           "comment (';' or '#' at the start of a line)", file, perr);
    }
    if (perr < 0) {
        raw_free(&r);
        return dlmkl_error(DLMKL_ENOMEM, "%s: the INI parser failed (%d)", file, perr);
    }

    dlmkl_sweep_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        raw_free(&r);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    int st = DLMKL_OK;
#define FAIL(...)                                  \
    do {                                           \
        st = dlmkl_error(DLMKL_EINVAL, __VA_ARGS__); \
        goto fail;                                 \
    } while (0)
#define FAIL_NOMEM()                                      \
    do {                                                  \
        st = dlmkl_error(DLMKL_ENOMEM, "out of memory"); \
        goto fail;                                        \
    } while (0)
    cfg->path = path ? strdup(path) : NULL;
    /* relative file names in specs resolve against the config file's folder */
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (slash && !(cfg->base_dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path))))
        FAIL_NOMEM();
    cfg->text = strdup(text);
    cfg->quick = quick != 0;
    cfg->unit = DLMKL_BITS;
    cfg->description = strdup("");
    if ((path && !cfg->path) || !cfg->text || !cfg->description)
        FAIL_NOMEM();

    /* keys before any section */
    for (int i = 0; i < r.nents; i++)
        if (r.ents[i].sec < 0)
            FAIL("%s line %d: key '%s' comes before any section; put it under [sweep] or [dist NAME]", file,
                 r.ents[i].line, r.ents[i].key);

    /* sections: one optional [sweep], then [dist NAME]s */
    int sweep_sec = -1;
    int *dist_of = calloc((size_t)(r.nsecs ? r.nsecs : 1), sizeof *dist_of);
    if (!dist_of)
        FAIL_NOMEM();
    cfg->sec = calloc((size_t)(r.nsecs ? r.nsecs : 1), sizeof *cfg->sec);
    if (!cfg->sec) {
        free(dist_of);
        FAIL_NOMEM();
    }
    for (int s = 0; s < r.nsecs; s++) {
        const char *h = r.secs[s].header;
        dist_of[s] = -1;
        if (strcmp(h, "sweep") == 0) {
            if (sweep_sec >= 0) {
                free(dist_of);
                FAIL("%s line %d: a second [sweep] section (the first is at line %d); merge them", file,
                     r.secs[s].line, r.secs[sweep_sec].line);
            }
            sweep_sec = s;
            continue;
        }
        if (strncmp(h, "dist", 4) == 0 && isspace((unsigned char)h[4])) {
            char *name = trim_dup(h + 4, strlen(h + 4));
            if (!name || !is_ident(name)) {
                free(dist_of);
                free(name);
                FAIL("%s line %d: section [%s]: the name after 'dist' must be one word of letters, digits "
                     "and '_' (e.g. [dist markov])", file, r.secs[s].line, h);
            }
            for (int j = 0; j < cfg->nsections; j++)
                if (strcmp(cfg->sec[j].name, name) == 0) {
                    int l0 = cfg->sec[j].line;
                    free(dist_of);
                    free(name);
                    FAIL("%s line %d: section [dist %s] appears twice (first at line %d)", file, r.secs[s].line,
                         cfg->sec[j].name, l0);
                }
            dist_of[s] = cfg->nsections;
            dlmkl_sweep_section *sec = &cfg->sec[cfg->nsections++];
            sec->name = name;
            sec->line = r.secs[s].line;
            continue;
        }
        {
            int line = r.secs[s].line;
            char hh[128];
            snprintf(hh, sizeof hh, "%s", h);
            free(dist_of);
            FAIL("%s line %d: unknown section [%s]; sections are [sweep] and [dist NAME]", file, line, hh);
        }
    }
    free(dist_of);
    dist_of = NULL;
    if (cfg->nsections == 0)
        FAIL("%s: no [dist NAME] section; the sweep needs at least one distribution", file);

    /* duplicate keys within a section */
    for (int i = 0; i < r.nents; i++)
        for (int j = 0; j < i; j++)
            if (r.ents[i].sec == r.ents[j].sec && strcmp(r.ents[i].key, r.ents[j].key) == 0)
                FAIL("%s line %d: key '%s' given twice in [%s] (first at line %d)", file, r.ents[i].line,
                     r.ents[i].key, r.secs[r.ents[i].sec].header, r.ents[j].line);

    /* [sweep] */
    const raw_entry *gK = NULL, *gS = NULL, *gP = NULL, *gR = NULL, *gO = NULL, *gI = NULL;
    if (sweep_sec >= 0) {
        for (int i = 0; i < r.nents; i++) {
            const raw_entry *e = &r.ents[i];
            if (e->sec != sweep_sec)
                continue;
            const char *k = strncmp(e->key, "quick_", 6) == 0 ? e->key + 6 : e->key;
            if (!in_list(sweep_keys, k))
                FAIL("%s line %d: unknown key '%s' in [sweep] (keys: name, description, unit, K, schedules, "
                     "positions, predictor, output_law, infeasible, and quick_KEY for any of them)", file, e->line, e->key);
            if (k != e->key && !lookup(&r, sweep_sec, k, 0))
                FAIL("%s line %d: [sweep] has '%s' but no '%s' for it to replace", file, e->line, e->key, k);
        }
        const raw_entry *e;
        if ((e = lookup(&r, sweep_sec, "name", quick))) {
            if (!*e->value || strchr(e->value, '/') || e->value[0] == '.')
                FAIL("%s line %d: [sweep] name = '%s' must be a plain file name (no '/', not starting "
                     "with '.')", file, e->line, e->value);
            cfg->name = strdup(e->value);
        }
        if ((e = lookup(&r, sweep_sec, "description", quick))) {
            free(cfg->description);
            cfg->description = strdup(e->value);
        }
        if ((e = lookup(&r, sweep_sec, "unit", quick))) {
            if (strcmp(e->value, "bits") == 0)
                cfg->unit = DLMKL_BITS;
            else if (strcmp(e->value, "nats") == 0)
                cfg->unit = DLMKL_NATS;
            else
                FAIL("%s line %d: [sweep] unit = '%s' is not a unit; use bits or nats", file, e->line, e->value);
        }
        gK = lookup(&r, sweep_sec, "K", quick);
        gS = lookup(&r, sweep_sec, "schedules", quick);
        gP = lookup(&r, sweep_sec, "positions", quick);
        gR = lookup(&r, sweep_sec, "predictor", quick);
        gO = lookup(&r, sweep_sec, "output_law", quick);
        gI = lookup(&r, sweep_sec, "infeasible", quick);
    }
    if (!cfg->name) {
        /* default: the config file's base name without extension */
        const char *b = path ? strrchr(path, '/') : NULL;
        b = b ? b + 1 : (path ? path : "sweep");
        const char *dot = strrchr(b, '.');
        cfg->name = dot && dot != b ? xstrndup(b, (size_t)(dot - b)) : strdup(b);
    }

    /* [dist NAME] sections */
    for (int s = 0, di = 0; s < r.nsecs; s++) {
        if (s == sweep_sec)
            continue;
        dlmkl_sweep_section *sec = &cfg->sec[di++];
        const char *sn = sec->name;
        int nkeys = 0;
        for (int i = 0; i < r.nents; i++)
            nkeys += r.ents[i].sec == s;
        sec->params = calloc((size_t)(nkeys ? nkeys : 1), sizeof *sec->params);
        if (!sec->params)
            FAIL_NOMEM();
        const raw_entry *spec = lookup(&r, s, "spec", quick), *prof = lookup(&r, s, "profile", quick);
        if (spec && prof)
            FAIL("%s line %d: [dist %s] has both spec (a table, line %d) and profile (a closed form); keep one",
                 file, prof->line, sn, spec->line);
        if (!spec && !prof)
            FAIL("%s line %d: [dist %s] needs 'spec = FAMILY:...' (a distribution table) or 'profile = "
                 "FAMILY:...' (a closed-form entropy profile)", file, sec->line, sn);
        const raw_entry *t = spec ? spec : prof;
        if (!*t->value)
            FAIL("%s line %d: [dist %s] %s is empty", file, t->line, sn, t->key);
        sec->tmpl = strdup(t->value);
        sec->closed_form = prof != NULL;

        const raw_entry *e;
#define LIST_KEY(field, key, global)                                                                    \
    do {                                                                                              \
        e = lookup(&r, s, key, quick);                                                                \
        if (!e)                                                                                       \
            e = (global);                                                                             \
        if (!e)                                                                                       \
            FAIL("%s line %d: [dist %s] has no '%s' (give it here or in [sweep])", file, sec->line, sn, key); \
        if ((st = kv_set(&sec->field, key, e->value, e->line)))                                         \
            goto fail;                                                                                \
    } while (0)
        LIST_KEY(K, "K", gK);
        LIST_KEY(schedules, "schedules", gS);
        if ((e = lookup(&r, s, "positions", quick)) || (e = gP)) {
            if ((st = kv_set(&sec->positions, "positions", e->value, e->line)))
                goto fail;
        } else if ((st = kv_set(&sec->positions, "positions", "random", 0))) {
            goto fail;
        }
        if (((e = lookup(&r, s, "predictor", quick)) || (e = gR)) &&
            (st = kv_set(&sec->predictors, "predictor", e->value, e->line)))
            goto fail;
        sec->output_law = DLMKL_OUTPUT_LAW_AUTO;
        if (((e = lookup(&r, s, "output_law", quick)) || (e = gO)) && dlmkl_output_law_parse(e->value, &sec->output_law) != DLMKL_OK)
            FAIL("%s line %d: [dist %s] output_law = '%s'; use auto, always or never", file, e->line, sn, e->value);
        sec->infeasible = DLMKL_INFEASIBLE_ERROR;
        if (((e = lookup(&r, s, "infeasible", quick)) || (e = gI)) && parse_infeasible(e->value, &sec->infeasible))
            FAIL("%s line %d: [dist %s] infeasible = '%s'; use error or skip", file, e->line, sn, e->value);

        /* placeholders: every other key, in declaration order */
        for (int i = 0; i < r.nents; i++) {
            const raw_entry *x = &r.ents[i];
            if (x->sec != s)
                continue;
            int is_quick = strncmp(x->key, "quick_", 6) == 0;
            const char *k = is_quick ? x->key + 6 : x->key;
            if (is_quick && !lookup(&r, s, k, 0))
                FAIL("%s line %d: [dist %s] has '%s' but no '%s' for it to replace", file, x->line, sn, x->key, k);
            if (is_quick || in_list(dist_keys, k))
                continue;
            if (!is_ident(k))
                FAIL("%s line %d: [dist %s] key '%s' is not a name (letters, digits, '_')", file, x->line, sn, k);
            if (dlmkl_sweep_column_reserved(k) || in_list(sweep_keys, k))
                FAIL("%s line %d: [dist %s] '%s' is a CSV column or setting name and cannot be a placeholder; "
                     "rename it", file, x->line, sn, k);
            const raw_entry *eff = lookup(&r, s, k, quick);
            dlmkl_sweep_kv *pk = &sec->params[sec->nparams++];
            if ((st = kv_set(pk, k, eff->value, eff->line)))
                goto fail;
        }
        /* placeholders in the template and schedules must have values */
        const char *texts[2] = {sec->tmpl, sec->schedules.value};
        const char *tkeys[2] = {sec->closed_form ? "profile" : "spec", "schedules"};
        int tlines[2] = {t->line, sec->schedules.line};
        for (int ti = 0; ti < 2; ti++) {
            for (const char *p = texts[ti]; (p = strchr(p, '{')) != NULL; p++) {
                const char *q = strchr(p, '}');
                if (!q)
                    FAIL("%s line %d: [dist %s] %s: '{' without '}' in '%s'", file, tlines[ti], sn, tkeys[ti], texts[ti]);
                size_t n = (size_t)(q - p - 1);
                /* only {NAME} is a placeholder; other braces (mixture:0.5*{copy:L=8}+...) are text */
                int ident = n > 0 && is_ident_start((unsigned char)p[1]);
                for (size_t k = 1; k < n && ident; k++)
                    ident = is_ident_char((unsigned char)p[1 + k]);
                if (!ident)
                    continue;
                int found = (n == 1 && (p[1] == 'L' || p[1] == 'K') && ti == 1);
                for (int j = 0; j < sec->nparams && !found; j++)
                    found = strlen(sec->params[j].key) == n && strncmp(sec->params[j].key, p + 1, n) == 0;
                if (!found)
                    FAIL("%s line %d: [dist %s] %s: placeholder {%.*s} has no values; add a key '%.*s = ...' "
                         "to [dist %s]", file, tlines[ti], sn, tkeys[ti], (int)n, p + 1, (int)n, p + 1, sn);
            }
        }
        /* every placeholder key must be used somewhere (catches misspelt settings) */
        for (int j = 0; j < sec->nparams; j++) {
            const char *k = sec->params[j].key;
            int used = strcmp(k, "L") == 0 || mentions_placeholder(sec->tmpl, k) ||
                       mentions_placeholder(sec->schedules.value, k) || mentions_ident(sec->K.value, k);
            for (int jj = j + 1; jj < sec->nparams && !used; jj++)
                used = mentions_ident(sec->params[jj].value, k);
            if (!used)
                FAIL("%s line %d: [dist %s] key '%s' is not a setting (spec, profile, K, schedules, positions, "
                     "predictor, output_law, infeasible, quick_*) and no {%s} placeholder uses it", file, sec->params[j].line, sn,
                     k, k);
        }
    }
#undef LIST_KEY
#undef FAIL
#undef FAIL_NOMEM
    raw_free(&r);
    *out = cfg;
    return DLMKL_OK;
fail:
    raw_free(&r);
    dlmkl_sweep_config_free(cfg);
    return st;
}

int dlmkl_sweep_config_read(const char *path, int quick, dlmkl_sweep_config **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dlmkl_error(DLMKL_EIO, "cannot open sweep config '%s': %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        /* stop at once on binary input (/dev/zero) and bound the size */
        if (memchr(chunk, '\0', n)) {
            free(buf);
            fclose(f);
            return dlmkl_error(DLMKL_EINVAL, "sweep config '%s' contains a NUL byte; is it a text file?", path);
        }
        if (len + n > SWEEP_MAX_CONFIG) {
            free(buf);
            fclose(f);
            return dlmkl_error(DLMKL_ETOOBIG, "sweep config '%s' is larger than %zu MiB; a config is a short text file",
                               path, SWEEP_MAX_CONFIG >> 20);
        }
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char what[64];
            snprintf(what, sizeof what, "reading the sweep config");
            if (dlmkl_check_memory(cap, what) != DLMKL_OK) {
                free(buf);
                fclose(f);
                return dlmkl_error_prefix(DLMKL_ETOOBIG, "sweep config '%s'", path);
            }
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return dlmkl_error(DLMKL_ENOMEM, "out of memory reading '%s'", path);
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return dlmkl_error(DLMKL_EIO, "error reading sweep config '%s'", path);
    }
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = 0;
    if (buf && strlen(buf) != len) {
        free(buf);
        return dlmkl_error(DLMKL_EINVAL, "sweep config '%s' contains a NUL byte; is it a text file?", path);
    }
    int st = dlmkl_sweep_config_parse(buf ? buf : "", path, quick, out);
    free(buf);
    return st;
}

const char *dlmkl_sweep_config_help(void)
{
    return "Sweep config (INI; ';' or '#' starts a comment line, ' ;' an inline comment):\n"
           "  [sweep]                       optional; defaults for every [dist] section\n"
           "  name = rates_K                output NAME.csv and NAME.meta.json (default: config base name)\n"
           "  description = ...             free text, copied to the metadata\n"
           "  unit = bits|nats              unit of every entropy, KL and bound (default bits)\n"
           "  K, schedules, positions, predictor, output_law, infeasible   defaults for the sections\n"
           "\n"
           "  [dist NAME]                   one per distribution family; NAME goes to the 'section' column\n"
           "  spec = markov:L={L},V=2,stay={stay}   distribution table spec with {placeholders}, or\n"
           "  profile = copy:L={L},V=2      a closed-form entropy profile (no table: positions must be\n"
           "                                random and kl_output is left empty); auto:SPEC: SPEC's closed\n"
           "                                form if its family has one, else its table's profile (as kl)\n"
           "  L = 8,12,16                   each other key gives the values of a placeholder; the grid\n"
           "  stay = 0.6, 0.9               is their product, first declared outermost\n"
           "  K = 1..L                      budgets (integers; may refer to L, V and earlier keys)\n"
           "  schedules = balanced, \"sizes:4,3,1\", random-tc, optimal   schedule specs ({L}, {K}, and\n"
           "                                placeholders are substituted; quote items holding commas)\n"
           "  positions = random, l2r       position policies (default random); value-adaptive ones too:\n"
           "                                confidence[:by=..], threshold:tau=T, eb:gamma=G, entsum:eps=E\n"
           "  predictor = exact, temp:0.5, \"mix:0.1,seed=3\"   imperfect predictors: one more grid\n"
           "                                dimension (innermost); rows with them, or with value-adaptive\n"
           "                                positions, add the columns predictor,kl_predictor,kl_path,\n"
           "                                iterations_mean,iterations_mean_ideal,iterations_law,bound_policy,\n"
           "                                bound_step\n"
           "  output_law = auto|always|never  kl_output: auto computes it when its cost is at most\n"
           "                                DLMKL_OUTPUT_LAW_AUTO_TERMS terms and its memory fits (default auto)\n"
           "  infeasible = error|skip       a schedule that cannot be built for some (L, K): stop with the\n"
           "                                error (default), or leave that grid point out\n"
           "  quick_KEY = ...               replaces KEY under --quick (e.g. quick_L = 8,10)\n"
           "\n"
           "Lists: comma-separated values; ranges a..b, a..b:step, pow2:a..b (powers of two in [a,b]),\n"
           "2^i..2^j; integer expressions with + - * / (floor) ^ ( ) and names of earlier keys, L and V\n"
           "(e.g. K = L/4). A value that names no key (0.6, 1/3) is literal text. Duplicates are dropped.\n"
           "If no key L is given, L is read from the spec's own keys: 'L=' (n= for mds and perm,\n"
           "rows*cols for ising2d, the first component of a mixture) or a table: file's header.\n"
           "Relative file names (table:, law:, in mixture and mix: components too) are relative to\n"
           "the config file's folder.\n"
           "{NAME} is a placeholder only if NAME is a word; other braces (mixture specs) are kept.\n";
}
