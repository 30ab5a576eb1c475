#!/usr/bin/env bash
# test_io_cli.sh — outputs behave like files, and tiny probabilities give finite values:
#   kl_output / q_bar on laws with tiny or subnormal probabilities (finite, equal to the limit law's);
#   file modes (0666 & ~umask, or the replaced file's mode) of -o files, sweep CSV, .sums and
#   meta.json; -o to a device node, a FIFO, /dev/stdout, a process substitution, a symlink (kept,
#   its target replaced), a dangling symlink, a folder; SIGINT/SIGTERM/SIGHUP while writing leave no
#   temporary file; exit status 2 for usage errors, 1 for other failures.
#   usage: test_io_cli.sh PATH/TO/dlmkl
set -u
DLMKL=${1:?usage: test_io_cli.sh PATH/TO/dlmkl}
T=$(mktemp -d /tmp/dlmkl_test_io_cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# the value of column NAME in the first data row of a CSV on stdin (dist may be quoted)
col() { python3 -c '
import csv, sys
r = next(csv.DictReader(sys.stdin))
print(r[sys.argv[1]])' "$1"; }

# |a - b| <= tol
close() { python3 -c 'import sys; a, b, t = map(float, sys.argv[1:]); sys.exit(not abs(a - b) <= t)' "$1" "$2" "$3"; }

# expect STATUS PHRASE CMD...: exit status and a key phrase of the message
expect() {
    local want=$1 phrase=$2
    shift 2
    "$@" > "$T/exp.out" 2> "$T/exp.err"
    local st=$?
    if [ $st -ne "$want" ]; then
        fail "'$*' exited $st, expected $want: $(cat "$T/exp.err")"
    elif ! grep -qi -- "$phrase" "$T/exp.err"; then
        fail "'$*': message '$(cat "$T/exp.err")' lacks '$phrase'"
    else
        ok "exit $want ($phrase): $*"
    fi
}

# --- 1. tiny probabilities: finite kl_output, equal to the limit law's ---
printf '2 2\n0.5\n4.9e-324\n0.25\n0.25\n' > "$T/sub.txt"
printf '2 2\n0.5\n0\n0.25\n0.25\n' > "$T/zero.txt"
kl_out() { "$DLMKL" kl --dist "$1" --schedule "$2" --K "$3" --output-law always 2> "$T/kl.err" | col kl_output; }
while read -r spec sched K limit; do
    v=$(kl_out "$spec" "$sched" "$K")
    w=$(kl_out "$limit" "$sched" "$K")
    case "$v" in
    inf | -inf | "" | nan) fail "kl_output of $spec ($sched, K = $K) is '$v' $(cat "$T/kl.err")" ;;
    *) close "$v" "$w" 1e-12 && ok "$spec $sched K=$K: kl_output $v finite, = the limit law's" ||
        fail "$spec $sched K=$K: kl_output $v, the limit law $limit gives $w" ;;
    esac
done <<EOF
table:$T/sub.txt balanced 2 table:$T/zero.txt
ising2d:rows=3,cols=3,J=50 optimal 2 copy:L=9
markov:L=10,stay=1e-300 optimal 2 markov:L=10,stay=0
markov:L=10,stay=1e-300 balanced 5 markov:L=10,stay=0
EOF
# random alpha = 0.001 (its value is checked against a long-double brute force in test_tiny)
v=$(kl_out random:L=8,V=2,seed=1,alpha=0.001 balanced 5)
close "$v" 3.8503665885819e-07 1e-18 && ok "random alpha=0.001 balanced K=5: kl_output $v" ||
    fail "random alpha=0.001 balanced K=5: kl_output '$v'"
for spec in random:L=8,V=2,seed=1,alpha=0.001 markov:L=10,stay=1e-300 table:$T/sub.txt; do
    "$DLMKL" sample --dist "$spec" --schedule balanced --K 2 --n 100 --seed 1 --output-law always > "$T/s.csv" 2> "$T/s.err" ||
        fail "sample $spec: $(cat "$T/s.err")"
    if python3 - "$T/s.csv" <<'PY'; then ok "sample $spec: every q_bar finite"; else fail "sample $spec: q_bar not finite"; fi
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sys.exit(not rows or not all(r["q_bar"] != "" and math.isfinite(float(r["q_bar"])) for r in rows))
PY
done

# --- 2. file modes ---
mode() { stat -c %a "$1"; }
mkdir -p "$T/m"
(umask 022 && "$DLMKL" info --dist copy:L=3 -o "$T/m/a.csv") && [ "$(mode "$T/m/a.csv")" = 644 ] &&
    ok "umask 022: -o file mode 644" || fail "umask 022: -o file mode $(mode "$T/m/a.csv")"
