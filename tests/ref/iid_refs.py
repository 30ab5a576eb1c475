#!/usr/bin/python3
# -*- coding: utf-8 -*-
"""
Independent high-precision reference values for dlmkl's i.i.d.-reveal-time schedules.

Written WITHOUT looking at dlmkl's C sources (src/); it only uses the definitions in
README.md / shared/theory.md.  Pure Python 3 + mpmath (gmpy2 backend optional: it only
speeds mpmath up, results are identical).

Regenerate (from the repository root):
    /usr/bin/python3 tests/ref/iid_refs.py            # verification + both CSVs
    /usr/bin/python3 tests/ref/iid_refs.py --verify   # verification only (~ 10 s)
    (--worst-only / --closed-only: verification + one of the two tables)
Runtime measured on the shared 2-core dev box (mpmath 1.2.1, gmpy2 backend, Debian 12 python
3.11): 182 s CPU / 510 s wall in total (verify ~9 s, worst_refs ~105 s, iid_closed incl. the
dps-90 re-check of the L = 2^20 rows the rest).  Without python3-gmpy2 expect several times more.
The output is deterministic: no randomness except a fixed-seed random.Random used in
the verification stage (random concave profiles), and fixed mpmath precisions.

What it does
------------
1. VERIFY (fails loudly with AssertionError / exit status 1):
   a. KL from the raw definition KL(p || q_path), q_path(x) = prod_k prod_{i in A_k} p(x_i | x_{B_k}),
      for explicit laws (parity on L bits, copy, a Reed-Solomon [4,2] code over F_5), enumerating
      every reveal-time assignment t in [K]^L with probability prod_i pi_{t_i}; compared with
      the profile formula E sum_k c(m_k, s_k) evaluated on the explicit entropy profile.
   b. E sum_k c(m_k, s_k) by enumerating [K]^L (no binomial modelling) vs. the forward DP over
      (k, m) with s_k | m_k ~ Bin(L - m_k, pi_k / T_k)  (the definition in the brief).
   c. Forward DP (exact Fractions for rational laws, mpmath dps=60 otherwise) vs. the closed forms
        copy   : L sum_k pi_k T_k^{L-1} - 1
        parity : 1 - L sum_k pi_k F_{k-1}^{L-1}
        MDS h_d: (L - d) - L sum_k pi_k P(Bin(L-1, F_{k-1}) >= d)      (all 1 <= d <= L-1)
        general: L sum_k pi_k E[h(B_k+1) - h(B_k)] - h(L),  B_k ~ Bin(L-1, F_{k-1})
      for L = 2..8, several K, five laws; tolerance 1e-30 (exact equality for Fractions).
   d. the tail-sum ("one pass per k") evaluation used for worst_refs.csv vs. (c).
   e. extreme-ray claim: for random concave profiles h (Z nondecreasing), K*kl/TC and K*kl/DTC
      never exceed worst_tc / worst_dtc computed from the h_d.
2. iid_closed.csv  : schedule,L,K,profile,kl      (25 significant digits, bits)
3. worst_refs.csv  : schedule,L,K,worst_tc,d_tc,worst_dtc,d_dtc   (20 significant digits)
   worst_refs_margins.csv : schedule,L,K,tc_deficit,tc_gap,dtc_gap (how well each argmax is resolved)

Derivation of the closed forms (checked numerically in step 1)
-------------------------------------------------------------
sum_k [h(m_k + s_k) - h(m_k)] telescopes to h(L) - h(0) = h(L).  For the other part,
s_k = sum_i 1[t_i = k], and on {t_i = k} the number m_k of tokens revealed before k is the number
of OTHER tokens with t_j < k, which is Bin(L-1, F_{k-1}) independently of t_i.  Hence
    E sum_k s_k (h(m_k+1) - h(m_k)) = L sum_k pi_k E[h(B_k+1) - h(B_k)],  B_k ~ Bin(L-1, F_{k-1}).
With h_d(m) = min(m, d): h(B+1) - h(B) = 1[B < d], h(L) = d, giving the MDS formula; d = 1 gives
copy (P(B < 1) = T_k^{L-1}), d = L-1 gives parity (P(B >= L-1) = F_{k-1}^{L-1}).

Precision choices
-----------------
iid_closed.csv is computed at mp.dps = 60.  The dangerous parts are (i) x^{L-1} with x = F or T
near 1 and L up to 2^20: a relative error e in x becomes (L-1)e ~ 1e6 e; (ii) the cancellation in
1 - L*sum (parity) / L*sum - 1 (copy) when the kl is small (down to ~1e-6 here: a further ~1e6);
(iii) rounding in K <= 2^18 accumulated prefix/suffix sums (~1e5 eps).  So at most ~17-18
digits are lost, leaving >= 40 correct digits at dps=60, well above the 25 printed.  This is
checked empirically: the L = 2^20 rows (all four K, both profiles, all four schedules) are
recomputed at dps = 90 and must agree to relative 1e-32.  pi_k are computed with cancellation-free
formulas (expm1 for random-*, a product of sines for cosine); F_{k-1} by prefix sums and T_k by
suffix sums of pi (so a small T_k is accurate), checked against the closed forms of F.
worst_refs.csv is computed at mp.dps = 40: binomial pmf from the mode by log-gamma, then the
ratio recurrence -- upwards never truncated, downwards truncated once a term is < 1e-50 of the
mode value; tails S_d summed from the top (positive terms: full relative precision even at
1e-600).  The TC argmax is taken on the deficit D_d = L*S_d/(L-d) (K*kl/(L-d) = K*(1 - D_d)),
because the ratio itself equals K to within 1e-20..1e-1800 for many d in several rows and would
tie spuriously at any fixed precision.  worst_refs_margins.csv lists 1 - worst_tc/K and the
relative gaps to the runner-up d.  Cross-checked at dps = 60 on a few (schedule, L, K)
(same argmax, values agree to relative 1e-28), and against exact Fractions in the verification.
"""
import sys, time, math, random, itertools
from fractions import Fraction
import mpmath
from mpmath import mp, mpf

