//! Observed traffic from access logs, aggregated per (scope, METHOD, path template) while the logs
//! stream by: request counts, status classes, 401/403, successful calls with no principal, first
//! and last seen, approximate distinct callers, and sensitive data (type, location, masked form).
//!
//! Concrete paths are templated as they arrive (`/users/42` → `/users/{id}`), so the aggregate
//! grows with the API's surface, not with the log's size.

use crate::access_log::{AccessRecord, LineFormat, LogLine, ReadStats, parse_line, read_log};
use crate::inventory::template_path;
use crate::sensitive::detect_value;
use crate::snapshot::{InputIssue, ObservedSensitive};
use cardinality_estimator::CardinalityEstimator;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// Malformed lines reported individually per object; the rest are counted.
const MAX_ISSUES_PER_OBJECT: usize = 5;
/// Distinct literal values one path position must show before they merge into a parameter
/// (Akto's STRING_MERGING_THRESHOLD): `/users/alice`, `/users/bob`, … → `/users/{param}`.
pub const STRING_MERGE_THRESHOLD: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedEndpoint {
    /// The estate service the log belongs to (local layout `logs/<service>/…`), if known.
    pub service: Option<String>,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    pub method: String,
    /// The path template: as logged (`$context.resourcePath`, a route key) or templated here.
    pub path: String,
    pub requests: u64,
    /// `2xx` → count, etc.
    pub status_classes: BTreeMap<String, u64>,
    pub unauthorized: u64,
    pub forbidden: u64,
    /// Successful (2xx) responses with no authenticated principal; None when the log format
    /// does not record a principal (absence then proves nothing).
    pub unauthenticated_successes: Option<u64>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Approximate (HyperLogLog-style) count of distinct source IPs.
    pub distinct_callers: u64,
    pub sensitive_data: Vec<ObservedSensitive>,
    /// A few places in the logs where it was seen.
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogIngestStats {
    pub objects: u64,
    pub lines: u64,
    pub bytes: u64,
    pub malformed_lines: u64,
    pub unreadable_objects: u64,
    pub control_messages: u64,
    /// The first malformed lines of each object, with their location. Line-level noise: it
    /// does not make the assessment incomplete (an unreadable object does).
    #[serde(default)]
    pub malformed_examples: Vec<InputIssue>,
}

/// What a log object's location says about its records.
#[derive(Debug, Clone, Default)]
pub struct LogScope {
    /// The object: a file path or `s3://bucket/key`.
    pub source: String,
    pub service: Option<String>,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    /// The stage's access-log format, when the sweep knows it.
    pub format: Option<LineFormat>,
}

#[derive(PartialEq, Eq, Clone)]
struct Key {
    service: Option<String>,
    api_id: Option<String>,
    stage: Option<String>,
    method: String,
    path: String,
}

/// A key seen through borrowed parts, so a line's lookup allocates nothing.
trait KeyView {
    fn parts(&self) -> (Option<&str>, Option<&str>, Option<&str>, &str, &str);
}

impl KeyView for Key {
    fn parts(&self) -> (Option<&str>, Option<&str>, Option<&str>, &str, &str) {
        (
            self.service.as_deref(),
            self.api_id.as_deref(),
            self.stage.as_deref(),
            &self.method,
            &self.path,
        )
    }
}

struct LookupKey<'a> {
    service: Option<&'a str>,
    api_id: Option<&'a str>,
    stage: Option<&'a str>,
    method: &'a str,
    path: &'a str,
}

impl KeyView for LookupKey<'_> {
    fn parts(&self) -> (Option<&str>, Option<&str>, Option<&str>, &str, &str) {
        (
            self.service,
            self.api_id,
            self.stage,
            self.method,
            self.path,
        )
    }
}

impl std::hash::Hash for dyn KeyView + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (a, b, c, m, p) = self.parts();
        (a, b, c).hash(state);
        // Methods compare case-insensitively: hash their upper-case bytes.
        for byte in m.bytes() {
            state.write_u8(byte.to_ascii_uppercase());
        }
        p.hash(state);
    }
}

