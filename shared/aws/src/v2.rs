//! HTTP and WebSocket (v2) APIs: per API `get_stages`, `get_routes`, `get_integrations`,
//! `get_authorizers` (or `get_authorizer` per referenced id where listing fails), and for HTTP
//! APIs `export_api` of the first stage (the deployed definition), whose route authorization and
//! integrations override the working copy. v2 list calls page by hand on NextToken.

use crate::secrets::stage_variables;
use crate::{Clients, describe_error};
use apispm_core::gateway::{
    AccessLog, Authorizer, CollectionError, Cors, RouteSettings, TargetFacts, V2Api, V2Integration,
    V2Route, V2Stage,
};
use apispm_core::gateway_export::parse_http_export;

/// Page through a v2 list call: `$call(token)` returns a page with `items()` and `next_token()`.
macro_rules! all_pages {
    ($call:expr) => {{
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        let mut failure = None;
        loop {
            match $call(token.clone()).await {
                Ok(page) => {
                    items.extend(page.items().iter().cloned());
                    token = page.next_token().map(str::to_string);
                    if token.is_none() {
                        break;
                    }
                }
                Err(e) => {
                    failure = Some(describe_error(&e));
                    break;
                }
            }
        }
        match failure {
            None => Ok(items),
            Some(f) => Err(f),
        }
    }};
}

fn settings(s: Option<&aws_sdk_apigatewayv2::types::RouteSettings>) -> RouteSettings {
    s.map(|s| RouteSettings {
        logging_level: s.logging_level().map(|l| l.as_str().to_string()),
        data_trace_enabled: s.data_trace_enabled().unwrap_or(false),
        detailed_metrics_enabled: s.detailed_metrics_enabled().unwrap_or(false),
        throttling_burst_limit: s.throttling_burst_limit(),
        throttling_rate_limit: s.throttling_rate_limit(),
    })
    .unwrap_or_default()
}

/// An authorizer from a listing (`types::Authorizer`) or a single read (`GetAuthorizerOutput`):
/// two SDK types with the same accessors, mapped once.
macro_rules! authorizer {
    ($a:expr, $id:expr) => {{
        let a = $a;
        Authorizer {
            id: a.authorizer_id().unwrap_or($id).to_string(),
            name: a.name().unwrap_or_default().to_string(),
            authorizer_type: a
                .authorizer_type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            identity_source: (!a.identity_source().is_empty())
                .then(|| a.identity_source().join(",")),
            result_ttl_seconds: a.authorizer_result_ttl_in_seconds(),
            jwt_issuer: a
                .jwt_configuration()
                .and_then(|j| j.issuer())
                .map(str::to_string),
            jwt_audience: a
                .jwt_configuration()
                .map(|j| j.audience().to_vec())
                .unwrap_or_default(),
            provider_arns: Vec::new(),
        }
    }};
}

pub async fn collect(c: &Clients, facts: &mut TargetFacts) {
    let apis: Result<Vec<_>, String> =
        all_pages!(|t: Option<String>| c.v2.get_apis().max_results("100").set_next_token(t).send());
    let apis = match apis {
        Ok(a) => a,
        Err(reason) => {
            facts.errors.push(CollectionError {
                resource: facts.account_scope(),
                operation: "apigateway:GetApis".into(),
                reason,
            });
            return;
        }
    };
    let shared: &TargetFacts = facts;
    let (v2_apis, errors) = c
        .each_api(apis, |api| collect_api(c, shared, api), |a: &V2Api| &a.id)
        .await;
    facts.v2_apis = v2_apis;
    facts.errors.extend(errors);
}

