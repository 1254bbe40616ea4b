//! Data protection and TLS: DP-1, DP-3, DP-5, DP-8 … DP-11.

use super::{
    GatewayControl, GatewayVerdict, checkov, not_applicable_v2_stages, prowler, rest_stage_verdict,
    sh, v2_stage_verdict,
};
use crate::controls::Reference;
use crate::gateway::{ApiKind, TargetFacts};
use crate::model::{ControlState, Severity};

pub static CONTROLS: &[GatewayControl] = &[
    GatewayControl {
        id: "DP-1",
        title: "REST cache data is encrypted wherever a method caches",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest],
        evidence: "Every methodSettings entry: cachingEnabled and cacheDataEncrypted.",
        remediation: "Set cacheDataEncrypted on every method setting that enables caching.",
        references: &[
            sh("APIGateway.5"),
            prowler("apigateway_restapi_cache_encrypted"),
            checkov("CKV_AWS_308"),
        ],
        evaluate: dp_1,
    },
    GatewayControl {
        id: "DP-3",
        title: "Stages authenticate to the backend with a client certificate",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest, ApiKind::Websocket],
        evidence: "Stage clientCertificateId.",
        remediation: "Generate an API Gateway client certificate, attach it to the stage, and have the backend \
                      verify it.",
        references: &[
            sh("APIGateway.2"),
            prowler("apigateway_restapi_client_certificate_enabled"),
            checkov("CKV2_AWS_51"),
        ],
        evaluate: dp_3,
    },
    GatewayControl {
        id: "DP-5",
        title: "Custom domains use a TLS 1.2+ security policy",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest, ApiKind::Http, ApiKind::Websocket],
        evidence: "Domain securityPolicy (v1) or every DomainNameConfiguration's SecurityPolicy (v2).",
        remediation: "Set the custom domain's security policy to TLS_1_2 (or a TLS 1.3 enhanced policy).",
        references: &[
            sh("APIGateway.11"),
            checkov("CKV_AWS_206"),
            Reference::new("Trivy", "AWS-0005"),
        ],
        evaluate: dp_5,
    },
    GatewayControl {
        id: "DP-8",
        title: "HTTP API private integrations use TLS",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Http],
        evidence: "Integrations with ConnectionType VPC_LINK: TlsConfig.ServerNameToVerify.",
        remediation: "Set TlsConfig (ServerNameToVerify) on VPC-link integrations and serve TLS from the private backend.",
        references: &[sh("APIGateway.10")],
        evaluate: dp_8,
    },
    GatewayControl {
        id: "DP-9",
        title: "REST integrations do not call backends over plain HTTP or skip TLS verification",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest],
        evidence: "Deployed method integrations: HTTP/HTTP_PROXY URI scheme, tlsConfig.insecureSkipVerification.",
        remediation: "Point HTTP integrations at https:// URIs and leave insecureSkipVerification off.",
        references: &[],
        evaluate: dp_9,
    },
    GatewayControl {
        id: "DP-10",
        title: "Stage variables hold no secrets",
        severity: Severity::High,
        applies_to: &[ApiKind::Rest, ApiKind::Http, ApiKind::Websocket],
        evidence: "Stage variable values run through the secret detectors (AWS keys, tokens, card numbers); \
                   only names and masked forms are kept.",
        remediation: "Move secrets to Secrets Manager or SSM Parameter Store and read them in the backend; \
                      rotate any secret that was in a stage variable.",
        references: &[prowler("apigateway_restapi_stage_variables_no_secrets")],
        evaluate: dp_10,
    },
    GatewayControl {
        id: "DP-11",
        title: "Mutual TLS custom domains have a healthy truststore",
        severity: Severity::Low,
        applies_to: &[ApiKind::Rest, ApiKind::Http],
        evidence: "Domain mutualTlsAuthentication: truststoreUri and truststoreWarnings.",
        remediation: "Fix the truststore warnings (expired or invalid certificates) and re-import the truststore.",
        references: &[],
        evaluate: dp_11,
    },
];

fn dp_1(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let unencrypted: Vec<&str> = s
                .method_settings
                .iter()
                .filter(|(_, m)| m.caching_enabled && !m.cache_data_encrypted)
                .map(|(k, _)| k.as_str())
                .collect();
            let caching = s.method_settings.values().any(|m| m.caching_enabled);
            out.push(rest_stage_verdict(
                t,
                &api.id,
                &s.name,
                unencrypted.is_empty(),
                if !unencrypted.is_empty() {
                    format!("caching without encryption on {}", unencrypted.join(", "))
                } else if caching {
                    "every caching method encrypts its cache".to_string()
                } else {
                    "no method caches".to_string()
                },
            ));
        }
    }
    out.extend(not_applicable_v2_stages(
        t,
        &[ApiKind::Http, ApiKind::Websocket],
        "have no response cache",
    ));
    out
}

