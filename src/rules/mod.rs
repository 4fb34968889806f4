//! Policies: one TOML file a rule under `policies/` (embedded in the binary at build time), plus a
//! user's own folder of the same format. A policy holds what it checks and why, and either a
//! condition over one resource's attributes ([`condition`]) or the name of a graph check written in
//! Rust ([`graph`]) that reads several resources. [`engine`] runs them over the model.

pub mod baseline;
pub mod condition;
pub mod engine;
pub mod graph;
pub mod suppress;

use condition::Condition;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The embedded policies, converted from TOML to JSON by build.rs.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/policies.rs"));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Encryption,
    Network,
    State,
    Reliability,
    Observability,
    Identity,
    Edge,
    Cost,
    /// What the configuration is built from: module sources and their versions.
    #[serde(rename = "supply-chain")]
    SupplyChain,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Encryption => "encryption",
            Category::Network => "network",
            Category::State => "state",
            Category::Reliability => "reliability",
            Category::Observability => "observability",
            Category::Identity => "identity",
            Category::Edge => "edge",
            Category::Cost => "cost",
            Category::SupplyChain => "supply-chain",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Aliases {
    #[serde(default)]
    pub checkov: Vec<String>,
    #[serde(default)]
    pub trivy: Vec<String>,
    /// Ids and names the rule had before (a rule split in two keeps its id; a renamed one lists
    /// its old name here): suppressions, `--check` and `explain` still find it by them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former: Vec<String>,
}

/// A policy file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    id: String,
    name: String,
    title: String,
    severity: Severity,
    category: Category,
    #[serde(default)]
    resource_types: Vec<String>,
    /// Profiles the rule applies to; empty for every profile.
    #[serde(default)]
    environments: Vec<String>,
    /// Severity per profile, where it differs from `severity`.
    #[serde(default)]
    severity_by_profile: BTreeMap<String, Severity>,
    what: String,
    rationale: String,
    /// Where the requirement comes from; optional in a user's policies, and present in every
    /// embedded one (a test enforces it).
    #[serde(default)]
    source: Option<String>,
    remediation: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    aliases: Aliases,
    check: toml::Table,
    /// Required in a user's TOML; build.rs moves an embedded policy's examples beside it.
    #[serde(default)]
    examples: Option<Examples>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    pub bad: Vec<String>,
    pub good: Vec<String>,
}

/// What a policy runs.
#[derive(Debug, Clone)]
pub enum Check {
    /// A condition on each resource of the policy's types; `when` limits it to the resources it
    /// applies to.
    Condition {
        when: Option<Box<Condition>>,
        assert: Box<Condition>,
    },
    /// A graph check written in Rust, with its parameters.
    Graph { name: String, params: toml::Table },
    /// A rule the engine itself reports on (the suppressions' own rules).
    Builtin(String),
}

/// A loaded policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub category: Category,
    pub resource_types: Vec<String>,
    pub environments: Vec<String>,
    pub severity_by_profile: BTreeMap<String, Severity>,
    /// What it checks (prose).
    pub what: String,
    /// Why it matters: the risk, written for the user, without references they cannot follow.
    pub rationale: String,
    /// Where the requirement comes from: the design document or published guidance (`explain`
    /// shows it). `None` for a user's policy that gives none.
    pub source: Option<String>,
    pub remediation: String,
    pub references: Vec<String>,
    pub aliases: Aliases,
    pub check: Check,
    /// The message of a failure; `{detail}` is replaced by what was found.
    pub message: Option<String>,
    /// Bad and good examples ([`Policy::examples`]): an embedded policy's are read on first use.
    examples: std::sync::OnceLock<Examples>,
    examples_json: Option<&'static str>,
    /// Where it was loaded from: `policies/aws/rds/…toml` or the user's file.
    pub file: PathBuf,
}

impl Policy {
    /// Whether a condition rule reads this resource: a managed resource of one of its
    /// `resource_types`, or a data source written there as `data.<type>`.
    pub fn reads(&self, r: &crate::model::Resource) -> bool {
        match r.mode {
            crate::model::Mode::Managed => self.resource_types.contains(&r.resource_type),
            crate::model::Mode::Data => self
                .resource_types
                .iter()
                .any(|t| t.strip_prefix("data.") == Some(r.resource_type.as_str())),
        }
    }

    /// Whether the policy runs under `profile`.
    pub fn applies_to(&self, profile: &str) -> bool {
        self.environments.is_empty() || self.environments.iter().any(|e| e == profile)
    }

