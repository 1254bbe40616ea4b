//! Logging and monitoring: LOG-1 … LOG-5, LOG-7 … LOG-10.

use super::{
    GatewayControl, GatewayVerdict, checkov, not_applicable_v2_stages, prowler, rest_stage_verdict,
    sh, v2_stage_verdict,
};
use crate::gateway::{ApiKind, TargetFacts};
use crate::model::{ControlState, Severity};

pub static CONTROLS: &[GatewayControl] = &[
    GatewayControl {
        id: "LOG-1",
        title: "REST execution logging is ERROR or INFO on the stage default and every override",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest],
        evidence: "Stage methodSettings: `*/*`.loggingLevel and every per-method override's loggingLevel.",
        remediation: "Set the stage's default method setting (`*/*`) loggingLevel to ERROR or INFO and remove \
                      per-method overrides that set it to OFF; configure the account's CloudWatch role first.",
        references: &[
            sh("APIGateway.1"),
            prowler("apigateway_restapi_logging_enabled"),
            checkov("CKV2_AWS_4"),
        ],
        evaluate: log_1,
    },
    GatewayControl {
        id: "LOG-2",
        title: "WebSocket execution logging is ERROR or INFO on the default route settings and every route override",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Websocket],
        evidence: "Stage DefaultRouteSettings.LoggingLevel and every RouteSettings override.",
        remediation: "Set DefaultRouteSettings.LoggingLevel to ERROR or INFO on every WebSocket stage and keep \
                      route overrides at ERROR or INFO.",
        references: &[sh("APIGateway.1")],
        evaluate: log_2,
    },
    GatewayControl {
        id: "LOG-3",
        title: "REST stages write access logs",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest],
        evidence: "Stage accessLogSettings.destinationArn.",
        remediation: "Configure access logging on the stage to a CloudWatch Logs group or a Firehose stream \
                      named amazon-apigateway-*, in JSON with $context.requestId.",
        references: &[checkov("CKV_AWS_76"), Reference::new("Trivy", "AWS-0001")],
        evaluate: log_3,
    },
    GatewayControl {
        id: "LOG-4",
        title: "HTTP and WebSocket stages write access logs",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Http, ApiKind::Websocket],
        evidence: "Stage AccessLogSettings.DestinationArn.",
        remediation: "Set AccessLogSettings (DestinationArn and Format) on every v2 stage.",
        references: &[
            sh("APIGateway.9"),
            prowler("apigatewayv2_api_access_logging_enabled"),
            checkov("CKV_AWS_95"),
        ],
        evaluate: log_4,
    },
    GatewayControl {
        id: "LOG-5",
        title: "Access-log format records what an investigation needs",
        severity: Severity::Low,
        applies_to: &[ApiKind::Rest, ApiKind::Http, ApiKind::Websocket],
        evidence: "The access-log format: $context.requestId (or extendedRequestId), identity.sourceIp, \
                   requestTime, httpMethod, resourcePath/routeKey/path, status.",
        remediation: "Use a JSON access-log format with requestId, sourceIp, requestTime, httpMethod, \
                      resourcePath or routeKey, status, and the authorizer and WAF error fields.",
        references: &[],
        evaluate: log_5,
    },
    GatewayControl {
        id: "LOG-7",
        title: "The account's CloudWatch role is set where stages log",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest, ApiKind::Websocket],
        evidence: "get_account cloudwatchRoleArn, in a region whose REST or WebSocket stages enable execution logging.",
        remediation: "Set the API Gateway account's CloudWatch Logs role ARN (apigateway update-account) in \
                      every region with logging stages; without it execution logs silently drop.",
        references: &[Reference::new("Cloud Custodian", "rest-account")],
        evaluate: log_7,
    },
    GatewayControl {
        id: "LOG-8",
        title: "Full request and response data tracing is off",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest, ApiKind::Websocket],
        evidence: "dataTraceEnabled on the stage default and every override (REST methodSettings, WebSocket route settings).",
        remediation: "Turn off data trace logging (dataTraceEnabled) in production: it logs full request and \
                      response bodies, secrets and PII included.",
        references: &[checkov("CKV_AWS_276")],
        evaluate: log_8,
    },
    GatewayControl {
        id: "LOG-9",
        title: "REST stages trace with AWS X-Ray",
        severity: Severity::Low,
        applies_to: &[ApiKind::Rest],
        evidence: "Stage tracingEnabled.",
        remediation: "Enable X-Ray active tracing on the stage.",
        references: &[
            sh("APIGateway.3"),
            prowler("apigateway_restapi_tracing_enabled"),
            checkov("CKV_AWS_73"),
        ],
        evaluate: log_9,
    },
    GatewayControl {
        id: "LOG-10",
        title: "Detailed CloudWatch metrics are on",
        severity: Severity::Low,
        applies_to: &[ApiKind::Rest, ApiKind::Http, ApiKind::Websocket],
        evidence: "REST `*/*`.metricsEnabled; v2 DefaultRouteSettings.DetailedMetricsEnabled.",
        remediation: "Enable detailed metrics on the stage default settings.",
        references: &[
            Reference::new(
                "AWS Config",
                "api-gwv2-stage-default-route-detailed-metrics-enabled",
            ),
            checkov("CKV2_AWS_4"),
        ],
        evaluate: log_10,
    },
];

