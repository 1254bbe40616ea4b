//! The sweep fanned out over SQS, against moto: the scheduled event sends one message per unit
//! (three regions, one of which cannot be read, plus the specs and logs in S3); the queued
//! messages are fed back to the function as SQS batches, with a malformed one among them; the
//! last unit closes the sweep, the posture lands in DynamoDB and the reports bucket. Then one
//! misconfiguration is fixed and an inline sweep resolves it, with drift and time to remediate.

use apispm_aws::DynamoStore;
use apispm_core::posture::FindingStatus;
use apispm_core::store::Store;
use apispm_e2e::Moto;
use apispm_sweep_fn::{Config, dispatch, handle};
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use serde_json::{Value, json};

fn scheduled(time: &str) -> EventBridgeEvent<Value> {
    let mut event: EventBridgeEvent<Value> =
        serde_json::from_str(include_str!("../events/scheduled.json"))
            .expect("a real scheduled-event payload");
    event.time = Some(time.parse().unwrap());
    event
}

/// Messages as Lambda's SQS event source hands them over (`Records`, camelCase attributes).
async fn receive(sqs: &aws_sdk_sqs::Client, queue: &str) -> Vec<Value> {
    let out = sqs
        .receive_message()
        .queue_url(queue)
        .max_number_of_messages(10)
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    out.messages()
        .iter()
        .map(|m| {
            let attributes: serde_json::Map<String, Value> = m
                .attributes()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.as_str().to_string(), json!(v)))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:apispm-units",
                "awsRegion": "us-east-1",
            })
        })
        .collect()
}

fn failures(response: &Value) -> Vec<String> {
    response["batchItemFailures"]
        .as_array()
        .expect("an SQS batch response")
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap().to_string())
        .collect()
}

