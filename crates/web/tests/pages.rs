//! The pages served from a real election record (a small demo election run end to end), in
//! every locale, through the router (no network).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::protocol::Election;
use sanduq_record::wire::ResultsFile;
use sanduq_record::{Quiet, RunOptions, run_election, synthetic_voters};
use sanduq_web::i18n::{Locale, format_int};
use sanduq_web::solar_hijri::days_from_civil;
use sanduq_web::{Portal, router};
use tower::ServiceExt;

fn portal() -> Arc<Portal> {
    static P: OnceLock<Arc<Portal>> = OnceLock::new();
    P.get_or_init(|| {
        let params = DemoParams {
            voters: 700,
            seed: 3,
            ..DemoParams::default()
        };
        let manifest = generate(&params).unwrap();
        let options = RunOptions::standard(3).unwrap();
        let election = Election::setup(manifest.clone(), &options.generator_seed).unwrap();
        // every 40th voter challenges a ballot first
        let voters = synthetic_voters(&election, 3, 40).unwrap();
        let run = run_election(manifest, &voters, &options, &Quiet).unwrap();
        // dated 14 April 2018, which the Afghanistan Analysts Network gives as 25 Hamal 1397
        Arc::new(Portal::from_files(run.files, days_from_civil(2018, 4, 14)).unwrap())
    })
    .clone()
}

