//! The snapshot: raw facts collected from an estate, before any judgement.
//!
//! Collectors (the local folder reader now, AWS later) produce a `Snapshot`; the engine turns it
//! into a `Posture` without I/O. A snapshot serializes to JSON so it can be written to disk and
//! assessed later; most tests are snapshots.
//!
//! Invariant: nothing in a snapshot is a raw secret. Traffic samples keep request header *names*
//! (plus the scheme word of `Authorization`), and only the response headers that controls read.

use crate::estate::EstateConfig;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SNAPSHOT_SCHEMA: &str = "apispm.snapshot/v1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema: String,
    /// Where the facts came from, e.g. `local:examples/demo`.
    pub source: String,
    pub collected_at: DateTime<Utc>,
    #[serde(default)]
    pub estate: EstateConfig,
    #[serde(default)]
    pub specs: Vec<DeclaredSpec>,
    #[serde(default)]
    pub samples: Vec<TrafficSample>,
    /// Traffic observed in access logs, aggregated per endpoint.
    #[serde(default)]
    pub observed: Vec<crate::observed::ObservedEndpoint>,
    /// Per log location (`s3://bucket/prefix`), the last-modified time (epoch seconds) of the
    /// newest object read: the next sweep reads only newer ones.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub log_checkpoints: BTreeMap<String, i64>,
    /// What reading the access logs took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stats: Option<crate::observed::LogIngestStats>,
    /// What API Gateway has deployed, per account × region (the AWS collector).
    #[serde(default)]
    pub gateway: Vec<crate::gateway::TargetFacts>,
    /// Inputs that could not be read, with where and why. The rest of the estate is still
    /// assessed; these make the posture incomplete and are reported in it.
    #[serde(default)]
    pub issues: Vec<InputIssue>,
    /// Operations earlier sweeps saw declared (from history, `history::declared_before`): an
    /// endpoint no spec declares any more but that still gets traffic is a zombie, not a shadow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_before: Vec<DeclaredBefore>,
}

/// An operation a spec used to declare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredBefore {
    pub service: String,
    pub method: String,
    pub path: String,
    /// Where it was declared (`file#pointer`).
    pub declared_in: Vec<String>,
    /// The last sweep that saw it declared.
    pub last_declared_at: DateTime<Utc>,
}

impl DeclaredBefore {
    /// Whether it is the endpoint `service METHOD path`, parameter names aside
    /// (`/orders/{orderId}` is `/orders/{id}`).
    pub fn is(&self, service: &str, method: &str, path: &str) -> bool {
        fn shape(path: &str) -> impl Iterator<Item = &str> {
            path.split('/')
                .filter(|s| !s.is_empty())
                .map(|s| if s.starts_with('{') { "{}" } else { s })
        }
        self.service == service
            && self.method.eq_ignore_ascii_case(method)
            && shape(&self.path).eq(shape(path))
    }
}

impl Snapshot {
    pub fn new(source: impl Into<String>, collected_at: DateTime<Utc>) -> Snapshot {
        Snapshot {
            schema: SNAPSHOT_SCHEMA.to_string(),
            source: source.into(),
            collected_at,
            estate: EstateConfig::default(),
            specs: Vec::new(),
            samples: Vec::new(),
            gateway: Vec::new(),
            observed: Vec::new(),
            log_checkpoints: BTreeMap::new(),
            log_stats: None,
            issues: Vec::new(),
            declared_before: Vec::new(),
        }
    }

    /// Fold in a part collected separately (one target, or the specs and logs, of a sweep fanned
    /// out over several workers): facts are concatenated, gateway targets kept in account/region
    /// order; the estate manifest and log statistics come from the one part that has them.
    pub fn merge(&mut self, part: Snapshot) {
        self.gateway.extend(part.gateway);
        self.gateway
            .sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
        self.specs.extend(part.specs);
        self.samples.extend(part.samples);
        self.observed.extend(part.observed);
        self.log_checkpoints.extend(part.log_checkpoints);
        self.issues.extend(part.issues);
        if part.estate != EstateConfig::default() {
            self.estate = part.estate;
        }
        if part.log_stats.is_some() {
            self.log_stats = part.log_stats;
        }
    }
}

/// An input that could not be used: a malformed spec, a sample file that is not JSON, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputIssue {
    /// The input, e.g. a file path relative to the estate folder.
    pub input: String,
    /// Where in the input, when known (`line 12, column 3`, a JSON pointer, an entry index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub message: String,
}

impl std::fmt::Display for InputIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{} ({}): {}", self.input, loc, self.message),
            None => write!(f, "{}: {}", self.input, self.message),
        }
    }
}

