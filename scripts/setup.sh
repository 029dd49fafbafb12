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
# The second authorization server of the e2e tests (www/server/django/): a venv per content
# of its requirements.txt, every package pinned; pip only when that venv is not complete.
dot_venv() {
  local req=www/server/django/requirements.txt
  local venv="$HOME/.cache/pkce-wasm/venv-dot-$(sha256sum "$req" | cut -c1-12)"
  # Complete, and its interpreter still there (a venv links to the python that made it).
  if [ -f "$venv/.complete" ] && "$venv/bin/python" -c '' 2>/dev/null; then return; fi
  local python
  python=$(command -v python3 || true)
  if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    python=/usr/bin/python3
  fi
  rm -rf "$venv"
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    # Debian's python3 has no ensurepip without python3-venv.
    say "installing Debian's python3-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    python=/usr/bin/python3
    rm -rf "$venv"
    "$python" -m venv "$venv"
  fi
  say "installing django-oauth-toolkit into $venv ($("$venv/bin/python" --version))"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-input -r "$req"
  touch "$venv/.complete"
}

# The third authorization server of the e2e tests and `make demo AS=glewlwyd`: Debian's
# glewlwyd at the version www/server/glewlwyd-auth-server.mjs names. Its postinst would set up a
# database through dbconfig unless told not to: "No configuration", and dbconfig-no-thanks.
glewlwyd_package() {
  local version
  version=$(sed -n "s/^export const GLEWLWYD_VERSION = '\(.*\)';$/\1/p" www/server/glewlwyd-auth-server.mjs)
  if [ "$(dpkg-query -W -f='${Status} ${Version}' glewlwyd 2>/dev/null)" = "install ok installed $version" ]; then return; fi
  say "installing Glewlwyd $version from Debian"
  echo "glewlwyd glewlwyd/config_type select No configuration" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "glewlwyd=$version" dbconfig-no-thanks >/dev/null
}

npm_ci .
for dir in "$@"; do npm_ci "$dir"; done
for arg in "$@"; do
  if [ "$arg" = www ]; then dot_venv; glewlwyd_package; fi
done
