//! Spec audit benchmark: generates a large, realistic OpenAPI 3.0 document (JSON or YAML) of a
//! chosen size and times the full audit — parse, resolve, every rule, pointer → line — and
//! reports the peak memory.
//!
//! `cargo run --release -p apispm --bin apispm-bench-audit -- --size-mb 10`

use clap::Parser;
use std::fmt::Write;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 10)]
    size_mb: usize,
    /// Write YAML instead of JSON.
    #[arg(long)]
    yaml: bool,
}

fn operation(i: usize, method: &str) -> String {
    format!(
        r##"{{"operationId":"{method}Item{i}","tags":["items{g}"],"security":[{{"bearer":[]}}],
"parameters":[{{"name":"itemId","in":"path","required":true,"schema":{{"type":"string","format":"uuid","maxLength":36}}}},{{"name":"limit","in":"query","schema":{{"type":"integer","format":"int32","minimum":1,"maximum":100}}}}],
"requestBody":{{"content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/Item{i}"}}}}}}}},
"responses":{{"200":{{"description":"ok","headers":{{"X-RateLimit-Limit":{{"schema":{{"type":"integer"}}}}}},"content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/Item{i}"}}}}}}}},
"400":{{"description":"invalid"}},"401":{{"description":"unauthenticated","content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/Error"}}}}}}}},"429":{{"description":"slow down","headers":{{"Retry-After":{{"schema":{{"type":"integer"}}}}}},"content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/Error"}}}}}}}},"500":{{"description":"oops","content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/Error"}}}}}}}}}}}}"##,
        g = i % 20
    )
}

fn schema(i: usize) -> String {
    format!(
        r##"{{"type":"object","additionalProperties":false,"required":["id"],"properties":{{"id":{{"type":"string","format":"uuid","maxLength":36}},"name":{{"type":"string","maxLength":120,"pattern":"^[\\w ]+$"}},"email":{{"type":"string","format":"email","maxLength":254}},"quantity":{{"type":"integer","format":"int32","minimum":0,"maximum":1000}},"tags":{{"type":"array","maxItems":20,"items":{{"type":"string","maxLength":30}}}},"notes":{{"type":"string"}},"parent{i}":{{"$ref":"#/components/schemas/Item{i}"}}}}}}"##
    )
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let target = args.size_mb * 1024 * 1024;
    let mut paths = String::new();
    let mut schemas = String::new();
    let mut i = 0;
    while paths.len() + schemas.len() < target {
        if i > 0 {
            paths.push(',');
            schemas.push(',');
        }
        let _ = write!(
            paths,
            r#""/items{i}/{{itemId}}":{{"get":{},"put":{}}}"#,
            operation(i, "get"),
            operation(i, "put")
        );
        let _ = write!(schemas, r#""Item{i}":{}"#, schema(i));
        i += 1;
    }
    let json = format!(
        r##"{{"openapi":"3.0.3","info":{{"title":"Big API","version":"1"}},"servers":[{{"url":"https://api.example.com","description":"production","x-internal":false}}],"security":[{{"bearer":[]}}],"paths":{{{paths}}},"components":{{"securitySchemes":{{"bearer":{{"type":"http","scheme":"bearer","bearerFormat":"JWT","description":"RFC8725 best practices"}}}},"schemas":{{"Error":{{"type":"object","properties":{{"message":{{"type":"string","maxLength":200,"format":"text"}}}}}},{schemas}}}}}}}"##
    );
    let (file, text) = if args.yaml {
        let value: serde_json::Value = serde_json::from_str(&json)?;
        ("big.yaml", serde_saphyr_to_string(&value))
    } else {
        ("big.json", json)
    };
    eprintln!("generated {} bytes, {} operations", text.len(), i * 2);
    let started = Instant::now();
    let report = apispm_core::spec_audit::audit(file, &text);
    let secs = started.elapsed().as_secs_f64();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0);
    println!(
        "format={} size={:.1}MB operations={} findings={} score={:?} time={:.3}s peak_rss={:.0}MB",
        if args.yaml { "yaml" } else { "json" },
        text.len() as f64 / 1e6,
        report.score.operations,
        report.findings.len(),
        report.score.score,
        secs,
        peak
    );
    Ok(())
}

/// YAML for the YAML variant: JSON is YAML, but a block-style document is the realistic case.
fn serde_saphyr_to_string(v: &serde_json::Value) -> String {
    serde_saphyr::to_string(v).unwrap_or_default()
}
