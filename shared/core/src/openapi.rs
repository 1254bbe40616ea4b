//! Reading declared OpenAPI documents (Swagger 2.0, OpenAPI 3.0 and 3.1, JSON or YAML) into
//! the facts assessment needs: operations, their effective security, servers, declared inputs
//! and response headers, and the sensitive data their schemas name.
//!
//! Real specs are messy: unknown fields and vendor extensions are ignored, a broken `$ref` is
//! skipped rather than fatal. Only local `$ref`s (`#/...`) are followed, depth-bounded and
//! cycle-safe; a remote `$ref` is never fetched.

use crate::sensitive::classify_field_name;
use crate::snapshot::{
    DeclaredSpec, SchemeUse, SecurityDeclaration, SensitiveField, SpecOperation, SpecServer,
};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

pub const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How deep `$ref` chains and schema walks may go before we stop following them.
const MAX_REF_DEPTH: usize = 32;
const MAX_SCHEMA_DEPTH: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SpecError {
    #[error("not valid {format}: {message}")]
    Syntax {
        format: &'static str,
        message: String,
    },
    #[error("not an OpenAPI document: {0}")]
    NotOpenApi(String),
}

impl SpecError {
    /// The location inside the file the error points at, when the parser gave one.
    pub fn location(&self) -> Option<String> {
        match self {
            SpecError::Syntax { message, .. } => extract_line(message),
            SpecError::NotOpenApi(_) => None,
        }
    }
}

fn extract_line(message: &str) -> Option<String> {
    let re = regex::Regex::new(r"line (\d+)(?:,? column (\d+))?").ok()?;
    let caps = re.captures(message)?;
    Some(match caps.get(2) {
        Some(col) => format!("line {}, column {}", &caps[1], col.as_str()),
        None => format!("line {}", &caps[1]),
    })
}

/// Parse a document's text: JSON when the file says so (or the text starts with `{`), else YAML.
pub fn parse_document(file: &str, text: &str) -> Result<Value, SpecError> {
    let looks_json = file.ends_with(".json") || text.trim_start().starts_with('{');
    if looks_json {
        serde_json::from_str(text).map_err(|e| SpecError::Syntax {
            format: "JSON",
            message: e.to_string(),
        })
    } else {
        // Large specs (10 MB and more) have millions of nodes: lift the node and event caps,
        // keep the defaults that stop alias bombs, deep nesting and huge scalars.
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = 8_000_000;
        budget.max_events = 16_000_000;
        let mut options = serde_saphyr::Options::default();
        options.budget = Some(budget);
        // Specs barely use aliases: a tight replay cap stops alias bombs early.
        options.alias_limits.max_total_replayed_events = 200_000;
        serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|e| SpecError::Syntax {
            format: "YAML",
            message: e.to_string(),
        })
    }
}

/// Read one declared spec. `service` is the service it belongs to (from estate.yaml, or the
/// caller's fallback).
pub fn read_spec(file: &str, text: &str, service: Option<&str>) -> Result<DeclaredSpec, SpecError> {
    let doc = parse_document(file, text)?;
    let mut spec = spec_from_document(file, &doc, service)?;
    for op in &mut spec.operations {
        op.line = locate_operation(text, &op.path, &op.method.to_ascii_lowercase());
    }
    spec.audit = Some(crate::spec_audit::audit(file, text));
    Ok(spec)
}

