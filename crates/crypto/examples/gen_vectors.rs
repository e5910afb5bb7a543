//! Write the crypto test vectors to `docs/spec/vectors/crypto/`:
//! `cargo run -p sanduq-crypto --example gen_vectors`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "../vectors/generate.rs"]
mod generate;

fn main() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/vectors/crypto");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, contents) in generate::all_files() {
        std::fs::write(dir.join(name), contents).unwrap();
        println!("wrote {name}");
    }
}
