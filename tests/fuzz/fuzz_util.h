/* fuzz_util.h: helpers shared by the libFuzzer harnesses of tests/fuzz.
 *
 * Harnesses never write into the source tree: file parsers read the input from an anonymous
 * memory file (memfd) through /proc/self/fd/N. The memory cap is set small (FUZZ_MAX_MEMORY) so
 * that every size-dependent allocation goes through the library's cap, as it would under
 * --max-memory. A failed invariant aborts with the case printed (libFuzzer keeps the input). */
#ifndef DLMKL_FUZZ_UTIL_H
#define DLMKL_FUZZ_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dlmkl/common.h"

#define FUZZ_MAX_MEMORY ((size_t)16 << 20)
#define FUZZ_MAX_INPUT 65536

static inline void fuzz_init(void)
{
    dlmkl_set_max_memory(FUZZ_MAX_MEMORY);
    dlmkl_set_threads(1);
}

/* The input as a NUL-terminated string (stops at the first NUL byte); free() it. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* An anonymous file holding the input; its path into path. Returns the fd (close it after). */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("dlmkl_fuzz", 0);
    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            perror("write");
            abort();
        }
        off += (size_t)w;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

#define FUZZ_CHECK(cond, ...)                                                                        \
    do {                                                                                             \
        if (!(cond)) {                                                                               \
            fprintf(stderr, "invariant failed: %s: ", #cond);                                        \
            fprintf(stderr, __VA_ARGS__);                                                            \
            fputc('\n', stderr);                                                                     \
            abort();                                                                                 \
        }                                                                                            \
    } while (0)

/* Every failure must come with a message. */
#define FUZZ_CHECK_MESSAGE(st) FUZZ_CHECK((st) == DLMKL_OK || dlmkl_last_error()[0], "status %d without a message", (st))

/* The LLVMFuzzerInitialize of every harness: the library's settings (fuzz_init). */
#define FUZZ_DEFINE_INITIALIZE                                                                    \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                             \
    {                                                                                             \
        (void)argc, (void)argv;                                                                   \
        fuzz_init();                                                                              \
        return 0;                                                                                 \
    }

#endif
