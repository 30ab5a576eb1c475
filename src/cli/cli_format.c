/* cli_format.c: display options of the dlmkl program (--format csv|table, --digits N) and the one
 * writer of a subcommand's CSV text. The default (csv, exact) writes the library's text byte for
 * byte; --digits rounds the non-integer numbers for display; --format table aligns the columns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_display_help(int with_format)
{
    printf("%s%s",
           with_format ? "  --format csv|table    csv (default): round-trip exact numbers; table: aligned columns\n" : "",
           "  --digits N            round each non-integer number to N significant digits (1..17) to read\n"
           "  --quiet               no progress line (drawn on stderr only when it is a terminal)\n");
}

int cli_display_opt(int c, const char *arg, cli_common *co)
{
    switch (c) {
    case OPT_DISPLAY_FORMAT:
        if (strcmp(arg, "csv") == 0)
            co->table = 0;
        else if (strcmp(arg, "table") == 0)
            co->table = 1;
        else {
            fprintf(stderr, "dlmkl: --format '%s' is not a display format; use csv or table\n", arg);
            return -1;
        }
        return 1;
    case OPT_DIGITS: {
        char *end;
        long n = strtol(arg, &end, 10);
        if (end == arg || *end || n < 1 || n > 17) {
            fprintf(stderr, "dlmkl: --digits '%s' must be an integer from 1 to 17\n", arg);
            return -1;
        }
        co->digits = (int)n;
        return 1;
    }
    default:
        return 0;
    }
}

/* One CSV cell: [b, e) as written (quotes included); unquoted text in [tb, te) otherwise. */
typedef struct cell {
    const char *b, *e;
    int quoted;
} cell;

/* Split one line [p, end) into cells; returns the number of cells (at most max), *next past '\n'. */
static size_t split_line(const char *p, const char *end, cell *cells, size_t max, const char **next)
{
    size_t n = 0;
    for (;;) {
        cell c = {p, p, 0};
        if (p < end && *p == '"') {
            c.quoted = 1;
            for (p++; p < end; p++) {
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"')
                        p++;
                    else {
                        p++;
                        break;
                    }
                }
            }
            while (p < end && *p != ',' && *p != '\n')
                p++;
        } else {
            while (p < end && *p != ',' && *p != '\n')
                p++;
        }
        c.e = p;
        if (n < max)
            cells[n] = c;
        n++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '\n')
            p++;
        *next = p;
        return n;
    }
}

/* A plain number cell: the whole text is read by strtod. *isfloat: it has a fraction or an exponent
 * (integers such as L, K, counts are left as written). */
static int is_number(const cell *c, double *v, int *isfloat)
{
    size_t len = (size_t)(c->e - c->b);
    if (c->quoted || len == 0 || len >= 64)
        return 0;
    char buf[64];
    memcpy(buf, c->b, len);
    buf[len] = 0;
    char *end;
    *v = strtod(buf, &end);
    if (*end || end == buf)
        return 0;
    *isfloat = strpbrk(buf, ".eE") != NULL;
    return 1;
}

/* The display text of a cell into buf (unquoted for a table, rounded for --digits). */
static const char *cell_text(const cell *c, const cli_common *co, char *buf, size_t len, size_t *outlen)
{
    double v;
    int isfloat;
    if (co->digits && is_number(c, &v, &isfloat) && isfloat && isfinite(v)) {
        *outlen = (size_t)snprintf(buf, len, "%.*g", co->digits, v);
        return buf;
    }
    if (co->table && c->quoted) {
        size_t n = 0;
        for (const char *p = c->b + 1; p < c->e && n + 1 < len; p++) {
            if (*p == '"') {
                if (p + 1 < c->e && p[1] == '"')
                    p++;
                else
                    continue;
            }
            buf[n++] = *p;
        }
        *outlen = n;
        return buf;
    }
    *outlen = (size_t)(c->e - c->b);
    return c->b;
}

