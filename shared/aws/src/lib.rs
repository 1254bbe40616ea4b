//! apispm-aws: collects what API Gateway has deployed — REST (v1), HTTP and WebSocket (v2) APIs,
//! stages, routes and methods, authorizers, validators, gateway responses, custom domains, usage
//! plans, client certificates and account settings — across regions and accounts, into the
//! engine's `TargetFacts`.
//!
//! Every read that fails (access denied, throttled past the SDK's adaptive retry, not found) is
//! recorded as a `CollectionError` on the target; the rest is still collected. A failed read
//! never becomes a passing control: the facts it would have given are simply absent, and the
//! posture says the assessment is incomplete.

mod counter;
mod dynamo;
pub mod fanout;
mod region;
mod rest;
pub mod s3;
mod secrets;
mod v2;

use apispm_core::gateway::{CollectionError, TargetFacts};
use apispm_core::snapshot::Snapshot;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::sync::Arc;

pub use counter::CallCounter;
pub use dynamo::{BATCH_LIMIT, DynamoStore, batches};
pub use s3::S3Location;

/// What to sweep.
#[derive(Debug, Clone)]
pub struct SweepConfig {
    pub regions: Vec<String>,
    /// Member accounts to assume `role_name` in; empty means the current account, no role.
    pub accounts: Vec<String>,
    pub role_name: Option<String>,
    /// Point every client at this endpoint (an emulator such as moto).
    pub endpoint_url: Option<String>,
    /// Targets (account × region) collected at once, and API reads at once within a target.
    pub concurrency: usize,
    /// Attempts per call under the SDK's adaptive retry (throttling backs off).
    pub max_attempts: u32,
    /// Declared specs (and an `estate.yaml` manifest) in S3.
    pub specs: Option<S3Location>,
    /// Access logs in S3.
    pub logs: Option<S3Location>,
    /// Last-modified time (epoch seconds) of the newest log object a previous sweep read.
    pub log_checkpoint: Option<i64>,
    /// `accounts` are the organization's, discovered by `discover_organization`: the current
    /// account is swept too (directly, no role), and the source names the organization.
    pub organization: bool,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            regions: Vec::new(),
            accounts: Vec::new(),
            role_name: None,
            endpoint_url: None,
            concurrency: 4,
            max_attempts: 5,
            specs: None,
            logs: None,
            log_checkpoint: None,
            organization: false,
        }
    }
}

/// A client failure, reduced to what a person can act on.
pub(crate) fn describe_error<E, R>(
    err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    match err {
        SdkError::ServiceError(e) => {
            let inner = e.err();
            let code = inner.code().unwrap_or("ServiceError");
            let kind = match code {
                "AccessDeniedException" | "UnauthorizedException" | "AccessDenied" => {
                    "access denied"
                }
                "TooManyRequestsException" | "ThrottlingException" | "Throttling" => {
                    "throttled past retry"
                }
                "NotFoundException" | "ResourceNotFoundException" => "not found",
                _ => code,
            };
            match inner.message() {
                Some(m) => format!("{kind}: {m}"),
                None => kind.to_string(),
            }
        }
        SdkError::TimeoutError(_) => "timed out".to_string(),
        SdkError::DispatchFailure(e) => format!("could not reach the service: {e:?}"),
        other => format!("{other}"),
    }
}

/// Clients for one target, sharing one call counter.
#[derive(Clone)]
pub(crate) struct Clients {
    pub v1: aws_sdk_apigateway::Client,
    pub v2: aws_sdk_apigatewayv2::Client,
    pub calls: CallCounter,
    pub concurrency: usize,
}

impl Clients {
    fn new(config: &SdkConfig, concurrency: usize) -> Clients {
        let calls = CallCounter::default();
        let v1 = aws_sdk_apigateway::config::Builder::from(config)
            .interceptor(calls.clone())
            .build();
        let v2 = aws_sdk_apigatewayv2::config::Builder::from(config)
            .interceptor(calls.clone())
            .build();
        Clients {
            v1: aws_sdk_apigateway::Client::from_conf(v1),
            v2: aws_sdk_apigatewayv2::Client::from_conf(v2),
            calls,
            concurrency: concurrency.max(1),
        }
    }

