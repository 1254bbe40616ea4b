//! The `apispm.posture/v1` JSON document (schema: `docs/posture.schema.json`). JSON escaping
//! makes attacker-controlled strings safe for any JSON consumer.

use crate::posture::Posture;

pub fn render(posture: &Posture) -> String {
    // Serializing our own types cannot fail; an error here is a bug worth a loud message.
    serde_json::to_string_pretty(posture).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        + "\n"
}
