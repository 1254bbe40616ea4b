//! The inventory: the union of declared operations and observed traffic, one endpoint per
//! (service, METHOD, path template), each with the seed's stable id.
//!
//! Observed paths are matched to declared templates with a segment trie (a literal segment
//! beats a parameter, `{proxy+}` is greedy and tried last). Traffic that matches nothing becomes
//! a shadow endpoint whose path is templated by segment type.

use crate::estate::EstateConfig;
use crate::model::endpoint_id;
use crate::snapshot::{Snapshot, SpecOperation};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
pub struct InventoryEndpoint {
    pub id: String,
    pub service: String,
    pub method: String,
    /// The full path template (server or estate base path + the spec's path).
    pub path: String,
    pub owner: Option<String>,
    /// Declared operations: (spec index, operation index) into the snapshot.
    pub operations: Vec<(usize, usize)>,
    /// Observed samples: indices into the snapshot's samples.
    pub samples: Vec<usize>,
    /// Observed access-log traffic: indices into the snapshot's `observed`.
    pub observed: Vec<usize>,
    /// The deployed route or method, for endpoints read from API Gateway.
    pub gateway: Option<crate::gateway::GatewayEndpoint>,
    /// The declared service whose spec describes this endpoint's API, when one is tied to it.
    pub tied_spec_service: Option<String>,
    /// Declared in a spec tied to a deployed API, but no deployed route matches it.
    pub not_deployed: bool,
    /// Access logs were read for this endpoint's service or stage: no traffic is then evidence
    /// of no use, not missing evidence.
    pub logs_cover: bool,
}

impl InventoryEndpoint {
    pub fn documented(&self) -> bool {
        !self.operations.is_empty()
    }

    pub fn declared<'s>(
        &self,
        snapshot: &'s Snapshot,
    ) -> impl Iterator<Item = (&'s str, &'s SpecOperation)> {
        self.operations.iter().map(|&(s, o)| {
            (
                snapshot.specs[s].file.as_str(),
                &snapshot.specs[s].operations[o],
            )
        })
    }

    /// Requests seen in samples and access logs.
    pub fn observed_requests(&self, snapshot: &Snapshot) -> u64 {
        self.samples.len() as u64
            + self
                .observed
                .iter()
                .map(|&i| snapshot.observed[i].requests)
                .sum::<u64>()
    }
}

/// Which declared service describes each deployed API: the API's `apispm:spec` tag (a spec file
/// or a service name), an estate service listing the API id, a spec server on the API's
/// execute-api host, or a spec whose title is the API's name. API id → service.
pub fn spec_ties(snapshot: &Snapshot) -> HashMap<String, String> {
    let mut ties = HashMap::new();
    let estate = &snapshot.estate;
    let specs = &snapshot.specs;
    let mut apis: Vec<(&str, &str, &BTreeMap<String, String>)> = Vec::new();
    for t in &snapshot.gateway {
        apis.extend(
            t.rest_apis
                .iter()
                .map(|a| (a.id.as_str(), a.name.as_str(), &a.tags)),
        );
        apis.extend(
            t.v2_apis
                .iter()
                .map(|a| (a.id.as_str(), a.name.as_str(), &a.tags)),
        );
    }
    for (id, name, tags) in apis {
        let by_tag = tags.get("apispm:spec").and_then(|tag| {
            specs
                .iter()
                .find(|s| {
                    s.file == *tag || s.file.ends_with(&format!("/{tag}")) || s.service == *tag
                })
                .map(|s| s.service.clone())
        });
        let by_estate = || {
            estate
                .services
                .iter()
                .find(|s| s.apis.iter().any(|a| a == id))
                .map(|s| s.name.clone())
        };
        let by_server = || {
            let host = format!("{id}.execute-api.");
            specs
                .iter()
                .find(|s| s.servers.iter().any(|srv| srv.url.contains(&host)))
                .map(|s| s.service.clone())
        };
        let by_title = || {
            specs
                .iter()
                .find(|s| !s.title.is_empty() && s.title.eq_ignore_ascii_case(name))
                .map(|s| s.service.clone())
        };
        if let Some(service) = by_tag
            .or_else(by_estate)
            .or_else(by_server)
            .or_else(by_title)
        {
            ties.insert(id.to_string(), service);
        }
    }
    ties
}

