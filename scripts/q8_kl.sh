#!/usr/bin/env bash
# q8_kl.sh — question 8 (issue 13): value-adaptive position policies and imperfect predictors, exactly.
#
#   scripts/q8_kl.sh [--out-dir DIR] [--build DIR] [--L L]
#
# Writes into DIR (default results):
#   q8_positions.csv  confidence (maxprob, margin, entropy) against random positions at equal K,
#                     balanced sizes, K = 1..L, on parity, copy, a Markov chain, an Ising chain, a
#                     mixture (L = 10, V = 2), a Reed-Solomon code (q = 5, n = 5, k = 2) and a
#                     Dirichlet(0.3) table (L = 7, V = 3; the three scores differ only for V > 2)
#   q8_threshold.csv  the self-sized policies (threshold:tau, eb:gamma, entsum:eps) over their
#                     parameter: expected iterations against kl_expected and kl_output
#   q8_predictor.csv  imperfect predictors (temp:T, mix:E) at K = L/2 with random and confidence
#                     positions (L = 8): predictor error kl_predictor against factorisation error
#                     kl_expected, and the sampler's kl_output
#   q8_cai_li.tsv     the entropy-sum rows (entsum:eps, and eb:gamma = Cai & Li's wording in
#                     increasing-entropy order) of q8_threshold.csv with E[N]·kl_expected/H, the
#                     quantity Cai & Li's Õ(H/eps) iterations say is at most polylogarithmic
#   q8_kl.png/.svg    one figure of the three (gnuplot, if installed)
# Each CSV is `dlmkl kl` output with a first column `case` (a short name of the distribution).
# Every number is exact (no sampling); the files are byte-identical from run to run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=results
build="$root/build"
L=10
while [ $# -gt 0 ]; do
    case "$1" in
        --out-dir) out=${2:?--out-dir needs a folder}; shift ;;
        --build) build=${2:?--build needs a folder}; shift ;;
        --L) L=${2:?--L needs a number}; shift ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "q8_kl.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
dlmkl=${DLMKL:-$build/dlmkl}
[ -x "$dlmkl" ] || { echo "q8_kl.sh: $dlmkl not found; build first" >&2; exit 1; }
mkdir -p "$out"
export LC_ALL=C

# case name -> distribution spec
cases=(parity copy markov ising mixture rs dirichlet)
spec() {
    case "$1" in
        parity) echo "parity:L=$L" ;;
        copy) echo "copy:L=$L,V=2" ;;
        markov) echo "markov:L=$L,stay=0.9" ;;
        ising) echo "ising:L=$L,J=0.5" ;;
        mixture) echo "mixture:0.5*{markov:L=$L,stay=0.9}+0.5*{product:L=$L,V=2,p=0.2}" ;;
        rs) echo "mds:q=5,n=5,k=2" ;;
        dirichlet) echo "random:L=7,V=3,seed=1,alpha=0.3" ;;
    esac
}
Ks() { local n=$1 s=1 k; for ((k = 2; k <= n; k++)); do s="$s,$k"; done; echo "$s"; }
nlen() { case "$1" in rs) echo 5 ;; dirichlet) echo 7 ;; *) echo "$L" ;; esac; }

# run NAME ARGS...: dlmkl kl with a leading `case` column; the header once per file
run() {
    local name=$1 file=$2
    shift 2
    "$dlmkl" kl "$@" | awk -v c="$name" -v hdr="$([ -s "$file" ] && echo 0 || echo 1)" \
        'NR == 1 { if (hdr == 1) print "case," $0; next } { print c "," $0 }' >>"$file"
}

start=$(date +%s)
pos="$out/q8_positions.csv" thr="$out/q8_threshold.csv" prd="$out/q8_predictor.csv"
: >"$pos"; : >"$thr"; : >"$prd"
for c in "${cases[@]}"; do
    echo "q8: $c" >&2
    d=$(spec "$c"); n=$(nlen "$c")
    run "$c" "$pos" --dist "$d" --schedule balanced --K "$(Ks "$n")" \
        --positions random,confidence,confidence:by=margin,confidence:by=entropy --output-law always
    run "$c" "$thr" --dist "$d" --schedule balanced --K 1 --output-law always --positions \
        threshold:tau=0.5,threshold:tau=0.6,threshold:tau=0.7,threshold:tau=0.8,threshold:tau=0.9,threshold:tau=0.95,threshold:tau=0.99,eb:gamma=0.01,eb:gamma=0.1,eb:gamma=0.3,eb:gamma=1,eb:gamma=3,entsum:eps=0.1,entsum:eps=0.3,entsum:eps=1,entsum:eps=2,entsum:eps=4
