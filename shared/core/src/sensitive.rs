//! Sensitive data: which schema fields name it, and validating detectors for observed values.
//!
//! Detectors validate before they flag (Luhn for cards, SSA rules for SSNs, mod-97 for IBANs),
//! so a random 16-digit id is not a card number. Raw values never leave this module: callers
//! get the type and a masked form.

/// The sensitive data type a schema property or parameter names, from its name and format.
pub fn classify_field_name(name: &str, format: Option<&str>) -> Option<&'static str> {
    if let Some(f) = format {
        match f.to_ascii_lowercase().as_str() {
            "email" | "idn-email" => return Some("email"),
            "password" => return Some("password"),
            _ => {}
        }
    }
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let t = match n.as_str() {
        "email" | "emailaddress" | "mail" | "useremail" => "email",
        "phone" | "phonenumber" | "mobile" | "mobilenumber" | "telephone" | "msisdn" => "phone",
        "ssn" | "socialsecuritynumber" | "taxid" | "nationalid" => "ssn",
        "cardnumber" | "creditcard" | "creditcardnumber" | "pan" | "ccnumber" | "cvv" | "cvc" => {
            "card_number"
        }
        "password" | "passwd" | "pwd" | "passphrase" => "password",
        "dob" | "dateofbirth" | "birthdate" | "birthday" => "date_of_birth",
        "iban" | "bankaccount" | "accountnumber" => "iban",
        "token" | "accesstoken" | "refreshtoken" | "idtoken" | "apikey" | "secret"
        | "clientsecret" => "secret",
        _ => return None,
    };
    Some(t)
}

/// A value found by a detector: its type and a masked form safe to store and print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub data_type: &'static str,
    pub masked: String,
}

/// Run the validating detectors over one token (a path segment, a query value).
pub fn detect_value(value: &str) -> Option<Detection> {
    let v = value.trim();
    if v.len() < 8 || v.len() > 4096 {
        return None;
    }
    // Cheap rejection before any detector allocates: every type needs a digit, an `@`, or (for
    // tokens) a long run without spaces. Log lines are scanned field by field at 100+ MB/s.
    let bytes = v.as_bytes();
    let has_digit = bytes.iter().any(u8::is_ascii_digit);
    if !has_digit && !bytes.contains(&b'@') && !v.starts_with("eyJ") {
        return None;
    }
    let data_type = if is_email(v) {
        "email"
    } else if is_card_number(v) {
        "card_number"
    } else if is_us_ssn(v) {
        "ssn"
    } else if is_iban(v) {
        "iban"
    } else if is_aws_access_key_id(v) {
        "aws_access_key_id"
    } else if is_jwt(v) {
        "jwt"
    } else if is_known_secret(v) {
        "secret"
    } else if is_phone(v) {
        "phone"
    } else {
        return None;
    };
    Some(Detection {
        data_type,
        masked: mask(v),
    })
}

/// Keep the last four characters at most, and never more than a quarter of the value.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = (chars.len() / 4).min(4);
    let hidden = chars.len() - keep;
    let mut out: String = "*".repeat(hidden.min(12));
    out.extend(&chars[hidden..]);
    out
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
}

