/* host.h: a struct-free entry to the library for hosts (the Python package over ctypes, other
 * languages' foreign-function interfaces, the dlmkl program itself). A handle holds one law (a
 * table, or only an entropy profile) and its profile, computed once on first use; each result comes
 * back as the CSV text that the matching `dlmkl` subcommand writes, produced by the same code, so a
 * host reads exactly the program's numbers (every number is printed %.17g, which round-trips). */
#ifndef DLMKL_HOST_H
#define DLMKL_HOST_H

#include <stdint.h>

#include "dlmkl/common.h"
#include "dlmkl/kl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One law: a table p on [V]^L (built from a spec or borrowed from the caller) or a profile only. */
typedef struct dlmkl_host dlmkl_host;

/*! The OpenMP threads of this handle's computations (the *_csv calls below), for each call only,
 *  whatever the calling thread's dlmkl_set_threads; nthreads <= 0: the calling thread's setting
 *  (the default). Handles used from different threads may have different counts. Results are
 *  bit-identical for any count. O(1). */
void dlmkl_host_set_threads(dlmkl_host *h, int nthreads);

/*! The memory cap (bytes, dlmkl_set_max_memory) of this handle's computations (the *_csv calls
 *  below), for each call only, whatever the calling thread's dlmkl_set_max_memory; bytes == 0: the
 *  calling thread's cap (the default). Handles used from different threads may have different caps,
 *  and their calls run at the same time. O(1). */
void dlmkl_host_set_max_memory(dlmkl_host *h, size_t bytes);

/*! A handle for the law of a distribution spec (dist.h). normalize applies to table: files.
 *  Cost: building the table, O(V^L) or the family's cost. For a family whose support is generated
 *  from its parameters (copy, parity, perm, mds; dlmkl_support_from_spec) and for which the sparse
 *  profile route is chosen (dlmkl_profile_sparse_preferred), the support is built instead (O(N·L)) and
 *  the table only when a call needs it (kl_output, adaptive policies, sampling, dlmkl_host_table):
 *  so the profile of e.g. perm:n=10 (10^10 cells, 10! points) needs no table. */
int dlmkl_host_from_spec(const char *spec, int normalize, dlmkl_host **out);

/*! A handle over the caller's table p[V^L] (lexicographic order, x_1 slowest), named `name` in the
 *  CSV dist column. With normalize == 0 the table is validated (finite, >= 0, sums to 1 within
 *  1e-9) and BORROWED: no copy is made, and the caller keeps p alive and unchanged until
 *  dlmkl_host_free. With normalize != 0 it is copied (through the memory cap) and divided by its
 *  sum. O(V^L). */
int dlmkl_host_from_table(const double *p, int L, int V, int normalize, const char *name, dlmkl_host **out);

/*! A handle holding only a profile: a profile CSV file (columns m,h; h in `unit` unless the file
 *  has a unit column) if path names an existing file, else a closed-form spec (profile.h). Such a
 *  handle gives info, profile and kl_expected rows; kl_output and sample need a table. */
int dlmkl_host_from_profile(const char *path_or_spec, dlmkl_unit unit, dlmkl_host **out);

void dlmkl_host_free(dlmkl_host *h);

/*! L, and V (for a closed-form profile the spec's alphabet: V=, default 2; q= for mds:/rs:; n= for
 *  perm:; 0 when unknown: a profile file). O(1). */
int dlmkl_host_L(const dlmkl_host *h);
int dlmkl_host_V(const dlmkl_host *h);

/*! Copy the table p[V^L] of a handle with a table into out (n doubles, n = V^L), building it first
 *  for a handle that holds only its support (see dlmkl_host_from_spec; DLMKL_ETOOBIG above the memory
 *  cap). DLMKL_EINVAL for a profile-only handle or a wrong n. O(V^L). */
int dlmkl_host_table(dlmkl_host *h, double *out, uint64_t n);

/*! Text returned by the functions below (malloc'd); free it with this. */
void dlmkl_host_text_free(char *text);

/*! `dlmkl info`: H = h(L), TC = L h(1) - h(L), DTC = L h(L-1) - (L-1) h(L), TC + DTC, Z_L in
 *  `unit`: the CSV "dist,L,V,unit,H,TC,DTC,TC_plus_DTC,Z_L" with its header line when header != 0,
 *  then one row. Cost: the profile, (1+V)^L entries, on first use. */