use crate::controls::Reference;

fn logs(level: Option<&str>) -> bool {
    matches!(
        level.map(str::to_ascii_uppercase).as_deref(),
        Some("ERROR" | "INFO")
    )
}

fn log_1(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let verdict = match s.default_setting() {
                None => rest_stage_verdict(
                    t,
                    &api.id,
                    &s.name,
                    false,
                    "no `*/*` method setting: execution logging is off",
                ),
                Some(d) if !logs(d.logging_level.as_deref()) => rest_stage_verdict(
                    t,
                    &api.id,
                    &s.name,
                    false,
                    format!(
                        "stage default loggingLevel is {}",
                        d.logging_level.as_deref().unwrap_or("OFF")
                    ),
                ),
                Some(_) => {
                    let off: Vec<&str> = s
                        .method_settings
                        .iter()
                        .filter(|(k, v)| *k != "*/*" && !logs(v.logging_level.as_deref()))
                        .map(|(k, _)| k.as_str())
                        .collect();
                    if off.is_empty() {
                        rest_stage_verdict(
                            t,
                            &api.id,
                            &s.name,
                            true,
                            "ERROR or INFO on the default and every override",
                        )
                    } else {
                        rest_stage_verdict(
                            t,
                            &api.id,
                            &s.name,
                            false,
                            format!("overrides turn logging off: {}", off.join(", ")),
                        )
                    }
                }
            };
            out.push(verdict);
        }
    }
    out.extend(not_applicable_v2_stages(
        t,
        &[ApiKind::Http],
        "have no execution logging",
    ));
    out
}

fn log_2(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in t.v2_apis.iter().filter(|a| a.is_websocket()) {
        for s in &api.stages {
            let default_ok = logs(s.default_route_settings.logging_level.as_deref());
            let off: Vec<&str> = s
                .route_settings
                .iter()
                .filter(|(_, v)| !logs(v.logging_level.as_deref()))
                .map(|(k, _)| k.as_str())
                .collect();
            out.push(if !default_ok {
                v2_stage_verdict(
                    t,
                    &api.id,
                    &s.name,
                    false,
                    format!(
                        "default route loggingLevel is {}",
                        s.default_route_settings
                            .logging_level
                            .as_deref()
                            .unwrap_or("OFF")
                    ),
                )
            } else if !off.is_empty() {
                v2_stage_verdict(
                    t,
                    &api.id,
                    &s.name,
                    false,
                    format!("route overrides turn logging off: {}", off.join(", ")),
                )
            } else {
                v2_stage_verdict(
                    t,
                    &api.id,
                    &s.name,
                    true,
                    "ERROR or INFO on the default and every route",
                )
            });
        }
    }
    out.extend(not_applicable_v2_stages(
        t,
        &[ApiKind::Http],
        "have no execution logging",
    ));
    out
}

