"""Tests of the Python package: every value equals the dlmkl program's CSV value bit for bit, numpy
input equals the same table read from a file, errors raise with the library's message, and 10^4
calls do not grow the process. Run by meson (`meson test python`) with DLMKL_CLI set to the
program and PYTHONPATH to build/python."""
import csv
import io
import math
import os
import struct
import subprocess
import sys
import time

import numpy as np
import pytest

import dlmkl

CLI = os.environ.get("DLMKL_CLI", "dlmkl")
SRC = os.environ.get("DLMKL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


def cli(*args):
    r = subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def cli_rows(*args):
    rc, out, err = cli(*args)
    assert rc == 0, f"dlmkl {' '.join(args)}: {err}"
    return list(csv.DictReader(io.StringIO(out)))


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def same(py, text, where):
    """A Python value against the program's CSV cell, bit for bit ('' is NaN / None)."""
    if text == "":
        assert py is None or (isinstance(py, float) and math.isnan(py)), f"{where}: {py!r} where the CLI is empty"
        return
    if isinstance(py, str):
        assert py == text, f"{where}: {py!r} != {text!r}"
        return
    want = float(text)
    assert bits(float(py)) == bits(want), f"{where}: {float(py)!r} != {text} (CLI)"


def same_table(df, rows, label):
    assert list(df.columns) == list(rows[0].keys()), f"{label}: columns differ"
    assert len(df) == len(rows), f"{label}: {len(df)} rows, CLI {len(rows)}"
    for i, row in enumerate(rows):
        for col, text in row.items():
            v = df[col].iloc[i]
            if isinstance(v, (np.floating, np.integer)):
                v = v.item()
            same(v, text, f"{label} row {i} column {col}")


KL_CASES = [
    ("markov:L=8,stay=0.9", ["balanced", "random-tc", "chen-tc", "optimal"], "1,2,4,8", ["random"]),
    ("parity:L=6", ["cosine", "iid:cosine", "random-dtc", "composition"], "1..6", ["random", "l2r"]),
    ("copy:L=5,V=3", ["linear", "powerlaw:a=1", "twin:random-tc"], "pow2:1..4", ["random", "stride:2"]),
    ("random:L=4,V=3,seed=11", ["sizes:2,1,1", "chen-dtc:zeta=3"], None, ["random"]),
    ("ising:L=7,J=0.5,h=0.1", ["mix:1*{balanced}+2*{iid:linear}", "poly:a=2"], "3", ["random"]),
]


@pytest.mark.parametrize("spec,scheds,K,pos", KL_CASES, ids=[c[0] for c in KL_CASES])
def test_kl_equals_cli_bits(spec, scheds, K, pos):
    args = ["kl", "--dist", spec]
    for s in scheds:
        args += ["--schedule", s]
    if K:
        args += ["--K", ",".join(str(k) for k in dlmkl.expand_K(K))]
    args += ["--positions", ",".join(pos)]
    rows = cli_rows(*args)
    df = dlmkl.kl(spec, schedule=scheds, K=K, positions=pos)
    same_table(df, rows, f"kl {spec}")


ADAPTIVE_CASES = [
    ("ising:L=6,J=0.7", ["balanced"], "3", ["confidence", "threshold:tau=0.8", "random", "eb:gamma=0.5"],
     ["exact", "temp:1.5", "mix:0.2,seed=4"]),
    ("random:L=4,V=3,seed=7,alpha=0.3", ["balanced", "iid:cosine"], "2,3", ["confidence:by=margin", "l2r"], []),
]


@pytest.mark.parametrize("spec,scheds,K,pos,preds", ADAPTIVE_CASES, ids=[c[0] for c in ADAPTIVE_CASES])
def test_kl_adaptive_equals_cli_bits(spec, scheds, K, pos, preds):
    args = ["kl", "--dist", spec, "--K", K, "--positions", ",".join(pos), "--output-law", "always"]
    for s in scheds:
        args += ["--schedule", s]
    for p in preds:
        args += ["--predictor", p]
    rows = cli_rows(*args)
    assert "predictor" in rows[0]
    df = dlmkl.kl(spec, schedule=scheds, K=K, positions=pos, predictor=preds or None, output_law="always")
    same_table(df, rows, f"kl {spec} adaptive")


@pytest.mark.parametrize("spec", ["markov:L=8,stay=0.9", "copy:L=5,V=3", "perm:n=5", "mds:q=5,n=5,k=2",
                                  "cw:L=9,J=1.2"])
@pytest.mark.parametrize("unit", ["bits", "nats"])
def test_info_and_profile_equal_cli_bits(spec, unit):
    (row,) = cli_rows("info", "--dist", spec, "--unit", unit)
    got = dlmkl.info(spec, unit=unit)
    assert list(got) == list(row)
    for k, text in row.items():
        same(got[k] if not isinstance(got[k], int) else float(got[k]), text, f"info {spec} {k}")
    prows = cli_rows("profile", "--dist", spec, "--unit", unit)
    h, Z = dlmkl.profile(spec, unit=unit, Z=True)
    assert len(h) == len(prows)
    for m, r in enumerate(prows):
        same(float(h[m]), r["h"], f"profile {spec} h[{m}]")
        same(float(Z[m]), r["Z"], f"profile {spec} Z[{m}]")


def test_closed_form_profile_equals_cli():
    spec = "markov:L=200,stay=0.8"
    rows = cli_rows("kl", "--profile", spec, "--schedule", "random-tc", "--schedule", "chen-tc", "--K", "8,32")
    same_table(dlmkl.kl(dlmkl.Profile(spec), schedule=["random-tc", "chen-tc"], K=[8, 32]), rows, "closed form")
    # auto:SPEC: the closed form where the family has one, else the enumerated table's profile
    same_table(dlmkl.kl(dlmkl.Profile("auto:" + spec), schedule=["random-tc", "chen-tc"], K=[8, 32]).drop(columns="dist"),
               [{k: v for k, v in r.items() if k != "dist"} for r in rows], "auto closed form")
    a, b = dlmkl.info(dlmkl.Profile("auto:random:L=7,V=2,seed=3")), dlmkl.info("random:L=7,V=2,seed=3")
    assert all(a[k] == b[k] for k in ("L", "V", "H", "TC", "DTC")), (a, b)


def write_table(path, a):
    L, V = a.ndim, a.shape[0]
    with open(path, "w") as f:
        f.write(f"# written by test_dlmkl.py\n{L} {V}\n")
        for x in a.ravel():
            f.write("%.17g\n" % x)


@pytest.mark.parametrize("L,V,seed", [(3, 2, 1), (4, 3, 2), (6, 2, 3)])
def test_numpy_equals_table_file(tmp_path, L, V, seed):
    rng = np.random.default_rng(seed)
    a = rng.dirichlet(np.ones(V ** L)).reshape((V,) * L)
    path = tmp_path / "p.txt"
    write_table(path, a)
    # the file holds the same doubles (%.17g round-trips), so the two inputs are the same table
    spec = f"table:{path}"
    scheds = ["balanced", "iid:linear", "optimal"]
    from_file = dlmkl.kl(spec, schedule=scheds, K=[1, 2, L], positions=["random", "l2r"])
    from_array = dlmkl.kl(a, schedule=scheds, K=[1, 2, L], positions=["random", "l2r"])
    cols = [c for c in from_file.columns if c != "dist"]
    assert from_file[cols].equals(from_array[cols])
    # and both equal the program on the file
    rows = cli_rows("kl", "--dist", spec, "--schedule", "balanced", "--schedule", "iid:linear",
                    "--schedule", "optimal", "--K", f"1,2,{L}", "--positions", "random,l2r")
    same_table(from_file, rows, "table file")
    # a float64 C-contiguous array is used in place (no copy); its profile equals the file's
    d = dlmkl.Dist(a)
    assert np.shares_memory(d._array, a)
    assert np.array_equal(dlmkl.profile(d), dlmkl.profile(spec))
    # normalize=True copies and leaves the caller's array alone
    c = 3 * a
    dlmkl.Dist(c, normalize=True)
    assert np.array_equal(c, 3 * a)


def test_table_roundtrip_and_long_format(tmp_path):
    spec = "ising:L=6,J=0.4,h=0.2"
    d = dlmkl.Dist(spec)
    a = d.table()
    assert a.shape == (2,) * 6 and abs(a.sum() - 1) < 1e-12
    scheds = ["balanced", "iid:cosine"]
    cols = lambda df: df[[c for c in df.columns if c != "dist"]]
    want = cols(dlmkl.kl(spec, schedule=scheds, K=[2, 3], output_law="always"))
    assert want.equals(cols(dlmkl.kl(a, schedule=scheds, K=[2, 3], output_law="always")))
    # a long-format DataFrame (rows shuffled, zero rows dropped), in Python and through a CSV file
    import itertools
    import pandas as pd

    rows = [dict(x1=x[0], x2=x[1], x3=x[2], x4=x[3], x5=x[4], x6=x[5], p=a[x])
            for x in itertools.product(range(2), repeat=6) if a[x] > 0]
    df = pd.DataFrame(rows).sample(frac=1, random_state=3)
    assert want.equals(cols(dlmkl.kl(df, schedule=scheds, K=[2, 3], output_law="always")))
    df.to_csv(tmp_path / "long.csv", float_format="%.17g")
    assert want.equals(cols(dlmkl.kl(f"table:{tmp_path / 'long.csv'}", schedule=scheds, K=[2, 3],
                                     output_law="always")))
    with pytest.raises(ValueError):
        dlmkl.Dist(pd.DataFrame({"x1": [0, 0], "p": [0.5, 0.5]}))


def test_sample_and_sweep_equal_cli(tmp_path):
    spec = "markov:L=4,stay=0.8"
    for fmt in ("law", "samples"):
        rows = cli_rows("sample", "--dist", spec, "--schedule", "balanced", "--K", "2", "--n", "500", "--seed", "7",
                        "--format", fmt)
        df = dlmkl.sample(spec, schedule="balanced", K=2, n=500, seed=7, format=fmt)
        same_table(df, rows, f"sample {fmt}")
    cfg = tmp_path / "s.ini"
    cfg.write_text("[sweep]\nname = s\nK = 1, 2, L\nschedules = balanced, random-tc\n\n"
                   "[dist m]\nspec = markov:L={L},V=2,stay=0.9\nL = 4, 6\n")
    rc, _, err = cli("sweep", str(cfg), "--out-dir", str(tmp_path / "cli"))
    assert rc == 0, err
    with open(tmp_path / "cli" / "s.csv") as f:
        rows = list(csv.DictReader(f))
    same_table(dlmkl.sweep(cfg), rows, "sweep")
    df = dlmkl.sweep(cfg, out_dir=tmp_path / "py")
    assert (tmp_path / "py" / "s.csv").read_bytes() == (tmp_path / "cli" / "s.csv").read_bytes()
    assert (tmp_path / "py" / "s.meta.json").exists() and len(df) == len(rows)
    # a second run into the same folder refuses, unless it resumes or overwrites (same bytes each way)
    with pytest.raises(dlmkl.DlmklError, match="exists|already"):
        dlmkl.sweep(cfg, out_dir=tmp_path / "py")
    with pytest.raises(ValueError):
        dlmkl.sweep(cfg, out_dir=tmp_path / "py", resume=True, force=True)
    for kw in ({"resume": True}, {"force": True}):
        assert dlmkl.sweep(cfg, out_dir=tmp_path / "py", **kw).equals(df)
        assert (tmp_path / "py" / "s.csv").read_bytes() == (tmp_path / "cli" / "s.csv").read_bytes()


def test_threads_and_memory_cap():
    spec = "random:L=10,V=2,seed=5"
    a = dlmkl.kl(spec, schedule="iid:cosine", K=4, threads=1)
    b = dlmkl.kl(spec, schedule="iid:cosine", K=4, threads=2)
    assert a.equals(b)
    with pytest.raises(dlmkl.DlmklError, match="memory"):
        dlmkl.info("random:L=16,V=2,seed=1", max_memory=1024)
    # the cap is restored after the call
    assert dlmkl.info("random:L=16,V=2,seed=1")["L"] == 16


def test_threads_run_at_once_each_with_its_own_cap(monkeypatch):
    """Two Python threads at the same time: one computes a kl_output row under a 1 GiB cap and gets
    the value of a call made alone; the other calls again and again under a 4 KiB cap and fails with
    the cap's message each time, while the first is still inside the library (no lock serialises
    them: the GIL is released and the cap is a setting of each thread)."""
    import threading

    spec = "random:L=10,V=2,seed=1"
    ref = dlmkl.kl(spec, schedule="iid:cosine", K=6, output_law="always", threads=1)
    d = dlmkl.Dist(spec)
    started, big, c_end = threading.Event(), {}, []
    text_call = dlmkl._text_call

    def timed_text_call(fn, *args):  # the time the library call of the big thread returned
        try:
            return text_call(fn, *args)
        finally:
            if threading.current_thread() is t:
                c_end.append(time.perf_counter())

    monkeypatch.setattr(dlmkl, "_text_call", timed_text_call)

    def big_call():
        started.set()
        try:
            big["df"] = dlmkl.kl(d, schedule="iid:cosine", K=6, output_law="always", threads=1,
                                 max_memory=1 << 30)
        except Exception as e:  # reported below
            big["error"] = e

    t = threading.Thread(target=big_call)
    t.start()
    started.wait()
    time.sleep(0.05)  # the other call is inside the library by now
    ends = []
    while t.is_alive() or not ends:
        with pytest.raises(dlmkl.DlmklError, match="above the memory cap of 4.00 KiB"):
            dlmkl.kl(spec, schedule="iid:cosine", K=6, output_law="always", threads=1, max_memory=4096)
        ends.append(time.perf_counter())
    t.join()
    assert "error" not in big, big.get("error")
    assert big["df"].equals(ref)
    during = sum(e < c_end[0] for e in ends)
    assert during >= 5, f"{during} small-cap calls ended during the other thread's library call: they waited for it"
    assert dlmkl.info(spec)["L"] == 10  # this thread's cap is back to the default


ERRORS = [
    (["--dist", "markov:L=4,stya=0.9", "--schedule", "balanced", "--K", "2"],
     dict(dist="markov:L=4,stya=0.9", schedule="balanced", K=2)),
    (["--dist", "parity:L=4", "--schedule", "nosuch", "--K", "2"], dict(dist="parity:L=4", schedule="nosuch", K=2)),
    (["--dist", "parity:L=4", "--schedule", "balanced", "--K", "9"], dict(dist="parity:L=4", schedule="balanced", K=9)),
    (["--dist", "table:/nonexistent/p.txt", "--schedule", "balanced", "--K", "2"],
     dict(dist="table:/nonexistent/p.txt", schedule="balanced", K=2)),
]


@pytest.mark.parametrize("args,kw", ERRORS, ids=[e[0][1] + " " + e[0][3] for e in ERRORS])
def test_errors_raise_the_library_message(args, kw):
    rc, _, err = cli("kl", *args)
    assert rc == 1
    msg = err.strip().split("dlmkl kl: ", 1)[1]
    with pytest.raises(dlmkl.DlmklError) as e:
        dlmkl.kl(kw.pop("dist"), **kw)
    assert str(e.value) == msg


def test_bad_arrays_raise():
    with pytest.raises(dlmkl.DlmklError, match="sum"):
        dlmkl.Dist(np.full((2, 2), 0.3))
    with pytest.raises(dlmkl.DlmklError):
        dlmkl.Dist(np.array([[0.5, 0.6], [-0.1, 0.0]]))
    with pytest.raises(ValueError, match="shape"):
        dlmkl.Dist(np.ones((2, 3)) / 6)
    with pytest.raises(dlmkl.DlmklError):
        dlmkl.kl("parity:L=4", schedule="balanced", K="5..2")
    with pytest.raises(ValueError):
        dlmkl.kl("parity:L=4", schedule="balanced", K=2, output_law="sometimes")


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_no_leak_over_10k_calls():
    a = np.full((2,) * 5, 1 / 32)

    def work(i):  # every entry; kl only every 50th call (pandas' read_csv is most of a call's time)
        if i % 50 == 0:
            dlmkl.kl(a, schedule=["balanced", "iid:linear"], K=2, threads=1)
        elif i % 50 == 1:
            dlmkl.sample(a, schedule="balanced", K=2, n=100, seed=i)
        elif i % 3 == 0:
            dlmkl.info("markov:L=5,stay=0.7", threads=1)
        elif i % 3 == 1:
            dlmkl.profile(dlmkl.Dist(a), threads=1)
        else:
            with pytest.raises(dlmkl.DlmklError):
                dlmkl.Dist("markov:L=5,stay=2")

    for i in range(1000):  # warm up the allocators and pandas
        work(i)
    before = rss_kib()
    for i in range(10000):
        work(i)
    grown = rss_kib() - before
    assert grown < 4096, f"RSS grew by {grown} KiB over 10^4 calls"


def test_example_q2_runs(tmp_path):
    out = tmp_path / "q2.png"
    r = subprocess.run([sys.executable, os.path.join(SRC, "examples", "q2_rates_K.py"), str(out), "--quick"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert r.returncode == 0, r.stderr.decode()
    assert out.stat().st_size > 10000
