//! The domain's small vocabulary: severities, control states, classifications, risk bands.
//!
//! These enums serialize to the lower-case words used in every output (`apispm.posture/v1`),
//! so renaming a variant is a breaking change of the public contract.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Severity of a control or policy. The seed's weight of a control is `severity × 5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The seed's numeric level: critical 4, high 3, medium 2, low 1, info 0.
    pub fn level(self) -> u32 {
        match self {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
            Severity::Critical => 4,
        }
    }

    /// The seed's control weight.
    pub fn weight(self) -> u32 {
        self.level() * 5
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "informational" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict of one control on one resource.
///
/// `Unknown` means no evidence decided it: it is never shown as secure and counts as absent
/// in the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlState {
    Present,
    Absent,
    NotApplicable,
    Unknown,
}

impl ControlState {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlState::Present => "present",
            ControlState::Absent => "absent",
            ControlState::NotApplicable => "not_applicable",
            ControlState::Unknown => "unknown",
        }
    }

    /// Whether the control was evaluated at all (the seed's `max` sums evaluated controls).
    pub fn is_evaluated(self) -> bool {
        self != ControlState::NotApplicable
    }

    /// Whether the score treats the control as missing: absent, or unverified.
    pub fn counts_as_absent(self) -> bool {
        matches!(self, ControlState::Absent | ControlState::Unknown)
    }
}

impl fmt::Display for ControlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who can reach an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    External,
    Partner,
    Internal,
}

impl Exposure {
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::External => "external",
            Exposure::Partner => "partner",
            Exposure::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<Exposure> {
        match s {
            "external" => Some(Exposure::External),
            "partner" => Some(Exposure::Partner),
            "internal" => Some(Exposure::Internal),
            _ => None,
        }
    }
}

/// Where an endpoint stands against what teams declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    /// Declared in a spec and current.
    Managed,
    /// Seen (traffic or deployment) but declared in no spec.
    Shadow,
    /// Declared, and marked deprecated.
    Deprecated,
    /// Deprecated (or on a retired stage) and still receiving traffic.
    Zombie,
    /// Declared, tied to a deployed API, but not deployed there and receiving no traffic.
    Orphan,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Managed => "managed",
            Lifecycle::Shadow => "shadow",
            Lifecycle::Deprecated => "deprecated",
            Lifecycle::Zombie => "zombie",
            Lifecycle::Orphan => "orphan",
        }
    }
}

/// The seed's single class, derived from exposure and lifecycle: lifecycle wins
/// (a shadow or deprecated endpoint is scored as such whatever its exposure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    External,
    Internal,
    Partner,
    Shadow,
    Deprecated,
}

impl Class {
    pub fn derive(exposure: Exposure, lifecycle: Lifecycle) -> Class {
        match (lifecycle, exposure) {
            (Lifecycle::Shadow, _) => Class::Shadow,
            // A zombie is a deprecated endpoint still in use: scored with the deprecated multiplier.
            (Lifecycle::Deprecated | Lifecycle::Zombie, _) => Class::Deprecated,
            (Lifecycle::Managed | Lifecycle::Orphan, Exposure::External) => Class::External,
            (Lifecycle::Managed | Lifecycle::Orphan, Exposure::Partner) => Class::Partner,
            (Lifecycle::Managed | Lifecycle::Orphan, Exposure::Internal) => Class::Internal,
        }
    }

    /// The seed's risk multiplier.
    pub fn multiplier(self) -> f64 {
        match self {
            Class::External => 1.5,
            Class::Partner => 1.3,
            Class::Shadow => 2.0,
            Class::Deprecated => 1.8,
            Class::Internal => 1.0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Class::External => "external",
            Class::Internal => "internal",
            Class::Partner => "partner",
            Class::Shadow => "shadow",
            Class::Deprecated => "deprecated",
        }
    }

    pub const ALL: [Class; 5] = [
        Class::External,
        Class::Internal,
        Class::Partner,
        Class::Shadow,
        Class::Deprecated,
    ];
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The seed's risk bands: ≥75 critical, ≥50 high, ≥25 medium, else low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskBand {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskBand {
    pub fn of(score: f64) -> RiskBand {
        if score >= 75.0 {
            RiskBand::Critical
        } else if score >= 50.0 {
            RiskBand::High
        } else if score >= 25.0 {
            RiskBand::Medium
        } else {
            RiskBand::Low
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RiskBand::Low => "low",
            RiskBand::Medium => "medium",
            RiskBand::High => "high",
            RiskBand::Critical => "critical",
        }
    }

    pub const ALL: [RiskBand; 4] = [
        RiskBand::Critical,
        RiskBand::High,
        RiskBand::Medium,
        RiskBand::Low,
    ];
}

/// The seed's endpoint id: the first 16 hex digits of sha256 of `"{service}:{METHOD}:{path}"`.
pub fn endpoint_id(service: &str, method: &str, path: &str) -> String {
    short_hash(&format!("{service}:{}:{path}", method.to_ascii_uppercase()))
}

/// First 16 hex digits of sha256: the id form used for endpoints and findings.
pub fn short_hash(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Round to one decimal place, the precision every score is reported at.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_id_matches_the_seed() {
        assert_eq!(
            endpoint_id("orders", "GET", "/v1/orders"),
            "e7542043391cbfcc"
        );
        // The method is upper-cased, as the seed did.
        assert_eq!(
            endpoint_id("orders", "get", "/v1/orders"),
            "e7542043391cbfcc"
        );
    }

    #[test]
    fn bands_follow_the_seed_thresholds() {
        assert_eq!(RiskBand::of(75.0), RiskBand::Critical);
        assert_eq!(RiskBand::of(74.9), RiskBand::High);
        assert_eq!(RiskBand::of(50.0), RiskBand::High);
        assert_eq!(RiskBand::of(25.0), RiskBand::Medium);
        assert_eq!(RiskBand::of(24.9), RiskBand::Low);
    }
}
