//! Region-wide reads: account settings, custom domains (v1 and v2) with their mappings, and usage
//! plans. (Client certificates are read from each stage's clientCertificateId.)

use crate::{Clients, describe_error};
use apispm_core::gateway::{
    AccountSettings, ApiMapping, CollectionError, DomainName, MutualTls, TargetFacts, UsagePlan,
};

fn error(facts: &mut TargetFacts, resource: String, operation: &str, reason: String) {
    facts.errors.push(CollectionError {
        resource,
        operation: operation.into(),
        reason,
    });
}

/// Mutual TLS is configured only when a truststore is named (emulators return empty objects).
fn mutual_tls(uri: Option<&str>, warnings: &[String]) -> Option<MutualTls> {
    (uri.is_some_and(|u| !u.is_empty()) || !warnings.is_empty()).then(|| MutualTls {
        truststore_uri: uri.filter(|u| !u.is_empty()).map(str::to_string),
        truststore_warnings: warnings.to_vec(),
    })
}

fn mutual_tls_v1(m: &aws_sdk_apigateway::types::MutualTlsAuthentication) -> Option<MutualTls> {
    mutual_tls(m.truststore_uri(), m.truststore_warnings())
}

fn mutual_tls_v2(m: &aws_sdk_apigatewayv2::types::MutualTlsAuthentication) -> Option<MutualTls> {
    mutual_tls(m.truststore_uri(), m.truststore_warnings())
}

pub async fn collect(c: &Clients, facts: &mut TargetFacts) {
    let scope = facts.account_scope();
    match c.v1.get_account().send().await {
        Ok(a) => {
            facts.account_settings = Some(AccountSettings {
                cloudwatch_role_arn: a.cloudwatch_role_arn().map(str::to_string),
                throttle_burst_limit: a.throttle_settings().map(|t| t.burst_limit()),
                throttle_rate_limit: a.throttle_settings().map(|t| t.rate_limit()),
            })
        }
        Err(e) => error(
            facts,
            scope.clone(),
            "apigateway:GetAccount",
            describe_error(&e),
        ),
    }

    // v1 custom domains and their base-path mappings.
    let domains: Result<Vec<_>, _> =
        c.v1.get_domain_names()
            .limit(500)
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
    match domains {
        Ok(list) => {
            for d in list {
                let Some(name) = d.domain_name().map(str::to_string) else {
                    continue;
                };
                let mut domain = DomainName {
                    name: name.clone(),
                    api: "v1".into(),
                    security_policies: d
                        .security_policy()
                        .map(|p| vec![p.as_str().to_string()])
                        .unwrap_or_default(),
                    endpoint_types: d
                        .endpoint_configuration()
                        .map(|e| e.types().iter().map(|t| t.as_str().to_string()).collect())
                        .unwrap_or_default(),
                    mutual_tls: d.mutual_tls_authentication().and_then(mutual_tls_v1),
                    mappings: Vec::new(),
                };
                let mappings: Result<Vec<_>, _> =
                    c.v1.get_base_path_mappings()
                        .domain_name(&name)
                        .limit(500)
                        .into_paginator()
                        .items()
                        .send()
                        .collect()
                        .await;
                match mappings {
                    Ok(ms) => {
                        domain.mappings = ms
                            .iter()
                            .filter_map(|m| {
                                Some(ApiMapping {
                                    api_id: m.rest_api_id()?.to_string(),
                                    stage: m.stage().map(str::to_string),
                                    base_path: m.base_path().map(str::to_string),
                                })
                            })
                            .collect()
                    }
                    Err(e) => error(
                        facts,
                        facts.domain_arn(&name),
                        "apigateway:GetBasePathMappings",
                        describe_error(&e),
                    ),
                }
                facts.domains.push(domain);
            }
        }
        Err(e) => error(
            facts,
            scope.clone(),
            "apigateway:GetDomainNames",
            describe_error(&e),
        ),
    }

    // v2 custom domains (HTTP and WebSocket) and their API mappings. The same name can show in
    // both APIs: the v2 view carries the v2 mappings.
    let mut token: Option<String> = None;
    loop {
        let page =
            c.v2.get_domain_names()
                .max_results("100")
                .set_next_token(token.clone())
                .send()
                .await;
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                error(
                    facts,
                    scope.clone(),
                    "apigateway:GetDomainNames (v2)",
                    describe_error(&e),
                );
                break;
            }
        };
        for d in page.items() {
            let Some(name) = d.domain_name().map(str::to_string) else {
                continue;
            };
            let mut mappings = Vec::new();
            let mut mtoken: Option<String> = None;
            loop {
                match c
                    .v2
                    .get_api_mappings()
                    .domain_name(&name)
                    .max_results("100")
                    .set_next_token(mtoken.clone())
                    .send()
                    .await
                {
                    Ok(p) => {
                        mappings.extend(p.items().iter().filter_map(|m| {
                            Some(ApiMapping {
                                api_id: m.api_id()?.to_string(),
                                stage: m.stage().map(str::to_string),
                                base_path: m.api_mapping_key().map(str::to_string),
                            })
                        }));
                        mtoken = p.next_token().map(str::to_string);
                        if mtoken.is_none() {
                            break;
                        }
                    }
                    Err(e) => {
                        error(
                            facts,
                            facts.domain_arn(&name),
                            "apigateway:GetApiMappings",
                            describe_error(&e),
                        );
                        break;
                    }
                }
            }
            let configs = d.domain_name_configurations();
            let v2_domain = DomainName {
                name: name.clone(),
                api: "v2".into(),
                security_policies: configs
                    .iter()
                    .filter_map(|c| c.security_policy().map(|p| p.as_str().to_string()))
                    .collect(),
                endpoint_types: configs
                    .iter()
                    .filter_map(|c| c.endpoint_type().map(|t| t.as_str().to_string()))
                    .collect(),
                mutual_tls: d.mutual_tls_authentication().and_then(mutual_tls_v2),
                mappings,
            };
            match facts.domains.iter_mut().find(|x| x.name == name) {
                Some(existing) => {
                    for m in v2_domain.mappings {
                        if !existing.mappings.contains(&m) {
                            existing.mappings.push(m);
                        }
                    }
                }
                None => facts.domains.push(v2_domain),
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }

    let plans: Result<Vec<_>, _> =
        c.v1.get_usage_plans()
            .limit(500)
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
    match plans {
        Ok(list) => {
            facts.usage_plans = list
                .iter()
                .map(|p| UsagePlan {
                    id: p.id().unwrap_or_default().to_string(),
                    name: p.name().unwrap_or_default().to_string(),
                    api_stages: p
                        .api_stages()
                        .iter()
                        .filter_map(|s| Some((s.api_id()?.to_string(), s.stage()?.to_string())))
                        .collect(),
                    throttled: p
                        .throttle()
                        .is_some_and(|t| t.rate_limit() > 0.0 || t.burst_limit() > 0)
                        || p.api_stages()
                            .iter()
                            .any(|s| s.throttle().is_some_and(|m| !m.is_empty())),
                    quota: p.quota().is_some(),
                })
                .collect()
        }
        Err(e) => error(
            facts,
            scope.clone(),
            "apigateway:GetUsagePlans",
            describe_error(&e),
        ),
    }
}
