//! Infracost usage files: the bytes as `usage.yml`, read as `--usage-file` does, then queried.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = infracheck_fuzz::scratch("usage");
    let path = dir.join("usage.yml");
    std::fs::write(&path, data).expect("write");
    let mut u = infracheck::cost::usage::Usage::default();
    match u.add_file(&path) {
        Ok(()) => {
            for (address, ty) in [
                ("aws_instance.web", "aws_instance"),
                ("module.a.aws_lambda_function.f[\"x\"]", "aws_lambda_function"),
                ("aws_s3_bucket.b[0]", "aws_s3_bucket"),
            ] {
                for key in ["monthly_hrs", "storage_gb", "monthly_requests", "operating_system"] {
                    std::hint::black_box(u.value(address, ty, key));
                    std::hint::black_box(u.number(address, ty, key));
                    std::hint::black_box(u.string(address, ty, key));
                }
            }
        }
        Err(e) => {
            std::hint::black_box(format!("{:?}", miette::Report::new(e)));
        }
    }
});
