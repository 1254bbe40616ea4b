//! authentication: callers must prove who they are.
//!
//! Evidence: a sample's credential headers (`Authorization`, API-key headers, `Cookie`), or an
//! unauthenticated request refused with 401/403; else the spec's effective security requirement.

use super::{Control, EndpointFacts, Evaluation, Reference, evaluate_with};
use crate::gateway::GatewayEndpoint;
use crate::model::{ControlState, Severity};
use crate::snapshot::{SecurityDeclaration, SpecOperation, TrafficSample};

pub static CONTROL: Control = Control {
    id: "authentication",
    title: "Requests are authenticated",
    severity: Severity::Critical,
    required: true,
    evidence: "The deployed method or route's authorization type (an API key alone is not authentication); \
               else observed request credentials (Authorization, API key headers, Cookie) or a 401/403 \
               answer to a request without them; else access logs that record the authorizer's principal; \
               else the spec's effective `security` requirement.",
    remediation: "Require an authorizer (JWT, Cognito, Lambda or IAM) on the operation and declare it \
                  in the spec's `security`; never allow an empty requirement (`{}` or `security: []`) \
                  on an operation that returns data.",
    references: &[
        Reference {
            standard: "OWASP API Top 10 2023",
            id: "API2:2023",
        },
        Reference {
            standard: "Spectral OWASP",
            id: "owasp:api2:2023-write-restricted",
        },
    ],
    evaluate,
};

/// Request headers that carry a credential.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "x-api-key",
    "api-key",
    "apikey",
    "x-auth-token",
    "x-access-token",
    "cookie",
];

/// Gateway, then samples; where both are silent, access logs that record the authorizer's
/// principal; then the spec.
fn evaluate(facts: &EndpointFacts) -> Evaluation {
    let observed = evaluate_with(facts, from_gateway, from_sample, |_| None);
    if observed.state != ControlState::Unknown {
        return observed;
    }
    if let Some(from_logs) = from_logs(facts) {
        return from_logs;
    }
    evaluate_with(facts, |_| None, |_| None, from_spec)
}

fn from_logs(facts: &EndpointFacts) -> Option<Evaluation> {
    use super::{Evidence, EvidenceSource};
    let logged: Vec<_> = facts
        .observed
        .iter()
        .filter(|o| o.unauthenticated_successes.is_some())
        .collect();
    if logged.is_empty() {
        return None;
    }
    let anonymous: u64 = logged
        .iter()
        .filter_map(|o| o.unauthenticated_successes)
        .sum();
    let successes: u64 = logged
        .iter()
        .map(|o| o.status_classes.get("2xx").copied().unwrap_or(0))
        .sum();
    let location = logged
        .iter()
        .flat_map(|o| o.examples.first())
        .next()
        .cloned()
        .unwrap_or_default();
    let (state, detail) = if anonymous > 0 {
        (
            ControlState::Absent,
            format!(
                "{anonymous} of {successes} successful logged responses had no authorizer principal"
            ),
        )
    } else if successes > 0 {
        (
            ControlState::Present,
            format!("all {successes} successful logged responses carried an authorizer principal"),
        )
    } else {
        return None;
    };
    Some(Evaluation {
        state,
        evidence: vec![Evidence {
            source: EvidenceSource::Sample,
            location,
            detail,
        }],
    })
}

fn from_gateway(g: &GatewayEndpoint) -> Option<(ControlState, String)> {
    if g.method == "OPTIONS" {
        return Some((
            ControlState::NotApplicable,
            "CORS preflight (OPTIONS) carries no credentials".into(),
        ));
    }
    let auth = match (&g.connect_authorization, g.kind) {
        // WebSocket authorizes once, on $connect.
        (Some(connect), _) => connect.as_str(),
        (None, crate::gateway::ApiKind::Websocket) => "NONE",
        _ => g.authorization_type.as_str(),
    };
    if auth.is_empty() || auth.eq_ignore_ascii_case("NONE") {
        let key = if g.api_key_required {
            "; an API key alone is not authentication"
        } else {
            ""
        };
        Some((
            ControlState::Absent,
            format!(
                "authorizationType NONE on the deployed {}{key}",
                g.kind.as_str()
            ),
        ))
    } else {
        Some((
            ControlState::Present,
            format!(
                "authorizationType {auth} on the deployed {} ({})",
                g.kind.as_str(),
                g.definition_source
            ),
        ))
    }
}

fn from_sample(s: &TrafficSample) -> Option<(ControlState, String)> {
    if let Some(header) = CREDENTIAL_HEADERS.iter().find(|h| s.has_request_header(h)) {
        let scheme = match (&s.authorization_scheme, *header) {
            (Some(word), "authorization") => format!(" ({word})"),
            _ => String::new(),
        };
        return Some((
            ControlState::Present,
            format!("request carries {header}{scheme}"),
        ));
    }
    match s.status {
        Some(code @ (401 | 403)) => Some((
            ControlState::Present,
            format!("request without credentials was refused with {code}"),
        )),
        Some(code) => Some((
            ControlState::Absent,
            format!("request without credentials was answered {code}"),
        )),
        None => Some((
            ControlState::Absent,
            "request carries no credentials".into(),
        )),
    }
}

fn from_spec(op: &SpecOperation) -> Option<(ControlState, String)> {
    match &op.security {
        SecurityDeclaration::NotDeclared => Some((
            ControlState::Absent,
            "no security requirement declared (operation or document)".into(),
        )),
        SecurityDeclaration::Requirements { alternatives } if alternatives.is_empty() => Some((
            ControlState::Absent,
            "`security: []` allows anonymous access".into(),
        )),
        SecurityDeclaration::Requirements { alternatives } => {
            if alternatives.iter().any(Vec::is_empty) {
                return Some((
                    ControlState::Absent,
                    "an empty security alternative `{}` allows anonymous access".into(),
                ));
            }
            if let Some(broken) = alternatives
                .iter()
                .find(|alt| alt.iter().all(|s| s.kind == "undefined"))
            {
                let names: Vec<&str> = broken.iter().map(|s| s.name.as_str()).collect();
                return Some((
                    ControlState::Absent,
                    format!(
                        "security requirement names undefined scheme(s): {}",
                        names.join(", ")
                    ),
                ));
            }
            let described: Vec<String> = alternatives
                .iter()
                .map(|alt| {
                    alt.iter()
                        .map(|s| format!("{} ({})", s.name, s.kind))
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect();
            Some((
                ControlState::Present,
                format!("requires {}", described.join(" or ")),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::sample;

    #[test]
    fn credentials_or_refusal_are_present_silence_is_absent() {
        let facts = |s: &TrafficSample| from_sample(s).unwrap().0;
        assert_eq!(
            facts(&sample("https", &["Authorization"], &[], None)),
            ControlState::Present
        );
        assert_eq!(
            facts(&sample("https", &["X-API-Key"], &[], None)),
            ControlState::Present
        );
        assert_eq!(
            facts(&sample("https", &["Cookie"], &[], None)),
            ControlState::Present
        );
        assert_eq!(
            facts(&sample("https", &[], &[], None)),
            ControlState::Absent
        );
        let mut refused = sample("https", &[], &[], None);
        refused.status = Some(401);
        assert_eq!(facts(&refused), ControlState::Present);
        refused.status = Some(200);
        assert_eq!(facts(&refused), ControlState::Absent);
    }
}
