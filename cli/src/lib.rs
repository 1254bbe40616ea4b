//! The `apispm` command line: thin glue between the local adapters and the engine.
//!
//! Exit codes are contract: 0 no policy violation reached `--fail-on`; 1 one did; 2 usage or
//! input error (with a message naming the input).

use anyhow::{Context, Result, anyhow};
use apispm_aws::{DynamoStore, S3Location, SweepConfig};
use apispm_core::controls::CATALOGUE;
use apispm_core::history::record_sweep;
use apispm_core::model::Severity;
use apispm_core::policy::{self, Policy};
use apispm_core::posture::{Posture, assess};
use apispm_core::render::asff::AsffTarget;
use apispm_core::render::{self, Format};
use apispm_core::snapshot::Snapshot;
use apispm_core::store::{DEFAULT_TTL_DAYS, Store};
use apispm_local::{SqliteStore, read_estate};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The default policies, shipped in `infra/policies/default.yaml`.
pub const DEFAULT_POLICIES: &str = include_str!("../../infra/policies/default.yaml");
pub const DEFAULT_STORE_FILE: &str = "apispm.db";

#[derive(Parser, Debug)]
#[command(
    name = "apispm",
    version,
    about = "API security posture management for AWS API Gateway and OpenAPI estates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Assess a local estate folder (specs/, samples/, estate.yaml) or a saved snapshot, keep
    /// history, print the posture.
    Scan(ScanArgs),
    /// Collect API Gateway in the given regions (and accounts), assess it, keep history, print it.
    Sweep(SweepArgs),
    /// Collect API Gateway facts and write the raw snapshot (assess it later with `scan --snapshot`).
    Collect(CollectArgs),
    /// Audit OpenAPI documents against the OWASP API Security Top 10 (a CI step).
    Audit(AuditArgs),
    /// Render the latest stored posture.
    Report(ReportArgs),
    /// Print the control catalogue (the source of docs/controls.md).
    Controls,
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// The estate folder.
    #[arg(required_unless_present = "snapshot")]
    dir: Option<PathBuf>,
    /// Assess a snapshot written by `apispm collect` instead of a folder.
    #[arg(long, conflicts_with = "dir")]
    snapshot: Option<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(clap::Args, Debug)]
struct OutputArgs {
    /// SQLite store for history [default: DIR/apispm.db, or ./apispm.db].
    #[arg(long, conflicts_with = "table")]
    store: Option<PathBuf>,
    /// DynamoDB table for history instead of SQLite (AWS_REGION, AWS_ENDPOINT_URL and
    /// credentials from the standard AWS configuration).
    #[arg(long)]
    table: Option<String>,
    /// Do not read or write any history.
    #[arg(long, conflicts_with_all = ["store", "table"])]
    no_store: bool,
    /// Policy file [default: the bundled infra/policies/default.yaml].
    #[arg(long)]
    policies: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// Write the output to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Exit 1 when a policy violation of this severity or higher is found.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Record the run as made at this time (RFC 3339) instead of now: for replaying history.
    #[arg(long)]
    at: Option<DateTime<Utc>>,
    /// Days of sweep history the store keeps.
    #[arg(long, default_value_t = DEFAULT_TTL_DAYS)]
    ttl_days: i64,
    #[command(flatten)]
    asff: AsffArgs,
}

#[derive(clap::Args, Debug, Clone)]
struct AsffArgs {
    /// ASFF: the Security Hub product ARN [default: your account's default product].
    #[arg(long)]
    asff_product_arn: Option<String>,
    /// ASFF: account for findings that name no AWS resource (local endpoints).
    #[arg(long, default_value = "000000000000")]
    asff_account: String,
    /// ASFF: region for findings that name no AWS resource.
    #[arg(long, default_value = "us-east-1")]
    asff_region: String,
}

