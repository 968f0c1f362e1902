#!/usr/bin/env bash
# Fuzzes the planner core with cargo-fuzz (libFuzzer): a panic kills the wasm
# instance, so every target must survive any input. The targets are in
# fuzz/fuzz_targets/, each with a comment saying what it proves.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      default 30
#
# Environment (all optional):
#   FUZZ_TARGETS="plan_json form"   run only these targets (default: all)
#   FUZZ_SANITIZER=address          default none: the core is safe Rust, so a
#                                   bug shows as a panic, which libFuzzer
#                                   catches without ASan at about twice the speed
#
# Installs cargo-fuzz (cargo install cargo-fuzz --locked) when it is missing.
# Needs no nightly: RUSTC_BOOTSTRAP=1 lets the stable rustc take the -Z
# sanitizer/coverage flags cargo-fuzz passes. Builds go to fuzz/target; the
# corpus grows in fuzz/corpus/TARGET (seeded below from the reference cases
# and the shipped library) and crashing inputs land in fuzz/artifacts/TARGET;
# all three are gitignored. Per-target logs: fuzz/target/fuzz-logs/TARGET.log.
#
# Prints one line per target (runs executed, runs/s) and exits non-zero if
# any target crashed (panic, timeout over 10 s, or over 2 GB of memory).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: SECONDS_PER_TARGET must be a positive whole number, got '$seconds'" >&2
  exit 2
fi
sanitizer=${FUZZ_SANITIZER:-none}
say() { echo "fuzz: $*"; }

export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
if ! command -v cargo >/dev/null; then
  echo "fuzz: cargo not found; install Rust (rustup) first" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "cargo-fuzz is missing: installing it (cargo install cargo-fuzz --locked, about a minute)"
  cargo install cargo-fuzz --locked </dev/null
fi

all_targets=$(cargo fuzz list)
targets=${FUZZ_TARGETS:-$all_targets}
for t in $targets; do
  if ! grep -qx "$t" <<<"$all_targets"; then
    echo "fuzz: unknown target '$t' (have: $(echo $all_targets))" >&2
    exit 2
  fi
done

# --- Seed corpora (regenerated each run; libFuzzer adds what it finds) -------
seed() { mkdir -p "fuzz/corpus/$1"; cat >"fuzz/corpus/$1/$2"; }

# plan_json: the reference requests, each also with a start date and a
# previous course end so the timeline, calendar and .ics code runs.
n=0
while IFS= read -r request; do
  n=$((n + 1))
  seed plan_json "reference-$n.json" <<<"$request"
  seed plan_json "reference-$n-dated.json" \
    <<<"$(sed 's/^{/{ "start": "2026-03-02T09:00", "previousCourseEnd": "2026-02-20",/' <<<"$request")"
done < <(sed -n 's/^ *"request": \(.*\),$/\1/p' data/reference-cases.json)
if [ "$n" = 0 ]; then
  echo "fuzz: found no requests in data/reference-cases.json to seed plan_json" >&2
  exit 1
fi
seed plan_json every-field.json <<'EOF'
{"protocol":"custom","patient":{"weightKg":92.5,"heightCm":170,"sex":"female","ageYears":71,"frail":true},"weightBasis":"adjusted","concentrationMgPerMl":2,"pumpResolutionMlPerHour":0.1,"preparationVolumeMl":250,"dose":{"doseUnit":"mcg/kg/min","startDose":2,"stepDose":1,"maxDose":5,"sessionMinutes":240,"sessions":5,"schedule":"weekdays","observationMinutes":120,"stepEveryMinutes":30},"acknowledged":["dose_above_soft_limit"],"cautions":["opioids-cns"],"start":"2026-03-06T08:30","previousCourseEnd":"2026-02-27"}
EOF
seed plan_json continuous.json <<'EOF'
{"protocol":"getson-inpatient","patient":{"weightLb":200},"concentrationMgPerMl":1,"dose":{"sessionMinutes":7200,"schedule":"continuous"},"start":"2200-12-28T23:59","previousCourseEnd":"2200-12-20"}
EOF
# course_record: the three-course record of the native tests.
seed course_record three-courses.json < tests/course-record.json
# Every key and value of a request, so mutations stay on meaningful JSON.
mkdir -p fuzz/target
cat >fuzz/target/plan_json.dict <<'EOF'
"\"protocol\""
"\"patient\""
"\"weightKg\""
"\"weightLb\""
"\"heightCm\""
"\"sex\""
"\"ageYears\""
"\"frail\""
"\"weightBasis\""
"\"concentrationMgPerMl\""
"\"pumpResolutionMlPerHour\""
"\"preparationVolumeMl\""
"\"dose\""
"\"doseUnit\""
"\"startDose\""
"\"stepDose\""
"\"maxDose\""
"\"sessionDoseMg\""
"\"sessionMinutes\""
"\"sessions\""
"\"schedule\""
"\"observationMinutes\""
"\"rateMlPerHour\""
"\"volumeMl\""
"\"volumeMinutes\""
"\"stepEveryMinutes\""
"\"acknowledged\""
"\"cautions\""
"\"start\""
"\"previousCourseEnd\""
"\"female\""
"\"male\""
"\"auto\""
"\"total\""
"\"ideal\""
"\"adjusted\""
"\"mg/kg/h\""
"\"mcg/kg/min\""
"\"mg/h\""
"\"single\""
"\"daily\""
"\"weekdays\""
"\"continuous\""
"null"
"true"
"false"
"1e308"
"-0"
"0.0000001"
"1900-01-01T00:00"
"2200-12-31T23:59"
EOF
# library_json: the shipped library.
seed library_json shipped-library.json <data/library.json

# --- Build once, then fuzz each target ---------------------------------------
say "building fuzz targets (sanitizer: $sanitizer) into fuzz/target"
cargo fuzz build -s "$sanitizer" </dev/null

logs=fuzz/target/fuzz-logs
mkdir -p "$logs"
failed=()
summary=()
for t in $targets; do
  say "running $t for ${seconds}s"
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  extra=()
  if [ "$t" = plan_json ]; then extra+=(-dict=fuzz/target/plan_json.dict); fi
  set +e
  cargo fuzz run -s "$sanitizer" "$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "${extra[@]}" </dev/null >"$logs/$t.log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$logs/$t.log" | tail -1)
  took=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$logs/$t.log" | tail -1)
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  if [ "$rc" = 0 ] && [ -n "$runs" ]; then
    line="ok      $t: $runs runs in ${took}s ($((runs / (took > 0 ? took : 1))) runs/s), corpus $corpus"
  else
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logs/$t.log" | tail -1)
    line="CRASH   $t: after ${runs:-?} runs (exit $rc): ${artifact:-see log} (log $logs/$t.log)"
    failed+=("$t")
    echo "----- $t: what failed -----"
    grep -A1 'panicked at' "$logs/$t.log" || true
    grep -E '^(SUMMARY|==[0-9]+== ERROR)' "$logs/$t.log" || true
    sed -n '/^Failing input:/,/^Reproduce with:/p' "$logs/$t.log" | grep -v '^Reproduce with:' | cut -c1-2000
    echo "--------------------------"
  fi
  summary+=("$line")
  say "$line"
done

echo
echo "fuzz summary (${seconds}s per target, sanitizer $sanitizer):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) crashed: ${failed[*]}" >&2
  echo "fuzz: reproduce with: RUSTC_BOOTSTRAP=1 cargo fuzz run -s $sanitizer TARGET fuzz/artifacts/TARGET/FILE" >&2
  exit 1
fi
echo "fuzz: no crash in $(wc -w <<<"$targets") target(s)"
