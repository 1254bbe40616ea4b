//! The `apispm` command line: thin glue between the local adapters and the engine.
//!
//! Exit codes are contract: 0 no policy violation reached `--fail-on`; 1 one did; 2 usage or
//! input error (with a message naming the input).

use anyhow::{Context, Result, anyhow};
use apispm_core::controls::CATALOGUE;
use apispm_core::history::record_sweep;
use apispm_core::model::Severity;
use apispm_core::policy::{self, Policy};
use apispm_core::posture::{Posture, assess};
use apispm_core::render::{self, Format};
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
    /// Assess a local estate folder (specs/, samples/, estate.yaml), keep history, print the posture.
    Scan(ScanArgs),
    /// Render the latest stored posture.
    Report(ReportArgs),
    /// Print the control catalogue (the source of docs/controls.md).
    Controls,
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// The estate folder.
    dir: PathBuf,
    /// SQLite store for history [default: DIR/apispm.db].
    #[arg(long)]
    store: Option<PathBuf>,
    /// Do not read or write any history.
    #[arg(long, conflicts_with = "store")]
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
    /// Record the scan as run at this time (RFC 3339) instead of now: for replaying history.
    #[arg(long)]
    at: Option<DateTime<Utc>>,
    /// Days of sweep history the store keeps.
    #[arg(long, default_value_t = DEFAULT_TTL_DAYS)]
    ttl_days: i64,
}

#[derive(clap::Args, Debug)]
struct ReportArgs {
    /// SQLite store to read.
    #[arg(long)]
    store: PathBuf,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum OutputFormat {
    Table,
    Json,
    Markdown,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Json => Format::Json,
            OutputFormat::Markdown => Format::Markdown,
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
        Command::Report(args) => report(args),
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
    let now = args.at.unwrap_or_else(Utc::now);
    let policies = load_policies(args.policies.as_deref())?;
    let snapshot = read_estate(&args.dir, now)?;
    let mut posture = assess(&snapshot, &policies, now);

    if !args.no_store {
        let path = args
            .store
            .clone()
            .unwrap_or_else(|| args.dir.join(DEFAULT_STORE_FILE));
        let mut store = SqliteStore::open(&path)
            .with_context(|| format!("opening store {}", path.display()))?;
        record_sweep(&mut store, &mut posture, args.ttl_days)
            .with_context(|| format!("recording the sweep in store {}", path.display()))?;
    }

    emit(&posture, args.format.into(), args.out.as_deref())?;
    for issue in &posture.input_issues {
        eprintln!("apispm: input error: {issue}");
    }
    let violations = args
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
    if !args.store.exists() {
        return Err(anyhow!("store {} does not exist", args.store.display()));
    }
    let store = SqliteStore::open(&args.store)?;
    let posture = store
        .latest()?
        .ok_or_else(|| anyhow!("store {} holds no sweep yet", args.store.display()))?;
    emit(&posture, args.format.into(), args.out.as_deref())?;
    Ok(0)
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

fn emit(posture: &Posture, format: Format, out: Option<&Path>) -> Result<()> {
    let text = render::render(posture, format);
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
         `shared/core/src/controls/`; do not edit by hand. Weight = severity × 5 (critical 20, high 15, \
         medium 10, low 5). Optional controls count in the maximum but never add to the score.\n",
    );
    for c in CATALOGUE {
        let refs: Vec<String> = c
            .references
            .iter()
            .map(|r| format!("{} {}", r.standard, r.id))
            .collect();
        md.push_str(&format!(
            "\n## `{}` — {}\n\n- Severity: {} (weight {}), {}\n- Evidence: {}\n- Remediation: {}\n- References: {}\n",
            c.id,
            c.title,
            c.severity,
            c.weight(),
            if c.required { "required" } else { "optional" },
            c.evidence,
            c.remediation,
            refs.join("; ")
        ));
    }
    md
}
