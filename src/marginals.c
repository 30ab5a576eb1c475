/* marginals.c: entropies of probability vectors and of subset marginals X_S of a table. */
#include <math.h>
#include <string.h>

#include "dlmkl/plogp.h"
#include "dlmkl/profile.h"

double dlmkl_entropy(const double *p, uint64_t n)
{
    /* H = −Σ p log2 p, 0 log 0 = 0, by the deterministic vector kernel (8 partial sums in a fixed
     * order: the same bits on every machine). */
    return dlmkl_plogp_sum(p, (size_t)n);
}

int dlmkl_marginal(const dlmkl_dist *d, uint64_t mask, double *out)
{
    const int L = d->L, V = d->V;
    uint64_t cstride[DLMKL_MAX_L], nout = 1;
    int x[DLMKL_MAX_L];
    /* cstride[i] = V^(number of kept coordinates after i) for kept i, 0 for summed-out i. */
    for (int i = L - 1; i >= 0; i--) {
        if (mask >> i & 1) {
            cstride[i] = nout;
            nout *= (uint64_t)V;
        } else {
            cstride[i] = 0;
        }
    }
    memset(out, 0, nout * sizeof *out);
    memset(x, 0, sizeof x);
    /* Odometer over the table in index order; o is the index of x_S in the marginal. */
    uint64_t o = 0;
    for (uint64_t idx = 0; idx < d->n; idx++) {
        out[o] += d->p[idx];
        int i = L - 1;
        while (i >= 0) {
            o += cstride[i];
            if (++x[i] < V)
                break;
            x[i] = 0;
            o -= (uint64_t)V * cstride[i];
            i--;
        }
    }
    return DLMKL_OK;
}

double dlmkl_subset_entropy(const dlmkl_dist *d, uint64_t mask, double *work)
{
    uint64_t full = d->L >= 64 ? ~0ULL : ((1ULL << d->L) - 1);
    if ((mask & full) == full)
        return dlmkl_entropy(d->p, d->n);
    uint64_t nout = 1;
    for (int i = 0; i < d->L; i++)
        if (mask >> i & 1)
            nout *= (uint64_t)d->V;
    dlmkl_marginal(d, mask, work);
    return dlmkl_entropy(work, nout);
}

size_t dlmkl_subset_work_bytes(const dlmkl_dist *d) { return (size_t)d->n * sizeof(double); }
