//! Assessment: `Snapshot -> Posture`, pure. The posture is the public JSON contract
//! `apispm.posture/v1` (schema in `docs/posture.schema.json`): extend it, never rename.

use crate::classify::{Classification, classify};
use crate::controls::{self, EndpointFacts, Evidence, EvidenceSource, Reference};
use crate::gateway::TargetFacts;
use crate::gateway_controls;
use crate::inventory::{self, InventoryEndpoint};
use crate::model::{Class, ControlState, Lifecycle, RiskBand, Severity, round1, short_hash};
use crate::policy::{Policy, PolicyOutcome, PolicyResult, PolicySubject, control_states};
use crate::scoring::{ScoreTerm, score};
use crate::snapshot::{InputIssue, Snapshot};
use crate::traffic_checks::{self, TrafficContext};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const POSTURE_SCHEMA: &str = "apispm.posture/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posture {
    pub schema: String,
    /// Deterministic for the source and time it ran at, so re-running writes the same items.
    pub sweep_id: String,
    pub generated_at: DateTime<Utc>,
    pub source: String,
    /// False when some input could not be read; `input_issues` says which and why.
    pub complete: bool,
    pub input_issues: Vec<InputIssue>,
    pub summary: Summary,
    pub endpoints: Vec<EndpointPosture>,
    /// What reading access logs took: objects, lines, malformed lines (with examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_ingest: Option<crate::observed::LogIngestStats>,
    /// Per declared spec: the spec audit's score (security /30 + data validation /70).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec_scores: Vec<SpecScoreEntry>,
    /// Gateway resources (APIs, stages, routes, domains, ...) and their configuration controls.
    #[serde(default)]
    pub resources: Vec<ResourcePosture>,
    pub findings: Vec<Finding>,
    pub policies: Vec<PolicySummary>,
    /// What changed since the previous sweep in the same store; absent without history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<Drift>,
    /// Targets (account × region) that could not be read at all this sweep. Their resources are
    /// the last good read's, carried over by history, and their findings stay open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale_targets: Vec<StaleTarget>,
    /// Targets (account, region) read without a single error this sweep. Not part of the
    /// document: history uses it, right after assessment, to resolve a gateway finding of a
    /// fully read target even when another target or input made the posture incomplete.
    #[serde(skip)]
    pub fully_read_targets: BTreeSet<(String, String)>,
}

/// An account × region whose read failed as a whole (no role, no listing): what is shown for it
/// is its last good result, not this sweep's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaleTarget {
    pub account: String,
    pub region: String,
    /// Why this sweep could not read it (the first failed read).
    pub reason: String,
    /// When the resources shown for it were last read; None when it was never read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_good_at: Option<DateTime<Utc>>,
}