impl PartialEq for dyn KeyView + '_ {
    fn eq(&self, other: &Self) -> bool {
        let (a, b, c, m, p) = self.parts();
        let (a2, b2, c2, m2, p2) = other.parts();
        a == a2 && b == b2 && c == c2 && m.eq_ignore_ascii_case(m2) && p == p2
    }
}

impl Eq for dyn KeyView + '_ {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self as &dyn KeyView).hash(state)
    }
}

impl<'a> std::borrow::Borrow<dyn KeyView + 'a> for Key {
    fn borrow(&self) -> &(dyn KeyView + 'a) {
        self
    }
}

struct Acc {
    requests: u64,
    status: [u64; 6],
    unauthorized: u64,
    forbidden: u64,
    principal_logged: bool,
    unauthenticated_successes: u64,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    callers: CardinalityEstimator<str>,
    sensitive: BTreeMap<(String, String), (String, u64)>,
    examples: Vec<String>,
}

impl Acc {
    fn new() -> Acc {
        Acc {
            requests: 0,
            status: [0; 6],
            unauthorized: 0,
            forbidden: 0,
            principal_logged: false,
            unauthenticated_successes: 0,
            first: None,
            last: None,
            callers: CardinalityEstimator::new(),
            sensitive: BTreeMap::new(),
            examples: Vec::new(),
        }
    }
}

/// Streams log objects in, aggregates, and hands back observed endpoints.
#[derive(Default)]
pub struct Aggregator {
    map: HashMap<Key, Acc>,
    pub stats: LogIngestStats,
    pub issues: Vec<InputIssue>,
    /// Resolves a CloudWatch log group to (api id, stage, format) from the stages' settings.
    log_groups: HashMap<String, (String, String, Option<LineFormat>)>,
}

impl Aggregator {
    pub fn new() -> Aggregator {
        Aggregator::default()
    }

    /// Tie a CloudWatch Logs group (as envelopes name it) to the stage that writes it.
    pub fn register_log_group(
        &mut self,
        group: &str,
        api_id: &str,
        stage: &str,
        format: Option<LineFormat>,
    ) {
        self.log_groups.insert(
            group.to_string(),
            (api_id.to_string(), stage.to_string(), format),
        );
    }

