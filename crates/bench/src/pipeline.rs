//! The run: set-up and ceremony, the stream of chunks, the tally upwards, the decryption.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rayon::prelude::*;
use sanduq_crypto::batch::{BatchVerifiable, TARGET_POINTS, failing_items_with_seed};
use sanduq_crypto::contest::{ContestItem, EncryptedSelection, encrypt_contest};
use sanduq_crypto::dlog::DlogTable;
use sanduq_crypto::group::{decode_scalar, to_hex};
use sanduq_crypto::range::{RangeBranch, RangeProof};
use sanduq_crypto::{
    AggregateCiphertext, BallotContext, Ciphertext, ContestDescription, ElectionKey, Element,
    EncryptedContest, Parameters,
};
use sanduq_record::RunOptions;
use sanduq_record::chain::{chain_start, confirmation_code};
use sanduq_record::protocol::contest_to_wire;
use sanduq_record::wire::{BallotBody, BallotLine, to_canonical};
use sanduq_trustee::TrusteeIndex;
use sanduq_trustee::decrypt::{self as tdecrypt, CiphertextId, DecryptionShare, ShareToVerify};
use sanduq_trustee::dkg::{CeremonySetup, run_locally};
use sha2::{Digest, Sha256};

use crate::floor::{FloorScalars, RawContest, floor};
use crate::geography::NATION;
use crate::{
    BenchError, CANDIDATES, Config, DecryptFigures, Generator, Geography, MAX_CONTESTS,
    MachineFigures, Outcome, Progress, Rejection, Report, StageFigures, candidate_id, contest_id,
    machine,
};

/// Per contest, per candidate: an encrypted tally.
type UnitTally = Vec<Vec<AggregateCiphertext>>;

fn empty_tally(contests: usize) -> UnitTally {
    vec![vec![AggregateCiphertext::zero(); CANDIDATES]; contests]
}

fn add_tally(into: &mut UnitTally, from: &UnitTally) {
    for (a, b) in into.iter_mut().zip(from) {
        for (x, y) in a.iter_mut().zip(b) {
            x.add_aggregate(y);
        }
    }
}

/// A polling station's device chain and encrypted tally.
struct StationState {
    device: String,
    last: [u8; 32],
    seq: u64,
    tally: UnitTally,
    accepted: u64,
}

/// `SHA-256("sanduq-bench" ‖ tag ‖ seed ‖ index)`: the seed of one deterministic generator.
fn derive(seed: &[u8], tag: &str, index: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"sanduq-bench");
    h.update(tag.as_bytes());
    h.update(seed);
    h.update(index.to_be_bytes());
    h.finalize().into()
}

fn os_seed() -> Result<[u8; 32], BenchError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| BenchError::Random(e.to_string()))?;
    Ok(seed)
}

fn crypto(what: impl Into<String>) -> impl FnOnce(sanduq_crypto::Error) -> BenchError {
    let what = what.into();
    move |source| BenchError::Crypto { what, source }
}

fn trustee(what: impl Into<String>) -> impl FnOnce(sanduq_trustee::Error) -> BenchError {
    let what = what.into();
    move |source| BenchError::Trustee { what, source }
}

