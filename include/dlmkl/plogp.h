/* plogp.h: a deterministic, vectorisable −p·log2(p), the term of every entropy the profile sums.
 *
 * The same bits on every machine and vector width: the logarithm is exponent extraction plus a fixed
 * polynomial in plain IEEE double operations (no fused multiply-add, no table, no branch: special
 * cases are integer bit blends), and a sum keeps DLMKL_PLOGP_LANES partial sums, element i of a block
 * going to lane i mod DLMKL_PLOGP_LANES, combined in a fixed order at the end. A vector unit of any
 * width (2, 4 or 8 doubles) therefore does exactly the scalar operations of each lane. */
#ifndef DLMKL_PLOGP_H
#define DLMKL_PLOGP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Number of independent partial sums of an accumulator. */
#define DLMKL_PLOGP_LANES 8

/* Partial sums of −p log2 p; zero-initialise ({0}) before the first dlmkl_plogp_add. */
typedef struct dlmkl_plogp_acc {
    double lane[DLMKL_PLOGP_LANES];
} dlmkl_plogp_acc;

/* Instruction sets of the kernel's variants (dlmkl_plogp_add_isa). */
enum { DLMKL_ISA_GENERIC = 0, DLMKL_ISA_AVX2 = 1, DLMKL_ISA_AVX512 = 2, DLMKL_ISA_COUNT = 3 };

/*! log2(x) for finite x > 0 (subnormals included) by exponent extraction, x = 2^k·m with
 *  m ∈ [√2/2, √2), and log(m) = 2 atanh(s), s = (m−1)/(m+1), from a fixed degree-14 odd polynomial
 *  (fdlibm's reduction and minimax coefficients), the result rounded through a hi/lo split.
 *  Error ≤ 2 ulp against the correctly rounded value (tests/test_plogp.c asserts ≤ 2 ulp against
 *  glibc's log2 over 10^7 samples). Undefined (but finite, no trap) for x ≤ 0, inf or NaN. O(1). */
double dlmkl_log2_det(double x);

/*! −p·log2(p) with 0·log 0 = 0: exactly 0 for p ≤ 0 (and NaN) and for p = 1; otherwise
 *  0 − p·dlmkl_log2_det(p), within 3 ulp of −p·log2(p) in glibc. O(1). */
double dlmkl_plogp(double p);

/*! Add −p[i] log2 p[i], i < n, into acc: element i goes to lane i mod 8; a last partial block is
 *  padded with zeros (which add exactly +0). Dispatched at run time to the widest variant the CPU
 *  has (AVX-512F, AVX2, else the baseline); every variant gives the same bits. O(n). */
void dlmkl_plogp_add(dlmkl_plogp_acc *acc, const double *p, size_t n);

/*! The sum of the lanes in a fixed order, ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)). O(1). */
double dlmkl_plogp_total(const dlmkl_plogp_acc *acc);

/*! H = −Σ p[i] log2 p[i] in bits by one accumulator: dlmkl_plogp_add then dlmkl_plogp_total. O(n). */
double dlmkl_plogp_sum(const double *p, size_t n);

/*! 1 if this build and CPU can run variant isa (DLMKL_ISA_*), else 0. */
int dlmkl_plogp_isa_available(int isa);

/*! dlmkl_plogp_add with a chosen variant, for tests: returns 0, or −1 (acc untouched) when the
 *  variant is not available (dlmkl_plogp_isa_available). */
int dlmkl_plogp_add_isa(int isa, dlmkl_plogp_acc *acc, const double *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
