//! A whole election in one process, step after step: what `sanduq demo` and the end-to-end
//! tests run. Ballots are encrypted in parallel, one device per polling station.

use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sanduq_crypto::BallotContext;
use sanduq_crypto::transcript::hash256;
use sanduq_election::{Manifest, Method, PollingStation};
use sanduq_trustee::decrypt::DecryptionShare;
use sanduq_trustee::dkg::KeyShare;
use sanduq_trustee::{Policy, ProvinceCode, TrusteeIndex};

use sanduq_crypto::contest::EncryptedContest;

use crate::credentials::{Registration, VoterCredential, issue};
use crate::envelope::Envelope;
use crate::error::RecordError;
use crate::protocol::{
    Election, Tallies, add_to_station, aggregate_upwards, check_quorum, combine, disclosures,
    run_ceremony, targets, trustee_shares,
};
use crate::record::{Outputs, build_files};
use crate::remote::{CheckedRemote, cast_remote, lines_from_entries};
use crate::steps::{self, DeviceRun, districts_of, results_of};
use crate::store::{Files, with_index};
use crate::wire::ContestResult;

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
    /// One voter in this many (0: none) votes remotely with a credential instead of at the
    /// polling station; one remote voter in three first casts a ballot marking the first
    /// candidate of every contest, then the ballot of their choices, which replaces it.
    pub remote_every: u64,
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
            remote_every: 0,
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
    /// Remote ballots counted (one per remote voter, the last cast).
    pub remote: u64,
    /// Remote ballots replaced by a later one of the same credential.
    pub remote_superseded: u64,
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
    /// The remote voters' secret credentials, in the order of the remote voters (a
    /// demonstration keeps them, so that a test can act as one of these voters).
    pub remote_credentials: Vec<VoterCredential>,
}

fn rng_for(seed: u64, what: &str) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(hash256(
        "sanduq-demo-rng",
        &[&seed.to_be_bytes(), what.as_bytes()],
    ))
}

/// Per contest, the weights of its candidates for synthetic choices: the two-round
/// contest's front-runner near 40 % (so a run-off is expected), the others decreasing, each
/// list rotated by a contest-specific amount so that the favourite is not always first.
fn contest_weights(m: &Manifest, seed: u64) -> BTreeMap<String, Vec<u64>> {
    let mut weights = BTreeMap::new();
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
        let h = hash256(
            "demo-weights",
            &[&seed.to_be_bytes(), c.id.as_str().as_bytes()],
        );
        let shift = usize::from(h.first().copied().unwrap_or(0)) % n.max(1);
        w.rotate_right(shift);
        weights.insert(c.id.as_str().to_owned(), w);
    }
    weights
}

