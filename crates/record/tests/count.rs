//! Winners and reserved seats from verified totals, against the pinned test vector of
//! `shared/docs/domain.md` scenario S9 (Helmand-like constituency, M = 8, W = 2).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use sanduq_election::Manifest;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::protocol::count_contest;

/// The demo manifest with Helmand's Wolesi Jirga contest replaced by the S9 candidates.
fn s9_manifest(rule: &str) -> (Manifest, String) {
    let mut raw = generate(&DemoParams {
        voters: 136,
        privacy_threshold: 2,
        ..DemoParams::default()
    })
    .unwrap()
    .to_raw();
    let c = raw
        .contests
        .iter_mut()
        .find(|c| c.id.starts_with("wj-af-hel"))
        .unwrap();
    let id = c.id.clone();
    let template = c.candidates[0].clone();
    let genders = ["m", "m", "f", "m", "m", "m", "m", "m", "f", "f", "m"];
    c.candidates = genders
        .iter()
        .zip('A'..='K')
        .enumerate()
        .map(|(i, (g, letter))| {
            let mut k = template.clone();
            k.id = letter.to_string();
            k.ballot_number = i64::try_from(i + 1).unwrap();
            k.gender = (*g).to_owned();
            k.name.en = format!("Candidate {letter}");
            k.name.fa_af = format!("نامزد {}", i + 1);
            k.name.ps = format!("کاندید {}", i + 1);
            k.symbol = format!("symbol-{letter}");
            k.party = None;
            k
        })
        .collect();
    c.seats = 8;
    c.reserved_women = Some(2);
    c.reserved_rule = Some(rule.to_owned());
    (Manifest::from_raw(&raw).unwrap(), id)
}

const VOTES: [u64; 11] = [
    9000, 8000, 7500, 7000, 6000, 5000, 4500, 4000, 3000, 2500, 2000,
];

#[test]
fn s9_minimum_by_replacement() {
    let (m, id) = s9_manifest("reserve-first");
    let r = count_contest(&m, &id, VOTES.iter().sum(), Some(&VOTES)).unwrap();
    // domain.md S9: A B C D E F G I (2 women); H is replaced by I.
    let mut elected = r.elected.clone();
    elected.sort();
    assert_eq!(elected, ["A", "B", "C", "D", "E", "F", "G", "I"]);
    // C wins on her own votes; I only through the reservation.
    assert_eq!(r.reserved_elected, ["I"]);
    assert_eq!(r.status, "counted");
    assert_eq!(r.totals["H"], 4000);
}

#[test]
fn s9_open_seats_then_women() {
    let (m, id) = s9_manifest("open-then-extra");
    let r = count_contest(&m, &id, VOTES.iter().sum(), Some(&VOTES)).unwrap();
    // domain.md S9, the HRW variant: A B C D E F I J (3 women).
    let mut elected = r.elected.clone();
    elected.sort();
    assert_eq!(elected, ["A", "B", "C", "D", "E", "F", "I", "J"]);
    let mut reserved = r.reserved_elected.clone();
    reserved.sort();
    assert_eq!(reserved, ["I", "J"]);
}

#[test]
fn withheld_contest_elects_no_one() {
    let (m, id) = s9_manifest("reserve-first");
    let r = count_contest(&m, &id, 3, None).unwrap();
    assert_eq!(r.status, "withheld");
    assert!(r.elected.is_empty() && r.totals.is_empty());
}
