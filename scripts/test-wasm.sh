#!/usr/bin/env bash
# Runs the wasm-bindgen-test suites in headless Chromium against the token endpoint stub.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

exec 3< <(exec node tests/stub/token-stub.mjs)
stub=$!
trap 'kill $stub 2>/dev/null || true' EXIT
read -r origin <&3 || { echo "token stub failed to start" >&2; exit 1; }

PKCE_WASM_STUB=$origin \
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --test browser "$@"
