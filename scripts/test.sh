#!/usr/bin/env bash
# Runs every test of the project, in the order a failure is cheapest to read:
#   1. setup: installs what is missing and says what (scripts/setup.sh, plus
#      Python's icalendar for the independent .ics check)
#   2. native core: cargo test (unit, hand-computed reference cases, property
#      tests, timeline, pharmacokinetics)
#   3. the shipped artifact: build dist/, then drive it in headless Chromium
#   4. fuzzing: every fuzz target for KP_FUZZ_SECONDS (default 20) seconds
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
if ! python3 -c "import icalendar" 2>/dev/null; then
  echo "test: installing Python package icalendar (pip) for the independent .ics check"
  python3 -m pip install --quiet --disable-pip-version-check icalendar
fi

echo "test: formatting (cargo fmt --check)"
cargo fmt --check
(cd fuzz && cargo fmt --check)

echo "test: native core (cargo test)"
cargo test --all-targets

echo "test: browser build and headless Chromium"
KP_SKIP_SETUP=1 bash scripts/build.sh
KP_SKIP_BUILD=1 bash scripts/test-browser.sh

echo "test: fuzzing (${KP_FUZZ_SECONDS:-20} s per target)"
bash scripts/fuzz.sh "${KP_FUZZ_SECONDS:-20}"
echo "test: all passed"
