/* fuzz_closed_form.c: closed-form profile specs (dlmkl_profile_closed_form). Invariants of an
 * accepted profile: h(0) = 0, finite, nondecreasing and concave within rounding (it is an entropy
 * profile), TC >= 0 and DTC >= 0 up to residue. Numbers longer than 5 digits are skipped to keep
 * each execution fast: L up to 1e8 is valid and costs O(L) or more (markov:L=444837,stay=0.94444
 * takes 2.6 s, 12 s instrumented, within the documented budget). */
#include <stdlib.h>
#include <string.h>

#include "dlmkl/profile.h"
#include "fuzz_util.h"

FUZZ_DEFINE_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    char *spec = fuzz_str(data, size);
    /* the O(L^2) and O(L^2 V^3) routes (markov with trans= or seed=, ising, cw) are within their cost
     * budgets (a minute) at L in the thousands, beyond the harness's 10 s per input under the
     * sanitizers: for them every number stays <= 40; elsewhere numbers have at most 5 digits */
    const int slow = strncmp(spec, "markov", 6) == 0 || strncmp(spec, "ising", 5) == 0 || strncmp(spec, "cw", 2) == 0;
    for (size_t i = 0, run = 0; spec[i]; i++) {
        run = (spec[i] >= '0' && spec[i] <= '9') ? run + 1 : 0;
        if (run > 5 || (slow && run > 0 && (run > 2 || strtol(spec + i + 1 - run, NULL, 10) > 40))) {
            free(spec);
            return 0;
        }
    }
    dlmkl_profile *prof = NULL;
    int st = dlmkl_profile_closed_form(spec, &prof);
    FUZZ_CHECK_MESSAGE(st);
    FUZZ_CHECK((st == DLMKL_OK) == (prof != NULL), "status %d for '%s'", st, spec);
    if (prof) {
        const double sc = dlmkl_profile_scale(prof), tol = 1e-8 * sc;
        FUZZ_CHECK(prof->h[0] == 0.0, "h(0) = %g for '%s'", prof->h[0], spec);
        for (int m = 1; m <= prof->L; m++) {
            FUZZ_CHECK(isfinite(prof->h[m]) && prof->h[m] >= prof->h[m - 1] - tol, "h(%d) = %.17g for '%s'", m,
                       prof->h[m], spec);
            if (m >= 2)
                FUZZ_CHECK(prof->h[m] - prof->h[m - 1] <= prof->h[m - 1] - prof->h[m - 2] + tol,
                           "not concave at m = %d for '%s'", m - 1, spec);
        }
        const double tc = dlmkl_profile_tc(prof), dtc = dlmkl_profile_dtc(prof);
        FUZZ_CHECK(tc >= -tol && dtc >= -tol, "TC = %.17g, DTC = %.17g for '%s'", tc, dtc, spec);
        dlmkl_profile_free(prof);
    }
    free(spec);
    return 0;
}
