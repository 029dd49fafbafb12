// tokenStorage "worker" (issue 14), in each browser engine, against oidc-provider on 127.0.0.1:
// the code exchange and every refresh run in the package's dedicated module worker
// (pkg/pkce_wasm_worker.js), and the refresh token exists only in that worker's memory. The page
// is tests/e2e/fixtures/worker/ (the client on `window.client`); the refresh tokens the tests
// look for come from the authorization server's own record (`auth.refreshTokens`), never from
// the page. The plain HTML example is driven in this mode too.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { apiConfig, exampleConfig } from '../../www/server/examples.mjs';
import { startAuthServer } from '../../www/server/auth-server.mjs';
import { startResourceServer } from '../../www/server/resource-server.mjs';
import { startStaticServer } from '../../www/server/static-server.mjs';
import { eachEngine, launchBrowser, redeemDirectly, settled, signIn, startWorld } from './harness.mjs';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

/** The policy the issue names; the worker script is served with it too (its own answer's). */
export const STRICT_CSP = "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; require-trusted-types-for 'script'";

/**
 * The fixture page on its own server (CSP headers on every answer when `csp`), an authorization
 * server that knows it, and with `api` the resource server. Returns { origin, auth, api, page, stop }.
 */
async function startFixture({ mode = 'worker', api = false, dpop = false, csp = false, authOptions = {}, headScript = null } = {}) {
  const stops = [];
  const stop = () => Promise.all(stops.map((close) => close()));
  try {
    const headers = csp ? { 'content-security-policy': STRICT_CSP } : {};
    const page = await startStaticServer({ root: path('./fixtures/worker'), mounts: { '/pkg/': path('../../pkg') }, headers });
    stops.push(() => page.close());
    const server = api ? await startResourceServer({ allowedOrigins: [page.origin] }) : null;
    if (server) stops.push(() => server.close());
    const resource = server ? { resource: server.resource, dpop } : {};
    const auth = await startAuthServer({ clientOrigins: [page.origin], ...resource, ...authOptions });
    stops.push(() => auth.close());
    server?.connect({ issuer: auth.issuer, introspection: auth.introspectionClient });
    page.setConfig({ ...exampleConfig(auth.issuer, page.origin), ...(server ? apiConfig(server, { dpop }) : {}), tokenStorage: mode });
    page.setHeadScript(headScript);
    return { origin: page.origin, auth, api: server, page, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Opens the fixture in a new tab and signs in with client.login() (consent: a refresh token). */
async function login(browser, world) {
  const tab = await browser.newTab(`${world.origin}/`);
  await tab.waitFor(() => ['signed-out', 'failed'].includes(document.getElementById('status')?.dataset.state));
  assert.equal(await tab.eval(() => document.getElementById('status').dataset.state), 'signed-out', JSON.stringify(await tab.eval(() => window.failure ?? null)));
  await tab.eval(() => {
    window.client.login({ extraParams: { prompt: 'consent' } });
  });
  await tab.waitFor(() => ['signed-in', 'failed'].includes(document.getElementById('status')?.dataset.state) && location.search === '');
  const failure = await tab.eval(() => window.failure ?? null);
  assert.equal(failure, null, `the callback failed: ${JSON.stringify(failure)}`);
  return tab;
}

/** Runs `fn(...args)` in the page: { value } or the error's { code, field, isOAuthError }. */
function attempt(tab, fn, ...args) {
  return tab.eval(async (body, rest) => {
    try {
      // eslint-disable-next-line no-new-func
      return { value: await new Function(`return (${body})(...arguments)`)(...rest) };
    } catch (e) {
      return { code: e?.code ?? String(e), field: e?.field, isOAuthError: e?.name === 'OAuthError' };
    }
  }, fn.toString(), args);
}

const tokenGrants = (auth, type) => auth.grants.filter((g) => g.grantType === type);

eachEngine('tokenStorage "worker"', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('signs in through the worker: the page holds no refresh token, getAccessToken() refreshes there, logout revokes it', async () => {
    // Access tokens live 10 s, inside the 30 s refreshLeeway: every getAccessToken() refreshes.
    const world = await startFixture({ authOptions: { accessTokenTtl: 10 } });
    try {
      const tab = await login(browser, world);
      const held = await tab.eval(() => window.client.tokens());
      assert.equal(held.refreshToken, undefined, 'tokens() has no refreshToken');
      assert.ok(held.accessToken && held.idToken && held.claims.sub, 'the rest of the set is there');
      assert.equal(world.auth.refreshTokens.length, 1, 'the server issued one refresh token');
      const [code] = tokenGrants(world.auth, 'authorization_code');
      assert.equal(code.ok, true);

      const first = await tab.eval(() => window.client.getAccessToken());
      const second = await tab.eval(() => window.client.getAccessToken());
      const refreshes = tokenGrants(world.auth, 'refresh_token');
      assert.equal(refreshes.length, 2, 'each stale access token was refreshed');
      assert.deepEqual(refreshes.map((g) => [g.ok, g.refreshToken]), [[true, world.auth.refreshTokens[0]], [true, world.auth.refreshTokens[1]]],
        'with the refresh tokens the server issued, each once (rotation)');
      assert.notEqual(first, held.accessToken);
      assert.notEqual(second, first);
      const after = await tab.eval(() => window.client.tokens());
      assert.deepEqual([after.accessToken, after.refreshToken], [second, undefined], 'the page holds the new access token only');

      const shared = await tab.eval(() => Promise.all([1, 2, 3].map(() => window.client.getAccessToken())));
      assert.equal(new Set(shared).size, 1, 'concurrent calls share one refresh');
      assert.equal(tokenGrants(world.auth, 'refresh_token').length, 3);

      const explicit = await attempt(tab, (token) => window.client.refresh(token), world.auth.refreshTokens.at(-1));
      assert.deepEqual(explicit, { code: 'invalid_argument', field: 'refreshToken', isOAuthError: true }, 'refresh(token) is invalid_argument');
      assert.equal(tokenGrants(world.auth, 'refresh_token').length, 3, 'and sent nothing');

      const live = world.auth.refreshTokens.at(-1);
      await tab.eval((origin) => {
        window.beforeLogout = true; // a mark only this document has
        window.client.logout({ postLogoutRedirectUri: `${origin}/` });
      }, world.origin);
      await tab.waitFor(() => !window.beforeLogout && document.getElementById('status')?.dataset.state === 'signed-out');
      const revocations = world.auth.requests.filter((r) => r.path === '/token/revocation' && r.method === 'POST');
      assert.equal(revocations.length, 1);
      assert.equal(revocations[0].body.get('token'), live, 'the worker revoked the refresh token it held');
      assert.equal(revocations[0].origin, world.origin, 'from the page\'s origin (the worker\'s)');
      const direct = await redeemDirectly(`${world.auth.issuer}/token`, live);
      assert.equal(direct.error, 'invalid_grant', 'the server refuses it now');
      await tab.close();
    } finally {
      await world.stop();
    }
  });
});
