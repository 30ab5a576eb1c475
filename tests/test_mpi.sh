#!/usr/bin/env bash
# test_mpi.sh — dlmkl-mpi under `mpirun -np 2 --oversubscribe` (and 3): the profile has the same
# bytes as `dlmkl profile` (tables of V = 2..5, L = 1..14, 1 and 2 threads per process; generated
# tables of every generated family, also under a memory cap their table exceeds); a sweep
# (tables, shared profiles, a closed form) writes the same NAME.csv and NAME.csv.sums as `dlmkl
# sweep`; a failing distribution keeps the journal and --resume (by dlmkl-mpi, or by dlmkl) ends
# with the same bytes; a row failing on rank 1 is reported by rank 0; bad usage exits 2.
#   usage: test_mpi.sh PATH/TO/dlmkl [PATH/TO/dlmkl-mpi PATH/TO/mpirun]   (exit 77: MPI not built)
set -u
DLMKL=${1:?usage: test_mpi.sh PATH/TO/dlmkl [PATH/TO/dlmkl-mpi PATH/TO/mpirun]}
MPI=${2:-}
MPIRUN=${3:-}
if [ -z "$MPI" ] || [ -z "$MPIRUN" ]; then
    echo "dlmkl-mpi not built (no MPI found, or -Dmpi=disabled): skipped"
    exit 77