impl StaleTarget {
    /// A target is stale when it has read errors and nothing at all was read from it.
    pub fn of(target: &crate::gateway::TargetFacts) -> Option<StaleTarget> {
        let nothing_read = target.account_settings.is_none()
            && target.rest_apis.is_empty()
            && target.v2_apis.is_empty()
            && target.domains.is_empty()
            && target.usage_plans.is_empty();
        let first = target.errors.first()?;
        nothing_read.then(|| StaleTarget {
            account: target.account.clone(),
            region: target.region.clone(),
            reason: format!(
                "{} on {}: {}",
                first.operation, first.resource, first.reason
            ),
            last_good_at: None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total_endpoints: usize,
    pub average_risk: f64,
    pub risk_distribution: BTreeMap<RiskBand, usize>,
    pub classification: BTreeMap<Class, usize>,
    pub undocumented: usize,
    pub missing_authentication: usize,
    pub missing_tls: usize,
    pub open_findings: usize,
    pub evidence_coverage: EvidenceCoverage,
    /// The seed's dashboard metrics, each against its target.
    pub metrics: Vec<Metric>,
}

/// How much of the assessment rests on evidence rather than on unknowns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceCoverage {
    pub evaluations: usize,
    pub unknown: usize,
    /// Share of evaluated controls decided by evidence, in percent.
    pub percent_decided: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub id: String,
    pub name: String,
    /// None when there is no data yet (e.g. no finding ever resolved).
    pub value: Option<f64>,
    pub unit: String,
    /// `>=` or `<=`.
    pub comparison: String,
    pub target: f64,
    pub met: Option<bool>,
}

impl Metric {
    fn new(
        id: &str,
        name: &str,
        value: Option<f64>,
        unit: &str,
        comparison: &str,
        target: f64,
    ) -> Metric {
        let met = value.map(|v| {
            if comparison == ">=" {
                v >= target
            } else {
                v <= target
            }
        });
        Metric {
            id: id.into(),
            name: name.into(),
            value: value.map(round1),
            unit: unit.into(),
            comparison: comparison.into(),
            target,
            met,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointPosture {
    pub id: String,
    pub service: String,
    pub method: String,
    pub path: String,
    pub classification: Classification,
    pub documented: bool,
    pub owner: Option<String>,
    pub risk_score: f64,
    pub risk_band: RiskBand,
    pub score_terms: Vec<ScoreTerm>,
    pub controls: Vec<ControlResult>,
    pub sensitive_data_types: Vec<String>,
    /// Where each sensitive type was seen: type, location and (for observed values) a masked form.
    pub sensitive_data: Vec<SensitiveEvidence>,
    pub policies: Vec<PolicyResult>,
    /// The declared operations (file#pointer) and the number of samples behind this endpoint.
    pub declared_in: Vec<String>,
    /// The declared operations with their line and column in the source, for code scanning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_locations: Vec<SourceLocation>,
    /// No spec declares it any more, but an earlier sweep saw it declared: where, and when last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_from_spec: Option<crate::snapshot::DeclaredBefore>,
    pub samples: usize,
    /// Observed traffic (access logs and samples), when there was any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<TrafficFacts>,
}

/// One gateway resource and the configuration controls evaluated on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourcePosture {
    pub arn: String,
    pub resource_type: String,
    pub account: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
    pub controls: Vec<ResourceControl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceControl {
    pub control: String,
    pub title: String,
    pub severity: Severity,
    pub state: ControlState,
    pub unverified: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlResult {
    pub control: String,
    pub title: String,
    pub severity: Severity,
    pub required: bool,
    pub state: ControlState,
    /// True when no evidence decided the state.
    pub unverified: bool,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecScoreEntry {
    pub file: String,
    pub title: String,
    pub service: String,
    pub version: String,
    #[serde(flatten)]
    pub score: crate::spec_audit::SpecScore,
    pub findings: usize,
    /// The deployed API ids this spec describes (docs/traffic.md); empty when it ties to none.
    pub tied_apis: Vec<String>,
}

/// A place in a declared spec file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceLocation {
    pub file: String,
    pub pointer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

/// What access logs and samples say about an endpoint's traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficFacts {
    pub requests: u64,
    pub status_classes: BTreeMap<String, u64>,
    /// Share of requests answered 401 / 403, in percent.
    pub unauthorized_percent: f64,
    pub forbidden_percent: f64,
    /// 2xx responses with no authenticated principal (None: the log format records none).
    pub unauthenticated_successes: Option<u64>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub distinct_callers: u64,
    /// Where it was seen (log objects and lines, sample entries).
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SensitiveEvidence {
    pub data_type: String,
    pub source: EvidenceSource,
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Control,
    Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Open,
    Resolved,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable: the same control on the same resource has the same id in every sweep.
    pub id: String,
    pub kind: FindingKind,
    /// The control's id (`authentication`, later `LOG-1`), or `policy/<name>` for a policy.
    pub control: String,
    pub title: String,
    pub severity: Severity,
    /// The endpoint as `{service}:{METHOD}:{path}`, or the gateway resource's ARN.
    pub resource: String,
    /// The endpoint the finding is about; none for API-, stage- and domain-level findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    pub message: String,
    pub remediation: String,
    pub evidence: Vec<Evidence>,
    pub status: FindingStatus,
    /// False when the finding rests on missing evidence (the control is unknown).
    pub verified: bool,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// How many times the finding came back after being resolved.
    #[serde(default)]
    pub reopened: u32,
    pub references: Vec<FindingReference>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingReference {
    pub standard: String,
    pub id: String,
}

impl From<&Reference> for FindingReference {
    fn from(r: &Reference) -> Self {
        FindingReference {
            standard: r.standard.to_string(),
            id: r.id.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicySummary {
    pub name: String,
    pub description: String,
    pub severity: Severity,
    pub defined_at: String,
    pub passed: usize,
    pub failed: usize,
    pub not_in_scope: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub previous_sweep: String,
    pub previous_generated_at: DateTime<Utc>,
    pub new_endpoints: Vec<String>,
    pub removed_endpoints: Vec<String>,
    /// Endpoints whose risk score changed: id → [before, after].
    pub changed_endpoints: BTreeMap<String, [f64; 2]>,
    pub new_findings: Vec<String>,
    pub resolved_findings: Vec<String>,
}

pub fn sweep_id(source: &str, at: DateTime<Utc>) -> String {
    format!(
        "{}-{}",
        at.format("%Y%m%dT%H%M%SZ"),
        &short_hash(source)[..8]
    )
}

/// Assess a snapshot: inventory, classification, controls, score, policies, findings, metrics.
/// `now` stamps the findings; history (first_seen, resolved findings, MTTR) is applied after,
/// by `history::reconcile`.
pub fn assess(snapshot: &Snapshot, policies: &[Policy], now: DateTime<Utc>) -> Posture {
    let inventory = inventory::build(snapshot);
    let mut endpoints = Vec::with_capacity(inventory.len());
    let mut findings = Vec::new();
    for ep in &inventory {
        let (posture, mut ep_findings) = assess_endpoint(snapshot, ep, policies, now);
        endpoints.push(posture);
        findings.append(&mut ep_findings);
    }
    // Spec audit findings: on the endpoint whose operation contains the pointer, else the file.
    let mut spec_scores = Vec::new();
    let ties = inventory::spec_ties(snapshot);
    for spec in &snapshot.specs {
        let Some(report) = &spec.audit else { continue };
        spec_scores.push(SpecScoreEntry {
            file: spec.file.clone(),
            title: spec.title.clone(),
            service: spec.service.clone(),
            version: report.version.clone(),
            score: report.score.clone(),
            findings: report.findings.len(),
            tied_apis: {
                let mut apis: Vec<String> = ties
                    .iter()
                    .filter(|(_, svc)| **svc == spec.service)
                    .map(|(api, _)| api.clone())
                    .collect();
                apis.sort();
                apis
            },
        });
        for f in &report.findings {
            let endpoint = endpoints.iter().find(|e| {
                e.declared_locations.iter().any(|l| {
                    l.file == spec.file
                        && (f.pointer == l.pointer
                            || f.pointer.starts_with(&format!("{}/", l.pointer)))
                })
            });
            let resource = format!("{}#{}", spec.file, f.pointer);
            findings.push(Finding {
                id: short_hash(&format!("{}|{resource}", f.rule)),
                kind: FindingKind::Control,
                control: f.rule.clone(),
                title: f.title.clone(),
                severity: f.severity,
                resource: resource.clone(),
                endpoint_id: endpoint.map(|e| e.id.clone()),
                message: format!("{resource}: {}", f.message),
                remediation: f.title.clone(),
                evidence: vec![Evidence {
                    source: EvidenceSource::Spec,
                    location: match (f.line, f.column) {
                        (Some(l), Some(c)) => format!("{}:{l}:{c}", spec.file),
                        _ => resource.clone(),
                    },
                    detail: f.message.clone(),
                }],
                status: FindingStatus::Open,
                verified: true,
                first_seen: now,
                last_seen: now,
                resolved_at: None,
                reopened: 0,
                references: f
                    .references
                    .iter()
                    .map(|r| {
                        let (standard, id) = r.rsplit_once(' ').unwrap_or(("", r));
                        FindingReference {
                            standard: standard.to_string(),
                            id: id.to_string(),
                        }
                    })
                    .collect(),
            });
        }
    }
    let mut input_issues = snapshot.issues.clone();
    let mut resources = Vec::new();
    for target in &snapshot.gateway {
        input_issues.extend(target.errors.iter().map(|e| InputIssue {
            input: e.resource.clone(),
            location: Some(e.operation.clone()),
            message: format!("incomplete assessment: {}", e.reason),
        }));
        let (mut r, mut f) = assess_gateway(target, now);
        resources.append(&mut r);
        findings.append(&mut f);
    }
    sort_findings(&mut findings);
    let policy_summaries = policies
        .iter()
        .map(|p| {
            let count = |o: PolicyOutcome| {
                endpoints
                    .iter()
                    .flat_map(|e| &e.policies)
                    .filter(|r| r.policy == p.name && r.outcome == o)
                    .count()
            };
            PolicySummary {
                name: p.name.clone(),
                description: p.description.clone(),
                severity: p.severity,
                defined_at: p.defined_at.clone(),
                passed: count(PolicyOutcome::Pass),
                failed: count(PolicyOutcome::Fail),
                not_in_scope: count(PolicyOutcome::NotInScope),
            }
        })
        .collect();
    Posture {
        schema: POSTURE_SCHEMA.to_string(),
        sweep_id: sweep_id(&snapshot.source, now),
        generated_at: now,
        source: snapshot.source.clone(),
        complete: input_issues.is_empty(),
        input_issues,
        summary: summarize(&endpoints, &findings, None),
        endpoints,
        log_ingest: snapshot.log_stats.clone(),
        spec_scores,
        resources,
        findings,
        policies: policy_summaries,
        drift: None,
        stale_targets: snapshot
            .gateway
            .iter()
            .filter_map(StaleTarget::of)
            .collect(),
        fully_read_targets: snapshot
            .gateway
            .iter()
            .filter(|t| t.errors.is_empty())
            .map(|t| (t.account.clone(), t.region.clone()))
            .collect(),
    }
}

/// Evaluate every gateway control on one target: resources with their verdicts, and findings for
/// the absent (verified) and unknown (unverified) ones.
fn assess_gateway(
    target: &TargetFacts,
    now: DateTime<Utc>,
) -> (Vec<ResourcePosture>, Vec<Finding>) {
    let mut by_arn: BTreeMap<String, ResourcePosture> = BTreeMap::new();
    let mut findings = Vec::new();
    for control in gateway_controls::catalogue() {
        for v in (control.evaluate)(target) {
            let unverified = v.state == ControlState::Unknown;
            by_arn
                .entry(v.resource.clone())
                .or_insert_with(|| ResourcePosture {
                    arn: v.resource.clone(),
                    resource_type: v.resource_type.clone(),
                    account: target.account.clone(),
                    region: target.region.clone(),
                    api_id: v.api_id.clone(),
                    controls: Vec::new(),
                })
                .controls
                .push(ResourceControl {
                    control: control.id.to_string(),
                    title: control.title.to_string(),
                    severity: control.severity,
                    state: v.state,
                    unverified,
                    detail: v.detail.clone(),
                });
            if !matches!(v.state, ControlState::Absent | ControlState::Unknown) {
                continue;
            }
            findings.push(Finding {
                id: short_hash(&format!("{}|{}", control.id, v.resource)),
                kind: FindingKind::Control,
                control: control.id.to_string(),
                title: control.title.to_string(),
                severity: control.severity,
                resource: v.resource.clone(),
                endpoint_id: None,
                message: if unverified {
                    format!(
                        "{}: could not verify that {} ({})",
                        v.resource,
                        control.title.to_lowercase(),
                        v.detail
                    )
                } else {
                    format!("{}: {}", v.resource, v.detail)
                },
                remediation: control.remediation.to_string(),
                evidence: vec![Evidence {
                    source: EvidenceSource::Gateway,
                    location: v.resource.clone(),
                    detail: v.detail.clone(),
                }],
                status: FindingStatus::Open,
                verified: !unverified,
                first_seen: now,
                last_seen: now,
                resolved_at: None,
                reopened: 0,
                references: control
                    .references
                    .iter()
                    .map(FindingReference::from)
                    .collect(),
            });
        }
    }
    (by_arn.into_values().collect(), findings)
}

fn assess_endpoint(
    snapshot: &Snapshot,
    ep: &InventoryEndpoint,
    policies: &[Policy],
    now: DateTime<Utc>,
) -> (EndpointPosture, Vec<Finding>) {
    let facts = EndpointFacts {
        gateway: ep.gateway.as_ref(),
        observed: ep.observed.iter().map(|&i| &snapshot.observed[i]).collect(),
        samples: ep.samples.iter().map(|&i| &snapshot.samples[i]).collect(),
        declared: ep.declared(snapshot).collect(),
    };
    let classification = classify(ep, snapshot);
    let evaluations: Vec<_> = controls::CATALOGUE
        .iter()
        .map(|c| (*c, (c.evaluate)(&facts)))
        .collect();

    let mut sensitive: BTreeSet<SensitiveEvidence> = BTreeSet::new();
    for (file, op) in &facts.declared {
        for f in &op.sensitive_fields {
            sensitive.insert(SensitiveEvidence {
                data_type: f.data_type.clone(),
                source: EvidenceSource::Spec,
                location: format!("{file}#{}", f.location),
                masked: None,
            });
        }
    }
    for s in &facts.samples {
        for d in &s.sensitive_data {
            sensitive.insert(SensitiveEvidence {
                data_type: d.data_type.clone(),
                source: EvidenceSource::Sample,
                location: format!("{} ({})", s.source, d.location),
                masked: Some(d.masked.clone()),
            });
        }
    }
    for &i in &ep.observed {
        let o = &snapshot.observed[i];
        for d in &o.sensitive_data {
            sensitive.insert(SensitiveEvidence {
                data_type: d.data_type.clone(),
                source: EvidenceSource::Sample,
                location: format!("access log: {}", d.location),
                masked: Some(d.masked.clone()),
            });
        }
    }
    let traffic = traffic_facts(snapshot, ep);
    let sensitive_types: Vec<String> = sensitive
        .iter()
        .map(|s| s.data_type.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let states: Vec<_> = evaluations.iter().map(|(c, e)| (*c, e.state)).collect();
    let risk = score(
        classification.class,
        ep.documented(),
        &sensitive_types,
        &states,
    );
    let resource = format!("{}:{}:{}", ep.service, ep.method, ep.path);

    let subject = PolicySubject {
        service: ep.service.clone(),
        method: ep.method.clone(),
        path: ep.path.clone(),
        classification: classification.class.as_str().into(),
        exposure: classification.exposure.as_str().into(),
        lifecycle: classification.lifecycle.as_str().into(),
        documented: ep.documented(),
        owner: ep.owner.clone(),
        risk_score: risk.score,
        risk_band: risk.band.as_str().into(),
        sensitive_data_types: sensitive_types.clone(),
        controls: control_states(states.iter().map(|(c, s)| (c.id, *s))),
    };
    let policy_results: Vec<PolicyResult> = policies.iter().map(|p| p.evaluate(&subject)).collect();

    let mut findings = Vec::new();
    for (control, eval) in &evaluations {
        let verified = match eval.state {
            ControlState::Absent => true,
            ControlState::Unknown if control.required => false,
            _ => continue,
        };
        let message = if verified {
            format!(
                "{} {} {}: {} is absent",
                ep.service,
                ep.method,
                ep.path,
                control.title.to_lowercase()
            )
        } else {
            format!(
                "{} {} {}: no evidence shows {} (unverified)",
                ep.service,
                ep.method,
                ep.path,
                control.title.to_lowercase()
            )
        };
        findings.push(Finding {
            id: short_hash(&format!("{}|{resource}", control.id)),
            kind: FindingKind::Control,
            control: control.id.to_string(),
            title: control.title.to_string(),
            severity: control.severity,
            resource: resource.clone(),
            endpoint_id: Some(ep.id.clone()),
            message,
            remediation: control.remediation.to_string(),
            evidence: eval.evidence.clone(),
            status: FindingStatus::Open,
            verified,
            first_seen: now,
            last_seen: now,
            resolved_at: None,
            reopened: 0,
            references: control
                .references
                .iter()
                .map(FindingReference::from)
                .collect(),
        });
    }
    let sensitive_list: Vec<SensitiveEvidence> = sensitive.iter().cloned().collect();
    let context = TrafficContext {
        authentication: states
            .iter()
            .find(|(c, _)| c.id == "authentication")
            .map(|(_, s)| *s)
            .unwrap_or(ControlState::Unknown),
        traffic: traffic.as_ref(),
        sensitive: &sensitive_list,
    };
    for check in traffic_checks::CATALOGUE {
        let Some((detail, evidence)) = (check.evaluate)(&context) else {
            continue;
        };
        findings.push(Finding {
            id: short_hash(&format!("{}|{resource}", check.id)),
            kind: FindingKind::Control,
            control: check.id.to_string(),
            title: check.title.to_string(),
            severity: check.severity,
            resource: resource.clone(),
            endpoint_id: Some(ep.id.clone()),
            message: format!("{} {} {}: {detail}", ep.service, ep.method, ep.path),
            remediation: check.remediation.to_string(),
            evidence,
            status: FindingStatus::Open,
            verified: true,
            first_seen: now,
            last_seen: now,
            resolved_at: None,
            reopened: 0,
            references: check
                .references
                .iter()
                .map(FindingReference::from)
                .collect(),
        });
    }
    for (policy, result) in policies.iter().zip(&policy_results) {
        if result.outcome != PolicyOutcome::Fail {
            continue;
        }
        let control = format!("policy/{}", policy.name);
        findings.push(Finding {
            id: short_hash(&format!("{control}|{resource}")),
            kind: FindingKind::Policy,
            title: if policy.description.is_empty() {
                policy.name.clone()
            } else {
                policy.description.clone()
            },
            control,
            severity: policy.severity,
            resource: resource.clone(),
            endpoint_id: Some(ep.id.clone()),
            message: format!(
                "{} {} {} violates policy {}: {}",
                ep.service,
                ep.method,
                ep.path,
                policy.name,
                result.reasons.join("; ")
            ),
            remediation: policy.remediation.clone(),
            evidence: result
                .reasons
                .iter()
                .map(|r| Evidence {
                    source: EvidenceSource::Policy,
                    location: policy.defined_at.clone(),
                    detail: r.clone(),
                })
                .collect(),
            status: FindingStatus::Open,
            verified: !result.unverified,
            first_seen: now,
            last_seen: now,
            resolved_at: None,
            reopened: 0,
            references: vec![],
        });
    }

    let posture = EndpointPosture {
        removed_from_spec: crate::classify::removed_from_spec(ep, snapshot).cloned(),
        id: ep.id.clone(),
        service: ep.service.clone(),
        method: ep.method.clone(),
        path: ep.path.clone(),
        documented: ep.documented(),
        owner: ep.owner.clone(),
        risk_score: risk.score,
        risk_band: risk.band,
        score_terms: risk.terms,
        controls: evaluations
            .into_iter()
            .map(|(c, e)| ControlResult {
                control: c.id.to_string(),
                title: c.title.to_string(),
                severity: c.severity,
                required: c.required,
                unverified: e.state == ControlState::Unknown,
                state: e.state,
                evidence: e.evidence,
            })
            .collect(),
        sensitive_data_types: sensitive_types,
        sensitive_data: sensitive.into_iter().collect(),
        policies: policy_results,
        declared_in: facts
            .declared
            .iter()
            .map(|(f, op)| format!("{f}#{}", op.pointer))
            .collect(),
        declared_locations: facts
            .declared
            .iter()
            .map(|(f, op)| SourceLocation {
                file: f.to_string(),
                pointer: op.pointer.clone(),
                line: op.line.map(|l| l.0),
                column: op.line.map(|l| l.1),
            })
            .collect(),
        samples: facts.samples.len(),
        traffic,
        classification,
    };
    (posture, findings)
}

/// Traffic facts from the endpoint's access-log aggregates and samples.
fn traffic_facts(snapshot: &Snapshot, ep: &InventoryEndpoint) -> Option<TrafficFacts> {
    if ep.observed.is_empty() && ep.samples.is_empty() {
        return None;
    }
    let mut t = TrafficFacts {
        requests: ep.samples.len() as u64,
        status_classes: BTreeMap::new(),
        unauthorized_percent: 0.0,
        forbidden_percent: 0.0,
        unauthenticated_successes: None,
        first_seen: None,
        last_seen: None,
        distinct_callers: 0,
        sources: ep
            .samples
            .iter()
            .take(3)
            .map(|&i| snapshot.samples[i].source.clone())
            .collect(),
    };
    let (mut unauthorized, mut forbidden) = (0u64, 0u64);
    for &i in &ep.samples {
        match snapshot.samples[i].status {
            Some(401) => unauthorized += 1,
            Some(403) => forbidden += 1,
            _ => {}
        }
        if let Some(s) = snapshot.samples[i].status {
            *t.status_classes
                .entry(format!("{}xx", s / 100))
                .or_default() += 1;
        }
    }
    for &i in &ep.observed {
        let o = &snapshot.observed[i];
        t.requests += o.requests;
        unauthorized += o.unauthorized;
        forbidden += o.forbidden;
        for (k, v) in &o.status_classes {
            *t.status_classes.entry(k.clone()).or_default() += v;
        }
        if let Some(n) = o.unauthenticated_successes {
            t.unauthenticated_successes = Some(t.unauthenticated_successes.unwrap_or(0) + n);
        }
        t.first_seen = match (t.first_seen, o.first_seen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        t.last_seen = t.last_seen.max(o.last_seen);
        // Per-aggregate estimates; summing over-counts callers seen in several logs (an upper bound).
        t.distinct_callers += o.distinct_callers;
        for e in &o.examples {
            if t.sources.len() < 5 {
                t.sources.push(e.clone());
            }
        }
    }
    if t.requests > 0 {
        t.unauthorized_percent = round1(unauthorized as f64 / t.requests as f64 * 100.0);
        t.forbidden_percent = round1(forbidden as f64 / t.requests as f64 * 100.0);
    }
    Some(t)
}

/// Report order: open before resolved, then most severe first, then by id (stable).
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.status != FindingStatus::Open)
            .cmp(&(b.status != FindingStatus::Open))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.id.cmp(&b.id))
    });
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

/// The summary and the dashboard metrics. `mttr_days` comes from history.
pub fn summarize(
    endpoints: &[EndpointPosture],
    findings: &[Finding],
    mttr_days: Option<f64>,
) -> Summary {
    let total = endpoints.len();
    let state_of = |e: &EndpointPosture, id: &str| {
        e.controls
            .iter()
            .find(|c| c.control == id)
            .map(|c| c.state)
            .unwrap_or(ControlState::Unknown)
    };
    let mut risk_distribution: BTreeMap<RiskBand, usize> =
        RiskBand::ALL.iter().map(|b| (*b, 0)).collect();
    let mut classification: BTreeMap<Class, usize> = Class::ALL.iter().map(|c| (*c, 0)).collect();
    for e in endpoints {
        *risk_distribution.entry(e.risk_band).or_default() += 1;
        *classification.entry(e.classification.class).or_default() += 1;
    }
    let undocumented = endpoints.iter().filter(|e| !e.documented).count();
    let authenticated = endpoints
        .iter()
        .filter(|e| state_of(e, "authentication") == ControlState::Present)
        .count();
    let encrypted = endpoints
        .iter()
        .filter(|e| state_of(e, "transport_encryption") == ControlState::Present)
        .count();
    let shadow = endpoints
        .iter()
        .filter(|e| e.classification.lifecycle == Lifecycle::Shadow)
        .count();
    let open: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == FindingStatus::Open)
        .collect();
    let critical = open
        .iter()
        .filter(|f| f.severity == Severity::Critical)
        .count();
    let (in_scope, passed) =
        endpoints
            .iter()
            .flat_map(|e| &e.policies)
            .fold((0, 0), |(n, p), r| match r.outcome {
                PolicyOutcome::Pass => (n + 1, p + 1),
                PolicyOutcome::Fail => (n + 1, p),
                PolicyOutcome::NotInScope => (n, p),
            });
    let evaluations: Vec<&ControlResult> = endpoints
        .iter()
        .flat_map(|e| &e.controls)
        .filter(|c| c.state.is_evaluated())
        .collect();
    let unknown = evaluations.iter().filter(|c| c.unverified).count();
    let average_risk = if total > 0 {
        round1(endpoints.iter().map(|e| e.risk_score).sum::<f64>() / total as f64)
    } else {
        0.0
    };
    let metrics = vec![
        Metric::new(
            "discovery_coverage",
            "Discovery coverage (documented)",
            percent(total - undocumented, total),
            "%",
            ">=",
            95.0,
        ),
        Metric::new(
            "average_risk",
            "Average risk score",
            (total > 0).then_some(average_risk),
            "score",
            "<=",
            25.0,
        ),
        Metric::new(
            "critical_findings",
            "Open critical findings",
            Some(critical as f64),
            "count",
            "<=",
            0.0,
        ),
        Metric::new(
            "shadow_apis",
            "Shadow endpoints",
            Some(shadow as f64),
            "count",
            "<=",
            0.0,
        ),
        Metric::new(
            "authentication_coverage",
            "Authentication coverage",
            percent(authenticated, total),
            "%",
            ">=",
            100.0,
        ),
        Metric::new(
            "tls_coverage",
            "TLS coverage",
            percent(encrypted, total),
            "%",
            ">=",
            100.0,
        ),
        Metric::new(
            "policy_compliance",
            "Policy compliance",
            percent(passed, in_scope),
            "%",
            ">=",
            95.0,
        ),
        Metric::new(
            "mean_time_to_remediate",
            "Mean time to remediate",
            mttr_days,
            "days",
            "<=",
            7.0,
        ),
    ];
    Summary {
        total_endpoints: total,
        average_risk,
        risk_distribution,
        classification,
        undocumented,
        missing_authentication: total - authenticated,
        missing_tls: total - encrypted,
        open_findings: open.len(),
        evidence_coverage: EvidenceCoverage {
            evaluations: evaluations.len(),
            unknown,
            percent_decided: round1(
                percent(evaluations.len() - unknown, evaluations.len()).unwrap_or(0.0),
            ),
        },
        metrics,
    }
}

impl std::fmt::Display for StaleTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stale target account {} region {}: ",
            self.account, self.region
        )?;
        match self.last_good_at {
            Some(at) => write!(f, "showing the read of {}", at.format("%Y-%m-%d %H:%M UTC"))?,
            None => write!(f, "never read")?,
        }
        write!(f, " ({})", self.reason)
    }
}

impl Posture {
    /// Policy violations at or above a severity (what `--fail-on` counts).
    pub fn policy_violations_at_least(&self, severity: Severity) -> usize {
        self.endpoints
            .iter()
            .flat_map(|e| &e.policies)
            .filter(|r| r.outcome == PolicyOutcome::Fail && r.severity >= severity)
            .count()
    }

    pub fn metric(&self, id: &str) -> Option<&Metric> {
        self.summary.metrics.iter().find(|m| m.id == id)
    }
}
