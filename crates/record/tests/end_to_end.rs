//! A whole election at small size, then the verifier on the record and on tampered copies.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod support;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use sanduq_election::Manifest;
use sanduq_election::demo::DemoParams;
use sanduq_record::protocol::Election;
use sanduq_record::store::{Files, with_index};
use sanduq_record::{ElectionRun, Status, verify};

/// Demo election with K = 2: 34 provinces × 2 stations × 2 = 136 voters at least.
fn params() -> DemoParams {
    DemoParams {
        voters: 150,
        privacy_threshold: 2,
        kuchi_permille: 60,
        hindu_sikh_per_million: 10_000,
        seed: 7,
        ..DemoParams::default()
    }
}

/// The demo manifest with contests cut down for speed (`support::small_manifest`).
fn small_manifest() -> Manifest {
    support::small_manifest(&params())
}

fn run() -> &'static ElectionRun {
    static RUN: OnceLock<ElectionRun> = OnceLock::new();
    RUN.get_or_init(|| support::run_small(small_manifest(), b"test seed", 1))
}

fn first_failure(files: &Files) -> (u32, String) {
    let report = verify(files);
    assert!(!report.passed());
    let c = report.failures().next().unwrap();
    (c.number, c.failure.as_ref().unwrap().object.clone())
}