    /// The severity under `profile`.
    pub fn severity_for(&self, profile: &str) -> Severity {
        self.severity_by_profile.get(profile).copied().unwrap_or(self.severity)
    }

    /// The graph check's name, if the policy runs one.
    pub fn graph_check(&self) -> Option<&str> {
        match &self.check {
            Check::Graph { name, .. } => Some(name),
            Check::Condition { .. } | Check::Builtin(_) => None,
        }
    }

    /// The AWS service it belongs to, for listings: the name of its folder
    /// (`policies/aws/rds/…` is "Amazon RDS and Aurora"), or the folder's own name for a folder
    /// this table does not know (a user's `policies/acme/…` is "acme").
    pub fn service(&self) -> &str {
        let folder = self
            .file
            .parent()
            .and_then(|d| d.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("other");
        SERVICES
            .iter()
            .find(|(f, _)| *f == folder)
            .map_or(folder, |(_, name)| name)
    }

    /// Its bad and good examples.
    pub fn examples(&self) -> &Examples {
        self.examples.get_or_init(|| {
            let json = self
                .examples_json
                .expect("a policy without examples in its file has them embedded");
            serde_json::from_str(json).expect("build.rs wrote the examples it checked")
        })
    }

    /// The profile its examples run under: its first environment, or `default`.
    pub fn example_profile(&self) -> &str {
        self.environments.first().map_or("default", |e| e.as_str())
    }

    fn from_file(text: &Source, file: &Path) -> Result<Policy, String> {
        let f: PolicyFile = match text {
            Source::Toml(t) => toml::from_str(t).map_err(|e| e.to_string())?,
            Source::Json { policy, .. } => serde_json::from_str(policy).map_err(|e| e.to_string())?,
        };
        let mut check_table = f.check.clone();
        let message = match check_table.remove("message") {
            Some(toml::Value::String(s)) => Some(s),
            Some(_) => return Err("check.message must be a string".into()),
            None => None,
        };
        let check = if let Some(builtin) = check_table.remove("builtin") {
            let name = builtin.as_str().ok_or("check.builtin must be a string")?.to_string();
            if !BUILTINS.contains(&name.as_str()) {
                return Err(format!("check.builtin {name:?} is not one of {}", BUILTINS.join(", ")));
            }
            Check::Builtin(name)
        } else if let Some(graph) = check_table.remove("graph") {
            let name = graph.as_str().ok_or("check.graph must be a string")?.to_string();
            if graph::lookup(&name).is_none() {
                return Err(format!(
                    "check.graph {name:?} is not a graph check (known: {})",
                    graph::NAMES.join(", ")
                ));
            }
            let params = match check_table.remove("params") {
                Some(toml::Value::Table(t)) => t,
                Some(_) => return Err("check.params must be a table".into()),
                None => toml::Table::new(),
            };
            if let Some(k) = check_table.keys().next() {
                return Err(format!("unknown key check.{k} beside check.graph"));
            }
            graph::validate(&name, &params)?;
            Check::Graph { name, params }
        } else {
            let assert = check_table
                .remove("assert")
                .ok_or("check needs `assert` (a condition) or `graph` (a graph check)")?;
            let assert = Condition::parse(&assert).map_err(|e| format!("check.assert: {e}"))?;
            let when = match check_table.remove("when") {
                Some(w) => Some(Condition::parse(&w).map_err(|e| format!("check.when: {e}"))?),
                None => None,
            };
            if let Some(k) = check_table.keys().next() {
                return Err(format!("unknown key check.{k}"));
            }
            if f.resource_types.is_empty() {
                return Err("a condition needs resource_types".into());
            }
            Check::Condition {
                when: when.map(Box::new),
                assert: Box::new(assert),
            }
        };
        let id_ok = f.id.contains('-')
            && f.id.starts_with(|c: char| c.is_ascii_uppercase())
            && !f.id.ends_with('-')
            && f.id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(format!(
                "id {:?} must be upper-case words and numbers joined by hyphens, like IC-RDS-001 or ACME-EC2-001",
                f.id
            ));
        }
        let (examples, examples_json) = match (f.examples, text) {
            (Some(e), _) => (std::sync::OnceLock::from(e), None),
            (None, Source::Json { examples, .. }) => (std::sync::OnceLock::new(), Some(*examples)),
            (None, Source::Toml(_)) => return Err("missing field `examples`".into()),
        };
        if let Some(e) = examples.get() {
            if e.bad.is_empty() || e.good.is_empty() {
                return Err("a policy needs at least one bad and one good example".into());
            }
        }
        Ok(Policy {
            id: f.id,
            name: f.name,
            title: f.title,
            severity: f.severity,
            category: f.category,
            resource_types: f.resource_types,
            environments: f.environments,
            severity_by_profile: f.severity_by_profile,
            what: f.what.trim().to_string(),
            rationale: f.rationale.trim().to_string(),
            source: f.source.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            remediation: f.remediation.trim().to_string(),
            references: f.references,
            aliases: f.aliases,
            check,
            message,
            examples,
            examples_json,
            file: file.to_path_buf(),
        })
    }
}

