/* test_host.c: the struct-free host entry (host.h). Its CSV text is checked against the library's
 * own structs by a second route written here (the profile, TC, DTC and kl rows formatted with %.17g
 * by this file), a borrowed table against the same table read from a file, the sample text against
 * the sampler's counts, budget lists against explicit lists, and every error path for a status,
 * a message and no text. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlmkl/host.h"
#include "dlmkl/kl.h"
#include "dlmkl/profile.h"
#include "dlmkl/schedule.h"
#include "internal.h" /* dlmkl_threads_setting, dlmkl_max_memory_setting */
#include "testutil.h"

/* field `col` (0-based) of line `line` (0-based) of a CSV text, split by the library's CSV reader
 * (dist names with commas are quoted); "" past the last line */
static char *field(const char *text, int line, int col)
{
    const char *p = text ? text : "";
    for (int i = 0; i < line && p; i++)
        p = strchr(p, '\n'), p = p ? p + 1 : NULL;
    ck_assert_msg(p != NULL, "line %d missing", line);
    static char buf[8][256];
    static int k;
    char *b = buf[k++ % 8];
    if (!*p) {
        b[0] = '\0';
        return b;
    }
    char linebuf[1024];
    snprintf(linebuf, sizeof linebuf, "%.*s", (int)strcspn(p, "\n"), p);
    dlmkl_csv_row row = {0};
    ck_assert_int_eq(dlmkl_csv_split(linebuf, &row), DLMKL_OK);
    ck_assert_msg(col < row.n, "column %d missing on line %d", col, line);
    snprintf(b, sizeof buf[0], "%s", row.field[col]);
    dlmkl_csv_row_free(&row);
    return b;
}

static void same_number(const char *cell, double want, const char *what)
{
    char buf[64];
    if (isnan(want))
        buf[0] = '\0';
    else
        snprintf(buf, sizeof buf, "%.17g", want == 0.0 ? 0.0 : want);
    ck_assert_msg(strcmp(cell, buf) == 0, "%s: host text '%s', expected '%s'", what, cell, buf);
}

static const char *specs[] = {"markov:L=7,stay=0.85", "copy:L=5,V=3", "random:L=4,V=3,seed=9", "perm:n=5"};

START_TEST(test_info_profile_text)
{
    for (size_t c = 0; c < sizeof specs / sizeof specs[0]; c++) {
        const char *spec = specs[c];
        dlmkl_host *h;
        ck_assert_int_eq(dlmkl_host_from_spec(spec, 0, &h), DLMKL_OK);
        dlmkl_dist *d = tu_dist(spec);
        dlmkl_profile *prof = tu_profile(d);
        ck_assert_int_eq(dlmkl_host_L(h), d->L);
        ck_assert_int_eq(dlmkl_host_V(h), d->V);
        char *info, *pt;
        for (int unit = 0; unit < 2; unit++) {
            const double f = unit ? log(2.0) : 1.0;
            ck_assert_int_eq(dlmkl_host_info_csv(h, (dlmkl_unit)unit, 1, &info), DLMKL_OK);
            ck_assert_str_eq(field(info, 0, 0), "dist");
            ck_assert_int_eq(atoi(field(info, 1, 1)), d->L);
            ck_assert_int_eq(atoi(field(info, 1, 2)), d->V);
            ck_assert_str_eq(field(info, 1, 3), unit ? "nats" : "bits");
            const double sc = dlmkl_profile_scale(prof);
            const double tc = dlmkl_nonneg(dlmkl_profile_tc(prof), sc), dtc = dlmkl_nonneg(dlmkl_profile_dtc(prof), sc);
            same_number(field(info, 1, 5), f * tc, tu_case("%s TC unit %d", spec, unit));
            same_number(field(info, 1, 6), f * dtc, tu_case("%s DTC unit %d", spec, unit));
            same_number(field(info, 1, 4), f * dlmkl_nonneg(prof->h[d->L], sc), tu_case("%s H", spec));
            dlmkl_host_text_free(info);
            /* without the header: one line */
            ck_assert_int_eq(dlmkl_host_info_csv(h, (dlmkl_unit)unit, 0, &info), DLMKL_OK);
            ck_assert_ptr_null(strchr(strchr(info, '\n') + 1, '\n'));
            dlmkl_host_text_free(info);
            ck_assert_int_eq(dlmkl_host_profile_csv(h, (dlmkl_unit)unit, &pt), DLMKL_OK);
            ck_assert_str_eq(field(pt, 0, 0), "m");
            for (int m = 0; m <= d->L; m++) {
                ck_assert_int_eq(atoi(field(pt, m + 1, 0)), m);
                same_number(field(pt, m + 1, 1), f * dlmkl_nonneg(prof->h[m], sc), tu_case("%s h(%d)", spec, m));
            }
            dlmkl_host_text_free(pt);
        }
        dlmkl_profile_free(prof);
        dlmkl_dist_free(d);
        dlmkl_host_free(h);
    }
}
END_TEST

