// What scripts/test-wasm.sh hands wasm-bindgen-test-runner for one engine, from engines.mjs:
//   node tests/browsers/webdriver-json.mjs <engine> <proxyPort>   the capabilities (JSON), for
//                                                                 WASM_BINDGEN_TEST_WEBDRIVER_JSON
//   node tests/browsers/webdriver-json.mjs <engine> --driver-args the driver's arguments without
//                                                                 --port (the runner adds it), for
//                                                                 <DRIVER>_ARGS
//   node tests/browsers/webdriver-json.mjs <engine> --driver      the driver's path
//   node tests/browsers/webdriver-json.mjs <engine> --env <dir>   KEY=value lines: where the
//                                                                 driver and browser write (scratchEnv)
import { ENGINES, scratchEnv } from './engines.mjs';

const [name, what] = process.argv.slice(2);
const engine = ENGINES[name];
if (!engine || !what) {
  console.error(`usage: webdriver-json.mjs <${Object.keys(ENGINES).join('|')}> <proxyPort|--driver-args|--driver|--env dir>`);
  process.exit(2);
}
if (what === '--env') {
  for (const [key, value] of Object.entries(scratchEnv(process.argv[4]))) console.log(`${key}=${value}`);
} else if (what === '--driver') {
  console.log(engine.driver);
} else if (what === '--driver-args') {
  console.log(engine.driverArgs(0).filter((arg) => !arg.startsWith('--port')).join(' '));
} else {
  const port = Number(what);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`not a port: ${what}`);
  console.log(JSON.stringify(engine.capabilities(port), null, 2));
}
