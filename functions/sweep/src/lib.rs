//! The sweep function: an EventBridge scheduled event runs collection (API Gateway in every
//! configured region and account, specs and logs from S3), assessment with the bundled policies,
//! and records the posture in DynamoDB. The event's `detail` may override regions and accounts
//! and ask for a dry run. It logs JSON and emits the dashboard metrics in CloudWatch Embedded
//! Metric Format; after each stored sweep `latest.json` and `latest.html` are refreshed in the
//! reports bucket.
//!
//! With a queue configured and more than one unit of work (account × region, plus the S3 specs
//! and logs), the scheduled event fans out: it opens the sweep's ledger in DynamoDB and sends one
//! SQS message per unit. The same function handles the SQS batches (reporting partial batch
//! failures); each unit stores its partial snapshot and counts itself done, and the unit that
//! completes the count closes the sweep: merge, assess, record, publish (`apispm_aws::fanout`).

use apispm_aws::fanout::{FanoutError, Ledger, LedgerState, Opened, UnitMessage};
use apispm_aws::{DynamoStore, S3Location, SweepConfig, Unit};
use apispm_core::gateway::{CollectionError, TargetFacts};
use apispm_core::history::record_sweep;
use apispm_core::posture::{Posture, assess};
use apispm_core::render::{self, Format};
use apispm_core::snapshot::{InputIssue, Snapshot};
use apispm_core::store::Store;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
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
    /// `APISPM_ACCOUNTS=organization`: the accounts are listed from Organizations at each sweep.
    pub organization: bool,
    pub role_name: Option<String>,
    pub specs: Option<S3Location>,
    pub logs: Option<S3Location>,
    pub ttl_days: i64,
    pub endpoint_url: Option<String>,
    /// The fan-out queue; without it every sweep runs in one invocation.
    pub queue_url: Option<String>,
    /// Where `latest.json` and `latest.html` are refreshed after each sweep.
    pub reports_bucket: Option<String>,
    /// The queue's `maxReceiveCount`: on a unit's last delivery a failure to store its result
    /// still counts it done (as lost), so the sweep closes instead of waiting forever.
    pub max_receives: u32,
    /// Attempts per AWS call under adaptive retry (throttling backs off).
    pub max_attempts: u32,
    /// A policy file in S3 (`s3://bucket/key.yaml`), read at every sweep; else the bundled one.
    pub policies: Option<S3Location>,
}

