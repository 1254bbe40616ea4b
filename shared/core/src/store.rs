//! The store contract and its item layout, shared by every backend (SQLite locally, DynamoDB in
//! AWS). The layout is a single table of (pk, sk) items, designed so that the report never scans:
//!
//! | pk | sk | item |
//! |---|---|---|
//! | `LATEST` | `LATEST` | pointer to the latest sweep |
//! | `SWEEP#<sweep_id>` | `META` | the posture without endpoints and findings |
//! | `SWEEP#<sweep_id>` | `ENDPOINT#<service>#<endpoint_id>` | one endpoint's posture |
//! | `SWEEP#<sweep_id>` | `FINDING#OPEN#<finding_id>`, `FINDING#RESOLVED#<finding_id>` | one finding as of that sweep |
//! | `SWEEP#<sweep_id>` | `RESOURCE#<hash of ARN>` | one gateway resource and its controls |
//! | `HISTORY` | `<generated_at>#<sweep_id>` | the sweep's summary (the trend) |
//! | `FINDING` | `<finding_id>` | the finding's lifecycle record (first_seen … resolved_at) |
//! | `CHECKPOINT` | `<log location>` | last-modified time of the newest log object read there |
//! | `FANOUT#<sweep_id>` | `STATE`, `PART#<unit>#<n>` | a fanned-out sweep's ledger and unit results (DynamoDB only: `apispm_aws::fanout`) |
//!
//! Latest posture = get `LATEST` and one query on `SWEEP#<id>`; its open findings = the same get
//! and one query on `SWEEP#<id>` for `FINDING#OPEN#`; one API's (or service's) endpoints = the
//! same get and one query for `ENDPOINT#<service>`; history = one query on `HISTORY`; finding
//! lifecycle = one query on `FINDING`. (Sweeps stored before these keys, `ENDPOINT#<id>` and `FINDING#<id>`, still
//! read back whole.) Sweep and history items expire (`expires_at`,
//! epoch seconds: DynamoDB's TTL attribute); lifecycle records and the pointer do not.

use crate::model::short_hash;
use crate::posture::{
    EndpointPosture, Finding, FindingStatus, Posture, ResourcePosture, Summary, sort_findings,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const LATEST: &str = "LATEST";
pub const HISTORY: &str = "HISTORY";
pub const FINDING: &str = "FINDING";
pub const META: &str = "META";
pub const CHECKPOINT: &str = "CHECKPOINT";
/// Sort-key prefix of a sweep's open findings (`FINDING#OPEN#<id>`; resolved ones are
/// `FINDING#RESOLVED#<id>`), so the open findings are one Query.
pub const OPEN_FINDING: &str = "FINDING#OPEN#";

/// Default retention of sweep history.
pub const DEFAULT_TTL_DAYS: i64 = 90;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub pk: String,
    pub sk: String,
    pub body: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// One line of the sweep history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    pub sweep_id: String,
    pub generated_at: DateTime<Utc>,
    pub source: String,
    pub complete: bool,
    pub summary: Summary,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store backend error: {0}")]
    Backend(String),
    #[error("stored item {pk}/{sk} is malformed: {message}")]
    Malformed {
        pk: String,
        sk: String,
        message: String,
    },
}

/// A posture store. A backend provides the two reads of the item layout (one partition, one
/// item) and the two writes; everything else is defined here once, on those reads.
/// Implementations must make `save` atomic or idempotent: a failed save leaves the previous
/// latest posture in place, and saving the same sweep twice writes the same items.
pub trait Store {
    /// The items of a partition whose sort key starts with `sk_prefix` (empty: all of them), in
    /// sort-key order: one DynamoDB Query (`begins_with` on the sort key); never a scan.
    fn query_prefix(&self, pk: &str, sk_prefix: &str) -> Result<Vec<Item>, StoreError>;