/// Where an operation's key sits in the source (YAML or JSON): the path key, then the first
/// method key after it. Good enough for code-scanning annotations; None when not found.
pub fn locate_operation(text: &str, path: &str, method: &str) -> Option<(u32, u32)> {
    let path_at = [
        format!("\"{path}\""),
        format!("'{path}'"),
        format!("{path}:"),
    ]
    .iter()
    .filter_map(|needle| {
        text.match_indices(needle.as_str())
            .find(|(i, m)| {
                let rest = &text[i + m.len()..];
                m.ends_with(':') || rest.trim_start().starts_with(':')
            })
            .map(|(i, _)| i)
    })
    .min()?;
    let after = &text[path_at..];
    let method_at = [format!("\"{method}\""), format!("{method}:")]
        .iter()
        .filter_map(|needle| {
            after.match_indices(needle.as_str()).find(|(i, m)| {
                let before = after[..*i].chars().last();
                let rest = &after[i + m.len()..];
                matches!(before, Some(' ' | '\n' | '{' | ',' | '\t'))
                    && (m.ends_with(':') || rest.trim_start().starts_with(':'))
            })
        })
        .map(|(i, _)| i)
        .min()?;
    let offset = path_at + method_at;
    let line = text[..offset].matches('\n').count() as u32 + 1;
    let column = (offset - text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0)) as u32 + 1;
    Some((line, column))
}

pub fn spec_from_document(
    file: &str,
    doc: &Value,
    service: Option<&str>,
) -> Result<DeclaredSpec, SpecError> {
    let root = doc
        .as_object()
        .ok_or_else(|| SpecError::NotOpenApi("the document is not a mapping".into()))?;
    let (version, swagger2) = match (root.get("openapi"), root.get("swagger")) {
        (Some(Value::String(v)), _) if v.starts_with("3.") => (format!("openapi {v}"), false),
        (_, Some(Value::String(v))) if v == "2.0" => ("swagger 2.0".to_string(), true),
        (Some(v), _) => {
            return Err(SpecError::NotOpenApi(format!(
                "unsupported `openapi` version {v}"
            )));
        }
        (_, Some(v)) => {
            return Err(SpecError::NotOpenApi(format!(
                "unsupported `swagger` version {v}"
            )));
        }
        (None, None) => {
            return Err(SpecError::NotOpenApi(
                "no `openapi` or `swagger` version field at the top level".into(),
            ));
        }
    };
    let paths = match root.get("paths") {
        Some(Value::Object(p)) => Some(p),
        Some(Value::Null) | None if !swagger2 => None, // 3.1 allows webhooks-only documents
        Some(_) => return Err(SpecError::NotOpenApi("`paths` is not a mapping".into())),
        None => return Err(SpecError::NotOpenApi("no `paths`".into())),
    };
    let title = root
        .get("info")
        .and_then(|i| i.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let service = service
        .map(str::to_string)
        .unwrap_or_else(|| service_name_from(&title, file));

    let reader = Reader {
        root: doc,
        swagger2,
    };
    let doc_servers = reader.document_servers();
    let doc_security = root.get("security");

    let mut operations = Vec::new();
    for (path, item) in paths.into_iter().flatten() {
        let item = reader.resolve(item);
        let Some(item_obj) = item.as_object() else {
            continue;
        };
        let item_servers = reader
            .servers_of(item_obj)
            .unwrap_or_else(|| doc_servers.clone());
        let item_internal = is_true(item_obj.get("x-internal"));
        for method in HTTP_METHODS {
            let Some(op) = item_obj.get(method).and_then(Value::as_object) else {
                continue;
            };
            let pointer = format!("/paths/{}/{}", escape_pointer(path), method);
            let servers = if swagger2 {
                reader
                    .swagger2_op_servers(op)
                    .unwrap_or_else(|| item_servers.clone())
            } else {
                reader
                    .servers_of(op)
                    .unwrap_or_else(|| item_servers.clone())
            };
            let security = reader.security_of(op.get("security").or(doc_security));
            let (has_inputs, inputs_have_schemas) = reader.inputs(item_obj, op);
            let (response_headers, response_codes) = reader.responses(op);
            let mut fields = BTreeSet::new();
            reader.sensitive_fields(op, &pointer, &mut fields);
            operations.push(SpecOperation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                pointer,
                line: None,
                operation_id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                deprecated: is_true(op.get("deprecated")),
                internal: item_internal || is_true(op.get("x-internal")),
                security,
                servers,
                response_headers,
                response_codes,
                has_inputs,
                inputs_have_schemas,
                sensitive_fields: fields.into_iter().collect(),
            });
        }
    }
    Ok(DeclaredSpec {
        file: file.to_string(),
        version,
        title,
        service,
        servers: doc_servers,
        operations,
        audit: None,
    })
}