    /// Collect each listed API at most `concurrency` at a time, returning them in `key` order
    /// (stable output whatever order the calls finish in) with every read error they met.
    async fn each_api<A, T, Fut>(
        &self,
        apis: Vec<A>,
        collect: impl Fn(A) -> Fut,
        key: impl Fn(&T) -> &str,
    ) -> (Vec<T>, Vec<CollectionError>)
    where
        Fut: std::future::Future<Output = (T, Vec<CollectionError>)>,
    {
        let results: Vec<(T, Vec<CollectionError>)> = futures::stream::iter(apis)
            .map(collect)
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let (mut out, errors): (Vec<T>, Vec<Vec<CollectionError>>) = results.into_iter().unzip();
        out.sort_by(|a, b| key(a).cmp(key(b)));
        (out, errors.into_iter().flatten().collect())
    }
}

async fn base_config(region: &str, cfg: &SweepConfig) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .retry_config(RetryConfig::adaptive().with_max_attempts(cfg.max_attempts.max(1)));
    if let Some(url) = &cfg.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// One unit of a sweep's work: an account × region of API Gateway, or the specs and logs in S3.
/// A sweep is its units' results merged; fanned out, each unit is one queue message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unit {
    /// `account` is `None` for the function's own account (no role assumed).
    Target {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<String>,
        region: String,
    },
    /// The declared specs and access logs in S3.
    Sources,
}

impl Unit {
    /// A stable key: `target/<account or self>/<region>`, `sources`.
    pub fn key(&self) -> String {
        match self {
            Unit::Target { account, region } => {
                format!("target/{}/{region}", account.as_deref().unwrap_or("self"))
            }
            Unit::Sources => "sources".into(),
        }
    }
}

impl SweepConfig {
    /// Where the facts come from, as the snapshot (and so the sweep id) names it.
    pub fn source(&self) -> String {
        format!(
            "aws:{}{}",
            self.regions.join(","),
            if self.organization {
                // Stable while accounts join and leave, so the sweep id stays the slot's.
                " organization".to_string()
            } else if self.accounts.is_empty() {
                String::new()
            } else {
                format!(" accounts {}", self.accounts.join(","))
            }
        )
    }

    /// The sweep's units: every account × region, then the S3 sources when any are configured.
    pub fn units(&self) -> Vec<Unit> {
        let mut accounts: Vec<Option<String>> = Vec::new();
        if self.accounts.is_empty() || self.organization {
            accounts.push(None);
        }
        accounts.extend(self.accounts.iter().cloned().map(Some));
        let mut units: Vec<Unit> = accounts
            .iter()
            .flat_map(|a| {
                self.regions.iter().map(move |r| Unit::Target {
                    account: a.clone(),
                    region: r.clone(),
                })
            })
            .collect();
        if self.specs.is_some() || self.logs.is_some() {
            units.push(Unit::Sources);
        }
        units
    }
}

/// The configuration for account-wide calls (S3, Organizations): the first region swept.
async fn home_config(cfg: &SweepConfig) -> SdkConfig {
    let region = cfg.regions.first().map_or("us-east-1", String::as_str);
    base_config(region, cfg).await
}

/// Fill `cfg.accounts` with the organization's active member accounts (Organizations
/// `ListAccounts`, from the management account or a delegated administrator), leaving out the
/// current account, which is swept directly. Returns how many members were found.
pub async fn discover_organization(cfg: &mut SweepConfig) -> Result<usize, String> {
    let base = home_config(cfg).await;
    let own = aws_sdk_sts::Client::new(&base)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| format!("sts:GetCallerIdentity: {}", describe_error(&e)))?
        .account()
        .unwrap_or_default()
        .to_string();
    let org = aws_sdk_organizations::Client::new(&base);
    let mut pages = org.list_accounts().into_paginator().send();
    let mut members = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            format!(
                "organizations:ListAccounts: {} (run from the organization's management account \
                 or a delegated administrator, or name the accounts)",
                describe_error(&e)
            )
        })?;
        for account in page.accounts() {
            let active = account
                .status()
                .is_none_or(|s| *s == aws_sdk_organizations::types::AccountStatus::Active);
            match account.id() {
                Some(id) if active && id != own => members.push(id.to_string()),
                _ => {}
            }
        }
    }
    members.sort();
    cfg.accounts = members;
    cfg.organization = true;
    Ok(cfg.accounts.len())
}