async fn latest() -> Option<apispm_core::posture::Posture> {
    tokio::task::spawn_blocking(|| DynamoStore::open("apispm").unwrap().latest().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fanned_out_sweep_closes_once_with_its_failing_target_marked_stale() {
    let moto = Moto::start();
    let estate = moto.seed("seed_estate.py");
    let rest_good = estate["us-east-1"]["rest_good"].as_str().unwrap();
    let rest_bad = estate["us-east-1"]["rest_bad"]
        .as_str()
        .unwrap()
        .to_string();
    moto.seed_with("seed_traffic.py", &[rest_good]);
    moto.seed_with("create_table.py", &["apispm"]);
    let resources = moto.seed("create_sweep_resources.py");
    let queue = resources["queue_url"].as_str().unwrap().to_string();
    // SAFETY: this binary's only test, before anything reads the environment; the SDK reads
    // credentials, region and endpoint from it, as it does in Lambda.
    unsafe { moto.export_env() };
    let vars = |queue: Option<String>| {
        let endpoint = moto.endpoint.clone();
        move |k: &str| match k {
            "APISPM_TABLE" => Some("apispm".into()),
            // mars-east-1 is no region: API Gateway answers every call there with an error, as
            // AWS does for a region the account has not enabled.
            "APISPM_REGIONS" => Some("us-east-1,eu-west-1,mars-east-1".into()),
            "APISPM_SPECS" => Some("s3://apispm-specs/specs/".into()),
            "APISPM_LOGS" => Some("s3://apispm-logs/logs/".into()),
            "APISPM_REPORTS_BUCKET" => Some("apispm-reports".into()),
            "APISPM_QUEUE_URL" => queue.clone(),
            "APISPM_MAX_ATTEMPTS" => Some("2".into()),
            "AWS_ENDPOINT_URL" => Some(endpoint.clone()),
            _ => None,
        }
    };
    let config = Config::from_vars(vars(Some(queue.clone()))).unwrap();
    let sqs = aws_sdk_sqs::Client::new(
        &aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await,
    );

    // The queue cannot be reached: an error naming it, and the slot is left to the retry.
    let broken = Config::from_vars(vars(Some(format!(
        "{}/123456789012/no-such-queue",
        moto.endpoint
    ))))
    .unwrap();
    let err = handle(scheduled("2026-12-01T06:00:00Z"), &broken)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("no-such-queue"), "{err}");

    // The schedule fires (twice: EventBridge delivers at least once).
    let outcome = handle(scheduled("2026-12-01T06:00:00Z"), &config)
        .await
        .unwrap();
    assert_eq!(
        outcome.fanned_out,
        Some(4),
        "three regions and the S3 sources"
    );
    assert!(
        !outcome.stored,
        "the posture comes when the last unit is done"
    );
    let again = handle(scheduled("2026-12-01T06:00:00Z"), &config)
        .await
        .unwrap();
    assert!(again.already_running && again.fanned_out.is_none());
    assert_eq!(again.sweep_id, outcome.sweep_id);

    let mut messages = receive(&sqs, &queue).await;
    assert_eq!(messages.len(), 4, "one message per unit, sent once");
    let last = messages.split_off(2);

    // First batch: two units and a message that is not ours.
    let mut batch = messages.clone();
    batch.push(
        json!({ "messageId": "not-a-unit", "body": "{\"sweep\": 1", "eventSource": "aws:sqs" }),
    );
    let response = dispatch(json!({ "Records": batch }), &config)
        .await
        .unwrap();
    assert_eq!(
        failures(&response),
        vec!["not-a-unit"],
        "only the malformed message is retried"
    );
    assert!(
        latest().await.is_none(),
        "two of four units: the sweep is still open"
    );

    // Second batch: the last units close the sweep.
    let response = dispatch(json!({ "Records": last }), &config).await.unwrap();
    assert!(failures(&response).is_empty(), "{response}");
    let posture = latest().await.expect("the last unit closed the sweep");
    assert_eq!(posture.sweep_id, outcome.sweep_id);
    assert_eq!(
        posture.generated_at.to_rfc3339(),
        "2026-12-01T06:00:00+00:00"
    );
    for region in ["us-east-1", "eu-west-1"] {
        assert!(
            posture.resources.iter().any(|r| r.region == region),
            "{region} was swept"
        );
    }
    assert!(
        posture.findings.iter().any(|f| f.control == "AC-6"),
        "the public resource policy is found"
    );
    assert!(
        posture.endpoints.iter().any(|e| e.traffic.is_some())
            && posture.endpoints.iter().any(|e| !e.declared_in.is_empty()),
        "the access logs and specs (the sources unit) were merged in"
    );
    assert!(
        !posture.complete,
        "the failing region makes the posture incomplete"
    );
    let stale: Vec<(&str, &str)> = posture
        .stale_targets
        .iter()
        .map(|t| (t.account.as_str(), t.region.as_str()))
        .collect();
    assert_eq!(stale, vec![("123456789012", "mars-east-1")]);

    // A redelivered message after the close closes nothing again.
    let response = dispatch(json!({ "Records": [last[0].clone()] }), &config)
        .await
        .unwrap();
    assert!(failures(&response).is_empty());
    let history =
        tokio::task::spawn_blocking(|| DynamoStore::open("apispm").unwrap().history().unwrap())
            .await
            .unwrap();
    assert_eq!(history.len(), 1, "one sweep, recorded once");

    // The reports bucket has the latest posture, as a document and as a page.
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(
            &aws_config::defaults(aws_config::BehaviorVersion::latest())
                .load()
                .await,
        )
        .force_path_style(true)
        .build(),
    );
    let object = |key: &'static str| {
        let s3 = s3.clone();
        async move {
            let out = s3
                .get_object()
                .bucket("apispm-reports")
                .key(key)
                .send()
                .await
                .unwrap_or_else(|e| panic!("s3://apispm-reports/{key}: {e}"));
            String::from_utf8(out.body.collect().await.unwrap().to_vec()).unwrap()
        }
    };
    let document: Value = serde_json::from_str(&object("latest.json").await).unwrap();
    assert_eq!(document["sweep_id"], outcome.sweep_id.as_str());
    assert_eq!(document["schema"], "apispm.posture/v1");
    assert!(object("latest.html").await.contains("<html"));

    // Fix one misconfiguration; the next sweep (inline: no queue) resolves it a day later,
    // although mars-east-1 still cannot be read: us-east-1 was read in full.
    let dp1_open = posture
        .findings
        .iter()
        .find(|f| {
            f.control == "DP-1" && f.resource.contains(&rest_bad) && f.status == FindingStatus::Open
        })
        .expect("the unencrypted cache is found")
        .id
        .clone();
    moto.seed_with("fix_cache_encryption.py", &[&rest_bad]);
    let inline = Config::from_vars(vars(None)).unwrap();
    let next = handle(scheduled("2026-12-02T06:00:00Z"), &inline)
        .await
        .unwrap();
    assert!(next.stored && next.fanned_out.is_none() && !next.complete);
    let posture = latest().await.unwrap();
    let fixed = posture
        .findings
        .iter()
        .find(|f| f.id == dp1_open)
        .expect("the fixed finding is kept, resolved");
    assert_eq!(fixed.status, FindingStatus::Resolved);
    assert_eq!(fixed.first_seen.to_rfc3339(), "2026-12-01T06:00:00+00:00");
    let drift = posture
        .drift
        .as_ref()
        .expect("drift against the fan-out sweep");
    assert_eq!(drift.previous_sweep, outcome.sweep_id);
    assert!(drift.resolved_findings.contains(&dp1_open));
    let mttr = posture
        .summary
        .metrics
        .iter()
        .find(|m| m.id == "mean_time_to_remediate")
        .and_then(|m| m.value);
    assert_eq!(mttr, Some(1.0), "fixed one day after it was first seen");

    // A unit whose result is lost (its last delivery could not store it, so it was counted done
    // without a part): the sweep still closes, and that region is stale with its last good read.
    let eu_resources = posture
        .resources
        .iter()
        .filter(|r| r.region == "eu-west-1")
        .count();
    assert!(eu_resources > 0);
    let third = handle(scheduled("2026-12-03T06:00:00Z"), &config)
        .await
        .unwrap();
    assert_eq!(third.fanned_out, Some(4));
    let messages = receive(&sqs, &queue).await;
    assert_eq!(messages.len(), 4);
    let is_eu = |m: &Value| m["body"].as_str().unwrap().contains("\"eu-west-1\"");
    let ledger = apispm_aws::fanout::Ledger::new(
        &aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await,
        "apispm",
    );
    let lost = apispm_aws::Unit::Target {
        account: None,
        region: "eu-west-1".into(),
    };
    let progress = ledger.finish(&third.sweep_id, &lost).await.unwrap();
    assert_eq!((progress.done, progress.expected), (1, 4));
    let rest: Vec<Value> = messages.into_iter().filter(|m| !is_eu(m)).collect();
    assert_eq!(rest.len(), 3);
    let response = dispatch(json!({ "Records": rest }), &config).await.unwrap();
    assert!(failures(&response).is_empty(), "{response}");
    let posture = latest().await.unwrap();
    assert_eq!(posture.sweep_id, third.sweep_id, "the sweep closed");
    let eu = posture
        .stale_targets
        .iter()
        .find(|t| t.region == "eu-west-1")
        .expect("the lost region is stale");
    assert_eq!(eu.account, "123456789012", "the account read before there");
    assert!(eu.reason.contains("result was lost"), "{}", eu.reason);
    assert_eq!(
        eu.last_good_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-12-02T06:00:00+00:00")
    );
    assert_eq!(
        posture
            .resources
            .iter()
            .filter(|r| r.region == "eu-west-1")
            .count(),
        eu_resources,
        "its last good resources are carried over"
    );
}
