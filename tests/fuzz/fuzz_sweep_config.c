/* fuzz_sweep_config.c: sweep config text (INI via libinih, sections, placeholders) and, for each
 * section of an accepted config, its K list as the sweep expands it (grid expressions, ranges,
 * powers, parentheses) with L = 8 and V = 2. Invariant: an expanded integer list is non-empty and
 * every value is a decimal integer. */
#include "dlmkl/sweep.h"
#include "fuzz_util.h"

FUZZ_DEFINE_INITIALIZE

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > FUZZ_MAX_INPUT)
        return 0;
    char *text = fuzz_str(data + 1, size - 1);
    const dlmkl_sweep_var vars[2] = {{"L", "8"}, {"V", "2"}};
    if (data[0] & 2) { /* the input is one grid list */
        dlmkl_sweep_list l = {0, NULL};
        int kind = (data[0] & 4) ? DLMKL_LIST_INTEGERS : DLMKL_LIST_VALUES;
        int st = dlmkl_sweep_list_expand(text, kind, vars, 2, "fuzz", &l);
        FUZZ_CHECK_MESSAGE(st);
        if (st == DLMKL_OK) {
            FUZZ_CHECK(l.n >= 1, "empty list from '%s'", text);
            for (int i = 0; kind == DLMKL_LIST_INTEGERS && i < l.n; i++) {
                char *end;
                (void)strtoll(l.v[i], &end, 10);
                FUZZ_CHECK(*l.v[i] && !*end, "value '%s' from '%s'", l.v[i], text);
            }
        }
        dlmkl_sweep_list_clear(&l);
        free(text);
        return 0;
    }
    dlmkl_sweep_config *cfg = NULL;
    int st = dlmkl_sweep_config_parse(text, "fuzz.ini", data[0] & 1, &cfg);
    FUZZ_CHECK_MESSAGE(st);
    FUZZ_CHECK((st == DLMKL_OK) == (cfg != NULL), "status %d", st);
    for (int i = 0; cfg && i < cfg->nsections; i++) {
        dlmkl_sweep_list l = {0, NULL};
        int s2 = dlmkl_sweep_list_expand(cfg->sec[i].K.value, DLMKL_LIST_INTEGERS, vars, 2, "K", &l);
        FUZZ_CHECK_MESSAGE(s2);
        dlmkl_sweep_list_clear(&l);
    }
    dlmkl_sweep_config_free(cfg);
    free(text);
    return 0;
}
