//! Traffic samples: HAR 1.2 (as browsers and proxies export them) and the seed's JSON shape
//! `{method, path, service?, scheme, request_headers, response_headers, has_schema_validation}`
//! (one object or a list), sanitized into `TrafficSample`s at the door.
//!
//! Sanitizing means: request header values are dropped (only names, and the scheme word of
//! `Authorization`, are kept); only the response headers controls read are kept, truncated;
//! sensitive values in the URL are reduced to type, location and masked form.

use crate::sensitive::detect_value;
use crate::snapshot::{ObservedSensitive, TrafficSample};
use serde_json::Value;
use std::collections::BTreeMap;

/// Response headers the controls read. Everything else is dropped at ingestion.
const KEPT_RESPONSE_HEADERS: &[&str] = &[
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "content-security-policy",
    "cache-control",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-rate-limit-limit",
    "ratelimit",
    "ratelimit-limit",
    "ratelimit-policy",
    "ratelimit-remaining",
    "ratelimit-reset",
    "retry-after",
    "content-type",
];
const MAX_HEADER_VALUE: usize = 256;

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{location}: {message}")]
pub struct SampleError {
    /// `entries[3]`, `[2]`, or `document`.
    pub location: String,
    pub message: String,
}

/// Parse one samples file. Returns the samples that could be read and an error per entry that
/// could not (the rest of the file still counts).
pub fn read_samples(
    file: &str,
    text: &str,
) -> Result<(Vec<TrafficSample>, Vec<SampleError>), SampleError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| SampleError {
        location: format!("line {}, column {}", e.line(), e.column()),
        message: format!("not valid JSON: {e}"),
    })?;
    if let Some(log) = doc.get("log") {
        return read_har(file, log);
    }
    let items: Vec<&Value> = match &doc {
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => vec![&doc],
        _ => {
            return Err(SampleError {
                location: "document".into(),
                message: "expected a HAR document, a sample object or a list of samples".into(),
            });
        }
    };
    let single = matches!(doc, Value::Object(_));
    let mut samples = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let location = if single {
            "document".to_string()
        } else {
            format!("[{i}]")
        };
        match seed_sample(item) {
            Ok(mut s) => {
                s.source = if single {
                    file.to_string()
                } else {
                    format!("{file}#{location}")
                };
                samples.push(s);
            }
            Err(message) => errors.push(SampleError { location, message }),
        }
    }
    Ok((samples, errors))
}

fn read_har(
    file: &str,
    log: &Value,
) -> Result<(Vec<TrafficSample>, Vec<SampleError>), SampleError> {
    let entries = log
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| SampleError {
            location: "log".into(),
            message: "HAR document without `log.entries`".into(),
        })?;
    let mut samples = Vec::new();
    let mut errors = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let location = format!("entries[{i}]");
        match har_entry(entry) {
            Ok(mut s) => {
                s.source = format!("{file}#{location}");
                samples.push(s);
            }
            Err(message) => errors.push(SampleError { location, message }),
        }
    }
    Ok((samples, errors))
}

fn har_entry(entry: &Value) -> Result<TrafficSample, String> {
    let request = entry.get("request").ok_or("entry without `request`")?;
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .ok_or("request without `method`")?;
    let url = request
        .get("url")
        .and_then(Value::as_str)
        .ok_or("request without `url`")?;
    let parsed = split_url(url)
        .ok_or_else(|| format!("request URL is not absolute: {}", truncate(url, 80)))?;
    let mut sample = TrafficSample {
        method: method.to_ascii_uppercase(),
        path: parsed.path.clone(),
        host: Some(parsed.host.clone()),
        scheme: Some(parsed.scheme.clone()),
        ..TrafficSample::default()
    };
    for (name, value) in har_headers(request.get("headers")) {
        add_request_header(&mut sample, &name, &value);
    }
    if request
        .get("cookies")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
        && !sample.has_request_header("cookie")
    {
        sample.request_headers.push("cookie".into());
    }
    if let Some(response) = entry.get("response") {
        sample.status = response
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| *s > 0);
        for (name, value) in har_headers(response.get("headers")) {
            add_response_header(&mut sample.response_headers, &name, &value);
        }
    }
    sample.sensitive_data = detect_in_url(&parsed.path, &parsed.query);
    // Header values (credential headers excluded: they are supposed to carry secrets) and
    // bodies: scanned for sensitive values, which are kept as type and masked form only.
    for (name, value) in har_headers(request.get("headers")) {
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "authorization" | "cookie" | "x-api-key" | "proxy-authorization"
        ) {
            continue;
        }
        sample.sensitive_data.extend(detect_in_text(
            &value,
            &format!("request header {}", truncate(&name, 64)),
        ));
    }
    if let Some(body) = request.pointer("/postData/text").and_then(Value::as_str) {
        sample
            .sensitive_data
            .extend(detect_in_text(body, "request body"));
    }
    if let Some(body) = entry
        .pointer("/response/content/text")
        .and_then(Value::as_str)
    {
        sample
            .sensitive_data
            .extend(detect_in_text(body, "response body"));
    }
    sample.sensitive_data.sort();
    sample
        .sensitive_data
        .dedup_by(|a, b| a.data_type == b.data_type && a.location == b.location);
    Ok(sample)
}

