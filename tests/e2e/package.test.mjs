// The built package as a static page loads it, in each browser engine: import pkg/pkce_wasm.js
// from 127.0.0.1, await init(), build an authorize URL whose challenge is WebCrypto's SHA-256
// of the verifier.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { startStaticServer } from '../../www/server/static-server.mjs';
import { eachEngine, launchBrowser } from './harness.mjs';

eachEngine('the package', (engine) => {
  let server;
  let browser;

  before(async () => {
    server = await startStaticServer({
      root: fileURLToPath(new URL('./fixtures', import.meta.url)),
      mounts: { '/pkg/': fileURLToPath(new URL('../../pkg', import.meta.url)) },
    });
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a page on 127.0.0.1 imports pkg/, and its S256 challenge equals WebCrypto SHA-256 of the verifier', async () => {
    const tab = await browser.newTab(`${server.origin}/`);
    const result = await tab.waitFor(() => window.result);
    const wasm = server.requests.filter((r) => r.url === '/pkg/pkce_wasm_bg.wasm');
    assert.deepEqual(wasm.map((r) => r.type), ['application/wasm']);
    assert.equal(result.failed, undefined, result.failed);
    assert.match(result.challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(result.challenge, result.webCrypto);
    assert.equal(result.fromApi, result.webCrypto);
    assert.equal(result.method, 'S256');
    assert.equal(result.verifierInUrl, false);
    assert.deepEqual(result.configError, { isOAuthError: true, isError: true, name: 'OAuthError', code: 'invalid_config' });
    await tab.close();
  });
});
