#!/usr/bin/env bash
# test_adaptive_cli.sh DLMKL: value-adaptive positions and --predictor on the command line (issue 13):
# the extra columns appear only with them (other output unchanged); kl_path = kl_expected +
# kl_predictor; kl_output <= kl_path; `dlmkl sample` under the same policy against the exact q_bar
# (G-test, false-alarm rate about 1e-6 per case via the Wilson-Hilferty chi-square quantile); usage
# errors exit 2 and leave no file; 1 and 2 threads give the same bytes; `sample --format samples` with
# these policies gives the very runs the law format counts.
set -u
DLMKL=${1:?usage: test_adaptive_cli.sh PATH_TO_DLMKL}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dlmkl_adaptive_cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export LC_ALL=C
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

# 1. without adaptive policies or predictors: no extra columns
h=$("$DLMKL" kl --dist markov:L=5,stay=0.8 --schedule balanced --K 3 --positions random,l2r | head -1)
case "$h" in *predictor*) fail "extra columns without adaptive policies: $h" ;; esac
[ "$(echo "$h" | tr ',' '\n' | tail -1)" = seed ] || fail "last column is not seed: $h"

# commas inside quoted CSV fields become ';' so that awk -F, sees one field each
unquote() { awk '{ o = ""; q = 0; for (i = 1; i <= length($0); i++) { ch = substr($0, i, 1)
    if (ch == "\"") q = !q; else if (ch == "," && q) ch = ";"; o = o ch } print o }'; }

# 2. adaptive rows: columns, chain rule, data processing
out=$("$DLMKL" kl --dist ising:L=6,J=0.7 --schedule balanced --K 3 \
    --positions confidence,confidence:by=entropy,threshold:tau=0.8,eb:gamma=0.5,entsum:eps=1,random \
    --predictor exact --predictor temp:1.5 --predictor mix:0.2,seed=4 --output-law always) || fail "kl with adaptive policies failed"
n=$(echo "$out" | tail -n +2 | wc -l)
[ "$n" = 18 ] || fail "expected 18 rows, got $n"
echo "$out" | unquote | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { e = $(c["kl_expected"]); o = $(c["kl_output"]); kp = $(c["kl_predictor"]); pa = $(c["kl_path"])
      if ((e + kp - pa) > 1e-12 || (pa - e - kp) > 1e-12) { print "chain rule: " $0; bad = 1 }
      if (o > pa + 1e-12) { print "kl_output > kl_path: " $0; bad = 1 }
      b = $(c["bound_policy"]); if (b != "" && e > b + 1e-12) { print "policy bound: " $0; bad = 1 }
      bs = $(c["bound_step"]); p = $(c["positions"]); pr = $(c["predictor"])
      if ((bs != "") != (pr == "exact" && p ~ /^(threshold|eb|entsum):/)) { print "bound_step cell: " $0; bad = 1 }
      if (bs != "" && (e > bs + 1e-12 || (b != "" && bs > b + 1e-12))) { print "step bound: " $0; bad = 1 } }
    END { exit bad }' || fail "identities on the adaptive rows"

# 3. the simulator against q_bar
gtest() { # args: sample arguments...
    "$DLMKL" sample "$@" --n 100000 -o "$TMP/s.csv" || { fail "sample $*"; return; }
    awk -F, -v n=100000 'NR > 1 { q = $5; k = $2
        if (q == 0 && k > 0) { bad = 1 }
        if (q > 0) { df++; if (k > 0) G += 2 * k * log(k / (n * q)) } }
        END { df -= 1; z = 4.753; w = 2 / (9 * df); crit = df * (1 - w + z * sqrt(w)) ^ 3
              if (bad || G > crit) { print "G = " G " > " crit " (df " df ")"; exit 1 } }' "$TMP/s.csv" ||
        fail "G-test: sample $*"
}
gtest --dist markov:L=5,stay=0.8 --schedule balanced --K 3 --positions confidence --seed 11
gtest --dist random:L=4,V=3,seed=7,alpha=0.3 --schedule balanced --K 2 --positions threshold:tau=0.6 --seed 12
gtest --dist ising:L=5,J=0.7 --schedule iid:cosine --K 3 --positions eb:gamma=0.4 --predictor temp:0.7 --seed 13
gtest --dist ising:L=5,J=0.7 --schedule composition --K 2 --positions random --predictor topp:0.9 --seed 14

# 4. threads: the same bytes
a=$("$DLMKL" kl --threads 1 --dist ising:L=6,J=0.7 --schedule iid:cosine --K 3 --positions confidence --predictor temp:2)
b=$("$DLMKL" kl --threads 2 --dist ising:L=6,J=0.7 --schedule iid:cosine --K 3 --positions confidence --predictor temp:2)
[ "$a" = "$b" ] || fail "1 and 2 threads differ"

# 5. usage errors: exit 2, a message, no file
for args in "--positions confidence:by=foo" "--positions threshold:tau=2" "--predictor temp:0" \
    "--positions stride --predictor temp:2" "--predictor mix:0.1"; do
    # shellcheck disable=SC2086
    "$DLMKL" kl --dist copy:L=3 --schedule balanced --K 2 $args -o "$TMP/e.csv" 2>"$TMP/err"
    rc=$?
    [ $rc = 2 ] || fail "kl $args: exit $rc, expected 2"
    [ -s "$TMP/err" ] || fail "kl $args: no message"
    [ -e "$TMP/e.csv" ] && fail "kl $args: left a file"
done
"$DLMKL" kl --profile copy:L=30 --schedule balanced --K 2 --positions confidence 2>/dev/null
[ $? = 2 ] || fail "adaptive positions with --profile: expected exit 2"

# 6. --format samples with adaptive policies and predictors: the law format's counts tally exactly the
#    samples format's rows (the same runs from the same generator); rows numbered 1..N
tally() { # args: sample arguments...
    "$DLMKL" sample "$@" --n 3000 --format samples -o "$TMP/rows.csv" || { fail "samples: $*"; return; }
    "$DLMKL" sample "$@" --n 3000 -o "$TMP/law.csv" || { fail "law: $*"; return; }
    awk -F, 'NR > 1 { if ($1 != NR - 1) bad = 1; c[$2]++ } END { for (x in c) print x "," c[x]; exit bad }' \
        "$TMP/rows.csv" | sort > "$TMP/t1" || fail "samples rows not numbered 1..N: $*"
    awk -F, 'NR > 1 && $2 > 0 { print $1 "," $2 }' "$TMP/law.csv" | sort > "$TMP/t2"
    cmp -s "$TMP/t1" "$TMP/t2" || fail "samples rows do not tally the law counts: $*"
}
tally --dist markov:L=5,stay=0.8 --schedule balanced --K 3 --positions confidence --seed 21
tally --dist random:L=4,V=3,seed=7,alpha=0.3 --schedule balanced --K 2 --positions threshold:tau=0.6 --seed 22
tally --dist ising:L=5,J=0.7 --schedule iid:cosine --K 3 --positions eb:gamma=0.4 --predictor temp:0.7 --seed 23
tally --dist ising:L=5,J=0.7 --schedule composition --K 2 --positions random --predictor "mix:0.2,seed=4" --seed 24

[ $nfail = 0 ] && echo "all adaptive CLI checks passed"
exit $((nfail > 0))
