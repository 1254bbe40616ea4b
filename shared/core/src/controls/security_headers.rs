//! security_headers: responses carry the headers that stop browsers misusing them.
//!
//! The set follows OWASP's REST Security Cheat Sheet for API responses: X-Content-Type-Options,
//! Strict-Transport-Security, Cache-Control, and framing protection (X-Frame-Options or a CSP
//! with `frame-ancestors`).

use super::{Control, EndpointFacts, Evaluation, Reference, evaluate_with};
use crate::gateway::GatewayEndpoint;
use crate::model::{ControlState, Severity};
use crate::snapshot::{SpecOperation, TrafficSample};

pub static CONTROL: Control = Control {
    id: "security_headers",
    title: "Responses carry security headers",
    severity: Severity::Medium,
    required: true,
    evidence: "Observed responses: X-Content-Type-Options, Strict-Transport-Security, Cache-Control, \
               and X-Frame-Options or Content-Security-Policy frame-ancestors; else all of them \
               declared as response headers in the spec.",
    remediation: "Add `X-Content-Type-Options: nosniff`, `Strict-Transport-Security`, \
                  `Cache-Control: no-store` and `X-Frame-Options: DENY` (or CSP `frame-ancestors 'none'`) \
                  to every response, e.g. with gateway response header mappings.",
    references: &[
        Reference {
            standard: "OWASP API Top 10 2023",
            id: "API8:2023",
        },
        Reference {
            standard: "OWASP Cheat Sheet",
            id: "REST Security: Security Headers",
        },
    ],
    evaluate,
};

fn missing<'h>(has: impl Fn(&str) -> bool, csp: Option<&str>) -> Vec<&'h str> {
    let mut missing = Vec::new();
    for h in [
        "x-content-type-options",
        "strict-transport-security",
        "cache-control",
    ] {
        if !has(h) {
            missing.push(h);
        }
    }
    let frame_ancestors = csp.is_some_and(|c| c.to_ascii_lowercase().contains("frame-ancestors"));
    if !has("x-frame-options") && !frame_ancestors {
        missing.push("x-frame-options");
    }
    missing
}

fn evaluate(facts: &EndpointFacts) -> Evaluation {
    evaluate_with(facts, from_gateway, from_sample, from_spec)
}

fn from_gateway(g: &GatewayEndpoint) -> Option<(ControlState, String)> {
    // Backends may add headers the gateway never sees: only a full mapping decides.
    g.maps_security_headers().then(|| {
        (
            ControlState::Present,
            "the deployed definition maps every security header".to_string(),
        )
    })
}

fn from_sample(s: &TrafficSample) -> Option<(ControlState, String)> {
    let gaps = missing(
        |h| s.response_header(h).is_some(),
        s.response_header("content-security-policy"),
    );
    Some(if gaps.is_empty() {
        (
            ControlState::Present,
            "response carries every security header".into(),
        )
    } else {
        (
            ControlState::Absent,
            format!("response lacks {}", gaps.join(", ")),
        )
    })
}

fn from_spec(op: &SpecOperation) -> Option<(ControlState, String)> {
    // Specs list header names, not values, so a declared CSP counts as framing protection.
    let has = |h: &str| op.response_headers.iter().any(|d| d == h);
    let gaps = missing(
        has,
        has("content-security-policy").then_some("frame-ancestors"),
    );
    gaps.is_empty().then(|| {
        (
            ControlState::Present,
            "declares every security header".to_string(),
        )
    })
}