(umask 077 && "$DLMKL" kl --dist copy:L=3 --schedule balanced --K 2 -o "$T/m/b.csv") &&
    [ "$(mode "$T/m/b.csv")" = 600 ] && ok "umask 077: mode 600" || fail "umask 077: mode $(mode "$T/m/b.csv")"
chmod 640 "$T/m/a.csv"
(umask 022 && "$DLMKL" info --dist copy:L=4 -o "$T/m/a.csv") && [ "$(mode "$T/m/a.csv")" = 640 ] &&
    ok "a replaced file keeps its mode" || fail "replaced file mode $(mode "$T/m/a.csv"), expected 640"
(umask 022 && "$DLMKL" sweep --dist copy:L={L} --L 3 --K 1,2 --schedule balanced --name md --out-dir "$T/m/sw" 2> /dev/null)
for f in md.csv md.csv.sums md.meta.json; do
    [ "$(mode "$T/m/sw/$f")" = 644 ] && ok "sweep $f mode 644" || fail "sweep $f mode $(mode "$T/m/sw/$f")"
done
(umask 022 && "$DLMKL" sample --dist copy:L=3 --schedule balanced --K 2 --n 5 --seed 1 -o "$T/m/s.csv") &&
    [ "$(mode "$T/m/s.csv")" = 644 ] && ok "sample -o mode 644" || fail "sample -o mode $(mode "$T/m/s.csv")"

# --- 3. what -o names ---
mkdir -p "$T/o"
if mknod "$T/o/null" c 1 3 2> /dev/null; then
    "$DLMKL" info --dist copy:L=3 -o "$T/o/null" && [ -c "$T/o/null" ] && ok "-o a device node: still a device" ||
        fail "-o a device node replaced it: $(stat -c %F "$T/o/null")"
fi
mkfifo "$T/o/fifo"
cat "$T/o/fifo" > "$T/o/fifo.out" &
cat_pid=$!
timeout 20 "$DLMKL" info --dist copy:L=3 -o "$T/o/fifo"
wait $cat_pid
[ -p "$T/o/fifo" ] && [ "$(wc -l < "$T/o/fifo.out")" -eq 2 ] && ok "-o a FIFO: written through, still a FIFO" ||
    fail "-o a FIFO: $(stat -c %F "$T/o/fifo"), $(wc -l < "$T/o/fifo.out") lines"
n=$("$DLMKL" info --dist copy:L=3 -o /dev/stdout | wc -l)
[ "$n" -eq 2 ] && ok "-o /dev/stdout into a pipe" || fail "-o /dev/stdout gave $n lines"
"$DLMKL" info --dist copy:L=3 -o /dev/stdout > "$T/o/redir.csv"
[ "$(wc -l < "$T/o/redir.csv")" -eq 2 ] && ok "-o /dev/stdout redirected to a file" || fail "-o /dev/stdout > file"
"$DLMKL" info --dist copy:L=3 -o >(cat > "$T/o/psub.csv")
sleep 0.3
[ "$(wc -l < "$T/o/psub.csv" 2> /dev/null)" = 2 ] && ok "-o a process substitution" || fail "-o a process substitution"
echo old > "$T/o/target.csv"
ln -s target.csv "$T/o/link.csv"
"$DLMKL" info --dist copy:L=3 -o "$T/o/link.csv"
[ -L "$T/o/link.csv" ] && grep -q '^dist,' "$T/o/target.csv" && ok "-o a symlink: kept, its target replaced" ||
    fail "-o a symlink: $(stat -c %F "$T/o/link.csv"), target '$(head -c 20 "$T/o/target.csv")'"
mkdir "$T/o/sub"
ln -s sub/new.csv "$T/o/dangling.csv"
"$DLMKL" info --dist copy:L=3 -o "$T/o/dangling.csv"
[ -L "$T/o/dangling.csv" ] && [ -f "$T/o/sub/new.csv" ] && ok "-o a dangling symlink creates its target" ||
    fail "-o a dangling symlink"
expect 1 "folder" "$DLMKL" info --dist copy:L=3 -o "$T/o/sub"
[ -z "$(find "$T/o" -name '*.tmp.*')" ] && ok "no temporary files left" || fail "left: $(find "$T/o" -name '*.tmp.*')"

