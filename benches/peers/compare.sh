#!/usr/bin/env bash
# compare.sh N M [SEED] — the dense cascade in casus, SWI-Prolog (tabled) and clingo, timed side
# by side as whole processes; prints one JSON line with the obligations each derived (they must
# agree), the median wall seconds and the peak memory of each.
#
#   N states, M bilateral defence pacts drawn by preferential attachment, one attack (state 0 on
#   state 1), written by `casus synth --dense` in all three languages. RUNS=k (default 5) runs
#   each engine k times, alternating engines, and reports medians. CASUS names the binary
#   (default: target/release/casus). Files go to ${PEER_DIR:-${TMPDIR:-/tmp}/casus-peers}/N_M_SEED.
#
# The commands, start-up, reading and output included:
#   swipl -q -g 'aggregate_all(count, oblig(_,_,_), C), write(C), nl' -t halt world.pl
#   python3 -c 'import clingo; ... ground ...; count the oblig/3 atoms'
#   casus eval scenario.ron --format json
# casus writes its JSON report to a file (every norm with its article, episodes, due date and
# status: about 450 bytes an obligation), which an awk counter reads afterwards, untimed, for the
# distinct (party, ally, against) of `must assist_militarily`. (Through a pipe, casus would wait
# on the counter: mawk reads such a report at about 115 MB/s.) /usr/bin/time times each engine
# alone; the peers print only their count.
# Needs swipl (Debian swi-prolog-nox), the clingo module (PyPI clingo), mawk and /usr/bin/time.
set -euo pipefail
N=${1:?N states}; M=${2:?M pacts}; SEED=${3:-1}; RUNS=${RUNS:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
CASUS=${CASUS:-$HERE/../../target/release/casus}
PY=${PYTHON:-python3}
DIR=${PEER_DIR:-${TMPDIR:-/tmp}/casus-peers}/${N}_${M}_${SEED}
rm -rf "$DIR"; mkdir -p "$DIR"
LOAD=$(cut -d' ' -f1 /proc/loadavg)
"$CASUS" synth --dense --states "$N" --treaties "$M" --seed "$SEED" --out "$DIR" 2>/dev/null

swipl_run() {
  /usr/bin/time -f '%e %M' -o "$DIR/swipl.time" \
    swipl -q -g 'aggregate_all(count, oblig(_,_,_), C), write(C), nl' -t halt "$DIR/peers/world.pl" \
    >"$DIR/swipl.out" 2>"$DIR/swipl.err" || true
  tr -dc 0-9 <"$DIR/swipl.out" >"$DIR/swipl.count"
}

clingo_run() {
  /usr/bin/time -f '%e %M' -o "$DIR/clingo.time" "$PY" -c "
import clingo
c = clingo.Control(['--warn=none'])
c.load('$DIR/peers/world.lp'); c.ground([('base', [])])
print(sum(1 for a in c.symbolic_atoms.by_signature('oblig', 3)))
" >"$DIR/clingo.out" 2>"$DIR/clingo.err" || true
  tr -dc 0-9 <"$DIR/clingo.out" >"$DIR/clingo.count"
}

casus_run() {
  /usr/bin/time -f '%e %M' -o "$DIR/casus.time" \
    "$CASUS" eval "$DIR/scenario.ron" --format json >"$DIR/report.json" 2>"$DIR/casus.err" || true
  if grep -q '^[0-9.]* [0-9]*$' "$DIR/casus.time"; then
    mawk '
      /^  "norms": \[/ { in_norms = 1; next }
      in_norms && /^  \]/ { in_norms = 0 }
      !in_norms { next }
      /^    \{/ { p = m = a = al = ag = "" }
      /^      "party": / { p = $2 }
      /^      "modality": / { m = $2 }
      /^      "action": / { a = $2 }
      /^        "ally": / { al = $2 }
      /^        "against": / { ag = $2 }
      /^    \}/ { if (m == "\"must\"," && a == "\"assist_militarily\",") print p, al, ag }' "$DIR/report.json" \
    | LC_ALL=C sort -u -S 1G -T "$DIR" | wc -l | tr -dc 0-9 >"$DIR/casus.count"
  else
    echo -n null >"$DIR/casus.count"
  fi
  stat -c %s "$DIR/report.json" >"$DIR/report.size"
  rm -f "$DIR/report.json"
}

for _ in $(seq "$RUNS"); do
  for e in swipl clingo casus; do
    "${e}_run"
    cat "$DIR/$e.time" >>"$DIR/$e.times"
  done
done

# The median of a column of the runs' times.
median() { cut -d' ' -f"$2" "$DIR/$1.times" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
count() { local c; c=$(cat "$DIR/$1.count"); echo "${c:-null}"; }
SWI_N=$(count swipl); CL_N=$(count clingo); C_N=$(count casus)
AGREE=false
[ "$SWI_N" != null ] && [ "$SWI_N" = "$CL_N" ] && [ "$CL_N" = "$C_N" ] && AGREE=true
printf '{"states": %s, "pacts": %s, "seed": %s, "runs": %s, "load_1min": %s, "swipl_oblig": %s, "clingo_oblig": %s, "casus_oblig": %s, "agree": %s, "swipl_s": %s, "clingo_s": %s, "casus_json_s": %s, "swipl_peak_kb": %s, "clingo_peak_kb": %s, "casus_peak_kb": %s, "casus_report_bytes": %s}\n' \
  "$N" "$M" "$SEED" "$RUNS" "$LOAD" "$SWI_N" "$CL_N" "$C_N" "$AGREE" \
  "$(median swipl 1)" "$(median clingo 1)" "$(median casus 1)" "$(median swipl 2)" "$(median clingo 2)" "$(median casus 2)" "$(cat "$DIR/report.size")"
