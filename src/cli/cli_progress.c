/* cli_progress.c: the progress line of every subcommand on stderr (info, profile, kl, worst, sample
 * and sweep: the one drawer). The library reports its stages through dlmkl_set_progress (it never
 * prints), the sweep its rows through its own callback; this file draws them: only when stderr is a
 * terminal, without --quiet, and only once the command has run for PROGRESS_DELAY seconds (a quick
 * command prints nothing). Each active stage shows its share done and an ETA from its own rate (or
 * the caller's estimate); nested stages (sweep rows, each distribution's profile; kl rows, each with
 * its kl_output pass) are shown side by side, then what is being worked on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_DELAY 1.0     /* seconds before the first draw (DLMKL_PROGRESS_DELAY overrides it) */
#define PROGRESS_INTERVAL 0.1  /* seconds between redraws */
#define MAX_STAGES 4

typedef struct {
    const char *what;
    double done, total, start; /* start: when done was last 0 (the stage's own clock) */
    double eta;                /* the caller's estimate of the seconds left (NAN: from the rate) */
    char count[48];            /* e.g. "12/40 rows (3 reused)", drawn after what ("" none) */
} stage;

static struct {
    int on, shown, width;
    double t0, last, delay;
    stage st[MAX_STAGES];
    int n;
    char context[160];         /* what is being worked on, drawn last ("" none) */
} P;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_format_seconds(double s, char *buf, size_t len)
{
    if (s < 0)
        snprintf(buf, len, "--");
    else if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

static void draw(double t)
{
    char line[1024], el[32];
    cli_format_seconds(t - P.t0, el, sizeof el);
    int n = snprintf(line, sizeof line, "%s", el);
    for (int i = 0; i < P.n && n < (int)sizeof line; i++) {
        const stage *s = &P.st[i];
        char eta[32];
        const double frac = s->total > 0 ? s->done / s->total : 0.0;
        cli_format_seconds(!isnan(s->eta) ? s->eta : frac > 0 ? (t - s->start) * (1.0 - frac) / frac : -1.0, eta,
                           sizeof eta);
        n += snprintf(line + n, sizeof line - (size_t)n, "  %s%s%s %.0f%% ETA %s", s->what, *s->count ? " " : "",
                      s->count, 100.0 * frac, eta);
    }
    if (*P.context && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "  %s", P.context);
    const int w = P.width - 1;
    if (n > w)
        line[w] = 0;
    fprintf(stderr, "\r%-*s", w, line);
    fflush(stderr);
    P.shown = 1;
    P.last = t;
}

void cli_progress_report(void *ctx, const char *what, double done, double total)
{
    (void)ctx;
    cli_progress_stage(what, done, total, NAN, NULL, NULL);
}

void cli_progress_stage(const char *what, double done, double total, double eta, const char *count,
                        const char *context)
{
    if (!P.on)
        return;
    const double t = now_s();
    int i = 0;
    while (i < P.n && strcmp(P.st[i].what, what) != 0)
        i++;
    if (i == P.n) {
        if (P.n == MAX_STAGES)
            return;
        P.st[P.n++] = (stage){what, 0.0, total, t, NAN, ""};
    }
    stage *s = &P.st[i];
    if (done <= 0 || done < s->done)
        s->start = t; /* the stage starts again (the next pass) */
    s->done = done, s->total = total, s->eta = eta;
    snprintf(s->count, sizeof s->count, "%s", count ? count : "");
    if (context)
        snprintf(P.context, sizeof P.context, "%s", context);
    if (done >= total) { /* finished: drop it and the stages nested in it */
        P.n = i;
        return;
    }
    if (t - P.t0 >= P.delay && t - P.last >= PROGRESS_INTERVAL)
        draw(t);
}

void cli_progress_begin(const cli_common *co)
{
    P.on = !co->quiet && isatty(2);
    P.shown = P.n = 0;
    P.context[0] = 0;
    P.t0 = now_s();
    P.last = 0;
    /* the terminal's width (80 when unknown), within the line buffer */
    struct winsize ws;
    P.width = P.on && ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20 ? ws.ws_col : 80;
    if (P.width > 1000)
        P.width = 1000;
    /* the tests draw at once, whatever the machine's speed */
    const char *e = getenv("DLMKL_PROGRESS_DELAY");
    char *end;
    P.delay = e && *e ? strtod(e, &end) : PROGRESS_DELAY;
    if (!e || !*e || *end || !(P.delay >= 0))
        P.delay = PROGRESS_DELAY;
    dlmkl_set_progress(P.on ? cli_progress_report : NULL, NULL);
}

void cli_progress_end(void)
{
    if (P.shown) {
        fprintf(stderr, "\r%-*s\r", P.width - 1, "");
        fflush(stderr);
    }
    P.shown = P.n = 0;
    P.context[0] = 0;
}