START_TEST(test_kl_text)
{
    const char *spec = "markov:L=6,stay=0.8";
    dlmkl_host *h;
    ck_assert_int_eq(dlmkl_host_from_spec(spec, 0, &h), DLMKL_OK);
    dlmkl_dist *d = tu_dist(spec);
    dlmkl_profile *prof = tu_profile(d);
    const char *sched[] = {"balanced", "iid:cosine", "sizes:3,2,1"};
    const char *pos[] = {"random", "l2r"};
    const long K[] = {1, 3};
    char *csv;
    ck_assert_int_eq(dlmkl_host_kl_csv(h, sched, 2, K, 2, pos, 2, DLMKL_OUTPUT_LAW_AUTO, DLMKL_BITS, "5", &csv),
                     DLMKL_OK);
    /* rows nested schedule, K, positions; kl_expected (column 9) equals the row code's */
    int line = 1;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            for (int q = 0; q < 2; q++, line++) {
                dlmkl_positions p;
                ck_assert_int_eq(dlmkl_positions_parse(pos[q], &p), DLMKL_OK);
                dlmkl_kl_row row;
                ck_assert_int_eq(dlmkl_kl_row_compute(prof, d, sched[i], (int)K[j], &p, DLMKL_OUTPUT_LAW_AUTO, &row),
                                 DLMKL_OK);
                ck_assert_str_eq(field(csv, line, 4), row.schedule);
                ck_assert_str_eq(field(csv, line, 5), pos[q]);
                ck_assert_int_eq(atoi(field(csv, line, 6)), (int)K[j]);
                same_number(field(csv, line, 9), dlmkl_nonneg(row.kl_expected, dlmkl_profile_scale(prof)),
                            tu_case("%s K=%ld %s kl_expected", sched[i], K[j], pos[q]));
                ck_assert_str_eq(field(csv, line, 26), "5");
                dlmkl_kl_row_clear(&row);
            }
    ck_assert_str_eq(field(csv, line, 0), ""); /* nothing after the last row */
    dlmkl_host_text_free(csv);
    /* a schedule that implies K needs no budget: one row */
    ck_assert_int_eq(dlmkl_host_kl_csv(h, sched + 2, 1, NULL, 0, NULL, 0, DLMKL_OUTPUT_LAW_NEVER, DLMKL_BITS, NULL, &csv),
                     DLMKL_OK);
    ck_assert_int_eq(atoi(field(csv, 1, 6)), 3);
    ck_assert_str_eq(field(csv, 1, 8), "3-2-1");
    dlmkl_host_text_free(csv);
    /* errors: no text, a message */
    csv = (char *)1;
    ck_assert_int_ne(dlmkl_host_kl_csv(h, sched, 1, NULL, 0, NULL, 0, DLMKL_OUTPUT_LAW_AUTO, DLMKL_BITS, "", &csv),
                     DLMKL_OK);
    ck_assert_ptr_null(csv);
    ck_assert_msg(strstr(dlmkl_last_error(), "needs K") != NULL, "message: %s", dlmkl_last_error());
    const long big[] = {7};
    ck_assert_int_ne(dlmkl_host_kl_csv(h, sched, 1, big, 1, NULL, 0, DLMKL_OUTPUT_LAW_AUTO, DLMKL_BITS, "", &csv),
                     DLMKL_OK);
    ck_assert_ptr_null(csv);
    const char *badpos[] = {"sideways"};
    ck_assert_int_ne(dlmkl_host_kl_csv(h, sched, 1, K, 1, badpos, 1, DLMKL_OUTPUT_LAW_AUTO, DLMKL_BITS, "", &csv),
                     DLMKL_OK);
    dlmkl_profile_free(prof);
    dlmkl_dist_free(d);
    dlmkl_host_free(h);
}
END_TEST

