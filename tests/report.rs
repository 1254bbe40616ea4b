//! The renderers people and machines read: HTML (escaped, self-contained, rendered in headless
//! Chromium), SARIF 2.1.0 (validated against the OASIS schema), ASFF (imported into moto's
//! Security Hub).

use apispm_e2e::{Moto, apispm, demo_copy, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_apispm-under-test");

/// The demo with history (three sweeps a week apart) and a hostile path from traffic.
fn demo_with_history() -> (tempfile::TempDir, PathBuf) {
    let demo = demo_copy();
    std::fs::write(
        demo.path().join("samples/hostile.json"),
        r#"{"method":"GET","path":"/<script>alert(1)</script>","service":"orders","scheme":"https","request_headers":{}}"#,
    )
    .unwrap();
    let d = demo.path().to_str().unwrap().to_string();
    for at in ["2026-11-20T08:00:00Z", "2026-11-27T08:00:00Z"] {
        assert_eq!(apispm(BIN, &["scan", &d, "--at", at]).code, 0);
    }
    let store = demo.path().join("apispm.db");
    (demo, store)
}

fn render(store: &Path, format: &str) -> String {
    let run = apispm(
        BIN,
        &[
            "report",
            "--store",
            store.to_str().unwrap(),
            "--format",
            format,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn html_escapes_estate_text_and_needs_nothing_from_outside() {
    let (_demo, store) = demo_with_history();
    let html = render(&store, "html");
    assert!(
        !html.contains("<script>alert(1)"),
        "a path from traffic must not become markup"
    );
    assert!(
        html.contains("/&#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("/&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    for external in ["<link", " src=", "url(", "@import", "href=\"http", "<img"] {
        assert!(
            !html.contains(external),
            "the page must be self-contained: found {external}"
        );
    }
    for section in [
        "id=\"metrics\"",
        "id=\"chart-risk\"",
        "id=\"chart-trend\"",
        "id=\"top-risks\"",
        "id=\"shadow\"",
        "id=\"zombie\"",
        "id=\"orphan\"",
        "id=\"findings\"",
        "id=\"apis\"",
        "id=\"coverage\"",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    assert!(html.contains("<polyline"), "three sweeps draw a trend");
}

/// Headless Chromium (Debian's package; `scripts/test.sh` installs it): the page renders, the
/// charts and tables are in the DOM after the script ran, the console logged no error, and a
/// 1280×800 screenshot is kept as a test artifact.
#[test]
fn the_report_renders_in_a_browser_without_console_errors() {
    let chromium = std::env::var("APISPM_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} not found: run scripts/test.sh, which installs Debian's chromium"
    );
    let (demo, store) = demo_with_history();
    let page = demo.path().join("report.html");
    std::fs::write(&page, render(&store, "html")).unwrap();
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let shot = artifacts.join("report.png");
    let profile = tempfile::tempdir().unwrap();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1280,800",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let url = format!("file://{}", page.display());
    let user_data = format!("--user-data-dir={}", profile.path().display());
    let dom = Command::new(&chromium)
        .args(flags)
        .arg(&user_data)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let console = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "{console}");
    assert!(dom_text.matches("<svg").count() >= 4, "the charts rendered");
    assert!(dom_text.matches("<rect").count() >= 10, "the bars rendered");
    assert!(
        dom_text.contains("id=\"findings-table\"") && dom_text.matches("<tr>").count() > 20,
        "the tables rendered"
    );
    let errors: Vec<&str> = console
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(errors.is_empty(), "the page logged errors: {errors:#?}");
    let _ = std::fs::remove_file(&shot);
    let screenshot = Command::new(&chromium)
        .args(flags)
        .arg(&user_data)
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        screenshot.status.success(),
        "{}",
        String::from_utf8_lossy(&screenshot.stderr)
    );
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real 1280×800 screenshot"
    );
    eprintln!("screenshot kept at {}", shot.display());
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema_path = std::env::var("APISPM_SARIF_SCHEMA").expect(
        "APISPM_SARIF_SCHEMA: run scripts/test.sh, which fetches the OASIS schema from npm",
    );
    // The published schema's `language` patterns have a stray `]` that ECMA regexes take as a
    // literal and Rust's regex engine rejects; escape it (apispm never emits `language`).
    let text = std::fs::read_to_string(schema_path)
        .unwrap()
        .replace("{2}]?$", "{2}\\\\]?$");
    let schema = json(&text);
    let (_demo, store) = demo_with_history();
    let sarif = json(&render(&store, "sarif"));
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    // Spec findings point at the file, line and column of the operation.
    let located = run["results"].as_array().unwrap().iter().find(|r| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "specs/users.yaml"
    });
    let region = &located.expect("a result located in specs/users.yaml")["locations"][0]["physicalLocation"]
        ["region"];
    assert!(
        region["startLine"].as_u64().unwrap() > 1 && region["startColumn"].as_u64().unwrap() >= 1
    );
    // Rules carry help text and a security severity for code scanning.
    let rule = &run["tool"]["driver"]["rules"][0];
    assert!(rule["help"]["text"].as_str().unwrap().len() > 20);
    assert!(rule["properties"]["security-severity"].is_string());
}

#[test]
fn asff_imports_into_security_hub() {
    let (demo, store) = demo_with_history();
    let asff = render(&store, "asff");
    let findings = json(&asff);
    let first = &findings[0];
    for field in [
        "SchemaVersion",
        "Id",
        "ProductArn",
        "GeneratorId",
        "AwsAccountId",
        "Types",
        "CreatedAt",
        "UpdatedAt",
        "Severity",
        "Title",
        "Description",
        "Resources",
    ] {
        assert!(!first[field].is_null(), "ASFF requires {field}");
    }
    // A re-import updates the same finding: ids are stable across renders.
    assert_eq!(json(&render(&store, "asff"))[0]["Id"], first["Id"]);
    let moto = Moto::start();
    let file = demo.path().join("findings.asff.json");
    std::fs::write(&file, asff).unwrap();
    let result = moto.seed_with("import_asff.py", &[file.to_str().unwrap()]);
    assert_eq!(result["failed"], 0, "{result}");
    assert_eq!(
        result["success"].as_u64().unwrap(),
        findings.as_array().unwrap().len() as u64
    );
}