impl AsffArgs {
    fn target(&self) -> AsffTarget {
        let mut t = AsffTarget::default_for(&self.asff_account, &self.asff_region);
        if let Some(arn) = &self.asff_product_arn {
            t.product_arn = arn.clone();
        }
        t
    }
}

#[derive(clap::Args, Debug)]
struct AwsArgs {
    /// Region to sweep; repeat for several.
    #[arg(long = "region", required = true)]
    regions: Vec<String>,
    /// Member account to sweep through `--role-name`; repeat for several. None: the current account.
    #[arg(long = "account", requires = "role_name")]
    accounts: Vec<String>,
    /// Sweep the current account and every active account of its organization (Organizations
    /// ListAccounts: run from the management account or a delegated administrator).
    #[arg(long, requires = "role_name", conflicts_with = "accounts")]
    organization: bool,
    /// Read-only role assumed in each `--account`.
    #[arg(long)]
    role_name: Option<String>,
    /// Send every AWS call to this endpoint (an emulator such as moto).
    #[arg(long)]
    endpoint_url: Option<String>,
    /// Targets and API reads collected at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Attempts per AWS call under the SDK's adaptive retry (throttling backs off between them).
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
    /// Declared OpenAPI specs (and an optional estate.yaml manifest) in S3: s3://bucket/prefix.
    #[arg(long, value_name = "S3_URL")]
    specs: Option<String>,
    /// API Gateway access logs in S3, any layout: s3://bucket/prefix.
    #[arg(long, value_name = "S3_URL")]
    logs: Option<String>,
}

#[derive(clap::Args, Debug)]
struct SweepArgs {
    #[command(flatten)]
    aws: AwsArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(clap::Args, Debug)]
struct CollectArgs {
    #[command(flatten)]
    aws: AwsArgs,
    /// Where to write the snapshot (JSON).
    #[arg(long)]
    out: PathBuf,
    /// Record the collection as made at this time (RFC 3339).
    #[arg(long)]
    at: Option<DateTime<Utc>>,
}

#[derive(clap::Args, Debug)]
struct AuditArgs {
    /// OpenAPI documents (Swagger 2.0, OpenAPI 3.0, 3.1; JSON or YAML).
    #[arg(required = true)]
    specs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    format: AuditFormat,
    #[arg(long)]
    out: Option<PathBuf>,
    /// Exit 1 when a finding of this severity or higher is found.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum AuditFormat {
    Table,
    Json,
    Sarif,
}

#[derive(clap::Args, Debug)]
struct ReportArgs {
    /// SQLite store to read.
    #[arg(long, required_unless_present = "table", conflicts_with = "table")]
    store: Option<PathBuf>,
    /// DynamoDB table to read.
    #[arg(long)]
    table: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    asff: AsffArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum OutputFormat {
    Table,
    Json,
    Markdown,
    Html,
    Sarif,
    Asff,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Json => Format::Json,
            OutputFormat::Markdown => Format::Markdown,
            OutputFormat::Html => Format::Html,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Asff => Format::Asff,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

/// Run the CLI on `args` (the first is the program name); returns the exit code.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .try_init();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Sweep(args) => sweep(args),
        Command::Collect(args) => collect(args),
        Command::Report(args) => report(args),
        Command::Audit(args) => audit(args),
        Command::Controls => {
            print!("{}", controls_markdown());
            Ok(0)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("apispm: error: {e:#}");
            2
        }
    }
}

fn scan(args: ScanArgs) -> Result<u8> {
    let now = args.output.at.unwrap_or_else(Utc::now);
    let policies = load_policies(args.output.policies.as_deref())?;
    let (snapshot, default_store) = match (&args.dir, &args.snapshot) {
        (Some(dir), _) => (read_estate(dir, now)?, dir.join(DEFAULT_STORE_FILE)),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading snapshot {}", file.display()))?;
            let snapshot: Snapshot = serde_json::from_str(&text)
                .with_context(|| format!("{}: not an apispm snapshot", file.display()))?;
            (snapshot, PathBuf::from(DEFAULT_STORE_FILE))
        }
        (None, None) => return Err(anyhow!("give an estate folder or --snapshot FILE")),
    };
    finish(snapshot, &policies, now, &args.output, default_store)
}

