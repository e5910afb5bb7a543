//! The elections of the validator's tests and of the load benchmark, and ballots made the
//! way a polling-station device and a remote voter make them (with `sanduq-record` and
//! `sanduq-crypto`, not with the validator's code).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    missing_docs,
    unreachable_pub
)]

use rand_core::CryptoRng;
use sanduq_crypto::contest::encrypt_contest;
use sanduq_crypto::elgamal::mul_g;
use sanduq_crypto::{BallotContext, ElectionKey, Element, SecretScalar};
use sanduq_election::Manifest;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::chain::{chain_start, confirmation_code};
use sanduq_record::protocol::{Election, contest_to_wire};
use sanduq_record::wire::{BallotBody, BallotLine, ContestWire, to_canonical};

/// The seed of the generator H of the test elections.
pub const GENERATOR_SEED: &[u8] = b"sanduq board validator tests";

/// The demo manifest (34 provinces, a "kuchi" voter group), cut down. With `reference`, the
/// only contest is the presidential one with 20 candidates, vote for 1: the reference
/// ballot of the performance targets. Otherwise every contest is kept with at most 3
/// candidates, so that ballot styles differ from province to province.
pub fn manifest(reference: bool) -> Manifest {
    let mut raw = generate(&DemoParams {
        voters: 150,
        privacy_threshold: 2,
        kuchi_permille: 60,
        seed: 7,
        ..DemoParams::default()
    })
    .unwrap()
    .to_raw();
    if reference {
        raw.contests.retain(|c| c.method == "two-round");
        let c = &mut raw.contests[0];
        let template = c.candidates[0].clone();
        c.candidates = (0..20)
            .map(|i| {
                let mut k = template.clone();
                k.id = format!("p{i:02}");
                k.ballot_number = i + 1;
                k.name.en = format!("Candidate {i}");
                k.name.fa_af = format!("نامزد {i}");
                k.name.ps = format!("کاندید {i}");
                k.symbol = format!("symbol-{i}");
                k.party = None;
                k
            })
            .collect();
    } else {
        for c in &mut raw.contests {
            let seats = c.seats.min(1);
            c.seats = seats;
            if c.reserved_women.is_some() {
                c.reserved_women = Some(0);
            }
            if c.candidates.len() > 3 {
                c.candidates.truncate(3);
            }
        }
    }
    Manifest::from_raw(&raw).unwrap()
}

/// The election and a ballot context with a joint key from a fixed secret.
pub fn setup(reference: bool) -> (Election, BallotContext) {
    let election = Election::setup(manifest(reference), GENERATOR_SEED).unwrap();
    let mut rng = rng(99);
    let s = SecretScalar::random(&mut rng);
    let key = ElectionKey::new(Element::from_point("joint key", mul_g(s.expose())).unwrap());
    let ctx = BallotContext {
        fingerprint: *election.fingerprint(),
        key,
    };
    (election, ctx)
}

pub fn rng(seed: u64) -> rand_chacha::ChaCha20Rng {
    use rand_core::SeedableRng as _;
    rand_chacha::ChaCha20Rng::seed_from_u64(seed)
}

/// Encrypts a ballot of the style of `group` at `station`: a vote for the first candidate
/// of every contest, proofs made in `ctx`.
pub fn contests<R: CryptoRng + ?Sized>(
    election: &Election,
    ctx: &BallotContext,
    station: &str,
    group: Option<&str>,
    rng: &mut R,
) -> Vec<ContestWire> {
    election
        .style(station, group)
        .unwrap()
        .iter()
        .map(|cid| {
            let desc = &election.descriptions()[cid];
            let mut pt = vec![0u64; desc.selection_ids().len()];
            pt[0] = 1;
            contest_to_wire(&encrypt_contest(ctx, desc, &pt, rng).unwrap())
        })
        .collect()
}

/// A polling-station device chaining confirmation codes (record spec §4).
#[derive(Debug)]
pub struct Device {
    pub id: String,
    pub station: String,
    fingerprint: [u8; 32],
    last: [u8; 32],
    seq: u64,
}

impl Device {
    pub fn new(election: &Election, id: &str, station: &str) -> Self {
        let fingerprint = *election.fingerprint().as_bytes();
        Self::with_fingerprint(fingerprint, id, station)
    }

    /// A device that believes the election's fingerprint is `fingerprint`.
    pub fn with_fingerprint(fingerprint: [u8; 32], id: &str, station: &str) -> Self {
        Self {
            id: id.to_owned(),
            station: station.to_owned(),
            fingerprint,
            last: chain_start(&fingerprint, id),
            seq: 0,
        }
    }

    /// The next cast ballot line carrying these contests, its code chained.
    pub fn line(&mut self, group: Option<&str>, contests: Vec<ContestWire>) -> BallotLine {
        self.line_at(&self.station.clone(), group, contests)
    }

    /// As [`Device::line`], with another station written into the ballot.
    pub fn line_at(
        &mut self,
        station: &str,
        group: Option<&str>,
        contests: Vec<ContestWire>,
    ) -> BallotLine {
        let body = BallotBody {
            device: self.id.clone(),
            seq: self.seq + 1,
            station: station.to_owned(),
            group: group.map(str::to_owned),
            contests,
        };
        let code = confirmation_code(
            &self.fingerprint,
            &self.id,
            &self.last,
            &to_canonical(&body).unwrap(),
        );
        let line = BallotLine {
            ballot: body,
            prev_code: hex::encode(self.last),
            code: hex::encode(code),
            status: "cast".to_owned(),
            opening: None,
        };
        self.last = code;
        self.seq += 1;
        line
    }

    /// A fresh cast ballot of the device's station.
    pub fn cast<R: CryptoRng + ?Sized>(
        &mut self,
        election: &Election,
        ctx: &BallotContext,
        group: Option<&str>,
        rng: &mut R,
    ) -> BallotLine {
        let c = contests(election, ctx, &self.station.clone(), group, rng);
        self.line(group, c)
    }
}

/// The canonical JSON of a ballot line (a `ballot` artefact).
pub fn line_bytes(line: &BallotLine) -> Vec<u8> {
    to_canonical(line).unwrap()
}

/// The canonical JSON of a remote ballot, written from the contract's text.
pub fn remote_ballot_bytes(
    credential: &[u8; 32],
    station: &str,
    group: Option<&str>,
    contests: &[ContestWire],
) -> Vec<u8> {
    let mut v = serde_json::json!({
        "contests": contests,
        "credential": hex::encode(credential),
        "format": "sanduq-remote-ballot/0.1",
        "station": station,
    });
    if let Some(g) = group {
        v["group"] = serde_json::Value::String(g.to_owned());
    }
    to_canonical(&v).unwrap()
}

/// Two stations whose ballot styles differ, and a station with voters of group "kuchi".
pub fn stations(election: &Election) -> (String, String, String) {
    let ps = election.manifest().polling_stations();
    let first = ps[0].id.as_str().to_owned();
    let style = election.style(&first, None).unwrap();
    let other = ps
        .iter()
        .map(|s| s.id.as_str().to_owned())
        .find(|s| election.style(s, None).unwrap() != style)
        .unwrap_or_else(|| first.clone());
    let kuchi = ps
        .iter()
        .find(|s| s.groups.keys().any(|g| g.as_str() == "kuchi"))
        .map(|s| s.id.as_str().to_owned())
        .unwrap();
    (first, other, kuchi)
}