/// A service name from a spec's title (`Orders API` → `orders-api`), else the file stem.
fn service_name_from(title: &str, file: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if !slug.is_empty() {
        return slug;
    }
    let name = file.rsplit('/').next().unwrap_or(file);
    name.split('.').next().unwrap_or(name).to_string()
}

pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn is_true(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true)))
}

struct Reader<'a> {
    root: &'a Value,
    swagger2: bool,
}

impl<'a> Reader<'a> {
    /// Follow local `$ref`s to the value they name. A remote or broken reference, or a chain
    /// deeper than `MAX_REF_DEPTH` (a cycle), resolves to the `$ref` object itself.
    fn resolve(&self, mut value: &'a Value) -> &'a Value {
        for _ in 0..MAX_REF_DEPTH {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return value;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                return value; // remote: never fetched
            };
            match self.root.pointer(pointer) {
                Some(target) => value = target,
                None => return value,
            }
        }
        value
    }

    fn document_servers(&self) -> Vec<SpecServer> {
        let root = self.root.as_object();
        if self.swagger2 {
            let host = root.and_then(|r| r.get("host")).and_then(Value::as_str);
            let base = root
                .and_then(|r| r.get("basePath"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let schemes = root.and_then(|r| r.get("schemes"));
            swagger2_servers(host, base, schemes)
        } else {
            root.and_then(|r| self.servers_of(r)).unwrap_or_default()
        }
    }

    fn swagger2_op_servers(&self, op: &Map<String, Value>) -> Option<Vec<SpecServer>> {
        let schemes = op.get("schemes")?;
        let root = self.root.as_object();
        let host = root.and_then(|r| r.get("host")).and_then(Value::as_str);
        let base = root
            .and_then(|r| r.get("basePath"))
            .and_then(Value::as_str)
            .unwrap_or("");
        Some(swagger2_servers(host, base, Some(schemes)))
    }

    fn servers_of(&self, obj: &Map<String, Value>) -> Option<Vec<SpecServer>> {
        let list = obj.get("servers")?.as_array()?;
        if list.is_empty() {
            return None;
        }
        Some(
            list.iter()
                .filter_map(|s| {
                    let s = s.as_object()?;
                    let url = substitute_variables(s.get("url")?.as_str()?, s.get("variables"));
                    Some(server_from_url(&url, is_true(s.get("x-internal"))))
                })
                .collect(),
        )
    }

    fn security_of(&self, security: Option<&Value>) -> SecurityDeclaration {
        let Some(Value::Array(alternatives)) = security else {
            return SecurityDeclaration::NotDeclared;
        };
        let schemes = if self.swagger2 {
            self.root.get("securityDefinitions")
        } else {
            self.root
                .get("components")
                .and_then(|c| c.get("securitySchemes"))
        };
        let alternatives = alternatives
            .iter()
            .filter_map(Value::as_object)
            .map(|requirement| {
                requirement
                    .keys()
                    .map(|name| SchemeUse {
                        name: name.clone(),
                        kind: schemes
                            .and_then(|s| s.get(name))
                            .map(|s| scheme_kind(self.resolve(s)))
                            .unwrap_or_else(|| "undefined".to_string()),
                    })
                    .collect()
            })
            .collect();
        SecurityDeclaration::Requirements { alternatives }
    }

    /// (has any input, every input has a schema)
    fn inputs(&self, item: &Map<String, Value>, op: &Map<String, Value>) -> (bool, bool) {
        let mut any = false;
        let mut all_typed = true;
        let params = [item.get("parameters"), op.get("parameters")];
        for p in params
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
        {
            let p = self.resolve(p);
            any = true;
            let typed = if self.swagger2 {
                p.get("schema").is_some() || p.get("type").is_some()
            } else {
                p.get("schema").is_some() || p.get("content").is_some()
            };
            all_typed &= typed;
        }
        if let Some(body) = op.get("requestBody") {
            any = true;
            let body = self.resolve(body);
            let content = body.get("content").and_then(Value::as_object);
            let typed = content
                .is_some_and(|c| !c.is_empty() && c.values().all(|m| m.get("schema").is_some()));
            all_typed &= typed;
        }
        (any, any && all_typed)
    }

    fn responses(&self, op: &Map<String, Value>) -> (Vec<String>, Vec<String>) {
        let mut headers = BTreeSet::new();
        let mut codes = Vec::new();
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            for (code, response) in responses {
                if code.starts_with("x-") {
                    continue;
                }
                codes.push(code.clone());
                let response = self.resolve(response);
                if let Some(h) = response.get("headers").and_then(Value::as_object) {
                    headers.extend(h.keys().map(|k| k.to_ascii_lowercase()));
                }
            }
        }
        (headers.into_iter().collect(), codes)
    }

    /// Collect sensitive fields named by the operation's parameters, request and response
    /// schemas.
    fn sensitive_fields(
        &self,
        op: &Map<String, Value>,
        pointer: &str,
        out: &mut BTreeSet<SensitiveField>,
    ) {
        if let Some(params) = op.get("parameters").and_then(Value::as_array) {
            for (i, p) in params.iter().enumerate() {
                let p = self.resolve(p);
                if let Some(name) = p.get("name").and_then(Value::as_str) {
                    let format = p
                        .get("format")
                        .or_else(|| p.get("schema").and_then(|s| self.resolve(s).get("format")))
                        .and_then(Value::as_str);
                    if let Some(t) = classify_field_name(name, format) {
                        out.insert(SensitiveField {
                            data_type: t.to_string(),
                            location: format!("{pointer}/parameters/{i}"),
                        });
                    }
                }
                if let Some(schema) = p.get("schema") {
                    self.walk_schema(
                        schema,
                        &format!("{pointer}/parameters/{i}/schema"),
                        0,
                        &mut Vec::new(),
                        out,
                    );
                }
            }
        }
        if let Some(content) = op
            .get("requestBody")
            .map(|b| self.resolve(b))
            .and_then(|b| b.get("content"))
            .and_then(Value::as_object)
        {
            for (media, m) in content {
                if let Some(schema) = m.get("schema") {
                    let at = format!(
                        "{pointer}/requestBody/content/{}/schema",
                        escape_pointer(media)
                    );
                    self.walk_schema(schema, &at, 0, &mut Vec::new(), out);
                }
            }
        }
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            for (code, r) in responses {
                let r = self.resolve(r);
                if let Some(schema) = r.get("schema") {
                    self.walk_schema(
                        schema,
                        &format!("{pointer}/responses/{code}/schema"),
                        0,
                        &mut Vec::new(),
                        out,
                    );
                }
                if let Some(content) = r.get("content").and_then(Value::as_object) {
                    for (media, m) in content {
                        if let Some(schema) = m.get("schema") {
                            let at = format!(
                                "{pointer}/responses/{code}/content/{}/schema",
                                escape_pointer(media)
                            );
                            self.walk_schema(schema, &at, 0, &mut Vec::new(), out);
                        }
                    }
                }
            }
        }
    }

