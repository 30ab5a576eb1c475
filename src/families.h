/* families.h: the table of distribution families (internal). One record per family: its name and
 * alias, its help text, its builder, how to read L and V from its spec without building it, and its
 * closed-form entropy profile if it has one. A new family is one record at the end of families.c
 * (and, for a closed form, one function in closed_form.c). */
#ifndef DLMKL_FAMILIES_H
#define DLMKL_FAMILIES_H

#include <stddef.h>

#include "dlmkl/dist.h"
#include "dlmkl/profile.h"
#include "dlmkl/profile_sparse.h"
#include "spec_kv.h"

typedef struct dlmkl_family {
    const char *name;
    const char *alias; /* a second name for the same family, or NULL */
    const char *help;  /* its lines of dlmkl_dist_spec_help() */
    /* a small spec of the family (L <= 6) that builds, or NULL (table: needs a file); the unit tests
     * check shape, help and closed form of every record on it */
    const char *example;
    /* builder of a family written as key=value items: kv parsed (errors prefixed with the family),
     * unknown keys the builder's own business. NULL when build_args is used. */
    int (*build_kv)(const char *fam, dlmkl_kv *kv, dlmkl_dist **out);
    /* builder of a family that reads its text itself (table:PATH, mixture:...), or NULL */
    int (*build_args)(const char *fam, const char *args, int normalize, dlmkl_dist **out);
    /* L and V read from the text after "family:" without building: each set to its value, or to -1
     * when the spec does not say (a table: file). Never fails and never sets an error. */
    void (*shape)(const char *args, long *L, long *V);
    /* closed-form entropy profile (closed_form.c) from the parsed keys, or NULL if none */
    int (*closed_form)(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);
    /* the support generated from the parsed keys without the table (profile_sparse.h,
     * dlmkl_support_from_spec): L, V, N always, the points too unless count_only; or NULL if none */
    int (*support)(const char *fam, dlmkl_kv *kv, int count_only, dlmkl_support *out);
} dlmkl_family;

/*! The record whose name or alias is the nlen bytes at name, or NULL. O(number of families). */
const dlmkl_family *dlmkl_family_find(const char *name, size_t nlen);

/*! The i-th record (i = 0, 1, ...) in the table's order, NULL past the end. O(1). */
const dlmkl_family *dlmkl_family_at(size_t i);

/*! L and V of a spec "family:args" from its keys, without building it (see dlmkl_family.shape):
 *  -1 each for a value the spec does not give. A spec of no family is read as L=..,V=.. (V = 2 by
 *  default) so that the caller goes on to build it and report the unknown family. O(|spec|). */
void dlmkl_family_shape(const char *spec, long *L, long *V);

/*! The components of a mixture spec's text after "mixture:" (W1*{SPEC1}+W2*{SPEC2}+...): *nc ≥ 1
 *  weights (finite, > 0, raw: not divided by their finite sum) and component specs (malloc'd; free
 *  with dlmkl_mixture_free). DLMKL_EINVAL naming the fault on a malformed text. O(|args|). */
int dlmkl_mixture_split(const char *fam, const char *args, size_t *nc, double **w, char ***spec);
void dlmkl_mixture_free(size_t nc, double *w, char **spec);

/*! 1 if spec ("family:args") has a closed-form profile: its family has one, or it is a mixture whose
 *  components (nested mixtures included) are all product:L=..,p=.. with V = 2 or cw, of one L
 *  (read syntactically; bad keys are the closed form's errors). 0 otherwise. O(|spec|). */
int dlmkl_spec_has_closed_form(const char *spec);

/* closed forms (closed_form.c), one per family that has one; keys as the family's builder */
int dlmkl_cf_copy(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);
int dlmkl_cf_parity(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);
int dlmkl_cf_product(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);
int dlmkl_cf_mds(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);
int dlmkl_cf_perm(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);
int dlmkl_cf_markov(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);
int dlmkl_cf_ising(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);
int dlmkl_cf_cw(const char *fam, dlmkl_kv *kv, dlmkl_profile **out);

/*! The chain of a markov spec's keys after L and V (stay= | trans=[,init=] | seed=[,conc=]), each
 *  checked as by the builder: *P the V×V transition matrix (row-major), *init the law of X_1, both
 *  malloc'd (the caller frees them; NULL on failure). O(V^2) plus the parse. */
int dlmkl_markov_params(const char *fam, dlmkl_kv *kv, long L, long V, double **P, double **init);

#endif