/// `{orderId}` and `{id}` are the same template position.
fn normalized(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                if s.ends_with("+}") { "{+}" } else { "{}" }
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Builder<'s> {
    snapshot: &'s Snapshot,
    endpoints: Vec<InventoryEndpoint>,
    by_key: HashMap<(String, String, String), usize>,
    tries: BTreeMap<String, Trie>,
}

impl Builder<'_> {
    fn endpoint(&mut self, service: &str, method: &str, path: &str) -> usize {
        let key = (service.to_string(), method.to_string(), path.to_string());
        if let Some(&idx) = self.by_key.get(&key) {
            return idx;
        }
        self.endpoints
            .push(new_endpoint(&self.snapshot.estate, service, method, path));
        let idx = self.endpoints.len() - 1;
        self.by_key.insert(key, idx);
        idx
    }

    /// The endpoint observed traffic belongs to in `scope`: the declared or deployed template it
    /// matches (literal beats parameter), else a shadow endpoint with the observed template.
    fn observed_endpoint(&mut self, scope: &str, method: &str, path: &str) -> usize {
        let matched = self.tries.get(scope).and_then(|t| t.lookup(path));
        if let Some(m) = &matched
            && let Some(&idx) = m.methods.get(method).or_else(|| m.methods.get("ANY"))
        {
            return idx;
        }
        // Keep the declared template when only the method is new.
        let template = matched
            .map(|m| m.template)
            .unwrap_or_else(|| template_path(path));
        self.endpoint(scope, method, &template)
    }
}

/// Build the inventory of a snapshot. Endpoints come out sorted by service, path, method.
pub fn build(snapshot: &Snapshot) -> Vec<InventoryEndpoint> {
    let estate = &snapshot.estate;
    let mut b = Builder {
        snapshot,
        endpoints: Vec::new(),
        by_key: HashMap::new(),
        tries: BTreeMap::new(),
    };
    let ties = spec_ties(snapshot);

    // 1. What API Gateway has deployed: one endpoint per stage × route or method.
    let mut stages_of_api: HashMap<String, Vec<String>> = HashMap::new();
    for target in &snapshot.gateway {
        for g in crate::gateway::endpoints(target) {
            let idx = b.endpoint(&g.qualified_stage, &g.method, &g.path);
            b.tries
                .entry(g.qualified_stage.clone())
                .or_default()
                .insert(&g.path, &g.method, idx);
            let tied = ties.get(&g.api_id).cloned();
            let tied_owner = tied
                .as_deref()
                .and_then(|s| estate.service(s))
                .and_then(|s| s.owner.clone());
            let ep = &mut b.endpoints[idx];
            if ep.owner.is_none() {
                ep.owner = g.owner.clone().or(tied_owner);
            }
            ep.tied_spec_service = tied;
            let stages = stages_of_api.entry(g.api_id.clone()).or_default();
            if !stages.contains(&g.qualified_stage) {
                stages.push(g.qualified_stage.clone());
            }
            ep.gateway = Some(g);
        }
    }

    // 2. Declared operations: onto the deployed routes of the API their spec is tied to, else
    //    endpoints of their service.
    for (si, spec) in snapshot.specs.iter().enumerate() {
        let tied_apis: Vec<&String> = ties
            .iter()
            .filter(|(_, svc)| **svc == spec.service)
            .map(|(api, _)| api)
            .collect();
        let service_base = estate
            .service(&spec.service)
            .and_then(|s| s.base_path.as_deref());
        for (oi, op) in spec.operations.iter().enumerate() {
            let mut deployed = false;
            for api in &tied_apis {
                let wanted = normalized(&op.path);
                for idx in 0..b.endpoints.len() {
                    let hit = b.endpoints[idx].gateway.as_ref().is_some_and(|g| {
                        &&g.api_id == api
                            && normalized(&g.path) == wanted
                            && (g.method == op.method || g.method == "ANY")
                    });
                    if hit {
                        b.endpoints[idx].operations.push((si, oi));
                        deployed = true;
                    }
                }
            }
            if deployed {
                continue;
            }
            let server_base = op
                .servers
                .first()
                .map(|s| s.base_path.as_str())
                .unwrap_or("");
            let path = full_path(service_base.unwrap_or(server_base), &op.path);
            let idx = b.endpoint(&spec.service, &op.method, &path);
            b.endpoints[idx].operations.push((si, oi));
            b.endpoints[idx].not_deployed |= !tied_apis.is_empty();
            b.tries
                .entry(spec.service.clone())
                .or_default()
                .insert(&path, &op.method, idx);
        }
    }

    // 3. Traffic samples.
    for (sample_idx, sample) in snapshot.samples.iter().enumerate() {
        let service = attribute_service(
            estate,
            sample.service.as_deref(),
            sample.host.as_deref(),
            &sample.path,
            &b.tries,
        )
        .or_else(|| sample.host.clone())
        .unwrap_or_else(|| "unattributed".to_string());
        let idx = b.observed_endpoint(&service, &sample.method, &sample.path);
        b.endpoints[idx].samples.push(sample_idx);
    }

    // 4. Access-log traffic: by the API and stage it names, else by service.
    for (i, o) in snapshot.observed.iter().enumerate() {
        let scope = match (&o.api_id, &o.stage) {
            (Some(api), Some(stage)) => stages_of_api
                .get(api)
                .and_then(|stages| {
                    stages
                        .iter()
                        .find(|q| q.ends_with(&format!("/{api}/{stage}")))
                        .cloned()
                })
                .unwrap_or_else(|| format!("{api}/{stage}")),
            _ => attribute_service(estate, o.service.as_deref(), None, &o.path, &b.tries)
                .unwrap_or_else(|| "unattributed".to_string()),
        };
        let idx = b.observed_endpoint(&scope, &o.method, &o.path);
        b.endpoints[idx].observed.push(i);
        if b.endpoints[idx].tied_spec_service.is_none() && o.api_id.is_some() {
            b.endpoints[idx].tied_spec_service =
                o.api_id.as_ref().and_then(|a| ties.get(a).cloned());
        }
    }

    let covered: std::collections::HashSet<&String> = b
        .endpoints
        .iter()
        .filter(|e| !e.observed.is_empty())
        .map(|e| &e.service)
        .collect();
    let covered: std::collections::HashSet<String> = covered.into_iter().cloned().collect();
    for e in &mut b.endpoints {
        e.logs_cover = covered.contains(&e.service);
    }

    let mut endpoints = b.endpoints;
    endpoints
        .sort_by(|a, b| (&a.service, &a.path, &a.method).cmp(&(&b.service, &b.path, &b.method)));
    endpoints
}

