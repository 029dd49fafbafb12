// The Rust example (www/rust/: web-sys + pkce_wasm::Client, built by scripts/build-rust-example.sh)
// against oidc-provider on 127.0.0.1, in each browser engine: the Rust API through a real login,
// refresh rotation, logout and a replayed callback. Facts come from the page and the servers' records.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CLIENT_ID } from '../../www/server/auth-server.mjs';
import { eachEngine, launchBrowser, redeemDirectly, serverRequests, settled, shown, signIn as signInTo, startWorld, tokenPosts } from './harness.mjs';

/** The JS API's TokenSet members, in its order (src/api.rs): the Rust example shows the same JSON. */
const TOKEN_SET_KEYS = ['accessToken', 'tokenType', 'expiresAt', 'refreshToken', 'idToken', 'scope', 'claims'];

eachEngine('the Rust example against oidc-provider', (engine) => {
  let browser;
  let world;

  before(async () => {
    browser = await launchBrowser(engine);
    world = await startWorld('rust');
  });

  after(async () => {
    await world?.stop();
    await browser?.close();
  });

  const sent = () => tokenPosts(world.auth);
  const grants = (type) => sent().filter((r) => r.body?.get('grant_type') === type);
  const signIn = () => signInTo(browser, world);

  test('signs in: one token request, no preflight, checked ID token, clean address bar', async () => {
    const codeGrantsBefore = grants('authorization_code').length;
    const loadedBefore = world.example.requests.length;
    const { tab, callbackUrl, tokens, errorCode } = await signIn();
    assert.equal(errorCode, null);
    assert.ok(tokens.accessToken && tokens.refreshToken && tokens.idToken, JSON.stringify(tokens));
    assert.equal(tokens.tokenType.toLowerCase(), 'bearer');
    assert.equal(tokens.claims?.sub, 'test-user');
    assert.equal(tokens.claims?.aud, CLIENT_ID);
    // The same JSON as the JS examples show: camelCase members in the JS order, claims an object.
    // (The order as the page reads it: WebDriver does not keep an object's key order.)
    const keys = await tab.eval(() => Object.keys(JSON.parse(document.getElementById('tokens').textContent)));
    assert.deepEqual(keys, TOKEN_SET_KEYS.filter((key) => key in tokens));
    assert.equal(typeof tokens.expiresAt, 'number');
    assert.equal(typeof tokens.claims, 'object');

    const callback = new URL(callbackUrl);
    assert.equal(callback.searchParams.get('iss'), world.issuer, 'the server sends RFC 9207 iss');
    const now = new URL(await tab.url());
    for (const param of ['code', 'state', 'iss', 'error']) assert.equal(now.searchParams.has(param), false, `${param} left in the address bar`);
    assert.equal(now.origin + now.pathname, `${world.origin}/`);

    const redeemed = grants('authorization_code').slice(codeGrantsBefore);
    assert.equal(redeemed.length, 1, 'exactly one token request');
    assert.equal(redeemed[0].body.get('code'), callback.searchParams.get('code'));
    assert.equal(redeemed[0].body.get('redirect_uri'), `${world.origin}/`);
    assert.equal(redeemed[0].body.get('client_id'), CLIENT_ID);
    assert.match(redeemed[0].body.get('code_verifier'), /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(serverRequests(world.auth, '/token').filter((r) => r.method === 'OPTIONS'), [], 'no CORS preflight');
    // The app is the Rust build: its module and wasm, served as such (twice: before and after the login).
    const wasm = world.example.requests.slice(loadedBefore).filter((r) => r.url.endsWith('.wasm'));
    assert.deepEqual(wasm.map((r) => [r.url, r.type]), [['/app_bg.wasm', 'application/wasm'], ['/app_bg.wasm', 'application/wasm']]);
    await tab.close();
  });

  test('refresh rotates the refresh token and the old one is then rejected', async () => {
    const { tab, tokens } = await signIn();
    const refreshesBefore = grants('refresh_token').length;
    await tab.click('#refresh');
    await tab.waitFor((previous) => {
      const text = document.getElementById('tokens')?.textContent;
      return text && JSON.parse(text).refreshToken !== previous && document.getElementById('status').dataset.state === 'signed-in';
    }, tokens.refreshToken);
    const { tokens: fresh, errorCode } = await shown(tab);
    assert.equal(errorCode, null);
    assert.ok(fresh.refreshToken && fresh.refreshToken !== tokens.refreshToken);
    assert.notEqual(fresh.accessToken, tokens.accessToken);
    assert.equal(fresh.claims?.sub, 'test-user', 'the refreshed ID token was checked against the login');
    const refreshes = grants('refresh_token').slice(refreshesBefore);
    assert.equal(refreshes.length, 1);
    assert.equal(refreshes[0].body.get('refresh_token'), tokens.refreshToken, 'the holder sent the old refresh token');
    const reused = await redeemDirectly(`${world.issuer}/token`, tokens.refreshToken);
    assert.equal(reused.status, 400);
    assert.equal(reused.error, 'invalid_grant');
    await tab.close();
  });

  test('sign out revokes the refresh token and ends the session at the server', async () => {
    const { tab, tokens } = await signIn();
    const first = world.auth.requests.length;
    // The page shows signed-out before the browser leaves for the end-session endpoint: wait
    // for a new document (the old one carries a mark) back at the example, signed out.
    await tab.eval(() => { window.beforeLogout = true; });
    await tab.click('#logout');
    await tab.waitFor((origin) => !window.beforeLogout && location.href === `${origin}/` && document.getElementById('status')?.dataset.state === 'signed-out', world.origin);
    const endSession = world.auth.requests.slice(first).find((r) => r.path.startsWith('/session/end') && r.method === 'GET');
    assert.ok(endSession, 'the browser visited the end-session endpoint');
    const { errorCode, tokens: left } = await shown(tab);
    assert.equal(errorCode, null);
    assert.equal(left, null);
    assert.equal(endSession.query.get('id_token_hint'), tokens.idToken);
    assert.equal(endSession.query.get('post_logout_redirect_uri'), `${world.origin}/`);
    const revocations = sent().filter((r) => r.path.startsWith('/token/revocation'));
    assert.equal(revocations.at(-1)?.body.get('token'), tokens.refreshToken);
    assert.equal(revocations.at(-1)?.body.get('token_type_hint'), 'refresh_token');
    const revoked = await redeemDirectly(`${world.issuer}/token`, tokens.refreshToken);
    assert.equal(revoked.error, 'invalid_grant');
    await tab.close();
  });

  test('a reload of the callback URL is state_unknown and sends no second token request', async () => {
    const { tab, callbackUrl } = await signIn();
    const before = sent().length;
    await tab.goto(callbackUrl);
    const { errorCode, errorText, tokens } = await settled(tab, 'signed-out');
    assert.equal(errorCode, 'state_unknown');
    assert.match(errorText, /^state_unknown: /);
    assert.equal(tokens, null);
    assert.equal(sent().length, before, 'no token request');
    await tab.close();
  });
});
