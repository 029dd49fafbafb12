#!/usr/bin/env bash
# Builds pkg/ from a clean checkout: cargo -> wasm-bindgen (web target) -> wasm-opt -Oz (short import and
# export names, renamed in the glue too) -> the JS driver bundled with the glue -> package files.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --release --target wasm32-unknown-unknown -p pkce-wasm-cdylib
rm -rf pkg
wasm-bindgen --target web --no-typescript --out-dir pkg --out-name pkce_wasm target/wasm32-unknown-unknown/release/pkce_wasm_cdylib.wasm
# --low-memory-unused: rustc links wasm32 stack-first (stack below 1 MiB, data and heap above),
# so addresses under 1024 are never touched; binaryen may then fold constant offsets into loads.
# -Oz, then --flatten --rereloop (control flow rebuilt from scratch) and -Oz again until it stops
# shrinking (--converge), then one more -Oz that also minifies the names (a run of its own: under
# --converge the minifier would run, and print its map, repeatedly): ~270 B gzip smaller than
# one -Oz, for ~10 s more build time.
# -ocimfs=30: a function with one caller is inlined only when it is at most 30 B. Browsers compile
# wasm functions lazily, on first call, so what one function inlines is compiled whole by the first
# call that enters it: Core::call's rarely used steps (Core::call_later) and a callback's checks
# (Core::redeem) stay functions of their own. It also makes the module ~370 B gzip smaller.
features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue"
wasm-opt -Oz --flatten --rereloop -Oz --converge $features --low-memory-unused -ocimfs=30 \
  pkg/pkce_wasm_bg.wasm -o pkg/pkce_wasm_bg.wasm
wasm-opt -Oz --strip-producers --strip-target-features $features --minify-imports-and-exports-and-modules \
  --low-memory-unused -ocimfs=30 pkg/pkce_wasm_bg.wasm -o pkg/pkce_wasm_bg.wasm > target/wasm-names.json
node scripts/minify-names.mjs target/wasm-names.json pkg/pkce_wasm.js

# The entry module is the hand-written driver (js/pkce_wasm.js: PkceClient, fetch, IndexedDB,
# Web Locks) over the glue; OAuthError is a JS class (wasm-bindgen cannot subclass Error) that
# the wasm constructs through a snippet, which the driver re-exports. Bundled and minified, so
# a page loads exactly two files.
mv pkg/pkce_wasm.js pkg/glue.js
# The page hands its compiled module to the token worker (tokenStorage "worker", js/worker_link.js).
sed -i 's/^export { initSync, __wbg_init as default };$/export { initSync, __wbg_init as default, wasmModule };/' pkg/glue.js
grep -q '^export { initSync, __wbg_init as default, wasmModule };$' pkg/glue.js || { echo "glue: no export line to add wasmModule to" >&2; exit 1; }
snippet=$(cd pkg && ls snippets/*/js/oauth_error.js)
cp js/pkce_wasm.js js/send.js js/exchange.js js/shared_store.js js/dpop_key.js js/worker_link.js js/worker.js pkg/
sed -i "s#'./oauth_error.js'#'./$snippet'#" pkg/pkce_wasm.js pkg/worker_link.js pkg/worker.js
esbuild pkg/pkce_wasm.js --bundle --minify --format=esm --target=es2020 --log-level=warning \
  --outfile=pkg/pkce_wasm.min.js
mv pkg/pkce_wasm.min.js pkg/pkce_wasm.js
# tokenStorage "worker": the dedicated module worker (js/worker.js), a file of its own next to the
# wasm, with its own copy of the glue (it instantiates the module the page compiled). The page
# starts it from new URL('./pkce_wasm_worker.js', import.meta.url) (js/worker_link.js).
esbuild pkg/worker.js --bundle --minify --format=esm --target=es2020 --log-level=warning \
  --outfile=pkg/pkce_wasm_worker.js
rm -r pkg/snippets pkg/glue.js pkg/send.js pkg/exchange.js pkg/shared_store.js pkg/dpop_key.js pkg/worker_link.js pkg/worker.js
# The framework entries (pkce-wasm/react, pkce-wasm/vue) and what they share (framework.js):
# minified one by one, not bundled, so './pkce_wasm.js' (the module above, one instance for the
# app and the entry), './framework.js' and 'react' or 'vue' (the app's copy) stay imports.
for entry in framework react vue; do
  esbuild js/$entry.js --minify --format=esm --target=es2020 --log-level=warning --outfile=pkg/$entry.js
done
cp js/pkce_wasm.d.ts js/react.d.ts js/vue.d.ts js/package.json pkg/
cp README.md pkg/ 2>/dev/null || true
echo "pkg/: $(wc -c < pkg/pkce_wasm_bg.wasm) B wasm, $(wc -c < pkg/pkce_wasm.js) B glue, $(wc -c < pkg/pkce_wasm_worker.js) B worker, $(wc -c < pkg/react.js) B react.js, $(wc -c < pkg/vue.js) B vue.js"
