/* io.h: atomic output files and number formatting shared by every writer. */
#ifndef DLMKL_IO_H
#define DLMKL_IO_H

#include <stdio.h>

#include "dlmkl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An output that appears at its path only when complete: written to a temporary file in the same
 * folder, renamed over the path by dlmkl_out_commit, removed by dlmkl_out_abort. The file gets the
 * mode of the file it replaces, or 0666 & ~umask if new, like any tool's output. A symbolic link
 * is followed, so that its target is replaced and the link kept. A path that names something other
 * than a regular file (a device such as /dev/null, a FIFO, /dev/stdout, /dev/fd/N, a process
 * substitution) is written directly, without a temporary file. Path "-" writes to stdout. While a
 * temporary file exists, SIGINT, SIGTERM and SIGHUP remove it before the process ends (see
 * dlmkl_temp_register). */
typedef struct dlmkl_out {
    FILE *f;
    char *path;   /* final path (owned; a link's target), NULL for stdout */
    char *tmp;    /* temporary path (owned), NULL when written directly */
    int slot;     /* dlmkl_temp_register slot of tmp, -1 if none */
} dlmkl_out;

/*! Open an output (see dlmkl_out). DLMKL_EIO with the reason if it cannot be created. */
int dlmkl_out_open(const char *path, dlmkl_out *o);
/*! Flush, fsync, close and rename into place. DLMKL_EIO (and the temporary removed) on failure. */
int dlmkl_out_commit(dlmkl_out *o);
/*! Close and remove the temporary file; the final path is left untouched. */
void dlmkl_out_abort(dlmkl_out *o);

/*! Register a file to remove if the process is stopped by SIGINT, SIGTERM or SIGHUP before
 *  dlmkl_temp_unregister. Returns a slot (>= 0), or -1 if the path is too long or all 16 slots are
 *  taken (then the file is simply not removed). While any file is registered, each of the three
 *  signals whose action is the default gets a handler that removes the registered files and
 *  re-raises the signal with the default action; the default comes back when none is left. A
 *  program with its own handler calls dlmkl_temp_cleanup from it. */
int dlmkl_temp_register(const char *path);
/*! Forget a slot of dlmkl_temp_register (-1 is ignored); the file itself is left alone. */
void dlmkl_temp_unregister(int slot);
/*! Remove every registered file. Async-signal-safe (only unlink). */
void dlmkl_temp_cleanup(void);
/*! For a signal handler: dlmkl_temp_cleanup, then the signal again with its default action
 *  (async-signal-safe; errno kept). */
void dlmkl_temp_cleanup_and_reraise(int sig);

/*! Print a CSV cell for a double to f: "%.17g" (round-trips), "inf"/"-inf", empty for NaN (not
 *  applicable). */
void dlmkl_put(FILE *f, double x);
/*! Print s as a CSV field, quoted (with "" for ") if it holds , " or a newline. */
void dlmkl_put_str(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif
#endif
