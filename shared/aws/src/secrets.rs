//! Stage variables: keep names; for values that look like secrets, only the type and a masked form.

use apispm_core::gateway::StageVariable;
use apispm_core::sensitive::{detect_value, mask};
use std::collections::HashMap;

const SECRET_NAME_HINTS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "token",
    "apikey",
    "api_key",
    "privatekey",
    "credential",
];

pub fn stage_variables(vars: Option<&HashMap<String, String>>) -> Vec<StageVariable> {
    let mut out: Vec<StageVariable> = vars
        .into_iter()
        .flatten()
        .map(|(name, value)| {
            let lowered = name.to_ascii_lowercase().replace('-', "_");
            let by_value = detect_value(value).map(|d| (d.data_type.to_string(), d.masked));
            let by_name = (SECRET_NAME_HINTS.iter().any(|h| lowered.contains(h))
                && value.len() >= 8)
                .then(|| ("secret (by variable name)".to_string(), mask(value)));
            let (secret_type, masked) = by_value
                .or(by_name)
                .map(|(t, m)| (Some(t), Some(m)))
                .unwrap_or((None, None));
            StageVariable {
                name: name.clone(),
                secret_type,
                masked,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_typed_and_masked_never_kept() {
        let vars: HashMap<String, String> = [
            ("backendHost".to_string(), "api.internal".to_string()),
            ("awsKey".to_string(), "AKIAIOSFODNN7EXAMPLE".to_string()),
            ("dbPassword".to_string(), "hunter2hunter2".to_string()),
        ]
        .into();
        let out = stage_variables(Some(&vars));
        let json = serde_json_like(&out);
        assert!(!json.contains("AKIAIOSFODNN7EXAMPLE") && !json.contains("hunter2hunter2"));
        assert_eq!(out[0].secret_type.as_deref(), Some("aws_access_key_id"));
        assert_eq!(out[1].secret_type, None);
        assert_eq!(
            out[2].secret_type.as_deref(),
            Some("secret (by variable name)")
        );
    }

    fn serde_json_like(v: &[StageVariable]) -> String {
        format!("{v:?}")
    }
}