    /// All items of a partition, in sort-key order.
    fn query(&self, pk: &str) -> Result<Vec<Item>, StoreError> {
        self.query_prefix(pk, "")
    }
    /// One item.
    fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError>;
    fn save(
        &mut self,
        posture: &Posture,
        records: &[Finding],
        ttl_days: i64,
    ) -> Result<(), StoreError>;
    /// Saved only after the sweep that read the logs was saved, so a failed save rereads them.
    fn save_checkpoints(
        &mut self,
        checkpoints: &std::collections::BTreeMap<String, i64>,
    ) -> Result<(), StoreError>;

    fn latest(&self) -> Result<Option<Posture>, StoreError> {
        match self.get(LATEST, LATEST)? {
            Some(pointer) => self.posture(&latest_sweep_id(&pointer)?),
            None => Ok(None),
        }
    }

    /// One stored sweep's posture, if it is still kept.
    fn posture(&self, sweep_id: &str) -> Result<Option<Posture>, StoreError> {
        let items = self.query(&sweep_pk(sweep_id))?;
        if items.is_empty() {
            return Ok(None);
        }
        posture_from_items(&items).map(Some)
    }

    /// The latest sweep's open findings: the pointer, then one Query on the findings of its
    /// partition whose key says open.
    fn open_findings(&self) -> Result<Vec<Finding>, StoreError> {
        let Some(pointer) = self.get(LATEST, LATEST)? else {
            return Ok(Vec::new());
        };
        self.query_prefix(&sweep_pk(&latest_sweep_id(&pointer)?), OPEN_FINDING)?
            .iter()
            .map(decode)
            .collect()
    }

    /// The latest sweep's endpoints of one service or API: the pointer, then one Query. A
    /// deployed API's service is `account/region/api/stage`, so `account/region/api` gives every
    /// stage of the API.
    fn service_endpoints(&self, service: &str) -> Result<Vec<EndpointPosture>, StoreError> {
        let Some(pointer) = self.get(LATEST, LATEST)? else {
            return Ok(Vec::new());
        };
        let endpoints: Vec<EndpointPosture> = self
            .query_prefix(
                &sweep_pk(&latest_sweep_id(&pointer)?),
                &format!("ENDPOINT#{service}"),
            )?
            .iter()
            .map(decode)
            .collect::<Result<_, _>>()?;
        // The key prefix also matches longer names (`orders` and `orders-v2`): keep the service
        // itself and, for an API, its stages.
        Ok(endpoints
            .into_iter()
            .filter(|e| e.service == service || e.service.starts_with(&format!("{service}/")))
            .collect())
    }

    /// Every finding's lifecycle record.
    fn finding_records(&self) -> Result<Vec<Finding>, StoreError> {
        self.query(FINDING)?.iter().map(decode).collect()
    }

    /// Past sweeps, oldest first.
    fn history(&self) -> Result<Vec<SweepRecord>, StoreError> {
        self.query(HISTORY)?.iter().map(decode).collect()
    }

    /// Log checkpoints: log location → epoch seconds of the newest object already read.
    fn checkpoints(&self) -> Result<std::collections::BTreeMap<String, i64>, StoreError> {
        Ok(checkpoints_from_items(&self.query(CHECKPOINT)?))
    }
}

pub fn checkpoint_items(checkpoints: &std::collections::BTreeMap<String, i64>) -> Vec<Item> {
    checkpoints
        .iter()
        .map(|(location, at)| Item {
            pk: CHECKPOINT.into(),
            sk: location.clone(),
            body: serde_json::json!({ "last_modified": at }),
            expires_at: None,
        })
        .collect()
}

pub fn checkpoints_from_items(items: &[Item]) -> std::collections::BTreeMap<String, i64> {
    items
        .iter()
        .filter_map(|i| Some((i.sk.clone(), i.body.get("last_modified")?.as_i64()?)))
        .collect()
}

pub fn sweep_pk(sweep_id: &str) -> String {
    format!("SWEEP#{sweep_id}")
}

