// The four measurements, all libraries in the same browser against the same servers.
// Returns raw samples and counts; medians are taken by the report.
import { withFreshPage } from './browser.mjs';
import { libraries } from './libraries.mjs';

// Iteration counts, stated in the report. The in-page measurements run in `rounds`, each
// round a fresh page per library, libraries interleaved, so a noisy moment of this small
// machine is shared out rather than landing on one library. Totals per library:
// authorize rounds × batches × perBatch calls, callback rounds × iterations logins.
// Keep warmup + iterations of a callback page under 200: Chromium ignores (silently) the
// history.replaceState calls past 200 in 10 s, which would make callbacks look cheaper.
export const ITERATIONS = {
  coldLoads: 30, // fresh pages per library, interleaved across libraries (cold start, first redirect)
  rounds: 4,
  authorize: { warmup: 100, batches: 10, perBatch: 25 },
  callback: { warmup: 20, iterations: 50 },
  callbackLoopback: { warmup: 5, iterations: 25 },
};

// In-page measurement -> harness function and whether fetch is stubbed.
const IN_PAGE = {
  authorize: { fn: 'authorizeSamples', stubFetch: true },
  callback: { fn: 'callbackSamples', stubFetch: true },
  callbackLoopback: { fn: 'callbackSamples', stubFetch: false },
};

const LOGIN_TIMEOUT_MS = 30_000; // a guard against a hung login, not a measurement

async function inHarness(browser, pageOrigin, { stubFetch }, run) {
  return withFreshPage(browser, async (page) => {
    await page.goto(`${pageOrigin}/bench.html`);
    return page.evaluate(async ({ stubFetch, run }) => {
      if (stubFetch) (await import('/page/fetch-stub.js')).installFetchStub();
      const harness = await import('/page/harness.js');
      return harness[run.fn](...run.args);
    }, { stubFetch, run });
  });
}

// Runs one measurement; a library that cannot do it is reported, not fatal.
async function attempt(fn) {
  try {
    return { value: await fn() };
  } catch (e) {
    return { error: String(e?.message ?? e).split('\n')[0] };
  }
}

// Also times pkce-wasm loaded unbundled from pkg/ ('pkce-wasm.module'), reported in a note.
const COLD_START_IDS = [...libraries.map(({ id }) => id), 'pkce-wasm.module'];

async function coldStarts(browser, pageOrigin) {
  const samples = Object.fromEntries(COLD_START_IDS.map((id) => [id, []]));
  const errors = {};
  // Round 0 is discarded: it fills the page server's file cache (the browser side is cold
  // in every round: each load is a fresh context).
  for (let round = 0; round <= ITERATIONS.coldLoads; round++) {
    for (const id of COLD_START_IDS) {
      if (errors[id]) continue;
      const r = await attempt(() => inHarness(browser, pageOrigin, { stubFetch: false },
        { fn: 'coldStart', args: [id] }));
      if (r.error) errors[id] = r.error;
      else if (round > 0) samples[id].push(r.value);
    }
  }
  return Object.fromEntries(COLD_START_IDS.map((id) => [id, errors[id] ? { error: errors[id] } : { samples: samples[id] }]));
}

// Milliseconds from navigation start of /login/<lib> (a cold static page: fresh context, nothing
// cached) to the navigation towards the authorization server's /authorize, as the page's
// Navigation API sees it leave (then cancelled: only the wait before it is measured). What a user
// waits for after pressing "Sign in" on a page that loads the library when it opens.
async function firstRedirect(browser, pageOrigin, auth, lib) {
  return withFreshPage(browser, async (page) => {
    let report;
    const left = new Promise((resolve) => { report = resolve; });
    await page.exposeFunction('benchFirstRedirect', report);
    await page.addInitScript((authorize) => {
      navigation.addEventListener('navigate', (event) => {
        if (!event.destination.url.startsWith(authorize)) return;
        event.preventDefault();
        window.benchFirstRedirect(performance.now());
      });
    }, `${auth.origin}/authorize`);
    await page.goto(`${pageOrigin}/login/${lib}`, { waitUntil: 'commit' });
    let timer;
    return Promise.race([
      left,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no authorize redirect')), LOGIN_TIMEOUT_MS); }),
    ]).finally(() => clearTimeout(timer));
  });
}

