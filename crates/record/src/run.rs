//! A whole election in one process, step after step: what `sanduq demo` and the end-to-end
//! tests run. Ballots are encrypted in parallel, one device per polling station.

use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sanduq_crypto::BallotContext;
use sanduq_crypto::transcript::hash256;
use sanduq_election::{Manifest, Method};
use sanduq_trustee::decrypt::DecryptionShare;
use sanduq_trustee::dkg::KeyShare;
use sanduq_trustee::{Policy, ProvinceCode, TrusteeIndex};

use crate::error::RecordError;
use crate::protocol::{
    Election, Tallies, add_to_station, aggregate_upwards, check_quorum, combine, count_contest,
    disclosures, run_ceremony, targets, trustee_shares,
};
use crate::record::{Location, Outputs, build_files, location_of, nation_totals};
use crate::store::{Files, with_index};
use crate::wire::{BallotLine, ContestResult, DeviceWire};

/// Reports progress of long steps (the CLI draws bars; tests ignore it).
pub trait Progress: Sync {
    /// A step with `total` units of work starts.
    fn start(&self, step: &str, total: u64);
    /// `n` more units done.
    fn inc(&self, n: u64);
    /// The step is over.
    fn finish(&self);
}

/// Progress that reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: &str, _: u64) {}
    fn inc(&self, _: u64) {}
    fn finish(&self) {}
}

/// One voter's ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voter {
    /// The polling station.
    pub station: String,
    /// The voter group, if any.
    pub group: Option<String>,
    /// Per contest, the marked candidates.
    pub choices: BTreeMap<String, Vec<String>>,
    /// The voter first challenges a ballot, then casts a new one.
    pub challenge_first: bool,
}

/// How to run the election.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Seed of the generator `H`.
    pub generator_seed: Vec<u8>,
    /// Trustees and threshold.
    pub policy: Policy,
    /// Trustees absent at decryption.
    pub absent: BTreeSet<TrusteeIndex>,
    /// Seed of every random choice (nonces included): for reproducible demonstrations only.
    pub seed: u64,
}

impl RunOptions {
    /// 3 of 5 trustees from five provinces, at least 3 provinces, trustee 5 absent.
    pub fn standard(seed: u64) -> Result<RunOptions, RecordError> {
        let provinces = ["AF-KAB", "AF-BAL", "AF-HER", "AF-KAN", "AF-NAN"];
        let mut roster = BTreeMap::new();
        for (i, p) in (1u32..).zip(provinces) {
            let idx = TrusteeIndex::new(i).map_err(|e| RecordError::trustee("roster", e))?;
            let code = ProvinceCode::new(p).map_err(|e| RecordError::trustee("roster", e))?;
            roster.insert(idx, code);
        }
        let policy = Policy::new(3, 3, roster).map_err(|e| RecordError::trustee("policy", e))?;
        let absent = [TrusteeIndex::new(5).map_err(|e| RecordError::trustee("roster", e))?]
            .into_iter()
            .collect();
        Ok(RunOptions {
            generator_seed: sanduq_crypto::params::DEFAULT_GENERATOR_SEED.to_vec(),
            policy,
            absent,
            seed,
        })
    }
}

/// Figures of a run, for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Registered voters.
    pub registered: u64,
    /// Ballots cast.
    pub cast: u64,
    /// Ballots challenged (published, not counted).
    pub challenged: u64,
    /// Polling stations.
    pub stations: u64,
    /// Trustees whose shares decrypted the tallies.
    pub trustees_present: Vec<u32>,
    /// Ciphertexts decrypted.
    pub decrypted: u64,
}

/// The outcome of a run.
#[derive(Debug)]
pub struct ElectionRun {
    /// The record's files, index included.
    pub files: Files,
    /// The results, by contest.
    pub results: Vec<ContestResult>,
    /// Figures.
    pub figures: Figures,
}

fn rng_for(seed: u64, what: &str) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(hash256(
        "sanduq-demo-rng",
        &[&seed.to_be_bytes(), what.as_bytes()],
    ))
}

