// The three examples (plain HTML, React, Vue) against a real authorization server
// (oidc-provider on 127.0.0.1), in each browser engine: what a user sees, and what the servers
// received. The plain HTML example discovers a path-style issuer; React and Vue are configured.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CLIENT_ID } from '../../www/server/auth-server.mjs';
import { eachEngine, failed, launchBrowser, redeemDirectly, serverRequests, settled, shown, signIn as signInTo, startWorld, tokenPosts } from './harness.mjs';

const EXAMPLES = [
  ['static', { path: '/oidc' }],
  ['react', {}],
  ['vue', {}],
];

/** Waits until the example shows a refresh token other than `old`. */
const rotated = (tab, old) => tab.waitFor((previous) => {
  const text = document.getElementById('tokens')?.textContent;
  return text && JSON.parse(text).refreshToken !== previous;
}, old);

eachEngine('the examples against oidc-provider', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('no request leaves the machine: a fetch to a non-loopback name reaches only the black hole', async (t) => {
    const world = await startWorld('static');
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      await settled(tab, 'signed-out');
      const before = browser.blackHole.received.length;
      const outcome = await tab.eval(() => fetch('http://example.com/').then((r) => `answered ${r.status}`, (e) => `failed: ${e.name}`));
      assert.equal(outcome, 'failed: TypeError', 'the request cannot be answered from outside');
      const reached = browser.blackHole.received.slice(before).map((r) => r.target);
      assert.ok(reached.some((target) => target.includes('example.com')), `the black hole did not see it: ${reached}`);
      t.diagnostic(`${engine} black hole so far: ${browser.summary()}`);
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  for (const [name, options] of EXAMPLES) {
    describe(`${name} example`, () => {
      let world;
      const path = options.path ?? '';

      before(async () => {
        world = await startWorld(name, options);
      });

      after(async () => {
        await world?.stop();
      });

      const sent = () => tokenPosts(world.auth, path);
      const grants = (type) => sent().filter((r) => r.body?.get('grant_type') === type);
      const signIn = () => signInTo(browser, world);

      test('signs in: one token request, no preflight, checked ID token, clean address bar', async () => {
        const codeGrantsBefore = grants('authorization_code').length;
        const discoveryBefore = serverRequests(world.auth, '/.well-known').length + serverRequests(world.auth, `${path}/.well-known`).length;
        const { tab, callbackUrl, tokens, errorCode } = await signIn();
        assert.equal(errorCode, null);
        assert.ok(tokens.accessToken && tokens.refreshToken && tokens.idToken, JSON.stringify(tokens));
        assert.equal(tokens.tokenType.toLowerCase(), 'bearer');
        assert.equal(tokens.claims?.sub, 'test-user');
        assert.equal(tokens.claims?.aud, CLIENT_ID);

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
        assert.deepEqual(serverRequests(world.auth, `${path}/token`).filter((r) => r.method === 'OPTIONS'), [], 'no CORS preflight');
        if (options.path) {
          // Discovery happened on the first page load only; the callback page used the cache.
          const discovery = serverRequests(world.auth, '/.well-known').length + serverRequests(world.auth, `${options.path}/.well-known`).length;
          assert.equal(discovery - discoveryBefore, 2, 'RFC 8414 location (404 for a path-style issuer), then OpenID Discovery');
        }
        await tab.close();
      });

      test('the token requests carry no cookie, though the browser holds the server session cookie', async () => {
        const first = world.auth.requests.length;
        const { tab, tokens } = await signIn();
        await tab.click('#refresh');
        await rotated(tab, tokens.refreshToken);

        // The login left oidc-provider's session cookie in the browser; the example and the server
        // are same-site (127.0.0.1, ports do not count), so SameSite=Lax does not keep it off a
        // credentialed fetch: only `credentials`. The browser holds it for the token endpoint's path:
        await tab.goto(`${world.issuer}/token`);
        const held = await tab.cookies();
        assert.ok(held.some((c) => c.name === '_session'), `no session cookie for the token endpoint: ${held.map((c) => c.name)}`);
        const heard = world.auth.requests.slice(first);
        // The browser did send it to the server's own pages during the login (so the record sees cookies)...
        assert.ok(heard.some((r) => /(^|; )_session=/.test(r.cookie ?? '')), 'the server never received its session cookie');
        // ...and never to the token endpoint: the code exchange and the refresh, as the server received them.
        const tokenRequests = heard.filter((r) => r.path.startsWith(`${path}/token`) && r.method === 'POST');
        for (const request of tokenRequests) assert.equal(request.cookie, undefined, `Cookie sent to ${request.method} ${request.path}`);
        assert.deepEqual(tokenRequests.map((r) => r.body.get('grant_type')), ['authorization_code', 'refresh_token']);
        await tab.close();
      });

      if (name === 'static') {
        test('the wasm is fetched once, alongside config.json, and used by init()', async () => {
          const first = world.example.requests.length;
          const tab = await browser.newTab(`${world.origin}/`);
          await settled(tab, 'signed-out');
          const wasm = world.example.requests.slice(first).filter((r) => r.url.endsWith('.wasm'));
          assert.deepEqual(wasm.map((r) => [r.url, r.type]), [['/pkg/pkce_wasm_bg.wasm', 'application/wasm']], 'one download');
          // Started before config.json was answered, not by init() after it.
          const [wasmStart, configEnd] = await tab.eval(() => {
            const entry = (suffix) => performance.getEntriesByType('resource').find((e) => e.name.endsWith(suffix));
            return [entry('.wasm').startTime, entry('/config.json').responseEnd];
          });
          assert.ok(wasmStart < configEnd, `the wasm download started at ${wasmStart} ms, after config.json (${configEnd} ms)`);
          await tab.close();
        });
      }

      test('a reload of the callback URL is state_unknown and sends no second token request', async () => {
        const { tab, callbackUrl } = await signIn();
        const before = sent().length;
        await tab.goto(callbackUrl);
        const { errorCode } = await settled(tab, 'signed-out');
        assert.equal(errorCode, 'state_unknown');
        assert.equal(sent().length, before, 'no token request');
        await tab.close();
      });

      test('Back after sign-in finds no history entry with the code and sends no second token request', async () => {
        const { tab, callbackUrl } = await signIn();
        const code = new URL(callbackUrl).searchParams.get('code');
        assert.ok(code, callbackUrl);
        const redeemed = () => sent().filter((r) => r.body?.get('code') === code).length;
        assert.equal(redeemed(), 1);
        const sentBefore = sent().length;

        // The tab's own view of its history: the redirect chain through the server was one
        // navigation (location.assign to /auth ... 303 to the callback), so one entry, whose URL
        // handleCallback replaced; before it, the example's page from before the sign-in.
        const length = await tab.eval(() => history.length);
        assert.equal(await tab.url(), `${world.origin}/`);

        // Back, then Forward to the entry that was the callback: each shows the example without
        // the code, and no callback is handled again (that would be state_unknown, or a request).
        const seen = [];
        await tab.back();
        seen.push(await tab.url());
        const back = await tab.waitFor(() => document.getElementById('status')?.dataset.state !== 'loading' && document.getElementById('status').dataset.state);
        assert.equal(back, 'signed-out', 'the page from before the sign-in');
        assert.equal((await shown(tab)).errorCode, null);
        await tab.forward();
        seen.push(await tab.url());
        await tab.waitFor(() => ['signed-in', 'signed-out'].includes(document.getElementById('status')?.dataset.state));
        assert.equal((await shown(tab)).errorCode, null, 'no callback handled again (that would be state_unknown)');
        assert.deepEqual(seen, [`${world.origin}/`, `${world.origin}/`]);
        assert.equal(await tab.eval(() => history.length), length, 'no entry was added');
        for (const url of seen) assert.ok(!url.includes(code), `the code is in a history entry: ${url}`);

        assert.equal(redeemed(), 1, 'the code was not sent again');
        assert.equal(sent().length, sentBefore, 'no token request');
        await tab.close();
      });

      test('a callback delivered to a second tab is state_unknown', async () => {
        // sessionStorage is per tab: the second tab never started this login.
        const second = await browser.newTab(`${world.origin}/`);
        await settled(second, 'signed-out');
        const { tab: first, callbackUrl } = await signIn();
        const before = sent().length;
        await second.goto(callbackUrl);
        const { errorCode } = await settled(second, 'signed-out');
        assert.equal(errorCode, 'state_unknown');
        assert.equal(sent().length, before, 'no token request');
        await first.close();
        await second.close();
      });

      test('a refused consent shows authorization_error, as text', async () => {
        world.auth.refuseConsent(true);
        try {
          const tab = await browser.newTab(`${world.origin}/`);
          await settled(tab, 'signed-out');
          const before = sent().length;
          await tab.click('#login');
          const { errorCode, errorText, errorHtml } = await failed(tab);
          assert.equal(errorCode, 'authorization_error');
          assert.match(errorText, /access_denied: The user refused <b>consent<\/b>/);
          assert.ok(!errorHtml.includes('<b>'), 'the description was not rendered as HTML');
          assert.equal(sent().length, before, 'no token request');
          assert.equal(new URL(await tab.url()).searchParams.has('error'), false, 'error parameters removed');
          await tab.close();
        } finally {
          world.auth.refuseConsent(false);
        }
      });

      test('refresh rotates the refresh token and the old one is then rejected', async () => {
        const { tab, tokens } = await signIn();
        const refreshesBefore = grants('refresh_token').length;
        await tab.click('#refresh');
        await rotated(tab, tokens.refreshToken);
        const { tokens: fresh, errorCode } = await shown(tab);
        assert.equal(errorCode, null);
        assert.ok(fresh.refreshToken && fresh.refreshToken !== tokens.refreshToken);
        assert.notEqual(fresh.accessToken, tokens.accessToken);
        const refreshes = grants('refresh_token').slice(refreshesBefore);
        assert.equal(refreshes.length, 1);
        assert.equal(refreshes[0].body.get('refresh_token'), tokens.refreshToken);
        const reused = await redeemDirectly(`${world.issuer}/token`, tokens.refreshToken);
        assert.equal(reused.status, 400);
        assert.equal(reused.error, 'invalid_grant');

        // Reuse detection: the replayed token revoked the whole grant, so the page's own next
        // refresh (with the current token) is refused too, and the page says why.
        await tab.click('#refresh');
        const refused = await failed(tab);
        assert.equal(refused.errorCode, 'token_error');
        assert.match(refused.errorText, /invalid_grant/);
        assert.equal(grants('refresh_token').at(-1).body.get('refresh_token'), fresh.refreshToken);
        await tab.close();
      });

      test('sign out revokes the refresh token and ends the session at the server', async () => {
        const { tab, tokens } = await signIn();
        const first = world.auth.requests.length;
        await tab.eval(() => { window.beforeLogout = true; }); // a mark only this document has
        await tab.click('#logout');
        await tab.waitFor((origin) => !window.beforeLogout && location.href === `${origin}/` && document.getElementById('status')?.dataset.state === 'signed-out', world.origin);
        const { errorCode } = await shown(tab);
        assert.equal(errorCode, null);
        const endSession = world.auth.requests.slice(first).find((r) => r.path.startsWith(`${path}/session/end`) && r.method === 'GET');
        assert.ok(endSession, 'the browser was sent to the end-session endpoint');
        assert.equal(endSession.query.get('id_token_hint'), tokens.idToken);
        assert.equal(endSession.query.get('post_logout_redirect_uri'), `${world.origin}/`);
        const revocations = sent().filter((r) => r.path.startsWith(`${path}/token/revocation`));
        assert.equal(revocations.at(-1)?.body.get('token'), tokens.refreshToken);
        const revoked = await redeemDirectly(`${world.issuer}/token`, tokens.refreshToken);
        assert.equal(revoked.error, 'invalid_grant');
        await tab.close();
      });
    });
  }
});