done
# predictors: L = 8, K = 4
for c in markov ising mixture; do
    echo "q8: predictors, $c" >&2
    d=$(L=8; spec "$c")
    pargs=()
    for t in 0.5 0.7 0.8 0.9 1 1.1 1.25 1.5 2; do pargs+=(--predictor "temp:$t"); done
    for e in 0.001 0.003 0.01 0.03 0.1 0.3; do pargs+=(--predictor "mix:$e,seed=1"); done
    run "$c" "$prd" --dist "$d" --schedule balanced --K 4 --positions random,confidence --output-law always "${pargs[@]}"
done
# tidy tab-separated tables for the figure (quotes dropped, commas inside quoted cells become ';')
unq='{ o = ""; q = 0; for (i = 1; i <= length($0); i++) { ch = substr($0, i, 1)
      if (ch == "\"") { q = !q; ch = "" } else if (ch == "," && q) ch = ";"; o = o ch } $0 = o }'
awk -F, "$unq"'
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { k = $(c["case"]) SUBSEP $(c["K"]); p = $(c["positions"])
      e[k, p] = $(c["kl_expected"]); ko[k, p] = $(c["kl_output"]); L[k] = $(c["L"]); seen[k] = 1; ord[++n] = k }
    END { print "case\tK_over_L\tconf_exp\tmargin_exp\tentropy_exp\tconf_out\trandom_exp\trandom_out"
      for (j = 1; j <= n; j++) { k = ord[j]; if (!(k in done)) { done[k] = 1; split(k, a, SUBSEP)
        r = e[k, "random"]; ro = ko[k, "random"]
        printf "%s\t%.6g\t%s\t%s\t%s\t%s\t%s\t%s\n", a[1], a[2] / L[k],
          (r > 1e-12 ? e[k, "confidence"] / r : "NaN"), (r > 1e-12 ? e[k, "confidence:by=margin"] / r : "NaN"),
          (r > 1e-12 ? e[k, "confidence:by=entropy"] / r : "NaN"), (ro > 1e-12 ? ko[k, "confidence"] / ro : "NaN"), r, ro } } }' \
    "$pos" >"$out/q8_fig_positions.tsv"
awk -F, "$unq"'
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print "case\tfamily\tparam\titerations_mean\tkl_expected\tkl_output"; next }
    { split($(c["positions"]), a, ":"); split(a[2], b, "=")
      printf "%s\t%s\t%s\t%s\t%s\t%s\n", $(c["case"]), a[1], b[2], $(c["iterations_mean"]), $(c["kl_expected"]), $(c["kl_output"]) }' \
    "$thr" >"$out/q8_fig_threshold.tsv"
awk -F, "$unq"'
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print "case\tpositions\tkind\tparam\tkl_expected\tkl_predictor\tkl_output"; next }
    { split($(c["predictor"]), a, ":"); split(a[2], b, ";")
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", $(c["case"]), $(c["positions"]), a[1], b[1], $(c["kl_expected"]), $(c["kl_predictor"]), $(c["kl_output"]) }' \
    "$prd" >"$out/q8_fig_predictor.tsv"
awk -F, "$unq"'
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
      print "case\tpolicy\tthreshold_bits\tH\titerations_mean\tkl_expected\tN_kl_over_H\tbound_step"; next }
    $(c["positions"]) ~ /^(entsum|eb):/ { split($(c["positions"]), a, ":"); split(a[2], b, "=")
      N = $(c["iterations_mean"]); k = $(c["kl_expected"]); H = $(c["H"])
      printf "%s\t%s\t%s\t%.4f\t%.4f\t%.4g\t%.4g\t%.4g\n", $(c["case"]), a[1], b[2], H, N, k, N * k / H, $(c["bound_step"]) }' \
    "$thr" >"$out/q8_cai_li.tsv"
echo "q8: CSV done in $(( $(date +%s) - start )) s" >&2
if command -v gnuplot >/dev/null 2>&1; then
    gnuplot -e "outdir='$out'; plotdir='$root/plots'" "$root/plots/q8_kl.gp"
else
    echo "q8_kl.sh: gnuplot not found; CSV files only" >&2
fi
echo "q8: done in $(( $(date +%s) - start )) s" >&2
