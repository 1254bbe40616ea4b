//! Security controls: one declarative entry per control (id, title, severity, evidence,
//! remediation, references) plus a pure evaluation function over an endpoint's facts.
//!
//! Adding a control means adding one file here and one line in `CATALOGUE`; the docs
//! catalogue (`docs/controls.md`) is generated from these entries (`apispm controls`).

mod authentication;
mod cors_policy;
mod input_validation;
mod rate_limiting;
mod security_headers;
mod transport_encryption;

use crate::gateway::GatewayEndpoint;
use crate::model::{ControlState, Severity};
use crate::snapshot::{SpecOperation, TrafficSample};
use serde::{Deserialize, Serialize};

/// A reference to an outside standard or tool's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// `OWASP API Top 10 2023`, `Security Hub`, `Spectral OWASP`, ...
    pub standard: &'static str,
    pub id: &'static str,
}

impl Reference {
    pub const fn new(standard: &'static str, id: &'static str) -> Reference {
        Reference { standard, id }
    }
}

/// One control's declaration.
#[derive(Debug)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Whether an absent control adds its weight to the seed's score (optional controls only
    /// count in the maximum).
    pub required: bool,
    /// What evidence decides it, in order of strength.
    pub evidence: &'static str,
    pub remediation: &'static str,
    pub references: &'static [Reference],
    pub evaluate: fn(&EndpointFacts) -> Evaluation,
}

impl Control {
    pub fn weight(&self) -> u32 {
        self.severity.weight()
    }
}

/// Every control, in report order.
pub static CATALOGUE: &[&Control] = &[
    &authentication::CONTROL,
    &transport_encryption::CONTROL,
    &rate_limiting::CONTROL,
    &cors_policy::CONTROL,
    &security_headers::CONTROL,
    &input_validation::CONTROL,
];

pub fn find(id: &str) -> Option<&'static Control> {
    CATALOGUE.iter().copied().find(|c| c.id == id)
}

/// The facts about one endpoint that controls read. Later collectors add gateway facts here.
#[derive(Debug, Default)]
pub struct EndpointFacts<'a> {
    /// The deployed route or method, when the endpoint was read from API Gateway.
    pub gateway: Option<&'a GatewayEndpoint>,
    pub samples: Vec<&'a TrafficSample>,
    /// Access-log aggregates attributed to the endpoint.
    pub observed: Vec<&'a crate::observed::ObservedEndpoint>,
    /// Declared operations with the file that declares them.
    pub declared: Vec<(&'a str, &'a SpecOperation)>,
}

/// Which source a piece of evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// What API Gateway has deployed (the AWS collector).
    Gateway,
    /// An observed exchange (HAR entry or seed-shaped sample).
    Sample,
    /// A declared OpenAPI document.
    Spec,
    /// A policy file (for policy findings).
    Policy,
}

/// What decided a verdict: the source, where in it, and what it said.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub source: EvidenceSource,
    /// `samples/web.har#entries[3]`, `specs/orders.yaml#/paths/~1orders/get`.
    pub location: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub state: ControlState,
    pub evidence: Vec<Evidence>,
}

/// A per-source verdict with its evidence, before combination.
pub(crate) struct Verdict {
    pub state: ControlState,
    pub evidence: Evidence,
}

/// Evidence kept per verdict state; more samples saying the same thing add nothing readable.
const MAX_EVIDENCE: usize = 3;

/// Combine one source's verdicts: one observed failure is enough to be absent; present needs
/// every verdict that spoke to agree; silence is `None` (the next source, or unknown).
fn combine(verdicts: Vec<Verdict>) -> Option<Evaluation> {
    let decided: Vec<Verdict> = verdicts
        .into_iter()
        .filter(|v| v.state != ControlState::Unknown)
        .collect();
    let state = if decided.iter().any(|v| v.state == ControlState::Absent) {
        ControlState::Absent
    } else if decided.iter().any(|v| v.state == ControlState::Present) {
        ControlState::Present
    } else if decided
        .iter()
        .any(|v| v.state == ControlState::NotApplicable)
    {
        ControlState::NotApplicable
    } else {
        return None;
    };
    let mut evidence: Vec<Evidence> = decided
        .into_iter()
        .filter(|v| v.state == state)
        .map(|v| v.evidence)
        .collect();
    let extra = evidence.len().saturating_sub(MAX_EVIDENCE);
    evidence.truncate(MAX_EVIDENCE);
    if extra > 0
        && let Some(last) = evidence.last_mut()
    {
        last.detail
            .push_str(&format!(" (and {extra} more like it)"));
    }
    Some(Evaluation { state, evidence })
}

/// The usual evaluation order: what the gateway has deployed decides; where it is silent,
/// observed traffic; then the declared spec; where all are silent, unknown.
pub(crate) fn evaluate_with(
    facts: &EndpointFacts,
    from_gateway: impl Fn(&GatewayEndpoint) -> Option<(ControlState, String)>,
    from_sample: impl Fn(&TrafficSample) -> Option<(ControlState, String)>,
    from_spec: impl Fn(&SpecOperation) -> Option<(ControlState, String)>,
) -> Evaluation {
    if let Some(g) = facts.gateway
        && let Some((state, detail)) = from_gateway(g)
    {
        return Evaluation {
            state,
            evidence: vec![Evidence {
                source: EvidenceSource::Gateway,
                location: g.arn.clone(),
                detail,
            }],
        };
    }
    let sampled = facts
        .samples
        .iter()
        .filter_map(|s| {
            from_sample(s).map(|(state, detail)| Verdict {
                state,
                evidence: Evidence {
                    source: EvidenceSource::Sample,
                    location: s.source.clone(),
                    detail,
                },
            })
        })
        .collect();
    if let Some(e) = combine(sampled) {
        return e;
    }
    let declared = facts
        .declared
        .iter()
        .filter_map(|(file, op)| {
            from_spec(op).map(|(state, detail)| Verdict {
                state,
                evidence: Evidence {
                    source: EvidenceSource::Spec,
                    location: format!("{file}#{}", op.pointer),
                    detail,
                },
            })
        })
        .collect();
    combine(declared).unwrap_or(Evaluation {
        state: ControlState::Unknown,
        evidence: Vec::new(),
    })
}

/// Rate-limit response headers, draft-ietf-httpapi-ratelimit-headers and the X- forms.
pub(crate) const RATE_LIMIT_HEADERS: &[&str] = &[
    "x-ratelimit-limit",
    "x-rate-limit-limit",
    "ratelimit-limit",
    "ratelimit",
    "ratelimit-policy",
];

#[cfg(test)]
pub(crate) mod test_support {
    use crate::snapshot::TrafficSample;
    use std::collections::BTreeMap;

    /// A sample in the seed's shape, for control tests.
    pub fn sample(
        scheme: &str,
        request: &[&str],
        response: &[(&str, &str)],
        validated: Option<bool>,
    ) -> TrafficSample {
        TrafficSample {
            source: "test.json".into(),
            method: "GET".into(),
            path: "/t".into(),
            scheme: Some(scheme.into()),
            request_headers: request.iter().map(|h| h.to_ascii_lowercase()).collect(),
            response_headers: response
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            has_schema_validation: validated,
            ..TrafficSample::default()
        }
    }
}
