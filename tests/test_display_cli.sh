#!/usr/bin/env bash
# test_display_cli.sh DLMKL SOURCE_ROOT: the display options. The default CSV is the exact text
# (byte for byte the reference, --format csv the same); --digits N rounds each non-integer number to
# N significant digits (checked cell by cell against Python's '%.Ng' of the exact value, and --digits
# 17 reads back to the same doubles); --format table aligns the columns (reference bytes, and the
# same cells as the CSV); bad values exit 2 and leave no file.
set -uo pipefail
DLMKL=$1 SRC=$2
REF=$SRC/tests/ref/display
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "test_display_cli: FAIL: $*" >&2; fails=$((fails + 1)); }
same() {  # same REFFILE CMD...: the command's stdout equals the reference, byte for byte
    local ref=$1
    shift
    "$@" >"$T/out" 2>"$T/err" || fail "$* exited $?: $(cat "$T/err")"
    cmp -s "$T/out" "$REF/$ref" || fail "$* differs from $ref: $(diff "$T/out" "$REF/$ref" | head -5)"
}

info=(info --dist copy:L=3,V=2 --dist markov:L=6,stay=0.8)
kl=(kl --dist markov:L=6,stay=0.8 --schedule balanced --schedule chen-tc --K 2,3)
worst=(worst --schedule balanced --schedule iid:cosine --L 8,16 --K L/4)
sample=(sample --dist markov:L=3,stay=0.8 --schedule balanced --K 2 --n 100 --seed 3)
prof=(profile --dist markov:L=6,stay=0.8)

# references, byte for byte
same info.csv "$DLMKL" "${info[@]}"
same info.csv "$DLMKL" "${info[@]}" --format csv
same info.table "$DLMKL" "${info[@]}" --format table
same profile_d5.table "$DLMKL" "${prof[@]}" --format table --digits 5
same kl_d4.csv "$DLMKL" "${kl[@]}" --digits 4
same worst_d6.table "$DLMKL" "${worst[@]}" --format table --digits 6
same sample_d3.csv "$DLMKL" "${sample[@]}" --digits 3

# --digits N, cell by cell against Python's rounding of the exact CSV; --digits 17 reads back exactly;
# --format table holds the same cells as the CSV (split on runs of blanks; the cells hold no blank)
check=$(cat <<'PY'
import csv, io, subprocess, sys
exe = sys.argv[1]
def run(*a):
    return subprocess.run([exe, *a], check=True, stdout=subprocess.PIPE).stdout.decode()
def isfloat(s):
    try:
        float(s)
    except ValueError:
        return False
    return any(c in s for c in ".eE")
cmds = [["info", "--dist", "copy:L=3,V=2", "--dist", "markov:L=6,stay=0.8", "--dist", "ising:L=5,J=0.3"],
        ["profile", "--dist", "random:L=6,V=3,seed=4,alpha=0.5"],
        ["kl", "--dist", "markov:L=6,stay=0.8", "--schedule", "balanced", "--schedule", "iid:cosine", "--K", "1..4"],
        ["worst", "--schedule", "random-tc", "--L", "16,64", "--K", "L/4"]]
bad = 0
for c in cmds:
    exact = list(csv.reader(io.StringIO(run(*c))))
    for n in (1, 3, 6, 17):
        got = list(csv.reader(io.StringIO(run(*c, "--digits", str(n)))))
        for r0, r1 in zip(exact, got):
            for a, b in zip(r0, r1):
                want = ("%.*g" % (n, float(a))) if isfloat(a) else a
                if b != want or (n == 17 and isfloat(a) and float(b) != float(a)):
                    print("digits", n, c[0], repr(a), repr(b), "want", repr(want)); bad += 1
        if len(got) != len(exact) or any(len(r) != len(s) for r, s in zip(got, exact)):
            print("digits", n, c[0], "shape differs"); bad += 1
    table = run(*c, "--format", "table").rstrip("\n").split("\n")
    if len(table) != len(exact):
        print("table rows", c[0]); bad += 1
    for line, row in zip(table, exact):
        if line.split() != [x for x in row if x != ""]:
            print("table cells", c[0], line, row); bad += 1
sys.exit(1 if bad else 0)
PY
)
if [ -x "$PY" ]; then
    "$PY" -c "$check" "$DLMKL" >"$T/py" 2>&1 || fail "rounding/table cells: $(head -5 "$T/py")"
fi

# table columns: numbers right-aligned (the column's right edge), text left-aligned, no trailing blank
"$DLMKL" "${info[@]}" --format table | grep -q ' $' && fail "--format table leaves trailing blanks"

# -o FILE gets the display text; bad values exit 2 and leave nothing
"$DLMKL" "${info[@]}" --format table -o "$T/t.txt" && cmp -s "$T/t.txt" "$REF/info.table" || fail "-o with --format table"
for bad in "--format xml" "--digits 0" "--digits 18" "--digits 3x" "--digits ''"; do
    eval "\"\$DLMKL\" \"\${info[@]}\" $bad -o \"\$T/bad.csv\"" 2>"$T/err"; rc=$?
    [ $rc -eq 2 ] || fail "info $bad: exit $rc, want 2"
    [ -e "$T/bad.csv" ] && fail "info $bad left a file"
    grep -q -- "${bad%% *}" "$T/err" || fail "info $bad: message does not name the option: $(cat "$T/err")"
done
# sample's --format chooses what it writes (law|samples): no display format there
"$DLMKL" "${sample[@]}" --format table >/dev/null 2>&1; [ $? -eq 2 ] || fail "sample --format table should exit 2"

[ $fails -eq 0 ] || { echo "test_display_cli: $fails failure(s)" >&2; exit 1; }
echo "test_display_cli: ok"
