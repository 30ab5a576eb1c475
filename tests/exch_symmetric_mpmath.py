#!/usr/bin/python3
"""Mixtures of i.i.d. laws on [V]^L symmetric among the nonzero symbols (product:L=..,V=..,p=..
components, P(x=0) = p, (1-p)/(V-1) for each other symbol): `dlmkl profile --profile mixture:...`
(the closed form in logs, dlmkl_profile_symmetric_mixture) against mpmath at 50 digits at
L = 200..1000, asserting 1e-12 relative at a spread of m.

The reference is an independent route in the linear domain, no logarithms of parts: the string
probability of one string of length m with k zeros is
    a(m,k) = sum_c w_c p_c^k ((1 - p_c)/(V - 1))^(m-k)      (mpf: no underflow at any L),
it is shared by C(m,k) (V-1)^(m-k) strings (exact integers), and
    h(m) = -sum_k C(m,k) (V-1)^(m-k) a(m,k) log2 a(m,k).
Also: the program rejects a non-symmetric component (product:...,seed=) by name.

Usage: exch_symmetric_mpmath.py DLMKL   (run by `meson test exch_symmetric_mpmath`; exits 77,
skipped, when mpmath is missing). About 10 s."""
import subprocess
import sys

try:
    import mpmath as mp
except ImportError:
    print("mpmath is not installed: the 50-digit check of the symmetric mixture closed form is skipped")
    sys.exit(77)

mp.mp.dps = 50
REL = 1e-12


def reference(L, V, comps, ms):
    """h(m) in bits for m in ms; comps = [(weight, p), ...] (weights normalised here)."""
    tot = sum(mp.mpf(w) for w, _ in comps)
    cs = [(mp.mpf(w) / tot, mp.mpf(p), (1 - mp.mpf(p)) / (V - 1)) for w, p in comps]
    out = {}
    for m in ms:
        s = mp.mpf(0)
        binom = 1  # C(m, k), exact
        for k in range(m + 1):
            a = mp.fsum(w * p**k * r**(m - k) for w, p, r in cs)
            if a > 0:
                s += binom * mp.mpf(V - 1)**(m - k) * a * mp.log(a, 2)
            binom = binom * (m - k) // (k + 1)
        out[m] = -s
    return out


def program(dlmkl, spec):
    r = subprocess.run([dlmkl, "profile", "--profile", spec], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"FAIL: dlmkl profile --profile {spec}: exit {r.returncode}: {r.stderr.strip()}")
    lines = r.stdout.strip().split("\n")
    assert lines[0].startswith("m,h,"), lines[0]
    h = {}
    for line in lines[1:]:
        f = line.split(",")
        h[int(f[0])] = float(f[1])
        assert f[4] == str(V_expected), f"V column {f[4]}, expected {V_expected}"
    return h


CASES = [  # (L, V, [(weight, p), ...])
    (200, 3, [("0.3", "0.2"), ("0.7", "0.9")]),
    (500, 4, [("1", "0.05"), ("2", "0.6"), ("1.5", "0.999")]),
    (1000, 3, [("0.25", "0.5"), ("0.25", "1e-7"), ("0.5", "0.3333")]),
    (1000, 7, [("1", "0.9999999"), ("1", "0.01")]),
    (800, 2, [("0.4", "1e-7"), ("0.6", "0.7")]),
    (600, 30, [("1", "0.4")]),
]

fails = 0
dlmkl = sys.argv[1]
for L, V, comps in CASES:
    spec = "mixture:" + "+".join(f"{w}*{{product:L={L},V={V},p={p}}}" for w, p in comps)
    V_expected = V
    got = program(dlmkl, spec)
    ms = sorted({1, 2, 3, 7, 50, L // 3, L // 2, L - 1, L})
    ref = reference(L, V, comps, ms)
    worst = 0.0
    for m in ms:
        rel = float(abs(mp.mpf(got[m]) - ref[m]) / max(abs(ref[m]), 1))
        worst = max(worst, rel)
        if not rel <= REL:
            print(f"FAIL: {spec} h({m}) = {got[m]!r}, mpmath {mp.nstr(ref[m], 20)}, relative error {rel:.3g}")
            fails += 1
    print(f"ok: L = {L}, V = {V}, {len(comps)} components: max relative error {worst:.3g} over m in {ms}")

# a non-symmetric component: no closed form, and the message names it
bad = "mixture:1*{product:L=300,V=3,p=0.5}+1*{product:L=300,V=3,seed=7}"
r = subprocess.run([dlmkl, "profile", "--profile", bad], capture_output=True, text=True)
if r.returncode != 1 or "component 2 ('product:L=300,V=3,seed=7')" not in r.stderr or "symmetric" not in r.stderr:
    print(f"FAIL: {bad}: exit {r.returncode}, message {r.stderr.strip()!r}")
    fails += 1
else:
    print("ok: a seeded (non-symmetric) component is rejected by name")
sys.exit(1 if fails else 0)
