/* plogp.c: −p·log2(p) with the same bits on every vector width (see plogp.h).
 *
 * log2 x: write x = 2^k·m with m ∈ [√2/2, √2) by integer operations on the bits (a subnormal x is
 * first scaled by 2^54, with k lowered by 54), f = m − 1 (exact), s = f/(2+f). Then
 * log(1+f) = 2 atanh(s) = f − f²/2 + s·(f²/2 + R(s²)) with R the fixed minimax polynomial of fdlibm's
 * k_log (|error| < 2^−58.45 on the reduced range). log2 x = k + log(1+f)/ln 2, where the division
 * by ln 2 is done on a hi/lo split of f − f²/2 (hi has its low 32 bits cleared, so hi·(1/ln 2)_hi
 * is exact) and the integer k is added last with its rounding error carried. Every step is a plain
 * IEEE double operation; the file is compiled with -ffp-contract=off (project-wide), so no step is
 * fused, and a lane computes the same value whether it runs in a scalar, SSE2, AVX2 or AVX-512
 * register. Branches are replaced by masks: the subnormal rescaling and the p ≤ 0 → 0 case are
 * selected with integer ands/ors on the bit patterns. */
#include <string.h>

#include "dlmkl/plogp.h"

#define LG1 6.666666666666735130e-01 /* 0x3FE5555555555593 */
#define LG2 3.999999999940941908e-01 /* 0x3FD999999997FA04 */
#define LG3 2.857142874366239149e-01 /* 0x3FD2492494229359 */
#define LG4 2.222219843214978396e-01 /* 0x3FCC71C51D8E78AF */
#define LG5 1.818357216161805012e-01 /* 0x3FC7466496CB03DE */
#define LG6 1.531383769920937332e-01 /* 0x3FC39A09D078C69F */
#define LG7 1.479819860511658591e-01 /* 0x3FC2F112DF3E5244 */
#define IVLN2HI 1.44269504072144627571e+00 /* 1/ln 2, top 33 bits: 0x3FF7154765200000 */
#define IVLN2LO 1.67517131648865118353e-10 /* 1/ln 2 − IVLN2HI: 0x3DE705FC2EEFA200 */

