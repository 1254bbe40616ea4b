//! `apispm scan` end to end, on the demo estate and on broken copies of it.

use apispm_core::model::endpoint_id;
use apispm_e2e::{apispm, demo_copy, json, repo_root};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_apispm-under-test");

fn scan_json(dir: &std::path::Path, extra: &[&str]) -> (i32, Value, String) {
    let d = dir.to_str().unwrap();
    let mut args = vec!["scan", d, "--no-store", "--format", "json"];
    args.extend_from_slice(extra);
    let run = apispm(BIN, &args);
    (run.code, json(&run.stdout), run.stderr)
}

fn endpoint<'a>(posture: &'a Value, service: &str, method: &str, path: &str) -> &'a Value {
    let id = endpoint_id(service, method, path);
    posture["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no endpoint {service} {method} {path}"))
}

fn control_state<'a>(ep: &'a Value, control: &str) -> &'a str {
    ep["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == control)
        .and_then(|c| c["state"].as_str())
        .unwrap()
}

#[test]
fn the_demo_estate_posture() {
    let demo = demo_copy();
    let (code, p, stderr) = scan_json(demo.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(p["schema"], "apispm.posture/v1");
    assert_eq!(p["complete"], true);
    let s = &p["summary"];
    // 18 declared operations, 2 shadow endpoints from samples, 3 from access logs.
    assert_eq!(s["total_endpoints"], 23);
    assert_eq!(s["undocumented"], 5);
    assert_eq!(
        s["classification"],
        serde_json::json!({"external": 9, "internal": 2, "partner": 4, "shadow": 5, "deprecated": 3})
    );

    // Hardened, authenticated, rate limited, validated: the only term is the bearer token its
    // access log leaks (+5 for one sensitive type): 5 / 90 × 100 × 1.5 = 8.3.
    let list = endpoint(&p, "orders", "GET", "/v1/orders");
    assert_eq!(list["risk_score"], 8.3);
    assert_eq!(list["sensitive_data_types"], serde_json::json!(["jwt"]));
    assert_eq!(control_state(list, "authentication"), "present");

    // A legacy plaintext sample: TLS 20 + rate 15 + headers 10 + validation 15 = 60 of 90,
    // external × 1.5 → capped at 100.
    let me = endpoint(&p, "users", "GET", "/users/me");
    assert_eq!(control_state(me, "transport_encryption"), "absent");
    assert_eq!(me["risk_score"], 100.0);

    // Partner plaintext settlements: 60 / 90 × 130 = 86.7.
    let settlements = endpoint(&p, "payments", "GET", "/partner/v2/settlements");
    assert_eq!(settlements["classification"]["class"], "partner");
    assert_eq!(settlements["risk_score"], 86.7);
    assert_eq!(settlements["risk_band"], "critical");

    // Shadow traffic templated by segment type, classified with a reason.
    let debug = endpoint(&p, "orders", "GET", "/v1/orders/{id}/debug");
    assert_eq!(debug["classification"]["class"], "shadow");
    assert_eq!(debug["documented"], false);
    assert!(
        debug["classification"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("declared in no spec")
    );

    // Deprecated and still receiving traffic (a HAR sample; access logs): zombies, scored as
    // deprecated.
    let cancel = endpoint(&p, "orders", "DELETE", "/v1/orders/{orderId}");
    assert_eq!(cancel["classification"]["class"], "deprecated");
    assert_eq!(cancel["classification"]["lifecycle"], "zombie");
    assert_eq!(cancel["samples"], 1);
    let export_logged = endpoint(&p, "orders", "GET", "/v1/orders/export");
    assert_eq!(export_logged["classification"]["lifecycle"], "zombie");
    assert_eq!(export_logged["traffic"]["requests"], 2);
    assert!(
        export_logged["classification"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("last seen 2026-12-02")
    );
    let search = endpoint(&p, "users", "GET", "/users/search");
    assert_eq!(
        search["classification"]["lifecycle"], "zombie",
        "from the CLF log"
    );

    // Declared, and the service's logs show no traffic to it: orphan.
    let put = endpoint(&p, "orders", "PUT", "/v1/orders/{orderId}");
    assert_eq!(put["classification"]["lifecycle"], "orphan");

    // Shadow endpoints discovered in access logs, templated by segment type.
    let by_email = endpoint(&p, "orders", "GET", "/v1/customers/{id}/orders");
    assert_eq!(by_email["classification"]["lifecycle"], "shadow");
    assert_eq!(by_email["traffic"]["requests"], 2);
    assert_eq!(by_email["traffic"]["distinct_callers"], 1);
    // The access log records the authorizer principal: 2xx without one is evidence that
    // authentication is absent (the samples and the spec are silent here).
    let auth = by_email["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "authentication")
        .unwrap();
    assert_eq!(auth["state"], "absent");
    assert!(
        auth["evidence"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("no authorizer principal")
    );
    endpoint(&p, "orders", "POST", "/v1/legacy/orders-sync");

    // Traffic findings: PII in URLs, a token in a log field, a protected route answering without
    // a principal, sensitive data served unauthenticated.
    let traffic_finding = |control: &str, service: &str, method: &str, path: &str| {
        let id = endpoint_id(service, method, path);
        p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["control"] == control && f["endpoint_id"] == id.as_str())
    };
    assert!(traffic_finding(
        "DATA-1",
        "orders",
        "GET",
        "/v1/customers/{id}/orders"
    ));
    assert!(traffic_finding("DATA-2", "orders", "GET", "/v1/orders"));
    assert!(traffic_finding(
        "TRAFFIC-1",
        "orders",
        "GET",
        "/v1/orders/{orderId}"
    ));
    assert!(traffic_finding("DATA-3", "users", "POST", "/users/login"));
    // The malformed log line is counted and located; the rest of the object is read.
    assert_eq!(p["log_ingest"]["malformed_lines"], 1);
    assert_eq!(p["log_ingest"]["control_messages"], 1);
    assert_eq!(
        p["log_ingest"]["malformed_examples"][0]["location"],
        "envelope 3, event 6"
    );

    // x-internal operation and the estate's partner classification.
    assert_eq!(
        endpoint(&p, "orders", "GET", "/v1/admin/reports")["classification"]["exposure"],
        "internal"
    );
    assert_eq!(
        endpoint(&p, "payments", "POST", "/partner/v2/payments")["classification"]["exposure"],
        "partner"
    );

    // Sensitive data from schemas and from an observed URL (masked).
    let pay = endpoint(&p, "payments", "POST", "/partner/v2/payments");
    assert_eq!(
        pay["sensitive_data_types"],
        serde_json::json!(["card_number"])
    );
    let export = endpoint(&p, "users", "GET", "/users/internal/export-all");
    assert_eq!(export["sensitive_data_types"], serde_json::json!(["email"]));

    // Missing evidence is never secure: no sample and a silent spec is unknown.
    let export_csv = endpoint(&p, "orders", "GET", "/v1/orders/export");
    assert_eq!(control_state(export_csv, "rate_limiting"), "unknown");
    let f = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["control"] == "rate_limiting" && f["endpoint_id"] == export_csv["id"])
        .expect("an unverified finding");
    assert_eq!(f["verified"], false);

    // The dashboard metrics with their targets.
    let metric = |id: &str| {
        s["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(metric("shadow_apis")["value"], 5.0);
    assert_eq!(metric("discovery_coverage")["value"], 78.3);
    assert_eq!(metric("mean_time_to_remediate")["value"], Value::Null);
}

#[test]
fn json_output_matches_its_published_schema() {
    let demo = demo_copy();
    let (_, posture, _) = scan_json(demo.path(), &[]);
    let schema =
        json(&std::fs::read_to_string(repo_root().join("docs/posture.schema.json")).unwrap());
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&posture)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn no_secret_or_pii_from_traffic_reaches_any_output() {
    let demo = demo_copy();
    let d = demo.path().to_str().unwrap();
    for format in ["json", "table", "markdown"] {
        let run = apispm(BIN, &["scan", d, "--no-store", "--format", format]);
        for secret in [
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9",
            "pk_live_demo",
            "jane.doe@example.com",
            "legacy-mobile-token",
        ] {
            assert!(
                !run.stdout.contains(secret),
                "{format} output leaks {secret}"
            );
        }
    }
    let (_, p, _) = scan_json(demo.path(), &[]);
    let export = endpoint(&p, "users", "GET", "/users/internal/export-all");
    let masked = export["sensitive_data"][0]["masked"].as_str().unwrap();
    assert!(
        masked.starts_with('*') && masked.len() < "jane.doe@example.com".len() + 4,
        "{masked}"
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    let demo = demo_copy();
    let d = demo.path().to_str().unwrap();
    let run = apispm(BIN, &["scan", d, "--no-store", "--fail-on", "critical"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("policy violation"), "{}", run.stderr);
    // A policy set that the demo satisfies: exit 0 even with --fail-on low.
    let lenient = demo.path().join("lenient.yaml");
    std::fs::write(&lenient, "policies:\n  - name: tls-on-internal\n    severity: low\n    condition: \"exposure == 'nobody'\"\n    required_controls: [transport_encryption]\n").unwrap();
    let run = apispm(
        BIN,
        &[
            "scan",
            d,
            "--no-store",
            "--policies",
            lenient.to_str().unwrap(),
            "--fail-on",
            "low",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn policy_file_errors_name_the_file_and_line() {
    let demo = demo_copy();
    let d = demo.path().to_str().unwrap();
    let bad = demo.path().join("bad-policies.yaml");
    std::fs::write(
        &bad,
        "policies:\n  - name: a\n    severity: high\n    condition: \"exposure ==\"\n    required_controls: [authentication]\n",
    )
    .unwrap();
    let run = apispm(
        BIN,
        &["scan", d, "--no-store", "--policies", bad.to_str().unwrap()],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad-policies.yaml:4"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no posture on a usage error");

    std::fs::write(&bad, "policies:\n  - name: a\n    severity: high\n    required_controls: [authentication, mfa]\n").unwrap();
    let run = apispm(
        BIN,
        &["scan", d, "--no-store", "--policies", bad.to_str().unwrap()],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("bad-policies.yaml:4") && run.stderr.contains("unknown control `mfa`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_malformed_spec_is_reported_and_the_rest_is_assessed() {
    let demo = demo_copy();
    std::fs::write(
        demo.path().join("specs/broken.yaml"),
        "openapi: 3.0.0\npaths:\n  /x: [\n",
    )
    .unwrap();
    std::fs::write(
        demo.path().join("specs/notes.json"),
        "{\"hello\": \"world\"}",
    )
    .unwrap();
    let (code, p, stderr) = scan_json(demo.path(), &[]);
    assert_eq!(code, 2, "input errors exit 2");
    assert_eq!(p["complete"], false);
    assert_eq!(
        p["summary"]["total_endpoints"], 23,
        "the rest of the estate is still assessed"
    );
    let issues = p["input_issues"].as_array().unwrap();
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0]["input"], "specs/broken.yaml");
    assert!(
        issues[0]["location"].as_str().unwrap().starts_with("line "),
        "{}",
        issues[0]
    );
    assert_eq!(issues[1]["input"], "specs/notes.json");
    assert!(
        issues[1]["message"]
            .as_str()
            .unwrap()
            .contains("not an OpenAPI document")
    );
    assert!(stderr.contains("specs/broken.yaml"), "{stderr}");
}

#[test]
fn hostile_paths_from_traffic_are_escaped() {
    let demo = demo_copy();
    std::fs::write(
        demo.path().join("samples/hostile.json"),
        r#"{"method":"GET","path":"/<script>alert(1)</script>","service":"orders","scheme":"https","request_headers":{}}"#,
    )
    .unwrap();
    let d = demo.path().to_str().unwrap();
    let md = apispm(BIN, &["scan", d, "--no-store", "--format", "markdown"]);
    assert!(!md.stdout.contains("<script>"), "markdown must escape HTML");
    assert!(
        md.stdout.contains("&lt;script&gt;"),
        "the path is still shown, as text"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(apispm(BIN, &["scan"]).code, 2);
    assert_eq!(
        apispm(BIN, &["scan", "/no/such/estate", "--no-store"]).code,
        2
    );
    let run = apispm(BIN, &["scan", ".", "--format", "pdf"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pdf"));
}

#[test]
fn the_control_catalogue_in_the_docs_is_current() {
    let run = apispm(BIN, &["controls"]);
    let docs = std::fs::read_to_string(repo_root().join("docs/controls.md")).unwrap();
    assert_eq!(
        docs, run.stdout,
        "regenerate with: cargo run -p apispm -- controls > docs/controls.md"
    );
}

#[test]
fn audit_is_a_ci_step_with_located_findings_and_exit_codes() {
    let demo = demo_copy();
    let spec = demo.path().join("specs/users.yaml");
    let s = spec.to_str().unwrap();
    let run = apispm(BIN, &["audit", s]);
    assert_eq!(run.code, 0, "no --fail-on: findings do not fail the step");
    // One line per finding, with file:line:column, severity, rule, pointer.
    let first = run.stdout.lines().next().unwrap();
    assert!(
        first.contains("users.yaml:") && first.contains("SPEC-"),
        "{first}"
    );
    assert!(
        run.stdout.contains("score"),
        "each document's score is printed"
    );
    assert_eq!(
        apispm(BIN, &["audit", s, "--fail-on", "critical"]).code,
        1,
        "POST /login has `security: []`"
    );
    let sarif = json(&apispm(BIN, &["audit", s, "--format", "sarif"]).stdout);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            > 0
    );
    let broken = demo.path().join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.0\npaths: [\n").unwrap();
    let run = apispm(
        BIN,
        &["audit", broken.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(run.code, 2, "an invalid document is an input error");
    assert!(
        json(&run.stdout)[0]["score"]["unscored_reason"]
            .as_str()
            .unwrap()
            .contains("line")
    );
}
