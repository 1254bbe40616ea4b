//! Access-log ingest benchmark: generates realistic API Gateway access logs of a chosen size and
//! layout to a temporary file, then times the full ingest — decompress, parse, template, match
//! to endpoints, detect sensitive data — and reports throughput and peak memory.
//!
//! `cargo run --release -p apispm --bin apispm-bench-logs -- --size-mb 1024 --format json --layout firehose`

use apispm_core::observed::{Aggregator, LogScope};
use clap::{Parser, ValueEnum};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::{BufWriter, Write};
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Uncompressed size of the generated log, in MB.
    #[arg(long, default_value_t = 256)]
    size_mb: u64,
    #[arg(long, value_enum, default_value_t = LogFormat::Json)]
    format: LogFormat,
    #[arg(long, value_enum, default_value_t = Layout::Plain)]
    layout: Layout,
    /// Keep the generated file here instead of a temporary one.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

#[derive(ValueEnum, Clone, Copy)]
enum LogFormat {
    Json,
    Clf,
}

#[derive(ValueEnum, Clone, Copy)]
enum Layout {
    /// Raw lines, as a file or straight from Firehose.
    Plain,
    /// CloudWatch Logs → Firehose: a multi-member gzip of envelopes.
    Firehose,
}

const PATHS: &[&str] = &[
    "/v1/orders",
    "/v1/orders/{id}",
    "/v1/orders/{id}/invoice",
    "/v1/customers/{id}",
    "/v1/customers/{id}/orders",
    "/v1/products",
    "/v1/products/{id}",
    "/v1/cart",
    "/v1/cart/items/{id}",
    "/v1/payments",
];
const METHODS: &[&str] = &["GET", "GET", "GET", "POST", "PUT", "DELETE"];

/// A deterministic pseudo-random stream (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn line(rng: &mut Rng, format: LogFormat, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    let r = rng.next();
    let template = PATHS[(r % PATHS.len() as u64) as usize];
    let path = template.replace("{id}", &(r % 100_000).to_string());
    let method = METHODS[((r >> 8) % METHODS.len() as u64) as usize];
    let status = [200, 200, 200, 201, 204, 400, 401, 403, 404, 500][((r >> 16) % 10) as usize];
    let ip = format!("203.0.{}.{}", (r >> 24) % 256, (r >> 32) % 256);
    let principal = if status == 401 {
        "-".to_string()
    } else {
        format!("user-{}", (r >> 40) % 5000)
    };
    let rid = format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        r as u32,
        (r >> 32) as u16,
        r % 4096,
        (r >> 12) % 4096,
        r >> 16
    );
    match format {
        LogFormat::Json => {
            let _ = write!(
                out,
                r#"{{"requestId":"{rid}","ip":"{ip}","requestTime":"01/Dec/2026:{:02}:{:02}:{:02} +0000","httpMethod":"{method}","path":"{path}","routeKey":"-","status":"{status}","protocol":"HTTP/1.1","responseLength":"{}","principalId":"{principal}","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36","integrationLatency":"{}"}}"#,
                (r >> 3) % 24,
                (r >> 5) % 60,
                (r >> 7) % 60,
                (r >> 9) % 20000,
                (r >> 11) % 900
            );
        }
        LogFormat::Clf => {
            let _ = write!(
                out,
                r#"{ip} - - [01/Dec/2026:{:02}:{:02}:{:02} +0000] "{method} {path} HTTP/1.1" {status} {} {rid} ExtId{}="#,
                (r >> 3) % 24,
                (r >> 5) % 60,
                (r >> 7) % 60,
                (r >> 9) % 20000,
                r % 1000
            );
        }
    }
}

fn generate(args: &Args, file: &std::path::Path) -> std::io::Result<u64> {
    let target = args.size_mb * 1024 * 1024;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(file)?);
    let mut written = 0u64;
    let mut buf = String::new();
    match args.layout {
        Layout::Plain => {
            while written < target {
                line(&mut rng, args.format, &mut buf);
                out.write_all(buf.as_bytes())?;
                out.write_all(b"\n")?;
                written += buf.len() as u64 + 1;
            }
        }
        Layout::Firehose => {
            // Each Firehose record: one gzip member holding one envelope of ~500 events.
            while written < target {
                let mut events = Vec::with_capacity(500);
                for i in 0..500 {
                    line(&mut rng, args.format, &mut buf);
                    written += buf.len() as u64 + 1;
                    events.push(serde_json::json!({"id": i.to_string(), "timestamp": 1796115600000u64 + i, "message": buf}));
                }
                let envelope = serde_json::json!({"messageType": "DATA_MESSAGE", "owner": "123456789012",
                    "logGroup": "/aws/apigateway/bench/prod", "logStream": "s", "subscriptionFilters": ["f"], "logEvents": events});
                let mut gz = GzEncoder::new(Vec::new(), Compression::new(6));
                serde_json::to_writer(&mut gz, &envelope)?;
                out.write_all(&gz.finish()?)?;
            }
        }
    }
    out.flush()?;
    Ok(written)
}

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let tmp = tempfile::NamedTempFile::new()?;
    let file = args
        .keep
        .clone()
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let t = Instant::now();
    let uncompressed = generate(&args, &file)?;
    let on_disk = std::fs::metadata(&file)?.len();
    eprintln!(
        "generated {:.0} MB of log text ({:.0} MB on disk) in {:.1}s",
        uncompressed as f64 / 1e6,
        on_disk as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let rss_before = peak_rss_mb().unwrap_or(0.0);

    let t = Instant::now();
    let mut aggregator = Aggregator::new();
    let stats = aggregator.ingest(
        std::fs::File::open(&file)?,
        &LogScope {
            source: file.display().to_string(),
            ..LogScope::default()
        },
    );
    let (endpoints, totals, _) = aggregator.finish();
    let secs = t.elapsed().as_secs_f64();
    let mb = stats.bytes as f64 / 1e6;
    println!(
        "format={} layout={} lines={} endpoints={} malformed={} uncompressed={:.0}MB time={:.2}s throughput={:.0}MB/s peak_rss={:.1}MB (after generation {:.1}MB)",
        match args.format {
            LogFormat::Json => "json",
            LogFormat::Clf => "clf",
        },
        match args.layout {
            Layout::Plain => "plain",
            Layout::Firehose => "firehose",
        },
        stats.lines,
        endpoints.len(),
        totals.malformed_lines,
        mb,
        secs,
        mb / secs,
        peak_rss_mb().unwrap_or(0.0),
        rss_before
    );
    Ok(())
}
