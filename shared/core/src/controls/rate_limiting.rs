//! rate_limiting: the API limits how fast a caller may call it.
//!
//! Evidence: rate-limit headers (or a 429) on observed responses; else rate-limit headers or a
//! 429 response declared in the spec. A spec that is silent decides nothing.

use super::{Control, EndpointFacts, Evaluation, RATE_LIMIT_HEADERS, Reference, evaluate_with};
use crate::gateway::GatewayEndpoint;
use crate::model::{ControlState, Severity};
use crate::snapshot::{SpecOperation, TrafficSample};

pub static CONTROL: Control = Control {
    id: "rate_limiting",
    title: "Requests are rate limited",
    severity: Severity::High,
    required: true,
    evidence: "Rate-limit response headers (X-RateLimit-Limit, RateLimit-Limit, RateLimit, \
               RateLimit-Policy) or a 429 answer in observed traffic; else the same headers or a \
               429 response declared in the spec.",
    remediation: "Throttle the stage or route (API Gateway method throttling, a usage plan), return \
                  429 with Retry-After when exceeded, and declare the 429 response and rate-limit \
                  headers in the spec.",
    references: &[
        Reference {
            standard: "OWASP API Top 10 2023",
            id: "API4:2023",
        },
        Reference {
            standard: "Spectral OWASP",
            id: "owasp:api4:2023-rate-limit",
        },
    ],
    evaluate,
};

fn evaluate(facts: &EndpointFacts) -> Evaluation {
    evaluate_with(facts, from_gateway, from_sample, from_spec)
}

fn from_gateway(g: &GatewayEndpoint) -> Option<(ControlState, String)> {
    Some(match &g.throttled_by {
        Some(by) => (ControlState::Present, format!("throttled by {by}")),
        None => (
            ControlState::Absent,
            "no stage, route or usage-plan throttling: account defaults alone do not count".into(),
        ),
    })
}

fn from_sample(s: &TrafficSample) -> Option<(ControlState, String)> {
    if let Some(h) = RATE_LIMIT_HEADERS
        .iter()
        .find(|h| s.response_header(h).is_some())
    {
        return Some((ControlState::Present, format!("response carries {h}")));
    }
    if s.status == Some(429) {
        return Some((
            ControlState::Present,
            "request was throttled with 429".into(),
        ));
    }
    Some((
        ControlState::Absent,
        "response carries no rate-limit header".into(),
    ))
}

fn from_spec(op: &SpecOperation) -> Option<(ControlState, String)> {
    if let Some(h) = op
        .response_headers
        .iter()
        .find(|h| RATE_LIMIT_HEADERS.contains(&h.as_str()))
    {
        return Some((
            ControlState::Present,
            format!("declares response header {h}"),
        ));
    }
    op.response_codes
        .iter()
        .any(|c| c == "429")
        .then(|| (ControlState::Present, "declares a 429 response".to_string()))
}
