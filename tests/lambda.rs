//! The function binaries through the real Lambda runtime API: `cargo lambda watch` runs them as
//! Lambda would (the runtime API, `bootstrap`-style binaries, environment from the template's
//! variables) and `cargo lambda invoke` sends the scheduled event and report payloads, against
//! moto. `cargo-lambda` comes from PyPI into `$HOME/.cache/apispm-sam` (scripts/test.sh).

use apispm_e2e::{Moto, json, repo_root};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn cargo_lambda() -> PathBuf {
    let bin = std::env::var_os("APISPM_CARGO_LAMBDA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                .join(".cache/apispm-sam/bin/cargo-lambda")
        });
    assert!(
        bin.exists(),
        "{} not found: run scripts/test.sh, which installs cargo-lambda from PyPI",
        bin.display()
    );
    bin
}

struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Invoked {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn invoke(port: u16, function: &str, payload: &str) -> Invoked {
    let out = Command::new(cargo_lambda())
        .args([
            "lambda",
            "invoke",
            function,
            "--invoke-address",
            "127.0.0.1",
        ])
        .args(["--invoke-port", &port.to_string(), "--data-ascii", payload])
        .args(["--output-format", "json"])
        .current_dir(repo_root())
        .output()
        .expect("cargo lambda invoke runs");
    Invoked {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_functions_answer_through_the_lambda_runtime_api() {
    let moto = Moto::start();
    moto.seed("seed_estate.py");
    moto.seed_with("create_table.py", &["apispm"]);
    moto.seed("create_sweep_resources.py");

    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("functions.env");
    std::fs::write(
        &env_file,
        format!(
            "AWS_ACCESS_KEY_ID=testing\nAWS_SECRET_ACCESS_KEY=testing\nAWS_REGION=us-east-1\n\
             AWS_EC2_METADATA_DISABLED=true\nAWS_ENDPOINT_URL={endpoint}\nAPISPM_TABLE=apispm\n\
             APISPM_REGIONS=us-east-1\nAPISPM_REPORTS_BUCKET=apispm-reports\n\
             APISPM_URL_EXPIRY_SECONDS=300\nRUST_LOG=info\n",
            endpoint = moto.endpoint
        ),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let _watch = Watch(
        Command::new(cargo_lambda())
            .args([
                "lambda",
                "watch",
                "--ignore-changes",
                "--invoke-address",
                "127.0.0.1",
            ])
            .args(["--invoke-port", &port.to_string()])
            .arg("--env-file")
            .arg(&env_file)
            .current_dir(repo_root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cargo lambda watch starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "cargo lambda watch did not listen"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // The scheduled event, as EventBridge sends it. The first invocation builds the binary.
    let event =
        std::fs::read_to_string(repo_root().join("functions/sweep/events/scheduled.json")).unwrap();
    let sweep = invoke(port, "sweep", &event);
    assert!(sweep.ok, "{}{}", sweep.stdout, sweep.stderr);
    let outcome = json(&sweep.stdout);
    assert_eq!(outcome["stored"], true, "{outcome}");
    assert_eq!(outcome["complete"], true);
    assert!(outcome["resources"].as_u64().unwrap() > 0);
    let sweep_id = outcome["sweep_id"].as_str().unwrap().to_string();
    assert!(
        sweep_id.starts_with("20261201T060000Z-"),
        "the sweep is the event's slot: {sweep_id}"
    );

    // The hand-made invocation the docs give (`aws lambda invoke --payload ...`): a dry run now.
    let dry = invoke(port, "sweep", r#"{"detail": {"dry_run": true}}"#);
    assert!(dry.ok, "{}{}", dry.stdout, dry.stderr);
    let dry = json(&dry.stdout);
    assert_eq!(dry["stored"], false, "{dry}");
    assert_ne!(
        dry["sweep_id"],
        sweep_id.as_str(),
        "a sweep of its own time"
    );

    let report = invoke(port, "report", r#"{"format": "json"}"#);
    assert!(report.ok, "{}{}", report.stdout, report.stderr);
    let response = json(&report.stdout);
    let posture = json(response["body"].as_str().expect("the posture inline"));
    assert_eq!(posture["sweep_id"], sweep_id.as_str());
    assert_eq!(posture["schema"], "apispm.posture/v1");

    let html = invoke(port, "report", r#"{"format": "html"}"#);
    assert!(html.ok, "{}{}", html.stdout, html.stderr);
    let url = json(&html.stdout)["url"].as_str().unwrap().to_string();
    assert!(url.contains("X-Amz-Signature"), "a presigned URL: {url}");
    // The presigned URL serves the page (moto checks nothing, but the object must be there).
    let page = Command::new(&moto.python)
        .args([
            "-c",
            "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&page.stdout).contains(&sweep_id),
        "{}",
        String::from_utf8_lossy(&page.stderr)
    );

    // A bad request is a Lambda error a person can act on, not a crash.
    let bad = invoke(port, "report", r#"{"format": "pdf"}"#);
    assert!(!bad.ok);
    assert!(
        format!("{}{}", bad.stdout, bad.stderr)
            .contains("format `pdf`: expected json, markdown or html"),
        "{}{}",
        bad.stdout,
        bad.stderr
    );
    // And the function still answers after it.
    assert!(invoke(port, "report", r#"{"format": "markdown"}"#).ok);
}
