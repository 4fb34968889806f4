//! The JSON syntax: the bytes as `main.tf.json`, parsed, evaluated, checked and reported.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = infracheck_fuzz::scratch("tfjson");
    std::fs::write(dir.join("main.tf.json"), data).expect("write");
    infracheck_fuzz::scan(dir, &Default::default());
});
