/* fuzz_profile_csv.c: profile CSV files (dlmkl_profile_read_csv): quoting, empty fields, column
 * order, units. Invariants of an accepted profile: h(0) = 0, finite, nondecreasing and concave
 * within rounding, TC >= 0 and DTC >= 0 up to residue, every Z_j finite. */
#include "dlmkl/profile.h"
#include "fuzz_util.h"

FUZZ_DEFINE_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > FUZZ_MAX_INPUT)
        return 0;
    char path[64];
    int fd = fuzz_file(data + 1, size - 1, path, sizeof path);
    dlmkl_profile *prof = NULL;
    int st = dlmkl_profile_read_csv(path, (data[0] & 1) ? DLMKL_NATS : DLMKL_BITS, &prof);
    FUZZ_CHECK_MESSAGE(st);
    FUZZ_CHECK((st == DLMKL_OK) == (prof != NULL), "status %d", st);
    if (prof) {
        const double sc = dlmkl_profile_scale(prof), tol = 1e-8 * sc;
        FUZZ_CHECK(isfinite(sc), "scale %g", sc);
        FUZZ_CHECK(prof->h[0] == 0.0, "h(0) = %g", prof->h[0]);
        for (int m = 1; m <= prof->L; m++) {
            FUZZ_CHECK(isfinite(prof->h[m]) && prof->h[m] >= prof->h[m - 1] - tol, "h(%d) = %.17g", m, prof->h[m]);
            FUZZ_CHECK(isfinite(dlmkl_profile_Z(prof, m)), "Z_%d", m);
        }
        const double tc = dlmkl_profile_tc(prof), dtc = dlmkl_profile_dtc(prof);
        FUZZ_CHECK(isfinite(tc) && isfinite(dtc) && tc >= -tol && dtc >= -tol, "TC = %.17g, DTC = %.17g", tc, dtc);
        dlmkl_profile_free(prof);
    }
    close(fd);
    return 0;
}
