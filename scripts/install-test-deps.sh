#!/usr/bin/env bash
# Install what the test suite needs on a fresh machine; a no-op where it is already there.
set -euo pipefail

if ! rustup component list --installed | grep -q '^rustfmt'; then rustup component add rustfmt; fi
if ! rustup component list --installed | grep -q '^clippy'; then rustup component add clippy; fi
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    rustup target add wasm32-unknown-unknown
fi

apt_needed=()
dpkg -s libsodium23 >/dev/null 2>&1 || apt_needed+=(libsodium23)
if [ "${#apt_needed[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_needed[@]}"
fi

if ! python3 -c 'import pysodium' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check pysodium
fi
