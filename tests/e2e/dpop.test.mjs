// DPoP (RFC 9449), resource indicators (RFC 8707) and fetch() through the plain HTML example, in
// each browser engine: oidc-provider demanding DPoP nonces, and a resource server on 127.0.0.1
// that verifies every proof with jose (htm, htu, iat, ath, its own nonce, jti once) and the
// token's cnf.jkt by introspection. Every fact comes from the servers' records or the page.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { callApi, newDpopKey } from '../../www/server/dpop-node.mjs';
import { close, listen } from '../../www/server/http.mjs';
import { eachEngine, failed, launchBrowser, serverRequests, settled, shown, signIn, startWorld, withPageClient } from './harness.mjs';

/** Clicks "Call the API" and returns what the page shows of the answer ({ status, body }); fails on an error. */
async function callTheApi(tab) {
  await tab.click('#call-api');
  const { errorCode, errorText } = await settled(tab, 'signed-in');
  assert.equal(errorCode, null, `the call failed: ${errorText}`);
  return tab.eval(() => JSON.parse(document.getElementById('api').textContent));
}

/** In the page: the public keys (JWK x) of the DPoP key pairs kept in IndexedDB. */
function storedKeys() {
  return new Promise((resolve) => {
    const open = indexedDB.open('pkce-wasm');
    open.onsuccess = () => {
      const request = open.result.transaction('kv').objectStore('kv').getAll();
      request.onsuccess = async () => {
        const pairs = request.result.filter((record) => record.pair).map((record) => record.pair);
        resolve(await Promise.all(pairs.map(async (pair) => (await crypto.subtle.exportKey('jwk', pair.publicKey)).x)));
      };
    };
  });
}

/** A loopback server that lets any origin in (CORS, preflights answered 204) and records each
 * other request ({ method, path, dpop, body }) before `respond(req, res)` answers it. */
async function recordingServer(respond) {
  const server = createServer();
  const origin = await listen(server, 0);
  const requests = [];
  server.on('request', (req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET, POST');
      res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '');
      return res.writeHead(204).end();
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method, path: req.url, dpop: req.headers.dpop, body: Buffer.concat(chunks).toString() });
      respond(req, res);
    });
  });
  return { origin, requests, close: () => close(server) };
}

/** In the page, signed in with DPoP: a client of the page subscribes; a script then replaces
 * the key pair in IndexedDB with one of its own (`extractable` or not) and the page's next client
 * is discovered (as after a reload). Returns what each saw and the key pairs stored afterwards. */
async function plantKey(config, extractable) {
  const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
  await init();
  const options = {
    clientId: config.clientId, redirectUri: config.redirectUri, scope: config.scope, dpop: config.dpop,
    resourceOrigins: [new URL(config.api).origin], resource: config.resource, tokenStorage: config.tokenStorage,
  };
  const running = await PkceClient.discover(config.issuer, options);
  const heard = [];
  const told = new Promise((resolve) => running.subscribe((tokens) => resolve(heard.push(tokens?.accessToken ?? null))));
  const db = await new Promise((resolve) => (indexedDB.open('pkce-wasm').onsuccess = (event) => resolve(event.target.result)));
  const run = (mode, body) => new Promise((resolve, reject) => {
    const tx = db.transaction('kv', mode);
    const request = body(tx.objectStore('kv'));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
  });
  const pairs = async () => {
    const [keys, records] = [await run('readonly', (s) => s.getAllKeys()), await run('readonly', (s) => s.getAll())];
    return keys.map((key, i) => [key, records[i].pair]).filter(([, pair]) => pair);
  };
  const [[name]] = await pairs();
  const planted = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, extractable, ['sign', 'verify']);
  await run('readwrite', (s) => s.put({ pair: planted }, name));
  const plantedX = (await crypto.subtle.exportKey('jwk', planted.publicKey)).x;
  let message;
  const found = await PkceClient.discover(config.issuer, options).then((c) => c, (e) => ((message = e.message), e.code));
  if (typeof found == 'string') await told;
  const next = typeof found == 'string' ? await PkceClient.discover(config.issuer, options) : found;
  const stored = await Promise.all((await pairs()).map(async ([, pair]) => ({
    x: (await crypto.subtle.exportKey('jwk', pair.publicKey)).x,
    extractable: pair.privateKey.extractable,
  })));
  return {
    planted: typeof found == 'string' ? found : 'discovered', message, heard, next: 'discovered',
    tokens: next.tokens() ?? null, plantedX, stored,
  };
}