/// Card numbers: 13–19 digits (spaces or dashes allowed), a known issuer prefix, and Luhn.
pub fn is_card_number(v: &str) -> bool {
    let digits: Vec<u32> = v
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let prefix2 = digits[0] * 10 + digits[1];
    let prefix4 = prefix2 * 100 + digits[2] * 10 + digits[3];
    let issuer = digits[0] == 4 // Visa
        || (51..=55).contains(&prefix2) || (2221..=2720).contains(&prefix4) // Mastercard
        || prefix2 == 34 || prefix2 == 37 // Amex
        || prefix4 == 6011 || prefix2 == 65 // Discover
        || (3528..=3589).contains(&prefix4) // JCB
        || prefix2 == 36 || prefix2 == 38; // Diners
    issuer && luhn(&digits)
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// US SSN `AAA-GG-SSSS`: area not 000, 666 or 900–999, group not 00, serial not 0000.
pub fn is_us_ssn(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let [area, group, serial] = parts.as_slice() else {
        return false;
    };
    let all_digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    if !(all_digits(area, 3) && all_digits(group, 2) && all_digits(serial, 4)) {
        return false;
    }
    let area: u32 = area.parse().unwrap_or(0);
    area != 0 && area != 666 && area < 900 && *group != "00" && *serial != "0000"
}

/// IBAN: country code, check digits, and the mod-97 check.
pub fn is_iban(v: &str) -> bool {
    let s: String = v.chars().filter(|c| *c != ' ').collect();
    if !(15..=34).contains(&s.len()) {
        return false;
    }
    let b = s.as_bytes();
    if !(b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && b[2].is_ascii_digit()
        && b[3].is_ascii_digit())
    {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    let rearranged = format!("{}{}", &s[4..], &s[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let n = if c.is_ascii_digit() {
            c as u32 - '0' as u32
        } else {
            c as u32 - 'A' as u32 + 10
        };
        for d in n.to_string().chars() {
            rem = (rem * 10 + (d as u32 - '0' as u32)) % 97;
        }
    }
    rem == 1
}

/// A JWT: three base64url parts whose header decodes to a JSON object with `alg`.
pub fn is_jwt(v: &str) -> bool {
    use base64::Engine;
    let v = v.strip_prefix("Bearer ").unwrap_or(v);
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() != 3 || !parts[0].starts_with("eyJ") || parts[1].len() < 4 {
        return false;
    }
    let Ok(header) =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[0].trim_end_matches('='))
    else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&header).is_ok_and(|h| h.get("alg").is_some())
}

/// Tokens whose prefix names the issuer (gitleaks' rules): Stripe, GitHub, Slack, Google.
fn is_known_secret(v: &str) -> bool {
    let body_ok = |rest: &str, min: usize| {
        rest.len() >= min
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    ["sk_live_", "rk_live_", "sk_test_"]
        .iter()
        .any(|p| v.strip_prefix(p).is_some_and(|r| body_ok(r, 16)))
        || ["ghp_", "gho_", "ghs_", "github_pat_"]
            .iter()
            .any(|p| v.strip_prefix(p).is_some_and(|r| body_ok(r, 30)))
        || ["xoxb-", "xoxp-"]
            .iter()
            .any(|p| v.strip_prefix(p).is_some_and(|r| body_ok(r, 20)))
        || v.strip_prefix("AIza")
            .is_some_and(|r| r.len() == 35 && body_ok(r, 35))
}

/// E.164 (`+` and 8–15 digits) or a North American number with a valid area code.
fn is_phone(v: &str) -> bool {
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    let only_phone_chars = v
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !only_phone_chars {
        return false;
    }
    if let Some(rest) = v.strip_prefix('+') {
        return rest.chars().next().is_some_and(|c| c != '0') && (8..=15).contains(&digits.len());
    }
    // NANP: 10 digits with separators, area and exchange codes not starting with 0 or 1.
    let separated = v.contains('-') || v.contains('(') || v.contains(' ');
    separated
        && digits.len() == 10
        && !digits.starts_with(['0', '1'])
        && !digits[3..].starts_with(['0', '1'])
}

fn is_aws_access_key_id(v: &str) -> bool {
    v.len() == 20
        && [
            "AKIA", "ASIA", "AIDA", "AROA", "AGPA", "ANPA", "ANVA", "AIPA",
        ]
        .iter()
        .any(|p| v.starts_with(p))
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_formats() {
        assert_eq!(classify_field_name("customer_email", None), None);
        assert_eq!(classify_field_name("contact", Some("email")), Some("email"));
        assert_eq!(
            classify_field_name("Date-Of-Birth", None),
            Some("date_of_birth")
        );
        assert_eq!(classify_field_name("cardNumber", None), Some("card_number"));
        assert_eq!(classify_field_name("name", None), None);
    }

    #[test]
    fn detectors_validate_before_flagging() {
        assert_eq!(
            detect_value("4111 1111 1111 1111").unwrap().data_type,
            "card_number"
        );
        assert!(detect_value("4111111111111112").is_none(), "Luhn-invalid");
        assert_eq!(detect_value("123-45-6789").unwrap().data_type, "ssn");
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "123-00-6789",
            "123-45-0000",
        ] {
            assert!(detect_value(bad).is_none(), "{bad}");
        }
        assert_eq!(
            detect_value("GB82WEST12345698765432").unwrap().data_type,
            "iban"
        );
        assert!(detect_value("GB82WEST12345698765433").is_none());
        assert_eq!(detect_value("jane@example.com").unwrap().data_type, "email");
        assert_eq!(
            detect_value("AKIAIOSFODNN7EXAMPLE").unwrap().data_type,
            "aws_access_key_id"
        );
    }

    #[test]
    fn masks_never_reveal_more_than_four_characters() {
        let d = detect_value("4111111111111111").unwrap();
        assert_eq!(d.masked, "************1111");
        assert!(!d.masked.contains("4111111"));
    }
}
