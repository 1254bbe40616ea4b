//! Classification: exposure (external / partner / internal) and lifecycle (managed / shadow /
//! deprecated), each with the reasons that decided it. The seed's single class derives from both.

use crate::inventory::InventoryEndpoint;
use crate::model::{Class, Exposure, Lifecycle};
use crate::snapshot::Snapshot;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The seed's class, used by the score's multiplier.
    pub class: Class,
    pub exposure: Exposure,
    pub lifecycle: Lifecycle,
    pub reasons: Vec<String>,
}

/// What an earlier sweep saw declared for this endpoint, when no spec declares it now.
pub fn removed_from_spec<'s>(
    endpoint: &InventoryEndpoint,
    snapshot: &'s Snapshot,
) -> Option<&'s crate::snapshot::DeclaredBefore> {
    if endpoint.documented() {
        return None;
    }
    snapshot
        .declared_before
        .iter()
        .find(|d| d.is(&endpoint.service, &endpoint.method, &endpoint.path))
}

pub fn classify(endpoint: &InventoryEndpoint, snapshot: &Snapshot) -> Classification {
    let mut reasons = Vec::new();
    let declared: Vec<_> = endpoint.declared(snapshot).collect();

    let requests = endpoint.observed_requests(snapshot);
    let last_seen = endpoint
        .observed
        .iter()
        .filter_map(|&i| snapshot.observed[i].last_seen)
        .max()
        .map(|t| format!(", last seen {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    let retired_stage = retired_stage(endpoint, snapshot);
    let lifecycle = if let (Some(stage), true) = (&retired_stage, requests > 0) {
        reasons.push(format!(
            "zombie: {requests} request(s) on stage {stage}, which estate.yaml marks retired{last_seen}"
        ));
        Lifecycle::Zombie
    } else if let Some((file, op)) = declared.iter().find(|(_, op)| op.deprecated) {
        if requests > 0 {
            reasons.push(format!(
                "zombie: marked `deprecated: true` at {file}#{} and still receiving traffic ({requests} request(s){last_seen})",
                op.pointer
            ));
            Lifecycle::Zombie
        } else {
            reasons.push(format!(
                "deprecated: marked `deprecated: true` at {file}#{}",
                op.pointer
            ));
            Lifecycle::Deprecated
        }
    } else if !declared.is_empty()
        && requests == 0
        && (endpoint.not_deployed || endpoint.logs_cover)
    {
        let files: Vec<&str> = declared.iter().map(|(f, _)| *f).collect();
        let why = if endpoint.not_deployed {
            "its API is deployed but no deployed route matches, and no traffic was seen"
        } else {
            "the service's access logs were read and show no traffic to it"
        };
        reasons.push(format!("orphan: declared in {}; {why}", files.join(", ")));
        Lifecycle::Orphan
    } else if !declared.is_empty() {
        let files: Vec<&str> = declared.iter().map(|(f, _)| *f).collect();
        reasons.push(format!("managed: declared in {}", files.join(", ")));
        Lifecycle::Managed
    } else if let (Some(before), true) = (removed_from_spec(endpoint, snapshot), requests > 0) {
        reasons.push(format!(
            "zombie: removed from the declared spec (last declared in {} on {}) and still receiving traffic ({requests} request(s){last_seen})",
            before.declared_in.join(", "),
            before.last_declared_at.format("%Y-%m-%d %H:%M UTC")
        ));
        Lifecycle::Zombie
    } else if let Some(g) = &endpoint.gateway {
        match &endpoint.tied_spec_service {
            Some(service) => {
                reasons.push(format!(
                    "shadow: deployed on API Gateway ({} API {} `{}`, stage {}) but not in the declared spec of service {service}",
                    g.kind.as_str(),
                    g.api_id,
                    g.api_name,
                    g.stage
                ));
                Lifecycle::Shadow
            }
            None => {
                reasons.push(format!(
                    "managed: deployed on API Gateway ({} API {} `{}`, stage {}, definition from {}); no declared spec ties to it",
                    g.kind.as_str(),
                    g.api_id,
                    g.api_name,
                    g.stage,
                    g.definition_source
                ));
                Lifecycle::Managed
            }
        }
    } else {
        reasons.push(format!(
            "shadow: observed ({} sample(s), {} logged request(s)) but declared in no spec",
            endpoint.samples.len(),
            requests - endpoint.samples.len() as u64
        ));
        Lifecycle::Shadow
    };

    let service = snapshot.estate.service(&endpoint.service);
    let override_hit = service.and_then(|s| {
        s.overrides
            .iter()
            .find(|o| o.matches(&endpoint.method, &endpoint.path))
    });
    let exposure = if let Some(o) = override_hit {
        reasons.push(format!(
            "{}: estate.yaml override for {} on service {}{}",
            o.classification.as_str(),
            o.path,
            endpoint.service,
            o.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ));
        o.classification
    } else if let Some(e) = service.and_then(|s| s.classification) {
        reasons.push(format!(
            "{}: estate.yaml classifies service {}",
            e.as_str(),
            endpoint.service
        ));
        e
    } else if let Some(g) = &endpoint.gateway {
        reasons.push(g.exposure_hint.reason.clone());
        g.exposure_hint.exposure
    } else if let Some((file, op)) = declared.iter().find(|(_, op)| op.internal) {
        reasons.push(format!(
            "internal: `x-internal: true` at {file}#{}",
            op.pointer
        ));
        Exposure::Internal
    } else if let Some((file, op)) = declared
        .iter()
        .find(|(_, op)| !op.servers.is_empty() && op.servers.iter().all(|s| s.internal))
    {
        let urls: Vec<&str> = op.servers.iter().map(|s| s.url.as_str()).collect();
        reasons.push(format!(
            "internal: every server is marked `x-internal: true` in {file} ({})",
            urls.join(", ")
        ));
        Exposure::Internal
    } else {
        reasons.push(
            "external: no internal or partner marker, reachable as observed or declared".into(),
        );
        Exposure::External
    };

    Classification {
        class: Class::derive(exposure, lifecycle),
        exposure,
        lifecycle,
        reasons,
    }
}

/// The stage an endpoint's traffic arrived on, when estate.yaml marks that stage retired.
fn retired_stage(endpoint: &InventoryEndpoint, snapshot: &Snapshot) -> Option<String> {
    let retired = |service: &str, stage: &str| {
        snapshot
            .estate
            .service(service)
            .is_some_and(|s| s.retired_stages.iter().any(|r| r == stage))
    };
    let service = endpoint
        .tied_spec_service
        .as_deref()
        .unwrap_or(&endpoint.service);
    if let Some(g) = &endpoint.gateway
        && retired(service, &g.stage)
    {
        return Some(g.stage.clone());
    }
    endpoint
        .observed
        .iter()
        .filter_map(|&i| snapshot.observed[i].stage.as_deref())
        .find(|stage| retired(service, stage))
        .map(str::to_string)
}
