#!/usr/bin/env bash
# test_cli_core.sh DLMKL: the core command line — info/profile values and columns, units, -o,
# bad input (non-zero exit, a message on stderr, no output file, no temporary leftovers),
# --help of every subcommand, --version, and byte-identical output for 1 and 2 threads.
# Prints every failed check; exits 1 if any failed.
set -u
DLMKL=${1:?usage: test_cli_core.sh PATH_TO_DLMKL}
SRC=${DLMKL_SOURCE_ROOT:-}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dlmkl_cli_core.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export LC_ALL=C
nfail=0
ncheck=0

fail() {
    echo "FAIL: $*"
    nfail=$((nfail + 1))
}
check() { ncheck=$((ncheck + 1)); }

# |a - b| <= tol (numbers as printed by dlmkl)
close() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'
}

# the CSV row's fields after the first (dist may be quoted and hold commas): prints L,V,unit,...
after_dist() { sed -e 's/^"\([^"]\|""\)*"//' -e 's/^[^",]*//' -e 's/^,//'; }

field() { cut -d, -f"$1"; }

# ---------------------------------------------------------------------------------------------
# info: header and known values
out=$("$DLMKL" info --dist copy:L=4,V=3 --dist parity:L=5 --dist product:L=3,V=2,p=0.5 2>"$TMP/err")
rc=$?
check
[ $rc -eq 0 ] || fail "info exited $rc: $(cat "$TMP/err")"
hdr=$(printf '%s\n' "$out" | head -n 1)
check
case "$hdr" in
dist,L,V,unit,H,TC,DTC*) ;;
*) fail "info header '$hdr' does not start with dist,L,V,unit,H,TC,DTC" ;;
esac
check
[ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ] || fail "info with 3 --dist printed $(printf '%s\n' "$out" | wc -l) lines, expected 4"
lg3=1.5849625007211560814
# expected: L V unit H TC DTC
expect_row() { # row_number L V unit H TC DTC
    local row
    row=$(printf '%s\n' "$out" | sed -n "$(($1 + 1))p" | after_dist)
    local i=1 want
    shift
    for want in "$@"; do
        got=$(printf '%s\n' "$row" | field $i)
        check
        if [ $i -le 3 ]; then
            [ "$got" = "$want" ] || fail "info row '$row' column $i = '$got', expected '$want'"
        else
            close "$got" "$want" 1e-12 || fail "info row '$row' column $i = '$got', expected $want"
        fi
        i=$((i + 1))
    done
}
expect_row 1 4 3 bits "$lg3" "$(awk -v x=$lg3 'BEGIN{printf "%.17g", 3*x}')" "$lg3"
expect_row 2 5 2 bits 4 1 4
expect_row 3 3 2 bits 3 0 0
# the dist column holds the spec, quoted because of its comma
check
printf '%s\n' "$out" | sed -n 2p | grep -q '^"copy:L=4,V=3",' || fail "info dist column of row 1: $(printf '%s\n' "$out" | sed -n 2p)"

# --unit nats multiplies every entropy by ln 2
nats=$("$DLMKL" info --dist copy:L=4,V=3 --unit nats 2>"$TMP/err" | sed -n 2p | after_dist)
check
[ "$(printf '%s\n' "$nats" | field 3)" = nats ] || fail "--unit nats: unit column is '$(printf '%s\n' "$nats" | field 3)'"
for c in 4 5 6; do
    bits=$(printf '%s\n' "$out" | sed -n 2p | after_dist | field $c)
    got=$(printf '%s\n' "$nats" | field $c)
    want=$(awk -v b="$bits" 'BEGIN { printf "%.17g", b * log(2) }')
    check
    close "$got" "$want" 1e-12 || fail "--unit nats column $c: $got, expected $want (bits $bits times ln 2)"
done

