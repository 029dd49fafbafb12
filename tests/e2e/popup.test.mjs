// Popup sign-in (issue 13), in each browser engine, with the real authorization server: the
// example's "Sign in (popup)" button, the popup's page relaying its URL, the authorization
// server severing the opener with Cross-Origin-Opener-Policy, the user closing the popup, a
// popup the browser blocks, the timeout, a popup page of its own; then UserInfo, and Back after
// sign-out (the back/forward cache).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { NO_POPUPS, eachEngine, failed, launchBrowser, openPopup, popupClosed, settled, signIn, startWorld, tokenPosts, withPageClient } from './harness.mjs';

eachEngine('popup sign-in', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  for (const [title, authOptions] of [
    ['a popup sign-in: one token request, the popup gone, nothing of the login left in the opener', {}],
    ['the authorization server sends COOP: the popup relays over the BroadcastChannel', { coop: true }],
  ]) {
    test(title, { skip: NO_POPUPS[engine] }, async () => {
      const world = await startWorld('static', { authOptions });
      try {
        const { tab, popup } = await openPopup(browser, world);
        const { status, tokens, errorCode } = await settled(tab, 'signed-in');
        assert.deepEqual([status, errorCode], ['signed-in', null]);
        assert.ok(tokens.accessToken && tokens.claims.sub, 'tokens with ID token claims');
        assert.equal(tokenPosts(world.auth).length, 1, 'one token request');
        const opener = await tab.eval(() => ({ url: location.href, stored: Object.keys(sessionStorage).filter((k) => k.includes(':tx:')), relay: Object.keys(localStorage) }));
        assert.deepEqual(opener, { url: `${world.origin}/`, stored: [], relay: [] }, 'no pending login, no relay marker, a clean address bar');
        await popupClosed(browser, popup);
        if (authOptions.coop) {
          const coop = world.auth.requests.filter((r) => r.path.endsWith('/auth'));
          assert.ok(coop.length >= 1, 'the popup went through the authorization endpoint that sends COOP');
        }
        await tab.close();
      } finally {
        await world.stop();
      }
    });
  }

  test('the user closes the popup at the login page: popup_closed, and the pending login is gone', { skip: NO_POPUPS[engine] }, async () => {
    const world = await startWorld('static', { authOptions: { interactive: true } });
    try {
      const { tab, popup } = await openPopup(browser, world);
      await popup.waitFor(() => location.pathname.includes('/interaction/'));
      await popup.close();
      await tab.focus();
      const { errorCode, status } = await failed(tab);
      assert.deepEqual([errorCode, status], ['popup_closed', 'signed-out']);
      const left = await tab.eval(() => [...Object.keys(sessionStorage).filter((k) => k.includes(':tx:')), ...Object.keys(localStorage)]);
      assert.deepEqual(left, [], 'no pending login and no relay marker are left');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('loginPopup() after an await is blocked by the browser: popup_blocked, no window, nothing stored', async () => {
    const world = await startWorld('static');
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      await settled(tab, 'signed-out');
      const known = await browser.handles();
      const code = await tab.eval(async () => {
        const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
        await init();
        const config = await (await fetch('./config.json')).json();
        const client = await PkceClient.discover(config.issuer, { clientId: config.clientId, redirectUri: config.redirectUri });
        return client.loginPopup().then(() => 'signed in', (e) => e.code);
      });
      assert.equal(code, 'popup_blocked');
      assert.deepEqual(await browser.handles(), known, 'no window opened');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('a popup left open past its timeout: timeout', { skip: NO_POPUPS[engine] }, async () => {
    const world = await startWorld('static', { authOptions: { interactive: true }, config: { popupTimeout: 2 } });
    try {
      const { tab, popup } = await openPopup(browser, world);
      const { errorCode } = await failed(tab);
      assert.equal(errorCode, 'timeout');
      await popupClosed(browser, popup); // the opener closes a popup it gave up on
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('popupRedirectUri: a page of its own relays the response', { skip: NO_POPUPS[engine] }, async () => {
    const world = await startWorld('static', {});
    world.example.setConfig({ ...world.config, popupRedirectUri: `${world.origin}/popup.html` });
    try {
      const { tab, popup } = await openPopup(browser, world);
      const { errorCode } = await settled(tab, 'signed-in');
      assert.equal(errorCode, null);
      const [post] = tokenPosts(world.auth);
      assert.equal(post.body.get('redirect_uri'), `${world.origin}/popup.html`, 'the token request names the redirect URI the login used');
      await popupClosed(browser, popup);
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('userinfo(): the claims of the signed-in user, sub equal to the ID token\'s', async () => {
    const world = await startWorld('static');
    try {
      const { tab, tokens } = await signIn(browser, world);
      await tab.click('#userinfo');
      const claims = JSON.parse(await tab.waitFor(() => !document.getElementById('claims').hidden && document.getElementById('claims').textContent));
      assert.equal(claims.sub, tokens.claims.sub);
      assert.ok(world.auth.requests.some((r) => r.path.endsWith('/me') && r.method === 'GET'), 'the UserInfo endpoint was asked');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  for (const name of ['static', 'react', 'vue']) test(`${name}: Back to a page from before a sign-out shows no tokens (the back/forward cache)`, async () => {
    const world = await startWorld(name, { config: { tokenStorage: 'session' } });
    try {
      const { tab } = await signIn(browser, world);
      await tab.eval(() => {
        window.beforeLeaving = true; // survives only in a page restored from the cache
      });
      await tab.goto(`${world.origin}/?elsewhere`); // the signed-in page may go into the cache
      await settled(tab, 'signed-in');
      await withPageClient(tab, world, (client) => client.clear()); // signed out while it is there
      await tab.back();
      await tab.waitFor(() => location.search === '');
      const restored = await tab.eval(() => window.beforeLeaving === true);
      const why = await tab.eval(() => JSON.stringify(performance.getEntriesByType('navigation')[0]?.notRestoredReasons ?? null));
      const page = await settled(tab, 'signed-out');
      assert.equal(page.tokens, null, 'no old tokens on the page shown again');
      if (!restored) console.log(`# ${engine} ${name}: the page was loaded again, not restored from the back/forward cache: ${why}`);
      await tab.close();
    } finally {
      await world.stop();
    }
  });
});