fn seed_sample(item: &Value) -> Result<TrafficSample, String> {
    let obj = item.as_object().ok_or("a sample must be an object")?;
    let method = obj
        .get("method")
        .and_then(Value::as_str)
        .ok_or("sample without a string `method`")?;
    let raw_path = obj
        .get("path")
        .and_then(Value::as_str)
        .ok_or("sample without a string `path`")?;
    let (path, query) = raw_path.split_once('?').unwrap_or((raw_path, ""));
    if !path.starts_with('/') {
        return Err(format!(
            "`path` must start with '/': {}",
            truncate(path, 80)
        ));
    }
    let mut sample = TrafficSample {
        method: method.to_ascii_uppercase(),
        path: path.to_string(),
        service: obj
            .get("service")
            .and_then(Value::as_str)
            .map(str::to_string),
        scheme: obj
            .get("scheme")
            .and_then(Value::as_str)
            .map(|s| s.to_ascii_lowercase()),
        host: obj.get("host").and_then(Value::as_str).map(str::to_string),
        status: obj
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok()),
        has_schema_validation: obj.get("has_schema_validation").and_then(Value::as_bool),
        ..TrafficSample::default()
    };
    for (name, value) in seed_headers(obj.get("request_headers"))? {
        add_request_header(&mut sample, &name, &value);
    }
    for (name, value) in seed_headers(obj.get("response_headers"))? {
        add_response_header(&mut sample.response_headers, &name, &value);
    }
    sample.sensitive_data = detect_in_url(path, query);
    Ok(sample)
}

/// Headers in the seed shape: a `{name: value}` mapping or a list of names.
fn seed_headers(v: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => Ok(map
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect()),
        Some(Value::Array(list)) => Ok(list
            .iter()
            .filter_map(Value::as_str)
            .map(|n| (n.to_string(), String::new()))
            .collect()),
        Some(_) => Err("headers must be a mapping of name to value or a list of names".into()),
    }
}