/// Collect every target (account × region) into a snapshot. Never fails as a whole: a target
/// that cannot be reached is an error on that target.
pub async fn collect(cfg: &SweepConfig, now: DateTime<Utc>) -> Snapshot {
    let mut snapshot = Snapshot::new(cfg.source(), now);
    let cfg = Arc::new(cfg.clone());
    let mut facts: Vec<TargetFacts> = futures::stream::iter(cfg.units())
        .filter_map(|unit| async move {
            match unit {
                Unit::Target { account, region } => Some((account, region)),
                Unit::Sources => None,
            }
        })
        .map(|(account, region)| {
            let cfg = cfg.clone();
            async move { collect_target(account.as_deref(), &region, &cfg).await }
        })
        .buffer_unordered(cfg.concurrency.max(1))
        .collect()
        .await;
    facts.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    snapshot.gateway = facts;
    collect_sources(&cfg, &mut snapshot).await;
    snapshot
}

/// Collect one unit into a partial snapshot (merged with the others by `Snapshot::merge`).
pub async fn collect_unit(cfg: &SweepConfig, unit: &Unit, now: DateTime<Utc>) -> Snapshot {
    let mut part = Snapshot::new(cfg.source(), now);
    match unit {
        Unit::Target { account, region } => {
            part.gateway
                .push(collect_target(account.as_deref(), region, cfg).await);
        }
        Unit::Sources => collect_sources(cfg, &mut part).await,
    }
    part
}

/// The declared specs and the access logs in S3, read with the first region's configuration.
async fn collect_sources(cfg: &SweepConfig, snapshot: &mut Snapshot) {
    if cfg.specs.is_none() && cfg.logs.is_none() {
        return;
    }
    let base = home_config(cfg).await;
    let s3 = s3::client(&base, cfg.endpoint_url.is_some());
    if let Some(at) = &cfg.specs {
        s3::collect_specs(&s3, at, snapshot).await;
    }
    if let Some(at) = &cfg.logs {
        let checkpoint = s3::collect_logs(&s3, at, cfg.log_checkpoint, snapshot).await;
        if let Some(c) = checkpoint {
            snapshot.log_checkpoints.insert(at.url(), c);
        }
    }
}

async fn collect_target(account: Option<&str>, region: &str, cfg: &SweepConfig) -> TargetFacts {
    let base = base_config(region, cfg).await;
    let config = match (account, &cfg.role_name) {
        (Some(account), Some(role)) => {
            let role_arn = format!("arn:aws:iam::{account}:role/{role}");
            let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
                .session_name("apispm-sweep")
                .configure(&base)
                .build()
                .await;
            base.to_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build()
        }
        _ => base,
    };
    let mut facts = TargetFacts {
        region: region.to_string(),
        partition: "aws".into(),
        ..TargetFacts::default()
    };
    // Which account we are really in: the caller identity answers it (and proves the role works).
    let sts = aws_sdk_sts::Client::new(&config);
    match sts.get_caller_identity().send().await {
        Ok(id) => {
            facts.account = id
                .account()
                .unwrap_or(account.unwrap_or("unknown"))
                .to_string()
        }
        Err(e) => {
            facts.account = account.unwrap_or("unknown").to_string();
            facts.errors.push(CollectionError {
                resource: format!("account {} region {region}", facts.account),
                operation: "sts:GetCallerIdentity".into(),
                reason: describe_error(&e),
            });
            return facts;
        }
    }
    let clients = Clients::new(&config, cfg.concurrency);
    region::collect(&clients, &mut facts).await;
    rest::collect(&clients, &mut facts).await;
    v2::collect(&clients, &mut facts).await;
    facts.calls = clients.calls.snapshot();
    facts
}
