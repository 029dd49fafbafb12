// One callback, one redemption (issue 13's first part), in each browser engine: however many
// handleCallback() calls a callback page makes, from however many PkceClient instances of the
// same client, the token endpoint sees one request and every caller gets the same result.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { eachEngine, launchBrowser, settled, signIn, startWorld, tokenPosts } from './harness.mjs';

// On the callback page, beside the example's own script: two more instances of the example's
// client, each calling handleCallback() twice, all at once; what they got goes into the DOM
// (WebDriver scripts may run in a sandbox of their own, the DOM is shared). They start once the
// document is parsed: an import() before the page's import map would void it in Firefox.
const EXTRA_CALLERS = `if (new URLSearchParams(location.search).has('state')) addEventListener('DOMContentLoaded', async () => {
  const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
  await init();
  const config = await (await fetch('./config.json')).json();
  const settings = { clientId: config.clientId, redirectUri: config.redirectUri, scope: config.scope };
  const clients = await Promise.all([PkceClient.discover(config.issuer, settings), PkceClient.discover(config.issuer, settings)]);
  const calls = clients.flatMap((client) => [client.handleCallback(), client.handleCallback()]);
  const results = await Promise.all(calls.map((call) => call.then((r) => r.tokens.accessToken, (e) => 'error ' + e.code)));
  document.documentElement.dataset.callers = JSON.stringify({ results, same: calls.every((call) => call === calls[0]) });
});`;

eachEngine('one callback, one redemption', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('five handleCallback() calls from three instances of one client: one token request, one result for all', async () => {
    const world = await startWorld('static');
    world.example.setHeadScript(EXTRA_CALLERS);
    try {
      const { tab, tokens, errorCode } = await signIn(browser, world);
      assert.equal(errorCode, null, 'the example shows no error');
      const callers = JSON.parse(await tab.waitFor(() => document.documentElement.dataset.callers));
      assert.deepEqual(callers.results, Array(4).fill(tokens.accessToken), 'every caller got the same tokens');
      assert.equal(callers.same, true, 'one promise for every call of the page');
      assert.equal(tokenPosts(world.auth).length, 1, 'one token request');
      assert.equal((await settled(tab, 'signed-in')).tokens.accessToken, tokens.accessToken);
      await tab.close();
    } finally {
      await world.stop();
    }
  });
});