fn s3_location(flag: &str, value: &Option<String>) -> Result<Option<S3Location>> {
    value
        .as_deref()
        .map(|v| {
            S3Location::parse(v).ok_or_else(|| anyhow!("--{flag} {v}: expected s3://bucket/prefix"))
        })
        .transpose()
}

fn sweep_config(aws: &AwsArgs, log_checkpoint: Option<i64>) -> Result<SweepConfig> {
    Ok(SweepConfig {
        specs: s3_location("specs", &aws.specs)?,
        logs: s3_location("logs", &aws.logs)?,
        log_checkpoint,
        regions: aws.regions.clone(),
        accounts: aws.accounts.clone(),
        role_name: aws.role_name.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        concurrency: aws.concurrency,
        max_attempts: aws.max_attempts,
        organization: false,
    })
}

fn collect_snapshot(
    aws: &AwsArgs,
    now: DateTime<Utc>,
    log_checkpoint: Option<i64>,
) -> Result<Snapshot> {
    let mut config = sweep_config(aws, log_checkpoint)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    if aws.organization {
        // Without the member list nothing of the organization can be swept: an error, exit 2.
        let members = runtime
            .block_on(apispm_aws::discover_organization(&mut config))
            .map_err(|e| anyhow!("--organization: {e}"))?;
        eprintln!("apispm: the organization has {members} member account(s) besides this one");
    }
    Ok(runtime.block_on(apispm_aws::collect(&config, now)))
}

fn sweep(args: SweepArgs) -> Result<u8> {
    let now = args.output.at.unwrap_or_else(Utc::now);
    let policies = load_policies(args.output.policies.as_deref())?;
    // Only the log window since the last recorded sweep is read.
    let store_path = args
        .output
        .store
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_STORE_FILE));
    let checkpoint = match (s3_location("logs", &args.aws.logs)?, args.output.no_store) {
        (Some(logs), false) => {
            let (store, _) = open_store(args.output.table.as_deref(), &store_path)?;
            store.checkpoints()?.get(&logs.url()).copied()
        }
        _ => None,
    };
    let snapshot = collect_snapshot(&args.aws, now, checkpoint)?;
    finish(snapshot, &policies, now, &args.output, store_path)
}

fn collect(args: CollectArgs) -> Result<u8> {
    let now = args.at.unwrap_or_else(Utc::now);
    let snapshot = collect_snapshot(&args.aws, now, None)?;
    let json = serde_json::to_string_pretty(&snapshot).context("serializing the snapshot")?;
    std::fs::write(&args.out, json).with_context(|| format!("writing {}", args.out.display()))?;
    let errors: usize = snapshot.gateway.iter().map(|t| t.errors.len()).sum();
    eprintln!(
        "apispm: wrote {} ({} targets, {errors} read errors)",
        args.out.display(),
        snapshot.gateway.len()
    );
    Ok(if errors > 0 { 2 } else { 0 })
}

