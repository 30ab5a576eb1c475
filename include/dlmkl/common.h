/* dlmkl — exact verification of diffusion-language-model sampling theory.
 * common.h: status codes, error reporting, limits, units, thread control. */
#ifndef DLMKL_COMMON_H
#define DLMKL_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Integer status codes returned by every fallible library function. */
enum {
    DLMKL_OK = 0,
    DLMKL_EINVAL = 1,   /* bad input: spec, value, file contents */
    DLMKL_ENOMEM = 2,   /* malloc failed */
    DLMKL_ETOOBIG = 3,  /* would exceed the memory cap, or V^L overflows 64 bits */
    DLMKL_EIO = 4,      /* cannot read or write a file */
    DLMKL_ECOST = 5,    /* a computation asked for was above its cost budget */
    DLMKL_ESUM = 6,     /* a table's probabilities do not sum to 1 (dividing by the sum would accept it) */
    DLMKL_EEXIST = 7    /* an output file holds earlier results that would be overwritten */
};

/* GSL. GSL's default error handler aborts the process. The library validates every argument before it
 * calls GSL (and allocates its generators itself), so no input, and no failed allocation, reaches that
 * handler; the library never changes the handler. The dlmkl program turns it off
 * (gsl_set_error_handler_off) since it owns its process; a host that does the same gets GSL's
 * failures back as statuses, which dlmkl_gsl_status maps. */

/*! Map a GSL status (gsl_errno.h) to a dlmkl status and, on failure, set the message
 *  "WHAT: GSL error N (GSL's text)": GSL_SUCCESS → DLMKL_OK, GSL_ENOMEM → DLMKL_ENOMEM,
 *  any other (domain, range, invalid argument, ...) → DLMKL_EINVAL. */
int dlmkl_gsl_status(int gsl_status, const char *what);

/* Seeds of the library's random draws (GSL's mt19937, seeded with gsl_rng_set): GSL keeps the low
 * 32 bits of a seed and maps 0 to its default seed 4357, so exactly DLMKL_SEED_MIN..DLMKL_SEED_MAX
 * give one distinct stream each; every seed the library or the program takes is checked against
 * this range. */
#define DLMKL_SEED_MIN 1UL
#define DLMKL_SEED_MAX 4294967295UL

/* Longest message kept by dlmkl_set_error. */
#define DLMKL_ERRMSG_MAX 1024

/*! Record the message describing the last failure in this thread (printf-style).
 *  Returns `status` so that callers can write `return dlmkl_error(DLMKL_EINVAL, "...")`. */
int dlmkl_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*! The message of the last failure in this thread ("" if none). */
const char *dlmkl_last_error(void);

/*! The status of the last failure in this thread (the status given to dlmkl_error or
 *  dlmkl_error_prefix; DLMKL_OK if none): for functions that return a pointer, NULL on failure. */
int dlmkl_last_status(void);

/*! Memory cap in bytes for any single table or workspace the library allocates, for calls made
 *  from the calling thread (a setting per thread, like dlmkl_set_threads: hosts calling from several
 *  threads, each with its own cap, do not race; a handle may carry its own, host.h). bytes == 0
 *  restores the default, half of the machine's physical memory. dlmkl_max_memory() is the cap in
 *  effect for the calling thread. O(1). */
size_t dlmkl_max_memory(void);
void dlmkl_set_max_memory(size_t bytes);

/*! Check that `bytes` fits the memory cap; if not set an error that says how much `what`
 *  would need and how to raise the cap. Returns DLMKL_OK or DLMKL_ETOOBIG. */
int dlmkl_check_memory(size_t bytes, const char *what);

/*! n = V^L with overflow check (DLMKL_ETOOBIG with a message on overflow). O(L). */
int dlmkl_pow_checked(int V, int L, uint64_t *n);


/*! Prefix the current error message with context: "<prefix>: <message>" (printf-style prefix; the
 *  one way the library adds context to an error). Records and returns status. */
