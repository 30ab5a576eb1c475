#!/usr/bin/env bash
# test_unix_cli.sh DLMKL SOURCE_ROOT: the command line as a Unix user expects it — -V, `dlmkl help
# TOPIC`, short subcommand helps, --K ranges, `table:-` from stdin, long-format CSV tables (the same
# bits as the dense form), and ./run --help at once without colour escapes when not a terminal.
set -uo pipefail
DLMKL=$1 SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "test_unix_cli: FAIL: $*" >&2; fails=$((fails + 1)); }

# -V is --version
[ "$("$DLMKL" -V)" = "$("$DLMKL" --version)" ] || fail "-V differs from --version"
# ... also after a subcommand, for every subcommand, before or after its other options
want=$("$DLMKL" --version)
for c in info profile kl sample sweep worst bench; do
    for v in -V --version; do
        got=$("$DLMKL" $c $v 2>&1); rc=$?
        [ $rc -eq 0 ] && [ "$got" = "$want" ] || fail "dlmkl $c $v: exit $rc, '$got' (want '$want')"
    done
    h=$("$DLMKL" $c --help)
    grep -q -- "-V, --version" <<<"$h" || fail "dlmkl $c --help does not list -V, --version"
done
got=$("$DLMKL" kl --dist copy:L=3,V=2 --unit nats -V -o "$T/never.csv" 2>&1)
[ "$got" = "$want" ] && [ ! -e "$T/never.csv" ] || fail "dlmkl kl ... -V: '$got', or it wrote -o"
got=$("$DLMKL" kl --unit furlongs -V 2>&1); rc=$?
[ $rc -eq 2 ] || fail "a bad option before -V should still exit 2 (got $rc: $got)"

# help topics; each subcommand's --help fits a screen and points at the grammars
# (grep reads all of it: grep -q would stop early, and pipefail would see dlmkl's SIGPIPE once the
# text is over one stdio buffer, 4 KiB)
"$DLMKL" help specs | grep "mixprod:L=" >/dev/null || fail "dlmkl help specs lacks the families"
"$DLMKL" help specs | grep "Closed-form" >/dev/null || fail "dlmkl help specs lacks the closed forms"
"$DLMKL" help specs | grep "mixture:W1\*{SPEC1}+W2\*{SPEC2}+...$" >/dev/null || fail "dlmkl help specs lacks the mixture closed form"
"$DLMKL" help schedules | grep -q "random-tc" || fail "dlmkl help schedules lacks the schedules"
"$DLMKL" help config | grep -qi "\[sweep\]" || fail "dlmkl help config lacks the config format"
cmp -s <("$DLMKL" help kl) <("$DLMKL" kl --help) || fail "dlmkl help kl differs from dlmkl kl --help"
"$DLMKL" help nosuch >/dev/null 2>&1; [ $? -eq 2 ] || fail "dlmkl help nosuch should exit 2"
for c in info profile kl sample sweep worst bench; do
    n=$("$DLMKL" $c --help | wc -l)
    [ "$n" -le 50 ] || fail "dlmkl $c --help has $n lines (one screen is 50)"
done

# --K accepts the sweep's list syntax; the rows equal those of the explicit list
spec=markov:L=8,stay=0.8
want=$("$DLMKL" kl --dist $spec --schedule balanced --schedule iid:cosine --K 1,2,4,8,3)
got=$("$DLMKL" kl --dist $spec --schedule balanced --schedule iid:cosine --K pow2:1..L,3)
[ "$got" = "$want" ] || fail "--K pow2:1..L,3 differs from --K 1,2,4,8,3"
got=$("$DLMKL" kl --dist $spec --schedule balanced --K 1..4 --K L/2)
want=$("$DLMKL" kl --dist $spec --schedule balanced --K 1,2,3,4,4)
[ "$got" = "$want" ] || fail "--K 1..4 --K L/2 differs from --K 1,2,3,4,4"
"$DLMKL" kl --dist $spec --schedule balanced --K 1..x >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "is not an integer or a range" "$T/err" || fail "--K 1..x: exit $rc, $(cat "$T/err")"

