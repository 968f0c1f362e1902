#!/usr/bin/env bash
# Builds the browser artifacts:
#   dist/ketamine-planner.js    one classic script (wasm inlined, element, API)
#   dist/ketamine-planner.html  the calculator as one self-contained file
#   dist/library-review.html    the protocol library review page, self-contained too
# Steps: setup (installs only what is missing, see scripts/setup.sh), cargo
# build for wasm32, wasm-opt when present (prints what it saves), wasm-bindgen
# --target no-modules, then scripts/bundle.mjs (esbuild minifies the script).
# KP_SKIP_SETUP=1 skips the setup step (the caller already ran it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ "${KP_SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh --no-browser
fi

# KP_LIBRARY=path builds a clinic's library in as the one the page starts
# with. The page reads it at run time like any library, so it is checked here
# first, natively, by the same reader: a broken file fails the build, with
# every problem at its place in the file, instead of a page that plans nothing.
if [ -n "${KP_LIBRARY:-}" ]; then
  echo "build: checking KP_LIBRARY=$KP_LIBRARY"
  cargo test --quiet --lib built_in::tests::built_in_library_reads
fi

crate=ketamine_planner
target_dir=${CARGO_TARGET_DIR:-target}
out=target/wasm-bindgen
echo "build: cargo build --release --target wasm32-unknown-unknown --lib (scripts/cargo-wasm.sh: std rebuilt, panics abort bare)"
bash scripts/cargo-wasm.sh
wasm="$target_dir/wasm32-unknown-unknown/release/$crate.wasm"
mkdir -p "$out"

# wasm-opt runs on the module BEFORE wasm-bindgen: binaryen 108 (Debian 12)
# mis-numbers the tables of wasm-bindgen's output (the exported externref table
# ends up pointing at the funcref table, and instantiation fails with
# "WebAssembly.Table.set(): Argument 1 is invalid"). Before bindgen there is
# one table only, and the result is within 1% of optimising afterwards.
# Flags: what ships is packed (LZMA), and LLVM's opt-level "z" leaves little
# for binaryen: its -O levels (inlining off or not) make the packed module
# larger, by 0.1 to 1 KB. Three passes alone shrink it, measured one by one
# on the packed module: duplicate-function elimination (about 200 bytes:
# monomorphized copies that came out identical), then reorder-locals and
# optimize-instructions (about 230 bytes together); each other pass of -O
# alone saved under 100 bytes or packed larger (scripts/size.sh,
# WASM_OPT_FLAGS, measures others).
opt_flags="--duplicate-function-elimination --reorder-locals --optimize-instructions"
if command -v wasm-opt >/dev/null; then
  wasm-opt $opt_flags --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue "$wasm" -o "$out/${crate}.opt.wasm"
  opt="$out/${crate}.opt.wasm"
else
  echo "build: wasm-opt not found; shipping the unoptimised wasm (install binaryen to shrink it)"
  opt="$wasm"
fi
wasm-bindgen "$opt" --out-dir "$out" --out-name "$crate" --target no-modules --no-typescript \
  --remove-name-section --remove-producers-section
if [ "$opt" != "$wasm" ]; then
  # What wasm-opt saves, measured on the shipped module: bindgen without it.
  wasm-bindgen "$wasm" --out-dir "$out/plain" --out-name "$crate" --target no-modules --no-typescript \
    --remove-name-section --remove-producers-section
  packed() { xz --format=lzma --lzma1=preset=9e,lc=4,pb=0 --stdout "$1" | wc -c; }
  before=$(packed "$out/plain/${crate}_bg.wasm"); after=$(packed "$out/${crate}_bg.wasm")
  echo "build: wasm-opt $opt_flags: $before -> $after bytes packed (LZMA, as shipped; saves $((before - after)) bytes)"
  # What ships is packed: should wasm-opt's output ever compress worse, the
  # module as LLVM made it ships instead.
  if [ "$after" -ge "$before" ]; then
    echo "build: wasm-opt does not shrink the packed module: shipping it without wasm-opt"
    cp "$out/plain/${crate}_bg.wasm" "$out/plain/${crate}.js" "$out/"
  fi
fi

# KP_NO_MINIFY=1 keeps the script readable (for debugging); shipped builds minify.
minify=--minify; [ "${KP_NO_MINIFY:-0}" = 1 ] && minify=
node scripts/bundle.mjs --glue "$out/$crate.js" --wasm "$out/${crate}_bg.wasm" --out dist $minify
echo "build: ok -> dist/ketamine-planner.js, dist/ketamine-planner.html"
