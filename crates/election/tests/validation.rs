//! Every validation rule of `docs/spec/manifest.md` ("Validation"): a manifest that breaks it,
//! and the exact field path and problem kind expected in the error.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use sanduq_election::raw::RawManifest;
use sanduq_election::{IdError, Manifest, ManifestError, Problem, ProblemKind, RefKind};

const EXAMPLE: &str = include_str!("data/example.toml");

fn base() -> RawManifest {
    toml::from_str(EXAMPLE).unwrap()
}

fn problems(raw: &RawManifest) -> Vec<Problem> {
    match Manifest::from_raw(raw) {
        Err(ManifestError::Invalid(p)) => p,
        other => panic!("expected an invalid manifest, got {other:?}"),
    }
}

/// Asserts that a problem at exactly `path` satisfies `kind`, and returns all problems.
fn expect(raw: &RawManifest, path: &str, kind: impl Fn(&ProblemKind) -> bool) -> Vec<Problem> {
    let all = problems(raw);
    assert!(
        all.iter().any(|p| p.path == path && kind(&p.kind)),
        "no matching problem at {path}; got {all:#?}"
    );
    all
}

#[test]
fn the_example_is_valid() {
    Manifest::from_raw(&base()).unwrap();
}

#[test]
fn unsupported_format() {
    let mut r = base();
    r.format = "sanduq-manifest/9.9".into();
    expect(
        &r,
        "format",
        |k| matches!(k, ProblemKind::UnsupportedFormat { found, .. } if found == "sanduq-manifest/9.9"),
    );
}