/// One declared OpenAPI document, reduced to what assessment needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeclaredSpec {
    /// The file, relative to the estate folder (or an S3 key later).
    pub file: String,
    /// `swagger 2.0`, `openapi 3.0.x` or `openapi 3.1.x`: the document's own version string.
    pub version: String,
    pub title: String,
    /// The service the spec belongs to (estate.yaml, else derived from the title).
    pub service: String,
    pub servers: Vec<SpecServer>,
    pub operations: Vec<SpecOperation>,
    /// The spec audit of the document (OWASP API Top 10 checks and the spec score).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<crate::spec_audit::AuditReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecServer {
    pub url: String,
    /// `http`, `https`, `ws`, `wss`; none for a relative URL.
    pub scheme: Option<String>,
    /// The path part of the URL (`/v1`), empty for none.
    pub base_path: String,
    /// `x-internal: true` on the server object.
    pub internal: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpecOperation {
    pub method: String,
    /// The path template as written in the spec (relative to the server base path).
    pub path: String,
    /// JSON pointer to the operation, e.g. `/paths/~1orders~1{id}/get`.
    pub pointer: String,
    /// Line and column (1-based) of the operation's key in the source file, when found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<(u32, u32)>,
    pub operation_id: Option<String>,
    pub deprecated: bool,
    /// `x-internal: true` on the operation or its path item.
    pub internal: bool,
    /// The effective security requirement (operation level, else document level).
    pub security: SecurityDeclaration,
    /// The effective servers (operation, else path item, else document).
    pub servers: Vec<SpecServer>,
    /// Lower-cased header names declared on any response.
    pub response_headers: Vec<String>,
    /// Declared response status codes (`200`, `4XX`, `default`).
    pub response_codes: Vec<String>,
    /// Whether the operation takes any input (parameters or a request body).
    pub has_inputs: bool,
    /// Whether every input carries a schema (a type, an enum, a pattern, a `$ref`...).
    pub inputs_have_schemas: bool,
    /// Sensitive data the operation's schemas name (property names and formats).
    pub sensitive_fields: Vec<SensitiveField>,
}

/// What a spec says about who may call an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecurityDeclaration {
    /// No `security` at operation or document level.
    NotDeclared,
    /// The alternatives (OR) of requirement sets (AND). An empty list, or an empty
    /// alternative (`{}`), means anonymous access is allowed.
    Requirements { alternatives: Vec<Vec<SchemeUse>> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemeUse {
    /// The scheme's name in the document.
    pub name: String,
    /// `http/basic`, `http/bearer`, `apiKey/header`, `apiKey/query`, `apiKey/cookie`, `oauth2`,
    /// `openIdConnect`, `mutualTLS`, or `undefined` when the name resolves to nothing.
    pub kind: String,
}

/// A sensitive data type named by a schema, with where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SensitiveField {
    /// The data type: `email`, `phone`, `ssn`, `card_number`, `password`, ...
    pub data_type: String,
    /// Where: JSON pointer of the property in the document.
    pub location: String,
}

/// One observed request/response exchange, sanitized at ingestion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficSample {
    /// File and entry, e.g. `samples/web.har#entries[3]`.
    pub source: String,
    pub method: String,
    /// The URL path, without query string.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The service the sample names (seed shape), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// `http` or `https`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Lower-cased names of the request headers (values are never kept).
    #[serde(default)]
    pub request_headers: Vec<String>,
    /// The scheme word of the `Authorization` header (`Bearer`, `Basic`), never its credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_scheme: Option<String>,
    /// The response headers that controls read (lower-cased name → value).
    #[serde(default)]
    pub response_headers: BTreeMap<String, String>,
    /// The seed's flag: whether the gateway validated the request against a schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_schema_validation: Option<bool>,
    /// Sensitive values seen in the URL (path segments, query values): type and masked form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitive_data: Vec<ObservedSensitive>,
}

/// A sensitive value observed in traffic. The raw value is never kept.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObservedSensitive {
    pub data_type: String,
    /// Where in the exchange: `path segment 3`, `query parameter email`.
    pub location: String,
    pub masked: String,
}

impl TrafficSample {
    pub fn has_request_header(&self, name: &str) -> bool {
        self.request_headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
    }

    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::TargetFacts;

    #[test]
    fn a_route_declared_before_is_the_same_route_whatever_its_parameter_names() {
        let before = DeclaredBefore {
            service: "orders".into(),
            method: "GET".into(),
            path: "/v1/orders/{orderId}/invoice".into(),
            declared_in: vec!["specs/orders.yaml#/paths/~1orders~1{orderId}~1invoice/get".into()],
            last_declared_at: "2026-11-01T08:00:00Z".parse().unwrap(),
        };
        assert!(before.is("orders", "get", "/v1/orders/{id}/invoice"));
        assert!(!before.is("orders", "GET", "/v1/orders/{id}"));
        assert!(!before.is("orders", "POST", "/v1/orders/{id}/invoice"));
        assert!(!before.is("users", "GET", "/v1/orders/{id}/invoice"));
        assert!(!before.is("orders", "GET", "/v1/orders/export/invoice"));
    }

    #[test]
    fn merged_parts_are_the_whole_sweep_in_target_order() {
        let at = "2026-12-04T06:00:00Z".parse().unwrap();
        let target = |region: &str| {
            let mut part = Snapshot::new("aws:x", at);
            part.gateway.push(TargetFacts {
                account: "111122223333".into(),
                region: region.into(),
                ..TargetFacts::default()
            });
            part
        };
        let mut sources = Snapshot::new("aws:x", at);
        sources.log_checkpoints.insert("s3://logs/".into(), 42);
        sources.issues.push(InputIssue {
            input: "specs/bad.yaml".into(),
            location: Some("line 3".into()),
            message: "not YAML".into(),
        });
        let mut whole = Snapshot::new("aws:x", at);
        for part in [target("us-east-1"), sources, target("eu-west-1")] {
            whole.merge(part);
        }
        let regions: Vec<&str> = whole.gateway.iter().map(|t| t.region.as_str()).collect();
        assert_eq!(regions, vec!["eu-west-1", "us-east-1"]);
        assert_eq!(whole.log_checkpoints.get("s3://logs/"), Some(&42));
        assert_eq!(whole.issues.len(), 1, "an unreadable input stays reported");
    }
}
