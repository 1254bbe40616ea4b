//! Gateway controls on hand-built facts, for the cases an emulator cannot seed (moto drops REST
//! client certificates, has no per-method overrides, no mutual TLS truststores) and for Security
//! Hub's exact semantics.

use super::*;
use crate::gateway::*;
use std::collections::BTreeMap;

fn target() -> TargetFacts {
    TargetFacts {
        account: "111111111111".into(),
        region: "us-east-1".into(),
        partition: "aws".into(),
        account_settings: Some(AccountSettings {
            cloudwatch_role_arn: None,
            throttle_burst_limit: Some(5000),
            throttle_rate_limit: Some(10000.0),
        }),
        ..TargetFacts::default()
    }
}

fn setting(level: &str) -> MethodSetting {
    MethodSetting {
        logging_level: Some(level.into()),
        ..MethodSetting::default()
    }
}

fn rest_with_stage(stage: RestStage) -> TargetFacts {
    let mut t = target();
    t.rest_apis.push(RestApi {
        id: "a1".into(),
        name: "api".into(),
        endpoint_types: vec!["REGIONAL".into()],
        stages: vec![stage],
        ..RestApi::default()
    });
    t
}

fn verdict(id: &str, t: &TargetFacts) -> Vec<GatewayVerdict> {
    (find(id).expect("control exists").evaluate)(t)
}

fn states(id: &str, t: &TargetFacts) -> Vec<ControlState> {
    verdict(id, t).into_iter().map(|v| v.state).collect()
}

#[test]
fn log_1_fails_when_any_override_turns_logging_off_as_security_hub_does() {
    let mut stage = RestStage {
        name: "prod".into(),
        ..RestStage::default()
    };
    stage.method_settings = BTreeMap::from([
        ("*/*".into(), setting("INFO")),
        ("orders/GET".into(), setting("OFF")),
    ]);
    let v = verdict("LOG-1", &rest_with_stage(stage.clone()));
    assert_eq!(v[0].state, ControlState::Absent);
    assert!(v[0].detail.contains("orders/GET"));
    stage
        .method_settings
        .insert("orders/GET".into(), setting("ERROR"));
    assert_eq!(
        states("LOG-1", &rest_with_stage(stage)),
        vec![ControlState::Present]
    );
}

#[test]
fn dp_1_fails_if_any_caching_method_is_unencrypted_and_passes_without_caching() {
    let cached = |encrypted| MethodSetting {
        caching_enabled: true,
        cache_data_encrypted: encrypted,
        ..MethodSetting::default()
    };
    let mut stage = RestStage {
        name: "prod".into(),
        ..RestStage::default()
    };
    stage.method_settings = BTreeMap::from([
        ("*/*".into(), cached(true)),
        ("pets/GET".into(), cached(false)),
    ]);
    assert_eq!(
        states("DP-1", &rest_with_stage(stage.clone())),
        vec![ControlState::Absent]
    );
    stage.method_settings = BTreeMap::from([("*/*".into(), MethodSetting::default())]);
    assert_eq!(
        states("DP-1", &rest_with_stage(stage)),
        vec![ControlState::Present]
    );
}

#[test]
fn dp_3_passes_with_a_client_certificate() {
    let stage = RestStage {
        name: "prod".into(),
        client_certificate_id: Some("abc123".into()),
        ..RestStage::default()
    };
    assert_eq!(
        states("DP-3", &rest_with_stage(stage)),
        vec![ControlState::Present]
    );
}

#[test]
fn ac_12_counts_neither_missing_nor_account_level_throttles() {
    let throttled = |rate: f64| MethodSetting {
        throttling_rate_limit: Some(rate),
        ..MethodSetting::default()
    };
    let mut stage = RestStage {
        name: "prod".into(),
        ..RestStage::default()
    };
    stage.method_settings = BTreeMap::from([("*/*".into(), throttled(10000.0))]);
    assert_eq!(
        states("AC-12", &rest_with_stage(stage.clone())),
        vec![ControlState::Absent],
        "equal to the account default"
    );
    stage.method_settings = BTreeMap::from([("*/*".into(), throttled(100.0))]);
    assert_eq!(
        states("AC-12", &rest_with_stage(stage)),
        vec![ControlState::Present]
    );
}

