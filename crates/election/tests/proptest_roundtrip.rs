//! Property: any generated demo manifest round-trips through TOML and validates.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use sanduq_election::Manifest;
use sanduq_election::demo::{self, DemoParams};

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn demo_manifests_round_trip_through_toml(
        k in 1u32..=25,
        extra in 0u32..40_000,
        full_lists in any::<bool>(),
        seed in any::<u64>(),
        kuchi_permille in 0u32..=60,
        women_permille in 200u32..=500,
    ) {
        let params = DemoParams {
            voters: 68 * k + extra,
            full_lists,
            seed,
            privacy_threshold: k,
            kuchi_permille,
            women_permille,
            ..DemoParams::default()
        };
        let m = demo::generate(&params).unwrap();
        let text = m.to_toml().unwrap();
        let back = Manifest::parse(&text).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.canonical_bytes(), m.canonical_bytes());
        // Sanity of every generated roll: K ≤ list ≤ cap at every station.
        for s in back.polling_stations() {
            prop_assert!(s.registered >= k && s.registered <= s.ballot_cap);
        }
        prop_assert_eq!(back.registered_total(), u64::from(params.voters));
    }
}
