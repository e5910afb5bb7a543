//! Property: breaking one rule anywhere in a valid manifest gives exactly one problem, at the
//! field the rule names. Each "tweak" breaks one rule at a chosen place in the worked example.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use sanduq_election::raw::RawManifest;
use sanduq_election::{Manifest, ManifestError, ProblemKind};

const EXAMPLE: &str = include_str!("data/example.toml");

/// One rule broken at one place. Indices are taken modulo the list they index.
#[derive(Debug, Clone)]
enum Tweak {
    SeatsZero(usize),
    SeatsAboveCandidates(usize),
    ReservedAboveSeats(usize),
    DuplicateBallotNumber(usize, usize),
    StationParentNotCentre(usize),
    EmptyCandidateName(usize, usize, u8),
    BadSeed(String),
    UnknownOffice(usize),
}

fn tweak() -> impl Strategy<Value = Tweak> {
    prop_oneof![
        (0usize..4).prop_map(Tweak::SeatsZero),
        (0usize..3).prop_map(Tweak::SeatsAboveCandidates),
        (0usize..3).prop_map(Tweak::ReservedAboveSeats),
        (0usize..4, 0usize..8).prop_map(|(c, k)| Tweak::DuplicateBallotNumber(c, k)),
        (0usize..4).prop_map(Tweak::StationParentNotCentre),
        (0usize..4, 0usize..8, 0u8..3).prop_map(|(c, k, l)| Tweak::EmptyCandidateName(c, k, l)),
        // Short or odd-length hex, or a non-hex character.
        prop_oneof!["[0-9a-f]{0,31}", "[0-9a-f]{33}", "[0-9a-f]{31}[g-z]"].prop_map(Tweak::BadSeed),
        (0usize..4).prop_map(Tweak::UnknownOffice),
    ]
}

/// Applies the tweak and returns the path where the problem must be reported.
fn apply(r: &mut RawManifest, t: &Tweak) -> (String, fn(&ProblemKind) -> bool) {
    match t {
        Tweak::SeatsZero(c) => {
            r.contests[*c].seats = 0;
            (format!("contests[{c}].seats"), |k| {
                matches!(k, ProblemKind::OutOfRange { .. })
            })
        }
        Tweak::SeatsAboveCandidates(c) => {
            // Contests 1..=3 are SNTV (contest 0 is single-winner).
            let c = c + 1;
            r.contests[c].seats = r.contests[c].candidates.len() as i64 + 1;
            (format!("contests[{c}].seats"), |k| {
                matches!(k, ProblemKind::SeatsExceedCandidates { .. })
            })
        }
        Tweak::ReservedAboveSeats(c) => {
            let c = c + 1;
            r.contests[c].reserved_women = Some(r.contests[c].seats + 1);
            (format!("contests[{c}].reserved_women"), |k| {
                matches!(k, ProblemKind::ReservedExceedsSeats { .. })
            })
        }
        Tweak::DuplicateBallotNumber(c, k) => {
            let n = r.contests[*c].candidates.len();
            let k = 1 + k % (n - 1);
            r.contests[*c].candidates[k].ballot_number = r.contests[*c].candidates[0].ballot_number;
            (
                format!("contests[{c}].candidates[{k}].ballot_number"),
                |k| matches!(k, ProblemKind::DuplicateBallotNumber { .. }),
            )
        }
        Tweak::StationParentNotCentre(s) => {
            let centre = r.polling_stations[*s].parent.clone();
            let district = r
                .polling_centres
                .iter()
                .find(|c| c.id == centre)
                .unwrap()
                .parent
                .clone();
            r.polling_stations[*s].parent = district;
            (format!("polling_stations[{s}].parent"), |k| {
                matches!(k, ProblemKind::WrongParentKind { .. })
            })
        }
        Tweak::EmptyCandidateName(c, k, lang) => {
            let k = k % r.contests[*c].candidates.len();
            let name = &mut r.contests[*c].candidates[k].name;
            let (field, key) = match lang {
                0 => (&mut name.en, "en"),
                1 => (&mut name.fa_af, "fa-AF"),
                _ => (&mut name.ps, "ps"),
            };
            field.clear();
            (format!("contests[{c}].candidates[{k}].name.{key}"), |k| {
                matches!(k, ProblemKind::Empty)
            })
        }
        Tweak::BadSeed(s) => {
            r.tie_break_seed = s.clone();
            ("tie_break_seed".to_owned(), |k| {
                matches!(k, ProblemKind::BadSeed(_))
            })
        }
        Tweak::UnknownOffice(c) => {
            r.contests[*c].office = "senate".to_owned();
            (format!("contests[{c}].office"), |k| {
                matches!(k, ProblemKind::UnknownReference { .. })
            })
        }
    }
}

proptest! {
    #[test]
    fn one_broken_rule_one_problem_at_its_field(t in tweak()) {
        let mut r: RawManifest = toml::from_str(EXAMPLE).unwrap();
        let (path, kind) = apply(&mut r, &t);
        match Manifest::from_raw(&r) {
            Err(ManifestError::Invalid(p)) => {
                prop_assert_eq!(p.len(), 1, "{:#?}", p);
                prop_assert_eq!(&p[0].path, &path);
                prop_assert!(kind(&p[0].kind), "{:?}", p[0].kind);
            }
            other => prop_assert!(false, "{:?} accepted: {:?}", t, other.map(|_| ())),
        }
    }

    #[test]
    fn two_broken_rules_two_problems(a in 0usize..4, b in 0usize..4) {
        // Seats 0 in one contest and an unknown office in another: both reported.
        prop_assume!(a != b);
        let mut r: RawManifest = toml::from_str(EXAMPLE).unwrap();
        let (pa, _) = apply(&mut r, &Tweak::SeatsZero(a));
        let (pb, _) = apply(&mut r, &Tweak::UnknownOffice(b));
        let p = Manifest::from_raw(&r).unwrap_err();
        let mut paths: Vec<&str> = p.problems().iter().map(|x| x.path.as_str()).collect();
        paths.sort_unstable();
        let mut want = vec![pa.as_str(), pb.as_str()];
        want.sort_unstable();
        prop_assert_eq!(paths, want);
    }
}
