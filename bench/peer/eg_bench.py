"""ElectionGuard (PyPI electionguard 1.4.0) against sanduq, same ballot shape, same run.

The ballot: one contest of 20 candidates, vote for 1 (sanduq's reference ballot). For
ElectionGuard this is a `one_of_m` candidate contest with `votes_allowed = 1`: 20 selections
with their disjunctive Chaum-Pedersen proofs, one placeholder selection, and the contest's
constant Chaum-Pedersen proof, in its 4096-bit group (modular arithmetic through gmpy2).

Timed per ballot, one core (ElectionGuard's Python runs on one thread):
- encrypt: `encrypt_ballot` (encryption and every proof);
- verify: `CiphertextBallot.is_valid_encryption` (every proof and hash, one by one);
- accumulate: multiplying the ballot's 20 selection ciphertexts into running totals.
The ballot's JSON size is `serialize.to_raw(ballot)`.

Then `sanduq bench --threads 1 --json` runs on the same shape on this machine, and the ratios
are ElectionGuard's milliseconds per ballot divided by sanduq's milliseconds per ballot per
core (sanduq's verification is batched; its figure includes decoding every point).
"""

import argparse
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime

from electionguard.ballot import (
    PlaintextBallot,
    PlaintextBallotContest,
    PlaintextBallotSelection,
)
from electionguard.election import make_ciphertext_election_context
from electionguard.elgamal import elgamal_add, elgamal_keypair_from_secret
from electionguard.encrypt import encrypt_ballot
from electionguard.group import int_to_q
from electionguard.manifest import (
    BallotStyle,
    Candidate,
    CandidateContestDescription,
    ElectionType,
    GeopoliticalUnit,
    InternalManifest,
    Manifest,
    ReportingUnitType,
    SelectionDescription,
    SpecVersion,
    VoteVariationType,
)
from electionguard.logs import ElectionGuardLog
from electionguard.serialize import to_raw

CANDIDATES = 20


def quiet_logs() -> None:
    """ElectionGuard logs every encryption at INFO level on stdout (4096-bit values in hex);
    printing them would dominate the timings, so its logger is raised to WARNING. The
    library's own formatting of the messages (eager f-strings) still runs and is timed."""
    ElectionGuardLog()  # the singleton sets its logger to DEBUG when first created
    logging.getLogger("electionguard").setLevel(logging.WARNING)


def manifest() -> Manifest:
    candidates = [Candidate(f"candidate-{i + 1:02}") for i in range(CANDIDATES)]
    selections = [
        SelectionDescription(f"selection-{i + 1:02}", i, f"candidate-{i + 1:02}")
        for i in range(CANDIDATES)
    ]
    contest = CandidateContestDescription(
        "contest-1",
        0,
        "af",
        VoteVariationType.one_of_m,
        1,
        1,
        "reference contest",
        selections,
    )
    style = BallotStyle("style-1")
    style.geopolitical_unit_ids = ["af"]
    return Manifest(
        election_scope_id="sanduq-peer-reference",
        spec_version=SpecVersion.EG1_0,
        type=ElectionType.general,
        start_date=datetime(2026, 1, 1),
        end_date=datetime(2026, 1, 2),
        geopolitical_units=[GeopoliticalUnit("af", "Afghanistan", ReportingUnitType.country)],
        parties=[],
        candidates=candidates,
        contests=[contest],
        ballot_styles=[style],
    )


def plaintext(i: int) -> PlaintextBallot:
    chosen = i % CANDIDATES
    selections = [
        PlaintextBallotSelection(f"selection-{k + 1:02}", int(k == chosen))
        for k in range(CANDIDATES)
    ]
    return PlaintextBallot(
        f"ballot-{i}", "style-1", [PlaintextBallotContest("contest-1", selections)]
    )


def median_ms(samples):
    return 1000.0 * statistics.median(samples)


