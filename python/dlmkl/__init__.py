"""dlmkl: exact KL errors of diffusion-language-model unmasking samplers, from Python.

A thin layer over the C library's host entry (include/dlmkl/host.h), loaded with ctypes: every
result is the CSV text that the `dlmkl` program writes for the same arguments, produced by the same
C code and read back exactly (numbers are printed with %.17g, which round-trips), so a value from
Python equals the program's value bit for bit.

    import dlmkl
    dlmkl.info("markov:L=8,stay=0.9")                  # {'dist': ..., 'L': 8, 'V': 2, 'H': ..., 'TC': ...}
    dlmkl.profile("copy:L=6,V=3")                      # numpy array h[0..L]
    dlmkl.kl("parity:L=8", schedule=["balanced", "random-tc"], K="1..8")   # pandas DataFrame
    dlmkl.kl(p, schedule="optimal", K=[2, 4])          # p: numpy array of shape (V,)*L

`dist` is a spec string (the grammar of `dlmkl help specs`), a numpy array of shape (V,)*L
(x_1 the first axis), a pandas DataFrame in long format (columns x1..xL and p), or a Dist /
Profile object (which keeps its entropy profile between calls).
Every function takes `threads=` and `max_memory=` (bytes); the GIL is released while the library
computes, and calls from several Python threads run at the same time, each with its own thread count
and memory cap (both are settings of the calling thread in the library). Failures raise DlmklError
with the library's message.
"""
import ctypes
import io
import os
import tempfile

import numpy as np

from . import _lib
from ._lib import DlmklError

__all__ = ["Dist", "Profile", "DlmklError", "info", "profile", "kl", "sample", "sweep", "expand_K",
           "version", "__version__"]

_UNITS = {"bits": 0, "nats": 1}
_OUTPUT_LAW = {"auto": 0, "always": 1, "never": 2}


def version():
    """'VERSION (git REVISION)' of the loaded library, as `dlmkl --version` prints it."""
    return f"{_lib.version().decode()} (git {_lib.git_revision().decode()})"


__version__ = _lib.version().decode()


class _Settings:
    """Set the thread count and memory cap for one call. Both are settings of the calling thread in the
    library (dlmkl_set_threads, dlmkl_set_max_memory), so calls from other threads are not affected
    and no lock is needed."""

    def __init__(self, threads, max_memory):
        if threads is not None and (int(threads) != threads or not 1 <= threads <= 1024):
            raise ValueError(f"threads must be an integer from 1 to 1024, not {threads!r}")
        if max_memory is not None and (int(max_memory) != max_memory or max_memory < 1):
            raise ValueError(f"max_memory must be a positive number of bytes, not {max_memory!r}")
        self.threads, self.max_memory = threads, max_memory

    def __enter__(self):
        self.saved_mem = _lib.max_memory()
        if self.threads is not None:
            self.saved_threads = _lib.threads()
            _lib.set_threads(int(self.threads))
        if self.max_memory is not None:
            _lib.set_max_memory(int(self.max_memory))
        return self

    def __exit__(self, *exc):
        _lib.set_max_memory(self.saved_mem)
        if self.threads is not None:
            _lib.set_threads(self.saved_threads)


def _unit(unit):
    try:
        return _UNITS[unit]
    except KeyError:
        raise ValueError(f"unit must be 'bits' or 'nats', not {unit!r}") from None


class Dist:
    """A law p on [V]^L held by the library, with its entropy profile computed once on first use.

    Dist(spec) builds it from a spec string; Dist(array) takes a numpy array of shape (V,)*L
    (float64 and C-contiguous arrays are used in place, without a copy, and must not change while
    the Dist lives; anything else is converted). normalize=True divides a table by its sum (a copy).
    """

    def __init__(self, source, normalize=False, name=None, threads=None, max_memory=None):
        self._array = None
        h = ctypes.c_void_p()
        with _Settings(threads, max_memory):
            if isinstance(source, (str, bytes, os.PathLike)) and not isinstance(source, np.ndarray):
                spec = os.fsdecode(source) if not isinstance(source, str) else source
                self.name = spec if name is None else name
                st = _lib.host_from_spec(spec.encode(), int(bool(normalize)), ctypes.byref(h))
                _lib.check(st)
            else:
                if hasattr(source, "columns") and "p" in source.columns:
                    source = _from_long(source)
                a = np.ascontiguousarray(source, dtype=np.float64)
                if a.ndim < 1 or len(set(a.shape)) != 1:
                    raise ValueError(f"a table must have shape (V,)*L, not {a.shape}")
                V, L = a.shape[0], a.ndim
                self.name = "array" if name is None else name
                self._array = a  # kept alive: the library reads it in place
                ptr = a.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
                st = _lib.host_from_table(ptr, L, V, int(bool(normalize)), self.name.encode(), ctypes.byref(h))
                _lib.check(st)
        self._h = h

    @property
    def L(self):
        return _lib.host_L(self._h)

    @property
    def V(self):
        v = _lib.host_V(self._h)
        return v if v > 0 else None

    def table(self):
        """The law p as a new numpy array of shape (V,)*L (x_1 the first axis)."""
        V, L = self.V, self.L
        if V is None:
            raise ValueError("a profile has no table")
        out = np.empty((V,) * L)
        ptr = out.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        _lib.check(_lib.host_table(self._h, ptr, out.size))
        return out

    def close(self):
        """Free the library's table and profile (also done when the object is collected)."""
        if getattr(self, "_h", None):
            _lib.host_free(self._h)
            self._h = None

    def __del__(self):
        self.close()

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r}, L={self.L}, V={self.V})"


