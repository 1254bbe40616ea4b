//! `apispm`: the command line. Everything happens in the library (`apispm_cli::run`) so the
//! end-to-end tests drive the same code.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(apispm_cli::run(std::env::args_os()))
}
