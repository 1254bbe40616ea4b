//! Gateway configuration controls: the catalogue of `reference/aws-apigateway-controls.md` §5
//! (LOG-*, DP-*, AC-*), at Security Hub's standard or stricter.
//!
//! Each control is one declarative entry (id, title, severity, the API types it applies to,
//! evidence, remediation, references) and a pure function from one target's facts to one verdict
//! per resource. Resources of a type the control does not apply to get `not_applicable` (HTTP APIs
//! have no WAF, X-Ray, cache or client certificates), never a failure. Adding a control is one
//! entry in its family's list.

mod access_control;
mod data_protection;
mod logging;

use crate::controls::Reference;
use crate::gateway::{ApiKind, TargetFacts};
use crate::model::{ControlState, Severity};
use serde::{Deserialize, Serialize};

pub struct GatewayControl {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub applies_to: &'static [ApiKind],
    pub evidence: &'static str,
    pub remediation: &'static str,
    pub references: &'static [Reference],
    pub evaluate: fn(&TargetFacts) -> Vec<GatewayVerdict>,
}

/// One control's verdict on one gateway resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayVerdict {
    /// The resource's ARN (REST API, stage, route, integration, domain, method invoke ARN).
    pub resource: String,
    /// ASFF-style type: AwsApiGatewayRestApi, AwsApiGatewayStage, AwsApiGatewayV2Api,
    /// AwsApiGatewayV2Stage, AwsApiGatewayV2Route, AwsApiGatewayV2Integration,
    /// AwsApiGatewayDomainName, AwsApiGatewayMethod, AwsApiGatewayAccount.
    pub resource_type: String,
    pub api_id: Option<String>,
    pub state: ControlState,
    pub detail: String,
}

impl GatewayVerdict {
    pub fn new(
        resource: String,
        resource_type: &str,
        api_id: Option<&str>,
        state: ControlState,
        detail: impl Into<String>,
    ) -> Self {
        GatewayVerdict {
            resource,
            resource_type: resource_type.to_string(),
            api_id: api_id.map(str::to_string),
            state,
            detail: detail.into(),
        }
    }
}

pub fn catalogue() -> impl Iterator<Item = &'static GatewayControl> {
    logging::CONTROLS
        .iter()
        .chain(data_protection::CONTROLS)
        .chain(access_control::CONTROLS)
}

pub fn find(id: &str) -> Option<&'static GatewayControl> {
    catalogue().find(|c| c.id == id)
}

const fn sh(id: &'static str) -> Reference {
    Reference {
        standard: "Security Hub",
        id,
    }
}
const fn owasp(id: &'static str) -> Reference {
    Reference {
        standard: "OWASP API Top 10 2023",
        id,
    }
}
const fn checkov(id: &'static str) -> Reference {
    Reference {
        standard: "Checkov",
        id,
    }
}
const fn prowler(id: &'static str) -> Reference {
    Reference {
        standard: "Prowler",
        id,
    }
}

/// Verdicts for every stage of the given v2 kinds, saying the feature does not exist there.
fn not_applicable_v2_stages(t: &TargetFacts, kinds: &[ApiKind], why: &str) -> Vec<GatewayVerdict> {
    t.v2_apis
        .iter()
        .filter(|a| kinds.contains(&ApiKind::of_v2(a)))
        .flat_map(|a| {
            a.stages.iter().map(move |s| {
                GatewayVerdict::new(
                    t.v2_stage_arn(&a.id, &s.name),
                    "AwsApiGatewayV2Stage",
                    Some(&a.id),
                    ControlState::NotApplicable,
                    format!("{} APIs {why}", ApiKind::of_v2(a).as_str()),
                )
            })
        })
        .collect()
}

fn rest_stage_verdict(
    t: &TargetFacts,
    api: &str,
    stage: &str,
    ok: bool,
    detail: impl Into<String>,
) -> GatewayVerdict {
    GatewayVerdict::new(
        t.rest_stage_arn(api, stage),
        "AwsApiGatewayStage",
        Some(api),
        if ok {
            ControlState::Present
        } else {
            ControlState::Absent
        },
        detail,
    )
}

fn v2_stage_verdict(
    t: &TargetFacts,
    api: &str,
    stage: &str,
    ok: bool,
    detail: impl Into<String>,
) -> GatewayVerdict {
    GatewayVerdict::new(
        t.v2_stage_arn(api, stage),
        "AwsApiGatewayV2Stage",
        Some(api),
        if ok {
            ControlState::Present
        } else {
            ControlState::Absent
        },
        detail,
    )
}

#[cfg(test)]
mod tests;
