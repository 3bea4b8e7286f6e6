#!/usr/bin/env bash
# The whole test suite, as CI runs it: format, lints (native and wasm), native tests, the wasm build,
# wasm-bindgen tests in headless Chromium, and end-to-end tests that click through the built app.
# Fails if any step fails or if any test step ran zero tests. Installs missing tools first (cached).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh

# One build cache with scripts/serve.sh (~/.cache/silico/target unless CARGO_TARGET_DIR is set):
# dependencies compile once per machine, and the release wasm serve built is reused here.
. scripts/build-cache.sh
# Incremental compilation only pays off when editing, not for one-off builds.
export CARGO_INCREMENTAL=0
# The e2e tests compare the page's output with the native tool's.
export SILICO_CLI="$CARGO_TARGET_DIR/debug/silico"

started=$SECONDS
log_dir="target/test-logs"
mkdir -p "$log_dir"

step() { printf '\n\033[1m== %s\033[0m (%ss)\n' "$1" "$((SECONDS - started))" >&2; }

# Sums "N passed" over every `test result:` line of a log; fails the suite when it is zero.
require_tests() { # name log
  local passed
  passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$2" | awk '{s += $4} END {print s + 0}')
  echo "$1: $passed tests passed" >&2
  if [ "$passed" -eq 0 ]; then
    echo "FAIL: $1 ran zero tests" >&2
    exit 1
  fi
}

step "format"
cargo fmt --check

step "lint (native)"
cargo clippy --all-targets -- -D warnings

step "lint (wasm)"
cargo clippy --target wasm32-unknown-unknown --lib --bins --test web -- -D warnings

step "native tests"
cargo test 2>&1 | tee "$log_dir/native.log"
require_tests "native tests" "$log_dir/native.log"

step "wasm build (trunk, release)"
bash scripts/llm-server.sh model >/dev/null # the local model, served from dist/models/ (Trunk.toml hook)
# Trunk's wasm-bindgen and wasm-opt steps write fixed paths in the shared build cache (outside
# cargo's lock): one trunk build at a time, or two checkouts could swap each other's wasm.
flock "$CARGO_TARGET_DIR/trunk.lock" trunk build --release

step "wasm tests in headless Chromium"
# tests/web: the engine in wasm, the real IndexedDB, the pinned design digests; its large_view
# module renders known data on WebGPU (SwiftShader's adapter), WebGL2 and Canvas2D and reads the
# pixels back (webdriver.json turns WebGPU on).
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --target wasm32-unknown-unknown --test web 2>&1 | tee "$log_dir/wasm.log"
require_tests "wasm tests" "$log_dir/wasm.log"

step "end-to-end tests in headless Chromium"
node tests/e2e/run.mjs dist 2>&1 | tee "$log_dir/e2e.log"
require_tests "end-to-end tests" "$log_dir/e2e.log"

step "all passed in $((SECONDS - started)) s"
