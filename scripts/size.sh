#!/usr/bin/env bash
# Prints what a user downloads from pkg/ (wasm + JS glue + snippets), raw and gzip -9.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(pkg/pkce_wasm_bg.wasm pkg/pkce_wasm.js)
raw=0 gz=0
for f in "${files[@]}"; do
  r=$(wc -c <"$f") g=$(gzip -9c "$f" | wc -c)
  printf '  %-60s %7d B raw %7d B gzip\n' "$f" "$r" "$g"
  raw=$((raw + r)) gz=$((gz + g))
done
printf 'size: %d B raw, %d B gzip -9 (wasm + glue)\n' "$raw" "$gz"
