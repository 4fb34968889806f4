//! `infracheck prices update` against a loopback HTTP server that replays recorded GetProducts
//! answers (tests/data/pricing/), through the real aws-sdk-pricing client; then the local catalog
//! takes precedence over the embedded one in `prices show` and `cost`. Built with `--features aws`.
#![cfg(feature = "aws")]

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Serves GetProducts: answers with the recorded file for (ServiceCode, instanceType, regionCode),
/// or an empty price list. Records every request body it saw.
fn serve() -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut length = 0usize;
                    let mut target = String::new();
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        line.clear();
                        reader.read_line(&mut line).unwrap();
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        let (k, v) = l.split_once(':').unwrap();
                        match k.to_ascii_lowercase().as_str() {
                            "content-length" => length = v.trim().parse().unwrap(),
                            "x-amz-target" => target = v.trim().to_string(),
                            _ => {}
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let req: Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(target, "AWSPriceListService.GetProducts");
                    let filter = |field: &str| {
                        req["Filters"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|f| f["Field"] == field)
                            .map(|f| {
                                assert_eq!(f["Type"], "TERM_MATCH");
                                f["Value"].as_str().unwrap().to_string()
                            })
                            .unwrap_or_default()
                    };
                    let file = root().join(format!(
                        "tests/data/pricing/{}-{}-{}.json",
                        req["ServiceCode"].as_str().unwrap(),
                        filter("instanceType"),
                        filter("regionCode")
                    ));
                    let answer = std::fs::read_to_string(file)
                        .unwrap_or_else(|_| r#"{"FormatVersion":"aws_v1","PriceList":[]}"#.to_string());
                    log.lock().unwrap().push(req);
                    write!(
                        out,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-requestid: test\r\nContent-Length: {}\r\n\r\n{answer}",
                        answer.len()
                    )
                    .unwrap();
                    out.flush().unwrap();
                }
            });
        }
    });
    (url, seen)
}

fn infracheck(prices: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("infracheck").unwrap();
    c.current_dir(root())
        .env("INFRACHECK_PRICES", prices)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1");
    c
}

#[test]
fn update_writes_a_dated_local_catalog_that_takes_precedence() {
    let (url, seen) = serve();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("prices.tsv");
    let out = infracheck(&local)
        .args([
            "prices",
            "update",
            "--region",
            "us-east-2",
            "--region",
            "ap-south-1",
            "--endpoint-url",
            &url,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("refreshed 2 of "), "{err}");
    // Every refreshable SKU was asked for in both regions, with the documented attributes.
    let requests = seen.lock().unwrap().clone();
    assert!(requests.len() >= 60, "{}", requests.len());
    let ec2 = requests
        .iter()
        .find(|r| {
            r["ServiceCode"] == "AmazonEC2"
                && r.to_string().contains("\"t3.micro\"")
                && r.to_string().contains("us-east-2")
        })
        .unwrap();
    for field in [
        "operatingSystem",
        "tenancy",
        "preInstalledSw",
        "capacitystatus",
        "licenseModel",
    ] {
        assert!(ec2.to_string().contains(field), "{ec2}");
    }
    let tsv = std::fs::read_to_string(&local).unwrap();
    let rows: Vec<&str> = tsv.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{tsv}");
    assert!(rows[0].starts_with("EC2\tt3.micro Linux on-demand, shared tenancy\tap-south-1\thour\t0.0112\tgenerated\tAWS Price List API GetProducts AmazonEC2"), "{tsv}");
    assert!(rows[1].contains("\tus-east-2\thour\t0.0104\t"), "{tsv}");
    assert!(rows[1].contains("product 8X9Y2VWZ4CEJ6N2T"), "{tsv}");
    assert!(rows[1].ends_with("(Price List publication 2026-11-05)"), "{tsv}");

    let show = infracheck(&local)
        .args(["prices", "show", "--summary"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(
        text.contains(&format!(
            "catalog: local {} (2 prices from `prices update`)",
            local.display()
        )),
        "{text}"
    );

    // us-east-2 was not in the embedded catalog: now a t3.micro there is priced, from the API.
    let tf = dir.path().join("ohio");
    std::fs::create_dir(&tf).unwrap();
    std::fs::write(
        tf.join("main.tf"),
        "provider \"aws\" {\n  region = \"us-east-2\"\n}\n\nresource \"aws_instance\" \"app\" {\n  ami           = \"ami-0123456789abcdef0\"\n  instance_type = \"t3.micro\"\n}\n",
    )
    .unwrap();
    let cost = infracheck(&local)
        .args(["cost", tf.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&cost.stdout).unwrap();
    let line = &report["environments"][0]["resources"][0]["components"][0];
    assert_eq!(line["status"], "priced", "{line}");
    assert_eq!(line["monthly_usd"], 7.59);
    assert!(
        line["price_source"]
            .as_str()
            .unwrap()
            .contains("AWS Price List API GetProducts"),
        "{line}"
    );

    // Without a local catalog the same instance has no price.
    let cost = infracheck(&dir.path().join("none.tsv"))
        .args(["cost", tf.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&cost.stdout).unwrap();
    assert_eq!(
        report["environments"][0]["resources"][0]["components"][0]["status"],
        "missing_price"
    );
}

#[test]
fn an_unreachable_price_list_is_an_error_and_leaves_the_catalog_alone() {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("prices.tsv");
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = infracheck(&local)
        .args([
            "prices",
            "update",
            "--region",
            "us-east-2",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no price was refreshed"));
    assert!(!local.exists());
}
