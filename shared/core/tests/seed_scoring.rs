//! The seed's scoring cases, computed with the seed's own code: given the class, the documented
//! flag, the sensitive data types and one sample in the seed's JSON shape, the score must come
//! out identical.

use apispm_core::controls::{CATALOGUE, EndpointFacts};
use apispm_core::model::{Class, RiskBand, endpoint_id};
use apispm_core::scoring::score;
use apispm_core::traffic::read_samples;

fn seed_score(class: Class, documented: bool, sensitive: usize, sample_json: &str) -> f64 {
    let (samples, errors) = read_samples("case.json", sample_json).expect("sample parses");
    assert!(errors.is_empty(), "{errors:?}");
    let facts = EndpointFacts {
        gateway: None,
        samples: samples.iter().collect(),
        observed: vec![],
        declared: vec![],
    };
    let states: Vec<_> = CATALOGUE
        .iter()
        .map(|c| (*c, (c.evaluate)(&facts).state))
        .collect();
    let types: Vec<String> = (0..sensitive).map(|i| format!("type{i}")).collect();
    score(class, documented, &types, &states).score
}

const HARDENED_RESPONSE: &str = r#"{
    "X-RateLimit-Limit": "100",
    "Access-Control-Allow-Origin": "https://app.example.com",
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store"
}"#;

fn hardened(validated: bool) -> String {
    format!(
        r#"{{"method": "GET", "path": "/v1/orders", "service": "orders", "scheme": "https",
            "request_headers": {{"Authorization": "Bearer abc"}},
            "response_headers": {HARDENED_RESPONSE}, "has_schema_validation": {validated}}}"#
    )
}

#[test]
fn external_undocumented_plain_http_wildcard_cors_is_100() {
    let sample = r#"{"method": "GET", "path": "/v1/orders", "scheme": "http", "request_headers": {},
        "response_headers": {"Access-Control-Allow-Origin": "*"}, "has_schema_validation": false}"#;
    assert_eq!(seed_score(Class::External, false, 0, sample), 100.0);
}

#[test]
fn internal_documented_fully_hardened_is_0() {
    assert_eq!(seed_score(Class::Internal, true, 0, &hardened(true)), 0.0);
}

#[test]
fn partner_with_api_key_and_no_response_headers_is_57_8() {
    let sample = r#"{"method": "GET", "path": "/p", "scheme": "https", "request_headers": {"X-API-Key": "k"},
        "response_headers": {}, "has_schema_validation": false}"#;
    assert_eq!(seed_score(Class::Partner, true, 0, sample), 57.8);
}

#[test]
fn internal_with_cookie_and_no_response_headers_is_44_4() {
    let sample = r#"{"method": "GET", "path": "/c", "scheme": "https", "request_headers": {"Cookie": "s=1"},
        "response_headers": {}, "has_schema_validation": false}"#;
    assert_eq!(seed_score(Class::Internal, true, 0, sample), 44.4);
}

#[test]
fn deprecated_hardened_without_validation_and_two_sensitive_types_is_50() {
    let score = seed_score(Class::Deprecated, true, 2, &hardened(false));
    assert_eq!(score, 50.0);
    assert_eq!(RiskBand::of(score), RiskBand::High);
}

#[test]
fn shadow_with_auth_rate_limit_and_strict_origin_is_77_8() {
    let sample = r#"{"method": "GET", "path": "/s", "scheme": "https", "request_headers": {"Authorization": "Bearer x"},
        "response_headers": {"X-RateLimit-Limit": "10", "Access-Control-Allow-Origin": "https://a.example"},
        "has_schema_validation": false}"#;
    let score = seed_score(Class::Shadow, false, 0, sample);
    assert_eq!(score, 77.8);
    assert_eq!(RiskBand::of(score), RiskBand::Critical);
}

#[test]
fn external_hardened_with_one_sensitive_type_is_8_3() {
    assert_eq!(seed_score(Class::External, true, 1, &hardened(true)), 8.3);
}

#[test]
fn the_seed_endpoint_id() {
    assert_eq!(
        endpoint_id("orders", "GET", "/v1/orders"),
        "e7542043391cbfcc"
    );
}

#[test]
fn score_terms_explain_the_number() {
    let (samples, _) = read_samples("case.json", &hardened(false)).unwrap();
    let facts = EndpointFacts {
        gateway: None,
        samples: samples.iter().collect(),
        observed: vec![],
        declared: vec![],
    };
    let states: Vec<_> = CATALOGUE
        .iter()
        .map(|c| (*c, (c.evaluate)(&facts).state))
        .collect();
    let s = score(
        Class::Deprecated,
        true,
        &["email".into(), "ssn".into()],
        &states,
    );
    let terms: Vec<(&str, f64)> = s.terms.iter().map(|t| (t.term.as_str(), t.value)).collect();
    assert_eq!(
        terms,
        vec![
            ("input_validation", 15.0),
            ("sensitive_data:email", 5.0),
            ("sensitive_data:ssn", 5.0),
            ("multiplier", 1.8)
        ]
    );
    assert_eq!((s.raw, s.max), (25.0, 90.0));
}
