//! Small benchmark runs: the figures are consistent, the tally decrypts to the counts of
//! the generated plaintexts (counted here, independently of the pipeline), a tampered
//! ballot is refused, and the JSON report has every field. No timing is asserted.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;

use sanduq_bench::geography::{Geography, NATION, largest_remainder};
use sanduq_bench::{CANDIDATES, Config, Generator, Outcome, Quiet, run};

/// Votes per unit (station, district, province, nation), per contest, per candidate,
/// counted from the generator's plaintext stream, skipping the ballots in `skip`.
fn count_independently(
    geo: &Geography,
    seed: u64,
    contests: usize,
    skip: &[u64],
) -> BTreeMap<String, Vec<Vec<u64>>> {
    let generator = Generator { seed };
    let mut out: BTreeMap<String, Vec<Vec<u64>>> = BTreeMap::new();
    let empty = vec![vec![0u64; CANDIDATES]; contests];
    let mut ballot = 0u64;
    for station in &geo.stations {
        let district = &geo.districts[station.district];
        let province = &geo.provinces[district.province];
        for _ in 0..station.ballots {
            let i = ballot;
            ballot += 1;
            if skip.contains(&i) {
                continue;
            }
            for unit in [&station.id, &district.id, &province.id, &NATION.to_owned()] {
                let slot = out.entry(unit.clone()).or_insert_with(|| empty.clone());
                for (c, votes) in slot.iter_mut().enumerate() {
                    // The plaintext vector, read as the voter's marks.
                    let pt = generator.plaintext(i, c);
                    assert_eq!(pt.len(), CANDIDATES);
                    assert!(pt.iter().sum::<u64>() <= 1, "vote for at most 1");
                    for (v, m) in votes.iter_mut().zip(pt) {
                        *v += m;
                    }
                }
            }
        }
    }
    out
}

fn assert_counts(outcome: &Outcome, expected: &BTreeMap<String, Vec<Vec<u64>>>) {
    for (unit, votes) in expected {
        assert_eq!(
            outcome.counts.get(unit),
            Some(votes),
            "decrypted tally of {unit}"
        );
    }
    // Units whose every ballot was refused decrypt to zero without the trustees.
    for (unit, votes) in &outcome.counts {
        if !expected.contains_key(unit) {
            assert!(votes.iter().flatten().all(|v| *v == 0), "{unit}");
        }
    }
}

#[test]
fn geography_is_the_34_provinces_with_their_seats() {
    let geo = Geography::afghanistan(1000, 50).unwrap();
    assert_eq!(geo.provinces.len(), 34);
    // The Wolesi Jirga elected in 2018 has 250 seats: 10 for the Kuchi and 1 for the Hindu
    // and Sikh communities are nationwide, the other 239 are provincial (Ghazni's 11, whose
    // vote was postponed, included).
    assert_eq!(geo.provinces.iter().map(|p| p.seats).sum::<u64>(), 239);
    let kabul = geo.provinces.iter().find(|p| p.id == "af-kab").unwrap();
    assert_eq!(kabul.seats, 33);
    assert_eq!(geo.ballots(), 1000);
    assert!(geo.stations.iter().all(|s| (1..=50).contains(&s.ballots)));
    // Kabul: 3 + 33 / 2 = 19 districts, capped at 16.
    assert_eq!(
        geo.districts
            .iter()
            .filter(|d| geo.provinces[d.province].id == "af-kab")
            .count(),
        16
    );
    // Largest remainder by hand: 7 × 5/8 = 4.375 and 7 × 3/8 = 2.625 → 4 + 2, the last
    // seat to the larger remainder (0.625).
    assert_eq!(largest_remainder(7, &[5, 3]), vec![4, 3]);
    assert_eq!(largest_remainder(10, &[1, 1, 1]), vec![4, 3, 3]);
}

