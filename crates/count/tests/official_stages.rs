//! Scottish STV, stage by stage, against an official result: Glasgow City Council, 2007 local
//! government election, ward 1 (Linn), 4 seats. The figures below are the official eSTV stage
//! report as published by the council (archived at
//! <https://web.archive.org/web/20121004213938/http://www.glasgow.gov.uk/en/YourCouncil/Elections_Voting/Election_Results/ElectionScotland2007/LGWardResults.htm?ward=1&wardname=1%20-%20Linn>),
//! transcribed in loomio/loomio `test/fixtures/files/stv/linn07_stages.json`. The ballots are the
//! shared case `official-stv-scottish/glasgow_2007_linn`. Every vote total of every stage must
//! agree to the fifth decimal, and so must the non-transferable total.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::PathBuf;

use sanduq_count::{Count, Method, Options, parse};

fn shared_data() -> PathBuf {
    match std::env::var_os("SANDUQ_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")),
    }
}

/// Candidates in the order of the columns below (official names; the input adds the party).
const NAMES: [&str; 11] = [
    "Esme H Clark",
    "Margot Clark",
    "Sadie Docherty",
    "Chris Lang",
    "Harry Mcarthur",
    "John Mckenzie",
    "David Ritchie",
    "Alan Stewart",
    "Chloe Helen Stewart",
    "Gordon Thomson",
    "Frank Young",
];

/// Per stage: the votes of each candidate still standing ("-" once excluded) and the
/// non-transferable total.
const STAGES: [([&str; 11], &str); 10] = [
    (
        [
            "898.00000",
            "1284.00000",
            "1782.00000",
            "219.00000",
            "165.00000",
            "1381.00000",
            "2043.00000",
            "955.00000",
            "296.00000",
            "149.00000",
            "395.00000",
        ],
        "0.00000",
    ),
    (
        [
            "905.13482",
            "1302.94200",
            "1789.19796",
            "224.61946",
            "166.83106",
            "1389.27134",
            "1914.00000",
            "961.44028",
            "310.77476",
            "156.82936",
            "409.77476",
        ],
        "36.18420",
    ),
    (
        [
            "906.45052",
            "1311.32084",
            "1798.70308",
            "229.80888",
            "170.02048",
            "1395.65018",
            "1914.00000",
            "970.56656",
            "328.78500",
            "-",
            "469.48978",
        ],
        "72.20468",
    ),
    (
        [
            "961.76622",
            "1318.44712",
            "1807.82936",
            "239.06144",
            "-",
            "1417.83960",
            "1914.00000",
            "980.69284",
            "338.97442",
            "-",
            "478.67920",
        ],
        "109.70980",
    ),
    (
        [
            "991.39762",
            "1350.20480",
            "1826.01878",
            "-",
            "-",
            "1433.90274",
            "1914.00000",
            "990.00854",
            "359.36350",
            "-",
            "498.31060",
        ],
        "203.79342",
    ),
    (
        [
            "1005.34472",
            "1458.48808",
            "1849.71332",
            "-",
            "-",
            "1459.28158",
            "1914.00000",
            "1001.51366",
            "-",
            "-",
            "547.47784",
        ],
        "331.18080",
    ),
    (
        [
            "1015.91298",
            "1532.33962",
            "1896.91298",
            "-",
            "-",
            "1514.35496",
            "1914.00000",
            "1078.47100",
            "-",
            "-",
            "-",
        ],
        "615.00846",
    ),
    (
        [
            "-",
            "1866.00174",
            "1947.35496",
            "-",
            "-",
            "1530.60752",
            "1914.00000",
            "1105.84984",
            "-",
            "-",
            "-",
        ],
        "1203.18594",
    ),
    (
        [
            "-",
            "1868.39022",
            "1914.00000",
            "-",
            "-",
            "1547.18432",
            "1914.00000",
            "1111.65708",
            "-",
            "-",
            "-",
        ],
        "1211.76838",
    ),
    (
        [
            "-",
            "2008.75096",
            "1914.00000",
            "-",
            "-",
            "2174.90506",
            "1914.00000",
            "-",
            "-",
            "-",
            "-",
        ],
        "1555.34398",
    ),
];

#[test]
fn glasgow_2007_linn_every_stage() {
    let path = shared_data().join("tabulation/official-stv-scottish/glasgow_2007_linn/input.blt");
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set SANDUQ_SHARED_DATA)", path.display()));
    let blt = parse::blt("linn.blt", &bytes).unwrap();
    let opts = Options {
        seats: 4,
        ..Options::default()
    };
    let out = Count::run(&Method::StvScottish, &blt.ballots, &opts).unwrap();
    assert_eq!(out.rounds.len(), STAGES.len());
    for (stage, (round, (votes, non_transferable))) in out.rounds.iter().zip(STAGES).enumerate() {
        assert_eq!(round.quota.as_deref(), Some("1914.00000"));
        assert_eq!(round.exhausted, non_transferable, "stage {}", stage + 1);
        for (name, want) in NAMES.iter().zip(votes) {
            let got = round
                .tallies
                .iter()
                .find(|(n, _)| n.starts_with(&format!("{name} (")))
                .map(|(_, v)| v.as_str());
            if want == "-" {
                assert_eq!(got, None, "stage {}: {name} should be out", stage + 1);
            } else {
                assert_eq!(got, Some(want), "stage {}: {name}", stage + 1);
            }
        }
    }
    // Official order of election: Ritchie (stage 1), Docherty (stage 8), Clark and McKenzie.
    assert_eq!(
        out.elected[..2],
        ["David Ritchie (SNP)", "Sadie Docherty (Lab)"]
    );
}
