//! Access control and exposure: AC-1 … AC-9, AC-11 … AC-15.

use super::{
    GatewayControl, GatewayVerdict, checkov, not_applicable_v2_stages, owasp, prowler,
    rest_stage_verdict, sh, v2_stage_verdict,
};
use crate::gateway::{ApiKind, RestApi, TargetFacts};
use crate::model::{ControlState, Severity};
use crate::resource_policy;

pub static CONTROLS: &[GatewayControl] = &[
    GatewayControl {
        id: "AC-1",
        title: "Every REST method requires authorization",
        severity: Severity::High,
        applies_to: &[ApiKind::Rest],
        evidence: "Deployed methods' authorizationType (NONE fails; OPTIONS preflights are exempt). apiKeyRequired \
                   alone is not authentication.",
        remediation: "Set an authorizer (COGNITO_USER_POOLS, CUSTOM Lambda, or AWS_IAM) on every method and redeploy.",
        references: &[
            owasp("API2:2023"),
            checkov("CKV_AWS_59"),
            prowler("apigateway_restapi_authorizers_enabled"),
        ],
        evaluate: ac_1,
    },
    GatewayControl {
        id: "AC-2",
        title: "Every HTTP and WebSocket route specifies an authorization type",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Http, ApiKind::Websocket],
        evidence: "Route AuthorizationType (NONE fails), as Security Hub APIGateway.8 evaluates every route.",
        remediation: "Attach a JWT, Lambda (CUSTOM) or IAM authorizer to the route.",
        references: &[
            sh("APIGateway.8"),
            owasp("API2:2023"),
            checkov("CKV_AWS_309"),
        ],
        evaluate: ac_2,
    },
    GatewayControl {
        id: "AC-3",
        title: "WebSocket $connect is authorized",
        severity: Severity::High,
        applies_to: &[ApiKind::Websocket],
        evidence: "The `$connect` route's AuthorizationType: WebSocket APIs evaluate authorization only on connect.",
        remediation: "Put a Lambda (REQUEST) or IAM authorizer on the $connect route.",
        references: &[owasp("API2:2023")],
        evaluate: ac_3,
    },
    GatewayControl {
        id: "AC-4",
        title: "Public REST APIs have an authorization mechanism",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest],
        evidence: "Endpoint type (not PRIVATE) and the API's authorizers or IAM-authorized methods.",
        remediation: "Add an authorizer (Cognito, Lambda) or IAM authorization to the API.",
        references: &[prowler("apigateway_restapi_authorizers_enabled")],
        evaluate: ac_4,
    },
    GatewayControl {
        id: "AC-5",
        title: "REST endpoint type is PRIVATE unless declared public",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest],
        evidence: "endpointConfiguration.types; tag `apispm:classification=external` declares an intended public API.",
        remediation: "Make internal APIs PRIVATE (VPC endpoint access), or tag intentionally public ones \
                      `apispm:classification=external`.",
        references: &[
            prowler("apigateway_restapi_public"),
            Reference::new("AWS Config", "api-gw-endpoint-type-check"),
        ],
        evaluate: ac_5,
    },
    GatewayControl {
        id: "AC-6",
        title: "The resource policy does not grant invoke to everyone",
        severity: Severity::High,
        applies_to: &[ApiKind::Rest],
        evidence: "The resource policy: Allow, Principal `*`, execute-api:Invoke, with no narrowing condition \
                   (aws:SourceVpce, aws:SourceVpc, aws:SourceIp, aws:PrincipalOrgID).",
        remediation: "Narrow the Allow with a condition (source VPC endpoint, IP range, organization) or remove it.",
        references: &[
            owasp("API8:2023"),
            Reference::new("Cloud Custodian", "cross-account"),
        ],
        evaluate: ac_6,
    },
    GatewayControl {
        id: "AC-7",
        title: "PRIVATE APIs restrict invoke to VPC endpoints",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest],
        evidence: "PRIVATE endpoint type: a resource policy limiting invoke by aws:SourceVpce / aws:SourceVpc.",
        remediation: "Attach a resource policy that allows invoke only from your VPC endpoints.",
        references: &[],
        evaluate: ac_7,
    },
    GatewayControl {
        id: "AC-8",
        title: "The default execute-api endpoint is disabled when a custom domain fronts the API",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest, ApiKind::Http, ApiKind::Websocket],
        evidence: "disableExecuteApiEndpoint, and base-path / API mappings of custom domains to the API.",
        remediation: "Set disableExecuteApiEndpoint so callers cannot bypass the domain's mTLS, WAF and TLS policy.",
        references: &[],
        evaluate: ac_8,
    },
    GatewayControl {
        id: "AC-9",
        title: "REST stages are protected by a WAF web ACL",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest],
        evidence: "Stage webAclArn (WAFv2 or WAF Classic Regional).",
        remediation: "Associate an AWS WAF web ACL with the stage (managed rule groups and a rate-based rule).",
        references: &[
            sh("APIGateway.4"),
            prowler("apigateway_restapi_waf_acl_attached"),
            checkov("CKV2_AWS_29"),
        ],
        evaluate: ac_9,
    },
    GatewayControl {
        id: "AC-11",
        title: "REST methods with input validate their requests",
        severity: Severity::Low,
        applies_to: &[ApiKind::Rest],
        evidence: "Deployed methods with parameters or a body: requestValidatorId and the validator's \
                   validateRequestBody / validateRequestParameters.",
        remediation: "Attach a request validator (body and parameters) to every method that takes input.",
        references: &[owasp("API8:2023"), checkov("CKV2_AWS_53")],
        evaluate: ac_11,
    },
    GatewayControl {
        id: "AC-12",
        title: "Stages are throttled beyond the account default",
        severity: Severity::Low,
        applies_to: &[ApiKind::Rest, ApiKind::Http, ApiKind::Websocket],
        evidence: "REST `*/*` throttling limits or a usage plan with a throttle on the stage; v2 \
                   DefaultRouteSettings throttling. Account-level defaults alone do not count.",
        remediation: "Set stage (or route) throttling rate and burst limits, or attach a throttled usage plan.",
        references: &[owasp("API4:2023")],
        evaluate: ac_12,
    },
    GatewayControl {
        id: "AC-13",
        title: "Methods that require API keys are covered by a usage plan",
        severity: Severity::Low,
        applies_to: &[ApiKind::Rest],
        evidence: "Deployed methods' apiKeyRequired and the usage plans attached to the stage.",
        remediation: "Attach the stage to a usage plan with a throttle and quota; keys without a plan are not enforced.",
        references: &[owasp("API4:2023")],
        evaluate: ac_13,
    },
    GatewayControl {
        id: "AC-14",
        title: "CORS does not allow every origin",
        severity: Severity::Medium,
        applies_to: &[ApiKind::Rest, ApiKind::Http],
        evidence: "HTTP API CorsConfiguration.AllowOrigins; REST gateway responses and deployed method responses \
                   mapping Access-Control-Allow-Origin.",
        remediation: "List the allowed origins explicitly; never combine `*` with credentials.",
        references: &[owasp("API8:2023")],
        evaluate: ac_14,
    },
    GatewayControl {
        id: "AC-15",
        title: "Authorizers are configured soundly",
        severity: Severity::Low,
        applies_to: &[ApiKind::Rest, ApiKind::Http, ApiKind::Websocket],
        evidence: "Authorizers: JWT issuer over https with a non-empty audience; cached Lambda authorizers with an \
                   identity source; Cognito authorizers with provider ARNs.",
        remediation: "Fix the authorizer: https issuer and audience for JWT, identity source for cached Lambda \
                      authorizers, user pool ARNs for Cognito.",
        references: &[owasp("API2:2023")],
        evaluate: ac_15,
    },
];