SCHEDULES = ["random-tc", "random-dtc", "iid:linear", "iid:cosine"]
VERIFY_SCHEDULES = SCHEDULES + ["iid:poly:a=2"]


# ----------------------------------------------------------------------------- laws
def pi_law(sched, L, K, exact=False):
    """pi_1..pi_K (list, index 0 <-> k=1).  exact=True returns Fractions (rational laws only)."""
    if exact:
        if sched == "iid:linear":
            return [Fraction(1, K)] * K
        if sched == "iid:poly:a=2":
            return [Fraction(2 * k - 1, K * K) for k in range(1, K + 1)]
        raise ValueError("no exact form for " + sched)
    if sched in ("random-tc", "random-dtc"):
        # pi_k ∝ r^{k-1}, r = L^{-1/K}; sum = (1 - r^K)/(1 - r) = (1 - 1/L)/(1 - r)
        lnL = mpmath.log(L)
        one_minus_r = -mpmath.expm1(-lnL / K)
        r = 1 - one_minus_r
        c = one_minus_r / (1 - mpf(1) / L)
        p = []
        w = mpf(1)
        for k in range(K):
            # recompute the power exactly every 1024 steps to bound accumulated rounding
            if k % 1024 == 0:
                w = mpmath.exp(-lnL * k / K)
            p.append(w * c)
            w *= r
        if sched == "random-dtc":
            p.reverse()  # pi_k ∝ rho^{k-K} = r^{K-k}
        return p
    if sched == "iid:linear":
        return [mpf(1) / K] * K
    if sched == "iid:cosine":
        # alpha(t) = 1 - cos(pi t/2): pi_k = cos(pi(k-1)/2K) - cos(pi k/2K) = 2 sin(pi(2k-1)/4K) sin(pi/4K)
        s = 2 * mpmath.sin(mp.pi / (4 * K))
        return [s * mpmath.sin(mp.pi * (2 * k - 1) / (4 * K)) for k in range(1, K + 1)]
    if sched == "iid:poly:a=2":
        return [mpf(2 * k - 1) / (K * K) for k in range(1, K + 1)]
    raise ValueError(sched)


def F_T(p):
    """F[k-1] = F_{k-1} = sum_{j<k} pi_j (prefix), T[k-1] = T_k = sum_{j>=k} pi_j (suffix)."""
    K = len(p)
    F = [0] * K
    acc = 0 * p[0]
    for k in range(K):
        F[k] = acc
        acc += p[k]
    T = [0] * K
    acc = 0 * p[0]
    for k in range(K - 1, -1, -1):
        acc += p[k]
        T[k] = acc
    return F, T