fn har_headers(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|h| {
                    let name = h.get("name")?.as_str()?;
                    let value = h.get("value").and_then(Value::as_str).unwrap_or("");
                    // HTTP/2 pseudo-headers (`:authority`) are not headers.
                    (!name.starts_with(':')).then(|| (name.to_string(), value.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn add_request_header(sample: &mut TrafficSample, name: &str, value: &str) {
    let name = name.to_ascii_lowercase();
    if name == "authorization" {
        // Keep the scheme word only; the credential is never stored.
        let word = value.split_whitespace().next().unwrap_or("");
        if !word.is_empty()
            && word.len() <= 20
            && word.chars().all(|c| c.is_ascii_alphabetic())
            && value.contains(' ')
        {
            sample.authorization_scheme = Some(word.to_string());
        }
    }
    if !sample.request_headers.contains(&name) {
        sample.request_headers.push(name);
    }
}

fn add_response_header(kept: &mut BTreeMap<String, String>, name: &str, value: &str) {
    let name = name.to_ascii_lowercase();
    if KEPT_RESPONSE_HEADERS.contains(&name.as_str()) {
        kept.insert(name, truncate(value, MAX_HEADER_VALUE));
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

struct ParsedUrl {
    scheme: String,
    host: String,
    path: String,
    query: String,
}

fn split_url(url: &str) -> Option<ParsedUrl> {
    let (scheme, rest) = url.split_once("://")?;
    let rest = rest.split('#').next().unwrap_or("");
    let (authority, path_query) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    Some(ParsedUrl {
        scheme: scheme.to_ascii_lowercase(),
        host: host.to_ascii_lowercase(),
        path: if path.is_empty() {
            "/".into()
        } else {
            path.to_string()
        },
        query: query.to_string(),
    })
}

/// Validating detectors over path segments and query values.
fn detect_in_url(path: &str, query: &str) -> Vec<ObservedSensitive> {
    let mut found = Vec::new();
    for (i, segment) in path.split('/').filter(|s| !s.is_empty()).enumerate() {
        if let Some(d) = detect_value(&percent_decode(segment)) {
            found.push(ObservedSensitive {
                data_type: d.data_type.to_string(),
                location: format!("path segment {}", i + 1),
                masked: d.masked,
            });
        }
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if let Some(d) = detect_value(&percent_decode(value)) {
            found.push(ObservedSensitive {
                data_type: d.data_type.to_string(),
                location: format!("query parameter {}", truncate(&percent_decode(name), 64)),
                masked: d.masked,
            });
        }
    }
    found
}

/// Bodies and header values: tokens between JSON/form punctuation, first 64 KiB only.
fn detect_in_text(text: &str, location: &str) -> Vec<ObservedSensitive> {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end]
        .split(|c: char| c.is_whitespace() || "\"'{}[],:;=&<>".contains(c))
        .filter(|t| t.len() >= 8)
        .filter_map(detect_value)
        .map(|d| ObservedSensitive {
            data_type: d.data_type.to_string(),
            location: location.to_string(),
            masked: d.masked,
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn har_entries_are_sanitized() {
        let har = r#"{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[
          {"request":{"method":"get","url":"https://shop.example.com/v1/users/jane%40example.com?card=4111111111111111","headers":[
              {"name":":authority","value":"shop.example.com"},
              {"name":"Authorization","value":"Bearer eyJhbGciOiJIUzI1NiJ9.secret.sig"}]},
           "response":{"status":200,"headers":[{"name":"Set-Cookie","value":"session=abc"},{"name":"Access-Control-Allow-Origin","value":"*"}]}},
          {"request":{"method":"GET"}}
        ]}}"#;
        let (samples, errors) = read_samples("samples/shop.har", har).unwrap();
        assert_eq!(samples.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location, "entries[1]");
        let s = &samples[0];
        assert_eq!(s.source, "samples/shop.har#entries[0]");
        assert_eq!(s.method, "GET");
        assert_eq!(s.path, "/v1/users/jane%40example.com");
        assert_eq!(s.scheme.as_deref(), Some("https"));
        assert_eq!(s.authorization_scheme.as_deref(), Some("Bearer"));
        assert_eq!(s.request_headers, vec!["authorization"]);
        assert_eq!(s.response_header("access-control-allow-origin"), Some("*"));
        assert!(s.response_header("set-cookie").is_none());
        let json = serde_json::to_string(s).unwrap();
        assert!(!json.contains("eyJhbGci"), "credential leaked: {json}");
        assert!(
            !json.contains("4111111111111111") && !json.contains("jane@"),
            "PII leaked: {json}"
        );
        let types: Vec<_> = s
            .sensitive_data
            .iter()
            .map(|d| d.data_type.as_str())
            .collect();
        assert_eq!(types, vec!["card_number", "email"]);
    }

    #[test]
    fn har_bodies_are_scanned_without_keeping_values() {
        let har = r#"{"log":{"entries":[{"request":{"method":"POST","url":"https://a.example/v1/signup","headers":[{"name":"X-Debug","value":"123-45-6789"}],
            "postData":{"mimeType":"application/json","text":"{\"email\":\"jane@example.com\",\"card\":\"4111 1111 1111 1111\"}"}},
            "response":{"status":201,"headers":[],"content":{"text":"{\"token\":\"AKIAIOSFODNN7EXAMPLE\"}"}}}]}}"#;
        let (samples, _) = read_samples("s.har", har).unwrap();
        let found: Vec<(&str, &str)> = samples[0]
            .sensitive_data
            .iter()
            .map(|d| (d.data_type.as_str(), d.location.as_str()))
            .collect();
        assert!(found.contains(&("email", "request body")), "{found:?}");
        assert!(
            found.contains(&("ssn", "request header X-Debug")),
            "{found:?}"
        );
        assert!(
            found.contains(&("aws_access_key_id", "response body")),
            "{found:?}"
        );
        let json = serde_json::to_string(&samples[0]).unwrap();
        assert!(
            !json.contains("jane@example.com")
                && !json.contains("AKIAIOSFODNN7EXAMPLE")
                && !json.contains("123-45-6789")
        );
    }

    #[test]
    fn seed_shape_one_object_or_a_list() {
        let one = r#"{"method":"GET","path":"/v1/orders","service":"orders","scheme":"http","request_headers":{},"response_headers":{"Access-Control-Allow-Origin":"*"},"has_schema_validation":false}"#;
        let (samples, errors) = read_samples("samples/a.json", one).unwrap();
        assert!(errors.is_empty());
        assert_eq!(samples[0].service.as_deref(), Some("orders"));
        assert_eq!(samples[0].has_schema_validation, Some(false));
        let list = r#"[{"method":"GET","path":"/a"},{"path":"/b"}]"#;
        let (samples, errors) = read_samples("samples/b.json", list).unwrap();
        assert_eq!(samples.len(), 1);
        assert_eq!(errors[0].location, "[1]");
    }

    #[test]
    fn malformed_json_names_the_line() {
        let err = read_samples("samples/c.json", "[\n{\"method\": }\n]").unwrap_err();
        assert!(err.location.starts_with("line 2"), "{err}");
    }
}
