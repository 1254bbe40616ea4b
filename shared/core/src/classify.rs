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

pub fn classify(endpoint: &InventoryEndpoint, snapshot: &Snapshot) -> Classification {
    let mut reasons = Vec::new();
    let declared: Vec<_> = endpoint.declared(snapshot).collect();

    let lifecycle = if let (true, Some(g)) = (declared.is_empty(), &endpoint.gateway) {
        reasons.push(format!(
            "managed: deployed on API Gateway ({} API {} `{}`, stage {}, definition from {}); no declared spec ties to it",
            g.kind.as_str(),
            g.api_id,
            g.api_name,
            g.stage,
            g.definition_source
        ));
        Lifecycle::Managed
    } else if declared.is_empty() {
        reasons.push(format!(
            "shadow: observed in {} sample(s) but declared in no spec",
            endpoint.samples.len()
        ));
        Lifecycle::Shadow
    } else if let Some((file, op)) = declared.iter().find(|(_, op)| op.deprecated) {
        reasons.push(format!(
            "deprecated: marked `deprecated: true` at {file}#{}",
            op.pointer
        ));
        Lifecycle::Deprecated
    } else {
        let files: Vec<&str> = declared.iter().map(|(f, _)| *f).collect();
        reasons.push(format!("managed: declared in {}", files.join(", ")));
        Lifecycle::Managed
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