async fn get(path: &str) -> (StatusCode, String) {
    let resp = router(portal())
        .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn results() -> ResultsFile {
    let p = portal();
    ResultsFile {
        results: p.results.values().cloned().collect(),
    }
}

#[tokio::test]
async fn every_page_in_every_locale() {
    let p = portal();
    let province = p
        .manifest
        .jurisdictions()
        .iter()
        .find(|j| j.kind == sanduq_election::JurisdictionKind::Province)
        .unwrap()
        .id
        .as_str()
        .to_owned();
    let station = p.manifest.polling_stations()[0].id.as_str().to_owned();
    let contest = results().results[0].contest.clone();
    for l in Locale::ALL {
        let tag = l.tag();
        for path in [
            format!("/{tag}/"),
            format!("/{tag}/unit/{province}"),
            format!("/{tag}/unit/{station}"),
            format!("/{tag}/contest/{contest}"),
            format!("/{tag}/verification"),
            format!("/{tag}/anomalies"),
            format!("/{tag}/downloads"),
            format!("/{tag}/receipt"),
            format!("/{tag}/booth"),
        ] {
            let (status, body) = get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(
                body.contains(&format!(r#"<html lang="{tag}" dir="{}">"#, l.dir())),
                "{path}: lang/dir"
            );
            // the date in both calendars (domain §4.10: 14 Apr 2018 = 25 Hamal 1397)
            let (solar, gregorian) = match l {
                Locale::En => ("25 Hamal 1397", "(14 April 2018)"),
                Locale::FaAf | Locale::UzArab => ("۲۵ حمل ۱۳۹۷", "(۱۴ اپریل ۲۰۱۸)"),
                Locale::Ps => ("۲۵ وری ۱۳۹۷", "(۱۴ اپریل ۲۰۱۸)"),
            };
            assert!(
                body.contains(solar) && body.contains(gregorian),
                "{path}: date"
            );
            if l.is_rtl() {
                // no ASCII digit outside markup, identifiers and codes: check the as-of line
                let line = body.split("class=\"as-of\">").nth(1).unwrap();
                let line = line.split('<').next().unwrap();
                assert!(!line.chars().any(|c| c.is_ascii_digit()), "{path}: {line}");
            }
        }
    }
}

#[tokio::test]
async fn contest_page_shows_the_record_totals_and_seats() {
    let p = portal();
    for r in results()
        .results
        .iter()
        .filter(|r| r.status == "counted")
        .take(5)
    {
        let c = p.manifest.contest(&r.contest).unwrap();
        for l in [Locale::En, Locale::Ps] {
            let (status, body) = get(&format!("/{}/contest/{}", l.tag(), r.contest)).await;
            assert_eq!(status, StatusCode::OK);
            for k in &c.candidates {
                let name = if l == Locale::En {
                    &k.name.en
                } else {
                    &k.name.ps
                };
                let votes = format_int(r.totals[k.id.as_str()], l);
                let row = body
                    .split("<tr")
                    .find(|row| row.contains(&format!(">{name}</th>")))
                    .unwrap_or_else(|| panic!("{}: no row for {name}", r.contest));
                assert!(row.contains(&format!(">{votes}</td>")), "{name}: {votes}");
            }
            assert_eq!(
                body.matches(r#"<tr class="elected">"#).count(),
                r.elected.len(),
                "{}: elected rows",
                r.contest
            );
            assert_eq!(body.matches("<rect class=\"seat").count(), r.elected.len());
            assert_eq!(
                body.matches("<rect class=\"seat reserved\"").count(),
                r.reserved_elected.len()
            );
        }
    }
}

#[tokio::test]
async fn verification_lists_the_sixteen_checks_as_passed() {
    let (_, body) = get("/en/verification").await;
    assert!(body.contains("Verified: every check of the election record passed."));
    assert_eq!(body.matches("✔ Passed").count(), 16);
}

#[tokio::test]
async fn receipt_finds_cast_and_challenged_ballots() {
    let p = portal();
    let cast = p.receipts.values().find(|e| e.status == "cast").unwrap();
    let code = p
        .receipts
        .iter()
        .find(|(_, e)| e.status == "cast")
        .unwrap()
        .0;
    let (status, body) = get(&format!("/en/receipt?code={}", code.to_uppercase())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Your ballot is in the election record."));
    assert!(body.contains(&cast.device));
    assert!(body.contains("✔ recomputed from the encrypted ballot"));

    let (code, ch) = p
        .receipts
        .iter()
        .find(|(_, e)| e.status == "challenged")
        .expect("the demo challenges every 40th voter's first ballot");
    let (_, body) = get(&format!("/en/receipt?code={code}")).await;
    assert!(body.contains("Challenged: opened and published, not counted."));
    for (contest, marks) in &ch.opened {
        let c = p.manifest.contest(contest).unwrap();
        for m in marks {
            let k = c.candidates.iter().find(|k| k.id.as_str() == m).unwrap();
            assert!(body.contains(&k.name.en), "choice {m} not shown");
        }
    }

    let (_, body) = get(&format!("/en/receipt?code={}", "0".repeat(64))).await;
    assert!(body.contains("No ballot with this tracking code is in the record."));
}

#[tokio::test]
async fn downloads_and_errors() {
    let p = portal();
    let (status, csv) = get("/download/results.csv").await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv.lines().count() - 1;
    let expected: usize = p
        .results
        .keys()
        .map(|c| p.manifest.contest(c).unwrap().candidates.len())
        .sum();
    assert_eq!(rows, expected);
    let (status, tar) = get("/download/stations.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tar.lines().count() - 1, p.manifest.polling_stations().len());
    assert_eq!(get("/fr/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get("/en/unit/nowhere").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get("/en/contest/nothing").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn booth_setup_carries_the_record_key_and_the_nationwide_contest() {
    let p = portal();
    let (status, body) = get("/booth/setup.json").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let fp = p.report.verified.as_ref().unwrap().fingerprint.clone();
    assert_eq!(v["fingerprint"], fp.as_str());
    assert_eq!(v["joint_key"].as_str().unwrap().len(), 64);
    let contests = v["contests"].as_array().unwrap();
    // the demo's only nationwide contest of round 1 is the presidential one
    assert_eq!(contests.len(), 1);
    let id = contests[0]["contest"].as_str().unwrap();
    let c = p.manifest.contest(id).unwrap();
    assert_eq!(c.method.as_str(), "two-round");
    assert_eq!(
        contests[0]["selections"].as_array().unwrap().len(),
        c.candidates.len()
    );
    // no package configured: the booth's module is not served
    let (status, _) = get("/booth/pkg/sanduq_booth_wasm_bg.wasm").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The demo record with one station's list altered after the election: listed as closed and
/// with 1 registered voter. Its ballots then exceed its list (turnout over 100 %) and come from
/// a closed station; and the record no longer verifies (the manifest's hash changed).
#[tokio::test]
async fn altered_station_list_is_flagged_and_the_record_fails_verification() {
    let p = portal();
    let station = p
        .manifest
        .polling_stations()
        .iter()
        .find(|s| p.cast_at(s.id.as_str()) > 1 && s.groups.is_empty())
        .unwrap();
    let id = station.id.as_str().to_owned();
    // rebuild the files from the archive the portal serves
    let mut files = sanduq_record::store::Files::new();
    let mut ar = tar::Archive::new(p.archive.as_slice());
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
        files.insert(path, bytes);
    }
    let mut m: serde_json::Value =
        serde_json::from_slice(&files["election/manifest.json"]).unwrap();
    for s in m["polling_stations"].as_array_mut().unwrap() {
        if s["id"] == id.as_str() {
            s["status"] = "closed".into();
            s["registered"] = 1.into();
        }
    }
    files.insert(
        "election/manifest.json".to_owned(),
        sanduq_election::canonical::to_canonical_json(&m).unwrap(),
    );
    let altered = Arc::new(Portal::from_files(files, 0).unwrap());
    let flags = &altered.flags[&id];
    let codes: Vec<&str> = flags.iter().map(|f| f.code()).collect();
    assert_eq!(codes, vec!["turnout-over-100", "closed-station"]);

    let get2 = |path: String| {
        let app = router(altered.clone());
        async move {
            let resp = app
                .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            String::from_utf8(bytes.to_vec()).unwrap()
        }
    };
    let body = get2("/en/anomalies".to_owned()).await;
    assert!(body.contains(&format!("/en/unit/{id}")));
    assert!(body.contains("Turnout above 100 %"));
    assert!(body.contains("Results from a station listed as closed"));
    let body = get2(format!("/ps/unit/{id}")).await;
    assert!(body.contains("ګډون له ۱۰۰ سلنې څخه زیات"));
    let body = get2("/en/verification".to_owned()).await;
    assert!(body.contains("Verification failed"));
    assert!(body.contains("✘ Failed"));
    let body = get2("/en/".to_owned()).await;
    assert!(body.contains("✘ Not verified"));
}
