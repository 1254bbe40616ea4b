//! Declared specs and access logs from S3 (moto): the manifest ties the spec to the deployed
//! API; logs in every layout are read, attributed to the stage, and turned into shadow, zombie
//! and orphan endpoints, traffic facts and sensitive-data findings; a broken object is reported
//! and survived; the second sweep reads only new objects.

use apispm_e2e::{Moto, apispm_aws, json};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_apispm-under-test");

fn sweep(moto: &Moto, store: &std::path::Path) -> (i32, Value, String) {
    let run = apispm_aws(
        BIN,
        &[
            "sweep",
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            "us-east-1",
            "--specs",
            "s3://apispm-specs/specs/",
            "--logs",
            "s3://apispm-logs/logs/",
            "--store",
            store.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    (run.code, json(&run.stdout), run.stderr)
}

fn endpoint<'a>(p: &'a Value, api: &str, method: &str, path: &str) -> &'a Value {
    p["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["service"].as_str().unwrap().contains(api)
                && e["method"] == method
                && e["path"] == path
        })
        .unwrap_or_else(|| panic!("no endpoint {method} {path} on {api}"))
}

#[test]
fn specs_and_logs_from_s3_give_shadow_zombie_orphan_and_traffic() {
    let moto = Moto::start();
    let m = moto.seed("seed_estate.py");
    let api = m["us-east-1"]["rest_good"].as_str().unwrap().to_string();
    moto.seed_with("seed_traffic.py", &[&api]);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("apispm.db");

    let (code, p, stderr) = sweep(&moto, &store);
    // The truncated object is an input error: reported, the rest assessed.
    assert_eq!(code, 2, "{stderr}");
    let issues = p["input_issues"].as_array().unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i["input"].as_str().unwrap().ends_with("/truncated")),
        "{issues:#?}"
    );

    // The manifest tied the spec to the deployed API, and the posture says so.
    let tied = &p["spec_scores"][0]["tied_apis"];
    assert_eq!(tied, &serde_json::json!([api]), "{}", p["spec_scores"]);

    // Deployed GET /orders is declared deprecated in the tied spec and receives traffic: zombie.
    let get = endpoint(&p, &api, "GET", "/orders");
    assert_eq!(
        get["classification"]["lifecycle"], "zombie",
        "{:#?}",
        get["classification"]
    );
    assert_eq!(get["documented"], true);
    assert_eq!(
        get["owner"], "team-orders",
        "the API's apispm:owner tag wins over the manifest"
    );
    assert!(get["traffic"]["requests"].as_u64().unwrap() >= 2);
    assert_eq!(get["traffic"]["distinct_callers"], 2);

    // Declared, not deployed, no traffic: orphan.
    let post = p["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["service"] == "orders" && e["method"] == "POST")
        .unwrap();
    assert_eq!(
        post["classification"]["lifecycle"], "orphan",
        "{:#?}",
        post["classification"]
    );

    // Traffic to a path no spec declares and no route serves: shadow, on the stage the log
    // group names.
    let debug = endpoint(&p, &api, "GET", "/internal/debug");
    assert_eq!(debug["classification"]["lifecycle"], "shadow");

    // The raw-lines object under <api-id>/prod/ is tied by its key; the email in its URL is a
    // finding with a masked form only.
    let customers = endpoint(&p, &api, "GET", "/customers/{id}");
    assert_eq!(
        customers["sensitive_data_types"],
        serde_json::json!(["email"])
    );
    assert!(!p.to_string().contains("jane@example.com"));
    assert!(
        p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["control"] == "DATA-1" && f["endpoint_id"] == customers["id"])
    );

    // Ingest accounting: three objects, one control message, one malformed line.
    let ingest = &p["log_ingest"];
    assert_eq!(ingest["objects"], 3);
    assert_eq!(ingest["control_messages"], 1);
    assert_eq!(ingest["malformed_lines"], 1);
    assert_eq!(ingest["unreadable_objects"], 1);

    // The next sweep reads only objects newer than the checkpoint: none.
    let (_, again, _) = sweep(&moto, &store);
    assert_eq!(again["log_ingest"]["objects"], 0, "{}", again["log_ingest"]);
}
