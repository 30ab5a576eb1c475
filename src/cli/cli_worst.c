/* cli_worst.c: `dlmkl worst` — the worst case of schedules over every law, exactly. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dlmkl/schedule.h"
#include "dlmkl/sweep.h"
#include "dlmkl/worst.h"

static const char *const worst_help =
    "Usage: dlmkl worst --schedule SCHED [--schedule ...] --L N[,N...] --K K[,K...] [-o FILE]\n"
    "The worst case of each schedule over EVERY law on [V]^L (random positions), exactly:\n"
    "  worst_tc  = sup_p K kl_expected(p)/TC(p)  = max_{1<=d<L} K O(d)/(L-d)\n"
    "  worst_dtc = sup_p K kl_expected(p)/DTC(p) = max_{1<=d<L} K O(d)/d\n"
    "where O(d) = E[N(d)] - d is the expected overshoot of the cumulative counts past d. kl_expected, TC\n"
    "and DTC are linear in the non-negative increments of the information curve Z, so each ratio is\n"
    "largest at a step curve Z_j = 1[j > d]: a uniform MDS code of dimension d (TC = (L-d) log q,\n"
    "DTC = d log q), whose kl_expected is O(d) log q. d_tc and d_dtc are the maximising dimensions\n"
    "(d = 1 is the copy law, d = L-1 parity). No law is needed, so L may be far beyond enumeration.\n"
    "Options:\n"
    "  --schedule SCHED  repeatable; any schedule of 'dlmkl kl' except optimal (which depends on p)\n"
    "  --L N[,N...]      lengths: integers or ranges (a..b[:step], pow2:a..b, 2^i..2^j)\n"
    "  --K K[,K...]      budgets: integer expressions or ranges that may use L, e.g. 16, L/4, L/2;\n"
    "                    required except for schedules that imply K (";
/* ... "sizes:, ...": the schedules that imply K, from the type table ... */
static const char *const worst_help_rest =
    ")\n"
    "Columns: schedule,L,K,steps,worst_tc,d_tc,worst_dtc,d_dtc,ln_L\n"
    "  K is the budget; steps the iterations the schedule takes (a K-targeted chen-tc may take fewer);\n"
    "  ln_L = ln L, so worst_tc/ln_L reads off the log factor of an O~(TC/K) claim.\n"
    "Cost: O(L) for fixed sizes and compositions; about sum_k w_m(k) w_s(k) window cells for i.i.d.\n"
    "reveal times (seconds at L = 2^16, K = L/4); O(K L^2) for law: files.\n";

static int expand(const char *cmd, const char *opt, const char *text, const char *Lval, dlmkl_sweep_list *out)
{
    dlmkl_sweep_var var = {"L", Lval};
    char what[64];
    snprintf(what, sizeof what, "%s", opt);
    if (dlmkl_sweep_list_expand(text, DLMKL_LIST_INTEGERS, &var, Lval ? 1 : 0, what, out) != DLMKL_OK)
        return cli_fail_lib(cmd, dlmkl_last_status());
    return 0;
}

