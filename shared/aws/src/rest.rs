//! REST (v1) APIs: per API `get_stages`, `get_authorizers`, `get_request_validators`,
//! `get_gateway_responses`; per stage `get_export` (the deployed definition); and only when an
//! export fails or carries no extensions, one `get_resources(embed=methods)` for the API's
//! working copy (never `get_method` per method).

use crate::secrets::stage_variables;
use crate::{Clients, describe_error};
use apispm_core::gateway::{
    AccessLog, Authorizer, CollectionError, GatewayResponse, Integration, MethodSetting,
    RequestValidator, RestApi, RestMethod, RestStage, TargetFacts,
};
use apispm_core::gateway_export::parse_rest_export;
use std::collections::BTreeMap;

pub async fn collect(c: &Clients, facts: &mut TargetFacts) {
    let apis: Result<Vec<_>, _> =
        c.v1.get_rest_apis()
            .limit(500)
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
    let apis = match apis {
        Ok(a) => a,
        Err(e) => {
            facts.errors.push(CollectionError {
                resource: facts.account_scope(),
                operation: "apigateway:GetRestApis".into(),
                reason: describe_error(&e),
            });
            return;
        }
    };
    let shared: &TargetFacts = facts;
    let (rest_apis, errors) = c
        .each_api(apis, |api| collect_api(c, shared, api), |a: &RestApi| &a.id)
        .await;
    facts.rest_apis = rest_apis;
    facts.errors.extend(errors);
}

async fn collect_api(
    c: &Clients,
    t: &TargetFacts,
    api: aws_sdk_apigateway::types::RestApi,
) -> (RestApi, Vec<CollectionError>) {
    let id = api.id().unwrap_or_default().to_string();
    let arn = t.rest_api_arn(&id);
    let mut errors = Vec::new();
    let mut fail = |op: &str, reason: String| {
        errors.push(CollectionError {
            resource: arn.clone(),
            operation: op.into(),
            reason,
        });
    };
    let mut out = RestApi {
        id: id.clone(),
        name: api.name().unwrap_or_default().to_string(),
        endpoint_types: api
            .endpoint_configuration()
            .map(|e| e.types().iter().map(|t| t.as_str().to_string()).collect())
            .unwrap_or_default(),
        vpc_endpoint_ids: api
            .endpoint_configuration()
            .map(|e| e.vpc_endpoint_ids().to_vec())
            .unwrap_or_default(),
        // The policy comes back as an escaped JSON string.
        policy: api
            .policy()
            .map(|p| p.replace("\\\"", "\"").replace("\\/", "/")),
        api_key_source: api.api_key_source().map(|s| s.as_str().to_string()),
        disable_execute_api_endpoint: api.disable_execute_api_endpoint(),
        tags: api
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        ..RestApi::default()
    };

    match c
        .v1
        .get_authorizers()
        .rest_api_id(&id)
        .limit(500)
        .send()
        .await
    {
        Ok(a) => {
            out.authorizers = a
                .items()
                .iter()
                .map(|a| Authorizer {
                    id: a.id().unwrap_or_default().to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                    authorizer_type: a
                        .r#type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    identity_source: a.identity_source().map(str::to_string),
                    result_ttl_seconds: a.authorizer_result_ttl_in_seconds(),
                    jwt_issuer: None,
                    jwt_audience: Vec::new(),
                    provider_arns: a.provider_arns().to_vec(),
                })
                .collect()
        }
        Err(e) => fail("apigateway:GetAuthorizers", describe_error(&e)),
    }
    match c
        .v1
        .get_request_validators()
        .rest_api_id(&id)
        .limit(500)
        .send()
        .await
    {
        Ok(v) => {
            out.request_validators = v
                .items()
                .iter()
                .map(|v| RequestValidator {
                    id: v.id().unwrap_or_default().to_string(),
                    validate_request_body: v.validate_request_body(),
                    validate_request_parameters: v.validate_request_parameters(),
                })
                .collect()
        }
        Err(e) => fail("apigateway:GetRequestValidators", describe_error(&e)),
    }
    match c
        .v1
        .get_gateway_responses()
        .rest_api_id(&id)
        .limit(500)
        .send()
        .await
    {
        Ok(r) => {
            out.gateway_responses = r
                .items()
                .iter()
                .map(|r| GatewayResponse {
                    response_type: r
                        .response_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    response_parameters: r
                        .response_parameters()
                        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                })
                .collect()
        }
        Err(e) => fail("apigateway:GetGatewayResponses", describe_error(&e)),
    }

    let stages = match c.v1.get_stages().rest_api_id(&id).send().await {
        Ok(s) => s.item().to_vec(),
        Err(e) => {
            fail("apigateway:GetStages", describe_error(&e));
            Vec::new()
        }
    };
    let mut working_copy: Option<Result<Vec<RestMethod>, String>> = None;
    for s in stages {
        let name = s.stage_name().unwrap_or_default().to_string();
        let mut stage = RestStage {
            name: name.clone(),
            deployment_id: s.deployment_id().map(str::to_string),
            method_settings: s
                .method_settings()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                MethodSetting {
                                    logging_level: v.logging_level().map(str::to_string),
                                    data_trace_enabled: v.data_trace_enabled(),
                                    metrics_enabled: v.metrics_enabled(),
                                    caching_enabled: v.caching_enabled(),
                                    cache_data_encrypted: v.cache_data_encrypted(),
                                    throttling_burst_limit: Some(v.throttling_burst_limit())
                                        .filter(|b| *b > 0),
                                    throttling_rate_limit: Some(v.throttling_rate_limit())
                                        .filter(|r| *r > 0.0),
                                },
                            )
                        })
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default(),
            access_log: s.access_log_settings().map(|l| AccessLog {
                destination_arn: l.destination_arn().map(str::to_string),
                format: l.format().map(str::to_string),
            }),
            client_certificate_id: s.client_certificate_id().map(str::to_string),
            tracing_enabled: s.tracing_enabled(),
            web_acl_arn: s.web_acl_arn().map(str::to_string),
            cache_cluster_enabled: s.cache_cluster_enabled(),
            variables: stage_variables(s.variables()),
            tags: s
                .tags()
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            ..RestStage::default()
        };
        let export =
            c.v1.get_export()
                .rest_api_id(&id)
                .stage_name(&name)
                .export_type("oas30")
                .parameters("extensions", "apigateway")
                .accepts("application/json")
                .send()
                .await;
        let why_not = match export {
            Ok(exported) => match exported.body().map(|b| parse_rest_export(b.as_ref())) {
                Some(Ok(parsed)) if parsed.has_extensions => {
                    stage.methods = parsed.methods;
                    stage.definition_source = "export".into();
                    // Export validators are referenced by name (`export:<name>`); keep them
                    // beside the API's own so controls resolve either.
                    for v in parsed.validators {
                        if !out.request_validators.iter().any(|x| x.id == v.id) {
                            out.request_validators.push(v);
                        }
                    }
                    None
                }
                Some(Ok(_)) => {
                    Some("the export carries no x-amazon-apigateway extensions".to_string())
                }
                Some(Err(e)) => Some(e.to_string()),
                None => Some("the export is empty".to_string()),
            },
            Err(e) => Some(format!("get_export failed: {}", describe_error(&e))),
        };
        if let Some(why) = why_not {
            if working_copy.is_none() {
                working_copy = Some(resources(c, &id).await);
            }
            match working_copy.as_ref() {
                Some(Ok(methods)) => {
                    stage.methods = methods.clone();
                    stage.definition_source = format!("working copy (get_resources): {why}");
                }
                Some(Err(reason)) => {
                    stage.definition_source = format!("unavailable: {why}; get_resources failed");
                    errors.push(CollectionError {
                        resource: t.rest_stage_arn(&id, &name),
                        operation: "apigateway:GetResources".into(),
                        reason: reason.clone(),
                    });
                }
                None => {}
            }
        }
        out.stages.push(stage);
    }
    (out, errors)
}