int dlmkl_host_info_csv(dlmkl_host *h, dlmkl_unit unit, int header, char **csv);

/*! `dlmkl profile`: the CSV "m,h,Z,unit", rows m = 0..L, Z_m = h(1) + h(m-1) - h(m) (empty at 0). */
int dlmkl_host_profile_csv(dlmkl_host *h, dlmkl_unit unit, char **csv);
/*! The same CSV for a profile computed elsewhere (e.g. by several processes). O(L). */
int dlmkl_profile_csv(const dlmkl_profile *prof, dlmkl_unit unit, char **csv);

/*! `dlmkl kl`: one row per schedule × K × positions (in that nesting order, positions innermost),
 *  columns "dist,L,V,unit," dlmkl_kl_row_columns() ",seed". nK == 0 is allowed only when every
 *  schedule implies its K (one row each); positions NULL / npos == 0 means random. seed is copied
 *  to the seed column (may be "" or NULL). Rows are computed by dlmkl_kl_row_compute, all before
 *  any text is made. Cost: the rows' costs (kl.h). */
int dlmkl_host_kl_csv(dlmkl_host *h, const char *const *schedules, int nsched, const long *K, int nK,
                      const char *const *positions, int npos, dlmkl_output_law_mode mode, dlmkl_unit unit,
                      const char *seed, char **csv);

/*! `dlmkl kl` with value-adaptive position policies and imperfect predictors (adaptive.h,
 *  predictor.h): as dlmkl_host_kl_csv, and positions may also name value-adaptive policies
 *  (confidence[:by=..], threshold:tau=, eb:gamma=, entsum:eps=); predictors (npred specs, NULL/0:
 *  none) multiply the rows of every position policy, innermost (each policy must then be random, l2r
 *  or value-adaptive). Such rows are computed by dlmkl_kl_row_compute_adaptive (they need a table);
 *  a self-sized policy gives its rows at the first schedule and K only. When any row is of that kind
 *  the columns dlmkl_kl_row_write_adaptive_header follow the seed column (empty for the other rows);
 *  otherwise the text is dlmkl_host_kl_csv's. Cost: the rows' costs. */
int dlmkl_host_kl_adaptive_csv(dlmkl_host *h, const char *const *schedules, int nsched, const long *K, int nK,
                               const char *const *positions, int npos, const char *const *predictors, int npred,
                               dlmkl_output_law_mode mode, dlmkl_unit unit, const char *seed, char **csv);

/*! `dlmkl sample`: n draws of the sampler with the exact oracle (GSL mt19937 seeded with seed >= 1;
 *  K <= 0 for a schedule that implies K). samples == 0: the law format "x,count,freq,p,q_bar,seed",
 *  one row per x with p(x) > 0 or a draw, q_bar by `mode`; samples != 0: "sample,x,seed", one row per
 *  draw. Cost: the oracle, (V+1)^L doubles, then O(n L) for the draws. */
int dlmkl_host_sample_csv(dlmkl_host *h, const char *schedule, long K, uint64_t n, unsigned long seed,
                          const char *positions, int samples, dlmkl_output_law_mode mode, char **csv);

/*! Expand a list of iteration budgets in the sweep grid syntax ("1..16", "pow2:1..64", "2,4,8",
 *  integer expressions; with L > 0 they may use L, e.g. "1..L", "L/4") into *K (malloc'd, *n
 *  entries, free with dlmkl_host_text_free), each in 1..1e9. `what` names the list in messages.
 *  O(length · values). */
int dlmkl_host_expand_K(const char *text, int L, const char *what, long **K, int *n);

/*! `dlmkl sweep CONFIG`: run the sweep of a config file into out_dir (NAME.csv and NAME.meta.json,
 *  as the program writes them; quick != 0 uses the quick_* keys; resume 1 reuses rows of an
 *  earlier run, 2 overwrites an existing NAME.csv, 0 refuses one with DLMKL_EEXIST); *csv_path
 *  receives the CSV's path (malloc'd). Cost: the grid's rows. */
int dlmkl_host_sweep(const char *config_path, const char *out_dir, int quick, int resume, char **csv_path);

#ifdef __cplusplus
}
#endif
#endif
