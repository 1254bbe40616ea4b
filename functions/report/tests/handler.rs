//! The report handler as a function against moto: JSON and Markdown inline, HTML written to the
//! reports bucket with a presigned URL that serves it.

use apispm_e2e::{Moto, demo_copy};
use apispm_report_fn::{Config, Request, handle};

#[tokio::test(flavor = "multi_thread")]
async fn reports_come_back_inline_or_as_a_presigned_page() {
    let moto = Moto::start();
    moto.seed_with("create_table.py", &["apispm"]);
    // SAFETY: this binary's only test, before anything reads the environment; the SDK reads
    // credentials, region and endpoint from it, as it does in Lambda.
    unsafe { moto.export_env() };
    let demo = demo_copy();
    let dir = demo.path().to_str().unwrap().to_string();
    let code = tokio::task::spawn_blocking(move || {
        apispm_cli::run([
            "apispm",
            "scan",
            &dir,
            "--table",
            "apispm",
            "--format",
            "json",
            "--out",
            "/dev/null",
        ])
    })
    .await
    .unwrap();
    assert_eq!(code, 0);
    let config = Config::from_vars(|k| match k {
        "APISPM_TABLE" => Some("apispm".into()),
        "APISPM_REPORTS_BUCKET" => Some("apispm-reports".into()),
        _ => None,
    })
    .unwrap();

    let json = handle(
        serde_json::from_str::<Request>(r#"{"format": "json", "filters": {"service": "users"}}"#)
            .unwrap(),
        &config,
    )
    .await
    .unwrap();
    let posture: serde_json::Value = serde_json::from_str(json.body.as_deref().unwrap()).unwrap();
    assert!(
        posture["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["service"] == "users")
    );
    let md = handle(
        serde_json::from_str::<Request>(r#"{"format": "markdown"}"#).unwrap(),
        &config,
    )
    .await
    .unwrap();
    assert!(md.body.unwrap().starts_with("# API security posture"));

    // HTML lands in the bucket; the presigned URL serves it.
    let s3 = {
        let c = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await;
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&c)
                .force_path_style(true)
                .build(),
        )
    };
    s3.create_bucket()
        .bucket("apispm-reports")
        .send()
        .await
        .unwrap();
    let html = handle(
        serde_json::from_str::<Request>(include_str!("../events/html.json")).unwrap(),
        &config,
    )
    .await
    .unwrap();
    let url = html.url.expect("a presigned URL");
    assert!(url.contains("X-Amz-Expires=900"), "{url}");
    let page = s3
        .get_object()
        .bucket("apispm-reports")
        .key("latest.html")
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    assert!(String::from_utf8_lossy(&page).contains("<h1>API security posture</h1>"));

    let err = handle(
        serde_json::from_str::<Request>(r#"{"format": "pdf"}"#).unwrap(),
        &config,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("pdf"), "{err}");
}
