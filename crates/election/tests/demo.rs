//! The demo election generator, checked against the shared geographic data read independently.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use sanduq_election::demo::{self, DemoParams};
use sanduq_election::{JurisdictionKind, Manifest, Method, OfficeKind, Scope, StationGender};

/// `<repo>/../shared/data`, or `$SANDUQ_SHARED_DATA`. Missing data fails the test.
fn shared_data() -> PathBuf {
    let dir = std::env::var_os("SANDUQ_SHARED_DATA").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")),
        PathBuf::from,
    );
    assert!(
        dir.is_dir(),
        "shared data not found at {}; set SANDUQ_SHARED_DATA",
        dir.display()
    );
    dir
}

fn read_shared(name: &str) -> String {
    let path = shared_data().join("geo").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Province slug in the constituency file → ISO code, written out from the two files' names.
const SLUG_ISO: &[(&str, &str)] = &[
    ("kabul", "AF-KAB"),
    ("kapisa", "AF-KAP"),
    ("parwan", "AF-PAR"),
    ("wardak", "AF-WAR"),
    ("logar", "AF-LOG"),
    ("nangarhar", "AF-NAN"),
    ("laghman", "AF-LAG"),
    ("panjsher", "AF-PAN"),
    ("baghlan", "AF-BGL"),
    ("bamyan", "AF-BAM"),
    ("paktika", "AF-PKA"),
    ("paktya", "AF-PIA"),
    ("khost", "AF-KHO"),
    ("kunar", "AF-KNR"),
    ("nuristan", "AF-NUR"),
    ("badakhshan", "AF-BDS"),
    ("takhar", "AF-TAK"),
    ("kunduz", "AF-KDZ"),
    ("samangan", "AF-SAM"),
    ("balkh", "AF-BAL"),
    ("sar_e_pul", "AF-SAR"),
    ("ghor", "AF-GHO"),
    ("daykundi", "AF-DAY"),
    ("uruzgan", "AF-URU"),
    ("zabul", "AF-ZAB"),
    ("kandahar", "AF-KAN"),
    ("jawzjan", "AF-JOW"),
    ("faryab", "AF-FYB"),
    ("hilmand", "AF-HEL"),
    ("badghis", "AF-BDG"),
    ("hirat", "AF-HER"),
    ("farah", "AF-FRA"),
    ("nimroz", "AF-NIM"),
];

/// (seats, reserved, candidates, women) per constituency slug, from the shared CSV.
fn wj_csv() -> BTreeMap<String, [u32; 4]> {
    read_shared("af_wj_2018_constituencies.csv")
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let slug = f[0].split_once('_').unwrap().1.to_owned();
            let n = |i: usize| f[i].parse::<u32>().unwrap();
            (slug, [n(1), n(2), n(3), n(4)])
        })
        .collect()
}

fn build(voters: u32, full_lists: bool, seed: u64) -> Manifest {
    demo::generate(&DemoParams {
        voters,
        full_lists,
        seed,
        ..DemoParams::default()
    })
    .unwrap()
}

#[test]
fn embedded_data_equals_the_shared_files() {
    assert_eq!(demo::PROVINCES_CSV, read_shared("af_provinces.csv"));
    assert_eq!(
        demo::WJ_2018_CSV,
        read_shared("af_wj_2018_constituencies.csv")
    );
}

#[test]
fn thirty_four_provinces_with_their_iso_codes_and_names() {
    let csv = read_shared("af_provinces.csv");
    let expected: BTreeMap<String, (String, String, String)> = csv
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_owned(),
                (f[1].to_owned(), f[2].to_owned(), f[3].to_owned()),
            )
        })
        .collect();
    assert_eq!(expected.len(), 34);
    let m = build(2_000, false, 1);
    let got: BTreeMap<String, (String, String, String)> = m
        .jurisdictions()
        .iter()
        .filter(|j| j.kind == JurisdictionKind::Province)
        .map(|j| {
            (
                j.iso_code.clone().unwrap(),
                (j.name.en.clone(), j.name.fa_af.clone(), j.name.ps.clone()),
            )
        })
        .collect();
    assert_eq!(got, expected);
    // Several districts per province.
    for p in m
        .jurisdictions()
        .iter()
        .filter(|j| j.kind == JurisdictionKind::Province)
    {
        let districts = m
            .jurisdictions()
            .iter()
            .filter(|j| j.kind == JurisdictionKind::District && j.parent.as_ref() == Some(&p.id))
            .count();
        assert!((3..=16).contains(&districts), "{}: {districts}", p.id);
    }
}