    /// Read one log object. Malformed lines are counted and reported (a few, with their
    /// location); an unreadable object is reported; neither stops the rest.
    pub fn ingest<R: Read>(&mut self, reader: R, scope: &LogScope) -> ReadStats {
        self.stats.objects += 1;
        let mut detected: Option<LineFormat> = None;
        let mut reported = 0usize;
        let mut malformed = 0u64;
        let mut pending: Vec<InputIssue> = Vec::new();
        let log_groups = std::mem::take(&mut self.log_groups);
        let result = read_log(reader, |line: LogLine<'_>| {
            let group = line.log_group.and_then(|g| log_groups.get(g));
            let format = match (
                group.and_then(|(_, _, f)| f.as_ref()),
                scope.format.as_ref(),
            ) {
                (Some(f), _) | (None, Some(f)) => Some(f),
                (None, None) => {
                    if detected
                        .as_ref()
                        .is_none_or(|f| parse_line(f, line.text).is_err())
                    {
                        detected = LineFormat::detect(line.text);
                    }
                    detected.as_ref()
                }
            };
            let parsed = match format {
                Some(f) => parse_line(f, line.text),
                None => Err("no known access-log format matches the line".to_string()),
            };
            match parsed {
                Ok(rec) => {
                    let (api, stage) = match group {
                        Some((a, s, _)) => (Some(a.as_str()), Some(s.as_str())),
                        None => (scope.api_id.as_deref(), scope.stage.as_deref()),
                    };
                    self_add(&mut self.map, rec, scope, api, stage, &line);
                }
                Err(message) => {
                    malformed += 1;
                    if reported < MAX_ISSUES_PER_OBJECT {
                        reported += 1;
                        pending.push(InputIssue {
                            input: scope.source.clone(),
                            location: Some(line.location()),
                            message: format!("malformed access-log line: {message}"),
                        });
                    }
                }
            }
        });
        self.log_groups = log_groups;
        self.stats.malformed_lines += malformed;
        if malformed as usize > reported {
            pending.push(InputIssue {
                input: scope.source.clone(),
                location: None,
                message: format!("{} more malformed lines", malformed as usize - reported),
            });
        }
        self.stats.malformed_examples.extend(pending);
        let stats = match result {
            Ok(stats) => stats,
            Err(e) => {
                self.stats.unreadable_objects += 1;
                self.issues.push(InputIssue {
                    input: scope.source.clone(),
                    location: Some(e.location.clone()),
                    message: format!("{} ({} lines read before it)", e.message, e.stats.lines),
                });
                e.stats
            }
        };
        self.stats.lines += stats.lines;
        self.stats.bytes += stats.bytes;
        self.stats.control_messages += stats.control_messages;
        stats
    }

    pub fn finish(self) -> (Vec<ObservedEndpoint>, LogIngestStats, Vec<InputIssue>) {
        let mut out: Vec<ObservedEndpoint> = merge_string_segments(self.map)
            .into_iter()
            .map(|(k, a)| {
                let classes = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];
                ObservedEndpoint {
                    service: k.service,
                    api_id: k.api_id,
                    stage: k.stage,
                    method: k.method,
                    path: k.path,
                    requests: a.requests,
                    status_classes: classes
                        .iter()
                        .zip(a.status)
                        .filter(|(_, n)| *n > 0)
                        .map(|(c, n)| (c.to_string(), n))
                        .collect(),
                    unauthorized: a.unauthorized,
                    forbidden: a.forbidden,
                    unauthenticated_successes: a
                        .principal_logged
                        .then_some(a.unauthenticated_successes),
                    first_seen: a.first,
                    last_seen: a.last,
                    distinct_callers: a.callers.estimate() as u64,
                    sensitive_data: a
                        .sensitive
                        .into_iter()
                        .map(
                            |((data_type, location), (masked, count))| ObservedSensitive {
                                data_type,
                                location: format!("{location} ({count} times)"),
                                masked,
                            },
                        )
                        .collect(),
                    examples: a.examples,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.service, &a.api_id, &a.stage, &a.path, &a.method)
                .cmp(&(&b.service, &b.api_id, &b.stage, &b.path, &b.method))
        });
        (out, self.stats, self.issues)
    }
}

impl Acc {
    fn absorb(&mut self, other: Acc) {
        self.requests += other.requests;
        for (a, b) in self.status.iter_mut().zip(other.status) {
            *a += b;
        }
        self.unauthorized += other.unauthorized;
        self.forbidden += other.forbidden;
        self.principal_logged |= other.principal_logged;
        self.unauthenticated_successes += other.unauthenticated_successes;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = self.last.max(other.last);
        self.callers.merge(&other.callers);
        for (k, (masked, n)) in other.sensitive {
            self.sensitive.entry(k).or_insert((masked, 0)).1 += n;
        }
        for e in other.examples {
            if self.examples.len() < 3 {
                self.examples.push(e);
            }
        }
    }
}