fn log_3(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.rest_apis
        .iter()
        .flat_map(|api| {
            api.stages.iter().map(move |s| {
                match s
                    .access_log
                    .as_ref()
                    .and_then(|l| l.destination_arn.as_deref())
                {
                    Some(dest) => rest_stage_verdict(
                        t,
                        &api.id,
                        &s.name,
                        true,
                        format!("access logs to {dest}"),
                    ),
                    None => rest_stage_verdict(
                        t,
                        &api.id,
                        &s.name,
                        false,
                        "no accessLogSettings.destinationArn",
                    ),
                }
            })
        })
        .collect()
}

fn log_4(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.v2_apis
        .iter()
        .flat_map(|api| {
            api.stages.iter().map(move |s| {
                match s
                    .access_log
                    .as_ref()
                    .and_then(|l| l.destination_arn.as_deref())
                {
                    Some(dest) => v2_stage_verdict(
                        t,
                        &api.id,
                        &s.name,
                        true,
                        format!("access logs to {dest}"),
                    ),
                    None => v2_stage_verdict(t, &api.id, &s.name, false, "no AccessLogSettings"),
                }
            })
        })
        .collect()
}

/// The `$context` fields an access-log format must carry, with accepted alternatives.
const LOG_FIELDS: &[&[&str]] = &[
    &["$context.requestId", "$context.extendedRequestId"],
    &["$context.identity.sourceIp"],
    &["$context.requestTime", "$context.requestTimeEpoch"],
    &["$context.httpMethod", "$context.eventType"],
    &[
        "$context.resourcePath",
        "$context.routeKey",
        "$context.path",
    ],
    &["$context.status"],
];

fn missing_log_fields(format: &str) -> Vec<&'static str> {
    LOG_FIELDS
        .iter()
        .filter(|alts| !alts.iter().any(|f| format.contains(f)))
        .map(|alts| alts[0])
        .collect()
}

fn log_5(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let judge = |format: Option<&str>| -> (ControlState, String) {
        match format {
            None => (
                ControlState::NotApplicable,
                "no access log configured (LOG-3/LOG-4)".to_string(),
            ),
            Some(f) => {
                let missing = missing_log_fields(f);
                if missing.is_empty() {
                    (
                        ControlState::Present,
                        "format records request id, caller, time, method, route and status".into(),
                    )
                } else {
                    (
                        ControlState::Absent,
                        format!("format lacks {}", missing.join(", ")),
                    )
                }
            }
        }
    };
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let format = s
                .access_log
                .as_ref()
                .filter(|l| l.destination_arn.is_some())
                .and_then(|l| l.format.as_deref());
            let (state, detail) = judge(
                format.or(s
                    .access_log
                    .as_ref()
                    .and_then(|l| l.destination_arn.as_ref())
                    .map(|_| "")),
            );
            out.push(GatewayVerdict::new(
                t.rest_stage_arn(&api.id, &s.name),
                "AwsApiGatewayStage",
                Some(&api.id),
                state,
                detail,
            ));
        }
    }
    for api in &t.v2_apis {
        for s in &api.stages {
            let format = s
                .access_log
                .as_ref()
                .filter(|l| l.destination_arn.is_some())
                .map(|l| l.format.as_deref().unwrap_or(""));
            let (state, detail) = judge(format);
            out.push(GatewayVerdict::new(
                t.v2_stage_arn(&api.id, &s.name),
                "AwsApiGatewayV2Stage",
                Some(&api.id),
                state,
                detail,
            ));
        }
    }
    out
}

