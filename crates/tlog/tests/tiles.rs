//! tlog-tiles: the path KAT `data/tlog/tlog-tiles-paths.json` and the real 300-entry tiled
//! tree `data/tlog/cosignature/mirror-tree` (cosigned by `mirror.example.org`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use sanduq_tlog::checkpoint::SignedCheckpoint;
use sanduq_tlog::merkle::{self, Tree};
use sanduq_tlog::signed_note::{Verifier, VerifierSet};
use sanduq_tlog::tiles::{self, TilePath, TileStore};
use serde_json::Value;

#[test]
fn index_path_encoding() {
    let v: Value = serde_json::from_slice(&common::read("tlog-tiles-paths.json")).unwrap();
    let enc = v["index_path_encoding"].as_object().unwrap();
    assert!(enc.len() >= 8);
    for (n, want) in enc {
        let n: u64 = n.parse().unwrap();
        let want = want.as_str().unwrap();
        assert_eq!(tiles::encode_index(n), want, "{n}");
        // And back, through a full path.
        let p = format!("tile/0/{want}");
        assert_eq!(
            TilePath::parse(&p).unwrap(),
            TilePath::Hash {
                level: 0,
                index: n,
                width: 256
            }
        );
    }
}

#[test]
fn tiles_for_tree_sizes() {
    let v: Value = serde_json::from_slice(&common::read("tlog-tiles-paths.json")).unwrap();
    let sizes = v["tiles_for_tree_size"].as_object().unwrap();
    assert_eq!(sizes.len(), 11);
    for (size, want) in sizes {
        let size: u64 = size.parse().unwrap();
        let strs = |key: &str| -> Vec<String> {
            want[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_owned())
                .collect()
        };
        let hash: Vec<String> = tiles::hash_tiles_for_size(size)
            .iter()
            .map(ToString::to_string)
            .collect();
        let bundles: Vec<String> = tiles::entry_bundles_for_size(size)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(hash, strs("hash_tiles"), "hash tiles of size {size}");
        assert_eq!(
            bundles,
            strs("entry_bundles"),
            "entry bundles of size {size}"
        );
        for p in hash.iter().chain(&bundles) {
            assert_eq!(TilePath::parse(p).unwrap().to_string(), *p);
        }
    }
    // The spec's sentence for size 70,000.
    let s = &v["tree_size_70000_summary"];
    let t: Vec<String> = tiles::hash_tiles_for_size(70_000)
        .iter()
        .map(ToString::to_string)
        .collect();
    let full0 = t
        .iter()
        .filter(|p| p.starts_with("tile/0/") && !p.contains(".p/"))
        .count();
    assert_eq!(full0 as u64, s["full_level0"].as_u64().unwrap());
    let rest: Vec<&String> = t
        .iter()
        .filter(|p| !p.starts_with("tile/0/") || p.contains(".p/"))
        .collect();
    let mut want: Vec<String> = Vec::new();
    for key in ["partial_level0", "full_level1", "partial_level1", "level2"] {
        want.extend(
            s[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(rest, want.iter().collect::<Vec<_>>());
}

#[test]
fn malformed_paths_are_rejected() {
    for bad in [
        "",
        "tile",
        "tile/",
        "tile/0",
        "tile/0/",
        "tile/00/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/0/0",
        "tile/0/0000",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/x001",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/044",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/entries/x001",
        "tile/entry/000",
        "tiles/0/000",
        "/tile/0/000",
        "tile/0/000/",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/0/abc",
    ] {
        assert!(TilePath::parse(bad).is_err(), "{bad:?} accepted");
    }
    assert_eq!(
        TilePath::parse("tile/entries/x001/234.p/7").unwrap(),
        TilePath::Entries {
            index: 1234,
            width: 7
        }
    );
    assert_eq!(
        TilePath::parse("tile/63/x018/x446/x744/x073/x709/x551/615").unwrap(),
        TilePath::Hash {
            level: 63,
            index: u64::MAX,
            width: 256
        }
    );
}

const MIRROR: &str = "cosignature/mirror-tree/";
/// RFC 6962 root of the 300 entries, as in `rome2026h1-mirror.checkpoint` (README).
const ROOT_300: &str = "gw31yQrqZZCcEOPrzX+bpy3nJ6QgngTKn8G1m0i62uU=";

fn mirror_store() -> TileStore {
    let mut store = TileStore::new();
    for p in tiles::hash_tiles_for_size(300) {
        store
            .insert(&p, &common::read(&format!("{MIRROR}{p}")))
            .unwrap();
    }
    store
}

#[test]
fn mirror_tree_root_matches_cosigned_checkpoint() {
    let cp =
        SignedCheckpoint::parse(&common::read("cosignature/rome2026h1-mirror.checkpoint")).unwrap();
    let keys: VerifierSet =
        [
            Verifier::from_vkey(common::read_str("cosignature/mirror.example.org.vkey").trim_end())
                .unwrap(),
        ]
        .into_iter()
        .collect();
    cp.verify(&keys).unwrap();
    let want = merkle::Hash::from_slice(&common::b64(ROOT_300)).unwrap();
    assert_eq!(cp.checkpoint().root(), &want);
    assert_eq!(cp.checkpoint().size(), 300);

    let store = mirror_store();
    assert_eq!(merkle::root(&store, 300).unwrap(), want);

    // The same tree rebuilt from the entries `record <i>` produces the same tile bytes.
    let mut tree = Tree::new();
    for i in 0..300 {
        tree.append_entry(format!("record {i}").as_bytes());
    }
    assert_eq!(tree.root(), want);
    for p in tiles::hash_tiles_for_size(300) {
        let TilePath::Hash {
            level,
            index,
            width,
        } = p
        else {
            unreachable!()
        };
        assert_eq!(
            tiles::hash_tile_bytes(&tree, level, index, width).unwrap(),
            common::read(&format!("{MIRROR}{p}")),
            "{p}"
        );
    }
}

#[test]
fn mirror_tree_entry_bundles() {
    let store = mirror_store();
    let mut seen = 0u64;
    for p in tiles::entry_bundles_for_size(300) {
        let bytes = common::read(&format!("{MIRROR}{p}"));
        store.check_bundle(&p, &bytes).unwrap();
        let entries = tiles::parse_entry_bundle(&bytes, Some(p.width())).unwrap();
        for e in &entries {
            assert_eq!(*e, format!("record {seen}").as_bytes());
            seen += 1;
        }
        assert_eq!(tiles::format_entry_bundle(&entries).unwrap(), bytes);
        // A wrong count, a truncation and a tampered entry are all detected.
        assert!(tiles::parse_entry_bundle(&bytes, Some(p.width() - 1)).is_err());
        assert!(tiles::parse_entry_bundle(&bytes[..bytes.len() - 1], None).is_err());
        let mut tampered = bytes.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(store.check_bundle(&p, &tampered).is_err());
    }
    assert_eq!(seen, 300);
}

#[test]
fn proofs_read_from_tiles_verify_against_the_cosigned_root() {
    let store = mirror_store();
    let root = merkle::Hash::from_slice(&common::b64(ROOT_300)).unwrap();
    for i in [0u64, 1, 2, 127, 255, 256, 257, 298, 299] {
        let leaf = merkle::leaf_hash(format!("record {i}").as_bytes());
        let proof = merkle::inclusion_proof(&store, i, 300).unwrap();
        merkle::verify_inclusion(i, 300, &leaf, &proof, &root).unwrap();
        let wrong = merkle::leaf_hash(format!("record {}", i + 1).as_bytes());
        assert!(merkle::verify_inclusion(i, 300, &wrong, &proof, &root).is_err());
    }
    for old in [1u64, 7, 100, 255, 256, 257, 299, 300] {
        let old_root = merkle::root(&store, old).unwrap();
        let proof = merkle::consistency_proof(&store, old, 300).unwrap();
        merkle::verify_consistency(old, 300, &proof, &old_root, &root).unwrap();
    }
    // Nodes beyond the tiles supplied are missing, not invented.
    assert!(merkle::root(&store, 301).is_err());
}

#[test]
fn hash_tile_length_is_checked() {
    let mut store = TileStore::new();
    let p = TilePath::parse("tile/0/001.p/44").unwrap();
    let bytes = common::read(&format!("{MIRROR}{p}"));
    assert_eq!(bytes.len(), 44 * 32);
    assert!(store.insert(&p, &bytes[..bytes.len() - 1]).is_err());
    assert!(
        store
            .insert(&TilePath::parse("tile/0/001.p/45").unwrap(), &bytes)
            .is_err()
    );
    store.insert(&p, &bytes).unwrap();
}
