// Tabs in step (issue 13's second part), in each browser engine: subscribe() listeners follow the
// holder, and a sign-out in one tab signs the same client out in the other tabs of the origin
// (here "session" mode: each tab its own login and holder), without a reload.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { eachEngine, launchBrowser, settled, signIn, startWorld, withPageClient } from './harness.mjs';

eachEngine('tabs in step', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('a logout in one tab shows signed-out in the other at once; a refresh shows in its own tab through subscribe()', async () => {
    const world = await startWorld('static', { config: { tokenStorage: 'session' } });
    try {
      const first = await signIn(browser, world);
      const second = await signIn(browser, world);
      assert.notEqual(first.tokens.accessToken, second.tokens.accessToken, 'two logins, one per tab');

      // The example's own refresh button stores through the holder; subscribe() shows it.
      await second.tab.click('#refresh');
      const refreshed = (await settled(second.tab, 'signed-in')).tokens;
      assert.notEqual(refreshed.accessToken, second.tokens.accessToken);

      await first.tab.click('#logout');
      await first.tab.waitFor(() => document.getElementById('status')?.dataset.state === 'signed-out');
      const shown = await second.tab.waitFor(() => document.getElementById('status')?.dataset.state === 'signed-out' && document.getElementById('tokens').hidden);
      assert.equal(shown, true, 'the other tab shows signed-out without a reload');
      const held = await withPageClient(second.tab, world, (client) => client.getAccessToken().then(() => 'a token', (e) => e.code));
      assert.equal(held, 'login_required', 'its holder (sessionStorage) is empty');
      await first.tab.close();
      await second.tab.close();
    } finally {
      await world.stop();
    }
  });
});