fn dp_3(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let cert = s.client_certificate_id.as_deref().filter(|c| !c.is_empty());
            out.push(rest_stage_verdict(
                t,
                &api.id,
                &s.name,
                cert.is_some(),
                cert.map(|c| format!("client certificate {c}"))
                    .unwrap_or_else(|| "no clientCertificateId".into()),
            ));
        }
    }
    for api in t.v2_apis.iter().filter(|a| a.is_websocket()) {
        for s in &api.stages {
            let cert = s.client_certificate_id.as_deref().filter(|c| !c.is_empty());
            out.push(v2_stage_verdict(
                t,
                &api.id,
                &s.name,
                cert.is_some(),
                cert.map(|c| format!("client certificate {c}"))
                    .unwrap_or_else(|| "no ClientCertificateId".into()),
            ));
        }
    }
    out.extend(not_applicable_v2_stages(
        t,
        &[ApiKind::Http],
        "do not support backend client certificates",
    ));
    out
}

fn dp_5(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.domains
        .iter()
        .map(|d| {
            let weak: Vec<&str> = d
                .security_policies
                .iter()
                .filter(|p| {
                    p.eq_ignore_ascii_case("TLS_1_0")
                        || p.contains("TLS_1_0")
                        || p.contains("TLS10")
                })
                .map(String::as_str)
                .collect();
            let (state, detail) = if d.security_policies.is_empty() {
                (
                    ControlState::Unknown,
                    "the domain reports no security policy".to_string(),
                )
            } else if weak.is_empty() {
                (
                    ControlState::Present,
                    format!("security policy {}", d.security_policies.join(", ")),
                )
            } else {
                (
                    ControlState::Absent,
                    format!("security policy {} allows TLS 1.0", weak.join(", ")),
                )
            };
            GatewayVerdict::new(
                t.domain_arn(&d.name),
                "AwsApiGatewayDomainName",
                None,
                state,
                detail,
            )
        })
        .collect()
}

fn dp_8(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.v2_apis
        .iter()
        .filter(|a| !a.is_websocket())
        .flat_map(|api| {
            api.integrations
                .iter()
                .filter(|i| i.connection_type.as_deref() == Some("VPC_LINK"))
                .map(move |i| {
                    let (state, detail) = match i.tls_server_name_to_verify.as_deref() {
                        Some(name) => (
                            ControlState::Present,
                            format!("TLS to the private backend, verifying {name}"),
                        ),
                        None => (
                            ControlState::Absent,
                            "VPC-link integration without TlsConfig".to_string(),
                        ),
                    };
                    GatewayVerdict::new(
                        t.v2_integration_arn(&api.id, &i.id),
                        "AwsApiGatewayV2Integration",
                        Some(&api.id),
                        state,
                        detail,
                    )
                })
        })
        .collect()
}

fn dp_9(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let mut problems = Vec::new();
            for m in &s.methods {
                let Some(i) = &m.integration else { continue };
                let http = matches!(i.integration_type.as_str(), "HTTP" | "HTTP_PROXY");
                if http
                    && i.uri
                        .as_deref()
                        .is_some_and(|u| u.to_ascii_lowercase().starts_with("http://"))
                {
                    problems.push(format!(
                        "{} {} calls {}",
                        m.http_method,
                        m.path,
                        i.uri.as_deref().unwrap_or("")
                    ));
                }
                if i.insecure_skip_verification {
                    problems.push(format!(
                        "{} {} skips TLS verification",
                        m.http_method, m.path
                    ));
                }
            }
            let detail = if problems.is_empty() {
                format!(
                    "no plaintext or unverified backend among {} methods ({})",
                    s.methods.len(),
                    s.definition_source
                )
            } else {
                problems.join("; ")
            };
            out.push(rest_stage_verdict(
                t,
                &api.id,
                &s.name,
                problems.is_empty(),
                detail,
            ));
        }
    }
    out
}

fn dp_10(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let describe = |vars: &[crate::gateway::StageVariable]| -> (bool, String) {
        let secrets: Vec<String> = vars
            .iter()
            .filter_map(|v| {
                v.secret_type.as_ref().map(|t| {
                    format!(
                        "{} looks like {t} ({})",
                        v.name,
                        v.masked.as_deref().unwrap_or("masked")
                    )
                })
            })
            .collect();
        if secrets.is_empty() {
            (
                true,
                format!("{} stage variables, none looks like a secret", vars.len()),
            )
        } else {
            (false, secrets.join("; "))
        }
    };
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let (ok, detail) = describe(&s.variables);
            out.push(rest_stage_verdict(t, &api.id, &s.name, ok, detail));
        }
    }
    for api in &t.v2_apis {
        for s in &api.stages {
            let (ok, detail) = describe(&s.variables);
            out.push(v2_stage_verdict(t, &api.id, &s.name, ok, detail));
        }
    }
    out
}

fn dp_11(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.domains
        .iter()
        .map(|d| {
            let (state, detail) = match &d.mutual_tls {
                None => (
                    ControlState::NotApplicable,
                    "no mutual TLS on this domain".to_string(),
                ),
                Some(m) if m.truststore_uri.is_none() => (
                    ControlState::Absent,
                    "mutual TLS without a truststore URI".to_string(),
                ),
                Some(m) if !m.truststore_warnings.is_empty() => (
                    ControlState::Absent,
                    format!("truststore warnings: {}", m.truststore_warnings.join("; ")),
                ),
                Some(m) => (
                    ControlState::Present,
                    format!("truststore {}", m.truststore_uri.as_deref().unwrap_or("")),
                ),
            };
            GatewayVerdict::new(
                t.domain_arn(&d.name),
                "AwsApiGatewayDomainName",
                None,
                state,
                detail,
            )
        })
        .collect()
}
