// In-page measurements, driven by ../lib/browser-bench.mjs through page.evaluate. Every
// figure is a list of samples; the Node side takes medians. Nothing here asserts on time.
import { clientConfig, loadAdapter } from '/page/config.js';
import env from '/page/env.js';
import { codeFor } from '/page/token-response.js';

// Milliseconds from the library's first import to a ready client, wasm included. Runs
// first thing in a fresh page whose server forbids caching, so nothing is warm.
export async function coldStart(lib) {
  const cfg = clientConfig(lib);
  const t0 = performance.now();
  const adapter = await loadAdapter(lib);
  await adapter.create(cfg);
  return performance.now() - t0;
}

// Per-operation microseconds of authorize(), as means over batches. Each call is timed on
// its own, starting from empty storage as a user's first login does (the cleanup between
// calls is not timed); a batch adds up its calls, as one call can be shorter than the
// timer's 5 µs resolution (Chromium's jittered clamping keeps such sums unbiased).
export async function authorizeSamples(lib, { warmup, batches, perBatch }) {
  const adapter = await loadAdapter(lib);
  const client = await adapter.create(clientConfig(lib));
  const authorize = async () => {
    const url = adapter.authorize(client);
    return typeof url === 'string' ? url : await url; // no await hop for sync APIs
  };
  for (let i = 0; i < warmup; i++) {
    await authorize();
    clearStorage();
  }
  const samples = [];
  for (let b = 0; b < batches; b++) {
    let total = 0;
    for (let i = 0; i < perBatch; i++) {
      const t0 = performance.now();
      await authorize();
      total += performance.now() - t0;
      clearStorage();
    }
    samples.push((total / perBatch) * 1000);
  }
  return { samples };
}

// Microseconds of callback(), one per login: the authorization request before each is
// prepared untimed, the redirect it would produce is built here, then callback() is timed.
export async function callbackSamples(lib, { warmup, iterations }) {
  const adapter = await loadAdapter(lib);
  const client = await adapter.create(clientConfig(lib));
  const samples = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const redirect = redirectFor(await adapter.authorize(client));
    const t0 = performance.now();
    const token = await adapter.callback(client, redirect);
    const t1 = performance.now();
    if (!token) throw new Error(`${lib}: callback returned no token`);
    if (i >= warmup) samples.push((t1 - t0) * 1000);
  }
  return { samples };
}

// What the stub authorization server's /authorize would redirect to.
function redirectFor(authorizeUrl) {
  const request = new URL(authorizeUrl).searchParams;
  const redirect = new URL(request.get('redirect_uri'));
  redirect.searchParams.set('code', codeFor(request.get('nonce')));
  redirect.searchParams.set('state', request.get('state'));
  redirect.searchParams.set('iss', env.asOrigin);
  return redirect.href;
}

function clearStorage() {
  sessionStorage.clear();
  localStorage.clear();
}