/// Merge paths that differ in one literal segment once that segment shows
/// `STRING_MERGE_THRESHOLD` distinct values. The first segment, `api` and version segments are
/// never merged (they name the API, not a resource).
/// (service, api id, stage, method, path with one position blanked).
type GroupKey = (
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

fn merge_string_segments(map: HashMap<Key, Acc>) -> HashMap<Key, Acc> {
    let reserved = |s: &str| {
        s == "api"
            || (s.len() <= 4 && s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit()))
    };
    // (scope, method, path with position i blanked) → distinct values at i.
    let mut groups: HashMap<GroupKey, std::collections::HashSet<String>> = HashMap::new();
    for key in map.keys() {
        let segments: Vec<&str> = key.path.split('/').collect();
        for i in 2..segments.len() {
            let s = segments[i];
            if s.is_empty()
                || s.starts_with('{')
                || reserved(s)
                || reserved(segments[i - 1]) && i == 2
            {
                continue;
            }
            let mut blanked = segments.clone();
            blanked[i] = "\u{0}";
            groups
                .entry((
                    key.service.clone(),
                    key.api_id.clone(),
                    key.stage.clone(),
                    key.method.clone(),
                    blanked.join("/"),
                ))
                .or_default()
                .insert(s.to_string());
        }
    }
    let merge_at: std::collections::HashSet<GroupKey> = groups
        .into_iter()
        .filter(|(_, values)| values.len() >= STRING_MERGE_THRESHOLD)
        .map(|(k, _)| k)
        .collect();
    if merge_at.is_empty() {
        return map;
    }
    let mut out: HashMap<Key, Acc> = HashMap::new();
    for (mut key, acc) in map {
        let segments: Vec<&str> = key.path.split('/').collect();
        for i in 2..segments.len() {
            let mut blanked = segments.clone();
            blanked[i] = "\u{0}";
            let group = (
                key.service.clone(),
                key.api_id.clone(),
                key.stage.clone(),
                key.method.clone(),
                blanked.join("/"),
            );
            if merge_at.contains(&group) {
                blanked[i] = "{param}";
                key.path = blanked.join("/");
                break;
            }
        }
        match out.get_mut(&key) {
            Some(existing) => existing.absorb(acc),
            None => {
                out.insert(key, acc);
            }
        }
    }
    out
}

