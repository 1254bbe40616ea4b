//! Policies as code: YAML entries whose `condition` (scope) and `require` are CEL expressions,
//! evaluated per endpoint to pass / fail / not in scope. Format in `docs/policies.md`.
//!
//! Every mistake in a policy file is an error naming the file and the line: an unknown key, an
//! unknown control, a condition that does not parse or refers to an unknown variable, or one
//! that does not evaluate to a boolean on a sample endpoint.

use crate::controls;
use crate::model::{ControlState, Severity};
use cel::{Context, Program, Value};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// The variables a condition can use. Documented in docs/policies.md.
pub const VARIABLES: &[&str] = &[
    "service",
    "method",
    "path",
    "classification",
    "exposure",
    "lifecycle",
    "documented",
    "owner",
    "risk_score",
    "risk_band",
    "sensitive_data_types",
    "controls",
];

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{file}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct PolicyError {
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFileRaw {
    policies: Vec<Spanned<PolicyRaw>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyRaw {
    name: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    severity: Spanned<String>,
    #[serde(default)]
    condition: Option<Spanned<String>>,
    #[serde(default)]
    required_controls: Vec<Spanned<String>>,
    #[serde(default)]
    max_risk_score: Option<f64>,
    #[serde(default)]
    require: Option<Spanned<String>>,
    #[serde(default)]
    remediation: Option<String>,
}

/// A loaded, checked policy.
#[derive(Debug)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub severity: Severity,
    pub condition: Option<Expression>,
    pub required_controls: Vec<String>,
    pub max_risk_score: Option<f64>,
    pub require: Option<Expression>,
    pub remediation: String,
    /// Where it was defined: `file:line`.
    pub defined_at: String,
}

#[derive(Debug)]
pub struct Expression {
    pub source: String,
    program: Program,
}

/// What a policy concluded about one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyOutcome {
    Pass,
    Fail,
    NotInScope,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyResult {
    pub policy: String,
    pub outcome: PolicyOutcome,
    pub severity: Severity,
    /// Why it failed (each unmet requirement), empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Whether a failure rests only on unknown evidence.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unverified: bool,
}

/// The facts about an endpoint that policies read.
#[derive(Debug, Clone, Serialize)]
pub struct PolicySubject {
    pub service: String,
    pub method: String,
    pub path: String,
    pub classification: String,
    pub exposure: String,
    pub lifecycle: String,
    pub documented: bool,
    pub owner: Option<String>,
    pub risk_score: f64,
    pub risk_band: String,
    pub sensitive_data_types: Vec<String>,
    pub controls: BTreeMap<String, String>,
}

impl PolicySubject {
    /// A made-up endpoint used to type-check conditions when a file is loaded.
    fn probe() -> PolicySubject {
        PolicySubject {
            service: "probe".into(),
            method: "GET".into(),
            path: "/probe".into(),
            classification: "external".into(),
            exposure: "external".into(),
            lifecycle: "managed".into(),
            documented: true,
            owner: Some("probe".into()),
            risk_score: 50.0,
            risk_band: "high".into(),
            sensitive_data_types: vec!["email".into()],
            controls: controls::CATALOGUE
                .iter()
                .map(|c| (c.id.to_string(), "present".to_string()))
                .collect(),
        }
    }

    fn context(&self) -> Result<Context<'static, 'static>, String> {
        let mut ctx = Context::default();
        let value = cel::to_value(self).map_err(|e| e.to_string())?;
        let Value::Map(map) = value else {
            return Err("subject is not a map".into());
        };
        for (key, value) in map.map.iter() {
            if let cel::objects::Key::String(name) = key {
                ctx.add_variable_from_value(name.as_str(), value.clone());
            }
        }
        Ok(ctx)
    }
}

impl Expression {
    fn eval_bool(&self, ctx: &Context) -> Result<bool, String> {
        match self.program.execute(ctx) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "`{}` evaluated to {other:?}, not a boolean",
                self.source
            )),
            Err(e) => Err(format!("`{}` failed: {e}", self.source)),
        }
    }
}

