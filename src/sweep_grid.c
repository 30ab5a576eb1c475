/* sweep_grid.c: the list, range and integer-expression language of a sweep's grids (K = 1..8,
 * L = 2^3..2^6, schedules = {a}, c = 2*L+1, ...). Documented in dlmkl_sweep_config_help() and
 * experiments/README.md. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_internal.h"

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