# table:- reads stdin; a long-format CSV (x1..xL,p; any row and column order, absent rows zero, a
# pandas index column) gives the same bits as the dense table
cat >"$T/dense.txt" <<'TAB'
# L = 3, V = 3, four zero cells
3 3
0.05
0.1
0
0.05
0.02
0.08
0.1
0.03
0.07
0
0.04
0.06
0.01
0.09
0.05
0.05
0
0.025
0.025
0.03
0.02
0.01
0.04
0.01
0.02
0
0.02
TAB
awk 'NR > 2 { i = NR - 3; x1 = int(i / 9); x2 = int(i / 3) % 3; x3 = i % 3; if ($1 != 0) print NR, $1, x3, x1, x2 }' \
    "$T/dense.txt" | sort -r | awk 'BEGIN { print ",p,x3,x1,x2" } { print $1 "," $2 "," $3 "," $4 "," $5 }' >"$T/long.csv"
"$DLMKL" profile --dist "table:$T/dense.txt" >"$T/p_dense.csv" || fail "profile of the dense table"
"$DLMKL" profile --dist "table:$T/long.csv" >"$T/p_long.csv" || fail "profile of the long table"
cmp -s "$T/p_dense.csv" "$T/p_long.csv" || fail "the long-format table's profile differs from the dense one's"
"$DLMKL" profile --dist table:- <"$T/long.csv" >"$T/p_stdin.csv" || fail "profile of table:- (long)"
cmp -s "$T/p_dense.csv" "$T/p_stdin.csv" || fail "table:- (long) differs"
"$DLMKL" profile --dist table:- <"$T/dense.txt" >"$T/p_stdin2.csv" || fail "profile of table:- (dense)"
cmp -s "$T/p_dense.csv" "$T/p_stdin2.csv" || fail "table:- (dense) differs"
printf 'x1,x2,p\n0,0,0.5\n0,0,0.5\n' | "$DLMKL" info --dist table:- >/dev/null 2>"$T/err"
grep -q "repeats" "$T/err" || fail "a repeated row is not refused: $(cat "$T/err")"
printf 'x1,x3,p\n0,0,1\n' | "$DLMKL" info --dist table:- >/dev/null 2>"$T/err"
grep -q "x1,...,xL" "$T/err" || fail "a missing x2 column is not refused: $(cat "$T/err")"

# bash completion: subcommands, options, spec heads
comp() {  # comp WORD... : the completions of the last word
    bash -c 'source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _dlmkl; echo "${COMPREPLY[*]}"' \
        "$SRC/completion/dlmkl.bash" "$@"
}
[ "$(comp dlmkl wo)" = "worst" ] || fail "completion of 'dlmkl wo': '$(comp dlmkl wo)'"
[ "$(comp dlmkl kl --sch)" = "--schedule" ] || fail "completion of 'dlmkl kl --sch': '$(comp dlmkl kl --sch)'"
[ "$(comp dlmkl kl --schedule random-)" = "random-tc random-dtc" ] || fail "completion of schedule heads"
[ "$(comp dlmkl info --dist mix)" = "mixture: mixprod:" ] || fail "completion of distribution heads"
# the completion knows every long option of every subcommand
for c in info profile kl sample sweep worst bench; do
    for o in $("$DLMKL" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        case $o in --help|--output) continue ;; esac
        comp dlmkl $c -- | grep -qw -- "$o" || fail "completion of 'dlmkl $c --' lacks $o"
    done
done

# ./run --help: usage at once (no install, no build), every subcommand, no escapes off a terminal
if [ -x "$SRC/run" ]; then
    start=$(date +%s%N)
    out=$("$SRC/run" --help 2>&1) || fail "./run --help failed"
    ms=$((($(date +%s%N) - start) / 1000000))
    [ "$ms" -lt 5000 ] || fail "./run --help took $ms ms"
    for w in test build bench fuzz --quick --out-dir; do
        grep -q -- "$w" <<<"$out" || fail "./run --help does not mention $w"
    done
    grep -q $'\033' <<<"$out" && fail "./run --help prints escapes off a terminal"
fi
grep -q 'NO_COLOR' "$SRC/run" || fail "./run does not honour NO_COLOR"

[ $fails -eq 0 ] || exit 1
echo "test_unix_cli: ok"
