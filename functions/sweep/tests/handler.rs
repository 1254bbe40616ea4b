//! The sweep handler as a function, with a real scheduled-event payload, against moto: the
//! posture lands in DynamoDB; a dry run stores nothing.

use apispm_aws::DynamoStore;
use apispm_core::store::Store;
use apispm_e2e::Moto;
use apispm_sweep_fn::{Config, handle};
use aws_lambda_events::event::eventbridge::EventBridgeEvent;

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_event_records_the_sweep_in_dynamodb() {
    let moto = Moto::start();
    moto.seed("seed_estate.py");
    moto.seed_with("create_table.py", &["apispm"]);
    // SAFETY: this binary's only test, before anything reads the environment; the SDK reads
    // credentials, region and endpoint from it, as it does in Lambda.
    unsafe { moto.export_env() };
    let config = Config::from_vars(|k| match k {
        "APISPM_TABLE" => Some("apispm".into()),
        "APISPM_REGIONS" => Some("us-east-1,eu-west-1".into()),
        "AWS_ENDPOINT_URL" => Some(moto.endpoint.clone()),
        _ => None,
    })
    .unwrap();
    let event: EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(include_str!("../events/scheduled.json"))
            .expect("a real scheduled-event payload");

    let mut dry = event.clone();
    dry.detail = serde_json::json!({ "dry_run": true, "regions": ["us-east-1"] });
    let outcome = handle(dry, &config).await.unwrap();
    assert!(!outcome.stored && outcome.endpoints > 0);
    let latest =
        tokio::task::spawn_blocking(|| DynamoStore::open("apispm").unwrap().latest().unwrap())
            .await
            .unwrap();
    assert!(latest.is_none(), "a dry run stores nothing");

    let outcome = handle(event.clone(), &config).await.unwrap();
    assert!(outcome.stored && outcome.complete);
    let stored =
        tokio::task::spawn_blocking(|| DynamoStore::open("apispm").unwrap().latest().unwrap())
            .await
            .unwrap()
            .expect("a stored posture");
    assert_eq!(stored.sweep_id, outcome.sweep_id);
    assert!(
        stored.findings.iter().any(|f| f.control == "AC-6"),
        "the public resource policy is found"
    );
    assert!(
        stored.resources.iter().any(|r| r.region == "eu-west-1"),
        "both regions were swept"
    );

    // Policies from S3, read at every sweep; a broken file is an error naming it and the line.
    moto.seed("put_policies.py");
    let with = |key: &'static str| {
        let endpoint = moto.endpoint.clone();
        Config::from_vars(move |k| match k {
            "APISPM_TABLE" => Some("apispm".into()),
            "APISPM_REGIONS" => Some("us-east-1".into()),
            "APISPM_POLICIES" => Some(format!("s3://apispm-config/{key}")),
            "AWS_ENDPOINT_URL" => Some(endpoint.clone()),
            _ => None,
        })
        .unwrap()
    };
    let mut dry = event.clone();
    dry.detail = serde_json::json!({ "dry_run": true });
    let mut later = event.clone();
    later.time = Some("2026-12-01T12:00:00Z".parse().unwrap());
    handle(later, &with("policies.yaml")).await.unwrap();
    let stored =
        tokio::task::spawn_blocking(|| DynamoStore::open("apispm").unwrap().latest().unwrap())
            .await
            .unwrap()
            .unwrap();
    let names: Vec<&str> = stored.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["owned-apis"],
        "the S3 policy file, not the bundled one"
    );
    let err = handle(dry.clone(), &with("broken.yaml"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("s3://apispm-config/broken.yaml:6") && err.contains("authentikation"),
        "{err}"
    );
    let err = handle(dry, &with("missing.yaml"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("reading policies s3://apispm-config/missing.yaml"),
        "{err}"
    );
    assert!(
        Config::from_vars(|k| match k {
            "APISPM_TABLE" => Some("t".into()),
            "APISPM_REGIONS" => Some("us-east-1".into()),
            "APISPM_POLICIES" => Some("s3://apispm-config/".into()),
            _ => None,
        })
        .unwrap_err()
        .contains("APISPM_POLICIES")
    );

    let mut bad = serde_json::from_str::<EventBridgeEvent<serde_json::Value>>(include_str!(
        "../events/scheduled.json"
    ))
    .unwrap();
    bad.detail = serde_json::json!({ "regoins": ["x"] });
    let err = handle(bad, &config).await.unwrap_err().to_string();
    assert!(
        err.contains("regoins"),
        "an unknown override is an error a person can act on: {err}"
    );
}
