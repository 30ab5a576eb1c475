/* test_spec_kv.c: key=value lists of specs. Parsing against a reference split written here (strtok
 * on ',' then the first '='), typed getters against strtol/strtod, the lenient peek against
 * parse + getter, and the malformed lists each with its message. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "spec_kv.h"
#include "testutil.h"

START_TEST(test_parse_vs_reference)
{
    const unsigned long seed = 41;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (int i = 0; i < 2000; i++) {
        /* distinct keys k0..k9 in random order with random values (digits, '.', '-', '/', letters) */
        char text[512] = "", keys[10][8], vals[10][16];
        int n = (int)gsl_rng_uniform_int(r, 10) + 1, used[10] = {0};
        for (int j = 0; j < n; j++) {
            int k;
            do
                k = (int)gsl_rng_uniform_int(r, 10);
            while (used[k]);
            used[k] = 1;
            snprintf(keys[j], sizeof keys[j], "k%d", k);
            int vl = (int)gsl_rng_uniform_int(r, 12);
            for (int c = 0; c < vl; c++)
                vals[j][c] = "0123456789.-/ab"[gsl_rng_uniform_int(r, 15)];
            vals[j][vl] = '\0';
            size_t tl = strlen(text);
            snprintf(text + tl, sizeof text - tl, "%s%s=%s", j ? "," : "", keys[j], vals[j]);
        }
        dlmkl_kv kv;
        int st = dlmkl_kv_parse(text, &kv);
        ck_assert_msg(st == DLMKL_OK, "seed %lu case %d: '%s': %s", seed, i, text, dlmkl_last_error());
        ck_assert_int_eq(kv.n, n);
        for (int j = 0; j < n; j++) {
            ck_assert_msg(strcmp(kv.key[j], keys[j]) == 0 && strcmp(kv.val[j], vals[j]) == 0,
                          "seed %lu case %d: '%s' item %d: %s=%s", seed, i, text, j, kv.key[j], kv.val[j]);
            ck_assert(dlmkl_kv_has(&kv, keys[j]));
            /* a whole integer value: the getter and the peek agree with strtol */
            char *end;
            long want = strtol(vals[j], &end, 10);
            const int whole = *vals[j] && !*end && strspn(vals[j], "0123456789-") == strlen(vals[j]);
            long got = 0;
            int gst = dlmkl_kv_int(&kv, "fam", keys[j], 1, 0, &got);
            if (whole && gst == DLMKL_OK)
                ck_assert_msg(got == want && dlmkl_kv_peek_long(text, keys[j]) == want,
                              "seed %lu case %d: %s=%s read as %ld", seed, i, keys[j], vals[j], got);
            if (!whole)
                ck_assert_msg(gst == DLMKL_EINVAL, "seed %lu case %d: %s=%s accepted as an integer", seed, i, keys[j],
                              vals[j]);
        }
        ck_assert_int_eq(dlmkl_kv_check_unused(&kv, "fam", "k0..k9"), DLMKL_OK); /* every key was asked for */
        dlmkl_kv_clear(&kv);
    }
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_malformed)
{
    const struct {
        const char *text, *phrase;
    } bad[] = {
        {"a=1,,b=2", "empty item"}, {"a=1,", "trailing comma"}, {"a", "not key=value"},
        {"=1", "not key=value"},    {"a=1,a=2", "given twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dlmkl_kv kv;
        ck_assert_int_eq(dlmkl_kv_parse(bad[i].text, &kv), DLMKL_EINVAL);
        ck_assert_msg(strstr(dlmkl_last_error(), bad[i].phrase), "'%s': %s", bad[i].text, dlmkl_last_error());
        ck_assert_int_eq(kv.n, 0);
    }
    char many[1024] = "";
    for (int i = 0; i <= DLMKL_KV_MAX; i++) {
        size_t l = strlen(many);
        snprintf(many + l, sizeof many - l, "%sk%d=1", i ? "," : "", i);
    }
    dlmkl_kv kv;
    ck_assert_int_eq(dlmkl_kv_parse(many, &kv), DLMKL_EINVAL);
    ck_assert_int_eq(dlmkl_kv_parse("", &kv), DLMKL_OK);
    ck_assert_int_eq(kv.n, 0);
    dlmkl_kv_clear(&kv);
}
END_TEST

START_TEST(test_getters)
{
    dlmkl_kv kv;
    ck_assert_int_eq(dlmkl_kv_parse("L=8,p=0.25,seed=4294967296,name=x,typo=3", &kv), DLMKL_OK);
    long L;
    double p;
    uint64_t s;
    ck_assert_int_eq(dlmkl_kv_int(&kv, "fam", "L", 1, 0, &L), DLMKL_OK);
    ck_assert_int_eq(L, 8);
    ck_assert_int_eq(dlmkl_kv_double(&kv, "fam", "p", 1, 0, &p), DLMKL_OK);
    ck_assert(p == strtod("0.25", NULL));
    ck_assert_int_eq(dlmkl_kv_u64(&kv, "fam", "seed", 1, 0, &s), DLMKL_OK);
    ck_assert(s == 4294967296ULL);
    ck_assert_str_eq(dlmkl_kv_str(&kv, "name"), "x");
    ck_assert_int_eq(dlmkl_kv_int(&kv, "fam", "V", 0, 2, &L), DLMKL_OK);
    ck_assert_int_eq(L, 2);
    ck_assert_int_eq(dlmkl_kv_int(&kv, "fam", "q", 1, 0, &L), DLMKL_EINVAL);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "missing required key 'q'"));
    ck_assert_int_eq(dlmkl_kv_check_unused(&kv, "fam", "L, p, seed, name"), DLMKL_EINVAL);
    ck_assert_ptr_nonnull(strstr(dlmkl_last_error(), "unknown key 'typo'"));
    dlmkl_kv_clear(&kv);
    ck_assert_int_eq(dlmkl_kv_peek_long("L=3,V=4", "V"), 4);
    ck_assert_int_eq(dlmkl_kv_peek_long(" L=3, V=4", "V"), 4);
    ck_assert_int_eq(dlmkl_kv_peek_long("L=3x,V=4", "L"), -1);
    ck_assert_int_eq(dlmkl_kv_peek_long("LL=3", "L"), -1);
    ck_assert_int_eq(dlmkl_kv_peek_long("", "L"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spec_kv");
    TCase *tc = tcase_create("spec_kv");
    tcase_add_test(tc, test_parse_vs_reference);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_getters);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
