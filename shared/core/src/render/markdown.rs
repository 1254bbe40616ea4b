//! A Markdown summary fit for a pull-request comment or a wiki page.

use super::{
    distributions, failing_controls, metric_status, metric_target, metric_value, top_risks,
};
use crate::posture::{FindingStatus, Posture};
use std::fmt::Write;

/// Escape text for a Markdown table cell: no HTML, no table breaks, no code spans, one line.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            '`' | '*' | '_' | '[' | ']' | '\\' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(p: &Posture) -> String {
    let mut md = String::new();
    let s = &p.summary;
    let _ = writeln!(md, "# API security posture\n");
    let _ = writeln!(
        md,
        "Sweep `{}` of {} at {}: **{} endpoints**, average risk **{:.1}**, {} open findings.{}\n",
        escape(&p.sweep_id),
        escape(&p.source),
        p.generated_at.to_rfc3339(),
        s.total_endpoints,
        s.average_risk,
        s.open_findings,
        if p.complete {
            ""
        } else {
            " **Incomplete: some inputs could not be read (below).**"
        }
    );
    let _ = writeln!(
        md,
        "| Metric | Value | Target | Status |\n|---|---|---|---|"
    );
    for m in &s.metrics {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            m.name,
            metric_value(m),
            metric_target(m),
            metric_status(m)
        );
    }
    let (dist, classes) = distributions(s);
    let _ = writeln!(
        md,
        "\nRisk: {}. Classes: {}. Evidence decided {:.1}% of control evaluations ({} unverified).\n",
        dist, classes, s.evidence_coverage.percent_decided, s.evidence_coverage.unknown
    );

    let _ = writeln!(
        md,
        "## Top risks\n\n| Risk | Endpoint | Class | Failing controls | Why |\n|---|---|---|---|---|"
    );
    for e in top_risks(p, 10) {
        let failing: Vec<String> = failing_controls(e, " (unverified)");
        let why = e
            .score_terms
            .last()
            .map(|t| t.detail.as_str())
            .unwrap_or("");
        let _ = writeln!(
            md,
            "| {:.1} {} | {} {} {} | {} | {} | {} |",
            e.risk_score,
            e.risk_band.as_str(),
            escape(&e.service),
            escape(&e.method),
            escape(&e.path),
            e.classification.class,
            escape(&failing.join(", ")),
            escape(why)
        );
    }

    if !p.policies.is_empty() {
        let _ = writeln!(
            md,
            "\n## Policies\n\n| Policy | Severity | Pass | Fail | Not in scope |\n|---|---|---|---|---|"
        );
        for pol in &p.policies {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                escape(&pol.name),
                pol.severity,
                pol.passed,
                pol.failed,
                pol.not_in_scope
            );
        }
    }

    let open: Vec<_> = p
        .findings
        .iter()
        .filter(|f| f.status == FindingStatus::Open)
        .collect();
    let _ = writeln!(
        md,
        "\n## Open findings ({})\n\n| Severity | Control | Resource | Message | Since |\n|---|---|---|---|---|",
        open.len()
    );
    for f in open.iter().take(50) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {}{} | {} |",
            f.severity,
            escape(&f.control),
            escape(&f.resource),
            escape(&f.message),
            if f.verified { "" } else { " (unverified)" },
            f.first_seen.format("%Y-%m-%d")
        );
    }
    if open.len() > 50 {
        let _ = writeln!(md, "\n…and {} more in the JSON posture.", open.len() - 50);
    }
    let resolved: Vec<_> = p
        .findings
        .iter()
        .filter(|f| f.status == FindingStatus::Resolved)
        .collect();
    if !resolved.is_empty() {
        let _ = writeln!(md, "\n## Resolved this sweep ({})\n", resolved.len());
        for f in resolved {
            let _ = writeln!(md, "- {} on {}", escape(&f.control), escape(&f.resource));
        }
    }
    if !p.input_issues.is_empty() {
        let _ = writeln!(md, "\n## Inputs that could not be read\n");
        for i in &p.input_issues {
            let _ = writeln!(md, "- {}", escape(&i.to_string()));
        }
    }
    if !p.stale_targets.is_empty() {
        let _ = writeln!(md, "\n## Stale targets (last good result shown)\n");
        for t in &p.stale_targets {
            let _ = writeln!(md, "- {}", escape(&t.to_string()));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_html_and_table_breaks() {
        assert_eq!(
            escape("/<script>alert(1)</script>|x"),
            "/&lt;script&gt;alert(1)&lt;/script&gt;\\|x"
        );
        assert_eq!(escape("a\nb`c`"), "a b\\`c\\`");
    }
}
