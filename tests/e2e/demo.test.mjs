// `make demo` as a person uses it, in each browser engine: `node demo.mjs` started as its own
// process (on free ports, $PKCE_WASM_DEMO_PORT), the URLs it prints, oidc-provider's stock login
// and consent pages filled in by typing and clicking, a DPoP-bound call to the demo's resource
// server, and sign-out through the stock "Do you want to sign-out?" page. Then SIGTERM, and the
// demo must exit. Nothing here reaches into the demo's servers: what is checked is what it prints
// and what its pages show. Then `make demo AS=glewlwyd` the same way, in Chromium only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { selectedEngines } from '../browsers/engines.mjs';
import { eachEngine, launchBrowser, settled, shown } from './harness.mjs';

const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
/** How long the demo may take to stop after SIGTERM. */
const EXIT_MS = 10_000;

/**
 * Runs `node demo.mjs ...args` with its ports from `base` (base .. base+5). Resolves once it has printed
 * "Ctrl-C stops." with { child, lines (stdout so far), exited (a promise of { code, signal }) };
 * rejects with what it printed if it exits first.
 */
function runDemo(base, args) {
  const child = spawn(process.execPath, ['demo.mjs', ...args], {
    cwd: WWW,
    env: { ...process.env, PKCE_WASM_DEMO_PORT: String(base) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Should this file's process end before `after` ran, the demo goes with it.
  process.once('exit', () => child.kill('SIGKILL'));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  const lines = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.includes('Ctrl-C stops.')) resolve({ child, lines, exited });
    });
    exited.then(({ code, signal }) => {
      const error = new Error(`demo.mjs exited (${signal ?? code}) before it was ready: ${stderr.trim() || lines.join('\n')}`);
      error.stderr = stderr;
      reject(error);
    });
  });
}

/** The demo on free ports: a few bases are tried while one of their ports is in use. */
async function startDemo(args = []) {
  for (let attempt = 1; ; attempt++) {
    const base = 18400 + 10 * Math.floor(Math.random() * 100);
    try {
      return { base, ...(await runDemo(base, args)) };
    } catch (error) {
      if (attempt === 5 || !error.stderr?.includes('EADDRINUSE')) throw error;
    }
  }
}

/** The URL the demo printed on the line starting with `label`. */
function printed(lines, label) {
  const line = lines.find((l) => l.startsWith(label));
  assert.ok(line, `demo.mjs printed no "${label}" line:\n${lines.join('\n')}`);
  return new URL(line.match(/http:\/\/\S+/)[0]);
}

let demo;

before(async () => {
  demo = await startDemo();
});

after(() => stopDemo(demo));

/** SIGTERM, and the demo must exit cleanly within EXIT_MS (else SIGKILL, and the test fails). */
async function stopDemo(running) {
  if (!running) return;
  running.child.kill('SIGTERM');
  let timer;
  const deadline = new Promise((resolve) => { timer = setTimeout(resolve, EXIT_MS, null); });
  const exit = await Promise.race([running.exited, deadline]);
  clearTimeout(timer);
  if (!exit) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  assert.deepEqual(exit, { code: 0, signal: null }, `demo.mjs did not exit cleanly within ${EXIT_MS} ms of SIGTERM`);
}

test('demo.mjs prints its servers on the ports $PKCE_WASM_DEMO_PORT sets', () => {
  const { base, lines } = demo;
  assert.equal(printed(lines, 'Authorization server:').origin, `http://127.0.0.1:${base}`);
  assert.equal(printed(lines, 'Resource server (DPoP):').href, `http://127.0.0.1:${base + 5}/api/hello`);
  assert.equal(printed(lines, 'static').href, `http://127.0.0.1:${base + 1}/`);
  assert.equal(printed(lines, 'Open').href, `http://127.0.0.1:${base + 1}/`);
});

