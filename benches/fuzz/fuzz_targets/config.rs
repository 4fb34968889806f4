//! The configuration file: the bytes as `.infracheck.toml`, loaded as every command does.
#![no_main]
use libfuzzer_sys::fuzz_target;

const ROOT_TF: &str = r#"
resource "aws_s3_bucket" "logs" {
  bucket = "logs" # infracheck:ignore IC-AWS-S3-001 reason="fuzz"
}
resource "aws_security_group" "open" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

fuzz_target!(|data: &[u8]| {
    let dir = infracheck_fuzz::scratch("config");
    let path = dir.join(".infracheck.toml");
    std::fs::write(&path, data).expect("write");
    match infracheck::config::load(&path) {
        Ok(settings) => {
            // Budgets as `check` reads them, then a fixed root checked with the ignores.
            for env in settings.envs.values() {
                if let Some(b) = env.monthly_budget_usd {
                    std::hint::black_box(rust_decimal::Decimal::try_from(b).ok());
                }
            }
            let root = infracheck_fuzz::scratch("config").join("root");
            static INIT: std::sync::Once = std::sync::Once::new();
            INIT.call_once(|| {
                std::fs::create_dir_all(&root).expect("mkdir");
                std::fs::write(root.join("main.tf"), ROOT_TF).expect("write");
            });
            infracheck_fuzz::scan(&root, &settings);
        }
        Err(e) => {
            std::hint::black_box(format!("{:?}", miette::Report::new(e)));
        }
    }
});
