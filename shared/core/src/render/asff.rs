//! AWS Security Finding Format: findings ready for Security Hub's BatchImportFindings. Ids are
//! stable (a re-import updates the finding), the workflow follows the finding lifecycle
//! (open → NEW, resolved → RESOLVED with the record ARCHIVED).

use crate::model::Severity;
use crate::posture::{FindingStatus, Posture};
use serde_json::{Value, json};

/// Where the findings are imported.
#[derive(Debug, Clone)]
pub struct AsffTarget {
    /// `arn:aws:securityhub:<region>:<account>:product/<account>/default` for your own findings.
    pub product_arn: String,
    /// Account and region for findings that name no AWS resource (local endpoints).
    pub account: String,
    pub region: String,
}

impl AsffTarget {
    pub fn default_for(account: &str, region: &str) -> AsffTarget {
        AsffTarget {
            product_arn: format!(
                "arn:aws:securityhub:{region}:{account}:product/{account}/default"
            ),
            account: account.into(),
            region: region.into(),
        }
    }
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

/// The ASFF resource type and (region, account) an ARN names.
fn resource_of(resource: &str) -> (&'static str, Option<String>, Option<String>) {
    if !resource.starts_with("arn:") {
        return ("Other", None, None);
    }
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let region = parts
        .get(3)
        .map(|r| r.to_string())
        .filter(|r| !r.is_empty());
    let account = parts
        .get(4)
        .map(|a| a.to_string())
        .filter(|a| !a.is_empty());
    let path = parts.get(5).copied().unwrap_or("");
    let kind = if resource.contains(":execute-api:") {
        "AwsApiGatewayRestApi"
    } else if path.contains("/restapis/") && path.contains("/stages/") {
        "AwsApiGatewayStage"
    } else if path.contains("/restapis/") {
        "AwsApiGatewayRestApi"
    } else if path.contains("/apis/") && path.contains("/stages/") {
        "AwsApiGatewayV2Stage"
    } else if path.contains("/apis/") {
        "AwsApiGatewayV2Api"
    } else {
        "Other"
    };
    (kind, region, account)
}

pub fn findings(p: &Posture, target: &AsffTarget) -> Vec<Value> {
    p.findings
        .iter()
        .map(|f| {
            let (kind, region, account) = resource_of(&f.resource);
            let region = region.unwrap_or_else(|| target.region.clone());
            let account = account.unwrap_or_else(|| target.account.clone());
            let resolved = f.status == FindingStatus::Resolved;
            let references: Vec<String> = f.references.iter().map(|r| format!("{} {}", r.standard, r.id)).collect();
            json!({
                "SchemaVersion": "2018-10-08",
                "Id": format!("apispm/{}", f.id),
                "ProductArn": target.product_arn,
                "GeneratorId": format!("apispm/{}", f.control),
                "AwsAccountId": account,
                "Types": ["Software and Configuration Checks/AWS Security Best Practices"],
                "FirstObservedAt": f.first_seen.to_rfc3339(),
                "LastObservedAt": f.last_seen.to_rfc3339(),
                "CreatedAt": f.first_seen.to_rfc3339(),
                "UpdatedAt": f.resolved_at.unwrap_or(p.generated_at).to_rfc3339(),
                "Severity": { "Label": label(f.severity) },
                "Title": truncate(&format!("{}: {}", f.control, f.title), 256),
                "Description": truncate(&f.message, 1024),
                "Remediation": { "Recommendation": { "Text": truncate(&f.remediation, 512) } },
                "ProductFields": {
                    "apispm/control": f.control,
                    "apispm/verified": f.verified.to_string(),
                    "apispm/references": references.join("; ")
                },
                "Resources": [{
                    "Type": kind,
                    "Id": f.resource,
                    "Partition": "aws",
                    "Region": region
                }],
                "Compliance": { "Status": if resolved { "PASSED" } else if f.verified { "FAILED" } else { "WARNING" } },
                "Workflow": { "Status": if resolved { "RESOLVED" } else { "NEW" } },
                "RecordState": if resolved { "ARCHIVED" } else { "ACTIVE" }
            })
        })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

pub fn render(p: &Posture, target: &AsffTarget) -> String {
    serde_json::to_string_pretty(&findings(p, target)).unwrap_or_default() + "\n"
}