fn to_value<T: Serialize>(v: &T) -> Value {
    // Our own types always serialize; a failure would be a bug, not bad input.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The items one sweep writes. `LATEST` comes last so a backend that writes in order never
/// points at a half-written sweep.
pub fn items_for_sweep(posture: &Posture, records: &[Finding], ttl_days: i64) -> Vec<Item> {
    let pk = sweep_pk(&posture.sweep_id);
    let expires_at = Some((posture.generated_at + chrono::Duration::days(ttl_days)).timestamp());
    let mut items =
        Vec::with_capacity(posture.endpoints.len() + posture.findings.len() + records.len() + 3);

    let mut meta = posture.clone();
    meta.endpoints.clear();
    meta.findings.clear();
    meta.resources.clear();
    items.push(Item {
        pk: pk.clone(),
        sk: META.into(),
        body: to_value(&meta),
        expires_at,
    });
    for r in &posture.resources {
        items.push(Item {
            pk: pk.clone(),
            sk: format!("RESOURCE#{}", short_hash(&r.arn)),
            body: to_value(r),
            expires_at,
        });
    }
    for e in &posture.endpoints {
        items.push(Item {
            pk: pk.clone(),
            sk: format!("ENDPOINT#{}#{}", e.service, e.id),
            body: to_value(e),
            expires_at,
        });
    }
    for f in &posture.findings {
        items.push(Item {
            pk: pk.clone(),
            sk: match f.status {
                FindingStatus::Open => format!("{OPEN_FINDING}{}", f.id),
                FindingStatus::Resolved => format!("FINDING#RESOLVED#{}", f.id),
            },
            body: to_value(f),
            expires_at,
        });
    }
    let record = SweepRecord {
        sweep_id: posture.sweep_id.clone(),
        generated_at: posture.generated_at,
        source: posture.source.clone(),
        complete: posture.complete,
        summary: posture.summary.clone(),
    };
    items.push(Item {
        pk: HISTORY.into(),
        sk: format!("{}#{}", posture.generated_at.to_rfc3339(), posture.sweep_id),
        body: to_value(&record),
        expires_at,
    });
    for r in records {
        items.push(Item {
            pk: FINDING.into(),
            sk: r.id.clone(),
            body: to_value(r),
            expires_at: None,
        });
    }
    items.push(Item {
        pk: LATEST.into(),
        sk: LATEST.into(),
        body: serde_json::json!({ "sweep_id": posture.sweep_id, "generated_at": posture.generated_at }),
        expires_at: None,
    });
    items
}

pub fn decode<T: for<'de> Deserialize<'de>>(item: &Item) -> Result<T, StoreError> {
    serde_json::from_value(item.body.clone()).map_err(|e| StoreError::Malformed {
        pk: item.pk.clone(),
        sk: item.sk.clone(),
        message: e.to_string(),
    })
}

/// The sweep id the `LATEST` pointer names.
pub fn latest_sweep_id(pointer: &Item) -> Result<String, StoreError> {
    pointer
        .body
        .get("sweep_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| StoreError::Malformed {
            pk: pointer.pk.clone(),
            sk: pointer.sk.clone(),
            message: "no sweep_id".into(),
        })
}

/// Reassemble a posture from the items of its `SWEEP#<id>` partition.
pub fn posture_from_items(items: &[Item]) -> Result<Posture, StoreError> {
    let meta = items
        .iter()
        .find(|i| i.sk == META)
        .ok_or_else(|| StoreError::Malformed {
            pk: items.first().map(|i| i.pk.clone()).unwrap_or_default(),
            sk: META.into(),
            message: "sweep has no META item".into(),
        })?;
    let mut posture: Posture = decode(meta)?;
    for item in items {
        if item.sk.starts_with("ENDPOINT#") {
            posture.endpoints.push(decode::<EndpointPosture>(item)?);
        } else if item.sk.starts_with("FINDING#") {
            posture.findings.push(decode::<Finding>(item)?);
        } else if item.sk.starts_with("RESOURCE#") {
            posture.resources.push(decode::<ResourcePosture>(item)?);
        }
    }
    posture
        .endpoints
        .sort_by(|a, b| (&a.service, &a.path, &a.method).cmp(&(&b.service, &b.path, &b.method)));
    posture.resources.sort_by(|a, b| a.arn.cmp(&b.arn));
    sort_findings(&mut posture.findings);
    Ok(posture)
}