def F_closed(sched, L, K, k):
    """closed form of F_k (to check the prefix sums)."""
    if sched == "random-tc":
        r = mpmath.exp(-mpmath.log(L) / K)
        return (1 - r ** k) / (1 - r ** K)
    if sched == "random-dtc":
        r = mpmath.exp(-mpmath.log(L) / K)
        return (r ** (K - k) - r ** K) / (1 - r ** K)
    if sched == "iid:linear":
        return mpf(k) / K
    if sched == "iid:cosine":
        return 1 - mpmath.cos(mp.pi * k / (2 * K))
    if sched == "iid:poly:a=2":
        return (mpf(k) / K) ** 2
    raise ValueError(sched)


# ----------------------------------------------------------------------------- profiles
def h_parity(L):
    return [m for m in range(L)] + [L - 1]


def h_copy(L):
    return [0] + [1] * L


def h_mds(L, d):
    return [min(m, d) for m in range(L + 1)]


def c_step(h, m, s):
    return s * (h[m + 1] - h[m]) - (h[m + s] - h[m]) if s > 0 else 0 * h[0]


# ----------------------------------------------------------------------------- definitions
def kl_dp(h, p):
    """E sum_k c(m_k, s_k): forward DP over (k, m) with s_k | m_k ~ Bin(L - m_k, pi_k/T_k)."""
    L = len(h) - 1
    K = len(p)
    F, T = F_T(p)
    dist = {0: 1}
    total = 0
    for k in range(K):
        q = p[k] / T[k] if k < K - 1 else (p[k] / p[k])  # last iteration reveals all (q = 1)
        new = {}
        for m, pm in dist.items():
            n = L - m
            for s in range(n + 1):
                pr = math.comb(n, s) * q ** s * (1 - q) ** (n - s)
                w = pm * pr
                total += w * c_step(h, m, s)
                new[m + s] = new.get(m + s, 0) + w
        dist = new
    assert all(v == 0 for m, v in dist.items() if m != L), "DP did not end with all revealed"
    return total


def kl_enum(h, p):
    """E sum_k c(m_k, s_k) by enumerating all reveal-time assignments t in [K]^L."""
    L = len(h) - 1
    K = len(p)
    total = 0
    for t in itertools.product(range(K), repeat=L):
        pr = 1
        for ti in t:
            pr = pr * p[ti]
        v = 0
        m = 0
        for k in range(K):
            s = t.count(k)
            v += c_step(h, m, s)
            m += s
        total += pr * v
    return total


def binom_pmf_list(n, x, y):
    """Bin(n, x) pmf for x + y = 1 (given separately for accuracy), exact if x is a Fraction."""
    return [math.comb(n, j) * x ** j * y ** (n - j) for j in range(n + 1)]


def kl_general_closed(h, p):
    """L sum_k pi_k E[h(B+1) - h(B)] - h(L), B ~ Bin(L-1, F_{k-1})."""
    L = len(h) - 1
    F, T = F_T(p)
    tot = 0
    for k in range(len(p)):
        pmf = binom_pmf_list(L - 1, F[k], T[k])
        tot += p[k] * sum(pmf[j] * (h[j + 1] - h[j]) for j in range(L))
    return L * tot - h[L]


def kl_copy_closed(L, p, T=None):
    if T is None:
        _, T = F_T(p)
    n = L - 1
    return L * sum(p[k] * T[k] ** n for k in range(len(p))) - 1


def kl_parity_closed(L, p, F=None):
    if F is None:
        F, _ = F_T(p)
    n = L - 1
    return 1 - L * sum(p[k] * F[k] ** n for k in range(len(p))) if L > 1 else 0


def kl_mds_closed_small(L, d, p):
    F, T = F_T(p)
    s = 0
    for k in range(len(p)):
        pmf = binom_pmf_list(L - 1, F[k], T[k])
        s += p[k] * sum(pmf[d:])
    return (L - d) - L * s


