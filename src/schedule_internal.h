/* schedule_internal.h: what the schedule modules (schedule.c, law_file.c) share and no caller needs. */
#ifndef DLMKL_SCHEDULE_INTERNAL_H
#define DLMKL_SCHEDULE_INTERNAL_H

#include "dlmkl/schedule.h"

/* A new schedule of the kind for L tokens and K iterations, named name (copied), with its FIXED or
 * IID arrays zeroed; the K-sized arrays count against the memory cap. NULL (and the error set) on
 * failure. */
dlmkl_schedule *dlmkl_schedule_new(dlmkl_schedule_kind kind, int L, int K, const char *name);

#endif
