/* fuzz_dist_spec.c: distribution spec strings (dlmkl_dist_from_spec, every family, nested
 * mixtures), with the numeric invariants of every table built: entries finite and >= 0, sum 1
 * within the tolerance, and for small tables 0 <= TC, DTC (up to rounding residue) and H <= L log V.
 * table: specs are skipped (they would read arbitrary files; fuzz_table covers the file format). */
#include "dlmkl/dist.h"
#include "dlmkl/profile.h"
#include "fuzz_util.h"

FUZZ_DEFINE_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 4096)
        return 0;
    const int normalize = data[0] & 1;
    char *spec = fuzz_str(data + 1, size - 1);
    if (strstr(spec, "table")) {
        free(spec);
        return 0;
    }
    dlmkl_dist *d = NULL;
    int st = dlmkl_dist_from_spec(spec, normalize, &d);
    FUZZ_CHECK_MESSAGE(st);
    FUZZ_CHECK((st == DLMKL_OK) == (d != NULL), "status %d, table %p for '%s'", st, (void *)d, spec);
    if (d) {
        FUZZ_CHECK(d->L >= 1 && d->L <= DLMKL_MAX_L && d->V >= 2, "L = %d, V = %d for '%s'", d->L, d->V, spec);
        double sum = 0.0;
        for (uint64_t i = 0; i < d->n; i++) {
            FUZZ_CHECK(isfinite(d->p[i]) && d->p[i] >= 0.0, "p[%llu] = %g for '%s'", (unsigned long long)i, d->p[i], spec);
            sum += d->p[i];
        }
        FUZZ_CHECK(fabs(sum - 1.0) <= DLMKL_SUM_TOL, "sum %.17g for '%s'", sum, spec);
        if (d->n <= 4096 && d->L <= 12) {
            dlmkl_profile *prof = dlmkl_profile_alloc(d->L);
            FUZZ_CHECK(prof != NULL, "profile alloc for '%s'", spec);
            if (dlmkl_profile_compute(d, prof) == DLMKL_OK) {
                double sc = dlmkl_profile_scale(prof), tol = 1e-9 * sc;
                double tc = dlmkl_profile_tc(prof), dtc = dlmkl_profile_dtc(prof), H = dlmkl_profile_H(prof);
                FUZZ_CHECK(tc >= -tol && dtc >= -tol, "TC = %.17g, DTC = %.17g for '%s'", tc, dtc, spec);
                FUZZ_CHECK(H >= -tol && H <= d->L * log2((double)d->V) + tol, "H = %.17g for '%s'", H, spec);
                for (int m = 1; m <= d->L; m++)
                    FUZZ_CHECK(prof->h[m] >= prof->h[m - 1] - tol, "h decreases at m = %d for '%s'", m, spec);
            }
            dlmkl_profile_free(prof);
        }
        dlmkl_dist_free(d);
    }
    free(spec);
    return 0;
}