int dlmkl_error_prefix(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- strict readers for text inputs (tables, CSV files, specs) ---- */

/*! Read one decimal number from s[0..len) (len = (size_t)-1: up to the terminating NUL). The whole
 *  field must be the number, apart from spaces and tabs around it: digits, one optional sign, '.',
 *  an exponent; no hex, inf, nan, NUL bytes or trailing text. Subnormal results are accepted; a
 *  value that overflows a double is not. Then lo <= value <= hi is checked. On failure returns
 *  DLMKL_EINVAL with a message quoting the field ("'abc' is not a number", "... is out of range");
 *  callers prefix it with the file, line and field (dlmkl_error_prefix). */
int dlmkl_read_double(const char *s, size_t len, double lo, double hi, double *out);

/*! The same for a decimal integer (optional sign, digits only), range-checked as above. */
int dlmkl_read_long(const char *s, size_t len, long lo, long hi, long *out);

/*! A line read by dlmkl_read_line: s holds len bytes plus a NUL; lineno counts lines read. */
typedef struct dlmkl_line {
    char *s;
    size_t len, cap;
    long lineno;
} dlmkl_line;

/*! Read the next line of f into ln (growing its buffer), without the '\n' and a '\r' before it;
 *  a UTF-8 byte-order mark at the start of line 1 is dropped. *got = 0 at the end of the file.
 *  DLMKL_EINVAL for a NUL byte (not a text file) or a line longer than max_len bytes, DLMKL_ETOOBIG
 *  above the memory cap, DLMKL_EIO on a read error; the message names the line. */
int dlmkl_read_line(FILE *f, dlmkl_line *ln, size_t max_len, int *got);
void dlmkl_line_free(dlmkl_line *ln);

/*! One CSV record split in place: field[i] (NUL-terminated, quotes removed) for i < n. */
typedef struct dlmkl_csv_row {
    char **field;
    int n, cap;
} dlmkl_csv_row;

/*! Split a CSV record (RFC 4180: ',' separated, fields optionally quoted with "..." and "" for a
 *  quote, empty fields kept) in place in line. DLMKL_EINVAL for an unterminated or misplaced quote. */
int dlmkl_csv_split(char *line, dlmkl_csv_row *row);
void dlmkl_csv_row_free(dlmkl_csv_row *row);

/*! Index of the header field equal to name (after trimming spaces), or -1. */
int dlmkl_csv_find(const dlmkl_csv_row *header, const char *name);

/* Units. The library computes every entropy in bits; reports convert with this factor. */
typedef enum { DLMKL_BITS = 0, DLMKL_NATS = 1 } dlmkl_unit;
/*! Factor that converts bits to `unit` (1 or ln 2). */
double dlmkl_unit_factor(dlmkl_unit unit);
const char *dlmkl_unit_name(dlmkl_unit unit);

/* Rounding residue. Exact non-negative quantities (TC, DTC, KL, ...) computed as differences of
 * sums of up to (1+V)^L terms carry relative rounding error of order n·eps. A value of either sign
 * whose magnitude is at most DLMKL_RESIDUE_REL times the scale of the terms (e.g. L·log2 V bits) is
 * rounding residue and is reported as 0; a larger negative value is reported as computed, since it
 * means the input is not what the theory assumes (e.g. a user profile that is not concave). */
#define DLMKL_RESIDUE_REL 1e-9

/*! x with -0 and rounding residue of either sign (|x| <= DLMKL_RESIDUE_REL·max(1, scale)) of a
 *  non-negative quantity mapped to +0. */
double dlmkl_nonneg(double x, double scale);

/*! Threads used by the library's OpenMP regions for calls made from the calling thread (a setting
 *  per thread: hosts calling from several threads, each with its own count, do not race); nthreads
 *  <= 0 restores the default, OpenMP's (OMP_NUM_THREADS if set, else one per available core). Results
 *  are bit-identical for any count. dlmkl_threads() is the count in effect. O(1). */
void dlmkl_set_threads(int nthreads);
int dlmkl_threads(void);

/*! Progress of a long computation, reported to a host (e.g. to draw a progress line): `what` names
 *  the stage ("entropy profile", "kl_output pass", "kl rows"; a string literal), done of total work
 *  units (0 <= done <= total; done = 0 starts the stage again, done = total ends it). Stages may nest
 *  (the rows of a call, each with its passes). Only long loops report, about once per work unit:
 *  the cost of a report is one call. */
typedef void (*dlmkl_progress_fn)(void *ctx, const char *what, double done, double total);

/*! Set the progress callback of the calling thread (NULL: none, the default). The library calls it
 *  only on that thread (inside its parallel regions, from the calling thread alone), so fn needs no
 *  locking; fn must not call the library. The library itself never prints. O(1). */
void dlmkl_set_progress(dlmkl_progress_fn fn, void *ctx);

/*! The library version string and the git revision it was built from. */
const char *dlmkl_version(void);
const char *dlmkl_git_revision(void);

#ifdef __cplusplus
}
#endif
#endif
