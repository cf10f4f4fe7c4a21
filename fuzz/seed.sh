#!/usr/bin/env bash
# Seeds the fuzz corpora from the rule library, the scenarios and the diagnostics cases, and
# adds the reproducers of problems found before. Run from the repository's root.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/parse_and_check fuzz/corpus/fmt_round_trip fuzz/corpus/scenario_and_eval
for f in rules/*.casus tests/diagnostics/*.casus fuzz/reproducers/*.casus; do
  cp "$f" fuzz/corpus/parse_and_check/
  cp "$f" fuzz/corpus/fmt_round_trip/
done
library=$(mktemp)
cat rules/*.casus > "$library"
for s in scenarios/*.ron tests/diagnostics/scenarios/*.ron; do
  { cat "$library"; printf '\n%%%%\n'; cat "$s"; } > "fuzz/corpus/scenario_and_eval/$(basename "$s" .ron).txt"
done
rm -f "$library"
cp fuzz/reproducers/*.txt fuzz/corpus/scenario_and_eval/
