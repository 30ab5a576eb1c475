/* io.h: atomic output files and number formatting shared by every writer. */
#ifndef DLMKL_IO_H
#define DLMKL_IO_H

#include <stdio.h>

#include "dlmkl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An output that appears at its path only when complete: written to a temporary file in the same
 * folder, renamed over the path by dlmkl_out_commit, removed by dlmkl_out_abort. Path "-" writes
 * to stdout directly. */
typedef struct dlmkl_out {
    FILE *f;
    char *path;   /* final path (owned), NULL for stdout */
    char *tmp;    /* temporary path (owned) */
} dlmkl_out;

/*! Open an atomic output. DLMKL_EIO with the reason if the folder is not writable. */
int dlmkl_out_open(const char *path, dlmkl_out *o);
/*! Flush, fsync, close and rename into place. DLMKL_EIO (and the temporary removed) on failure. */
int dlmkl_out_commit(dlmkl_out *o);
/*! Close and remove the temporary file; the final path is left untouched. */
void dlmkl_out_abort(dlmkl_out *o);

/*! A CSV cell for a double: "%.17g" (round-trips), "inf"/"-inf", empty for NaN (not applicable). */
const char *dlmkl_fmt(double x, char *buf, size_t len);
/*! Print dlmkl_fmt(x) to f. */
void dlmkl_put(FILE *f, double x);
/*! Print s as a CSV field, quoted (with "" for ") if it holds , " or a newline. */
void dlmkl_put_str(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif
#endif
