//! History: the finding lifecycle across sweeps (first_seen, last_seen, resolved_at, reopened),
//! drift against the previous sweep, and mean time to remediate. Pure: the store hands in what
//! it had, `reconcile` says what to keep.

use crate::posture::{Drift, Finding, FindingStatus, Posture, sort_findings, summarize};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// Apply history to a freshly assessed posture.
///
/// `previous` is the latest stored posture (for drift), `records` every finding's lifecycle
/// record. Returns the records to store. Findings that disappeared are resolved — unless the
/// posture is incomplete (an input could not be read), because a failed read must never look
/// like a fix: then they stay open and keep their last_seen.
pub fn reconcile(
    posture: &mut Posture,
    previous: Option<&Posture>,
    records: Vec<Finding>,
) -> Vec<Finding> {
    let now = posture.generated_at;
    let mut by_id: BTreeMap<String, Finding> =
        records.into_iter().map(|r| (r.id.clone(), r)).collect();
    let mut new_findings = Vec::new();

    for finding in &mut posture.findings {
        match by_id.get_mut(&finding.id) {
            Some(record) if record.status == FindingStatus::Open => {
                finding.first_seen = record.first_seen;
                finding.reopened = record.reopened;
            }
            Some(record) => {
                // Resolved before, back now: a new exposure window starts.
                finding.reopened = record.reopened + 1;
                new_findings.push(finding.id.clone());
            }
            None => new_findings.push(finding.id.clone()),
        }
        by_id.insert(finding.id.clone(), finding.clone());
    }

    let current: BTreeSet<String> = posture.findings.iter().map(|f| f.id.clone()).collect();
    let mut resolved_now = Vec::new();
    for record in by_id.values_mut() {
        if current.contains(&record.id) {
            continue;
        }
        if record.status == FindingStatus::Resolved {
            // Re-running the sweep that resolved it must show the same result.
            if record.resolved_at == Some(now) {
                resolved_now.push(record.id.clone());
                posture.findings.push(record.clone());
            }
            continue;
        }
        if posture.complete {
            record.status = FindingStatus::Resolved;
            record.resolved_at = Some(now);
            resolved_now.push(record.id.clone());
        }
        // Either way the posture shows it: resolved now, or still open (carried over).
        posture.findings.push(record.clone());
    }

    sort_findings(&mut posture.findings);
    let mttr_days = mean_time_to_remediate(by_id.values());
    posture.summary = summarize(&posture.endpoints, &posture.findings, mttr_days);

    if let Some(prev) = previous {
        posture.drift = Some(drift(prev, posture, new_findings, resolved_now));
    }
    by_id.into_values().collect()
}

/// Record a freshly assessed sweep in a store: apply history (against the sweep before this one,
/// so re-running a sweep is idempotent) and save it with its finding records.
pub fn record_sweep(
    store: &mut dyn Store,
    posture: &mut Posture,
    ttl_days: i64,
) -> Result<(), StoreError> {
    let previous = store
        .history()?
        .into_iter()
        .filter(|r| r.sweep_id != posture.sweep_id && r.generated_at <= posture.generated_at)
        .max_by_key(|r| r.generated_at);
    let previous = match previous {
        Some(r) => store.posture(&r.sweep_id)?,
        None => None,
    };
    let records = store.finding_records()?;
    let records = reconcile(posture, previous.as_ref(), records);
    store.save(posture, &records, ttl_days)
}

/// Mean of (resolved_at − first_seen) over every resolved finding, in days.
pub fn mean_time_to_remediate<'a>(records: impl Iterator<Item = &'a Finding>) -> Option<f64> {
    let durations: Vec<f64> = records
        .filter_map(|r| r.resolved_at.map(|at| days_between(r.first_seen, at)))
        .collect();
    (!durations.is_empty()).then(|| durations.iter().sum::<f64>() / durations.len() as f64)
}

fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds().max(0) as f64 / 86_400.0
}

fn drift(
    prev: &Posture,
    now: &Posture,
    new_findings: Vec<String>,
    resolved_findings: Vec<String>,
) -> Drift {
    let before: BTreeMap<&str, f64> = prev
        .endpoints
        .iter()
        .map(|e| (e.id.as_str(), e.risk_score))
        .collect();
    let after: BTreeMap<&str, f64> = now
        .endpoints
        .iter()
        .map(|e| (e.id.as_str(), e.risk_score))
        .collect();
    Drift {
        previous_sweep: prev.sweep_id.clone(),
        previous_generated_at: prev.generated_at,
        new_endpoints: after
            .keys()
            .filter(|k| !before.contains_key(*k))
            .map(|k| k.to_string())
            .collect(),
        removed_endpoints: before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .map(|k| k.to_string())
            .collect(),
        changed_endpoints: after
            .iter()
            .filter_map(|(id, score)| {
                let was = before.get(id)?;
                (was != score).then(|| (id.to_string(), [*was, *score]))
            })
            .collect(),
        new_findings,
        resolved_findings,
    }
}