# ---------------------------------------------------------------------------------------------
# profile: columns m,h,Z; parity:L=4 has h(m) = m for m < 4, h(4) = 3, Z_m = 0 for m < 4, Z_4 = 1
prof=$("$DLMKL" profile --dist parity:L=4 2>"$TMP/err")
rc=$?
check
[ $rc -eq 0 ] || fail "profile exited $rc: $(cat "$TMP/err")"
check
case "$(printf '%s\n' "$prof" | head -n 1)" in
m,h,Z*) ;;
*) fail "profile header '$(printf '%s\n' "$prof" | head -n 1)' does not start with m,h,Z" ;;
esac
check
[ "$(printf '%s\n' "$prof" | wc -l)" -eq 6 ] || fail "profile of L=4 has $(printf '%s\n' "$prof" | wc -l) lines, expected 6"
check
printf '%s\n' "$prof" | sed -n 2p | grep -q '^0,0,,' || fail "profile row m=0 '$(printf '%s\n' "$prof" | sed -n 2p)' should be 0,0,(empty Z)"
for m in 1 2 3 4; do
    row=$(printf '%s\n' "$prof" | sed -n "$((m + 2))p")
    hw=$m
    zw=0
    [ $m -eq 4 ] && hw=3 && zw=1
    check
    [ "$(printf '%s\n' "$row" | field 1)" = "$m" ] || fail "profile row '$row' should have m = $m"
    check
    close "$(printf '%s\n' "$row" | field 2)" $hw 1e-12 || fail "profile row '$row': h($m) should be $hw"
    check
    close "$(printf '%s\n' "$row" | field 3)" $zw 1e-12 || fail "profile row '$row': Z_$m should be $zw"
done

# ---------------------------------------------------------------------------------------------
# -o FILE writes exactly what stdout gets, and nothing else is left in the folder
mkdir "$TMP/o"
for cmd in info profile; do
    "$DLMKL" $cmd --dist markov:L=6,stay=0.8 >"$TMP/stdout.csv" 2>"$TMP/err"
    "$DLMKL" $cmd --dist markov:L=6,stay=0.8 -o "$TMP/o/$cmd.csv" >"$TMP/o_stdout" 2>"$TMP/err"
    rc=$?
    check
    [ $rc -eq 0 ] || fail "$cmd -o exited $rc: $(cat "$TMP/err")"
    check
    cmp -s "$TMP/stdout.csv" "$TMP/o/$cmd.csv" || fail "$cmd -o FILE differs from stdout"
    check
    [ ! -s "$TMP/o_stdout" ] || fail "$cmd -o FILE also printed to stdout"
done
check
[ "$(ls -A "$TMP/o" | sort | tr '\n' ' ')" = "info.csv profile.csv " ] || fail "-o left extra files: $(ls -A "$TMP/o")"

# ---------------------------------------------------------------------------------------------
# bad input: exit != 0, a message on stderr, no output file (an existing one untouched), no
# temporary leftovers
printf '# count\n2 2\n0.25\n0.25\n0.5\n' >"$TMP/count.txt"
printf '1 2\nnan\n0.5\n' >"$TMP/nan.txt"
printf '1 2\n-0.5\n1.5\n' >"$TMP/neg.txt"
printf '1 3\n0.2\n0.2\n0.2\n' >"$TMP/sum.txt"
mkdir "$TMP/bad"
bad() { # phrase args...
    local phrase=$1
    shift
    rm -f "$TMP/bad/"*
    "$DLMKL" "$@" -o "$TMP/bad/out.csv" >"$TMP/bad_stdout" 2>"$TMP/bad_err"
    local rc=$?
    check
    [ $rc -ne 0 ] || fail "'dlmkl $*' exited 0 on bad input"
    check
    [ -s "$TMP/bad_err" ] || fail "'dlmkl $*' printed no message on stderr"
    check
    grep -qi -- "$phrase" "$TMP/bad_err" || fail "'dlmkl $*': message '$(cat "$TMP/bad_err")' lacks '$phrase'"
    check
    [ -z "$(ls -A "$TMP/bad")" ] || fail "'dlmkl $*' left files: $(ls -A "$TMP/bad")"
    check
    [ "$(wc -l <"$TMP/bad_err")" -le 3 ] || fail "'dlmkl $*': message is more than 3 lines"
    # an existing output file is left as it was
    echo old >"$TMP/bad/out.csv"
    "$DLMKL" "$@" -o "$TMP/bad/out.csv" >/dev/null 2>&1
    check
    [ "$(cat "$TMP/bad/out.csv")" = old ] || fail "'dlmkl $*' changed an existing output file"
    check
    [ "$(ls -A "$TMP/bad")" = out.csv ] || fail "'dlmkl $*' left temporary files: $(ls -A "$TMP/bad")"
}
for cmd in info profile; do
    bad "unknown distribution family" $cmd --dist nosuch:L=3
    bad "unknown key 'W'" $cmd --dist copy:L=3,W=2
    bad "missing required key 'L'" $cmd --dist copy:V=3
    bad "not an integer" $cmd --dist copy:L=abc
    bad "not key=value" $cmd --dist copy:L=3,V
    bad "need 2 <= V" $cmd --dist copy:L=3,V=1
    bad "need 1 <= L" $cmd --dist copy:L=0
    bad "overflows 64 bits" $cmd --dist copy:L=20,V=10
    bad "8.00 MiB" $cmd --dist random:L=20,V=2,seed=1 --max-memory 1M
    bad "not a probability" $cmd --dist product:L=3,p=2
    bad "same L and V" $cmd --dist 'mixture:1*{copy:L=3}+1*{copy:L=4}'
    bad "needs V^L = 4" $cmd --dist "table:$TMP/count.txt"
    bad "not finite" $cmd --dist "table:$TMP/nan.txt"
    bad "negative" $cmd --dist "table:$TMP/neg.txt"
    bad "--normalize" $cmd --dist "table:$TMP/sum.txt"
    bad "cannot open" $cmd --dist "table:$TMP/missing.txt"
    bad "missing --dist" $cmd
    bad "--help" $cmd --dist copy:L=3 --bogus
    bad "bits or nats" $cmd --dist copy:L=3 --unit furlongs
    bad "--threads" $cmd --dist copy:L=3 --threads 0
    bad "--max-memory" $cmd --dist copy:L=3 --max-memory lots