#[test]
fn the_record_verifies() {
    let r = run();
    let report = verify(&r.files);
    for c in &report.checks {
        assert_eq!(
            c.status,
            Status::Passed,
            "check {} {}: {:?}",
            c.number,
            c.name,
            c.failure
        );
    }
    assert!(report.passed());
    assert_eq!(report.checks.len(), 16);
    // challenged ballots are published and not counted
    assert!(r.figures.challenged > 0);
    assert_eq!(report.figures.challenged, r.figures.challenged);
    assert_eq!(report.figures.cast, r.figures.cast);
    // turnout: at every station between K = 2 (or the whole roll, if smaller) and the
    // registered voters, counted from the record's ballot files
    let manifest = small_manifest();
    let mut cast_at: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for (_, bytes) in r.files.iter().filter(|(p, _)| p.ends_with("ballots.jsonl")) {
        for line in lines_of(bytes) {
            let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
            if v["status"] == "cast" {
                *cast_at
                    .entry(v["ballot"]["station"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
        }
    }
    for s in manifest.polling_stations() {
        let n = cast_at.get(s.id.as_str()).copied().unwrap_or(0);
        let registered = u64::from(s.registered);
        assert!(n <= registered, "{}: {n} of {registered}", s.id.as_str());
        assert!(
            n >= registered.min(2),
            "{}: {n} of {registered}",
            s.id.as_str()
        );
    }
    assert_eq!(cast_at.values().sum::<u64>(), r.figures.cast);
    assert!(r.figures.cast <= r.figures.registered);
    // trustee 5 was absent; 1 to 4 decrypted
    assert_eq!(r.figures.trustees_present, vec![1, 2, 3, 4]);
    // privacy: no unit with fewer than K = 2 ballots is published, and some were merged
    let mut merged = 0;
    for (path, bytes) in r.files.iter().filter(|(p, _)| p.ends_with("tally.json")) {
        let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        for u in v["units"].as_array().unwrap() {
            for c in u["contests"].as_array().unwrap() {
                let n = c["ballots"].as_u64().unwrap();
                match c["disclosure"].as_str().unwrap() {
                    "published" => assert!(n >= 2, "{path} {u} {c}"),
                    "merged" => {
                        merged += 1;
                        assert_eq!(c["merged_into"], u["parent"]);
                    }
                    "withheld" => {
                        assert!(n < 2 && u["level"] == "nation", "{path} {c}");
                    }
                    other => panic!("{other} in {path}"),
                }
            }
        }
    }
    assert!(merged > 0);
}

#[test]
fn every_contest_type_is_counted() {
    let r = run();
    let by_id = |id: &str| r.results.iter().find(|x| x.contest == id).unwrap();
    // SNTV with reserved women's seats, per province
    let kab = r
        .results
        .iter()
        .find(|x| x.contest.starts_with("wj-af-kab"))
        .unwrap();
    assert_eq!(kab.method, "sntv");
    assert_eq!(
        kab.elected.len() as u64,
        kab.seats.min(kab.totals.len() as u64)
    );
    // totals add up to the ballots carrying the contest (one mark each)
    for res in r.results.iter().filter(|x| x.status == "counted") {
        assert_eq!(
            res.totals.values().sum::<u64>(),
            res.ballots,
            "{}",
            res.contest
        );
    }
    // the nationwide Kuchi contest aggregates Kuchi voters' ballots from every province
    let kuchi = r
        .results
        .iter()
        .find(|x| x.contest.contains("kuchi"))
        .unwrap();
    assert!(kuchi.ballots > 0);
    assert_eq!(kuchi.seats, 3); // cut from 10 by small_manifest
    // the presidential contest: the front-runner draws about 40 %, so a run-off
    let pres = r.results.iter().find(|x| x.method == "two-round").unwrap();
    assert!(pres.elected.is_empty());
    assert_eq!(pres.runoff.as_ref().unwrap().len(), 2);
    // provincial councils are counted too
    assert!(r.results.iter().any(|x| x.contest.starts_with("pc-")));
    let _ = by_id;
}

fn tamper(path_pred: impl Fn(&str) -> bool, f: impl Fn(&mut Vec<u8>)) -> Files {
    let mut files = run().files.clone();
    let path = files.keys().find(|p| path_pred(p)).unwrap().clone();
    f(files.get_mut(&path).unwrap());
    with_index(files).unwrap()
}

fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out
}

/// A district ballot file with at least two cast ballots of one device.
fn busy_ballot_file() -> String {
    run()
        .files
        .iter()
        .filter(|(p, _)| p.ends_with("ballots.jsonl"))
        .max_by_key(|(_, b)| b.len())
        .unwrap()
        .0
        .clone()
}

fn edit_json(s: &str, f: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
    f(&mut v);
    sanduq_election::canonical::to_canonical_json(&v).unwrap()
}

#[test]
fn altered_ballot_ciphertext_fails_the_proof_check() {
    let path = busy_ballot_file();
    let files = tamper(
        |p| p == path,
        |b| {
            let mut lines = lines_of(b);
            let s = String::from_utf8(lines[0].clone()).unwrap();
            // replace the first selection's ciphertext by the second's (valid points)
            lines[0] = edit_json(&s, |v| {
                let sels = &mut v["ballot"]["contests"][0]["selections"];
                let other = sels[1]["ciphertext"].clone();
                sels[0]["ciphertext"] = other;
            });
            *b = join(&lines);
        },
    );
    assert_eq!(first_failure(&files).0, 5);
}

#[test]
fn altered_proof_fails_the_proof_check() {
    let path = busy_ballot_file();
    let files = tamper(
        |p| p == path,
        |b| {
            let mut lines = lines_of(b);
            let s = String::from_utf8(lines[1].clone()).unwrap();
            lines[1] = edit_json(&s, |v| {
                let p = &mut v["ballot"]["contests"][0]["limit_proof"];
                p.as_array_mut().unwrap().swap(0, 1);
            });
            *b = join(&lines);
        },
    );
    let (n, object) = first_failure(&files);
    assert_eq!(n, 5);
    assert!(object.contains(":2 "), "{object}");
}

#[test]
fn flipped_byte_in_a_ballot_file_fails_the_ballot_encoding_check() {
    let path = busy_ballot_file();
    let files = tamper(
        |p| p == path,
        |b| {
            let i = b.len() / 2;
            b[i] ^= 0x01;
        },
    );
    let (n, _) = first_failure(&files);
    assert!((4..=5).contains(&n), "{n}");
}

#[test]
fn duplicated_ballot_fails_the_duplicate_check() {
    let path = busy_ballot_file();
    let files = tamper(
        |p| p == path,
        |b| {
            let mut lines = lines_of(b);
            let l = lines[0].clone();
            lines.insert(1, l);
            *b = join(&lines);
        },
    );
    assert_eq!(first_failure(&files).0, 6);
}

#[test]
fn removed_ballot_fails_the_chain_check() {
    let path = busy_ballot_file();
    let files = tamper(
        |p| p == path,
        |b| {
            let mut lines = lines_of(b);
            lines.remove(1);
            *b = join(&lines);
        },
    );
    assert_eq!(first_failure(&files).0, 7);
}

#[test]
fn reordered_ballots_fail_the_chain_check() {
    let path = busy_ballot_file();
    let files = tamper(
        |p| p == path,
        |b| {
            let mut lines = lines_of(b);
            lines.swap(0, 1);
            *b = join(&lines);
        },
    );
    assert_eq!(first_failure(&files).0, 7);
}

#[test]
fn last_ballot_withheld_fails_the_closing_value() {
    // Dropping a device's last ballot keeps the chain consistent; only the closing value
    // published with the device shows it.
    let path = busy_ballot_file();
    let files = tamper(
        |p| p == path,
        |b| {
            let mut lines = lines_of(b);
            lines.pop();
            *b = join(&lines);
        },
    );
    let (n, object) = first_failure(&files);
    assert_eq!(n, 7);
    assert!(object.contains("devices.json"), "{object}");
}

#[test]
fn challenged_ballot_with_a_false_opening_fails() {
    let files = {
        let mut files = run().files.clone();
        let (path, bytes) = files
            .iter()
            .find(|(p, b)| {
                p.ends_with("ballots.jsonl") && String::from_utf8_lossy(b).contains("challenged")
            })
            .map(|(p, b)| (p.clone(), b.clone()))
            .unwrap();
        let mut lines = lines_of(&bytes);
        let i = lines
            .iter()
            .position(|l| String::from_utf8_lossy(l).contains("\"challenged\""))
            .unwrap();
        let s = String::from_utf8(lines[i].clone()).unwrap();
        lines[i] = edit_json(&s, |v| {
            let sel = &mut v["opening"][0]["selections"];
            let (a, b) = (sel[0]["vote"].clone(), sel[1]["vote"].clone());
            sel[0]["vote"] = b;
            sel[1]["vote"] = a;
            if sel[0]["vote"] == sel[1]["vote"] {
                sel[0]["vote"] = serde_json::json!(1 - sel[0]["vote"].as_u64().unwrap());
            }
        });
        files.insert(path, join(&lines));
        with_index(files).unwrap()
    };
    assert_eq!(first_failure(&files).0, 8);
}

#[test]
fn challenged_ballot_counted_as_cast_fails() {
    // Turning a challenged ballot into a cast one breaks the encoding (an opening on a cast
    // ballot); removing the opening too changes no code, but the tally no longer matches.
    let mut files = run().files.clone();
    let (path, bytes) = files
        .iter()
        .find(|(p, b)| {
            p.ends_with("ballots.jsonl") && String::from_utf8_lossy(b).contains("challenged")
        })
        .map(|(p, b)| (p.clone(), b.clone()))
        .unwrap();
    let mut lines = lines_of(&bytes);
    let i = lines
        .iter()
        .position(|l| String::from_utf8_lossy(l).contains("\"challenged\""))
        .unwrap();
    let s = String::from_utf8(lines[i].clone()).unwrap();
    lines[i] = edit_json(&s, |v| {
        v["status"] = serde_json::json!("cast");
        v.as_object_mut().unwrap().remove("opening");
    });
    files.insert(path, join(&lines));
    let files = with_index(files).unwrap();
    assert_eq!(first_failure(&files).0, 9);
}

fn tally_file_with(pred: impl Fn(&serde_json::Value) -> bool) -> String {
    run()
        .files
        .iter()
        .find(|(p, b)| {
            p.ends_with("tally.json")
                && pred(&serde_json::from_slice::<serde_json::Value>(b).unwrap())
        })
        .unwrap()
        .0
        .clone()
}

#[test]
fn altered_station_tally_fails_the_station_check() {
    let path = tally_file_with(|v| {
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["level"] == "station" && !u["contests"].as_array().unwrap().is_empty())
    });
    let files = tamper(
        |p| p == path,
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, |v| {
                let u = v["units"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|u| {
                        u["level"] == "station" && !u["contests"].as_array().unwrap().is_empty()
                    })
                    .unwrap();
                let sels = &mut u["contests"][0]["selections"];
                let other = sels[1]["ciphertext"].clone();
                sels[0]["ciphertext"] = other;
            });
        },
    );
    assert_eq!(first_failure(&files).0, 9);
}

