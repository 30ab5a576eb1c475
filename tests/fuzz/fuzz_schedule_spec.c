/* fuzz_schedule_spec.c: schedule specs (dlmkl_schedule_from_spec), including the nested ones (twin:,
 * mix:{...}), iid:pi= weight lists, powerlaw:, minimax-*. The first byte picks L = 1..16 and the
 * budget K = 0..15 (0: not given). Invariants of an accepted schedule: the overshoot O(d) is finite
 * and in [0, L − d]; for every kind with a step law it equals the generic DP's; kl_expected of a
 * random profile is finite and >= 0 within rounding. */
#include "dlmkl/kl.h"
#include "dlmkl/overshoot.h"
#include "dlmkl/schedule.h"
#include "fuzz_util.h"

FUZZ_DEFINE_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 512)
        return 0;
    const int L = 1 + (data[0] & 15), K = (data[0] >> 4) & 15;
    char *spec = fuzz_str(data + 1, size - 1);
    /* law: files would read arbitrary paths; the law reader has its own harness */
    if (strstr(spec, "law:")) {
        free(spec);
        return 0;
    }
    dlmkl_schedule *s = NULL;
    int st = dlmkl_schedule_from_spec(spec, L, K, NULL, &s);
    FUZZ_CHECK_MESSAGE(st);
    FUZZ_CHECK((st == DLMKL_OK) == (s != NULL), "status %d", st);
    if (s) {
        double O[17], P[17];
        if ((st = dlmkl_overshoot(s, O)) == DLMKL_OK) {
            for (int d = 0; d <= L; d++)
                FUZZ_CHECK(isfinite(O[d]) && O[d] >= 0 && O[d] <= (d < L ? L - d : 0) + 1e-12, "O(%d) = %g, L = %d",
                           d, O[d], L);
            if (dlmkl_overshoot_dp(s, P) == DLMKL_OK)
                for (int d = 0; d <= L; d++)
                    FUZZ_CHECK(fabs(O[d] - P[d]) <= 1e-9 * (1 + P[d]), "O(%d) = %.17g, DP %.17g", d, O[d], P[d]);
            /* a concave profile: h(m) = m − m²/(4L) */
            dlmkl_profile *prof = dlmkl_profile_alloc(L);
            if (prof) {
                for (int m = 0; m <= L; m++)
                    prof->h[m] = m - (double)m * m / (4.0 * L);
                double kl;
                if (dlmkl_kl_expected(prof, s, &kl) == DLMKL_OK)
                    FUZZ_CHECK(isfinite(kl) && kl >= -1e-9, "kl_expected %g", kl);
                dlmkl_profile_free(prof);
            }
        } else {
            FUZZ_CHECK_MESSAGE(st);
        }
        dlmkl_schedule_free(s);
    }
    free(spec);
    return 0;
}
