/* predictor.c: imperfect predictors, perturbations of the exact conditionals (predictor.h). */
#include "dlmkl/predictor.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/common.h"

int dlmkl_predictor_parse(const char *spec, dlmkl_predictor *pred)
{
    memset(pred, 0, sizeof *pred);
    if (!spec)
        return dlmkl_error(DLMKL_EINVAL, "predictor: empty spec");
    if (strcmp(spec, "exact") == 0) {
        pred->kind = DLMKL_PRED_EXACT;
        return DLMKL_OK;
    }
    const char *colon = strchr(spec, ':');
    if (!colon)
        return dlmkl_error(DLMKL_EINVAL, "predictor '%s': expected exact, temp:T, topk:k, topp:P or mix:E,seed=S", spec);
    const size_t nlen = (size_t)(colon - spec);
    const char *arg = colon + 1;
    if (nlen == 4 && strncmp(spec, "temp", 4) == 0) {
        pred->kind = DLMKL_PRED_TEMP;
        if (dlmkl_read_double(arg, (size_t)-1, 1e-6, 1e6, &pred->param) != DLMKL_OK)
            return dlmkl_error_prefix(DLMKL_EINVAL, "predictor '%s': the temperature must lie in [1e-6, 1e6]", spec);
        return DLMKL_OK;
    }
    if (nlen == 4 && strncmp(spec, "topk", 4) == 0) {
        long k;
        pred->kind = DLMKL_PRED_TOPK;
        if (dlmkl_read_long(arg, (size_t)-1, 1, 1L << 30, &k) != DLMKL_OK)
            return dlmkl_error_prefix(DLMKL_EINVAL, "predictor '%s': k must be an integer >= 1", spec);
        pred->param = (double)k;
        return DLMKL_OK;
    }
    if (nlen == 4 && strncmp(spec, "topp", 4) == 0) {
        pred->kind = DLMKL_PRED_TOPP;
        if (dlmkl_read_double(arg, (size_t)-1, 0, 1, &pred->param) != DLMKL_OK || !(pred->param > 0))
            return dlmkl_error(DLMKL_EINVAL, "predictor '%s': P must satisfy 0 < P <= 1", spec);
        return DLMKL_OK;
    }
    if (nlen == 3 && strncmp(spec, "mix", 3) == 0) {
        pred->kind = DLMKL_PRED_MIX;
        const char *comma = strchr(arg, ',');
        if (strncmp(arg, "eps=", 4) == 0)
            arg += 4;
        if (!comma || strncmp(comma + 1, "seed=", 5) != 0)
            return dlmkl_error(DLMKL_EINVAL, "predictor '%s': expected mix:E,seed=S", spec);
        long seed;
        if (dlmkl_read_double(arg, (size_t)(comma - arg), 0, 1, &pred->param) != DLMKL_OK)
            return dlmkl_error_prefix(DLMKL_EINVAL, "predictor '%s': E must lie in [0, 1]", spec);
        if (dlmkl_read_long(comma + 6, (size_t)-1, 0, 0x7fffffffL, &seed) != DLMKL_OK)
            return dlmkl_error_prefix(DLMKL_EINVAL, "predictor '%s': the seed must be an integer in [0, 2^31)", spec);
        pred->seed = (uint64_t)seed;
        return DLMKL_OK;
    }
    return dlmkl_error(DLMKL_EINVAL, "predictor '%s': expected exact, temp:T, topk:k, topp:P or mix:E,seed=S", spec);
}

const char *dlmkl_predictor_name(const dlmkl_predictor *pred, char *buf, size_t len)
{
    char x[32];
    if (pred)
        dlmkl_fmt_double(x, sizeof x, pred->param);
    if (!pred || pred->kind == DLMKL_PRED_EXACT)
        snprintf(buf, len, "exact");
    else if (pred->kind == DLMKL_PRED_TEMP)
        snprintf(buf, len, "temp:%s", x);
    else if (pred->kind == DLMKL_PRED_TOPK)
        snprintf(buf, len, "topk:%.0f", pred->param);
    else if (pred->kind == DLMKL_PRED_TOPP)
        snprintf(buf, len, "topp:%s", x);
    else
        snprintf(buf, len, "mix:%s,seed=%llu", x, (unsigned long long)pred->seed);
    return buf;
}

/* splitmix64 finaliser */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* rank of v in c sorted decreasing, ties (within 1e-12: equal conditionals computed along different
 * routes differ in the last bit) toward the lower index: #{w : c_w > c_v + 1e-12 or (|c_w − c_v| <= 1e-12, w < v)} */
static int rank_of(int V, const double *c, int v)
{
    int r = 0;
    for (int w = 0; w < V; w++)
        if (c[w] > c[v] + 1e-12 || (fabs(c[w] - c[v]) <= 1e-12 && w < v))
            r++;
    return r;
}

void dlmkl_predictor_apply(const dlmkl_predictor *pred, int V, const double *c, uint64_t y, int i, double *out)
{
    const dlmkl_predictor_kind kind = pred ? pred->kind : DLMKL_PRED_EXACT;
    double sum = 0.0;
    switch (kind) {
    case DLMKL_PRED_EXACT:
        memcpy(out, c, (size_t)V * sizeof *out);
        return;
    case DLMKL_PRED_TEMP: {
        double mx = 0.0;
        for (int v = 0; v < V; v++)
            mx = c[v] > mx ? c[v] : mx;
        const double invT = 1.0 / pred->param, lmx = log(mx);
        for (int v = 0; v < V; v++)
            sum += out[v] = c[v] > 0 ? exp((log(c[v]) - lmx) * invT) : 0.0;
        break;
    }
    case DLMKL_PRED_TOPK:
        for (int v = 0; v < V; v++)
            sum += out[v] = (double)rank_of(V, c, v) < pred->param ? c[v] : 0.0;
        break;
    case DLMKL_PRED_TOPP:
        for (int v = 0; v < V; v++) {
            /* kept iff the mass ranked strictly before v is still short of P, and the first-ranked
             * symbol always (the prefix is never empty, also for P <= 1e-12) */
            const int rv = rank_of(V, c, v);
            double before = 0.0;
            for (int w = 0; w < V; w++)
                if (rank_of(V, c, w) < rv)
                    before += c[w];
            sum += out[v] = rv == 0 || before < pred->param - 1e-12 ? c[v] : 0.0;
        }
        break;
    case DLMKL_PRED_MIX: {
        double usum = 0.0;
        const uint64_t h0 = mix64(mix64(pred->seed ^ 0x5851f42d4c957f2dULL) ^ y) ^ (uint64_t)i * 0xd1342543de82ef95ULL;
        for (int v = 0; v < V; v++)
            usum += out[v] = (double)((mix64(h0 + (uint64_t)v) >> 11) + 1) * 0x1p-53;
        const double E = pred->param;
        for (int v = 0; v < V; v++)
            sum += out[v] = (1.0 - E) * c[v] + E * (out[v] / usum);
        break;
    }
    }
    if (sum > 0)
        for (int v = 0; v < V; v++)
            out[v] /= sum;
}
