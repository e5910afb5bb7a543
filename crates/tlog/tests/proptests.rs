//! Property tests: every parser of untrusted input never panics, parse∘format is the
//! identity on valid values, and Merkle proofs verify and break under any single tweak.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use sanduq_tlog::checkpoint::{Checkpoint, SignedCheckpoint};
use sanduq_tlog::cosignature::CosignatureSigner;
use sanduq_tlog::merkle::{self, Hash, Tree};
use sanduq_tlog::signed_note::{Ed25519Signer, KeyId, KeyName, Note, NoteSignature, VerifierSet};
use sanduq_tlog::tiles::{self, TilePath};
use sanduq_tlog::witness::{AddCheckpointRequest, MemoryStore, Witness, WitnessStore};

/// Test configuration: `cases` cases; failures are recorded in
/// `tests/proptests.proptest-regressions` (relative to the crate, where `cargo test` runs) and
/// replayed first on later runs.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptests.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

fn key_name() -> impl Strategy<Value = KeyName> {
    "[a-zA-Z0-9./_-]{1,40}".prop_map(|s| KeyName::new(&s).unwrap())
}

/// A note text: lines without control characters (blank lines allowed), ending in '\n'.
fn note_text() -> impl Strategy<Value = String> {
    prop::collection::vec("[^\\x00-\\x1f]{0,30}", 1..6).prop_map(|lines| {
        let mut s = lines.join("\n");
        s.push('\n');
        s
    })
}

fn signature() -> impl Strategy<Value = NoteSignature> {
    (
        key_name(),
        any::<[u8; 4]>(),
        prop::collection::vec(any::<u8>(), 1..80),
    )
        .prop_map(|(n, id, sig)| NoteSignature::new(n, KeyId(id), sig).unwrap())
}

fn hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash)
}

fn checkpoint() -> impl Strategy<Value = Checkpoint> {
    (
        "[^\\x00-\\x1f]{1,40}",
        any::<u64>(),
        hash(),
        prop::collection::vec("[^\\x00-\\x1f]{1,20}", 0..3),
    )
        .prop_map(|(o, size, root, ext)| Checkpoint::with_extensions(&o, size, root, ext).unwrap())
}

/// Note-shaped noise: fragments that exercise the separator and signature-line paths.
fn noteish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just("\n".to_owned()),
            Just("\n\n".to_owned()),
            Just("\u{2014} ".to_owned()),
            Just(" ".to_owned()),
            Just("old 5\n".to_owned()),
            Just("AAAA".to_owned()),
            Just("=".to_owned()),
            Just("+".to_owned()),
            "[a-zA-Z0-9/+=]{0,12}",
            ".{0,4}",
        ],
        0..24,
    )
    .prop_map(|v| v.concat().into_bytes())
}

fn fixed_signer() -> Ed25519Signer {
    Ed25519Signer::from_seed(KeyName::new("example.com/log").unwrap(), &[7; 32])
}

