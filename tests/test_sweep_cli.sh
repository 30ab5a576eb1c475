#!/usr/bin/env bash
# test_sweep_cli.sh — `dlmkl sweep` end to end: an interrupted sweep (SIGINT, then kill -9, then a
# torn last line) resumed to the same bytes as an uninterrupted run; the same CSV for 1 and 2
# threads; the metadata fields (parsed with python3's json); the flag form; bad input (message,
# exit status, no CSV); file names relative to the config; an existing output refused without
# --resume / --force; the schedule columns; and a --quick smoke run of every experiment config.
#   usage: test_sweep_cli.sh PATH/TO/dlmkl     (DLMKL_SOURCE_ROOT = the source tree)
set -u
DLMKL=${1:?usage: test_sweep_cli.sh PATH/TO/dlmkl}
DLMKL=$(cd "$(dirname "$DLMKL")" && pwd)/$(basename "$DLMKL") # section 8 runs from other folders
SRC=${DLMKL_SOURCE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
T=$(mktemp -d /tmp/dlmkl_test_sweep_cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# a sweep slow enough to interrupt: kl_output (forward pass over partial states) at L = 10
cat > "$T/slow.ini" <<'EOF'
[sweep]
name = slow
[dist markov]
spec = markov:L={L},V=2,stay={stay}
L = 10
stay = 0.8, 0.95
K = 1..L
schedules = balanced, random-tc
output_law = always
EOF

# wait until FILE has at least N lines (10 s at most)
wait_lines() {
    for _ in $(seq 1 200); do
        [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}

# --- 1. the uninterrupted reference (2 threads) ---
"$DLMKL" sweep "$T/slow.ini" --out-dir "$T/ref" --threads 2 2> "$T/ref.err" || fail "reference sweep: $(cat "$T/ref.err")"
rows=$(($(wc -l < "$T/ref/slow.csv") - 1))
[ "$rows" -eq 40 ] && ok "reference: 40 rows" || fail "reference has $rows rows, expected 2 x 10 x 2 = 40"
[ ! -e "$T/ref/slow.csv.partial" ] || fail "the journal must be removed after a complete run"

# --- 2. interrupted by SIGINT, by kill -9, with a torn line; resumed with 1 thread ---
"$DLMKL" sweep "$T/slow.ini" --out-dir "$T/int" --threads 1 2> "$T/int1.err" &
pid=$!
wait_lines "$T/int/slow.csv.partial" 4 || fail "no rows journaled in 10 s"
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] && ok "SIGINT: exit 130" || fail "SIGINT: exit status $st, expected 130"
grep -q -- "--resume" "$T/int1.err" && ok "SIGINT: says how to continue" || fail "SIGINT message: $(cat "$T/int1.err")"
[ ! -e "$T/int/slow.csv" ] || fail "an interrupted sweep must not leave slow.csv"
n1=$(wc -l < "$T/int/slow.csv.partial")

"$DLMKL" sweep "$T/slow.ini" --out-dir "$T/int" --threads 1 --resume 2> "$T/int2.err" &
pid=$!
wait_lines "$T/int/slow.csv.partial" $((n1 + 3)) || fail "resume journaled nothing in 10 s"
kill -9 $pid
wait $pid 2>/dev/null
[ ! -e "$T/int/slow.csv" ] || fail "the sweep finished before kill -9 (make slow.ini slower)"
# a kill in the middle of a write leaves a torn line: simulate one
printf '"markov:L=10,V=2,stay=0.95",markov,10,2,bi' >> "$T/int/slow.csv.partial"

"$DLMKL" sweep "$T/slow.ini" --out-dir "$T/int" --threads 1 --resume 2> "$T/int3.err" || fail "final resume: $(cat "$T/int3.err")"
if cmp -s "$T/ref/slow.csv" "$T/int/slow.csv"; then
    ok "interrupted (SIGINT, kill -9, torn line) + resume = uninterrupted, byte for byte (1 vs 2 threads)"
else
    fail "resumed CSV differs from the uninterrupted one"; diff "$T/ref/slow.csv" "$T/int/slow.csv" | head -5 >&2
fi
grep -q "reused" "$T/int3.err" && ! grep -q "(0 computed" "$T/int3.err" || fail "final resume should reuse rows and compute the rest: $(cat "$T/int3.err")"

# resume over a complete CSV: nothing computed, same bytes
"$DLMKL" sweep "$T/slow.ini" --out-dir "$T/int" --resume 2> "$T/int4.err"
grep -q "(0 computed, 40 reused)" "$T/int4.err" && ok "resume of a finished sweep computes nothing" || fail "$(cat "$T/int4.err")"
cmp -s "$T/ref/slow.csv" "$T/int/slow.csv" || fail "resume of a finished sweep changed the CSV"

# --- 3. thread counts, a cheaper grid with every schedule family and both position policies ---
cat > "$T/thr.ini" <<'EOF'
[sweep]
name = thr
[dist ising2d]
spec = ising2d:rows=2,cols=4,J={J}
J = 0.3, -0.6
L = 8
K = 1..8
schedules = balanced, cosine, iid:cosine, composition, random-tc, random-dtc, chen-tc, chen-dtc, optimal
positions = random, l2r
infeasible = skip
EOF
for t in 1 2; do
    "$DLMKL" sweep "$T/thr.ini" --out-dir "$T/thr$t" --threads $t 2>/dev/null || fail "thread run $t"
done
cmp -s "$T/thr1/thr.csv" "$T/thr2/thr.csv" && ok "--threads 1 and 2: identical CSV" || fail "CSV differs between 1 and 2 threads"

# --- 4. the metadata ---
python3 - "$T/ref/slow.meta.json" "$T/slow.ini" <<'EOF' && ok "meta.json fields" || fail "meta.json"
import json, os, sys, re
m = json.load(open(sys.argv[1]))
need = ["name", "dlmkl_version", "git_revision", "config", "command_line", "unit", "rng", "seeds", "threads",
        "start_time", "end_time", "elapsed_seconds", "rows", "timing", "columns", "csv"]
missing = [k for k in need if k not in m]
assert not missing, "missing keys %s" % missing
assert m["rng"] == "mt19937"
# the threads used: 2 as asked, or 1 in a build without OpenMP (meson -Dopenmp=disabled)
assert m["threads"] == (2 if os.environ.get("DLMKL_OPENMP", "1") == "1" else 1), m["threads"]
assert m["config"]["text"] == open(sys.argv[2]).read()
assert m["config"]["path"].endswith("slow.ini")
assert m["command_line"][1] == "sweep" and "--threads" in m["command_line"]
assert m["rows"] == {"total": 40, "computed": 40, "skipped": 0, "infeasible_left_out": 0}, m["rows"]
for t in ("start_time", "end_time"):
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m[t]), m[t]
rs = m["timing"]["row_seconds"]
assert rs["count"] == 40 and 0 <= rs["min"] <= rs["median"] <= rs["max"] <= rs["total"], rs
assert m["columns"][:3] == ["dist", "family", "L"] and "kl_output" in m["columns"]
assert m["csv"] == "slow.csv"
EOF

# --- 5. the flag form, and the CSV contract shared with `dlmkl kl` ---
"$DLMKL" sweep --dist 'parity:L={L}' --L 4,5 --K '1..L' --schedule balanced --schedule 'sizes:2,1,1' \
    --infeasible skip --name flags --out-dir "$T/flags" 2> "$T/flags.err" || fail "flag form: $(cat "$T/flags.err")"
rows=$(($(wc -l < "$T/flags/flags.csv") - 1))
[ "$rows" -eq 10 ] && ok "flag form: 4 + 5 + 1 rows" || fail "flag form gave $rows rows, expected 10"
hdr=$(head -n 1 "$T/flags/flags.csv")
for c in dist L V unit schedule K sizes kl_expected kl_output TC DTC kl_over_tc_K kl_over_dtc_K seed section; do
    echo ",$hdr," | grep -q ",$c," || fail "CSV lacks column $c"
done
# the kl column values of a sweep row equal those of `dlmkl kl` for the same point
kl_row=$("$DLMKL" kl --dist parity:L=5 --schedule balanced --K 2 | tail -n 1 | cut -d, -f5-)
sw_row=$(grep '^parity:L=5,' "$T/flags/flags.csv" | awk -F, '$10 == 2' | cut -d, -f8-29)
[ -n "$kl_row" ] && [ "${kl_row%,*}" = "$sw_row" ] && ok "sweep row = dlmkl kl row" \
    || fail "sweep row '$sw_row' differs from dlmkl kl '${kl_row%,*}'"

# --- 6. bad input: one clear message, non-zero exit, no CSV ---
bad() { # NAME, expected text, config text
    printf '%s' "$3" > "$T/$1.ini"
    if "$DLMKL" sweep "$T/$1.ini" --out-dir "$T/bad" 2> "$T/$1.err"; then
        fail "$1: accepted"
    elif ! grep -q -- "$2" "$T/$1.err"; then
        fail "$1: message '$(cat "$T/$1.err")' lacks '$2'"
    elif [ -e "$T/bad/$1.csv" ]; then
        fail "$1: left a CSV"
    else
        ok "$1 rejected: $(head -c 110 "$T/$1.err")"
    fi
}
bad badsec "line 1" $'[sweeep]\nname = x\n'
bad badkey "shedules" $'[dist a]\nspec = parity:L=4\nK = 1\nshedules = balanced\nschedules = balanced\n'
bad badrange "empty range" $'[dist a]\nspec = parity:L=4\nK = 4..1\nschedules = balanced\n'
bad badph "placeholder {stay}" $'[dist a]\nspec = markov:L=4,V=2,stay={stay}\nK = 1\nschedules = balanced\n'
bad badsched "nonsense" $'[dist a]\nspec = parity:L=4\nK = 1\nschedules = nonsense\n'
bad baddist "badfamily" $'[dist a]\nspec = badfamily:L=4\nK = 1\nschedules = balanced\n'
"$DLMKL" sweep "$T/nonexistent.ini" 2> "$T/noent.err" && fail "missing config accepted"
grep -q "cannot open" "$T/noent.err" && ok "missing config: $(cat "$T/noent.err")" || fail "missing config message"
"$DLMKL" sweep --help > /dev/null || fail "--help"

# --- 8. files named in a config: relative to the config's folder; a table: needs no L key; resume
#     follows the files' bytes (an edit of the same size and modification time is seen) ---
mkdir -p "$T/relcfg/data" "$T/elsewhere"
printf '# a table\n2 3\n0.1\n0.1\n0.1\n0.1\n0.2\n0.1\n0.1\n0.1\n0.1\n' > "$T/relcfg/data/t.txt"
printf 'k,m,s,prob\n1,0,1,1\n2,1,1,1\n' > "$T/relcfg/data/law.csv"
cat > "$T/relcfg/rel.ini" <<'EOF'
[sweep]
name = rel
[dist t]
spec = table:data/t.txt
K = 2
schedules = balanced, law:data/law.csv, "mix:0.5*{law:data/law.csv}+0.5*{random-tc}"
[dist m]
spec = mixture:1*{table:data/t.txt}+1*{copy:L=2,V=3}
K = 2
schedules = balanced
EOF
kl_expected() { python3 -c 'import csv,sys; print(list(csv.DictReader(sys.stdin))[0]["kl_expected"])'; }
(cd "$T/elsewhere" && "$DLMKL" sweep ../relcfg/rel.ini --out-dir "$T/relout") 2> "$T/rel.err" \
    || fail "relative paths: $(cat "$T/rel.err")"
# the same numbers from `dlmkl kl` run in the config's folder
want=$(cd "$T/relcfg" && for s in balanced law:data/law.csv "mix:0.5*{law:data/law.csv}+0.5*{random-tc}"; do
    "$DLMKL" kl --dist table:data/t.txt --schedule "$s" --K 2 | kl_expected
done; "$DLMKL" kl --dist 'mixture:1*{table:data/t.txt}+1*{copy:L=2,V=3}' --schedule balanced --K 2 | kl_expected)
got=$(python3 - "$T/relout/rel.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 4, len(rows)
for r in rows:
    assert (r["L"], r["V"]) == ("2", "3"), (r["dist"], r["L"], r["V"])
assert rows[0]["dist"] == "table:data/t.txt"  # the spec as written
print("\n".join(r["kl_expected"] for r in rows))
EOF
)
[ -n "$want" ] && [ "$got" = "$want" ] && ok "relative table:/law:/mix: names resolve against the config's folder; L, V from the file" \
    || fail "relative paths: sweep '$got' vs kl '$want'"
# an edit of the same size, modification time put back: the rows of that file are computed again
cp -p "$T/relcfg/data/law.csv" "$T/law.bak"
printf 'k,m,s,prob\n1,0,2,1\n2,2,0,1\n' > "$T/relcfg/data/law.csv"
touch -r "$T/law.bak" "$T/relcfg/data/law.csv"
(cd "$T/elsewhere" && "$DLMKL" sweep ../relcfg/rel.ini --out-dir "$T/relout" --resume) 2> "$T/rel2.err"
grep -q "(2 computed, 2 reused)" "$T/rel2.err" && ok "resume: an edited law file (same size and time) recomputes its 2 rows" \
    || fail "resume after a law file edit: $(cat "$T/rel2.err")"
cp -p "$T/relcfg/data/t.txt" "$T/t.bak"
printf '# a table\n2 3\n0.1\n0.1\n0.1\n0.1\n0.1\n0.2\n0.1\n0.1\n0.1\n' > "$T/relcfg/data/t.txt"
touch -r "$T/t.bak" "$T/relcfg/data/t.txt"
(cd "$T/elsewhere" && "$DLMKL" sweep ../relcfg/rel.ini --out-dir "$T/relout" --resume) 2> "$T/rel3.err"
grep -q "(4 computed, 0 reused)" "$T/rel3.err" && ok "resume: an edited table file (same size and time) recomputes every row using it" \
    || fail "resume after a table edit: $(cat "$T/rel3.err")"

# --- 9. earlier results are never overwritten silently: an existing output (same grid or another)
#     refuses, naming --resume and --force, exit 1 and the file untouched; --force overwrites ---
ex() { "$DLMKL" sweep --dist 'copy:L=4' --K "$1" --schedule balanced --name ex --out-dir "$T/ex" "${@:2}"; }
ex 1,2 2> /dev/null || fail "existing output: first run"
cp "$T/ex/ex.csv" "$T/ex.ref"
ex 1,2 2> "$T/ex1.err"; st=$?
[ $st -eq 1 ] && grep -q "already holds the results of this grid" "$T/ex1.err" && grep -q -- "--resume" "$T/ex1.err" \
    && grep -q -- "--force" "$T/ex1.err" && ok "same grid again: refused: $(head -c 150 "$T/ex1.err")" \
    || fail "same grid again: status $st, '$(cat "$T/ex1.err")'"
ex 1,2,3 2> "$T/ex2.err"; st=$?
[ $st -eq 1 ] && grep -q "another grid" "$T/ex2.err" && grep -q -- "--force" "$T/ex2.err" \
    && ok "another grid under the same name: refused" || fail "another grid: status $st, '$(cat "$T/ex2.err")'"
cmp -s "$T/ex/ex.csv" "$T/ex.ref" && ok "a refused sweep leaves the CSV as it was" || fail "a refused sweep changed the CSV"
ex 1,2,3 --force 2> "$T/ex3.err" && [ "$(($(wc -l < "$T/ex/ex.csv") - 1))" -eq 3 ] \
    && ok "--force overwrites (3 rows)" || fail "--force: $(cat "$T/ex3.err")"
ex 1,2,3 --resume 2> "$T/ex4.err" && grep -q "(0 computed, 3 reused)" "$T/ex4.err" \
    && ok "--resume over the same grid reuses every row" || fail "--resume: $(cat "$T/ex4.err")"
ex 1 --resume --force 2> "$T/ex5.err"; st=$?
[ $st -eq 2 ] && ok "--resume with --force: usage error" || fail "--resume --force: status $st"
n=$("$DLMKL" sweep --help | wc -l)
[ "$n" -le 50 ] && "$DLMKL" sweep --help | grep -q -- "--force" && ok "sweep --help: $n lines, lists --force" \
    || fail "sweep --help: $n lines (at most 50) or lacks --force"
grep -q -- "--force" "$SRC/completion/dlmkl.bash" && ok "bash completion offers --force" || fail "completion lacks --force"

# --- 10. the schedule column is the spec as given (rows group by it); the built schedule is
#      schedule_resolved; zeta_fallback = 1 exactly where K-targeted chen-* has no zeta >= 2 that fits
#      in K iterations (zeta = 2 takes the fewest iterations of any zeta >= 2: `dlmkl kl` says how many) ---
"$DLMKL" sweep --dist 'copy:L=16' --K 1..16 --schedule chen-tc --schedule chen-dtc --schedule chen-tc:zeta=2 \
    --schedule balanced --name zf --out-dir "$T/zf" 2> "$T/zf.err" || fail "zeta_fallback sweep: $(cat "$T/zf.err")"
n2=$("$DLMKL" kl --dist 'copy:L=16' --schedule chen-tc:zeta=2 | python3 -c 'import csv,sys; print(list(csv.DictReader(sys.stdin))[0]["steps"])')
python3 - "$T/zf/zf.csv" "$n2" <<'EOF' && ok "schedule as given, schedule_resolved, zeta_fallback (ζ = 2 takes $n2 iterations)" || fail "schedule columns"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
n2 = int(sys.argv[2])
groups = {}
for r in rows:
    groups.setdefault(r["schedule"], []).append(r)
assert sorted(groups) == ["balanced", "chen-dtc", "chen-tc", "chen-tc:zeta=2"], sorted(groups)
assert len(groups["chen-tc"]) == len(groups["chen-dtc"]) == len(groups["balanced"]) == 16
assert len(groups["chen-tc:zeta=2"]) == 1  # fixes its own K
for s in ("chen-tc", "chen-dtc"):
    for r in groups[s]:
        K = int(r["K"])
        want = "1" if K < n2 else "0"
        assert r["zeta_fallback"] == want, (s, K, r["zeta_fallback"])
        assert r["schedule_resolved"] == "%s:zeta=%s" % (s, r["zeta"]), r["schedule_resolved"]
        if want == "1":
            assert r["zeta"] == "1" and r["steps"] == "1", r
        else:
            assert float(r["zeta"]) >= 2 and int(r["steps"]) <= K, r
r = groups["chen-tc:zeta=2"][0]
assert (r["zeta_fallback"], r["schedule_resolved"], r["steps"]) == ("0", "chen-tc:zeta=2", str(n2)), r
for r in groups["balanced"]:
    assert (r["zeta_fallback"], r["zeta"], r["schedule_resolved"]) == ("", "", "balanced"), r
EOF

# --- 7. every experiment config, --quick ---
for cfg in "$SRC"/experiments/q*.ini; do
    name=$(basename "$cfg" .ini)
    if "$DLMKL" sweep "$cfg" --quick --out-dir "$T/quick" 2> "$T/$name.err"; then
        n=$(($(wc -l < "$T/quick/$name.csv") - 1))
        # every row has its V (closed-form profiles too: the spec's V=, q=, n= or the default 2)
        noV=$(python3 -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1])) if not r["V"].isdigit()))' \
              "$T/quick/$name.csv")
        if [ "$n" -gt 0 ] && [ "$noV" = 0 ] && [ -s "$T/quick/$name.meta.json" ] && [ ! -e "$T/quick/$name.csv.partial" ]; then
            ok "experiment $name --quick: $n rows, each with its V"
        else
            fail "experiment $name --quick: $n rows ($noV without V) or missing meta / leftover journal"
        fi
    else
        fail "experiment $name --quick: $(cat "$T/$name.err")"
    fi