fn self_add(
    map: &mut HashMap<Key, Acc>,
    rec: AccessRecord<'_>,
    scope: &LogScope,
    api: Option<&str>,
    stage: Option<&str>,
    line: &LogLine<'_>,
) {
    // Method and path: the route key carries both on HTTP APIs; the resource path is already a
    // template; a concrete path is templated here (custom-domain base path stripped).
    let (method, path) = match (&rec.method, &rec.route_key, &rec.resource_path, &rec.path) {
        (_, Some(route), _, _) if route.contains(' ') => {
            let (m, p) = route.split_once(' ').unwrap_or(("ANY", route));
            (m.to_string(), p.to_string())
        }
        (m, Some(route), _, _) => (m.as_deref().unwrap_or("ANY").to_string(), route.to_string()),
        // Resource paths are templates; templating again only guards memory against a custom
        // format that logs concrete paths under that name.
        (Some(m), None, Some(resource), _) => (m.to_string(), template_path(resource)),
        (Some(m), None, None, Some(p)) => {
            let p = p.split('?').next().unwrap_or(p);
            let p = match rec
                .base_path
                .as_deref()
                .filter(|b| !b.is_empty() && *b != "(none)")
            {
                Some(base) => p
                    .strip_prefix(&format!("/{}", base.trim_matches('/')))
                    .unwrap_or(p),
                None => p,
            };
            (
                m.to_string(),
                template_path(if p.is_empty() { "/" } else { p }),
            )
        }
        _ => return,
    };
    let api = rec.api_id.as_deref().or(api);
    let stage = rec.stage.as_deref().or(stage);
    let lookup = LookupKey {
        service: scope.service.as_deref(),
        api_id: api,
        stage,
        method: &method,
        path: &path,
    };
    if !map.contains_key(&lookup as &dyn KeyView) {
        let key = Key {
            service: scope.service.clone(),
            api_id: api.map(str::to_string),
            stage: stage.map(str::to_string),
            method: method.to_ascii_uppercase(),
            path: path.clone(),
        };
        map.insert(key, Acc::new());
    }
    let Some(acc) = map.get_mut(&lookup as &dyn KeyView) else {
        return;
    };
    acc.requests += 1;
    if let Some(status) = rec.status {
        let class = (status / 100) as usize;
        acc.status[if (1..=5).contains(&class) {
            class - 1
        } else {
            5
        }] += 1;
        match status {
            401 => acc.unauthorized += 1,
            403 => acc.forbidden += 1,
            200..=299 if rec.principal_logged && rec.principal.is_none() => {
                acc.unauthenticated_successes += 1
            }
            _ => {}
        }
    }
    acc.principal_logged |= rec.principal_logged;
    if let Some(t) = rec.time {
        acc.first = Some(acc.first.map_or(t, |f| f.min(t)));
        acc.last = Some(acc.last.map_or(t, |l| l.max(t)));
    }
    if let Some(ip) = rec.source_ip.as_deref() {
        acc.callers.insert(ip);
    }
    if acc.examples.len() < 3 {
        acc.examples
            .push(format!("{} ({})", scope.source, line.location()));
    }
    // Sensitive values: concrete path segments, claims and custom fields. Never kept raw.
    if let Some(p) = rec.path.as_deref() {
        for (i, segment) in p
            .split(['/', '?', '&', '='])
            .filter(|s| !s.is_empty())
            .enumerate()
        {
            if let Some(d) = detect_value(segment) {
                let e = acc
                    .sensitive
                    .entry((
                        d.data_type.to_string(),
                        format!("URL path segment {}", i + 1),
                    ))
                    .or_insert((d.masked, 0));
                e.1 += 1;
            }
        }
    }
    for (k, v) in &rec.other {
        if let Some(d) = detect_value(v) {
            let e = acc
                .sensitive
                .entry((d.data_type.to_string(), format!("log field `{k}`")))
                .or_insert((d.masked, 0));
            e.1 += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_templates_and_counts_without_keeping_values() {
        let logs = [
            r#"{"requestId":"1","ip":"203.0.113.1","requestTime":"01/Dec/2026:10:00:00 +0000","httpMethod":"GET","path":"/users/42","status":"200","principalId":"-"}"#,
            r#"{"requestId":"2","ip":"203.0.113.2","requestTime":"01/Dec/2026:11:00:00 +0000","httpMethod":"GET","path":"/users/43","status":"401","principalId":"-"}"#,
            r#"{"requestId":"3","ip":"203.0.113.2","requestTime":"01/Dec/2026:12:00:00 +0000","httpMethod":"GET","path":"/users/jane@example.com","status":"200","principalId":"u1"}"#,
            r#"not json at all"#,
        ]
        .join("\n");
        let mut agg = Aggregator::new();
        agg.ingest(
            logs.as_bytes(),
            &LogScope {
                source: "logs/users/a.log".into(),
                service: Some("users".into()),
                ..LogScope::default()
            },
        );
        let (eps, stats, issues) = agg.finish();
        assert_eq!(stats.malformed_lines, 1);
        assert!(
            issues.is_empty(),
            "a malformed line does not make the object unreadable"
        );
        assert_eq!(
            stats.malformed_examples[0].location.as_deref(),
            Some("line 4")
        );
        let users = eps
            .iter()
            .find(|e| e.path == "/users/{id}")
            .expect("templated");
        assert_eq!(users.requests, 3);
        assert_eq!(users.unauthorized, 1);
        assert_eq!(users.unauthenticated_successes, Some(1));
        assert_eq!(users.distinct_callers, 2);
        assert_eq!(
            users.last_seen.unwrap().to_rfc3339(),
            "2026-12-01T12:00:00+00:00"
        );
        assert_eq!(users.sensitive_data[0].data_type, "email");
        let json = serde_json::to_string(&eps).unwrap();
        assert!(!json.contains("jane@example.com"), "{json}");
    }

    #[test]
    fn string_segments_merge_only_past_the_threshold() {
        let names = [
            "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
        ];
        let line = |name: &str| {
            format!(r#"{{"httpMethod":"GET","path":"/v1/users/{name}/profile","status":"200"}}"#)
        };
        let mut agg = Aggregator::new();
        let few: Vec<String> = names[..3].iter().map(|n| line(n)).collect();
        agg.ingest(few.join("\n").as_bytes(), &LogScope::default());
        let (eps, _, _) = agg.finish();
        assert_eq!(eps.len(), 3, "three names stay three endpoints");
        let mut agg = Aggregator::new();
        let all: Vec<String> = names.iter().map(|n| line(n)).collect();
        agg.ingest(all.join("\n").as_bytes(), &LogScope::default());
        let (eps, _, _) = agg.finish();
        assert_eq!(eps.len(), 1);
        assert_eq!(eps[0].path, "/v1/users/{param}/profile");
        assert_eq!(eps[0].requests, 10);
    }
}
