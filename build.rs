//! Rebuilds when a policy changes: the policies are embedded in the binary.
fn main() {
    println!("cargo:rerun-if-changed=policies");
}
