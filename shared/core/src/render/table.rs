//! The terminal view, for people: summary metrics against targets, then the top risks.

use super::{
    distributions, failing_controls, metric_status, metric_target, metric_value, top_risks,
};
use crate::posture::Posture;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::fmt::Write;

/// Strip control characters (ANSI escapes from a hostile path must not drive the terminal).
pub fn terminal_safe(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

pub fn render(p: &Posture) -> String {
    let s = &p.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "apispm posture of {} — {} endpoints, average risk {:.1}, {} open findings ({})",
        terminal_safe(&p.source),
        s.total_endpoints,
        s.average_risk,
        s.open_findings,
        p.generated_at.format("%Y-%m-%d %H:%M UTC")
    );
    if !p.complete {
        let _ = writeln!(
            out,
            "INCOMPLETE: {} input(s) could not be read (listed below)",
            p.input_issues.len()
        );
    }

    let mut metrics = Table::new();
    metrics.load_style(UTF8_FULL_CONDENSED);
    metrics.set_header(vec!["Metric", "Value", "Target", "Status"]);
    for m in &s.metrics {
        metrics.add_row(vec![
            m.name.clone(),
            metric_value(m),
            metric_target(m),
            metric_status(m).to_string(),
        ]);
    }
    let _ = writeln!(out, "{metrics}");
    let (dist, classes) = distributions(s);
    let _ = writeln!(out, "Risk: {}   Classes: {}", dist, classes);
    let _ = writeln!(
        out,
        "Evidence decided {:.1}% of control evaluations; {} unverified (counted as absent).",
        s.evidence_coverage.percent_decided, s.evidence_coverage.unknown
    );

    let mut risks = Table::new();
    risks.load_style(UTF8_FULL_CONDENSED);
    risks.set_header(vec![
        "Risk",
        "Endpoint",
        "Class",
        "Failing controls",
        "Policies failed",
    ]);
    for e in top_risks(p, 10) {
        let failing: Vec<String> = failing_controls(e, "?");
        let failed_policies = e
            .policies
            .iter()
            .filter(|r| r.outcome == crate::policy::PolicyOutcome::Fail)
            .count();
        risks.add_row(vec![
            format!("{:.1} {}", e.risk_score, e.risk_band.as_str()),
            terminal_safe(&format!("{} {} {}", e.service, e.method, e.path)),
            e.classification.class.to_string(),
            failing.join(", "),
            failed_policies.to_string(),
        ]);
    }
    let _ = writeln!(
        out,
        "\nTop risks (? = unverified: no evidence either way)\n{risks}"
    );

    if let Some(d) = &p.drift {
        let _ = writeln!(
            out,
            "Since {}: {} new and {} resolved findings, {} new and {} removed endpoints.",
            d.previous_generated_at.format("%Y-%m-%d %H:%M UTC"),
            d.new_findings.len(),
            d.resolved_findings.len(),
            d.new_endpoints.len(),
            d.removed_endpoints.len()
        );
    }
    for i in &p.input_issues {
        let _ = writeln!(out, "input error: {}", terminal_safe(&i.to_string()));
    }
    for t in &p.stale_targets {
        let _ = writeln!(out, "{}", terminal_safe(&t.to_string()));
    }
    out
}
