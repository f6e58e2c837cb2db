//! Rebuild the crate when the web console's build output changes, so the console embedded (or,
//! in debug builds, looked up) by `web.rs` is the one in `web/dist`.
fn main() {
    println!("cargo:rerun-if-changed=../../web/dist");
}