#[test]
fn small_run_decrypts_to_the_generated_counts_and_reports_every_field() {
    let config = Config {
        ballots: 200,
        contests: 1,
        threads: 2,
        seed: 42,
        station_size: 8,
        chunk: 64,
        tamper: None,
    };
    let outcome = run(&config, &Quiet).unwrap();
    let r = &outcome.report;
    let geo = Geography::afghanistan(200, 8).unwrap();
    assert_eq!(r.ballots, 200);
    assert_eq!(r.accepted, 200);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!((r.provinces, r.stations), (34, geo.stations.len()));
    assert_eq!(r.districts, geo.districts.len());

    let expected = count_independently(&geo, 42, 1, &[]);
    assert_counts(&outcome, &expected);
    // Every vote is for one candidate or blank: the nation has at most 200 votes.
    let nation: u64 = r.nation["contest-1"].values().sum();
    assert_eq!(nation, expected[NATION][0].iter().sum::<u64>());
    assert!(nation <= 200);
    assert_eq!(r.nation["contest-1"].len(), 20);

    // Binary form of a reference contest, by hand: 20 selections × (64 bytes of ciphertext
    // + 2 branches × 128 bytes) + the limit proof's 2 branches × 128 bytes = 6,656 bytes.
    assert!((r.binary_bytes_per_ballot - 6656.0).abs() < 1e-9);
    // The canonical wire form is hex: at least twice the binary form.
    assert!(r.record_bytes_per_ballot > 2.0 * 6656.0);

    // Decryption: every unit with a ballot, 20 selections each, 3 of the 5 trustees
    // (trustee 5 is absent in the standard policy; the first three present decrypt).
    let units_with_ballots = expected.len() as u64;
    assert_eq!(r.decrypt.ciphertexts, units_with_ballots * 20);
    assert_eq!(r.decrypt.shares, units_with_ballots * 20 * 3);
    assert_eq!(r.decrypt.present, vec![1, 2, 3]);
    assert_eq!((r.decrypt.threshold, r.decrypt.trustees), (3, 5));
    assert!(r.verify_to_floor > 0.0);
    assert!(r.peak_memory_bytes.unwrap() > 0);

    let json = serde_json::to_value(r).unwrap();
    for key in [
        "ballots",
        "accepted",
        "contests",
        "candidates",
        "threads",
        "chunk",
        "provinces",
        "districts",
        "stations",
        "ceremony_seconds",
        "encrypt",
        "record",
        "verify",
        "floor",
        "verify_to_floor",
        "tally",
        "decrypt",
        "total_seconds",
        "record_bytes_per_ballot",
        "binary_bytes_per_ballot",
        "peak_memory_bytes",
        "rejected",
        "nation",
        "machine",
    ] {
        assert!(json.get(key).is_some(), "JSON has no {key}");
    }
    for stage in ["encrypt", "record", "verify", "floor", "tally"] {
        for key in [
            "seconds",
            "ballots_per_second",
            "ms_per_ballot",
            "ms_per_ballot_per_core",
        ] {
            assert!(json[stage].get(key).is_some(), "JSON has no {stage}.{key}");
        }
        // Per core = wall clock × 2 threads.
        let wall = json[stage]["ms_per_ballot"].as_f64().unwrap();
        let core = json[stage]["ms_per_ballot_per_core"].as_f64().unwrap();
        assert!((core - 2.0 * wall).abs() <= 1e-9 * core.max(1.0), "{stage}");
    }
    for key in [
        "seconds",
        "ciphertexts",
        "shares",
        "share_seconds",
        "verify_seconds",
        "combine_seconds",
        "threshold",
        "trustees",
        "present",
    ] {
        assert!(
            json["decrypt"].get(key).is_some(),
            "JSON has no decrypt.{key}"
        );
    }
    for key in [
        "nproc",
        "cpu_model",
        "load_average_start",
        "load_average_end",
    ] {
        assert!(
            json["machine"].get(key).is_some(),
            "JSON has no machine.{key}"
        );
    }
}

#[test]
fn a_tampered_ballot_is_refused_and_left_out_of_the_tally() {
    let config = Config {
        ballots: 60,
        contests: 2,
        threads: 2,
        seed: 7,
        station_size: 6,
        chunk: 16,
        tamper: Some(37),
    };
    let outcome = run(&config, &Quiet).unwrap();
    let r = &outcome.report;
    assert_eq!((r.ballots, r.accepted), (60, 59));
    assert_eq!(r.rejected.len(), 1, "{:?}", r.rejected);
    assert_eq!(r.rejected[0].ballot, 37);
    assert_eq!(r.rejected[0].contest, "contest-1");
    let geo = Geography::afghanistan(60, 6).unwrap();
    let station = geo.ballot_stations().nth(37).unwrap();
    assert_eq!(r.rejected[0].station, geo.stations[station].id);

    let expected = count_independently(&geo, 7, 2, &[37]);
    assert_counts(&outcome, &expected);
    assert_eq!(r.nation.len(), 2);
}

#[test]
fn bad_configurations_are_refused() {
    for config in [
        Config {
            ballots: 0,
            ..Config::default()
        },
        Config {
            contests: 0,
            ..Config::default()
        },
        Config {
            contests: 17,
            ..Config::default()
        },
        Config {
            chunk: 0,
            ..Config::default()
        },
        Config {
            station_size: 0,
            ..Config::default()
        },
    ] {
        assert!(run(&config, &Quiet).is_err(), "{config:?}");
    }
}
