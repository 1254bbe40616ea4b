//! Risk score: the seed's formula, reproduced exactly, with every term that contributed.
//!
//! weight = severity × 5; max = sum of the weights of every evaluated control (required or
//! optional; not-applicable ones are not evaluated); raw = sum of the weights of required
//! controls that are absent or unknown, +10 if undocumented, +5 per sensitive data type;
//! score = min(100, raw / max × 100 × class multiplier), reported to one decimal.

use crate::controls::Control;
use crate::model::{Class, ControlState, RiskBand, round1};
use serde::{Deserialize, Serialize};

pub const UNDOCUMENTED_POINTS: f64 = 10.0;
pub const SENSITIVE_TYPE_POINTS: f64 = 5.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreTerm {
    /// What contributed: a control id, `undocumented`, `sensitive_data:<type>`, `multiplier`.
    pub term: String,
    /// Points added to the raw score (for the multiplier, the factor).
    pub value: f64,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskScore {
    pub score: f64,
    pub band: RiskBand,
    pub raw: f64,
    pub max: f64,
    pub multiplier: f64,
    pub terms: Vec<ScoreTerm>,
}

pub fn score(
    class: Class,
    documented: bool,
    sensitive_types: &[String],
    controls: &[(&Control, ControlState)],
) -> RiskScore {
    let mut terms = Vec::new();
    let mut max = 0.0;
    let mut raw = 0.0;
    for (control, state) in controls {
        if !state.is_evaluated() {
            continue;
        }
        let weight = f64::from(control.weight());
        max += weight;
        if control.required && state.counts_as_absent() {
            raw += weight;
            let why = if *state == ControlState::Unknown {
                "unverified"
            } else {
                "absent"
            };
            terms.push(ScoreTerm {
                term: control.id.to_string(),
                value: weight,
                detail: format!("{} {why} (required, {})", control.id, control.severity),
            });
        }
    }
    if !documented {
        raw += UNDOCUMENTED_POINTS;
        terms.push(ScoreTerm {
            term: "undocumented".into(),
            value: UNDOCUMENTED_POINTS,
            detail: "declared in no spec".into(),
        });
    }
    for t in sensitive_types {
        raw += SENSITIVE_TYPE_POINTS;
        terms.push(ScoreTerm {
            term: format!("sensitive_data:{t}"),
            value: SENSITIVE_TYPE_POINTS,
            detail: format!("handles {t}"),
        });
    }
    let multiplier = class.multiplier();
    let unrounded = if max > 0.0 {
        raw / max * 100.0 * multiplier
    } else {
        raw * multiplier // nothing evaluated: the score rests on the other terms alone
    };
    let score = round1(unrounded.min(100.0));
    terms.push(ScoreTerm {
        term: "multiplier".into(),
        value: multiplier,
        detail: format!(
            "{raw} / {max} × 100 × {multiplier} ({class}) = {:.1}{}",
            unrounded,
            if unrounded > 100.0 {
                ", capped at 100"
            } else {
                ""
            }
        ),
    });
    RiskScore {
        score,
        band: RiskBand::of(score),
        raw,
        max,
        multiplier,
        terms,
    }
}
