#!/usr/bin/env bash
# Installs ACA-Py (acapy-agent, PyPI) for dialtone into candidates/acapy/.venv. ACA-Py 1.7 needs
# Python 3.13: taken from PATH (python3.13) or pyenv. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
VERSION=1.7.0
python=""
for p in "$HOME"/.pyenv/versions/3.13*/bin/python3.13 python3.13; do
  if "$p" --version >/dev/null 2>&1; then python=$p; break; fi
done
[ -n "$python" ] || { echo "acapy: Python 3.13 not found (PATH or pyenv)" >&2; exit 10; }
if [ ! -x .venv/bin/aca-py ] || ! .venv/bin/pip show acapy-agent 2>/dev/null | grep -q "^Version: $VERSION$"; then
  "$python" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "acapy-agent==$VERSION"
fi
echo "acapy: installed ($(.venv/bin/pip show acapy-agent | sed -n 's/^Version: //p'))"