#[test]
fn wolesi_jirga_seats_and_reserved_seats_per_province_equal_the_csv() {
    let csv = wj_csv();
    let m = build(20_000, true, 7);
    let mut seen = 0;
    for (slug, iso) in SLUG_ISO {
        let [seats, reserved, candidates, women] = csv[*slug];
        let c = m
            .contest(&format!("wj-{}", iso.to_ascii_lowercase()))
            .unwrap();
        assert_eq!((c.seats, c.reserved_women), (seats, reserved), "{iso}");
        assert_eq!(c.method, Method::Sntv);
        // Full lists: the real candidate counts.
        assert_eq!(c.candidates.len(), candidates as usize, "{iso}");
        assert_eq!(c.women_standing(), women as usize, "{iso}");
        seen += 1;
    }
    assert_eq!(seen, 33);
    // Ghazni (no 2018 row): its legal 11 seats and a plausible 3 reserved.
    let g = m.contest("wj-af-gha").unwrap();
    assert_eq!((g.seats, g.reserved_women), (11, 3));
    // Kuchi: 10 seats, 3 reserved, its 2018 list.
    let [seats, reserved, candidates, women] = csv["kuchi"];
    let k = m.contest("wj-kuchi").unwrap();
    assert_eq!((k.seats, k.reserved_women), (seats, reserved));
    assert_eq!((seats, reserved), (10, 3));
    assert_eq!(
        (k.candidates.len(), k.women_standing()),
        (candidates as usize, women as usize)
    );
    // 239 provincial seats including Ghazni's 11, and 68 reserved with the Kuchi 3 (the law's
    // figures, as stated in the shared README).
    let (mut all_seats, mut all_reserved) = (0, 0);
    for c in m
        .contests()
        .iter()
        .filter(|c| c.id.as_str().starts_with("wj-af-"))
    {
        all_seats += c.seats;
        all_reserved += c.reserved_women;
    }
    assert_eq!(all_seats, 239);
    assert_eq!(all_reserved + k.reserved_women, 68);
}

#[test]
fn contests_offices_and_cut_lists() {
    let m = build(20_000, false, 3);
    let kinds: Vec<OfficeKind> = m.offices().iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        [
            OfficeKind::President,
            OfficeKind::WolesiJirga,
            OfficeKind::ProvincialCouncil
        ]
    );
    // 1 presidential + 34 WJ + Kuchi + Hindu/Sikh + 34 PC.
    assert_eq!(m.contests().len(), 71);
    let p = m.contest("president").unwrap();
    assert_eq!((p.method, p.seats, p.round), (Method::TwoRound, 1, 1));
    for c in m.contests() {
        let n = c.candidates.len() as u32;
        assert!(n <= 15.max(c.seats + 2), "{}: {n} candidates", c.id);
        assert!(n >= c.seats, "{}", c.id);
        if c.id.as_str() != "pc-af-uru" {
            assert!(c.women_standing() as u32 >= c.reserved_women, "{}", c.id);
        }
        let numbers: BTreeSet<u32> = c.candidates.iter().map(|k| k.ballot_number).collect();
        assert_eq!(numbers, (1..=n).collect());
        let names: BTreeSet<&str> = c.candidates.iter().map(|k| k.name.en.as_str()).collect();
        assert_eq!(names.len(), c.candidates.len(), "{}: names unique", c.id);
        for k in &c.candidates {
            assert!(
                k.name
                    .fa_af
                    .chars()
                    .any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch))
            );
            assert!(
                k.name
                    .ps
                    .chars()
                    .any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch))
            );
        }
    }
    // Kabul's 33 seats keep 35 candidates; Kuchi's list is cut to 15.
    assert_eq!(m.contest("wj-af-kab").unwrap().candidates.len(), 35);
    assert_eq!(m.contest("wj-kuchi").unwrap().candidates.len(), 15);
    // Provincial councils: about a quarter reserved; Uruzgan short of women on purpose.
    for c in m
        .contests()
        .iter()
        .filter(|c| c.id.as_str().starts_with("pc-"))
    {
        assert_eq!(c.reserved_women, (c.seats + 2) / 4, "{}", c.id);
        assert!([9, 15, 19, 23, 33].contains(&c.seats));
    }
    let uru = m.contest("pc-af-uru").unwrap();
    assert_eq!(uru.women_standing() as u32, uru.reserved_women - 1);
    // The Kuchi and Hindu/Sikh constituencies are group constituencies.
    for id in ["kuchi", "hindu-sikh"] {
        assert!(matches!(
            m.constituency(id).unwrap().scope,
            Scope::Group { .. }
        ));
    }
}

