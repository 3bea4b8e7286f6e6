#!/usr/bin/env bash
# Installs what the build and the tests need, once, into a cache that outlives clones:
# the wasm target, trunk, wasm-bindgen-cli (the version Cargo.lock pins), wasm-opt (binaryen 132 from npm),
# playwright-core, and Debian's chromium + chromedriver. Safe to run again: every step checks first.
# Source it (`. scripts/tools.sh`) to get the tools on PATH; run it to only install.
set -euo pipefail

SILICO_TOOLS="${SILICO_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/silico/tools}"
export SILICO_TOOLS
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
PLAYWRIGHT_VERSION=1.65.1
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '\033[1m[tools]\033[0m %s\n' "$*" >&2; }

wasm_bindgen_version() {
  # The CLI must equal the crate version in Cargo.lock, or the generated glue does not match.
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo_root/Cargo.lock"
}

install_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

install_cargo_tool() { # name version binary [extra args]
  local name=$1 version=$2 bin=$3; shift 3
  local root="$SILICO_TOOLS/$name-$version"
  if [ ! -x "$root/bin/$bin" ]; then
    say "building $name $version (once; cached in $root)"
    cargo install --root "$root" "$name" --version "$version" "$@"
  fi
  export PATH="$root/bin:$PATH"
}

install_npm_tools() {
  local dir="$SILICO_TOOLS/npm"
  if [ ! -x "$dir/node_modules/.bin/wasm-opt" ] || [ ! -d "$dir/node_modules/playwright-core" ]; then
    say "installing binaryen $BINARYEN_VERSION and playwright-core $PLAYWRIGHT_VERSION from npm"
    mkdir -p "$dir"
    (cd "$dir" && [ -f package.json ] || echo '{"name":"silico-tools","private":true}' > "$dir/package.json"
     cd "$dir" && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION" "playwright-core@$PLAYWRIGHT_VERSION")
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
  export NODE_PATH="$dir/node_modules${NODE_PATH:+:$NODE_PATH}"
}

install_chromium() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian chromium and chromium-driver"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

install_all() {
  install_wasm_target
  install_chromium
  install_npm_tools
  install_cargo_tool wasm-bindgen-cli "$(wasm_bindgen_version)" wasm-bindgen
  if [ "${SILICO_SKIP_TRUNK:-0}" != 1 ]; then
    install_cargo_tool trunk "$TRUNK_VERSION" trunk --locked
  fi
  export TRUNK_SKIP_VERSION_CHECK=true
}

install_all
