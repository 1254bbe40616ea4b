//! `apispm sweep` / `collect` against moto's server, seeded with an estate where every gateway
//! control has a resource that passes and one that fails, across two regions.

use apispm_e2e::{Moto, apispm_aws, json};
use serde_json::Value;
use std::collections::BTreeSet;

const BIN: &str = env!("CARGO_BIN_EXE_apispm-under-test");

fn sweep(moto: &Moto) -> Value {
    let run = apispm_aws(
        BIN,
        &[
            "sweep",
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--no-store",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    json(&run.stdout)
}

fn findings(p: &Value) -> BTreeSet<(String, String, String)> {
    p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "control" && f["control"].as_str().unwrap().contains('-'))
        .map(|f| {
            (
                f["control"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_seeded_misconfiguration_is_reported_and_compliant_resources_are_not() {
    let moto = Moto::start();
    let m = moto.seed("seed_estate.py");
    let p = sweep(&moto);
    assert_eq!(p["complete"], true, "{:#?}", p["input_issues"]);

    let us = |k: &str| m["us-east-1"][k].as_str().unwrap().to_string();
    let eu = |k: &str| m["eu-west-1"][k].as_str().unwrap().to_string();
    let rest = |id: String| format!("arn:aws:apigateway:us-east-1::/restapis/{id}");
    let rest_stage =
        |id: String, s: &str| format!("arn:aws:apigateway:us-east-1::/restapis/{id}/stages/{s}");
    let v2 = |id: String| format!("arn:aws:apigateway:eu-west-1::/apis/{id}");
    let v2_stage =
        |id: String, s: &str| format!("arn:aws:apigateway:eu-west-1::/apis/{id}/stages/{s}");
    let bad_stage = rest_stage(us("rest_bad"), "dev");
    let http_bad_stage = v2_stage(eu("http_bad"), "$default");
    let ws_bad_stage = v2_stage(eu("ws_bad"), "dev");

    let expected: Vec<(&str, String, &str)> = vec![
        ("LOG-1", bad_stage.clone(), "medium"),
        ("LOG-2", ws_bad_stage.clone(), "medium"),
        ("LOG-3", bad_stage.clone(), "medium"),
        ("LOG-4", http_bad_stage.clone(), "medium"),
        ("LOG-4", ws_bad_stage.clone(), "medium"),
        (
            "LOG-7",
            "arn:aws:apigateway:eu-west-1::/account".into(),
            "medium",
        ),
        ("LOG-8", bad_stage.clone(), "medium"),
        ("LOG-8", ws_bad_stage.clone(), "medium"),
        ("LOG-9", bad_stage.clone(), "low"),
        ("LOG-10", bad_stage.clone(), "low"),
        ("DP-1", bad_stage.clone(), "medium"),
        ("DP-3", bad_stage.clone(), "medium"),
        (
            "DP-5",
            "arn:aws:apigateway:us-east-1::/domainnames/legacy.example.com".into(),
            "medium",
        ),
        (
            "DP-5",
            "arn:aws:apigateway:eu-west-1::/domainnames/old-items.example.com".into(),
            "medium",
        ),
        (
            "DP-8",
            format!(
                "{}/integrations/{}",
                v2(eu("http_bad")),
                eu("http_bad_integration")
            ),
            "medium",
        ),
        ("DP-9", bad_stage.clone(), "medium"),
        ("DP-10", bad_stage.clone(), "high"),
        ("DP-10", http_bad_stage.clone(), "high"),
        (
            "AC-1",
            format!(
                "arn:aws:execute-api:us-east-1:123456789012:{}/dev/GET/items",
                us("rest_bad")
            ),
            "high",
        ),
        (
            "AC-2",
            format!("{}/routes/{}", v2(eu("http_bad")), eu("http_bad_route")),
            "medium",
        ),
        (
            "AC-3",
            format!("{}/routes/{}", v2(eu("ws_bad")), eu("ws_bad_connect")),
            "high",
        ),
        ("AC-4", rest(us("rest_bad")), "medium"),
        ("AC-5", rest(us("rest_bad")), "medium"),
        ("AC-6", rest(us("rest_bad")), "high"),
        ("AC-7", rest(us("rest_private_open")), "medium"),
        ("AC-8", rest(us("rest_bad")), "medium"),
        ("AC-8", v2(eu("http_bad")), "medium"),
        ("AC-9", bad_stage.clone(), "medium"),
        ("AC-11", bad_stage.clone(), "low"),
        ("AC-12", http_bad_stage.clone(), "low"),
        ("AC-13", bad_stage.clone(), "low"),
        ("AC-14", rest(us("rest_bad")), "medium"),
        ("AC-14", v2(eu("http_bad")), "medium"),
    ];
    let got = findings(&p);
    for (control, resource, severity) in &expected {
        assert!(
            got.contains(&(control.to_string(), resource.clone(), severity.to_string())),
            "missing {control} on {resource} ({severity}); got:\n{got:#?}"
        );
    }

    // No false alarm on the compliant resources. (moto drops the REST clientCertificateId
    // patch, so DP-3 on the good REST stage is a true reading of what moto holds.)
    let good: Vec<String> = vec![
        rest(us("rest_good")),
        rest_stage(us("rest_good"), "prod"),
        format!(
            "arn:aws:execute-api:us-east-1:123456789012:{}/prod/GET/orders",
            us("rest_good")
        ),
        rest(us("rest_private_ok")),
        "arn:aws:apigateway:us-east-1::/domainnames/orders.example.com".into(),
        "arn:aws:apigateway:eu-west-1::/domainnames/items.example.com".into(),
        v2(eu("http_good")),
        v2_stage(eu("http_good"), "prod"),
        v2(eu("ws_good")),
        v2_stage(eu("ws_good"), "prod"),
        format!("{}/routes/{}", v2(eu("ws_good")), eu("ws_good_connect")),
        "arn:aws:apigateway:us-east-1::/account".into(),
    ];
    let false_alarms: Vec<_> = got
        .iter()
        .filter(|(c, r, _)| {
            good.iter().any(|g| g == r) && !(c == "DP-3" && r.contains("/restapis/"))
        })
        .collect();
    assert!(
        false_alarms.is_empty(),
        "false alarms on compliant resources: {false_alarms:#?}"
    );

    // HTTP APIs are not failed for features they do not have.
    let http_stage = p["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["arn"] == v2_stage(eu("http_good"), "prod"))
        .unwrap();
    for c in http_stage["controls"].as_array().unwrap() {
        if ["LOG-1", "LOG-9", "DP-1", "DP-3", "AC-9"].contains(&c["control"].as_str().unwrap()) {
            assert_eq!(c["state"], "not_applicable", "{c}");
        }
    }

    // The seed controls read gateway facts: an API key alone is not authentication.
    let ep = p["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["path"] == "/items"
                && e["method"] == "GET"
                && e["service"].as_str().unwrap().contains(&us("rest_bad"))
        })
        .unwrap();
    let auth = ep["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "authentication")
        .unwrap();
    assert_eq!(auth["state"], "absent");
    assert_eq!(auth["evidence"][0]["source"], "gateway");
    assert!(
        auth["evidence"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("API key alone")
    );
    // Classification from gateway facts.
    let private = p["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["service"].as_str().unwrap().contains(&us("rest_good")));
    for e in private {
        assert_eq!(e["classification"]["exposure"], "external");
        assert_eq!(e["owner"], "team-orders");
    }
}

#[test]
fn calls_per_stage_stay_within_budget_and_roles_reach_member_accounts() {
    let moto = Moto::start();
    moto.seed("seed_estate.py");
    let snap = std::env::temp_dir().join(format!("apispm-snapshot-{}.json", std::process::id()));
    let run = apispm_aws(
        BIN,
        &[
            "collect",
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--out",
            snap.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = json(&std::fs::read_to_string(&snap).unwrap());
    let us = s["gateway"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["region"] == "us-east-1")
        .unwrap();
    let calls = |op: &str| us["calls"][op].as_u64().unwrap_or(0);
    let rest_apis = us["rest_apis"].as_array().unwrap().len() as u64;
    let stages: u64 = us["rest_apis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["stages"].as_array().unwrap().len() as u64)
        .sum();
    assert_eq!(
        calls("API Gateway:GetExport"),
        stages,
        "one export per stage"
    );
    assert!(
        calls("API Gateway:GetResources") <= rest_apis,
        "at most one working-copy read per API"
    );
    assert_eq!(
        calls("API Gateway:GetMethod") + calls("API Gateway:GetIntegration"),
        0,
        "no N+1 reads"
    );
    assert_eq!(calls("API Gateway:GetStages"), rest_apis);

    // `scan --snapshot` assesses the saved facts offline, to the same findings as a sweep.
    let offline = apispm_aws(
        BIN,
        &[
            "scan",
            "--snapshot",
            snap.to_str().unwrap(),
            "--no-store",
            "--format",
            "json",
        ],
    );
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert!(
        findings(&json(&offline.stdout))
            .iter()
            .any(|(c, _, _)| c == "AC-6")
    );

    // A member account through an assumed read-only role: the facts are that account's.
    let run = apispm_aws(
        BIN,
        &[
            "collect",
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            "us-east-1",
            "--account",
            "111122223333",
            "--role-name",
            "apispm-read",
            "--out",
            snap.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let s = json(&std::fs::read_to_string(&snap).unwrap());
    assert_eq!(s["gateway"][0]["account"], "111122223333");
    assert_eq!(
        s["gateway"][0]["rest_apis"],
        serde_json::json!([]),
        "the member account is empty"
    );
    let _ = std::fs::remove_file(&snap);
}

#[test]
fn an_unreachable_target_is_an_incomplete_assessment_not_a_pass() {
    // Nothing listens on port 9: every read fails.
    let run = apispm_aws(
        BIN,
        &[
            "sweep",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            "us-east-1",
            "--max-attempts",
            "1",
            "--no-store",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let p = json(&run.stdout);
    assert_eq!(p["complete"], false);
    assert!(!p["input_issues"].as_array().unwrap().is_empty());
    assert_eq!(p["summary"]["total_endpoints"], 0);
    let passing = p["resources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["controls"].as_array().unwrap().iter())
        .filter(|c| c["state"] == "present")
        .count();
    assert_eq!(passing, 0, "a failed read must never pass a control");
}

#[test]
fn sweep_output_matches_the_published_schema() {
    let moto = Moto::start();
    moto.seed("seed_estate.py");
    let p = sweep(&moto);
    let schema = json(
        &std::fs::read_to_string(apispm_e2e::repo_root().join("docs/posture.schema.json")).unwrap(),
    );
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&p)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_member_account_that_cannot_be_read_keeps_its_last_good_result_marked_stale() {
    let moto = Moto::start();
    moto.seed("seed_estate.py");
    let store = std::env::temp_dir().join(format!("apispm-stale-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&store);
    let sweep_at = |endpoint: &str, at: &str| {
        let run = apispm_aws(
            BIN,
            &[
                "sweep",
                "--endpoint-url",
                endpoint,
                "--region",
                "us-east-1",
                "--account",
                "123456789012",
                "--role-name",
                "apispm-read",
                "--max-attempts",
                "1",
                "--store",
                store.to_str().unwrap(),
                "--format",
                "json",
                "--at",
                at,
            ],
        );
        (run.code, json(&run.stdout), run.stderr)
    };
    let (code, good, err) = sweep_at(&moto.endpoint, "2026-12-01T00:00:00Z");
    assert_eq!(code, 0, "{err}");
    let resources = good["resources"].as_array().unwrap().len();
    let endpoints = good["summary"]["total_endpoints"].as_u64().unwrap();
    assert!(resources > 0 && endpoints > 0);

    // The role can no longer be assumed (nothing answers): the account is stale, not empty.
    let (code, stale, err) = sweep_at("http://127.0.0.1:9", "2026-12-01T06:00:00Z");
    assert_eq!(code, 2, "{err}");
    assert_eq!(stale["complete"], false);
    let targets = stale["stale_targets"].as_array().expect("stale_targets");
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!(targets[0]["account"], "123456789012");
    assert_eq!(targets[0]["region"], "us-east-1");
    assert_eq!(targets[0]["last_good_at"], "2026-12-01T00:00:00Z");
    assert_eq!(stale["resources"].as_array().unwrap().len(), resources);
    assert_eq!(stale["summary"]["total_endpoints"], endpoints);
    let resolved = stale["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "open")
        .count();
    assert_eq!(resolved, 0, "a stale account resolves nothing");
    let _ = std::fs::remove_file(&store);
}

#[test]
fn an_organization_sweep_reads_this_account_and_every_active_member() {
    let moto = Moto::start();
    moto.seed("seed_estate.py");
    let org = moto.seed("seed_organization.py");
    let member = org["member"].as_str().unwrap();
    let suspended = org["suspended"].as_str().unwrap();
    let run = apispm_aws(
        BIN,
        &[
            "sweep",
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            "us-east-1",
            "--organization",
            "--role-name",
            "apispm-read",
            "--no-store",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("1 member account(s)"), "{}", run.stderr);
    let p = json(&run.stdout);
    assert_eq!(p["source"], "aws:us-east-1 organization");
    let accounts: BTreeSet<&str> = p["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["account"].as_str())
        .collect();
    assert!(
        accounts.contains("123456789012"),
        "this account, swept directly"
    );
    assert!(accounts.contains(member), "the member, through its role");
    assert!(
        !accounts.contains(suspended),
        "a suspended account is not swept"
    );
    let api = org["api"].as_str().unwrap();
    assert!(
        p["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["account"] == member && r["arn"].as_str().unwrap().contains(api)),
        "the member's API is in the inventory"
    );

    // Without Organizations access the sweep says what to do instead (exit 2).
    let run = apispm_aws(
        BIN,
        &[
            "sweep",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--max-attempts",
            "1",
            "--region",
            "us-east-1",
            "--organization",
            "--role-name",
            "apispm-read",
            "--no-store",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--organization"), "{}", run.stderr);
}
