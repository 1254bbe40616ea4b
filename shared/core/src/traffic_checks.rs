//! Checks that only observed traffic can make: a protected route answering without a principal,
//! personal data in URLs, secrets in logs, sensitive data served without authentication.
//!
//! Like the controls, each is one declarative entry with a pure function; unlike them they do
//! not enter the seed's score (its weights are fixed), they raise findings.

use crate::controls::{Evidence, EvidenceSource, Reference};
use crate::model::{ControlState, Severity};
use crate::posture::{SensitiveEvidence, TrafficFacts};

pub struct TrafficCheck {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub evidence: &'static str,
    pub remediation: &'static str,
    pub references: &'static [Reference],
    /// Some(what was found) raises a finding.
    pub evaluate: fn(&TrafficContext) -> Option<Hit>,
}

/// What a check found, and the evidence for it.
pub type Hit = (String, Vec<Evidence>);

/// What the checks read about one endpoint.
pub struct TrafficContext<'a> {
    pub authentication: ControlState,
    pub traffic: Option<&'a TrafficFacts>,
    pub sensitive: &'a [SensitiveEvidence],
}

const PII: &[&str] = &[
    "email",
    "ssn",
    "card_number",
    "iban",
    "phone",
    "date_of_birth",
];
const SECRETS: &[&str] = &["aws_access_key_id", "jwt", "secret", "password"];

pub static CATALOGUE: &[TrafficCheck] = &[
    TrafficCheck {
        id: "TRAFFIC-1",
        title: "A protected route answers successfully without an authenticated principal",
        severity: Severity::High,
        evidence: "Access logs whose format records the principal: 2xx responses with none, on an endpoint whose \
                   authentication control is present (gateway or spec).",
        remediation: "Check the authorizer really runs on this route (deployed stage, method override, $default \
                      route), and that the log's principal field is the one the authorizer sets.",
        references: &[Reference::new("OWASP API Top 10 2023", "API2:2023")],
        evaluate: |c| {
            let t = c.traffic?;
            let n = t.unauthenticated_successes.filter(|n| *n > 0)?;
            (c.authentication == ControlState::Present).then(|| {
                (
                    format!("{n} successful response(s) carried no authenticated principal although the route requires authentication"),
                    t.sources.iter().map(|s| evidence(s, "2xx without principal")).collect(),
                )
            })
        },
    },
    TrafficCheck {
        id: "DATA-1",
        title: "Personal data travels in URLs",
        severity: Severity::Medium,
        evidence: "Validated detectors (Luhn, SSN rules, IBAN mod-97, email, phone) on observed URL path segments and \
                   query values.",
        remediation: "Move personal data out of paths and query strings (into the body or behind an opaque id): URLs \
                      are logged, cached and leaked through Referer.",
        references: &[Reference::new("OWASP API Top 10 2023", "API3:2023")],
        evaluate: |c| {
            found(c, |s| {
                PII.contains(&s.data_type.as_str())
                    && s.source == EvidenceSource::Sample
                    && (s.location.contains("URL")
                        || s.location.contains("path")
                        || s.location.contains("query"))
            })
        },
    },
    TrafficCheck {
        id: "DATA-2",
        title: "Secrets appear in traffic or logs",
        severity: Severity::High,
        evidence: "Detectors for AWS access key ids, JWTs (header decodes with `alg`) and issuer-prefixed tokens on \
                   URLs, authorizer claims and log fields.",
        remediation: "Send credentials in headers the access log does not record, rotate the exposed secrets, and \
                      drop the log fields that carry them.",
        references: &[Reference::new("OWASP API Top 10 2023", "API8:2023")],
        evaluate: |c| {
            found(c, |s| {
                SECRETS.contains(&s.data_type.as_str()) && s.source == EvidenceSource::Sample
            })
        },
    },
    TrafficCheck {
        id: "DATA-3",
        title: "Sensitive data is served without authentication",
        severity: Severity::High,
        evidence: "Sensitive data types on the endpoint (schemas, traffic) while its authentication control is absent.",
        remediation: "Require authentication on every endpoint that handles personal or secret data.",
        references: &[Reference::new("OWASP API Top 10 2023", "API3:2023")],
        evaluate: |c| {
            if c.authentication != ControlState::Absent || c.sensitive.is_empty() {
                return None;
            }
            let mut types: Vec<&str> = c.sensitive.iter().map(|s| s.data_type.as_str()).collect();
            types.dedup();
            Some((
                format!("handles {} with authentication absent", types.join(", ")),
                c.sensitive.iter().take(3).map(evidence_from).collect(),
            ))
        },
    },
];

fn evidence(location: &str, detail: &str) -> Evidence {
    Evidence {
        source: EvidenceSource::Sample,
        location: location.to_string(),
        detail: detail.to_string(),
    }
}

fn evidence_from(s: &SensitiveEvidence) -> Evidence {
    Evidence {
        source: s.source,
        location: s.location.clone(),
        detail: match &s.masked {
            Some(m) => format!("{} ({m})", s.data_type),
            None => s.data_type.clone(),
        },
    }
}

fn found(
    c: &TrafficContext,
    wanted: impl Fn(&SensitiveEvidence) -> bool,
) -> Option<(String, Vec<Evidence>)> {
    let hits: Vec<&SensitiveEvidence> = c.sensitive.iter().filter(|s| wanted(s)).collect();
    if hits.is_empty() {
        return None;
    }
    let mut types: Vec<&str> = hits.iter().map(|s| s.data_type.as_str()).collect();
    types.sort();
    types.dedup();
    Some((
        format!("observed {}", types.join(", ")),
        hits.iter().take(3).map(|s| evidence_from(s)).collect(),
    ))
}
