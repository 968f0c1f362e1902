#!/usr/bin/env bash
# Size breakdown of the shipped wasm (issue 3: the single HTML file must stay
# at most 150,000 bytes gzipped, the budget of DEVELOPERS.md and issue 14). Builds the release wasm, optionally runs wasm-opt
# BEFORE wasm-bindgen (binaryen 108 breaks bindgen output), runs wasm-bindgen
# with names and producers stripped, then prints:
#   raw bytes, gzip -9 bytes, and gzip(base64(lzma)) bytes (what the page costs),
#   the single HTML file's gzip -9 size (scripts/bundle.mjs into a scratch
#   directory, so dist/ is left alone) against the 150,000-byte budget,
#   and the biggest items / crates by twiggy when twiggy is installed.
# Usage: scripts/size.sh [--no-opt] [--top N]
# Env: CARGO_TARGET_DIR (default target), WASM_OPT_FLAGS (default: the passes
# build.sh runs; binaryen's -O levels make the packed module larger, see build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
opt=1; top=25
while [ $# -gt 0 ]; do
  case "$1" in
    --no-opt) opt=0 ;;
    --top) top=$2; shift ;;
    *) echo "usage: $0 [--no-opt] [--top N]" >&2; exit 2 ;;
  esac
  shift
done
crate=ketamine_planner
target_dir=${CARGO_TARGET_DIR:-target}
out="$target_dir/size"
mkdir -p "$out"
bash scripts/cargo-wasm.sh --quiet
wasm="$target_dir/wasm32-unknown-unknown/release/$crate.wasm"
input=$wasm
if [ "$opt" = 1 ] && command -v wasm-opt >/dev/null; then
  # shellcheck disable=SC2086
  wasm-opt ${WASM_OPT_FLAGS:---duplicate-function-elimination --reorder-locals --optimize-instructions} --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-multivalue "$wasm" -o "$out/$crate.opt.wasm"
  input="$out/$crate.opt.wasm"
fi
wasm-bindgen "$input" --out-dir "$out" --out-name "$crate" --target no-modules --no-typescript \
  --remove-name-section --remove-producers-section
bg="$out/${crate}_bg.wasm"
raw=$(stat -c %s "$bg")
gz=$(gzip -9c "$bg" | wc -c)
page=$(xz --format=lzma --lzma1=preset=9e,lc=4,pb=0 --stdout "$bg" | base64 -w0 | gzip -9c | wc -c)
glue=$(gzip -9c "$out/$crate.js" | wc -c)
echo "cargo wasm:       $(stat -c %s "$wasm") bytes (before wasm-opt and bindgen)"
echo "shipped wasm:     $raw bytes raw, $gz gzip -9, $page as gzip(base64(lzma)) in the page"
echo "bindgen glue:     $(stat -c %s "$out/$crate.js") bytes raw, $glue gzip -9"
if command -v node >/dev/null && [ -d node_modules/esbuild ]; then
  node scripts/bundle.mjs --glue "$out/$crate.js" --wasm "$bg" --out "$out/dist" --minify >/dev/null
  html=$(gzip -9c "$out/dist/ketamine-planner.html" | wc -c)
  if [ "$html" -le 150000 ]; then verdict="within it by $((150000 - html)) bytes"; else verdict="over it by $((html - 150000)) bytes"; fi
  echo "single HTML file: $html gzip -9 (budget 150000 bytes: $verdict)"
fi
if command -v twiggy >/dev/null; then
  # Names are needed for the breakdown: a bindgen run of cargo's output
  # (wasm-opt drops names) that keeps them. Sizes are before wasm-opt.
  wasm-bindgen "$wasm" --out-dir "$out/named" --out-name "$crate" --target no-modules --no-typescript
  named="$out/named/${crate}_bg.wasm"
  echo; echo "largest items (twiggy top, shallow bytes):"
  twiggy top -n "$top" "$named" | cut -c1-150
  echo; echo "shallow bytes by crate (first path segment of each item name):"
  twiggy top -n 1000000 --format csv "$named" | node -e '
    const sums = {};
    const lines = require("fs").readFileSync(0, "utf8").trim().split("\n").slice(1);
    for (const line of lines) {
      const m = line.match(/^(.*),(\d+),[\d.]+,[\d.]*,[\d.]*$/);
      if (!m) continue;
      const name = m[1].replace(/^"|"$/g, "").replace(/""/g, "\"");
      let c;
      if (/^data segment/.test(name)) c = name;
      else if (/subsection|section|^(type|import|export|table|memory|global|elem|code)\[/.test(name)) c = "(wasm sections and names)";
      else {
        const seg = name.replace(/^[<&*\s]+|^(mut |dyn |const )+/g, "").split("::")[0].replace(/\[[0-9a-f]+\]$/, "");
        c = /^[a-z_][a-z0-9_]*$/.test(seg) ? seg : "(other: " + seg.slice(0, 20) + ")";
      }
      sums[c] = (sums[c] || 0) + Number(m[2]);
    }
    Object.entries(sums).sort((a, b) => b[1] - a[1]).slice(0, 25)
      .forEach(([c, n]) => console.log(String(n).padStart(9) + "  " + c));'
fi
