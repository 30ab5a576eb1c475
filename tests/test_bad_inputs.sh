#!/usr/bin/env bash
# test_bad_inputs.sh DLMKL: table-driven test of bad inputs, one or more per class of the hardening
# issue (crashes, hangs, silent misparses, numbers, exit codes). Each case asserts the exit status
# (2 usage error, 1 other failure), a key phrase of the message on stderr, that it finished within
# a time limit (no hang), and that no output file or temporary file is left behind. A second table
# checks inputs that were misread before and must now be read correctly.
set -u
DLMKL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dlmkl_bad_inputs.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
nfail=0 ncheck=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

# ---- input files ----
F=$TMP/in
mkdir -p "$F"
printf '4294967298 2\n0.5\n0.5\n' >"$F/header_overflow.txt"
printf '1 2\n0.5\0001\n0.5\n' >"$F/nul_in_number.txt"
printf '1 2\n0.5 0.5\n' >"$F/two_numbers.txt"
printf '1 2\n0x1p-1\n0.5\n' >"$F/hex.txt"
printf 'm,h\n0,0\n1,1e308\n2,-1e308\n' >"$F/huge.csv"
printf 'm,h\n0,0\n1,1\n2,3\n' >"$F/convex.csv"
printf 'm,h\n0,0\n1,1\n2,0.5\n' >"$F/decreasing.csv"
printf 'm,h,Z\n0,0,\n1,1,\n2,,\n' >"$F/empty_h.csv"
printf 'm,h\n0,0\n1,1\n2,1.5abc\n' >"$F/trailing.csv"
printf 'm,h\n0,0\n1,"1\n' >"$F/quote.csv"
printf 'k,m,s,prob\n1e18,0,3,1\n' >"$F/k_huge.csv"
printf 'k,m,s,prob\n1,0,0,1\n100000000,0,3,1\n' >"$F/k_memory.csv"
printf 'k,m,s,prob\n1,0,3,\n' >"$F/prob_empty.csv"
printf 'k,m,s,prob\n1,0,3,1,\n2\n' >"$F/short_row.csv"
printf '[sweep]\nschedules = balanced\n[dist a]\nspec = copy:L={L}\nL = 4\nK = %s\n' \
    "$(printf '(%.0s' $(seq 200))1$(printf ')%.0s' $(seq 200))" >"$F/deep_parens.ini"
printf '[sweep]\nschedules = balanced\n[dist a]\nspec = copy:L={L}\nL = 4\nK = 2^0..2^999999999999\n' >"$F/geometric.ini"
printf '[sweep]\nschedules = balanced\n[dist a]\nspec = copy:L={L}\nL = 4\nK = 1..9999999999999\n' >"$F/range.ini"
printf '[sweep]\nschedules = balanced\n[dist a]\nspec = copy:L={L}\nL = 4\nK = 9999999999^9999999999\n' >"$F/power.ini"
printf '[sweep]\nschedules = balanced\n[dist a]\nspec = copy:L={L}\nL = 4\nK = pow2:5..7\n' >"$F/empty_pow2.ini"
deep=copy:L=3
for _ in $(seq 40); do deep="mixture:1*{$deep}"; done

# ---- bad inputs: class | exit | key phrase | arguments (split on '|', then on spaces) ----
# (arguments holding spaces or '|' are given through variables expanded by bash below)
run_bad() {  # run_bad CLASS EXIT PHRASE ARGS...
    local cls=$1 want=$2 phrase=$3
    shift 3
    ncheck=$((ncheck + 1))
    rm -rf "$TMP/out" && mkdir -p "$TMP/out"
    local out_args=(-o "$TMP/out/out.csv")
    [ "$1" = sweep ] && out_args=(--out-dir "$TMP/out")
    (cd "$TMP/out" && timeout 60 "$DLMKL" "$@" "${out_args[@]}" >"$TMP/stdout" 2>"$TMP/stderr")
    local rc=$?
    local msg
    msg=$(head -c 600 "$TMP/stderr")
    if [ $rc -eq 124 ]; then
        fail "[$cls] 'dlmkl $*' did not finish within 60 s (hang)"
    elif [ $rc -ne "$want" ]; then
        fail "[$cls] 'dlmkl $*' exited $rc, expected $want; stderr: $msg"
    elif ! grep -qF -- "$phrase" "$TMP/stderr"; then
        fail "[$cls] 'dlmkl $*': message '$msg' lacks '$phrase'"
    elif [ -n "$(ls -A "$TMP/out")" ]; then
        fail "[$cls] 'dlmkl $*' left files behind: $(ls -A "$TMP/out")"
    elif [ -s "$TMP/stdout" ]; then
        fail "[$cls] 'dlmkl $*' wrote to stdout on failure: $(head -c 200 "$TMP/stdout")"
    fi
}

