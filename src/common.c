/* common.c: error messages, memory cap, units, threads, version. */
#include "dlmkl/common.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "internal.h"
#include "version.h"

static _Thread_local char errmsg[DLMKL_ERRMSG_MAX];
static _Thread_local int errstatus;

int dlmkl_error(int status, const char *fmt, ...)
{
    errstatus = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return status;
}

const char *dlmkl_last_error(void) { return errmsg; }

int dlmkl_last_status(void) { return errstatus; }

int dlmkl_gsl_status(int gsl_status, const char *what)
{
    if (gsl_status == GSL_SUCCESS)
        return DLMKL_OK;
    return dlmkl_error(gsl_status == GSL_ENOMEM ? DLMKL_ENOMEM : DLMKL_EINVAL, "%s: GSL error %d (%s)",
                       what ? what : "GSL", gsl_status, gsl_strerror(gsl_status));
}

gsl_rng *dlmkl_rng_alloc(unsigned long seed)
{
    /* gsl_rng_alloc reports a failed malloc to GSL's error handler, which aborts by default; the
     * struct is public, so build it here and let a failure be a NULL. gsl_rng_free frees both. */
    gsl_rng *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    r->type = gsl_rng_mt19937;
    if (!(r->state = calloc(1, gsl_rng_mt19937->size))) {
        free(r);
        return NULL;
    }
    gsl_rng_set(r, seed);
    return r;
}

int dlmkl_error_prefix(int status, const char *fmt, ...)
{
    char prefix[DLMKL_ERRMSG_MAX], msg[DLMKL_ERRMSG_MAX];
    snprintf(msg, sizeof msg, "%s", errmsg);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    return dlmkl_error(status, "%s: %s", prefix, msg);
}

/* ---- strict readers ---- */

/* The field s[0..len) without surrounding spaces and tabs, NUL-terminated: in buf if it fits,
 * else in *heap (malloc'd; the caller frees it). NULL with an error set for a NUL byte or an empty
 * field. */
