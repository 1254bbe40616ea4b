//! `estate.yaml`: what people know about their estate that specs and traffic do not say —
//! which services exist, who owns them, which specs belong to them, where they are mounted,
//! and classification overrides. Format documented in `docs/estate.md`.

use crate::model::Exposure;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstateConfig {
    #[serde(default)]
    pub services: Vec<ServiceConfig>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Spec files (relative to the estate folder, or to `specs/`) that declare this service.
    #[serde(default)]
    pub specs: Vec<String>,
    /// Where the service is mounted (`/v1`): prefixed to spec paths that do not carry it, and
    /// used to attribute samples that name no service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
    /// Host names the service answers on, to attribute samples that name no service.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// API Gateway API ids whose deployed routes this service's specs declare.
    #[serde(default)]
    pub apis: Vec<String>,
    /// Stages that are retired: traffic there is zombie traffic.
    #[serde(default)]
    pub retired_stages: Vec<String>,
    /// Exposure of every endpoint of the service, overriding what the specs say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Exposure>,
    /// Per-endpoint exposure overrides; the first that matches wins.
    #[serde(default)]
    pub overrides: Vec<EndpointOverride>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointOverride {
    /// Path pattern: literal segments, `*` for one segment, a trailing `**` for any rest.
    pub path: String,
    /// Method, or any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub classification: Exposure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct EstateError {
    pub message: String,
}

impl EstateConfig {
    /// Parse `estate.yaml`. Unknown keys are errors (a typo must not silently drop an override);
    /// the message carries the line and column.
    pub fn parse(text: &str) -> Result<EstateConfig, EstateError> {
        if text.trim().is_empty() {
            return Ok(EstateConfig::default());
        }
        let config: EstateConfig = serde_saphyr::from_str(text).map_err(|e| EstateError {
            message: e.to_string(),
        })?;
        for (i, service) in config.services.iter().enumerate() {
            if service.name.trim().is_empty() {
                return Err(EstateError {
                    message: format!("services[{i}]: a service needs a non-empty `name`"),
                });
            }
        }
        Ok(config)
    }

    pub fn service(&self, name: &str) -> Option<&ServiceConfig> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The service that claims a spec file (by its path relative to the estate or to `specs/`).
    pub fn service_for_spec(&self, file: &str) -> Option<&ServiceConfig> {
        let file = file.trim_start_matches("./");
        self.services.iter().find(|s| {
            s.specs.iter().any(|spec| {
                let spec = spec.trim_start_matches("./");
                spec == file || format!("specs/{spec}") == file
            })
        })
    }
}

impl EndpointOverride {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        path_pattern_matches(&self.path, path)
    }
}

/// `*` matches one segment, a trailing `**` matches any number (including none).
pub fn path_pattern_matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, p) in pat.iter().enumerate() {
        if *p == "**" && i == pat.len() - 1 {
            return true;
        }
        match segs.get(i) {
            Some(s) if *p == "*" || p == s => {}
            _ => return false,
        }
    }
    pat.len() == segs.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_services_and_overrides() {
        let cfg = EstateConfig::parse(
            "services:\n  - name: orders\n    owner: team-orders\n    specs: [orders.yaml]\n    base_path: /v1\n    overrides:\n      - path: /v1/admin/**\n        classification: internal\n",
        )
        .unwrap();
        let orders = cfg.service("orders").unwrap();
        assert_eq!(orders.owner.as_deref(), Some("team-orders"));
        assert!(orders.overrides[0].matches("GET", "/v1/admin/users/{id}"));
        assert!(!orders.overrides[0].matches("GET", "/v1/orders"));
        assert_eq!(
            cfg.service_for_spec("specs/orders.yaml")
                .map(|s| s.name.as_str()),
            Some("orders")
        );
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let err = EstateConfig::parse("services:\n  - name: orders\n    ownr: x\n").unwrap_err();
        assert!(err.message.contains("ownr"), "{}", err.message);
        assert!(err.message.contains('3'), "no line in: {}", err.message);
    }

    #[test]
    fn patterns() {
        assert!(path_pattern_matches("/a/*/c", "/a/b/c"));
        assert!(!path_pattern_matches("/a/*", "/a/b/c"));
        assert!(path_pattern_matches("/a/**", "/a"));
        assert!(path_pattern_matches("/**", "/anything/at/all"));
    }
}