#[test]
fn altered_province_tally_fails_the_aggregation_check() {
    let files = tamper(
        |p| p.starts_with("provinces/af-kab/tally.json"),
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, |v| {
                let c = &mut v["units"][0]["contests"][0];
                let n = c["ballots"].as_u64().unwrap();
                c["ballots"] = serde_json::json!(n + 1);
            });
        },
    );
    let (n, object) = first_failure(&files);
    assert_eq!(n, 10);
    assert!(object.contains("af-kab"), "{object}");
}

#[test]
fn a_false_disclosure_fails_the_privacy_check() {
    let path = tally_file_with(|v| v.to_string().contains("\"merged\""));
    let files = tamper(
        |p| p == path,
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, |v| {
                for u in v["units"].as_array_mut().unwrap() {
                    for c in u["contests"].as_array_mut().unwrap() {
                        if c["disclosure"] == "merged" {
                            c["disclosure"] = serde_json::json!("published");
                            c.as_object_mut().unwrap().remove("merged_into");
                            return;
                        }
                    }
                }
            });
        },
    );
    assert_eq!(first_failure(&files).0, 11);
}

fn edit_nation_decryption(f: impl Fn(&mut serde_json::Value)) -> Files {
    tamper(
        |p| p == "nation/decryption.json",
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, &f);
        },
    )
}