static const char *field_copy(const char *s, size_t len, char *buf, size_t cap, char **heap, const char *kind)
{
    *heap = NULL;
    if (len == (size_t)-1)
        len = strlen(s);
    if (memchr(s, '\0', len)) {
        dlmkl_error(DLMKL_EINVAL, "the field contains a NUL byte; expected %s", kind);
        return NULL;
    }
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0) {
        dlmkl_error(DLMKL_EINVAL, "the field is empty; expected %s", kind);
        return NULL;
    }
    char *dst = buf;
    if (len >= cap && !(dst = *heap = malloc(len + 1))) {
        dlmkl_error(DLMKL_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
    return dst;
}

int dlmkl_read_double(const char *s, size_t len, double lo, double hi, double *out)
{
    char sbuf[128], *heap;
    const char *buf = field_copy(s, len, sbuf, sizeof sbuf, &heap, "a number");
    if (!buf)
        return DLMKL_EINVAL;
    int st = DLMKL_OK;
    char *end;
    double v = 0.0;
    /* only a plain decimal: sign, digits, '.', exponent (strtod would also take hex, inf, nan) */
    if (strspn(buf, "0123456789+-.eE") != strlen(buf) || !strpbrk(buf, "0123456789")) {
        st = dlmkl_error(DLMKL_EINVAL, "'%.60s' is not a number, or not finite", buf);
    } else {
        errno = 0;
        v = strtod(buf, &end);
        if (end == buf || *end)
            st = dlmkl_error(DLMKL_EINVAL, "'%.60s' is not a number, or not finite", buf);
        else if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
            st = dlmkl_error(DLMKL_EINVAL, "'%.60s' is out of the range of a double (not finite)", buf);
        else if (!(v >= lo && v <= hi))
            st = dlmkl_error(DLMKL_EINVAL, "%.60s is out of range; need %.17g <= value <= %.17g", buf, lo, hi);
    }
    free(heap);
    if (st == DLMKL_OK)
        *out = v;
    return st;
}

int dlmkl_read_long(const char *s, size_t len, long lo, long hi, long *out)
{
    char sbuf[128], *heap;
    const char *buf = field_copy(s, len, sbuf, sizeof sbuf, &heap, "an integer");
    if (!buf)
        return DLMKL_EINVAL;
    int st = DLMKL_OK;
    long v = 0;
    const char *d = buf + (buf[0] == '+' || buf[0] == '-');
    if (!*d || strspn(d, "0123456789") != strlen(d)) {
        st = dlmkl_error(DLMKL_EINVAL, "'%.60s' is not an integer", buf);
    } else {
        char *end;
        errno = 0;
        v = strtol(buf, &end, 10);
        if (errno == ERANGE || v < lo || v > hi)
            st = dlmkl_error(DLMKL_EINVAL, "%.60s is out of range; need %ld <= value <= %ld", buf, lo, hi);
    }
    free(heap);
    if (st == DLMKL_OK)
        *out = v;
    return st;
}

void dlmkl_line_free(dlmkl_line *ln)
{
    free(ln->s);
    ln->s = NULL;
    ln->len = ln->cap = 0;
}

int dlmkl_read_line(FILE *f, dlmkl_line *ln, size_t max_len, int *got)
{
    *got = 0;
    ln->len = 0;
    int c, any = 0;
    while ((c = getc_unlocked(f)) != EOF) {
        any = 1;
        if (c == '\n')
            break;
        if (c == '\0')
            return dlmkl_error(DLMKL_EINVAL, "line %ld contains a NUL byte; is it a text file?", ln->lineno + 1);
        if (ln->len >= max_len)
            return dlmkl_error(DLMKL_EINVAL, "line %ld is longer than %zu bytes", ln->lineno + 1, max_len);
        if (ln->len + 2 > ln->cap) {
            size_t nc = ln->cap ? 2 * ln->cap : 256;
            if (nc > max_len + 2)
                nc = max_len + 2;
            if (dlmkl_check_memory(nc, "a line of the file") != DLMKL_OK)
                return DLMKL_ETOOBIG;
            char *ns = realloc(ln->s, nc);
            if (!ns)
                return dlmkl_error(DLMKL_ENOMEM, "out of memory reading line %ld", ln->lineno + 1);
            ln->s = ns;
            ln->cap = nc;
        }
        ln->s[ln->len++] = (char)c;
    }
    if (ferror(f))
        return dlmkl_error(DLMKL_EIO, "read error at line %ld: %s", ln->lineno + 1, strerror(errno));
    if (!any)
        return DLMKL_OK;
    if (!ln->s) {
        ln->s = malloc(256);
        if (!ln->s)
            return dlmkl_error(DLMKL_ENOMEM, "out of memory");
        ln->cap = 256;
    }
    if (ln->len && ln->s[ln->len - 1] == '\r')
        ln->len--;
    ln->s[ln->len] = '\0';
    ln->lineno++;
    if (ln->lineno == 1 && ln->len >= 3 && memcmp(ln->s, "\xEF\xBB\xBF", 3) == 0) {
        memmove(ln->s, ln->s + 3, ln->len - 2);
        ln->len -= 3;
    }
    *got = 1;
    return DLMKL_OK;
}

void dlmkl_csv_row_free(dlmkl_csv_row *row)
{
    free(row->field);
    row->field = NULL;
    row->n = row->cap = 0;
}

int dlmkl_csv_split(char *line, dlmkl_csv_row *row)
{
    row->n = 0;
    char *r = line, *w = line;
    for (;;) {
        if (row->n == row->cap) {
            if (row->cap >= INT_MAX / 2)
                return dlmkl_error(DLMKL_EINVAL, "too many fields");
            int nc = row->cap ? 2 * row->cap : 16;
            char **nf = realloc(row->field, (size_t)nc * sizeof *nf);
            if (!nf)
                return dlmkl_error(DLMKL_ENOMEM, "out of memory");
            row->field = nf;
            row->cap = nc;
        }
        char *start = w;
        row->field[row->n++] = start;
        const char *q = r;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '"') { /* quoted field: spaces around the quotes are dropped */
            r = (char *)q + 1;
            for (;;) {
                if (*r == '\0')
                    return dlmkl_error(DLMKL_EINVAL, "field %d: unterminated quote", row->n);
                if (*r == '"') {
                    if (r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                *w++ = *r++;
            }
            while (*r == ' ' || *r == '\t')
                r++;
            if (*r != ',' && *r != '\0')
                return dlmkl_error(DLMKL_EINVAL, "field %d: text after the closing quote", row->n);
        } else {
            while (*r && *r != ',') {
                if (*r == '"')
                    return dlmkl_error(DLMKL_EINVAL, "field %d: a quote inside an unquoted field", row->n);
                *w++ = *r++;
            }
        }
        int more = *r == ',';
        if (more)
            r++;
        *w++ = '\0';
        if (!more)
            return DLMKL_OK;
    }
}

int dlmkl_csv_find(const dlmkl_csv_row *header, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < header->n; i++) {
        const char *f = header->field[i];
        while (*f == ' ' || *f == '\t')
            f++;
        size_t l = strlen(f);
        while (l && (f[l - 1] == ' ' || f[l - 1] == '\t'))
            l--;
        if (l == n && memcmp(f, name, n) == 0)
            return i;
    }
    return -1;
}

/* per calling thread, like the thread count: hosts calling from several threads (or handles with
 * their own cap, host.h) do not race; 0: not set, use the default */
static _Thread_local size_t max_memory;

static size_t default_max_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psize > 0)
        return (size_t)pages * (size_t)psize / 2;
    return (size_t)4 << 30;
}

