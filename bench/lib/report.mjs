// Turns the measurements into the markdown printed by `make bench` and kept in
// bench/README.md between the bench markers. Medians only; ratios are peer / pkce-wasm,
// so a ratio above 1 means pkce-wasm is smaller or faster.
import { readFile, writeFile } from 'node:fs/promises';
import { ITERATIONS } from './browser-bench.mjs';
import { libraries, peers } from './libraries.mjs';
import { median } from './stats.mjs';

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const fixed = (x, digits) => (x === undefined ? 'n/a' : x.toFixed(digits));

function ratio(value, base) {
  if (value === undefined || base === undefined) return 'n/a';
  return `${(value / base).toFixed(1)}×`;
}

function medianOf(measurement) {
  const samples = measurement?.value?.samples ?? measurement?.samples;
  return samples?.length ? median(samples) : undefined;
}

function networkCell(login) {
  if (login.error) return { token: 'n/a', preflight: 'n/a', discovery: 'n/a' };
  const { server, playwright, result } = login.value;
  // The server's log is authoritative; Playwright's view is shown when it differs.
  const cell = (key) => (server[key] === playwright[key] ? `${server[key]}` : `${server[key]} (Playwright: ${playwright[key]})`);
  const failed = result.ok ? '' : ' ⚠';
  return { token: cell('token') + failed, preflight: cell('preflight'), discovery: cell('discovery') };
}

function rows(results) {
  const base = {
    gzip: results.sizes['pkce-wasm'].gzip,
    cold: medianOf(results.cold['pkce-wasm']),
    first: medianOf(results.first['pkce-wasm']),
    authorize: medianOf(results.perLibrary['pkce-wasm'].authorize),
    callback: medianOf(results.perLibrary['pkce-wasm'].callback),
  };
  return libraries.map(({ id }) => {
    const size = results.sizes[id];
    const lib = results.perLibrary[id];
    const cold = medianOf(results.cold[id]);
    const first = medianOf(results.first[id]);
    const authorize = medianOf(lib.authorize);
    const callback = medianOf(lib.callback);
    const net = networkCell(lib.login);
    return [
      id, results.versions[id], `${size.raw}`, `${size.gzip} (${kib(size.gzip)})`, ratio(size.gzip, base.gzip),
      fixed(cold, 1), ratio(cold, base.cold),
      fixed(first, 1), ratio(first, base.first),
      fixed(authorize, 1), ratio(authorize, base.authorize),
      fixed(callback, 0), ratio(callback, base.callback),
      fixed(medianOf(lib.callbackLoopback), 0),
      net.token, net.preflight, net.discovery,
    ];
  });
}

const HEADER = [
  'library', 'version', 'raw B', 'gzip -9 B', 'gzip ×',
  'cold start ms', '×', 'first redirect ms', '×', 'authorizeUrl µs', '×', 'callback µs (stub)', '×',
  'callback µs (loopback)', 'token req', 'preflights', 'discovery',
];

