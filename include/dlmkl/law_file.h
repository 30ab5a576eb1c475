/* law_file.h: reading a size law P(s_k = s | m_k = m) from a CSV file (the `law:PATH` schedule). */
#ifndef DLMKL_LAW_FILE_H
#define DLMKL_LAW_FILE_H

#include "dlmkl/schedule.h"

#ifdef __cplusplus
extern "C" {
#endif

/*! Read a LAW schedule for L tokens from a CSV (RFC 4180: quoted fields, empty fields, CRLF, a
 *  byte-order mark) whose header names columns k,m,s,prob (any order, others ignored); k = 1..K, K
 *  the largest k listed, which must equal K_given when K_given > 0. Each (k, m) row must sum to 1, list
 *  each s once, reveal all L − m tokens at k = K, and exist for every reachable state. The schedule is
 *  named "law". O(n + K·L) time and memory for n rows, against the memory cap. */
int dlmkl_law_file_read(const char *path, int L, int K_given, dlmkl_schedule **out);

#ifdef __cplusplus
}
#endif
#endif
