//! The bundled reference architecture (terraform/, document 003) and the four seed systems
//! (fixtures/systems/) load with no diagnostic, and hold what their documents describe.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn load(args: &[&str]) -> Vec<Value> {
    let out = Command::cargo_bin("infracheck")
        .expect("binary")
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .arg("resources")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    match serde_json::from_slice(&out.stdout).expect("JSON") {
        Value::Array(a) => a,
        one => vec![one],
    }
}

fn resources(p: &Value) -> &Vec<Value> {
    p["resources"].as_array().expect("resources")
}

/// Managed instances whose address starts with `prefix` (e.g. `module.vpc.aws_nat_gateway.this`).
fn count(p: &Value, prefix: &str) -> usize {
    resources(p)
        .iter()
        .filter(|r| r["mode"] == "managed" && r["address"].as_str().unwrap().starts_with(prefix))
        .count()
}

fn attrs<'a>(p: &'a Value, address: &str) -> &'a Value {
    &resources(p)
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} not in {}", p["root"]))["attributes"]
}

/// No diagnostic, and every unknown value is one AWS computes: it refers to resources and data
/// sources only, never to a variable or local that failed to resolve.
fn assert_clean(p: &Value) {
    assert_eq!(p["diagnostics"], Value::Array(vec![]), "{}", p["root"]);
    assert_eq!(p["modules_not_followed"], Value::Array(vec![]), "{}", p["root"]);
    for r in resources(p) {
        for (path, refs) in r["refers_to"].as_object().unwrap() {
            for target in refs.as_array().unwrap() {
                let t = target.as_str().unwrap();
                assert!(
                    !t.starts_with("var.")
                        && !t.starts_with("local.")
                        && !t.contains(".var.")
                        && !t.contains(".local."),
                    "{} {path} is unknown through {t}, which is not computed by AWS",
                    r["address"]
                );
            }
        }
    }
}