fi
T=$(mktemp -d /tmp/dlmkl_test_mpi.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# as root Open MPI needs its consent; --bind-to none: several processes on few cores
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Under AddressSanitizer the MPI processes run without LeakSanitizer: Open MPI keeps allocations of
# its own (libmpi and plugins it unloads at exit, so no suppression can name them) until the process
# ends. Every other ASan check stays on, and dlmkl's own leaks are checked by the other tests.
run() {
    local np=$1
    shift
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        timeout 300 "$MPIRUN" -np "$np" --oversubscribe --bind-to none "$MPI" "$@"
}

# --- the profile: same bytes as dlmkl profile, for 1..3 processes and 1, 2 threads ---
for spec in "ising:L=14,J=0.7,h=0.2" "markov:L=12,V=2,stay=0.8" "random:L=13,V=2,seed=3" "random:L=8,V=3,seed=5" \
            "random:L=6,V=4,seed=2" "random:L=3,V=5,seed=1" "random:L=1,V=2,seed=1" "random:L=2,V=2,seed=4" \
            "copy:L=15,V=2"; do
    "$DLMKL" profile --dist "$spec" --threads 1 > "$T/ref.csv" || fail "dlmkl profile $spec"
    for np in 2 3; do
        for th in 1 2; do
            run $np profile --dist "$spec" --threads $th -o "$T/mpi.csv" > "$T/mpi.out" 2>&1 \
                || fail "dlmkl-mpi profile $spec (np $np, threads $th): $(head -3 "$T/mpi.out")"
            cmp -s "$T/ref.csv" "$T/mpi.csv" || fail "profile of $spec differs with $np processes x $th threads"
        done
    done
done
ok "profile: the same bytes as dlmkl profile for 2, 3 processes x 1, 2 threads (9 tables)"
# --- generated tables: no process holds the table (ising, ising2d, cw, product, markov, mixprod) ---
for spec in "ising2d:rows=3,cols=4,J=0.4,h=0.1" "cw:L=13,J=0.9,h=-0.3" "product:L=9,V=3,seed=2,alpha=0.5" \
            "markov:L=8,V=3,seed=9" "ising:L=1,J=0.3" "mixprod:L=14,V=2,m=3,seed=7" \
            "mixprod:L=9,V=3,m=4,seed=5,alpha=0.5" "mixprod:L=5,V=2,m=12,seed=4"; do
    "$DLMKL" profile --dist "$spec" --threads 1 > "$T/ref.csv" || fail "dlmkl profile $spec"
    for np in 2 3; do
        for th in 1 2; do
            run $np profile --dist "$spec" --threads $th -o "$T/mpi.csv" > "$T/mpi.out" 2>&1 \
                || fail "dlmkl-mpi profile $spec (np $np, threads $th): $(head -3 "$T/mpi.out")"
            cmp -s "$T/ref.csv" "$T/mpi.csv" || fail "generated profile of $spec differs with $np processes x $th threads"
        done
    done
    run 2 profile --dist "$spec" --whole-table -o "$T/mpi.csv" > "$T/mpi.out" 2>&1 && cmp -s "$T/ref.csv" "$T/mpi.csv" \
        || fail "--whole-table profile of $spec differs"
done
ok "generated tables: the same bytes as dlmkl profile for 2, 3 processes x 1, 2 threads (8 more tables, 6 families)"
# the memory cap: ising:L=16 and mixprod:L=16 have 512 KiB tables; one thread's workspace without
# the table is 272 KiB (mixprod's parameters, 3·16·2 marginals, are small)
cap_cases() {
    local spec=$1
    "$DLMKL" profile --dist "$spec" --threads 1 > "$T/ref.csv" || fail "dlmkl profile $spec"
    rm -f "$T/cap.csv" "$T/capw.csv" "$T/capg.csv"
    run 2 profile --dist "$spec" --threads 1 --max-memory 400K -o "$T/cap.csv" > "$T/cap.out" 2>&1 \
        && cmp -s "$T/ref.csv" "$T/cap.csv" && ok "generated $spec within a 400K cap that its table exceeds: the same bytes" \
        || fail "generated $spec under the cap: $(head -3 "$T/cap.out")"
    run 2 profile --dist "$spec" --threads 1 --max-memory 400K --whole-table -o "$T/capw.csv" > "$T/cap.out" 2>&1
    local st=$?
    [ $st -eq 1 ] && grep -q "above the memory cap" "$T/cap.out" && [ ! -e "$T/capw.csv" ] \
        && ok "$spec --whole-table under the same cap: exit 1, the cap named, no file" \
        || fail "$spec whole under the cap: exit $st, $(head -3 "$T/cap.out")"
    run 2 profile --dist "$spec" --threads 1 --max-memory 200K -o "$T/capg.csv" > "$T/cap.out" 2>&1
    st=$?
    [ $st -eq 1 ] && grep -q "above the memory cap" "$T/cap.out" && [ ! -e "$T/capg.csv" ] \
        && ok "generated $spec under a 200K cap (below its workspace): exit 1, no file" \
        || fail "$spec gen under 200K: exit $st, $(head -3 "$T/cap.out")"
}
cap_cases "ising:L=16,J=0.6"
cap_cases "mixprod:L=16,V=2,m=3,seed=7"
run 2 profile --dist "ising:L=5" -o "$T/no.csv" > "$T/u.out" 2>&1
[ $? -eq 1 ] && grep -q "J" "$T/u.out" && [ ! -e "$T/no.csv" ] && ok "bad generated spec: exit 1, no file" || fail "bad gen spec: $(cat "$T/u.out")"

run 2 profile --dist "random:L=10,V=2,seed=1" --unit nats > "$T/nats.csv" 2> "$T/nats.err" || fail "stdout output"
"$DLMKL" profile --dist "random:L=10,V=2,seed=1" --unit nats | cmp -s - "$T/nats.csv" && ok "profile to stdout, --unit nats" \
    || fail "profile to stdout differs"

# --- a sweep: the same CSV and checksums as dlmkl sweep ---
cat > "$T/t.ini" <<'EOF2'
[sweep]
name = t

[dist r]
spec = random:L=8,V=2,seed={s}
s = 1..3
K = 1..4
schedules = balanced, "iid:linear"

[dist i]
spec = ising:L=9,J=0.5
K = 1..5
schedules = balanced, optimal

[dist m]
profile = markov:L=30,stay=0.8
K = 2, 4
schedules = balanced
EOF2
"$DLMKL" sweep "$T/t.ini" --out-dir "$T/one" 2> "$T/one.err" || fail "dlmkl sweep: $(cat "$T/one.err")"
for np in 2 3; do
    run $np sweep "$T/t.ini" --out-dir "$T/np$np" > "$T/np$np.out" 2>&1 || fail "dlmkl-mpi sweep -np $np: $(head -3 "$T/np$np.out")"
    cmp -s "$T/one/t.csv" "$T/np$np/t.csv" && cmp -s "$T/one/t.csv.sums" "$T/np$np/t.csv.sums" \
        && ok "sweep on $np processes: the same CSV and checksums as dlmkl sweep" || fail "sweep CSV differs on $np processes"
    [ -s "$T/np$np/t.meta.json" ] && [ ! -e "$T/np$np/t.csv.partial" ] || fail "np $np: metadata missing or journal left"
    grep -q "36 rows (36 computed, 0 reused)" "$T/np$np.out" || fail "np $np: closing line $(cat "$T/np$np.out")"
done

# profile = auto:SPEC: the enumerated route (a family without closed form) is computed by the processes
# together, the closed-form one by each; the same CSV as dlmkl sweep
printf '[sweep]\nname = a\nK = 1..3\nschedules = balanced, optimal\n[dist r]\nprofile = auto:random:L=8,V=2,seed=2\n[dist c]\nprofile = auto:copy:L=7\n' > "$T/a.ini"
"$DLMKL" sweep "$T/a.ini" --out-dir "$T/a1" 2> "$T/a1.err" || fail "dlmkl sweep auto: $(cat "$T/a1.err")"
run 2 sweep "$T/a.ini" --out-dir "$T/a2" > "$T/a2.out" 2>&1 || fail "dlmkl-mpi sweep auto: $(head -3 "$T/a2.out")"
cmp -s "$T/a1/a.csv" "$T/a2/a.csv" && ok "sweep of auto: profiles on 2 processes: the same CSV" || fail "auto: sweep CSV differs under MPI"

# --- a failing distribution: journal kept, exit 1; --resume completes to the same bytes ---
cp "$T/t.ini" "$T/bad.ini"
printf '\n[dist z]\nspec = random:L=8,V=2,seed=1,alpha=-1\nK = 2\nschedules = balanced\n' >> "$T/bad.ini"
run 2 sweep "$T/bad.ini" --out-dir "$T/res" > "$T/bad.out" 2>&1
st=$?
[ $st -eq 1 ] && grep -q "alpha = -1 is out of range" "$T/bad.out" && ok "a failing distribution: exit 1, its message" \
    || fail "failing sweep: exit $st, $(head -2 "$T/bad.out")"
[ ! -e "$T/res/t.csv" ] && [ "$(wc -l < "$T/res/t.csv.partial")" -eq 37 ] && ok "the journal holds the 36 rows, no CSV" \
    || fail "after the failure: $(ls "$T/res")"
cp -r "$T/res" "$T/res_plain"
run 2 sweep "$T/t.ini" --out-dir "$T/res" --resume > "$T/res.out" 2>&1 || fail "resume: $(head -3 "$T/res.out")"
cmp -s "$T/one/t.csv" "$T/res/t.csv" && grep -q "(0 computed, 36 reused)" "$T/res.out" \
    && ok "dlmkl-mpi --resume of its journal: the same bytes, nothing recomputed" || fail "mpi resume: $(cat "$T/res.out")"
"$DLMKL" sweep "$T/t.ini" --out-dir "$T/res_plain" --resume 2> "$T/resp.err" || fail "dlmkl resume: $(cat "$T/resp.err")"
cmp -s "$T/one/t.csv" "$T/res_plain/t.csv" && ok "dlmkl --resume of a dlmkl-mpi journal: the same bytes" || fail "plain resume differs"
# a partial journal (its first 10 rows) resumed on 2 processes: the rest computed, same bytes
run 2 sweep "$T/bad.ini" --out-dir "$T/half0" > /dev/null 2>&1
mkdir -p "$T/half" && head -n 11 "$T/half0/t.csv.partial" > "$T/half/t.csv.partial"
run 2 sweep "$T/t.ini" --out-dir "$T/half" --resume > "$T/half.out" 2>&1 || fail "half resume: $(head -3 "$T/half.out")"
cmp -s "$T/one/t.csv" "$T/half/t.csv" && grep -q "(26 computed, 10 reused)" "$T/half.out" \
    && ok "resume of 10 journaled rows on 2 processes: 26 computed, the same bytes" || fail "half resume: $(cat "$T/half.out")"

# --- a row failing on rank 1 (the kl_output of row 4 is above the memory cap): reported by rank 0 ---
cat > "$T/rb.ini" <<'EOF2'
[sweep]
name = rb
[dist a]
spec = random:L=12,V=2,seed=1
K = 2, 3, 4
schedules = balanced
[dist b]
spec = random:L=12,V=2,seed=1
K = 3
schedules = balanced
output_law = always
EOF2
run 2 sweep "$T/rb.ini" --out-dir "$T/rb" --max-memory 2M > "$T/rb.out" 2>&1
st=$?
[ $st -eq 1 ] && grep -q "needs 12.16 MiB, above the memory cap" "$T/rb.out" && [ "$(wc -l < "$T/rb/rb.csv.partial")" -eq 4 ] \
    && ok "a row failing on rank 1: exit 1, its message from rank 0, the other rows journaled" \
    || fail "row failure: exit $st, $(head -2 "$T/rb.out"), $(ls "$T/rb")"

# --- bench: rank scaling rows (k = 1, 2 of 2 processes; k = 1, 2, 3 of 3), the same bits, the model ---
for np in 2 3; do
    run $np bench --dist "ising:L=11,J=0.5" -o "$T/bench.csv" > "$T/bench.out" 2>&1 || fail "bench -np $np: $(head -3 "$T/bench.out")"
    want=$([ $np -eq 2 ] && echo "1 2" || echo "1 2 3")
    # the quoted case holds one comma: L, V, ranks are fields 4, 5, 6 of a plain split
    ks=$(awk -F, '$1 == "ranks" { printf "%s ", $6 }' "$T/bench.csv")
    bits=$(awk -F, '$1 == "ranks" { printf "%s", $NF }' "$T/bench.csv")
    [ "$ks" = "$want " ] && [ "$bits" = "$(echo $want | tr -d ' ' | sed 's/[0-9]/1/g')" ] \
        && [ "$(grep -c '^ranks-model,' "$T/bench.csv")" -eq 11 ] && grep -q '^ranks-model,"ising:L=11,J=0.5",11,2,1,,,,,,,,1.000,,$' "$T/bench.csv" \
        && ok "bench on $np processes: rows for k = $want, the same bits, 11 model rows" || fail "bench -np $np: $(cat "$T/bench.csv")"
done
run 2 bench --ranks 3 > "$T/u.out" 2>&1
[ $? -eq 2 ] && grep -q "process counts 1..2" "$T/u.out" && ok "bench --ranks above P: exit 2" || fail "bench --ranks 3: $(cat "$T/u.out")"

# --- usage ---
# -V / --version after a command too, on the same exit path as --help (MPI finalized: exit 0, no abort)
want=$(run 1 --version 2>&1)
case $want in "dlmkl-mpi "*"MPI "*) ;; *) fail "dlmkl-mpi --version: '$want'" ;; esac
for args in "profile -V" "profile --dist copy:L=3,V=2 --version" "sweep -V" "sweep --version" "-V"; do
    got=$(run 2 $args 2>&1); st=$?
    [ $st -eq 0 ] && [ "$got" = "$want" ] && ok "dlmkl-mpi $args: the version, exit 0" \
        || fail "dlmkl-mpi $args: exit $st, '$got' (want '$want')"
done
run 2 profile --help > "$T/u.out" 2>&1
[ $? -eq 0 ] && grep -q -- "-V, --version" "$T/u.out" && ok "dlmkl-mpi profile --help lists -V" || fail "$(cat "$T/u.out")"
run 2 frobnicate > "$T/u.out" 2>&1
[ $? -eq 2 ] && grep -q "unknown command" "$T/u.out" && ok "unknown command: exit 2" || fail "unknown command: $(cat "$T/u.out")"
run 2 profile > "$T/u.out" 2>&1
[ $? -eq 2 ] && grep -q "missing --dist" "$T/u.out" && ok "profile without --dist: exit 2" || fail "$(cat "$T/u.out")"
run 2 profile --dist "random:L=3,V=2,seed=1,alpha=-1" -o "$T/no.csv" > "$T/u.out" 2>&1
[ $? -eq 1 ] && [ ! -e "$T/no.csv" ] && ok "bad spec: exit 1, no output file" || fail "bad spec: $(cat "$T/u.out")"

[ $fails -eq 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
