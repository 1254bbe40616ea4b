//! Gateway facts: what API Gateway (REST v1, HTTP and WebSocket v2) actually has deployed in one
//! account and region, as the AWS collector read it. Plain data, serializable, no SDK types.
//!
//! Invariant: no secret value is kept. Stage variables keep their names and, for values that look
//! like secrets, only the detector's type and a masked form.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Facts about one collection target (account × region).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetFacts {
    pub account: String,
    pub region: String,
    #[serde(default = "default_partition")]
    pub partition: String,
    /// `get_account`; None when it could not be read (see `errors`).
    pub account_settings: Option<AccountSettings>,
    #[serde(default)]
    pub rest_apis: Vec<RestApi>,
    #[serde(default)]
    pub v2_apis: Vec<V2Api>,
    #[serde(default)]
    pub domains: Vec<DomainName>,
    #[serde(default)]
    pub usage_plans: Vec<UsagePlan>,
    /// Reads that failed: the assessment of these resources is incomplete.
    #[serde(default)]
    pub errors: Vec<CollectionError>,
    /// API calls made to collect this target, by operation (for the calls-per-stage budget).
    #[serde(default)]
    pub calls: BTreeMap<String, u32>,
}

fn default_partition() -> String {
    "aws".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionError {
    /// The resource (ARN) or scope (`account 123 region eu-west-1`) whose read failed.
    pub resource: String,
    pub operation: String,
    /// `access denied`, `throttled`, `not found`, or the service's message.
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub cloudwatch_role_arn: Option<String>,
    pub throttle_burst_limit: Option<i32>,
    pub throttle_rate_limit: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestApi {
    pub id: String,
    pub name: String,
    /// EDGE, REGIONAL, PRIVATE.
    pub endpoint_types: Vec<String>,
    pub vpc_endpoint_ids: Vec<String>,
    /// The resource policy, unescaped JSON text.
    pub policy: Option<String>,
    pub api_key_source: Option<String>,
    pub disable_execute_api_endpoint: bool,
    pub tags: BTreeMap<String, String>,
    pub stages: Vec<RestStage>,
    pub authorizers: Vec<Authorizer>,
    pub request_validators: Vec<RequestValidator>,
    pub gateway_responses: Vec<GatewayResponse>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestStage {
    pub name: String,
    pub deployment_id: Option<String>,
    /// Key `*/*` is the stage default; others are `{resourcePath}/{METHOD}` overrides.
    pub method_settings: BTreeMap<String, MethodSetting>,
    pub access_log: Option<AccessLog>,
    pub client_certificate_id: Option<String>,
    pub tracing_enabled: bool,
    pub web_acl_arn: Option<String>,
    pub cache_cluster_enabled: bool,
    pub variables: Vec<StageVariable>,
    pub tags: BTreeMap<String, String>,
    /// The methods as deployed on this stage.
    pub methods: Vec<RestMethod>,
    /// Where `methods` came from: `export` (the deployed definition) or `working copy` with why.
    pub definition_source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MethodSetting {
    pub logging_level: Option<String>,
    pub data_trace_enabled: bool,
    pub metrics_enabled: bool,
    pub caching_enabled: bool,
    pub cache_data_encrypted: bool,
    pub throttling_burst_limit: Option<i32>,
    pub throttling_rate_limit: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessLog {
    pub destination_arn: Option<String>,
    pub format: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageVariable {
    pub name: String,
    /// The detector's verdict when the value looks like a secret (type), never the value.
    pub secret_type: Option<String>,
    pub masked: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestMethod {
    pub path: String,
    pub http_method: String,
    /// NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS.
    pub authorization_type: String,
    pub authorizer_id: Option<String>,
    pub api_key_required: bool,
    pub request_validator_id: Option<String>,
    /// Whether the method declares request parameters or a request model (input to validate).
    pub has_inputs: bool,
    pub integration: Option<Integration>,
    /// Response headers the method maps (e.g. `Strict-Transport-Security`), lower-cased.
    pub response_headers: Vec<String>,
    /// A literal `Access-Control-Allow-Origin` the method's responses map, e.g. `'*'`.
    pub cors_allow_origin: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Integration {
    /// HTTP, HTTP_PROXY, AWS, AWS_PROXY, MOCK.
    pub integration_type: String,
    pub uri: Option<String>,
    pub connection_type: Option<String>,
    pub insecure_skip_verification: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Authorizer {
    pub id: String,
    pub name: String,
    /// REST: TOKEN, REQUEST, COGNITO_USER_POOLS; v2: REQUEST, JWT.
    pub authorizer_type: String,
    pub identity_source: Option<String>,
    pub result_ttl_seconds: Option<i32>,
    pub jwt_issuer: Option<String>,
    pub jwt_audience: Vec<String>,
    pub provider_arns: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestValidator {
    pub id: String,
    pub validate_request_body: bool,
    pub validate_request_parameters: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GatewayResponse {
    pub response_type: String,
    pub response_parameters: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct V2Api {
    pub id: String,
    pub name: String,
    /// HTTP or WEBSOCKET.
    pub protocol: String,
    pub disable_execute_api_endpoint: bool,
    pub cors: Option<Cors>,
    pub tags: BTreeMap<String, String>,
    pub stages: Vec<V2Stage>,
    pub routes: Vec<V2Route>,
    pub authorizers: Vec<Authorizer>,
    pub integrations: Vec<V2Integration>,
    /// `export` or `working copy` with why.
    pub definition_source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cors {
    pub allow_origins: Vec<String>,
    pub allow_credentials: bool,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct V2Stage {
    pub name: String,
    pub access_log: Option<AccessLog>,
    pub default_route_settings: RouteSettings,
    pub route_settings: BTreeMap<String, RouteSettings>,
    pub client_certificate_id: Option<String>,
    pub variables: Vec<StageVariable>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteSettings {
    pub logging_level: Option<String>,
    pub data_trace_enabled: bool,
    pub detailed_metrics_enabled: bool,
    pub throttling_burst_limit: Option<i32>,
    pub throttling_rate_limit: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct V2Route {
    pub id: String,
    /// `GET /items/{id}`, `$default`, `$connect`, a WebSocket action.
    pub route_key: String,
    /// NONE, AWS_IAM, CUSTOM, JWT.
    pub authorization_type: String,
    pub authorizer_id: Option<String>,
    pub api_key_required: bool,
    /// `integrations/<id>`.
    pub target: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct V2Integration {
    pub id: String,
    pub integration_type: String,
    pub uri: Option<String>,
    /// INTERNET or VPC_LINK.
    pub connection_type: Option<String>,
    pub tls_server_name_to_verify: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DomainName {
    pub name: String,
    /// `v1` (apigateway) or `v2` (apigatewayv2) API the domain was read from.
    pub api: String,
    /// TLS_1_0, TLS_1_2, or an enhanced `SecurityPolicy_*` name.
    pub security_policies: Vec<String>,
    pub endpoint_types: Vec<String>,
    pub mutual_tls: Option<MutualTls>,
    pub mappings: Vec<ApiMapping>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MutualTls {
    pub truststore_uri: Option<String>,
    pub truststore_warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiMapping {
    pub api_id: String,
    pub stage: Option<String>,
    pub base_path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsagePlan {
    pub id: String,
    pub name: String,
    /// (api id, stage name, whether per-method throttles are set).
    pub api_stages: Vec<(String, String)>,
    pub throttled: bool,
    pub quota: bool,
}

/// ARNs in the forms Security Hub and AWS use (reference §5 design notes).
impl TargetFacts {
    fn prefix(&self) -> String {
        format!("arn:{}:apigateway:{}::", self.partition, self.region)
    }
    pub fn rest_api_arn(&self, api: &str) -> String {
        format!("{}/restapis/{api}", self.prefix())
    }
    pub fn rest_stage_arn(&self, api: &str, stage: &str) -> String {
        format!("{}/restapis/{api}/stages/{stage}", self.prefix())
    }
    pub fn rest_method_arn(&self, api: &str, stage: &str, method: &str, path: &str) -> String {
        format!(
            "arn:{}:execute-api:{}:{}:{api}/{stage}/{method}{path}",
            self.partition, self.region, self.account
        )
    }
    pub fn v2_api_arn(&self, api: &str) -> String {
        format!("{}/apis/{api}", self.prefix())
    }
    pub fn v2_stage_arn(&self, api: &str, stage: &str) -> String {
        format!("{}/apis/{api}/stages/{stage}", self.prefix())
    }
    pub fn v2_route_arn(&self, api: &str, route: &str) -> String {
        format!("{}/apis/{api}/routes/{route}", self.prefix())
    }
    pub fn v2_integration_arn(&self, api: &str, integration: &str) -> String {
        format!("{}/apis/{api}/integrations/{integration}", self.prefix())
    }
    pub fn domain_arn(&self, name: &str) -> String {
        format!("{}/domainnames/{name}", self.prefix())
    }
    pub fn account_scope(&self) -> String {
        format!(
            "arn:{}:apigateway:{}::/account",
            self.partition, self.region
        )
    }

    /// Whether stage or route throttling limits protect more than the account default: a limit
    /// is set and it is below the account's (when the account settings are known).
    pub fn throttle_is_effective(&self, rate: Option<f64>, burst: Option<i32>) -> bool {
        let account = self.account_settings.as_ref();
        let rate_ok = rate.is_some_and(|r| {
            account
                .and_then(|a| a.throttle_rate_limit)
                .is_none_or(|a| r < a)
        });
        let burst_ok = burst.is_some_and(|b| {
            account
                .and_then(|a| a.throttle_burst_limit)
                .is_none_or(|a| b < a)
        });
        rate_ok || burst_ok
    }

    /// The usage plans that cover a stage.
    pub fn usage_plans_for(&self, api: &str, stage: &str) -> Vec<&UsagePlan> {
        self.usage_plans
            .iter()
            .filter(|p| p.api_stages.iter().any(|(a, s)| a == api && s == stage))
            .collect()
    }

    /// Custom domains mapped to an API (optionally one stage).
    pub fn domains_for(&self, api: &str, stage: Option<&str>) -> Vec<&DomainName> {
        self.domains
            .iter()
            .filter(|d| {
                d.mappings.iter().any(|m| {
                    m.api_id == api
                        && (stage.is_none() || m.stage.as_deref() == stage || m.stage.is_none())
                })
            })
            .collect()
    }
}

impl RestStage {
    /// The effective setting for one method: the override when present, else the stage default.
    pub fn default_setting(&self) -> Option<&MethodSetting> {
        self.method_settings.get("*/*")
    }
}

impl V2Api {
    pub fn is_websocket(&self) -> bool {
        self.protocol.eq_ignore_ascii_case("WEBSOCKET")
    }
}

/// The kinds of API a gateway control can apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKind {
    Rest,
    Http,
    Websocket,
}

impl ApiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::Rest => "REST",
            ApiKind::Http => "HTTP",
            ApiKind::Websocket => "WebSocket",
        }
    }

    pub fn of_v2(api: &V2Api) -> ApiKind {
        if api.is_websocket() {
            ApiKind::Websocket
        } else {
            ApiKind::Http
        }
    }
}

/// One deployed route or method on one stage, with the facts the seed's controls and the
/// classification read, resolved from its API, stage, domains and usage plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GatewayEndpoint {
    pub account: String,
    pub region: String,
    pub kind: ApiKind,
    pub api_id: String,
    pub api_name: String,
    pub stage: String,
    pub method: String,
    pub path: String,
    /// The method's invoke ARN (REST) or the route's ARN (v2).
    pub arn: String,
    /// `account/region/api-id/stage`: the endpoint id's service part.
    pub qualified_stage: String,
    pub definition_source: String,
    pub authorization_type: String,
    pub api_key_required: bool,
    /// WebSocket: the `$connect` route's authorization type, which governs every route.
    pub connect_authorization: Option<String>,
    /// None: no input to validate. Some(true/false): validated or not.
    pub validated: Option<bool>,
    pub validation_supported: bool,
    pub plaintext_backend: Option<String>,
    pub domain_policies: Vec<(String, String)>,
    /// Why the endpoint is throttled (stage, route or usage plan), if it is.
    pub throttled_by: Option<String>,
    pub cors_wildcard: Option<String>,
    pub response_headers: Vec<String>,
    pub exposure_hint: ExposureHint,
    pub owner: Option<String>,
}

/// Exposure from gateway facts, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExposureHint {
    pub exposure: crate::model::Exposure,
    pub reason: String,
}

fn tag_exposure(tags: &BTreeMap<String, String>) -> Option<ExposureHint> {
    let value = tags.get("apispm:classification")?;
    crate::model::Exposure::parse(value).map(|exposure| ExposureHint {
        exposure,
        reason: format!("{value}: tag apispm:classification"),
    })
}

fn rest_exposure(t: &TargetFacts, api: &RestApi) -> ExposureHint {
    use crate::model::Exposure;
    if let Some(hint) = tag_exposure(&api.tags) {
        return hint;
    }
    let reading = api
        .policy
        .as_deref()
        .and_then(|p| crate::resource_policy::read(p, &t.account).ok());
    if api.endpoint_types.iter().any(|e| e == "PRIVATE") {
        return ExposureHint {
            exposure: Exposure::Internal,
            reason: "internal: PRIVATE endpoint type".into(),
        };
    }
    if let Some(r) = &reading {
        if r.vpc_restricted {
            return ExposureHint {
                exposure: Exposure::Internal,
                reason: "internal: resource policy limits invoke to VPC endpoints".into(),
            };
        }
        if !r.other_accounts.is_empty() {
            return ExposureHint {
                exposure: Exposure::Partner,
                reason: format!(
                    "partner: resource policy grants accounts {}",
                    r.other_accounts.join(", ")
                ),
            };
        }
    }
    mtls_or_external(t, &api.id, &api.endpoint_types.join(", "))
}

fn mtls_or_external(t: &TargetFacts, api_id: &str, what: &str) -> ExposureHint {
    use crate::model::Exposure;
    if let Some(d) = t
        .domains_for(api_id, None)
        .into_iter()
        .find(|d| d.mutual_tls.is_some())
    {
        return ExposureHint {
            exposure: Exposure::Partner,
            reason: format!("partner: served by mutual-TLS domain {}", d.name),
        };
    }
    ExposureHint {
        exposure: Exposure::External,
        reason: format!("external: public {what} endpoint"),
    }
}

const SECURITY_RESPONSE_HEADERS: &[&str] = &[
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "cache-control",
];

/// Every deployed endpoint of a target, with its resolved facts.
pub fn endpoints(t: &TargetFacts) -> Vec<GatewayEndpoint> {
    let mut out = Vec::new();
    for api in &t.rest_apis {
        let exposure = rest_exposure(t, api);
        let owner = api.tags.get("apispm:owner").cloned();
        let gateway_cors = api.gateway_responses.iter().find_map(|r| {
            r.response_parameters
                .iter()
                .find(|(k, v)| {
                    k.to_ascii_lowercase()
                        .ends_with("access-control-allow-origin")
                        && v.trim_matches('\'') == "*"
                })
                .map(|_| {
                    format!(
                        "gateway response {} maps Access-Control-Allow-Origin '*'",
                        r.response_type
                    )
                })
        });
        for s in &api.stages {
            let plans: Vec<&str> = t
                .usage_plans_for(&api.id, &s.name)
                .into_iter()
                .filter(|p| p.throttled)
                .map(|p| p.name.as_str())
                .collect();
            let domain_policies: Vec<(String, String)> = t
                .domains_for(&api.id, Some(&s.name))
                .into_iter()
                .flat_map(|d| {
                    d.security_policies
                        .iter()
                        .map(move |p| (d.name.clone(), p.clone()))
                })
                .collect();
            for m in &s.methods {
                let key = format!("{}/{}", m.path.trim_start_matches('/'), m.http_method);
                let setting = s.method_settings.get(&key).or(s.default_setting());
                let throttled_by = if setting.is_some_and(|x| {
                    t.throttle_is_effective(x.throttling_rate_limit, x.throttling_burst_limit)
                }) {
                    Some(format!("stage {} method settings throttle", s.name))
                } else if !plans.is_empty() {
                    Some(format!("usage plan(s) {}", plans.join(", ")))
                } else {
                    None
                };
                let validated = m.has_inputs.then(|| {
                    m.request_validator_id
                        .as_deref()
                        .and_then(|id| api.request_validators.iter().find(|v| v.id == id))
                        .is_some_and(|v| v.validate_request_body || v.validate_request_parameters)
                });
                let plaintext_backend = m.integration.as_ref().and_then(|i| {
                    let http = matches!(i.integration_type.as_str(), "HTTP" | "HTTP_PROXY");
                    if http
                        && i.uri
                            .as_deref()
                            .is_some_and(|u| u.to_ascii_lowercase().starts_with("http://"))
                    {
                        Some(format!(
                            "integration calls {}",
                            i.uri.as_deref().unwrap_or("")
                        ))
                    } else if i.insecure_skip_verification {
                        Some("integration skips TLS verification".to_string())
                    } else {
                        None
                    }
                });
                let cors_wildcard = m
                    .cors_allow_origin
                    .as_deref()
                    .filter(|o| o.trim_matches('\'') == "*")
                    .map(|_| {
                        format!(
                            "{} {} maps Access-Control-Allow-Origin '*'",
                            m.http_method, m.path
                        )
                    })
                    .or_else(|| gateway_cors.clone());
                out.push(GatewayEndpoint {
                    account: t.account.clone(),
                    region: t.region.clone(),
                    kind: ApiKind::Rest,
                    api_id: api.id.clone(),
                    api_name: api.name.clone(),
                    stage: s.name.clone(),
                    method: m.http_method.clone(),
                    path: m.path.clone(),
                    arn: t.rest_method_arn(&api.id, &s.name, &m.http_method, &m.path),
                    qualified_stage: format!("{}/{}/{}/{}", t.account, t.region, api.id, s.name),
                    definition_source: s.definition_source.clone(),
                    authorization_type: m.authorization_type.clone(),
                    api_key_required: m.api_key_required,
                    connect_authorization: None,
                    validated,
                    validation_supported: true,
                    plaintext_backend,
                    domain_policies: domain_policies.clone(),
                    throttled_by,
                    cors_wildcard,
                    response_headers: m.response_headers.clone(),
                    exposure_hint: exposure.clone(),
                    owner: owner.clone(),
                });
            }
        }
    }
    for api in &t.v2_apis {
        let kind = ApiKind::of_v2(api);
        let exposure =
            tag_exposure(&api.tags).unwrap_or_else(|| mtls_or_external(t, &api.id, kind.as_str()));
        let owner = api.tags.get("apispm:owner").cloned();
        let connect = api
            .routes
            .iter()
            .find(|r| r.route_key == "$connect")
            .map(|r| r.authorization_type.clone());
        let cors_wildcard = api
            .cors
            .as_ref()
            .filter(|c| c.allow_origins.iter().any(|o| o == "*"))
            .map(|_| "CorsConfiguration.AllowOrigins contains *".to_string());
        for s in &api.stages {
            let domain_policies: Vec<(String, String)> = t
                .domains_for(&api.id, Some(&s.name))
                .into_iter()
                .flat_map(|d| {
                    d.security_policies
                        .iter()
                        .map(move |p| (d.name.clone(), p.clone()))
                })
                .collect();
            for r in &api.routes {
                let (method, path) = match r.route_key.split_once(' ') {
                    Some((m, p)) if kind == ApiKind::Http => (m.to_string(), p.to_string()),
                    _ if kind == ApiKind::Http => ("ANY".to_string(), r.route_key.clone()),
                    _ => ("WS".to_string(), r.route_key.clone()),
                };
                let settings = s
                    .route_settings
                    .get(&r.route_key)
                    .unwrap_or(&s.default_route_settings);
                let throttled = |x: &RouteSettings| {
                    t.throttle_is_effective(x.throttling_rate_limit, x.throttling_burst_limit)
                };
                let throttled_by = if throttled(settings) {
                    Some(format!("stage {} route throttling", s.name))
                } else if throttled(&s.default_route_settings) {
                    Some(format!("stage {} default route throttling", s.name))
                } else {
                    None
                };
                let integration = r
                    .target
                    .as_deref()
                    .and_then(|t| t.strip_prefix("integrations/"))
                    .and_then(|id| api.integrations.iter().find(|i| i.id == id));
                let plaintext_backend = integration.and_then(|i| {
                    let uri = i.uri.as_deref()?;
                    (uri.to_ascii_lowercase().starts_with("http://")
                        && i.tls_server_name_to_verify.is_none())
                    .then(|| format!("integration calls {uri}"))
                });
                out.push(GatewayEndpoint {
                    account: t.account.clone(),
                    region: t.region.clone(),
                    kind,
                    api_id: api.id.clone(),
                    api_name: api.name.clone(),
                    stage: s.name.clone(),
                    method,
                    path,
                    arn: t.v2_route_arn(&api.id, &r.id),
                    qualified_stage: format!("{}/{}/{}/{}", t.account, t.region, api.id, s.name),
                    definition_source: api.definition_source.clone(),
                    authorization_type: r.authorization_type.clone(),
                    api_key_required: r.api_key_required,
                    connect_authorization: if kind == ApiKind::Websocket {
                        connect.clone()
                    } else {
                        None
                    },
                    validated: None,
                    validation_supported: false,
                    plaintext_backend,
                    domain_policies: domain_policies.clone(),
                    throttled_by,
                    cors_wildcard: cors_wildcard.clone(),
                    response_headers: Vec::new(),
                    exposure_hint: exposure.clone(),
                    owner: owner.clone(),
                });
            }
        }
    }
    out
}

impl GatewayEndpoint {
    /// Whether the deployed definition maps every security response header.
    pub fn maps_security_headers(&self) -> bool {
        SECURITY_RESPONSE_HEADERS
            .iter()
            .all(|h| self.response_headers.iter().any(|r| r == h))
    }
}