    fn walk_schema(
        &self,
        schema: &'a Value,
        at: &str,
        depth: usize,
        visiting: &mut Vec<*const Value>,
        out: &mut BTreeSet<SensitiveField>,
    ) {
        if depth > MAX_SCHEMA_DEPTH {
            return;
        }
        let schema = self.resolve(schema);
        let key = schema as *const Value;
        if visiting.contains(&key) {
            return; // recursive schema
        }
        visiting.push(key);
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let prop_at = format!("{at}/properties/{}", escape_pointer(name));
                let format = self.resolve(prop).get("format").and_then(Value::as_str);
                if let Some(t) = classify_field_name(name, format) {
                    out.insert(SensitiveField {
                        data_type: t.to_string(),
                        location: prop_at.clone(),
                    });
                }
                self.walk_schema(prop, &prop_at, depth + 1, visiting, out);
            }
        }
        if let Some(items) = schema.get("items") {
            self.walk_schema(items, &format!("{at}/items"), depth + 1, visiting, out);
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if let Some(list) = schema.get(combinator).and_then(Value::as_array) {
                for (i, s) in list.iter().enumerate() {
                    self.walk_schema(
                        s,
                        &format!("{at}/{combinator}/{i}"),
                        depth + 1,
                        visiting,
                        out,
                    );
                }
            }
        }
        visiting.pop();
    }
}