fn new_endpoint(
    estate: &EstateConfig,
    service: &str,
    method: &str,
    path: &str,
) -> InventoryEndpoint {
    InventoryEndpoint {
        id: endpoint_id(service, method, path),
        service: service.to_string(),
        method: method.to_string(),
        path: path.to_string(),
        owner: estate.service(service).and_then(|s| s.owner.clone()),
        operations: Vec::new(),
        samples: Vec::new(),
        observed: Vec::new(),
        gateway: None,
        tied_spec_service: None,
        not_deployed: false,
        logs_cover: false,
    }
}

/// `base` + `path`, without doubling the base when the spec path already carries it.
pub fn full_path(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    if base.is_empty() || path == base || path.starts_with(&format!("{base}/")) {
        path
    } else {
        format!("{base}{path}")
    }
}

/// Which service a sample belongs to, strongest evidence first: the service it names; the only
/// service with a declared template that matches its path; the service whose base path prefixes
/// it; the only service that answers on its host.
fn attribute_service(
    estate: &EstateConfig,
    named: Option<&str>,
    host: Option<&str>,
    path: &str,
    tries: &BTreeMap<String, Trie>,
) -> Option<String> {
    if let Some(name) = named {
        return Some(name.to_string());
    }
    let by_template: Vec<&String> = tries
        .iter()
        .filter(|(_, t)| t.lookup(path).is_some())
        .map(|(name, _)| name)
        .collect();
    if let [only] = by_template.as_slice() {
        return Some((*only).clone());
    }
    if let Some(s) = estate.services.iter().find(|s| {
        s.base_path.as_deref().is_some_and(|b| {
            path == b || path.starts_with(&format!("{}/", b.trim_end_matches('/')))
        })
    }) {
        return Some(s.name.clone());
    }
    let host = host?;
    let by_host: Vec<&str> = estate
        .services
        .iter()
        .filter(|s| s.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)))
        .map(|s| s.name.as_str())
        .collect();
    match by_host.as_slice() {
        [only] => Some((*only).to_string()),
        _ => None,
    }
}

