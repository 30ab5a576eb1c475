/* fuzz_policy_spec.c: the position policy, value-adaptive policy and predictor specs
 * (dlmkl_positions_parse, dlmkl_adaptive_parse, dlmkl_predictor_parse). The first byte picks the
 * parser (bits 0-1: positions, adaptive, predictor, or all three on the same text) and the sizes
 * (bits 2-4: V = 2..9, bits 5-7: L = 1..8). Invariants of an accepted spec:
 *   - its canonical name parses back to the same policy and the same name (a default stride is
 *     named by the K it resolves to);
 *   - positions: an ordered policy's reveal order is a permutation of 0..L−1 for every K = 1..L;
 *   - adaptive: value-adaptive kinds are recognised by dlmkl_adaptive_is_spec; F_V(tau) is in
 *     [0, log2 V]; the exact evaluation on a fixed small law is finite, kl_expected >= 0 within
 *     rounding, the iteration law sums to 1;
 *   - predictor: p̂ is a law on [V] (finite, >= 0, sum 1 within 1e-12) for conditionals with zeros,
 *     ties and tiny entries; temp keeps zeros at zero, topk keeps at most k symbols. */
#include "dlmkl/adaptive.h"
#include "dlmkl/dist.h"
#include "dlmkl/positions.h"
#include "dlmkl/predictor.h"
#include "dlmkl/schedule.h"
#include "fuzz_util.h"

FUZZ_DEFINE_INITIALIZE

static void check_positions(const char *spec, int L)
{
    dlmkl_positions pos, back;
    int st = dlmkl_positions_parse(spec, &pos);
    FUZZ_CHECK_MESSAGE(st);
    if (st != DLMKL_OK)
        return;
    char name[256], name2[256];
    dlmkl_positions_name(&pos, L, name, sizeof name);
    st = dlmkl_positions_parse(name, &back);
    FUZZ_CHECK(st == DLMKL_OK, "positions '%s': its name '%s' does not parse back", spec, name);
    dlmkl_positions_name(&back, L, name2, sizeof name2);
    /* the default stride (0) is named by the K it resolves to */
    FUZZ_CHECK(back.kind == pos.kind && (pos.stride == 0 || back.stride == pos.stride) && strcmp(name, name2) == 0,
               "positions '%s': name '%s' parses to '%s'", spec, name, name2);
    if (pos.kind == DLMKL_POS_RANDOM)
        return;
    for (int K = 1; K <= L; K++) {
        int order[DLMKL_MAX_L], seen[DLMKL_MAX_L] = {0};
        st = dlmkl_positions_order(&pos, L, K, order);
        FUZZ_CHECK_MESSAGE(st);
        if (st != DLMKL_OK)
            continue;
        for (int i = 0; i < L; i++) {
            FUZZ_CHECK(order[i] >= 0 && order[i] < L && !seen[order[i]],
                       "positions '%s', L = %d, K = %d: order[%d] = %d is not a new position", spec, L, K, i,
                       order[i]);
            seen[order[i]] = 1;
        }
    }
}

/* The fixed law of the adaptive evaluation: random:L=3,V=2,seed=1 and its schedule balanced, K = 2. */
static dlmkl_dist *eval_dist;
static dlmkl_schedule *eval_sched;

