#!/usr/bin/env bash
# test_sweep_adaptive.sh DLMKL: sweeps with value-adaptive positions and `predictor =` as a grid
# dimension (issue 13). Every row of a small sweep is compared with the row `dlmkl kl` writes for the
# same (distribution, schedule, K, positions, predictor): every cell from schedule to ln_L and the
# adaptive cells equal as text (%.17g, so bit for bit). Also: 1 and 2 threads give the same bytes;
# --resume reuses every row (the predictor is part of a row's key); bad grids are refused with a
# message naming the config line and no command-line flag.
set -u
DLMKL=${1:?usage: test_sweep_adaptive.sh PATH_TO_DLMKL}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dlmkl_sweep_adaptive.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export LC_ALL=C
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

cat > "$TMP/ad.ini" <<'INI'
[sweep]
name = ad
K = 2,3
schedules = balanced, iid:cosine
output_law = always

[dist ising]
spec = ising:L={L},J=0.7
L = 5,6
positions = confidence, threshold:tau=0.8, random, eb:gamma=0.5
predictor = exact, temp:1.5, "mix:0.2,seed=4"

[dist markov]
spec = markov:L=5,stay=0.8
positions = random, l2r, confidence:by=margin, entsum:eps=1

[dist chain3]
spec = markov:L=4,V=3,seed=2
K = 2
schedules = balanced
positions = confidence:by=entropy, l2r
predictor = topk:2, topp:0.9
INI

"$DLMKL" sweep "$TMP/ad.ini" --out-dir "$TMP/o1" --threads 1 2> "$TMP/err1" || fail "sweep failed: $(cat "$TMP/err1")"
"$DLMKL" sweep "$TMP/ad.ini" --out-dir "$TMP/o2" --threads 2 2> /dev/null || fail "sweep --threads 2 failed"
cmp -s "$TMP/o1/ad.csv" "$TMP/o2/ad.csv" || fail "1 and 2 threads differ"
n=$(tail -n +2 "$TMP/o1/ad.csv" | wc -l)
# ising: 2 L x (2 K x 2 schedules x 2 schedule-sized policies + 2 self-sized) x 3 predictors = 60;
# markov: 2 x 2 x 3 + 1 = 13; chain3: 2 policies x 2 predictors = 4
[ "$n" = 77 ] || fail "expected 77 rows, got $n"

# every row against dlmkl kl
/usr/bin/python3 - "$DLMKL" "$TMP/o1/ad.csv" <<'PY' || fail "sweep rows differ from dlmkl kl rows"
import csv, io, subprocess, sys
dlmkl, path = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(path, newline='')))
kl_cols = ['schedule', 'positions', 'K', 'steps', 'sizes', 'kl_expected', 'kl_output', 'TC', 'DTC', 'H', 'Z_L',
           'bound_tc_over_K', 'bound_dtc_over_K', 'bound_li_cai', 'bound_zl', 'bound_chen', 'zeta', 'worst_tc',
           'd_tc', 'worst_dtc', 'd_dtc', 'ln_L']
ad_cols = ['predictor', 'kl_predictor', 'kl_path', 'iterations_mean', 'iterations_mean_ideal', 'iterations_law',
           'bound_policy', 'bound_step']
bad = 0
for r in rows:
    sched, K = r['schedule'], r['K']
    if sched == 'none':  # a self-sized policy: any schedule and K give its row
        sched, K = 'balanced', '2'
    args = [dlmkl, 'kl', '--dist', r['dist'], '--schedule', sched, '--K', K, '--positions', r['positions_spec'],
            '--output-law', 'always']
    if r['predictor']:
        args += ['--predictor', r['predictor']]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    k = list(csv.DictReader(io.StringIO(out)))
    want = [x for x in k if x['positions'] == r['positions']]
    if len(want) != 1:
        print('no single kl row for', args); bad = 1; continue
    w = want[0]
    cols = kl_cols + (ad_cols if r['predictor'] else [])
    for c in cols:
        if r[c] != w.get(c, ''):
            print('%s %s %s %s %s: %s sweep %r kl %r' % (r['dist'], r['schedule'], r['K'], r['positions_spec'],
                                                        r['predictor'], c, r[c], w.get(c))); bad = 1
    if not r['predictor'] and any(r[c] for c in ad_cols):
        print('adaptive cells on a value-blind row:', r); bad = 1
print('compared', len(rows), 'rows')
sys.exit(bad)
PY

# resume: every row reused, same bytes
cp "$TMP/o1/ad.csv" "$TMP/before.csv"
"$DLMKL" sweep "$TMP/ad.ini" --out-dir "$TMP/o1" --resume 2> "$TMP/err3" || fail "resume failed"
grep -q "(0 computed, 77 reused)" "$TMP/err3" || fail "resume did not reuse every row: $(cat "$TMP/err3")"
cmp -s "$TMP/o1/ad.csv" "$TMP/before.csv" || fail "resume changed the CSV"

# a sweep without adaptive rows keeps its columns
printf '[dist m]\nspec = markov:L=5,stay=0.8\nK = 2\nschedules = balanced\npositions = random, l2r\n' > "$TMP/plain.ini"
"$DLMKL" sweep "$TMP/plain.ini" --out-dir "$TMP/o3" 2> /dev/null || fail "plain sweep failed"
head -1 "$TMP/o3/plain.csv" | grep -q predictor && fail "adaptive columns in a sweep without adaptive rows"

# bad grids: refused before any computation, the config line named, no command-line flag
bad_grid() { # args: name, the section's extra lines
    printf '[dist m]\nspec = markov:L=5,stay=0.8\nK = 2\nschedules = balanced\n%b' "$2" > "$TMP/$1.ini"
    if "$DLMKL" sweep "$TMP/$1.ini" --out-dir "$TMP/bad" 2> "$TMP/err"; then
        fail "$1: accepted"
    else
        grep -q "line" "$TMP/err" || fail "$1: no config line in: $(cat "$TMP/err")"
        grep -q -- "--" "$TMP/err" && fail "$1: a command-line flag in: $(cat "$TMP/err")"
    fi
    [ -e "$TMP/bad/$1.csv" ] && fail "$1: a CSV was written"
}
bad_grid stride_pred 'positions = stride:2\npredictor = temp:2\n'
bad_grid bad_pred 'predictor = temp:0\n'
bad_grid bad_policy 'positions = confidence:by=foo\n'
printf '[dist c]\nprofile = copy:L=5\nK = 2\nschedules = balanced\npositions = confidence\n' > "$TMP/cf.ini"
"$DLMKL" sweep "$TMP/cf.ini" --out-dir "$TMP/bad" 2> "$TMP/err" && fail "closed form with confidence accepted"

[ "$nfail" = 0 ] && echo "all sweep adaptive checks passed"
exit $((nfail > 0))
