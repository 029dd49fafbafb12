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

  // Was tests/browser.rs's misuse test while the JS API was wasm-bindgen's class; it is now the
  // JS driver's, so it runs through the package, with the same rounds and assertions.
  test('misuse through the JS API leaves the module usable', async () => {
    const tab = await browser.newTab(`${server.origin}/`);
    await tab.waitFor(() => window.result);
    const outcome = await tab.eval(async () => {
      const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
      await init();
      const config = {
        clientId: 'spa',
        redirectUri: 'http://127.0.0.1:8000/callback',
        authorizationEndpoint: 'https://as.example/authorize',
        tokenEndpoint: 'http://127.0.0.1:9/token',
        issuer: 'https://as.example',
        storagePrefix: 't-misuse',
      };
      const fail = (message) => {
        throw new Error(message);
      };
      const codeOf = (run) => {
        try {
          run();
        } catch (e) {
          if (e.name !== 'OAuthError') fail(`not an OAuthError: ${e}`);
          return [e.code, e.field];
        }
        return fail('did not throw');
      };
      const rejection = async (promise) => {
        if (!(promise instanceof Promise)) fail('a promise, not a throw');
        return promise.then(() => fail('resolved'), (e) => codeOf(() => { throw e; }));
      };
      const freed = new PkceClient(config);
      freed.free();
      const trap = () => { throw new Error('trap'); };
      const handler = { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap };
      const live = new PkceClient(config);
      const options = { extraParams: new Proxy({}, handler) };
      const proxyOptions = new Proxy({}, handler);
      const same = (got, want, what) => JSON.stringify(got) === JSON.stringify(want) || fail(`${what}: ${got}`);
      for (let i = 0; i < 5_000; i++) {
        same(codeOf(() => freed.authorizeUrl())[0], 'invalid_argument', 'authorizeUrl');
        same(codeOf(() => freed.isCallback())[0], 'invalid_argument', 'isCallback');
        const pending = freed.handleCallback();
        if (!(pending instanceof Promise)) fail('a promise, not a throw');
        pending.catch(() => {});
        same(codeOf(() => live.authorizeUrl(options)), ['invalid_argument', 'extraParams'], 'extraParams');
        same(codeOf(() => live.authorizeUrl(proxyOptions))[0], 'invalid_argument', 'Proxy options');
        same(codeOf(() => live.isCallback(42)), ['invalid_argument', 'url'], 'isCallback(42)');
      }
      same((await rejection(freed.handleCallback()))[0], 'invalid_argument', 'handleCallback');
      // Config arrays whose traps or iterator throw are invalid_config too, never a raw exception.
      const throwingIterator = ['https://api.example'];
      throwingIterator[Symbol.iterator] = trap;
      for (const [key, value] of [['resourceOrigins', new Proxy([], handler)], ['resource', throwingIterator]]) {
        same(codeOf(() => new PkceClient({ ...config, [key]: value })), ['invalid_config', key], key);
      }
      for (const method of ['refresh', 'getAccessToken', 'revoke', 'logout', 'login', 'fetch']) {
        same((await rejection(freed[method]('x')))[0], 'invalid_argument', method);
      }
      for (const method of ['tokens', 'clear', 'logoutUrl']) {
        same(codeOf(() => freed[method]())[0], 'invalid_argument', method);
      }
      const url = live.authorizeUrl();
      for (const key of Object.keys(sessionStorage)) if (key.startsWith('t-misuse')) sessionStorage.removeItem(key);
      return url;
    });
    assert.ok(outcome.startsWith('https://as.example/authorize?'), `the module still works: ${outcome}`);
    await tab.close();
  });
});