fn log_keys() -> VerifierSet {
    [fixed_signer().verifier()].into_iter().collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn note_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Note::parse(&bytes);
        let _ = SignedCheckpoint::parse(&bytes);
    }

    #[test]
    fn note_parse_never_panics_on_noteish(bytes in noteish()) {
        if let Ok(n) = Note::parse(&bytes) {
            // Whatever parses re-encodes to the same bytes.
            prop_assert_eq!(n.to_bytes(), bytes);
            let _ = n.verify(&log_keys());
        }
    }

    #[test]
    fn note_format_parse_identity(text in note_text(), sigs in prop::collection::vec(signature(), 1..5)) {
        let note = Note::new(text, sigs).unwrap();
        let bytes = note.to_bytes();
        prop_assert_eq!(Note::parse(&bytes).unwrap(), note);
    }

    #[test]
    fn signed_notes_verify_and_tampering_fails(text in note_text(), flip in any::<prop::sample::Index>()) {
        let s = fixed_signer();
        let note = Note::new(text.clone(), vec![s.sign(&text).unwrap()]).unwrap();
        prop_assert!(note.verify(&log_keys()).is_ok());
        let mut bad = note.signatures()[0].signature().to_vec();
        let i = flip.index(bad.len());
        bad[i] ^= 1;
        let bad = Note::new(text, vec![NoteSignature::new(s.name().clone(), s.id(), bad).unwrap()]).unwrap();
        prop_assert!(bad.verify(&log_keys()).is_err());
    }

    #[test]
    fn checkpoint_parse_never_panics(s in "[^\\x00]{0,80}") {
        let _ = Checkpoint::parse(&s);
    }

    #[test]
    fn checkpoint_format_parse_identity(c in checkpoint()) {
        prop_assert_eq!(Checkpoint::parse(&c.to_text()).unwrap(), c);
    }

    #[test]
    fn cosignature_round_trip(c in checkpoint(), t in 0u64..=(i64::MAX as u64), dt in 1u64..1000) {
        let w = CosignatureSigner::from_seed(KeyName::new("w.example/1").unwrap(), &[9; 32]);
        let text = c.to_text();
        let sig = w.sign(&text, t).unwrap();
        let line = sig.to_line();
        let parsed = NoteSignature::parse_line(line.strip_suffix('\n').unwrap(), 1).unwrap();
        prop_assert_eq!(&parsed, &sig);
        let keys: VerifierSet = [w.verifier()].into_iter().collect();
        let note = Note::new(text.clone(), vec![parsed]).unwrap();
        let v = note.verify(&keys).unwrap();
        prop_assert_eq!(v.verified()[0].timestamp, Some(t));
        // Another timestamp breaks it.
        let mut blob = sig.signature().to_vec();
        blob[..8].copy_from_slice(&(t ^ dt).to_be_bytes());
        let bad = Note::new(text, vec![NoteSignature::new(sig.name().clone(), sig.id(), blob).unwrap()]).unwrap();
        prop_assert!(bad.verify(&keys).is_err());
    }

    #[test]
    fn signature_line_parse_never_panics(s in ".{0,120}") {
        let _ = NoteSignature::parse_line(&s, 1);
        let _ = sanduq_tlog::signed_note::Verifier::from_vkey(&s);
        let _ = Ed25519Signer::from_skey(&s);
    }

    #[test]
    fn witness_request_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = AddCheckpointRequest::parse(&bytes);
        let w = Witness::new(CosignatureSigner::from_seed(KeyName::new("w").unwrap(), &[1; 32]));
        let _ = w.add_checkpoint(&MemoryStore::new(), &bytes, 0);
    }

    #[test]
    fn witness_request_parse_never_panics_on_noteish(bytes in noteish()) {
        let _ = AddCheckpointRequest::parse(&bytes);
    }

    #[test]
    fn witness_request_format_parse_identity(c in checkpoint(), old in any::<u64>(), proof in prop::collection::vec(hash(), 0..=63)) {
        let s = fixed_signer();
        let note = Note::new(c.to_text(), vec![s.sign(&c.to_text()).unwrap()]).unwrap();
        let req = AddCheckpointRequest::new(old, proof, SignedCheckpoint::from_note(note).unwrap()).unwrap();
        let bytes = req.to_bytes();
        prop_assert_eq!(AddCheckpointRequest::parse(&bytes).unwrap(), req);
    }

    #[test]
    fn tile_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), w in 0u16..300) {
        let _ = tiles::parse_entry_bundle(&bytes, Some(w));
        let _ = tiles::parse_entry_bundle(&bytes, None);
        if let Ok(p) = TilePath::parse(&format!("tile/0/000.p/{w}")) {
            let _ = tiles::parse_hash_tile(&p, &bytes);
            let mut store = tiles::TileStore::new();
            let _ = store.insert(&p, &bytes);
        }
    }

    #[test]
    fn tile_path_parse_never_panics(s in "(tile/)?[0-9a-z./x]{0,30}") {
        if let Ok(p) = TilePath::parse(&s) {
            prop_assert_eq!(p.to_string(), s);
        }
    }

    #[test]
    fn tile_path_format_parse_identity(level in 0u8..=63, index in any::<u64>(), width in 1u16..=256, entries in any::<bool>()) {
        let p = if entries { TilePath::Entries { index, width } } else { TilePath::Hash { level, index, width } };
        prop_assert_eq!(TilePath::parse(&p.to_string()).unwrap(), p);
    }

    #[test]
    fn entry_bundle_format_parse_identity(entries in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..=40)) {
        let bytes = tiles::format_entry_bundle(&entries).unwrap();
        let parsed = tiles::parse_entry_bundle(&bytes, Some(entries.len() as u16)).unwrap();
        prop_assert_eq!(parsed, entries.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }
}

/// One change to a proof statement that must make verification fail.
///
/// Sizes and indexes are not tweaked: an RFC 6962 proof does not always bind them (the
/// inclusion proof of leaf 0 in a tree of 5 leaves has the same shape as in a tree of 6, so
/// with the same hashes it yields the same root), which is why a verifier takes sizes from a
/// signed checkpoint, never from the proof's sender.
#[derive(Debug, Clone)]
enum Tweak {
    FlipProofBit {
        element: prop::sample::Index,
        bit: u8,
    },
    FlipLeafOrRoot1Bit(u8),
    FlipRootBit(u8),
    DropElement(prop::sample::Index),
    AddElement(Hash),
}

