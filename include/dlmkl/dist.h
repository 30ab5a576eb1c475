/* dist.h: joint laws p on [V]^L as dense tables, built from spec strings. */
#ifndef DLMKL_DIST_H
#define DLMKL_DIST_H

#include "dlmkl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest L the library handles (subsets are 64-bit masks; bit i is coordinate i, i = 0..L-1,
 * coordinate 0 being x_1, the most significant digit of the table index). */
#define DLMKL_MAX_L 62

/* A law p on [V]^L. p[idx] with idx = sum_i x_i V^(L-1-i) (lexicographic, x_1 slowest).
 * Sums to 1, entries finite and >= 0. */
typedef struct dlmkl_dist {
    int L;
    int V;
    uint64_t n;      /* V^L */
    double *p;       /* n entries */
    char *spec;      /* the spec it was built from (owned) */
} dlmkl_dist;

/*! Allocate a zeroed table for [V]^L after checking V >= 2, 1 <= L <= DLMKL_MAX_L, V^L overflow
 *  and the memory cap. NULL on failure (message in dlmkl_last_error()). Cost O(V^L). */
dlmkl_dist *dlmkl_dist_alloc(int L, int V);
void dlmkl_dist_free(dlmkl_dist *d);

/*! Set d->spec to a copy of spec. */
int dlmkl_dist_set_spec(dlmkl_dist *d, const char *spec);

/*! Check every entry is finite and >= 0 and sum p = 1 within DLMKL_SUM_TOL; with normalize != 0
 *  divide by the sum instead (the sum must still be positive and finite). O(V^L). */
#define DLMKL_SUM_TOL 1e-9
int dlmkl_dist_validate(dlmkl_dist *d, int normalize);

/*! Build p from a spec string `family:key=value,...` (grammar in dlmkl_dist_spec_help()).
 *  normalize applies to table: files. On failure *out = NULL and a message is set. */
int dlmkl_dist_from_spec(const char *spec, int normalize, dlmkl_dist **out);

/*! Read a `table:` text file: optional '#' lines, a line "L V", then V^L probabilities. */
int dlmkl_dist_read_table(const char *path, int normalize, dlmkl_dist **out);

/*! Write p in the table file format (inverse of dlmkl_dist_read_table, %.17g). */
int dlmkl_dist_write_table(const dlmkl_dist *d, const char *path);

/*! Multi-line help text describing every family and key. */
const char *dlmkl_dist_spec_help(void);

/* ---- families (src/families.c); each fills a table already validated to sum to 1 ---- */

/* Parsed `key=value` list of a spec. Values are kept as strings. */
typedef struct dlmkl_kv {
    int n;
    char *key[64];
    char *val[64];
    int used[64];
} dlmkl_kv;

/*! Split "k1=v1,k2=v2" into kv (values may not contain ','); DLMKL_EINVAL on a malformed item. */
int dlmkl_kv_parse(const char *s, dlmkl_kv *kv);
void dlmkl_kv_clear(dlmkl_kv *kv);
/*! Typed getters: DLMKL_OK and *out set if present and well formed; if absent, *out = def when
 *  required == 0, or an error naming the key and family when required != 0. */
int dlmkl_kv_int(dlmkl_kv *kv, const char *family, const char *key, int required, long def, long *out);
int dlmkl_kv_double(dlmkl_kv *kv, const char *family, const char *key, int required, double def, double *out);
int dlmkl_kv_u64(dlmkl_kv *kv, const char *family, const char *key, int required, uint64_t def, uint64_t *out);
/*! String value or NULL if absent (marks it used). */
const char *dlmkl_kv_str(dlmkl_kv *kv, const char *key);
/*! Error naming the first key that no getter asked for (typos), listing the family's keys. */
int dlmkl_kv_check_unused(const dlmkl_kv *kv, const char *family, const char *allowed);

#ifdef __cplusplus
}
#endif
#endif
