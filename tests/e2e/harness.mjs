// What every end-to-end suite needs: Debian's Chromium through playwright-core, the real
// authorization server (oidc-provider) and an example app on 127.0.0.1, and a record of the
// requests that reached the token endpoint. Everything started here is stopped by `stop()`.
import diagnosticsChannel from 'node:diagnostics_channel';
import { createRequire } from 'node:module';

import { startAuthServer } from '../../www/server/auth-server.mjs';
import { exampleConfig, startExample } from '../../www/server/examples.mjs';

// The Node tooling is installed in www/ (one `npm ci` there); resolve it from there.
const require = createRequire(new URL('../../www/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches Debian's Chromium (a fresh temporary profile) with one browser context. */
export async function launchBrowser() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  return { browser, context, close: () => browser.close() };
}

/**
 * Starts the example `name` and an authorization server that knows its origin (mounted at
 * `path`, e.g. '/oidc' for a path-style issuer). Returns { origin, issuer, auth, stop() }.
 */
export async function startWorld(name, { path = '' } = {}) {
  const example = await startExample(name);
  let auth;
  try {
    auth = await startAuthServer({ clientOrigins: [example.origin], path });
  } catch (error) {
    await example.close();
    throw error;
  }
  example.setConfig(exampleConfig(auth.issuer, example.origin));
  return {
    origin: example.origin,
    issuer: auth.issuer,
    auth,
    stop: () => Promise.all([example.close(), auth.close()]),
  };
}

/** Records, from the browser's side, every request `page`s of `context` send to `issuer`'s token endpoints. */
export function recordTokenRequests(context, issuer) {
  const sent = [];
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(`${issuer}/token`)) {
      sent.push({ method: request.method(), url, body: new URLSearchParams(request.postData() ?? '') });
    }
  });
  return sent;
}

/** Requests the authorization server received for `pathPrefix` (from its own log: preflights included). */
export function serverRequests(auth, pathPrefix) {
  return auth.requests.filter((r) => r.path.startsWith(pathPrefix));
}

/**
 * Records every request the authorization server at `issuer` receives from now on, with its
 * headers as they reached the server (Cookie included), through Node's
 * `http.server.request.start` diagnostics channel: the server runs in this process. (The browser
 * side cannot tell: with playwright-core 1.65 and Chromium 156, `request.allHeaders()` leaves
 * out a Cookie header the server did receive.) Returns { requests: [{ method, path, headers }], stop() }.
 */
export function recordServerHeaders(issuer) {
  const port = Number(new URL(issuer).port);
  const requests = [];
  const onRequest = ({ request, server }) => {
    if (server.address()?.port !== port) return;
    requests.push({ method: request.method, path: request.url.split('?')[0], headers: { ...request.headers } });
  };
  diagnosticsChannel.subscribe('http.server.request.start', onRequest);
  return { requests, stop: () => diagnosticsChannel.unsubscribe('http.server.request.start', onRequest) };
}

/** What the example shows: status, error code and text, and the token fields. */
export async function shown(page) {
  const error = page.locator('#error');
  const tokens = page.locator('#tokens');
  return {
    status: await page.locator('#status').getAttribute('data-state'),
    errorCode: (await error.count()) && (await error.isVisible()) ? await error.getAttribute('data-code') : null,
    errorText: (await error.count()) ? await error.textContent() : '',
    errorHtml: (await error.count()) ? await error.innerHTML() : '',
    tokens: (await tokens.count()) && (await tokens.isVisible()) ? JSON.parse(await tokens.textContent()) : null,
  };
}

/** Waits until the example has settled on `state` ('signed-in' | 'signed-out'). */
export async function settled(page, state) {
  await page.locator(`#status[data-state="${state}"]`).waitFor();
  return shown(page);
}
