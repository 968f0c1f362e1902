#!/usr/bin/env bash
# Installs what the browser build, the run command, the browser tests and the
# benchmark need, and only what is missing. Says what it installs.
#
#   - Rust target wasm32-unknown-unknown      (rustup target add)
#   - Rust component rust-src                 (rustup component add; std rebuilt for the wasm)
#   - wasm-bindgen-cli, the exact version pinned in Cargo.toml (cargo install --locked)
#   - chromium (Debian package, /usr/bin/chromium) for tests, bench, screenshots
#   - binaryen (Debian package, wasm-opt): optional, shrinks the wasm; skipped
#     quietly when apt cannot install it
#   - xz-utils (Debian package, xz): packs the inlined wasm (scripts/bundle.mjs)
#   - node_modules (npm ci: esbuild, which minifies the bundle, and
#     playwright-core, which drives /usr/bin/chromium: no browser download)
#
# Flags: --no-browser   skip chromium (build only)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=1
for a in "$@"; do
  case "$a" in
    --no-browser) want_browser=0 ;;
    *) echo "setup: unknown flag $a" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# --- Rust wasm target -------------------------------------------------------
if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found; install Rust (rustup) first" >&2
  exit 1
fi
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "installing Rust target wasm32-unknown-unknown (rustup target add)"
  rustup target add wasm32-unknown-unknown
fi
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  say "installing Rust component rust-src (rustup component add): the wasm build rebuilds std (scripts/cargo-wasm.sh)"
  rustup component add rust-src
fi

# --- wasm-bindgen-cli, same version as the crate's pin -----------------------
pin=$(sed -n 's/^wasm-bindgen *= *"=\([0-9.]*\)".*/\1/p' Cargo.toml | head -1)
if [ -z "$pin" ]; then
  echo "setup: no exact wasm-bindgen pin (wasm-bindgen = \"=X.Y.Z\") found in Cargo.toml" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$pin" ]; then
  say "installing wasm-bindgen-cli $pin (found: ${have:-none}); takes about two minutes"
  # --locked first (reproducible). Its lock file can name a dependency version
  # the registry no longer serves (seen here: webpki-roots 1.0.11), so fall back
  # to a fresh resolution of the same pinned wasm-bindgen-cli version.
  if ! cargo install wasm-bindgen-cli --version "=$pin" --locked; then
    say "--locked install failed; retrying wasm-bindgen-cli $pin without --locked"
    cargo install wasm-bindgen-cli --version "=$pin"
  fi
fi

# --- Debian packages: chromium (needed for tests), binaryen (optional) --------
apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null; then return 1; fi
  if [ "$(id -u)" != 0 ]; then return 1; fi
  if [ $apt_updated = 0 ]; then
    say "apt-get update"
    apt-get update -qq || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if ! command -v xz >/dev/null; then
  say "installing xz-utils with apt: scripts/bundle.mjs packs the wasm with xz"
  if ! apt_install xz-utils; then
    echo "setup: xz is missing and apt-get could not install xz-utils" >&2
    exit 1
  fi
fi
if ! command -v wasm-opt >/dev/null; then
  say "installing binaryen (wasm-opt, optional size optimisation) with apt"
  apt_install binaryen || say "binaryen not installed; the build works without wasm-opt (larger wasm)"
fi

if [ $want_browser = 1 ] && [ ! -x /usr/bin/chromium ]; then
  say "installing chromium (Debian package) with apt for the browser tests and benchmark"
  if ! apt_install chromium; then
    echo "setup: /usr/bin/chromium is missing and apt-get could not install it" >&2
    exit 1
  fi
fi

if [ $want_browser = 1 ] && ! command -v pdftotext >/dev/null; then
  say "installing poppler-utils (pdftotext) with apt: the print tests read the header of every PDF page"
  if ! apt_install poppler-utils; then
    echo "setup: pdftotext is missing and apt-get could not install poppler-utils" >&2
    exit 1
  fi
fi

# --- node_modules ---------------------------------------------------------------
if ! command -v node >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then
  echo "setup: node >= 20 not found" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ ! -d node_modules/esbuild ] || [ ! -d node_modules/playwright-core ] \
   || [ ! -d node_modules/axe-core ] || [ ! -d node_modules/typescript ]; then
  say "installing node_modules (npm ci: esbuild, playwright-core, axe-core, typescript; no browser download)"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ok (wasm-bindgen $pin$(command -v wasm-opt >/dev/null && echo ", wasm-opt present"))"
