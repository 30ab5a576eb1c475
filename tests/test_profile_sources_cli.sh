#!/usr/bin/env bash
# test_profile_sources_cli.sh DLMKL: rows from profiles rather than tables.
#  1. `profile = auto:SPEC` in sweep configs (and --profile auto:SPEC in the flag form) has the meaning
#     and the bits of `dlmkl kl --profile auto:SPEC`: every sweep row equals the kl row of the same
#     schedule, positions and K cell for cell, on the closed-form route (copy, ising) and on the
#     enumerated one (ising2d, a table: file named relative to the config's folder); profile_source
#     says the route; a family without closed form beyond enumeration is refused.
set -uo pipefail
DLMKL=${1:?usage: test_profile_sources_cli.sh PATH/TO/dlmkl}
DLMKL=$(cd "$(dirname "$DLMKL")" && pwd)/$(basename "$DLMKL")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "test_profile_sources_cli: FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# every column of the kl rows equals the sweep row's column of the same name (row key: dist,
# schedule, positions, K; kl's schedule column is the sweep's schedule_resolved: chen-tc:zeta=2 for
# chen-tc); prints the number of rows compared, or the first difference
compare() { # SWEEP_CSV KL_CSV...
    python3 - "$@" <<'EOF'
import csv, sys
sw = list(csv.DictReader(open(sys.argv[1])))
kl, cols = {}, None
for p in sys.argv[2:]:
    rd = csv.DictReader(open(p))
    cols = rd.fieldnames
    for r in rd:
        kl[(r["dist"], r["schedule"], r["positions"], r["K"])] = r
n = 0
for r in sw:
    r["schedule"] = r["schedule_resolved"]
    k = (r["dist"], r["schedule"], r["positions"], r["K"])
    if k not in kl:
        sys.exit("no kl row for %s" % (k,))
    for c in cols:
        if r[c] != kl[k][c]:
            sys.exit("%s column %s: sweep '%s', kl '%s'" % (k, c, r[c], kl[k][c]))
    n += 1
if n != len(kl):
    sys.exit("%d sweep rows for %d kl rows" % (n, len(kl)))
print(n)
EOF
}

# ---- 1. auto: in sweeps ----
mkdir -p "$T/cfg/data"
# a table of L = 3, V = 2, named relative to the config's folder
printf '# a table\n3 2\n0.05\n0.1\n0.15\n0.2\n0.1\n0.1\n0.2\n0.1\n' > "$T/cfg/data/t.txt"
cat > "$T/cfg/auto.ini" <<'EOF'
[sweep]
name = auto
K = 1..4
schedules = balanced, iid:linear, optimal, chen-tc
[dist copy]
profile = auto:copy:L={L},V=3
L = 4, 6
[dist ising]
profile = auto:ising:L=6,J=0.7,h=0.2
[dist grid]
profile = auto:ising2d:rows=2,cols=3,J=0.4,h=0.1
[dist file]
profile = auto:table:data/t.txt
K = 1..3
EOF
(cd "$T" && "$DLMKL" sweep cfg/auto.ini --out-dir out >/dev/null 2>"$T/auto.err") || fail "auto sweep: $(cat "$T/auto.err")"
for p in auto:copy:L=4,V=3 auto:copy:L=6,V=3 auto:ising:L=6,J=0.7,h=0.2 auto:ising2d:rows=2,cols=3,J=0.4,h=0.1; do
    "$DLMKL" kl --profile "$p" --schedule balanced --schedule iid:linear --schedule optimal --schedule chen-tc \
        --K 1..4 -o "$T/kl_$p.csv" || fail "kl --profile $p"
done
(cd "$T/cfg" && "$DLMKL" kl --profile auto:table:data/t.txt --schedule balanced --schedule iid:linear \
    --schedule optimal --schedule chen-tc --K 1..3 -o "$T/kl_file.csv") || fail "kl --profile auto:table:"
# the sweep names the file as resolved against the config's folder; kl as given from that folder
sed 's#^"auto:table:cfg/data/t.txt"#"auto:table:data/t.txt"#' "$T/out/auto.csv" > "$T/auto_rel.csv"
if n=$(compare "$T/auto_rel.csv" "$T"/kl_*.csv 2>&1); then ok "sweep auto: rows equal kl --profile auto: rows cell for cell ($n rows)"
else fail "sweep auto: vs kl: $n"; fi
src=$(python3 -c 'import csv,sys
print(" ".join(sorted(set(r["family"]+"="+r["profile_source"] for r in csv.DictReader(open(sys.argv[1]))))))' "$T/out/auto.csv")
[ "$src" = "copy=closed-form ising2d=enumerated ising=closed-form table=enumerated" ] && ok "profile_source: the route taken ($src)" \
    || fail "profile_source/family: $src"
# the flag form: --profile auto:SPEC
"$DLMKL" sweep --name fl --profile auto:ising2d:rows=2,cols=3,J=0.4,h=0.1 --K 1..4 --schedule balanced \
    --schedule iid:linear --schedule optimal --schedule chen-tc --out-dir "$T/fl" >/dev/null 2>"$T/fl.err" || fail "flag form: $(cat "$T/fl.err")"
if n=$(compare "$T/fl/fl.csv" "$T/kl_auto:ising2d:rows=2,cols=3,J=0.4,h=0.1.csv" 2>&1); then ok "flag form --profile auto: ($n rows)"
else fail "flag form auto: vs kl: $n"; fi
# only random positions (rows from the profile alone, as kl --profile); beyond enumeration refused
"$DLMKL" sweep --name bad --profile auto:ising2d:rows=2,cols=3,J=0.4 --K 2 --schedule balanced --positions l2r \
    --out-dir "$T/bad" >/dev/null 2>"$T/bad.err"
[ $? -eq 2 ] && grep -q "need a distribution table" "$T/bad.err" && ok "auto: with l2r positions refused" \
    || fail "auto: with l2r: $(cat "$T/bad.err")"
"$DLMKL" sweep --name big --profile auto:random:L=70,V=2,seed=1 --K 2 --schedule balanced --out-dir "$T/big" \
    >/dev/null 2>"$T/big.err"
[ $? -eq 2 ] && grep -q "beyond exact enumeration" "$T/big.err" && ok "auto: of a family without closed form at L = 70 refused" \
    || fail "auto: at L = 70: $(cat "$T/big.err")"
"$DLMKL" sweep --name long --profile auto:copy:L=3000 --K 2,10 --schedule balanced --out-dir "$T/long" >/dev/null 2>&1 \
    && ok "auto: of a closed form at L = 3000" || fail "auto:copy:L=3000 in a sweep"

[ $fails -eq 0 ] || { echo "test_profile_sources_cli: $fails failure(s)" >&2; exit 1; }
echo "test_profile_sources_cli: ok"