fn log_7(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let rest_logging = t.rest_apis.iter().flat_map(|a| &a.stages).any(|s| {
        s.method_settings
            .values()
            .any(|m| logs(m.logging_level.as_deref()))
    });
    let ws_logging = t
        .v2_apis
        .iter()
        .filter(|a| a.is_websocket())
        .flat_map(|a| &a.stages)
        .any(|s| {
            logs(s.default_route_settings.logging_level.as_deref())
                || s.route_settings
                    .values()
                    .any(|r| logs(r.logging_level.as_deref()))
        });
    let resource = t.account_scope();
    let verdict = |state, detail: &str| {
        GatewayVerdict::new(
            resource.clone(),
            "AwsApiGatewayAccount",
            None,
            state,
            detail,
        )
    };
    if !rest_logging && !ws_logging {
        return vec![verdict(
            ControlState::NotApplicable,
            "no stage in this region enables execution logging",
        )];
    }
    vec![match &t.account_settings {
        None => verdict(
            ControlState::Unknown,
            "the account settings could not be read",
        ),
        Some(a) => match a.cloudwatch_role_arn.as_deref().filter(|r| !r.is_empty()) {
            Some(role) => verdict(ControlState::Present, &format!("CloudWatch role {role}")),
            None => verdict(
                ControlState::Absent,
                "stages enable execution logging but the account has no CloudWatch role",
            ),
        },
    }]
}

fn log_8(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let on: Vec<&str> = s
                .method_settings
                .iter()
                .filter(|(_, m)| m.data_trace_enabled)
                .map(|(k, _)| k.as_str())
                .collect();
            out.push(rest_stage_verdict(
                t,
                &api.id,
                &s.name,
                on.is_empty(),
                if on.is_empty() {
                    "data trace is off".to_string()
                } else {
                    format!("dataTraceEnabled on {}", on.join(", "))
                },
            ));
        }
    }
    for api in t.v2_apis.iter().filter(|a| a.is_websocket()) {
        for s in &api.stages {
            let mut on: Vec<&str> = s
                .route_settings
                .iter()
                .filter(|(_, r)| r.data_trace_enabled)
                .map(|(k, _)| k.as_str())
                .collect();
            if s.default_route_settings.data_trace_enabled {
                on.insert(0, "default route settings");
            }
            out.push(v2_stage_verdict(
                t,
                &api.id,
                &s.name,
                on.is_empty(),
                if on.is_empty() {
                    "data trace is off".to_string()
                } else {
                    format!("DataTraceEnabled on {}", on.join(", "))
                },
            ));
        }
    }
    out.extend(not_applicable_v2_stages(
        t,
        &[ApiKind::Http],
        "have no data trace logging",
    ));
    out
}

fn log_9(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out: Vec<GatewayVerdict> = t
        .rest_apis
        .iter()
        .flat_map(|api| {
            api.stages.iter().map(move |s| {
                rest_stage_verdict(
                    t,
                    &api.id,
                    &s.name,
                    s.tracing_enabled,
                    if s.tracing_enabled {
                        "X-Ray tracing on"
                    } else {
                        "tracingEnabled is false"
                    },
                )
            })
        })
        .collect();
    out.extend(not_applicable_v2_stages(
        t,
        &[ApiKind::Http, ApiKind::Websocket],
        "do not support X-Ray tracing",
    ));
    out
}

fn log_10(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let on = s.default_setting().is_some_and(|d| d.metrics_enabled);
            out.push(rest_stage_verdict(
                t,
                &api.id,
                &s.name,
                on,
                if on {
                    "metricsEnabled on `*/*`"
                } else {
                    "metricsEnabled is off on `*/*`"
                },
            ));
        }
    }
    for api in &t.v2_apis {
        for s in &api.stages {
            let on = s.default_route_settings.detailed_metrics_enabled;
            out.push(v2_stage_verdict(
                t,
                &api.id,
                &s.name,
                on,
                if on {
                    "DetailedMetricsEnabled"
                } else {
                    "DetailedMetricsEnabled is false"
                },
            ));
        }
    }
    out
}