#[test]
fn every_environment_loads_cleanly_with_document_003s_values() {
    let envs = load(&["--env", "all"]);
    let names: Vec<&str> = envs.iter().map(|p| p["env"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "prod", "staging"]);
    for p in &envs {
        assert_clean(p);
        let env = p["env"].as_str().unwrap();
        // The roots are thin: providers, backend and values; everything else is the composition
        // module's (terraform/modules/platform).
        for r in resources(p) {
            let address = r["address"].as_str().unwrap();
            assert!(address.starts_with("module.platform."), "{env}: {address}");
        }
        // (VPC CIDR, AZs, instance type, ASG min/max/desired, DB class, Multi-AZ, NATs, DB name)
        let (cidr, azs, itype, asg, class, multi_az, nats, db) = match env {
            "dev" => (
                "10.0.0.0/16",
                2,
                "t3.micro",
                (1, 2, 1),
                "db.t3.micro",
                false,
                1,
                "appdb_dev",
            ),
            "staging" => (
                "10.2.0.0/16",
                2,
                "t3.small",
                (1, 3, 2),
                "db.t3.micro",
                false,
                1,
                "appdb_staging",
            ),
            "prod" => ("10.1.0.0/16", 3, "t3.small", (2, 8, 3), "db.t3.small", true, 3, "appdb"),
            other => panic!("unexpected environment {other}"),
        };
        let octet = &cidr[3..4];
        assert_eq!(attrs(p, "module.platform.module.vpc.aws_vpc.this")["cidr_block"], cidr);
        assert_eq!(count(p, "module.platform.module.vpc.aws_subnet."), 3 * azs, "{env}");
        for (tier, base) in [("public", 1), ("private", 10), ("database", 20)] {
            for i in 0..azs {
                let subnet = attrs(p, &format!("module.platform.module.vpc.aws_subnet.{tier}[{i}]"));
                assert_eq!(subnet["cidr_block"], format!("10.{octet}.{}.0/24", base + i), "{env}");
                assert_eq!(
                    subnet["availability_zone"],
                    format!("ap-south-1{}", ["a", "b", "c"][i]),
                    "{env}"
                );
            }
        }
        assert_eq!(
            count(p, "module.platform.module.vpc.aws_nat_gateway.this"),
            nats,
            "{env}"
        );
        assert_eq!(count(p, "module.platform.module.vpc.aws_eip.nat"), nats, "{env}");
        assert_eq!(
            count(p, "module.platform.module.vpc.aws_route.private_nat"),
            azs,
            "{env}"
        );
        assert_eq!(count(p, "module.platform.module.vpc.aws_flow_log.this"), 1, "{env}");
        assert_eq!(
            attrs(p, "module.platform.module.vpc.aws_flow_log.this")["traffic_type"],
            "ALL"
        );
        assert_eq!(
            attrs(p, "module.platform.module.vpc.aws_cloudwatch_log_group.flow_logs")["retention_in_days"],
            30
        );

        let lt = attrs(p, "module.platform.module.compute.aws_launch_template.app");
        assert_eq!(lt["instance_type"], itype, "{env}");
        assert_eq!(lt["key_name"], format!("ecia-{env}-key"));
        assert_eq!(lt["metadata_options"][0]["http_tokens"], "required");
        assert_eq!(lt["block_device_mappings"][0]["ebs"][0]["encrypted"], true);
        assert_eq!(lt["block_device_mappings"][0]["ebs"][0]["volume_type"], "gp3");
        let group = attrs(p, "module.platform.module.compute.aws_autoscaling_group.app");
        assert_eq!(
            (&group["min_size"], &group["max_size"], &group["desired_capacity"]),
            (&asg.0.into(), &asg.1.into(), &asg.2.into()),
            "{env}"
        );
        assert_eq!(
            group["instance_refresh"][0]["preferences"][0]["min_healthy_percentage"],
            50
        );
        assert_eq!(
            attrs(p, "module.platform.module.compute.aws_autoscaling_policy.cpu")["target_tracking_configuration"][0]
                ["target_value"],
            60
        );
        assert_eq!(
            attrs(p, "module.platform.module.compute.aws_autoscaling_schedule.scale_down")["recurrence"],
            "0 20 * * *"
        );
        assert_eq!(
            attrs(p, "module.platform.module.compute.aws_autoscaling_schedule.scale_up")["recurrence"],
            "0 7 * * *"
        );

        let rds = attrs(p, "module.platform.module.rds.aws_db_instance.this");
        assert_eq!(rds["engine"], "mysql");
        assert_eq!(rds["engine_version"], "8.0.39");
        assert_eq!(rds["instance_class"], class, "{env}");
        assert_eq!(rds["multi_az"], multi_az, "{env}");
        assert_eq!(rds["db_name"], db, "{env}");
        assert_eq!(rds["storage_encrypted"], true);
        assert_eq!(rds["publicly_accessible"], false);
        assert_eq!(rds["iam_database_authentication_enabled"], true);
        assert_eq!(rds["monitoring_interval"], 60);
        assert_eq!(rds["backup_window"], "02:00-03:00");
        assert_eq!(rds["skip_final_snapshot"], false);

        assert_eq!(count(p, "module.platform.module.kms.aws_kms_key.this"), 3, "{env}");
        for key in ["s3", "rds", "secrets"] {
            assert_eq!(
                attrs(p, &format!("module.platform.module.kms.aws_kms_key.this[\"{key}\"]"))["enable_key_rotation"],
                true
            );
        }
        assert_eq!(count(p, "module.platform.module.iam.aws_iam_role."), 5, "{env}");
        assert_eq!(
            count(p, "module.platform.module.iam.aws_iam_instance_profile."),
            1,
            "{env}"
        );
        assert_eq!(
            count(p, "module.platform.module.security_groups.aws_security_group."),
            4,
            "{env}"
        );
        assert_eq!(
            count(p, "module.platform.module.cloudwatch.aws_cloudwatch_metric_alarm.this"),
            9,
            "{env}"
        );
        let lock = attrs(p, "module.platform.module.state_backend.aws_dynamodb_table.lock");
        assert_eq!(lock["name"], format!("ecia-{env}-tf-lock"));
        assert_eq!(lock["billing_mode"], "PAY_PER_REQUEST");
        assert_eq!(lock["hash_key"], "LockID");
        assert_eq!(lock["point_in_time_recovery"][0]["enabled"], true);
        for bucket in [
            "app_bucket",
            "logs_bucket",
            "alb_logs_bucket",
            "state_backend.module.bucket",
        ] {
            let pab = attrs(
                p,
                &format!("module.platform.module.{bucket}.aws_s3_bucket_public_access_block.this"),
            );
            assert_eq!(pab["block_public_policy"], true, "{bucket}");
        }

        let waf = resources(p)
            .iter()
            .find(|r| r["address"] == "module.platform.module.waf.aws_wafv2_web_acl.this")
            .unwrap();
        assert_eq!(waf["region"], "us-east-1");
        let password = resources(p)
            .iter()
            .find(|r| r["address"] == "module.platform.module.secrets.random_password.db")
            .unwrap();
        assert_eq!(password["region"], Value::Null, "regions are AWS's");
        let https_listeners = count(p, "module.platform.module.load_balancer.aws_lb_listener.https");
        let route53 = count(p, "module.platform.module.route53");
        if env == "prod" {
            assert_eq!(https_listeners, 1);
            assert_eq!(
                attrs(p, "module.platform.module.load_balancer.aws_lb_listener.https[0]")["ssl_policy"],
                "ELBSecurityPolicy-TLS13-1-2-2021-06"
            );
            let health = resources(p)
                .iter()
                .find(|r| r["address"] == "module.platform.module.route53[0].aws_cloudwatch_metric_alarm.health")
                .unwrap();
            assert_eq!(health["region"], "us-east-1");
            assert_eq!(count(p, "module.platform.module.route53[0].aws_route53_record.site"), 2);
            assert!(route53 > 0);
        } else {
            assert_eq!(https_listeners, 0, "{env}: document 003 gives no certificate");
            assert_eq!(route53, 0, "{env}");
        }
    }
}