int cmd_worst(int argc, char **argv)
{
    enum { OPT_SCHEDULE = CLI_OPT_FIRST_FREE, OPT_L, OPT_K };
    static const struct option longopts[] = {{"schedule", required_argument, 0, OPT_SCHEDULE},
                                             {"L", required_argument, 0, OPT_L},
                                             {"K", required_argument, 0, OPT_K},
                                             CLI_COMMON_LONGOPTS, CLI_DISPLAY_LONGOPTS,
                                             {0, 0, 0, 0}};
    enum { MAXN = 1024 };
    cli_common co;
    cli_common_init(&co);
    const char *sched[MAXN], *Ltext = NULL, *Ktext = NULL;
    int nsched = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:", longopts, &co)) != -1) {
        if (c < -1)
            return cli_stop_status(c);
        switch (c) {
        case OPT_HELP: {
            char own[256];
            printf("%s%s%s\n", worst_help, dlmkl_schedule_type_list(DLMKL_SCHED_FLAG_OWN_K, own, sizeof own),
                   worst_help_rest);
            cli_print_common_help(CLI_HELP_FORMAT);
            printf("\n%s", cli_help_footer);
            return 0;
        }
        case OPT_SCHEDULE:
            if (nsched == MAXN)
                return cli_fail("worst", "too many --schedule (at most %d)", MAXN);
            sched[nsched++] = optarg;
            break;
        case OPT_L:
            Ltext = optarg;
            break;
        case OPT_K:
            Ktext = optarg;
            break;
        default:
            return cli_usage("worst");
        }
    }
    if (optind < argc)
        return cli_fail("worst", "unexpected argument '%s'", argv[optind]);
    if (nsched == 0 || !Ltext)
        return cli_fail("worst", "give --schedule SCHED and --L N (see 'dlmkl worst --help')");
    for (int i = 0; i < nsched; i++) {
        if (dlmkl_schedule_spec_flags(sched[i]) & DLMKL_SCHED_FLAG_NEEDS_PROFILE)
            return cli_fail("worst", "schedule '%s' depends on the law; its worst case over laws is not defined", sched[i]);
        if (!dlmkl_schedule_implies_K(sched[i]) && !Ktext)
            return cli_fail("worst", "schedule '%s' needs --K", sched[i]);
    }
    dlmkl_sweep_list Ls = {0, NULL};
    if (expand("worst", "--L", Ltext, NULL, &Ls))
        return 2;
    cli_progress_begin(&co);

    /* compute every row before writing, so that an error leaves no partial file */
    typedef struct {
        char *name;
        int steps;
        dlmkl_worst w;
    } worst_row;
    size_t cap = 64, n = 0;
    worst_row *rows = malloc(cap * sizeof *rows);
    int st = rows ? DLMKL_OK : dlmkl_error(DLMKL_ENOMEM, "out of memory"), ret = 0;
    for (int li = 0; li < Ls.n && st == DLMKL_OK && !ret; li++) {
        long L = strtol(Ls.v[li], NULL, 10);
        if (L < 1 || L > 100000000L) {
            ret = cli_fail("worst", "--L %s: L must be in 1..100000000", Ls.v[li]);
            break;
        }
        dlmkl_sweep_list Ks = {0, NULL};
        if (Ktext && expand("worst", "--K", Ktext, Ls.v[li], &Ks)) {
            ret = 2;
            break;
        }
        for (int i = 0; i < nsched && st == DLMKL_OK; i++) {
            int implied = dlmkl_schedule_implies_K(sched[i]);
            int nk = implied ? 1 : Ks.n;
            for (int j = 0; j < nk && st == DLMKL_OK; j++) {
                long K = implied ? -1 : strtol(Ks.v[j], NULL, 10);
                if (!implied && K < 1) {
                    st = dlmkl_error(DLMKL_EINVAL, "K = %ld at L = %ld: K must be >= 1", K, L);
                    break;
                }
                dlmkl_schedule *s;
                if ((st = dlmkl_schedule_from_spec(sched[i], (int)L, (int)K, NULL, &s)) != DLMKL_OK)
                    break;
                if (n == cap) {
                    worst_row *nr = realloc(rows, 2 * cap * sizeof *nr);
                    if (nr)
                        rows = nr, cap *= 2;
                    else
                        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                }
                if (st == DLMKL_OK && (st = dlmkl_worst_compute(s, &rows[n].w)) == DLMKL_OK) {
                    rows[n].steps = s->nsteps;
                    if ((rows[n].name = strdup(s->name)) != NULL)
                        n++;
                    else
                        st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
                }
                dlmkl_schedule_free(s);
                /* progress: L values done, and the share of this L's rows */
                cli_progress_report(NULL, "worst rows", li + (double)(i * nk + j + 1) / (double)(nsched * nk), Ls.n);
            }
        }
        dlmkl_sweep_list_clear(&Ks);
    }
    dlmkl_sweep_list_clear(&Ls);
    if (!ret && st == DLMKL_OK) {
        /* the text in memory, then written as --format and --digits ask */
        char *text = NULL;
        size_t textlen = 0;
        dlmkl_out out = {.f = open_memstream(&text, &textlen)};
        if (!out.f)
            st = dlmkl_error(DLMKL_ENOMEM, "out of memory");
        else {
            fputs("schedule,L,K,steps,worst_tc,d_tc,worst_dtc,d_dtc,ln_L\n", out.f);
            for (size_t i = 0; i < n; i++) {
                const dlmkl_worst *w = &rows[i].w;
                dlmkl_put_str(out.f, rows[i].name);
                fprintf(out.f, ",%d,%d,%d,", w->L, w->K, rows[i].steps);
                dlmkl_put(out.f, w->worst_tc);
                fprintf(out.f, ",%d,", w->d_tc);
                dlmkl_put(out.f, w->worst_dtc);
                fprintf(out.f, ",%d,", w->d_dtc);
                dlmkl_put(out.f, w->ln_L);
                fputc('\n', out.f);
            }
            st = fclose(out.f) == 0 ? cli_write(text, &co) : dlmkl_error(DLMKL_ENOMEM, "out of memory");
        }
        free(text);
    }
    if (!ret && st != DLMKL_OK)
        ret = cli_fail_lib("worst", st);
    for (size_t i = 0; i < n; i++)
        free(rows[i].name);
    free(rows);
    return ret;
}
