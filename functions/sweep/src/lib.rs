//! The sweep function: an EventBridge scheduled event runs collection (API Gateway in every
//! configured region and account, specs and logs from S3), assessment with the bundled policies,
//! and records the posture in DynamoDB. The event's `detail` may override regions and accounts
//! and ask for a dry run. It logs JSON and emits the dashboard metrics in CloudWatch Embedded
//! Metric Format. Fan-out over SQS is not implemented yet (issue 5).

use apispm_aws::{DynamoStore, S3Location, SweepConfig};
use apispm_core::history::record_sweep;
use apispm_core::posture::{Posture, assess};
use apispm_core::store::Store;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The default policies, bundled.
pub const POLICIES: &str = include_str!("../../../infra/policies/default.yaml");

/// Configuration from environment variables, validated at cold start.
#[derive(Debug, Clone)]
pub struct Config {
    pub table: String,
    pub regions: Vec<String>,
    pub accounts: Vec<String>,
    pub role_name: Option<String>,
    pub specs: Option<S3Location>,
    pub logs: Option<S3Location>,
    pub ttl_days: i64,
    pub endpoint_url: Option<String>,
}

impl Config {
    /// `APISPM_TABLE` and `APISPM_REGIONS` (comma-separated) are required; `APISPM_ACCOUNTS` with
    /// `APISPM_ROLE_NAME`, `APISPM_SPECS` and `APISPM_LOGS` (s3://bucket/prefix) and
    /// `APISPM_TTL_DAYS` are optional; `AWS_ENDPOINT_URL` points every client at an emulator.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let list = |k: &str| -> Vec<String> {
            get(k)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let s3 = |k: &str| -> Result<Option<S3Location>, String> {
            get(k)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    S3Location::parse(&v)
                        .ok_or_else(|| format!("{k}={v}: expected s3://bucket/prefix"))
                })
                .transpose()
        };
        let table = get("APISPM_TABLE")
            .filter(|t| !t.is_empty())
            .ok_or("APISPM_TABLE is required (the DynamoDB table)")?;
        let regions = list("APISPM_REGIONS");
        if regions.is_empty() {
            return Err("APISPM_REGIONS is required (comma-separated regions to sweep)".into());
        }
        let accounts = list("APISPM_ACCOUNTS");
        let role_name = get("APISPM_ROLE_NAME").filter(|r| !r.is_empty());
        if !accounts.is_empty() && role_name.is_none() {
            return Err("APISPM_ACCOUNTS needs APISPM_ROLE_NAME (the read-only role in each member account)".into());
        }
        let ttl_days = match get("APISPM_TTL_DAYS") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("APISPM_TTL_DAYS={v}: expected a number of days"))?,
            None => apispm_core::store::DEFAULT_TTL_DAYS,
        };
        Ok(Config {
            table,
            regions,
            accounts,
            role_name,
            specs: s3("APISPM_SPECS")?,
            logs: s3("APISPM_LOGS")?,
            ttl_days,
            endpoint_url: get("AWS_ENDPOINT_URL"),
        })
    }
}

/// Overrides a person or rule may put in the event's `detail`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    #[serde(default)]
    pub accounts: Option<Vec<String>>,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize)]
pub struct Outcome {
    pub sweep_id: String,
    pub endpoints: usize,
    pub resources: usize,
    pub open_findings: usize,
    pub complete: bool,
    pub stored: bool,
}

/// CloudWatch Embedded Metric Format: the dashboard metrics as one log line.
pub fn emf(p: &Posture) -> Value {
    let metrics: Vec<Value> = p
        .summary
        .metrics
        .iter()
        .filter(|m| m.value.is_some())
        .map(|m| json!({ "Name": m.id, "Unit": if m.unit == "%" { "Percent" } else { "None" } }))
        .collect();
    let mut doc = json!({
        "_aws": { "Timestamp": p.generated_at.timestamp_millis(), "CloudWatchMetrics": [{ "Namespace": "apispm", "Dimensions": [[]], "Metrics": metrics }] },
        "sweep_id": p.sweep_id,
    });
    for m in &p.summary.metrics {
        if let Some(v) = m.value {
            doc[m.id.as_str()] = json!(v);
        }
    }
    doc
}

