//! Every command-line flag: the clap definitions of the commands and their arguments. What the
//! flags mean is decided in `commands/`; what to scan is resolved in `targets/`.

use crate::rules::Severity;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "infracheck", version, about = "Policy checks and monthly cost estimates for Terraform on AWS", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Terraform against the policies: every finding with its source location and fix.
    Check(CheckArgs),
    /// Estimate the monthly cost of each environment: per resource and cost component, from the
    /// embedded price catalog (offline).
    Cost(CostArgs),
    /// Check what is deployed: AWS Config's configuration items, mapped into the model and checked
    /// against the same policies (AWS Config needs the `aws` feature; `--items FILE` does not).
    Live(LiveArgs),
    /// The price catalog: which one is in use (`show`), and refreshing it from the AWS Price List
    /// (`update`, with the `aws` feature).
    #[command(subcommand)]
    Prices(PricesCommand),
    /// List every resource instance after evaluation: address, type, region, source location.
    Resources(ResourcesArgs),
    /// List the policies.
    Rules(RulesArgs),
    /// Explain one policy: what it checks, why it matters, bad and good examples.
    Explain(ExplainArgs),
}

/// The formats of `check` and `live`: their findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// A pull-request comment.
    Markdown,
    /// JUnit XML, one test case per rule and resource.
    Junit,
}

/// `live` reports findings as `check` does.
pub type LiveFormat = CheckFormat;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostFormat {
    Text,
    Json,
    /// A pull-request comment.
    Markdown,
    /// One row per cost component.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResourcesFormat {
    Text,
    Json,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE colours off a terminal too).
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct ColorArgs {
    /// When to colour the output: auto honours NO_COLOR and CLICOLOR_FORCE.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The same as --color never.
    #[arg(long, hide = true)]
    pub no_color: bool,
}

