//! cors_policy: browsers are not told that any origin may read responses.
//!
//! Evidence: `Access-Control-Allow-Origin` on observed responses. No header means cross-origin
//! reads are not granted; `*` or `null` grants them to anyone. Specs rarely say; silence is
//! unknown.

use super::{Control, EndpointFacts, Evaluation, Reference, evaluate_with};
use crate::gateway::GatewayEndpoint;
use crate::model::{ControlState, Severity};
use crate::snapshot::TrafficSample;

pub static CONTROL: Control = Control {
    id: "cors_policy",
    title: "CORS does not grant every origin",
    severity: Severity::Medium,
    required: false,
    evidence: "Access-Control-Allow-Origin (and -Credentials) on observed responses.",
    remediation: "Allow only the origins that need access (an explicit allow-list), never `*` or \
                  `null`, and never reflect the request's Origin together with credentials.",
    references: &[
        Reference {
            standard: "OWASP API Top 10 2023",
            id: "API8:2023",
        },
        Reference {
            standard: "Security Hub",
            id: "none (apispm)",
        },
    ],
    evaluate,
};

fn evaluate(facts: &EndpointFacts) -> Evaluation {
    evaluate_with(facts, from_gateway, from_sample, |_| None)
}

fn from_gateway(g: &GatewayEndpoint) -> Option<(ControlState, String)> {
    Some(match &g.cors_wildcard {
        Some(why) => (ControlState::Absent, why.clone()),
        None => (
            ControlState::Present,
            "no wildcard origin configured on the API".into(),
        ),
    })
}

fn from_sample(s: &TrafficSample) -> Option<(ControlState, String)> {
    let Some(origin) = s.response_header("access-control-allow-origin") else {
        return Some((
            ControlState::Present,
            "no Access-Control-Allow-Origin: cross-origin reads are not granted".into(),
        ));
    };
    let origin = origin.trim();
    if origin == "*" || origin.eq_ignore_ascii_case("null") {
        return Some((
            ControlState::Absent,
            format!("Access-Control-Allow-Origin: {origin}"),
        ));
    }
    Some((
        ControlState::Present,
        format!("Access-Control-Allow-Origin limited to {origin}"),
    ))
}
