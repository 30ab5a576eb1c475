/* common.c: error messages, memory cap, units, threads, version. */
#include "dlmkl/common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "internal.h"
#include "version.h"

static _Thread_local char errmsg[DLMKL_ERRMSG_MAX];

int dlmkl_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    return status;
}

const char *dlmkl_last_error(void) { return errmsg; }

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

static size_t max_memory; /* 0: not set, use the default */

size_t dlmkl_max_memory(void)
{
    if (max_memory == 0) {
        long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
        if (pages > 0 && psize > 0)
            return (size_t)pages * (size_t)psize / 2;
        return (size_t)4 << 30;
    }
    return max_memory;
}

void dlmkl_set_max_memory(size_t bytes) { max_memory = bytes; }

const char *dlmkl_format_bytes(double bytes, char *buf, size_t len)
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
                           "the cap with --max-memory if the machine has the memory",
                           what, dlmkl_format_bytes((double)bytes, need, sizeof need),
                           dlmkl_format_bytes((double)cap, have, sizeof have));
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
                               "enumerated: use a smaller L or V (or a closed-form --profile)",
                               V, L);
    }
    *n = r;
    return DLMKL_OK;
}

double dlmkl_unit_factor(dlmkl_unit unit) { return unit == DLMKL_NATS ? M_LN2 : 1.0; }

const char *dlmkl_unit_name(dlmkl_unit unit) { return unit == DLMKL_NATS ? "nats" : "bits"; }

double dlmkl_nonneg(double x, double scale)
{
    if (x == 0.0)
        return 0.0; /* maps -0 to +0 */
    if (x < 0.0 && -x <= DLMKL_RESIDUE_REL * (scale > 1.0 ? scale : 1.0))
        return 0.0;
    return x;
}

static int nthreads_set;

void dlmkl_set_threads(int nthreads)
{
    nthreads_set = nthreads > 0 ? nthreads : 0;
#ifdef _OPENMP
    if (nthreads_set)
        omp_set_num_threads(nthreads_set);
#endif
}

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
