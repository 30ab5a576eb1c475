/* io.c: atomic output files and CSV number formatting. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlmkl/io.h"

int dlmkl_out_open(const char *path, dlmkl_out *o)
{
    memset(o, 0, sizeof *o);
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return DLMKL_OK;
    }
    size_t n = strlen(path) + 32;
    o->path = strdup(path);
    o->tmp = malloc(n);
    if (!o->path || !o->tmp) {
        free(o->path), free(o->tmp);
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    }
    snprintf(o->tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        free(o->path), free(o->tmp);
        memset(o, 0, sizeof *o);
        return dlmkl_error(DLMKL_EIO, "cannot create output '%s': %s (is the folder there and writable?)", path, strerror(e));
    }
    o->f = fdopen(fd, "w");
    if (!o->f) {
        close(fd);
        unlink(o->tmp);
        free(o->path), free(o->tmp);
        memset(o, 0, sizeof *o);
        return dlmkl_error(DLMKL_EIO, "cannot open output '%s'", path);
    }
    return DLMKL_OK;
}

int dlmkl_out_commit(dlmkl_out *o)
{
    if (!o->f)
        return dlmkl_error(DLMKL_EIO, "output not open");
    if (!o->path) {
        int bad = fflush(o->f) != 0 || ferror(o->f);
        o->f = NULL;
        return bad ? dlmkl_error(DLMKL_EIO, "error writing standard output") : DLMKL_OK;
    }
    int bad = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad || rename(o->tmp, o->path) != 0) {
        int e = errno;
        unlink(o->tmp);
        int st = dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", o->path, strerror(e));
        free(o->path), free(o->tmp);
        o->path = o->tmp = NULL;
        return st;
    }
    free(o->path), free(o->tmp);
    o->path = o->tmp = NULL;
    return DLMKL_OK;
}

void dlmkl_out_abort(dlmkl_out *o)
{
    if (o->f && o->path) {
        fclose(o->f);
        unlink(o->tmp);
    } else if (o->f) {
        fflush(o->f);
    }
    free(o->path), free(o->tmp);
    memset(o, 0, sizeof *o);
}

const char *dlmkl_fmt(double x, char *buf, size_t len)
{
    if (isnan(x))
        buf[0] = '\0';
    else if (isinf(x))
        snprintf(buf, len, x > 0 ? "inf" : "-inf");
    else
        snprintf(buf, len, "%.17g", x == 0.0 ? 0.0 : x);
    return buf;
}

void dlmkl_put(FILE *f, double x)
{
    char buf[40];
    fputs(dlmkl_fmt(x, buf, sizeof buf), f);
}

void dlmkl_put_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
