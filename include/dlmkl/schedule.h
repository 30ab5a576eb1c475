/* schedule.h: unmasking schedules (laws of the sizes s_1..s_K), built from specs through the schedule
 * type table. Size rules: sizes.h; position policies: positions.h; law files: law_file.h. */
#ifndef DLMKL_SCHEDULE_H
#define DLMKL_SCHEDULE_H

#include "dlmkl/positions.h"
#include "dlmkl/profile.h"
#include "dlmkl/sizes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DLMKL_SCHED_FIXED = 0,       /* deterministic sizes s_1..s_K */
    DLMKL_SCHED_IID = 1,         /* each token draws its reveal iteration k with prob. pi_k */
    DLMKL_SCHED_COMPOSITION = 2, /* uniform over compositions of L into K positive parts */
    DLMKL_SCHED_LAW = 3,         /* P(s_k = s | m_k = m) given as a table */
    DLMKL_SCHED_POWER = 4,       /* s_k i.i.d. with P(s) ∝ s^(−a) on 1..(masked count); last step all */
    DLMKL_SCHED_MIX = 5          /* one of several schedules, drawn once per run with given weights */
} dlmkl_schedule_kind;

/* Which Chen, Cong & Li (2026) schedule a FIXED schedule is (their Thm 9 bound applies to it). */
typedef enum {
    DLMKL_CHEN_NONE = 0, /* not a Chen schedule */
    DLMKL_CHEN_TC = 1,   /* chen-tc: sizes shrinking geometrically, then singles */
    DLMKL_CHEN_DTC = 2   /* chen-dtc: the mirror image, singles first */
} dlmkl_chen_kind;

/* One row of a size law: P(s_k = s | m_k = m) = prob. */
typedef struct dlmkl_law_entry {
    int s;
    double prob;
} dlmkl_law_entry;

typedef struct dlmkl_schedule {
    dlmkl_schedule_kind kind;
    int L;              /* tokens */
    int nsteps;         /* the iterations the schedule takes, its steps (the papers' K is the budget) */
    int budget;         /* the budget K asked for (= nsteps, except for K-targeted schedules that fit
                           in fewer iterations, e.g. chen-tc with zeta picked from K) */
    int *sizes;         /* FIXED: nsteps sizes, each >= 0, summing to L */
    double *pi;         /* IID: nsteps reveal probabilities, sum 1 */
    double *pi_tail;    /* IID: pi_tail[k] = Σ_{j>=k} π_j, summed from the end */
    long double *pi_ld; /* IID: the same π_k in long double, as computed from the spec: with exponents
                           of order L in the binomial laws, the result's conditioning is L times the
                           relative error of π, so the exact routes read these */
    /* LAW: row (k, m), k = 0..nsteps-1, m = 0..L, holds entries law[row_start[r] .. row_start[r+1]),
     * r = k*(L+1) + m, sorted by s; a row with no entries is a state the law never reaches. */
    int64_t *row_start;
    dlmkl_law_entry *law;
    char *name;         /* canonical spec of this schedule, e.g. "chen-tc:zeta=4" (owned) */
    double zeta;        /* chen-tc / chen-dtc: the zeta used; 0 otherwise */
    double power_a;     /* POWER: the exponent a >= 0 (0: a uniform fraction of the masked tokens) */
    int ncomp;                     /* MIX: the components (none of them a MIX) and their weights, */
    struct dlmkl_schedule **comp;  /* summing to 1; nsteps is the largest component's */
    double *comp_w;
    dlmkl_chen_kind chen; /* DLMKL_CHEN_NONE unless built by chen-tc / chen-dtc */
} dlmkl_schedule;

/* ---- the schedule type table ----
 * One record per schedule kind, in the manner of GSL's gsl_rng_type: the spec head it answers to
 * ("chen-tc" in "chen-tc:zeta=4"), what the kind needs and guarantees (flags), the function that
 * builds it, and its paragraph of help. dlmkl_schedule_from_spec looks the head up and calls the
 * builder; messages, the help text, the benchmark and the tests loop over the table. */

/* Flags of a schedule type (bits). */
enum {
    DLMKL_SCHED_FLAG_NEEDS_PROFILE = 1 << 0, /* built from the distribution's entropy profile */
    DLMKL_SCHED_FLAG_K_LE_L = 1 << 1,        /* every iteration reveals >= 1 token, so K <= L */
    DLMKL_SCHED_FLAG_TAKES_ARG = 1 << 2,     /* accepts HEAD:ARG */
    DLMKL_SCHED_FLAG_NEEDS_ARG = 1 << 3,     /* HEAD alone is an error */
    DLMKL_SCHED_FLAG_FIXED_SIZES = 1 << 4,   /* builds a FIXED schedule (sizes known in advance) */
    DLMKL_SCHED_FLAG_OWN_K = 1 << 5          /* with an argument starting with own_K_arg, the spec fixes
                                                its own number of iterations (no K need be given) */
};

struct dlmkl_schedule_type;

