//! The spec's worked example (`tests/data/example.toml`): it parses, its canonical bytes and
//! digest match values computed independently, and its ballot styles follow the rule.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use sanduq_election::canonical::{DIGEST_TAG, tagged_sha256};
use sanduq_election::raw::RawManifest;
use sanduq_election::{Gender, Manifest, Method, ReservedRule, Scope, StationGender, Status};
use sha2::{Digest, Sha256};

const EXAMPLE: &str = include_str!("data/example.toml");

/// Computed once by hand from the documented encoding, independently of this crate: the example
/// writes every default out, so its canonical encoding is its TOML document as sorted, compact
/// JSON. With Python 3.11+ in `tests/data/`:
///
/// ```text
/// python3 -c 'import tomllib,json,hashlib,struct
/// b=json.dumps(tomllib.load(open("example.toml","rb")),sort_keys=True,separators=(",",":"),ensure_ascii=False).encode()
/// t=b"sanduq/v0.1/manifest-digest"
/// print(len(b),hashlib.sha256(b).hexdigest())
/// print(hashlib.sha256(struct.pack(">Q",len(t))+t+struct.pack(">Q",len(b))+b).hexdigest())'
/// ```
const CANONICAL_LEN: usize = 5714;
const CANONICAL_SHA256: &str = "461eeb3e03a3af10a7992d26e86d6a829472a47fd3c623a6d6d4429fb74bf850";
const DIGEST: &str = "a98f6fd92bb998e76ffc5daba30c3b51d3a86334a33d2ceedf038a4ec8ff2269";

fn example() -> Manifest {
    Manifest::parse(EXAMPLE).unwrap()
}

#[test]
fn example_parses_into_the_expected_model() {
    let m = example();
    assert_eq!(m.election_id().as_str(), "example-2026");
    assert_eq!(m.privacy_threshold(), 10);
    assert_eq!(m.tie_break_seed(), [0x5e, 0xed].repeat(8).as_slice());
    assert_eq!(m.jurisdictions().len(), 5);
    assert_eq!(m.polling_centres().len(), 2);
    assert_eq!(m.polling_stations().len(), 4);
    let s = m.polling_station("af-bam-d01-c001-w1").unwrap();
    assert_eq!(s.gender, StationGender::Women);
    assert_eq!(
        (s.ballot_cap, s.registered, s.status),
        (600, 250, Status::Planned)
    );
    assert_eq!(s.groups.get("kuchi"), Some(&12));
    assert_eq!(s.general_voters(), 238);
    assert_eq!(
        m.polling_station("af-kab-d01-c001-w1").unwrap().status,
        Status::Closed
    );
    // 420 + 250 + 580 + 310 registered, 35 + 12 Kuchi.
    assert_eq!(m.registered_total(), 1560);
    assert_eq!(m.group_totals().get("kuchi"), Some(&47));
    let wj = m.contest("wj-af-kab").unwrap();
    assert_eq!(
        (wj.seats, wj.reserved_women, wj.method),
        (2, 1, Method::Sntv)
    );
    assert_eq!(wj.reserved_rule, ReservedRule::OpenThenExtra);
    assert_eq!(wj.women_standing(), 2);
    assert_eq!(wj.candidates[1].gender, Gender::Female);
    assert_eq!(wj.candidates[1].name.fa_af, "رویا امیری");
    let pres = m.contest("president").unwrap();
    assert_eq!(pres.method, Method::TwoRound);
    assert_eq!(
        pres.candidates[0].photo.as_deref(),
        Some("photos/president/c0001.jpg")
    );
    assert_eq!(
        pres.candidates[1].party.as_ref().unwrap().as_str(),
        "p-unity"
    );
    assert!(matches!(
        &m.constituency("kuchi").unwrap().scope,
        Scope::Group { voter_group, jurisdictions, .. } if voter_group.as_str() == "kuchi" && jurisdictions.is_empty()
    ));
    let chain: Vec<&str> = m
        .ancestry("af-bam-d01-c001-m1")
        .iter()
        .map(|i| i.as_str())
        .collect();
    assert_eq!(
        chain,
        [
            "af-bam-d01-c001-m1",
            "af-bam-d01-c001",
            "af-bam-d01",
            "af-bam",
            "af"
        ]
    );
}

#[test]
fn roll_summary_adds_up_the_stations() {
    let m = example();
    let r = m.roll_summary();
    // From the example file: Bamyan men 420 (35 Kuchi), women 250 (12 Kuchi);
    // Kabul men 580, women 310, no group voters.
    let bam = &r["af-bam"];
    assert_eq!(
        (bam.stations, bam.registered, bam.men, bam.women),
        (2, 670, 420, 250)
    );
    assert_eq!(bam.groups["kuchi"], 47);
    let kab = &r["af-kab-d01-c001"];
    assert_eq!(
        (kab.stations, kab.registered, kab.men, kab.women),
        (2, 890, 580, 310)
    );
    assert!(kab.groups.is_empty());
    let nation = &r["af"];
    assert_eq!(
        (nation.stations, nation.registered, nation.men, nation.women),
        (4, 1560, 1000, 560)
    );
    assert_eq!(r["af-bam-d01-c001-w1"].registered, 250);
    assert_eq!(r.len(), 5 + 2 + 4);
}

