// tokenStorage "worker" (issue 14), in each browser engine, against oidc-provider on 127.0.0.1:
// the code exchange and every refresh run in the package's dedicated module worker
// (pkg/pkce_wasm_worker.js), and the refresh token exists only in that worker's memory. The page
// is tests/e2e/fixtures/worker/ (the client on `window.client`); the refresh tokens the tests
// look for come from the authorization server's own record (`auth.refreshTokens`), never from
// the page. The plain HTML example is driven in this mode too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

import { apiConfig, exampleConfig } from '../../www/server/examples.mjs';
import { startAuthServer } from '../../www/server/auth-server.mjs';
import { startResourceServer } from '../../www/server/resource-server.mjs';
import { startStaticServer } from '../../www/server/static-server.mjs';
import { eachEngine, launchBrowser, redeemDirectly, settled, signIn, startWorld } from './harness.mjs';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

/** The policy the issue names; the worker script is served with it too (its own answer's). */
export const STRICT_CSP = "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; require-trusted-types-for 'script'";

/**
 * The fixture page on its own server (with `csp`, STRICT_CSP or that policy on every answer), an authorization
 * server that knows it, and with `api` the resource server. Returns { origin, auth, api, page, stop }.
 */
async function startFixture({ mode = 'worker', api = false, dpop = false, csp = false, authOptions = {}, headScript = null, root = path('./fixtures/worker') } = {}) {
  const stops = [];
  const stop = () => Promise.all(stops.map((close) => close()));
  try {
    const headers = csp ? { 'content-security-policy': csp === true ? STRICT_CSP : csp } : {};
    const page = await startStaticServer({ root, mounts: { '/pkg/': path('../../pkg') }, headers });
    stops.push(() => page.close());
    const server = api ? await startResourceServer({ allowedOrigins: [page.origin] }) : null;
    if (server) stops.push(() => server.close());
    const resource = server ? { resource: server.resource, dpop } : {};
    const auth = await startAuthServer({ clientOrigins: [page.origin], ...resource, ...authOptions });
    stops.push(() => auth.close());
    server?.connect({ issuer: auth.issuer, introspection: auth.introspectionClient });
    page.setConfig({ ...exampleConfig(auth.issuer, page.origin), ...(server ? apiConfig(server, { dpop }) : {}), tokenStorage: mode });
    page.setHeadScript(headScript);
    return { origin: page.origin, auth, api: server, page, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The fixture page built by Vite (www/'s Vite 7) as an app importing "pkce-wasm" would be:
 * { root (its dist/), files (paths in it), remove() }.
 */
async function viteBuild() {
  const dir = await mkdtemp(join(tmpdir(), 'pkce-wasm-vite-'));
  const source = path('./fixtures/worker');
  await writeFile(join(dir, 'index.html'), await readFile(join(source, 'index.html')));
  await writeFile(join(dir, 'app.js'), (await readFile(join(source, 'app.js'), 'utf8')).replace("'/pkg/pkce_wasm.js'", "'pkce-wasm'"));
  const config = { root: dir, logLevel: 'error', resolve: { alias: { 'pkce-wasm': path('../../pkg/pkce_wasm.js') } }, build: { target: 'es2022' } };
  await writeFile(join(dir, 'vite.config.mjs'), `export default ${JSON.stringify(config)};`);
  await promisify(execFile)(path('../../www/node_modules/.bin/vite'), ['build', dir, '--config', join(dir, 'vite.config.mjs')], { cwd: dir });
  const root = join(dir, 'dist');
  const files = (await readdir(root, { recursive: true })).map((f) => f.split(sep).join('/'));
  return { root, files, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Opens the fixture in a new tab and signs in with client.login() (consent: a refresh token). */
async function login(browser, world) {
  const tab = await browser.newTab(`${world.origin}/`);
  await tab.waitFor(() => ['signed-out', 'failed'].includes(document.getElementById('status')?.dataset.state));
  assert.equal(await tab.eval(() => document.getElementById('status').dataset.state), 'signed-out', JSON.stringify(await tab.eval(() => window.failure ?? null)));
  await tab.eval(() => {
    window.client.login({ extraParams: { prompt: 'consent' } });
  });
  await tab.waitFor(() => ['signed-in', 'failed'].includes(document.getElementById('status')?.dataset.state) && location.search === '');
  const failure = await tab.eval(() => window.failure ?? null);
  assert.equal(failure, null, `the callback failed: ${JSON.stringify(failure)}`);
  return tab;
}

/** Runs `fn(...args)` in the page: { value } or the error's { code, field, isOAuthError }. */
function attempt(tab, fn, ...args) {
  return tab.eval(async (body, rest) => {
    try {
      // eslint-disable-next-line no-new-func
      return { value: await new Function(`return (${body})(...arguments)`)(...rest) };
    } catch (e) {
      return { code: e?.code ?? String(e), field: e?.field, isOAuthError: e?.name === 'OAuthError' };
    }
  }, fn.toString(), args);
}

const tokenGrants = (auth, type) => auth.grants.filter((g) => g.grantType === type);

eachEngine('tokenStorage "worker"', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('signs in through the worker: the page holds no refresh token, getAccessToken() refreshes there, logout revokes it', async () => {
    // Access tokens live 10 s, inside the 30 s refreshLeeway: every getAccessToken() refreshes.
    const world = await startFixture({ authOptions: { accessTokenTtl: 10 } });
    try {
      const tab = await login(browser, world);
      const held = await tab.eval(() => window.client.tokens());
      assert.equal(held.refreshToken, undefined, 'tokens() has no refreshToken');
      assert.ok(held.accessToken && held.idToken && held.claims.sub, 'the rest of the set is there');
      assert.equal(world.auth.refreshTokens.length, 1, 'the server issued one refresh token');
      const [code] = tokenGrants(world.auth, 'authorization_code');
      assert.equal(code.ok, true);

      const first = await tab.eval(() => window.client.getAccessToken());
      const second = await tab.eval(() => window.client.getAccessToken());
      const refreshes = tokenGrants(world.auth, 'refresh_token');
      assert.equal(refreshes.length, 2, 'each stale access token was refreshed');
      assert.deepEqual(refreshes.map((g) => [g.ok, g.refreshToken]), [[true, world.auth.refreshTokens[0]], [true, world.auth.refreshTokens[1]]],
        'with the refresh tokens the server issued, each once (rotation)');
      assert.notEqual(first, held.accessToken);
      assert.notEqual(second, first);
      const after = await tab.eval(() => window.client.tokens());
      assert.deepEqual([after.accessToken, after.refreshToken], [second, undefined], 'the page holds the new access token only');

      const shared = await tab.eval(() => Promise.all([1, 2, 3].map(() => window.client.getAccessToken())));
      assert.equal(new Set(shared).size, 1, 'concurrent calls share one refresh');
      assert.equal(tokenGrants(world.auth, 'refresh_token').length, 3);

      const explicit = await attempt(tab, (token) => window.client.refresh(token), world.auth.refreshTokens.at(-1));
      assert.deepEqual(explicit, { code: 'invalid_argument', field: 'refreshToken', isOAuthError: true }, 'refresh(token) is invalid_argument');
      assert.equal(tokenGrants(world.auth, 'refresh_token').length, 3, 'and sent nothing');

      const live = world.auth.refreshTokens.at(-1);
      await tab.eval((origin) => {
        window.beforeLogout = true; // a mark only this document has
        window.client.logout({ postLogoutRedirectUri: `${origin}/` });
      }, world.origin);
      await tab.waitFor(() => !window.beforeLogout && document.getElementById('status')?.dataset.state === 'signed-out');
      const revocations = world.auth.requests.filter((r) => r.path === '/token/revocation' && r.method === 'POST');
      assert.equal(revocations.length, 1);
      assert.equal(revocations[0].body.get('token'), live, 'the worker revoked the refresh token it held');
      assert.equal(revocations[0].origin, world.origin, 'from the page\'s origin (the worker\'s)');
      const direct = await redeemDirectly(`${world.auth.issuer}/token`, live);
      assert.equal(direct.error, 'invalid_grant', 'the server refuses it now');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  for (const dpop of [true, false]) {
    test(`fetch() ${dpop ? 'with DPoP: the worker signs its token requests with the page\'s key' : 'without DPoP'}, refreshing through the worker`, async () => {
      const world = await startFixture({ api: true, dpop, authOptions: { accessTokenTtl: 10 } });
      try {
        const tab = await login(browser, world);
        const calls = await attempt(tab, async () => {
          const statuses = [];
          for (let i = 0; i < 2; i++) {
            const response = await window.client.fetch(window.client.api ?? (await (await fetch('./config.json')).json()).api);
            statuses.push([response.status, (await response.json()).sub]);
          }
          return { statuses, tokenType: window.client.tokens().tokenType };
        });
        assert.deepEqual(calls.value, { statuses: [[200, 'test-user'], [200, 'test-user']], tokenType: dpop ? 'DPoP' : 'Bearer' });
        const refreshes = tokenGrants(world.auth, 'refresh_token');
        // Every access token is stale at once (10 s < refreshLeeway): each attempt refreshes, the
        // resource server's nonce retry too.
        assert.ok(refreshes.length >= 2 && refreshes.every((g) => g.ok), 'each call refreshed the stale token in the worker');
        const accepted = world.api.requests.filter((r) => r.path === '/api/hello' && r.outcome === 'ok');
        assert.equal(accepted.length, 2);
        assert.deepEqual(accepted.map((r) => r.scheme), dpop ? ['DPoP', 'DPoP'] : ['Bearer', 'Bearer']);
        if (dpop) {
          const keys = new Set(accepted.map((r) => JSON.stringify(r.proof.header.jwk)));
          assert.equal(keys.size, 1, 'one key: the page\'s proofs match the tokens the worker got bound');
          const codes = tokenGrants(world.auth, 'authorization_code');
          assert.deepEqual(codes.map((g) => g.error ?? 'ok'), ['use_dpop_nonce', 'ok'], 'the worker answered the server\'s nonce');
        }
        await tab.close();
      } finally {
        await world.stop();
      }
    });
  }

  test('without a Worker constructor the client fails with browser_required: never another storage', async () => {
    const world = await startFixture({ headScript: 'delete window.Worker; window.Worker = undefined;' });
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      await tab.waitFor(() => document.getElementById('status')?.dataset.state === 'failed');
      assert.deepEqual(await tab.eval(() => window.failure), { name: 'OAuthError', code: 'browser_required', field: null, message: 'tokenStorage worker needs a module Worker' }, 'discover()');
      const constructed = await attempt(tab, async (issuer) => {
        const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
        await init(); // its own module instance where WebDriver scripts run in a sandbox (Firefox)
        const config = { clientId: 'c', redirectUri: `${location.origin}/`, authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, issuer };
        const memory = new PkceClient({ ...config, tokenStorage: 'memory' }).tokens() ?? 'a memory client works';
        new PkceClient({ ...config, tokenStorage: 'worker' });
        return memory;
      }, world.auth.issuer);
      assert.deepEqual(constructed, { code: 'browser_required', field: null, isOAuthError: true }, 'the constructor');
      assert.equal(world.auth.requests.filter((r) => r.path === '/token').length, 0);
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('a worker the page\'s CSP refuses: the client (or its callback) is browser_required and no token request is sent', async () => {
    const world = await startFixture({ csp: "worker-src 'none'" });
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      const first = await tab.waitFor(() => ['signed-out', 'failed'].find((s) => document.getElementById('status')?.dataset.state === s));
      if (first === 'failed') {
        // WebKit refuses the worker in `new Worker` itself: discover() is browser_required already.
        console.log(`# [${engine}] the CSP refusal came from new Worker: discover() failed`);
      } else {
        // Chromium and Firefox start it and report the refusal as the worker's error event.
        console.log(`# [${engine}] the CSP refusal came as the worker's error event: the callback failed`);
        await tab.eval(() => {
          window.client.login({ extraParams: { prompt: 'consent' } });
        });
        await tab.waitFor(() => document.getElementById('status')?.dataset.state === 'failed' && location.search === '');
      }
      assert.deepEqual(await tab.eval(() => window.failure), { name: 'OAuthError', code: 'browser_required', field: null, message: 'tokenStorage worker needs a module Worker' });
      assert.equal(tokenGrants(world.auth, 'authorization_code').length, 0, 'no token request: never from the page instead');
      assert.equal(world.auth.requests.filter((r) => r.path === '/token').length, 0);
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('a page with a strict CSP and Trusted Types signs in with this mode', async () => {
    const world = await startFixture({ csp: true, authOptions: { accessTokenTtl: 10 } });
    // An inline script: the CSP must stop it (so the policy is in force on this page).
    world.page.setHeadScript('window.inlineRan = true;');
    try {
      const tab = await login(browser, world);
      const seen = await tab.eval(async () => {
        let trustedTypes = 'not enforced';
        try {
          document.createElement('div').innerHTML = '<b>x</b>';
        } catch (e) {
          trustedTypes = e instanceof TypeError ? 'enforced' : String(e);
        }
        const token = await window.client.getAccessToken();
        return { inlineRan: window.inlineRan ?? false, trustedTypes, hasApi: typeof window.trustedTypes, refreshed: token !== undefined, refreshToken: window.client.tokens().refreshToken ?? null };
      });
      assert.equal(seen.inlineRan, false, 'the CSP is in force');
      assert.deepEqual([seen.refreshed, seen.refreshToken], [true, null]);
      assert.deepEqual(tokenGrants(world.auth, 'refresh_token').map((g) => [g.ok, g.refreshToken]), [[true, world.auth.refreshTokens[0]]], 'refreshed in the worker');
      const worker = world.page.requests.filter((r) => r.url === '/pkg/pkce_wasm_worker.js');
      assert.equal(worker.length, 2, 'the worker script came from its own file (no blob: URL), once per page (sign-in page, callback)');
      assert.ok(worker.every((r) => r.type.startsWith('text/javascript')));
      if (seen.trustedTypes === 'enforced') {
        console.log(`# [${engine}] Trusted Types enforced: the worker URL went through the "pkce-wasm" policy`);
      } else {
        // Only this assertion is skipped, with the reason; the CSP's script-src and worker-src held.
        console.log(`# [${engine}] Trusted Types not enforced by this engine (trustedTypes is ${seen.hasApi}): require-trusted-types-for untested here`);
        assert.notEqual(engine, 'chromium', 'Chromium enforces Trusted Types');
      }
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('page script holding the client reaches no Worker or port to restart the worker or wipe its session', async () => {
    const world = await startFixture({ authOptions: { accessTokenTtl: 10 } });
    try {
      const tab = await login(browser, world);
      const reached = await tab.eval(() => {
        // Everything reachable from the client, as a script after login would walk it.
        const seen = new Set();
        const targets = [];
        const walk = (value, depth) => {
          if (value === null || !['object', 'function'].includes(typeof value) || seen.has(value) || depth > 8) return;
          seen.add(value);
          if (value instanceof Worker || value instanceof MessagePort) targets.push(value);
          for (const key of Reflect.ownKeys(value)) {
            try {
              walk(value[key], depth + 1);
            } catch {} // a getter that throws
          }
          walk(Object.getPrototypeOf(value), depth + 1);
        };
        walk(window.client, 0);
        const settings = JSON.stringify({
          clientId: 'attacker',
          redirectUri: 'http://127.0.0.1:9/cb',
          authorizationEndpoint: 'http://127.0.0.1:9/authorize',
          tokenEndpoint: 'http://127.0.0.1:9/token',
        });
        for (const target of targets) {
          target.postMessage([1e9, 'start', settings]); // the start message as the link sent it
          target.postMessage([settings]);
          target.postMessage([1e9 + 1, 'clear']);
        }
        return targets.length;
      });
      const token = await attempt(tab, () => window.client.getAccessToken());
      assert.ok(typeof token.value == 'string', `the worker still refreshes: ${JSON.stringify(token)}`);
      const refreshes = tokenGrants(world.auth, 'refresh_token');
      assert.deepEqual(refreshes.map((g) => [g.ok, g.refreshToken]), [[true, world.auth.refreshTokens[0]]], 'with the refresh token it held');
      assert.equal(reached, 0, 'nothing reachable from the client posts to the worker');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('a hostile script in the page, before the client starts and after login, never sees the refresh token', async () => {
    const world = await startFixture({ api: true, dpop: true, headScript: `(${installProbe})()`, authOptions: { accessTokenTtl: 10 } });
    try {
      const tab = await login(browser, world);
      assert.equal(await reinjectProbe(tab), true);
      const used = await attempt(tab, async () => {
        await window.client.getAccessToken();
        const api = (await (await fetch('./config.json')).json()).api;
        return (await window.client.fetch(api)).status;
      });
      assert.deepEqual(used, { value: 200 });
      const result = await probeFor(tab, world);
      assert.deepEqual(result.found, {}, `the probe found a refresh token: ${JSON.stringify(result.found)}`);
      assert.ok(result.workers === 1 && result.workerReplies === 1, 'it caught the worker and got an answer from it');
      assert.ok(result.messages > 0 && result.memories > 0 && result.databases > 0 && result.strings > 1000, JSON.stringify(result));
      assert.ok(world.auth.refreshTokens.length >= 3, 'login, the page\'s refresh and the probe\'s own (acquisition of new tokens: not stopped)');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  for (const mode of ['memory', 'local']) {
    test(`the same probe does find the refresh token in "${mode}" mode`, async () => {
      const world = await startFixture({ mode, headScript: `(${installProbe})()` });
      try {
        const tab = await login(browser, world);
        assert.equal(await reinjectProbe(tab), true);
        const result = await probeFor(tab, world);
        const [places] = Object.values(result.found);
        const at = (prefix) => places?.some((place) => place.startsWith(prefix));
        assert.ok(at('fetch.response'), `the token response, through the page's fetch: ${JSON.stringify(result.found)}`);
        assert.ok(at('client.tokens()') && at('wasm memory'), JSON.stringify(result.found));
        if (mode === 'local') assert.ok(at('localStorage') && at('indexedDB'), JSON.stringify(result.found));
        await tab.close();
      } finally {
        await world.stop();
      }
    });
  }

  test('a Vite build of the page signs in: the worker file is copied as an asset and loads the page\'s wasm', async () => {
    const dist = await viteBuild();
    const world = await startFixture({ root: dist.root, authOptions: { accessTokenTtl: 10 } });
    try {
      assert.ok(dist.files.some((f) => /^assets\/pkce_wasm_worker-[\w-]+\.js$/.test(f)), dist.files.join(' '));
      const tab = await login(browser, world);
      const token = await attempt(tab, () => window.client.getAccessToken());
      assert.ok(token.value, JSON.stringify(token));
      assert.equal(tokenGrants(world.auth, 'refresh_token').filter((g) => g.ok).length, 1, 'refreshed in the bundled worker');
      assert.equal(world.page.requests.filter((r) => r.url.endsWith('.wasm')).length, 2, 'the wasm is fetched once per page: the worker takes the page\'s module');
      await tab.close();
    } finally {
      await world.stop();
      await dist.remove();
    }
  });

  test('the plain HTML example signs in, calls the API and signs out with tokenStorage "worker"', async () => {
    const world = await startWorld('static', { api: true, config: { tokenStorage: 'worker' } });
    try {
      const { tab, tokens } = await signIn(browser, world);
      assert.equal(tokens.refreshToken, undefined, 'the example shows no refresh token');
      assert.equal(tokens.tokenType, 'DPoP');
      await tab.click('#call-api');
      const { errorCode } = await settled(tab, 'signed-in');
      assert.equal(errorCode, null);
      assert.equal(JSON.parse(await tab.eval(() => document.getElementById('api').textContent)).status, 200);
      const live = world.auth.refreshTokens.at(-1);
      await tab.click('#logout');
      await tab.waitFor(() => document.getElementById('status')?.dataset.state === 'signed-out');
      const revoked = world.auth.requests.filter((r) => r.path === '/token/revocation' && r.method === 'POST');
      assert.equal(revoked.at(-1)?.body.get('token'), live);
      assert.equal((await redeemDirectly(`${world.auth.issuer}/token`, live)).error, 'invalid_grant');
      await tab.close();
    } finally {
      await world.stop();
    }
  });
});

/**
 * Script injected into the page as XSS would be, before the client starts (a head script) and
 * again after the login: it patches fetch, XMLHttpRequest, every postMessage (window, Worker,
 * MessagePort, BroadcastChannel, ServiceWorker), the Worker and BroadcastChannel constructors,
 * every 'message' listener and onmessage handler, console and WebAssembly's instantiation (to
 * reach the page's wasm memory), and records every string that passes. `window.__probe.gather()`
 * then reads every storage area (localStorage, sessionStorage, cookies,
 * every IndexedDB database and record, Cache Storage), a bounded walk of every global reachable
 * from `window` (own properties, Map and Set entries, settled promises: the client object among
 * them), the page's wasm memories, and what the client and its worker give when asked (tokens(),
 * getAccessToken(), a "refresh" posted to each worker it caught); `search(needles)` returns where
 * in all it recorded each needle was found, and how much it looked at.
 */
function installProbe() {
  const probe = (window.__probe ??= { seen: [], memories: [], workers: [], workerReplies: 0, messages: 0 });
  const { seen } = probe;
  const latin1 = (bytes) => new TextDecoder('latin1').decode(bytes);
  // Every string in `value`, depth-first, to `depth`; `budget` bounds the walk of the globals.
  const collect = (where, value, depth = 4, visited = new WeakSet(), budget = { left: 400_000 }) => {
    if (budget.left-- <= 0) return;
    if (typeof value == 'string') return void seen.push([where, value]);
    if (value === null || (typeof value != 'object' && typeof value != 'function') || visited.has(value)) return;
    visited.add(value);
    if (value instanceof ArrayBuffer) return void seen.push([where, latin1(new Uint8Array(value))]);
    if (ArrayBuffer.isView(value)) return void seen.push([where, latin1(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))]);
    if (value instanceof Promise) return void probe.promises?.push([where, value]);
    if (depth <= 0) return;
    const next = (key, item) => collect(`${where}.${String(key)}`, item, depth - 1, visited, budget);
    try {
      if (value instanceof Map) for (const [key, item] of value) next('key', key), next('value', item);
      if (value instanceof Set) for (const item of value) next('item', item);
    } catch {}
    let keys = [];
    try {
      keys = Reflect.ownKeys(value);
    } catch {}
    for (const key of keys) {
      if (typeof key == 'string') seen.push([where, key]);
      let item;
      try {
        item = value[key];
      } catch {
        continue;
      }
      next(key, item);
    }
  };
  const note = (where, value) => {
    try {
      collect(where, value, 6);
    } catch {}
  };
  probe.note = note;

  const realFetch = window.fetch;
  window.fetch = async function (input, init) {
    try {
      note('fetch.input', input instanceof Request ? [input.url, [...input.headers]] : String(input));
      if (input instanceof Request) note('fetch.body', await input.clone().text());
      if (init) note('fetch.init', { ...init, headers: [...new Headers(init.headers ?? {})], body: String(init.body ?? '') });
    } catch {}
    const response = await realFetch.apply(this, arguments);
    response.clone().text().then((text) => note('fetch.response', [[...response.headers], text]), () => {});
    return response;
  };
  const xhr = XMLHttpRequest.prototype;
  const [open, send, header] = [xhr.open, xhr.send, xhr.setRequestHeader];
  xhr.open = function (...args) {
    note('xhr.open', args.map(String));
    this.addEventListener('load', () => note('xhr.response', this.responseText));
    return open.apply(this, args);
  };
  xhr.send = function (body) {
    note('xhr.send', String(body ?? ''));
    return send.apply(this, arguments);
  };
  xhr.setRequestHeader = function (...args) {
    note('xhr.header', args);
    return header.apply(this, args);
  };
  const ports = [Window, window.Worker, MessagePort, window.BroadcastChannel, window.ServiceWorker].filter(Boolean);
  for (const type of ports) {
    const proto = type.prototype;
    if (proto.postMessage) {
      const post = proto.postMessage;
      proto.postMessage = function (message, ...rest) {
        probe.messages++;
        note(`${type.name}.postMessage`, message);
        return post.call(this, message, ...rest);
      };
    }
    const handler = Object.getOwnPropertyDescriptor(proto, 'onmessage');
    if (handler?.set) {
      Object.defineProperty(proto, 'onmessage', {
        ...handler,
        set(fn) {
          handler.set.call(this, typeof fn == 'function' ? function (event) {
            note(`${type.name}.onmessage`, event.data);
            return fn.call(this, event);
          } : fn);
        },
      });
    }
  }
  window.postMessage = Window.prototype.postMessage;
  const listen = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, ...rest) {
    if (type === 'message' && typeof listener == 'function') {
      const original = listener;
      listener = function (event) {
        note('message listener', event.data);
        return original.call(this, event);
      };
    }
    return listen.call(this, type, listener, ...rest);
  };
  listen.call(window, 'message', (event) => note('window message', event.data));
  if (window.Worker && !window.Worker.probed) {
    const RealWorker = window.Worker;
    const Worker = function (...args) {
      const worker = new RealWorker(...args);
      note('new Worker', String(args[0]));
      probe.workers.push(worker);
      listen.call(worker, 'message', (event) => note('worker answer', event.data));
      return worker;
    };
    Worker.prototype = RealWorker.prototype;
    Worker.probed = true;
    window.Worker = Worker;
  }
  if (window.BroadcastChannel && !window.BroadcastChannel.probed) {
    const RealChannel = window.BroadcastChannel;
    const Channel = function (name) {
      const channel = new RealChannel(name);
      note('new BroadcastChannel', name);
      const spy = new RealChannel(name); // hears what the other tabs' clients post
      listen.call(spy, 'message', (event) => note('BroadcastChannel message', event.data));
      return channel;
    };
    Channel.prototype = RealChannel.prototype;
    Channel.probed = true;
    window.BroadcastChannel = Channel;
  }
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const real = console[level];
    console[level] = (...args) => (note(`console.${level}`, args), real.apply(console, args));
  }
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const real = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const result = await real.apply(this, args);
      const instance = result instanceof WebAssembly.Instance ? result : result.instance;
      for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) probe.memories.push(value);
      return result;
    };
  }

  // Reads everything it can reach now (after which `search` looks through all of it).
  probe.gather ??= async () => {
    probe.promises = [];
    for (const area of ['localStorage', 'sessionStorage']) {
      try {
        const store = window[area];
        for (let i = 0; i < store.length; i++) note(area, [store.key(i), store.getItem(store.key(i))]);
      } catch {}
    }
    note('document.cookie', document.cookie);
    const request = (r) => new Promise((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
    const databases = (await indexedDB.databases?.().catch(() => [])) ?? [];
    probe.databases = databases.length;
    for (const { name } of databases) {
      const db = await request(indexedDB.open(name)).catch(() => null);
      if (!db) continue;
      for (const store of db.objectStoreNames) {
        const tx = db.transaction(store);
        note(`indexedDB ${name}/${store} keys`, await request(tx.objectStore(store).getAllKeys()));
        note(`indexedDB ${name}/${store}`, await request(tx.objectStore(store).getAll()));
      }
      db.close();
    }
    for (const name of (await window.caches?.keys().catch(() => [])) ?? []) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) note(`cache ${name}`, [req.url, await (await cache.match(req)).text()]);
    }
    collect('window', window, 7, new WeakSet([probe, seen]));
    const settled = (promise) => Promise.race([promise.then((v) => [v], () => []), new Promise((resolve) => setTimeout(() => resolve([]), 0))]);
    for (const [where, promise] of probe.promises.splice(0)) for (const value of await settled(promise)) note(where, value);
    const client = window.client;
    if (client) {
      note('client.tokens()', client.tokens());
      note('client.getAccessToken()', await client.getAccessToken().catch((e) => [e.code, e.message]));
    }
    // The worker answers what it is asked (acquisition of new tokens): a refresh, here.
    for (const worker of probe.workers) {
      const answer = new Promise((resolve) => listen.call(worker, 'message', ({ data }) => data?.[0] === 'probe' && resolve(data)));
      worker.postMessage(['probe', 'refresh']);
      note('asked the worker', await answer);
      probe.workerReplies++;
    }
  };
  probe.search ??= (needles) => {
    const memories = probe.memories.map((memory) => latin1(new Uint8Array(memory.buffer)));
    const found = {};
    for (const needle of needles) {
      const where = [...new Set(seen.filter(([, text]) => text.includes(needle)).map(([place]) => place))];
      if (memories.some((text) => text.includes(needle))) where.push('wasm memory');
      if (where.length) found[needle] = where;
    }
    return { found, strings: seen.length, memories: memories.length, memoryBytes: memories.reduce((n, m) => n + m.length, 0), workers: probe.workers.length, workerReplies: probe.workerReplies, messages: probe.messages, databases: probe.databases };
  };
}

/** Puts `installProbe` into the page again, as a script element (so it runs in the page's realm in every engine). */
function reinjectProbe(tab) {
  return tab.eval((source) => {
    const script = document.createElement('script');
    script.textContent = `(${source})()`;
    document.head.append(script);
    return Boolean(window.__probe);
  }, installProbe.toString());
}

/** Gathers with the probe, then searches for every refresh token the server issued until then. */
async function probeFor(tab, world) {
  await tab.eval(() => window.__probe.gather());
  const needles = [...world.auth.refreshTokens];
  assert.ok(needles.length > 0, 'the server issued refresh tokens to look for');
  return tab.eval((needles) => window.__probe.search(needles), needles);
}
