#!/usr/bin/env bash
# The build cache scripts/serve.sh and scripts/test.sh share: compiled dependencies and silico's
# own builds (native, and the release wasm trunk makes) in ~/.cache/silico/target, beside the tools,
# so a fresh clone compiles only silico itself and the first test run reuses the wasm serve built.
# Trunk asks cargo where the target directory is, so it follows CARGO_TARGET_DIR too.
# CARGO_TARGET_DIR set by the caller wins (and is left alone). Source it after scripts/tools.sh.
# Cargo locks the cache while it builds; trunk's wasm-bindgen and wasm-opt steps write fixed paths
# in it (target/wasm-bindgen, target/wasm-opt) without a lock, so test.sh runs trunk under
# flock on $CARGO_TARGET_DIR/trunk.lock; do not run two `trunk serve` from different checkouts.

if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR="$SILICO_TOOLS/../target"
  mkdir -p "$CARGO_TARGET_DIR"
  # silico's own library, bins, tests and benches are rebuilt for every clone (new file times),
  # mostly under the same names; copies nothing has rebuilt for two days are ones no checkout uses
  # any more (other features, another rustc), so they go. Anything fresher stays: serve's wasm for
  # the test run that follows, or another checkout's build sharing the cache.
  for name in silico $(cd src/bin && ls *.rs) $(cd tests && ls *.rs) $(cd benches && ls *.rs); do
    crate=${name%.rs}; crate=${crate//-/_}
    find "$CARGO_TARGET_DIR" -path '*/deps/*' \( -name "$crate-*" -o -name "lib$crate-*" \) -mtime +2 \
      -delete 2>/dev/null || true
  done
  if [ "$(du -s --block-size=1G "$CARGO_TARGET_DIR" | cut -f1)" -gt 40 ]; then
    echo "the build cache $CARGO_TARGET_DIR is over 40 GB: starting it afresh" >&2
    rm -rf "$CARGO_TARGET_DIR" && mkdir -p "$CARGO_TARGET_DIR"
  fi
fi