/// Assess, record in the store, print; the exit code says what `--fail-on` and the inputs found.
fn finish(
    mut snapshot: Snapshot,
    policies: &[Policy],
    now: DateTime<Utc>,
    output: &OutputArgs,
    default_store: PathBuf,
) -> Result<u8> {
    let mut context = render::Context {
        history: Vec::new(),
        asff: Some(output.asff.target()),
    };
    let store = if output.no_store {
        None
    } else {
        let (store, name) = open_store(
            output.table.as_deref(),
            output.store.as_deref().unwrap_or(&default_store),
        )?;
        // What earlier sweeps saw declared: a route since removed from the spec is a zombie.
        let previous = apispm_core::history::prepare(store.as_ref(), &mut snapshot, now)
            .with_context(|| format!("reading the previous sweep from {name}"))?;
        Some((store, name, previous))
    };
    let mut posture = assess(&snapshot, policies, now);
    if let Some((mut store, name, previous)) = store {
        record_sweep(
            store.as_mut(),
            &mut posture,
            previous.as_ref(),
            output.ttl_days,
        )
        .with_context(|| format!("recording the sweep in {name}"))?;
        store
            .save_checkpoints(&snapshot.log_checkpoints)
            .with_context(|| format!("saving log checkpoints in {name}"))?;
        context.history = store.history()?;
    }
    emit(
        &posture,
        output.format.into(),
        &context,
        output.out.as_deref(),
    )?;
    for issue in &posture.input_issues {
        eprintln!("apispm: input error: {issue}");
    }
    let violations = output
        .fail_on
        .map(|f| posture.policy_violations_at_least(f.into()))
        .unwrap_or(0);
    Ok(if violations > 0 {
        eprintln!("apispm: {violations} policy violation(s) at or above --fail-on");
        1
    } else if !posture.input_issues.is_empty() {
        2
    } else {
        0
    })
}

fn report(args: ReportArgs) -> Result<u8> {
    if let Some(path) = &args.store
        && !path.exists()
    {
        return Err(anyhow!("store {} does not exist", path.display()));
    }
    let sqlite = args.store.clone().unwrap_or_default();
    let (store, name) = open_store(args.table.as_deref(), &sqlite)?;
    let posture = store
        .latest()?
        .ok_or_else(|| anyhow!("{name} holds no sweep yet"))?;
    let context = render::Context {
        history: store.history()?,
        asff: Some(args.asff.target()),
    };
    emit(&posture, args.format.into(), &context, args.out.as_deref())?;
    Ok(0)
}

/// The history store: a DynamoDB table when named, else the SQLite file.
fn open_store(table: Option<&str>, sqlite: &Path) -> Result<(Box<dyn Store>, String)> {
    match table {
        Some(t) => Ok((
            Box::new(DynamoStore::open(t).with_context(|| format!("opening table {t}"))?),
            format!("table {t}"),
        )),
        None => Ok((
            Box::new(
                SqliteStore::open(sqlite)
                    .with_context(|| format!("opening store {}", sqlite.display()))?,
            ),
            format!("store {}", sqlite.display()),
        )),
    }
}

fn audit(args: AuditArgs) -> Result<u8> {
    let mut reports = Vec::new();
    let mut unreadable = false;
    for path in &args.specs {
        let name = path.display().to_string();
        let report = match std::fs::metadata(path) {
            Ok(m) if m.len() > apispm_local::estate_dir::MAX_FILE_BYTES => {
                apispm_core::spec_audit::unscored(
                    &name,
                    format!(
                        "{} bytes is over the {}-byte limit",
                        m.len(),
                        apispm_local::estate_dir::MAX_FILE_BYTES
                    ),
                )
            }
            _ => match std::fs::read_to_string(path) {
                Ok(text) => apispm_core::spec_audit::audit(&name, &text),
                Err(e) => apispm_core::spec_audit::unscored(&name, format!("cannot read: {e}")),
            },
        };
        unreadable |= report.score.unscored_reason.is_some();
        reports.push(report);
    }
    let text = match args.format {
        AuditFormat::Table => apispm_core::spec_audit::render_table(&reports),
        AuditFormat::Json => {
            serde_json::to_string_pretty(&reports).context("serializing the audit")? + "\n"
        }
        AuditFormat::Sarif => apispm_core::spec_audit::render_sarif(&reports),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("apispm: wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    let threshold = args.fail_on.map(Severity::from);
    let failing = reports
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| threshold.is_some_and(|t| f.severity >= t))
        .count();
    Ok(if failing > 0 {
        eprintln!("apispm: {failing} finding(s) at or above --fail-on");
        1
    } else if unreadable {
        2
    } else {
        0
    })
}

fn load_policies(file: Option<&Path>) -> Result<Vec<Policy>> {
    match file {
        None => Ok(policy::load(
            "infra/policies/default.yaml (bundled)",
            DEFAULT_POLICIES,
        )?),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading policies {}", path.display()))?;
            Ok(policy::load(&path.display().to_string(), &text)?)
        }
    }
}