START_TEST(test_borrowed_table)
{
    dlmkl_dist *d = tu_random_table(5, 3, 21, 1.0);
    char path[] = "/tmp/dlmkl_test_host_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(dlmkl_dist_write_table(d, path), DLMKL_OK);
    double *copy = malloc(d->n * sizeof *copy);
    memcpy(copy, d->p, d->n * sizeof *copy);
    char spec[64];
    snprintf(spec, sizeof spec, "table:%s", path);
    dlmkl_host *a, *b;
    ck_assert_int_eq(dlmkl_host_from_table(d->p, d->L, d->V, 0, "mine", &a), DLMKL_OK);
    ck_assert_int_eq(dlmkl_host_from_spec(spec, 0, &b), DLMKL_OK);
    const char *sched[] = {"optimal", "random-tc"};
    const long K[] = {2, 4};
    char *ta, *tb;
    ck_assert_int_eq(dlmkl_host_kl_csv(a, sched, 2, K, 2, NULL, 0, DLMKL_OUTPUT_LAW_ALWAYS, DLMKL_BITS, "", &ta), DLMKL_OK);
    ck_assert_int_eq(dlmkl_host_kl_csv(b, sched, 2, K, 2, NULL, 0, DLMKL_OUTPUT_LAW_ALWAYS, DLMKL_BITS, "", &tb), DLMKL_OK);
    /* equal after the dist column (the file holds the same doubles: %.17g round-trips) */
    const char *ra = ta, *rb = tb;
    for (int line = 0; ra && rb; line++) {
        const char *ea = strchr(ra, '\n'), *eb = strchr(rb, '\n');
        const char *ca = line ? strchr(ra, ',') : ra, *cb = line ? strchr(rb, ',') : rb;
        ck_assert_msg(ea && eb && ea - ca == eb - cb && memcmp(ca, cb, (size_t)(ea - ca)) == 0,
                      "line %d differs:\n%.*s\n%.*s", line, (int)(ea - ra), ra, (int)(eb - rb), rb);
        ra = ea[1] ? ea + 1 : NULL, rb = eb[1] ? eb + 1 : NULL;
    }
    ck_assert_msg(!ra && !rb, "different row counts");
    ck_assert_str_eq(field(ta, 1, 0), "mine");
    /* the table comes back as it was read */
    double *back = malloc(d->n * sizeof *back);
    ck_assert_int_eq(dlmkl_host_table(b, back, d->n), DLMKL_OK);
    ck_assert_int_eq(memcmp(back, d->p, d->n * sizeof *back), 0);
    ck_assert_int_ne(dlmkl_host_table(b, back, d->n - 1), DLMKL_OK);
    free(back);
    dlmkl_host_text_free(ta), dlmkl_host_text_free(tb);
    dlmkl_host_free(a), dlmkl_host_free(b);
    /* borrowed, never written: the caller's array is unchanged and still owned by the caller */
    ck_assert_int_eq(memcmp(copy, d->p, d->n * sizeof *copy), 0);
    /* normalize copies: the caller's array stays as given */
    for (uint64_t i = 0; i < d->n; i++)
        d->p[i] *= 3;
    ck_assert_int_ne(dlmkl_host_from_table(d->p, d->L, d->V, 0, "x3", &a), DLMKL_OK);
    ck_assert_msg(strstr(dlmkl_last_error(), "sum") != NULL, "message: %s", dlmkl_last_error());
    ck_assert_int_eq(dlmkl_host_from_table(d->p, d->L, d->V, 1, "x3", &a), DLMKL_OK);
    for (uint64_t i = 0; i < d->n; i++)
        ck_assert(d->p[i] == 3 * copy[i]);
    dlmkl_host_free(a);
    d->p[3] = -0.5;
    ck_assert_int_ne(dlmkl_host_from_table(d->p, d->L, d->V, 0, "neg", &a), DLMKL_OK);
    ck_assert_ptr_null(a);
    ck_assert_int_ne(dlmkl_host_from_table(d->p, 0, 3, 0, "L0", &a), DLMKL_OK);
    ck_assert_int_ne(dlmkl_host_from_table(d->p, 3, 1, 0, "V1", &a), DLMKL_OK);
    ck_assert_int_ne(dlmkl_host_from_table(NULL, 3, 2, 0, "null", &a), DLMKL_OK);
    unlink(path);
    free(copy);
    dlmkl_dist_free(d);
}
END_TEST

