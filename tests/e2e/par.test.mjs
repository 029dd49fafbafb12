// Pushed authorization requests (RFC 9126) through the plain HTML example, in each browser
// engine, against oidc-provider with PAR enabled (and a client that must push): what the PAR
// endpoint and the authorization endpoint received, and that a refused push never falls back to
// a front-channel request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAR_CLIENT_ID } from '../../www/server/auth-server.mjs';
import { eachEngine, launchBrowser, serverRequests, settled, signIn, startWorld, withPageClient } from './harness.mjs';

eachEngine('pushed authorization requests', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('a discovered PAR endpoint: every parameter is pushed, only client_id and request_uri go front-channel', async () => {
    const world = await startWorld('static', { api: true, authOptions: { par: true } });
    try {
      const { tokens } = await signIn(browser, world);
      assert.equal(tokens.tokenType, 'DPoP');
      const [pushed, ...more] = serverRequests(world.auth, '/request').filter((r) => r.method === 'POST');
      assert.deepEqual(more, [], 'one push');
      for (const name of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'dpop_jkt', 'resource', 'prompt']) {
        assert.ok(pushed.body.get(name), `${name} is pushed`);
      }
      assert.equal(pushed.body.get('code_challenge_method'), 'S256');
      assert.equal(serverRequests(world.auth, '/request').filter((r) => r.method === 'OPTIONS').length, 0, 'a form POST: no preflight');
      const front = serverRequests(world.auth, '/auth').filter((r) => r.query.has('request_uri') || r.query.has('state'));
      assert.equal(front.length, 1);
      assert.deepEqual([...front[0].query.keys()].sort(), ['client_id', 'request_uri'], 'nothing else in the address bar');
    } finally {
      await world.stop();
    }
  });

  test('requirePar: authorizeUrl() is par_required, login() pushes and signs in', async () => {
    const world = await startWorld('static', { authOptions: { par: true }, config: { clientId: PAR_CLIENT_ID, requirePar: true } });
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      await settled(tab, 'signed-out');
      const outcome = await withPageClient(tab, world, (client) => {
        try {
          return client.authorizeUrl();
        } catch (e) {
          return [e.code, Object.keys(sessionStorage).filter((k) => k.includes(':tx:')).length];
        }
      });
      assert.deepEqual(outcome, ['par_required', 0], 'refused before a pending login was stored');
      await tab.click('#login');
      await settled(tab, 'signed-in');
      assert.equal(serverRequests(world.auth, '/request').filter((r) => r.method === 'POST').length, 1);
      await tab.close();
    } finally {
      await world.stop();
    }
  });

  test('a refused push is par_error with the server\'s error, leaves no pending login and never goes front-channel', async () => {
    const world = await startWorld('static', { authOptions: { par: true } });
    try {
      const tab = await browser.newTab(`${world.origin}/`);
      await settled(tab, 'signed-out');
      const outcome = await withPageClient(tab, world, (client) => client.login({ extraParams: { prompt: 'bogus' } }).then(
        () => 'navigated',
        (e) => [e.code, e.error, e.status, Object.keys(sessionStorage).filter((k) => k.includes(':tx:')).length, location.href],
      ));
      assert.deepEqual(outcome.slice(0, 4), ['par_error', 'invalid_request', 400, 0]);
      assert.equal(outcome[4], `${world.origin}/`, 'still on the app');
      assert.equal(serverRequests(world.auth, '/auth').length, 0, 'no front-channel request instead');
      await tab.close();
    } finally {
      await world.stop();
    }
  });
});
