/* sweep_config.c: the sweep config file (INI, parsed by libinih) and the list/range/expression
 * syntax of its grids. The format is documented in dlmkl_sweep_config_help() and
 * experiments/README.md. */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
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

/* ------------------------------------------------------------------------------------------ */
/* small string helpers */

static char *xstrndup(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = 0;
    }
    return r;
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

static int is_ident_start(int c) { return isalpha(c) || c == '_'; }
static int is_ident_char(int c) { return isalnum(c) || c == '_'; }

static int is_ident(const char *s)
{
    if (!is_ident_start((unsigned char)*s))
        return 0;
    for (s++; *s; s++)
        if (!is_ident_char((unsigned char)*s))
            return 0;
    return 1;
}

/* characters of an integer expression */
static int is_expr_char(int c) { return is_ident_char(c) || strchr("+-*/^() \t", c) != NULL; }

static int all_expr_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_expr_char((unsigned char)s[i]))
            return 0;
    return 1;
}

void dlmkl_sweep_list_clear(dlmkl_sweep_list *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->n = 0;
    l->v = NULL;
}

static int list_push(dlmkl_sweep_list *l, char *s, int *cap)
{
    if (!s)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    if (l->n >= SWEEP_MAX_LIST) {
        free(s);
        return dlmkl_error(DLMKL_ETOOBIG, "more than %d values", SWEEP_MAX_LIST);
    }
    if (l->n == *cap) {
        int nc = *cap ? 2 * *cap : 8;
        /* the pointers and (about) 24 bytes per value count against the memory cap */
        if (dlmkl_check_memory((size_t)nc * (sizeof(char *) + 24), "a list of values") != DLMKL_OK) {
            free(s);
            return DLMKL_ETOOBIG;
        }
        char **nv = realloc(l->v, (size_t)nc * sizeof *nv);
        if (!nv) {
            free(s);
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        }
        l->v = nv;
        *cap = nc;
    }
    l->v[l->n++] = s;
    return DLMKL_OK;
}

/* (value, position) pairs sorted with plain qsort: qsort_r is not portable (glibc and BSD/macOS
 * order its arguments differently) */
typedef struct {
    const char *v;
    int i;
} val_idx;