fn scheme_kind(scheme: &Value) -> String {
    let ty = scheme
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("undefined");
    match ty {
        "http" => format!(
            "http/{}",
            scheme
                .get("scheme")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_ascii_lowercase()
        ),
        "basic" => "http/basic".to_string(), // Swagger 2.0
        "apiKey" => format!(
            "apiKey/{}",
            scheme
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
        ),
        other => other.to_string(),
    }
}

fn swagger2_servers(host: Option<&str>, base: &str, schemes: Option<&Value>) -> Vec<SpecServer> {
    let schemes: Vec<&str> = schemes
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let base_path = normalize_base(base);
    match host {
        Some(host) if !schemes.is_empty() => schemes
            .iter()
            .map(|s| SpecServer {
                url: format!("{s}://{host}{base_path}"),
                scheme: Some(s.to_ascii_lowercase()),
                base_path: base_path.clone(),
                internal: false,
            })
            .collect(),
        // No schemes: the spec says "the scheme used to access the spec", i.e. unknown.
        _ if host.is_some() || !base_path.is_empty() => vec![SpecServer {
            url: format!(
                "{}{base_path}",
                host.map(|h| format!("//{h}")).unwrap_or_default()
            ),
            scheme: None,
            base_path,
            internal: false,
        }],
        _ => Vec::new(),
    }
}

fn substitute_variables(url: &str, variables: Option<&Value>) -> String {
    let mut url = url.to_string();
    if let Some(vars) = variables.and_then(Value::as_object) {
        for (name, var) in vars {
            if let Some(default) = var.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    url
}

fn server_from_url(url: &str, internal: bool) -> SpecServer {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, rest)) => (Some(s.to_ascii_lowercase()), rest),
        None => (None, url.strip_prefix("//").unwrap_or(url)),
    };
    let path = if scheme.is_some() || url.starts_with("//") {
        rest.find('/').map(|i| &rest[i..]).unwrap_or("")
    } else {
        rest
    };
    SpecServer {
        url: url.to_string(),
        scheme,
        base_path: normalize_base(path),
        internal,
    }
}

