//! Write the ceremony test vectors to `docs/spec/vectors/ceremony/` (ceremony.md §10).
//!
//! ```sh
//! cargo run -p sanduq-trustee --example gen_ceremony_vectors
//! ```
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "../tests/support/gen.rs"]
mod generator;

fn main() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/vectors/ceremony");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, contents) in generator::generate() {
        let path = dir.join(&name);
        std::fs::write(&path, contents).unwrap();
        println!("wrote {}", path.display());
    }
}
