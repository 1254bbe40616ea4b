//! The posture as one self-contained HTML page: no external fonts, scripts or images; charts as
//! inline SVG; a little inline script for sorting and filtering (the page reads fine without).
//!
//! The template (`templates/posture.html`, askama) escapes every value by default: a shadow
//! path like `/<script>alert(1)</script>` from a log shows as text. The SVG charts are drawn by
//! the template from the numbers computed here, so nothing is inserted unescaped.

use super::{metric_status, metric_target, metric_value, top_risks};
use crate::model::{ControlState, Lifecycle, Severity};
use crate::posture::{FindingStatus, Posture};
use crate::store::SweepRecord;
use askama::Template;
use std::collections::BTreeMap;

pub struct MetricRow {
    name: String,
    value: String,
    target: String,
    status: &'static str,
}

pub struct Bar {
    label: String,
    text: String,
    y: u32,
    w: u32,
    color: &'static str,
}

pub struct Chart {
    title: &'static str,
    width: u32,
    height: u32,
    left: u32,
    bars: Vec<Bar>,
}

pub struct Trend {
    width: u32,
    height: u32,
    base: u32,
    risk: String,
    critical: String,
    labels: Vec<(u32, String)>,
    max_critical: u64,
}

pub struct Failing {
    control: String,
    unverified: bool,
    evidence: String,
    remediation: String,
}

pub struct TopRisk {
    score: String,
    band: &'static str,
    service: String,
    method: String,
    path: String,
    class: String,
    lifecycle: &'static str,
    terms: Vec<String>,
    failing: Vec<Failing>,
}

pub struct FindingRow {
    rank: u32,
    severity: &'static str,
    control: String,
    resource: String,
    message: String,
    verified: bool,
    age: i64,
    status: &'static str,
}

pub struct EndpointRow {
    method: String,
    path: String,
    class: String,
    lifecycle: &'static str,
    score: String,
    band: &'static str,
    present: usize,
    absent: usize,
    unknown: usize,
}

pub struct ApiGroup {
    service: String,
    max_risk: String,
    endpoints: Vec<EndpointRow>,
}

pub struct ResourceRow {
    rank: u32,
    severity: &'static str,
    control: String,
    arn: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "posture.html")]
pub struct Page {
    source: String,
    sweep_id: String,
    generated: String,
    total: usize,
    open_findings: usize,
    complete: bool,
    issues: Vec<String>,
    metrics: Vec<MetricRow>,
    risk_chart: Chart,
    class_chart: Chart,
    coverage_chart: Chart,
    trend: Option<Trend>,
    top: Vec<TopRisk>,
    shadow: Vec<(String, String)>,
    zombie: Vec<(String, String)>,
    orphan: Vec<(String, String)>,
    findings: Vec<FindingRow>,
    apis: Vec<ApiGroup>,
    resources: Vec<ResourceRow>,
    decided: String,
    evaluations: usize,
    unknown_count: usize,
    unknown: Vec<(String, String)>,
}

fn bars(title: &'static str, rows: Vec<(String, f64, String, &'static str)>, max: f64) -> Chart {
    let left = 120;
    let span = 240.0;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, text, color))| Bar {
            label,
            text,
            y: 6 + i as u32 * 26,
            w: if max > 0.0 {
                ((value / max) * span)
                    .round()
                    .max(if value > 0.0 { 2.0 } else { 0.0 }) as u32
            } else {
                0
            },
            color,
        })
        .collect::<Vec<_>>();
    Chart {
        title,
        width: 420,
        height: 12 + bars.len() as u32 * 26,
        left,
        bars,
    }
}

fn band_color(band: &str) -> &'static str {
    match band {
        "critical" => "#b42318",
        "high" => "#d9480f",
        "medium" => "#b08900",
        _ => "#2b8a3e",
    }
}

fn severity_rank(s: Severity) -> u32 {
    s.level()
}

