//! Rendering a posture for people (terminal table, Markdown) and machines (JSON).
//!
//! Everything that comes from the estate (paths from traffic, service names, spec text) is
//! attacker-controlled: each renderer escapes it for its medium.

pub mod asff;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod table;

use crate::posture::{EndpointPosture, Metric, Posture};

/// Output formats. Names are CLI contract (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Markdown,
    Html,
    Sarif,
    Asff,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "markdown" | "md" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "sarif" => Some(Format::Sarif),
            "asff" => Some(Format::Asff),
            _ => None,
        }
    }
}

/// What some formats need beyond the posture.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Past sweeps, oldest first (the HTML trend).
    pub history: Vec<crate::store::SweepRecord>,
    /// Security Hub import target (ASFF).
    pub asff: Option<asff::AsffTarget>,
}

pub fn render(posture: &Posture, format: Format, ctx: &Context) -> String {
    match format {
        Format::Table => table::render(posture),
        Format::Json => json::render(posture),
        Format::Markdown => markdown::render(posture),
        Format::Html => html::render(posture, &ctx.history),
        Format::Sarif => sarif::render(posture),
        Format::Asff => asff::render(
            posture,
            &ctx.asff
                .clone()
                .unwrap_or_else(|| asff::AsffTarget::default_for("000000000000", "us-east-1")),
        ),
    }
}

/// Endpoints by descending risk, the order of every "top risks" list.
pub fn top_risks(posture: &Posture, n: usize) -> Vec<&EndpointPosture> {
    let mut eps: Vec<&EndpointPosture> = posture.endpoints.iter().collect();
    eps.sort_by(|a, b| {
        b.risk_score
            .total_cmp(&a.risk_score)
            .then_with(|| (&a.service, &a.path, &a.method).cmp(&(&b.service, &b.path, &b.method)))
    });
    eps.truncate(n);
    eps
}

/// `critical 8, high 6, …` and `external 9, internal 2, …`: the summary's two distributions.
pub fn distributions(s: &crate::posture::Summary) -> (String, String) {
    let dist: Vec<String> = s
        .risk_distribution
        .iter()
        .rev()
        .map(|(b, n)| format!("{} {n}", b.as_str()))
        .collect();
    let classes: Vec<String> = s
        .classification
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    (dist.join(", "), classes.join(", "))
}

/// The controls an endpoint fails: absent ones, and required ones nothing verified, marked with
/// `unverified_mark`.
pub fn failing_controls(e: &EndpointPosture, unverified_mark: &str) -> Vec<String> {
    e.controls
        .iter()
        .filter(|c| {
            c.state == crate::model::ControlState::Absent
                || (c.state == crate::model::ControlState::Unknown && c.required)
        })
        .map(|c| {
            if c.unverified {
                format!("{}{unverified_mark}", c.control)
            } else {
                c.control.clone()
            }
        })
        .collect()
}

pub fn metric_value(m: &Metric) -> String {
    match m.value {
        None => "no data".to_string(),
        Some(v) if m.unit == "%" => format!("{v:.1}%"),
        Some(v) if m.unit == "days" => format!("{v:.1} days"),
        Some(v) if m.unit == "count" => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

pub fn metric_target(m: &Metric) -> String {
    let unit = match m.unit.as_str() {
        "%" => "%",
        "days" => " days",
        _ => "",
    };
    let cmp = if m.comparison == ">=" { "≥" } else { "≤" };
    format!("{cmp} {}{unit}", m.target)
}

pub fn metric_status(m: &Metric) -> &'static str {
    match m.met {
        Some(true) => "met",
        Some(false) => "missed",
        None => "n/a",
    }
}