static inline uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double double_of(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* log2 x for finite x > 0, every step branch-free (see the file comment). */
static inline __attribute__((always_inline)) double log2_lane(double x)
{
    /* subnormal: use x·2^54 (exact) and k −= 54 */
    const uint64_t sub = (uint64_t)0 - (uint64_t)(x < 0x1p-1022);
    const uint64_t ux = (bits_of(x * 0x1p54) & sub) | (bits_of(x) & ~sub);
    /* high word moved so that the exponent field steps up exactly where the mantissa passes √2 */
    const uint64_t hx = (ux >> 32) + (uint64_t)(0x3ff00000 - 0x3fe6a09e);
    const uint64_t k = (hx >> 20) - (uint64_t)0x3ff - (sub & 54); /* two's complement */
    const double m = double_of((((hx & 0x000fffff) + 0x3fe6a09e) << 32) | (ux & 0xffffffffu));
    /* k as a double without an int64 → double instruction (absent before AVX-512DQ):
     * 1.5·2^52 + k has k in its low mantissa bits, exactly, for |k| < 2^51 */
    const double kd = double_of(bits_of(0x1.8p52) + k) - 0x1.8p52;

    const double f = m - 1.0;
    const double hfsq = 0.5 * f * f;
    const double s = f / (2.0 + f);
    const double z = s * s;
    const double w = z * z;
    const double t1 = w * (LG2 + w * (LG4 + w * LG6));
    const double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    const double r = s * (hfsq + (t2 + t1)); /* log(1+f) = f − hfsq + r */

    const double hi = double_of(bits_of(f - hfsq) & 0xffffffff00000000u);
    const double lo = ((f - hi) - hfsq) + r;
    double val_hi = hi * IVLN2HI;
    double val_lo = (lo + hi) * IVLN2LO + lo * IVLN2HI;
    const double sum = kd + val_hi;
    val_lo += (kd - sum) + val_hi;
    val_hi = sum;
    return val_lo + val_hi;
}

/* −p log2 p, exactly +0 for p ≤ 0 or NaN (mask) and for p = 1 (log2 1 = +0, and 0 − (+0) = +0). */
static inline __attribute__((always_inline)) double plogp_lane(double p)
{
    const uint64_t pos = (uint64_t)0 - (uint64_t)(p > 0.0);
    const double safe = double_of((bits_of(p) & pos) | (bits_of(1.0) & ~pos)); /* log2 of 1 if p ≤ 0 */
    const double v = 0.0 - p * log2_lane(safe);
    return double_of(bits_of(v) & pos);
}

double dlmkl_log2_det(double x) { return log2_lane(x); }

double dlmkl_plogp(double p) { return plogp_lane(p); }

/* GCC: unroll the 8 lanes, so that a variant it leaves scalar (the baseline) still runs 8
 * independent chains (measured 14 -> 6 ns per term; AVX2 2.5 -> 2.0). Clang vectorises better
 * without the hint. The operations, hence the bits, are the same. */
#if defined(__GNUC__) && !defined(__clang__)
#define LANES_UNROLLED _Pragma("GCC unroll 8")
#else
#define LANES_UNROLLED
#endif

/* The kernel body: blocks of 8, lane k taking element i + k, then a zero-padded last block. */
#define PLOGP_BODY                                                                                         \
    {                                                                                                      \
        double a[DLMKL_PLOGP_LANES];                                                                       \
        memcpy(a, acc->lane, sizeof a);                                                                    \
        size_t i = 0;                                                                                      \
        for (; i + DLMKL_PLOGP_LANES <= n; i += DLMKL_PLOGP_LANES)                                         \
            LANES_UNROLLED for (int k = 0; k < DLMKL_PLOGP_LANES; k++)                                     \
                a[k] += plogp_lane(p[i + k]);                                                              \
        if (i < n) {                                                                                       \
            double t[DLMKL_PLOGP_LANES] = {0};                                                             \
            for (size_t k = 0; k < n - i; k++)                                                             \
                t[k] = p[i + k];                                                                           \
            for (int k = 0; k < DLMKL_PLOGP_LANES; k++)                                                    \
                a[k] += plogp_lane(t[k]);                                                                  \
        }                                                                                                  \
        memcpy(acc->lane, a, sizeof a);                                                                    \
    }

static void add_generic(dlmkl_plogp_acc *restrict acc, const double *restrict p, size_t n) PLOGP_BODY

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DLMKL_PLOGP_X86 1
#ifdef __clang__
#define TARGET_AVX512 __attribute__((target("avx512f")))
#else
#define TARGET_AVX512 __attribute__((target("avx512f,prefer-vector-width=512")))
#endif
__attribute__((target("avx2"))) static void add_avx2(dlmkl_plogp_acc *restrict acc, const double *restrict p,
                                                     size_t n) PLOGP_BODY
TARGET_AVX512 static void add_avx512(dlmkl_plogp_acc *restrict acc, const double *restrict p, size_t n) PLOGP_BODY
#endif

int dlmkl_plogp_isa_available(int isa)
{
    switch (isa) {
    case DLMKL_ISA_GENERIC:
        return 1;
#ifdef DLMKL_PLOGP_X86
    case DLMKL_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") ? 1 : 0;
    case DLMKL_ISA_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") ? 1 : 0;
#endif
    default:
        return 0;
    }
}

int dlmkl_plogp_add_isa(int isa, dlmkl_plogp_acc *acc, const double *p, size_t n)
{
    if (!dlmkl_plogp_isa_available(isa))
        return -1;
#ifdef DLMKL_PLOGP_X86
    if (isa == DLMKL_ISA_AVX512)
        add_avx512(acc, p, n);
    else if (isa == DLMKL_ISA_AVX2)
        add_avx2(acc, p, n);
    else
#endif
        add_generic(acc, p, n);
    return 0;
}

typedef void (*plogp_fn)(dlmkl_plogp_acc *restrict, const double *restrict, size_t);

/* The widest variant, chosen once (a benign race: every thread stores the same pointer). */
static plogp_fn pick(void)
{
#ifdef DLMKL_PLOGP_X86
    if (dlmkl_plogp_isa_available(DLMKL_ISA_AVX512))
        return add_avx512;
    if (dlmkl_plogp_isa_available(DLMKL_ISA_AVX2))
        return add_avx2;
#endif
    return add_generic;
}

void dlmkl_plogp_add(dlmkl_plogp_acc *acc, const double *p, size_t n)
{
    static plogp_fn fn;
    plogp_fn f = __atomic_load_n(&fn, __ATOMIC_RELAXED);
    if (!f) {
        f = pick();
        __atomic_store_n(&fn, f, __ATOMIC_RELAXED);
    }
    f(acc, p, n);
}

double dlmkl_plogp_total(const dlmkl_plogp_acc *acc)
{
    const double *l = acc->lane;
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

double dlmkl_plogp_sum(const double *p, size_t n)
{
    dlmkl_plogp_acc acc = {{0}};
    dlmkl_plogp_add(&acc, p, n);
    return dlmkl_plogp_total(&acc);
}