/// One synthetic voter's choices: one candidate per contest of the ballot style, drawn with
/// the contest's weights.
fn synthetic_choices(
    election: &Election,
    weights: &BTreeMap<String, Vec<u64>>,
    station: &str,
    group: Option<&str>,
    rng: &mut ChaCha20Rng,
) -> Result<BTreeMap<String, Vec<String>>, RecordError> {
    let m = election.manifest();
    let mut choices = BTreeMap::new();
    for cid in election.style(station, group)? {
        let Some(c) = m.contest(&cid) else { continue };
        let w = weights.get(&cid).map_or(&[][..], Vec::as_slice);
        let total: u64 = w.iter().sum();
        if total == 0 {
            continue;
        }
        let mut x = rand_core::Rng::next_u64(rng) % total;
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
    Ok(choices)
}

/// A station's roll, shuffled: one entry per registered voter, its voter group if any.
fn shuffled_roll(s: &PollingStation, rng: &mut ChaCha20Rng) -> Vec<Option<String>> {
    let mut roll: Vec<Option<String>> = Vec::new();
    for (g, n) in &s.groups {
        for _ in 0..*n {
            roll.push(Some(g.as_str().to_owned()));
        }
    }
    for _ in 0..s.general_voters() {
        roll.push(None);
    }
    for i in (1..roll.len()).rev() {
        let j = usize::try_from(rand_core::Rng::next_u64(rng) % (i as u64 + 1)).unwrap_or(0);
        roll.swap(i, j);
    }
    roll
}

/// The synthetic turnout of a station, in per cent: from 45 to 85, fixed by the seed and the
/// station.
#[must_use]
pub fn station_turnout(seed: u64, station: &str) -> u64 {
    let h = hash256("demo-turnout", &[&seed.to_be_bytes(), station.as_bytes()]);
    let x = u64::from(u16::from_be_bytes([
        h.first().copied().unwrap_or(0),
        h.get(1).copied().unwrap_or(0),
    ]));
    45 + x % 41
}

/// Ballots cast at a station of `registered` voters with `turnout` per cent: rounded to the
/// nearest, but at least K (so that the station's result is published) and at most the roll.
#[must_use]
pub fn station_cast(registered: u64, turnout: u64, k: u64) -> u64 {
    ((registered * turnout + 50) / 100).max(k).min(registered)
}

/// Synthetic voters for a manifest. At each station, [`station_cast`] of its registered
/// voters ([`station_turnout`]: 45 % to 85 %, at least K ballots) vote once, chosen at random
/// from its roll, marking one candidate per contest of the ballot style, drawn with
/// contest-specific weights (the two-round contest's front-runner near 40 %, so a run-off is
/// expected); one voter in `challenge_every` (if not zero) challenges a ballot before casting.
pub fn synthetic_voters(
    election: &Election,
    seed: u64,
    challenge_every: u64,
) -> Result<Vec<Voter>, RecordError> {
    let m = election.manifest();
    let weights = contest_weights(m, seed);
    let k = election.privacy_threshold();
    let mut voters = Vec::new();
    let mut rng = rng_for(seed, "voters");
    let mut serial = 0u64;
    for s in m.polling_stations() {
        let station = s.id.as_str();
        let cast = station_cast(u64::from(s.registered), station_turnout(seed, station), k);
        let roll = shuffled_roll(s, &mut rng);
        for group in roll
            .into_iter()
            .take(usize::try_from(cast).unwrap_or(usize::MAX))
        {
            let choices =
                synthetic_choices(election, &weights, station, group.as_deref(), &mut rng)?;
            serial += 1;
            voters.push(Voter {
                station: station.to_owned(),
                group,
                choices,
                challenge_first: challenge_every > 0 && serial % challenge_every == 0,
            });
        }
    }
    Ok(voters)
}

/// `n` synthetic voters at one station (for a device run on its own): voter groups in the
/// proportions of the station's roll, choices as in [`synthetic_voters`].
pub fn synthetic_station_voters(
    election: &Election,
    seed: u64,
    station: &str,
    n: u64,
    challenge_every: u64,
) -> Result<Vec<Voter>, RecordError> {
    let m = election.manifest();
    let s = m
        .polling_stations()
        .iter()
        .find(|s| s.id.as_str() == station)
        .ok_or_else(|| RecordError::Manifest(format!("{station} is not a polling station")))?;
    let weights = contest_weights(m, seed);
    let mut rng = rng_for(seed, &format!("voters/{station}"));
    let roll = shuffled_roll(s, &mut rng);
    let mut voters = Vec::new();
    for i in 0..n {
        let group = usize::try_from(i)
            .ok()
            .and_then(|i| roll.get(i.checked_rem(roll.len())?))
            .cloned()
            .flatten();
        let choices = synthetic_choices(election, &weights, station, group.as_deref(), &mut rng)?;
        voters.push(Voter {
            station: station.to_owned(),
            group,
            choices,
            challenge_first: challenge_every > 0 && (i + 1) % challenge_every == 0,
        });
    }
    Ok(voters)
}

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

    // 3. ballots, one device per station, stations in parallel; remote voters apart
    let mut by_station: BTreeMap<&str, Vec<&Voter>> = BTreeMap::new();
    let mut remote_voters: Vec<&Voter> = Vec::new();
    for (i, v) in (1u64..).zip(voters) {
        if options.remote_every > 0 && i % options.remote_every == 0 {
            remote_voters.push(v);
        } else {
            by_station.entry(v.station.as_str()).or_default().push(v);
        }
    }
    progress.start("encrypting ballots", voters.len() as u64);
    let stations: Vec<(&str, Vec<&Voter>)> = by_station.into_iter().collect();
    let outputs: Vec<Result<DeviceRun, RecordError>> = stations
        .par_iter()
        .map(|(station, vs)| run_device(&election, &ctx, options.seed, station, vs, progress))
        .collect();
    progress.finish();
    let mut devices = Vec::with_capacity(outputs.len());
    let mut station_tallies: Tallies = BTreeMap::new();
    let mut figures = Figures {
        registered: election.manifest().registered_total(),
        stations: election.manifest().polling_stations().len() as u64,
        ..Figures::default()
    };
    for o in outputs {
        let run = o?;
        figures.cast += run.lines.iter().filter(|l| l.status == "cast").count() as u64;
        figures.challenged += run
            .lines
            .iter()
            .filter(|l| l.status == "challenged")
            .count() as u64;
        station_tallies.extend(run.tallies);
        devices.push((run.lines, run.device));
    }
    let districts = districts_of(h, devices)?;
    let mut remote_credentials = Vec::new();
    let remote = if options.remote_every > 0 {
        let (r, secrets) = remote_ballots(&election, &ctx, options.seed, &remote_voters)?;
        remote_credentials = secrets;
        for (line, contests) in r.counted() {
            add_to_station(&mut station_tallies, &line.ballot.station, contests);
        }
        figures.remote = r.counted().count() as u64;
        figures.remote_superseded = r.lines.len() as u64 - figures.remote;
        Some(r)
    } else {
        None
    };

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
    let results = results_of(&election, &tallies, &disclosure, &targets, &counts)?;

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
        remote: remote.as_ref(),
    })?;
    Ok(ElectionRun {
        files: with_index(files)?,
        results,
        figures,
        remote_credentials,
    })
}

