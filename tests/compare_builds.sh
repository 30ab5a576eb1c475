#!/usr/bin/env bash
# compare_builds.sh DLMKL_A[@THREADS] DLMKL_B[@THREADS] ... — the CSVs of the reproduction's quick
# grids (the sweeps `scripts/reproduce.sh --quick` runs, without the plots) from several dlmkl
# programs, e.g. a gcc and a clang build, or a build without OpenMP and a 1-thread run, must be
# identical byte for byte. `@N` runs that program with --threads N. The metadata (*.meta.json, with
# timings) is not compared. Prints the first differing line of each differing file; exits 1 if any.
set -u
[ $# -ge 2 ] || { echo "usage: compare_builds.sh DLMKL_A[@THREADS] DLMKL_B[@THREADS] ..." >&2; exit 2; }
SRC=${DLMKL_SOURCE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/dlmkl_compare_builds.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
i=0
for spec in "$@"; do
    i=$((i + 1))
    exe=${spec%@*}
    threads=()
    [ "$exe" != "$spec" ] && threads=(--threads "${spec##*@}")
    for cfg in "$SRC"/experiments/q*.ini; do
        if ! "$exe" sweep "$cfg" --quick --out-dir "$T/$i" "${threads[@]}" 2> "$T/err"; then
            echo "FAIL: $spec sweep $(basename "$cfg") --quick: $(cat "$T/err")"
            fails=$((fails + 1))
        fi
    done
done
n=0
for f in "$T"/1/q*.csv; do
    name=$(basename "$f")
    n=$((n + 1))
    for j in $(seq 2 $#); do
        if ! cmp -s "$f" "$T/$j/$name"; then
            echo "FAIL: $name differs between ${!j} and $1:"
            diff "$f" "$T/$j/$name" | head -n 4
            fails=$((fails + 1))
        fi
    done
done
[ "$n" -gt 0 ] || { echo "FAIL: no CSV produced"; fails=$((fails + 1)); }
if [ $fails -eq 0 ]; then
    echo "ok: $n quick-grid CSVs identical byte for byte across: $*"
    exit 0
fi
echo "$fails failure(s)"
exit 1
