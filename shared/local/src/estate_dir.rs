//! Reading a local estate folder into a snapshot:
//!
//! - `DIR/estate.yaml` (optional): services, owners, spec ownership, overrides;
//! - `DIR/specs/**/*.{json,yaml,yml}`: declared OpenAPI documents;
//! - `DIR/samples/**/*.{json,har}`: traffic samples (HAR 1.2 or the seed's JSON shape);
//! - `DIR/logs/**`: API Gateway access logs, any layout and format (`logs/<service>/…` ties them
//!   to a service).
//!
//! A file that cannot be read or parsed becomes an `InputIssue` naming the file and the place;
//! the rest of the estate is still read. Only a broken `estate.yaml` stops the scan, because
//! without it classification overrides would silently be lost.

use apispm_core::estate::EstateConfig;
use apispm_core::observed::{Aggregator, LogScope};
use apispm_core::openapi::read_spec;
use apispm_core::snapshot::{InputIssue, Snapshot};
use apispm_core::traffic::read_samples;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Files larger than this are reported, not read.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum EstateDirError {
    #[error("{0}: not a directory")]
    NotADirectory(PathBuf),
    #[error("{path}: {message}")]
    Estate { path: PathBuf, message: String },
}

pub fn read_estate(dir: &Path, now: DateTime<Utc>) -> Result<Snapshot, EstateDirError> {
    if !dir.is_dir() {
        return Err(EstateDirError::NotADirectory(dir.to_path_buf()));
    }
    let mut snapshot = Snapshot::new(format!("local:{}", dir.display()), now);
    let estate_file = dir.join("estate.yaml");
    if estate_file.exists() {
        let text = std::fs::read_to_string(&estate_file).map_err(|e| EstateDirError::Estate {
            path: estate_file.clone(),
            message: e.to_string(),
        })?;
        snapshot.estate = EstateConfig::parse(&text).map_err(|e| EstateDirError::Estate {
            path: estate_file.clone(),
            message: e.message,
        })?;
    }
    for (rel, path) in files_under(dir, "specs", &["json", "yaml", "yml"], &mut snapshot.issues) {
        let Some(text) = read_text(&rel, &path, &mut snapshot.issues) else {
            continue;
        };
        let service = snapshot
            .estate
            .service_for_spec(&rel)
            .map(|s| s.name.clone());
        match read_spec(&rel, &text, service.as_deref()) {
            Ok(spec) => snapshot.specs.push(spec),
            Err(e) => snapshot.issues.push(InputIssue {
                input: rel,
                location: e.location(),
                message: e.to_string(),
            }),
        }
    }
    for (rel, path) in files_under(dir, "samples", &["json", "har"], &mut snapshot.issues) {
        let Some(text) = read_text(&rel, &path, &mut snapshot.issues) else {
            continue;
        };
        match read_samples(&rel, &text) {
            Ok((samples, errors)) => {
                snapshot.samples.extend(samples);
                snapshot
                    .issues
                    .extend(errors.into_iter().map(|e| InputIssue {
                        input: rel.clone(),
                        location: Some(e.location),
                        message: e.message,
                    }));
            }
            Err(e) => snapshot.issues.push(InputIssue {
                input: rel,
                location: Some(e.location),
                message: e.message,
            }),
        }
    }
    read_logs(dir, &mut snapshot);
    Ok(snapshot)
}

