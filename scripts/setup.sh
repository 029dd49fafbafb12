#!/usr/bin/env bash
# Installs what the build and the tests need, only what is missing; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { echo "setup: $*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The three browser engines and their WebDriver servers (tests/browsers/engines.mjs), from
# Debian, in one apt-get run for whatever is missing. WebKitGTK has no headless mode: Xvfb.
missing=()
for package in chromium chromium-driver firefox-esr webkit2gtk-driver xvfb curl; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing from Debian: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# geckodriver is a Rust crate: built once, at the version engines.mjs names, into its cache.
read -r gecko_version gecko_bin < <(node --input-type=module -e \
  "import { GECKODRIVER_VERSION, GECKODRIVER } from './tests/browsers/engines.mjs'; console.log(GECKODRIVER_VERSION, GECKODRIVER)")
if [ ! -x "$gecko_bin" ]; then
  say "building geckodriver $gecko_version (once, a few minutes)"
  cargo install -q geckodriver --version "$gecko_version" --locked --root "$(dirname "$(dirname "$gecko_bin")")"
fi

# The wasm-bindgen CLI must be exactly the library version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (had: ${have:-none})"
  cargo install -q wasm-bindgen-cli --version "$want" --force
fi

# npm ci only when the lockfile changed since the last install.
npm_ci() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci .
for dir in "$@"; do npm_ci "$dir"; done
