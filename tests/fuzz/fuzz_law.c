/* fuzz_law.c: law: files (CSV k,m,s,prob, read by dlmkl_schedule_from_spec("law:PATH")).
 * The first byte picks L = 1..16 and whether K is given. Invariant of an accepted law: the sizes
 * sum to L, i.e. the forward pass over (k, m) puts mass 1 (within 1e-9) on m = L after K steps,
 * and every step law is a probability vector. */
#include "dlmkl/schedule.h"
#include "fuzz_util.h"

FUZZ_DEFINE_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > FUZZ_MAX_INPUT)
        return 0;
    const int L = 1 + (data[0] & 15), Kgiven = (data[0] >> 4) & 7;
    char path[64], spec[80];
    int fd = fuzz_file(data + 1, size - 1, path, sizeof path);
    snprintf(spec, sizeof spec, "law:%s", path);
    dlmkl_schedule *s = NULL;
    int st = dlmkl_schedule_from_spec(spec, L, Kgiven, NULL, &s);
    FUZZ_CHECK_MESSAGE(st);
    FUZZ_CHECK((st == DLMKL_OK) == (s != NULL), "status %d", st);
    if (s) {
        FUZZ_CHECK(s->L == L && s->nsteps >= 1, "L = %d, K = %d", s->L, s->nsteps);
        double mass[17] = {1.0}, next[17], ps[17];
        for (int k = 0; k < s->nsteps; k++) {
            memset(next, 0, sizeof next);
            for (int m = 0; m <= L; m++) {
                if (mass[m] <= 0.0)
                    continue;
                FUZZ_CHECK(dlmkl_schedule_step_law(s, k, m, ps) == DLMKL_OK, "step law k = %d, m = %d", k, m);
                double sum = 0.0;
                for (int j = 0; j <= L - m; j++) {
                    FUZZ_CHECK(isfinite(ps[j]) && ps[j] >= 0.0, "P(s = %d | k = %d, m = %d) = %g", j, k, m, ps[j]);
                    sum += ps[j];
                    next[m + j] += mass[m] * ps[j];
                }
                FUZZ_CHECK(fabs(sum - 1.0) <= 1e-9, "step law k = %d, m = %d sums to %.17g", k, m, sum);
            }
            memcpy(mass, next, sizeof mass);
        }
        FUZZ_CHECK(fabs(mass[L] - 1.0) <= 1e-9, "sizes sum to L with probability %.17g", mass[L]);
        dlmkl_schedule_free(s);
    }
    close(fd);
    return 0;
}
