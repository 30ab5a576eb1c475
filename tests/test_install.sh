#!/usr/bin/env bash
# test_install.sh BUILD_DIR SOURCE_ROOT DLMKL: `meson install --destdir` into a temporary folder,
# then prove the installed tree: the headers, library and pkg-config file build examples/tc_dtc.c
# with `pkg-config --cflags --libs dlmkl`, the program runs against the installed shared library,
# and its TC and DTC equal the CLI's `info` columns digit for digit; the man page, the bash
# completion and the Python package are where they belong.
set -euo pipefail
build=$1 src=$2 dlmkl=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_install: FAIL: $*" >&2; exit 1; }

meson install -C "$build" --destdir "$tmp/root" --no-rebuild >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "meson install --destdir"; }
prefix=$(meson introspect "$build" --buildoptions | python3 -c \
    'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
root=$tmp/root$prefix
pc=$(find "$root" -name dlmkl.pc | head -n1)
[ -n "$pc" ] || fail "no dlmkl.pc installed"
libdir=$(dirname "$(dirname "$pc")")
for f in "$root/include/dlmkl/dlmkl.h" "$root/bin/dlmkl" "$root/share/man/man1/dlmkl.1"; do
    [ -f "$f" ] || fail "$f not installed"
done
ls "$libdir"/libdlmkl.so* >/dev/null 2>&1 || fail "no shared library in $libdir"
[ -f "$libdir/libdlmkl.a" ] || fail "no static library in $libdir"
find "$root" -path '*bash-completion/completions/dlmkl' | grep -q . || fail "no bash completion installed"

# pkg-config sees the destdir tree through its sysroot variable
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$tmp/root
cc=${CC:-cc}
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Werror -o "$tmp/tc_dtc" "$src/examples/tc_dtc.c" $(pkg-config --cflags --libs dlmkl) ||
    fail "examples/tc_dtc.c does not build with pkg-config --cflags --libs dlmkl"
ldd_out=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/tc_dtc")
grep -q "$libdir/libdlmkl.so" <<<"$ldd_out" || fail "the example does not load the installed libdlmkl.so: $ldd_out"

for spec in "markov:L=8,stay=0.9" "copy:L=5,V=3" "random:L=4,V=3,seed=7"; do
    got=$(LD_LIBRARY_PATH=$libdir "$tmp/tc_dtc" "$spec")
    want=$("$dlmkl" info --dist "$spec" | python3 -c \
        'import csv,sys; r=next(csv.DictReader(sys.stdin)); print("TC=%s DTC=%s" % (r["TC"], r["DTC"]))')
    [ "$got" = "$want" ] || fail "$spec: example prints '$got', dlmkl info '$want'"
done

# the man page is the help text
grep -q 'exact KL of parallel unmasking samplers' "$root/share/man/man1/dlmkl.1" || fail "man page lacks the summary"
if command -v man >/dev/null; then
    MANWIDTH=100 man -l "$root/share/man/man1/dlmkl.1" >"$tmp/man.txt" 2>/dev/null || fail "man -l cannot read dlmkl.1"
fi

# the Python package is installed, and imports from there (its full tests run from the build tree:
# meson test python); DLMKL_LIBRARY stands for the library path recorded for the real prefix
init=$(find "$root" -path '*dlmkl/__init__.py' | head -n1)
[ -n "$init" ] || fail "no Python package installed"
[ -f "$(dirname "$init")/_paths.py" ] || fail "the installed Python package has no _paths.py"
if /usr/bin/python3 -c 'import numpy, pandas' 2>/dev/null; then
    got=$(cd "$tmp" && PYTHONPATH=$(dirname "$(dirname "$init")") DLMKL_LIBRARY=$libdir/libdlmkl.so.0 /usr/bin/python3 -c \
        'import dlmkl; print(dlmkl.__file__.startswith("'"$root"'"), repr(dlmkl.info("copy:L=5,V=3")["TC"]))')
    want=$("$dlmkl" info --dist copy:L=5,V=3 | python3 -c \
        'import csv,sys; print(True, repr(float(next(csv.DictReader(sys.stdin))["TC"])))')
    [ "$got" = "$want" ] || fail "installed Python package: '$got', expected '$want'"
fi
echo "test_install: ok ($root)"