/// Synthetic voters for a manifest: every registered voter votes once, marking one
/// candidate per contest of the ballot style, drawn with contest-specific weights (the
/// two-round contest's front-runner near 40 %, so a run-off is expected); one voter in
/// `challenge_every` (if not zero) challenges a ballot before casting.
pub fn synthetic_voters(
    election: &Election,
    seed: u64,
    challenge_every: u64,
) -> Result<Vec<Voter>, RecordError> {
    let m = election.manifest();
    let mut weights: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for c in m.contests() {
        let n = c.candidates.len();
        let mut w: Vec<u64> = if c.method == Method::TwoRound {
            (0..n)
                .map(|i| match i {
                    0 => 400,
                    1 => 300,
                    2 => 100,
                    _ => 200 / (n as u64).max(1),
                })
                .collect()
        } else {
            (0..n).map(|i| 1200 / (i as u64 + 2)).collect()
        };
        // a contest-specific rotation, so that the favourite is not always first
        let h = hash256(
            "demo-weights",
            &[&seed.to_be_bytes(), c.id.as_str().as_bytes()],
        );
        let shift = usize::from(h.first().copied().unwrap_or(0)) % n.max(1);
        w.rotate_right(shift);
        weights.insert(c.id.as_str().to_owned(), w);
    }
    let mut voters = Vec::new();
    let mut rng = rng_for(seed, "voters");
    let mut serial = 0u64;
    for s in m.polling_stations() {
        let mut groups: Vec<Option<String>> = Vec::new();
        for (g, n) in &s.groups {
            for _ in 0..*n {
                groups.push(Some(g.as_str().to_owned()));
            }
        }
        for _ in 0..s.general_voters() {
            groups.push(None);
        }
        for group in groups {
            let style = election.style(s.id.as_str(), group.as_deref())?;
            let mut choices = BTreeMap::new();
            for cid in style {
                let Some(c) = m.contest(&cid) else { continue };
                let w = weights.get(&cid).cloned().unwrap_or_default();
                let total: u64 = w.iter().sum();
                if total == 0 {
                    continue;
                }
                let mut x = rand_core::Rng::next_u64(&mut rng) % total;
                let mut pick = 0;
                for (i, wi) in w.iter().enumerate() {
                    if x < *wi {
                        pick = i;
                        break;
                    }
                    x -= wi;
                }
                if let Some(cand) = c.candidates.get(pick) {
                    choices.insert(cid.clone(), vec![cand.id.as_str().to_owned()]);
                }
            }
            serial += 1;
            voters.push(Voter {
                station: s.id.as_str().to_owned(),
                group,
                choices,
                challenge_first: challenge_every > 0 && serial % challenge_every == 0,
            });
        }
    }
    Ok(voters)
}

type DeviceOutput = (String, Vec<BallotLine>, DeviceWire, Tallies);

