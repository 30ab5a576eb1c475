#!/usr/bin/env bash
# test_progress_cli.sh DLMKL: the progress line. Nothing on stderr when it is not a terminal; on a
# terminal (a pty from script(1), when installed) a line with the stage and an ETA for a computation
# of more than a second (DLMKL_PROGRESS_DELAY=0: at once), none with --quiet or for a quick command
# at the default delay; the output is the same bytes. The sweep draws through the same drawer: its
# rows ("sweep 3/40 rows 7% ETA 2s") with the nested profile stages, under the same rules.
set -uo pipefail
DLMKL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "test_progress_cli: FAIL: $*" >&2; fails=$((fails + 1)); }

long=(profile --dist random:L=16,V=2,seed=1)
klong=(kl --dist random:L=12,V=2,seed=1 --schedule balanced --K 1..12 --output-law always)

# stderr not a terminal: silent, whatever the length
"$DLMKL" "${long[@]}" >"$T/plain.csv" 2>"$T/err" || fail "profile exited $?"
[ -s "$T/err" ] && fail "progress printed when stderr is not a terminal: $(head -c 200 "$T/err")"
"$DLMKL" "${klong[@]}" >"$T/kl.csv" 2>"$T/err" || fail "kl exited $?"
[ -s "$T/err" ] && fail "kl printed progress when stderr is not a terminal"

# a sweep: its stderr holds only the closing summary line (no carriage return, no bar)
# L = 18: each profile lasts several redraw intervals (0.1 s), so the nested profile stage is drawn
sw=(sweep --dist random:L=18,V=2,seed={s} --set s=1..2 --K 1..6 --schedule balanced --output-law never --name sw)
"$DLMKL" "${sw[@]}" --out-dir "$T/plain" >/dev/null 2>"$T/err" || fail "sweep exited $?"
{ [ "$(wc -l <"$T/err")" -eq 1 ] && ! grep -q $'\r' "$T/err" && grep -q "^dlmkl sweep sw: 12 rows" "$T/err"; } ||
    fail "sweep printed more than its summary when stderr is not a terminal: $(head -c 300 "$T/err")"

if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    # DLMKL_PROGRESS_DELAY=0: drawn from the start, so that the test does not hang on the machine's speed
    tty() { DLMKL_PROGRESS_DELAY=0 script -qec "$*" /dev/null </dev/null | tr '\r' '\n'; }
    tty "$DLMKL" "${long[@]}" -o "$T/tty.csv" >"$T/line"
    grep -q "entropy profile [0-9]*% ETA" "$T/line" || fail "no progress line on a terminal: $(head -c 300 "$T/line")"
    cmp -s "$T/tty.csv" "$T/plain.csv" || fail "the output differs with the progress line"
    tty "$DLMKL" "${klong[@]}" -o "$T/ktty.csv" >"$T/kline"
    grep -q "kl rows [0-9]*% ETA" "$T/kline" || fail "no kl rows progress on a terminal: $(head -c 300 "$T/kline")"
    cmp -s "$T/ktty.csv" "$T/kl.csv" || fail "the kl output differs with the progress line"
    tty "$DLMKL" "${long[@]}" --quiet -o "$T/q.csv" >"$T/qline"
    [ -s "$T/qline" ] && fail "--quiet printed: $(head -c 200 "$T/qline")"
    # the sweep: its rows with the library's ETA, the profile stage nested, the dist being worked on;
    # the line cleared before the summary; the same CSV
    tty "$DLMKL" "${sw[@]}" --out-dir "$T/tty" >"$T/sline"
    grep -q "sweep [0-9]*/12 rows [0-9]*% ETA .*random:L=18,V=2,seed=" "$T/sline" ||
        fail "no sweep progress on a terminal: $(head -c 300 "$T/sline")"
    grep -q "sweep [0-9]*/12 rows [0-9]*% ETA [^ ]*  entropy profile [0-9]*% ETA" "$T/sline" ||
        fail "the sweep's progress does not nest the profile stage: $(head -c 600 "$T/sline")"
    grep -q "^dlmkl sweep sw: 12 rows" "$T/sline" || fail "no sweep summary: $(tail -c 300 "$T/sline")"
    cmp -s "$T/tty/sw.csv" "$T/plain/sw.csv" || fail "the sweep's CSV differs with the progress line"
    tty "$DLMKL" "${sw[@]}" --out-dir "$T/q" --quiet >"$T/sqline"
    grep -q "ETA" "$T/sqline" && fail "sweep --quiet drew a progress line: $(head -c 300 "$T/sqline")"
    grep -q "^dlmkl sweep sw: 12 rows" "$T/sqline" || fail "sweep --quiet lost its summary: $(cat "$T/sqline")"
    # resumed: the reused rows are counted, the ETA is the library's (from the computed rows)
    rm -rf "$T/q" && cp -r "$T/plain" "$T/q"
    tty "$DLMKL" "${sw[@]}" --out-dir "$T/q" --resume >"$T/srline"
    grep -q "sweep [0-9]*/12 rows ([0-9]* reused)" "$T/srline" || fail "no reused count on resume: $(head -c 300 "$T/srline")"
    cmp -s "$T/q/sw.csv" "$T/plain/sw.csv" || fail "the resumed sweep's CSV differs"
    # the default delay (1 s): a quick sweep draws nothing either
    script -qec "$DLMKL sweep --dist copy:L=3,V=2 --K 1..3 --schedule balanced --name qs --out-dir $T/qs" /dev/null \
        </dev/null | tr '\r' '\n' >"$T/qsline"
    grep -q "ETA" "$T/qsline" && fail "a quick sweep printed a progress line: $(head -c 200 "$T/qsline")"
    # the default delay (1 s): a quick command draws nothing
    script -qec "$DLMKL info --dist copy:L=3,V=2 -o $T/i.csv" /dev/null </dev/null >"$T/iline"
    [ -s "$T/iline" ] && fail "a quick command printed a progress line: $(head -c 200 "$T/iline")"
else
    echo "test_progress_cli: script(1) not available, terminal case left out"
fi

[ $fails -eq 0 ] || { echo "test_progress_cli: $fails failure(s)" >&2; exit 1; }
echo "test_progress_cli: ok"