/// The rules the engine reports itself: suppressions that match nothing, have expired, or give no
/// reason.
pub const BUILTINS: &[&str] = &[
    "unused_suppression",
    "expired_suppression",
    "suppression_without_reason",
];

/// A policy file that could not be loaded.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(policy::invalid))]
pub struct PolicyError {
    pub path: String,
    pub message: String,
}

/// Policy folders and the service each stands for in `infracheck rules` and policies/README.md.
pub const SERVICES: &[(&str, &str)] = &[
    ("accessanalyzer", "IAM Access Analyzer"),
    ("acm", "AWS Certificate Manager"),
    ("apigateway", "Amazon API Gateway"),
    ("appflow", "Amazon AppFlow"),
    ("appsync", "AWS AppSync"),
    ("athena", "Amazon Athena"),
    ("autoscaling", "EC2 Auto Scaling"),
    ("backup", "AWS Backup"),
    ("batch", "AWS Batch"),
    ("bedrock", "Amazon Bedrock"),
    ("cloudformation", "AWS CloudFormation"),
    ("cloudfront", "Amazon CloudFront"),
    ("cloudsearch", "Amazon CloudSearch"),
    ("cloudtrail", "AWS CloudTrail"),
    ("cloudwatch", "Amazon CloudWatch"),
    ("codebuild", "AWS CodeBuild"),
    ("codesuite", "AWS CodeCommit, CodePipeline and CodeArtifact"),
    ("cognito", "Amazon Cognito"),
    ("comprehend", "Amazon Comprehend"),
    ("config", "AWS Config"),
    ("connect", "Amazon Connect"),
    ("cost", "Cost"),
    ("datasync", "AWS DataSync"),
    ("dax", "DynamoDB Accelerator (DAX)"),
    ("dlm", "Amazon Data Lifecycle Manager"),
    ("dms", "AWS Database Migration Service"),
    ("documentdb", "Amazon DocumentDB"),
    ("dynamodb", "Amazon DynamoDB"),
    ("ec2", "Amazon EC2 and EBS"),
    ("ecr", "Amazon ECR"),
    ("ecs", "Amazon ECS"),
    ("efs", "Amazon EFS"),
    ("eks", "Amazon EKS"),
    ("elasticache", "Amazon ElastiCache"),
    ("elasticbeanstalk", "AWS Elastic Beanstalk"),
    ("elb", "Elastic Load Balancing"),
    ("emr", "Amazon EMR"),
    ("eventbridge", "Amazon EventBridge"),
    ("fsx", "Amazon FSx"),
    ("globalaccelerator", "AWS Global Accelerator"),
    ("glue", "AWS Glue"),
    ("guardduty", "Amazon GuardDuty"),
    ("iam", "AWS IAM"),
    ("imagebuilder", "EC2 Image Builder"),
    ("kendra", "Amazon Kendra"),
    ("keyspaces", "Amazon Keyspaces"),
    ("kinesis", "Amazon Kinesis and Data Firehose"),
    ("kms", "AWS KMS"),
    ("lambda", "AWS Lambda"),
    ("memorydb", "Amazon MemoryDB"),
    ("mq", "Amazon MQ"),
    ("msk", "Amazon MSK"),
    ("mwaa", "Amazon MWAA"),
    ("neptune", "Amazon Neptune"),
    ("networkfirewall", "AWS Network Firewall"),
    ("opensearch", "Amazon OpenSearch Service"),
    ("qldb", "Amazon QLDB"),
    ("rds", "Amazon RDS and Aurora"),
    ("redshift", "Amazon Redshift"),
    ("route53", "Amazon Route 53"),
    ("s3", "Amazon S3"),
    ("sagemaker", "Amazon SageMaker"),
    ("secretsmanager", "AWS Secrets Manager"),
    ("ses", "Amazon SES"),
    ("sns", "Amazon SNS"),
    ("sqs", "Amazon SQS"),
    ("ssm", "AWS Systems Manager"),
    ("stepfunctions", "AWS Step Functions"),
    ("suppressions", "Suppressions"),
    ("terraform", "Terraform"),
    ("timestream", "Amazon Timestream"),
    ("transfer", "AWS Transfer Family"),
    ("vpc", "Amazon VPC"),
    ("waf", "AWS WAF"),
    ("workspaces", "Amazon WorkSpaces"),
];