fn emit(
    posture: &Posture,
    format: Format,
    context: &render::Context,
    out: Option<&Path>,
) -> Result<()> {
    let text = render::render(posture, format, context);
    match out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("apispm: wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// The control catalogue as Markdown, generated from the control declarations.
pub fn controls_markdown() -> String {
    let mut md = String::from(
        "# Control catalogue\n\nGenerated by `apispm controls` from the control declarations in \
         `shared/core/src/controls/` and `shared/core/src/gateway_controls/`; do not edit by hand.\n\n\
         ## Endpoint controls (the seed's six)\n\nEvaluated per endpoint from, in order of strength: what API \
         Gateway has deployed, observed traffic, the declared spec. Weight = severity × 5 (critical 20, high 15, \
         medium 10, low 5). Optional controls count in the maximum but never add to the score.\n",
    );
    let refs = |r: &[apispm_core::controls::Reference]| {
        if r.is_empty() {
            "none (apispm)".to_string()
        } else {
            r.iter()
                .map(|r| format!("{} {}", r.standard, r.id))
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    for c in CATALOGUE {
        md.push_str(&format!(
            "\n### `{}` — {}\n\n- Severity: {} (weight {}), {}\n- Evidence: {}\n- Remediation: {}\n- References: {}\n",
            c.id,
            c.title,
            c.severity,
            c.weight(),
            if c.required { "required" } else { "optional" },
            c.evidence,
            c.remediation,
            refs(c.references)
        ));
    }
    md.push_str(
        "\n## Gateway configuration controls\n\nEvaluated per AWS resource (API, stage, route or method, \
         integration, custom domain, account) from the sweep's facts. A resource of an API type the control \
         does not apply to is `not_applicable`, never failed. Findings name the resource by ARN.\n\n\
         | id | title | severity | applies to | references |\n|---|---|---|---|---|\n",
    );
    for c in apispm_core::gateway_controls::catalogue() {
        let kinds: Vec<&str> = c.applies_to.iter().map(|k| k.as_str()).collect();
        md.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            c.id,
            c.title,
            c.severity,
            kinds.join(", "),
            refs(c.references)
        ));
    }
    for c in apispm_core::gateway_controls::catalogue() {
        md.push_str(&format!(
            "\n### `{}` — {}\n\n- Evidence: {}\n- Remediation: {}\n",
            c.id, c.title, c.evidence, c.remediation
        ));
    }
    md.push_str(
        "\n## Traffic checks\n\nRaised from observed traffic (access logs, samples) per endpoint. They raise \
         findings but do not enter the seed's score, whose weights are fixed.\n",
    );
    for c in apispm_core::traffic_checks::CATALOGUE {
        md.push_str(&format!(
            "\n### `{}` — {}\n\n- Severity: {}\n- Evidence: {}\n- Remediation: {}\n- References: {}\n",
            c.id,
            c.title,
            c.severity,
            c.evidence,
            c.remediation,
            refs(c.references)
        ));
    }
    md.push_str(
        "\n## Spec audit rules\n\nRun by `apispm audit` and on every declared spec of a scan or sweep \
         ([spec-audit.md](spec-audit.md)).\n\n| id | title | severity | category | references |\n|---|---|---|---|---|\n",
    );
    for r in apispm_core::spec_audit::RULES {
        md.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.title,
            r.severity,
            match r.category {
                apispm_core::spec_audit::Category::Security => "security",
                apispm_core::spec_audit::Category::DataValidation => "data validation",
            },
            refs(r.references)
        ));
    }
    md
}
