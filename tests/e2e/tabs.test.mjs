// Two real tabs of one browser against a real authorization server (oidc-provider on
// 127.0.0.1, rotating refresh tokens with reuse detection): a callback copied into a second
// tab is redeemed once, and two tabs sharing "local" tokens never redeem one refresh token
// twice. The evidence is the server's own record of each grant (`auth.grants`). The page is
// the test fixture tests/e2e/fixtures/tabs/ (one client from /config.json, as `window.client`).
// Only goto, evaluate and waits on page content are used.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { CLIENT_ID, startAuthServer } from '../../www/server/auth-server.mjs';
import { startStaticServer } from '../../www/server/static-server.mjs';
import { launchBrowser, settled } from './harness.mjs';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const ROUNDS = 20;

describe('two tabs', () => {
  let browser;
  let app;
  let auth;

  before(async () => {
    app = await startStaticServer({ root: path('./fixtures/tabs'), mounts: { '/pkg/': path('../../pkg') } });
    auth = await startAuthServer({ clientOrigins: [app.origin] });
    browser = await launchBrowser();
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
    const page = await browser.context.newPage();
    await page.goto(`${app.origin}/`);
    await settled(page, state);
    return page;
  }

  /** Leaves for the authorization server (which signs the test user in at once) and comes back. */
  async function signIn(page, backTo) {
    await page.evaluate(() => setTimeout(() => window.client.login({ extraParams: { prompt: 'consent' } })));
    await page.locator(`#status[data-state="${backTo}"]`).waitFor();
  }

  const grants = (type) => auth.grants.filter((g) => g.grantType === type);

  test('a callback copied into a second tab (window.open) is redeemed once: the copy is state_unknown', async () => {
    configure('memory');
    const page = await openTab('signed-out');
    await page.evaluate(() => sessionStorage.setItem('tabs:manual', '1')); // handle the callback by hand
    await signIn(page, 'callback');
    const code = new URL(page.url()).searchParams.get('code');
    const outcomes = await page.evaluate(async () => {
      // window.open copies this tab's sessionStorage, pending login included, into the new tab.
      const copy = await new Promise((resolve) => {
        window.tabReady = resolve;
        window.open(location.href);
      });
      const settle = (client) => client.handleCallback().then(() => 'signed in', (e) => e.code);
      const outcomes = await Promise.all([settle(window.client), settle(copy.client)]);
      copy.close();
      return outcomes;
    });
    assert.deepEqual([...outcomes].sort(), ['signed in', 'state_unknown'], JSON.stringify(outcomes));
    const redeemed = grants('authorization_code').filter((g) => g.code === code);
    assert.equal(redeemed.length, 1, `the code reached the server ${redeemed.length} times`);
    assert.equal(redeemed[0].ok, true);
    await page.close();
  });

  test(`two tabs in "local" mode asking for a token at once, ${ROUNDS} rounds: one refresh a round, no refresh token reused`, async () => {
    configure('local');
    const first = await openTab('signed-out');
    await signIn(first, 'signed-in');
    const second = await openTab('signed-in'); // the login another tab made
    const before = grants('refresh_token').length;
    for (let round = 0; round < ROUNDS; round += 1) {
      await first.evaluate(() => window.expire({ shared: true }));
      await second.evaluate(() => window.expire({ shared: false }));
      const tokens = await Promise.all([first, second].map((tab) => tab.evaluate(() => window.client.getAccessToken().catch((e) => `error ${e.code}`))));
      assert.ok(tokens.every((t) => !t.startsWith('error')), `round ${round}: ${tokens}`);
      assert.equal(tokens[0], tokens[1], `round ${round}: both tabs use the one refresh's result`);
      assert.equal(grants('refresh_token').length - before, round + 1, `round ${round}: one refresh`);
    }
    const refreshes = grants('refresh_token').slice(before);
    const presented = refreshes.map((g) => g.refreshToken);
    assert.equal(new Set(presented).size, presented.length, 'a refresh token was presented twice');
    assert.deepEqual(refreshes.filter((g) => !g.ok), [], 'every refresh was accepted');
    for (const tab of [first, second]) {
      assert.equal(await tab.evaluate(() => !!window.client.tokens()?.accessToken), true, 'still signed in');
    }
    await first.evaluate(() => window.client.clear());
    await Promise.all([first.close(), second.close()]);
  });
});
