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
/// record. Returns the records to store. Findings that disappeared are resolved — unless what
/// they depend on could not be read, because a failed read must never look like a fix: then
/// they stay open and keep their last_seen. In an incomplete posture, only a gateway resource's
/// finding whose target (account × region) was read without an error is resolved.
pub fn reconcile(
    posture: &mut Posture,
    previous: Option<&Posture>,
    records: Vec<Finding>,
) -> Vec<Finding> {
    let now = posture.generated_at;
    if let Some(prev) = previous {
        carry_over_stale_targets(posture, prev);
    }
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
        if posture.complete || read_in_full(record, previous, &posture.fully_read_targets) {
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

/// Whether a disappeared finding's evidence was read in full although the posture is incomplete:
/// a finding on a gateway resource (not an endpoint, which also depends on specs and traffic)
/// whose account and region, known from the previous sweep's resources, were read without error.
fn read_in_full(
    record: &Finding,
    previous: Option<&Posture>,
    fully_read: &BTreeSet<(String, String)>,
) -> bool {
    if record.endpoint_id.is_some() || record.kind != crate::posture::FindingKind::Control {
        return false;
    }
    previous
        .and_then(|p| p.resources.iter().find(|r| r.arn == record.resource))
        .is_some_and(|r| fully_read.contains(&(r.account.clone(), r.region.clone())))
}

/// What the collector calls an account whose identity could not be read.
pub const UNKNOWN_ACCOUNT: &str = "unknown";

/// A target that could not be read keeps its previous good result: its resources come from the
/// previous sweep (which may itself have carried them), and it says since when.
fn carry_over_stale_targets(posture: &mut Posture, prev: &Posture) {
    for stale in &mut posture.stale_targets {
        if stale.account == UNKNOWN_ACCOUNT {
            // The caller identity itself failed (single-account mode): the account is the one
            // the previous sweep read in this region, when that is a single account.
            let accounts: BTreeSet<&str> = prev
                .resources
                .iter()
                .filter(|r| r.region == stale.region)
                .map(|r| r.account.as_str())
                .chain(
                    prev.stale_targets
                        .iter()
                        .filter(|t| t.region == stale.region)
                        .map(|t| t.account.as_str()),
                )
                .filter(|a| *a != UNKNOWN_ACCOUNT)
                .collect();
            if let [account] = accounts.into_iter().collect::<Vec<_>>()[..] {
                posture
                    .resources
                    .retain(|r| !(r.account == UNKNOWN_ACCOUNT && r.region == stale.region));
                stale.account = account.to_string();
            }
        }
        let carried: Vec<_> = prev
            .resources
            .iter()
            .filter(|r| r.account == stale.account && r.region == stale.region)
            .cloned()
            .collect();
        if carried.is_empty() {
            continue;
        }
        stale.last_good_at = prev
            .stale_targets
            .iter()
            .find(|t| t.account == stale.account && t.region == stale.region)
            .map_or(Some(prev.generated_at), |t| t.last_good_at);
        // What assessing "nothing read" produced for it (unknown account settings) gives way.
        posture
            .resources
            .retain(|r| !(r.account == stale.account && r.region == stale.region));
        posture.resources.extend(carried);
        // Deployed endpoints are keyed `account/region/api/stage`: theirs come along too.
        let prefix = format!("{}/{}/", stale.account, stale.region);
        let present: BTreeSet<String> = posture.endpoints.iter().map(|e| e.id.clone()).collect();
        let endpoints: Vec<_> = prev
            .endpoints
            .iter()
            .filter(|e| e.service.starts_with(&prefix) && !present.contains(&e.id))
            .cloned()
            .collect();
        posture.endpoints.extend(endpoints);
    }
}

/// The sweep a new one at `at` follows: the latest stored at or before it, other than itself.
pub fn previous_posture(
    store: &dyn Store,
    sweep_id: &str,
    at: DateTime<Utc>,
) -> Result<Option<Posture>, StoreError> {
    let previous = store
        .history()?
        .into_iter()
        .filter(|r| r.sweep_id != sweep_id && r.generated_at <= at)
        .max_by_key(|r| r.generated_at);
    match previous {
        Some(r) => store.posture(&r.sweep_id),
        None => Ok(None),
    }
}

/// What the previous sweep saw declared (and what it still remembered as removed), for the next
/// assessment to tell a route removed from the spec from one never declared.
pub fn declared_before(previous: &Posture) -> Vec<crate::snapshot::DeclaredBefore> {
    previous
        .endpoints
        .iter()
        .filter_map(|e| {
            if !e.declared_in.is_empty() {
                Some(crate::snapshot::DeclaredBefore {
                    service: e.service.clone(),
                    method: e.method.clone(),
                    path: e.path.clone(),
                    declared_in: e.declared_in.clone(),
                    last_declared_at: previous.generated_at,
                })
            } else {
                e.removed_from_spec.clone()
            }
        })
        .collect()
}

/// Give a snapshot the history it is assessed against (what earlier sweeps saw declared), and
/// return the sweep this one follows, for `record_sweep`: read once, used twice.
pub fn prepare(
    store: &dyn Store,
    snapshot: &mut crate::snapshot::Snapshot,
    at: DateTime<Utc>,
) -> Result<Option<Posture>, StoreError> {
    let sweep_id = crate::posture::sweep_id(&snapshot.source, at);
    let previous = previous_posture(store, &sweep_id, at)?;
    if let Some(previous) = &previous {
        snapshot.declared_before = declared_before(previous);
    }
    Ok(previous)
}

/// Record a freshly assessed sweep in a store: apply history against `previous` (the sweep
/// before this one, as `prepare` found it, so re-running a sweep is idempotent) and save it with
/// its finding records.
pub fn record_sweep(
    store: &mut dyn Store,
    posture: &mut Posture,
    previous: Option<&Posture>,
    ttl_days: i64,
) -> Result<(), StoreError> {
    let records = store.finding_records()?;
    let records = reconcile(posture, previous, records);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{CollectionError, RestApi, RestStage, TargetFacts};
    use crate::posture::assess;
    use crate::snapshot::Snapshot;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
            .single()
            .expect("valid time")
    }

    fn target(region: &str) -> TargetFacts {
        TargetFacts {
            account: "111111111111".into(),
            region: region.into(),
            partition: "aws".into(),
            ..TargetFacts::default()
        }
    }

    /// A region with one REST API whose stage has no logging, WAF or authorizer: findings.
    fn readable(region: &str) -> TargetFacts {
        let mut t = target(region);
        t.rest_apis.push(RestApi {
            id: "a1".into(),
            name: "orders".into(),
            endpoint_types: vec!["REGIONAL".into()],
            stages: vec![RestStage {
                name: "prod".into(),
                methods: vec![crate::gateway::RestMethod {
                    path: "/orders".into(),
                    http_method: "GET".into(),
                    authorization_type: "NONE".into(),
                    ..crate::gateway::RestMethod::default()
                }],
                ..RestStage::default()
            }],
            ..RestApi::default()
        });
        t
    }

    fn unreadable(region: &str) -> TargetFacts {
        let mut t = target(region);
        t.errors.push(CollectionError {
            resource: format!("account 111111111111 region {region}"),
            operation: "sts:AssumeRole".into(),
            reason: "AccessDenied".into(),
        });
        t
    }

    fn sweep(
        hour: u32,
        gateway: Vec<TargetFacts>,
        previous: Option<&Posture>,
        records: Vec<Finding>,
    ) -> (Posture, Vec<Finding>) {
        let mut snapshot = Snapshot::new("aws:test", at(hour));
        snapshot.gateway = gateway;
        let mut posture = assess(&snapshot, &[], at(hour));
        let records = reconcile(&mut posture, previous, records);
        (posture, records)
    }

    #[test]
    fn a_target_that_fails_keeps_its_last_good_result_marked_stale_and_its_findings_open() {
        let (first, records) = sweep(1, vec![readable("eu-west-1")], None, vec![]);
        assert!(first.stale_targets.is_empty());
        let eu_resources = first.resources.len();
        assert!(eu_resources > 0);
        let open = first.summary.open_findings;
        assert!(open > 0);

        // eu-west-1 cannot be read: its resources are the 01:00 read's, its findings stay open.
        let (second, records) = sweep(
            2,
            vec![readable("us-east-1"), unreadable("eu-west-1")],
            Some(&first),
            records,
        );
        assert!(!second.complete);
        assert_eq!(second.stale_targets.len(), 1);
        let stale = &second.stale_targets[0];
        assert_eq!(
            (stale.region.as_str(), stale.last_good_at),
            ("eu-west-1", Some(at(1)))
        );
        assert!(stale.reason.contains("AccessDenied"));
        let eu = |p: &Posture| {
            p.resources
                .iter()
                .filter(|r| r.region == "eu-west-1")
                .count()
        };
        assert_eq!(eu(&second), eu_resources);
        let eu_endpoints = |p: &Posture| {
            p.endpoints
                .iter()
                .filter(|e| e.service.starts_with("111111111111/eu-west-1/"))
                .count()
        };
        assert_eq!(eu_endpoints(&first), 1);
        assert_eq!(
            eu_endpoints(&second),
            1,
            "the stale region's API stays in the inventory"
        );
        assert_eq!(second.summary.total_endpoints, 2);
        assert!(
            second
                .findings
                .iter()
                .all(|f| f.status == FindingStatus::Open)
        );
        assert_eq!(second.summary.open_findings, 2 * open);

        // Still failing an hour later: still the 01:00 read, not the carried copy's time.
        let (third, _) = sweep(
            3,
            vec![readable("us-east-1"), unreadable("eu-west-1")],
            Some(&second),
            records,
        );
        assert_eq!(third.stale_targets[0].last_good_at, Some(at(1)));
        assert_eq!(eu(&third), eu_resources);
        let md = crate::render::markdown::render(&third);
        assert!(md.contains("Stale targets"), "{md}");
        assert!(md.contains("eu-west-1"));
    }

    #[test]
    fn a_target_never_read_is_stale_without_a_last_good_read() {
        let (p, _) = sweep(1, vec![unreadable("ap-south-1")], None, vec![]);
        assert_eq!(p.stale_targets.len(), 1);
        assert_eq!(p.stale_targets[0].last_good_at, None);
        assert!(p.stale_targets[0].to_string().contains("never read"));
    }

    #[test]
    fn a_partly_read_target_is_incomplete_but_not_stale() {
        let mut t = readable("us-east-1");
        t.errors.push(CollectionError {
            resource: "stage prod".into(),
            operation: "apigateway:GetExport".into(),
            reason: "ThrottlingException".into(),
        });
        let (p, _) = sweep(1, vec![t], None, vec![]);
        assert!(!p.complete);
        assert!(p.stale_targets.is_empty());
    }

    #[test]
    fn an_account_whose_identity_cannot_be_read_is_the_one_read_before_there() {
        let (first, records) = sweep(1, vec![readable("eu-west-1")], None, vec![]);
        let mut lost = unreadable("eu-west-1");
        lost.account = UNKNOWN_ACCOUNT.into();
        let (second, _) = sweep(2, vec![lost], Some(&first), records);
        assert_eq!(second.stale_targets.len(), 1);
        let stale = &second.stale_targets[0];
        assert_eq!(stale.account, "111111111111");
        assert_eq!(stale.last_good_at, Some(at(1)));
        assert_eq!(
            second.resources, first.resources,
            "the last good read, nothing else"
        );
        assert!(
            second
                .findings
                .iter()
                .all(|f| f.status == FindingStatus::Open)
        );
    }

    #[test]
    fn a_fully_read_target_resolves_its_fixes_while_another_target_is_stale() {
        let (first, records) = sweep(
            1,
            vec![readable("us-east-1"), readable("eu-west-1")],
            None,
            vec![],
        );
        let us_resource_findings: Vec<String> = first
            .findings
            .iter()
            .filter(|f| f.endpoint_id.is_none() && f.resource.contains(":us-east-1:"))
            .map(|f| f.id.clone())
            .collect();
        assert!(!us_resource_findings.is_empty());
        // The us-east-1 API is deleted (read in full: no errors); eu-west-1 cannot be read.
        let (second, _) = sweep(
            2,
            vec![target("us-east-1"), unreadable("eu-west-1")],
            Some(&first),
            records,
        );
        assert!(!second.complete);
        let status = |id: &str| {
            second
                .findings
                .iter()
                .find(|f| f.id == id)
                .map(|f| f.status)
        };
        for id in &us_resource_findings {
            assert_eq!(status(id), Some(FindingStatus::Resolved), "{id}");
        }
        for f in second
            .findings
            .iter()
            .filter(|f| !us_resource_findings.contains(&f.id))
        {
            assert_eq!(
                f.status,
                FindingStatus::Open,
                "{} on {}: the stale region's and the endpoint findings stay open",
                f.control,
                f.resource
            );
        }
        assert!(second.findings.iter().any(|f| f.endpoint_id.is_some()));
        let drift = second.drift.as_ref().unwrap();
        assert_eq!(drift.resolved_findings.len(), us_resource_findings.len());
    }
}