size_t dlmkl_max_memory(void) { return max_memory ? max_memory : default_max_memory(); }

void dlmkl_set_max_memory(size_t bytes) { max_memory = bytes; }

size_t dlmkl_max_memory_setting(void) { return max_memory; }

/* a byte count for humans ("1.50 GiB") into buf */
static const char *format_bytes(double bytes, char *buf, size_t len)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 6) {
        bytes /= 1024.0;
        u++;
    }
    snprintf(buf, len, u ? "%.2f %s" : "%.0f %s", bytes, units[u]);
    return buf;
}

int dlmkl_check_memory(size_t bytes, const char *what)
{
    size_t cap = dlmkl_max_memory();
    if (bytes > cap) {
        char need[32], have[32];
        return dlmkl_error(DLMKL_ETOOBIG,
                           "%s needs %s, above the memory cap of %s; use a smaller L or V, or raise "
                           "the cap if the machine has the memory",
                           what, format_bytes((double)bytes, need, sizeof need),
                           format_bytes((double)cap, have, sizeof have));
    }
    return DLMKL_OK;
}

int dlmkl_pow_checked(int V, int L, uint64_t *n)
{
    uint64_t r = 1;
    if (V < 2)
        return dlmkl_error(DLMKL_EINVAL, "V = %d: the alphabet needs at least 2 symbols (V >= 2)", V);
    if (L < 1)
        return dlmkl_error(DLMKL_EINVAL, "L = %d: the sequence needs at least 1 token (L >= 1)", L);
    for (int i = 0; i < L; i++) {
        if (__builtin_mul_overflow(r, (uint64_t)V, &r))
            return dlmkl_error(DLMKL_ETOOBIG,
                               "V^L = %d^%d overflows 64 bits; no table of that size can be "
                               "enumerated: use a smaller L or V (or a closed-form profile)",
                               V, L);
    }
    *n = r;
    return DLMKL_OK;
}

const char *dlmkl_fmt_double(char *buf, size_t len, double x)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, x);
        if (!isfinite(x) || strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

double dlmkl_unit_factor(dlmkl_unit unit) { return unit == DLMKL_NATS ? M_LN2 : 1.0; }

const char *dlmkl_unit_name(dlmkl_unit unit) { return unit == DLMKL_NATS ? "nats" : "bits"; }

double dlmkl_nonneg(double x, double scale)
{
    if (x == 0.0)
        return 0.0; /* maps -0 to +0 */
    if (fabs(x) <= DLMKL_RESIDUE_REL * (scale > 1.0 ? scale : 1.0))
        return 0.0; /* one rule for both signs: |x| at rounding level of a non-negative quantity is 0 */
    return x;
}

static _Thread_local dlmkl_progress_fn progress_fn;
static _Thread_local void *progress_ctx;

void dlmkl_set_progress(dlmkl_progress_fn fn, void *ctx)
{
    progress_fn = fn;
    progress_ctx = ctx;
}

void dlmkl_progress(const char *what, double done, double total)
{
    /* thread-local: the worker threads of a parallel region see no callback */
    if (progress_fn)
        progress_fn(progress_ctx, what, done, total);
}

/* per calling thread, so that hosts calling from several threads (or handles with their own count,
 * host.h) do not race; every parallel region names its team size from dlmkl_threads() */
static _Thread_local int nthreads_set;

void dlmkl_set_threads(int nthreads) { nthreads_set = nthreads > 0 ? nthreads : 0; }

int dlmkl_threads_setting(void) { return nthreads_set; }

int dlmkl_threads(void)
{
#ifdef _OPENMP
    return nthreads_set ? nthreads_set : omp_get_max_threads();
#else
    return 1;
#endif
}

const char *dlmkl_version(void) { return DLMKL_VERSION; }
const char *dlmkl_git_revision(void) { return DLMKL_GIT_REVISION; }