# ----------------------------------------------------------------------------- all d at once
def weighted_binom_mixture(p, L, cut_digits=None):
    """W[j] = sum_k pi_k P(Bin(L-1, F_{k-1}) = j), j = 0..L-1 (mpmath, current dps).

    Each pmf is started at its mode (log-gamma) and extended by the ratio recurrence.  Upwards
    (towards j = L-1) it is NEVER truncated: the upper tails, however small (1e-600 happens),
    decide the argmax of K*kl(h_d)/(L-d) when that ratio is K up to 1e-30 or less.  Downwards it
    stops once a term is < 10^-cut_digits of the mode value: those terms only enter tail sums
    S_d with d <= j that already contain the mode term, so their relative effect is < 1e-50."""
    n = L - 1
    F, T = F_T(p)
    W = [mpf(0)] * (n + 1)
    if cut_digits is None:
        cut_digits = mp.dps + 10
    cut = mpf(10) ** (-cut_digits)
    lgn = mpmath.loggamma(n + 1)
    for k in range(len(p)):
        x, y, pk = F[k], T[k], p[k]
        if x == 0:
            W[0] += pk
            continue
        if y == 0:
            W[n] += pk
            continue
        j0 = min(n, int(mpmath.floor((n + 1) * x)))
        lx, ly = mpmath.log(x), mpmath.log(y)
        v0 = pk * mpmath.exp(lgn - mpmath.loggamma(j0 + 1) - mpmath.loggamma(n - j0 + 1)
                             + j0 * lx + (n - j0) * ly)
        lim = v0 * cut
        W[j0] += v0
        rup = x / y
        v = v0
        for j in range(j0, n):          # P(j+1) = P(j) (n-j)/(j+1) x/y   (no truncation)
            v = v * rup * (n - j) / (j + 1)
            W[j + 1] += v
        rdn = y / x
        v = v0
        for j in range(j0, 0, -1):      # P(j-1) = P(j) j/(n-j+1) y/x
            v = v * rdn * j / (n - j + 1)
            W[j - 1] += v
            if v < lim:
                break
    return W


def tails_all_d(p, L, **kw):
    """S[d] = sum_k pi_k P(Bin(L-1, F_{k-1}) >= d), d = 0..L (suffix sums of positive terms:
    full RELATIVE precision even when S[d] is astronomically small)."""
    W = weighted_binom_mixture(p, L, **kw)
    n = L - 1
    S = [mpf(0)] * (n + 2)
    for j in range(n, -1, -1):
        S[j] = S[j + 1] + W[j]
    return S


def kl_all_d(p, L, **kw):
    """kl(h_d) = (L-d) - L*S[d] for d = 0..L-1 (index d)."""
    S = tails_all_d(p, L, **kw)
    return [(L - d) - L * S[d] for d in range(L)]


TIE = mpf(10) ** (-25)


def worst_from_tails(S, L, K):
    """Worst case over laws from the tails S[d].

    TC side: K*kl(h_d)/(L-d) = K*(1 - D_d), D_d = L*S[d]/(L-d) >= 0.  The argmax is taken as the
    argmin of D_d, compared in full relative precision (forming 1 - D_d first would round the
    ratio to exactly K for many d whenever D_d < 10^-dps, creating spurious ties).
    DTC side: K*kl(h_d)/d compared directly.
    Ties (relative difference <= 1e-25 of the compared quantity): smallest d.
    Returns worst_tc, d_tc, worst_dtc, d_dtc, D_min (= 1 - worst_tc/K), relative gap of the TC
    comparison quantity D to the second best d, relative gap of the DTC ratio to the second best."""
    # TC
    bestD, dtc_, secD = None, None, None
    for d in range(1, L):
        D = L * S[d] / (L - d)
        if bestD is None or D < bestD * (1 - TIE):
            secD = bestD
            bestD, dtc_ = D, d
        elif secD is None or D < secD:
            secD = D
    if secD is None:
        gtc = mpf(1)
    elif secD == 0:
        gtc = mpf(0)
    else:
        gtc = (secD - bestD) / secD
    wtc = K * (1 - bestD)
    # DTC
    best, ddtc, sec = None, None, None
    for d in range(1, L):
        v = K * ((L - d) - L * S[d]) / d
        if best is None or v > best * (1 + TIE):
            sec = best
            best, ddtc = v, d
        elif sec is None or v > sec:
            sec = v
    gdtc = (best - sec) / best if sec is not None else mpf(1)
    return wtc, dtc_, best, ddtc, bestD, gtc, gdtc


# ----------------------------------------------------------------------------- formatting
def fmt(x, digits):
    if x == 0:
        return "0"
    assert x > 0, "negative value of a non-negative quantity: %s" % x
    return mpmath.nstr(x, digits, strip_zeros=False, min_fixed=1, max_fixed=0)


def rel_close(a, b, tol):
    return abs(a - b) <= tol * max(abs(a), abs(b), mpf(10) ** (-mp.dps + 5))


# ----------------------------------------------------------------------------- verification
def check(cond, msg):
    if not cond:
        raise AssertionError("VERIFICATION FAILED: " + msg)