#[test]
fn every_seed_system_loads_cleanly() {
    // (system, instances that characterize it: address prefix and count)
    let cases: [(&str, &[(&str, usize)]); 4] = [
        (
            "grocerymate",
            &[
                ("aws_nat_gateway.main", 1),
                ("aws_db_instance.", 2),
                ("aws_instance.bastion", 1),
            ],
        ),
        (
            "redis-worker",
            &[
                ("aws_instance.app", 1),
                ("aws_elasticache_cluster.redis", 1),
                ("aws_lb_target_group.app", 1),
            ],
        ),
        (
            "capstone",
            &[
                ("module.use1.aws_ecs_service.service", 3),
                ("module.euw1.aws_ecs_service.service", 3),
                ("module.use1.aws_rds_cluster.primary", 3),
                ("module.euw1.aws_rds_cluster.secondary", 3),
                ("module.use1.aws_rds_cluster_instance.this", 6),
                ("module.use1.aws_nat_gateway.this", 3),
                ("aws_cloudtrail.main", 1),
                ("aws_codepipeline.service", 3),
            ],
        ),
        (
            "ecs-on-ec2",
            &[
                ("aws_nat_gateway.main", 1),
                ("aws_vpc_endpoint.interface", 5),
                ("aws_db_instance.db", 1),
                ("aws_elasticache_cluster.cache", 1),
            ],
        ),
    ];
    for (system, expected) in cases {
        let projects = load(&[&format!("fixtures/systems/{system}")]);
        assert_eq!(projects.len(), 1, "{system}");
        let p = &projects[0];
        assert_clean(p);
        for (prefix, n) in expected {
            assert_eq!(count(p, prefix), *n, "{system}: {prefix}");
        }
    }
    let capstone = &load(&["fixtures/systems/capstone"])[0];
    let region = |address: &str| {
        resources(capstone)
            .iter()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{address}"))["region"]
            .clone()
    };
    assert_eq!(region("module.use1.aws_vpc.this"), "us-east-1");
    assert_eq!(region("module.euw1.aws_vpc.this"), "eu-west-1");
    let grocerymate = &load(&["fixtures/systems/grocerymate"])[0];
    assert_eq!(attrs(grocerymate, "aws_subnet.private[1]")["cidr_block"], "10.0.4.0/24");
    assert_eq!(attrs(grocerymate, "aws_launch_template.app")["user_data"], Value::Null);
    let ecs = &load(&["fixtures/systems/ecs-on-ec2"])[0];
    let db = attrs(ecs, "aws_db_instance.db");
    assert_eq!(
        (&db["instance_class"], &db["storage_type"]),
        (&"db.t4g.micro".into(), &"gp2".into())
    );
}

