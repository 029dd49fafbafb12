// The login round trip against a second, independent authorization server: django-oauth-toolkit
// (www/server/django) on 127.0.0.1, with the plain HTML example, in each browser engine. It
// shows that the library works with a standards-following server it was not written against.
// DOT's differences from oidc-provider are in the README's provider notes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CLIENT_ID, startDjangoAuthServer } from '../../www/server/django-auth-server.mjs';
import { exampleConfig, startExample } from '../../www/server/examples.mjs';
import { eachEngine, launchBrowser, redeemDirectly, settled, shown } from './harness.mjs';

eachEngine('the plain HTML example against django-oauth-toolkit', (engine) => {
  let browser;
  let example;
  let auth;

  before(async () => {
    example = await startExample('static');
    auth = await startDjangoAuthServer({ clientOrigins: [example.origin] });
    // DOT's OpenID metadata has no revocation_endpoint (its RFC 8414 document has): configured.
    example.setConfig({ ...exampleConfig(auth.issuer, example.origin), revocationEndpoint: `${auth.issuer}/revoke_token/` });
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
    await auth?.close();
    await example?.close();
  });

  /** POSTs the server received at `path` under the issuer, with their form bodies. */
  const posts = (path) => auth.requests
    .filter((r) => r.method === 'POST' && r.path === new URL(`${auth.issuer}${path}`).pathname)
    .map((r) => ({ ...r, form: new URLSearchParams(r.body ?? '') }));

  test('login, refresh rotation, revocation and logout', async () => {
    const tab = await browser.newTab(`${example.origin}/`);
    await settled(tab, 'signed-out');
    await tab.click('#login');
    const { tokens, errorCode } = await settled(tab, 'signed-in');
    assert.equal(errorCode, null);
    assert.ok(tokens.accessToken && tokens.refreshToken && tokens.idToken, JSON.stringify(tokens));
    assert.equal(tokens.claims?.sub, 'test-user');
    assert.equal(tokens.claims?.aud, CLIENT_ID);
    const [redeemed, ...more] = posts('/token/');
    assert.deepEqual(more, [], 'one token request');
    assert.equal(redeemed.form.get('grant_type'), 'authorization_code');
    assert.match(redeemed.form.get('code_verifier'), /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(auth.requests.filter((r) => r.method === 'OPTIONS'), [], 'no CORS preflight');
    const now = new URL(await tab.url());
    for (const param of ['code', 'state', 'iss']) assert.equal(now.searchParams.has(param), false, `${param} left in the address bar`);

    // Refresh: a new refresh token, and the old one is refused.
    await tab.click('#refresh');
    await tab.waitFor((old) => {
      const text = document.getElementById('tokens')?.textContent;
      return text && JSON.parse(text).refreshToken !== old;
    }, tokens.refreshToken);
    const { tokens: fresh } = await shown(tab);
    assert.equal(posts('/token/').at(-1).form.get('refresh_token'), tokens.refreshToken);
    assert.equal((await redeemDirectly(`${auth.issuer}/token/`, tokens.refreshToken)).error, 'invalid_grant');
    // (The replay revoked the token family at DOT, so sign in again for the logout.)
    assert.equal((await redeemDirectly(`${auth.issuer}/token/`, fresh.refreshToken)).error, 'invalid_grant', 'reuse protection');

    const second = await browser.newTab(`${example.origin}/`);
    await settled(second, 'signed-out');
    await second.click('#login');
    const { tokens: current } = await settled(second, 'signed-in');

    // Logout: the refresh token is revoked, the browser visits the end-session endpoint and comes back.
    const before = auth.requests.length;
    await second.eval(() => { window.beforeLogout = true; }); // a mark only this document has
    await second.click('#logout');
    await second.waitFor((origin) => !window.beforeLogout && location.origin === origin && document.getElementById('status')?.dataset.state === 'signed-out', example.origin);
    assert.equal((await shown(second)).errorCode, null);
    assert.equal(posts('/revoke_token/').at(-1)?.form.get('token'), current.refreshToken);
    const heard = auth.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    assert.ok(heard.includes(`GET ${new URL(`${auth.issuer}/logout/`).pathname}`), `no end-session visit: ${heard}`);
    assert.equal((await redeemDirectly(`${auth.issuer}/token/`, current.refreshToken)).error, 'invalid_grant', 'revoked');
    await tab.close();
    await second.close();
  });
});