function table(body) {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function failures(results) {
  const notes = [];
  for (const { id } of libraries) {
    if (results.cold[id].error) notes.push(`- ${id}, cold start: ${results.cold[id].error}`);
    if (results.first[id].error) notes.push(`- ${id}, first redirect: ${results.first[id].error}`);
    for (const [what, m] of Object.entries(results.perLibrary[id])) {
      if (m.error) notes.push(`- ${id}, ${what}: ${m.error}`);
      else if (what === 'login' && !m.value.result.ok) notes.push(`- ${id}, login: ${m.value.result.error}`);
    }
  }
  return notes;
}

export function renderReport(results) {
  const { machine, chromium, timer, sizes, wholePackages, pkceWasmBundled, pkceWasmParts } = results;
  const { rounds, authorize: a, callback: c, callbackLoopback: l } = ITERATIONS;
  const problems = failures(results);
  return [
    table(rows(results)),
    '',
    `Machine: ${machine.nproc} cores, ${machine.cpu}, 1-min load average ${machine.load} at the start; Chromium ${chromium} (headless, playwright-core ${results.playwright}); Node ${machine.node}. Run ${results.date}.`,
    `Command: \`make bench\` (= \`make pkg && cd bench && npm ci && node run.mjs\`).`,
    '',
    `- Sizes: pkce-wasm is \`pkg/pkce_wasm_bg.wasm\` (${pkceWasmParts.wasm.raw} B, ${pkceWasmParts.wasm.gzip} B gzip) + \`pkg/pkce_wasm.js\` (the JS driver and wasm-bindgen's glue, one file) as shipped (${pkceWasmParts.glue.raw} B, ${pkceWasmParts.glue.gzip} B gzip)${pkceWasmParts.snippets.files.length ? ` + \`pkg/snippets/\` (${pkceWasmParts.snippets.raw} B, ${pkceWasmParts.snippets.gzip} B gzip)` : ''}; with the glue minified by esbuild like the peers: ${pkceWasmBundled.raw} B raw, ${pkceWasmBundled.gzip} B (${kib(pkceWasmBundled.gzip)}) gzip. Peers: \`entries/<lib>.js\` bundled by esbuild (bundle, minify, ESM, browser). Each file gzipped on its own at level 9.`,
    `- Whole peer packages (\`export *\`, same esbuild settings), for reference: ${peers.map(({ id }) => `${id} ${kib(wholePackages[id].gzip)}`).join(' · ')}.`,
    `- PEERS.md measured (cross-check): ${peers.map((l) => `${l.id} ${l.peersMd}`).join(' · ')}.`,
    `- Cold start: median of ${ITERATIONS.coldLoads} fresh pages per library (own browser context, \`Cache-Control: no-store\`), from \`import()\` of the library to a constructed client, wasm fetch + compile + instantiate included. pkce-wasm's glue is bundled with the page's code like the peers; loaded unbundled from \`pkg/\` (\`<script type="module">\`, one more request) its median is ${fixed(medianOf(results.cold['pkce-wasm.module']), 1)} ms.`,
    `- First redirect ("time to first authorize redirect"): median of ${ITERATIONS.coldLoads} fresh pages per library, interleaved, from navigation start of \`/login/<lib>\` (a static page: its script imports the library, makes a client and calls its login; fresh context, \`Cache-Control: no-store\`, no preload hints) to the navigation towards \`/authorize\` (seen by the Navigation API, then cancelled). pkce-wasm's includes its .wasm download, compile and instantiation.`,
    `- authorizeUrl: verifier + S256 challenge + state + sessionStorage write + URL, each call from empty storage like a first login (cleared untimed between calls); median of ${rounds * a.batches} batches × ${a.perBatch} calls (${rounds} fresh pages × ${a.batches} batches, each page after ${a.warmup} warm-up calls), per call; calls timed one by one and summed per batch.`,
    `- Callback: validate the redirect, one token request, token response checks, \`history.replaceState\`; median of ${rounds * c.iterations} logins (${rounds} fresh pages × ${c.iterations}, each page after ${c.warmup} warm-up). "stub": \`window.fetch\` replaced by the same immediate in-page token endpoint for every library; "loopback": the real stub server on a second 127.0.0.1 origin (${rounds} × ${l.iterations} logins, ${l.warmup} warm-up each). Libraries are interleaved page by page.`,
    `- Network: one complete login per library (login page → stub /authorize → callback page), requests to the authorization server's origin as logged by that server${''} (Playwright's request events shown where they differ).`,
    `- Timer: pages are cross-origin isolated (\`crossOriginIsolated\` = ${timer.crossOriginIsolated}), so \`performance.now()\` has Chromium's 5 µs resolution.`,
    ...(problems.length ? ['', 'Not measured:', ...problems] : []),
  ].join('\n');
}

export async function writeReadme(path, report) {
  const text = await readFile(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path}: missing ${START} / ${END} markers`);
  await writeFile(path, `${text.slice(0, start + START.length)}\n${report}\n${text.slice(end)}`);
}