/// Load and check a policy file. `file` names it in errors.
pub fn load(file: &str, text: &str) -> Result<Vec<Policy>, PolicyError> {
    let err = |line: Option<u64>, message: String| PolicyError {
        file: file.to_string(),
        line,
        message,
    };
    let raw: PolicyFileRaw = serde_saphyr::from_str(text).map_err(|e| {
        let message = e.to_string();
        let line = regex::Regex::new(r"line (\d+)")
            .ok()
            .and_then(|re| re.captures(&message).and_then(|c| c[1].parse().ok()));
        err(line, message)
    })?;
    let probe = PolicySubject::probe().context().map_err(|e| err(None, e))?;
    let mut policies: Vec<Policy> = Vec::new();
    for entry in raw.policies {
        let line = entry.referenced.line();
        let p = entry.value;
        let name = p.name.value.trim().to_string();
        if name.is_empty() {
            return Err(err(
                Some(p.name.referenced.line()),
                "a policy needs a non-empty `name`".into(),
            ));
        }
        if policies.iter().any(|q| q.name == name) {
            return Err(err(
                Some(p.name.referenced.line()),
                format!("duplicate policy name `{name}`"),
            ));
        }
        let severity = Severity::parse(&p.severity.value).ok_or_else(|| {
            err(
                Some(p.severity.referenced.line()),
                format!(
                    "policy `{name}`: unknown severity `{}` (critical, high, medium, low, info)",
                    p.severity.value
                ),
            )
        })?;
        for c in &p.required_controls {
            if controls::find(&c.value).is_none() {
                return Err(err(
                    Some(c.referenced.line()),
                    format!(
                        "policy `{name}`: unknown control `{}` in required_controls",
                        c.value
                    ),
                ));
            }
        }
        let compile = |expr: &Spanned<String>, key: &str| -> Result<Expression, PolicyError> {
            let at = Some(expr.referenced.line());
            let program = Program::compile(&expr.value).map_err(|e| {
                err(
                    at,
                    format!(
                        "policy `{name}`: {key} `{}` does not parse: {e}",
                        expr.value
                    ),
                )
            })?;
            for var in program.references().variables() {
                if !VARIABLES.contains(&var) {
                    return Err(err(
                        at,
                        format!(
                            "policy `{name}`: {key} uses unknown variable `{var}` (known: {})",
                            VARIABLES.join(", ")
                        ),
                    ));
                }
            }
            check_control_references(&expr.value).map_err(|c| {
                err(
                    at,
                    format!("policy `{name}`: {key} refers to unknown control `{c}`"),
                )
            })?;
            let expression = Expression {
                source: expr.value.clone(),
                program,
            };
            expression
                .eval_bool(&probe)
                .map_err(|e| err(at, format!("policy `{name}`: {key} {e}")))?;
            Ok(expression)
        };
        let condition = p
            .condition
            .as_ref()
            .map(|c| compile(c, "condition"))
            .transpose()?;
        let require = p
            .require
            .as_ref()
            .map(|r| compile(r, "require"))
            .transpose()?;
        if p.required_controls.is_empty() && p.max_risk_score.is_none() && require.is_none() {
            return Err(err(
                Some(line),
                format!(
                    "policy `{name}` requires nothing: give required_controls, max_risk_score or require"
                ),
            ));
        }
        policies.push(Policy {
            description: p.description.unwrap_or_default(),
            severity,
            condition,
            required_controls: p.required_controls.into_iter().map(|c| c.value).collect(),
            max_risk_score: p.max_risk_score,
            require,
            remediation: p.remediation.unwrap_or_default(),
            defined_at: format!("{file}:{line}"),
            name,
        });
    }
    Ok(policies)
}

/// `controls.x` and `controls['x']` must name a control.
fn check_control_references(source: &str) -> Result<(), String> {
    let re = regex::Regex::new(
        r#"controls\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*['"]([^'"]+)['"]\s*\])"#,
    )
    .map_err(|e| e.to_string())?;
    for caps in re.captures_iter(source) {
        let id = caps
            .get(1)
            .or(caps.get(2))
            .map(|m| m.as_str())
            .unwrap_or("");
        if controls::find(id).is_none() {
            return Err(id.to_string());
        }
    }
    Ok(())
}

