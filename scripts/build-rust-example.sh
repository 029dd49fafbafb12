#!/usr/bin/env bash
# Builds the Rust example (www/rust/, its own workspace and target dir) into www/rust/dist/:
# cargo (wasm32, release) -> wasm-bindgen --target web -> wasm-opt -Oz, plus index.html.
# Quick when nothing changed: cargo's no-op build, and the rest only when its output is newer.
# Also checks that the README's "Using it from Rust" block is www/rust/src/readme.rs's snippet,
# which this build compiles.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

crate=www/rust
dist=$crate/dist
wasm=$crate/target/wasm32-unknown-unknown/release/pkce_wasm_rust_example.wasm

# The README's first ```rust block after "## Using it from Rust", against the marked snippet.
readme_block=$(awk '/^## Using it from Rust/ { s = 1 } s && /^```rust$/ { b = 1; next } b && /^```$/ { exit } b' README.md)
snippet=$(awk '/^\/\/ README end$/ { exit } s; /^\/\/ README begin$/ { s = 1 }' $crate/src/readme.rs)
if [ "$readme_block" != "$snippet" ]; then
  echo "build-rust-example: README.md's \"Using it from Rust\" block differs from $crate/src/readme.rs:" >&2
  diff <(echo "$snippet") <(echo "$readme_block") >&2 || true
  exit 1
fi

cargo build --quiet --release --target wasm32-unknown-unknown --manifest-path $crate/Cargo.toml

if [ "$dist/app_bg.wasm" -nt "$wasm" ] && [ "$dist/index.html" -nt "$crate/index.html" ]; then
  exit 0 # up to date
fi
rm -rf "$dist"
wasm-bindgen --target web --no-typescript --out-dir "$dist" --out-name app "$wasm"
wasm-opt -Oz --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue \
  "$dist/app_bg.wasm" -o "$dist/app_bg.wasm"
cp $crate/index.html "$dist/"
echo "$dist/: $(wc -c < "$dist/app_bg.wasm") B wasm ($(gzip -9c "$dist/app_bg.wasm" | wc -c) B gzip -9), $(cat "$dist"/*.js $(find "$dist/snippets" -name '*.js' 2>/dev/null) | wc -c) B JS"