/// Every policy of a run, sorted by id.
#[derive(Debug, Clone)]
pub struct Registry {
    pub policies: Vec<Policy>,
}

impl Registry {
    /// The policies grouped by service, each group by id. Services sort by their names without
    /// "Amazon" or "AWS", ignoring case (Amazon DynamoDB, Amazon EC2 and EBS, …, AWS IAM, …).
    pub fn by_service(&self) -> Vec<(&str, Vec<&Policy>)> {
        let mut groups: BTreeMap<(String, &str), Vec<&Policy>> = BTreeMap::new();
        for p in &self.policies {
            let service = p.service();
            let key = service
                .strip_prefix("Amazon ")
                .or_else(|| service.strip_prefix("AWS "))
                .unwrap_or(service)
                .to_lowercase();
            groups.entry((key, service)).or_default().push(p);
        }
        groups
            .into_iter()
            .map(|((_, service), policies)| (service, policies))
            .collect()
    }

    /// The embedded policies.
    pub fn builtin() -> Result<Registry, Vec<PolicyError>> {
        Registry::from_files(embedded_files())
    }

    /// The embedded policies and those of `dirs` (each `*.toml` below them).
    pub fn load(dirs: &[PathBuf]) -> Result<Registry, Vec<PolicyError>> {
        let mut files = embedded_files();
        let mut errors = Vec::new();
        for dir in dirs {
            if !dir.is_dir() {
                errors.push(PolicyError {
                    path: dir.display().to_string(),
                    message: "not a directory of policies".into(),
                });
                continue;
            }
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "toml"))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            for p in found {
                match std::fs::read_to_string(&p) {
                    Ok(t) => files.push((p, Source::Toml(t))),
                    Err(e) => errors.push(PolicyError {
                        path: p.display().to_string(),
                        message: e.to_string(),
                    }),
                }
            }
        }
        match Registry::from_files(files) {
            Ok(r) if errors.is_empty() => Ok(r),
            Ok(_) => Err(errors),
            Err(mut e) => {
                errors.append(&mut e);
                Err(errors)
            }
        }
    }

    fn from_files(files: Vec<(PathBuf, Source)>) -> Result<Registry, Vec<PolicyError>> {
        use rayon::prelude::*;
        let mut policies = Vec::new();
        let mut errors = Vec::new();
        // Parsed side by side, kept in the files' order.
        let parsed: Vec<(PathBuf, Result<Policy, String>)> = files
            .into_par_iter()
            .map(|(path, text)| {
                let policy = Policy::from_file(&text, &path);
                (path, policy)
            })
            .collect();
        for (path, result) in parsed {
            match result {
                Ok(p) => policies.push(p),
                Err(message) => errors.push(PolicyError {
                    path: path.display().to_string(),
                    message,
                }),
            }
        }
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut names: BTreeSet<String> = BTreeSet::new();
        for p in &policies {
            if let Some(first) = seen.insert(p.id.clone(), p.file.clone()) {
                errors.push(PolicyError {
                    path: p.file.display().to_string(),
                    message: format!("id {} is already used by {}", p.id, first.display()),
                });
            }
            if !names.insert(p.name.clone()) {
                errors.push(PolicyError {
                    path: p.file.display().to_string(),
                    message: format!("name {} is already used", p.name),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        policies.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Registry { policies })
    }

    pub fn get(&self, id_or_name: &str) -> Option<&Policy> {
        let key = id_or_name.to_ascii_uppercase();
        self.policies
            .iter()
            .find(|p| p.id == key || p.name == id_or_name)
            .or_else(|| {
                self.policies.iter().find(|p| {
                    p.aliases
                        .checkov
                        .iter()
                        .chain(&p.aliases.trivy)
                        .chain(&p.aliases.former)
                        .any(|a| a.eq_ignore_ascii_case(id_or_name))
                })
            })
    }
}

/// A policy file's text: a user's TOML, or an embedded policy as build.rs wrote it (the policy
/// without its examples, and the examples).
enum Source {
    Toml(String),
    Json {
        policy: &'static str,
        examples: &'static str,
    },
}

fn embedded_files() -> Vec<(PathBuf, Source)> {
    embedded::POLICIES
        .iter()
        .map(|(path, policy, examples)| (PathBuf::from(path), Source::Json { policy, examples }))
        .collect()
}
