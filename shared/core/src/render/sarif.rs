//! SARIF 2.1.0 for code scanning (GitHub is the consumer kept in mind): one rule per control or
//! policy with help text and references; one result per open finding, located in the spec file
//! (line and column of the operation) when the endpoint is declared, and by logical location
//! (the endpoint, or the AWS ARN) always. Stable `partialFingerprints` keep alerts across runs.

use crate::model::Severity;
use crate::posture::{Finding, FindingStatus, Posture};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (CVSS-like, 0–10).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn rule(f: &Finding) -> Value {
    let refs: Vec<String> = f
        .references
        .iter()
        .map(|r| format!("{} {}", r.standard, r.id))
        .collect();
    let help = if refs.is_empty() {
        f.remediation.clone()
    } else {
        format!("{}\n\nReferences: {}", f.remediation, refs.join("; "))
    };
    let mut tags = vec!["security".to_string(), "api".to_string()];
    tags.extend(
        f.references
            .iter()
            .filter(|r| r.standard.starts_with("OWASP"))
            .map(|r| r.id.clone()),
    );
    json!({
        "id": f.control,
        "name": f.control.replace(['/', '-', '_'], " "),
        "shortDescription": { "text": f.title },
        "fullDescription": { "text": f.title },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(f.severity) },
        "properties": { "tags": tags, "security-severity": security_severity(f.severity), "precision": "high" }
    })
}

pub fn render(p: &Posture) -> String {
    let endpoints: BTreeMap<&str, &crate::posture::EndpointPosture> =
        p.endpoints.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut results = Vec::new();
    for f in p
        .findings
        .iter()
        .filter(|f| f.status == FindingStatus::Open)
    {
        let rule_index = *index.entry(f.control.as_str()).or_insert_with(|| {
            rules.push(rule(f));
            rules.len() - 1
        });
        let declared = f
            .endpoint_id
            .as_deref()
            .and_then(|id| endpoints.get(id))
            .and_then(|e| e.declared_locations.first());
        let logical = json!([{ "fullyQualifiedName": f.resource, "kind": if f.resource.starts_with("arn:") { "resource" } else { "endpoint" } }]);
        let location = match declared {
            Some(d) => {
                let mut region = serde_json::Map::new();
                if let Some(line) = d.line {
                    region.insert("startLine".into(), json!(line));
                }
                if let Some(column) = d.column {
                    region.insert("startColumn".into(), json!(column));
                }
                let mut physical =
                    json!({ "artifactLocation": { "uri": d.file, "uriBaseId": "ESTATEROOT" } });
                if !region.is_empty() {
                    physical["region"] = Value::Object(region);
                }
                json!({ "physicalLocation": physical, "logicalLocations": logical, "message": { "text": d.pointer } })
            }
            None => json!({ "logicalLocations": logical }),
        };
        let text = if f.verified {
            f.message.clone()
        } else {
            format!("{} (unverified: no evidence either way)", f.message)
        };
        results.push(json!({
            "ruleId": f.control,
            "ruleIndex": rule_index,
            "level": level(f.severity),
            "message": { "text": text },
            "locations": [location],
            "partialFingerprints": { "apispmFindingId/v1": f.id },
            "properties": {
                "severity": f.severity.as_str(),
                "verified": f.verified,
                "firstSeen": f.first_seen.to_rfc3339(),
                "evidence": f.evidence.iter().map(|e| format!("{}: {}", e.location, e.detail)).collect::<Vec<_>>()
            }
        }));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "apispm",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/apispm/apispm",
                "rules": rules
            }},
            "originalUriBaseIds": { "ESTATEROOT": { "description": { "text": "The estate folder that was scanned" } } },
            "automationDetails": { "id": format!("apispm/{}", p.sweep_id) },
            "results": results
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
