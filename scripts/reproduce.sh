#!/usr/bin/env bash
# reproduce.sh — the main job: run every experiment of experiments/ with `dlmkl sweep` and render
# the figures with gnuplot, all into one results folder. Progress goes to stderr.
#
#   scripts/reproduce.sh [--quick] [--out-dir DIR] [--build DIR] [--threads N] [--resume]
#
#   --quick        the reduced grids (the quick_* keys of each config), for a first look in about
#                  a minute; default folder results/quick
#   --out-dir DIR  results folder (default results, or results/quick with --quick)
#   --build DIR    meson build folder holding the dlmkl program (default: build)
#   --threads N    OpenMP threads for dlmkl (the CSVs do not depend on it)
#   --resume       continue interrupted sweeps instead of recomputing them (same bytes either way);
#                  without it every sweep is computed again and its earlier CSV overwritten (--force)
#
# Running it twice gives byte-identical CSV files (the timings and dates are only in *.meta.json).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quick=0
out=""
build="$root/build"
threads=""
resume=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --out-dir) out=${2:?--out-dir needs a folder}; shift ;;
        --out-dir=*) out=${1#*=} ;;
        --build) build=${2:?--build needs a folder}; shift ;;
        --build=*) build=${1#*=} ;;
        --threads) threads=${2:?--threads needs a number}; shift ;;
        --threads=*) threads=${1#*=} ;;
        --resume) resume=--resume ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "reproduce.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$out" ]; then
    if [ "$quick" = 1 ]; then out=results/quick; else out=results; fi
fi

dlmkl=${DLMKL:-$build/dlmkl}
if [ ! -x "$dlmkl" ]; then
    echo "reproduce.sh: $dlmkl not found; build first: meson setup build && ninja -C build" >&2
    exit 1
fi
mkdir -p "$out"

args=()
[ "$quick" = 1 ] && args+=(--quick)
[ -n "$threads" ] && args+=(--threads "$threads")
if [ -n "$resume" ]; then args+=("$resume"); else args+=(--force); fi

configs=("$root"/experiments/q*.ini)
n=${#configs[@]}
start=$(date +%s)
echo "reproduce.sh: $n experiments into $out$([ "$quick" = 1 ] && echo ' (quick)')" >&2
i=0
for cfg in "${configs[@]}"; do
    i=$((i + 1))
    echo "[$i/$n] sweep $(basename "$cfg")" >&2
    "$dlmkl" sweep "$cfg" --out-dir "$out" "${args[@]}"
done

if command -v gnuplot >/dev/null 2>&1; then
    i=0
    for cfg in "${configs[@]}"; do
        i=$((i + 1))
        name=$(basename "$cfg" .ini)
        script="$root/plots/$name.gp"
        [ -f "$script" ] || continue
        echo "[$i/$n] plot $name" >&2
        # gnuplot warns about series with no drawable point (e.g. a KL that is exactly 0 on a
        # log axis): expected, so filtered out
        gnuplot -e "data='$out/$name.csv'; outdir='$out'; plotdir='$root/plots'" "$script" \
            2> >(grep -v 'Skipping data file with no valid points' >&2)
    done
    wait
else
    echo "reproduce.sh: gnuplot not found (Debian: apt-get install gnuplot-nox); CSV files only" >&2
fi

# question 8 (issue 13): value-adaptive positions and predictors, by `dlmkl kl` (about 20 s of CPU)
echo "q8: value-adaptive positions and predictors (scripts/q8_kl.sh)" >&2
DLMKL="$dlmkl" "$root/scripts/q8_kl.sh" --out-dir "$out"

echo "reproduce.sh: done in $(( $(date +%s) - start )) s; results in $out:" >&2
( cd "$out" && ls -1 q*.csv q*.tsv q*.meta.json q*.png q*.svg 2>/dev/null | sed 's/^/  /' ) >&2
