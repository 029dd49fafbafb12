#!/usr/bin/env bash
# Runs the wasm-bindgen-test suite (tests/browser.rs) in each browser engine of
# tests/browsers/engines.mjs, one after the other: Chromium, Firefox ESR, WebKitGTK
# ($PKCE_WASM_ENGINES, comma-separated, picks some). One token endpoint stub serves them all
# (reset before each engine); its black hole receives every non-loopback request the browsers
# make, and its count is printed per engine. Drivers, browsers and their profiles keep their
# temporary files in one folder, removed on exit. Arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
unset CHROMEDRIVER GECKODRIVER SAFARIDRIVER MSEDGEDRIVER CHROMEDRIVER_REMOTE GECKODRIVER_REMOTE SAFARIDRIVER_REMOTE MSEDGEDRIVER_REMOTE

engines=${PKCE_WASM_ENGINES:-chromium,firefox,webkit}
run=$(mktemp -d /tmp/pkce-wasm-browsers.XXXXXX)
pids=()
cleanup() {
  local pid i
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for i in {1..50}; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$run"
}
trap cleanup EXIT

exec 3< <(exec node tests/stub/token-stub.mjs)
pids+=($!)
read -r origin <&3 && read -r hole <&3 || { echo "token stub failed to start" >&2; exit 1; }
export PKCE_WASM_STUB=$origin
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# The runner's default of 20 s for the whole suite is tight on a loaded 2-core machine.
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}
helper() { node tests/browsers/webdriver-json.mjs "$@"; }
since() { awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.1f", t1 - t0 }'; }

IFS=, read -r -a selected <<<"$engines"
for engine in "${selected[@]}"; do
  driver=$(helper "$engine" --driver 2>/dev/null) || { echo "test-wasm: no engine '$engine' in tests/browsers/engines.mjs" >&2; exit 2; }
  [ -x "$driver" ] || { echo "test-wasm: $driver is missing: run scripts/setup.sh" >&2; exit 2; }
done

start=$(date +%s.%N)
cargo test --target wasm32-unknown-unknown --test browser --no-run
echo "test-wasm: build $(since "$start") s"

# WebKitGTK has no headless mode: one Xvfb for its runs.
display=
start_xvfb() {
  exec 4< <(exec Xvfb -displayfd 1 -nolisten tcp -screen 0 1280x1024x24 2>"$run/xvfb.log")
  pids+=($!)
  read -r display <&4 || { echo "Xvfb failed to start" >&2; cat "$run/xvfb.log" >&2; exit 1; }
}

# Runs the suite in engine $1; sets `result` to "passed failed seconds".
run_engine() {
  local engine=$1 dir=$run/$1 relay= t0
  shift
  t0=$(date +%s.%N)
  mkdir -p "$dir"
  helper "$engine" "$hole" >"$dir/webdriver.json"
  local env
  mapfile -t env < <(helper "$engine" --env "$dir")
  env+=(WASM_BINDGEN_TEST_WEBDRIVER_JSON="$dir/webdriver.json")
  case $engine in
    chromium) env+=(CHROMEDRIVER="$(helper chromium --driver)") ;;
    firefox)
      env+=(GECKODRIVER="$(helper firefox --driver)" GECKODRIVER_ARGS="$(helper firefox --driver-args)") ;;
    webkit)
      # The runner's Safari path sends empty capabilities: a relay in front of WebKitWebDriver
      # puts the engine's (MiniBrowser's flags, the black hole as proxy) into the new session.
      [ -n "$display" ] || start_xvfb
      exec 5< <(exec env "${env[@]}" DISPLAY=":$display" node tests/browsers/webdriver-relay.mjs webkit "$hole" 2>"$dir/driver.log")
      relay=$!
      pids+=($relay)
      local url
      read -r url <&5 || { echo "webdriver relay failed to start" >&2; cat "$dir/driver.log" >&2; exit 1; }
      env+=(SAFARIDRIVER_REMOTE="$url") ;;
  esac
  curl -fsS -X POST "$origin/reset"
  local status=0
  env "${env[@]}" cargo test --target wasm32-unknown-unknown --test browser "$@" 2>&1 | tee "$dir/output.log" || status=$?
  local seconds
  seconds=$(since "$t0")
  if [ -n "$relay" ]; then
    kill "$relay" 2>/dev/null || true
    for _ in {1..50}; do kill -0 "$relay" 2>/dev/null || break; sleep 0.1; done
    [ "$status" = 0 ] || { echo "WebKitWebDriver output:"; sed 's/^/    /' "$dir/driver.log"; }
  fi
  local line passed=0 failed=0
  line=$(grep -o 'test result: [a-zA-Z]*\. [0-9]* passed; [0-9]* failed' "$dir/output.log" | tail -1 || true)
  if [ -n "$line" ]; then
    passed=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
    failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  fi
  # A run that fails without a result line (no session, a crash) counts as one failure.
  if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
  result="$passed $failed $seconds"
}

summary=()
failures=0
for engine in "${selected[@]}"; do
  echo "=== test-wasm: $engine ==="
  run_engine "$engine" "$@"
  read -r passed failed seconds <<<"$result"
  blackhole=$(curl -fsS "$origin/blackhole/summary")
  summary+=("$(printf '%-9s %3s passed %3s failed %7s s   black hole: %s' "$engine" "$passed" "$failed" "$seconds" "$blackhole")")
  failures=$((failures + failed))
done

echo "=== test-wasm: per engine ==="
printf '  %s\n' "${summary[@]}"
[ "$failures" = 0 ] || { echo "test-wasm: $failures failed" >&2; exit 1; }