fn decode_proof(raw: &[[u8; 32]]) -> Result<RangeProof, sanduq_crypto::Error> {
    if raw.len() % 4 != 0 {
        return Err(sanduq_crypto::Error::Argument(
            "a proof branch has fewer than 4 values",
        ));
    }
    let branches = raw
        .chunks_exact(4)
        .map(|q| match q {
            [a, b, c, z] => Ok(RangeBranch {
                a: Element::decode("commitment a", a)?,
                b: Element::decode("commitment b", b)?,
                challenge: decode_scalar("challenge", c)?,
                response: decode_scalar("response", z)?,
            }),
            _ => Err(sanduq_crypto::Error::Argument(
                "a proof branch is not 4 values",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RangeProof { branches })
}

/// Decode the binary form of a contest (decompress every point, check every scalar).
fn decode_contest(
    raw: &RawContest,
    desc: &ContestDescription,
) -> Result<EncryptedContest, sanduq_crypto::Error> {
    let selections = raw
        .ciphertexts
        .iter()
        .zip(&raw.proofs)
        .zip(desc.selection_ids())
        .map(|((ct, p), id)| {
            Ok(EncryptedSelection {
                selection_id: id.clone(),
                ciphertext: Ciphertext::decode(ct)?,
                proof: decode_proof(p)?,
            })
        })
        .collect::<Result<Vec<_>, sanduq_crypto::Error>>()?;
    Ok(EncryptedContest {
        contest_id: desc.contest_id().to_owned(),
        selections,
        limit_proof: decode_proof(&raw.limit)?,
    })
}

/// Runs of consecutive ballots of one station in a chunk: `(station, start, end)`.
fn station_runs(chunk: &[(u64, usize)]) -> Vec<(usize, usize, usize)> {
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    for (k, (_, s)) in chunk.iter().enumerate() {
        match runs.last_mut() {
            Some(last) if last.0 == *s => last.2 = k + 1,
            _ => runs.push((*s, k, k + 1)),
        }
    }
    runs
}

/// Run the benchmark on a pool of `config.threads` threads.
pub fn run(config: &Config, progress: &dyn Progress) -> Result<Outcome, BenchError> {
    if config.ballots == 0 {
        return Err(BenchError::Config("at least one ballot".into()));
    }
    if config.contests == 0 || config.contests > MAX_CONTESTS {
        return Err(BenchError::Config(format!(
            "contests {} outside 1..={MAX_CONTESTS}",
            config.contests
        )));
    }
    if config.chunk == 0 {
        return Err(BenchError::Config("chunk of at least one ballot".into()));
    }
    let threads = if config.threads == 0 {
        machine::nproc()
    } else {
        config.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BenchError::Pool(e.to_string()))?;
    pool.install(|| run_in_pool(config, threads, progress))
}

#[derive(Default)]
struct Timers {
    encrypt: Duration,
    record: Duration,
    verify: Duration,
    floor: Duration,
    tally: Duration,
}

fn run_in_pool(
    config: &Config,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Outcome, BenchError> {
    let start = Instant::now();
    let load_average_start = machine::load_average();
    let geo = Geography::afghanistan(config.ballots, config.station_size)?;
    let generator = Generator { seed: config.seed };
    let seed_bytes = config.seed.to_be_bytes();

    // Set-up and key ceremony.
    let params = Parameters::standard().map_err(crypto("parameters"))?;
    let manifest = format!(
        "sanduq-bench synthetic election: ballots {} contests {} seed {}",
        config.ballots, config.contests, config.seed
    );
    let fingerprint = params.fingerprint(manifest.as_bytes());
    let options = RunOptions::standard(config.seed)?;
    let policy = options.policy.clone();
    let setup = CeremonySetup::new(fingerprint, params, policy.clone());
    progress.stage("ceremony", 1);
    let t = Instant::now();
    let mut rng = ChaCha20Rng::from_seed(derive(&seed_bytes, "ceremony", 0));
    let ceremony = run_locally(&setup, &mut rng).map_err(trustee("key ceremony"))?;
    let ceremony_seconds = t.elapsed().as_secs_f64();
    progress.advance(1);
    let ctx = BallotContext {
        fingerprint,
        key: ElectionKey::new(ceremony.public_key.joint_key),
    };
    let key_point = *ctx.key.element().point();
    let ids: Vec<String> = (0..CANDIDATES).map(candidate_id).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let descs: Vec<ContestDescription> = (0..config.contests)
        .map(|c| {
            ContestDescription::new(&contest_id(c), &ids, 1, 1)
                .map_err(crypto(format!("description of {}", contest_id(c))))
        })
        .collect::<Result<_, _>>()?;

    let mut stations: Vec<StationState> = geo
        .stations
        .iter()
        .map(|s| {
            let device = format!("{}-device-1", s.id);
            StationState {
                last: chain_start(fingerprint.as_bytes(), &device),
                device,
                seq: 0,
                tally: empty_tally(config.contests),
                accepted: 0,
            }
        })
        .collect();

    // The stream.
    let scalars = FloorScalars::default();
    let mut timers = Timers::default();
    let mut record_bytes: u64 = 0;
    let mut binary_bytes: u64 = 0;
    let mut rejected: Vec<Rejection> = Vec::new();
    let mut accepted_total: u64 = 0;
    let mut ballot_stations = geo.ballot_stations();
    let mut next: u64 = 0;
    progress.stage("ballots", geo.ballots());
    loop {
        let chunk: Vec<(u64, usize)> = ballot_stations
            .by_ref()
            .take(config.chunk)
            .map(|s| {
                let i = next;
                next += 1;
                (i, s)
            })
            .collect();
        if chunk.is_empty() {
            break;
        }
        let runs = station_runs(&chunk);

        // 1. Encrypt.
        let t = Instant::now();
        let encrypted: Vec<Vec<EncryptedContest>> = chunk
            .par_iter()
            .map(|(i, _)| {
                let mut rng = ChaCha20Rng::from_seed(derive(&seed_bytes, "nonces", *i));
                descs
                    .iter()
                    .enumerate()
                    .map(|(c, desc)| {
                        encrypt_contest(&ctx, desc, &generator.plaintext(*i, c), &mut rng)
                            .map_err(crypto(format!("ballot {i} {}", desc.contest_id())))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<_, _>>()?;
        timers.encrypt += t.elapsed();

        // 2. Record: canonical wire form, chained per station device; binary form.
        let t = Instant::now();
        let chained = runs
            .par_iter()
            .map(|&(s, a, b)| -> Result<_, BenchError> {
                let (Some(state), Some(station)) = (stations.get(s), geo.stations.get(s)) else {
                    return Err(BenchError::Config(format!("no station {s}")));
                };
                let (mut last, mut seq, mut bytes) = (state.last, state.seq, 0u64);
                for ballot in encrypted.get(a..b).unwrap_or_default() {
                    let body = BallotBody {
                        device: state.device.clone(),
                        seq: seq + 1,
                        station: station.id.clone(),
                        group: None,
                        contests: ballot.iter().map(contest_to_wire).collect(),
                    };
                    let body_bytes = to_canonical(&body)?;
                    let code = confirmation_code(
                        fingerprint.as_bytes(),
                        &state.device,
                        &last,
                        &body_bytes,
                    );
                    let line = BallotLine {
                        ballot: body,
                        prev_code: to_hex(&last),
                        code: to_hex(&code),
                        status: "cast".to_owned(),
                        opening: None,
                    };
                    // One line of `ballots.jsonl`, with its newline.
                    bytes += to_canonical(&line)?.len() as u64 + 1;
                    last = code;
                    seq += 1;
                }
                Ok((s, last, seq, bytes))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (s, last, seq, bytes) in chained {
            if let Some(state) = stations.get_mut(s) {
                state.last = last;
                state.seq = seq;
            }
            record_bytes += bytes;
        }
        let mut raws: Vec<Vec<RawContest>> = encrypted
            .par_iter()
            .map(|b| b.iter().map(RawContest::from_contest).collect())
            .collect();
        timers.record += t.elapsed();
        drop(encrypted);
        binary_bytes += raws
            .iter()
            .flatten()
            .map(|r| r.len_bytes() as u64)
            .sum::<u64>();
        if let Some(bad) = config.tamper {
            if let Some(pos) = chunk.iter().position(|(i, _)| *i == bad) {
                if let Some(first) = raws.get_mut(pos).and_then(|b| b.first_mut()) {
                    first.ciphertexts.swap(0, 1);
                }
            }
        }

        // 3. Verify: decode and batched verification.
        let t = Instant::now();
        let decoded: Vec<Result<Vec<EncryptedContest>, (usize, sanduq_crypto::Error)>> = raws
            .par_iter()
            .map(|b| {
                b.iter()
                    .zip(&descs)
                    .enumerate()
                    .map(|(c, (raw, desc))| decode_contest(raw, desc).map_err(|e| (c, e)))
                    .collect()
            })
            .collect();
        let mut items: Vec<ContestItem<'_>> = Vec::with_capacity(chunk.len() * config.contests);
        let mut owners: Vec<(usize, usize)> = Vec::with_capacity(items.capacity());
        for (k, d) in decoded.iter().enumerate() {
            if let Ok(contests) = d {
                for (c, (contest, desc)) in contests.iter().zip(&descs).enumerate() {
                    items.push(ContestItem {
                        ctx: &ctx,
                        desc,
                        contest,
                    });
                    owners.push((k, c));
                }
            }
        }
        let failures = failing_items_with_seed(&items, os_seed()?);
        timers.verify += t.elapsed();
        let per_item_points = items.first().map_or(124, BatchVerifiable::size_hint).max(1);
        drop(items);
        let mut accepted = vec![true; chunk.len()];
        let mut reject = |k: usize, c: Option<usize>, reason: String| {
            if let Some(a) = accepted.get_mut(k) {
                if !*a {
                    return;
                }
                *a = false;
            }
            let (ballot, s) = chunk.get(k).copied().unwrap_or((0, 0));
            rejected.push(Rejection {
                ballot,
                station: geo
                    .stations
                    .get(s)
                    .map(|x| x.id.clone())
                    .unwrap_or_default(),
                contest: c.map(contest_id).unwrap_or_default(),
                reason,
            });
        };
        for (k, d) in decoded.iter().enumerate() {
            if let Err((c, e)) = d {
                reject(k, Some(*c), format!("does not decode: {e}"));
            }
        }
        for f in &failures {
            if let Some((k, c)) = owners.get(f.index).copied() {
                reject(k, Some(c), f.error.to_string());
            }
        }

        // 4. The floor, on the same ballots and chunks.
        let flat: Vec<&RawContest> = raws.iter().flatten().collect();
        let per_chunk = (TARGET_POINTS / per_item_points).max(1);
        let t = Instant::now();
        let ok = floor(&flat, &key_point, per_chunk, &scalars);
        timers.floor += t.elapsed();
        std::hint::black_box(ok);
        drop(flat);
        drop(raws);

        // 5. Tally: each station's accepted ballots.
        let t = Instant::now();
        let partial: Vec<(usize, UnitTally, u64)> = runs
            .par_iter()
            .map(|&(s, a, b)| {
                let mut tally = empty_tally(config.contests);
                let mut n = 0u64;
                for k in a..b {
                    let Some(Ok(contests)) = decoded.get(k) else {
                        continue;
                    };
                    if !accepted.get(k).copied().unwrap_or(false) {
                        continue;
                    }
                    n += 1;
                    for (agg, contest) in tally.iter_mut().zip(contests) {
                        for (x, sel) in agg.iter_mut().zip(&contest.selections) {
                            x.add(&sel.ciphertext);
                        }
                    }
                }
                (s, tally, n)
            })
            .collect();
        for (s, tally, n) in partial {
            if let Some(state) = stations.get_mut(s) {
                add_tally(&mut state.tally, &tally);
                state.accepted += n;
                accepted_total += n;
            }
        }
        timers.tally += t.elapsed();
        progress.advance(chunk.len() as u64);
    }

    // The tallies upwards.
    progress.stage("tally", 1);
    let t = Instant::now();
    let mut districts: Vec<(UnitTally, u64)> = geo
        .districts
        .iter()
        .map(|_| (empty_tally(config.contests), 0))
        .collect();
    for (st, info) in stations.iter().zip(&geo.stations) {
        if let Some(d) = districts.get_mut(info.district) {
            add_tally(&mut d.0, &st.tally);
            d.1 += st.accepted;
        }
    }
    let mut provinces: Vec<(UnitTally, u64)> = geo
        .provinces
        .iter()
        .map(|_| (empty_tally(config.contests), 0))
        .collect();
    for (d, info) in districts.iter().zip(&geo.districts) {
        if let Some(p) = provinces.get_mut(info.province) {
            add_tally(&mut p.0, &d.0);
            p.1 += d.1;
        }
    }
    let mut nation = (empty_tally(config.contests), 0u64);
    for p in &provinces {
        add_tally(&mut nation.0, &p.0);
        nation.1 += p.1;
    }
    timers.tally += t.elapsed();
    progress.advance(1);

    // Threshold decryption of every unit's tally.
    let mut units: Vec<(&str, &UnitTally, u64)> = Vec::new();
    for (st, info) in stations.iter().zip(&geo.stations) {
        units.push((info.id.as_str(), &st.tally, st.accepted));
    }
    for (d, info) in districts.iter().zip(&geo.districts) {
        units.push((info.id.as_str(), &d.0, d.1));
    }
    for (p, info) in provinces.iter().zip(&geo.provinces) {
        units.push((info.id.as_str(), &p.0, p.1));
    }
    units.push((NATION, &nation.0, nation.1));
    let (decrypt, counts) = decrypt_all(
        &units,
        &descs,
        &ceremony,
        &policy,
        &options.absent,
        &fingerprint,
        progress,
    )?;

    let nation_counts = counts.get(NATION).cloned().unwrap_or_default();
    let nation_report: BTreeMap<String, BTreeMap<String, u64>> = nation_counts
        .iter()
        .enumerate()
        .map(|(c, votes)| {
            (
                contest_id(c),
                votes
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (candidate_id(k), *v))
                    .collect(),
            )
        })
        .collect();
    let ballots = geo.ballots();
    let fig = |d: Duration| StageFigures::new(d.as_secs_f64(), ballots, threads);
    let floor_s = timers.floor.as_secs_f64();
    let report = Report {
        ballots,
        accepted: accepted_total,
        contests: config.contests,
        candidates: CANDIDATES,
        threads,
        chunk: config.chunk,
        provinces: geo.provinces.len(),
        districts: geo.districts.len(),
        stations: geo.stations.len(),
        ceremony_seconds,
        encrypt: fig(timers.encrypt),
        record: fig(timers.record),
        verify: fig(timers.verify),
        floor: fig(timers.floor),
        verify_to_floor: if floor_s > 0.0 {
            timers.verify.as_secs_f64() / floor_s
        } else {
            0.0
        },
        tally: fig(timers.tally),
        decrypt,
        total_seconds: start.elapsed().as_secs_f64(),
        record_bytes_per_ballot: record_bytes as f64 / ballots.max(1) as f64,
        binary_bytes_per_ballot: binary_bytes as f64 / ballots.max(1) as f64,
        peak_memory_bytes: machine::peak_memory_bytes(),
        rejected,
        nation: nation_report,
        machine: MachineFigures {
            nproc: machine::nproc(),
            cpu_model: machine::cpu_model(),
            load_average_start,
            load_average_end: machine::load_average(),
        },
    };
    Ok(Outcome { report, counts })
}

/// One ciphertext to decrypt.
struct Target {
    unit: usize,
    contest: usize,
    candidate: usize,
    ciphertext: tdecrypt::Ciphertext,
    id: CiphertextId,
}

type Counts = BTreeMap<String, Vec<Vec<u64>>>;

/// Units decrypted together: the shares and proofs of one batch are dropped before the next,
/// so the decryption's memory does not grow with the number of units.
const UNITS_PER_DECRYPTION_BATCH: usize = 128;

/// The ciphertexts of the units `first..first + batch.len()` that hold a ballot.
fn targets_of(
    batch: &[(&str, &UnitTally, u64)],
    first: usize,
    descs: &[ContestDescription],
) -> Result<Vec<Target>, BenchError> {
    let mut targets = Vec::new();
    for (u, (unit, tally, accepted)) in (first..).zip(batch) {
        if *accepted == 0 {
            continue;
        }
        for (c, (agg, desc)) in tally.iter().zip(descs).enumerate() {
            for (k, (ct, sid)) in agg.iter().zip(desc.selection_ids()).enumerate() {
                let what = || format!("tally of {unit}/{}/{sid}", desc.contest_id());
                let alpha =
                    Element::from_point("tally alpha", *ct.alpha()).map_err(crypto(what()))?;
                let beta = Element::from_point("tally beta", *ct.beta()).map_err(crypto(what()))?;
                targets.push(Target {
                    unit: u,
                    contest: c,
                    candidate: k,
                    ciphertext: tdecrypt::Ciphertext { alpha, beta },
                    id: CiphertextId {
                        contest: desc.contest_id().to_owned(),
                        selection: sid.clone(),
                        unit: (*unit).to_owned(),
                    },
                });
            }
        }
    }
    Ok(targets)
}

fn decrypt_all(
    units: &[(&str, &UnitTally, u64)],
    descs: &[ContestDescription],
    ceremony: &sanduq_trustee::dkg::LocalCeremony,
    policy: &sanduq_trustee::Policy,
    absent: &BTreeSet<TrusteeIndex>,
    fingerprint: &sanduq_crypto::ElectionFingerprint,
    progress: &dyn Progress,
) -> Result<(DecryptFigures, Counts), BenchError> {
    let start = Instant::now();
    let threshold = policy.threshold();
    let present: Vec<TrusteeIndex> = ceremony
        .key_shares
        .keys()
        .filter(|t| !absent.contains(t))
        .take(usize::try_from(threshold).unwrap_or(usize::MAX))
        .copied()
        .collect();
    let present_set: BTreeSet<TrusteeIndex> = present.iter().copied().collect();
    policy
        .check_quorum(&present_set)
        .map_err(trustee("quorum of the trustees present"))?;
    let mut key_shares = Vec::with_capacity(present.len());
    let mut lambdas = Vec::with_capacity(present.len());
    let mut share_seeds = Vec::with_capacity(present.len());
    for j in &present {
        key_shares.push(
            ceremony
                .key_shares
                .get(j)
                .ok_or_else(|| BenchError::Config(format!("no key share for trustee {j}")))?,
        );
        lambdas.push(
            -tdecrypt::lagrange_at_zero(&present_set, *j)
                .map_err(trustee(format!("Lagrange coefficient of {j}")))?,
        );
        share_seeds.push(os_seed()?);
    }
    let weight_seed = os_seed()?;
    let max = units.iter().map(|u| u.2).max().unwrap_or(0);
    let table = DlogTable::new(max).map_err(crypto("discrete-log table"))?;
    let with_ballots = units.iter().filter(|u| u.2 > 0).count();
    progress.stage(
        "decrypt",
        (with_ballots * descs.len() * CANDIDATES * present.len()) as u64,
    );

    let mut counts: Counts = units
        .iter()
        .map(|(unit, _, _)| {
            (
                (*unit).to_owned(),
                vec![vec![0u64; CANDIDATES]; descs.len()],
            )
        })
        .collect();
    let (mut share_time, mut verify_time, mut combine_time) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut ciphertexts: u64 = 0;
    for (b, batch) in units.chunks(UNITS_PER_DECRYPTION_BATCH).enumerate() {
        let targets = targets_of(batch, b * UNITS_PER_DECRYPTION_BATCH, descs)?;
        let first = ciphertexts;

        // Each present trustee's shares, each with its proof.
        let t = Instant::now();
        let mut shares: Vec<Vec<DecryptionShare>> = Vec::with_capacity(present.len());
        for ((j, key_share), seed) in present.iter().zip(&key_shares).zip(&share_seeds) {
            let mine = targets
                .par_iter()
                .enumerate()
                .map(|(i, target)| {
                    let mut rng = ChaCha20Rng::from_seed(derive(seed, "share", first + i as u64));
                    let s = tdecrypt::decryption_share(
                        fingerprint,
                        key_share,
                        &target.ciphertext,
                        &target.id,
                        &mut rng,
                    )
                    .map_err(trustee(format!("trustee {j}: share of {:?}", target.id)));
                    progress.advance(1);
                    s
                })
                .collect::<Result<Vec<_>, _>>()?;
            shares.push(mine);
        }
        share_time += t.elapsed();

        // Every proof verified, in batches.
        let t = Instant::now();
        let items: Vec<ShareToVerify<'_>> = shares
            .iter()
            .flat_map(|mine| {
                mine.iter()
                    .zip(&targets)
                    .map(|(share, target)| ShareToVerify {
                        ciphertext: &target.ciphertext,
                        id: &target.id,
                        share,
                    })
            })
            .collect();
        items
            .par_chunks(1024)
            .enumerate()
            .map(|(i, chunk)| {
                let index = (first << 16) | i as u64;
                let mut rng = ChaCha20Rng::from_seed(derive(&weight_seed, "share-weights", index));
                tdecrypt::verify_decryption_shares(
                    fingerprint,
                    &ceremony.public_key,
                    chunk,
                    &mut rng,
                )
                .map_err(trustee(format!("decryption shares of units batch {b}")))
            })
            .collect::<Result<Vec<()>, _>>()?;
        verify_time += t.elapsed();

        // Combine: m·G = β − Σ λ_j M_j, then the bounded discrete logarithm.
        let t = Instant::now();
        let values: Vec<u64> = targets
            .par_iter()
            .enumerate()
            .map(|(i, target)| {
                let points: Vec<RistrettoPoint> = shares
                    .iter()
                    .filter_map(|mine| mine.get(i).map(|s| *s.share.point()))
                    .collect();
                let m_g = target.ciphertext.beta.point()
                    + RistrettoPoint::vartime_multiscalar_mul(lambdas.iter(), points.iter());
                table
                    .solve(&m_g)
                    .map_err(crypto(format!("tally of {:?}", target.id)))
            })
            .collect::<Result<_, _>>()?;
        combine_time += t.elapsed();

        for (target, v) in targets.iter().zip(values) {
            let Some((unit, _, _)) = units.get(target.unit) else {
                continue;
            };
            if let Some(slot) = counts
                .get_mut(*unit)
                .and_then(|c| c.get_mut(target.contest))
                .and_then(|c| c.get_mut(target.candidate))
            {
                *slot = v;
            }
        }
        ciphertexts += targets.len() as u64;
    }
    Ok((
        DecryptFigures {
            seconds: start.elapsed().as_secs_f64(),
            ciphertexts,
            shares: ciphertexts * present.len() as u64,
            share_seconds: share_time.as_secs_f64(),
            verify_seconds: verify_time.as_secs_f64(),
            combine_seconds: combine_time.as_secs_f64(),
            threshold,
            trustees: policy.n(),
            present: present.iter().map(|t| t.get()).collect(),
        },
        counts,
    ))
}