eachEngine('the demo, as a person uses it', (engine) => {
  let browser;

  before(async () => {
    browser = await launchBrowser(engine);
  });

  after(async () => {
    await browser?.close();
  });

  test('stock login and consent pages, a DPoP call to the API as the typed user, and sign-out', async (t) => {
    const issuer = printed(demo.lines, 'Authorization server:').origin;
    const app = printed(demo.lines, 'Open').href;
    const api = printed(demo.lines, 'Resource server (DPoP):');
    const username = `demo-${engine}-${Date.now()}`;

    const tab = await browser.newTab(app);
    await settled(tab, 'signed-out');
    await tab.click('#login');

    // oidc-provider's devInteractions login page: any login and password.
    await tab.waitFor((origin) => location.origin === origin && document.querySelector('input[name=login]'), issuer);
    const driver = await tab.focus();
    await driver.findElement({ css: 'input[name=login]' }).sendKeys(username);
    await driver.findElement({ css: 'input[name=password]' }).sendKeys('any password');
    await tab.click('form button[type=submit]');

    // The consent page, which lists what the grant will hold: the API's scope among it.
    const consent = await tab.waitFor(() => document.querySelector('input[name=prompt][value=consent]') && document.querySelector('.login-card > ul')?.innerText);
    assert.match(consent, /api:read/, `the consent page names the API's scope:\n${consent}`);
    assert.ok(consent.includes(`${api.origin}/`), `the consent page names the resource:\n${consent}`);
    await tab.click('form button[type=submit]');

    const { tokens, errorText } = await settled(tab, 'signed-in');
    assert.ok(tokens, `signed in with tokens (error: ${errorText})`);
    assert.equal(tokens.tokenType, 'DPoP');
    assert.equal(await tab.url(), app, 'back on the example, the callback parameters gone');

    await tab.click('#call-api');
    const afterCall = await settled(tab, 'signed-in');
    assert.equal(afterCall.errorCode, null, `the call failed: ${afterCall.errorText}`);
    const answer = await tab.eval(() => JSON.parse(document.getElementById('api').textContent));
    assert.deepEqual(answer, { status: 200, body: { sub: username, method: 'GET', body: null } });

    // The stock RP-initiated logout page asks first; "Yes, sign me out" brings the example back.
    await tab.click('#logout');
    await tab.waitFor((origin) => location.origin === origin && document.querySelector('button[name=logout][value=yes]'), issuer);
    await tab.click('button[name=logout][value=yes]');
    await tab.waitFor((origin) => location.origin === origin, new URL(app).origin);
    const out = await settled(tab, 'signed-out');
    assert.deepEqual([out.tokens, out.errorCode], [null, null]);
    await tab.close();

    t.diagnostic(`${engine} black hole: ${browser.summary()}`);
  });
});

// `make demo AS=glewlwyd`, in one engine (the Glewlwyd suite runs in all three): the credentials
// it prints typed into Glewlwyd's login page, a DPoP call to the API, Glewlwyd's end-session page.
const GLEWLWYD_ENGINE = 'chromium';
if (selectedEngines().includes(GLEWLWYD_ENGINE)) {
  describe(`[${GLEWLWYD_ENGINE}] make demo AS=glewlwyd`, () => {
    let glewlwyd;
    let browser;

    before(async () => {
      glewlwyd = await startDemo(['--as=glewlwyd']);
      browser = await launchBrowser(GLEWLWYD_ENGINE);
    });

    after(async () => {
      await browser?.close();
      await stopDemo(glewlwyd);
    });

    test('Glewlwyd\'s login page with the printed credentials, a DPoP call to the API, and sign-out', async () => {
      const line = glewlwyd.lines.find((l) => l.startsWith('Authorization server:'));
      const [, username, password] = /sign in as (\S+), password (\S+)\)/.exec(line) ?? [];
      assert.ok(username && password, `no credentials printed: ${line}`);
      assert.equal(printed(glewlwyd.lines, 'Authorization server:').href, `http://127.0.0.1:${glewlwyd.base}/api/oidc`);
      const app = printed(glewlwyd.lines, 'Open').href;

      const tab = await browser.newTab(app);
      await settled(tab, 'signed-out');
      await tab.click('#login');
      await tab.waitFor(() => document.querySelector('#password'));
      await tab.type('#username', username);
      await tab.type('#password', password);
      await tab.click('#loginbut');
      await tab.waitFor(() => document.querySelector('button.btn-success'));
      await tab.click('button.btn-success'); // "Continue"
      const { tokens, errorText } = await settled(tab, 'signed-in');
      assert.equal(tokens?.tokenType, 'DPoP', errorText);

      await tab.click('#call-api');
      const answer = JSON.parse(await tab.waitFor(() => !document.getElementById('api').hidden && document.getElementById('api').textContent));
      assert.deepEqual(answer, { status: 200, body: { sub: tokens.claims.sub, method: 'GET', body: null } });

      await tab.click('#logout');
      await tab.waitFor(() => document.querySelector('button.btn-danger'));
      await tab.click('button.btn-danger'); // "Logout"
      await tab.waitFor((origin) => location.origin === origin, new URL(app).origin);
      const out = await settled(tab, 'signed-out');
      assert.deepEqual([out.tokens, out.errorCode], [null, null]);
      await tab.close();
    });
  });
}
