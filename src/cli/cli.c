/* cli.c: the dlmkl program — common options, and the info and profile subcommands (dispatch: main.c).
 * A thin layer: parsing and printing only; every number comes from the library. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "dlmkl/host.h"
#include "dlmkl/kl.h"
#include "dlmkl/sweep.h"
#include "dlmkl/schedule.h"

#define COMMON_OPTIONS_HELP                                                                          \
    "Common options (and -V, --version: print the program's version and exit):\n" \
    "  -o, --output FILE     write CSV to FILE (atomically: complete or not at all); default stdout\n" \
    "  --unit bits|nats      unit of every reported entropy, TC, DTC, KL and bound (default bits)\n" \
    "  --normalize           divide a table: file by its sum instead of rejecting it\n" \
    "  --max-memory SIZE     memory cap for any table or workspace, e.g. 512M, 8G (default: half\n" \
    "                        of physical memory); larger requests fail with the size they need\n" \
    "  --threads N           OpenMP threads (default: OMP_NUM_THREADS if set, else one per available core);\n" \
    "                        results are bit-identical for any N\n"
#define EXIT_STATUS_HELP                                                                             \
    "Exit status: 0 success; 2 usage error (unknown option, missing or extra argument, malformed\n"    \
    "value); 1 other failures (bad spec or input file, memory cap, I/O), which leave no -o FILE behind.\n"

const char *const cli_common_help = COMMON_OPTIONS_HELP EXIT_STATUS_HELP;

void cli_print_common_help(int display)
{
    fputs(COMMON_OPTIONS_HELP, stdout);
    cli_display_help(display == CLI_HELP_FORMAT);
    fputs(EXIT_STATUS_HELP, stdout);
}

const char *const cli_help_footer =
    "Distribution and closed-form profile specs: 'dlmkl help specs'; schedules and position\n"
    "policies: 'dlmkl help schedules'.\n";

void cli_common_init(cli_common *co)
{
    co->unit = DLMKL_BITS;
    co->normalize = 0;
    co->output = "-";
    co->table = co->digits = co->quiet = 0;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    cli_progress_end();
    fprintf(stderr, "%s %s: ", cli_prog, cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

const char *cli_hint(int status)
{
    switch (status) {
    case DLMKL_ETOOBIG:
        return " (the memory cap is set with --max-memory)";
    case DLMKL_ESUM:
        return " (--normalize divides a table: file by its sum)";
    default:
        return "";
    }
}

int cli_fail_lib(const char *cmd, int status)
{
    return cli_fail(cmd, "%s%s", dlmkl_last_error(), cli_hint(status));
}

int cli_usage(const char *cmd)
{
    fprintf(stderr, "%s %s: see '%s %s --help'\n", cli_prog, cmd, cli_prog, cmd);
    return 2;
}

int cli_fail_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    cli_progress_end();
    fprintf(stderr, "%s %s: ", cli_prog, cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see '%s %s --help')\n", cli_prog, cmd);
    return 2;
}

/* An option value holds no blank or control character (it is written to CSV cells as given). */
static int plain_value(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

int cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    long v;
    if (!plain_value(s) || dlmkl_read_long(s, (size_t)-1, LONG_MIN, LONG_MAX, &v) != DLMKL_OK) {
        cli_fail(cmd, "%s '%s' is not an integer", opt, s);
        return -1;
    }
    if (v < lo || v > hi) {
        cli_fail(cmd, "%s %ld is out of range (%ld..%ld)", opt, v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
    if (!plain_value(s) || dlmkl_read_double(s, (size_t)-1, -INFINITY, INFINITY, out) != DLMKL_OK) {
        cli_fail(cmd, "%s '%s' is not a finite number", opt, s);
        return -1;
    }
    return 0;
}

/* SIZE: a decimal number of bytes with an optional K, M, G or T (binary multiples), 'i' and 'B';
 * at least one byte. */
static int parse_size(const char *s, size_t *out)
{
    size_t n = strspn(s, "0123456789.eE+-");
    double v;
    if (n == 0 || !plain_value(s) || dlmkl_read_double(s, n, 0, INFINITY, &v) != DLMKL_OK)
        return -1;
    const char *end = s + n;
    double mult = 1;
    switch (*end) {
    case 'k': case 'K': mult = 1024.0; end++; break;
    case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'i' && mult > 1)
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    v *= mult;
    if (!(v >= 1.0) || v >= (double)SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

int cli_common_opt(int c, const char *arg, cli_common *co)
{
    switch (c) {
    case OPT_UNIT:
        if (strcmp(arg, "bits") == 0)
            co->unit = DLMKL_BITS;
        else if (strcmp(arg, "nats") == 0)
            co->unit = DLMKL_NATS;
        else {
            fprintf(stderr, "dlmkl: --unit '%s' is not a unit; use bits or nats\n", arg);
            return -1;
        }
        return 1;
    case OPT_NORMALIZE:
        co->normalize = 1;
        return 1;
    case OPT_MAX_MEMORY: {
        size_t b;
        if (parse_size(arg, &b) != 0) {
            fprintf(stderr, "dlmkl: --max-memory '%s' is not a size of at least one byte; write e.g. 512M, 8G or "
                            "a byte count\n", arg);
            return -1;
        }
        dlmkl_set_max_memory(b);
        return 1;
    }
    case OPT_THREADS: {
        long n;
        if (!plain_value(arg) || dlmkl_read_long(arg, (size_t)-1, 1, 1024, &n) != DLMKL_OK) {
            fprintf(stderr, "dlmkl: --threads '%s' must be an integer from 1 to 1024\n", arg);
            return -1;
        }
        dlmkl_set_threads((int)n);
        return 1;
    }
    case 'o':
        co->output = arg;
        return 1;
    case OPT_QUIET:
        co->quiet = 1;
        return 1;
    default:
        return cli_display_opt(c, arg, co);
    }
}

const char *cli_program = "dlmkl";
char cli_version_extra[64] = "";

int cli_print_version(void)
{
    printf("%s %s (git %s%s)\n", cli_program, dlmkl_version(), dlmkl_git_revision(), cli_version_extra);
    return 0;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, cli_common *co)
{
    char so[64];
    if (snprintf(so, sizeof so, "%sV", shortopts) >= (int)sizeof so)
        return cli_fail(argv[0], "internal: option string too long"), CLI_BAD_OPT;
    int c;
    while ((c = getopt_long(argc, argv, so, longopts, NULL)) != -1) {
        if (c == 'V') {
            cli_print_version();
            return CLI_VERSION_OPT;
        }
        int r = cli_common_opt(c, optarg, co);
        if (r < 0)
            return CLI_BAD_OPT;
        if (r == 0)
            return c;
    }
    return -1;
}

int cli_load_dist(const char *cmd, const char *spec, int normalize, dlmkl_dist **d)
{
    int st = dlmkl_dist_from_spec(spec, normalize, d);
    if (st != DLMKL_OK)
        return cli_fail_lib(cmd, dlmkl_last_status());
    return 0;
}

/* ---- info ---- */

static const char *const info_help =
    "Usage: dlmkl info (--dist SPEC | --profile P) [--dist SPEC | --profile P ...] [options]\n"
    "Exact entropy H = h(L), total correlation TC = L h(1) - h(L), dual total correlation\n"
    "DTC = L h(L-1) - (L-1) h(L), and TC + DTC = sum_i I(X_i; X_-i), one CSV row per --dist or\n"
    "--profile, in order. --profile P: a profile CSV (columns m,h), a closed-form spec (any L), or\n"
    "auto:SPEC (the closed form if SPEC's family has one, else the enumerated table), as in kl.\n"
    "Columns: dist,L,V,unit,H,TC,DTC,TC_plus_DTC,Z_L\n";

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {{"dist", required_argument, 0, 'd'},
                                             {"profile", required_argument, 0, 'P'}, CLI_COMMON_LONGOPTS,
                                             CLI_DISPLAY_LONGOPTS, {0, 0, 0, 0}};
    cli_common co;
    cli_common_init(&co);
    const char *specs[256];
    unsigned char is_prof[256];
    int nspecs = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "d:o:", longopts, &co)) != -1) {
        if (c < -1)
            return cli_stop_status(c);
        if (c == OPT_HELP) {
            printf("%s\n", info_help);
            cli_print_common_help(CLI_HELP_FORMAT);
            printf("\n%s", cli_help_footer);
            return 0;
        }
        if (c == 'd' || c == 'P') {
            if (nspecs == 256)
                return cli_fail_usage("info", "at most 256 --dist/--profile per call");
            is_prof[nspecs] = c == 'P';
            specs[nspecs++] = optarg;
            continue;
        }
        return cli_usage("info");
    }
    if (optind < argc)
        return cli_fail_usage("info", "unexpected argument '%s' (distributions are given with --dist)", argv[optind]);
    if (nspecs == 0)
        return cli_fail_usage("info", "missing --dist SPEC or --profile P");
    cli_progress_begin(&co);

    /* compute everything before opening the output, so a failure leaves no file; the rows are the
     * library's host text (host.h), the very text a host such as the Python package reads */
    char **rowtext = calloc((size_t)nspecs, sizeof *rowtext);
    if (!rowtext)
        return cli_fail("info", "out of memory");
    int st = DLMKL_OK;
    for (int i = 0; i < nspecs && st == DLMKL_OK; i++) {
        dlmkl_host *h;
        st = is_prof[i] ? dlmkl_host_from_profile(specs[i], co.unit, &h)
                        : dlmkl_host_from_spec(specs[i], co.normalize, &h);
        if (st == DLMKL_OK) {
            st = dlmkl_host_info_csv(h, co.unit, 0, &rowtext[i]);
            dlmkl_host_free(h);
        }
    }
    if (st == DLMKL_OK) {
        static const char header[] = "dist,L,V,unit,H,TC,DTC,TC_plus_DTC,Z_L\n";
        size_t len = sizeof header;
        for (int i = 0; i < nspecs; i++)
            len += strlen(rowtext[i]);
        char *all = malloc(len);
        if (!all)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        else {
            char *q = stpcpy(all, header);
            for (int i = 0; i < nspecs; i++)
                q = stpcpy(q, rowtext[i]);
            st = cli_write(all, &co);
            free(all);
        }
    }
    for (int i = 0; i < nspecs; i++)
        dlmkl_host_text_free(rowtext[i]);
    free(rowtext);
    return st == DLMKL_OK ? 0 : cli_fail_lib("info", st);
}