#[test]
fn altered_share_fails_the_share_check() {
    let files = edit_nation_decryption(|v| {
        let d = &mut v["decryptions"][0]["selections"][0]["shares"];
        let other = d[1]["share"].clone();
        d[0]["share"] = other;
    });
    let (n, object) = first_failure(&files);
    assert_eq!(n, 12);
    assert!(object.contains("trustee 1"), "{object}");
}

#[test]
fn removed_share_fails_the_share_check() {
    let files = edit_nation_decryption(|v| {
        v["decryptions"][0]["selections"][0]["shares"]
            .as_array_mut()
            .unwrap()
            .remove(2);
    });
    assert_eq!(first_failure(&files).0, 12);
}

#[test]
fn shares_of_too_few_trustees_fail_the_share_check() {
    // Only two trustees listed: below the threshold of 3.
    let files = edit_nation_decryption(|v| {
        v["trustees"] = serde_json::json!([1, 2]);
    });
    assert_eq!(first_failure(&files).0, 12);
}

#[test]
fn altered_count_fails_the_combination_check() {
    let files = edit_nation_decryption(|v| {
        let c = &mut v["decryptions"][0]["selections"][0]["count"];
        let n = c.as_u64().unwrap();
        *c = serde_json::json!(n + 1);
    });
    assert_eq!(first_failure(&files).0, 13);
}

fn edit_results(f: impl Fn(&mut serde_json::Value)) -> Files {
    tamper(
        |p| p == "results/results.json",
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, &f);
        },
    )
}

#[test]
fn altered_winner_fails_the_results_check() {
    let files = edit_results(|v| {
        let r = v["results"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["method"] == "sntv" && r["seats"].as_u64().unwrap() >= 2)
            .unwrap();
        r["elected"].as_array_mut().unwrap().swap(0, 1);
    });
    assert_eq!(first_failure(&files).0, 14);
}

#[test]
fn removed_seat_and_altered_total_fail_the_results_check() {
    let files = edit_results(|v| {
        let r = v["results"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["method"] == "sntv")
            .unwrap();
        r["elected"].as_array_mut().unwrap().pop();
    });
    assert_eq!(first_failure(&files).0, 14);
    let files = edit_results(|v| {
        let r = &mut v["results"][0]["totals"];
        let k = r.as_object().unwrap().keys().next().unwrap().clone();
        let n = r[&k].as_u64().unwrap();
        r[&k] = serde_json::json!(n + 1);
    });
    assert_eq!(first_failure(&files).0, 14);
}

#[test]
fn reserved_seat_marks_are_checked() {
    let files = edit_results(|v| {
        let r = v["results"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["reserved_women"].as_u64().unwrap() > 0)
            .unwrap();
        r["reserved_elected"] = serde_json::json!(["nobody"]);
    });
    assert_eq!(first_failure(&files).0, 14);
}

#[test]
fn missing_or_extra_file_fails_completeness() {
    let mut files = run().files.clone();
    files.insert("extra.txt".into(), b"x".to_vec());
    let (n, object) = first_failure(&files);
    assert_eq!(n, 15);
    assert_eq!(object, "extra.txt");
    // an extra file added to the index too: not a file of the format
    let files = with_index(files).unwrap();
    assert_eq!(first_failure(&files), (15, "extra.txt".to_owned()));
    // a missing file: the province's decryption file, index rewritten
    let mut files = run().files.clone();
    files.remove("provinces/af-bam/decryption.json");
    let files = with_index(files).unwrap();
    let report = verify(&files);
    let failed: BTreeSet<u32> = report.failures().map(|c| c.number).collect();
    assert!(failed.contains(&15), "{failed:?}");
}

#[test]
fn changed_file_without_new_index_fails_completeness() {
    let mut files = run().files.clone();
    let b = files.get_mut("results/results.json").unwrap();
    b.push(b' ');
    let report = verify(&files);
    let failed: Vec<u32> = report.failures().map(|c| c.number).collect();
    assert!(failed.contains(&15), "{failed:?}");
}