/// The API's working copy: every resource with its methods embedded (one paginated call).
async fn resources(c: &Clients, api: &str) -> Result<Vec<RestMethod>, String> {
    let items: Result<Vec<_>, _> =
        c.v1.get_resources()
            .rest_api_id(api)
            .embed("methods")
            .limit(500)
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
    let items = items.map_err(|e| describe_error(&e))?;
    let mut methods = Vec::new();
    for r in items {
        let path = r.path().unwrap_or("/").to_string();
        for (verb, m) in r.resource_methods().into_iter().flatten() {
            let integration = m.method_integration();
            let mut response_headers = Vec::new();
            let mut cors_allow_origin = None;
            for resp in m.method_responses().into_iter().flat_map(|r| r.values()) {
                for k in resp
                    .response_parameters()
                    .into_iter()
                    .flat_map(|p| p.keys())
                {
                    if let Some(h) = k.strip_prefix("method.response.header.") {
                        response_headers.push(h.to_ascii_lowercase());
                    }
                }
            }
            for resp in integration
                .and_then(|i| i.integration_responses())
                .into_iter()
                .flat_map(|r| r.values())
            {
                for (k, v) in resp.response_parameters().into_iter().flatten() {
                    if k.eq_ignore_ascii_case("method.response.header.Access-Control-Allow-Origin")
                    {
                        cors_allow_origin = Some(v.clone());
                    }
                }
            }
            response_headers.sort();
            response_headers.dedup();
            methods.push(RestMethod {
                path: path.clone(),
                http_method: m.http_method().unwrap_or(verb).to_string(),
                authorization_type: m.authorization_type().unwrap_or("NONE").to_string(),
                authorizer_id: m.authorizer_id().map(str::to_string),
                api_key_required: m.api_key_required().unwrap_or(false),
                request_validator_id: m.request_validator_id().map(str::to_string),
                has_inputs: m.request_parameters().is_some_and(|p| !p.is_empty())
                    || m.request_models().is_some_and(|p| !p.is_empty()),
                integration: integration.map(|i| Integration {
                    integration_type: i
                        .r#type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    uri: i.uri().map(str::to_string),
                    connection_type: i.connection_type().map(|c| c.as_str().to_string()),
                    insecure_skip_verification: i
                        .tls_config()
                        .is_some_and(|t| t.insecure_skip_verification()),
                }),
                response_headers,
                cors_allow_origin,
            });
        }
    }
    methods.sort_by(|a, b| (&a.path, &a.http_method).cmp(&(&b.path, &b.http_method)));
    Ok(methods)
}
