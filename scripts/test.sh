#!/usr/bin/env bash
# Runs every test of apispm. This is the README's test command and what CI (.ci/run) calls.
# It installs and starts whatever the tests need; today that is only the Rust toolchain's
# rustfmt and clippy. Later suites (moto's server for the AWS adapters) hook in here.
set -euo pipefail
cd "$(dirname "$0")/.."

# A warm cache outside the clone: rebuilding the dependencies from scratch takes minutes.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/apispm-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test (workspace)"
cargo test --workspace --locked

echo "== the README's first command (demo estate, embedded store)"
demo_store="$(mktemp -d)/apispm.db"
cargo run --quiet --locked -p apispm -- scan examples/demo --store "$demo_store" >/dev/null
cargo run --quiet --locked -p apispm -- report --store "$demo_store" --format markdown >/dev/null
echo "all tests passed"
