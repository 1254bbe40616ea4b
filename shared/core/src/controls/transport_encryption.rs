//! transport_encryption: traffic travels over TLS.
//!
//! Evidence: the scheme a sample was sent on; else the spec's effective servers.

use super::{Control, EndpointFacts, Evaluation, Reference, evaluate_with};
use crate::gateway::GatewayEndpoint;
use crate::model::{ControlState, Severity};
use crate::snapshot::{SpecOperation, TrafficSample};

pub static CONTROL: Control = Control {
    id: "transport_encryption",
    title: "Traffic is encrypted in transit (TLS)",
    severity: Severity::Critical,
    required: true,
    evidence: "The scheme of observed requests; else the scheme of every server the spec declares \
               for the operation (a relative server URL decides nothing).",
    remediation: "Serve the API over HTTPS only: remove `http://` servers from the spec, redirect or \
                  refuse plain HTTP, and use a TLS 1.2+ security policy on custom domains.",
    references: &[
        Reference {
            standard: "OWASP API Top 10 2023",
            id: "API8:2023",
        },
        Reference {
            standard: "Spectral OWASP",
            id: "owasp:api8:2023-no-scheme-http",
        },
    ],
    evaluate,
};

fn evaluate(facts: &EndpointFacts) -> Evaluation {
    evaluate_with(facts, from_gateway, from_sample, from_spec)
}

fn from_gateway(g: &GatewayEndpoint) -> Option<(ControlState, String)> {
    if let Some(plain) = &g.plaintext_backend {
        return Some((
            ControlState::Absent,
            format!("{plain} (plaintext to the backend)"),
        ));
    }
    if let Some((domain, policy)) = g
        .domain_policies
        .iter()
        .find(|(_, p)| p.contains("TLS_1_0"))
    {
        return Some((
            ControlState::Absent,
            format!("custom domain {domain} accepts TLS 1.0 ({policy})"),
        ));
    }
    let domains: Vec<String> = g
        .domain_policies
        .iter()
        .map(|(d, p)| format!("{d} {p}"))
        .collect();
    Some((
        ControlState::Present,
        if domains.is_empty() {
            "API Gateway serves HTTPS only; no plaintext backend".to_string()
        } else {
            format!("HTTPS only; custom domain(s) {}", domains.join(", "))
        },
    ))
}

fn from_sample(s: &TrafficSample) -> Option<(ControlState, String)> {
    match s.scheme.as_deref()? {
        "https" | "wss" => Some((
            ControlState::Present,
            format!("sent over {}", s.scheme.as_deref()?),
        )),
        other => Some((ControlState::Absent, format!("sent over plaintext {other}"))),
    }
}

fn from_spec(op: &SpecOperation) -> Option<(ControlState, String)> {
    if let Some(plain) = op
        .servers
        .iter()
        .find(|s| matches!(s.scheme.as_deref(), Some("http" | "ws")))
    {
        return Some((
            ControlState::Absent,
            format!("server {} is plaintext", plain.url),
        ));
    }
    let all_tls = !op.servers.is_empty()
        && op
            .servers
            .iter()
            .all(|s| matches!(s.scheme.as_deref(), Some("https" | "wss")));
    all_tls.then(|| {
        let urls: Vec<&str> = op.servers.iter().map(|s| s.url.as_str()).collect();
        (
            ControlState::Present,
            format!("every server is TLS: {}", urls.join(", ")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::sample;
    use crate::snapshot::SpecServer;

    #[test]
    fn scheme_decides_and_relative_servers_decide_nothing() {
        assert_eq!(
            from_sample(&sample("http", &[], &[], None)).unwrap().0,
            ControlState::Absent
        );
        assert_eq!(
            from_sample(&sample("https", &[], &[], None)).unwrap().0,
            ControlState::Present
        );
        let op = |servers: Vec<SpecServer>| SpecOperation {
            method: "GET".into(),
            path: "/".into(),
            pointer: "/paths/~1/get".into(),
            line: None,
            operation_id: None,
            deprecated: false,
            internal: false,
            security: crate::snapshot::SecurityDeclaration::NotDeclared,
            servers,
            response_headers: vec![],
            response_codes: vec![],
            has_inputs: false,
            inputs_have_schemas: false,
            sensitive_fields: vec![],
        };
        let server = |url: &str, scheme: Option<&str>| SpecServer {
            url: url.into(),
            scheme: scheme.map(str::to_string),
            base_path: String::new(),
            internal: false,
        };
        assert_eq!(from_spec(&op(vec![server("/v1", None)])), None);
        assert_eq!(
            from_spec(&op(vec![
                server("https://a", Some("https")),
                server("http://a", Some("http"))
            ]))
            .unwrap()
            .0,
            ControlState::Absent
        );
    }
}
