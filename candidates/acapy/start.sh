#!/usr/bin/env bash
# Starts ACA-Py (no ledger, loopback admin API on 8031) and dialtone's VC-API adapter on
# 127.0.0.1:${1:-8710}. Stops ACA-Py when the adapter stops.
set -euo pipefail
cd "$(dirname "$0")"
port=${1:-8710}
# A fresh wallet per start, inside this folder.
rm -rf out/home && mkdir -p out/home
export ACAPY_HOME="$PWD/out/home"
.venv/bin/aca-py start --admin 127.0.0.1 8031 --admin-insecure-mode --no-ledger \
  --wallet-type askar --wallet-name dialtone-acapy --wallet-key dialtone-acapy \
  --auto-provision --recreate-wallet --wallet-allow-insecure-seed \
  -it http 127.0.0.1 8030 -ot http --endpoint http://127.0.0.1:8030 --label dialtone-acapy \
  > out/acapy.log 2>&1 &
acapy=$!
trap 'kill $acapy 2>/dev/null' EXIT
exec_status=0
.venv/bin/python adapter.py --port "$port" --admin http://127.0.0.1:8031 || exec_status=$?
exit $exec_status
