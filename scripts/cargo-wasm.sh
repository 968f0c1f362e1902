#!/usr/bin/env bash
# The one wasm build of the core, for build.sh and size.sh (extra arguments go
# to cargo). std is rebuilt (-Z build-std) so that a panic is a bare abort
# with no message formatting (-C panic=immediate-abort): the wasm is about
# 7 KB gzipped smaller, and a panic on wasm kills the instance either way,
# which the tests and fuzzing keep from happening; std's optimize_for_size
# feature picks its smaller code paths (600 bytes more); no panic locations
# and no Debug formatting (-Z location-detail=none, -Z fmt-debug=none: 3.5 KB
# more), since only panics and tests use them: the core writes every text it
# shows with Display and its own formatters (a browser test would show a
# blank message). RUSTFLAGS reach the wasm only, not build.rs, which runs on
# the host and writes the built-in data with {:?}. The -Z flags are
# unstable: RUSTC_BOOTSTRAP=1 lets the stable toolchain (1.95 here) take them (as
# scripts/fuzz.sh does for cargo-fuzz), and rust-src (setup.sh) is std's source.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  exec cargo build --release --target wasm32-unknown-unknown --lib -Z build-std=std,panic_abort \
  -Z build-std-features=optimize_for_size "$@"