use crate::controls::Reference;

fn is_private(api: &RestApi) -> bool {
    api.endpoint_types.iter().any(|t| t == "PRIVATE")
}

fn ac_1(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            for m in s.methods.iter().filter(|m| m.http_method != "OPTIONS") {
                let none = m.authorization_type.eq_ignore_ascii_case("NONE")
                    || m.authorization_type.is_empty();
                let detail = if none {
                    format!(
                        "{} {} has authorizationType NONE{} ({})",
                        m.http_method,
                        m.path,
                        if m.api_key_required {
                            "; an API key alone is not authentication"
                        } else {
                            ""
                        },
                        s.definition_source
                    )
                } else {
                    format!(
                        "{} {} authorized by {}",
                        m.http_method, m.path, m.authorization_type
                    )
                };
                out.push(GatewayVerdict::new(
                    t.rest_method_arn(&api.id, &s.name, &m.http_method, &m.path),
                    "AwsApiGatewayMethod",
                    Some(&api.id),
                    if none {
                        ControlState::Absent
                    } else {
                        ControlState::Present
                    },
                    detail,
                ));
            }
        }
    }
    out
}

fn ac_2(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.v2_apis
        .iter()
        .flat_map(|api| {
            api.routes.iter().map(move |r| {
                let none = r.authorization_type.eq_ignore_ascii_case("NONE")
                    || r.authorization_type.is_empty();
                GatewayVerdict::new(
                    t.v2_route_arn(&api.id, &r.id),
                    "AwsApiGatewayV2Route",
                    Some(&api.id),
                    if none {
                        ControlState::Absent
                    } else {
                        ControlState::Present
                    },
                    format!(
                        "route `{}` authorizationType {}",
                        r.route_key,
                        if none { "NONE" } else { &r.authorization_type }
                    ),
                )
            })
        })
        .collect()
}

