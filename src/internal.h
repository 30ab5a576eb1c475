/* internal.h: declarations shared between library files, not part of the public API. */
#ifndef DLMKL_INTERNAL_H
#define DLMKL_INTERNAL_H

#include "dlmkl/dist.h"

/*! Build the law of a non-table family (families.c). args is the text after "family:".
 *  DLMKL_EINVAL with "unknown distribution family" if family is not one of them. */
int dlmkl_family_build(const char *family, const char *args, int normalize, dlmkl_dist **out);

/*! Cost of revealing s tokens when m are revealed, random positions (Chen, Cong & Li, Thm 16):
 *  c(m, s) = s·(h(m+1) − h(m)) − (h(m+s) − h(m)) = Σ_{j=1}^{s} (Z_{m+j} − Z_{m+1}); 0 for s <= 1. */
static inline double dlmkl_step_cost(const double *h, int m, int s)
{
    return s <= 1 ? 0.0 : (double)s * (h[m + 1] - h[m]) - (h[m + s] - h[m]);
}

#endif
