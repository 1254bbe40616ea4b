//! The apispm CLI, built inside the end-to-end test package (see Cargo.toml).
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(apispm_cli::run(std::env::args_os()))
}
