//! Reading a large plan: a generated `terraform show -json` document of 100,000 resource instances
//! (1,000 module instances × 100 counted instances, each in `planned_values` and
//! `resource_changes`), read into the model by the plan front end.
//!
//! `cargo bench --bench plan`; `INFRACHECK_BENCH_WRITE_PLAN=FILE` also writes the plan there, to
//! measure the binary's time and peak memory on it (`/usr/bin/time -v infracheck check FILE`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use infracheck::hcl::Loader;
use infracheck::plan::{read, PlanSpec};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MODULES: usize = 1000;
const PER_MODULE: usize = 100;

fn instance(m: usize, i: usize) -> (Value, Value, Value) {
    let address = format!("module.svc[\"m{m}\"].aws_instance.app[{i}]");
    let after = json!({
        "ami": "ami-0123456789abcdef0",
        "instance_type": if i % 2 == 0 { "t3.micro" } else { "t3.small" },
        "associate_public_ip_address": false,
        "ebs_optimized": true,
        "monitoring": true,
        "metadata_options": [{ "http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1 }],
        "root_block_device": [{ "encrypted": true, "volume_size": 20, "volume_type": "gp3", "delete_on_termination": true }],
        "ebs_block_device": [],
        "tags": { "Name": format!("m{m}-app-{i}"), "Service": format!("m{m}"), "ManagedBy": "terraform" },
        "user_data": null,
    });
    let unknown = json!({
        "arn": true, "id": true, "private_ip": true, "public_ip": true, "subnet_id": true,
        "root_block_device": [{ "volume_id": true, "device_name": true }],
        "metadata_options": [{}], "tags": {}, "ebs_block_device": [],
    });
    let change = json!({
        "address": address,
        "module_address": format!("module.svc[\"m{m}\"]"),
        "mode": "managed", "type": "aws_instance", "name": "app", "index": i,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": { "actions": ["create"], "before": null, "after": after, "after_unknown": unknown,
                    "before_sensitive": false, "after_sensitive": { "root_block_device": [{}], "tags": {} } }
    });
    let planned = json!({
        "address": address, "mode": "managed", "type": "aws_instance", "name": "app", "index": i,
        "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1,
        "values": after, "sensitive_values": { "root_block_device": [{}], "tags": {} }
    });
    (change, planned, Value::Null)
}

/// Writes the plan to `path`, streaming; returns its size in bytes.
fn write_plan(path: &Path) -> u64 {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    write!(w, "{{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.5\",\"variables\":{{\"region\":{{\"value\":\"ap-south-1\"}}}},").unwrap();
    write!(w, "\"planned_values\":{{\"root_module\":{{\"child_modules\":[").unwrap();
    for m in 0..MODULES {
        if m > 0 {
            write!(w, ",").unwrap();
        }
        let resources: Vec<Value> = (0..PER_MODULE).map(|i| instance(m, i).1).collect();
        serde_json::to_writer(
            &mut w,
            &json!({ "address": format!("module.svc[\"m{m}\"]"), "resources": resources }),
        )
        .unwrap();
    }
    write!(w, "]}}}},\"resource_changes\":[").unwrap();
    for m in 0..MODULES {
        for i in 0..PER_MODULE {
            if m + i > 0 {
                write!(w, ",").unwrap();
            }
            serde_json::to_writer(&mut w, &instance(m, i).0).unwrap();
        }
    }
    let configuration = json!({
        "provider_config": { "aws": { "name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                                      "expressions": { "region": { "references": ["var.region"] } } } },
        "root_module": {
            "module_calls": { "svc": {
                "source": "./modules/svc",
                "for_each_expression": { "references": ["var.services"] },
                "module": { "resources": [{
                    "address": "aws_instance.app", "mode": "managed", "type": "aws_instance", "name": "app",
                    "provider_config_key": "aws", "count_expression": { "constant_value": PER_MODULE },
                    "expressions": {
                        "ami": { "constant_value": "ami-0123456789abcdef0" },
                        "subnet_id": { "references": ["var.subnet_ids", "count.index"] },
                        "metadata_options": [{ "http_tokens": { "constant_value": "required" } }],
                        "root_block_device": [{ "encrypted": { "constant_value": true } }]
                    },
                    "schema_version": 1
                }] }
            } },
            "variables": { "region": {}, "services": {} }
        }
    });
    write!(w, "],\"configuration\":").unwrap();
    serde_json::to_writer(&mut w, &configuration).unwrap();
    write!(w, "}}").unwrap();
    w.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

fn large_plan(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = match std::env::var_os("INFRACHECK_BENCH_WRITE_PLAN") {
        Some(p) => std::path::PathBuf::from(p),
        None => dir.path().join("plan.json"),
    };
    let bytes = write_plan(&path);
    eprintln!(
        "plan: {} resource instances, {bytes} bytes, at {}",
        MODULES * PER_MODULE,
        path.display()
    );
    let spec = PlanSpec {
        path: path.clone(),
        name: "large".into(),
        source_dir: None,
        profile: "default".into(),
        workspace: "default".into(),
    };
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("read 100k-resource plan", |b| {
        b.iter(|| {
            let loader = Loader::new(dir.path().to_path_buf());
            let project = read(&loader, &spec).expect("reads");
            assert_eq!(project.resources.len(), MODULES * PER_MODULE);
            project.resources.len()
        })
    });
    group.finish();
}

criterion_group!(benches, large_plan);
criterion_main!(benches);