/// Template an observed path: segments that look like identifiers become `{id}`.
pub fn template_path(path: &str) -> String {
    // One allocation: this runs once per access-log line.
    let mut out = String::with_capacity(path.len() + 2);
    for s in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(if looks_like_identifier(s) { "{id}" } else { s });
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

fn looks_like_identifier(s: &str) -> bool {
    let is_int = s.chars().all(|c| c.is_ascii_digit());
    let is_uuid = s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let is_hex = s.len() >= 8
        && s.chars().all(|c| c.is_ascii_hexdigit())
        && s.chars().any(|c| c.is_ascii_digit());
    // Mixed letters and digits, long enough not to be a word like `v2` or `oauth2`.
    let is_mixed = s.len() >= 10
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    is_int || is_uuid || is_hex || is_mixed || s.contains('@')
}

/// A segment trie of path templates for one service.
#[derive(Debug, Default)]
struct Trie {
    literal: HashMap<String, Trie>,
    param: Option<Box<Trie>>,
    /// `{proxy+}`: matches one or more remaining segments.
    greedy: Option<(String, BTreeMap<String, usize>)>,
    /// Leaf: the template and its methods (METHOD → endpoint index).
    leaf: Option<(String, BTreeMap<String, usize>)>,
}

struct Match {
    template: String,
    methods: BTreeMap<String, usize>,
}

impl Trie {
    fn insert(&mut self, template: &str, method: &str, idx: usize) {
        let mut node = self;
        let segments: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segments.iter().enumerate() {
            if seg.starts_with('{') && seg.ends_with("+}") && i == segments.len() - 1 {
                let (_, methods) = node
                    .greedy
                    .get_or_insert_with(|| (template.to_string(), BTreeMap::new()));
                methods.insert(method.to_string(), idx);
                return;
            }
            node = if seg.starts_with('{') && seg.ends_with('}') {
                node.param.get_or_insert_with(Box::default)
            } else {
                node.literal.entry((*seg).to_string()).or_default()
            };
        }
        let (_, methods) = node
            .leaf
            .get_or_insert_with(|| (template.to_string(), BTreeMap::new()));
        methods.insert(method.to_string(), idx);
    }

    fn lookup(&self, path: &str) -> Option<Match> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.walk(&segments)
    }

    /// Depth first, literal before parameter before greedy: the first full match is the most
    /// specific template.
    fn walk(&self, rest: &[&str]) -> Option<Match> {
        let Some((head, tail)) = rest.split_first() else {
            return self.leaf.as_ref().map(|(t, m)| Match {
                template: t.clone(),
                methods: m.clone(),
            });
        };
        if let Some(found) = self.literal.get(*head).and_then(|n| n.walk(tail)) {
            return Some(found);
        }
        if let Some(found) = self.param.as_ref().and_then(|n| n.walk(tail)) {
            return Some(found);
        }
        self.greedy.as_ref().map(|(t, m)| Match {
            template: t.clone(),
            methods: m.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_beats_parameter_and_greedy_is_last() {
        let mut t = Trie::default();
        t.insert("/v1/orders/{id}", "GET", 0);
        t.insert("/v1/orders/export", "GET", 1);
        t.insert("/v1/{proxy+}", "ANY", 2);
        assert_eq!(
            t.lookup("/v1/orders/export").unwrap().template,
            "/v1/orders/export"
        );
        assert_eq!(
            t.lookup("/v1/orders/42").unwrap().template,
            "/v1/orders/{id}"
        );
        assert_eq!(
            t.lookup("/v1/orders/42/lines").unwrap().template,
            "/v1/{proxy+}"
        );
        assert!(t.lookup("/v2/x").is_none());
    }

    #[test]
    fn shadow_paths_are_templated_by_segment_type() {
        assert_eq!(
            template_path("/v2/users/123/orders"),
            "/v2/users/{id}/orders"
        );
        assert_eq!(
            template_path("/api/items/3f2c1b9e-8c1d-4b7a-9a2e-1c2d3e4f5a6b"),
            "/api/items/{id}"
        );
        assert_eq!(template_path("/api/v1/health"), "/api/v1/health");
    }

    #[test]
    fn base_paths_join_once() {
        assert_eq!(full_path("/v1", "/orders"), "/v1/orders");
        assert_eq!(full_path("/v1", "/v1/orders"), "/v1/orders");
        assert_eq!(full_path("", "orders"), "/orders");
    }
}
