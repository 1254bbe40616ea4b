//! Reading a REST API's resource policy (IAM policy JSON) for what it grants: to anyone, only
//! from VPCs / VPC endpoints, or to other accounts.

use serde_json::Value;

/// Condition keys that narrow an `Allow` to a network or an organization.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:sourceaccount",
];
const VPC_KEYS: &[&str] = &["aws:sourcevpce", "aws:sourcevpc"];

#[derive(Debug, Default, PartialEq)]
pub struct PolicyReading {
    /// `Allow` statements that grant invoke to any principal with no narrowing condition.
    pub public_grants: Vec<String>,
    /// Every invoke path is limited to VPC endpoints or VPCs (by Allow conditions or a Deny).
    pub vpc_restricted: bool,
    /// Account ids (other than the owner) granted invoke.
    pub other_accounts: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("resource policy is not valid JSON: {0}")]
pub struct PolicyParseError(String);

pub fn read(policy: &str, owner_account: &str) -> Result<PolicyReading, PolicyParseError> {
    let doc: Value = serde_json::from_str(policy).map_err(|e| PolicyParseError(e.to_string()))?;
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => Vec::new(),
    };
    let mut reading = PolicyReading::default();
    let mut allows_any = false;
    let mut allows_all_vpc_limited = true;
    let mut deny_outside_vpc = false;
    for (i, st) in statements.iter().enumerate() {
        if !grants_invoke(st) {
            continue;
        }
        let effect = st.get("Effect").and_then(Value::as_str).unwrap_or("");
        let keys = condition_keys(st);
        let principal_any = principal_is_any(st.get("Principal"));
        if effect.eq_ignore_ascii_case("Deny") {
            // AWS's private-API pattern: Deny unless aws:SourceVpce / aws:SourceVpc matches.
            let negated = st
                .get("Condition")
                .and_then(Value::as_object)
                .is_some_and(|c| {
                    c.keys().any(|op| {
                        op.starts_with("StringNotEquals") || op.starts_with("StringNotLike")
                    })
                });
            if principal_any && negated && keys.iter().any(|k| VPC_KEYS.contains(&k.as_str())) {
                deny_outside_vpc = true;
            }
            continue;
        }
        if !effect.eq_ignore_ascii_case("Allow") {
            continue;
        }
        allows_any = true;
        let narrowed = keys.iter().any(|k| RESTRICTING_KEYS.contains(&k.as_str()));
        if !keys.iter().any(|k| VPC_KEYS.contains(&k.as_str())) {
            allows_all_vpc_limited = false;
        }
        if principal_any && !narrowed {
            let sid = st.get("Sid").and_then(Value::as_str).map(str::to_string);
            reading
                .public_grants
                .push(sid.unwrap_or_else(|| format!("Statement[{i}]")));
        }
        for account in principal_accounts(st.get("Principal")) {
            if account != owner_account && !reading.other_accounts.contains(&account) {
                reading.other_accounts.push(account);
            }
        }
    }
    reading.vpc_restricted = allows_any && (allows_all_vpc_limited || deny_outside_vpc);
    if deny_outside_vpc {
        // A blanket Deny outside the VPC neutralizes the public Allow.
        reading.public_grants.clear();
    }
    Ok(reading)
}

fn as_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn grants_invoke(st: &Value) -> bool {
    let actions = as_list(st.get("Action"));
    actions.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a == "*" || a == "execute-api:*" || a == "execute-api:invoke"
    })
}

fn principal_is_any(p: Option<&Value>) -> bool {
    match p {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => m
            .get("AWS")
            .map(|a| as_list(Some(a)).iter().any(|x| x == "*"))
            .unwrap_or(false),
        _ => false,
    }
}

fn principal_accounts(p: Option<&Value>) -> Vec<String> {
    let Some(Value::Object(m)) = p else {
        return Vec::new();
    };
    as_list(m.get("AWS"))
        .into_iter()
        .filter_map(|a| {
            if a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()) {
                Some(a)
            } else {
                // arn:aws:iam::123456789012:root / :role/x
                a.split(':')
                    .nth(4)
                    .filter(|acc| acc.len() == 12)
                    .map(str::to_string)
            }
        })
        .collect()
}

fn condition_keys(st: &Value) -> Vec<String> {
    st.get("Condition")
        .and_then(Value::as_object)
        .map(|ops| {
            ops.values()
                .filter_map(Value::as_object)
                .flat_map(|m| m.keys().map(|k| k.to_ascii_lowercase()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_allow_without_condition() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Sid":"open","Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*"}]}"#;
        let r = read(p, "111111111111").unwrap();
        assert_eq!(r.public_grants, vec!["open"]);
        assert!(!r.vpc_restricted);
    }

    #[test]
    fn private_api_pattern_is_vpc_restricted() {
        let p = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},
            {"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b"}}}]}"#;
        let r = read(p, "111111111111").unwrap();
        assert!(r.vpc_restricted);
        assert!(r.public_grants.is_empty());
    }

    #[test]
    fn cross_account_grant() {
        let p = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root","111111111111"]},"Action":"execute-api:Invoke","Resource":"*"}}"#;
        let r = read(p, "111111111111").unwrap();
        assert_eq!(r.other_accounts, vec!["222222222222"]);
        assert!(r.public_grants.is_empty());
    }
}
