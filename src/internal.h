/* internal.h: declarations shared between library files, not part of the public API. */
#ifndef DLMKL_INTERNAL_H
#define DLMKL_INTERNAL_H

#include <stdio.h>

#include "dlmkl/dist.h"

/*! Build the law of a non-table family (families.c). args is the text after "family:".
 *  DLMKL_EINVAL with "unknown distribution family" if family is not one of them. */
int dlmkl_family_build(const char *family, const char *args, int normalize, dlmkl_dist **out);

/*! Write to path atomically: the caller's writer fills a temporary file in the same folder, which
 *  is renamed over path only if the writer returns DLMKL_OK (removed otherwise). "-" is stdout. */
typedef int (*dlmkl_writer_fn)(void *ctx, FILE *f);

#endif