async function firstRedirects(browser, pageOrigin, auth) {
  const samples = Object.fromEntries(libraries.map(({ id }) => [id, []]));
  const errors = {};
  for (let round = 0; round <= ITERATIONS.coldLoads; round++) { // round 0 warms the page server
    for (const { id } of libraries) {
      if (errors[id]) continue;
      const r = await attempt(() => firstRedirect(browser, pageOrigin, auth, id));
      if (r.error) errors[id] = r.error;
      else if (round > 0) samples[id].push(r.value);
    }
  }
  return Object.fromEntries(libraries.map(({ id }) => [id, errors[id] ? { error: errors[id] } : { samples: samples[id] }]));
}

// One complete login: /login/<lib> -> stub /authorize -> /cb/<lib> -> token request.
// Counted twice: by the stub server's own log (authoritative: it sees preflights) and by
// Playwright's request events.
async function login(browser, pageOrigin, auth, lib) {
  return withFreshPage(browser, async (page, context) => {
    const seen = [];
    context.on('request', (req) => {
      if (req.url().startsWith(auth.origin)) seen.push({ method: req.method(), path: new URL(req.url()).pathname });
    });
    let finish;
    const done = new Promise((resolve) => { finish = resolve; });
    await page.exposeFunction('benchDone', finish);
    auth.log.length = 0;
    await page.goto(`${pageOrigin}/login/${lib}`);
    let timer;
    const result = await Promise.race([
      done,
      new Promise((resolve) => { timer = setTimeout(() => resolve({ ok: false, error: 'login did not finish' }), LOGIN_TIMEOUT_MS); }),
    ]).finally(() => clearTimeout(timer));
    return { result, server: classify(auth.log), playwright: classify(seen) };
  });
}

function classify(requests) {
  const count = (pred) => requests.filter(pred).length;
  return {
    authorize: count((r) => r.method === 'GET' && r.path === '/authorize'),
    token: count((r) => r.method === 'POST' && r.path.endsWith('/token')),
    preflight: count((r) => r.method === 'OPTIONS'),
    discovery: count((r) => r.path.startsWith('/.well-known/')),
    total: requests.length,
  };
}

async function inPageMeasurements(browser, pageOrigin) {
  const results = Object.fromEntries(libraries.map(({ id }) => [id,
    Object.fromEntries(Object.keys(IN_PAGE).map((m) => [m, { value: { samples: [] } }]))]));
  for (let round = 0; round < ITERATIONS.rounds; round++) {
    for (const { id } of libraries) {
      for (const [m, { fn, stubFetch }] of Object.entries(IN_PAGE)) {
        const sofar = results[id][m];
        if (sofar.error) continue;
        const r = await attempt(() => inHarness(browser, pageOrigin, { stubFetch }, { fn, args: [id, ITERATIONS[m]] }));
        if (r.error) results[id][m] = r;
        else sofar.value.samples.push(...r.value.samples);
      }
    }
  }
  return results;
}

export async function runBrowserBench(browser, pageOrigin, auth) {
  const timer = await withFreshPage(browser, async (page) => {
    await page.goto(`${pageOrigin}/bench.html`);
    return page.evaluate(() => ({ crossOriginIsolated }));
  });
  const cold = await coldStarts(browser, pageOrigin);
  const first = await firstRedirects(browser, pageOrigin, auth);
  const perLibrary = await inPageMeasurements(browser, pageOrigin);
  for (const { id } of libraries) perLibrary[id].login = await attempt(() => login(browser, pageOrigin, auth, id));
  return { timer, cold, first, perLibrary };
}
