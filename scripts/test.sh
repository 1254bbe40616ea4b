#!/usr/bin/env bash
# Runs every test of apispm. This is the README's test command and what CI (.ci/run) calls.
# It installs what the tests need: rustfmt and clippy, and moto's server in a venv (the AWS
# integration tests start it themselves on 127.0.0.1 and a free port, and stop it after).
set -euo pipefail
cd "$(dirname "$0")/.."

# A warm cache outside the clone: rebuilding the dependencies from scratch takes minutes.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/apispm-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi

# moto's server for the AWS integration tests, in its own venv (tests start it on a free port).
venv="${APISPM_VENV:-$HOME/.cache/apispm-venv}"
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "== installing moto[server] into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "moto[server]>=5.1"
fi
export APISPM_MOTO_SERVER="$venv/bin/moto_server"
if [ ! -x "$venv/bin/cfn-lint" ]; then
  echo "== installing cfn-lint into $venv"
  "$venv/bin/pip" install --quiet cfn-lint
fi
export APISPM_CFN_LINT="$venv/bin/cfn-lint"

# Headless Chromium for the report's browser test (Debian's package).
if [ -z "${APISPM_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
export APISPM_CHROMIUM="${APISPM_CHROMIUM:-$(command -v chromium)}"

# The SARIF 2.1.0 JSON schema, from Microsoft's jest-sarif package on npm.
npm_dir="$HOME/.cache/apispm-npm"
schema="$npm_dir/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"
if [ ! -f "$schema" ]; then
  echo "== fetching the SARIF schema (npm @microsoft/jest-sarif)"
  mkdir -p "$npm_dir"
  (cd "$npm_dir" && npm install --silent --no-audit --no-fund @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null)
fi
export APISPM_SARIF_SCHEMA="$schema"

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
