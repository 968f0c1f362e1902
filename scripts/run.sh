#!/usr/bin/env bash
# Run the calculator: installs what is missing (scripts/setup.sh: Rust wasm
# target, wasm-bindgen-cli, chromium, binaryen, node_modules), builds dist/,
# then serves www/ and dist/ on 127.0.0.1 and prints where to open it.
#   PORT=8417 (default); KP_SKIP_BUILD=1 serves the existing dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${KP_SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/setup.sh
  KP_SKIP_SETUP=1 bash scripts/build.sh
fi
echo
echo "Offline single file (no server needed):  file://$PWD/dist/ketamine-planner.html"
echo "Protocol library review (offline too):    file://$PWD/dist/library-review.html"
exec node scripts/serve.mjs --port "${PORT:-8417}"