impl Policy {
    pub fn evaluate(&self, subject: &PolicySubject) -> PolicyResult {
        let result = |outcome, reasons: Vec<String>, unverified| PolicyResult {
            policy: self.name.clone(),
            outcome,
            severity: self.severity,
            reasons,
            unverified,
        };
        let ctx = match subject.context() {
            Ok(ctx) => ctx,
            Err(e) => {
                return result(
                    PolicyOutcome::Fail,
                    vec![format!("could not evaluate: {e}")],
                    true,
                );
            }
        };
        if let Some(condition) = &self.condition {
            match condition.eval_bool(&ctx) {
                Ok(false) => return result(PolicyOutcome::NotInScope, vec![], false),
                Ok(true) => {}
                // An error in scope must not hide an endpoint: evaluate it, and say so.
                Err(e) => return result(PolicyOutcome::Fail, vec![e], true),
            }
        }
        let mut reasons = Vec::new();
        let mut only_unknown = true;
        for id in &self.required_controls {
            match subject.controls.get(id).map(String::as_str) {
                Some("present") | Some("not_applicable") => {}
                Some("unknown") | None => reasons.push(format!("{id} is unverified")),
                Some(state) => {
                    only_unknown = false;
                    reasons.push(format!("{id} is {state}"));
                }
            }
        }
        if let Some(max) = self.max_risk_score
            && subject.risk_score > max
        {
            only_unknown = false;
            reasons.push(format!("risk score {} exceeds {max}", subject.risk_score));
        }
        if let Some(require) = &self.require {
            match require.eval_bool(&ctx) {
                Ok(true) => {}
                Ok(false) => {
                    only_unknown = false;
                    reasons.push(format!("`{}` is false", require.source));
                }
                Err(e) => reasons.push(e),
            }
        }
        if reasons.is_empty() {
            result(PolicyOutcome::Pass, reasons, false)
        } else {
            result(PolicyOutcome::Fail, reasons, only_unknown)
        }
    }
}

/// The control states of an endpoint as policy variables.
pub fn control_states<'a>(
    states: impl IntoIterator<Item = (&'a str, ControlState)>,
) -> BTreeMap<String, String> {
    states
        .into_iter()
        .map(|(id, s)| (id.to_string(), s.as_str().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"policies:
  - name: external-auth
    severity: critical
    condition: "exposure in ['external', 'partner']"
    required_controls: [authentication]
  - name: no-shadow
    severity: high
    require: "documented"
"#;

    fn subject(exposure: &str, auth: &str, documented: bool) -> PolicySubject {
        let mut s = PolicySubject::probe();
        s.exposure = exposure.into();
        s.documented = documented;
        s.controls.insert("authentication".into(), auth.into());
        s
    }

    #[test]
    fn pass_fail_and_not_in_scope() {
        let policies = load("p.yaml", GOOD).unwrap();
        assert_eq!(policies[0].defined_at, "p.yaml:2");
        let auth = &policies[0];
        assert_eq!(
            auth.evaluate(&subject("external", "present", true)).outcome,
            PolicyOutcome::Pass
        );
        let failed = auth.evaluate(&subject("partner", "absent", true));
        assert_eq!(failed.outcome, PolicyOutcome::Fail);
        assert!(!failed.unverified);
        let unknown = auth.evaluate(&subject("external", "unknown", true));
        assert_eq!(unknown.outcome, PolicyOutcome::Fail);
        assert!(unknown.unverified);
        assert_eq!(
            auth.evaluate(&subject("internal", "absent", true)).outcome,
            PolicyOutcome::NotInScope
        );
        assert_eq!(
            policies[1]
                .evaluate(&subject("internal", "absent", false))
                .outcome,
            PolicyOutcome::Fail
        );
    }

    fn error_of(text: &str) -> PolicyError {
        load("bad.yaml", text).unwrap_err()
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = error_of(
            "policies:\n  - name: a\n    severity: high\n    required_controls: [authentication]\n    colour: red\n",
        );
        assert_eq!(e.file, "bad.yaml");
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.message.contains("colour"), "{e}");

        let e = error_of(
            "policies:\n  - name: a\n    severity: high\n    required_controls:\n      - authentication\n      - mfa\n",
        );
        assert_eq!(e.line, Some(6), "{e}");
        assert!(e.message.contains("unknown control `mfa`"), "{e}");

        let e = error_of(
            "policies:\n  - name: a\n    severity: high\n    condition: \"exposure ==\"\n    required_controls: [authentication]\n",
        );
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("does not parse"), "{e}");

        let e = error_of(
            "policies:\n  - name: a\n    severity: high\n    require: \"exposur == 'x'\"\n",
        );
        assert!(e.message.contains("unknown variable `exposur`"), "{e}");

        let e = error_of(
            "policies:\n  - name: a\n    severity: high\n    require: \"controls.mfa == 'present'\"\n",
        );
        assert!(e.message.contains("unknown control `mfa`"), "{e}");

        let e =
            error_of("policies:\n  - name: a\n    severity: high\n    require: \"risk_score\"\n");
        assert!(e.message.contains("not a boolean"), "{e}");

        let e =
            error_of("policies:\n  - name: a\n    severity: severe\n    require: \"documented\"\n");
        assert_eq!(e.line, Some(3), "{e}");
        assert_eq!(e.to_string().split(':').next(), Some("bad.yaml"));
    }
}