fn ac_3(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.v2_apis
        .iter()
        .filter(|a| a.is_websocket())
        .map(
            |api| match api.routes.iter().find(|r| r.route_key == "$connect") {
                None => GatewayVerdict::new(
                    t.v2_api_arn(&api.id),
                    "AwsApiGatewayV2Api",
                    Some(&api.id),
                    ControlState::Absent,
                    "no $connect route: connections are accepted without authorization",
                ),
                Some(r) => {
                    let none = r.authorization_type.eq_ignore_ascii_case("NONE")
                        || r.authorization_type.is_empty();
                    GatewayVerdict::new(
                        t.v2_route_arn(&api.id, &r.id),
                        "AwsApiGatewayV2Route",
                        Some(&api.id),
                        if none {
                            ControlState::Absent
                        } else {
                            ControlState::Present
                        },
                        format!(
                            "$connect authorizationType {}",
                            if none { "NONE" } else { &r.authorization_type }
                        ),
                    )
                }
            },
        )
        .collect()
}

fn rest_api_verdict(
    t: &TargetFacts,
    api: &RestApi,
    state: ControlState,
    detail: impl Into<String>,
) -> GatewayVerdict {
    GatewayVerdict::new(
        t.rest_api_arn(&api.id),
        "AwsApiGatewayRestApi",
        Some(&api.id),
        state,
        detail,
    )
}

fn ac_4(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.rest_apis
        .iter()
        .map(|api| {
            if is_private(api) {
                return rest_api_verdict(t, api, ControlState::NotApplicable, "PRIVATE API");
            }
            let iam = api.stages.iter().flat_map(|s| &s.methods).any(|m| {
                !m.authorization_type.eq_ignore_ascii_case("NONE")
                    && !m.authorization_type.is_empty()
            });
            if !api.authorizers.is_empty() || iam {
                rest_api_verdict(
                    t,
                    api,
                    ControlState::Present,
                    format!(
                        "{} authorizer(s), IAM-authorized methods: {iam}",
                        api.authorizers.len()
                    ),
                )
            } else {
                rest_api_verdict(
                    t,
                    api,
                    ControlState::Absent,
                    "public API with no authorizer and no authorized method",
                )
            }
        })
        .collect()
}

fn ac_5(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.rest_apis
        .iter()
        .map(|api| {
            let types = api.endpoint_types.join(", ");
            if is_private(api) {
                rest_api_verdict(t, api, ControlState::Present, "PRIVATE endpoint")
            } else if api
                .tags
                .get("apispm:classification")
                .is_some_and(|c| c == "external")
            {
                rest_api_verdict(
                    t,
                    api,
                    ControlState::Present,
                    format!(
                        "{types} endpoint, declared public by tag apispm:classification=external"
                    ),
                )
            } else {
                rest_api_verdict(
                    t,
                    api,
                    ControlState::Absent,
                    format!("{types} endpoint is reachable from the internet"),
                )
            }
        })
        .collect()
}