/** The resource server's records for the API route, preflights left out. */
const apiCalls = (world) => world.api.requests.filter((r) => r.path === '/api/hello' && r.outcome !== 'preflight');

/** The public JWK each accepted proof carried. */
const proofKeys = (world) => apiCalls(world).filter((r) => r.outcome === 'ok').map((r) => JSON.stringify(r.proof.header.jwk));

eachEngine('DPoP, resource indicators and fetch()', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('a DPoP login, refresh and API call: bound to the page\'s key, useless to anyone who copies the token', async () => {
    const world = await startWorld('static', { api: true });
    try {
      const { tab, tokens } = await signIn(browser, world);
      assert.equal(tokens.tokenType, 'DPoP');
      const codes = world.auth.grants.filter((g) => g.grantType === 'authorization_code');
      assert.deepEqual(codes.map((g) => g.error ?? 'ok'), ['use_dpop_nonce', 'ok'], 'one nonce retry at the token endpoint');
      const preflights = serverRequests(world.auth, '/token').filter((r) => r.method === 'OPTIONS');
      assert.ok(preflights.length >= 1, 'a DPoP header makes the token request non-simple: a CORS preflight');
      const authorize = serverRequests(world.auth, '/auth').find((r) => r.query.has('state'));
      assert.match(authorize.query.get('dpop_jkt'), /^[\w-]{43}$/, 'the code is bound to the key (dpop_jkt)');
      assert.equal(authorize.query.get('resource'), world.api.resource);
      assert.equal(serverRequests(world.auth, '/token').find((r) => r.method === 'POST').body.get('resource'), world.api.resource);

      assert.deepEqual(await callTheApi(tab), { status: 200, body: { sub: 'test-user', method: 'GET', body: null } });
      const calls = apiCalls(world);
      assert.deepEqual(calls.map((r) => r.outcome), ['use_dpop_nonce', 'ok'], 'the resource server\'s own nonce, retried once');
      assert.equal(calls[1].scheme, 'DPoP');
      const claims = calls[1].proof.claims;
      assert.equal(claims.htu, `${world.api.origin}/api/hello`);
      assert.equal(claims.htm, 'GET');
      assert.match(claims.ath, /^[\w-]{43}$/);
      assert.equal(claims.nonce, world.api.nonce());

      // What script that copies the token out of the page (or a log) can do with it elsewhere: nothing.
      const stolen = tokens.accessToken;
      const otherKey = await callApi(`${world.api.origin}/api/hello`, stolen, { key: await newDpopKey() });
      assert.equal(otherKey.status, 401, 'replayed with another key');
      const asBearer = await callApi(`${world.api.origin}/api/hello`, stolen, { scheme: 'Bearer' });
      assert.equal(asBearer.status, 401, 'replayed as a Bearer token');

      await tab.click('#refresh');
      const refreshed = (await settled(tab, 'signed-in')).tokens;
      assert.equal(refreshed.tokenType, 'DPoP');
      assert.notEqual(refreshed.accessToken, tokens.accessToken);
      assert.ok(world.auth.grants.some((g) => g.grantType === 'refresh_token' && g.ok), 'the refresh carried a valid proof');
      assert.equal((await callTheApi(tab)).status, 200);
      assert.equal(new Set(proofKeys(world)).size, 1, 'one key for the login, the refresh and the calls');
      assert.ok(!(await tab.url()).includes(tokens.accessToken), 'no token in the address bar');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('without dpop, fetch() sends the Bearer token and no proof, and the token request stays preflight-free', async () => {
    const world = await startWorld('static', { api: true, dpop: false });
    try {
      const { tab, tokens } = await signIn(browser, world);
      assert.equal(tokens.tokenType.toLowerCase(), 'bearer');
      assert.equal(serverRequests(world.auth, '/token').filter((r) => r.method === 'OPTIONS').length, 0, 'no preflight');
      assert.equal((await callTheApi(tab)).status, 200);
      const [call, ...more] = apiCalls(world);
      assert.deepEqual([call.scheme, call.proof, more.length], ['Bearer', null, 0], 'one request, no proof, no retry');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  for (const name of ['react', 'vue']) {
    test(`the ${name} example calls the API with DPoP-bound tokens`, async () => {
      const world = await startWorld(name, { api: true });
      try {
        const { tab, tokens } = await signIn(browser, world);
        assert.equal(tokens.tokenType, 'DPoP');
        assert.deepEqual(await callTheApi(tab), { status: 200, body: { sub: 'test-user', method: 'GET', body: null } });
        await tab.close();
      } finally {
        await world.stop();
      }
    });
  }

  test('fetch() sends nothing to an origin outside resourceOrigins: untrusted_destination', async () => {
    const world = await startWorld('static', { api: true });
    try {
      const { tab } = await signIn(browser, world);
      const before = world.example.requests.length;
      const outcomes = await withPageClient(tab, world, async (client, config) => {
        const api = new URL(config.api);
        const elsewhere = [`${location.origin}/secret`, `${api.protocol}//localhost:${api.port}/api/hello`, `${api.protocol}//127.0.0.2:${api.port}/`, 'https://example.com/', `${api.protocol}//user:pass@${api.host}/api/hello`, 'http://[::1/'];
        const codes = [];
        for (const url of elsewhere) codes.push(await client.fetch(url).then(() => 'sent', (e) => e.code));
        return codes;
      });
      // A URL with credentials is refused like any URL outside the allowlist, not invalid_argument.
      assert.deepEqual(outcomes, ['untrusted_destination', 'untrusted_destination', 'untrusted_destination', 'untrusted_destination', 'untrusted_destination', 'invalid_argument']);
      assert.equal(apiCalls(world).length, 0, 'the resource server got nothing');
      assert.equal(world.example.requests.slice(before).filter((r) => r.url.includes('secret')).length, 0, 'nothing sent');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('fetch() follows no redirect: a 307 to another origin gets neither the proof nor the body (untrusted_destination)', async () => {
    const elsewhere = await recordingServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('elsewhere'));
    const redirector = await recordingServer((req, res) => res.writeHead(307, { location: `${elsewhere.origin}/collect` }).end());
    const world = await startWorld('static', { api: true, config: { tokenStorage: 'session', api: `${redirector.origin}/api/hello` } });
    try {
      const { tab } = await signIn(browser, world);
      const outcome = await withPageClient(tab, world, (client, config) =>
        client.fetch(config.api, { method: 'POST', body: 'the body', headers: { 'content-type': 'text/plain' } })
          .then(async (response) => `answered ${response.status}: ${await response.text()}`, (e) => `${e.code} ${e.field}`));
      assert.equal(outcome, 'untrusted_destination redirect');
      const asked = redirector.requests.filter((r) => r.method === 'POST');
      assert.equal(asked.length, 1, 'one request to the resource origin, not retried');
      assert.match(asked[0].dpop ?? '', /^ey/, 'which carried the proof');
      assert.deepEqual(elsewhere.requests, [], 'the other origin got no request: no proof, no body');
      await tab.close();
    } finally {
      await Promise.all([world.stop(), elsewhere.close(), redirector.close()]);
    }
  });

  test('an access token the server no longer knows: fetch() refreshes once on invalid_token and retries once', async () => {
    const world = await startWorld('static', { api: true });
    try {
      const { tab, tokens } = await signIn(browser, world);
      assert.equal((await callTheApi(tab)).status, 200);
      await world.auth.dropAccessToken(tokens.accessToken);
      const refreshesBefore = world.auth.grants.filter((g) => g.grantType === 'refresh_token').length;
      const calls = apiCalls(world).length;
      assert.equal((await callTheApi(tab)).status, 200);
      assert.deepEqual(apiCalls(world).slice(calls).map((r) => r.outcome), ['invalid_token', 'ok']);
      assert.equal(world.auth.grants.filter((g) => g.grantType === 'refresh_token').length, refreshesBefore + 1, 'one refresh');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('the key survives a reload in IndexedDB; logout drops it and the next login makes a new one', async () => {
    const world = await startWorld('static', { api: true, config: { tokenStorage: 'session' } });
    try {
      const { tab } = await signIn(browser, world);
      assert.equal((await callTheApi(tab)).status, 200);
      const keys = () => tab.eval(storedKeys);
      const [kept, ...more] = await keys();
      assert.deepEqual(more, [], 'one key pair, in IndexedDB');
      assert.equal(JSON.parse(proofKeys(world)[0]).x, kept, 'the one the proofs were signed with');
      await tab.goto(`${world.origin}/`);
      await settled(tab, 'signed-in');
      assert.equal((await callTheApi(tab)).status, 200, 'the reloaded page signs with the same key');
      assert.equal(new Set(proofKeys(world)).size, 1);

      await tab.click('#logout');
      await tab.waitFor(() => document.getElementById('status')?.dataset.state === 'signed-out');
      assert.ok(!(await keys()).includes(kept), 'logout dropped the key pair (the page that came back may hold a new one)');
      await tab.click('#login');
      await settled(tab, 'signed-in');
      assert.equal((await callTheApi(tab)).status, 200);
      assert.equal(new Set(proofKeys(world)).size, 2, 'the next login made a new key');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('a key pair planted in IndexedDB is refused (dpop_error) with the tokens, listeners hear it, and the next key is a fresh one', async () => {
    const world = await startWorld('static', { api: true, config: { tokenStorage: 'session' } });
    try {
      const { tab, tokens } = await signIn(browser, world);
      assert.equal(tokens.tokenType, 'DPoP');
      const outcome = await tab.eval(plantKey, world.config, true);
      assert.equal(outcome.planted, 'dpop_error', 'the client that finds the extractable pair fails, clearly');
      assert.match(outcome.message, /not made by this client/);
      assert.deepEqual(outcome.heard, [null], 'a client of the page already running hears the tokens go');
      assert.deepEqual([outcome.next, outcome.tokens], ['discovered', null], 'the next client starts signed out');
      assert.equal(outcome.stored.length, 1, 'one key pair under the name');
      assert.notEqual(outcome.stored[0].x, outcome.plantedX, 'the planted pair is gone');
      assert.equal(outcome.stored[0].extractable, false, 'a fresh pair, not extractable');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('tokens bound to another key than the one found (a swapped, non-extractable pair) are dropped', async () => {
    const world = await startWorld('static', { api: true, config: { tokenStorage: 'session' } });
    try {
      const { tab } = await signIn(browser, world);
      const outcome = await tab.eval(plantKey, world.config, false);
      assert.deepEqual([outcome.planted, outcome.tokens], ['discovered', null], 'signed out: the tokens are not bound to this key');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('clear() while the key is being made: the login stops with dpop_error, sends nothing and leaves no key', async () => {
    const world = await startWorld('static', { api: true });
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      await settled(tab, 'signed-out');
      const outcome = await withPageClient(tab, world, async (client) => {
        client.clear(); // drops the key discover() made: the next login makes a new one
        const login = client.login();
        client.clear();
        const code = await login.then(() => 'navigated', (e) => e.code);
        return [code, location.href];
      });
      assert.deepEqual(outcome, ['dpop_error', `${world.origin}/`]);
      assert.deepEqual(await tab.eval(storedKeys), [], 'no key pair left');
      assert.equal(serverRequests(world.auth, '/auth').length, 0, 'no authorization request');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('blocked IndexedDB: the key lives in the tab\'s memory, bound at the token request, and the API accepts it', async () => {
    const world = await startWorld('static', { api: true });
    world.example.setHeadScript(`Object.defineProperty(window, 'indexedDB', {
      get() { throw new DOMException('site data is blocked', 'SecurityError'); },
    });`);
    try {
      const { tab, tokens } = await signIn(browser, world);
      assert.equal(tokens.tokenType, 'DPoP');
      const authorize = serverRequests(world.auth, '/auth').find((r) => r.query.has('state'));
      assert.equal(authorize.query.get('dpop_jkt'), null, 'no dpop_jkt for a key the redirect would lose');
      assert.equal((await callTheApi(tab)).status, 200);
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('a server that answers Bearer to a DPoP request is refused, not taken as a downgrade', async () => {
    const world = await startWorld('static', { api: true, authOptions: { dpop: false } });
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      await settled(tab, 'signed-out');
      await tab.click('#login');
      const { errorCode, errorText } = await failed(tab);
      assert.equal(errorCode, 'invalid_token_response');
      assert.match(errorText, /token_type/);
      assert.equal((await shown(tab)).tokens, null);
      await tab.close();
    } finally {
      await world.stop();
    }
  });
});
