//! `infracheck live`: AWS Config's configuration items mapped into the model and checked by the
//! same policies. Offline, from items in AWS's documented format (fixtures/live/items.json, for the
//! types moto's AWS Config does not record); and, with the `aws` feature, against moto's server
//! populated through its own S3 and IAM APIs (CI installs moto).

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn live(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .arg("live")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn findings(json: &str) -> BTreeSet<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["rule_id"].as_str().unwrap(),
                f["outcome"].as_str().unwrap(),
                f["address"].as_str().unwrap(),
                f["file"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn documented_configuration_items_are_checked_by_the_same_policies() {
    let (code, out, err) = live(&["--items", "fixtures/live/items.json", "--format", "json"]);
    assert_eq!(code, Some(1), "{err}");
    let got = findings(&out);
    let a = "arn:aws:ec2:eu-central-1:111122223333";
    let db = "arn:aws:rds:eu-central-1:111122223333:db:legacy-db";
    let expected: BTreeSet<String> = [
        // The root volume is read (encrypted); the data volume's item is not in the set.
        format!("IC-EC2-002 unresolved aws_instance[\"i-0123456789abcdef0\"] {a}:instance/i-0123456789abcdef0"),
        format!("IC-EC2-004 fail aws_instance[\"i-0123456789abcdef0\"] {a}:instance/i-0123456789abcdef0"),
        format!("IC-EC2-005 fail aws_instance[\"i-0123456789abcdef0\"] {a}:instance/i-0123456789abcdef0"),
        format!("IC-VPC-003 fail aws_security_group[\"web\"] {a}:security-group/sg-0a1b2c3d4e5f60718"),
        format!("IC-VPC-004 fail aws_security_group[\"web\"] {a}:security-group/sg-0a1b2c3d4e5f60718"),
        format!("IC-EC2-001 fail aws_ebs_volume[\"vol-0aaa1111bbbb2222c\"] {a}:volume/vol-0aaa1111bbbb2222c"),
        // AWS Config does not record key rotation.
        "IC-KMS-001 unresolved aws_kms_key[\"1234abcd-12ab-34cd-56ef-1234567890ab\"] arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".to_string(),
        format!("IC-RDS-001 fail aws_db_instance[\"legacy-db\"] {db}"),
        format!("IC-RDS-003 fail aws_db_instance[\"legacy-db\"] {db}"),
        format!("IC-RDS-008 fail aws_db_instance[\"legacy-db\"] {db}"),
        format!("IC-RDS-009 fail aws_db_instance[\"legacy-db\"] {db}"),
        format!("IC-RDS-011 fail aws_db_instance[\"legacy-db\"] {db}"),
        // A graph check across items: the database's security group is open to the internet; the
        // finding is on the group, whose ingress is what to fix.
        format!("IC-VPC-002 fail aws_security_group[\"web\"] {a}:security-group/sg-0a1b2c3d4e5f60718"),
        // Recorded as the item says: monitoring disabled, no instance profile, rules without a
        // description, the volume on the AWS managed key, tags not copied to snapshots.
        format!("IC-EC2-006 fail aws_instance[\"i-0123456789abcdef0\"] {a}:instance/i-0123456789abcdef0"),
        format!("IC-EC2-023 fail aws_instance[\"i-0123456789abcdef0\"] {a}:instance/i-0123456789abcdef0"),
        format!("IC-EC2-020 fail aws_security_group[\"web\"] {a}:security-group/sg-0a1b2c3d4e5f60718"),
        format!("IC-EC2-009 fail aws_ebs_volume[\"vol-0aaa1111bbbb2222c\"] {a}:volume/vol-0aaa1111bbbb2222c"),
        format!("IC-RDS-013 fail aws_db_instance[\"legacy-db\"] {db}"),
        // Nor does it record a key's policy: whether it is public or shared cannot be told.
        "IC-IAM-003 unresolved aws_kms_key[\"1234abcd-12ab-34cd-56ef-1234567890ab\"] arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".to_string(),
        "IC-IAM-004 unresolved aws_kms_key[\"1234abcd-12ab-34cd-56ef-1234567890ab\"] arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".to_string(),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        got,
        expected,
        "{:#?}",
        got.symmetric_difference(&expected).collect::<Vec<_>>()
    );
    // The AWS-managed key is skipped; the Lambda function is counted as not mapped, not dropped.
    assert!(
        err.contains("read 8 configuration item(s) into 6 resource(s); 1 skipped"),
        "{err}"
    );
    assert!(
        err.contains("not mapped, so not checked: AWS::Lambda::Function (1)"),
        "{err}"
    );
}

fn summary(json: &str) -> Vec<String> {
    let mut v: Vec<String> = findings(json)
        .into_iter()
        .map(|f| f.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .collect();
    v.dedup();
    v
}

/// Networks, load balancers and an Aurora cluster under the prod profile: graph checks (a NAT
/// gateway per AZ, flow logs per VPC) work across items; checks that need resources `live` does not
/// read (alarms, WAF associations) are unresolved, never failed.
#[test]
fn networks_and_load_balancers_under_the_prod_profile() {
    let (code, out, err) = live(&[
        "--items",
        "fixtures/live/network.json",
        "--rules-profile",
        "prod",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        summary(&out),
        [
            "IC-BKP-003 unresolved aws_rds_cluster[\"orders\"]",
            "IC-CT-002 fail aws_cloudtrail[\"org-trail\"]",
            "IC-CT-003 fail aws_cloudtrail[\"org-trail\"]",
            "IC-CT-004 fail aws_cloudtrail[\"org-trail\"]",
            "IC-CT-005 fail aws_cloudtrail[\"org-trail\"]",
            "IC-CW-003 unresolved aws_lb[\"web\"]",
            "IC-CW-003 unresolved aws_rds_cluster[\"orders\"]",
            "IC-ELB-001 fail aws_lb_listener[\"https\"]",
            "IC-ELB-002 fail aws_lb_listener[\"http\"]",
            "IC-ELB-003 fail aws_lb[\"web\"]",
            "IC-ELB-004 fail aws_lb[\"web\"]",
            "IC-RDS-002 fail aws_rds_cluster[\"orders\"]",
            "IC-RDS-005 fail aws_rds_cluster[\"orders\"]",
            "IC-RDS-011 fail aws_rds_cluster[\"orders\"]",
            "IC-RDS-013 fail aws_rds_cluster[\"orders\"]",
            "IC-RDS-017 fail aws_rds_cluster[\"orders\"]",
            "IC-RDS-019 fail aws_rds_cluster[\"orders\"]",
            "IC-VPC-002 unresolved aws_rds_cluster[\"orders\"]",
            "IC-VPC-005 fail aws_route_table[\"rtb-0123456789abcdef0\"]",
            "IC-VPC-006 fail aws_vpc[\"vpc-0123456789abcdef0\"]",
            "IC-VPC-030 unresolved aws_vpc[\"vpc-0123456789abcdef0\"]",
            "IC-VPC-030 unresolved aws_vpc[\"vpc-0fedcba9876543210\"]",
            "IC-VPC-031 fail aws_subnet[\"subnet-0aaaaaaaaaaaaaaaa\"]",
            "IC-WAF-001 unresolved aws_lb[\"web\"]",
        ]
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let nat = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "IC-VPC-005")
        .unwrap();
    assert!(
        nat["message"]
            .as_str()
            .unwrap()
            .contains("private subnet aws_subnet[\"subnet-0bbbbbbbbbbbbbbbb\"] in \"eu-central-1b\""),
        "{nat}"
    );
    // The VPC with a flow log passes.
    assert!(!out.contains("IC-VPC-006 fail aws_vpc[\"vpc-0fedcba9876543210\"]"));
}

#[test]
fn live_findings_point_at_the_arn_in_text_and_sarif() {
    let (_, text, _) = live(&["--items", "fixtures/live/items.json"]);
    assert!(
        text.contains("× arn:aws:rds:eu-central-1:111122223333:db:legacy-db:1:1: aws_db_instance[\"legacy-db\"] fails\n  │ \"RDS instance storage is encrypted\""),
        "{text}"
    );
    // What an account does not say is not recorded, not "known after apply".
    assert!(!text.contains("after apply"), "{text}");
    assert!(text.contains("╰── not recorded by AWS Config"), "{text}");
    let (_, json, _) = live(&["--items", "fixtures/live/items.json", "--format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let kms = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "IC-KMS-001")
        .unwrap();
    assert_eq!(kms["outcome"], "unresolved");
    assert!(
        kms["message"]
            .as_str()
            .unwrap()
            .contains("cannot tell from AWS Config whether \"KMS keys rotate automatically\": `enable_key_rotation` is not recorded"),
        "{kms}"
    );
    let (_, markdown, _) = live(&["--items", "fixtures/live/items.json", "--format", "markdown"]);
    assert!(
        markdown.contains("### Not decided from what AWS Config records (4)"),
        "{markdown}"
    );
    assert!(!markdown.contains("after apply"), "{markdown}");
    let (_, sarif, _) = live(&["--items", "fixtures/live/items.json", "--format", "sarif"]);
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let loc = &r["locations"][0];
        assert!(loc.get("physicalLocation").is_none(), "{loc}");
        let logical = &loc["logicalLocations"][0];
        assert!(
            logical["fullyQualifiedName"].as_str().unwrap().starts_with("arn:aws:"),
            "{logical}"
        );
        assert!(logical["kind"].as_str().unwrap().starts_with("aws_"), "{logical}");
    }
}

#[test]
fn bad_item_files_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("items.json");
    std::fs::write(&f, r#"{"something": []}"#).unwrap();
    let (code, _, err) = live(&["--items", f.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("expected configuration items"), "{err}");
}

#[cfg(not(feature = "aws"))]
#[test]
fn put_evaluations_needs_the_aws_feature_and_says_so_before_reading() {
    let (code, out, err) = live(&[
        "--items",
        "fixtures/live/items.json",
        "--put-evaluations",
        "infracheck",
        "--test-mode",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("built without the `aws` feature"), "{err}");
}

#[cfg(feature = "aws")]
mod moto {
    use super::*;
    use std::process::{Child, Command as Proc, Stdio};

    struct Server(Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
        }
    }

    /// moto's server on a free loopback port, populated through its S3 and IAM APIs (boto3).
    fn moto() -> Option<(Server, String, Captured)> {
        if Proc::new("moto_server").arg("--help").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install moto (pip install 'moto[server]')"
            );
            eprintln!("skipped: moto is not installed (pip install 'moto[server]')");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Proc::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server(child);
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let script = r#"
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
s3 = boto3.client("s3", **kw)
iam = boto3.client("iam", **kw)
s3.create_bucket(Bucket="public-assets")
s3.put_bucket_policy(Bucket="public-assets", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-assets/*"}]}))
s3.create_bucket(Bucket="private-logs")
s3.put_public_access_block(Bucket="private-logs", PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
s3.put_bucket_lifecycle_configuration(Bucket="private-logs", LifecycleConfiguration={"Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 90}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]})
queue = boto3.client("sqs", **kw).create_queue(QueueName="log-events")["QueueUrl"]
s3.put_bucket_notification_configuration(Bucket="private-logs", NotificationConfiguration={"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:123456789012:log-events", "Events": ["s3:ObjectCreated:*"]}]})
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
iam.create_role(RoleName="admin-ish", AssumeRolePolicyDocument=trust)
iam.put_role_policy(RoleName="admin-ish", PolicyName="everything", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust)
iam.put_role_policy(RoleName="reader", PolicyName="read", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::private-logs/*"}]}))
# The custom Config rule a team would run infracheck behind (a Lambda on a schedule).
import io, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("handler.py", "def handler(event, context):\n    pass\n")
lam = boto3.client("lambda", **kw)
fn = lam.create_function(FunctionName="infracheck", Runtime="python3.12", Role=iam.get_role(RoleName="reader")["Role"]["Arn"], Handler="handler.handler", Code={"ZipFile": buf.getvalue()})["FunctionArn"]
boto3.client("config", **kw).put_config_rule(ConfigRule={"ConfigRuleName": "infracheck", "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": fn, "SourceDetails": [{"EventSource": "aws.config", "MessageType": "ScheduledNotification", "MaximumExecutionFrequency": "TwentyFour_Hours"}]}})
"#;
        let ok = Proc::new("python3")
            .args(["-c", script, &url])
            .status()
            .unwrap()
            .success();
        assert!(ok, "populating moto failed");
        let captured = Captured::default();
        let url = proxy(port, captured.clone());
        Some((server, url, captured))
    }

    /// The bodies of the PutEvaluations requests that went through the proxy.
    type Captured = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

    /// moto's AWS Config writes configuration item timestamps as Python prints them
    /// (`2026-11-30 11:01:21.754846+00:00`, some without an offset) where AWS sends epoch seconds,
    /// and the SDK rejects them. This loopback proxy rewrites those strings as RFC 3339 (`T`, `Z`
    /// when no offset is given) and passes everything else through unchanged.
    fn proxy(moto_port: u16, captured: Captured) -> String {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stamp = regex::Regex::new(r#""(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)((?:[+-]\d{2}:\d{2}|Z)?)""#)
            .unwrap();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let stamp = stamp.clone();
                let captured = captured.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(client.try_clone().unwrap());
                    let mut client = client;
                    loop {
                        let mut head = String::new();
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        head.push_str(&line);
                        let mut length = 0usize;
                        loop {
                            line.clear();
                            reader.read_line(&mut line).unwrap();
                            if let Some((k, v)) = line.trim_end().split_once(':') {
                                if k.eq_ignore_ascii_case("content-length") {
                                    length = v.trim().parse().unwrap();
                                }
                                if k.eq_ignore_ascii_case("connection") {
                                    continue;
                                }
                            }
                            if line.trim_end().is_empty() {
                                head.push_str("Connection: close\r\n\r\n");
                                break;
                            }
                            head.push_str(&line);
                        }
                        let mut body = vec![0; length];
                        reader.read_exact(&mut body).unwrap();
                        if head.contains("StarlingDoveService.PutEvaluations") {
                            captured
                                .lock()
                                .unwrap()
                                .push(String::from_utf8_lossy(&body).into_owned());
                        }
                        let mut upstream = std::net::TcpStream::connect(("127.0.0.1", moto_port)).unwrap();
                        upstream.write_all(head.as_bytes()).unwrap();
                        upstream.write_all(&body).unwrap();
                        let mut response = Vec::new();
                        upstream.read_to_end(&mut response).unwrap();
                        let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                        let (rhead, rbody) = response.split_at(split);
                        let text = String::from_utf8_lossy(rbody);
                        let fixed = stamp.replace_all(&text, |c: &regex::Captures| {
                            let offset = if c[3].is_empty() { "Z" } else { &c[3] };
                            format!("\"{}T{}{offset}\"", &c[1], &c[2])
                        });
                        let rhead: String = String::from_utf8_lossy(rhead)
                            .lines()
                            .filter(|l| {
                                let l = l.to_ascii_lowercase();
                                !l.starts_with("content-length") && !l.starts_with("connection") && !l.is_empty()
                            })
                            .map(|l| format!("{l}\r\n"))
                            .collect();
                        write!(client, "{rhead}Content-Length: {}\r\n\r\n{fixed}", fixed.len()).unwrap();
                        client.flush().unwrap();
                    }
                });
            }
        });
        url
    }

    #[test]
    fn an_account_in_moto_is_checked_through_aws_config() {
        let Some((_server, url, _)) = moto() else { return };
        let out = Command::cargo_bin("infracheck")
            .unwrap()
            .current_dir(root())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .args([
                "live",
                "--region",
                "us-east-1",
                "--endpoint-url",
                &url,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        let got = findings(&String::from_utf8_lossy(&out.stdout));
        let expected: BTreeSet<String> = [
            // A wildcard inline policy (moto records it URL-encoded).
            "IC-IAM-002 fail aws_iam_role_policy[\"admin-ish/everything\"] arn:aws:iam::123456789012:role/admin-ish",
            "IC-S3-001 fail aws_s3_bucket[\"private-logs\"] arn:aws:s3:::private-logs",
            "IC-S3-002 fail aws_s3_bucket[\"private-logs\"] arn:aws:s3:::private-logs",
            "IC-S3-001 fail aws_s3_bucket[\"public-assets\"] arn:aws:s3:::public-assets",
            "IC-S3-002 fail aws_s3_bucket[\"public-assets\"] arn:aws:s3:::public-assets",
            "IC-S3-003 fail aws_s3_bucket[\"public-assets\"] arn:aws:s3:::public-assets",
            // The wildcard policy also grants credentials, data reads, permissions management,
            // privilege escalation, writes and scopable actions on every resource: each its own rule.
            "IC-IAM-005 fail aws_iam_role_policy[\"admin-ish/everything\"] arn:aws:iam::123456789012:role/admin-ish",
            "IC-IAM-006 fail aws_iam_role_policy[\"admin-ish/everything\"] arn:aws:iam::123456789012:role/admin-ish",
            "IC-IAM-007 fail aws_iam_role_policy[\"admin-ish/everything\"] arn:aws:iam::123456789012:role/admin-ish",
            "IC-IAM-008 fail aws_iam_role_policy[\"admin-ish/everything\"] arn:aws:iam::123456789012:role/admin-ish",
            "IC-IAM-009 fail aws_iam_role_policy[\"admin-ish/everything\"] arn:aws:iam::123456789012:role/admin-ish",
            "IC-IAM-010 fail aws_iam_role_policy[\"admin-ish/everything\"] arn:aws:iam::123456789012:role/admin-ish",
            "IC-IAM-011 fail aws_iam_role_policy[\"admin-ish/everything\"] arn:aws:iam::123456789012:role/admin-ish",
            // Neither bucket logs access; one finding each, though the recorded ACL is a companion.
            "IC-S3-006 fail aws_s3_bucket[\"private-logs\"] arn:aws:s3:::private-logs",
            "IC-S3-006 fail aws_s3_bucket[\"public-assets\"] arn:aws:s3:::public-assets",
            // private-logs has a lifecycle rule (aborting uploads) and a notification; the other not.
            "IC-S3-007 fail aws_s3_bucket[\"public-assets\"] arn:aws:s3:::public-assets",
            "IC-S3-008 fail aws_s3_bucket[\"public-assets\"] arn:aws:s3:::public-assets",
            // moto records no BucketVersioningConfiguration (AWS does): versioning is not guessed.
            "IC-S3-005 unresolved aws_s3_bucket[\"private-logs\"] arn:aws:s3:::private-logs",
            "IC-S3-005 unresolved aws_s3_bucket[\"public-assets\"] arn:aws:s3:::public-assets",
            "IC-S3-013 unresolved aws_s3_bucket[\"private-logs\"] arn:aws:s3:::private-logs",
            "IC-S3-013 unresolved aws_s3_bucket[\"public-assets\"] arn:aws:s3:::public-assets",
            // The public bucket policy (Principal "*"): a resource policy allowing everyone,
            // on the bucket's policy.
            "IC-IAM-003 fail aws_s3_bucket_policy[\"public-assets\"] arn:aws:s3:::public-assets",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(
            got,
            expected,
            "{:#?}\n{err}",
            got.symmetric_difference(&expected).collect::<Vec<_>>()
        );
        assert!(err.contains("read 4 configuration item(s)"), "{err}");
    }

    #[test]
    fn findings_are_put_to_an_aws_config_rule_as_evaluations() {
        let Some((_server, url, captured)) = moto() else { return };
        let run = |extra: &[&str]| {
            let out = Command::cargo_bin("infracheck")
                .unwrap()
                .current_dir(root())
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_PROFILE")
                .env_remove("INFRACHECK_RESULT_TOKEN")
                .args(["live", "--region", "us-east-1", "--endpoint-url", &url, "--soft-fail"])
                .args(extra)
                .output()
                .unwrap();
            (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
        };
        // moto records evaluations only in test mode, as AWS does when TestMode is set.
        let (code, err) = run(&["--put-evaluations", "infracheck", "--test-mode"]);
        assert_eq!(code, Some(0), "{err}");
        assert!(
            err.contains("validated (test mode, not recorded) 4 evaluation(s): 3 NON_COMPLIANT, 1 COMPLIANT to AWS Config rule infracheck in us-east-1"),
            "{err}"
        );
        let bodies = captured.lock().unwrap().clone();
        assert_eq!(bodies.len(), 1, "{bodies:?}");
        let body: Value = serde_json::from_str(&bodies[0]).unwrap();
        assert_eq!(body["TestMode"], true);
        assert_eq!(body["ResultToken"], "TESTMODE");
        let got: Vec<(String, String, String, String)> = body["Evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(e["OrderingTimestamp"].is_number(), "{e}");
                let s = |k: &str| e[k].as_str().unwrap().to_string();
                (
                    s("ComplianceResourceType"),
                    // Role IDs are random in moto.
                    if s("ComplianceResourceType") == "AWS::IAM::Role" {
                        "role".into()
                    } else {
                        s("ComplianceResourceId")
                    },
                    s("ComplianceType"),
                    s("Annotation"),
                )
            })
            .collect();
        let expected = [
            (
                "AWS::IAM::Role",
                "role",
                "NON_COMPLIANT",
                "infracheck: failed IC-IAM-002, IC-IAM-005, IC-IAM-006, IC-IAM-007, IC-IAM-008, IC-IAM-009, IC-IAM-010, IC-IAM-011",
            ),
            // The reader role's policy and trust policy pass the policy and resource-policy rules.
            ("AWS::IAM::Role", "role", "COMPLIANT", "infracheck: passed 12 check(s)"),
            // IC-S3-002 (a customer-managed key) is info, below the default threshold (low).
            (
                "AWS::S3::Bucket",
                "private-logs",
                "NON_COMPLIANT",
                "infracheck: failed IC-S3-001, IC-S3-006; cannot tell IC-S3-005, IC-S3-013",
            ),
            (
                "AWS::S3::Bucket",
                "public-assets",
                "NON_COMPLIANT",
                "infracheck: failed IC-IAM-003, IC-S3-001, IC-S3-003, IC-S3-006, IC-S3-007, IC-S3-008; cannot tell IC-S3-005, IC-S3-013",
            ),
        ];
        let expected: Vec<(String, String, String, String)> = expected
            .iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect();
        assert_eq!(got, expected);

        // A rule that does not exist, and a missing token, are errors (exit 2); nothing is put.
        let (code, err) = run(&["--put-evaluations", "no-such-rule", "--test-mode"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("NoSuchConfigRuleException"), "{err}");
        let (code, err) = run(&["--put-evaluations", "infracheck"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("--put-evaluations needs the result token"), "{err}");
        assert_eq!(captured.lock().unwrap().len(), 1);
    }
}

/// The `drift` object of `live --items ITEMS --compare-to fixtures/live/code --format json`.
fn drift_of(items: &str) -> Value {
    let (code, out, err) = live(&[
        "--items",
        items,
        "--compare-to",
        "fixtures/live/code",
        "--format",
        "json",
        "--soft-fail",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["drift"].clone()
}

#[test]
fn drift_against_the_code_lists_missing_extra_and_changed_resources() {
    let d = &drift_of("fixtures/live/items.json");
    assert_eq!(d["compared_to"], "fixtures/live/code");
    assert_eq!(
        d["not_in_account"],
        serde_json::json!([{"type": "aws_db_instance", "name": "reports-db", "address": "aws_db_instance.reports"}])
    );
    assert_eq!(d["not_in_code"], serde_json::json!([]));
    let changed = d["changed"].as_array().unwrap();
    let db = changed.iter().find(|c| c["name"] == "legacy-db").unwrap();
    assert_eq!(db["address"], "aws_db_instance.legacy");
    assert_eq!(db["arn"], "arn:aws:rds:eu-central-1:111122223333:db:legacy-db");
    let attrs: Vec<(&str, &str, &str)> = db["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["attribute"].as_str().unwrap(),
                x["code"].as_str().unwrap(),
                x["account"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        attrs,
        [
            ("iam_database_authentication_enabled", "true", "false"),
            ("instance_class", "\"db.t3.small\"", "\"db.t3.micro\""),
            ("publicly_accessible", "false", "true"),
            ("storage_encrypted", "true", "false"),
        ]
    );
    // The security group's SSH rule exists only in the account.
    let sg = changed.iter().find(|c| c["name"] == "web").unwrap();
    assert_eq!(sg["differences"][0]["attribute"], "ingress");
    assert!(sg["differences"][0]["account"]
        .as_str()
        .unwrap()
        .contains("\"from_port\" = 22"));

    let (_, text, _) = live(&[
        "--items",
        "fixtures/live/items.json",
        "--compare-to",
        "fixtures/live/code",
    ]);
    assert!(text.contains("Drift against fixtures/live/code\n  In the code, not in the account (1):\n    - aws_db_instance \"reports-db\"  aws_db_instance.reports\n"), "{text}");
    let (code, _, _) = live(&[
        "--items",
        "fixtures/live/items.json",
        "--compare-to",
        "fixtures/live/code",
        "--soft-fail",
        "--fail-on-drift",
    ]);
    assert_eq!(code, Some(1));

    // Account types the code does not declare at all: every one is extra, and the code's
    // security group and databases are not compared (the account was not read for them).
    let d = drift_of("fixtures/live/network.json");
    let extra: Vec<(&str, &str)> = d["not_in_code"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["type"].as_str().unwrap(), x["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        extra,
        [
            ("aws_cloudtrail", "org-trail"),
            ("aws_lb", "web"),
            ("aws_rds_cluster", "orders"),
            ("aws_subnet", "10.20.0.0/24"),
            ("aws_subnet", "10.20.1.0/24"),
            ("aws_vpc", "10.20.0.0/16"),
            ("aws_vpc", "10.30.0.0/16"),
        ]
    );
    assert_eq!(d["not_in_account"], serde_json::json!([]));
}

/// The documented items of fixtures/live/items.json, checked by the bundled policies.
fn evaluated(threshold: infracheck::rules::Severity) -> Vec<(String, String, &'static str, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/live/items.json")).unwrap();
    let items = infracheck::live::items_from_json(&text).unwrap();
    let sources = infracheck::source::SourceMap::default();
    let lp = infracheck::live::project("aws:111122223333", &items, &sources);
    let reg = infracheck::rules::Registry::load(&[]).unwrap();
    let projects = vec![lp.project];
    let findings = infracheck::commands::live::check(&reg, &projects);
    infracheck::live::evaluations::evaluations(&lp.items, &projects, &findings, threshold)
        .into_iter()
        .map(|e| (e.resource_type, e.resource_id, e.compliance.as_str(), e.annotation))
        .collect()
}

#[test]
fn each_mapped_item_gets_one_evaluation_from_the_findings_on_it() {
    let s = |a: &str, b: &str, c: &'static str, d: &str| (a.to_string(), b.to_string(), c, d.to_string());
    assert_eq!(
        evaluated(infracheck::rules::Severity::Low),
        [
            s(
                "AWS::EC2::Instance",
                "i-0123456789abcdef0",
                "NON_COMPLIANT",
                // One of its volumes has no item: their encryption cannot be told.
                "infracheck: failed IC-EC2-004, IC-EC2-005, IC-EC2-006, IC-EC2-023; cannot tell IC-EC2-002"
            ),
            s(
                "AWS::EC2::SecurityGroup",
                "sg-0a1b2c3d4e5f60718",
                "NON_COMPLIANT",
                "infracheck: failed IC-EC2-020, IC-VPC-002, IC-VPC-003, IC-VPC-004"
            ),
            s(
                "AWS::EC2::Volume",
                "vol-0aaa1111bbbb2222c",
                "NON_COMPLIANT",
                "infracheck: failed IC-EC2-001, IC-EC2-009"
            ),
            s(
                "AWS::EC2::Volume",
                "vol-0ccc3333dddd4444e",
                "COMPLIANT",
                "infracheck: passed 2 check(s)"
            ),
            // AWS Config does not record a key's rotation, nor its policy.
            s(
                "AWS::KMS::Key",
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                "INSUFFICIENT_DATA",
                "infracheck: cannot tell IC-IAM-003, IC-IAM-004, IC-KMS-001"
            ),
            s(
                "AWS::RDS::DBInstance",
                "db-ABCDEFGHIJKLMNOPQRSTUVWXY",
                "NON_COMPLIANT",
                "infracheck: failed IC-RDS-001, IC-RDS-003, IC-RDS-008, IC-RDS-009, IC-RDS-011, IC-RDS-013"
            ),
        ]
    );
    // Above the threshold nothing fails: those items pass, naming what fell below it.
    let critical = evaluated(infracheck::rules::Severity::Critical);
    assert_eq!(critical[3].2, "COMPLIANT");
    assert_eq!(
        critical[2],
        s(
            "AWS::EC2::Volume",
            "vol-0aaa1111bbbb2222c",
            "COMPLIANT",
            "infracheck: passed; suppressed or below the threshold: IC-EC2-001, IC-EC2-009"
        )
    );
}

#[test]
fn compare_to_code_with_errors_reports_the_account_and_the_errors_and_exits_2() {
    let (code, out, err) = live(&[
        "--items",
        "fixtures/live/items.json",
        "--compare-to",
        "fixtures/reports/unreadable",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("drift is not compared: the code in fixtures/reports/unreadable has errors"),
        "{err}"
    );
    assert!(err.contains("fixtures/reports/unreadable/broken.tf:3:8"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(!findings(&out).is_empty(), "the account is still checked");
    assert!(v.get("drift").is_none(), "{v}");
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "hcl::parse");
    assert_eq!(d["file"], "fixtures/reports/unreadable/broken.tf");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(3), Some(8)));
}
