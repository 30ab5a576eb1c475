/* test_positions.c: position policies — parsing, canonical names, and the reveal orders against their
 * definitions (l2r: the identity; stride d: position i has rank Σ_{r < i mod d} |{j < L: j ≡ r}| + ⌊i/d⌋). */
#include <stdio.h>
#include <string.h>

#include "dlmkl/positions.h"
#include "testutil.h"

START_TEST(test_parse_and_names)
{
    static const struct {
        const char *spec;
        int K;
        const char *name;
    } good[] = {{"random", 3, "random"}, {"l2r", 3, "l2r"}, {"stride", 3, "stride:3"}, {"stride", 0, "stride:1"},
                {"stride:4", 9, "stride:4"}, {"stride:1", 2, "stride:1"}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        dlmkl_positions pos;
        char buf[32];
        ck_assert_msg(dlmkl_positions_parse(good[i].spec, &pos) == DLMKL_OK, "'%s' refused: %s", good[i].spec,
                      dlmkl_last_error());
        dlmkl_positions_name(&pos, good[i].K, buf, sizeof buf);
        ck_assert_msg(strcmp(buf, good[i].name) == 0, "'%s' K=%d named '%s', expected '%s'", good[i].spec, good[i].K,
                      buf, good[i].name);
    }
    static const char *bad[] = {"", "diagonal", "stride:", "stride:0", "stride:-2", "stride:x", "stride:3x",
                                "stride:99999999999", "l2r:2", "Random", "stride4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dlmkl_positions pos;
        ck_assert_msg(dlmkl_positions_parse(bad[i], &pos) == DLMKL_EINVAL, "'%s' accepted", bad[i]);
        ck_assert_msg(strstr(dlmkl_last_error(), "position") != NULL, "'%s': message '%s'", bad[i], dlmkl_last_error());
    }
}
END_TEST

START_TEST(test_orders)
{
    int order[64];
    dlmkl_positions pos;
    ck_assert_int_eq(dlmkl_positions_parse("random", &pos), DLMKL_OK);
    ck_assert_int_eq(dlmkl_positions_order(&pos, 5, 2, order), DLMKL_EINVAL);
    for (int L = 1; L <= 40; L++) {
        ck_assert_int_eq(dlmkl_positions_parse("l2r", &pos), DLMKL_OK);
        ck_assert_int_eq(dlmkl_positions_order(&pos, L, 3, order), DLMKL_OK);
        for (int i = 0; i < L; i++)
            ck_assert_int_eq(order[i], i);
        for (int given = 0; given <= L + 2; given++)
            for (int K = 1; K <= 6; K++) {
                char spec[32];
                snprintf(spec, sizeof spec, given ? "stride:%d" : "stride", given);
                ck_assert_int_eq(dlmkl_positions_parse(spec, &pos), DLMKL_OK);
                ck_assert_int_eq(dlmkl_positions_order(&pos, L, K, order), DLMKL_OK);
                int d = given ? given : K; /* the default stride is K, clamped to 1..L */
                d = d > L ? L : d;
                int seen[64] = {0};
                for (int rank = 0; rank < L; rank++) {
                    int i = order[rank];
                    ck_assert_msg(i >= 0 && i < L && !seen[i], "%s L=%d K=%d: not a permutation", spec, L, K);
                    seen[i] = 1;
                    int want = i / d; /* the rank from the definition */
                    for (int r = 0; r < i % d; r++)
                        want += (L - r + d - 1) / d;
                    ck_assert_msg(rank == want, "%s L=%d K=%d: position %d at rank %d, expected %d", spec, L, K, i, rank,
                                  want);
                }
            }
    }
}
END_TEST

/* the orders of a few small cases, written out */
START_TEST(test_orders_written_out)
{
    dlmkl_positions pos;
    int order[16];
    ck_assert_int_eq(dlmkl_positions_parse("stride:3", &pos), DLMKL_OK);
    dlmkl_positions_order(&pos, 8, 2, order);
    static const int want[] = {0, 3, 6, 1, 4, 7, 2, 5};
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(order[i], want[i]);
    ck_assert_int_eq(dlmkl_positions_parse("stride", &pos), DLMKL_OK);
    dlmkl_positions_order(&pos, 6, 2, order); /* default stride = K = 2 */
    static const int want2[] = {0, 2, 4, 1, 3, 5};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(order[i], want2[i]);
    ck_assert_int_eq(dlmkl_positions_parse("l2r", &pos), DLMKL_OK);
    dlmkl_positions_order(&pos, 5, 2, order);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(order[i], i);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("positions");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_and_names);
    tcase_add_test(tc, test_orders);
    tcase_add_test(tc, test_orders_written_out);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