impl Config {
    /// `APISPM_TABLE` and `APISPM_REGIONS` (comma-separated) are required; `APISPM_ACCOUNTS` with
    /// `APISPM_ROLE_NAME`, `APISPM_SPECS` and `APISPM_LOGS` (s3://bucket/prefix) and
    /// `APISPM_TTL_DAYS`, `APISPM_QUEUE_URL`, `APISPM_REPORTS_BUCKET`, `APISPM_MAX_RECEIVES`,
    /// `APISPM_MAX_ATTEMPTS` and `APISPM_POLICIES` (s3://bucket/key) are optional; `AWS_ENDPOINT_URL` points every client at an emulator.
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
        let mut accounts = list("APISPM_ACCOUNTS");
        let role_name = get("APISPM_ROLE_NAME").filter(|r| !r.is_empty());
        if !accounts.is_empty() && role_name.is_none() {
            return Err("APISPM_ACCOUNTS needs APISPM_ROLE_NAME (the read-only role in each member account)".into());
        }
        // `organization`: this account and every active one of its organization, listed anew
        // at each sweep.
        let organization = accounts.len() == 1 && accounts[0].eq_ignore_ascii_case("organization");
        if organization {
            accounts.clear();
        } else if let Some(bad) = accounts
            .iter()
            .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!(
                "APISPM_ACCOUNTS: `{bad}` is not a 12-digit account id (or use `organization`)"
            ));
        }
        let ttl_days = match get("APISPM_TTL_DAYS") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("APISPM_TTL_DAYS={v}: expected a number of days"))?,
            None => apispm_core::store::DEFAULT_TTL_DAYS,
        };
        let max_receives = match get("APISPM_MAX_RECEIVES").filter(|v| !v.is_empty()) {
            Some(v) => v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                format!("APISPM_MAX_RECEIVES={v}: expected a count of at least 1")
            })?,
            None => 3,
        };
        let max_attempts = match get("APISPM_MAX_ATTEMPTS").filter(|v| !v.is_empty()) {
            Some(v) => v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                format!("APISPM_MAX_ATTEMPTS={v}: expected a count of at least 1")
            })?,
            None => SweepConfig::default().max_attempts,
        };
        Ok(Config {
            table,
            regions,
            accounts,
            organization,
            role_name,
            specs: s3("APISPM_SPECS")?,
            logs: s3("APISPM_LOGS")?,
            ttl_days,
            endpoint_url: get("AWS_ENDPOINT_URL"),
            queue_url: get("APISPM_QUEUE_URL").filter(|q| !q.is_empty()),
            reports_bucket: get("APISPM_REPORTS_BUCKET").filter(|b| !b.is_empty()),
            max_receives,
            max_attempts,
            policies: match get("APISPM_POLICIES").filter(|v| !v.is_empty()) {
                Some(v) => Some(
                    S3Location::parse(&v)
                        .filter(|l| !l.prefix.is_empty() && !l.prefix.ends_with('/'))
                        .ok_or_else(|| {
                            format!(
                                "APISPM_POLICIES={v}: expected s3://bucket/key of a policy file"
                            )
                        })?,
                ),
                None => None,
            },
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

/// What a scheduled invocation did.
#[derive(Debug, Default, Serialize)]
pub struct Outcome {
    pub sweep_id: String,
    pub endpoints: usize,
    pub resources: usize,
    pub open_findings: usize,
    pub complete: bool,
    pub stored: bool,
    /// Units sent to the queue, when the sweep fanned out (the posture comes later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fanned_out: Option<usize>,
    /// The same slot was already being swept: nothing was sent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub already_running: bool,
}

impl Outcome {
    fn of(posture: &Posture, stored: bool) -> Outcome {
        Outcome {
            sweep_id: posture.sweep_id.clone(),
            endpoints: posture.endpoints.len(),
            resources: posture.resources.len(),
            open_findings: posture.summary.open_findings,
            complete: posture.complete,
            stored,
            ..Outcome::default()
        }
    }
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

/// A fan-out left open longer than this (its closer died, a message went to the dead-letter
/// queue) may be restarted by the next event for the same slot.
const ABANDONED_AFTER_MINUTES: i64 = 30;

/// The function's two events: the schedule (or a person) starting a sweep, and SQS batches of
/// fanned-out units.
pub async fn dispatch(payload: Value, cfg: &Config) -> Result<Value, lambda_runtime::Error> {
    if payload.get("Records").is_some() {
        let event: SqsEvent =
            serde_json::from_value(payload).map_err(|e| format!("SQS event: {e}"))?;
        Ok(serde_json::to_value(handle_units(event, cfg).await)?)
    } else {
        Ok(serde_json::to_value(
            handle(scheduled_event(payload)?, cfg).await?,
        )?)
    }
}

/// The scheduled event, or a hand-made invocation (`{}`, `{"detail": {"dry_run": true}}`): what
/// EventBridge always sends is filled in, and the missing `time` means now.
pub fn scheduled_event(mut payload: Value) -> Result<EventBridgeEvent<Value>, String> {
    if let Some(fields) = payload.as_object_mut() {
        fields
            .entry("source")
            .or_insert_with(|| json!("apispm.manual"));
        fields
            .entry("detail-type")
            .or_insert_with(|| json!("Manual sweep"));
        fields.entry("detail").or_insert_with(|| json!({}));
    }
    serde_json::from_value(payload)
        .map_err(|e| format!("expected an EventBridge scheduled event or an SQS batch: {e}"))
}

async fn aws_config(cfg: &Config) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = &cfg.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

fn sweep_config(cfg: &Config, overrides: &Overrides) -> SweepConfig {
    SweepConfig {
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
        max_attempts: cfg.max_attempts,
        ..SweepConfig::default()
    }
}

fn expires_at(cfg: &Config, at: DateTime<Utc>) -> i64 {
    (at + chrono::Duration::days(cfg.ttl_days)).timestamp()
}

fn s3_client(cfg: &Config, config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    apispm_aws::s3::client(config, cfg.endpoint_url.is_some())
}

/// The policies: the S3 policy file when configured (read at every sweep, so an edit applies to
/// the next one), else the bundled default. A bad file is an error naming the object and line.
async fn load_policies(
    cfg: &Config,
    s3: &aws_sdk_s3::Client,
) -> Result<Vec<apispm_core::policy::Policy>, String> {
    let Some(at) = &cfg.policies else {
        return apispm_core::policy::load("infra/policies/default.yaml (bundled)", POLICIES)
            .map_err(|e| e.to_string());
    };
    let url = format!("s3://{}/{}", at.bucket, at.prefix);
    let text = apispm_aws::s3::read_text(s3, &at.bucket, &at.prefix)
        .await
        .map_err(|e| format!("reading policies {url}: {e}"))?;
    apispm_core::policy::load(&url, &text).map_err(|e| format!("policies {e}"))
}

/// The log checkpoint of the configured log location, from the table.
async fn log_checkpoint(cfg: &Config) -> Result<Option<i64>, String> {
    let Some(logs) = &cfg.logs else {
        return Ok(None);
    };
    let (table, url) = (cfg.table.clone(), logs.url());
    // The store drives its own runtime: read and write it off the async threads.
    tokio::task::spawn_blocking(move || {
        DynamoStore::open(&table)
            .and_then(|s| s.checkpoints())
            .map(|c| c.get(&url).copied())
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("reading checkpoints from table {}: {e}", cfg.table))
}

/// A scheduled event: sweep inline, or fan out when there is a queue and more than one unit.
/// The posture is stamped with the event's time, so the sweep id is the schedule slot's and a
/// re-run of the slot rewrites the same items.
pub async fn handle(
    event: EventBridgeEvent<Value>,
    cfg: &Config,
) -> Result<Outcome, lambda_runtime::Error> {
    let overrides: Overrides = if event.detail.is_null() || event.detail == json!({}) {
        Overrides::default()
    } else {
        serde_json::from_value(event.detail.clone()).map_err(|e| format!("event detail: {e}"))?
    };
    let mut sweep = sweep_config(cfg, &overrides);
    if cfg.organization && overrides.accounts.is_none() {
        let members = apispm_aws::discover_organization(&mut sweep).await?;
        tracing::info!(members, "organization accounts listed");
    }
    // A hand-made event without a time sweeps now.
    let at = event.time.unwrap_or_else(Utc::now);
    let units = sweep.units();
    let config = aws_config(cfg).await;
    if let (Some(queue), false, true) = (&cfg.queue_url, overrides.dry_run, units.len() > 1) {
        // A bad policy file fails here, before any unit is sent, not at the close.
        load_policies(cfg, &s3_client(cfg, &config)).await?;
        return fan_out(cfg, &config, queue, &sweep, units, at).await;
    }
    if !overrides.dry_run {
        sweep.log_checkpoint = log_checkpoint(cfg).await?;
    }
    let snapshot = apispm_aws::collect(&sweep, at).await;
    let posture = conclude(cfg, &config, snapshot, at, !overrides.dry_run).await?;
    Ok(Outcome::of(&posture, !overrides.dry_run))
}

async fn fan_out(
    cfg: &Config,
    config: &aws_config::SdkConfig,
    queue: &str,
    sweep: &SweepConfig,
    units: Vec<Unit>,
    at: DateTime<Utc>,
) -> Result<Outcome, lambda_runtime::Error> {
    let sweep_id = apispm_core::posture::sweep_id(&sweep.source(), at);
    let ledger = Ledger::new(config, &cfg.table);
    let state = LedgerState {
        source: sweep.source(),
        at,
        units: units.clone(),
    };
    let opened = ledger
        .open(
            &sweep_id,
            &state,
            expires_at(cfg, at),
            Utc::now(),
            chrono::Duration::minutes(ABANDONED_AFTER_MINUTES),
        )
        .await?;
    let mut outcome = Outcome {
        sweep_id: sweep_id.clone(),
        ..Outcome::default()
    };
    if let Opened::AlreadyRunning(progress) = opened {
        tracing::warn!(
            sweep_id,
            done = progress.done,
            expected = progress.expected,
            "the slot is already being swept; nothing sent"
        );
        outcome.already_running = true;
        return Ok(outcome);
    }
    let messages: Vec<UnitMessage> = units
        .into_iter()
        .map(|unit| UnitMessage {
            sweep_id: sweep_id.clone(),
            at,
            unit,
        })
        .collect();
    let sqs = aws_sdk_sqs::Client::new(config);
    if let Err(e) = apispm_aws::fanout::send_units(&sqs, queue, &messages).await {
        // Some units may be queued and others not: let the retry (Lambda retries a failed
        // scheduled invocation) start the slot over rather than wait on units never sent.
        if let Err(forget) = ledger.abandon(&sweep_id).await {
            tracing::error!(sweep_id, error = %forget, "could not reset the ledger");
        }
        return Err(e.into());
    }
    tracing::info!(sweep_id, units = messages.len(), "sweep fanned out");
    outcome.fanned_out = Some(messages.len());
    Ok(outcome)
}

/// An SQS batch of units. Each message succeeds or fails on its own: the failed ones are
/// reported back for SQS to redeliver (then dead-letter), the rest are deleted.
pub async fn handle_units(event: SqsEvent, cfg: &Config) -> SqsBatchResponse {
    let config = aws_config(cfg).await;
    let results = futures::future::join_all(
        event
            .records
            .iter()
            .map(|record| handle_unit(record, cfg, &config)),
    )
    .await;
    let mut response = SqsBatchResponse::default();
    for (record, result) in event.records.iter().zip(results) {
        if let Err(e) = result {
            let id = record.message_id.clone().unwrap_or_default();
            tracing::error!(message_id = %id, error = %e, "unit failed; SQS will redeliver it");
            response.add_failure(id);
        }
    }
    response
}

async fn handle_unit(
    record: &SqsMessage,
    cfg: &Config,
    config: &aws_config::SdkConfig,
) -> Result<(), String> {
    let id = record.message_id.as_deref().unwrap_or("(no id)");
    let message: UnitMessage = serde_json::from_str(record.body.as_deref().unwrap_or_default())
        .map_err(|e| format!("message {id}: not an apispm unit message: {e}"))?;
    let ledger = Ledger::new(config, &cfg.table);
    let sweep_id = &message.sweep_id;
    let unit_key = message.unit.key();
    // The unit's own slice of the sweep: the configuration is the function's, the unit the message's.
    let mut sweep = sweep_config(cfg, &Overrides::default());
    if message.unit == Unit::Sources {
        sweep.log_checkpoint = log_checkpoint(cfg).await?;
    }
    let part = apispm_aws::collect_unit(&sweep, &message.unit, message.at).await;
    if let Err(e) = ledger
        .record_part(sweep_id, &message.unit, &part, expires_at(cfg, message.at))
        .await
    {
        let receives: u32 = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        if receives < cfg.max_receives {
            return Err(format!(
                "sweep {sweep_id} unit {unit_key}: storing its result: {e}"
            ));
        }
        // Last delivery: count it done without a result, so the sweep closes with this unit
        // marked lost (stale) instead of never closing.
        tracing::error!(sweep_id, unit = unit_key, error = %e, "unit result lost after {receives} deliveries");
    }
    let progress = ledger
        .finish(sweep_id, &message.unit)
        .await
        .map_err(|e| format!("sweep {sweep_id} unit {unit_key}: {e}"))?;
    tracing::info!(
        sweep_id,
        unit = unit_key,
        done = progress.done,
        expected = progress.expected,
        "unit done"
    );
    if progress.complete()
        && ledger
            .claim_close(sweep_id, id)
            .await
            .map_err(|e| e.to_string())?
    {
        close(cfg, config, &ledger, sweep_id)
            .await
            .map_err(|e| format!("closing sweep {sweep_id}: {e}"))?;
    }
    Ok(())
}

/// Merge every unit's part, assess, record and publish; then mark the ledger closed.
async fn close(
    cfg: &Config,
    config: &aws_config::SdkConfig,
    ledger: &Ledger,
    sweep_id: &str,
) -> Result<(), String> {
    let (state, _, _) = ledger
        .state(sweep_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| FanoutError::NotOpen(sweep_id.to_string()).to_string())?;
    let mut parts = ledger.parts(sweep_id).await.map_err(|e| e.to_string())?;
    let mut snapshot = Snapshot::new(state.source.clone(), state.at);
    for unit in &state.units {
        match parts.remove(&unit.key()) {
            Some(Ok(part)) => snapshot.merge(part),
            Some(Err(why)) => lost(&mut snapshot, unit, &why),
            None => lost(&mut snapshot, unit, "no result was stored"),
        }
    }
    conclude(cfg, config, snapshot, state.at, true)
        .await
        .map_err(|e| e.to_string())?;
    ledger
        .mark_closed(sweep_id, Utc::now())
        .await
        .map_err(|e| e.to_string())
}

/// A unit whose result is lost is an input that could not be read, never an empty one: a lost
/// target is a target with an error (stale, its last good result carried), lost sources an issue.
fn lost(snapshot: &mut Snapshot, unit: &Unit, why: &str) {
    match unit {
        Unit::Target { account, region } => {
            let account = account.clone().unwrap_or_else(|| "unknown".into());
            snapshot.gateway.push(TargetFacts {
                errors: vec![CollectionError {
                    resource: format!("account {account} region {region}"),
                    operation: "fan-out".into(),
                    reason: format!("the unit's result was lost: {why}"),
                }],
                account,
                region: region.clone(),
                partition: "aws".into(),
                ..TargetFacts::default()
            });
        }
        Unit::Sources => snapshot.issues.push(InputIssue {
            input: "specs and logs in S3".into(),
            location: None,
            message: format!("the unit's result was lost: {why}"),
        }),
    }
}

/// Assess a snapshot; when storing, record it with its history, save the log checkpoints and
/// refresh the reports bucket's latest posture. Emits the metrics either way.
async fn conclude(
    cfg: &Config,
    config: &aws_config::SdkConfig,
    snapshot: Snapshot,
    at: DateTime<Utc>,
    store: bool,
) -> Result<Posture, lambda_runtime::Error> {
    let s3 = s3_client(cfg, config);
    let policies = load_policies(cfg, &s3).await?;
    let posture = if store {
        let ttl = cfg.ttl_days;
        let table = cfg.table.clone();
        // History first (what earlier sweeps saw declared), then assess and record: all on a
        // blocking thread, as the store drives its own runtime.
        let (posture, history) = tokio::task::spawn_blocking(move || {
            let mut snapshot = snapshot;
            let mut store = DynamoStore::open(&table)?;
            let previous = apispm_core::history::prepare(&store, &mut snapshot, at)?;
            let mut posture = assess(&snapshot, &policies, at);
            record_sweep(&mut store, &mut posture, previous.as_ref(), ttl)?;
            store.save_checkpoints(&snapshot.log_checkpoints)?;
            let history = store.history()?;
            Ok::<_, apispm_core::store::StoreError>((posture, history))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("recording the sweep in table {}: {e}", cfg.table))?;
        if let Some(bucket) = &cfg.reports_bucket {
            publish_latest(&s3, bucket, &posture, history).await?;
        }
        posture
    } else {
        assess(&snapshot, &policies, at)
    };
    println!("{}", emf(&posture));
    tracing::info!(sweep_id = %posture.sweep_id, endpoints = posture.endpoints.len(), complete = posture.complete, stored = store, "sweep done");
    Ok(posture)
}

/// `latest.json` (the posture document) and `latest.html` (the page) in the reports bucket.
async fn publish_latest(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    posture: &Posture,
    history: Vec<apispm_core::store::SweepRecord>,
) -> Result<(), String> {
    let ctx = render::Context {
        history,
        asff: None,
    };
    for (key, format, content_type) in [
        ("latest.json", Format::Json, "application/json"),
        ("latest.html", Format::Html, "text/html; charset=utf-8"),
    ] {
        let body = render::render(posture, format, &ctx).into_bytes();
        apispm_aws::s3::write(s3, bucket, key, content_type, body).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_made_invocation_is_a_sweep_and_a_wrong_one_says_what_was_expected() {
        let event = scheduled_event(json!({ "detail": { "dry_run": true } })).unwrap();
        assert_eq!(event.detail, json!({ "dry_run": true }));
        assert!(event.time.is_none(), "no time: sweep now");
        let event = scheduled_event(json!({})).unwrap();
        assert_eq!(event.detail, json!({}));
        let real: EventBridgeEvent<Value> = scheduled_event(
            serde_json::from_str(include_str!("../events/scheduled.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(real.source, "aws.events");
        let err = scheduled_event(json!([1, 2])).unwrap_err();
        assert!(
            err.contains("expected an EventBridge scheduled event or an SQS batch"),
            "{err}"
        );
    }

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
        let org = Config::from_vars(vars(&[
            ("APISPM_TABLE", "t"),
            ("APISPM_REGIONS", "us-east-1"),
            ("APISPM_ACCOUNTS", "organization"),
            ("APISPM_ROLE_NAME", "apispm-read"),
        ]))
        .unwrap();
        assert!(org.organization && org.accounts.is_empty());
        let err = Config::from_vars(vars(&[
            ("APISPM_TABLE", "t"),
            ("APISPM_REGIONS", "us-east-1"),
            ("APISPM_ACCOUNTS", "111122223333,12345"),
            ("APISPM_ROLE_NAME", "apispm-read"),
        ]))
        .unwrap_err();
        assert!(
            err.contains("`12345` is not a 12-digit account id"),
            "{err}"
        );
    }
}
