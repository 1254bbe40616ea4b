//! Declared specs and access logs kept in S3.
//!
//! - Specs: every `.json`, `.yaml`, `.yml` object under the spec prefix; an `estate.yaml` there
//!   is the manifest (services, owners, which specs describe which API ids: docs/traffic.md).
//! - Logs: every object under the log prefix, streamed (never held whole) through the engine's
//!   layout detection and parsing. A key laid out as `<prefix>/<api-id>/<stage>/…` ties its
//!   records to that stage; CloudWatch envelopes tie themselves through their log group (the
//!   stage's access-log destination); JSON records naming `apiId`/`stage` tie themselves.
//! - Only objects newer than the checkpoint (last modified time already read, per location) are
//!   read; the new checkpoint comes back for the store to keep.

use crate::describe_error;
use apispm_core::access_log::LineFormat;
use apispm_core::estate::EstateConfig;
use apispm_core::gateway::{AccessLog, TargetFacts};
use apispm_core::observed::{Aggregator, LogScope};
use apispm_core::openapi::read_spec;
use apispm_core::snapshot::{InputIssue, Snapshot};
use std::collections::{BTreeMap, HashMap};

/// Objects larger than this are not read as specs.
const MAX_SPEC_BYTES: i64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct S3Location {
    pub bucket: String,
    pub prefix: String,
}

impl S3Location {
    /// `s3://bucket/prefix` or `bucket/prefix`.
    pub fn parse(s: &str) -> Option<S3Location> {
        let s = s.strip_prefix("s3://").unwrap_or(s);
        let (bucket, prefix) = s.split_once('/').unwrap_or((s, ""));
        (!bucket.is_empty()).then(|| S3Location {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }
}

/// An S3 client on `config`; path-style addressing when an endpoint override (an emulator on
/// one host) is set.
pub fn client(config: &aws_config::SdkConfig, path_style: bool) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(path_style)
            .build(),
    )
}

/// One whole object as UTF-8 text (a spec, a policy file). The error says what failed, for the
/// caller to name the object.
pub async fn read_text(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<String, String> {
    let out = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| format!("s3:GetObject: {}", describe_error(&e)))?;
    let bytes = out
        .body
        .collect()
        .await
        .map_err(|e| format!("read failed: {e}"))?;
    String::from_utf8(bytes.to_vec()).map_err(|_| "not UTF-8 text".to_string())
}

/// Write one object (a report page or document); the error names it.
pub async fn write(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Result<(), String> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .content_type(content_type)
        .body(body.into())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("writing s3://{bucket}/{key}: {}", describe_error(&e)))
}

struct Object {
    key: String,
    size: i64,
    modified: i64,
}

