#!/usr/bin/env bash
# Starts Credo (issuer and verifier) with dialtone's control API on 127.0.0.1:${1:-8700}.
set -euo pipefail
cd "$(dirname "$0")"
export LIB_ASKAR_PATH="$PWD/native"
# dialtone's persistent test authority, when given: its issuers' x5c chains and https servers use it.
if [ -n "${DIALTONE_TEST_CA_DIR:-}" ] && [ -f "$DIALTONE_TEST_CA_DIR/ca.pem" ]; then
  export NODE_EXTRA_CA_CERTS="$DIALTONE_TEST_CA_DIR/ca.pem"
fi
exec node adapter.mjs --port "${1:-8700}"