static void check_adaptive(const char *spec, int V)
{
    dlmkl_adaptive pol, back;
    int st = dlmkl_adaptive_parse(spec, &pol);
    FUZZ_CHECK_MESSAGE(st);
    if (st != DLMKL_OK)
        return;
    char name[256], name2[256];
    dlmkl_adaptive_name(&pol, name, sizeof name);
    st = dlmkl_adaptive_parse(name, &back);
    FUZZ_CHECK(st == DLMKL_OK, "adaptive '%s': its name '%s' does not parse back", spec, name);
    dlmkl_adaptive_name(&back, name2, sizeof name2);
    FUZZ_CHECK(back.kind == pol.kind && back.by == pol.by &&
                   (back.param == pol.param || (isnan(back.param) && isnan(pol.param))) && strcmp(name, name2) == 0,
               "adaptive '%s': name '%s' parses to '%s' (param %.17g vs %.17g)", spec, name, name2, pol.param,
               back.param);
    if (pol.kind >= DLMKL_ADAPT_CONFIDENCE)
        FUZZ_CHECK(dlmkl_adaptive_is_spec(spec), "adaptive '%s' parses as kind %d but is_spec says no", spec,
                   (int)pol.kind);
    if (pol.kind == DLMKL_ADAPT_THRESHOLD) {
        const double F = dlmkl_adaptive_threshold_entropy(V, pol.param);
        FUZZ_CHECK(isfinite(F) && F >= -1e-15 && F <= log2((double)V) + 1e-12, "F_%d(%.17g) = %.17g for '%s'", V,
                   pol.param, F, spec);
    }
    if (!eval_dist) {
        if (dlmkl_dist_from_spec("random:L=3,V=2,seed=1", 0, &eval_dist) != DLMKL_OK ||
            dlmkl_schedule_from_spec("balanced", 3, 2, NULL, &eval_sched) != DLMKL_OK)
            abort();
    }
    dlmkl_adaptive_result res;
    st = dlmkl_adaptive_eval(eval_dist, dlmkl_adaptive_self_sized(&pol) ? NULL : eval_sched, &pol, NULL, NULL, &res);
    FUZZ_CHECK_MESSAGE(st);
    if (st != DLMKL_OK)
        return;
    FUZZ_CHECK(isfinite(res.kl_expected) && res.kl_expected >= -1e-12 && isfinite(res.kl_output) &&
                   res.kl_output >= -1e-12,
               "adaptive '%s': kl_expected %.17g, kl_output %.17g", spec, res.kl_expected, res.kl_output);
    double total = 0.0;
    for (int t = 0; t <= eval_dist->L; t++) {
        FUZZ_CHECK(res.iter_prob[t] >= 0.0, "adaptive '%s': P(iterations = %d) = %g", spec, t, res.iter_prob[t]);
        total += res.iter_prob[t];
    }
    FUZZ_CHECK(fabs(total - 1.0) <= 1e-12, "adaptive '%s': the iteration law sums to %.17g", spec, total);
}

static void check_predictor(const char *spec, int V)
{
    dlmkl_predictor pred, back;
    int st = dlmkl_predictor_parse(spec, &pred);
    FUZZ_CHECK_MESSAGE(st);
    if (st != DLMKL_OK)
        return;
    char name[256], name2[256];
    dlmkl_predictor_name(&pred, name, sizeof name);
    st = dlmkl_predictor_parse(name, &back);
    FUZZ_CHECK(st == DLMKL_OK, "predictor '%s': its name '%s' does not parse back", spec, name);
    dlmkl_predictor_name(&back, name2, sizeof name2);
    FUZZ_CHECK(back.kind == pred.kind && back.param == pred.param && back.seed == pred.seed &&
                   strcmp(name, name2) == 0,
               "predictor '%s': name '%s' parses to '%s'", spec, name, name2);
    /* conditionals: a point mass, uniform (all tied), one with zeros and a 1e-300 entry, a skewed one */
    double c[4][9], out[9];
    for (int v = 0; v < V; v++) {
        c[0][v] = v == V - 1 ? 1.0 : 0.0;
        c[1][v] = 1.0 / V;
        c[2][v] = v % 2 ? 0.0 : 1.0;
        c[3][v] = ldexp(1.0, -v);
    }
    c[2][V - 1] = 1e-300;
    for (int k = 2; k < 4; k++) {
        double s = 0.0;
        for (int v = 0; v < V; v++)
            s += c[k][v];
        for (int v = 0; v < V; v++)
            c[k][v] /= s;
    }
    for (int k = 0; k < 4; k++)
        for (uint64_t y = 0; y < 3; y++) {
            dlmkl_predictor_apply(&pred, V, c[k], y * 7919u, (int)y, out);
            double s = 0.0;
            int kept = 0;
            for (int v = 0; v < V; v++) {
                FUZZ_CHECK(isfinite(out[v]) && out[v] >= 0.0, "predictor '%s', V = %d, c #%d: out[%d] = %g", spec,
                           V, k, v, out[v]);
                if (pred.kind == DLMKL_PRED_TEMP && c[k][v] == 0.0)
                    FUZZ_CHECK(out[v] == 0.0, "predictor '%s': a zero became %g", spec, out[v]);
                kept += out[v] > 0.0;
                s += out[v];
            }
            FUZZ_CHECK(fabs(s - 1.0) <= 1e-12, "predictor '%s', V = %d, c #%d: p̂ sums to %.17g", spec, V, k, s);
            if (pred.kind == DLMKL_PRED_TOPK)
                FUZZ_CHECK(kept <= pred.param, "predictor '%s', V = %d, c #%d: %d symbols kept", spec, V, k, kept);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 512)
        return 0;
    const int which = data[0] & 3, V = 2 + ((data[0] >> 2) & 7), L = 1 + (data[0] >> 5);
    char *spec = fuzz_str(data + 1, size - 1);
    if (which == 0 || which == 3)
        check_positions(spec, L);
    if (which == 1 || which == 3)
        check_adaptive(spec, V);
    if (which == 2 || which == 3)
        check_predictor(spec, V);
    free(spec);
    return 0;
}
