// Two real tabs of one browser against a real authorization server (oidc-provider on
// 127.0.0.1, rotating refresh tokens with reuse detection): a callback copied into a second
// tab is redeemed once, and two tabs sharing "local" tokens never redeem one refresh token
// twice. The evidence is the server's own record of each grant (`auth.grants`). The page is
// the test fixture tests/e2e/fixtures/tabs/ (one client from /config.json, as `window.client`).
// In each browser engine. WebDriver runs one window's script at a time, so "at once" means:
// start the call in each tab, then collect each tab's result.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { CLIENT_ID, startAuthServer } from '../../www/server/auth-server.mjs';
import { startStaticServer } from '../../www/server/static-server.mjs';
import { eachEngine, launchBrowser, settled } from './harness.mjs';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const ROUNDS = 20;

eachEngine('two tabs', (engine) => {
  let browser;
  let app;
  let auth;

  before(async () => {
    app = await startStaticServer({ root: path('./fixtures/tabs'), mounts: { '/pkg/': path('../../pkg') } });
    auth = await startAuthServer({ clientOrigins: [app.origin] });
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
    await Promise.all([app?.close(), auth?.close()]);
  });

  /** Serves the fixture's config with `tokenStorage`. */
  const configure = (tokenStorage) =>
    app.setConfig({ clientId: CLIENT_ID, redirectUri: `${app.origin}/`, issuer: auth.issuer, scope: 'openid offline_access', tokenStorage });

  /** A new tab on the fixture, settled on `state`. */
  async function openTab(state) {
    const page = await browser.newTab(`${app.origin}/`);
    await settled(page, state);
    return page;
  }

  /** Leaves for the authorization server (which signs the test user in at once) and comes back. */
  async function signIn(page, backTo) {
    await page.eval(() => { setTimeout(() => window.client.login({ extraParams: { prompt: 'consent' } })); });
    await settled(page, backTo);
  }

  const grants = (type) => auth.grants.filter((g) => g.grantType === type);

  test('a callback copied into a second tab (its sessionStorage copied, as window.open and Duplicate Tab do) is redeemed once: the copy is state_unknown', async () => {
    configure('memory');
    const page = await openTab('signed-out');
    await page.eval(() => sessionStorage.setItem('tabs:manual', '1')); // handle the callback by hand
    await signIn(page, 'callback');
    const callbackUrl = await page.url();
    const code = new URL(callbackUrl).searchParams.get('code');
    // A second tab with a copy of this tab's sessionStorage, pending login included, on the same
    // callback URL. (The copy is made by the test rather than by window.open: WebKitGTK's
    // MiniBrowser under WebDriver opens no window for a page.)
    const items = await page.eval(() => Object.entries(sessionStorage));
    const copy = await openTab('signed-out');
    await copy.eval((entries) => entries.forEach(([key, value]) => sessionStorage.setItem(key, value)), items);
    await copy.goto(callbackUrl);
    await settled(copy, 'callback');
    // Both tabs handle the callback at once.
    for (const tab of [page, copy]) {
      await tab.eval(() => { window.outcome = window.client.handleCallback().then(() => 'signed in', (e) => e.code); });
    }
    const outcomes = [await page.eval(() => window.outcome), await copy.eval(() => window.outcome)];
    assert.deepEqual([...outcomes].sort(), ['signed in', 'state_unknown'], JSON.stringify(outcomes));
    const redeemed = grants('authorization_code').filter((g) => g.code === code);
    assert.equal(redeemed.length, 1, `the code reached the server ${redeemed.length} times`);
    assert.equal(redeemed[0].ok, true);
    // The mark that decided it: in the origin-wide store, indexed by expiry, so the next claim
    // sweeps only expired marks instead of walking every mark of the last ten minutes.
    const marks = await page.eval(() => new Promise((resolve, reject) => {
      const request = indexedDB.open('pkce-wasm');
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const store = request.result.transaction('kv').objectStore('kv');
        const live = store.index('expires').count(IDBKeyRange.lowerBound(Date.now()));
        live.onsuccess = () => { resolve({ indexed: store.indexNames.contains('expires'), live: live.result }); request.result.close(); };
        live.onerror = () => reject(live.error);
      };
    }));
    assert.deepEqual(marks, { indexed: true, live: 1 });
    await copy.close();
    await page.close();
  });

  // Stands in for a profiler: notes the package's IndexedDB steps in order (opening the
  // database, a mark's add, the sweep's cursor), on the real IndexedDB.
  const IDB_STEPS = `(() => {
    const steps = (window.idbSteps = []);
    const trace = (proto, method, step) => {
      const real = proto[method];
      proto[method] = function (...args) { steps.push(step); return real.apply(this, args); };
      return real;
    };
    const open = trace(IDBFactory.prototype, 'open', 'open');
    trace(IDBObjectStore.prototype, 'add', 'add');
    trace(IDBIndex.prototype, 'openCursor', 'sweep');
    // Writes (write: true) or counts the expired mark of an earlier callback, untraced.
    window.expiredMark = (write) => new Promise((resolve, reject) => {
      const request = open.call(indexedDB, 'pkce-wasm');
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        try {
          const tx = request.result.transaction('kv', 'readwrite');
          const store = tx.objectStore('kv');
          const done = write ? store.put({ expires: 1 }, 'expired-mark') : store.count('expired-mark');
          tx.oncomplete = () => { request.result.close(); resolve(done.result); };
          tx.onerror = () => reject(tx.error);
        } catch (error) {
          reject(error); // no store: the package has not opened (made) the database
        }
      };
    });
  })();`;

  test('a callback page opens IndexedDB when its client is made; the claim is one add; expired marks are swept after handleCallback() settled', async () => {
    configure('memory');
    app.setHeadScript(IDB_STEPS);
    try {
      const page = await openTab('signed-out');
      assert.deepEqual(await page.eval(() => window.idbSteps), [], 'a page that is no callback leaves IndexedDB alone');
      await page.eval(() => sessionStorage.setItem('tabs:manual', '1')); // handle the callback by hand
      await signIn(page, 'callback');
      assert.deepEqual(await page.eval(() => window.idbSteps), ['open'], 'opened before handleCallback()');
      await page.eval(() => window.expiredMark(true));
      await page.eval(() => { window.idbSteps.length = 0; window.outcome = window.client.handleCallback().then(() => window.idbSteps.length, (e) => e.code); });
      const stepsWhenSettled = await page.eval(() => window.outcome);
      assert.equal(typeof stepsWhenSettled, 'number', `handleCallback() failed: ${stepsWhenSettled}`);
      await page.waitFor(() => window.expiredMark(false).then((left) => left === 0)); // swept
      const steps = await page.eval(() => window.idbSteps);
      assert.deepEqual(steps.slice(0, stepsWhenSettled), ['add'], 'until it settled: the claim, one add');
      assert.deepEqual(steps.slice(stepsWhenSettled), ['sweep'], 'then the sweep');
      await page.close();
    } finally {
      app.setHeadScript(null);
    }
  });

  test(`two tabs in "local" mode asking for a token at once, ${ROUNDS} rounds: one refresh a round, no refresh token reused`, async () => {
    configure('local');
    const first = await openTab('signed-out');
    await signIn(first, 'signed-in');
    const second = await openTab('signed-in'); // the login another tab made
    const before = grants('refresh_token').length;
    for (let round = 0; round < ROUNDS; round += 1) {
      await first.eval(() => window.expire({ shared: true }));
      await second.eval(() => window.expire({ shared: false }));
      for (const tab of [first, second]) {
        await tab.eval(() => { window.asked = window.client.getAccessToken().catch((e) => `error ${e.code}`); });
      }
      const tokens = [await first.eval(() => window.asked), await second.eval(() => window.asked)];
      assert.ok(tokens.every((t) => !t.startsWith('error')), `round ${round}: ${tokens}`);
      assert.equal(tokens[0], tokens[1], `round ${round}: both tabs use the one refresh's result`);
      assert.equal(grants('refresh_token').length - before, round + 1, `round ${round}: one refresh`);
    }
    const refreshes = grants('refresh_token').slice(before);
    const presented = refreshes.map((g) => g.refreshToken);
    assert.equal(new Set(presented).size, presented.length, 'a refresh token was presented twice');
    assert.deepEqual(refreshes.filter((g) => !g.ok), [], 'every refresh was accepted');
    for (const tab of [first, second]) {
      assert.equal(await tab.eval(() => !!window.client.tokens()?.accessToken), true, 'still signed in');
    }
    await first.eval(() => window.client.clear());
    await first.close();
    await second.close();
  });
});