async fn list(s3: &aws_sdk_s3::Client, at: &S3Location) -> Result<Vec<Object>, String> {
    let mut pages = s3
        .list_objects_v2()
        .bucket(&at.bucket)
        .prefix(&at.prefix)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| describe_error(&e))?;
        for o in page.contents() {
            if let Some(key) = o.key() {
                out.push(Object {
                    key: key.to_string(),
                    size: o.size().unwrap_or(0),
                    modified: o.last_modified().map(|t| t.secs()).unwrap_or(0),
                });
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Read the specs (and the manifest) under `at` into the snapshot.
pub async fn collect_specs(s3: &aws_sdk_s3::Client, at: &S3Location, snapshot: &mut Snapshot) {
    let objects = match list(s3, at).await {
        Ok(o) => o,
        Err(reason) => {
            snapshot.issues.push(InputIssue {
                input: at.url(),
                location: Some("s3:ListObjectsV2".into()),
                message: reason,
            });
            return;
        }
    };
    let mut texts = Vec::new();
    for o in objects {
        let lower = o.key.to_ascii_lowercase();
        if !(lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml")) {
            continue;
        }
        let url = format!("s3://{}/{}", at.bucket, o.key);
        if o.size > MAX_SPEC_BYTES {
            snapshot.issues.push(InputIssue {
                input: url,
                location: None,
                message: format!("{} bytes is over the spec size limit", o.size),
            });
            continue;
        }
        match read_text(s3, &at.bucket, &o.key).await {
            Ok(text) => texts.push((o.key, url, text)),
            Err(message) => snapshot.issues.push(InputIssue {
                input: url,
                location: None,
                message,
            }),
        }
    }
    // The manifest first: it names each spec's service.
    let relative = |key: &str| {
        key.strip_prefix(&at.prefix)
            .unwrap_or(key)
            .trim_start_matches('/')
            .to_string()
    };
    if let Some((_, url, text)) = texts.iter().find(|(k, _, _)| relative(k) == "estate.yaml") {
        match EstateConfig::parse(text) {
            Ok(estate) => snapshot.estate = estate,
            Err(e) => snapshot.issues.push(InputIssue {
                input: url.clone(),
                location: None,
                message: e.message,
            }),
        }
    }
    for (key, url, text) in &texts {
        let rel = relative(key);
        if rel == "estate.yaml" {
            continue;
        }
        let service = snapshot
            .estate
            .service_for_spec(&rel)
            .map(|s| s.name.clone());
        match read_spec(url, text, service.as_deref()) {
            Ok(spec) => snapshot.specs.push(spec),
            Err(e) => snapshot.issues.push(InputIssue {
                input: url.clone(),
                location: e.location(),
                message: e.to_string(),
            }),
        }
    }
}

/// Stream the access logs under `at` newer than `checkpoint` (epoch seconds of the last object
/// read) into the snapshot; returns the new checkpoint.
pub async fn collect_logs(
    s3: &aws_sdk_s3::Client,
    at: &S3Location,
    checkpoint: Option<i64>,
    snapshot: &mut Snapshot,
) -> Option<i64> {
    let objects = match list(s3, at).await {
        Ok(o) => o,
        Err(reason) => {
            snapshot.issues.push(InputIssue {
                input: at.url(),
                location: Some("s3:ListObjectsV2".into()),
                message: reason,
            });
            return checkpoint;
        }
    };
    let stages = stage_formats(&snapshot.gateway);
    let mut aggregator = Aggregator::new();
    for (group, (api, stage, format)) in log_groups(&snapshot.gateway) {
        aggregator.register_log_group(&group, &api, &stage, format);
    }
    let mut newest = checkpoint;
    for o in objects
        .into_iter()
        .filter(|o| checkpoint.is_none_or(|c| o.modified > c) && o.size > 0)
    {
        let url = format!("s3://{}/{}", at.bucket, o.key);
        // `<prefix>/<api-id>/<stage>/…` names the stage.
        let rel = o
            .key
            .strip_prefix(&at.prefix)
            .unwrap_or(&o.key)
            .trim_start_matches('/');
        let mut parts = rel.split('/');
        let scope = match (parts.next(), parts.next(), parts.next()) {
            (Some(api), Some(stage), Some(_))
                if stages.contains_key(&(api.to_string(), stage.to_string())) =>
            {
                LogScope {
                    source: url.clone(),
                    api_id: Some(api.to_string()),
                    stage: Some(stage.to_string()),
                    format: stages
                        .get(&(api.to_string(), stage.to_string()))
                        .cloned()
                        .flatten(),
                    ..LogScope::default()
                }
            }
            _ => LogScope {
                source: url.clone(),
                ..LogScope::default()
            },
        };
        let body = match s3.get_object().bucket(&at.bucket).key(&o.key).send().await {
            Ok(out) => out.body,
            Err(e) => {
                snapshot.issues.push(InputIssue {
                    input: url,
                    location: Some("s3:GetObject".into()),
                    message: describe_error(&e),
                });
                continue;
            }
        };
        // The engine reads synchronously; bridge the async body on a blocking thread, so the
        // object streams through without being held.
        let reader = tokio_util::io::SyncIoBridge::new(body.into_async_read());
        let result = tokio::task::spawn_blocking(move || {
            let mut aggregator = aggregator;
            aggregator.ingest(reader, &scope);
            aggregator
        })
        .await;
        aggregator = match result {
            Ok(a) => a,
            Err(e) => {
                snapshot.issues.push(InputIssue {
                    input: url,
                    location: None,
                    message: format!("log reader failed: {e}"),
                });
                return checkpoint;
            }
        };
        newest = Some(newest.map_or(o.modified, |n| n.max(o.modified)));
    }
    let (observed, stats, issues) = aggregator.finish();
    snapshot.observed.extend(observed);
    let total = snapshot.log_stats.get_or_insert_with(Default::default);
    total.objects += stats.objects;
    total.lines += stats.lines;
    total.bytes += stats.bytes;
    total.malformed_lines += stats.malformed_lines;
    total.unreadable_objects += stats.unreadable_objects;
    total.control_messages += stats.control_messages;
    total.malformed_examples.extend(stats.malformed_examples);
    snapshot.issues.extend(issues);
    newest
}

/// Every stage of every API with its access-log settings: (api id, stage, settings).
fn stage_logs(targets: &[TargetFacts]) -> Vec<(&str, &str, Option<&AccessLog>)> {
    let mut out = Vec::new();
    for t in targets {
        for api in &t.rest_apis {
            out.extend(
                api.stages
                    .iter()
                    .map(|s| (api.id.as_str(), s.name.as_str(), s.access_log.as_ref())),
            );
        }
        for api in &t.v2_apis {
            out.extend(
                api.stages
                    .iter()
                    .map(|s| (api.id.as_str(), s.name.as_str(), s.access_log.as_ref())),
            );
        }
    }
    out
}

fn compiled_format(log: Option<&AccessLog>) -> Option<LineFormat> {
    log.and_then(|l| l.format.as_deref())
        .and_then(|f| LineFormat::from_context_format(f).ok())
}

/// (api id, stage) → the stage's compiled access-log format.
fn stage_formats(targets: &[TargetFacts]) -> HashMap<(String, String), Option<LineFormat>> {
    stage_logs(targets)
        .into_iter()
        .map(|(api, stage, log)| ((api.to_string(), stage.to_string()), compiled_format(log)))
        .collect()
}

/// CloudWatch log group name → (api id, stage, format), from the stages' access-log destinations.
fn log_groups(targets: &[TargetFacts]) -> BTreeMap<String, (String, String, Option<LineFormat>)> {
    stage_logs(targets)
        .into_iter()
        .filter_map(|(api, stage, log)| {
            let group = log?
                .destination_arn
                .as_deref()?
                .split(":log-group:")
                .nth(1)?
                .trim_end_matches(":*")
                .to_string();
            Some((
                group,
                (api.to_string(), stage.to_string(), compiled_format(log)),
            ))
        })
        .collect()
}
