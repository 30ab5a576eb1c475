#!/usr/bin/env bash
# test_profile_sources_cli.sh DLMKL: rows from profiles rather than tables.
#  1. `profile = auto:SPEC` in sweep configs (and --profile auto:SPEC in the flag form) has the meaning
#     and the bits of `dlmkl kl --profile auto:SPEC`: every sweep row equals the kl row of the same
#     schedule, positions and K cell for cell, on the closed-form route (copy, ising) and on the
#     enumerated one (ising2d, a table: file named relative to the config's folder); profile_source
#     says the route; a family without closed form beyond enumeration is refused.
#  2. Profile files record V: `dlmkl profile` writes a V column (tables, closed forms, auto:), the
#     reader takes it back, so kl/info rows of --profile FILE have their V and equal the --dist rows
#     cell for cell (but kl_output); a file without the column (written before) still reads, V empty;
#     a V column added by hand gives V; inconsistent or malformed V cells are refused (exit 1).
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
# an exchangeable mixture has a closed form (L = 300, beyond enumeration); the sweep's rows equal kl's
mx='mixture:0.3*{product:L=300,p=0.2}+0.7*{mixture:1*{cw:L=300,J=1.5,h=0.05}+1*{product:L=300,p=0.9}}'
"$DLMKL" sweep --name mx --profile "auto:$mx" --K 1..4 --schedule balanced --schedule optimal --out-dir "$T/mx" \
    >/dev/null 2>"$T/mx.err" || fail "auto: of an exchangeable mixture in a sweep: $(cat "$T/mx.err")"
mkdir -p "$T/mxkl" && "$DLMKL" kl --profile "auto:$mx" --schedule balanced --schedule optimal --K 1..4 -o "$T/mxkl/kl.csv" 2>"$T/mx.err" \
    || fail "kl --profile auto:$mx: $(cat "$T/mx.err")"
if n=$(compare "$T/mx/mx.csv" "$T/mxkl/kl.csv" 2>&1); then ok "auto: exchangeable mixture, sweep rows equal kl rows ($n rows)"
else fail "auto: mixture sweep vs kl: $n"; fi
src=$(python3 -c 'import csv,sys
print(" ".join(sorted(set(r["family"]+"="+r["profile_source"] for r in csv.DictReader(open(sys.argv[1]))))))' "$T/mx/mx.csv")
[ "$src" = "mixture=closed-form" ] && ok "profile_source of an exchangeable mixture: $src" || fail "mixture profile_source: $src"
"$DLMKL" sweep --name long --profile auto:copy:L=3000 --K 2,10 --schedule balanced --out-dir "$T/long" >/dev/null 2>&1 \
    && ok "auto: of a closed form at L = 3000" || fail "auto:copy:L=3000 in a sweep"

# ---- 2. profile files record V ----
spec=random:L=4,V=3,seed=2
"$DLMKL" profile --dist $spec -o "$T/p.csv" || fail "profile --dist"
[ "$(head -n 1 "$T/p.csv")" = "m,h,Z,unit,V" ] && [ "$(cut -d, -f5 "$T/p.csv" | sort -u | tr '\n' ' ')" = "3 V " ] \
    && ok "dlmkl profile writes V on every row" || fail "profile V column: $(cat "$T/p.csv")"
for p in copy:L=5,V=4 auto:copy:L=5,V=4 auto:$spec "mds:q=5,n=4,k=2" "perm:n=4"; do
    want=$(case $p in *copy*) echo 4 ;; *random*) echo 3 ;; mds*) echo 5 ;; perm*) echo 4 ;; esac)
    got=$("$DLMKL" profile --profile "$p" | sed -n 2p | cut -d, -f5)
    [ "$got" = "$want" ] || fail "profile --profile $p: V '$got', want $want"
done
"$DLMKL" profile --profile "$T/p.csv" | cmp -s - "$T/p.csv" && ok "a profile file reads back to its bytes, V included" \
    || fail "profile --profile FILE does not give back its bytes"
args=(--schedule balanced --schedule iid:linear --schedule optimal --K 1..4)
"$DLMKL" kl --profile "$T/p.csv" "${args[@]}" > "$T/klf.csv" || fail "kl --profile FILE"
"$DLMKL" kl --dist $spec "${args[@]}" --output-law never > "$T/kld.csv" || fail "kl --dist"
# every column but dist, kl_output and seed (what a profile cannot know) equal, V included
cat > "$T/cmp_fd.py" <<'EOF'
import csv, sys
f, d = (list(csv.DictReader(open(p))) for p in sys.argv[1:])
assert len(f) == len(d) == 12, (len(f), len(d))
for a, b in zip(f, d):
    assert a["V"] == "3", a["V"]
    for c in a:
        if c not in ("dist", "kl_output", "seed"):
            assert a[c] == b[c], (c, a[c], b[c])
EOF
python3 "$T/cmp_fd.py" "$T/klf.csv" "$T/kld.csv" && ok "kl --profile FILE rows have V; equal to the --dist rows" \
    || fail "kl --profile FILE vs --dist"
Vinfo=$("$DLMKL" info --profile "$T/p.csv" | python3 -c 'import csv,sys; print(next(csv.DictReader(sys.stdin))["V"])')
[ "$Vinfo" = 3 ] && ok "info --profile FILE has V" || fail "info --profile FILE V '$Vinfo'"
# a file written before (no V column) still reads: V empty, the other cells the same; a V column
# added by hand (here in one cell) gives V
cut -d, -f1-4 "$T/p.csv" > "$T/old.csv"
"$DLMKL" kl --profile "$T/old.csv" "${args[@]}" > "$T/klo.csv" || fail "kl --profile old file"
cat > "$T/cmp_old.py" <<'EOF'
import csv, sys
o, f = (list(csv.DictReader(open(p))) for p in sys.argv[1:])
assert len(o) == len(f) == 12
for a, b in zip(o, f):
    assert a["V"] == "", a["V"]
    assert {c: a[c] for c in a if c not in ("dist", "V")} == {c: b[c] for c in b if c not in ("dist", "V")}
EOF
python3 "$T/cmp_old.py" "$T/klo.csv" "$T/klf.csv" && ok "an old profile file: V empty, the rest the same" \
    || fail "old profile file rows"
awk -F, 'NR == 1 { print $0 ",V"; next } { print $0 "," (NR == 2 ? "3" : "") }' "$T/old.csv" > "$T/given.csv"
"$DLMKL" kl --profile "$T/given.csv" --schedule balanced --K 2 | sed -n 2p | cut -d, -f3 | grep -qx 3 \
    && ok "a V column added by hand gives V" || fail "V given by hand"
sed '3s/,3$/,5/' "$T/p.csv" > "$T/mixed.csv"
"$DLMKL" kl --profile "$T/mixed.csv" --schedule balanced --K 2 >/dev/null 2>"$T/e"
[ $? -eq 1 ] && grep -q "line 3: V = 5, but earlier rows say V = 3" "$T/e" && ok "inconsistent V refused" \
    || fail "mixed V: $(cat "$T/e")"
sed '2s/,3$/,x/' "$T/p.csv" > "$T/badv.csv"
"$DLMKL" info --profile "$T/badv.csv" >/dev/null 2>"$T/e"
[ $? -eq 1 ] && grep -q "line 2: V 'x' is not an alphabet size" "$T/e" && ok "malformed V refused" || fail "bad V: $(cat "$T/e")"

[ $fails -eq 0 ] || { echo "test_profile_sources_cli: $fails failure(s)" >&2; exit 1; }
echo "test_profile_sources_cli: ok"
