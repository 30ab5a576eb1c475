#!/usr/bin/env bash
# run_fuzz.sh BUILD_DIR SECONDS [--keep] [HARNESS...]
# Runs each libFuzzer harness of BUILD_DIR/tests/fuzz (built with -Dfuzz=true) for SECONDS, starting
# from the checked-in seed corpus and regression inputs. New corpus entries and crash inputs go to a
# temporary directory, never into the source tree; with --keep, crash inputs are copied to
# tests/fuzz/regressions/HARNESS/ (replayed by `meson test` from then on).
# Prints one line per harness: executions, corpus size, findings. Exits 1 if any harness crashed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 secs=$2
shift 2
keep=0
if [ "${1:-}" = --keep ]; then keep=1; shift; fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(fuzz_dist_spec fuzz_table fuzz_profile_csv fuzz_law fuzz_sweep_config fuzz_closed_form fuzz_schedule_spec fuzz_policy_spec)
work=$(mktemp -d "${TMPDIR:-/tmp}/dlmkl_fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
bad=0
for f in "${names[@]}"; do
    exe="$build/tests/fuzz/$f"
    [ -x "$exe" ] || { echo "run_fuzz: $exe is not built (meson setup with -Dfuzz=true)" >&2; exit 1; }
    mkdir -p "$work/$f/corpus" "$work/$f/crash"
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$work/$f/crash/" "$work/$f/corpus" "$here/corpus/$f" "$here/regressions/$f" \
        >"$work/$f/log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$f/log" | grep -o '[0-9]*$' | tail -n 1)
    ncorp=$(ls "$work/$f/corpus" | wc -l)
    crashes=$(ls "$work/$f/crash" | wc -l)
    if [ $rc -ne 0 ] || [ "$crashes" -gt 0 ]; then
        bad=1
        echo "$f: ${execs:-?} execs in ${secs}s, FOUND $crashes crash input(s) (exit $rc):"
        grep -E 'ERROR|invariant failed|runtime error|SUMMARY' "$work/$f/log" | head -n 5 | sed 's/^/    /'
        for c in "$work/$f/crash"/*; do
            [ -e "$c" ] || continue
            echo "    input (hex): $(head -c 200 "$c" | od -An -tx1 | tr -d ' \n' | head -c 400)"
            if [ $keep -eq 1 ]; then
                cp "$c" "$here/regressions/$f/$(basename "$c")"
                echo "    kept as tests/fuzz/regressions/$f/$(basename "$c")"
            fi
        done
    else
        echo "$f: ${execs:-?} execs in ${secs}s, $ncorp new corpus inputs, no findings"
    fi
done
exit $bad
