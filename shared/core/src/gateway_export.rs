//! Parsing API Gateway exports — the *deployed* definition of a stage — with their
//! `x-amazon-apigateway-*` extensions:
//!
//! - REST: `get_export(exportType=oas30, parameters={extensions: apigateway})`;
//! - HTTP APIs: `export_api(Specification=OAS30, IncludeExtensions=true, StageName=…)`.
//!
//! An export without extensions (moto returns plain Swagger) cannot show authorization or
//! integrations: `has_extensions` is false and the collector falls back to the working copy.

use crate::gateway::{Integration, RequestValidator, RestMethod, V2Integration, V2Route};
use serde_json::{Map, Value};

const METHODS: [&str; 8] = [
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "x-amazon-apigateway-any-method",
];

#[derive(Debug, Default, PartialEq)]
pub struct RestExport {
    pub methods: Vec<RestMethod>,
    /// Validators named in the export; their ids are `export:<name>`.
    pub validators: Vec<RequestValidator>,
    pub has_extensions: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("export is not a usable OpenAPI document: {0}")]
pub struct ExportError(String);

fn parse(bytes: &[u8]) -> Result<Value, ExportError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| ExportError(e.to_string()))?;
    if !doc.get("paths").is_some_and(Value::is_object) {
        return Err(ExportError("no `paths`".into()));
    }
    Ok(doc)
}

fn method_name(key: &str) -> String {
    if key == "x-amazon-apigateway-any-method" {
        "ANY".into()
    } else {
        key.to_ascii_uppercase()
    }
}

/// Security scheme name → (authorization type, is an API key).
fn scheme_kinds(doc: &Value) -> Map<String, Value> {
    doc.pointer("/components/securitySchemes")
        .or_else(|| doc.get("securityDefinitions"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn rest_auth_type(scheme: &Value) -> (&'static str, bool) {
    let authtype = scheme
        .get("x-amazon-apigateway-authtype")
        .and_then(Value::as_str)
        .unwrap_or("");
    match authtype.to_ascii_lowercase().as_str() {
        "cognito_user_pools" => ("COGNITO_USER_POOLS", false),
        "custom" => ("CUSTOM", false),
        "awssigv4" => ("AWS_IAM", false),
        _ if scheme.get("type").and_then(Value::as_str) == Some("apiKey") => ("NONE", true),
        _ if scheme.get("x-amazon-apigateway-authorizer").is_some() => ("CUSTOM", false),
        _ => ("NONE", false),
    }
}

fn has_extensions(doc: &Value) -> bool {
    doc.get("paths")
        .and_then(Value::as_object)
        .is_some_and(|paths| {
            paths.values().filter_map(Value::as_object).any(|item| {
                item.values()
                    .filter_map(Value::as_object)
                    .any(|op| op.contains_key("x-amazon-apigateway-integration"))
            })
        })
}

pub fn parse_rest_export(bytes: &[u8]) -> Result<RestExport, ExportError> {
    let doc = parse(bytes)?;
    let schemes = scheme_kinds(&doc);
    let default_validator = doc
        .get("x-amazon-apigateway-request-validator")
        .and_then(Value::as_str);
    let validators: Vec<RequestValidator> = doc
        .get("x-amazon-apigateway-request-validators")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(name, v)| RequestValidator {
                    id: format!("export:{name}"),
                    validate_request_body: v
                        .get("validateRequestBody")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    validate_request_parameters: v
                        .get("validateRequestParameters")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default();
    let root_security = doc.get("security");
    let mut methods = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let Some(item) = item.as_object() else {
            continue;
        };
        for key in METHODS {
            let Some(op) = item.get(key).and_then(Value::as_object) else {
                continue;
            };
            let mut authorization_type = "NONE";
            let mut api_key_required = false;
            let mut authorizer_id = None;
            for requirement in op
                .get("security")
                .or(root_security)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for name in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
                    let scheme = schemes.get(name).cloned().unwrap_or(Value::Null);
                    let (kind, is_key) = rest_auth_type(&scheme);
                    api_key_required |= is_key;
                    if kind != "NONE" && authorization_type == "NONE" {
                        authorization_type = kind;
                        authorizer_id = Some(name.clone());
                    }
                }
            }
            let integration_ext = op.get("x-amazon-apigateway-integration");
            let mut response_headers: Vec<String> = Vec::new();
            let mut cors_allow_origin = None;
            for response in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|r| r.values())
            {
                for h in response
                    .get("headers")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|h| h.keys())
                {
                    response_headers.push(h.to_ascii_lowercase());
                }
            }
            for response in integration_ext
                .and_then(|i| i.get("responses"))
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|r| r.values())
            {
                for (k, v) in response
                    .get("responseParameters")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if let Some(header) = k.strip_prefix("method.response.header.") {
                        let header = header.to_ascii_lowercase();
                        if header == "access-control-allow-origin" {
                            cors_allow_origin = v.as_str().map(str::to_string);
                        }
                        response_headers.push(header);
                    }
                }
            }
            response_headers.sort();
            response_headers.dedup();
            let integration = integration_ext.map(|i| Integration {
                integration_type: i
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_uppercase(),
                uri: i.get("uri").and_then(Value::as_str).map(str::to_string),
                connection_type: i
                    .get("connectionType")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                insecure_skip_verification: i
                    .pointer("/tlsConfig/insecureSkipVerification")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            });
            let validator = op
                .get("x-amazon-apigateway-request-validator")
                .and_then(Value::as_str)
                .or(default_validator);
            let has_inputs = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|p| !p.is_empty())
                || item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .is_some_and(|p| !p.is_empty())
                || op.contains_key("requestBody");
            methods.push(RestMethod {
                path: path.clone(),
                http_method: method_name(key),
                authorization_type: authorization_type.to_string(),
                authorizer_id,
                api_key_required,
                request_validator_id: validator.map(|v| format!("export:{v}")),
                has_inputs,
                integration,
                response_headers,
                cors_allow_origin,
            });
        }
    }
    Ok(RestExport {
        methods,
        validators,
        has_extensions: has_extensions(&doc),
    })
}