class Profile(Dist):
    """An entropy profile only: a profile CSV file (columns m,h, as `dlmkl profile` writes) or a
    closed-form spec such as 'markov:L=4096,stay=0.9' (`dlmkl help specs`), for L beyond
    enumeration. Gives info, profile and kl_expected; kl_output and sample need a Dist."""

    def __init__(self, path_or_spec, unit="bits", threads=None, max_memory=None):
        self._array = None
        self.name = os.fsdecode(path_or_spec)
        h = ctypes.c_void_p()
        with _Settings(threads, max_memory):
            _lib.check(_lib.host_from_profile(self.name.encode(), _unit(unit), ctypes.byref(h)))
        self._h = h


def _from_long(df):
    """A dense array from a long-format DataFrame with columns x1..xL and p (rows in any order,
    absent strings 0, V = 1 + the largest symbol): the layout of a long-format table: file."""
    xs = [c for c in df.columns if isinstance(c, str) and c[:1] == "x" and c[1:].isdigit()]
    L = len(xs)
    if L == 0 or sorted(int(c[1:]) for c in xs) != list(range(1, L + 1)):
        raise ValueError("a long-format table needs the columns x1..xL and p")
    x = df[[f"x{i}" for i in range(1, L + 1)]].to_numpy()
    if not np.issubdtype(x.dtype, np.integer) or (x < 0).any():
        raise ValueError("the symbols x1..xL must be integers >= 0")
    V = max(2, int(x.max()) + 1)
    idx = np.ravel_multi_index(tuple(x.T), (V,) * L)
    if len(np.unique(idx)) != len(idx):
        raise ValueError("a string x appears in two rows")
    a = np.zeros(V ** L)
    a[idx] = df["p"].to_numpy(dtype=np.float64)
    return a.reshape((V,) * L)


def _as_dist(dist, normalize, threads, max_memory):
    if isinstance(dist, Dist):
        return dist
    return Dist(dist, normalize=normalize, threads=threads, max_memory=max_memory)


def _text_call(fn, *args):
    out = ctypes.POINTER(ctypes.c_char)()
    _lib.check(fn(*args, ctypes.byref(out)))
    return _lib.take_text(out)


def _read_csv(text, text_columns=()):
    import pandas as pd

    dtype = {c: str for c in text_columns}
    return pd.read_csv(io.StringIO(text), float_precision="round_trip", dtype=dtype, keep_default_na=False,
                       na_values=[""])


def _number(s):
    """A CSV cell as the program wrote it: '' -> None, integers -> int, else float (exact)."""
    if s == "":
        return None
    try:
        return int(s)
    except ValueError:
        return float(s)


def info(dist, unit="bits", normalize=False, threads=None, max_memory=None):
    """The `dlmkl info` row as a dict: dist, L, V, unit, H, TC, DTC, TC_plus_DTC, Z_L."""
    d = _as_dist(dist, normalize, threads, max_memory)
    with _Settings(threads, max_memory):
        text = _text_call(_lib.host_info_csv, d._h, _unit(unit), 1)
    import csv

    row = next(csv.DictReader(io.StringIO(text)))
    return {k: (v if k in ("dist", "unit") else _number(v)) for k, v in row.items()}


def profile(dist, unit="bits", normalize=False, threads=None, max_memory=None, Z=False):
    """The entropy profile h(m), m = 0..L, as a numpy array (the `dlmkl profile` h column); with
    Z=True a pair (h, Z), Z[m] the information curve (Z[0] = nan, the program's empty cell)."""
    d = _as_dist(dist, normalize, threads, max_memory)
    with _Settings(threads, max_memory):
        text = _text_call(_lib.host_profile_csv, d._h, _unit(unit))
    rows = [line.split(",") for line in text.splitlines()[1:]]
    h = np.array([float(r[1]) for r in rows])
    if not Z:
        return h
    return h, np.array([float(r[2]) if r[2] else np.nan for r in rows])


def expand_K(K, L=0):
    """A list of budgets from an int, a list of ints, or a string in the sweep grid syntax
    ('1..16', 'pow2:1..64', '2,4,8'; with L > 0 also 'L', '1..L', 'L/4'); lists may mix them."""
    if K is None:
        return []
    if isinstance(K, (int, np.integer)):
        return [int(K)]
    if isinstance(K, str):
        ptr = ctypes.POINTER(ctypes.c_long)()
        n = ctypes.c_int()
        _lib.check(_lib.host_expand_K(K.encode(), int(L), b"K", ctypes.byref(ptr), ctypes.byref(n)))
        try:
            return [ptr[i] for i in range(n.value)]
        finally:
            _lib.host_text_free(ptr)
    out = []
    for k in K:
        out.extend(expand_K(k, L))
    return out


