/* fuzz_table.c: table: files (dlmkl_dist_read_table): header, numbers, comments, NUL bytes, long
 * lines. Invariant: an accepted table has finite entries >= 0 summing to 1 (renormalised). */
#include "dlmkl/dist.h"
#include "fuzz_util.h"

FUZZ_DEFINE_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > FUZZ_MAX_INPUT)
        return 0;
    char path[64];
    int fd = fuzz_file(data + 1, size - 1, path, sizeof path);
    dlmkl_dist *d = NULL;
    int st = dlmkl_dist_read_table(path, data[0] & 1, &d);
    FUZZ_CHECK_MESSAGE(st);
    FUZZ_CHECK((st == DLMKL_OK) == (d != NULL), "status %d", st);
    if (d) {
        double sum = 0.0;
        for (uint64_t i = 0; i < d->n; i++) {
            FUZZ_CHECK(isfinite(d->p[i]) && d->p[i] >= 0.0, "p[%llu] = %g", (unsigned long long)i, d->p[i]);
            sum += d->p[i];
        }
        FUZZ_CHECK(fabs(sum - 1.0) <= 1e-12 * (1.0 + (double)d->n), "sum %.17g (n = %llu)", sum,
                   (unsigned long long)d->n);
        dlmkl_dist_free(d);
    }
    close(fd);
    return 0;
}
