#!/usr/bin/env bash
# Run every test of sanduq, installing first what the tests need.
#
#   bash scripts/test.sh
#
# Reads the shared test data from ../shared/data (or $SANDUQ_SHARED_DATA) and fails when
# it is missing. Prints each gate as it starts; stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
export SANDUQ_SHARED_DATA="${SANDUQ_SHARED_DATA:-$ROOT/../shared/data}"
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

if [ ! -d "$SANDUQ_SHARED_DATA/tabulation" ] || [ ! -d "$SANDUQ_SHARED_DATA/tlog" ]; then
    echo "error: the shared test data is missing at $SANDUQ_SHARED_DATA" >&2
    exit 2
fi

step "install: toolchain components, wasm target, libsodium, pysodium"
bash scripts/install-test-deps.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "build the crypto core for wasm32-unknown-unknown"
cargo build -p sanduq-crypto --target wasm32-unknown-unknown --no-default-features --locked

step "independent checker (Python + libsodium) over the committed test vectors"
python3 tools/checker/check_crypto.py
python3 tools/checker/check_ceremony.py

step "shared tabulation cases through 'sanduq count'"
# target/debug/sanduq was built by 'cargo test' above (the CLI's integration tests need it).
python3 "$SANDUQ_SHARED_DATA/tabulation/run.py" "$ROOT/target/debug/sanduq"
python3 "$SANDUQ_SHARED_DATA/tabulation/run.py" "$ROOT/target/debug/sanduq" "$ROOT/crates/count/tests/cases"

step "pages in real headless Chromium (installs chromium, fonts, playwright-core)"
bash scripts/browser-tests.sh
