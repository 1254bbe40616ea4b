//! History in DynamoDB (moto): the same item layout as SQLite, batched writes, the latest posture
//! and history read back by Query, a fix resolved with its time to remediate, re-runs idempotent.

use apispm_core::model::short_hash;
use apispm_core::posture::FindingStatus;
use apispm_core::store::Store;
use apispm_e2e::{Moto, demo_copy, json};
use serde_json::Value;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_apispm-under-test");

fn run(moto: &Moto, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("the CLI runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scan(moto: &Moto, dir: &std::path::Path, at: &str) -> Value {
    let (code, out, err) = run(
        moto,
        &[
            "scan",
            dir.to_str().unwrap(),
            "--table",
            "apispm",
            "--format",
            "json",
            "--at",
            at,
        ],
    );
    assert_eq!(code, 0, "{err}");
    json(&out)
}

#[test]
fn history_round_trips_through_dynamodb() {
    let moto = Moto::start();
    moto.seed_with("create_table.py", &["apispm"]);
    let demo = demo_copy();
    let first = scan(&moto, demo.path(), "2026-11-01T08:00:00Z");
    // The same sweeps into SQLite, to compare the access patterns below.
    let patterns = tempfile::tempdir().unwrap();
    let sqlite_path = patterns.path().join("patterns.db");
    let sqlite_scan = |at: &str| {
        let (code, _, err) = run(
            &moto,
            &[
                "scan",
                demo.path().to_str().unwrap(),
                "--store",
                sqlite_path.to_str().unwrap(),
                "--at",
                at,
            ],
        );
        assert_eq!(code, 0, "{err}");
    };
    sqlite_scan("2026-11-01T08:00:00Z");
    // Over 25 items per sweep: the batches were split (moto would accept one big batch; the
    // limit is ours and unit-tested in shared/aws/src/dynamo.rs).
    assert!(
        first["endpoints"].as_array().unwrap().len() + first["findings"].as_array().unwrap().len()
            > 25
    );
    // Re-running the same sweep writes the same items.
    assert_eq!(scan(&moto, demo.path(), "2026-11-01T08:00:00Z"), first);

    // Fix the legacy plaintext sample, sweep again two and a half days later.
    let path = demo.path().join("samples/gateway-samples.json");
    let mut samples: Value = json(&std::fs::read_to_string(&path).unwrap());
    for s in samples.as_array_mut().unwrap() {
        if s["path"] == "/users/me" {
            s["scheme"] = "https".into();
        }
    }
    std::fs::write(&path, samples.to_string()).unwrap();
    let second = scan(&moto, demo.path(), "2026-11-03T20:00:00Z");
    sqlite_scan("2026-11-03T20:00:00Z");
    let id = short_hash("transport_encryption|users:GET:/users/me");
    let f = second["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id.as_str())
        .unwrap();
    assert_eq!(f["status"], "resolved");
    assert_eq!(f["first_seen"], "2026-11-01T08:00:00Z");
    let mttr = second["summary"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "mean_time_to_remediate")
        .unwrap();
    assert_eq!(mttr["value"], 2.5);

    // The access patterns the keys are designed for, each one Query after the LATEST pointer,
    // the same in DynamoDB and in SQLite.
    // SAFETY: this binary's only test, before anything reads the environment; the SDK reads
    // credentials, region and endpoint from it, as it does in Lambda.
    unsafe { moto.export_env() };
    let dynamo = apispm_aws::DynamoStore::open("apispm").unwrap();
    let sqlite = apispm_local::SqliteStore::open(&sqlite_path).unwrap();
    for store in [&dynamo as &dyn Store, &sqlite as &dyn Store] {
        let latest = store.latest().unwrap().unwrap();
        let open = store.open_findings().unwrap();
        let expected: Vec<_> = latest
            .findings
            .iter()
            .filter(|f| f.status == FindingStatus::Open)
            .cloned()
            .collect();
        assert!(!open.is_empty() && open.len() < latest.findings.len());
        let mut open_ids: Vec<_> = open.iter().map(|f| f.id.clone()).collect();
        let mut expected_ids: Vec<_> = expected.iter().map(|f| f.id.clone()).collect();
        open_ids.sort();
        expected_ids.sort();
        assert_eq!(open_ids, expected_ids, "the open findings, and only them");
        assert!(!open_ids.contains(&id), "the resolved finding is not open");

        let orders = store.service_endpoints("orders").unwrap();
        let expected = latest
            .endpoints
            .iter()
            .filter(|e| e.service == "orders")
            .count();
        assert!(expected > 0 && expected < latest.endpoints.len());
        assert_eq!(orders.len(), expected);
        assert!(orders.iter().all(|e| e.service == "orders"));
    }

    // The report reads the latest posture back from the table.
    let (code, out, err) = run(&moto, &["report", "--table", "apispm", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out), second);
}
