#!/usr/bin/env python3
"""Question 2 of the reproduction (rates in K) from the Python API: the exact kl_expected against the
number of iterations K, one panel per distribution of the bank, one line per schedule, with the
reference lines TC/K and DTC/K (dashed). Zero values (exact samplers) cannot be drawn on log axes.

    PYTHONPATH=build/python python3 examples/q2_rates_K.py [OUT.png] [--quick]
"""
import sys

import matplotlib

matplotlib.use("Agg")  # headless
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import dlmkl  # noqa: E402

BANK = ["parity:L={L}", "mds:q=7,n=7,k=3", "copy:L={L},V=2", "mixprod:L={L},V=2,m=2,seed=1,alpha=0.1",
        "markov:L={L},V=2,stay=0.9", "ising2d:rows=4,cols={c},J=0.4"]
SCHEDULES = ["balanced", "cosine", "iid:cosine", "random-tc", "random-dtc", "chen-tc", "chen-dtc", "optimal"]


def main():
    args = [a for a in sys.argv[1:] if a != "--quick"]
    quick = "--quick" in sys.argv[1:]
    out = args[0] if args else "q2_rates_K.png"
    L, c = (10, 3) if quick else (16, 4)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5), constrained_layout=True)
    for ax, tmpl in zip(axes.flat, BANK):
        spec = tmpl.format(L=L, c=c)
        d = dlmkl.Dist(spec)  # the table and its profile are built once for every schedule and K
        df = dlmkl.kl(d, schedule=SCHEDULES, K=f"1..{d.L}", output_law="never")
        for sched, g in df.groupby("schedule", sort=False):
            y = g["kl_expected"].where(g["kl_expected"] > 0)
            ax.plot(g["K"], y, marker="o", ms=3, label=sched.split(":")[0])
        first = df[df["schedule"] == SCHEDULES[0]]
        ax.plot(first["K"], first["bound_tc_over_K"], "k--", lw=1, label="TC/K")
        ax.plot(first["K"], first["bound_dtc_over_K"], "k:", lw=1, label="DTC/K")
        info = dlmkl.info(d)
        ax.set(xscale="log", yscale="log", xlabel="K (iterations)", ylabel="kl_expected (bits)",
               title=f"{spec}\nTC = {info['TC']:.3g}, DTC = {info['DTC']:.3g} bits")
        ax.grid(True, which="both", color="#dddddd")
    axes.flat[0].legend(fontsize=7, ncol=2)
    fig.suptitle("Rates in K: exact kl_expected against K (random positions)")
    fig.savefig(out, dpi=80)
    print(out)
    return 0 if np.isfinite(df["kl_expected"]).all() else 1


if __name__ == "__main__":
    sys.exit(main())