/* ---- profile ---- */

static const char *const profile_help =
    "Usage: dlmkl profile (--dist SPEC | --profile P) [options]\n"
    "The entropy profile h(m) = C(L,m)^-1 sum_{|S|=m} H(X_S), m = 0..L, and the information curve\n"
    "Z_m = h(1) + h(m-1) - h(m) (empty at m = 0), exactly, one CSV row per m. --profile P: a\n"
    "closed-form spec (any L) or auto:SPEC (the closed form if SPEC's family has one, else the\n"
    "enumerated table), as in kl; a profile CSV is read and written back in --unit.\n"
    "Columns: m,h,Z,unit,V (V: the law's alphabet, read back from a profile file; empty if not known)\n";

int cmd_profile(int argc, char **argv)
{
    static const struct option longopts[] = {{"dist", required_argument, 0, 'd'},
                                             {"profile", required_argument, 0, 'P'}, CLI_COMMON_LONGOPTS,
                                             CLI_DISPLAY_LONGOPTS, {0, 0, 0, 0}};
    cli_common co;
    cli_common_init(&co);
    const char *spec = NULL;
    int c, is_prof = 0, ngiven = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "d:o:", longopts, &co)) != -1) {
        if (c < -1)
            return cli_stop_status(c);
        if (c == OPT_HELP) {
            printf("%s\n", profile_help);
            cli_print_common_help(CLI_HELP_FORMAT);
            printf("\n%s", cli_help_footer);
            return 0;
        }
        if (c == 'd' || c == 'P') {
            spec = optarg;
            is_prof = c == 'P';
            ngiven++;
            continue;
        }
        return cli_usage("profile");
    }
    if (optind < argc)
        return cli_fail_usage("profile", "unexpected argument '%s'", argv[optind]);
    if (ngiven == 0)
        return cli_fail_usage("profile", "missing --dist SPEC or --profile P");
    if (ngiven > 1)
        return cli_fail_usage("profile", "give exactly one --dist SPEC or --profile P (one profile per call)");
    cli_progress_begin(&co);
    dlmkl_host *h;
    char *csv = NULL;
    int st = is_prof ? dlmkl_host_from_profile(spec, co.unit, &h) : dlmkl_host_from_spec(spec, co.normalize, &h);
    if (st == DLMKL_OK) {
        st = dlmkl_host_profile_csv(h, co.unit, &csv);
        dlmkl_host_free(h);
    }
    if (st == DLMKL_OK)
        st = cli_write(csv, &co);
    dlmkl_host_text_free(csv);
    return st == DLMKL_OK ? 0 : cli_fail_lib("profile", st);
}
