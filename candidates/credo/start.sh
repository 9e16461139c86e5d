#!/usr/bin/env bash
# Starts Credo (issuer and verifier) with dialtone's control API on 127.0.0.1:${1:-8700}.
set -euo pipefail
cd "$(dirname "$0")"
export LIB_ASKAR_PATH="$PWD/native"
exec node adapter.mjs --port "${1:-8700}"