fn normalize_base(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OAS3: &str = r##"
openapi: 3.0.3
info: { title: Orders API, version: "1" }
x-vendor-thing: { anything: [1, 2] }
servers:
  - url: https://api.example.com/v1
security:
  - bearer: []
paths:
  /orders/{id}:
    parameters:
      - $ref: '#/components/parameters/Id'
    get:
      operationId: getOrder
      responses:
        "200":
          description: ok
          headers:
            X-RateLimit-Limit: { schema: { type: integer } }
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Order' }
    delete:
      deprecated: true
      security: []
      responses: { "204": { description: gone } }
components:
  parameters:
    Id: { name: id, in: path, required: true, schema: { type: string } }
  securitySchemes:
    bearer: { type: http, scheme: bearer }
  schemas:
    Order:
      type: object
      properties:
        email: { type: string, format: email }
        parent: { $ref: '#/components/schemas/Order' }
"##;

    #[test]
    fn reads_openapi3_operations_with_effective_security_and_servers() {
        let spec = read_spec("specs/orders.yaml", OAS3, None).unwrap();
        assert_eq!(spec.service, "orders-api");
        assert_eq!(spec.version, "openapi 3.0.3");
        assert_eq!(spec.operations.len(), 2);
        let get = &spec.operations[0];
        assert_eq!(
            (get.method.as_str(), get.path.as_str()),
            ("GET", "/orders/{id}")
        );
        assert_eq!(get.pointer, "/paths/~1orders~1{id}/get");
        assert_eq!(
            get.line,
            Some((13, 5)),
            "the `get:` key under `/orders/{{id}}:`"
        );
        assert_eq!(get.servers[0].base_path, "/v1");
        assert_eq!(get.servers[0].scheme.as_deref(), Some("https"));
        assert!(
            matches!(&get.security, SecurityDeclaration::Requirements { alternatives } if alternatives[0][0].kind == "http/bearer")
        );
        assert_eq!(get.response_headers, vec!["x-ratelimit-limit"]);
        assert!(get.has_inputs && get.inputs_have_schemas);
        // The recursive schema terminates and still yields the email property once.
        assert!(get.sensitive_fields.iter().any(|f| f.data_type == "email"));
        let delete = &spec.operations[1];
        assert!(delete.deprecated);
        assert_eq!(
            delete.security,
            SecurityDeclaration::Requirements {
                alternatives: vec![]
            }
        );
    }

    #[test]
    fn reads_swagger2() {
        let doc = r#"{"swagger":"2.0","info":{"title":"Pets","version":"1"},"host":"pets.example.com","basePath":"/api","schemes":["http","https"],
          "securityDefinitions":{"key":{"type":"apiKey","in":"header","name":"X-API-Key"}},
          "paths":{"/pets":{"post":{"security":[{"key":[]}],"parameters":[{"in":"body","name":"body","schema":{"type":"object","properties":{"ssn":{"type":"string"}}}}],"responses":{"200":{"description":"ok"}}}}}}"#;
        let spec = read_spec("specs/pets.json", doc, Some("pets")).unwrap();
        let op = &spec.operations[0];
        assert_eq!(op.servers.len(), 2);
        assert_eq!(op.servers[0].scheme.as_deref(), Some("http"));
        assert_eq!(op.servers[0].base_path, "/api");
        assert!(
            matches!(&op.security, SecurityDeclaration::Requirements { alternatives } if alternatives[0][0].kind == "apiKey/header")
        );
        assert_eq!(op.sensitive_fields[0].data_type, "ssn");
    }

    #[test]
    fn openapi31_type_arrays_and_webhooks_only() {
        let doc = "openapi: 3.1.0\ninfo: {title: Hooks, version: '1'}\nwebhooks: {}\n";
        let spec = read_spec("specs/hooks.yaml", doc, None).unwrap();
        assert!(spec.operations.is_empty());
    }

    #[test]
    fn rejects_documents_that_are_not_openapi() {
        let err = read_spec("specs/x.yaml", "name: not a spec\n", None).unwrap_err();
        assert!(matches!(err, SpecError::NotOpenApi(_)));
        let err = read_spec("specs/x.json", "{\"openapi\": \"3.0.0\", ", None).unwrap_err();
        assert!(matches!(err, SpecError::Syntax { .. }));
        assert!(err.location().is_some(), "{err}");
        let err = read_spec("specs/x.yaml", "openapi: 3.0.0\npaths: [\n", None).unwrap_err();
        assert!(err.location().is_some(), "{err}");
    }

    #[test]
    fn ref_cycles_and_remote_refs_terminate() {
        let doc = r##"{"openapi":"3.0.0","info":{"title":"c","version":"1"},"paths":{"/a":{"$ref":"#/paths/~1b"},"/b":{"$ref":"#/paths/~1a"},
            "/c":{"get":{"parameters":[{"$ref":"https://evil.example/p.json"}],"responses":{}}}}}"##;
        let spec = read_spec("specs/c.json", doc, None).unwrap();
        assert_eq!(spec.operations.len(), 1);
        assert!(spec.operations[0].has_inputs && !spec.operations[0].inputs_have_schemas);
    }
}
