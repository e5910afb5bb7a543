#!/usr/bin/env bash
# ElectionGuard's Python reference (PyPI electionguard 1.4.0) against sanduq on the same
# ballot shape (one contest, 20 candidates, vote for 1), on this machine, in one run.
#
#   bench/peer/run.sh                      # 20 ElectionGuard ballots, sanduq 2000 ballots
#   EG_BALLOTS=50 SANDUQ_BALLOTS=5000 bench/peer/run.sh
#
# Environment: PYTHON (default python3.11), PEER_VENV (default bench/peer/.venv), SANDUQ (a
# built sanduq binary; default: built here with `cargo build --release -p sanduq`),
# CARGO_TARGET_DIR (honoured), EG_BALLOTS, EG_WARMUP, SANDUQ_BALLOTS, SANDUQ_THREADS (default 1:
# per-core figures), OUT (JSON of every figure, default bench/peer/results/peer.json).
#
# Python 3.11: electionguard 1.4.0's tally.py has a mutable dataclass default that 3.11
# refuses at import; patch_electionguard.py rewrites that one field to a default_factory in
# the virtual environment's copy (never outside it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3.11}"
venv="${PEER_VENV:-$here/.venv}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check electionguard==1.4.0
"$venv/bin/python" "$here/patch_electionguard.py"

sanduq="${SANDUQ:-}"
if [ -z "$sanduq" ]; then
    (cd "$repo" && cargo build --release --quiet -p sanduq)
    sanduq="${CARGO_TARGET_DIR:-$repo/target}/release/sanduq"
fi

out="${OUT:-$here/results/peer.json}"
mkdir -p "$(dirname "$out")"
"$venv/bin/python" "$here/eg_bench.py" \
    --ballots "${EG_BALLOTS:-20}" \
    --warmup "${EG_WARMUP:-2}" \
    --sanduq "$sanduq" \
    --sanduq-ballots "${SANDUQ_BALLOTS:-2000}" \
    --sanduq-threads "${SANDUQ_THREADS:-1}" \
    --json "$out"
echo "figures written to $out"