fn tweak() -> impl Strategy<Value = Tweak> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>())
            .prop_map(|(element, bit)| Tweak::FlipProofBit { element, bit }),
        any::<u8>().prop_map(Tweak::FlipLeafOrRoot1Bit),
        any::<u8>().prop_map(Tweak::FlipRootBit),
        any::<prop::sample::Index>().prop_map(Tweak::DropElement),
        hash().prop_map(Tweak::AddElement),
    ]
}

fn flip(h: &mut Hash, bit: u8) {
    h.0[usize::from(bit / 8) % 32] ^= 1 << (bit % 8);
}

fn tree_of(n: u64) -> Tree {
    let mut t = Tree::new();
    for i in 0..n {
        t.append_entry(&i.to_be_bytes());
    }
    t
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn inclusion_proofs_verify_and_any_tweak_fails(size in 1u64..300, idx in any::<prop::sample::Index>(), t in tweak()) {
        let tree = tree_of(size);
        let index = idx.index(size as usize) as u64;
        let leaf = merkle::leaf_hash(&index.to_be_bytes());
        let root = tree.root();
        let proof = tree.inclusion_proof(index, size).unwrap();
        prop_assert_eq!(proof.len(), merkle::inclusion_proof_len(index, size));
        prop_assert!(merkle::verify_inclusion(index, size, &leaf, &proof, &root).is_ok());
        // The direct root agrees with the stored-hash root.
        let leaves: Vec<Hash> = (0..size).map(|i| merkle::leaf_hash(&i.to_be_bytes())).collect();
        prop_assert_eq!(merkle::root_from_leaves(&leaves), root);

        let (mut l, mut r, mut p) = (leaf, root, proof);
        match t {
            Tweak::FlipProofBit { element, bit } => {
                if p.is_empty() { return Ok(()); }
                let k = element.index(p.len());
                flip(&mut p[k], bit);
            }
            Tweak::FlipLeafOrRoot1Bit(bit) => flip(&mut l, bit),
            Tweak::FlipRootBit(bit) => flip(&mut r, bit),
            Tweak::DropElement(e) => {
                if p.is_empty() { return Ok(()); }
                let k = e.index(p.len());
                p.remove(k);
            }
            Tweak::AddElement(h) => p.push(h),
        }
        prop_assert!(merkle::verify_inclusion(index, size, &l, &p, &r).is_err());
    }

    #[test]
    fn consistency_proofs_verify_and_any_tweak_fails(size2 in 1u64..300, a in any::<prop::sample::Index>(), t in tweak()) {
        let tree = tree_of(size2);
        let size1 = a.index(size2 as usize) as u64 + 1;
        let (root1, root2) = (tree.root_at(size1).unwrap(), tree.root());
        let proof = tree.consistency_proof(size1, size2).unwrap();
        prop_assert_eq!(proof.len(), merkle::consistency_proof_len(size1, size2));
        prop_assert!(merkle::verify_consistency(size1, size2, &proof, &root1, &root2).is_ok());

        let (mut r1, mut r2, mut p) = (root1, root2, proof);
        match t {
            Tweak::FlipProofBit { element, bit } => {
                if p.is_empty() { return Ok(()); }
                let k = element.index(p.len());
                flip(&mut p[k], bit);
            }
            Tweak::FlipLeafOrRoot1Bit(bit) => flip(&mut r1, bit),
            Tweak::FlipRootBit(bit) => flip(&mut r2, bit),
            Tweak::DropElement(e) => {
                if p.is_empty() { return Ok(()); }
                let k = e.index(p.len());
                p.remove(k);
            }
            Tweak::AddElement(h) => p.push(h),
        }
        prop_assert!(merkle::verify_consistency(size1, size2, &p, &r1, &r2).is_err());
    }

    #[test]
    fn append_nodes_matches_tree(size in 0u64..300) {
        let tree = tree_of(size);
        let leaf = merkle::leaf_hash(b"next");
        let nodes = merkle::append_nodes(&tree, size, leaf).unwrap();
        let mut bigger = tree.clone();
        bigger.append_leaf_hash(leaf);
        use merkle::NodeStore as _;
        for (id, h) in nodes {
            prop_assert_eq!(bigger.node(id.level, id.index), Some(h));
        }
    }

    /// The witness never lets the stored size decrease and cosigns only requests whose old
    /// size is the stored size.
    #[test]
    fn witness_stored_size_never_decreases(reqs in prop::collection::vec((0u64..12, 0u64..12, any::<bool>()), 1..20)) {
        let log = fixed_signer();
        let tree = tree_of(12);
        let w = {
            let mut w = Witness::new(CosignatureSigner::from_seed(KeyName::new("w").unwrap(), &[3; 32]));
            w.add_log("example.com/log", log_keys());
            w
        };
        let store = MemoryStore::new();
        for (old, new, honest) in reqs {
            let (old, new) = (old.min(new), old.max(new));
            let c = Checkpoint::new("example.com/log", new, tree.root_at(new).unwrap()).unwrap();
            let note = Note::new(c.to_text(), vec![log.sign(&c.to_text()).unwrap()]).unwrap();
            let mut proof = if old == 0 { Vec::new() } else { tree.consistency_proof(old, new).unwrap() };
            if !honest {
                if let Some(h) = proof.first_mut() { flip(h, 0); }
            }
            let req = AddCheckpointRequest::new(old, proof, SignedCheckpoint::from_note(note).unwrap()).unwrap();
            let before = store.latest("example.com/log").unwrap().map_or(0, |s| s.size);
            let out = w.add_checkpoint(&store, &req.to_bytes(), 1);
            let after = store.latest("example.com/log").unwrap().map_or(0, |s| s.size);
            prop_assert!(after >= before);
            if out.status() == 200 {
                prop_assert_eq!(old, before);
                prop_assert_eq!(after, new);
            } else {
                prop_assert_eq!(after, before);
            }
            if old != before {
                prop_assert_eq!(out.status(), 409);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn subtree_proofs_verify_and_any_tweak_fails(
        size in 1u64..300,
        j in 0u32..9,
        m in any::<prop::sample::Index>(),
        w in any::<prop::sample::Index>(),
        idx in any::<prop::sample::Index>(),
        t in tweak(),
    ) {
        let p = 1u64 << j;
        let start = m.index((size / p + 1) as usize) as u64 * p;
        prop_assume!(start < size);
        let width = if p == 1 { 1 } else { p / 2 + 1 + w.index((p / 2) as usize) as u64 };
        let end = (start + width).min(size);
        prop_assert!(merkle::is_valid_subtree(start, end));
        let tree = tree_of(size);
        let sub = merkle::subtree_hash(&tree, start, end).unwrap();
        let root = tree.root();
        let proof = merkle::subtree_consistency_proof(&tree, start, end, size).unwrap();
        prop_assert!(merkle::verify_subtree_consistency(start, end, size, &proof, &sub, &root).is_ok());
        // Subtree inclusion of one of its leaves.
        let i = start + idx.index((end - start) as usize) as u64;
        let incl = merkle::subtree_inclusion_proof(&tree, i, start, end).unwrap();
        let leaf = merkle::leaf_hash(&i.to_be_bytes());
        prop_assert!(merkle::verify_subtree_inclusion(i, start, end, &leaf, &incl, &sub).is_ok());

        let (mut r1, mut r2, mut pr) = (sub, root, proof);
        match t {
            Tweak::FlipProofBit { element, bit } => {
                if pr.is_empty() { return Ok(()); }
                let k = element.index(pr.len());
                flip(&mut pr[k], bit);
            }
            Tweak::FlipLeafOrRoot1Bit(bit) => flip(&mut r1, bit),
            Tweak::FlipRootBit(bit) => flip(&mut r2, bit),
            Tweak::DropElement(e) => {
                if pr.is_empty() { return Ok(()); }
                let k = e.index(pr.len());
                pr.remove(k);
            }
            Tweak::AddElement(h) => pr.push(h),
        }
        prop_assert!(merkle::verify_subtree_consistency(start, end, size, &pr, &r1, &r2).is_err());
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Hash tiles written from a tree and read back through a `TileStore` give the same
    /// roots and proofs as the tree, for every size up to the tree's.
    #[test]
    fn tiles_reproduce_tree_proofs(size in 1u64..3000, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let tree = tree_of(size);
        let mut store = tiles::TileStore::new();
        for p in tiles::hash_tiles_for_size(size) {
            let TilePath::Hash { level, index, width } = p else { unreachable!() };
            store.insert(&p, &tiles::hash_tile_bytes(&tree, level, index, width).unwrap()).unwrap();
        }
        let old = a.index(size as usize) as u64 + 1;
        let i = b.index(old as usize) as u64;
        prop_assert_eq!(merkle::root(&store, old).unwrap(), tree.root_at(old).unwrap());
        prop_assert_eq!(merkle::inclusion_proof(&store, i, size).unwrap(), tree.inclusion_proof(i, size).unwrap());
        prop_assert_eq!(merkle::consistency_proof(&store, old, size).unwrap(), tree.consistency_proof(old, size).unwrap());
    }
}