def run_electionguard(ballots: int, warmup: int) -> dict:
    m = manifest()
    if not m.is_valid():
        raise SystemExit("the ElectionGuard manifest is not valid")
    internal = InternalManifest(m)
    keypair = elgamal_keypair_from_secret(int_to_q(0x5A4D))
    context = make_ciphertext_election_context(
        1, 1, keypair.public_key, int_to_q(1), m.crypto_hash()
    )
    seed = context.manifest_hash
    enc, ver, acc = [], [], []
    sizes = []
    totals = None
    for i in range(warmup + ballots):
        pt = plaintext(i)
        t0 = time.perf_counter()
        ballot = encrypt_ballot(pt, internal, context, seed)
        t1 = time.perf_counter()
        if ballot is None:
            raise SystemExit(f"ElectionGuard refused ballot {i}")
        ok = ballot.is_valid_encryption(
            context.manifest_hash,
            context.elgamal_public_key,
            context.crypto_extended_base_hash,
        )
        t2 = time.perf_counter()
        if not ok:
            raise SystemExit(f"ElectionGuard ballot {i} does not verify")
        cts = [s.ciphertext for s in ballot.contests[0].ballot_selections
               if not s.is_placeholder_selection]
        t3 = time.perf_counter()
        totals = cts if totals is None else [elgamal_add(a, b) for a, b in zip(totals, cts)]
        t4 = time.perf_counter()
        if i >= warmup:
            enc.append(t1 - t0)
            ver.append(t2 - t1)
            acc.append(t4 - t3)
            sizes.append(len(to_raw(ballot).encode()))
    return {
        "ballots": ballots,
        "encrypt_ms": median_ms(enc),
        "verify_ms": median_ms(ver),
        "accumulate_ms": median_ms(acc),
        "encrypt_ms_all": [1000.0 * x for x in enc],
        "verify_ms_all": [1000.0 * x for x in ver],
        "ballot_json_bytes": statistics.median(sizes),
    }


def run_sanduq(binary: str, ballots: int, threads: int) -> dict:
    out = subprocess.run(
        [binary, "bench", "--ballots", str(ballots), "--threads", str(threads), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def load1():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ballots", type=int, default=20, help="ElectionGuard ballots timed")
    ap.add_argument("--warmup", type=int, default=2, help="ElectionGuard ballots not timed")
    ap.add_argument("--sanduq", help="the sanduq binary (omit to skip sanduq)")
    ap.add_argument("--sanduq-ballots", type=int, default=2000)
    ap.add_argument("--sanduq-threads", type=int, default=1)
    ap.add_argument("--json", help="also write every figure to this file")
    args = ap.parse_args()

    quiet_logs()
    load_start = load1()
    eg = run_electionguard(args.ballots, args.warmup)
    load_mid = load1()
    sq = run_sanduq(args.sanduq, args.sanduq_ballots, args.sanduq_threads) if args.sanduq else None
    load_end = load1()

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, load average {load_start} / {load_mid} / {load_end}")
    print(f"ElectionGuard 1.4.0, one contest of {CANDIDATES} candidates, vote for 1, "
          f"{eg['ballots']} ballots (medians, one core):")
    print(f"  encrypt    {eg['encrypt_ms']:9.1f} ms per ballot")
    print(f"  verify     {eg['verify_ms']:9.1f} ms per ballot")
    print(f"  accumulate {eg['accumulate_ms']:9.2f} ms per ballot")
    print(f"  ballot JSON {eg['ballot_json_bytes'] / 1000:8.1f} KB")
    result = {"electionguard": eg, "load_average": [load_start, load_mid, load_end]}
    if sq:
        s_enc = sq["encrypt"]["ms_per_ballot_per_core"]
        s_ver = sq["verify"]["ms_per_ballot_per_core"]
        s_tal = sq["tally"]["ms_per_ballot_per_core"]
        ratios = {
            "encrypt": eg["encrypt_ms"] / s_enc,
            "verify": eg["verify_ms"] / s_ver,
            "accumulate": eg["accumulate_ms"] / s_tal if s_tal > 0 else None,
            "bytes": eg["ballot_json_bytes"] / sq["record_bytes_per_ballot"],
        }
        print(f"sanduq bench --ballots {sq['ballots']} --threads {sq['threads']} "
              f"(per ballot per core, same run):")
        print(f"  encrypt    {s_enc:9.3f} ms   ElectionGuard / sanduq = {ratios['encrypt']:7.1f}x")
        print(f"  verify     {s_ver:9.3f} ms   ElectionGuard / sanduq = {ratios['verify']:7.1f}x"
              f"   (sanduq verify / floor {sq['verify_to_floor']:.2f}x)")
        if ratios["accumulate"] is not None:
            print(f"  tally      {s_tal:9.4f} ms   ElectionGuard / sanduq = "
                  f"{ratios['accumulate']:7.1f}x")
        print(f"  record     {sq['record_bytes_per_ballot'] / 1000:9.1f} KB   "
              f"ElectionGuard / sanduq = {ratios['bytes']:7.1f}x")
        result["sanduq"] = sq
        result["ratios"] = ratios
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