done
# info with several --dist: one bad spec and nothing is written
bad "unknown distribution family" info --dist copy:L=3 --dist nosuch:L=2
# an output folder that does not exist
"$DLMKL" info --dist copy:L=3 -o "$TMP/no/such/dir/out.csv" >/dev/null 2>"$TMP/err"
rc=$?
check
[ $rc -ne 0 ] && [ -s "$TMP/err" ] || fail "-o into a missing folder: exit $rc, message '$(cat "$TMP/err")'"
# --normalize accepts the non-normalised table and divides by its sum
out=$("$DLMKL" info --dist "table:$TMP/sum.txt" --normalize 2>"$TMP/err")
rc=$?
check
[ $rc -eq 0 ] || fail "--normalize: exit $rc: $(cat "$TMP/err")"
check
close "$(printf '%s\n' "$out" | sed -n 2p | after_dist | field 4)" "$lg3" 1e-12 ||
    fail "--normalize: H of a uniform law on 3 symbols should be log2 3: $out"

# ---------------------------------------------------------------------------------------------
# kl --profile auto:SPEC: the closed form's row where the family has one (same bytes after the dist
# column), the enumerated table's kl_expected where it has none
for pair in "markov:L=40,stay=0.9|--profile markov:L=40,stay=0.9" "cw:L=500,J=0.5|--profile cw:L=500,J=0.5" \
            "random:L=9,V=2,seed=4|--dist random:L=9,V=2,seed=4" "ising2d:rows=2,cols=4,J=0.3|--dist ising2d:rows=2,cols=4,J=0.3"; do
    spec=${pair%%|*}
    # shellcheck disable=SC2086
    want=$("$DLMKL" kl ${pair#*|} --schedule balanced --schedule random-tc --K 4 2>&1 | tail -n +2 | after_dist | field 1-9)
    got=$("$DLMKL" kl --profile "auto:$spec" --schedule balanced --schedule random-tc --K 4 2>&1 | tail -n +2 | after_dist | field 1-9)
    check
    [ -n "$want" ] && [ "$got" = "$want" ] || fail "kl --profile auto:$spec gives '$got', its route gives '$want'"
done
bad "unknown distribution family" kl --profile auto:nosuch:L=3 --schedule balanced --K 2

# info and profile take --profile too: auto:SPEC of a family without a closed form is the --dist row
# (bit for bit), a profile file is read back to the same bytes, the closed form of a chain too long
# to enumerate gives H + TC = L h(1) = L bits (uniform marginals)
a=$("$DLMKL" info --dist random:L=7,V=3,seed=2 2>&1 | tail -n 1 | after_dist)
b=$("$DLMKL" info --profile auto:random:L=7,V=3,seed=2 2>&1 | tail -n 1 | after_dist)
check
[ -n "$a" ] && [ "$a" = "$b" ] || fail "info --profile auto: gives '$b', --dist gives '$a'"
"$DLMKL" profile --dist ising:L=9,J=0.4 -o "$TMP/prof.csv" 2>"$TMP/err" || fail "profile -o: $(cat "$TMP/err")"
check
"$DLMKL" profile --profile "$TMP/prof.csv" 2>&1 | cmp -s - "$TMP/prof.csv" || fail "profile --profile FILE does not give the file's bytes back"
row=$("$DLMKL" info --profile markov:L=600,stay=0.75 2>&1 | tail -n 1 | after_dist)
check
close "$(printf '%s\n' "$row" | awk -F, '{print $4 + $5}')" 600 1e-9 || fail "info --profile markov:L=600: H + TC of '$row' should be 600"
check
[ "$(printf '%s\n' "$row" | field 1-2)" = "600,2" ] || fail "info --profile markov:L=600: L,V of '$row' should be 600,2"
bad "exactly one" profile --dist copy:L=3 --profile copy:L=3
bad "no such file" info --profile /nonexistent.csv

# ---------------------------------------------------------------------------------------------
# --help everywhere exits 0 and prints usage; the main help documents every family
"$DLMKL" --help >"$TMP/help" 2>&1
rc=$?
check
[ $rc -eq 0 ] || fail "dlmkl --help exited $rc"
for fam in table: product: markov: ising: ising2d: cw: copy: parity: mixture: mixprod: perm: random: mds:; do
    check
    grep -q -- "$fam" "$TMP/help" || fail "dlmkl --help does not document the family $fam"
done
cmds=$(sed -n '/^Commands:/,/^[^ ]/p' "$TMP/help" | awk '/^  [a-z]/ { print $1 }')
check
[ -n "$cmds" ] || fail "dlmkl --help lists no commands"
for c in $cmds; do
    "$DLMKL" "$c" --help >"$TMP/chelp" 2>&1
    rc=$?
    check
    [ $rc -eq 0 ] || fail "dlmkl $c --help exited $rc"
    check
    grep -qi "usage" "$TMP/chelp" || fail "dlmkl $c --help prints no usage line"
done

# ---------------------------------------------------------------------------------------------
# --version: the git revision the binary was built from
ver=$("$DLMKL" --version 2>&1)
rc=$?
check
[ $rc -eq 0 ] || fail "dlmkl --version exited $rc"
rev=$(printf '%s\n' "$ver" | sed -n 's/.*(git \([^)]*\)).*/\1/p')
check
[ -n "$rev" ] || fail "dlmkl --version '$ver' has no '(git REVISION)'"
if [ -n "$SRC" ] && command -v git >/dev/null && git -C "$SRC" rev-parse HEAD >/dev/null 2>&1; then
    head=$(git -C "$SRC" rev-parse HEAD)
    check
    case "$rev" in
    *"${head:0:7}"*) ;;
    *) fail "dlmkl --version revision '$rev' is not HEAD ${head:0:12} of $SRC" ;;
    esac
