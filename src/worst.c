/* worst.c: the worst case of a schedule over every law, from its overshoot (see worst.h). */
#include <math.h>
#include <stdlib.h>

#include "dlmkl/overshoot.h"
#include "dlmkl/worst.h"

void dlmkl_worst_from_overshoot(int L, int K, const double *O, dlmkl_worst *w)
{
    w->L = L;
    w->K = K;
    w->ln_L = log((double)L);
    w->worst_tc = w->worst_dtc = L > 1 ? 0.0 : NAN;
    w->d_tc = w->d_dtc = L > 1 ? 1 : 0;
    for (int d = 1; d < L; d++) {
        double tc = (double)K * O[d] / (double)(L - d); /* h_d: TC = L − d, DTC = d */
        double dtc = (double)K * O[d] / (double)d;
        if (tc > w->worst_tc)
            w->worst_tc = tc, w->d_tc = d;
        if (dtc > w->worst_dtc)
            w->worst_dtc = dtc, w->d_dtc = d;
    }
}

int dlmkl_worst_compute(const dlmkl_schedule *s, dlmkl_worst *w)
{
    double *O;
    int st = dlmkl_overshoot_alloc(s, &O);
    if (st == DLMKL_OK && (st = dlmkl_overshoot(s, O)) == DLMKL_OK)
        dlmkl_worst_from_overshoot(s->L, s->budget > 0 ? s->budget : s->nsteps, O, w);
    free(O);
    return st;
}
