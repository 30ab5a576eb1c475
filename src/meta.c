/* meta.c: the NAME.meta.json sidecar of a sweep (jansson). Wall-clock times and timings live
 * here only; the CSV holds results alone, so that it is identical run after run. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlmkl/io.h"
#include "dlmkl/sweep.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static json_t *iso_time(double t)
{
    if (!(t > 0))
        return json_null();
    time_t s = (time_t)t;
    struct tm tm;
    char buf[64];
    if (!gmtime_r(&s, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return json_null();
    return json_string(buf);
}

/* min / median / max / total of n values (median of an even count: mean of the middle two) */
static json_t *summary(const double *x, long n)
{
    json_t *o = json_object();
    if (n <= 0) {
        json_object_set_new(o, "count", json_integer(0));
        json_object_set_new(o, "min", json_null());
        json_object_set_new(o, "median", json_null());
        json_object_set_new(o, "max", json_null());
        json_object_set_new(o, "total", json_real(0.0));
        return o;
    }
    double *c = malloc((size_t)n * sizeof *c);
    if (!c) {
        json_decref(o);
        return NULL;
    }
    memcpy(c, x, (size_t)n * sizeof *c);
    qsort(c, (size_t)n, sizeof *c, cmp_double);
    double tot = 0;
    for (long i = 0; i < n; i++)
        tot += c[i];
    double med = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    json_object_set_new(o, "count", json_integer(n));
    json_object_set_new(o, "min", json_real(c[0]));
    json_object_set_new(o, "median", json_real(med));
    json_object_set_new(o, "max", json_real(c[n - 1]));
    json_object_set_new(o, "total", json_real(tot));
    free(c);
    return o;
}

/* a seed as a JSON integer when it is one, else as text */
static json_t *seed_value(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end != s && !*end)
        return json_integer(v);
    return json_string(s);
}

int dlmkl_sweep_meta_write(const char *path, const dlmkl_sweep_config *cfg, const dlmkl_sweep_plan *plan,
                           const dlmkl_sweep_stats *stats, const dlmkl_sweep_meta_info *info)
{
    json_t *root = json_object();
    if (!root)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory");
    json_object_set_new(root, "name", json_string(cfg->name));
    json_object_set_new(root, "description", json_string(cfg->description ? cfg->description : ""));
    json_object_set_new(root, "dlmkl_version", json_string(dlmkl_version()));
    json_object_set_new(root, "git_revision", json_string(dlmkl_git_revision()));

    json_t *c = json_object();
    json_object_set_new(c, "path", cfg->path ? json_string(cfg->path) : json_null());
    json_object_set_new(c, "text", json_stringn(cfg->text ? cfg->text : "", cfg->text ? strlen(cfg->text) : 0));
    json_object_set_new(c, "quick", json_boolean(cfg->quick));
    json_object_set_new(root, "config", c);

    json_t *argv = json_array();
    for (int i = 0; info && i < info->argc; i++)
        json_array_append_new(argv, json_string(info->argv[i]));
    json_object_set_new(root, "command_line", argv);

    json_object_set_new(root, "unit", json_string(dlmkl_unit_name(cfg->unit)));
    json_object_set_new(root, "rng", json_string("mt19937"));
    json_t *seeds = json_array();
    for (int i = 0; i < plan->ndists; i++) {
        const char *s = plan->dists[i].seed;
        if (!s)
            continue;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = plan->dists[j].seed && strcmp(plan->dists[j].seed, s) == 0;
        if (!seen)
            json_array_append_new(seeds, seed_value(s));
    }
    json_object_set_new(root, "seeds", seeds);
    json_object_set_new(root, "threads", json_integer(dlmkl_threads()));
    json_object_set_new(root, "output_law_auto_terms", json_real(DLMKL_OUTPUT_LAW_AUTO_TERMS));

    json_object_set_new(root, "start_time", iso_time(info ? info->start_time : 0));
    json_object_set_new(root, "end_time", iso_time(info ? info->end_time : 0));
    json_object_set_new(root, "elapsed_seconds", json_real(stats->seconds));

    json_t *rows = json_object();
    json_object_set_new(rows, "total", json_integer(stats->rows_total));
    json_object_set_new(rows, "computed", json_integer(stats->rows_computed));
    json_object_set_new(rows, "skipped", json_integer(stats->rows_skipped));
    json_object_set_new(rows, "infeasible_left_out", json_integer(plan->ninfeasible));
    json_object_set_new(root, "rows", rows);
    json_t *dists = json_object();
    json_object_set_new(dists, "total", json_integer(plan->ndists));
    json_object_set_new(dists, "profiles_computed", json_integer(stats->dists_computed));
    json_object_set_new(root, "distributions", dists);

    json_t *timing = json_object();
    json_t *rs = summary(stats->row_seconds, stats->rows_computed);
    json_object_set_new(timing, "row_seconds", rs ? rs : json_null());
    json_object_set_new(timing, "profile_seconds_total", json_real(stats->profile_seconds));
    json_object_set_new(root, "timing", timing);

    const char *csv = stats->csv_path ? strrchr(stats->csv_path, '/') : NULL;
    json_object_set_new(root, "csv", json_string(csv ? csv + 1 : (stats->csv_path ? stats->csv_path : "")));
    /* the column names, from the header writer (one source of truth) */
    char *hdr = NULL;
    size_t hl = 0;
    FILE *hf = open_memstream(&hdr, &hl);
    json_t *cols = json_array();
    if (hf) {
        dlmkl_sweep_write_header(plan, hf);
        fclose(hf);
        char *save = NULL;
        for (char *t = strtok_r(hdr, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save))
            json_array_append_new(cols, json_string(t));
    }
    free(hdr);
    json_object_set_new(root, "columns", cols);

    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return dlmkl_error(DLMKL_ENOMEM, "out of memory writing metadata");
    dlmkl_out o;
    int st = dlmkl_out_open(path, &o);
    if (st) {
        free(text);
        return st;
    }
    fputs(text, o.f);
    fputc('\n', o.f);
    free(text);
    return dlmkl_out_commit(&o);
}