/// The remote voters' ballots as the board would hold them: the credential authority issues
/// one credential per remote voter (the list is log entry 0); each voter's envelopes follow in
/// turn, one in three voters first casting a ballot marking the first candidate of every
/// contest and then their own, which replaces it.
fn remote_ballots(
    election: &Election,
    ctx: &BallotContext,
    seed: u64,
    voters: &[&Voter],
) -> Result<(CheckedRemote, Vec<VoterCredential>), RecordError> {
    let mut rng = rng_for(seed, "credentials");
    let registrations: Vec<Registration> = voters
        .iter()
        .map(|v| Registration {
            station: v.station.clone(),
            group: v.group.clone(),
        })
        .collect();
    let (list, secrets) = issue(*election.fingerprint().as_bytes(), &registrations, &mut rng);
    let mut entries: Vec<(u64, Envelope)> = Vec::new();
    let mut contests: BTreeMap<u64, Vec<EncryptedContest>> = BTreeMap::new();
    let mut index = 0u64;
    let mut rng = rng_for(seed, "remote-ballots");
    for (i, (v, credential)) in voters.iter().zip(&secrets).enumerate() {
        let mut ballots = Vec::new();
        if i % 3 == 0 {
            let style = election.style(&v.station, v.group.as_deref())?;
            let first: BTreeMap<String, Vec<String>> = style
                .iter()
                .filter_map(|c| {
                    let id = election.descriptions().get(c)?.selection_ids().first()?;
                    Some((c.clone(), vec![id.clone()]))
                })
                .collect();
            ballots.push(first);
        }
        ballots.push(v.choices.clone());
        for choices in &ballots {
            index += 1;
            let (e, cs) = cast_remote(election, ctx, credential, choices, &mut rng)?;
            entries.push((index, e));
            contests.insert(index, cs);
        }
    }
    let lines = lines_from_entries(entries).map_err(|(i, e)| RecordError::Ballot {
        device: format!("remote ballot {i}"),
        reason: e.to_string(),
    })?;
    let contests = lines
        .iter()
        .map(|l| contests.remove(&l.index).unwrap_or_default())
        .collect();
    let remote = CheckedRemote {
        list_bytes: list.to_bytes(),
        lines,
        contests,
    };
    Ok((remote, secrets))
}

fn run_device(
    election: &Election,
    ctx: &BallotContext,
    seed: u64,
    station: &str,
    voters: &[&Voter],
    progress: &dyn Progress,
) -> Result<DeviceRun, RecordError> {
    let mut rng = rng_for(seed, &format!("device/{station}"));
    steps::run_device(
        election,
        ctx,
        &format!("{station}-d1"),
        station,
        voters,
        &mut rng,
        progress,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn cast_is_the_rounded_turnout_but_at_least_k() {
        // 420 × 60 % = 252; 250 × 45 % = 112.5, rounded to 113; 10 × 45 % = 4.5 → 5, raised to
        // K = 10; a roll of 3 below K: all 3 vote.
        assert_eq!(station_cast(420, 60, 10), 252);
        assert_eq!(station_cast(250, 45, 10), 113);
        assert_eq!(station_cast(10, 45, 10), 10);
        assert_eq!(station_cast(3, 85, 10), 3);
    }

    #[test]
    fn turnout_varies_between_45_and_85_percent() {
        let t: Vec<u64> = (0..200)
            .map(|i| station_turnout(1, &format!("station-{i}")))
            .collect();
        assert!(t.iter().all(|x| (45..=85).contains(x)), "{t:?}");
        // 200 draws over 41 values: both ends of the range are far apart
        assert!(
            t.iter().max().unwrap() - t.iter().min().unwrap() >= 30,
            "{t:?}"
        );
        // fixed by the seed and the station
        assert_eq!(station_turnout(1, "station-7"), t[7]);
    }
}