static int cmp_val_idx(const void *a, const void *b)
{
    const val_idx *x = a, *y = b;
    int c = strcmp(x->v, y->v);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Drop repeated values, keeping the first occurrence and the order: O(n log n). */
static int list_dedupe(dlmkl_sweep_list *l)
{
    if (l->n < 2)
        return DLMKL_OK;
    val_idx *idx = malloc((size_t)l->n * sizeof *idx);
    char *drop = calloc((size_t)l->n, 1);
    if (!idx || !drop) {
        free(idx), free(drop);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    for (int i = 0; i < l->n; i++)
        idx[i].v = l->v[i], idx[i].i = i;
    qsort(idx, (size_t)l->n, sizeof *idx, cmp_val_idx);
    for (int i = 1; i < l->n; i++)
        if (strcmp(idx[i].v, idx[i - 1].v) == 0)
            drop[idx[i].i] = 1; /* sorted by (value, position): the earlier one is kept */
    int k = 0;
    for (int i = 0; i < l->n; i++) {
        if (drop[i])
            free(l->v[i]);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
    free(idx), free(drop);
    return DLMKL_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* integer expressions: expr = term {(+|-) term}; term = unary {(*|/) unary};
 * unary = - unary | power; power = primary [^ unary]; primary = INT | NAME | ( expr ).
 * '/' is floor division; '^' is right-associative with exponent >= 0. */

typedef struct {
    const char *s, *p;
    const dlmkl_sweep_var *vars;
    int nvars;
    const char *what;
    int st;
    int depth;
} expr_ctx;

static void skip_ws(expr_ctx *c)
{
    while (*c->p == ' ' || *c->p == '\t')
        c->p++;
}

static long long expr_fail(expr_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long expr_fail(expr_ctx *c, const char *fmt, ...)
{
    if (c->st)
        return 0;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->st = dlmkl_error(DLMKL_EINVAL, "%s: %s in '%.80s'", c->what, msg, c->s);
    return 0;
}

static long long parse_expr(expr_ctx *c);

static const dlmkl_sweep_var *find_var(const dlmkl_sweep_var *vars, int nvars, const char *name, size_t n)
{
    for (int i = nvars - 1; i >= 0; i--) /* later bindings win */
        if (strlen(vars[i].name) == n && strncmp(vars[i].name, name, n) == 0)
            return &vars[i];
    return NULL;
}

static long long parse_primary(expr_ctx *c)
{
    skip_ws(c);
    if (c->st)
        return 0;
    if (*c->p == '(') {
        c->p++;
        long long v = parse_expr(c);
        skip_ws(c);
        if (*c->p != ')')
            return expr_fail(c, "missing ')'");
        c->p++;
        return v;
    }
    if (isdigit((unsigned char)*c->p)) {
        errno = 0;
        char *end;
        long long v = strtoll(c->p, &end, 10);
        if (errno)
            return expr_fail(c, "integer out of range");
        if (is_ident_char((unsigned char)*end))
            return expr_fail(c, "'%.*s' is not an integer", (int)(end - c->p + 1), c->p);
        c->p = end;
        return v;
    }
    if (is_ident_start((unsigned char)*c->p)) {
        const char *b = c->p;
        while (is_ident_char((unsigned char)*c->p))
            c->p++;
        size_t n = (size_t)(c->p - b);
        const dlmkl_sweep_var *v = find_var(c->vars, c->nvars, b, n);
        if (!v) {
            char known[256] = "";
            size_t k = 0;
            for (int i = 0; i < c->nvars && k + 40 < sizeof known; i++)
                k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "", c->vars[i].name);
            return expr_fail(c, "unknown name '%.*s' (names known here: %s)", (int)n, b, k ? known : "none");
        }
        errno = 0;
        char *end;
        long long x = strtoll(v->value, &end, 10);
        if (end == v->value || *end || errno)
            return expr_fail(c, "'%s' = '%s' is not an integer", v->name, v->value);
        return x;
    }
    if (*c->p == 0)
        return expr_fail(c, "expression ends early");
    return expr_fail(c, "unexpected '%c'", *c->p);
}

static long long parse_unary(expr_ctx *c);

/* r = b^e for e >= 0 without overflow: 0 ok, -1 overflow. At most 64 multiplications: |b| >= 2
 * overflows by e = 64, and b in {-1, 0, 1} is done directly. */
static int ipow(long long b, long long e, long long *r)
{
    if (b == 0 || b == 1 || e == 0) {
        *r = e == 0 ? 1 : b;
        return 0;
    }
    if (b == -1) {
        *r = e % 2 ? -1 : 1;
        return 0;
    }
    long long v = 1;
    for (long long i = 0; i < e; i++)
        if (__builtin_mul_overflow(v, b, &v))
            return -1;
    *r = v;
    return 0;
}

static long long parse_power(expr_ctx *c)
{
    long long b = parse_primary(c);
    skip_ws(c);
    if (c->st || *c->p != '^')
        return b;
    c->p++;
    long long e = parse_unary(c);
    if (c->st)
        return 0;
    if (e < 0)
        return expr_fail(c, "negative exponent %lld", e);
    long long r;
    if (ipow(b, e, &r))
        return expr_fail(c, "%lld^%lld overflows", b, e);
    return r;
}

static long long parse_unary_body(expr_ctx *c);

static long long parse_unary(expr_ctx *c)
{
    if (c->depth >= SWEEP_MAX_DEPTH)
        return expr_fail(c, "nested more than %d deep (parentheses, signs or '^')", SWEEP_MAX_DEPTH);
    c->depth++;
    long long v = parse_unary_body(c);
    c->depth--;
    return v;
}

static long long parse_unary_body(expr_ctx *c)
{
    skip_ws(c);
    if (*c->p == '-') {
        c->p++;
        long long v = parse_unary(c);
        if (v == LLONG_MIN)
            return expr_fail(c, "overflow");
        return -v;
    }
    if (*c->p == '+') {
        c->p++;
        return parse_unary(c);
    }
    return parse_power(c);
}

static long long parse_term(expr_ctx *c)
{
    long long v = parse_unary(c);
    for (;;) {
        skip_ws(c);
        if (c->st || (*c->p != '*' && *c->p != '/'))
            return v;
        char op = *c->p++;
        long long w = parse_unary(c);
        if (c->st)
            return 0;
        if (op == '*') {
            if (__builtin_mul_overflow(v, w, &v))
                return expr_fail(c, "overflow");
        } else {
            if (w == 0)
                return expr_fail(c, "division by zero");
            long long q = v / w;
            if ((v % w != 0) && ((v < 0) != (w < 0)))
                q--; /* floor division */
            v = q;
        }
    }
}

static long long parse_expr(expr_ctx *c)
{
    long long v = parse_term(c);
    for (;;) {
        skip_ws(c);
        if (c->st || (*c->p != '+' && *c->p != '-'))
            return v;
        char op = *c->p++;
        long long w = parse_term(c);
        if (c->st)
            return 0;
        if (op == '+' ? __builtin_add_overflow(v, w, &v) : __builtin_sub_overflow(v, w, &v))
            return expr_fail(c, "overflow");
    }
}

int dlmkl_sweep_eval(const char *expr, const dlmkl_sweep_var *vars, int nvars, const char *what, long long *out)
{
    expr_ctx c = {expr, expr, vars, nvars, what ? what : "expression", DLMKL_OK, 0};
    long long v = parse_expr(&c);
    skip_ws(&c);
    if (!c.st && *c.p)
        expr_fail(&c, "unexpected '%s'", c.p);
    if (!c.st && c.p == expr)
        expr_fail(&c, "empty expression");
    if (c.st)
        return c.st;
    *out = v;
    return DLMKL_OK;
}

static int eval_n(const char *s, size_t n, const dlmkl_sweep_var *vars, int nvars, const char *what, long long *out)
{
    char *t = xstrndup(s, n);
    if (!t)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    int st = dlmkl_sweep_eval(t, vars, nvars, what, out);
    free(t);
    return st;
}

/* 1 if the item names one of the variables (so it is an expression rather than literal text) */
static int names_a_var(const char *s, const dlmkl_sweep_var *vars, int nvars)
{
    for (const char *p = s; *p;) {
        if (is_ident_start((unsigned char)*p) && (p == s || !is_ident_char((unsigned char)p[-1]))) {
            const char *b = p;
            while (is_ident_char((unsigned char)*p))
                p++;
            if (find_var(vars, nvars, b, (size_t)(p - b)))
                return 1;
        } else {
            p++;
        }
    }
    return 0;
}

/* ".." at top level (outside parentheses), or NULL */
static const char *find_dotdot(const char *s)
{
    int depth = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (depth == 0 && p[0] == '.' && p[1] == '.')
            return p;
    }
    return NULL;
}

/* "B^e" at top level: base B (digits only) and the exponent text; 0 if not of that form */
static int split_power(const char *s, size_t n, long long *base, const char **e, size_t *en)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    size_t i = 0;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i == 0)
        return 0;
    size_t j = i;
    while (j < n && isspace((unsigned char)s[j]))
        j++;
    if (j >= n || s[j] != '^')
        return 0;
    errno = 0;
    *base = strtoll(s, NULL, 10);
    if (errno)
        return 0; /* not a base: the expression reader reports the overflow */
    *e = s + j + 1;
    *en = n - j - 1;
    return 1;
}

/* Expand one range item into l. */
static int expand_range(const char *item, const dlmkl_sweep_var *vars, int nvars, const char *what,
                        dlmkl_sweep_list *l, int *cap)
{
    int pow2 = 0;
    const char *s = item;
    if (strncmp(s, "pow2:", 5) == 0)
        pow2 = 1, s += 5;
    const char *dd = find_dotdot(s);
    const char *a = s, *b = dd + 2;
    size_t an = (size_t)(dd - s);
    const char *colon = strchr(b, ':');
    size_t bn = colon ? (size_t)(colon - b) : strlen(b);
    long long step = 1;
    int st;
    char w[600];
    snprintf(w, sizeof w, "%s, range '%.60s'", what, item);
    if (colon && (st = eval_n(colon + 1, strlen(colon + 1), vars, nvars, w, &step)))
        return st;
    if (step < 1)
        return dlmkl_error(DLMKL_EINVAL, "%s: step %lld must be >= 1", w, step);
    long long ba, bb;
    const char *ea, *eb;
    size_t ean, ebn;
    int geometric = !pow2 && split_power(a, an, &ba, &ea, &ean) && split_power(b, bn, &bb, &eb, &ebn) && ba == bb;
    long long lo, hi;
    if (geometric) {
        if ((st = eval_n(ea, ean, vars, nvars, w, &lo)) || (st = eval_n(eb, ebn, vars, nvars, w, &hi)))
            return st;
        if (lo < 0)
            return dlmkl_error(DLMKL_EINVAL, "%s: negative exponent %lld", w, lo);
    } else {
        if ((st = eval_n(a, an, vars, nvars, w, &lo)) || (st = eval_n(b, bn, vars, nvars, w, &hi)))
            return st;
    }
    if (lo > hi)
        return dlmkl_error(DLMKL_EINVAL, "%s: empty range (%lld > %lld); write the smaller end first", w, lo, hi);
    long long span;
    if (!pow2 && (__builtin_sub_overflow(hi, lo, &span) || span / step >= SWEEP_MAX_LIST))
        return dlmkl_error(DLMKL_ETOOBIG, "%s: more than %d values", w, SWEEP_MAX_LIST);
    char buf[32];
    if (pow2) {
        if (step != 1)
            return dlmkl_error(DLMKL_EINVAL, "%s: pow2: ranges take no step", w);
        int any = 0;
        for (long long p = 1; p <= hi; p *= 2) {
            if (p >= lo) {
                snprintf(buf, sizeof buf, "%lld", p);
                if ((st = list_push(l, strdup(buf), cap)))
                    return st;
                any = 1;
            }
            if (p > LLONG_MAX / 2)
                break;
        }
        if (!any)
            return dlmkl_error(DLMKL_EINVAL, "%s: no power of two lies in [%lld, %lld]; the range is empty", w, lo, hi);
        return DLMKL_OK;
    }
    for (long long i = lo; i <= hi; i += step) {
        long long v = i;
        if (geometric && ipow(ba, i, &v))
            return dlmkl_error(DLMKL_EINVAL, "%s: %lld^%lld overflows", w, ba, i);
        snprintf(buf, sizeof buf, "%lld", v);
        if ((st = list_push(l, strdup(buf), cap)))
            return st;
        if (i > LLONG_MAX - step)
            break;
    }
    return DLMKL_OK;
}

/* Split at top-level commas; quotes group (and are removed), parentheses group. */
static int split_items(const char *text, const char *what, dlmkl_sweep_list *items)
{
    int cap = 0;
    items->n = 0;
    items->v = NULL;
    const char *p = text;
    if (!*text || strspn(text, " \t") == strlen(text))
        return dlmkl_error(DLMKL_EINVAL, "%s: empty list; give at least one value", what);
    for (;;) {
        char *buf = malloc(strlen(p) + 1);
        if (!buf)
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        size_t k = 0;
        int depth = 0, quoted = 0, was_quoted = 0;
        while (*p && (quoted || depth > 0 || *p != ',')) {
            if (*p == '"') {
                quoted = !quoted;
                was_quoted = 1;
                p++;
                continue;
            }
            if (!quoted && *p == '(')
                depth++;
            if (!quoted && *p == ')')
                depth--;
            buf[k++] = *p++;
        }
        if (quoted) {
            free(buf);
            return dlmkl_error(DLMKL_EINVAL, "%s: unbalanced '\"' in '%s'", what, text);
        }
        char *item = trim_dup(buf, k);
        free(buf);
        if (!item)
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        if (!*item && !was_quoted) {
            free(item);
            return dlmkl_error(DLMKL_EINVAL, "%s: empty item in '%s' (stray comma?)", what, text);
        }
        /* keep duplicates here; list_push drops them after expansion */
        if (items->n == cap) {
            cap = cap ? 2 * cap : 8;
            char **nv = realloc(items->v, (size_t)cap * sizeof *nv);
            if (!nv) {
                free(item);
                return dlmkl_error(DLMKL_ENOMEM, "out of memory");
            }
            items->v = nv;
        }
        items->v[items->n++] = item;
        if (!*p)
            break;
        p++; /* the comma */
    }
    return DLMKL_OK;
}

int dlmkl_sweep_list_expand(const char *text, int integer, const dlmkl_sweep_var *vars, int nvars,
                            const char *what, dlmkl_sweep_list *out)
{
    out->n = 0;
    out->v = NULL;
    dlmkl_sweep_list items;
    int st = split_items(text, what, &items);
    if (st) {
        dlmkl_sweep_list_clear(&items);
        return st;
    }
    int cap = 0;
    for (int i = 0; i < items.n && !st; i++) {
        const char *it = items.v[i];
        const char *dd = find_dotdot(it);
        int rangeish = dd && (strncmp(it, "pow2:", 5) == 0 || all_expr_chars(it, (size_t)(dd - it)));
        if (rangeish) {
            const char *rest = dd + 2, *colon = strchr(rest, ':');
            rangeish = all_expr_chars(rest, colon ? (size_t)(colon - rest) : strlen(rest)) &&
                       (!colon || all_expr_chars(colon + 1, strlen(colon + 1)));
        }
        if (integer < 0) { /* plain text list */
            st = list_push(out, strdup(it), &cap);
        } else if (rangeish) {
            st = expand_range(it, vars, nvars, what, out, &cap);
        } else if (integer || (all_expr_chars(it, strlen(it)) && names_a_var(it, vars, nvars))) {
            long long v;
            char w[600];
            snprintf(w, sizeof w, "%s, value '%.60s'", what, it);
            if (integer && !all_expr_chars(it, strlen(it)))
                st = dlmkl_error(DLMKL_EINVAL, "%s: '%s' is not an integer, an integer expression or a range "
                                 "(a..b, a..b:step, pow2:a..b, 2^i..2^j)", what, it);
            else if (!(st = dlmkl_sweep_eval(it, vars, nvars, w, &v))) {
                char buf[32];
                snprintf(buf, sizeof buf, "%lld", v);
                st = list_push(out, strdup(buf), &cap);
            }
        } else {
            st = list_push(out, strdup(it), &cap);
        }
    }
    dlmkl_sweep_list_clear(&items);
    if (!st)
        st = list_dedupe(out);
    if (st)
        dlmkl_sweep_list_clear(out);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* the config file */

/* keys of [sweep] and the settings keys of [dist NAME]; any other key of [dist NAME] is a
 * placeholder */
static const char *const sweep_keys[] = {"name", "description", "unit", "K", "schedules", "positions",
                                         "output_law", "infeasible", NULL};
static const char *const dist_keys[] = {"spec", "profile", "K", "schedules", "positions", "output_law",
                                        "infeasible", NULL};
/* column names a placeholder may not take (L, V and seed map to their own columns) */
static const char *const reserved_names[] = {
    "dist", "family", "unit", "profile_source", "schedule_spec", "positions_spec", "schedule", "positions",
    "K", "sizes", "steps", "zeta", "kl_expected", "kl_output", "TC", "DTC", "H", "Z_L", "bound_tc_over_K",
    "bound_dtc_over_K", "bound_li_cai", "bound_zl", "bound_chen", "kl_over_tc_K", "kl_over_dtc_K",
    "worst_tc", "d_tc", "worst_dtc", "d_dtc", "ln_L",
    "section", "spec", "profile", "schedules", "output_law", "infeasible", "name", "description", NULL};

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
        kv_free(&s->K), kv_free(&s->schedules), kv_free(&s->positions);
        for (int j = 0; j < s->nparams; j++)
            kv_free(&s->params[j]);
        free(s->params);
    }
    free(cfg->sec);
    free(cfg->path);
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
        char msg[DLMKL_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", dlmkl_last_error());
        raw_free(&r);
        return dlmkl_error(r.st, "%s: %s", file, msg);
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
    cfg->path = path ? strdup(path) : NULL;
    cfg->text = strdup(text);
    cfg->quick = quick != 0;
    cfg->unit = DLMKL_BITS;
    cfg->description = strdup("");

    /* keys before any section */
    for (int i = 0; i < r.nents; i++)
        if (r.ents[i].sec < 0)
            FAIL("%s line %d: key '%s' comes before any section; put it under [sweep] or [dist NAME]", file,
                 r.ents[i].line, r.ents[i].key);

    /* sections: one optional [sweep], then [dist NAME]s */
    int sweep_sec = -1;
    int *dist_of = calloc((size_t)(r.nsecs ? r.nsecs : 1), sizeof *dist_of);
    if (!dist_of)
        FAIL("out of memory");
    cfg->sec = calloc((size_t)(r.nsecs ? r.nsecs : 1), sizeof *cfg->sec);
    if (!cfg->sec) {
        free(dist_of);
        FAIL("out of memory");
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
    const raw_entry *gK = NULL, *gS = NULL, *gP = NULL, *gO = NULL, *gI = NULL;
    if (sweep_sec >= 0) {
        for (int i = 0; i < r.nents; i++) {
            const raw_entry *e = &r.ents[i];
            if (e->sec != sweep_sec)
                continue;
            const char *k = strncmp(e->key, "quick_", 6) == 0 ? e->key + 6 : e->key;
            if (!in_list(sweep_keys, k))
                FAIL("%s line %d: unknown key '%s' in [sweep] (keys: name, description, unit, K, schedules, "
                     "positions, output_law, infeasible, and quick_KEY for any of them)", file, e->line, e->key);
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
            FAIL("out of memory");
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
            if (in_list(reserved_names, k))
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
                     "output_law, infeasible, quick_*) and no {%s} placeholder uses it", file, sec->params[j].line, sn,
                     k, k);
        }
    }
#undef LIST_KEY
#undef FAIL
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
           "  K, schedules, positions, output_law, infeasible   defaults for the sections\n"
           "\n"
           "  [dist NAME]                   one per distribution family; NAME goes to the 'section' column\n"
           "  spec = markov:L={L},V=2,stay={stay}   distribution table spec with {placeholders}, or\n"
           "  profile = copy:L={L},V=2      a closed-form entropy profile (no table: positions must be\n"
           "                                random and kl_output is left empty)\n"
           "  L = 8,12,16                   each other key gives the values of a placeholder; the grid\n"
           "  stay = 0.6, 0.9               is their product, first declared outermost\n"
           "  K = 1..L                      budgets (integers; may refer to L, V and earlier keys)\n"
           "  schedules = balanced, \"sizes:4,3,1\", random-tc, optimal   schedule specs ({L}, {K}, and\n"
           "                                placeholders are substituted; quote items holding commas)\n"
           "  positions = random, l2r       position policies (default random)\n"
           "  output_law = auto|always|never  kl_output: auto computes it when its cost is at most\n"
           "                                DLMKL_OUTPUT_LAW_AUTO_TERMS terms and its memory fits (default auto)\n"
           "  infeasible = error|skip       a schedule that cannot be built for some (L, K): stop with the\n"
           "                                error (default), or leave that grid point out\n"
           "  quick_KEY = ...               replaces KEY under --quick (e.g. quick_L = 8,10)\n"
           "\n"
           "Lists: comma-separated values; ranges a..b, a..b:step, pow2:a..b (powers of two in [a,b]),\n"
           "2^i..2^j; integer expressions with + - * / (floor) ^ ( ) and names of earlier keys, L and V\n"
           "(e.g. K = L/4). A value that names no key (0.6, 1/3) is literal text. Duplicates are dropped.\n"
           "If no key L is given, L is read from the spec's 'L=' item (or 'n=' for mds and perm).\n"
           "{NAME} is a placeholder only if NAME is a word; other braces (mixture specs) are kept.\n";
}