START_TEST(test_profile_only_and_sample)
{
    dlmkl_host *h;
    ck_assert_int_eq(dlmkl_host_from_profile("mds:q=7,n=7,k=3", DLMKL_BITS, &h), DLMKL_OK);
    ck_assert_int_eq(dlmkl_host_L(h), 7);
    ck_assert_int_eq(dlmkl_host_V(h), 7);
    char *csv = NULL;
    ck_assert_int_ne(dlmkl_host_sample_csv(h, "balanced", 2, 10, 1, NULL, 0, DLMKL_OUTPUT_LAW_AUTO, &csv), DLMKL_OK);
    ck_assert_ptr_null(csv);
    const char *sched[] = {"balanced"};
    const long K[] = {2};
    ck_assert_int_ne(dlmkl_host_kl_csv(h, sched, 1, K, 1, NULL, 0, DLMKL_OUTPUT_LAW_ALWAYS, DLMKL_BITS, "", &csv),
                     DLMKL_OK);
    ck_assert_int_eq(dlmkl_host_kl_csv(h, sched, 1, K, 1, NULL, 0, DLMKL_OUTPUT_LAW_AUTO, DLMKL_BITS, "", &csv),
                     DLMKL_OK);
    ck_assert_str_eq(field(csv, 1, 2), "7");
    ck_assert_str_eq(field(csv, 1, 10), ""); /* no kl_output without a table */
    double cell;
    ck_assert_int_ne(dlmkl_host_table(h, &cell, 1), DLMKL_OK);
    dlmkl_host_text_free(csv);
    dlmkl_host_free(h);
    ck_assert_int_ne(dlmkl_host_from_profile("no-such-file", DLMKL_BITS, &h), DLMKL_OK);
    ck_assert_ptr_null(h);

    /* sample: the law format's counts sum to n and tally the samples format's rows */
    ck_assert_int_eq(dlmkl_host_from_spec("markov:L=4,stay=0.7", 0, &h), DLMKL_OK);
    char *law, *draws;
    ck_assert_int_eq(dlmkl_host_sample_csv(h, "balanced", 2, 400, 3, "random", 0, DLMKL_OUTPUT_LAW_AUTO, &law), DLMKL_OK);
    ck_assert_int_eq(dlmkl_host_sample_csv(h, "balanced", 2, 400, 3, NULL, 1, DLMKL_OUTPUT_LAW_AUTO, &draws), DLMKL_OK);
    long total = 0;
    for (int line = 1; *field(law, line, 0); line++) {
        char x[32];
        snprintf(x, sizeof x, "%s", field(law, line, 0));
        long count = atol(field(law, line, 1)), seen = 0;
        for (int r = 1; *field(draws, r, 0); r++)
            seen += strcmp(field(draws, r, 1), x) == 0;
        ck_assert_msg(seen == count, "x = %s: %ld draws, count %ld", x, seen, count);
        total += count;
    }
    ck_assert_int_eq(total, 400);
    dlmkl_host_text_free(law), dlmkl_host_text_free(draws);
    ck_assert_int_ne(dlmkl_host_sample_csv(h, "balanced", 2, 10, 0, NULL, 0, DLMKL_OUTPUT_LAW_AUTO, &law), DLMKL_OK);
    ck_assert_int_ne(dlmkl_host_sample_csv(h, "balanced", 0, 10, 1, NULL, 0, DLMKL_OUTPUT_LAW_AUTO, &law), DLMKL_OK);
    dlmkl_host_free(h);
}
END_TEST

