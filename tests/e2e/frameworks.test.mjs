// pkce-wasm/react and pkce-wasm/vue (issue 13's framework entries), through the React and Vue
// examples, in each browser engine: the provider/plugin redeems the callback itself, once (React
// in StrictMode with React's development build, where every effect runs twice), relays a popup's
// response, and follows the client's holder, so a sign-out in one tab shows in the other without
// a reload.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { NO_POPUPS, eachEngine, failed, launchBrowser, openPopup, popupClosed, settled, shown, signIn, startWorld, tokenPosts } from './harness.mjs';

// Stands in for React DevTools (React looks for this hook at start): records which React build
// runs (bundleType 1: development) and how often StrictMode's double invocation began (React
// tells the hook setStrictMode(id, true) each time). Read through the DOM: WebDriver scripts may
// run in a sandbox of their own.
const REACT_PROBE = `window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
  supportsFiber: true, renderers: new Map(), checkDCE() {},
  inject(renderer) { document.documentElement.dataset.reactBundle = renderer.bundleType; return 1; },
  setStrictMode(id, on) { if (on) document.documentElement.dataset.strict = Number(document.documentElement.dataset.strict ?? 0) + 1; },
  onScheduleFiberRoot() {}, onCommitFiberRoot() {}, onCommitFiberUnmount() {}, onPostCommitFiberRoot() {},
};`;

const codeGrants = (world) => tokenPosts(world.auth).filter((r) => r.body?.get('grant_type') === 'authorization_code');

eachEngine('the React and Vue entries', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('React: <AuthProvider> in StrictMode on the callback page: one token request, signed in, no error', async () => {
    const world = await startWorld('react-dev');
    world.example.setHeadScript(REACT_PROBE);
    try {
      const { tab, tokens, errorCode } = await signIn(browser, world);
      const { reactBundle, strict } = await tab.eval(() => ({ ...document.documentElement.dataset }));
      assert.equal(reactBundle, '1', "React's development build runs");
      assert.ok(Number(strict) > 0, `StrictMode ran its double invocations (${strict})`);
      assert.equal(errorCode, null, 'no error shown');
      assert.ok(tokens?.accessToken, 'the tokens are shown');
      assert.equal(codeGrants(world).length, 1, 'one token request');
      // Nothing more arrives later (a late second redemption would show state_unknown).
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await shown(tab);
      assert.deepEqual([now.status, now.errorCode, now.tokens?.accessToken], ['signed-in', null, tokens.accessToken]);
      assert.equal(codeGrants(world).length, 1, 'still one token request');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test("React: <AuthProvider> in StrictMode on a refused consent's callback shows that error, not a second call's", async () => {
    const world = await startWorld('react-dev');
    world.auth.refuseConsent(true);
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      await settled(tab, 'signed-out');
      await tab.click('#login');
      const { errorCode, status } = await failed(tab);
      assert.deepEqual([status, errorCode], ['signed-out', 'authorization_error']);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal((await shown(tab)).errorCode, 'authorization_error', 'not replaced by state_unknown or not_a_callback');
      assert.equal(tokenPosts(world.auth).length, 0, 'no token request');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('Vue: createAuth() on the callback page: one token request, signed in, no error', async () => {
    const world = await startWorld('vue');
    try {
      const { tab, tokens, errorCode } = await signIn(browser, world);
      assert.equal(errorCode, null, 'no error shown');
      assert.ok(tokens?.accessToken, 'the tokens are shown');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await shown(tab);
      assert.deepEqual([now.status, now.errorCode, now.tokens?.accessToken], ['signed-in', null, tokens.accessToken]);
      assert.equal(codeGrants(world).length, 1, 'one token request');
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  for (const [name, authOptions, how] of [
    ['react', {}, 'relays'],
    ['react-dev', {}, 'relays'],
    ['vue', {}, 'relays'],
    // Cross-Origin-Opener-Policy from the authorization server: no opener, the BroadcastChannel.
    ['react', { coop: true }, 'relays under COOP'],
    ['vue', { coop: true }, 'relays under COOP'],
  ]) {
    test(`${name}: loginPopup() from the button: the popup's page (the app itself) ${how}, one token request, signed in`, { skip: NO_POPUPS[engine] }, async () => {
      const world = await startWorld(name, { authOptions });
      if (name === 'react-dev') world.example.setHeadScript(REACT_PROBE);
      try {
        const { tab, popup } = await openPopup(browser, world);
        const { status, tokens, errorCode } = await settled(tab, 'signed-in');
        assert.deepEqual([status, errorCode], ['signed-in', null]);
        assert.ok(tokens.accessToken && tokens.claims.sub, 'tokens with ID token claims');
        await popupClosed(browser, popup);
        assert.equal(codeGrants(world).length, 1, 'one token request');
        await tab.close();
      } finally {
        await world.stop();
      }
    });
  }

  for (const name of ['react', 'vue']) {
    test(`${name}: the user closes the popup: popup_closed in \`error\`, signed out`, { skip: NO_POPUPS[engine] }, async () => {
      const world = await startWorld(name, { authOptions: { interactive: true } });
      try {
        const { tab, popup } = await openPopup(browser, world);
        await popup.waitFor(() => location.pathname.includes('/interaction/'));
        await popup.close();
        await tab.focus();
        const { errorCode, status } = await failed(tab);
        assert.deepEqual([errorCode, status], ['popup_closed', 'signed-out']);
        assert.equal(codeGrants(world).length, 0, 'no token request');
        await tab.close();
      } finally {
        await world.stop();
      }
    });

    test(`${name}: "Who am I" shows userinfo() through useAuth().client, sub equal to the ID token's`, async () => {
      const world = await startWorld(name);
      try {
        const { tab, tokens } = await signIn(browser, world);
        await tab.click('#userinfo');
        const claims = JSON.parse(await tab.waitFor(() => document.getElementById('claims')?.textContent));
        assert.equal(claims.sub, tokens.claims.sub);
        await tab.close();
      } finally {
        await world.stop();
      }
    });

    test(`${name}: a sign-out in one tab shows signed-out in the other without a reload`, async () => {
      // The default "memory" holder: each tab its own login; the sign-out reaches the other tab
      // over the client's BroadcastChannel, and the provider/plugin hears it through subscribe().
      const world = await startWorld(name);
      try {
        const first = await signIn(browser, world);
        const second = await signIn(browser, world);
        assert.notEqual(first.tokens.accessToken, second.tokens.accessToken, 'two logins, one per tab');
        await second.tab.eval(() => { window.notReloaded = true; }); // a mark only this document has
        await first.tab.click('#logout');
        await first.tab.waitFor(() => document.getElementById('status')?.dataset.state === 'signed-out');
        const signedOut = await second.tab.waitFor(() => window.notReloaded && document.getElementById('status')?.dataset.state === 'signed-out' && !document.getElementById('tokens'));
        assert.equal(signedOut, true, 'the other tab shows signed-out, tokens gone, same document');
        assert.equal((await shown(second.tab)).errorCode, null);
        await first.tab.close();
        await second.tab.close();
      } finally {
        await world.stop();
      }
    });
  }
});