/* What a builder gets: the spec split at its first ':' and the sizes asked for. */
typedef struct dlmkl_schedule_request {
    const char *spec;                        /* the whole spec, e.g. "random-tc:rho=3" */
    const char *arg;                         /* after the first ':' ("rho=3"), NULL without ':' */
    int L;                                   /* tokens, >= 1 */
    int K;                                   /* the budget K, or -1 when not given */
    const dlmkl_profile *prof;               /* the entropy profile, or NULL */
    const struct dlmkl_schedule_type *type;  /* the record being built */
} dlmkl_schedule_request;

/* A builder: on success *out is a new schedule; on failure a status and the library's last error. */
typedef int (*dlmkl_schedule_builder)(const dlmkl_schedule_request *rq, dlmkl_schedule **out);

typedef struct dlmkl_schedule_type {
    const char *name;      /* the spec head, e.g. "chen-tc" */
    unsigned flags;        /* DLMKL_SCHED_FLAG_* */
    const char *own_K_arg; /* OWN_K: the argument prefix that fixes K ("" any argument), else NULL */
    const char *own_K_form; /* OWN_K: the form listed in hints, e.g. "chen-tc:zeta=", else NULL */
    const char *usage;     /* the short form listed in messages, e.g. "chen-tc[:zeta=..]" */
    const char *example;   /* a valid spec for L = 8 with K = 4 (or its own K); "law:" takes a path */
    const char *bench;     /* space-separated specs timed by `dlmkl bench` at L = 4096, K = 256, or NULL */
    dlmkl_schedule_builder build;
    const char *section;   /* help: the heading of the group the paragraph belongs to */
    const char *help;      /* help: the paragraph (records sharing one paragraph share the pointer) */
} dlmkl_schedule_type;

/*! The record whose name is spec's head (the text before the first ':'), or NULL. O(types). */
const dlmkl_schedule_type *dlmkl_schedule_type_find(const char *spec);
/*! The number of records, and record i (0 <= i < count; NULL outside), in help order. O(1). */
int dlmkl_schedule_type_count(void);
const dlmkl_schedule_type *dlmkl_schedule_type_at(int i);
/*! The flags of a spec: its record's flags, with OWN_K only when the argument starts with the
 *  record's own_K_arg; twin:SPEC also takes OWN_K and NEEDS_PROFILE from SPEC. 0 for an unknown head.
 *  O(length of spec). */
unsigned dlmkl_schedule_spec_flags(const char *spec);
/*! The usage forms (own_K_form when `with` includes OWN_K) of every record whose flags include all
 *  of `with`, joined by ", " into buf (truncated to len). O(types). */
const char *dlmkl_schedule_type_list(unsigned with, char *buf, size_t len);

/*! Build a schedule from a spec for L tokens and budget K (K <= 0: not given; implied by sizes:).
 *  prof is needed only by `optimal` (may be NULL otherwise). Grammar: dlmkl_schedule_spec_help().
 *  Looks the head up in the type table and calls its builder. Errors: an unknown head (the message
 *  lists every name), sizes not summing to L, K > L for K_LE_L kinds, K < 1, rho <= 0, bad law
 *  files (rows not summing to 1, mass left at the last step). */
int dlmkl_schedule_from_spec(const char *spec, int L, int K, const dlmkl_profile *prof,
                             dlmkl_schedule **out);
void dlmkl_schedule_free(dlmkl_schedule *s);
const char *dlmkl_schedule_spec_help(void);

/*! 1 if the spec fixes its own number of iterations (DLMKL_SCHED_FLAG_OWN_K of
 *  dlmkl_schedule_spec_flags: sizes:..., chen-tc:..., chen-dtc:..., law:PATH, iid:pi=..., twin: of one
 *  of these), so that no K need be given. */
int dlmkl_schedule_implies_K(const char *spec);

/*! Deterministic schedule from explicit sizes (copied). Checks sum = L and every size >= 0. */
int dlmkl_schedule_fixed(int L, const int *sizes, int K, const char *name, dlmkl_schedule **out);

/*! Check that s can drive a sampler over d (both given, same L, K >= 1); `who` prefixes the message. */
int dlmkl_schedule_check_dist(const dlmkl_schedule *s, const dlmkl_dist *d, const char *who);

/*! 1 if the sizes are deterministic (FIXED). */
int dlmkl_schedule_is_fixed(const dlmkl_schedule *s);

/*! P(s_k = s | m_k = m) for s = 0..L−m into ps[0..L−m], k = 0..K−1 (0-based). O(L). */
int dlmkl_schedule_step_law(const dlmkl_schedule *s, int k, int m, double *ps);

/*! Largest size the schedule can produce (FIXED: max s_k; random: largest with positive prob.). */
int dlmkl_schedule_max_size(const dlmkl_schedule *s);

/*! "4-3-1" for FIXED, "" otherwise, into buf. */
const char *dlmkl_schedule_sizes_string(const dlmkl_schedule *s, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