/// Run the election: set-up, ceremony, ballots, tallies, privacy rule, decryption by the
/// trustees present, count; returns the record's files.
pub fn run_election(
    manifest: Manifest,
    voters: &[Voter],
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<ElectionRun, RecordError> {
    // 1. set-up: parameters, fingerprint, tie-break seed and K fixed before any ballot
    let election = Election::setup(manifest, &options.generator_seed)?;
    let h = election.hierarchy();

    // 2. key ceremony
    progress.start("key ceremony", 1);
    let mut rng = rng_for(options.seed, "ceremony");
    let (ceremony, key_shares) = run_ceremony(&election, options.policy.clone(), &mut rng)?;
    progress.inc(1);
    progress.finish();
    let ctx = ceremony.ballot_context();

    // 3. ballots, one device per station, stations in parallel
    let mut by_station: BTreeMap<&str, Vec<&Voter>> = BTreeMap::new();
    for v in voters {
        by_station.entry(v.station.as_str()).or_default().push(v);
    }
    progress.start("encrypting ballots", voters.len() as u64);
    let stations: Vec<(&str, Vec<&Voter>)> = by_station.into_iter().collect();
    let outputs: Vec<Result<DeviceOutput, RecordError>> = stations
        .par_iter()
        .map(|(station, vs)| run_device(&election, &ctx, options.seed, station, vs, progress))
        .collect();
    progress.finish();
    let mut districts: BTreeMap<Location, (Vec<BallotLine>, Vec<DeviceWire>)> = BTreeMap::new();
    let mut station_tallies: Tallies = BTreeMap::new();
    let mut figures = Figures {
        registered: election.manifest().registered_total(),
        stations: election.manifest().polling_stations().len() as u64,
        ..Figures::default()
    };
    for o in outputs {
        let (station, lines, device, tally) = o?;
        figures.cast += lines.iter().filter(|l| l.status == "cast").count() as u64;
        figures.challenged += lines.iter().filter(|l| l.status == "challenged").count() as u64;
        let loc = location_of(h, &station)
            .ok_or_else(|| RecordError::Manifest(format!("station {station} has no district")))?;
        let entry = districts.entry(loc).or_default();
        entry.0.extend(lines);
        entry.1.push(device);
        station_tallies.extend(tally);
    }
    for (lines, devices) in districts.values_mut() {
        lines.sort_by(|a, b| {
            (&a.ballot.device, a.ballot.seq).cmp(&(&b.ballot.device, b.ballot.seq))
        });
        devices.sort_by(|a, b| a.device.cmp(&b.device));
    }

    // 4. homomorphic tallies, every level the product of its children
    let tallies = aggregate_upwards(h, &station_tallies);

    // 5. the privacy rule
    let disclosure = disclosures(h, &tallies, election.privacy_threshold());
    let targets = targets(&election, &tallies, &disclosure)?;

    // 6. threshold decryption by the trustees present
    let present: BTreeMap<TrusteeIndex, KeyShare> = key_shares
        .into_iter()
        .filter(|(t, _)| !options.absent.contains(t))
        .collect();
    let present_set: BTreeSet<TrusteeIndex> = present.keys().copied().collect();
    check_quorum(&options.policy, &present_set)?;
    progress.start("decryption shares", (targets.len() * present.len()) as u64);
    let mut shares: BTreeMap<TrusteeIndex, Vec<DecryptionShare>> = BTreeMap::new();
    for (t, ks) in &present {
        let chunks: Vec<Result<Vec<DecryptionShare>, RecordError>> = targets
            .par_chunks(64)
            .enumerate()
            .map(|(i, chunk)| {
                let mut rng = rng_for(options.seed, &format!("shares/{}/{i}", t.get()));
                let out = trustee_shares(election.fingerprint(), ks, chunk, &mut rng);
                progress.inc(chunk.len() as u64);
                out
            })
            .collect();
        let mut all = Vec::with_capacity(targets.len());
        for c in chunks {
            all.extend(c?);
        }
        shares.insert(*t, all);
    }
    progress.finish();
    let counts = combine(&options.policy, &targets, &shares)?;
    figures.trustees_present = present_set.iter().map(|t| t.get()).collect();
    figures.decrypted = targets.len() as u64;

    // 7. count every contest from the nation's verified totals
    let nation = h.nation().to_owned();
    let mut decrypted: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (t, c) in targets.iter().zip(&counts) {
        if t.id.unit == nation {
            decrypted.entry(t.id.contest.clone()).or_default().push(*c);
        }
    }
    let ballots: BTreeMap<String, u64> = tallies
        .get(&nation)
        .map(|m| m.iter().map(|(c, a)| (c.clone(), a.ballots)).collect())
        .unwrap_or_default();
    let mut results = Vec::new();
    for (cid, (n, totals)) in
        nation_totals(election.manifest(), h, &ballots, &disclosure, &decrypted)
    {
        results.push(count_contest(
            election.manifest(),
            &cid,
            n,
            totals.as_deref(),
        )?);
    }

    // 8. the record
    let files = build_files(&Outputs {
        election: &election,
        ceremony: &ceremony,
        districts,
        tallies: &tallies,
        disclosure: &disclosure,
        targets: &targets,
        counts: &counts,
        shares: &shares,
        results: results.clone(),
    })?;
    Ok(ElectionRun {
        files: with_index(files)?,
        results,
        figures,
    })
}

fn run_device(
    election: &Election,
    ctx: &BallotContext,
    seed: u64,
    station: &str,
    voters: &[&Voter],
    progress: &dyn Progress,
) -> Result<DeviceOutput, RecordError> {
    let mut rng = rng_for(seed, &format!("device/{station}"));
    let mut device = crate::protocol::Device::new(election, &format!("{station}-d1"), station);
    let mut tally: Tallies = BTreeMap::new();
    for v in voters {
        if v.challenge_first {
            let b = device.encrypt(election, ctx, v.group.as_deref(), &v.choices, &mut rng)?;
            device.challenge(b);
        }
        let b = device.encrypt(election, ctx, v.group.as_deref(), &v.choices, &mut rng)?;
        let contests = device.cast(b);
        add_to_station(&mut tally, station, &contests);
        progress.inc(1);
    }
    let (lines, wire) = device.close();
    Ok((station.to_owned(), lines, wire, tally))
}