def kl_from_definition_explicit(support, base, pi):
    """E_t KL(p || q_path) for uniform law on `support` (tuples), logs in `base`."""
    L = len(support[0])
    K = len(pi)
    P = mpf(1) / len(support)

    def marg(S, x):
        # p(x_S) for the uniform law on the support
        S = tuple(S)
        cnt = sum(1 for y in support if all(y[i] == x[i] for i in S))
        return mpf(cnt) / len(support)

    total = mpf(0)
    cache = {}
    for t in itertools.product(range(K), repeat=L):
        pr = mpf(1)
        for ti in t:
            pr *= pi[ti]
        kl = mpf(0)
        for x in support:
            lq = mpf(0)
            for k in range(K):
                B = tuple(i for i in range(L) if t[i] < k)
                for i in range(L):
                    if t[i] == k:
                        key = (B, i, tuple(x[j] for j in B), x[i])
                        if key not in cache:
                            cache[key] = marg(B + (i,), x) / marg(B, x)
                        lq += mpmath.log(cache[key], base)
            kl += P * (mpmath.log(P, base) - lq)
        total += pr * kl
    return total


def profile_from_support(support, base):
    L = len(support[0])
    h = []
    for m in range(L + 1):
        acc = mpf(0)
        subsets = list(itertools.combinations(range(L), m))
        for S in subsets:
            cnt = {}
            for y in support:
                key = tuple(y[i] for i in S)
                cnt[key] = cnt.get(key, 0) + 1
            N = len(support)
            acc += -sum(mpf(c) / N * mpmath.log(mpf(c) / N, base) for c in cnt.values())
        h.append(acc / len(subsets))
    return h


