/* test_io.c: the CSV writers (numbers round-trip through strtod bit for bit; text cells read back
 * by dlmkl_csv_split to the same string) and the atomic output files (nothing at the path until
 * commit, no temporary left behind, abort leaves an earlier file alone). Random cases print their
 * seed and input on failure. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <gsl/gsl_rng.h>

#include "dlmkl/common.h"
#include "dlmkl/io.h"
#include "testutil.h"

/* what dlmkl_put or dlmkl_put_str writes, as a string (static buffer) */
static const char *put_double(double x)
{
    static char buf[128];
    char *m = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&m, &n);
    ck_assert_ptr_nonnull(f);
    dlmkl_put(f, x);
    fclose(f);
    snprintf(buf, sizeof buf, "%s", m);
    free(m);
    return buf;
}

static const char *put_text(const char *s)
{
    static char buf[512];
    char *m = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&m, &n);
    ck_assert_ptr_nonnull(f);
    dlmkl_put_str(f, s);
    fclose(f);
    snprintf(buf, sizeof buf, "%s", m);
    free(m);
    return buf;
}

START_TEST(test_put_double_round_trips)
{
    const unsigned long seed = 21;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (int i = 0; i < 50000; i++) {
        uint64_t bits = ((uint64_t)gsl_rng_get(r) << 32) ^ gsl_rng_get(r);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        const char *s = put_double(x);
        double back = strtod(s, NULL);
        /* -0 is written as 0 (a CSV cell has no signed zero) */
        double want = x == 0.0 ? 0.0 : x;
        ck_assert_msg(memcmp(&back, &want, sizeof back) == 0, "seed %lu case %d: %.17g written as '%s'", seed, i, x,
                      s);
    }
    gsl_rng_free(r);
    ck_assert_str_eq(put_double(NAN), "");
    ck_assert_str_eq(put_double(INFINITY), "inf");
    ck_assert_str_eq(put_double(-INFINITY), "-inf");
    ck_assert_str_eq(put_double(-0.0), "0");
    ck_assert_str_eq(put_double(0.1), "0.10000000000000001");
}
END_TEST

START_TEST(test_put_str_reads_back)
{
    const unsigned long seed = 22;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    const char alphabet[] = "ab,\"\r\n x:{}=";
    for (int i = 0; i < 5000; i++) {
        char s[24];
        int n = (int)gsl_rng_uniform_int(r, sizeof s);
        for (int j = 0; j < n; j++)
            s[j] = alphabet[gsl_rng_uniform_int(r, sizeof alphabet - 1)];
        s[n] = '\0';
        /* the cell followed by a second cell: split must give the string and "end" */
        char line[600];
        snprintf(line, sizeof line, "%s,end", put_text(s));
        const int plain = strpbrk(s, ",\"\r\n") == NULL;
        ck_assert_msg(plain == (line[0] != '"') || n == 0, "seed %lu case %d: '%s' quoted needlessly or not at all",
                      seed, i, s);
        dlmkl_csv_row row = {0};
        ck_assert_int_eq(dlmkl_csv_split(line, &row), DLMKL_OK);
        ck_assert_msg(row.n == 2 && strcmp(row.field[0], s) == 0 && strcmp(row.field[1], "end") == 0,
                      "seed %lu case %d: '%s' read back as %d fields, first '%s'", seed, i, s, row.n,
                      row.n ? row.field[0] : "");
        dlmkl_csv_row_free(&row);
    }
    gsl_rng_free(r);
    ck_assert_str_eq(put_text("mixture:1*{copy:L=3}"), "mixture:1*{copy:L=3}");
    ck_assert_str_eq(put_text("a,b"), "\"a,b\"");
    ck_assert_str_eq(put_text("say \"x\""), "\"say \"\"x\"\"\"");
}
END_TEST

/* number of entries of dir (. and .. excluded) */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_out_atomic)
{
    char dir[] = "/tmp/dlmkl_test_io_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.csv", dir);

    /* commit: nothing at the path before, the content after, no temporary left */
    dlmkl_out o;
    ck_assert_int_eq(dlmkl_out_open(path, &o), DLMKL_OK);
    fputs("first\n", o.f);
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_assert_int_eq(count_entries(dir), 1); /* the temporary */
    ck_assert_int_eq(dlmkl_out_commit(&o), DLMKL_OK);
    ck_assert_str_eq(slurp(path), "first\n");
    ck_assert_int_eq(count_entries(dir), 1);

    /* abort: the earlier file stays as it was, the temporary is gone */
    ck_assert_int_eq(dlmkl_out_open(path, &o), DLMKL_OK);
    fputs("second\n", o.f);
    dlmkl_out_abort(&o);
    ck_assert_str_eq(slurp(path), "first\n");
    ck_assert_int_eq(count_entries(dir), 1);

    /* replace keeps the earlier file's mode */
    ck_assert_int_eq(chmod(path, 0640), 0);
    ck_assert_int_eq(dlmkl_out_open(path, &o), DLMKL_OK);
    fputs("third\n", o.f);
    ck_assert_int_eq(dlmkl_out_commit(&o), DLMKL_OK);
    ck_assert_str_eq(slurp(path), "third\n");
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0640);

    /* a folder that does not exist: DLMKL_EIO, nothing created */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/out.csv", dir);
    ck_assert_int_eq(dlmkl_out_open(bad, &o), DLMKL_EIO);
    ck_assert_int_eq(dlmkl_last_status(), DLMKL_EIO);

    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("io");
    tcase_add_test(tc, test_put_double_round_trips);
    tcase_add_test(tc, test_put_str_reads_back);
    tcase_add_test(tc, test_out_atomic);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