#[test]
fn log_5_names_the_missing_fields() {
    let stage = RestStage {
        name: "prod".into(),
        access_log: Some(AccessLog {
            destination_arn: Some("arn:aws:logs:x".into()),
            format: Some("$context.requestId $context.status".into()),
        }),
        ..RestStage::default()
    };
    let v = verdict("LOG-5", &rest_with_stage(stage));
    assert_eq!(v[0].state, ControlState::Absent);
    assert!(
        v[0].detail.contains("$context.identity.sourceIp"),
        "{}",
        v[0].detail
    );
}

#[test]
fn log_7_is_unknown_when_the_account_could_not_be_read() {
    let mut stage = RestStage {
        name: "prod".into(),
        ..RestStage::default()
    };
    stage.method_settings = BTreeMap::from([("*/*".into(), setting("ERROR"))]);
    let mut t = rest_with_stage(stage);
    assert_eq!(states("LOG-7", &t), vec![ControlState::Absent]);
    t.account_settings = None;
    assert_eq!(
        states("LOG-7", &t),
        vec![ControlState::Unknown],
        "a failed read is never a pass"
    );
}

#[test]
fn dp_11_and_dp_5_read_domains() {
    let mut t = target();
    t.domains.push(DomainName {
        name: "partner.example.com".into(),
        api: "v1".into(),
        security_policies: vec!["TLS_1_2".into()],
        mutual_tls: Some(MutualTls {
            truststore_uri: Some("s3://b/truststore.pem".into()),
            truststore_warnings: vec!["certificate expired".into()],
        }),
        ..DomainName::default()
    });
    assert_eq!(states("DP-11", &t), vec![ControlState::Absent]);
    assert_eq!(states("DP-5", &t), vec![ControlState::Present]);
}

#[test]
fn ac_15_flags_a_jwt_issuer_over_http_and_an_empty_audience() {
    let mut t = target();
    t.v2_apis.push(V2Api {
        id: "h1".into(),
        protocol: "HTTP".into(),
        authorizers: vec![Authorizer {
            id: "z".into(),
            name: "jwt".into(),
            authorizer_type: "JWT".into(),
            jwt_issuer: Some("http://issuer".into()),
            ..Authorizer::default()
        }],
        ..V2Api::default()
    });
    let v = verdict("AC-15", &t);
    assert_eq!(v[0].state, ControlState::Absent);
    assert!(v[0].detail.contains("not https") && v[0].detail.contains("audience"));
}

#[test]
fn ac_6_grants_to_other_accounts_are_not_public_but_classify_as_partner() {
    let mut t = target();
    t.rest_apis.push(RestApi {
        id: "p1".into(),
        endpoint_types: vec!["REGIONAL".into()],
        policy: Some(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"execute-api:Invoke","Resource":"*"}]}"#.into()),
        stages: vec![RestStage { name: "v1".into(), methods: vec![RestMethod { path: "/x".into(), http_method: "GET".into(), authorization_type: "AWS_IAM".into(), ..RestMethod::default() }], ..RestStage::default() }],
        ..RestApi::default()
    });
    assert_eq!(states("AC-6", &t), vec![ControlState::Present]);
    let endpoints = endpoints(&t);
    assert_eq!(
        endpoints[0].exposure_hint.exposure,
        crate::model::Exposure::Partner
    );
}

#[test]
fn the_catalogue_has_every_required_id_once() {
    let ids: Vec<&str> = catalogue().map(|c| c.id).collect();
    for id in [
        "LOG-1", "LOG-2", "LOG-3", "LOG-4", "LOG-5", "LOG-7", "LOG-8", "LOG-9", "LOG-10", "DP-1",
        "DP-3", "DP-5", "DP-8", "DP-9", "DP-10", "DP-11", "AC-1", "AC-2", "AC-3", "AC-4", "AC-5",
        "AC-6", "AC-7", "AC-8", "AC-9", "AC-11", "AC-12", "AC-13", "AC-14", "AC-15",
    ] {
        assert_eq!(ids.iter().filter(|i| **i == id).count(), 1, "{id}");
    }
    // Security Hub's controls are referenced where they exist.
    for (id, sh_id) in [
        ("LOG-1", "APIGateway.1"),
        ("DP-3", "APIGateway.2"),
        ("LOG-9", "APIGateway.3"),
        ("AC-9", "APIGateway.4"),
        ("DP-1", "APIGateway.5"),
        ("AC-2", "APIGateway.8"),
        ("LOG-4", "APIGateway.9"),
        ("DP-8", "APIGateway.10"),
        ("DP-5", "APIGateway.11"),
    ] {
        assert!(
            find(id).unwrap().references.iter().any(|r| r.id == sh_id),
            "{id} → {sh_id}"
        );
    }
}