fn check_roll(m: &Manifest, voters: u32) {
    let k = m.privacy_threshold();
    assert_eq!(k, 10);
    assert_eq!(m.registered_total(), u64::from(voters));
    let mut per_centre: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for s in m.polling_stations() {
        assert!(
            s.registered >= k,
            "{} has {} < K voters",
            s.id,
            s.registered
        );
        assert!(s.registered <= s.ballot_cap, "{}", s.id);
        let e = per_centre.entry(s.centre.as_str()).or_default();
        match s.gender {
            StationGender::Men => e.0 += 1,
            StationGender::Women => e.1 += 1,
        }
    }
    // Every centre has a men's and a women's station; every province has stations.
    assert_eq!(per_centre.len(), m.polling_centres().len());
    assert!(
        per_centre
            .values()
            .all(|(men, women)| *men >= 1 && *women >= 1)
    );
    let provinces: BTreeSet<&str> = m
        .polling_stations()
        .iter()
        .map(|s| m.ancestry(s.id.as_str())[3].as_str())
        .collect();
    assert_eq!(provinces.len(), 34);
    // Group voters are within each list, and add up to the requested shares (2% Kuchi).
    let groups = m.group_totals();
    assert_eq!(groups["kuchi"], u64::from(voters) * 20 / 1000);
    for s in m.polling_stations() {
        assert!(s.groups.values().sum::<u32>() <= s.registered);
    }
}

#[test]
fn every_station_has_at_least_k_voters_at_2000() {
    let m = build(2_000, false, 11);
    check_roll(&m, 2_000);
    assert_eq!(m.polling_stations().len(), 68);
}

#[test]
fn every_station_has_at_least_k_voters_at_20000() {
    let m = build(20_000, false, 11);
    check_roll(&m, 20_000);
}

#[test]
fn station_count_scales_with_voters() {
    let m = build(400_000, false, 11);
    check_roll(&m, 400_000);
    // About 400 voters per station: between 1,000 and 1,100 stations.
    let n = m.polling_stations().len();
    assert!((1_000..=1_100).contains(&n), "{n} stations");
}

#[test]
fn too_few_voters_is_an_error() {
    let e = demo::generate(&DemoParams {
        voters: 679,
        ..DemoParams::default()
    })
    .unwrap_err();
    assert_eq!(
        e,
        demo::DemoError::TooFewVoters {
            voters: 679,
            needed: 680
        }
    );
    build(680, false, 0);
}

#[test]
fn deterministic_for_a_seed() {
    let a = build(20_000, false, 42);
    let b = build(20_000, false, 42);
    assert_eq!(a, b);
    assert_eq!(a.canonical_bytes(), b.canonical_bytes());
    let c = build(20_000, false, 43);
    assert_ne!(a.manifest_digest(), c.manifest_digest());
    assert_ne!(a.tie_break_seed(), c.tie_break_seed());
}

fn style<'a>(m: &'a Manifest, station: &str, group: Option<&str>) -> Vec<&'a str> {
    m.ballot_style(station, group, 1)
        .unwrap()
        .into_iter()
        .map(|i| i.as_str())
        .collect()
}

#[test]
fn kuchi_voter_in_bamyan_gets_the_kuchi_ballot_instead_of_bamyans() {
    let m = build(20_000, false, 5);
    let station = m
        .polling_stations()
        .iter()
        .find(|s| s.id.as_str().starts_with("af-bam-"))
        .unwrap();
    let id = station.id.as_str();
    assert_eq!(style(&m, id, None), ["president", "wj-af-bam", "pc-af-bam"]);
    assert_eq!(
        style(&m, id, Some("kuchi")),
        ["president", "wj-kuchi", "pc-af-bam"]
    );
    assert_eq!(
        style(&m, id, Some("hindu-sikh")),
        ["president", "wj-hindu-sikh", "pc-af-bam"]
    );
    // Every style in use has the presidential contest, one WJ contest and one PC contest.
    for (key, contests) in m.ballot_styles(1) {
        assert_eq!(contests.len(), 3, "{key:?}");
        assert_eq!(contests[0].as_str(), "president");
        let wj = contests[1].as_str();
        match key.group.as_ref().map(|g| g.as_str()) {
            None => assert!(wj.starts_with("wj-af-"), "{wj}"),
            Some(g) => assert_eq!(wj, format!("wj-{g}")),
        }
        assert!(contests[2].as_str().starts_with("pc-af-"));
    }
}

#[test]
fn roll_summary_of_the_demo() {
    let m = build(20_000, false, 9);
    let r = m.roll_summary();
    let nation = &r["af"];
    assert_eq!(nation.registered, 20_000);
    assert_eq!(nation.men + nation.women, 20_000);
    // 34% women, each province rounding down but at least K: between 33% and 35%.
    assert!((6_600..=7_000).contains(&nation.women), "{}", nation.women);
    assert_eq!(nation.groups["kuchi"], 400);
    assert_eq!(nation.stations, m.polling_stations().len() as u64);
    let provinces: u64 = m
        .jurisdictions()
        .iter()
        .filter(|j| j.kind == JurisdictionKind::Province)
        .map(|j| r[j.id.as_str()].registered)
        .sum();
    assert_eq!(provinces, 20_000);
}
