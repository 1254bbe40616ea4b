#!/usr/bin/env bash
# Runs every test of apispm. This is the README's test command and what CI (.ci/run) calls.
# It installs what the tests need: rustfmt and clippy, moto's server and cfn-lint in a venv (the
# AWS integration tests start moto themselves on 127.0.0.1 and a free port, and stop it after),
# the SAM CLI with cargo-lambda and zig in another, Chromium, and the SARIF schema from npm.
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

# SAM CLI (in its own venv: it pins boto3), cargo-lambda (the prebuilt binary from PyPI) and zig
# (the linker cargo-lambda cross-builds with): for `sam validate --lint`, `sam build`, and the test
# that runs the function binaries under `cargo lambda watch`.
sam_venv="${APISPM_SAM_VENV:-$HOME/.cache/apispm-sam}"
if [ ! -x "$sam_venv/bin/sam" ] || [ ! -x "$sam_venv/bin/cargo-lambda" ] || [ ! -x "$sam_venv/bin/python-zig" ]; then
  echo "== installing aws-sam-cli, cargo-lambda and ziglang into $sam_venv"
  python3 -m venv "$sam_venv"
  "$sam_venv/bin/pip" install --quiet --upgrade pip
  "$sam_venv/bin/pip" install --quiet aws-sam-cli cargo-lambda ziglang
fi
export APISPM_CARGO_LAMBDA="$sam_venv/bin/cargo-lambda"

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

echo "== sam validate --lint, sam build (x86_64: the arm64 standard library cannot be installed here)"
(
  export PATH="$sam_venv/bin:$PATH" AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true SAM_CLI_TELEMETRY=0 \
    SAM_BUILD_MODE=debug
  sam validate --lint -t infra/template.yaml
  build_dir="$(mktemp -d)"
  sam build -t infra/template.yaml --build-dir "$build_dir" --parameter-overrides Architecture=x86_64 >/dev/null
  for fn in SweepFunction ReportFunction; do
    # An x86-64 ELF executable named bootstrap, as provided.al2023 runs it.
    python3 - "$build_dir/$fn/bootstrap" <<'PY'
import sys
head = open(sys.argv[1], "rb").read(20)
assert head[:4] == b"\x7fELF" and head[18] == 0x3E, f"{sys.argv[1]}: not an x86-64 ELF executable"
print(f"built {sys.argv[1]}")
PY
  done
  rm -rf "$build_dir"
)

echo "== the README's first command (demo estate, embedded store)"
demo_store="$(mktemp -d)/apispm.db"
cargo run --quiet --locked -p apispm -- scan examples/demo --store "$demo_store" >/dev/null
cargo run --quiet --locked -p apispm -- report --store "$demo_store" --format markdown >/dev/null
echo "all tests passed"