fn ac_6(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.rest_apis
        .iter()
        .map(|api| match api.policy.as_deref() {
            None => rest_api_verdict(t, api, ControlState::NotApplicable, "no resource policy"),
            Some(p) => match resource_policy::read(p, &t.account) {
                Err(e) => rest_api_verdict(t, api, ControlState::Unknown, e.to_string()),
                Ok(r) if !r.public_grants.is_empty() => rest_api_verdict(
                    t,
                    api,
                    ControlState::Absent,
                    format!("statement(s) {} allow execute-api:Invoke to any principal with no condition", r.public_grants.join(", ")),
                ),
                Ok(r) if !r.other_accounts.is_empty() => rest_api_verdict(
                    t,
                    api,
                    ControlState::Present,
                    format!("not public; grants other accounts: {}", r.other_accounts.join(", ")),
                ),
                Ok(_) => rest_api_verdict(t, api, ControlState::Present, "no unconditional public grant"),
            },
        })
        .collect()
}

fn ac_7(t: &TargetFacts) -> Vec<GatewayVerdict> {
    t.rest_apis
        .iter()
        .map(|api| {
            if !is_private(api) {
                return rest_api_verdict(t, api, ControlState::NotApplicable, "not a PRIVATE API");
            }
            match api.policy.as_deref() {
                None => rest_api_verdict(
                    t,
                    api,
                    ControlState::Absent,
                    "PRIVATE API without a resource policy (cannot be invoked)",
                ),
                Some(p) => match resource_policy::read(p, &t.account) {
                    Err(e) => rest_api_verdict(t, api, ControlState::Unknown, e.to_string()),
                    Ok(r) if r.vpc_restricted => rest_api_verdict(
                        t,
                        api,
                        ControlState::Present,
                        "invoke limited to VPC endpoints / VPCs",
                    ),
                    Ok(_) => rest_api_verdict(
                        t,
                        api,
                        ControlState::Absent,
                        "the policy does not limit invoke to VPC endpoints",
                    ),
                },
            }
        })
        .collect()
}

fn ac_8(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    let judge =
        |domains: Vec<&crate::gateway::DomainName>, disabled: bool| -> (ControlState, String) {
            if domains.is_empty() {
                return (
                    ControlState::NotApplicable,
                    "no custom domain maps this API".into(),
                );
            }
            let names: Vec<&str> = domains.iter().map(|d| d.name.as_str()).collect();
            if disabled {
                (
                    ControlState::Present,
                    format!(
                        "execute-api endpoint disabled; served by {}",
                        names.join(", ")
                    ),
                )
            } else {
                (
                    ControlState::Absent,
                    format!(
                        "mapped to {} but the execute-api endpoint still answers",
                        names.join(", ")
                    ),
                )
            }
        };
    for api in &t.rest_apis {
        let (state, detail) = judge(
            t.domains_for(&api.id, None),
            api.disable_execute_api_endpoint,
        );
        out.push(rest_api_verdict(t, api, state, detail));
    }
    for api in &t.v2_apis {
        let (state, detail) = judge(
            t.domains_for(&api.id, None),
            api.disable_execute_api_endpoint,
        );
        out.push(GatewayVerdict::new(
            t.v2_api_arn(&api.id),
            "AwsApiGatewayV2Api",
            Some(&api.id),
            state,
            detail,
        ));
    }
    out
}

fn ac_9(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out: Vec<GatewayVerdict> = t
        .rest_apis
        .iter()
        .flat_map(|api| {
            api.stages.iter().map(move |s| {
                match s.web_acl_arn.as_deref().filter(|a| !a.is_empty()) {
                    Some(acl) => {
                        rest_stage_verdict(t, &api.id, &s.name, true, format!("web ACL {acl}"))
                    }
                    None => {
                        rest_stage_verdict(t, &api.id, &s.name, false, "no WAF web ACL associated")
                    }
                }
            })
        })
        .collect();
    out.extend(not_applicable_v2_stages(
        t,
        &[ApiKind::Http, ApiKind::Websocket],
        "cannot be associated with AWS WAF",
    ));
    out
}