START_TEST(test_expand_K)
{
    struct {
        const char *text;
        int L;
        int n;
        long v[8];
    } cases[] = {{"1..4", 0, 4, {1, 2, 3, 4}},         {"pow2:1..L", 16, 5, {1, 2, 4, 8, 16}},
                 {"L/4, L/2, L", 12, 3, {3, 6, 12}},   {"2..L:3", 10, 3, {2, 5, 8}},
                 {"2^0..2^3", 0, 4, {1, 2, 4, 8}},     {"5, 5, 3", 0, 2, {5, 3}}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        long *K;
        int n;
        ck_assert_msg(dlmkl_host_expand_K(cases[c].text, cases[c].L, "K", &K, &n) == DLMKL_OK, "%s: %s",
                      cases[c].text, dlmkl_last_error());
        ck_assert_int_eq(n, cases[c].n);
        for (int i = 0; i < n; i++)
            ck_assert_msg(K[i] == cases[c].v[i], "%s: item %d is %ld, expected %ld", cases[c].text, i, K[i],
                          cases[c].v[i]);
        dlmkl_host_text_free((char *)K);
    }
    const char *bad[] = {"0", "1..L", "x", "4..2", "", "2000000000"};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        long *K = (long *)1;
        int n = 7;
        ck_assert_msg(dlmkl_host_expand_K(bad[c], 0, "K", &K, &n) != DLMKL_OK, "'%s' accepted", bad[c]);
        ck_assert_ptr_null(K);
        ck_assert_int_eq(n, 0);
        ck_assert_msg(dlmkl_last_error()[0] != '\0', "'%s': no message", bad[c]);
    }
}
END_TEST

/* thread counts per handle and per calling thread: two threads compute the same rows at the same time
 * with handles of 1 and 3 threads; both texts equal the reference byte for byte, and neither call
 * changes its thread's own setting (dlmkl_threads_setting: also without OpenMP, where dlmkl_threads is 1) */
typedef struct {
    int threads, own_before, own_after;
    int st;
    char *kl;
} host_job;

static void *host_job_run(void *arg)
{
    host_job *j = arg;
    dlmkl_set_threads(2); /* this thread's own setting, which the handle's count must not change */
    j->own_before = dlmkl_threads_setting();
    dlmkl_host *h;
    j->st = dlmkl_host_from_spec("markov:L=10,stay=0.6", 0, &h);
    if (j->st == DLMKL_OK) {
        dlmkl_host_set_threads(h, j->threads);
        const char *sched[] = {"balanced", "iid:cosine"};
        const long K[] = {2, 5};
        j->st = dlmkl_host_kl_csv(h, sched, 2, K, 2, NULL, 0, DLMKL_OUTPUT_LAW_ALWAYS, DLMKL_BITS, "", &j->kl);
        dlmkl_host_free(h);
    }
    j->own_after = dlmkl_threads_setting();
    return NULL;
}

START_TEST(test_threads_per_handle)
{
    host_job ref = {1, 0, 0, 0, NULL};
    host_job_run(&ref);
    ck_assert_int_eq(ref.st, DLMKL_OK);
    dlmkl_set_threads(0);
    const int main_threads = dlmkl_threads();
    host_job jobs[2] = {{1, 0, 0, 0, NULL}, {3, 0, 0, 0, NULL}};
    pthread_t tid[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&tid[i], NULL, host_job_run, &jobs[i]), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(tid[i], NULL);
        ck_assert_int_eq(jobs[i].st, DLMKL_OK);
        ck_assert_msg(strcmp(jobs[i].kl, ref.kl) == 0, "rows with %d threads differ from the reference", jobs[i].threads);
        ck_assert_int_eq(jobs[i].own_before, 2);
        ck_assert_int_eq(jobs[i].own_after, 2);
        dlmkl_host_text_free(jobs[i].kl);
    }
    ck_assert_int_eq(dlmkl_threads(), main_threads); /* the other threads' settings are their own */
    dlmkl_host_text_free(ref.kl);
}
END_TEST

/* memory caps per calling thread and per handle: two threads run at the same time (a barrier lines
 * them up after each has set its cap), one with a cap below what its call needs, which fails with
 * DLMKL_ETOOBIG and the cap's message, the other with a cap above it, whose text equals the
 * reference; neither changes the other's setting nor the main thread's, and a handle's cap does not
 * change its thread's own (dlmkl_max_memory_setting) */
typedef struct {
    size_t cap;     /* the cap of this thread's call */
    int per_handle; /* 0: the thread's setting (dlmkl_set_max_memory); 1: the handle's */
    pthread_barrier_t *bar;
    int st;
    char msg[512];
    char *profile;
    size_t own_before, own_after, seen;
} cap_job;

