#!/usr/bin/env bash
# Benchmark: installs what is missing (scripts/setup.sh), builds dist/, then
# prints size, first-plan time, input-to-render latency and the concentration
# preview (5-day infusion and 10-session course at 1 min) with their goals.
#   KP_SKIP_BUILD=1 measures the existing dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${KP_SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/setup.sh
  KP_SKIP_SETUP=1 bash scripts/build.sh
fi
exec node scripts/bench.mjs "$@"