async fn collect_api(
    c: &Clients,
    t: &TargetFacts,
    api: aws_sdk_apigatewayv2::types::Api,
) -> (V2Api, Vec<CollectionError>) {
    let id = api.api_id().unwrap_or_default().to_string();
    let arn = t.v2_api_arn(&id);
    let mut errors = Vec::new();
    let mut fail = |op: &str, reason: String| {
        errors.push(CollectionError {
            resource: arn.clone(),
            operation: op.into(),
            reason,
        })
    };
    let mut out = V2Api {
        id: id.clone(),
        name: api.name().unwrap_or_default().to_string(),
        protocol: api
            .protocol_type()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        disable_execute_api_endpoint: api.disable_execute_api_endpoint().unwrap_or(false),
        cors: api.cors_configuration().map(|c| Cors {
            allow_origins: c.allow_origins().to_vec(),
            allow_credentials: c.allow_credentials().unwrap_or(false),
            allow_methods: c.allow_methods().to_vec(),
            allow_headers: c.allow_headers().to_vec(),
        }),
        tags: api
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        definition_source: "working copy (get_routes)".into(),
        ..V2Api::default()
    };

    match all_pages!(|tok: Option<String>| c
        .v2
        .get_stages()
        .api_id(&id)
        .max_results("100")
        .set_next_token(tok)
        .send())
    {
        Ok(stages) => {
            out.stages = stages
                .iter()
                .map(|s| V2Stage {
                    name: s.stage_name().unwrap_or_default().to_string(),
                    access_log: s.access_log_settings().map(|l| AccessLog {
                        destination_arn: l.destination_arn().map(str::to_string),
                        format: l.format().map(str::to_string),
                    }),
                    default_route_settings: settings(s.default_route_settings()),
                    route_settings: s
                        .route_settings()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| (k.clone(), settings(Some(v))))
                                .collect()
                        })
                        .unwrap_or_default(),
                    client_certificate_id: s.client_certificate_id().map(str::to_string),
                    variables: stage_variables(s.stage_variables()),
                    tags: s
                        .tags()
                        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                })
                .collect()
        }
        Err(reason) => fail("apigateway:GetStages (v2)", reason),
    }
    match all_pages!(|tok: Option<String>| c
        .v2
        .get_routes()
        .api_id(&id)
        .max_results("100")
        .set_next_token(tok)
        .send())
    {
        Ok(routes) => {
            out.routes = routes
                .iter()
                .map(|r| V2Route {
                    id: r.route_id().unwrap_or_default().to_string(),
                    route_key: r.route_key().unwrap_or_default().to_string(),
                    authorization_type: r
                        .authorization_type()
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_else(|| "NONE".into()),
                    authorizer_id: r.authorizer_id().map(str::to_string),
                    api_key_required: r.api_key_required().unwrap_or(false),
                    target: r.target().map(str::to_string),
                })
                .collect()
        }
        Err(reason) => fail("apigateway:GetRoutes", reason),
    }
    match all_pages!(|tok: Option<String>| c
        .v2
        .get_integrations()
        .api_id(&id)
        .max_results("100")
        .set_next_token(tok)
        .send())
    {
        Ok(list) => {
            out.integrations = list
                .iter()
                .map(|i| V2Integration {
                    id: i.integration_id().unwrap_or_default().to_string(),
                    integration_type: i
                        .integration_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    uri: i.integration_uri().map(str::to_string),
                    connection_type: i.connection_type().map(|c| c.as_str().to_string()),
                    tls_server_name_to_verify: i
                        .tls_config()
                        .and_then(|t| t.server_name_to_verify())
                        .map(str::to_string),
                })
                .collect()
        }
        Err(reason) => fail("apigateway:GetIntegrations", reason),
    }
    match all_pages!(|tok: Option<String>| c
        .v2
        .get_authorizers()
        .api_id(&id)
        .max_results("100")
        .set_next_token(tok)
        .send())
    {
        Ok(list) => out.authorizers = list.iter().map(|a| authorizer!(a, "")).collect(),
        Err(list_failure) => {
            // Read each authorizer the routes reference instead (moto cannot list them).
            let mut ids: Vec<String> = out
                .routes
                .iter()
                .filter_map(|r| r.authorizer_id.clone())
                .collect();
            ids.sort();
            ids.dedup();
            for aid in ids {
                match c
                    .v2
                    .get_authorizer()
                    .api_id(&id)
                    .authorizer_id(&aid)
                    .send()
                    .await
                {
                    Ok(a) => out.authorizers.push(authorizer!(&a, &aid)),
                    Err(e) => fail(
                        "apigateway:GetAuthorizer",
                        format!("{}; listing failed too: {list_failure}", describe_error(&e)),
                    ),
                }
            }
        }
    }

    if !out.is_websocket()
        && let Some(stage) = out.stages.first().map(|s| s.name.clone())
    {
        let export =
            c.v2.export_api()
                .api_id(&id)
                .specification("OAS30")
                .output_type("JSON")
                .include_extensions(true)
                .stage_name(&stage)
                .send()
                .await;
        out.definition_source = match export {
            Ok(e) => match e.body().map(|b| parse_http_export(b.as_ref())) {
                Some(Ok(parsed)) if parsed.has_extensions => {
                    apply_export(&mut out, parsed);
                    format!("export (stage {stage})")
                }
                Some(Ok(_)) => "working copy (get_routes): the export carries no extensions".into(),
                Some(Err(err)) => format!("working copy (get_routes): {err}"),
                None => "working copy (get_routes): the export is empty".into(),
            },
            Err(e) => format!(
                "working copy (get_routes): export_api failed: {}",
                describe_error(&e)
            ),
        };
    } else if out.is_websocket() {
        out.definition_source =
            "working copy (get_routes): WebSocket APIs cannot be exported".into();
    }
    (out, errors)
}

/// The deployed definition wins: route authorization and integrations from the export.
fn apply_export(api: &mut V2Api, export: apispm_core::gateway_export::HttpExport) {
    for deployed in &export.routes {
        if let Some(route) = api
            .routes
            .iter_mut()
            .find(|r| r.route_key == deployed.route_key)
        {
            route.authorization_type = deployed.authorization_type.clone();
            if deployed.target.is_some() {
                route.target = deployed.target.clone();
            }
        }
    }
    for i in export.integrations {
        if !api.integrations.iter().any(|x| x.id == i.id) {
            api.integrations.push(i);
        }
    }
}
