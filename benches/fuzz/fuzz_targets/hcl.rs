//! The HCL front end: the bytes as `main.tf`, parsed, evaluated, checked and reported.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = infracheck_fuzz::scratch("hcl");
    std::fs::write(dir.join("main.tf"), data).expect("write");
    infracheck_fuzz::scan(dir, &Default::default());
});
