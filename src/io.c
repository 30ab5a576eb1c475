/* io.c: atomic output files and CSV number formatting. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlmkl/io.h"

/* ---- files removed on SIGINT / SIGTERM / SIGHUP ---- */

#define TEMP_SLOTS 16
#define TEMP_PATH_MAX 4096
static char temp_path[TEMP_SLOTS][TEMP_PATH_MAX];
static atomic_int temp_used[TEMP_SLOTS];
static const int temp_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NTEMP_SIGNALS ((int)(sizeof temp_signals / sizeof temp_signals[0]))
static int temp_count;                     /* registered slots (under temp_lock) */
static int temp_installed[NTEMP_SIGNALS];  /* our handler is installed for this signal (under temp_lock) */
/* Registration from several threads at once (hosts writing outputs from several threads): a slot is
 * claimed, and the handlers installed or removed, by one thread at a time. A spin lock: the work
 * under it is a few system calls. The signal handler takes no lock (it reads temp_used). */
static atomic_flag temp_lock = ATOMIC_FLAG_INIT;

static void temp_lock_take(void)
{
    while (atomic_flag_test_and_set_explicit(&temp_lock, memory_order_acquire))
        ;
}

static void temp_lock_give(void) { atomic_flag_clear_explicit(&temp_lock, memory_order_release); }

void dlmkl_temp_cleanup(void)
{
    for (int i = 0; i < TEMP_SLOTS; i++)
        if (atomic_load(&temp_used[i]))
            unlink(temp_path[i]);
}

void dlmkl_temp_cleanup_and_reraise(int sig)
{
    int e = errno;
    dlmkl_temp_cleanup();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    errno = e;
    raise(sig); /* blocked until this handler returns, then the default action ends the process */
}

static void temp_on_signal(int sig) { dlmkl_temp_cleanup_and_reraise(sig); }

int dlmkl_temp_register(const char *path)
{
    if (strlen(path) >= TEMP_PATH_MAX)
        return -1;
    temp_lock_take();
    int slot = -1;
    for (int i = 0; i < TEMP_SLOTS && slot < 0; i++)
        if (!atomic_load(&temp_used[i]))
            slot = i;
    if (slot < 0) {
        temp_lock_give();
        return -1;
    }
    strcpy(temp_path[slot], path);
    atomic_store(&temp_used[slot], 1);
    if (temp_count++ == 0)
        for (int j = 0; j < NTEMP_SIGNALS; j++) {
            struct sigaction old;
            if (sigaction(temp_signals[j], NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
                old.sa_handler != SIG_DFL)
                continue; /* ignored, or the program's own handler (which calls dlmkl_temp_cleanup) */
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = temp_on_signal;
            sigemptyset(&sa.sa_mask);
            for (int k = 0; k < NTEMP_SIGNALS; k++)
                sigaddset(&sa.sa_mask, temp_signals[k]);
            temp_installed[j] = sigaction(temp_signals[j], &sa, NULL) == 0;
        }
    temp_lock_give();
    return slot;
}

void dlmkl_temp_unregister(int slot)
{
    if (slot < 0 || slot >= TEMP_SLOTS)
        return;
    temp_lock_take();
    if (!atomic_load(&temp_used[slot])) {
        temp_lock_give();
        return;
    }
    atomic_store(&temp_used[slot], 0);
    if (--temp_count == 0)
        for (int j = 0; j < NTEMP_SIGNALS; j++) {
            if (!temp_installed[j])
                continue;
            struct sigaction old, sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = SIG_DFL;
            sigemptyset(&sa.sa_mask);
            /* put the default back only if our handler is still the one installed */
            if (sigaction(temp_signals[j], NULL, &old) == 0 && old.sa_handler == temp_on_signal)
                sigaction(temp_signals[j], &sa, NULL);
            temp_installed[j] = 0;
        }
    temp_lock_give();
}

/* ---- outputs ---- */

/* The descriptor named by /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N, else -1. */
static int named_fd(const char *p)
{
    if (strcmp(p, "/dev/stdout") == 0)
        return 1;
    if (strcmp(p, "/dev/stderr") == 0)
        return 2;
    const char *prefixes[] = {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(p, prefixes[i], n) == 0 && p[n] >= '0' && p[n] <= '9') {
            char *end;
            errno = 0;
            long v = strtol(p + n, &end, 10);
            if (!*end && !errno && v <= INT_MAX)
                return (int)v;
        }
    }
    return -1;
}

/* Follow the symbolic links of path to the file they name (which may not exist yet). *fd gets the
 * descriptor if a step names one (named_fd), *magic = 1 if a step is a link of /proc (written
 * directly). NULL (errno set) on failure. */
static char *follow_links(const char *path, int *fd, int *magic)
{
    *fd = -1;
    *magic = 0;
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        if ((*fd = named_fd(cur)) >= 0)
            return cur;
        struct stat sb;
        if (lstat(cur, &sb) != 0 || !S_ISLNK(sb.st_mode))
            return cur;
        if (strncmp(cur, "/proc/", 6) == 0) {
            *magic = 1;
            return cur;
        }
        char target[TEMP_PATH_MAX];
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n < 0 || hops == 40) {
            if (n >= 0)
                errno = ELOOP;
            free(cur);
            return NULL;
        }
        target[n] = 0;
        char *next;
        const char *slash = strrchr(cur, '/');
        if (target[0] == '/' || !slash) {
            next = strdup(target);
        } else {
            size_t dl = (size_t)(slash - cur) + 1;
            next = malloc(dl + (size_t)n + 1);
            if (next) {
                memcpy(next, cur, dl);
                memcpy(next + dl, target, (size_t)n + 1);
            }
        }
        free(cur);
        cur = next;
    }
    errno = ENOMEM;
    return NULL;
}