def _strings(x):
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return [str(v) for v in x]


def _c_strings(items):
    arr = (ctypes.c_char_p * max(len(items), 1))(*[s.encode() for s in items])
    return ctypes.cast(arr, _lib.c_char_pp), arr


def kl(dist, schedule, K=None, positions=None, output_law="auto", unit="bits", seed="", normalize=False,
       threads=None, max_memory=None, predictor=None):
    """The `dlmkl kl` table as a pandas DataFrame with exactly the program's columns, one row per
    schedule x K x positions (x predictor, innermost). schedule, K, positions and predictor take a single
    value or a list; K also takes the grid syntax ('1..16', 'pow2:1..64', '1..L', 'L/4'). A schedule that
    implies its K (sizes:, chen-tc:zeta=, chen-dtc:zeta=, law:) needs no K. output_law: auto, always,
    never. Value-adaptive positions (confidence[:by=..], threshold:tau=, eb:gamma=, entsum:eps=) and
    predictors (exact, temp:T, topk:k, topp:P, 'mix:E,seed=S') add the columns of `dlmkl help adaptive`."""
    d = _as_dist(dist, normalize, threads, max_memory)
    scheds = _strings(schedule)
    if not scheds:
        raise ValueError("kl needs at least one schedule")
    Ks = expand_K(K, d.L)
    pos = _strings(positions)
    preds = _strings(predictor)
    if output_law not in _OUTPUT_LAW:
        raise ValueError(f"output_law must be one of auto, always, never, not {output_law!r}")
    s_ptr, s_keep = _c_strings(scheds)
    p_ptr, p_keep = _c_strings(pos)
    r_ptr, r_keep = _c_strings(preds)
    k_arr = (ctypes.c_long * max(len(Ks), 1))(*Ks)
    with _Settings(threads, max_memory):
        text = _text_call(_lib.host_kl_adaptive_csv, d._h, s_ptr, len(scheds), k_arr, len(Ks), p_ptr, len(pos),
                          r_ptr, len(preds), _OUTPUT_LAW[output_law], _unit(unit), str(seed).encode())
    del s_keep, p_keep, r_keep
    return _read_csv(text, ("dist", "unit", "schedule", "positions", "sizes", "seed", "predictor", "iterations_law"))


def sample(dist, schedule, n, seed, K=None, positions="random", format="law", output_law="auto",
           normalize=False, threads=None, max_memory=None):
    """`dlmkl sample` as a DataFrame: n draws of the sampler with the exact oracle (seed >= 1 for
    GSL's mt19937; the same arguments give the program's draws). format='law': columns
    x,count,freq,p,q_bar,seed, one row per string x with p(x) > 0 or a draw; format='samples':
    sample,x,seed, one row per draw. x is the tokens joined by '-'."""
    d = _as_dist(dist, normalize, threads, max_memory)
    if format not in ("law", "samples"):
        raise ValueError(f"format must be 'law' or 'samples', not {format!r}")
    if output_law not in _OUTPUT_LAW:
        raise ValueError(f"output_law must be one of auto, always, never, not {output_law!r}")
    with _Settings(threads, max_memory):
        text = _text_call(_lib.host_sample_csv, d._h, str(schedule).encode(), int(K or 0), int(n), int(seed),
                          str(positions).encode(), int(format == "samples"), _OUTPUT_LAW[output_law])
    return _read_csv(text, ("x",))


def sweep(config_path, out_dir=None, quick=False, resume=False, force=False, threads=None, max_memory=None):
    """Run the sweep of a config file (experiments/README.md) and return its CSV as a DataFrame.
    With out_dir the CSV and its .meta.json stay there (as `dlmkl sweep CONFIG --out-dir DIR`
    writes them); without, they are written to a temporary folder and removed. An existing CSV of
    the same name in out_dir raises DlmklError unless resume=True (reuse its rows) or force=True
    (overwrite it), as the program's --resume and --force."""
    config_path = os.fsdecode(config_path)
    if resume and force:
        raise ValueError("resume=True and force=True exclude each other")
    mode = 1 if resume else 2 if force else 0

    def run(folder):
        out = ctypes.POINTER(ctypes.c_char)()
        with _Settings(threads, max_memory):
            _lib.check(_lib.host_sweep(config_path.encode(), os.fsdecode(folder).encode(), int(bool(quick)),
                                       mode, ctypes.byref(out)))
        path = _lib.take_text(out)
        with open(path, encoding="utf-8") as f:
            return _read_csv(f.read(), ("section", "dist", "unit", "profile_source", "positions_spec",
                                        "schedule", "positions", "sizes", "schedule_resolved", "seed"))

    if out_dir is not None:
        return run(out_dir)
    with tempfile.TemporaryDirectory(prefix="dlmkl-sweep-") as tmp:
        return run(tmp)
