// `make bench`: sizes and browser timings of pkce-wasm and its peers, side by side, in one
// run against one page server. Prints the table and writes it into README.md.
// Needs ../pkg (make pkg) and `npm ci` here. No figure is asserted: this only reports.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAuthServer } from './lib/auth-server.mjs';
import { launchChromium } from './lib/browser.mjs';
import { runBrowserBench } from './lib/browser-bench.mjs';
import { buildBundles } from './lib/build.mjs';
import { libraries } from './lib/libraries.mjs';
import { machine } from './lib/machine.mjs';
import { startPageServer } from './lib/page-server.mjs';
import { benchDir, pkgDir } from './lib/paths.mjs';
import { failures, renderReport, writeReadme } from './lib/report.mjs';
import { measureSizes } from './lib/sizes.mjs';

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

function versions() {
  return Object.fromEntries(libraries.map(({ id, npm }) => [id, npm
    ? readJson(join(benchDir, 'node_modules', npm, 'package.json')).version
    : readJson(join(pkgDir, 'package.json')).version]));
}

if (!existsSync(join(pkgDir, 'pkce_wasm.js'))) {
  console.error('bench: ../pkg/pkce_wasm.js is missing; run `make pkg` first');
  process.exit(1);
}

const started = performance.now();
await buildBundles();
const sizes = await measureSizes();

const machineInfo = machine(); // before the run adds its own load
let auth;
let pages;
let browser;
let measured;
try {
  auth = await startAuthServer();
  pages = await startPageServer({ asOrigin: auth.origin, clientId: 'bench-client' });
  browser = await launchChromium();
  measured = await runBrowserBench(browser, pages.origin, auth);
  measured.chromium = browser.version();
} finally {
  await browser?.close();
  await pages?.close();
  await auth?.close();
}

const results = {
  ...measured,
  ...sizes,
  versions: versions(),
  machine: machineInfo,
  playwright: readJson(join(benchDir, 'node_modules', 'playwright-core', 'package.json')).version,
  date: new Date().toISOString().slice(0, 10),
};
const report = renderReport(results);
console.log(report);
await writeReadme(join(benchDir, 'README.md'), report);
console.log(`\nbench: wrote README.md in ${((performance.now() - started) / 1000).toFixed(0)} s`);
// A measurement that could not be taken fails the run (after reporting), so breakage in
// the package or a peer upgrade is not mistaken for a result. Timings are never judged.
if (failures(results).length) {
  console.error('bench: some measurements failed (see "Not measured" above)');
  process.exitCode = 1;
}
