/* main.c: the dlmkl program's dispatch — the subcommands, `dlmkl help TOPIC`, --version. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "dlmkl/schedule.h"
#include "dlmkl/sweep.h"

/* ---- dispatch ---- */

static const char *const main_help =
    "dlmkl — exact KL of parallel unmasking samplers for diffusion language models\n"
    "\n"
    "Usage: dlmkl COMMAND [options]   (dlmkl COMMAND --help for each)\n"
    "Commands:\n"
    "  info      H, TC, DTC of distributions\n"
    "  profile   entropy profile h(m) and information curve Z_m\n"
    "  kl        exact kl_expected and kl_output of unmasking schedules, with the bounds\n"
    "  sample    simulate the sampler with the exact conditional oracle\n"
    "  sweep     run a grid of distributions x L x K x schedules from a config file\n"
    "  worst     the worst case of schedules over every law: sup K KL/TC and sup K KL/DTC\n"
    "  bench     benchmarks, CSV\n"
    "  help      help [specs|schedules|config|COMMAND]: the spec grammars, the sweep config\n"
    "            format, or a command's help\n"
    "Options: -h, --help; -V, --version (also after a command: dlmkl kl -V)\n";

/* `dlmkl help TOPIC` */
static int cmd_help(int argc, char **argv, const char *const *names, size_t ncmds)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("%s\n%s\n%s\n%s", main_help, cli_common_help, dlmkl_dist_spec_help(), dlmkl_schedule_spec_help());
        return 0;
    }
    if (argc > 2) {
        fprintf(stderr, "dlmkl help: one topic at a time (see 'dlmkl help')\n");
        return 2;
    }
    const char *t = argv[1];
    if (strcmp(t, "specs") == 0) {
        printf("%s\n%s", dlmkl_dist_spec_help(), dlmkl_closed_form_help());
        return 0;
    }
    if (strcmp(t, "schedules") == 0) {
        printf("%s", dlmkl_schedule_spec_help());
        return 0;
    }
    if (strcmp(t, "adaptive") == 0) {
        printf("%s", cli_adaptive_help);
        return 0;
    }
    if (strcmp(t, "config") == 0) {
        printf("%s", dlmkl_sweep_config_help());
        return 0;
    }
    for (size_t i = 0; i < ncmds; i++)
        if (strcmp(t, names[i]) == 0)
            return -1; /* the caller runs COMMAND --help */
    fprintf(stderr, "dlmkl help: unknown topic '%s' (topics: specs, schedules, adaptive, config, or a command)\n", t);
    return 2;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"info", cmd_info},   {"profile", cmd_profile}, {"kl", cmd_kl},
                {"sample", cmd_sample}, {"sweep", cmd_sweep},   {"bench", cmd_bench},
                {"worst", cmd_worst}};
    /* the program owns its process: GSL reports failures as statuses instead of aborting (the
     * library validates its inputs, so this is a second line of defence; common.h) */
    gsl_set_error_handler_off();
    if (argc < 2) {
        fputs(main_help, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("%s\n%s\n%s\n%s", main_help, cli_common_help, dlmkl_dist_spec_help(), dlmkl_schedule_spec_help());
        return 0;
    }
    if (strcmp(argv[1], "help") == 0) {
        const char *names[sizeof cmds / sizeof cmds[0]];
        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
            names[i] = cmds[i].name;
        int r = cmd_help(argc - 1, argv + 1, names, sizeof cmds / sizeof cmds[0]);
        if (r >= 0)
            return r;
        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
            if (strcmp(argv[2], cmds[i].name) == 0) {
                char *sub[] = {argv[2], "--help", NULL};
                return cmds[i].fn(2, sub);
            }
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
        return cli_print_version(); /* also after a command: cli_getopt */
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0) {
            int r = cmds[i].fn(argc - 1, argv + 1);
            cli_progress_end();
            return r;
        }
    fprintf(stderr, "dlmkl: unknown command '%s' (commands: info, profile, kl, sample, sweep, bench, worst, help; see dlmkl --help)\n", argv[1]);
    return 2;
}
