// The package's own fetch driver (js/send.js) against a misbehaving token endpoint, in each
// browser engine: the loopback stub of the wasm-bindgen suite (tests/stub/token-stub.mjs)
// answers HTML, a 500, a redirect, an empty body, 10 MB, 64 MiB streams with and without a
// Content-Length, a gzip bomb, or never. Each failure has its code and status, the pending
// login is gone, and a body over 1 MiB stops being read. Discovery's loop runs against the
// stub's metadata documents. (tests/browser.rs runs the same cases through the Rust Client's
// driver.)
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { startStaticServer } from '../../www/server/static-server.mjs';
import { eachEngine, launchBrowser } from './harness.mjs';
import { startStub } from './stub.mjs';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

eachEngine('the package against a misbehaving token endpoint', (engine) => {
  let server;
  let stub;
  let browser;

  before(async () => {
    stub = await startStub();
    server = await startStaticServer({ root: path('./fixtures'), mounts: { '/pkg/': path('../../pkg') } });
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await stub?.stop();
  });

  /** Signs in through the package with the stub's `mode` as token endpoint; what came of it. */
  async function redeem(tab, mode, tag, timeout) {
    return tab.eval(async (stubOrigin, mode, tag, timeout) => {
      const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
      await init();
      const client = new PkceClient({
        clientId: 'spa',
        redirectUri: `${location.origin}/callback`,
        authorizationEndpoint: 'https://as.example/authorize',
        tokenEndpoint: `${stubOrigin}/token/${mode}?t=${tag}`,
        issuer: 'https://as.example',
        storagePrefix: tag,
        ...(timeout && { timeout }),
      });
      const state = new URL(client.authorizeUrl()).searchParams.get('state');
      const callback = `${location.origin}/callback?code=c&state=${state}&iss=https%3A%2F%2Fas.example`;
      const outcome = await client.handleCallback(callback).then(
        (result) => ({ signedIn: result.tokens.accessToken }),
        (e) => ({ name: e.name, code: e.code, status: e.status, message: e.message }),
      );
      outcome.pending = Object.keys(sessionStorage).filter((k) => k.startsWith(`${tag}:tx:`)).length;
      client.free();
      return outcome;
    }, stub.origin, mode, tag, timeout);
  }

  /** The stub's record of `tag`'s token request once its connection closed. */
  async function closedRecord(tag) {
    for (let i = 0; i < 200; i++) {
      const [record] = await stub.requests(tag);
      if (record?.closed) return record;
    }
    return assert.fail(`the stub never saw ${tag}'s connection close`);
  }

  test('each token endpoint failure has its code and status, and the pending login is gone', async () => {
    const tab = await browser.newTab(`${server.origin}/`);
    await tab.waitFor(() => window.result);
    const cases = [
      ['html', 'invalid_token_response', 200],
      ['textplain', 'invalid_token_response', 200],
      ['500', 'invalid_token_response', 500],
      ['redirect', 'invalid_token_response', 0],
      ['empty', 'invalid_token_response', 200],
      ['big', 'invalid_token_response', 200],
      ['notype', 'invalid_token_response', 200],
      ['invalid_grant', 'token_error', 400],
    ];
    for (const [mode, code, status] of cases) {
      const outcome = await redeem(tab, mode, `js-fail-${mode}`);
      assert.deepEqual([outcome.name, outcome.code, outcome.status, outcome.pending], ['OAuthError', code, status, 0], mode);
    }
    const hang = await redeem(tab, 'hang', 'js-hang', 1);
    assert.deepEqual([hang.code, hang.pending], ['timeout', 0]);
    const ok = await redeem(tab, 'ok', 'js-ok');
    assert.equal(ok.signedIn, 'at-1', 'and a good answer still signs in');
    await tab.close();
  });

  test('a body over 1 MiB stops being read', async () => {
    const tab = await browser.newTab(`${server.origin}/`);
    await tab.waitFor(() => window.result);
    const webkit = engine === 'webkit';
    for (const mode of ['stream64', 'declared64', 'gzipbomb']) {
      const tag = `js-limit-${mode}`;
      const outcome = await redeem(tab, mode, tag);
      assert.deepEqual([outcome.code, outcome.status, outcome.message], ['invalid_token_response', 200, 'response is larger than 1 MiB'], mode);
      // As in tests/browser.rs: Chromium and Firefox stop the download once the page cancels
      // the body; WebKitGTK's network process downloads it whole whatever the page reads.
      if (mode !== 'gzipbomb' && !webkit) {
        const { written } = await closedRecord(tag);
        assert.ok(written < 32 << 20, `${mode}: the stub wrote ${written} B before the client hung up`);
      }
    }
    await tab.close();
  });

  test('discovery falls back from RFC 8414 to OpenID, checks the issuer, caches, and does not read over 1 MiB', async () => {
    const tab = await browser.newTab(`${server.origin}/`);
    await tab.waitFor(() => window.result);
    const outcome = await tab.eval(async (stubOrigin) => {
      const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
      await init();
      const config = { clientId: 'spa', redirectUri: `${location.origin}/callback`, storagePrefix: 'js-disc' };
      const discover = (name) => PkceClient.discover(`${stubOrigin}/iss/${name}`, config).then(
        (client) => new URL(client.authorizeUrl()).origin + ' ' + client.isCallback(`${location.origin}/callback?code=c&state=s`),
        (e) => e.code,
      );
      return { a: await discover('a'), again: await discover('a'), b: await discover('b'), evil: await discover('evil'), big: await discover('big') };
    }, stub.origin);
    assert.deepEqual(outcome, { a: `${stub.origin} true`, again: `${stub.origin} true`, b: `${stub.origin} true`, evil: 'discovery_error', big: 'discovery_error' });
    const gets = (await (await fetch(`${stub.origin}/requests`)).json()).filter((r) => r.path.includes('/iss/a'));
    assert.equal(gets.length, 2, 'RFC 8414 then OpenID for the first discovery, none for the cached second');
    await tab.close();
  });
});