fi

# ---------------------------------------------------------------------------------------------
# byte-identical output for 1 and 2 threads (--threads and OMP_NUM_THREADS)
for spec in random:L=14,V=2,seed=3 random:L=8,V=3,seed=4 ising2d:rows=3,cols=4,J=0.5,h=0.1 \
    mixprod:L=7,V=4,m=3,seed=2; do
    for cmd in info profile; do
        "$DLMKL" $cmd --dist $spec --threads 1 >"$TMP/t1" 2>"$TMP/err" || fail "$cmd $spec --threads 1: $(cat "$TMP/err")"
        "$DLMKL" $cmd --dist $spec --threads 2 >"$TMP/t2" 2>"$TMP/err" || fail "$cmd $spec --threads 2: $(cat "$TMP/err")"
        OMP_NUM_THREADS=1 "$DLMKL" $cmd --dist $spec >"$TMP/e1" 2>"$TMP/err" || fail "$cmd $spec OMP_NUM_THREADS=1"
        OMP_NUM_THREADS=2 "$DLMKL" $cmd --dist $spec >"$TMP/e2" 2>"$TMP/err" || fail "$cmd $spec OMP_NUM_THREADS=2"
        check
        [ -s "$TMP/t1" ] || fail "$cmd $spec printed nothing"
        check
        cmp -s "$TMP/t1" "$TMP/t2" || fail "$cmd $spec: --threads 1 and 2 differ"
        check
        cmp -s "$TMP/t1" "$TMP/e1" || fail "$cmd $spec: --threads 1 and OMP_NUM_THREADS=1 differ"
        check
        cmp -s "$TMP/e1" "$TMP/e2" || fail "$cmd $spec: OMP_NUM_THREADS=1 and 2 differ"
    done
done

echo "cli_core: $ncheck checks, $nfail failed"
[ $nfail -eq 0 ]
