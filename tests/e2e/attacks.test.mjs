// Attacks and faults against the plain HTML example and a real authorization server
// (oidc-provider on 127.0.0.1), in each browser engine. After every failure: the pending login
// is gone, no token request went out where the callback was invalid, and a fresh login works.
// Token endpoint faults (HTML, 500, redirect, empty, 10 MB, hang) need a misbehaving server:
// they are in the wasm-bindgen suite against tests/stub (tests/browser.rs).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { CLIENT_ID } from '../../www/server/auth-server.mjs';
import { eachEngine, failed, launchBrowser, serverRequests, settled, startWorld } from './harness.mjs';

eachEngine('attacks on the plain HTML example', (engine) => {
  let browser;
  let world;
  /** The token requests the authorization server received. */
  const sent = { get length() { return tokenPosts().length; }, slice: (from) => tokenPosts().slice(from) };
  const tokenPosts = () => serverRequests(world.auth, '/token').filter((r) => r.method === 'POST');

  before(async () => {
    world = await startWorld('static');
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
    await world?.stop();
  });

  /** A tab showing the example, signed out. */
  async function openApp() {
    const page = await browser.newTab(`${world.origin}/`);
    await settled(page, 'signed-out');
    return page;
  }

  /** Starts a login in `page` as Sign in does, without leaving: returns its state. */
  function pendingLogin(page) {
    return page.eval(async () => {
      // The module app.js initialised; init() again is a no-op there. (Firefox runs WebDriver
      // scripts in a sandbox whose import() gets a module instance of its own: init() sets it up.)
      const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
      await init();
      const config = await (await fetch('./config.json')).json();
      const client = await PkceClient.discover(config.issuer, { clientId: config.clientId, redirectUri: config.redirectUri, scope: config.scope });
      return new URL(client.authorizeUrl({ extraParams: { prompt: 'consent' } })).searchParams.get('state');
    });
  }

  const pendingCount = (page) => page.eval(() => Object.keys(sessionStorage).filter((k) => k.includes(':tx:')).length);

  /**
   * An authorization code the attacker got for their own PKCE verifier: a login by a user agent
   * that runs no script (Node's fetch, following the server's redirects with its cookies), so
   * the callback page never redeems it.
   */
  async function attackersCode() {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${world.issuer}/auth`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${world.origin}/`,
      scope: 'openid',
      state: 'attacker',
      nonce: 'attacker',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const callback = await followRedirects(url.href, world.origin);
    const code = callback.searchParams.get('code');
    assert.ok(code, `no code in ${callback}`);
    return code;
  }

  /** Delivers `params` to the example's callback URL in `page`; returns what it shows. */
  async function deliver(page, params) {
    await page.goto(`${world.origin}/?${new URLSearchParams(params)}`);
    return settled(page, 'signed-out');
  }

  /** A fresh login in the same tab works after the failure. */
  async function freshLoginWorks(page) {
    await page.goto(`${world.origin}/`);
    await settled(page, 'signed-out');
    await page.click('#login');
    const { tokens } = await settled(page, 'signed-in');
    assert.ok(tokens.accessToken);
  }

  test('CSRF: a callback with a state this tab never issued is state_unknown, nothing sent', async () => {
    const page = await openApp();
    const code = await attackersCode();
    const before = sent.length;
    const { errorCode } = await deliver(page, { code, state: randomBytes(32).toString('base64url'), iss: world.issuer });
    assert.equal(errorCode, 'state_unknown');
    assert.equal(sent.length, before, 'no token request');
    await freshLoginWorks(page);
    await page.close();
  });

  test("code injection: the attacker's code with the victim's state fails PKCE at the server", async () => {
    const page = await openApp();
    const state = await pendingLogin(page); // the strongest attacker: knows the victim's state
    const code = await attackersCode();
    const before = sent.length;
    const { errorCode } = await deliver(page, { code, state, iss: world.issuer });
    const redeemed = sent.slice(before);
    assert.equal(redeemed.length, 1, 'the library redeems it once, with the victim verifier');
    assert.equal(redeemed[0].body.get('code'), code);
    assert.equal(errorCode, 'token_error');
    assert.match(await page.eval(() => document.getElementById('error').textContent), /invalid_grant/);
    assert.equal(await pendingCount(page), 0, 'the pending login is gone');
    await freshLoginWorks(page);
    await page.close();
  });

  test('mix-up: a callback whose iss is another issuer is iss_mismatch, nothing sent', async () => {
    const page = await openApp();
    const state = await pendingLogin(page);
    const before = sent.length;
    const { errorCode } = await deliver(page, { code: 'x', state, iss: 'http://127.0.0.1:9/other-issuer' });
    assert.equal(errorCode, 'iss_mismatch');
    assert.equal(sent.length, before, 'no token request');
    assert.equal(await pendingCount(page), 0);
    await freshLoginWorks(page);
    await page.close();
  });

  test('a callback without iss is iss_missing (the discovered server advertises RFC 9207)', async () => {
    const page = await openApp();
    const state = await pendingLogin(page);
    const before = sent.length;
    const { errorCode } = await deliver(page, { code: 'x', state });
    assert.equal(errorCode, 'iss_missing');
    assert.equal(sent.length, before);
    await page.close();
  });

  test('a tampered pending login in sessionStorage is refused, nothing sent', async () => {
    const edits = {
      'edited verifier': (tx) => ({ ...tx, verifier: `${tx.verifier.slice(1)}!` }),
      'wrong types': (tx) => ({ ...tx, createdAt: String(tx.createdAt) }),
      'huge verifier': (tx) => ({ ...tx, verifier: 'a'.repeat(1 << 20) }),
      'not JSON': () => '{"v":1,',
      'another client': (tx) => ({ ...tx, clientId: 'someone-else' }),
    };
    for (const [name, edit] of Object.entries(edits)) {
      const page = await openApp();
      const state = await pendingLogin(page);
      await page.eval(({ state, source }) => {
        const key = Object.keys(sessionStorage).find((k) => k.endsWith(`:tx:${state}`));
        const edited = new Function(`return (${source})`)()(JSON.parse(sessionStorage.getItem(key)));
        sessionStorage.setItem(key, typeof edited === 'string' ? edited : JSON.stringify(edited));
      }, { state, source: edit.toString() });
      const before = sent.length;
      const { errorCode } = await deliver(page, { code: 'x', state, iss: world.issuer });
      const expected = name === 'another client' ? 'state_unknown' : 'transaction_invalid';
      assert.equal(errorCode, expected, name);
      assert.equal(sent.length, before, `${name}: no token request`);
      assert.equal(await pendingCount(page), 0, `${name}: the pending login is gone`);
      await page.close();
    }
  });

  test('full sessionStorage: Sign in shows storage_unavailable and writes nothing', async () => {
    const page = await openApp();
    const fillers = await page.eval(() => {
      const keys = [];
      for (const size of [1 << 20, 1 << 14, 1 << 8, 1]) {
        const chunk = 'x'.repeat(size);
        for (;;) {
          try {
            sessionStorage.setItem(`filler-${keys.length}`, chunk);
            keys.push(`filler-${keys.length}`);
          } catch {
            break;
          }
        }
      }
      return keys;
    });
    await page.click('#login');
    assert.equal((await failed(page)).errorCode, 'storage_unavailable');
    assert.equal(new URL(await page.url()).origin, world.origin, 'did not leave for the server');
    assert.equal(await pendingCount(page), 0);
    await page.eval((keys) => keys.forEach((k) => sessionStorage.removeItem(k)), fillers);
    await freshLoginWorks(page);
    await page.close();
  });

  test('disabled sessionStorage: Sign in shows storage_unavailable', async () => {
    // What browsers do when site storage is blocked: the getter throws a SecurityError. The
    // example's server runs this before any other script of the page.
    world.example.setHeadScript(`Object.defineProperty(window, 'sessionStorage', {
      get() { throw new DOMException('storage is disabled', 'SecurityError'); },
    });`);
    try {
      const page = await browser.newTab(`${world.origin}/`);
      await settled(page, 'signed-out');
      assert.equal(await page.eval(() => { try { sessionStorage; return 'readable'; } catch (e) { return e.name; } }), 'SecurityError');
      await page.click('#login');
      assert.equal((await failed(page)).errorCode, 'storage_unavailable');
      assert.equal(new URL(await page.url()).origin, world.origin, 'did not leave for the server');
      await page.close();
    } finally {
      world.example.setHeadScript(null);
    }
  });

  test('the token request leaves the JS driver only after the callback checks passed, the pending login was removed and the address bar was cleaned', async () => {
    // The guarantee spans two languages: the wasm checks and consumes (Core.redeem), the JS
    // driver sends (js/send.js). A fetch wrapper the page installs first sees what was true at
    // the moment the token request left.
    world.example.setHeadScript(`window.tokenFetches = [];
      const original = window.fetch;
      window.fetch = function (input, init) {
        if (String(input).includes('/token')) {
          window.tokenFetches.push({
            pending: Object.keys(sessionStorage).filter((k) => k.includes(':tx:')).length,
            addressBar: location.search,
            method: init && init.method,
          });
        }
        return original.apply(this, arguments);
      };`);
    try {
      const page = await openApp();
      await page.click('#login');
      await settled(page, 'signed-in');
      const seen = await page.eval(() => window.tokenFetches);
      assert.deepEqual(seen, [{ pending: 0, addressBar: '', method: 'POST' }]);
      await page.close();
    } finally {
      world.example.setHeadScript(null);
    }
  });

  test('blocked IndexedDB (its getter throws): the callback is still redeemed, once', async () => {
    // What some privacy settings do to site data: the getter itself throws. Without IndexedDB
    // tabs cannot be told apart, so the claim succeeds (README); it must not fail the login.
    world.example.setHeadScript(`Object.defineProperty(window, 'indexedDB', {
      get() { throw new DOMException('site data is blocked', 'SecurityError'); },
    });`);
    try {
      const page = await openApp();
      const before = sent.length;
      await page.click('#login');
      const { tokens } = await settled(page, 'signed-in');
      assert.ok(tokens.accessToken);
      assert.equal(sent.length, before + 1, 'one token request');
      await page.close();
    } finally {
      world.example.setHeadScript(null);
    }
  });

  test('an implicit-flow response in the fragment is refused without a token request', async () => {
    const page = await openApp();
    const state = await pendingLogin(page);
    const before = sent.length;
    await page.goto(`${world.origin}/?code=x&state=${state}&iss=${encodeURIComponent(world.issuer)}#access_token=stolen&token_type=bearer`);
    const { errorCode } = await settled(page, 'signed-out');
    assert.equal(errorCode, 'implicit_response');
    assert.equal(sent.length, before);
    assert.equal(new URL(await page.url()).hash.includes('access_token'), false, 'the token is gone from the address bar');
    await page.close();
  });
});

/**
 * Follows `url`'s redirects as a browser without script would (GET, cookies kept per response),
 * up to the first one that leaves for `origin`; returns that URL.
 */
async function followRedirects(url, origin) {
  const cookies = new Map();
  let next = new URL(url);
  for (let hop = 0; hop < 20 && next.origin !== origin; hop++) {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    assert.ok(location, `no redirect from ${next} (${response.status})`);
    next = new URL(location, next);
  }
  return next;
}
