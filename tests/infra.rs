//! The SAM template: cfn-lint clean, and every function in it is a crate of this workspace with
//! the binary the template names.

use apispm_e2e::repo_root;
use serde_json::Value;
use std::process::Command;

#[test]
fn templates_pass_cfn_lint() {
    let lint = std::env::var("APISPM_CFN_LINT").unwrap_or_else(|_| {
        format!(
            "{}/.cache/apispm-venv/bin/cfn-lint",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    assert!(
        std::path::Path::new(&lint).exists(),
        "{lint} not found: run scripts/test.sh, which installs cfn-lint in the venv"
    );
    let root = repo_root();
    let out = Command::new(&lint)
        .arg(root.join("infra/template.yaml"))
        .arg(root.join("infra/member-role.yaml"))
        .output()
        .expect("cfn-lint runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_template_functions_are_the_workspace_crates() {
    let root = repo_root();
    let template: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(root.join("infra/template.yaml")).unwrap())
            .unwrap();
    let functions: Vec<(&String, &Value)> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .collect();
    assert_eq!(functions.len(), 2, "the sweep and report functions");
    for (name, f) in functions {
        assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda", "{name}");
        let binary = f["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        let dir = root
            .join("infra")
            .join(f["Properties"]["CodeUri"].as_str().unwrap());
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
            .unwrap_or_else(|_| panic!("{name}: no crate at {}", dir.display()));
        assert!(
            manifest.contains(&format!("name = \"{binary}\"")),
            "{name}: {} has no binary `{binary}`",
            dir.display()
        );
        // CodeUri is relative to infra/: `../functions/sweep` is the member `functions/sweep`.
        let member = f["Properties"]["CodeUri"]
            .as_str()
            .unwrap()
            .trim_start_matches("../")
            .to_string();
        let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(
            workspace.contains(&format!("\"{member}\"")),
            "{name}: {member} is not a workspace member"
        );
    }
}

/// The fan-out's moving parts agree: a message stays invisible longer than the function can run,
/// and the function counts a unit as lost on the same delivery the queue dead-letters it.
#[test]
fn the_fan_out_queue_matches_the_sweep_function() {
    let root = repo_root();
    let template: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(root.join("infra/template.yaml")).unwrap())
            .unwrap();
    let resources = &template["Resources"];
    let queue = &resources["SweepQueue"]["Properties"];
    let timeout = resources["SweepFunction"]["Properties"]["Timeout"]
        .as_u64()
        .or_else(|| template["Globals"]["Function"]["Timeout"].as_u64())
        .expect("the sweep function's timeout");
    assert!(queue["VisibilityTimeout"].as_u64().unwrap() >= 6 * timeout);
    let env = &resources["SweepFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        queue["RedrivePolicy"]["maxReceiveCount"]
            .as_u64()
            .unwrap()
            .to_string(),
        env["APISPM_MAX_RECEIVES"].as_str().unwrap()
    );
    assert_eq!(env["APISPM_QUEUE_URL"]["Ref"], "SweepQueue");
    let mapping = &resources["SweepQueueMapping"]["Properties"];
    assert_eq!(mapping["FunctionName"]["Ref"], "SweepFunction");
    assert_eq!(
        mapping["FunctionResponseTypes"][0],
        "ReportBatchItemFailures"
    );
}