fn ac_11(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let with_input: Vec<_> = s.methods.iter().filter(|m| m.has_inputs).collect();
            if with_input.is_empty() {
                out.push(GatewayVerdict::new(
                    t.rest_stage_arn(&api.id, &s.name),
                    "AwsApiGatewayStage",
                    Some(&api.id),
                    ControlState::NotApplicable,
                    "no method declares parameters or a body",
                ));
                continue;
            }
            let unvalidated: Vec<String> = with_input
                .iter()
                .filter(|m| {
                    let validator = m
                        .request_validator_id
                        .as_deref()
                        .and_then(|id| api.request_validators.iter().find(|v| v.id == id));
                    !validator
                        .is_some_and(|v| v.validate_request_body || v.validate_request_parameters)
                })
                .map(|m| format!("{} {}", m.http_method, m.path))
                .collect();
            out.push(rest_stage_verdict(
                t,
                &api.id,
                &s.name,
                unvalidated.is_empty(),
                if unvalidated.is_empty() {
                    format!("{} methods with input all validate", with_input.len())
                } else {
                    format!("no request validation on {}", unvalidated.join(", "))
                },
            ));
        }
    }
    out.extend(not_applicable_v2_stages(
        t,
        &[ApiKind::Http, ApiKind::Websocket],
        "have no request validators",
    ));
    out
}

fn ac_12(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let stage = s.default_setting().is_some_and(|d| {
                t.throttle_is_effective(d.throttling_rate_limit, d.throttling_burst_limit)
            });
            let plans: Vec<&str> = t
                .usage_plans_for(&api.id, &s.name)
                .into_iter()
                .filter(|p| p.throttled)
                .map(|p| p.name.as_str())
                .collect();
            let detail = if stage {
                "stage `*/*` throttling limits set".to_string()
            } else if !plans.is_empty() {
                format!("throttled by usage plan(s) {}", plans.join(", "))
            } else {
                "no stage throttling below the account default and no throttled usage plan"
                    .to_string()
            };
            out.push(rest_stage_verdict(
                t,
                &api.id,
                &s.name,
                stage || !plans.is_empty(),
                detail,
            ));
        }
    }
    for api in &t.v2_apis {
        for s in &api.stages {
            let d = &s.default_route_settings;
            let ok = t.throttle_is_effective(d.throttling_rate_limit, d.throttling_burst_limit);
            out.push(v2_stage_verdict(
                t,
                &api.id,
                &s.name,
                ok,
                if ok {
                    "default route throttling set"
                } else {
                    "no default route throttling: only the account default applies"
                },
            ));
        }
    }
    out
}

