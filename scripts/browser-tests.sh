#!/usr/bin/env bash
# Browser tests of the results portal in real headless Chromium.
#
#   bash scripts/browser-tests.sh
#
# Installs what it needs (Debian chromium and Noto fonts through apt, playwright-core through
# `npm ci` in crates/web/e2e), builds `sanduq`, writes a demo election, starts a bulletin board
# for it (`sanduq serve --validator test` with a log key and one witness node), serves the
# record with the board on free loopback ports, runs crates/web/e2e/portal.test.mjs against
# it, stops the servers.
# Screenshots go to crates/web/test-output/. The last line is "N passed, M failed"; the exit
# status is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
export CARGO_TERM_COLOR=never

# The wasm-bindgen command line must match the wasm-bindgen crate (Cargo.toml pins it).
WASM_BINDGEN_VERSION=0.2.130

step() { printf '\n==> %s\n' "$*" >&2; }
# Any failure before the tests run still ends with the summary line.
fail_setup() { echo "setup failed: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -q 'Noto Naskh Arabic'; then
    step "apt: chromium, fonts-noto-core, fonts-noto-color-emoji"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq || fail_setup "apt-get update"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core fonts-noto-color-emoji >/dev/null \
        || fail_setup "apt-get install"
fi

step "npm ci (crates/web/e2e)"
(cd crates/web/e2e && npm ci --no-audit --no-fund --silent) || fail_setup "npm ci"

step "cargo build of sanduq (the test build's binary: same features, no rebuild after 'cargo test')"
cargo test --workspace --locked --no-run --quiet || fail_setup "cargo test --no-run"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SANDUQ="$TARGET_DIR/debug/sanduq"

step "voting booth: sanduq-booth-wasm for wasm32-unknown-unknown, wasm-bindgen $WASM_BINDGEN_VERSION"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --quiet || fail_setup "wasm-bindgen-cli"
fi
cargo build -p sanduq-booth-wasm --target wasm32-unknown-unknown --release --quiet \
    || fail_setup "cargo build -p sanduq-booth-wasm"

WORK="$(mktemp -d)"
SERVER_PID=""
WITNESS_PID=""
BOARD_PID=""
cleanup() {
    for pid in "$SERVER_PID" "$BOARD_PID" "$WITNESS_PID"; do
        if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    done
    rm -rf "$WORK"
}
# wait_for LOG PID: the first http://127.0.0.1:PORT or "listening on 127.0.0.1:PORT" in LOG.
wait_for() {
    local found=""
    for _ in $(seq 1 240); do
        found="$(grep -o '127\.0\.0\.1:[0-9]*' "$1" | head -n1 || true)"
        if [ -n "$found" ]; then break; fi
        if ! kill -0 "$2" 2>/dev/null; then break; fi
        sleep 0.5
    done
    echo "$found"
}
trap cleanup EXIT

step "demo election (1000 voters)"
"$SANDUQ" demo --voters 1000 --seed 7 --out "$WORK/demo" >"$WORK/demo.log" 2>&1 || {
    cat "$WORK/demo.log" >&2
    echo "0 passed, 1 failed"
    exit 1
}

wasm-bindgen --target web --no-typescript --out-dir "$WORK/booth" \
    "$TARGET_DIR/wasm32-unknown-unknown/release/sanduq_booth_wasm.wasm" || fail_setup "wasm-bindgen"

step "bulletin board: log key, one witness node, sanduq serve --validator test"
FINGERPRINT="$(grep -o '"fingerprint": *"[0-9a-f]*"' "$WORK/demo/record/election/parameters.json" | grep -o '[0-9a-f]\{64\}')" \
    || fail_setup "no fingerprint in election/parameters.json"
LOG_VKEY="$("$SANDUQ" board keygen --log board.test.example/sanduq --out "$WORK/log.key")" || fail_setup "keygen --log"
WITNESS_VKEY="$("$SANDUQ" board keygen --witness witness.test.example --out "$WORK/witness.key")" \
    || fail_setup "keygen --witness"
"$SANDUQ" witness --listen 127.0.0.1:0 --data-dir "$WORK/witness" --key "$WORK/witness.key" \
    --log "$LOG_VKEY" >"$WORK/witness.log" 2>&1 &
WITNESS_PID=$!
WITNESS_ADDR="$(wait_for "$WORK/witness.log" "$WITNESS_PID")"
[ -n "$WITNESS_ADDR" ] || { cat "$WORK/witness.log" >&2; fail_setup "witness did not start"; }
mkdir -p "$WORK/board"
cat >"$WORK/board/board.toml" <<TOML
listen = "127.0.0.1:0"
data_dir = "data"
log_key_file = "../log.key"
election = "$FINGERPRINT"
quorum = 1

[[witness]]
url = "http://$WITNESS_ADDR"
key = "$WITNESS_VKEY"

[limits]
publish_interval_ms = 200
TOML
"$SANDUQ" serve --config "$WORK/board/board.toml" --validator test >"$WORK/board.log" 2>&1 &
BOARD_PID=$!
BOARD_ADDR="$(wait_for "$WORK/board.log" "$BOARD_PID")"
[ -n "$BOARD_ADDR" ] || { cat "$WORK/board.log" >&2; fail_setup "board did not start"; }
echo "board at http://$BOARD_ADDR, witness at http://$WITNESS_ADDR" >&2

step "serve the portal on a free loopback port"
"$SANDUQ" portal --record "$WORK/demo/record" --listen 127.0.0.1:0 --booth-pkg "$WORK/booth" \
    --board "http://$BOARD_ADDR" --log-key "$LOG_VKEY" --witness-key "$WITNESS_VKEY" \
    2>"$WORK/portal.log" &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 240); do
    BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/portal.log" | head -n1 || true)"
    if [ -n "$BASE" ]; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.5
done
if [ -z "$BASE" ]; then
    cat "$WORK/portal.log" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
echo "portal at $BASE" >&2

step "headless Chromium tests"
mkdir -p crates/web/test-output
status=0
BASE="$BASE" RECORD="$WORK/demo/record" OUT="$ROOT/crates/web/test-output" BOARD="http://$BOARD_ADDR" \
    SANDUQ="$SANDUQ" BOOTH_PKG="$WORK/booth" LOG_VKEY="$LOG_VKEY" WITNESS_VKEY="$WITNESS_VKEY" \
    node crates/web/e2e/portal.test.mjs || status=$?
exit "$status"