impl ColorArgs {
    pub fn choice(&self) -> ColorChoice {
        if self.no_color {
            ColorChoice::Never
        } else {
            self.color
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

/// What `check` and `live` report and how they exit: the same flags for code and for accounts.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Exit 1 only for failures at or above this severity (all are still reported).
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub severity: Severity,
    /// Report failures but exit 0 (input errors still exit 2).
    #[arg(long)]
    pub soft_fail: bool,
    /// Also list the checks that passed.
    #[arg(long)]
    pub show_passed: bool,
    /// Report only failures: no unresolved findings or passed checks in text and markdown (the
    /// summary still counts them); JSON, SARIF and JUnit are unchanged.
    #[arg(long, short = 'q', conflicts_with = "show_passed")]
    pub quiet: bool,
    /// Text without source snippets: each finding's location and message, and its fix.
    #[arg(long)]
    pub compact: bool,
    /// Run only these checks: policy ids (IC-RDS-001), names (rds-storage-encrypted) or
    /// checkov / trivy aliases (CKV_AWS_16); comma-separated, repeatable.
    #[arg(long = "check", value_name = "IDS", value_delimiter = ',')]
    pub check: Vec<String>,
    /// Leave these checks out (ids, names or aliases; comma-separated, repeatable).
    #[arg(long = "skip-check", value_name = "IDS", value_delimiter = ',')]
    pub skip_check: Vec<String>,
    /// A folder of your own policies, in the format of policies/ (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Ignore inline suppression comments (infracheck:ignore, checkov:skip, tfsec/trivy:ignore);
    /// the configuration's [[ignore]] entries still apply.
    #[arg(long)]
    pub no_inline_ignores: bool,
    /// Record today's failures and unresolved findings in FILE. Exits 0 once it is written (the
    /// findings are still reported), 2 when the input has errors.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings not recorded in FILE (see --write-baseline); lists stale entries.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, value_enum, default_value_t = CostFormat::Text)]
    pub format: CostFormat,
    /// A usage file in Infracost's format (version 0.1), read after the environment's
    /// `usage_files` (repeatable; later files win).
    #[arg(long = "usage-file", value_name = "FILE")]
    pub usage_files: Vec<PathBuf>,
    /// Exit 1 when a component has no price in the catalog, or could not be priced (a quantity
    /// too large to compute).
    #[arg(long)]
    pub fail_on_missing_price: bool,
    /// Report the difference from OLD instead: a git ref (the same environments or paths at that
    /// commit), a directory, a plan, or an earlier `cost --format json` report.
    #[arg(long, value_name = "OLD")]
    pub compare_to: Option<String>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Read configuration items from FILE instead of AWS Config: the JSON of `aws configservice
    /// batch-get-resource-config` or `get-resource-config-history`, or an array of items (repeatable).
    #[arg(long = "items", value_name = "FILE")]
    pub items: Vec<PathBuf>,
    /// The regions whose AWS Config to read (repeatable; default: the SDK's configured region).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// The AWS profile (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub aws_profile: Option<String>,
    /// The old name of --aws-profile (warns).
    #[arg(long = "profile", value_name = "NAME", hide = true)]
    pub profile_renamed: Option<String>,
    /// The AWS Config endpoint (a local emulator, a VPC endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The policy profile whose rules apply (dev, staging, prod, …; default: `default`), as
    /// `--profile` of `check`.
    #[arg(long, value_name = "NAME")]
    pub rules_profile: Option<String>,
    /// The resource types to read (`AWS::S3::Bucket,AWS::IAM::Role`; default: every type infracheck maps).
    #[arg(long = "resource-types", value_name = "TYPES", value_delimiter = ',')]
    pub resource_types: Vec<String>,
    #[arg(long, value_enum, default_value_t = LiveFormat::Text)]
    pub format: LiveFormat,
    #[command(flatten)]
    pub report: ReportArgs,
    /// The configuration file whose [[ignore]] entries apply (default: the nearest .infracheck.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also report drift against the code: a Terraform directory or a plan. Resources in the
    /// account the code does not declare, resources the code declares that are missing, and
    /// attributes whose known values differ (text, JSON and markdown reports).
    #[arg(long, value_name = "DIR|PLAN")]
    pub compare_to: Option<PathBuf>,
    /// Exit 1 when there is drift.
    #[arg(long, requires = "compare_to")]
    pub fail_on_drift: bool,
    /// Report each mapped resource's outcome to this AWS Config rule (PutEvaluations): a failure
    /// at or above --severity is NON_COMPLIANT, an undecided check INSUFFICIENT_DATA, otherwise
    /// COMPLIANT (NOT_APPLICABLE when no policy applies). Needs one region and --result-token.
    #[arg(long, value_name = "RULE_NAME")]
    pub put_evaluations: Option<String>,
    /// The `resultToken` of the rule's invocation event (a custom rule's Lambda receives it).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "INFRACHECK_RESULT_TOKEN",
        hide_env_values = true,
        requires = "put_evaluations"
    )]
    pub result_token: Option<String>,
    /// With --put-evaluations: AWS Config validates the evaluations without recording them.
    #[arg(long, requires = "put_evaluations")]
    pub test_mode: bool,
    #[command(flatten)]
    pub color: ColorArgs,
}

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Say which catalog is in use (embedded, or a local one from `prices update`) and its dates;
    /// list its prices, optionally of some regions or services.
    Show {
        /// Only these regions (repeatable).
        #[arg(long = "region", value_name = "REGION")]
        regions: Vec<String>,
        /// Only this service (EC2, RDS, VPC/NAT Gateway, …).
        #[arg(long)]
        service: Option<String>,
        /// Only the summary, not the prices.
        #[arg(long)]
        summary: bool,
    },
    /// Refresh the prices of EC2 instances, RDS instances, ElastiCache nodes and EBS storage from
    /// the AWS Price List (GetProducts, standard AWS credentials) into the local catalog, which then
    /// takes precedence over the embedded one.
    Update {
        /// The regions to refresh (repeatable; default: ap-south-1, eu-central-1, eu-west-1,
        /// eu-north-1, us-east-1, us-east-2).
        #[arg(long = "region", value_name = "REGION")]
        regions: Vec<String>,
        /// The Price List API endpoint (default: AWS's, in us-east-1).
        #[arg(long, value_name = "URL")]
        endpoint_url: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
    /// A folder of your own policies, in the format of policies/ (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A policy id (IC-RDS-001), name (rds-storage-encrypted), or checkov / trivy alias.
    pub id: String,
    /// A folder of your own policies, in the format of policies/ (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// What to scan: a root module directory, a tree whose root modules are found (each directory
    /// with Terraform files that no scanned directory calls as a module), or a plan file
    /// (`terraform show -json tfplan > plan.json`), recognised by its content.
    pub paths: Vec<PathBuf>,
    /// A plan of the environment given with --env (`terraform show -json` output); its
    /// configuration is the environment's root.
    #[arg(long, value_name = "FILE", requires = "env")]
    pub plan: Option<PathBuf>,
    /// The configuration a plan was made from, for locations (default: the plan's directory,
    /// then the working directory).
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
    /// An environment from .infracheck.toml, or `all`.
    #[arg(long, short = 'e')]
    pub env: Option<String>,
    /// A variables file, read after terraform.tfvars and *.auto.tfvars (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A variable value, `NAME=VALUE`, read last (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// The configuration file (default: the nearest .infracheck.toml at or above the working directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The policy profile (dev, staging, prod, …) for paths; environments use their own.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    #[command(flatten)]
    pub color: ColorArgs,
    /// Treat evaluation errors that Terraform reports only at plan time (a null where a value is
    /// needed, a count that depends on apply-time values) as errors: exit 2. Without it they are
    /// warnings, the value is unknown, and every finding is still reported.
    #[arg(long)]
    pub strict: bool,
    /// Download remote modules (registry, git, HTTP archives) that are not in the module cache or
    /// .terraform/modules yet. Without it, infracheck reads only what is already on disk.
    #[arg(long)]
    pub download_modules: bool,
    /// Leave out directories matching GLOB when looking for root modules below a path
    /// (`examples/**`, `**/test`; relative to the scanned path or the working directory;
    /// repeatable). `skip_paths` in .infracheck.toml adds to it.
    #[arg(long = "skip-path", value_name = "GLOB")]
    pub skip_paths: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ResourcesArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[arg(long, value_enum, default_value_t = ResourcesFormat::Text)]
    pub format: ResourcesFormat,
    /// Show every resource's attributes (values known only after apply are shown as such).
    #[arg(long)]
    pub values: bool,
}

pub fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}
