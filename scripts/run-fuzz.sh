#!/usr/bin/env bash
# Runs the libFuzzer targets built in $FUZZ_DIR (`make fuzz`, README.md "Tests")
# one after another: each from its committed seeds (test/fuzz/corpus/<target>)
# and regressions, for FUZZ_SECONDS seconds or FUZZ_RUNS executions (-1: no
# limit), whichever ends first. New corpus entries go to $FUZZ_DIR/corpus/<target>
# (scratch, never into git), crashes/leaks/timeouts to $FUZZ_DIR/artifacts/<target>/.
# Prints one summary line per target (executions, seconds, corpus size) and
# exits non-zero when any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_RUNS=${FUZZ_RUNS:--1}

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for f in test/fuzz/*_fuzz.cpp; do
    name=$(basename "$f" _fuzz.cpp)
    targets+=("$name")
  done
fi

failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$FUZZ_DIR/${t}_fuzz"
  [ -x "$bin" ] || { echo "run-fuzz: $bin not built" >&2; exit 2; }
  scratch="$FUZZ_DIR/corpus/$t"
  artifacts="$FUZZ_DIR/artifacts/$t"
  log="$FUZZ_DIR/logs/$t.log"
  mkdir -p "$scratch" "$artifacts" "$(dirname "$log")"
  dirs=("$scratch" "test/fuzz/corpus/$t")
  [ -d "test/fuzz/regressions/$t" ] && dirs+=("test/fuzz/regressions/$t")
  echo "run-fuzz: $t (${FUZZ_SECONDS}s, runs ${FUZZ_RUNS})"
  start=$(date +%s)
  # -timeout: an input slower than 10 s is a finding; -rss_limit_mb: so is a
  # parser that needs 2 GB; -detect_leaks: so is a leak (LeakSanitizer).
  status=0
  "$bin" -max_total_time="$FUZZ_SECONDS" -runs="$FUZZ_RUNS" -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dirs[@]}" \
    >"$log" 2>&1 || status=$?
  seconds=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(find "${dirs[@]}" -type f | wc -l)
  line="$t executions=${execs:-?} seconds=$seconds corpus=$corpus status=$status"
  summary+=("$line")
  echo "run-fuzz: $line"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*fuzz invariant failed|.*runtime error)' "$log" | head -5 >&2 || true
    echo "run-fuzz: $t failed; see $log and $artifacts/" >&2
  fi
done

printf '%s\n' "${summary[@]}" >"$FUZZ_DIR/summary.txt"
if [ "${#failed[@]}" -ne 0 ]; then
  echo "run-fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