/* display width of UTF-8 text: its code points */
static size_t width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

enum { MAXCOLS = 256, CELLBUF = 4096 };

static void put_csv(FILE *f, const char *text, const cli_common *co)
{
    const char *p = text, *end = text + strlen(text);
    cell cells[MAXCOLS];
    char buf[CELLBUF];
    while (p < end) {
        const char *next;
        size_t n = split_line(p, end, cells, MAXCOLS, &next);
        if (n > MAXCOLS) { /* wider than any dlmkl table: verbatim */
            fwrite(p, 1, (size_t)(next - p), f);
        } else {
            for (size_t i = 0; i < n; i++) {
                size_t len;
                const char *t = cell_text(&cells[i], co, buf, sizeof buf, &len);
                if (i)
                    fputc(',', f);
                fwrite(t, 1, len, f);
            }
            if (next > p && next[-1] == '\n')
                fputc('\n', f);
        }
        p = next;
    }
}

static int put_table(FILE *f, const char *text, const cli_common *co)
{
    const char *end = text + strlen(text);
    size_t w[MAXCOLS] = {0}, ncols = 0;
    unsigned char num[MAXCOLS];
    memset(num, 1, sizeof num);
    cell cells[MAXCOLS];
    char buf[CELLBUF];
    /* pass 1: widths, and which columns hold only numbers (or nothing) below the header */
    int row = 0;
    for (const char *p = text, *next; p < end; p = next, row++) {
        size_t n = split_line(p, end, cells, MAXCOLS, &next);
        if (n > MAXCOLS)
            return -1;
        if (n > ncols)
            ncols = n;
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *t = cell_text(&cells[i], co, buf, sizeof buf, &len);
            size_t cw = width(t, len);
            if (cw > w[i])
                w[i] = cw;
            double v;
            int isfloat;
            if (row > 0 && cells[i].e > cells[i].b && !is_number(&cells[i], &v, &isfloat))
                num[i] = 0;
        }
    }
    /* pass 2: numbers right-aligned, text left-aligned, two spaces between columns */
    for (const char *p = text, *next; p < end; p = next) {
        size_t n = split_line(p, end, cells, MAXCOLS, &next);
        size_t pending = 0; /* spaces owed before the next cell: no trailing blanks */
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *t = cell_text(&cells[i], co, buf, sizeof buf, &len);
            size_t cw = width(t, len), pad = w[i] - cw;
            if (i)
                pending += 2;
            if (num[i])
                pending += pad;
            if (len) {
                fprintf(f, "%*s", (int)pending, "");
                fwrite(t, 1, len, f);
                pending = 0;
            }
            if (!num[i])
                pending += pad;
        }
        fputc('\n', f);
    }
    return 0;
}

int cli_write(const char *text, const cli_common *co)
{
    dlmkl_out out;
    int st = dlmkl_out_open(co->output, &out);
    if (st != DLMKL_OK)
        return st;
    if (!co->table && !co->digits)
        fputs(text, out.f); /* the library's text, byte for byte */
    else if (!co->table)
        put_csv(out.f, text, co);
    else if (put_table(out.f, text, co) != 0) {
        dlmkl_out_abort(&out);
        return dlmkl_error(DLMKL_EINVAL, "a table wider than %d columns cannot be aligned; use --format csv", MAXCOLS);
    }
    return dlmkl_out_commit(&out);
}

void cli_put(FILE *f, double v, const cli_common *co)
{
    char buf[64] = {0};
    FILE *m;
    if (!co->digits || !(m = fmemopen(buf, sizeof buf - 1, "w"))) {
        dlmkl_put(f, v);
        return;
    }
    dlmkl_put(m, v);
    fclose(m);
    cell c = {buf, buf + strlen(buf), 0};
    char out[CELLBUF];
    size_t len;
    const char *t = cell_text(&c, co, out, sizeof out, &len);
    fwrite(t, 1, len, f);
}