static const char cap_spec[] = "random:L=12,V=2,seed=3"; /* a table of 2^12 doubles, 32 KiB */

static void *cap_job_run(void *arg)
{
    cap_job *j = arg;
    const size_t own = j->per_handle ? (size_t)1 << 40 : j->cap;
    dlmkl_set_max_memory(own);
    j->own_before = dlmkl_max_memory_setting();
    dlmkl_host *h = NULL;
    if (j->per_handle) /* the handle is built under the thread's (large) cap, then given its own */
        j->st = dlmkl_host_from_spec(cap_spec, 0, &h);
    pthread_barrier_wait(j->bar);
    j->seen = dlmkl_max_memory(); /* after the other thread set its own */
    if (!j->per_handle)
        j->st = dlmkl_host_from_spec(cap_spec, 0, &h);
    else if (j->st == DLMKL_OK)
        dlmkl_host_set_max_memory(h, j->cap);
    if (j->st == DLMKL_OK)
        j->st = dlmkl_host_profile_csv(h, DLMKL_BITS, &j->profile);
    snprintf(j->msg, sizeof j->msg, "%s", j->st ? dlmkl_last_error() : "");
    if (h)
        dlmkl_host_free(h);
    j->own_after = dlmkl_max_memory_setting();
    return NULL;
}

START_TEST(test_memory_cap_per_thread_and_handle)
{
    dlmkl_host *h;
    ck_assert_int_eq(dlmkl_host_from_spec(cap_spec, 0, &h), DLMKL_OK);
    char *ref;
    ck_assert_int_eq(dlmkl_host_profile_csv(h, DLMKL_BITS, &ref), DLMKL_OK);
    dlmkl_host_free(h);
    const size_t main_setting = dlmkl_max_memory_setting();
    for (int per_handle = 0; per_handle <= 1; per_handle++) {
        pthread_barrier_t bar;
        ck_assert_int_eq(pthread_barrier_init(&bar, NULL, 2), 0);
        /* 4 KiB holds neither the table (32 KiB) nor the profile's workspace; 1 GiB holds both */
        cap_job jobs[2] = {{(size_t)4096, per_handle, &bar, 0, "", NULL, 0, 0, 0},
                           {(size_t)1 << 30, per_handle, &bar, 0, "", NULL, 0, 0, 0}};
        pthread_t tid[2];
        for (int i = 0; i < 2; i++)
            ck_assert_int_eq(pthread_create(&tid[i], NULL, cap_job_run, &jobs[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(tid[i], NULL);
        pthread_barrier_destroy(&bar);
        ck_assert_msg(jobs[0].st == DLMKL_ETOOBIG, "per_handle=%d: the 4 KiB cap gave status %d (%s)", per_handle,
                      jobs[0].st, jobs[0].msg);
        ck_assert_msg(strstr(jobs[0].msg, "above the memory cap of 4.00 KiB") != NULL, "message: %s", jobs[0].msg);
        ck_assert_ptr_null(jobs[0].profile);
        ck_assert_msg(jobs[1].st == DLMKL_OK, "per_handle=%d: the 1 GiB cap failed: %s", per_handle, jobs[1].msg);
        ck_assert_str_eq(jobs[1].profile, ref);
        for (int i = 0; i < 2; i++) {
            const size_t own = per_handle ? (size_t)1 << 40 : jobs[i].cap;
            ck_assert_uint_eq(jobs[i].own_before, own);
            ck_assert_uint_eq(jobs[i].own_after, own); /* a handle's cap leaves the thread's own */
            ck_assert_uint_eq(jobs[i].seen, own);      /* the other thread's setting is not this one's */
        }
        dlmkl_host_text_free(jobs[1].profile);
    }
    ck_assert_uint_eq(dlmkl_max_memory_setting(), main_setting);
    dlmkl_host_text_free(ref);
}
END_TEST

int main(void)
{
    dlmkl_set_threads(1);
    Suite *s = suite_create("host");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_info_profile_text);
    tcase_add_test(tc, test_kl_text);
    tcase_add_test(tc, test_borrowed_table);
    tcase_add_test(tc, test_profile_only_and_sample);
    tcase_add_test(tc, test_expand_K);
    tcase_add_test(tc, test_threads_per_handle);
    tcase_add_test(tc, test_memory_cap_per_thread_and_handle);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
