"""The shared library libdlmkl, loaded with ctypes, and the prototypes of its host entry (host.h)."""
import ctypes
import os

try:  # written by meson: the folder of the library this package was built or installed with
    from ._paths import LIBDIRS
except ImportError:
    LIBDIRS = []


class DlmklError(RuntimeError):
    """A failure reported by the library; str(e) is the library's message, e.status its code."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def _load():
    tried = []
    names = []
    if os.environ.get("DLMKL_LIBRARY"):
        names.append(os.environ["DLMKL_LIBRARY"])
    for d in LIBDIRS:
        names.append(os.path.join(d, "libdlmkl.so.0"))
    names.append("libdlmkl.so.0")  # the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache)
    for name in names:
        if os.path.sep in name and not os.path.exists(name):
            tried.append(name)
            continue
        try:
            return ctypes.CDLL(name)  # CDLL (not PyDLL): every call releases the GIL
        except OSError as e:
            tried.append(f"{name} ({e})")
    raise ImportError("dlmkl: cannot load the shared library libdlmkl.so.0; set DLMKL_LIBRARY to its path "
                      "(tried: " + "; ".join(tried) + ")")


lib = _load()

c_char_pp = ctypes.POINTER(ctypes.c_char_p)
_handle = ctypes.c_void_p
_text = ctypes.POINTER(ctypes.c_char)


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_int, _long, _dbl, _u64, _ul, _sz = (ctypes.c_int, ctypes.c_long, ctypes.c_double, ctypes.c_uint64,
                                     ctypes.c_ulong, ctypes.c_size_t)
_str = ctypes.c_char_p
P = ctypes.POINTER

last_error = _proto("dlmkl_last_error", _str)
version = _proto("dlmkl_version", _str)
git_revision = _proto("dlmkl_git_revision", _str)
max_memory = _proto("dlmkl_max_memory", _sz)
set_max_memory = _proto("dlmkl_set_max_memory", None, _sz)
threads = _proto("dlmkl_threads", _int)
set_threads = _proto("dlmkl_set_threads", None, _int)

host_from_spec = _proto("dlmkl_host_from_spec", _int, _str, _int, P(_handle))
host_from_table = _proto("dlmkl_host_from_table", _int, P(_dbl), _int, _int, _int, _str, P(_handle))
host_from_profile = _proto("dlmkl_host_from_profile", _int, _str, _int, P(_handle))
host_free = _proto("dlmkl_host_free", None, _handle)
host_L = _proto("dlmkl_host_L", _int, _handle)
host_V = _proto("dlmkl_host_V", _int, _handle)
host_table = _proto("dlmkl_host_table", _int, _handle, P(_dbl), _u64)
host_text_free = _proto("dlmkl_host_text_free", None, ctypes.c_void_p)
host_info_csv = _proto("dlmkl_host_info_csv", _int, _handle, _int, _int, P(_text))
host_profile_csv = _proto("dlmkl_host_profile_csv", _int, _handle, _int, P(_text))
host_kl_csv = _proto("dlmkl_host_kl_csv", _int, _handle, c_char_pp, _int, P(_long), _int, c_char_pp, _int, _int,
                     _int, _str, P(_text))
host_kl_adaptive_csv = _proto("dlmkl_host_kl_adaptive_csv", _int, _handle, c_char_pp, _int, P(_long), _int, c_char_pp,
                              _int, c_char_pp, _int, _int, _int, _str, P(_text))
host_sample_csv = _proto("dlmkl_host_sample_csv", _int, _handle, _str, _long, _u64, _ul, _str, _int, _int, P(_text))
host_expand_K = _proto("dlmkl_host_expand_K", _int, _str, _int, _str, P(P(_long)), P(_int))
host_sweep = _proto("dlmkl_host_sweep", _int, _str, _str, _int, _int, P(_text))


def check(status):
    """Raise DlmklError with the library's message for a non-zero status."""
    if status != 0:
        raise DlmklError(last_error().decode("utf-8", "replace"), status)


def take_text(ptr):
    """The text of a malloc'd char * returned by the library, freed."""
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        host_text_free(ptr)
