/* positions.c: position policies — uniformly random among the still-masked positions (the theory's
 * setting), left to right, or dilated (residues mod d in turn). An ordered policy reveals the
 * positions of a fixed permutation, s_1 at a time, then s_2, .... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlmkl/positions.h"
#include "internal.h"

int dlmkl_positions_parse(const char *spec, dlmkl_positions *pos)
{
    pos->stride = 0;
    if (strcmp(spec, "random") == 0) {
        pos->kind = DLMKL_POS_RANDOM;
        return DLMKL_OK;
    }
    if (strcmp(spec, "l2r") == 0) {
        pos->kind = DLMKL_POS_L2R;
        return DLMKL_OK;
    }
    if (strcmp(spec, "stride") == 0 || strncmp(spec, "stride:", 7) == 0) {
        pos->kind = DLMKL_POS_STRIDE;
        if (spec[6] == ':') {
            char *end;
            errno = 0;
            long d = strtol(spec + 7, &end, 10);
            if (end == spec + 7 || *end || errno || d < 1 || d > 1 << 30)
                return dlmkl_error(DLMKL_EINVAL, "positions '%s': the stride must be an integer >= 1, e.g. stride:4", spec);
            pos->stride = (int)d;
        }
        return DLMKL_OK;
    }
    return dlmkl_error(DLMKL_EINVAL, "unknown position policy '%s' (random, l2r, stride, stride:D)", spec);
}

static int stride_of(const dlmkl_positions *pos, int L, int K)
{
    int d = pos->stride > 0 ? pos->stride : K;
    if (d < 1)
        d = 1;
    if (d > L)
        d = L;
    return d;
}

const char *dlmkl_positions_name(const dlmkl_positions *pos, int K, char *buf, size_t len)
{
    switch (pos->kind) {
    case DLMKL_POS_L2R:
        snprintf(buf, len, "l2r");
        break;
    case DLMKL_POS_STRIDE:
        if (pos->stride > 0)
            snprintf(buf, len, "stride:%d", pos->stride);
        else
            snprintf(buf, len, "stride:%d", K > 0 ? K : 1);
        break;
    default:
        snprintf(buf, len, "random");
    }
    return buf;
}

int dlmkl_positions_order(const dlmkl_positions *pos, int L, int K, int *order)
{
    if (pos->kind == DLMKL_POS_RANDOM)
        return dlmkl_error(DLMKL_EINVAL, "random positions have no fixed order");
    if (pos->kind == DLMKL_POS_L2R) {
        for (int i = 0; i < L; i++)
            order[i] = i;
        return DLMKL_OK;
    }
    int d = stride_of(pos, L, K), n = 0;
    for (int r = 0; r < d; r++)
        for (int i = r; i < L; i += d)
            order[n++] = i;
    return DLMKL_OK;
}
