//! Serving pages from a demo record (700 voters): the nation page and a contest page, in Dari,
//! through the router (no network).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use sanduq_election::demo::{DemoParams, generate};
use sanduq_record::protocol::Election;
use sanduq_record::{Quiet, RunOptions, run_election, synthetic_voters};
use sanduq_web::{Portal, router};
use tower::ServiceExt;

fn bench(c: &mut Criterion) {
    let params = DemoParams {
        voters: 700,
        seed: 5,
        ..DemoParams::default()
    };
    let manifest = generate(&params).unwrap();
    let options = RunOptions::standard(5).unwrap();
    let election = Election::setup(manifest.clone(), &options.generator_seed).unwrap();
    let voters = synthetic_voters(&election, 5, 250).unwrap();
    let run = run_election(manifest, &voters, &options, &Quiet).unwrap();
    let portal = Arc::new(Portal::from_files(run.files, 20_000).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let contest = portal.results.keys().next().unwrap().clone();
    for (name, path) in [
        ("page nation fa-AF", "/fa-AF/".to_owned()),
        ("page contest fa-AF", format!("/fa-AF/contest/{contest}")),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let resp = router(portal.clone())
                        .oneshot(Request::builder().uri(&path).body(Body::empty()).unwrap())
                        .await
                        .unwrap();
                    resp.into_body().collect().await.unwrap().to_bytes().len()
                })
            });
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
