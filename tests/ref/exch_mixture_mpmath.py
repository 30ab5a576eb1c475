#!/usr/bin/python3
"""Reference values for tests/test_closed_form.c (test_mixture_large_L): the entropy profile h(m), in bits,
of the exchangeable mixture
    mixture:0.3*{product:L=N,p=0.2}+0.5*{product:L=N,p=0.7}+0.2*{cw:L=N,J=1.5,h=0.05}
at N = 500 and N = 2000, by mpmath at 50 digits, independently of dlmkl's log-domain recursion:
the string probability of one binary string of length m with k ones is
    a(m,k) = 0.3 (0.8)^k 0.2^(m-k) + 0.5 (0.3)^k 0.7^(m-k) + 0.2 sum_j C(N-m,j) a_cw(N,k+j)
(product: p = P(x=0); cw: a_cw(N,k) = exp(J B + h M) / Z, M = 2k - N, B = (M^2 - N)/(2N),
Z = sum_k C(N,k) exp(J B + h M)), and h(m) = -sum_k C(m,k) a(m,k) log2 a(m,k).
Run: /usr/bin/python3 tests/ref/exch_mixture_mpmath.py   (about a minute)."""
import mpmath as mp

mp.mp.dps = 50
J, H = mp.mpf('1.5'), mp.mpf('0.05')
comps = [(mp.mpf('0.3'), mp.mpf('0.8')), (mp.mpf('0.5'), mp.mpf('0.3'))]  # (weight, P(x=1))
wcw = mp.mpf('0.2')


def profile(N, ms):
    e = []
    for k in range(N + 1):
        M = 2 * k - N
        e.append(mp.exp(J * mp.mpf(M * M - N) / (2 * N) + H * M))
    Z = mp.fsum(mp.binomial(N, k) * e[k] for k in range(N + 1))
    acw = [x / Z for x in e]
    out = {}
    for m in ms:
        binr = [mp.binomial(N - m, j) for j in range(N - m + 1)]
        s = mp.mpf(0)
        for k in range(m + 1):
            a = mp.fsum(w * t**k * (1 - t)**(m - k) for w, t in comps)
            a += wcw * mp.fsum(binr[j] * acw[k + j] for j in range(N - m + 1))
            s += mp.binomial(m, k) * a * mp.log(a, 2)
        out[m] = -s
    return out


for N in (500, 2000):
    ms = [1, 2, 10, N // 2, N - 1, N]
    r = profile(N, ms)
    for m in ms:
        print(f"{{{N}, {m}, {mp.nstr(r[m], 20)}}},")
