//! Helpers for the end-to-end tests: run the CLI as a process, copy the demo estate.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `apispm ARGS` and capture what a user would see.
pub fn apispm(bin: &str, args: &[&str]) -> Run {
    let out = Command::new(bin)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the CLI binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A fresh copy of `examples/demo` in a temporary folder.
pub fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("examples/demo"), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read demo") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.path().extension().is_none_or(|e| e != "db") {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A moto server on 127.0.0.1 and a free port, stopped when dropped. The binary comes from
/// `APISPM_MOTO_SERVER` or the venv `scripts/test.sh` creates (`$HOME/.cache/apispm-venv`).
pub struct Moto {
    child: std::process::Child,
    pub endpoint: String,
    pub python: PathBuf,
}

impl Moto {
    pub fn start() -> Moto {
        let server = std::env::var_os("APISPM_MOTO_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                    .join(".cache/apispm-venv/bin/moto_server")
            });
        assert!(
            server.exists(),
            "moto_server not found at {}: run scripts/test.sh, which installs it in a venv",
            server.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let endpoint = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "moto_server did not listen on {endpoint}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Moto {
            child,
            endpoint,
            python: server.with_file_name("python"),
        }
    }

    /// Point this process's AWS SDK at the server, with fake credentials, as a Lambda's
    /// environment would configure it.
    ///
    /// # Safety
    /// Setting the environment races with threads reading it: call it in a test binary's only
    /// test, before anything else reads the environment.
    pub unsafe fn export_env(&self) {
        // SAFETY: the caller guarantees no other thread reads the environment yet.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
            std::env::set_var("AWS_REGION", "us-east-1");
            std::env::set_var("AWS_ENDPOINT_URL", &self.endpoint);
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        }
    }

    /// Run a seeding script from `tests/moto/` against this server; returns what it printed.
    pub fn seed(&self, script: &str) -> serde_json::Value {
        self.seed_with(script, &[])
    }

    /// As `seed`, with extra arguments after the endpoint.
    pub fn seed_with(&self, script: &str, args: &[&str]) -> serde_json::Value {
        let out = Command::new(&self.python)
            .arg(repo_root().join("tests/moto").join(script))
            .arg(&self.endpoint)
            .args(args)
            .output()
            .expect("the seeding script runs");
        assert!(
            out.status.success(),
            "{script} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&String::from_utf8_lossy(&out.stdout))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run the CLI with fake AWS credentials (for an emulator only).
pub fn apispm_aws(bin: &str, args: &[&str]) -> Run {
    let out = Command::new(bin)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the CLI binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
