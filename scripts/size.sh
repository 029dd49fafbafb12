#!/usr/bin/env bash
# Prints what a user downloads from pkg/ (wasm + JS glue), raw and gzip -9, and fails when
# the gzip total is over the budget in scripts/size-budget; then, not counted, the worker file and
# the framework entries' sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
raw=0 gz=0
for f in pkg/pkce_wasm_bg.wasm pkg/pkce_wasm.js; do
  r=$(wc -c <"$f") g=$(gzip -9c "$f" | wc -c)
  printf '  %-24s %7d B raw %7d B gzip -9\n' "$f" "$r" "$g"
  raw=$((raw + r)) gz=$((gz + g))
done
# tokenStorage "worker" only: the worker (its own copy of the glue) is fetched when such a client starts.
w=pkg/pkce_wasm_worker.js
printf '  %-24s %7d B raw %7d B gzip -9 (tokenStorage "worker" only; not in the total)\n' "$w" "$(wc -c <"$w")" "$(gzip -9c "$w" | wc -c)"
budget=$(sed -n 's/^max_gzip=//p' scripts/size-budget)
printf 'size: %d B raw, %d B gzip -9 (budget %d B gzip)\n' "$raw" "$gz" "$budget"
# The framework entries are files of their own, loaded only by apps that import them: shown, not counted.
for f in pkg/framework.js pkg/react.js pkg/vue.js; do
  printf '  %-24s %7d B raw %7d B gzip -9 (%s, not in the total)\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)" "$(case $f in *framework*) echo "shared by both";; *) echo "pkce-wasm/$(basename "$f" .js)";; esac)"
done
if [ "$gz" -gt "$budget" ]; then
  echo "size: over budget by $((gz - budget)) B" >&2
  exit 1
fi