/// `check` on the bundled environments finds only what document 003's own design explains, each
/// suppressed with the document's reason (so the run passes), inline or in `.infracheck.toml`'s
/// `[[ignore]]`: its exceptions (the deploy role's wildcards, log groups, log buckets, topics and
/// the registry without a customer key, 30-day log retention, a secret without rotation, buckets
/// without access logs or notifications, one CloudFront origin without logs or security headers);
/// in prod also the prod-profile rules it does not follow (one region, one-day backups); in dev
/// and staging the compromises of having no certificate (HTTP only, CloudFront on its default
/// certificate), suppressed on their own `module "platform"` block so that prod stays checked for
/// them. Nothing is unresolved.
#[test]
fn check_finds_only_what_the_document_explains() {
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .args(["check", "--env", "all", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let design = [
        "IC-CF-004 fail module.platform.module.cloudfront.aws_cloudfront_distribution.this",
        "IC-CF-005 fail module.platform.module.cloudfront.aws_cloudfront_distribution.this",
        "IC-CW-001 fail module.platform.module.vpc.aws_cloudwatch_log_group.flow_logs",
        "IC-CW-001 fail module.platform.module.waf.aws_cloudwatch_log_group.waf",
        "IC-CW-005 fail module.platform.module.vpc.aws_cloudwatch_log_group.flow_logs",
        "IC-CW-005 fail module.platform.module.waf.aws_cloudwatch_log_group.waf",
        "IC-EC2-023 fail module.platform.module.bastion.aws_instance.this",
        "IC-ECR-004 fail module.platform.module.ecr.aws_ecr_repository.this",
        "IC-IAM-002 fail module.platform.module.iam.data.aws_iam_policy_document.deploy",
        "IC-IAM-005 fail module.platform.module.iam.data.aws_iam_policy_document.deploy",
        "IC-IAM-006 fail module.platform.module.iam.data.aws_iam_policy_document.deploy",
        "IC-IAM-007 fail module.platform.module.iam.data.aws_iam_policy_document.deploy",
        "IC-IAM-009 fail module.platform.module.iam.data.aws_iam_policy_document.deploy",
        "IC-IAM-010 fail module.platform.module.iam.data.aws_iam_policy_document.deploy",
        "IC-KMS-002 fail module.platform.module.kms.aws_kms_key.this[\"rds\"]",
        "IC-KMS-002 fail module.platform.module.kms.aws_kms_key.this[\"s3\"]",
        "IC-KMS-002 fail module.platform.module.kms.aws_kms_key.this[\"secrets\"]",
        "IC-S3-002 fail module.platform.module.alb_logs_bucket.aws_s3_bucket_server_side_encryption_configuration.this",
        "IC-S3-002 fail module.platform.module.logs_bucket.aws_s3_bucket_server_side_encryption_configuration.this",
        "IC-S3-005 fail module.platform.module.alb_logs_bucket.aws_s3_bucket.this",
        "IC-S3-005 fail module.platform.module.logs_bucket.aws_s3_bucket.this",
        "IC-S3-006 fail module.platform.module.alb_logs_bucket.aws_s3_bucket.this",
        "IC-S3-006 fail module.platform.module.app_bucket.aws_s3_bucket.this",
        "IC-S3-006 fail module.platform.module.logs_bucket.aws_s3_bucket.this",
        "IC-S3-006 fail module.platform.module.state_backend.module.bucket.aws_s3_bucket.this",
        "IC-S3-008 fail module.platform.module.alb_logs_bucket.aws_s3_bucket.this",
        "IC-S3-008 fail module.platform.module.app_bucket.aws_s3_bucket.this",
        "IC-S3-008 fail module.platform.module.logs_bucket.aws_s3_bucket.this",
        "IC-S3-008 fail module.platform.module.state_backend.module.bucket.aws_s3_bucket.this",
        "IC-SM-002 fail module.platform.module.secrets.aws_secretsmanager_secret.db",
        "IC-SNS-002 fail module.platform.module.cloudwatch.aws_sns_topic.alerts",
        "IC-VPC-030 fail module.platform.module.vpc.aws_vpc.this",
    ];
    // Prod only: its Route 53 health topic, and the rules of the prod profile.
    let prod_only = [
        "IC-CF-011 fail module.platform.module.cloudfront.aws_cloudfront_distribution.this",
        "IC-RDS-019 fail module.platform.module.rds.aws_db_instance.this",
        "IC-S3-010 fail module.platform.module.alb_logs_bucket.aws_s3_bucket.this",
        "IC-S3-010 fail module.platform.module.app_bucket.aws_s3_bucket.this",
        "IC-S3-010 fail module.platform.module.logs_bucket.aws_s3_bucket.this",
        "IC-S3-010 fail module.platform.module.state_backend.module.bucket.aws_s3_bucket.this",
        "IC-SNS-002 fail module.platform.module.route53[0].aws_sns_topic.health",
    ];
    let no_certificate = [
        "IC-CF-002 fail module.platform.module.cloudfront.aws_cloudfront_distribution.this",
        "IC-CF-003 fail module.platform.module.cloudfront.aws_cloudfront_distribution.this",
        "IC-CF-007 fail module.platform.module.cloudfront.aws_cloudfront_distribution.this",
        "IC-ELB-002 fail module.platform.module.load_balancer.aws_lb_listener.http",
    ];
    for env in ["dev", "staging", "prod"] {
        let mut found: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["env"] == env)
            .map(|f| {
                // Each is recorded as a suppression with the document's reason.
                assert!(
                    f["suppressed"]["justification"].as_str().is_some_and(|j| !j.is_empty()),
                    "{f}"
                );
                format!(
                    "{} {} {}",
                    f["rule_id"].as_str().unwrap(),
                    f["outcome"].as_str().unwrap(),
                    f["address"].as_str().unwrap()
                )
            })
            .collect();
        found.sort();
        let mut want: Vec<String> = design.iter().map(|s| s.to_string()).collect();
        if env == "prod" {
            want.extend(prod_only.iter().map(|s| s.to_string()));
        } else {
            want.extend(no_certificate.iter().map(|s| s.to_string()));
        }
        want.sort();
        assert_eq!(found, want, "{env}");
        assert_eq!(report["summary"][env]["unresolved"], 0, "{env}");
        assert_eq!(report["summary"][env]["failed"], 0, "{env}");
        assert_eq!(
            report["summary"][env]["suppressed"].as_u64().unwrap() as usize,
            want.len(),
            "{env}"
        );
        assert!(report["summary"][env]["passed"].as_u64().unwrap() > 60, "{env}");
    }
    // The deploy role's wildcard statement is located where it is written.
    let deploy = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["env"] == "prod" && f["rule_id"] == "IC-IAM-002")
        .unwrap();
    assert_eq!(deploy["file"], "terraform/modules/iam/main.tf");
    let text = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("terraform/modules/iam/main.tf"))
        .unwrap();
    let line = text.lines().nth(deploy["line"].as_u64().unwrap() as usize - 1).unwrap();
    assert!(line.trim_start().starts_with("actions = ["), "{line}");
}

/// Each environment checked alone (as the pre-commit hook does for a changed file) uses every
/// suppression it can see: the no-certificate ones are written in dev's and staging's roots, not
/// in the composition module, where prod, which has certificates, would report them as unused.
#[test]
fn each_environment_checked_alone_uses_every_suppression_it_sees() {
    for (env, suppressed) in [("dev", 36), ("staging", 36), ("prod", 39)] {
        let out = Command::cargo_bin("infracheck")
            .unwrap()
            .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
            .args(["check", "--env", env, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{env}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let meta: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"].as_str().unwrap().starts_with("IC-SUP"))
            .collect();
        assert!(meta.is_empty(), "{env}: {meta:#?}");
        assert_eq!(report["summary"][env]["suppressed"], suppressed, "{env}");
    }
}