fn ac_13(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        for s in &api.stages {
            let keyed: Vec<String> = s
                .methods
                .iter()
                .filter(|m| m.api_key_required)
                .map(|m| format!("{} {}", m.http_method, m.path))
                .collect();
            if keyed.is_empty() {
                out.push(GatewayVerdict::new(
                    t.rest_stage_arn(&api.id, &s.name),
                    "AwsApiGatewayStage",
                    Some(&api.id),
                    ControlState::NotApplicable,
                    "no method requires an API key",
                ));
                continue;
            }
            let plans = t.usage_plans_for(&api.id, &s.name);
            out.push(rest_stage_verdict(
                t,
                &api.id,
                &s.name,
                !plans.is_empty(),
                if plans.is_empty() {
                    format!(
                        "{} require API keys but no usage plan covers the stage",
                        keyed.join(", ")
                    )
                } else {
                    format!(
                        "covered by usage plan(s) {}",
                        plans
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            ));
        }
    }
    out
}

fn ac_14(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        let mut wildcards: Vec<String> = api
            .gateway_responses
            .iter()
            .filter(|r| {
                r.response_parameters.iter().any(|(k, v)| {
                    k.to_ascii_lowercase()
                        .ends_with("access-control-allow-origin")
                        && v.trim_matches('\'') == "*"
                })
            })
            .map(|r| format!("gateway response {}", r.response_type))
            .collect();
        for s in &api.stages {
            for m in &s.methods {
                if m.cors_allow_origin
                    .as_deref()
                    .is_some_and(|o| o.trim_matches('\'') == "*")
                {
                    let what = format!("{} {}", m.http_method, m.path);
                    if !wildcards.contains(&what) {
                        wildcards.push(what);
                    }
                }
            }
        }
        out.push(if wildcards.is_empty() {
            rest_api_verdict(
                t,
                api,
                ControlState::Present,
                "no Access-Control-Allow-Origin '*' mapped",
            )
        } else {
            rest_api_verdict(
                t,
                api,
                ControlState::Absent,
                format!(
                    "Access-Control-Allow-Origin '*' on {}",
                    wildcards.join(", ")
                ),
            )
        });
    }
    for api in &t.v2_apis {
        let arn = t.v2_api_arn(&api.id);
        if api.is_websocket() {
            out.push(GatewayVerdict::new(
                arn,
                "AwsApiGatewayV2Api",
                Some(&api.id),
                ControlState::NotApplicable,
                "WebSocket APIs have no CORS",
            ));
            continue;
        }
        let (state, detail) = match &api.cors {
            None => (
                ControlState::Present,
                "no CORS configuration: cross-origin reads are not granted".to_string(),
            ),
            Some(c) if c.allow_origins.iter().any(|o| o == "*") => (
                ControlState::Absent,
                format!(
                    "AllowOrigins contains *{}",
                    if c.allow_credentials {
                        " with AllowCredentials"
                    } else {
                        ""
                    }
                ),
            ),
            Some(c) => (
                ControlState::Present,
                format!("AllowOrigins {}", c.allow_origins.join(", ")),
            ),
        };
        out.push(GatewayVerdict::new(
            arn,
            "AwsApiGatewayV2Api",
            Some(&api.id),
            state,
            detail,
        ));
    }
    out
}

fn ac_15(t: &TargetFacts) -> Vec<GatewayVerdict> {
    let judge = |authorizers: &[crate::gateway::Authorizer]| -> (ControlState, String) {
        if authorizers.is_empty() {
            return (ControlState::NotApplicable, "no authorizers".into());
        }
        let mut problems = Vec::new();
        for a in authorizers {
            match a.authorizer_type.as_str() {
                "JWT" => {
                    if !a
                        .jwt_issuer
                        .as_deref()
                        .is_some_and(|i| i.starts_with("https://"))
                    {
                        problems.push(format!("{}: JWT issuer is not https", a.name));
                    }
                    if a.jwt_audience.is_empty() {
                        problems.push(format!("{}: JWT audience is empty", a.name));
                    }
                }
                "COGNITO_USER_POOLS" if a.provider_arns.is_empty() => {
                    problems.push(format!("{}: no user pool ARNs", a.name))
                }
                "TOKEN" | "REQUEST"
                    if a.result_ttl_seconds.unwrap_or(0) > 0
                        && a.identity_source.as_deref().unwrap_or("").is_empty() =>
                {
                    problems.push(format!(
                        "{}: cached results without an identity source",
                        a.name
                    ))
                }
                _ => {}
            }
        }
        if problems.is_empty() {
            (
                ControlState::Present,
                format!("{} authorizer(s) configured soundly", authorizers.len()),
            )
        } else {
            (ControlState::Absent, problems.join("; "))
        }
    };
    let mut out = Vec::new();
    for api in &t.rest_apis {
        let (state, detail) = judge(&api.authorizers);
        out.push(rest_api_verdict(t, api, state, detail));
    }
    for api in &t.v2_apis {
        let (state, detail) = judge(&api.authorizers);
        out.push(GatewayVerdict::new(
            t.v2_api_arn(&api.id),
            "AwsApiGatewayV2Api",
            Some(&api.id),
            state,
            detail,
        ));
    }
    out
}
