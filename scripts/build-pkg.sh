#!/usr/bin/env bash
# Builds pkg/ from a clean checkout: cargo -> wasm-bindgen (web target) -> wasm-opt -Oz -> package files.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --release --target wasm32-unknown-unknown -p pkce-wasm-cdylib
rm -rf pkg
wasm-bindgen --target web --no-typescript --out-dir pkg --out-name pkce_wasm target/wasm32-unknown-unknown/release/pkce_wasm_cdylib.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  pkg/pkce_wasm_bg.wasm -o pkg/pkce_wasm_bg.wasm

# OAuthError is a JS class (wasm-bindgen cannot subclass Error); export it from the entry module.
snippet=$(cd pkg && ls snippets/*/js/oauth_error.js)
printf "export { OAuthError } from './%s';\n" "$snippet" >> pkg/pkce_wasm.js
cp js/pkce_wasm.d.ts js/package.json pkg/
cp README.md pkg/ 2>/dev/null || true
echo "pkg/: $(wc -c < pkg/pkce_wasm_bg.wasm) B wasm, $(wc -c < pkg/pkce_wasm.js) B glue"