#[test]
fn unknown_field_is_a_syntax_error_with_position() {
    let text = EXAMPLE.replacen(
        "privacy_threshold = 10",
        "privacy_threshold = 10\nquorum = 3",
        1,
    );
    match Manifest::parse(&text) {
        Err(ManifestError::Syntax { line, message, .. }) => {
            // The example's line 8 is `privacy_threshold = 10`; the unknown key follows it.
            assert_eq!(line, 9);
            assert!(
                message.contains("unknown field") && message.contains("quorum"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let text = EXAMPLE.replacen(
        "symbol = \"book\"",
        "symbol = \"book\"\ncolour = \"red\"",
        1,
    );
    assert!(matches!(
        Manifest::parse(&text),
        Err(ManifestError::Syntax { .. })
    ));
}

#[test]
fn bad_identifiers() {
    let mut r = base();
    r.jurisdictions[1].id = "af bam".into();
    expect(&r, "jurisdictions[1].id", |k| {
        matches!(
            k,
            ProblemKind::BadId {
                reason: IdError::BadChar {
                    ch: ' ',
                    position: 2
                },
                ..
            }
        )
    });
    let mut r = base();
    r.contests[0].id = "x".repeat(65);
    expect(&r, "contests[0].id", |k| {
        matches!(
            k,
            ProblemKind::BadId {
                reason: IdError::TooLong { len: 65 },
                ..
            }
        )
    });
    let mut r = base();
    r.election_id = String::new();
    expect(&r, "election_id", |k| {
        matches!(
            k,
            ProblemKind::BadId {
                reason: IdError::Empty,
                ..
            }
        )
    });
}

#[test]
fn duplicate_ids_in_each_namespace() {
    let dup = |first: &'static str| move |k: &ProblemKind| matches!(k, ProblemKind::DuplicateId { first: f, .. } if f == first);
    let mut r = base();
    r.jurisdictions[3].id = "af-bam".into();
    expect(&r, "jurisdictions[3].id", dup("jurisdictions[1].id"));
    // Jurisdictions, centres and stations share one namespace.
    let mut r = base();
    r.polling_stations[0].id = "af-kab-d01".into();
    expect(&r, "polling_stations[0].id", dup("jurisdictions[4].id"));
    let mut r = base();
    r.polling_centres[1].id = "af-bam-d01-c001".into();
    expect(&r, "polling_centres[1].id", dup("polling_centres[0].id"));
    let mut r = base();
    r.voter_groups.push(r.voter_groups[0].clone());
    expect(&r, "voter_groups[1].id", dup("voter_groups[0].id"));
    let mut r = base();
    r.parties.push(r.parties[0].clone());
    expect(&r, "parties[1].id", dup("parties[0].id"));
    let mut r = base();
    r.offices[1].id = "president".into();
    expect(&r, "offices[1].id", dup("offices[0].id"));
    let mut r = base();
    r.constituencies[2].id = "national".into();
    expect(&r, "constituencies[2].id", dup("constituencies[0].id"));
    let mut r = base();
    r.contests[3].id = "wj-af-bam".into();
    expect(&r, "contests[3].id", dup("contests[1].id"));
    let mut r = base();
    r.contests[1].candidates[2].id = "c0001".into();
    expect(
        &r,
        "contests[1].candidates[2].id",
        dup("contests[1].candidates[0].id"),
    );
}

#[test]
fn unknown_references() {
    let unknown = |kind: RefKind, id: &'static str| move |k: &ProblemKind| matches!(k, ProblemKind::UnknownReference { kind: kk, id: i } if *kk == kind && i == id);
    let mut r = base();
    r.jurisdictions[2].parent = Some("af-xyz".into());
    expect(
        &r,
        "jurisdictions[2].parent",
        unknown(RefKind::Jurisdiction, "af-xyz"),
    );
    let mut r = base();
    r.polling_stations[3].parent = "nowhere".into();
    expect(
        &r,
        "polling_stations[3].parent",
        unknown(RefKind::Jurisdiction, "nowhere"),
    );
    let mut r = base();
    r.constituencies[1].jurisdictions = Some(vec!["af-bam".into(), "af-zzz".into()]);
    expect(
        &r,
        "constituencies[1].jurisdictions[1]",
        unknown(RefKind::Jurisdiction, "af-zzz"),
    );
    let mut r = base();
    r.constituencies[3].voter_group = Some("nomads".into());
    expect(
        &r,
        "constituencies[3].voter_group",
        unknown(RefKind::VoterGroup, "nomads"),
    );
    let mut r = base();
    r.polling_stations[0].groups = Some([("nomads".to_owned(), 3)].into());
    expect(
        &r,
        "polling_stations[0].groups.nomads",
        unknown(RefKind::VoterGroup, "nomads"),
    );
    let mut r = base();
    r.contests[0].office = "king".into();
    expect(&r, "contests[0].office", unknown(RefKind::Office, "king"));
    let mut r = base();
    r.contests[2].constituency = "prov-af-her".into();
    expect(
        &r,
        "contests[2].constituency",
        unknown(RefKind::Constituency, "prov-af-her"),
    );
    let mut r = base();
    r.contests[0].candidates[1].party = Some("p-none".into());
    expect(
        &r,
        "contests[0].candidates[1].party",
        unknown(RefKind::Party, "p-none"),
    );
    let mut r = base();
    r.contests[0].runoff_of = Some("president-r0".into());
    expect(
        &r,
        "contests[0].runoff_of",
        unknown(RefKind::Contest, "president-r0"),
    );
}

#[test]
fn seats_zero_and_seats_above_candidates() {
    let mut r = base();
    r.contests[1].seats = 0;
    expect(&r, "contests[1].seats", |k| {
        matches!(
            k,
            ProblemKind::OutOfRange {
                value: 0,
                min: 1,
                ..
            }
        )
    });
    let mut r = base();
    r.contests[1].seats = 4;
    expect(&r, "contests[1].seats", |k| {
        matches!(
            k,
            ProblemKind::SeatsExceedCandidates {
                seats: 4,
                candidates: 3
            }
        )
    });
    // A list method may give one list several seats: no such rule there.
    let mut r = base();
    r.contests[1].method = "dhondt".into();
    r.contests[1].reserved_women = Some(0);
    r.contests[1].seats = 10;
    Manifest::from_raw(&r).unwrap();
    // A single-winner method needs exactly one seat.
    let mut r = base();
    r.contests[0].seats = 2;
    expect(&r, "contests[0].seats", |k| {
        matches!(k, ProblemKind::MethodMismatch(_))
    });
}

#[test]
fn min_above_max_and_max_above_limit() {
    let mut r = base();
    r.contests[0].min_selections = Some(2);
    let all = expect(&r, "contests[0].min_selections", |k| {
        matches!(k, ProblemKind::MinExceedsMax { min: 2, max: 1 })
    });
    assert_eq!(all.len(), 1, "{all:#?}");
    let mut r = base();
    r.contests[0].method = "approval".into();
    r.contests[0].selection_limit = Some(2);
    r.contests[0].max_selections = Some(3);
    expect(&r, "contests[0].max_selections", |k| {
        matches!(k, ProblemKind::MaxExceedsLimit { max: 3, limit: 2 })
    });
}

#[test]
fn selection_limit_above_candidates() {
    let mut r = base();
    r.contests[0].method = "approval".into();
    r.contests[0].selection_limit = Some(4);
    r.contests[0].max_selections = Some(4);
    expect(&r, "contests[0].selection_limit", |k| {
        matches!(
            k,
            ProblemKind::SelectionLimitExceedsCandidates {
                limit: 4,
                candidates: 3
            }
        )
    });
    // Single-mark methods allow one vote only.
    let mut r = base();
    r.contests[1].selection_limit = Some(2);
    r.contests[1].max_selections = Some(2);
    expect(&r, "contests[1].selection_limit", |k| {
        matches!(k, ProblemKind::MethodMismatch(_))
    });
}

#[test]
fn reserved_above_seats_and_reserved_outside_sntv() {
    let mut r = base();
    r.contests[1].reserved_women = Some(3);
    expect(&r, "contests[1].reserved_women", |k| {
        matches!(
            k,
            ProblemKind::ReservedExceedsSeats {
                reserved: 3,
                seats: 2
            }
        )
    });
    let mut r = base();
    r.contests[0].reserved_women = Some(1);
    expect(&r, "contests[0].reserved_women", |k| {
        matches!(k, ProblemKind::MethodMismatch(_))
    });
    let mut r = base();
    r.contests[1].reserved_rule = Some("women-last".into());
    expect(
        &r,
        "contests[1].reserved_rule",
        |k| matches!(k, ProblemKind::NotInVocabulary { found, .. } if found == "women-last"),
    );
}

#[test]
fn methods_and_thresholds() {
    let mut r = base();
    r.contests[0].method = "borda".into();
    expect(
        &r,
        "contests[0].method",
        |k| matches!(k, ProblemKind::NotInVocabulary { allowed, .. } if allowed.contains(&"stv-meek")),
    );
    let mut r = base();
    r.contests[0].method = "huntington-hill".into();
    expect(&r, "contests[0].method", |k| {
        matches!(k, ProblemKind::MethodMismatch(_))
    });
    let mut r = base();
    r.contests[1].threshold = Some("5".into());
    expect(&r, "contests[1].threshold", |k| {
        matches!(k, ProblemKind::MethodMismatch(_))
    });
    let mut r = base();
    r.contests[1].method = "sainte-lague".into();
    r.contests[1].reserved_women = Some(0);
    r.contests[1].threshold = Some("2.5000".into());
    expect(
        &r,
        "contests[1].threshold",
        |k| matches!(k, ProblemKind::BadPercent(t) if t == "2.5000"),
    );
    r.contests[1].threshold = Some("100.5".into());
    expect(&r, "contests[1].threshold", |k| {
        matches!(k, ProblemKind::BadPercent(_))
    });
}

#[test]
fn station_parent_must_be_a_polling_centre() {
    let mut r = base();
    r.polling_stations[1].parent = "af-bam-d01".into();
    expect(&r, "polling_stations[1].parent", |k| {
        matches!(
            k,
            ProblemKind::WrongParentKind {
                found: "district",
                expected: "polling centre",
                ..
            }
        )
    });
    let mut r = base();
    r.polling_stations[1].parent = "af-bam-d01-c001-m1".into();
    expect(&r, "polling_stations[1].parent", |k| {
        matches!(
            k,
            ProblemKind::WrongParentKind {
                found: "polling station",
                ..
            }
        )
    });
}

#[test]
fn hierarchy_levels() {
    let mut r = base();
    r.polling_centres[0].parent = "af-bam".into();
    expect(&r, "polling_centres[0].parent", |k| {
        matches!(
            k,
            ProblemKind::WrongParentKind {
                found: "province",
                expected: "district",
                ..
            }
        )
    });
    let mut r = base();
    r.jurisdictions[2].parent = Some("af".into());
    expect(&r, "jurisdictions[2].parent", |k| {
        matches!(
            k,
            ProblemKind::WrongParentKind {
                found: "nation",
                expected: "province",
                ..
            }
        )
    });
    let mut r = base();
    r.jurisdictions[0].parent = Some("af-bam".into());
    expect(&r, "jurisdictions[0].parent", |k| {
        matches!(k, ProblemKind::Hierarchy(_))
    });
    let mut r = base();
    r.jurisdictions[1].parent = None;
    expect(&r, "jurisdictions[1].parent", |k| {
        matches!(k, ProblemKind::Hierarchy(_))
    });
    let mut r = base();
    r.jurisdictions[3].kind = "nation".into();
    r.jurisdictions[3].parent = None;
    expect(&r, "jurisdictions[3].kind", |k| {
        matches!(k, ProblemKind::Hierarchy(_))
    });
    let mut r = base();
    r.jurisdictions[0].kind = "province".into();
    r.jurisdictions[0].parent = Some("af-kab".into());
    expect(&r, "jurisdictions", |k| {
        matches!(k, ProblemKind::Hierarchy(_))
    });
    let mut r = base();
    r.jurisdictions[1].iso_code = Some("af-bam".into());
    expect(&r, "jurisdictions[1].iso_code", |k| {
        matches!(k, ProblemKind::BadIsoCode(_))
    });
}

#[test]
fn cycles_are_reported_once_at_the_first_member() {
    let mut r = base();
    // af-bam-d01 -> af-kab-d01 -> af-bam-d01
    r.jurisdictions[2].parent = Some("af-kab-d01".into());
    r.jurisdictions[4].parent = Some("af-bam-d01".into());
    let all = expect(
        &r,
        "jurisdictions[2].parent",
        |k| matches!(k, ProblemKind::Cycle(c) if c == &["af-bam-d01", "af-kab-d01", "af-bam-d01"]),
    );
    assert_eq!(
        all.iter()
            .filter(|p| matches!(p.kind, ProblemKind::Cycle(_)))
            .count(),
        1
    );
    // A self-loop.
    let mut r = base();
    r.jurisdictions[1].parent = Some("af-bam".into());
    expect(
        &r,
        "jurisdictions[1].parent",
        |k| matches!(k, ProblemKind::Cycle(c) if c == &["af-bam", "af-bam"]),
    );
}

#[test]
fn duplicate_ballot_numbers_and_symbols() {
    let mut r = base();
    r.contests[1].candidates[2].ballot_number = 1;
    expect(
        &r,
        "contests[1].candidates[2].ballot_number",
        |k| matches!(k, ProblemKind::DuplicateBallotNumber { number: 1, first } if first == "contests[1].candidates[0].ballot_number"),
    );
    let mut r = base();
    r.contests[1].candidates[1].ballot_number = 0;
    expect(&r, "contests[1].candidates[1].ballot_number", |k| {
        matches!(k, ProblemKind::OutOfRange { value: 0, .. })
    });
    let mut r = base();
    r.contests[1].candidates[1].symbol = "horse".into();
    expect(&r, "contests[1].candidates[1].symbol", |k| {
        matches!(k, ProblemKind::DuplicateSymbol { .. })
    });
    // Numbers need only be unique within a contest.
    let r = base();
    assert_eq!(
        r.contests[0].candidates[0].ballot_number,
        r.contests[1].candidates[0].ballot_number
    );
    Manifest::from_raw(&r).unwrap();
}

#[test]
fn group_constituency_needs_a_voter_group() {
    let mut r = base();
    r.constituencies[3].voter_group = None;
    expect(&r, "constituencies[3].voter_group", |k| {
        matches!(k, ProblemKind::MissingVoterGroup)
    });
    let mut r = base();
    r.constituencies[1].voter_group = Some("kuchi".into());
    expect(&r, "constituencies[1].voter_group", |k| {
        matches!(k, ProblemKind::NotAllowedForKind { kind: "geographic" })
    });
    let mut r = base();
    r.constituencies[1].jurisdictions = None;
    expect(&r, "constituencies[1].jurisdictions", |k| {
        matches!(k, ProblemKind::MissingJurisdictions)
    });
    let mut r = base();
    r.constituencies[3].group_ballot = Some("both".into());
    expect(&r, "constituencies[3].group_ballot", |k| {
        matches!(k, ProblemKind::NotInVocabulary { .. })
    });
}

#[test]
fn bad_tie_break_seeds() {
    for (seed, why) in [
        ("5eed5eed5eed5eed5eed5eed5eed5eed5", "odd"),
        ("5eed5eed5eed5eed5eed5eed5eed5eeg", "not hex"),
        ("5eed", "too short"),
        ("", "too short"),
    ] {
        let mut r = base();
        r.tie_break_seed = seed.into();
        expect(&r, "tie_break_seed", |k| {
            matches!(k, ProblemKind::BadSeed(_))
        });
        let _ = why;
    }
    let mut r = base();
    r.tie_break_seed = "ab".repeat(65);
    expect(&r, "tie_break_seed", |k| {
        matches!(k, ProblemKind::BadSeed(_))
    });
    // Upper-case hex is read; the canonical form is lower case.
    let mut r = base();
    r.tie_break_seed = "5EED5EED5EED5EED5EED5EED5EED5EED".into();
    let m = Manifest::from_raw(&r).unwrap();
    assert_eq!(
        m.to_raw().tie_break_seed,
        "5eed5eed5eed5eed5eed5eed5eed5eed"
    );
}

#[test]
fn empty_and_overlong_names() {
    let mut r = base();
    r.contests[0].candidates[0].name.fa_af = "  ".into();
    expect(&r, "contests[0].candidates[0].name.fa-AF", |k| {
        matches!(k, ProblemKind::Empty)
    });
    let mut r = base();
    r.jurisdictions[1].name.en = String::new();
    expect(&r, "jurisdictions[1].name.en", |k| {
        matches!(k, ProblemKind::Empty)
    });
    let mut r = base();
    r.name.ps = "ب".repeat(201);
    expect(&r, "name.ps", |k| {
        matches!(k, ProblemKind::TooLong { len: 201, max: 200 })
    });
    let mut r = base();
    r.voter_groups[0].name.uz_arab = Some(String::new());
    expect(&r, "voter_groups[0].name.uz-Arab", |k| {
        matches!(k, ProblemKind::Empty)
    });
    let mut r = base();
    r.contests[0].candidates[0].symbol = String::new();
    expect(&r, "contests[0].candidates[0].symbol", |k| {
        matches!(k, ProblemKind::Empty)
    });
    let mut r = base();
    r.contests[0].candidates[0].photo = Some(String::new());
    expect(&r, "contests[0].candidates[0].photo", |k| {
        matches!(k, ProblemKind::Empty)
    });
}

#[test]
fn numbers_out_of_range_and_vocabulary() {
    let mut r = base();
    r.privacy_threshold = Some(0);
    expect(&r, "privacy_threshold", |k| {
        matches!(k, ProblemKind::OutOfRange { value: 0, .. })
    });
    let mut r = base();
    r.polling_stations[2].ballot_cap = Some(0);
    expect(&r, "polling_stations[2].ballot_cap", |k| {
        matches!(k, ProblemKind::OutOfRange { .. })
    });
    let mut r = base();
    r.polling_stations[2].registered = -1;
    expect(&r, "polling_stations[2].registered", |k| {
        matches!(k, ProblemKind::OutOfRange { value: -1, .. })
    });
    let mut r = base();
    r.polling_stations[2].gender = "mixed".into();
    expect(&r, "polling_stations[2].gender", |k| {
        matches!(k, ProblemKind::NotInVocabulary { .. })
    });
    let mut r = base();
    r.polling_stations[2].status = Some("burnt".into());
    expect(&r, "polling_stations[2].status", |k| {
        matches!(k, ProblemKind::NotInVocabulary { .. })
    });
    let mut r = base();
    r.contests[0].candidates[0].gender = "x".into();
    expect(&r, "contests[0].candidates[0].gender", |k| {
        matches!(k, ProblemKind::NotInVocabulary { .. })
    });
    let mut r = base();
    r.offices[0].kind = "king".into();
    expect(&r, "offices[0].kind", |k| {
        matches!(k, ProblemKind::NotInVocabulary { .. })
    });
    let mut r = base();
    r.contests[0].round = Some(0);
    expect(&r, "contests[0].round", |k| {
        matches!(k, ProblemKind::OutOfRange { value: 0, .. })
    });
}

#[test]
fn voter_roll_must_add_up() {
    let mut r = base();
    r.polling_stations[2].registered = 601;
    expect(&r, "polling_stations[2].registered", |k| {
        matches!(k, ProblemKind::Roll(_))
    });
    let mut r = base();
    r.polling_stations[1].groups = Some([("kuchi".to_owned(), 251)].into());
    expect(&r, "polling_stations[1].groups.kuchi", |k| {
        matches!(
            k,
            ProblemKind::OutOfRange {
                value: 251,
                max: 250,
                ..
            }
        )
    });
}

#[test]
fn one_contest_per_office_constituency_and_round() {
    let mut r = base();
    let mut again = r.contests[1].clone();
    again.id = "wj-af-bam-2".into();
    r.contests.push(again);
    expect(
        &r,
        "contests[4].round",
        |k| matches!(k, ProblemKind::DuplicateContest { first } if first == "contests[1]"),
    );
}

#[test]
fn runoffs() {
    let mut runoff = base().contests[0].clone();
    runoff.id = "president-r2".into();
    runoff.round = Some(2);
    runoff.runoff_of = Some("president".into());
    runoff.candidates.truncate(2);
    let mut r = base();
    r.contests.push(runoff.clone());
    Manifest::from_raw(&r).unwrap();

    let mut bad = runoff.clone();
    bad.candidates[1].id = "c0009".into();
    let mut r = base();
    r.contests.push(bad);
    expect(&r, "contests[4].candidates[1].id", |k| {
        matches!(k, ProblemKind::BadRunoff(_))
    });

    let mut bad = runoff.clone();
    bad.round = Some(3);
    let mut r = base();
    r.contests.push(bad);
    expect(&r, "contests[4].round", |k| {
        matches!(k, ProblemKind::BadRunoff(_))
    });

    let mut bad = runoff;
    bad.office = "wolesi-jirga".into();
    let mut r = base();
    r.contests.push(bad);
    expect(&r, "contests[4].runoff_of", |k| {
        matches!(k, ProblemKind::BadRunoff(_))
    });
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut r = base();
    r.tie_break_seed = "xyz".into();
    r.contests[1].seats = 0;
    r.contests[2].reserved_women = Some(5);
    r.polling_stations[0].parent = "af-bam-d01".into();
    r.contests[3].candidates[1].name.en = String::new();
    let all = problems(&r);
    let paths: Vec<&str> = all.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "tie_break_seed",
            "polling_stations[0].parent",
            "contests[1].seats",
            "contests[2].reserved_women",
            "contests[3].candidates[1].name.en",
        ]
    );
    // The message lists each path.
    let text = ManifestError::Invalid(all).to_string();
    assert!(text.starts_with("5 problem(s)"), "{text}");
    assert!(
        text.contains("contests[2].reserved_women: 5 reserved seats but only 2 seats"),
        "{text}"
    );
}
