#!/usr/bin/env bash
# Installs Credo for dialtone, from the package registries only (npm, PyPI). Idempotent.
#
# A plain `npm install` fails here: askar-nodejs's install script downloads the native askar library
# from GitHub. So: install without scripts, build the FFI addons from source, and take
# libaries_askar.so from the PyPI wheel of the same askar line (aries-askar 0.4.6).
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "credo: node is not installed" >&2; exit 10; }
if [ ! -d node_modules/@credo-ts/openid4vc ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
if [ ! -f node_modules/@2060.io/ffi-napi/build/Release/ffi_bindings.node ]; then
  npm rebuild @2060.io/ffi-napi @2060.io/ref-napi --loglevel=error
fi
if [ ! -f native/libaries_askar.so ]; then
  mkdir -p native/wheel
  python3 -m pip download --quiet aries-askar==0.4.6 --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 -d native/wheel
  python3 - <<'PY'
import glob, zipfile
wheel = glob.glob("native/wheel/aries_askar-0.4.6-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    open("native/libaries_askar.so", "wb").write(z.read("aries_askar/libaries_askar.so"))
PY
  rm -rf native/wheel
fi
echo "credo: installed ($(node -p 'require("./node_modules/@credo-ts/core/package.json").version'))"