# crashes: allocation failures, recursion depth, casts of unchecked values
run_bad crash 1 "above the memory cap" info --dist markov:L=1,V=50000,seed=1 --max-memory 1M
run_bad crash 1 "above the memory cap" info --dist markov:L=2,V=3000,seed=1 --max-memory 1M
run_bad crash 1 "above the memory cap" profile --dist product:L=20,V=100000,seed=1 --max-memory 1M
run_bad crash 1 "mixtures nest at most" info --dist "$deep"
run_bad crash 1 "nested more than" sweep "$F/deep_parens.ini"
run_bad crash 1 "column k" kl --dist copy:L=3 --schedule "law:$F/k_huge.csv"
# hangs: integer powers, geometric ranges, /dev/zero, law files against the memory cap
run_bad hang 1 "overflows" sweep "$F/power.ini"
run_bad hang 1 "more than 1000000 values" sweep "$F/geometric.ini"
run_bad hang 1 "more than 1000000 values" sweep "$F/range.ini"
run_bad hang 1 "NUL byte" info --dist table:/dev/zero
run_bad hang 1 "NUL byte" sweep /dev/zero
run_bad hang 1 "above the memory cap" kl --dist copy:L=3 --schedule "law:$F/k_memory.csv" --max-memory 1M
# silent misparses
run_bad misparse 1 "out of range" info --dist "table:$F/header_overflow.txt"
run_bad misparse 1 "NUL byte" info --dist "table:$F/nul_in_number.txt"
run_bad misparse 1 "not a number" info --dist "table:$F/two_numbers.txt"
run_bad misparse 1 "not a number" info --dist "table:$F/hex.txt"
run_bad misparse 1 "line 4, column h: the field is empty" kl --profile "$F/empty_h.csv" --schedule balanced --K 2
run_bad misparse 1 "column h" kl --profile "$F/trailing.csv" --schedule balanced --K 2
run_bad misparse 1 "unterminated quote" kl --profile "$F/quote.csv" --schedule balanced --K 2
run_bad misparse 1 "column prob" kl --dist copy:L=3 --schedule "law:$F/prob_empty.csv"
run_bad misparse 1 "column m is missing" kl --dist copy:L=3 --schedule "law:$F/short_row.csv"
run_bad misparse 1 "expected WEIGHT" info --dist "mixture:0x1p-1*{copy:L=3}"
run_bad misparse 1 "not an integer" info --dist "copy:L= 3x"
run_bad misparse 2 "is not an integer" kl --dist copy:L=3 --schedule balanced --K 2 --seed "$(printf '1\n2')"
run_bad misparse 2 "is not an integer" kl --dist copy:L=3 --schedule balanced --K 2 --seed " 7"
run_bad misparse 2 "at least one byte" info --dist copy:L=3 --max-memory 0.5
run_bad misparse 2 "at least one byte" info --dist copy:L=3 --max-memory 0
run_bad misparse 1 "no power of two" sweep "$F/empty_pow2.ini"
# numbers: profiles that are not entropy profiles
run_bad numbers 1 "too large" kl --profile "$F/huge.csv" --schedule balanced --K 2
run_bad numbers 1 "not concave" kl --profile "$F/convex.csv" --schedule balanced --K 2
run_bad numbers 1 "decreases" kl --profile "$F/decreasing.csv" --schedule balanced --K 2
# usage errors exit 2
run_bad usage 2 "unrecognized option" info --bogus
run_bad usage 2 "missing --dist" info
run_bad usage 2 "missing --dist" profile
run_bad usage 2 "unexpected argument" info --dist copy:L=3 extra
run_bad usage 2 "missing --schedule" kl --dist copy:L=3
run_bad usage 2 "needs --K" kl --dist copy:L=3 --schedule balanced
run_bad usage 2 "is not an integer" kl --dist copy:L=3 --schedule balanced --K x
run_bad usage 2 "--threads" info --dist copy:L=3 --threads 0
run_bad usage 2 "--unit" info --dist copy:L=3 --unit furlongs
run_bad usage 2 "unexpected argument" bench extra