done

# a sparse law's profile takes the same route in a sweep as in `dlmkl kl --dist` (the sparse one for
# copy:L=15: 2 points in 2^15, (1+V)^L > 10^7), so the rows agree bit for bit
"$DLMKL" sweep --name sp --dist copy:L=15 --K 3,7 --schedule balanced --schedule random-tc --output-law never \
    --out-dir "$T/sp" >/dev/null 2>"$T/sp.err" || fail "sparse sweep: $(cat "$T/sp.err")"
sw=$(python3 -c 'import csv,sys; print("\n".join(r["schedule"]+","+r["K"]+","+r["kl_expected"] for r in csv.DictReader(open(sys.argv[1]))))' "$T/sp/sp.csv" | sort)
kl=$("$DLMKL" kl --dist copy:L=15 --K 3,7 --schedule balanced --schedule random-tc --output-law never |
     python3 -c 'import csv,sys; print("\n".join(r["schedule"]+","+r["K"]+","+r["kl_expected"] for r in csv.DictReader(sys.stdin)))' | sort)
if [ -n "$sw" ] && [ "$sw" = "$kl" ]; then ok "sparse law: sweep rows equal kl rows"; else fail "sparse law: sweep '$sw' vs kl '$kl'"; fi

if [ $fails -ne 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "all sweep CLI checks passed"
