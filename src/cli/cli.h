/* cli.h: helpers shared by the subcommands of the dlmkl program (not part of the library). */
#ifndef DLMKL_CLI_H
#define DLMKL_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "dlmkl/common.h"
#include "dlmkl/dist.h"
#include "dlmkl/io.h"
#include "dlmkl/profile.h"
#include "dlmkl/sweep.h"

/* Options every subcommand accepts. */
typedef struct cli_common {
    dlmkl_unit unit;
    int normalize;
    const char *output;  /* -o FILE, default "-" */
    int table;           /* --format table: aligned columns instead of CSV */
    int digits;          /* --digits N: round non-integer numbers to N significant digits; 0 exact */
    int quiet;           /* --quiet: no progress line */
} cli_common;

/* getopt_long codes of the common options (long-only ones are >= 1000). */
enum { OPT_UNIT = 1000, OPT_NORMALIZE, OPT_MAX_MEMORY, OPT_THREADS, OPT_HELP, OPT_DISPLAY_FORMAT, OPT_DIGITS,
       OPT_QUIET, CLI_OPT_FIRST_FREE = 1100 };

/* Long options of cli_common; append to a subcommand's table with CLI_COMMON_LONGOPTS. */
#define CLI_COMMON_LONGOPTS                                                          \
    {"unit", required_argument, 0, OPT_UNIT}, {"normalize", no_argument, 0, OPT_NORMALIZE}, \
        {"max-memory", required_argument, 0, OPT_MAX_MEMORY},                        \
        {"threads", required_argument, 0, OPT_THREADS}, {"output", required_argument, 0, 'o'}, \
        {"help", no_argument, 0, OPT_HELP}, {"version", no_argument, 0, 'V'}

/* The display options (cli_format.c) of the subcommands that print numbers; --format is left out by
 * sample, whose --format chooses what it writes. */
#define CLI_DIGITS_LONGOPTS {"digits", required_argument, 0, OPT_DIGITS}, {"quiet", no_argument, 0, OPT_QUIET}
#define CLI_DISPLAY_LONGOPTS {"format", required_argument, 0, OPT_DISPLAY_FORMAT}, CLI_DIGITS_LONGOPTS

/* Text documenting the common options, for --help. */
extern const char *const cli_common_help;
/* The last lines of each subcommand's --help: where the spec grammars are. */
extern const char *const cli_help_footer;
/* value-adaptive positions and predictors (cli_kl.c), for `dlmkl help adaptive` */
extern const char *const cli_adaptive_help;

/* Print the common options' help, with the display options (CLI_HELP_FORMAT: --format, --digits,
 * --quiet; CLI_HELP_DIGITS: --digits and --quiet), then the exit statuses. */
enum { CLI_HELP_DIGITS = 1, CLI_HELP_FORMAT = 2 };
void cli_print_common_help(int display);
/* Print the help of --format (with_format), --digits and --quiet (cli_format.c). */
void cli_display_help(int with_format);
/* Handle --format / --digits: 1 handled, 0 not one of them, -1 error (message printed). */
int cli_display_opt(int c, const char *arg, cli_common *co);
/* Write a subcommand's CSV text to co->output as --format and --digits ask (the text byte for byte
 * by default), atomically. A library status. */
int cli_write(const char *text, const cli_common *co);
/* Write one number as dlmkl_put does, rounded as --digits asks (for output streamed row by row). */
void cli_put(FILE *f, double v, const cli_common *co);

/* The progress line (cli_progress.c): begin after the options are read (on when stderr is a
 * terminal and not --quiet; installs the library's progress callback); report a stage of the CLI's
 * own loops (the library's callback, callable directly); end clears the line (cli_fail does too). */
void cli_progress_begin(const cli_common *co);
void cli_progress_report(void *ctx, const char *what, double done, double total);
/* The same with what the caller knows besides: eta, its own estimate of the seconds left (NAN: from
 * the stage's rate), count, a text drawn after the stage's name ("12/40 rows"; NULL none), context,
 * what is being worked on, drawn at the end of the line (NULL: unchanged). The strings are copied. */
void cli_progress_stage(const char *what, double done, double total, double eta, const char *count,
                        const char *context);
void cli_progress_end(void);
/* "42s", "3m07s", "2h05m" ("--" for a negative, unknown time) into buf. */
void cli_format_seconds(double s, char *buf, size_t len);

/* Handle a common option: 1 handled, 0 not a common option, -1 error (message printed). */
int cli_common_opt(int c, const char *arg, cli_common *co);
/* getopt_long that handles the common options itself (-V is added to shortopts): returns the next
 * subcommand option (with optarg set), -1 at the end, CLI_BAD_OPT after printing why a common
 * option's value is bad, or CLI_VERSION_OPT after printing the version (-V, --version). For the two
 * stops the subcommand returns cli_stop_status(c) (2, 0) through its normal exit path. */
#define CLI_BAD_OPT (-2)
#define CLI_VERSION_OPT (-3)
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, cli_common *co);
static inline int cli_stop_status(int c) { return c == CLI_VERSION_OPT ? 0 : 2; }

/* The program's name and version line: "PROGRAM VERSION (git REV[EXTRA])", for -V / --version before
 * or after a subcommand. cli_program and cli_version_extra are set by the program's main (dlmkl-mpi
 * adds its MPI version). Returns 0, the exit status. */
extern const char *cli_program;
extern char cli_version_extra[64];
int cli_print_version(void);
void cli_common_init(cli_common *co);

/* Print "dlmkl CMD: message" to stderr; returns 1 or 2 (usage) as exit status. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "dlmkl CMD: <library message>"; returns the exit status for a library status. */
int cli_fail_lib(const char *cmd, int status);
/* The command-line hint for a library status (which flag changes the outcome), "" if none; the
 * library's messages never name flags. */
const char *cli_hint(int status);
/* Exit status for an unknown option / usage error, pointing at --help. */
int cli_usage(const char *cmd);
/* Print "dlmkl CMD: message (see 'dlmkl CMD --help')"; returns 2, the exit status of a usage error
 * (unknown option, missing or extra argument, malformed option value). Other failures exit 1. */
int cli_fail_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse an integer / double / size option value, with a clear error. 0 ok, -1 error. */
int cli_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);

/* Load a distribution spec and compute its profile. 0 ok, else an exit status (message printed). */
int cli_load_dist(const char *cmd, const char *spec, int normalize, dlmkl_dist **d);

/* The runner behind `sweep` (dlmkl_sweep_run; the MPI program, cli_mpi.c, sets its own) and this
 * process's rank among the runner's processes (0 in the plain program): only rank 0 writes the
 * metadata and the closing line. */
typedef int (*cli_sweep_runner_fn)(const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan,
                                   const dlmkl_sweep_opts *opts, dlmkl_sweep_stats *stats);
extern cli_sweep_runner_fn cli_sweep_runner;
extern int cli_rank;
/* The program named in error messages: "dlmkl", or "dlmkl-mpi" (set by its main). */
extern const char *cli_prog;

/* Subcommands. */
int cmd_info(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_kl(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_worst(int argc, char **argv);

#endif
