#!/usr/bin/env bash
# Browser tests in a real headless Chromium (/usr/bin/chromium via playwright-core):
# installs what is missing (scripts/setup.sh), builds dist/, then runs
# tests/browser/*.test.mjs with node:test. Exits non-zero on any failure.
#   KP_SKIP_BUILD=1 tests the existing dist/ (no setup, no build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${KP_SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/setup.sh
  KP_SKIP_SETUP=1 bash scripts/build.sh
fi
# One file at a time: each starts its own Chromium, and the machine has 2 cores.
# A test that hangs fails after 2 minutes instead of stalling the run.
exec node --test --test-concurrency=1 --test-timeout=120000 --test-force-exit --test-reporter=spec tests/browser/*.test.mjs