#[test]
fn altered_joint_key_fails_the_ceremony_check() {
    let files = tamper(
        |p| p == "ceremony/ceremony.json",
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, |v| {
                let other = v["public_key"]["public_shares"][0]["public_share"].clone();
                v["public_key"]["joint_key"] = other;
            });
        },
    );
    assert_eq!(first_failure(&files).0, 3);
}

#[test]
fn altered_generator_fails_the_parameter_check() {
    let files = tamper(
        |p| p == "election/parameters.json",
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, |v| {
                v["generator_seed"] = serde_json::json!("00");
            });
        },
    );
    assert_eq!(first_failure(&files).0, 1);
}

#[test]
fn non_canonical_file_is_refused() {
    let files = tamper(
        |p| p == "results/results.json",
        |b| {
            b.insert(1, b' ');
        },
    );
    assert_eq!(first_failure(&files).0, 14);
}

#[test]
fn added_ballot_from_an_unknown_device_fails_the_chain_check() {
    // A fresh ballot with valid proofs, encrypted under the record's own key by a device the
    // record does not list: only the device chains catch it.
    use sanduq_crypto::elgamal::ElectionKey;
    use sanduq_crypto::{BallotContext, ElectionFingerprint};
    use sanduq_record::protocol::Device;
    let files = run().files.clone();
    let raw: sanduq_election::raw::RawManifest =
        serde_json::from_slice(&files["election/manifest.json"]).unwrap();
    let election = Election::setup(Manifest::from_raw(&raw).unwrap(), b"test seed").unwrap();
    let ceremony: serde_json::Value =
        serde_json::from_slice(&files["ceremony/ceremony.json"]).unwrap();
    let key = sanduq_crypto::Element::from_hex(
        "k",
        ceremony["public_key"]["joint_key"].as_str().unwrap(),
    )
    .unwrap();
    let ctx = BallotContext {
        fingerprint: ElectionFingerprint(*election.fingerprint().as_bytes()),
        key: ElectionKey::new(key),
    };
    let path = busy_ballot_file();
    let first: serde_json::Value = serde_json::from_slice(&lines_of(&files[&path])[0]).unwrap();
    let station = first["ballot"]["station"].as_str().unwrap().to_owned();
    let mut device = Device::new(&election, "intruder-d1", &station);
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(99);
    let b = device
        .encrypt(&election, &ctx, None, &Default::default(), &mut rng)
        .unwrap();
    device.cast(b);
    let (lines, _) = device.close();
    let mut files = files;
    let bytes = files.get_mut(&path).unwrap();
    bytes.extend_from_slice(&sanduq_record::wire::to_lines(&lines).unwrap());
    let files = with_index(files).unwrap();
    let (n, object) = first_failure(&files);
    assert_eq!(n, 7);
    assert!(object.contains("intruder-d1"), "{object}");
}

#[test]
fn added_or_duplicated_share_fails_the_share_check() {
    let files = edit_nation_decryption(|v| {
        let shares = v["decryptions"][0]["selections"][0]["shares"]
            .as_array_mut()
            .unwrap();
        let mut extra = shares[0].clone();
        extra["trustee"] = serde_json::json!(5);
        shares.push(extra);
    });
    assert_eq!(first_failure(&files).0, 12);
    let files = edit_nation_decryption(|v| {
        let shares = v["decryptions"][0]["selections"][0]["shares"]
            .as_array_mut()
            .unwrap();
        let dup = shares[0].clone();
        shares[1] = dup;
    });
    assert_eq!(first_failure(&files).0, 12);
}

#[test]
fn reordered_results_fail_the_results_check() {
    let files = edit_results(|v| {
        v["results"].as_array_mut().unwrap().swap(0, 1);
    });
    assert_eq!(first_failure(&files).0, 14);
}

#[test]
fn duplicated_or_removed_tally_unit_fails_the_aggregation_check() {
    let path = tally_file_with(|v| v["units"].as_array().unwrap().len() > 2);
    let files = tamper(
        |p| p == path,
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, |v| {
                let u = v["units"][0].clone();
                v["units"].as_array_mut().unwrap().insert(1, u);
            });
        },
    );
    assert_eq!(first_failure(&files).0, 10);
    let files = tamper(
        |p| p == path,
        |b| {
            let s = String::from_utf8(b.clone()).unwrap();
            *b = edit_json(&s, |v| {
                v["units"].as_array_mut().unwrap().pop();
            });
        },
    );
    let (n, _) = first_failure(&files);
    assert!((9..=10).contains(&n), "{n}");
}
