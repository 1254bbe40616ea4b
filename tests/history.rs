//! History in the embedded store: a second scan after a fix shows the finding resolved, the
//! drift, and the mean time to remediate; a failed read never looks like a fix.

use apispm_core::model::short_hash;
use apispm_e2e::{apispm, demo_copy, json};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_apispm-under-test");

fn scan_at(dir: &std::path::Path, store: &std::path::Path, at: &str) -> (i32, Value) {
    let run = apispm(
        BIN,
        &[
            "scan",
            dir.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
            "--format",
            "json",
            "--at",
            at,
        ],
    );
    (run.code, json(&run.stdout))
}

fn finding<'a>(p: &'a Value, id: &str) -> &'a Value {
    p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

/// The legacy mobile sample of GET /users/me goes over plain HTTP; fixing it is moving to HTTPS.
fn fix_legacy_sample(dir: &std::path::Path) {
    let path = dir.join("samples/gateway-samples.json");
    let mut samples: Value = json(&std::fs::read_to_string(&path).unwrap());
    for s in samples.as_array_mut().unwrap() {
        if s["path"] == "/users/me" {
            s["scheme"] = "https".into();
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&samples).unwrap()).unwrap();
}

#[test]
fn a_fix_resolves_the_finding_and_gives_a_time_to_remediate() {
    let demo = demo_copy();
    let store = demo.path().join("history.db");
    let tls_on_me = short_hash("transport_encryption|users:GET:/users/me");

    let (_, first) = scan_at(demo.path(), &store, "2026-11-01T08:00:00Z");
    let f = finding(&first, &tls_on_me);
    assert_eq!(f["status"], "open");
    assert_eq!(f["first_seen"], "2026-11-01T08:00:00Z");
    assert!(first.get("drift").is_none(), "no previous sweep");

    fix_legacy_sample(demo.path());
    let (_, second) = scan_at(demo.path(), &store, "2026-11-03T20:00:00Z");
    let f = finding(&second, &tls_on_me);
    assert_eq!(f["status"], "resolved");
    assert_eq!(f["first_seen"], "2026-11-01T08:00:00Z");
    assert_eq!(f["resolved_at"], "2026-11-03T20:00:00Z");

    // Findings that stayed open keep their first_seen.
    let auth_on_reset = short_hash("authentication|users:POST:/users/password-reset");
    assert_eq!(
        finding(&second, &auth_on_reset)["first_seen"],
        "2026-11-01T08:00:00Z"
    );

    let drift = &second["drift"];
    assert!(
        drift["resolved_findings"]
            .as_array()
            .unwrap()
            .contains(&Value::from(tls_on_me.clone()))
    );
    assert_eq!(drift["new_endpoints"], serde_json::json!([]));
    let me_id = apispm_core::model::endpoint_id("users", "GET", "/users/me");
    assert!(
        drift["changed_endpoints"][&me_id].is_array(),
        "GET /users/me's risk changed"
    );

    // Every finding resolved in this sweep was open 2.5 days: that is the mean time to remediate.
    let mttr = second["summary"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "mean_time_to_remediate")
        .unwrap();
    assert_eq!(mttr["value"], 2.5);
    assert_eq!(mttr["met"], true);

    // The stored latest posture is the second sweep, readable by `apispm report`.
    let report = apispm(
        BIN,
        &[
            "report",
            "--store",
            store.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert_eq!(json(&report.stdout), second);
}

#[test]
fn rerunning_a_sweep_is_idempotent() {
    let demo = demo_copy();
    let store = demo.path().join("history.db");
    let (_, a) = scan_at(demo.path(), &store, "2026-11-01T08:00:00Z");
    let (_, b) = scan_at(demo.path(), &store, "2026-11-01T08:00:00Z");
    assert_eq!(a, b);
}

#[test]
fn an_unreadable_input_never_resolves_findings() {
    let demo = demo_copy();
    let store = demo.path().join("history.db");
    let tls_on_settlements =
        short_hash("transport_encryption|payments:GET:/partner/v2/settlements");
    let (_, first) = scan_at(demo.path(), &store, "2026-11-01T08:00:00Z");
    assert_eq!(finding(&first, &tls_on_settlements)["status"], "open");

    // The payments spec and samples become unreadable: their endpoints vanish from this sweep.
    std::fs::write(demo.path().join("specs/payments.json"), "{ truncated").unwrap();
    std::fs::write(demo.path().join("samples/gateway-samples.json"), "[{").unwrap();
    let (code, second) = scan_at(demo.path(), &store, "2026-11-02T08:00:00Z");
    assert_eq!(code, 2);
    assert_eq!(second["complete"], false);
    let f = finding(&second, &tls_on_settlements);
    assert_eq!(f["status"], "open", "a failed read is not a fix");
    assert!(f.get("resolved_at").is_none());
    assert_eq!(second["drift"]["resolved_findings"], serde_json::json!([]));
}

/// Remove GET /admin/reports from orders.yaml (its traffic goes on).
fn remove_admin_reports(dir: &std::path::Path) {
    let path = dir.join("specs/orders.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find("  /admin/reports:")
        .expect("the demo declares it");
    let end = text.find("components:").unwrap();
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();
}

fn endpoint<'a>(p: &'a Value, method: &str, path: &str) -> &'a Value {
    p["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["method"] == method && e["path"] == path)
        .unwrap_or_else(|| panic!("no endpoint {method} {path}"))
}

#[test]
fn a_route_removed_from_the_spec_that_still_gets_traffic_is_a_zombie() {
    let demo = demo_copy();
    let store = demo.path().join("history.db");
    let (_, first) = scan_at(demo.path(), &store, "2026-11-01T08:00:00Z");
    let before = endpoint(&first, "GET", "/v1/admin/reports");
    assert_eq!(before["classification"]["lifecycle"], "managed");

    remove_admin_reports(demo.path());
    let (_, second) = scan_at(demo.path(), &store, "2026-11-02T08:00:00Z");
    let after = endpoint(&second, "GET", "/v1/admin/reports");
    assert_eq!(after["classification"]["lifecycle"], "zombie", "{after}");
    let reason = after["classification"]["reasons"][0].as_str().unwrap();
    assert!(
        reason.contains("removed from the declared spec")
            && reason.contains("specs/orders.yaml#/paths/~1admin~1reports/get")
            && reason.contains("2026-11-01 08:00 UTC"),
        "{reason}"
    );
    assert_eq!(
        after["removed_from_spec"]["last_declared_at"],
        "2026-11-01T08:00:00Z"
    );

    // Remembered: a sweep later it is still the route removed on 1 November, not a shadow.
    let (_, third) = scan_at(demo.path(), &store, "2026-11-03T08:00:00Z");
    let still = endpoint(&third, "GET", "/v1/admin/reports");
    assert_eq!(still["classification"]["lifecycle"], "zombie");
    assert_eq!(
        still["removed_from_spec"]["last_declared_at"],
        "2026-11-01T08:00:00Z"
    );

    // Without history there is nothing to remember: undeclared traffic is a shadow.
    let run = apispm(
        BIN,
        &[
            "scan",
            demo.path().to_str().unwrap(),
            "--no-store",
            "--format",
            "json",
        ],
    );
    let fresh = json(&run.stdout);
    assert_eq!(
        endpoint(&fresh, "GET", "/v1/admin/reports")["classification"]["lifecycle"],
        "shadow"
    );
}