/// An HTTP API export: its routes (with authorization) and integrations.
#[derive(Debug, Default, PartialEq)]
pub struct HttpExport {
    pub routes: Vec<V2Route>,
    pub integrations: Vec<V2Integration>,
    pub has_extensions: bool,
}

pub fn parse_http_export(bytes: &[u8]) -> Result<HttpExport, ExportError> {
    let doc = parse(bytes)?;
    let schemes = scheme_kinds(&doc);
    let mut export = HttpExport {
        has_extensions: has_extensions(&doc),
        ..HttpExport::default()
    };
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let Some(item) = item.as_object() else {
            continue;
        };
        for key in METHODS {
            let Some(op) = item.get(key).and_then(Value::as_object) else {
                continue;
            };
            let route_key = if path == "/$default" {
                "$default".to_string()
            } else {
                format!("{} {path}", method_name(key))
            };
            let mut authorization_type = "NONE".to_string();
            let mut authorizer_id = None;
            for requirement in op
                .get("security")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for name in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
                    let scheme = schemes.get(name).cloned().unwrap_or(Value::Null);
                    let kind = match scheme
                        .pointer("/x-amazon-apigateway-authorizer/type")
                        .and_then(Value::as_str)
                    {
                        Some("jwt") => "JWT",
                        Some("request") => "CUSTOM",
                        _ if scheme
                            .get("x-amazon-apigateway-authtype")
                            .and_then(Value::as_str)
                            == Some("awsSigv4") =>
                        {
                            "AWS_IAM"
                        }
                        _ => continue,
                    };
                    authorization_type = kind.to_string();
                    authorizer_id = Some(name.clone());
                }
            }
            let integration_id = format!("export:{}", export.integrations.len());
            if let Some(i) = op.get("x-amazon-apigateway-integration") {
                export.integrations.push(V2Integration {
                    id: integration_id.clone(),
                    integration_type: i
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_ascii_uppercase(),
                    uri: i.get("uri").and_then(Value::as_str).map(str::to_string),
                    connection_type: i
                        .get("connectionType")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    tls_server_name_to_verify: i
                        .pointer("/tlsConfig/serverNameToVerify")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                });
            }
            export.routes.push(V2Route {
                id: route_key.clone(),
                route_key,
                authorization_type,
                authorizer_id,
                api_key_required: false,
                target: op
                    .get("x-amazon-apigateway-integration")
                    .map(|_| format!("integrations/{integration_id}")),
            });
        }
    }
    Ok(export)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REST: &str = include_str!("../tests/fixtures/rest-export-oas30.json");
    const HTTP: &str = include_str!("../tests/fixtures/http-export-oas30.json");

    #[test]
    fn rest_export_yields_deployed_methods() {
        let e = parse_rest_export(REST.as_bytes()).unwrap();
        assert!(e.has_extensions);
        let find = |m: &str, p: &str| {
            e.methods
                .iter()
                .find(|x| x.http_method == m && x.path == p)
                .unwrap()
        };
        let get = find("GET", "/pets");
        assert_eq!(get.authorization_type, "COGNITO_USER_POOLS");
        assert_eq!(
            get.integration.as_ref().unwrap().integration_type,
            "HTTP_PROXY"
        );
        assert!(
            get.response_headers
                .contains(&"strict-transport-security".to_string())
        );
        let post = find("POST", "/pets");
        assert_eq!(post.authorization_type, "NONE");
        assert!(post.api_key_required);
        assert_eq!(post.request_validator_id.as_deref(), Some("export:all"));
        assert!(post.has_inputs);
        let legacy = find("GET", "/legacy");
        assert_eq!(
            legacy.integration.as_ref().unwrap().uri.as_deref(),
            Some("http://legacy.internal.example.com/")
        );
        assert!(
            legacy
                .integration
                .as_ref()
                .unwrap()
                .insecure_skip_verification
        );
        let options = find("OPTIONS", "/pets");
        assert_eq!(options.cors_allow_origin.as_deref(), Some("'*'"));
        assert_eq!(e.validators.len(), 2);
        let any = find("ANY", "/{proxy+}");
        assert_eq!(any.authorization_type, "CUSTOM");
    }

    #[test]
    fn plain_swagger_from_moto_has_no_extensions() {
        let moto = r#"{"swagger":"2.0","info":{"title":"x"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#;
        let e = parse_rest_export(moto.as_bytes()).unwrap();
        assert!(!e.has_extensions);
        assert!(parse_rest_export(b"not json").is_err());
    }

    #[test]
    fn http_export_yields_routes_and_integrations() {
        let e = parse_http_export(HTTP.as_bytes()).unwrap();
        assert!(e.has_extensions);
        let jwt = e
            .routes
            .iter()
            .find(|r| r.route_key == "GET /items")
            .unwrap();
        assert_eq!(jwt.authorization_type, "JWT");
        let open = e.routes.iter().find(|r| r.route_key == "$default").unwrap();
        assert_eq!(open.authorization_type, "NONE");
        let private = e
            .integrations
            .iter()
            .find(|i| i.connection_type.as_deref() == Some("VPC_LINK"))
            .unwrap();
        assert_eq!(
            private.tls_server_name_to_verify.as_deref(),
            Some("items.internal.example.com")
        );
    }
}