#[test]
fn count_options_follow_the_count_contract() {
    let m = example();
    let seed = "5eed".repeat(8);
    let opts = m
        .contest("wj-af-kab")
        .unwrap()
        .count_options(m.tie_break_seed());
    assert_eq!(
        opts,
        [
            "--method",
            "sntv",
            "--seats",
            "2",
            "--reserved",
            "1",
            "--reserved-rule",
            "open-then-extra",
            "--seed",
            &seed,
        ]
    );
    let opts = m
        .contest("president")
        .unwrap()
        .count_options(m.tie_break_seed());
    assert_eq!(
        opts,
        ["--method", "two-round", "--seats", "1", "--seed", &seed]
    );
}

#[test]
fn canonical_bytes_match_the_frozen_snapshot() {
    let bytes = example().canonical_bytes();
    assert_eq!(bytes.len(), CANONICAL_LEN);
    assert_eq!(hex::encode(Sha256::digest(&bytes)), CANONICAL_SHA256);
    assert_eq!(hex::encode(example().manifest_digest()), DIGEST);
    assert_eq!(hex::encode(tagged_sha256(DIGEST_TAG, &bytes)), DIGEST);
    // Canonical JSON: no whitespace outside strings, sorted keys, raw UTF-8.
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("{\"constituencies\":[{\"id\":\"national\",\"jurisdictions\":[\"af\"],\"kind\":\"geographic\""));
    assert!(text.contains("\"fa-AF\":\"انتخابات نمونه\""));
}

#[test]
fn defaults_left_out_give_the_same_bytes() {
    let mut raw: RawManifest = toml::from_str(EXAMPLE).unwrap();
    raw.privacy_threshold = None;
    for c in &mut raw.polling_centres {
        c.status = None;
    }
    for s in &mut raw.polling_stations {
        s.ballot_cap = None;
        if s.status.as_deref() == Some("planned") {
            s.status = None;
        }
    }
    raw.constituencies[3].group_ballot = None;
    for c in &mut raw.contests {
        c.round = None;
        c.selection_limit = None;
        c.min_selections = None;
        c.max_selections = None;
        if c.reserved_women == Some(0) {
            c.reserved_women = None;
        }
        if c.reserved_rule.as_deref() == Some("reserve-first") {
            c.reserved_rule = None;
        }
    }
    let m = Manifest::from_raw(&raw).unwrap();
    assert_eq!(m, example());
    assert_eq!(hex::encode(m.manifest_digest()), DIGEST);
}

#[test]
fn any_change_changes_the_manifest_digest() {
    let text = EXAMPLE.replacen("registered = 310", "registered = 311", 1);
    let m = Manifest::parse(&text).unwrap();
    assert_ne!(hex::encode(m.manifest_digest()), DIGEST);
}

#[test]
fn toml_round_trip() {
    let m = example();
    let text = m.to_toml().unwrap();
    let back = Manifest::parse(&text).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.canonical_bytes(), m.canonical_bytes());
}

fn style<'a>(m: &'a Manifest, station: &str, group: Option<&str>) -> Vec<&'a str> {
    m.ballot_style(station, group, 1)
        .unwrap()
        .into_iter()
        .map(|i| i.as_str())
        .collect()
}

#[test]
fn ballot_styles_of_the_example() {
    let m = example();
    // A voter in no group in Bamyan: the presidential and Bamyan's WJ ballots.
    assert_eq!(
        style(&m, "af-bam-d01-c001-m1", None),
        ["president", "wj-af-bam"]
    );
    // A Kuchi voter there: the Kuchi WJ ballot instead of Bamyan's, still the presidential one.
    assert_eq!(
        style(&m, "af-bam-d01-c001-m1", Some("kuchi")),
        ["president", "wj-kuchi"]
    );
    assert_eq!(
        style(&m, "af-kab-d01-c001-w1", None),
        ["president", "wj-af-kab"]
    );
    assert_eq!(
        style(&m, "af-kab-d01-c001-w1", Some("kuchi")),
        ["president", "wj-kuchi"]
    );
    // No round-2 contests.
    assert!(
        m.ballot_style("af-kab-d01-c001-w1", None, 2)
            .unwrap()
            .is_empty()
    );
    assert!(m.ballot_style("nowhere", None, 1).is_err());
    assert!(
        m.ballot_style("af-kab-d01-c001-w1", Some("nomads"), 1)
            .is_err()
    );
    // Styles in use: 4 stations in no group + the 2 Bamyan stations with Kuchi voters.
    let styles = m.ballot_styles(1);
    assert_eq!(styles.len(), 6);
}

#[test]
fn additional_group_ballot_adds_to_the_geographic_one() {
    let text = EXAMPLE.replacen(
        "group_ballot = \"instead\"",
        "group_ballot = \"additional\"",
        1,
    );
    let m = Manifest::parse(&text).unwrap();
    assert_eq!(
        style(&m, "af-bam-d01-c001-m1", Some("kuchi")),
        ["president", "wj-af-bam", "wj-kuchi"]
    );
}

#[test]
fn group_constituency_limited_to_some_jurisdictions() {
    let text = EXAMPLE.replacen(
        "voter_group = \"kuchi\"\ngroup_ballot",
        "voter_group = \"kuchi\"\njurisdictions = [\"af-kab\"]\ngroup_ballot",
        1,
    );
    let m = Manifest::parse(&text).unwrap();
    // Outside its jurisdictions the group contest neither appears nor replaces anything.
    assert_eq!(
        style(&m, "af-bam-d01-c001-m1", Some("kuchi")),
        ["president", "wj-af-bam"]
    );
    assert_eq!(
        style(&m, "af-kab-d01-c001-m1", Some("kuchi")),
        ["president", "wj-kuchi"]
    );
}