def verify():
    t0 = time.time()
    mp.dps = 60
    tol = mpf(10) ** (-30)
    nchecks = 0

    # (a) raw definition on explicit laws -----------------------------------------------
    laws = []
    for L in (3, 4):
        par = [x for x in itertools.product((0, 1), repeat=L) if sum(x) % 2 == 0]
        cop = [(v,) * L for v in (0, 1)]
        laws += [("parity", L, par, 2, h_parity(L)), ("copy", L, cop, 2, h_copy(L))]
    rs = [tuple((a + b * e) % 5 for e in range(4)) for a in range(5) for b in range(5)]
    laws.append(("RS[4,2]/F5", 4, rs, 5, h_mds(4, 2)))
    for name, L, sup, base, hprof in laws:
        hemp = profile_from_support(sup, base)
        check(all(rel_close(mpf(a), b, tol) or abs(a - b) < tol for a, b in zip(hprof, hemp)),
              "profile of %s L=%d: %s vs %s" % (name, L, hprof, hemp))
        for sched in VERIFY_SCHEDULES:
            for K in (2, 3):
                p = pi_law(sched, L, K)
                a = kl_from_definition_explicit(sup, base, p)
                b = kl_dp([mpf(v) for v in hprof], p)
                check(abs(a - b) < tol, "raw definition vs DP: %s %s L=%d K=%d: %s vs %s"
                      % (name, sched, L, K, a, b))
                nchecks += 1
    print("  (a) raw KL(p||q_path) on parity/copy/RS[4,2] == profile DP: %d cases" % nchecks,
          flush=True)

    # (b) enumeration of [K]^L vs binomial DP -------------------------------------------
    n_b = 0
    rng = random.Random(20240601)
    for L in (2, 3, 4, 5):
        for K in (1, 2, 3, 4):
            if K ** L > 1100:
                continue
            for sched in VERIFY_SCHEDULES:
                p = pi_law(sched, L, K)
                profs = [h_parity(L), h_copy(L)] + [h_mds(L, d) for d in range(1, L)]
                # a random concave profile
                Z = sorted(rng.random() for _ in range(L - 1))
                h = [mpf(0)]
                for j in range(1, L + 1):
                    zj = 0 if j == 1 else mpf(Z[j - 2])
                    h.append(h[-1] + 1 - zj)  # h(j) - h(j-1) = h(1) - Z_j, h(1) = 1
                profs.append(h)
                for hp in profs:
                    hp = [mpf(v) for v in hp]
                    a, b = kl_enum(hp, p), kl_dp(hp, p)
                    check(abs(a - b) < tol, "enum vs DP %s L=%d K=%d" % (sched, L, K))
                    n_b += 1
    print("  (b) enumeration over [K]^L == binomial DP: %d cases" % n_b, flush=True)

    # (c) DP vs closed forms, L <= 8 -----------------------------------------------------
    n_c = 0
    for L in range(2, 9):
        for K in sorted({1, 2, 3, 5, 8, L}):
            for sched in VERIFY_SCHEDULES:
                variants = [("mp", pi_law(sched, L, K))]
                if sched in ("iid:linear", "iid:poly:a=2"):
                    variants.append(("exact", pi_law(sched, L, K, exact=True)))
                for kind, p in variants:
                    exact = kind == "exact"
                    conv = (lambda v: Fraction(v)) if exact else (lambda v: mpf(v))
                    ok = (lambda a, b: a == b) if exact else (lambda a, b: abs(a - b) < tol)
                    hp = [conv(v) for v in h_parity(L)]
                    hc = [conv(v) for v in h_copy(L)]
                    check(ok(kl_dp(hp, p), kl_parity_closed(L, p)),
                          "parity closed form %s L=%d K=%d %s" % (sched, L, K, kind))
                    check(ok(kl_dp(hc, p), kl_copy_closed(L, p)),
                          "copy closed form %s L=%d K=%d %s" % (sched, L, K, kind))
                    n_c += 2
                    for d in range(1, L):
                        hd = [conv(v) for v in h_mds(L, d)]
                        dp = kl_dp(hd, p)
                        check(ok(dp, kl_mds_closed_small(L, d, p)),
                              "MDS closed form %s L=%d K=%d d=%d %s" % (sched, L, K, d, kind))
                        check(ok(dp, kl_general_closed(hd, p)),
                              "general closed form %s L=%d K=%d d=%d" % (sched, L, K, d))
                        n_c += 2
                    # K = 1: kl = TC
                    if K == 1:
                        check(ok(kl_parity_closed(L, p), 1) and ok(kl_copy_closed(L, p), L - 1),
                              "K=1 must give TC")
    print("  (c) DP == closed forms (copy, parity, MDS all d, general h): %d cases "
          "(tol 1e-30; exact Fractions for linear/poly)" % n_c, flush=True)

    # (d) tail-sum evaluation (used for worst_refs) vs small-L closed form; F prefix sums ----
    n_d = 0
    for L in (2, 3, 5, 8, 16, 33):
        for K in sorted({1, 2, 4, 7, L - 1 if L > 1 else 1}):
            for sched in VERIFY_SCHEDULES:
                p = pi_law(sched, L, K)
                kls = kl_all_d(p, L)
                for d in range(1, L):
                    ref = kl_mds_closed_small(L, d, p) if L <= 16 else None
                    if ref is not None:
                        check(abs(kls[d] - ref) < tol, "tail-sum %s L=%d K=%d d=%d" % (sched, L, K, d))
                        n_d += 1
                check(abs(kls[1] - kl_copy_closed(L, p)) < tol, "tail-sum d=1 vs copy")
                check(abs(kls[L - 1] - kl_parity_closed(L, p)) < tol, "tail-sum d=L-1 vs parity")
                check(abs(kls[0]) < tol, "kl(h_0) must be 0")
                n_d += 3
    for sched in VERIFY_SCHEDULES:
        for L, K in ((1024, 256), (2 ** 20, 8), (2 ** 20, 40)):
            p = pi_law(sched, L, K)
            F, T = F_T(p)
            check(abs(sum(p) - 1) < mpf(10) ** (-50), "sum pi = 1")
            for k in sorted({1, 2, K // 2, K - 1, K}):
                check(abs(F[k - 1] - F_closed(sched, L, K, k - 1)) < mpf(10) ** (-50), "F prefix")
                check(abs(T[k - 1] - (1 - F_closed(sched, L, K, k - 1))) < mpf(10) ** (-50), "T")
    # exact (Fraction) argmax for rational laws vs. the mpmath deficit-based argmax
    n_x = 0
    for L in (8, 16, 24):
        for K in (2, 3, 4, 6, 8):
            for sched in ("iid:linear", "iid:poly:a=2"):
                pe = pi_law(sched, L, K, exact=True)
                kle = [kl_mds_closed_small(L, d, pe) for d in range(L)]
                rtc = [Fraction(K) * kle[d] / (L - d) for d in range(1, L)]
                rdt = [Fraction(K) * kle[d] / d for d in range(1, L)]
                etc_ = max(rtc); edt = max(rdt)
                dtc_e = 1 + rtc.index(etc_); ddt_e = 1 + rdt.index(edt)  # index = smallest d
                w = worst_from_tails(tails_all_d(pi_law(sched, L, K), L), L, K)
                check(w[1] == dtc_e and w[3] == ddt_e, "exact argmax %s L=%d K=%d: %s vs %s"
                      % (sched, L, K, (w[1], w[3]), (dtc_e, ddt_e)))
                check(abs(w[0] - mpf(etc_.numerator) / etc_.denominator) < tol and
                      abs(w[2] - mpf(edt.numerator) / edt.denominator) < tol, "exact worst values")
                n_x += 1
    # deep near-tie regime: K*kl/(L-d) = K*(1 - D_d) with D_d ~ 1e-50 .. 1e-100 < 10^-dps
    for L, K in ((400, 4), (600, 6)):
        for sched in ("iid:linear", "iid:poly:a=2"):
            pe = pi_law(sched, L, K, exact=True)
            Fe, Te = F_T(pe)
            Se = [Fraction(0)] * (L + 1)
            for k in range(K):
                pmf = binom_pmf_list(L - 1, Fe[k], Te[k])
                acc = Fraction(0)
                for j in range(L - 1, -1, -1):
                    acc += pmf[j]
                    Se[j] += pe[k] * acc
            De = [Fraction(L) * Se[d] / (L - d) for d in range(1, L)]
            dtc_e = 1 + De.index(min(De))
            rdt = [Fraction(K) * ((L - d) - L * Se[d]) / d for d in range(1, L)]
            ddt_e = 1 + rdt.index(max(rdt))
            mp.dps = 40
            w = worst_from_tails(tails_all_d(pi_law(sched, L, K), L), L, K)
            mp.dps = 60
            Dmin = min(De)
            check(w[1] == dtc_e and w[3] == ddt_e, "deep near-tie argmax %s L=%d K=%d: %s vs %s"
                  % (sched, L, K, (w[1], w[3]), (dtc_e, ddt_e)))
            check(abs(w[4] - mpf(Dmin.numerator) / Dmin.denominator) < mpf(10) ** (-25) * w[4],
                  "deep near-tie deficit")
            n_x += 1
    print("  (d) exact-Fraction worst case / argmax == mpmath tail-sum version: %d cases "
          "(incl. deficits 1 - worst_tc/K far below 10^-dps)" % n_x, flush=True)
    print("  (d) tail-sum all-d evaluation == closed forms: %d cases; prefix sums == closed F"
          % n_d, flush=True)

    # (e) extreme rays: random concave profiles never beat max over h_d -----------------
    n_e = 0
    for L in (4, 6, 8):
        for K in (2, 3, 5):
            for sched in VERIFY_SCHEDULES:
                p = pi_law(sched, L, K)
                wtc, _, wdtc, _, _, _, _ = worst_from_tails(tails_all_d(p, L), L, K)
                for _ in range(20):
                    Z = [0] + sorted(rng.random() ** 3 for _ in range(L - 1))  # Z_1 = 0 <= ...
                    h = [mpf(0)]
                    for j in range(1, L + 1):
                        h.append(h[-1] + 1 - mpf(Z[j - 1]))
                    TC = sum(mpf(z) for z in Z)
                    DTC = L * mpf(Z[-1]) - TC
                    kl = kl_general_closed(h, p)
                    check(abs(kl - kl_dp(h, p)) < tol, "general closed form, random h")
                    check(K * kl / TC <= wtc * (1 + tol), "extreme ray TC violated")
                    if DTC > 0:
                        check(K * kl / DTC <= wdtc * (1 + tol), "extreme ray DTC violated")
                    n_e += 1
    print("  (e) %d random concave profiles: K*kl/TC <= worst_tc, K*kl/DTC <= worst_dtc" % n_e,
          flush=True)
    print("VERIFICATION PASSED (%.1f s)" % (time.time() - t0), flush=True)


# ----------------------------------------------------------------------------- tables
def closed_Ks(L):
    Ks = {L // 4, math.isqrt(L), 2 * int(round(math.log2(L))), 8}
    return sorted(K for K in Ks if 1 <= K <= L)


def worst_Ks(L):
    Ks = {L // 4, math.isqrt(L), 2 * int(round(math.log2(L))), 8}
    return sorted(K for K in Ks if 1 <= K < L)


def closed_row_values(sched, L, K):
    p = pi_law(sched, L, K)
    F, T = F_T(p)
    return kl_parity_closed(L, p, F), kl_copy_closed(L, p, T)


def make_closed(path):
    t0 = time.time()
    mp.dps = 60
    rows = []
    for e in range(4, 21):
        L = 2 ** e
        for K in closed_Ks(L):
            for sched in SCHEDULES:
                kp, kc = closed_row_values(sched, L, K)
                rows.append((sched, L, K, "parity", kp))
                rows.append((sched, L, K, "copy", kc))
        print("  closed L=2^%d done (%.1f s)" % (e, time.time() - t0), flush=True)
    # precision cross-check at dps=90 on the hardest (L = 2^20) rows
    mp.dps = 90
    worst_rel = mpf(0)
    L = 2 ** 20
    for K in closed_Ks(L):
        for sched in SCHEDULES:
            kp, kc = closed_row_values(sched, L, K)
            for prof, v in (("parity", kp), ("copy", kc)):
                (old,) = [r[4] for r in rows if r[:4] == (sched, L, K, prof)]
                rel = abs(old - v) / v
                worst_rel = max(worst_rel, rel)
                check(rel < mpf(10) ** (-32), "dps 60 vs 90 %s L=%d K=%d %s: rel %s"
                      % (sched, L, K, prof, mpmath.nstr(rel, 3)))
    print("  dps=60 vs dps=90 on L=2^20 rows: max rel diff %s" % mpmath.nstr(worst_rel, 3),
          flush=True)
    mp.dps = 60
    with open(path, "w") as f:
        f.write("schedule,L,K,profile,kl\n")
        for sched, L, K, prof, v in rows:
            f.write("%s,%d,%d,%s,%s\n" % (sched, L, K, prof, fmt(v, 25)))
    print("wrote %s: %d rows (%.1f s)" % (path, len(rows), time.time() - t0), flush=True)


def make_worst(path, margins_path):
    t0 = time.time()
    mp.dps = 40
    rows = []
    for L in (16, 64, 256, 1024, 4096):
        for K in worst_Ks(L):
            for sched in SCHEDULES:
                p = pi_law(sched, L, K)
                rows.append((sched, L, K) + worst_from_tails(tails_all_d(p, L), L, K))
        print("  worst L=%d done (%.1f s)" % (L, time.time() - t0), flush=True)
    # cross-check at dps=60 (argmax identical, values to relative 1e-28)
    mp.dps = 60
    for sched, L, K in (("random-tc", 1024, 256), ("random-dtc", 1024, 256),
                        ("iid:cosine", 1024, 20), ("iid:linear", 4096, 8)):
        p = pi_law(sched, L, K)
        r = worst_from_tails(tails_all_d(p, L), L, K)
        (old,) = [x for x in rows if x[:3] == (sched, L, K)]
        check(old[4] == r[1] and old[6] == r[3], "argmax changed with precision %s %d %d"
              % (sched, L, K))
        check(abs(old[3] - r[0]) / r[0] < mpf(10) ** (-28) and
              abs(old[5] - r[2]) / r[2] < mpf(10) ** (-28), "worst dps 40 vs 60")
        check(abs(old[7] - r[4]) <= mpf(10) ** (-25) * r[4], "TC deficit dps 40 vs 60")
    print("  dps=40 vs dps=60 cross-check passed", flush=True)
    mp.dps = 40
    with open(path, "w") as f:
        f.write("schedule,L,K,worst_tc,d_tc,worst_dtc,d_dtc\n")
        for r in rows:
            sched, L, K, wtc, dtc_, wdtc, ddtc = r[:7]
            f.write("%s,%d,%d,%s,%d,%s,%d\n" % (sched, L, K, fmt(wtc, 20), dtc_, fmt(wdtc, 20), ddtc))
    with open(margins_path, "w") as f:
        # tc_deficit = 1 - worst_tc/K (exact-math value, full relative precision);
        # tc_gap  = relative gap of that deficit to the second-best d;
        # dtc_gap = relative gap of K*kl/d to the second-best d.
        f.write("schedule,L,K,tc_deficit,tc_gap,dtc_gap\n")
        for r in rows:
            f.write("%s,%d,%d,%s,%s,%s\n" % (r[0], r[1], r[2], mpmath.nstr(r[7], 6),
                                             mpmath.nstr(r[8], 6), mpmath.nstr(r[9], 6)))
    print("wrote %s and %s: %d rows (%.1f s)" % (path, margins_path, len(rows), time.time() - t0),
          flush=True)
    return rows


if __name__ == "__main__":
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    T0 = time.time()
    print("mpmath %s backend %s" % (mpmath.__version__, mpmath.libmp.BACKEND), flush=True)
    verify()
    if "--verify" in sys.argv:
        sys.exit(0)
    if "--closed-only" not in sys.argv:
        make_worst(os.path.join(here, "worst_refs.csv"), os.path.join(here, "worst_refs_margins.csv"))
    if "--worst-only" not in sys.argv:
        make_closed(os.path.join(here, "iid_closed.csv"))
    print("RUNTIME total %.1f s wall, %.1f s CPU" % (time.time() - T0, time.process_time()))