/// `DIR/logs/**`: access logs in any layout (detected by content, whatever the file is called).
/// A first directory naming an estate service attributes its logs to that service.
fn read_logs(dir: &Path, snapshot: &mut Snapshot) {
    let root = dir.join("logs");
    if !root.is_dir() {
        return;
    }
    let mut aggregator = Aggregator::new();
    for entry in WalkDir::new(&root).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                snapshot.issues.push(InputIssue {
                    input: "logs".into(),
                    location: None,
                    message: format!("cannot list: {e}"),
                });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = relative(dir, entry.path());
        let service = entry
            .path()
            .strip_prefix(&root)
            .ok()
            .and_then(|p| p.components().next().filter(|_| p.components().count() > 1))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .filter(|name| snapshot.estate.service(name).is_some());
        match std::fs::File::open(entry.path()) {
            Ok(file) => {
                aggregator.ingest(
                    file,
                    &LogScope {
                        source: rel,
                        service,
                        ..LogScope::default()
                    },
                );
            }
            Err(e) => snapshot.issues.push(InputIssue {
                input: rel,
                location: None,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    let (observed, stats, issues) = aggregator.finish();
    snapshot.observed = observed;
    snapshot.log_stats = Some(stats);
    snapshot.issues.extend(issues);
}

/// Files under `dir/sub` with one of `extensions`, as (path relative to `dir` with `/`, path),
/// sorted so that snapshots are deterministic.
fn files_under(
    dir: &Path,
    sub: &str,
    extensions: &[&str],
    issues: &mut Vec<InputIssue>,
) -> Vec<(String, PathBuf)> {
    let root = dir.join(sub);
    if !root.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    for entry in WalkDir::new(&root).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                issues.push(InputIssue {
                    input: e
                        .path()
                        .map(|p| relative(dir, p))
                        .unwrap_or_else(|| sub.to_string()),
                    location: None,
                    message: format!("cannot list: {e}"),
                });
                continue;
            }
        };
        let path = entry.path();
        let wanted = path
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| extensions.contains(&x.to_ascii_lowercase().as_str()));
        if entry.file_type().is_file() && wanted {
            files.push((relative(dir, path), path.to_path_buf()));
        }
    }
    files
}

fn relative(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn read_text(rel: &str, path: &Path, issues: &mut Vec<InputIssue>) -> Option<String> {
    let issue = |message: String| InputIssue {
        input: rel.to_string(),
        location: None,
        message,
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            issues.push(issue(format!(
                "{} bytes is over the {MAX_FILE_BYTES}-byte limit",
                m.len()
            )));
            return None;
        }
        Err(e) => {
            issues.push(issue(format!("cannot read: {e}")));
            return None;
        }
        Ok(_) => {}
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                issues.push(issue(format!(
                    "not UTF-8 text (byte {})",
                    e.utf8_error().valid_up_to()
                )));
                None
            }
        },
        Err(e) => {
            issues.push(issue(format!("cannot read: {e}")));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_specs_and_samples_and_reports_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("specs/team")).unwrap();
        std::fs::create_dir_all(dir.path().join("samples")).unwrap();
        std::fs::write(
            dir.path().join("estate.yaml"),
            "services:\n  - name: orders\n    specs: [team/orders.yaml]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("specs/team/orders.yaml"),
            "openapi: 3.0.0\ninfo: {title: Orders, version: '1'}\npaths:\n  /orders:\n    get: {responses: {'200': {description: ok}}}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("specs/readme.yaml"), "title: not a spec\n").unwrap();
        std::fs::write(
            dir.path().join("samples/a.json"),
            r#"[{"method":"GET","path":"/orders"}]"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("samples/broken.json"), "{\"method\":").unwrap();

        let snap = read_estate(dir.path(), Utc::now()).unwrap();
        assert_eq!(snap.specs.len(), 1);
        assert_eq!(snap.specs[0].service, "orders");
        assert_eq!(snap.specs[0].file, "specs/team/orders.yaml");
        assert_eq!(snap.samples.len(), 1);
        let inputs: Vec<&str> = snap.issues.iter().map(|i| i.input.as_str()).collect();
        assert_eq!(inputs, vec!["specs/readme.yaml", "samples/broken.json"]);
        assert!(snap.issues[0].message.contains("not an OpenAPI document"));
        assert!(
            snap.issues[1]
                .location
                .as_deref()
                .unwrap()
                .starts_with("line 1")
        );
    }

    #[test]
    fn a_broken_estate_file_stops_the_scan_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("estate.yaml"), "services:\n  - nam: x\n").unwrap();
        let err = read_estate(dir.path(), Utc::now()).unwrap_err().to_string();
        assert!(err.contains("estate.yaml"), "{err}");
        assert!(err.contains("nam"), "{err}");
    }
}