pub async fn handle(
    event: EventBridgeEvent<Value>,
    cfg: &Config,
) -> Result<Outcome, lambda_runtime::Error> {
    let overrides: Overrides = if event.detail.is_null() || event.detail == json!({}) {
        Overrides::default()
    } else {
        serde_json::from_value(event.detail.clone()).map_err(|e| format!("event detail: {e}"))?
    };
    let table = cfg.table.clone();
    // The store drives its own runtime: read and write it off the async threads.
    let checkpoint = match &cfg.logs {
        Some(logs) if !overrides.dry_run => {
            let (t, url) = (table.clone(), logs.url());
            tokio::task::spawn_blocking(move || {
                DynamoStore::open(&t)
                    .and_then(|s| s.checkpoints())
                    .map(|c| c.get(&url).copied())
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("reading checkpoints from table {table}: {e}"))?
        }
        _ => None,
    };
    let sweep = SweepConfig {
        regions: overrides
            .regions
            .clone()
            .unwrap_or_else(|| cfg.regions.clone()),
        accounts: overrides
            .accounts
            .clone()
            .unwrap_or_else(|| cfg.accounts.clone()),
        role_name: cfg.role_name.clone(),
        endpoint_url: cfg.endpoint_url.clone(),
        specs: cfg.specs.clone(),
        logs: cfg.logs.clone(),
        log_checkpoint: checkpoint,
        ..SweepConfig::default()
    };
    let now = chrono::Utc::now();
    let snapshot = apispm_aws::collect(&sweep, now).await;
    let policies = apispm_core::policy::load("infra/policies/default.yaml (bundled)", POLICIES)
        .map_err(|e| e.to_string())?;
    let mut posture = assess(&snapshot, &policies, now);
    let stored = !overrides.dry_run;
    if stored {
        let (ttl, checkpoints) = (cfg.ttl_days, snapshot.log_checkpoints.clone());
        let t = table.clone();
        posture = tokio::task::spawn_blocking(move || {
            let mut store = DynamoStore::open(&t)?;
            record_sweep(&mut store, &mut posture, ttl)?;
            store.save_checkpoints(&checkpoints)?;
            Ok::<_, apispm_core::store::StoreError>(posture)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("recording the sweep in table {table}: {e}"))?;
    }
    println!("{}", emf(&posture));
    tracing::info!(sweep_id = %posture.sweep_id, endpoints = posture.endpoints.len(), complete = posture.complete, "sweep done");
    Ok(Outcome {
        sweep_id: posture.sweep_id.clone(),
        endpoints: posture.endpoints.len(),
        resources: posture.resources.len(),
        open_findings: posture.summary.open_findings,
        complete: posture.complete,
        stored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_errors_name_the_variable() {
        let vars = |pairs: &'static [(&str, &str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(
            Config::from_vars(vars(&[]))
                .unwrap_err()
                .contains("APISPM_TABLE")
        );
        assert!(
            Config::from_vars(vars(&[("APISPM_TABLE", "t")]))
                .unwrap_err()
                .contains("APISPM_REGIONS")
        );
        assert!(
            Config::from_vars(vars(&[
                ("APISPM_TABLE", "t"),
                ("APISPM_REGIONS", "us-east-1"),
                ("APISPM_ACCOUNTS", "1")
            ]))
            .unwrap_err()
            .contains("APISPM_ROLE_NAME")
        );
        let c = Config::from_vars(vars(&[
            ("APISPM_TABLE", "t"),
            ("APISPM_REGIONS", "us-east-1, eu-west-1"),
        ]))
        .unwrap();
        assert_eq!(c.regions, vec!["us-east-1", "eu-west-1"]);
    }
}
