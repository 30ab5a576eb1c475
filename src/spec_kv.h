/* spec_kv.h: the `key=value,...` lists of distribution specs (internal, not part of the public API). */
#ifndef DLMKL_SPEC_KV_H
#define DLMKL_SPEC_KV_H

#include <stdint.h>

#include "dlmkl/common.h"

/* Most items of one list. */
#define DLMKL_KV_MAX 64

/* Parsed `key=value` list of a spec. Values are kept as strings; used[i] is set by the getters. */
typedef struct dlmkl_kv {
    int n;
    char *key[DLMKL_KV_MAX];
    char *val[DLMKL_KV_MAX];
    int used[DLMKL_KV_MAX];
} dlmkl_kv;

/*! Split "k1=v1,k2=v2" into kv (values may not contain ','); DLMKL_EINVAL on a malformed item (empty,
 *  no '=', empty key, repeated key, trailing comma, more than DLMKL_KV_MAX items), DLMKL_ENOMEM when
 *  out of memory. On failure kv holds nothing. Cost O(n^2) in the number of items (repeat check). */
int dlmkl_kv_parse(const char *s, dlmkl_kv *kv);

/*! Free the strings of kv and empty it. O(n). */
void dlmkl_kv_clear(dlmkl_kv *kv);

/*! Typed getters: DLMKL_OK and *out set if present and well formed; if absent, *out = def when
 *  required == 0, or an error naming the key and family when required != 0. Each marks the key used.
 *  O(n) each. */
int dlmkl_kv_int(dlmkl_kv *kv, const char *family, const char *key, int required, long def, long *out);
int dlmkl_kv_double(dlmkl_kv *kv, const char *family, const char *key, int required, double def, double *out);
int dlmkl_kv_u64(dlmkl_kv *kv, const char *family, const char *key, int required, uint64_t def, uint64_t *out);

/*! String value or NULL if absent (marks it used). O(n). */
const char *dlmkl_kv_str(dlmkl_kv *kv, const char *key);

/*! 1 if key is in kv (does not mark it used), else 0. O(n). */
int dlmkl_kv_has(const dlmkl_kv *kv, const char *key);

/*! Error naming the first key that no getter asked for (typos), listing the family's keys. O(n). */
int dlmkl_kv_check_unused(const dlmkl_kv *kv, const char *family, const char *allowed);

/*! Lenient look-up for planning, before a spec is built: the integer value of the first item
 *  `key=INTEGER` of args (blanks before the key are skipped), or -1 when there is none or its value
 *  is not a whole integer in range of a long. Never sets an error. O(|args|). */
long dlmkl_kv_peek_long(const char *args, const char *key);

#endif