static int open_fail(dlmkl_out *o, const char *path, int e)
{
    free(o->path), free(o->tmp);
    memset(o, 0, sizeof *o);
    o->slot = -1;
    return dlmkl_error(e == ENOMEM ? DLMKL_ENOMEM : DLMKL_EIO, "cannot create output '%s': %s", path, strerror(e));
}

int dlmkl_out_open(const char *path, dlmkl_out *o)
{
    memset(o, 0, sizeof *o);
    o->slot = -1;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return DLMKL_OK;
    }
    int fdnum, magic;
    o->path = follow_links(path, &fdnum, &magic);
    if (!o->path)
        return open_fail(o, path, errno);
    int fd = -1;
    struct stat sb;
    int exists = 0;
    if (fdnum >= 0) {
        fd = fcntl(fdnum, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            return open_fail(o, path, errno);
    } else if (stat(o->path, &sb) == 0) {
        exists = 1;
        if (S_ISDIR(sb.st_mode)) {
            free(o->path);
            memset(o, 0, sizeof *o);
            o->slot = -1;
            return dlmkl_error(DLMKL_EIO, "cannot create output '%s': it is a folder", path);
        }
        if (!S_ISREG(sb.st_mode) || magic) {
            /* a device, FIFO, socket or /proc link: write to it directly */
            fd = open(o->path, O_WRONLY | O_CLOEXEC | (S_ISREG(sb.st_mode) ? O_TRUNC : 0));
            if (fd < 0)
                return open_fail(o, path, errno);
        }
    } else if (errno != ENOENT) {
        return open_fail(o, path, errno);
    }
    if (fd < 0) {
        /* a regular file (or none yet): a temporary file beside it, renamed over it at commit */
        size_t n = strlen(o->path) + 32;
        if (!(o->tmp = malloc(n)))
            return open_fail(o, path, ENOMEM);
        snprintf(o->tmp, n, "%s.tmp.XXXXXX", o->path);
        fd = mkstemp(o->tmp);
        if (fd < 0) {
            int e = errno;
            free(o->path), free(o->tmp);
            memset(o, 0, sizeof *o);
            o->slot = -1;
            return dlmkl_error(DLMKL_EIO, "cannot create output '%s': %s (is the folder there and writable?)", path,
                               strerror(e));
        }
        o->slot = dlmkl_temp_register(o->tmp);
        mode_t mode;
        if (exists) {
            mode = sb.st_mode & 07777;
        } else {
            mode_t um = umask(0);
            umask(um);
            mode = 0666 & ~um;
        }
        if (fchmod(fd, mode) != 0) {
            int e = errno;
            close(fd);
            unlink(o->tmp);
            dlmkl_temp_unregister(o->slot);
            return open_fail(o, path, e);
        }
    }
    o->f = fdopen(fd, "w");
    if (!o->f) {
        int e = errno;
        close(fd);
        if (o->tmp) {
            unlink(o->tmp);
            dlmkl_temp_unregister(o->slot);
        }
        return open_fail(o, path, e);
    }
    return DLMKL_OK;
}

static void out_clear(dlmkl_out *o)
{
    free(o->path), free(o->tmp);
    memset(o, 0, sizeof *o);
    o->slot = -1;
}

int dlmkl_out_commit(dlmkl_out *o)
{
    if (!o->f)
        return dlmkl_error(DLMKL_EIO, "output not open");
    if (!o->path) {
        int bad = fflush(o->f) != 0 || ferror(o->f);
        o->f = NULL;
        return bad ? dlmkl_error(DLMKL_EIO, "error writing standard output") : DLMKL_OK;
    }
    if (!o->tmp) {
        /* written directly */
        int bad = fflush(o->f) != 0 || ferror(o->f);
        int e = errno;
        bad |= fclose(o->f) != 0;
        if (bad && !e)
            e = errno;
        o->f = NULL;
        int st = bad ? dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", o->path, strerror(e)) : DLMKL_OK;
        out_clear(o);
        return st;
    }
    int bad = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad || rename(o->tmp, o->path) != 0) {
        int e = errno;
        unlink(o->tmp);
        dlmkl_temp_unregister(o->slot);
        int st = dlmkl_error(DLMKL_EIO, "cannot write '%s': %s", o->path, strerror(e));
        out_clear(o);
        return st;
    }
    dlmkl_temp_unregister(o->slot);
    out_clear(o);
    return DLMKL_OK;
}

void dlmkl_out_abort(dlmkl_out *o)
{
    if (o->f && o->path) {
        fclose(o->f);
        if (o->tmp) {
            unlink(o->tmp);
            dlmkl_temp_unregister(o->slot);
        }
    } else if (o->f) {
        fflush(o->f);
    }
    out_clear(o);
}

/* the CSV cell of dlmkl_put into buf */
static const char *fmt_cell(double x, char *buf, size_t len)
{
    if (isnan(x))
        buf[0] = '\0';
    else if (isinf(x))
        snprintf(buf, len, x > 0 ? "inf" : "-inf");
    else
        snprintf(buf, len, "%.17g", x == 0.0 ? 0.0 : x);
    return buf;
}

void dlmkl_put(FILE *f, double x)
{
    char buf[40];
    fputs(fmt_cell(x, buf, sizeof buf), f);
}

void dlmkl_put_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