# --- 4. signals while writing: no temporary file is left ---
# run with SIGINT at its default action (a background job of a script ignores it)
dfl() { exec python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$@"; }
for sig in INT TERM HUP; do
    d="$T/sig$sig"
    mkdir -p "$d"
    dfl "$DLMKL" sample --dist markov:L=8,stay=0.9 --schedule balanced --K 4 --n 5000000 --seed 1 --format samples \
        -o "$d/out.csv" 2> /dev/null &
    pid=$!
    for _ in $(seq 1 200); do
        [ -n "$(find "$d" -name 'out.csv.tmp.*' -size +1k)" ] && break
        sleep 0.05
    done
    kill -"$sig" $pid
    wait $pid
    st=$?
    signum=$(kill -l "$sig")
    [ $st -eq $((128 + signum)) ] && ok "SIG$sig during sample output: killed by it (status $st)" ||
        fail "SIG$sig: status $st, expected $((128 + signum))"
    [ -z "$(ls -A "$d")" ] && ok "SIG$sig during sample output: nothing left" || fail "SIG$sig left: $(ls -A "$d")"
done
# a sweep stopped before its first row leaves no journal
cat > "$T/slow1.ini" <<'EOF'
[sweep]
name = slow1
[dist m]
spec = markov:L=13,V=2,stay=0.9
K = 13
schedules = iid:linear
output_law = always
EOF
mkdir -p "$T/sw1"
"$DLMKL" sweep "$T/slow1.ini" --out-dir "$T/sw1" 2> /dev/null &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
st=$?
[ $st -eq 143 ] && ok "sweep SIGTERM before the first row: status 143" || fail "sweep SIGTERM: status $st"
[ -z "$(ls -A "$T/sw1")" ] && ok "sweep stopped before its first row: nothing left" || fail "left: $(ls -A "$T/sw1")"
# a sweep failing before its first row: no .partial
expect 1 "table" "$DLMKL" sweep --dist table:/nonexistent/p.txt --L 2 --K 1 --schedule balanced --name nf --out-dir "$T/sw2"
[ -z "$(ls -A "$T/sw2" 2> /dev/null)" ] && ok "sweep failing before its first row: nothing left" || fail "left: $(ls -A "$T/sw2")"

# --- 5. exit status: usage errors 2, other failures 1 ---
expect 2 "unexpected argument" "$DLMKL" kl --dist copy:L=3 --schedule balanced --K 1 extra
expect 2 "exactly one" "$DLMKL" kl --schedule balanced --K 1
expect 2 "missing --schedule" "$DLMKL" kl --dist copy:L=3 --K 1
expect 2 "needs --K" "$DLMKL" kl --dist copy:L=3 --schedule balanced
expect 2 "position policy" "$DLMKL" kl --dist copy:L=3 --schedule balanced --K 1 --positions sideways
expect 2 "output-law always needs --dist" "$DLMKL" kl --profile copy:L=3 --schedule balanced --K 1 --output-law always
expect 2 "--K" "$DLMKL" kl --dist copy:L=3 --schedule balanced --K zero
expect 1 "cannot create output" "$DLMKL" kl --dist copy:L=3 --schedule balanced --K 1 -o /nonexistent/dir/x.csv
expect 2 "missing --seed" "$DLMKL" sample --dist copy:L=3 --schedule balanced --K 1 --n 5
expect 2 "format" "$DLMKL" sample --dist copy:L=3 --schedule balanced --K 1 --n 5 --seed 1 --format xml
expect 1 "cannot create output" "$DLMKL" sample --dist copy:L=3 --schedule balanced --K 1 --n 5 --seed 1 -o /nonexistent/x.csv
expect 2 "does not apply" "$DLMKL" sweep --dist copy:L=3 --K 1 --schedule balanced -o x.csv
expect 2 "missing --K" "$DLMKL" sweep --dist copy:L=3 --schedule balanced
expect 2 "either a config file" "$DLMKL" sweep "$T/slow1.ini" --dist copy:L=3
expect 2 "missing CONFIG" "$DLMKL" sweep
expect 2 "see 'dlmkl sweep --help'" "$DLMKL" sweep --bogus
expect 2 "K" "$DLMKL" sweep --dist copy:L=3 --K 0 --schedule balanced --out-dir "$T/sw3"
printf '[sweep]\nname = bad\n[dist a]\nspec = copy:L=3\nK = 0\nschedules = balanced\n' > "$T/bad.ini"
expect 1 "K" "$DLMKL" sweep "$T/bad.ini" --out-dir "$T/sw3"
expect 1 "no such file\|cannot" "$DLMKL" sweep "$T/none.ini" --out-dir "$T/sw3"

if [ $fails -gt 0 ]; then
    echo "$fails check(s) failed" >&2
    exit 1
fi
echo "all io checks passed"