fn trend(history: &[SweepRecord]) -> Option<Trend> {
    if history.len() < 2 {
        return None;
    }
    let (width, height, base) = (420u32, 150u32, 120u32);
    let n = history.len();
    let x = |i: usize| 40 + ((width - 60) as usize * i / (n - 1).max(1)) as u32;
    let critical: Vec<u64> = history
        .iter()
        .map(|h| {
            h.summary
                .metrics
                .iter()
                .find(|m| m.id == "critical_findings")
                .and_then(|m| m.value)
                .unwrap_or(0.0) as u64
        })
        .collect();
    let max_critical = critical.iter().copied().max().unwrap_or(0).max(1);
    let plot = (base - 20) as f64;
    let risk = history
        .iter()
        .enumerate()
        .map(|(i, h)| {
            format!(
                "{},{:.0}",
                x(i),
                base as f64 - h.summary.average_risk / 100.0 * plot
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let crit = critical
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{},{:.0}",
                x(i),
                base as f64 - *c as f64 / max_critical as f64 * plot
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let labels = history
        .iter()
        .enumerate()
        .map(|(i, h)| (x(i), h.generated_at.format("%m-%d").to_string()))
        .collect();
    Some(Trend {
        width,
        height,
        base,
        risk,
        critical: crit,
        labels,
        max_critical,
    })
}

/// Render the page. `history` is the store's sweep history (oldest first), for the trend.
pub fn render(p: &Posture, history: &[SweepRecord]) -> String {
    let s = &p.summary;
    let metrics = s
        .metrics
        .iter()
        .map(|m| MetricRow {
            name: m.name.clone(),
            value: metric_value(m),
            target: metric_target(m),
            status: match metric_status(m) {
                "met" => "met",
                "missed" => "missed",
                _ => "na",
            },
        })
        .collect();
    let risk_max = s.risk_distribution.values().copied().max().unwrap_or(0) as f64;
    let risk_chart = bars(
        "endpoints per risk band",
        s.risk_distribution
            .iter()
            .rev()
            .map(|(b, n)| {
                (
                    b.as_str().to_string(),
                    *n as f64,
                    n.to_string(),
                    band_color(b.as_str()),
                )
            })
            .collect(),
        risk_max,
    );
    let class_max = s.classification.values().copied().max().unwrap_or(0) as f64;
    let class_chart = bars(
        "endpoints per class",
        s.classification
            .iter()
            .map(|(c, n)| (c.as_str().to_string(), *n as f64, n.to_string(), "#1c4e9d"))
            .collect(),
        class_max,
    );
    let pct = |id: &str| p.metric(id).and_then(|m| m.value).unwrap_or(0.0);
    let coverage_chart = bars(
        "coverage in percent",
        vec![
            (
                "documented".into(),
                pct("discovery_coverage"),
                format!("{:.1}%", pct("discovery_coverage")),
                "#1c4e9d",
            ),
            (
                "authenticated".into(),
                pct("authentication_coverage"),
                format!("{:.1}%", pct("authentication_coverage")),
                "#1c4e9d",
            ),
            (
                "TLS".into(),
                pct("tls_coverage"),
                format!("{:.1}%", pct("tls_coverage")),
                "#1c4e9d",
            ),
            (
                "policy-compliant".into(),
                pct("policy_compliance"),
                format!("{:.1}%", pct("policy_compliance")),
                "#1c4e9d",
            ),
            (
                "evidence decided".into(),
                s.evidence_coverage.percent_decided,
                format!("{:.1}%", s.evidence_coverage.percent_decided),
                "#5b6577",
            ),
        ],
        100.0,
    );
    let mut points: Vec<SweepRecord> = history.to_vec();
    if points.last().is_none_or(|h| h.sweep_id != p.sweep_id) {
        points.push(SweepRecord {
            sweep_id: p.sweep_id.clone(),
            generated_at: p.generated_at,
            source: p.source.clone(),
            complete: p.complete,
            summary: s.clone(),
        });
    }
    let top = top_risks(p, 15)
        .into_iter()
        .map(|e| TopRisk {
            score: format!("{:.1}", e.risk_score),
            band: e.risk_band.as_str(),
            service: e.service.clone(),
            method: e.method.clone(),
            path: e.path.clone(),
            class: e.classification.class.to_string(),
            lifecycle: e.classification.lifecycle.as_str(),
            terms: e.score_terms.iter().map(|t| t.detail.clone()).collect(),
            failing: e
                .controls
                .iter()
                .filter(|c| {
                    c.state == ControlState::Absent
                        || (c.state == ControlState::Unknown && c.required)
                })
                .map(|c| Failing {
                    control: c.control.clone(),
                    unverified: c.unverified,
                    evidence: c
                        .evidence
                        .first()
                        .map(|ev| format!("{} ({})", ev.detail, ev.location))
                        .unwrap_or_else(|| "no evidence either way".into()),
                    remediation: crate::controls::find(&c.control)
                        .map(|d| d.remediation.to_string())
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let list = |lc: Lifecycle| -> Vec<(String, String)> {
        p.endpoints
            .iter()
            .filter(|e| e.classification.lifecycle == lc)
            .map(|e| {
                (
                    format!("{} {} {}", e.service, e.method, e.path),
                    e.classification
                        .reasons
                        .first()
                        .cloned()
                        .unwrap_or_default(),
                )
            })
            .collect()
    };
    let findings = p
        .findings
        .iter()
        .map(|f| FindingRow {
            rank: severity_rank(f.severity),
            severity: f.severity.as_str(),
            control: f.control.clone(),
            resource: f.resource.clone(),
            message: f.message.clone(),
            verified: f.verified,
            age: (f.resolved_at.unwrap_or(p.generated_at) - f.first_seen).num_days(),
            status: match f.status {
                FindingStatus::Open => "open",
                FindingStatus::Resolved => "resolved",
            },
        })
        .collect::<Vec<_>>();
    let mut groups: BTreeMap<&str, Vec<&crate::posture::EndpointPosture>> = BTreeMap::new();
    for e in &p.endpoints {
        groups.entry(e.service.as_str()).or_default().push(e);
    }
    let apis = groups
        .into_iter()
        .map(|(service, eps)| ApiGroup {
            service: service.to_string(),
            max_risk: format!(
                "{:.1}",
                eps.iter().map(|e| e.risk_score).fold(0.0, f64::max)
            ),
            endpoints: eps
                .into_iter()
                .map(|e| EndpointRow {
                    method: e.method.clone(),
                    path: e.path.clone(),
                    class: e.classification.class.to_string(),
                    lifecycle: e.classification.lifecycle.as_str(),
                    score: format!("{:.1}", e.risk_score),
                    band: e.risk_band.as_str(),
                    present: e
                        .controls
                        .iter()
                        .filter(|c| c.state == ControlState::Present)
                        .count(),
                    absent: e
                        .controls
                        .iter()
                        .filter(|c| c.state == ControlState::Absent)
                        .count(),
                    unknown: e
                        .controls
                        .iter()
                        .filter(|c| c.state == ControlState::Unknown)
                        .count(),
                })
                .collect(),
        })
        .collect();
    let mut resources: Vec<ResourceRow> = p
        .resources
        .iter()
        .flat_map(|r| {
            r.controls
                .iter()
                .filter(|c| matches!(c.state, ControlState::Absent | ControlState::Unknown))
                .map(move |c| ResourceRow {
                    rank: severity_rank(c.severity),
                    severity: c.severity.as_str(),
                    control: c.control.clone(),
                    arn: r.arn.clone(),
                    detail: if c.unverified {
                        format!("unverified: {}", c.detail)
                    } else {
                        c.detail.clone()
                    },
                })
        })
        .collect();
    resources.sort_by(|a, b| b.rank.cmp(&a.rank).then_with(|| a.arn.cmp(&b.arn)));
    let unknown = p
        .endpoints
        .iter()
        .filter_map(|e| {
            let ids: Vec<&str> = e
                .controls
                .iter()
                .filter(|c| c.unverified)
                .map(|c| c.control.as_str())
                .collect();
            (!ids.is_empty()).then(|| {
                (
                    format!("{} {} {}", e.service, e.method, e.path),
                    ids.join(", "),
                )
            })
        })
        .collect();
    let page = Page {
        source: p.source.clone(),
        sweep_id: p.sweep_id.clone(),
        generated: p.generated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        total: s.total_endpoints,
        open_findings: s.open_findings,
        complete: p.complete,
        issues: p
            .input_issues
            .iter()
            .map(|i| i.to_string())
            .chain(p.stale_targets.iter().map(|t| t.to_string()))
            .collect(),
        metrics,
        risk_chart,
        class_chart,
        coverage_chart,
        trend: trend(&points),
        top,
        shadow: list(Lifecycle::Shadow),
        zombie: list(Lifecycle::Zombie),
        orphan: list(Lifecycle::Orphan),
        findings,
        apis,
        resources,
        decided: format!("{:.1}", s.evidence_coverage.percent_decided),
        evaluations: s.evidence_coverage.evaluations,
        unknown_count: s.evidence_coverage.unknown,
        unknown,
    };
    page.render()
        .unwrap_or_else(|e| format!("<!DOCTYPE html><p>report could not be rendered: {e}</p>"))
}