# ---- inputs misread before, read correctly now ----
run_ok() {  # run_ok WHAT EXPECTED_FIELD_VALUE FIELD ARGS...: field FIELD of the data row equals VALUE
    local what=$1 want=$2 field=$3
    shift 3
    ncheck=$((ncheck + 1))
    local out
    out=$(timeout 60 "$DLMKL" "$@" 2>"$TMP/stderr")
    local rc=$?
    local got
    got=$(printf '%s\n' "$out" | sed -n 2p | cut -d, -f"$field")
    if [ $rc -ne 0 ]; then
        fail "[$what] 'dlmkl $*' exited $rc: $(head -c 300 "$TMP/stderr")"
    elif [ "$got" != "$want" ]; then
        fail "[$what] 'dlmkl $*': field $field is '$got', expected '$want' (row: $(printf '%s\n' "$out" | sed -n 2p))"
    fi
}
printf '1 2\n0.9999999992\n0\n' >"$F/point_mass.txt"
run_ok "renormalised within tolerance: H = 0" 0 5 info --dist "table:$F/point_mass.txt"
printf '1 2\n1\n1e-320\n' >"$F/subnormal.txt"
run_ok "subnormal probability accepted" 0 6 info --dist "table:$F/subnormal.txt"
{ printf '1 2\n0.5'; head -c 3000 /dev/zero | tr '\0' 0; printf '\n0.5\n'; } >"$F/long_number.txt"
run_ok "a 3000-digit number is one number" 1 5 info --dist "table:$F/long_number.txt"
# pandas DataFrame.to_csv with its index column (an empty header field), CRLF and a BOM
printf '\xef\xbb\xbf,k,m,s,prob\r\n0,1,0,1,1.0\r\n1,2,1,2,1.0\r\n' >"$F/pandas_law.csv"
run_ok "pandas law file with index column" 0 10 kl --dist copy:L=3 --schedule "law:$F/pandas_law.csv"
printf '"h","m",unit\r\n0,0,bits\r\n"1",1,bits\r\n1.5,2,bits\r\n' >"$F/quoted_profile.csv"
run_ok "quoted, reordered, CRLF profile" 0.5 12 kl --profile "$F/quoted_profile.csv" --schedule balanced --K 2

# 1^999999999999 and 1^0..1^... are valid grid values (1) computed at once, not by e multiplications
printf '[sweep]\nschedules = balanced\n[dist a]\nspec = copy:L={L}\nL = 4\nK = 1^999999999999, (-1)^999999999998, 1^999999999990..1^999999999999\n' >"$F/pow_one.ini"
ncheck=$((ncheck + 1))
mkdir -p "$TMP/sw"
if ! timeout 60 "$DLMKL" sweep "$F/pow_one.ini" --out-dir "$TMP/sw" >/dev/null 2>"$TMP/stderr"; then
    fail "[hang] sweep with K = 1^999999999999: $(head -c 300 "$TMP/stderr")"
elif [ "$(cut -d, -f1-3 "$TMP/sw/pow_one.csv" | wc -l)" -ne 2 ]; then
    fail "[hang] sweep with K = 1^999999999999 should give one row: $(cat "$TMP/sw/pow_one.csv")"
fi

echo "bad inputs: $ncheck checks, $nfail failed"
[ $nfail -eq 0 ]
