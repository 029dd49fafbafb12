// The three examples (plain HTML, React, Vue) against a real authorization server
// (oidc-provider on 127.0.0.1) in headless Chromium: what a user sees and what the browser
// sends. The plain HTML example discovers a path-style issuer; React and Vue are configured.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CLIENT_ID } from '../../www/server/auth-server.mjs';
import { launchBrowser, recordServerHeaders, recordTokenRequests, serverRequests, settled, shown, startWorld } from './harness.mjs';

const EXAMPLES = [
  ['static', { path: '/oidc' }],
  ['react', {}],
  ['vue', {}],
];

/** Redeems `refreshToken` directly at the token endpoint, as another client would. */
async function redeemDirectly(issuer, refreshToken) {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID });
  const response = await fetch(`${issuer}/token`, { method: 'POST', body });
  return { status: response.status, ...(await response.json()) };
}

for (const [name, options] of EXAMPLES) {
  describe(`${name} example`, () => {
    let browser;
    let world;
    let sent; // token endpoint requests, as the browser sent them

    before(async () => {
      world = await startWorld(name, options);
      browser = await launchBrowser();
      sent = recordTokenRequests(browser.context, world.issuer);
    });

    after(async () => {
      await browser?.close();
      await world?.stop();
    });

    const grants = (type) => sent.filter((r) => r.body.get('grant_type') === type);

    /** Opens the example in a new tab (its own sessionStorage) and signs in. */
    async function signIn() {
      const page = await browser.context.newPage();
      const callbacks = [];
      page.on('request', (request) => {
        if (request.isNavigationRequest() && new URL(request.url()).searchParams.has('state')) callbacks.push(request.url());
      });
      await page.goto(`${world.origin}/`);
      await settled(page, 'signed-out');
      await page.click('#login');
      const result = await settled(page, 'signed-in');
      return { page, callbackUrl: callbacks.at(-1), ...result };
    }

    test('signs in: one token request, no preflight, checked ID token, clean address bar', async () => {
      const codeGrantsBefore = grants('authorization_code').length;
      const discoveryBefore = serverRequests(world.auth, '/.well-known').length + serverRequests(world.auth, `${options.path ?? ''}/.well-known`).length;
      const { page, callbackUrl, tokens, errorCode } = await signIn();
      assert.equal(errorCode, null);
      assert.ok(tokens.accessToken && tokens.refreshToken && tokens.idToken, JSON.stringify(tokens));
      assert.equal(tokens.tokenType.toLowerCase(), 'bearer');
      assert.equal(tokens.claims?.sub, 'test-user');
      assert.equal(tokens.claims?.aud, CLIENT_ID);

      const callback = new URL(callbackUrl);
      assert.equal(callback.searchParams.get('iss'), world.issuer, 'the server sends RFC 9207 iss');
      const now = new URL(page.url());
      for (const param of ['code', 'state', 'iss', 'error']) assert.equal(now.searchParams.has(param), false, `${param} left in the address bar`);
      assert.equal(now.origin + now.pathname, `${world.origin}/`);

      const redeemed = grants('authorization_code').slice(codeGrantsBefore);
      assert.equal(redeemed.length, 1, 'exactly one token request');
      assert.equal(redeemed[0].method, 'POST');
      assert.equal(redeemed[0].body.get('code'), callback.searchParams.get('code'));
      assert.equal(redeemed[0].body.get('redirect_uri'), `${world.origin}/`);
      assert.equal(redeemed[0].body.get('client_id'), CLIENT_ID);
      assert.match(redeemed[0].body.get('code_verifier'), /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(serverRequests(world.auth, `${options.path ?? ''}/token`).filter((r) => r.method === 'OPTIONS'), [], 'no CORS preflight');
      if (options.path) {
        // Discovery happened on the first page load only; the callback page used the cache.
        const discovery = serverRequests(world.auth, '/.well-known').length + serverRequests(world.auth, `${options.path}/.well-known`).length;
        assert.equal(discovery - discoveryBefore, 2, 'RFC 8414 location (404 for a path-style issuer), then OpenID Discovery');
      }
      await page.close();
    });

    test('the token requests carry no cookie, though the browser holds the server session cookie', async () => {
      const heard = recordServerHeaders(world.issuer);
      try {
        const { page, tokens } = await signIn();
        await page.click('#refresh');
        await page.waitForFunction((old) => {
          const text = document.getElementById('tokens')?.textContent;
          return text && JSON.parse(text).refreshToken !== old;
        }, tokens.refreshToken);

        // The login left oidc-provider's session cookie in the browser, for a path the token
        // endpoint is under; the example and the server are same-site (127.0.0.1, ports do not
        // count), so SameSite=Lax does not keep it off a credentialed fetch: only `credentials`.
        const held = await browser.context.cookies(`${world.issuer}/token`);
        assert.ok(held.some((c) => c.name === '_session'), `no session cookie for the token endpoint: ${held.map((c) => c.name)}`);
        // The browser did send it to the server's own pages during the login (so the record sees cookies)...
        assert.ok(heard.requests.some((r) => /(^|; )_session=/.test(r.headers.cookie ?? '')), 'the server never received its session cookie');
        // ...and never to the token endpoint: the code exchange and the refresh, as the server received them.
        const tokenRequests = heard.requests.filter((r) => r.path.startsWith(`${options.path ?? ''}/token`));
        for (const request of tokenRequests) assert.equal(request.headers.cookie, undefined, `Cookie sent to ${request.method} ${request.path}`);
        assert.deepEqual(tokenRequests.map((r) => r.method), ['POST', 'POST'], 'the code exchange and one refresh');
        await page.close();
      } finally {
        heard.stop();
      }
    });

    if (name === 'static') {
      test('the preloaded wasm is fetched once and used by init()', async () => {
        const page = await browser.context.newPage();
        const wasm = [];
        const warnings = [];
        page.on('request', (request) => {
          if (new URL(request.url()).pathname.endsWith('.wasm')) wasm.push(request.url());
        });
        page.on('console', (message) => {
          if (/preload/i.test(message.text())) warnings.push(message.text());
        });
        await page.goto(`${world.origin}/`);
        await settled(page, 'signed-out');
        assert.deepEqual(wasm, [`${world.origin}/pkg/pkce_wasm_bg.wasm`], 'one download');
        // Started by the <link> (so alongside app.js), not by init()'s fetch after it.
        const initiators = await page.evaluate(() =>
          performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => e.initiatorType));
        assert.deepEqual(initiators, ['link'], 'the preload was the only wasm fetch: init() reused it');
        assert.deepEqual(warnings, [], 'Chromium reports no unused or mismatched preload');
        await page.close();
      });
    }

    test('a reload of the callback URL is state_unknown and sends no second token request', async () => {
      const { page, callbackUrl } = await signIn();
      const before = sent.length;
      await page.goto(callbackUrl);
      const { errorCode } = await settled(page, 'signed-out');
      assert.equal(errorCode, 'state_unknown');
      assert.equal(sent.length, before, 'no token request');
      await page.close();
    });

    test('Back after sign-in finds no history entry with the code and sends no second token request', async () => {
      const { page, callbackUrl } = await signIn();
      const code = new URL(callbackUrl).searchParams.get('code');
      assert.ok(code, callbackUrl);
      const redeemed = () => sent.filter((r) => r.body.get('code') === code).length;
      assert.equal(redeemed(), 1);
      const sentBefore = sent.length;

      // The browser's own list of this tab's history entries. The server's redirect chain was one
      // navigation (location.assign to /auth ... 303 to the callback): one entry, whose URL
      // handleCallback replaced. Before it: the example's page from before the sign-in.
      const cdp = await browser.context.newCDPSession(page);
      const { entries, currentIndex } = await cdp.send('Page.getNavigationHistory');
      assert.deepEqual(entries.map((e) => e.url), ['about:blank', `${world.origin}/`, `${world.origin}/`]);
      assert.equal(currentIndex, 2);
      for (const entry of entries) assert.ok(!JSON.stringify(entry).includes(code), `the code is in a history entry: ${JSON.stringify(entry)}`);

      // Back, then Forward to the entry that was the callback. Playwright's Chromium has no
      // back/forward cache, so each step loads the page again and runs the example from the start.
      const navigated = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigated.push(frame.url());
      });
      const loaded = () => page.locator('#status:not([data-state="loading"])').waitFor().then(() => shown(page));
      await page.goBack();
      assert.equal(page.url(), `${world.origin}/`);
      const back = await loaded();
      assert.deepEqual([back.status, back.errorCode], ['signed-out', null], 'the page from before the sign-in');
      await page.goForward();
      assert.equal(page.url(), `${world.origin}/`);
      const forward = await loaded();
      assert.equal(forward.errorCode, null, 'no callback handled again (that would be state_unknown)');

      assert.deepEqual(navigated, [`${world.origin}/`, `${world.origin}/`]);
      assert.equal(redeemed(), 1, 'the code was not sent again');
      assert.equal(sent.length, sentBefore, 'no token request');
      await page.close();
    });

    test('a callback delivered to a second tab is state_unknown', async () => {
      // sessionStorage is per tab: the second tab never started this login. (Playwright
      // cannot hold the callback back from the first tab: it is a redirect inside the
      // authorization server's navigation chain, which page.route() does not see.)
      const second = await browser.context.newPage();
      await second.goto(`${world.origin}/`);
      await settled(second, 'signed-out');
      const { page: first, callbackUrl } = await signIn();
      const before = sent.length;
      await second.goto(callbackUrl);
      const { errorCode } = await settled(second, 'signed-out');
      assert.equal(errorCode, 'state_unknown');
      assert.equal(sent.length, before, 'no token request');
      await Promise.all([first.close(), second.close()]);
    });

    test('a refused consent shows authorization_error, as text', async () => {
      world.auth.refuseConsent(true);
      try {
        const page = await browser.context.newPage();
        await page.goto(`${world.origin}/`);
        await settled(page, 'signed-out');
        const before = sent.length;
        await page.click('#login');
        await page.locator('#error[data-code]').waitFor();
        const { errorCode, errorText, errorHtml } = await shown(page);
        assert.equal(errorCode, 'authorization_error');
        assert.match(errorText, /access_denied: The user refused <b>consent<\/b>/);
        assert.ok(!errorHtml.includes('<b>'), 'the description was not rendered as HTML');
        assert.equal(sent.length, before, 'no token request');
        assert.equal(new URL(page.url()).searchParams.has('error'), false, 'error parameters removed');
        await page.close();
      } finally {
        world.auth.refuseConsent(false);
      }
    });

    test('refresh rotates the refresh token and the old one is then rejected', async () => {
      const { page, tokens } = await signIn();
      const refreshesBefore = grants('refresh_token').length;
      await page.click('#refresh');
      await page.waitForFunction((old) => {
        const text = document.getElementById('tokens')?.textContent;
        return text && JSON.parse(text).refreshToken !== old;
      }, tokens.refreshToken);
      const { tokens: fresh, errorCode } = await shown(page);
      assert.equal(errorCode, null);
      assert.ok(fresh.refreshToken && fresh.refreshToken !== tokens.refreshToken);
      assert.notEqual(fresh.accessToken, tokens.accessToken);
      const refreshes = grants('refresh_token').slice(refreshesBefore);
      assert.equal(refreshes.length, 1);
      assert.equal(refreshes[0].body.get('refresh_token'), tokens.refreshToken);
      const reused = await redeemDirectly(world.issuer, tokens.refreshToken);
      assert.equal(reused.status, 400);
      assert.equal(reused.error, 'invalid_grant');

      // Reuse detection: the replayed token revoked the whole grant, so the page's own next
      // refresh (with the current token) is refused too, and the page says why.
      await page.click('#refresh');
      await page.locator('#error[data-code]').waitFor();
      const refused = await shown(page);
      assert.equal(refused.errorCode, 'token_error');
      assert.match(refused.errorText, /invalid_grant/);
      assert.equal(grants('refresh_token').at(-1).body.get('refresh_token'), fresh.refreshToken);
      await page.close();
    });

    test('sign out revokes the refresh token and ends the session at the server', async () => {
      const { page, tokens } = await signIn();
      const endSession = page.waitForRequest((r) => r.url().startsWith(`${world.issuer}/session/end`));
      await page.click('#logout');
      const request = await endSession;
      const hint = new URL(request.url()).searchParams;
      assert.equal(hint.get('id_token_hint'), tokens.idToken);
      assert.equal(hint.get('post_logout_redirect_uri'), `${world.origin}/`);
      await page.waitForURL(`${world.origin}/`);
      const { errorCode } = await settled(page, 'signed-out');
      assert.equal(errorCode, null);
      const revocations = sent.filter((r) => r.url.startsWith(`${world.issuer}/token/revocation`));
      assert.equal(revocations.at(-1)?.body.get('token'), tokens.refreshToken);
      const revoked = await redeemDirectly(world.issuer, tokens.refreshToken);
      assert.equal(revoked.error, 'invalid_grant');
      await page.close();
    });
  });
}
