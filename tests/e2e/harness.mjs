// What every end-to-end suite needs: the three browser engines (Debian's Chromium, Firefox ESR
// and WebKitGTK) over W3C WebDriver (selenium-webdriver), each with every non-loopback request
// sent to a local black hole; the real authorization server (oidc-provider) and an example app
// on 127.0.0.1; and the servers' own records of what they received. Every fact a test checks
// comes from the page itself or from those records, so one test definition runs in every engine.
import { createRequire } from 'node:module';
import { describe } from 'node:test';

import { CLIENT_ID, startAuthServer } from '../../www/server/auth-server.mjs';
import { apiConfig, exampleConfig, startExample } from '../../www/server/examples.mjs';
import { startResourceServer } from '../../www/server/resource-server.mjs';
import { startBlackHole, summary } from '../browsers/blackhole.mjs';
import { selectedEngines } from '../browsers/engines.mjs';
import { startBrowser } from '../browsers/session.mjs';

// The Node tooling is installed in www/ (one `npm ci` there); resolve it from there.
const require = createRequire(new URL('../../www/package.json', import.meta.url));
const { Builder, By } = require('selenium-webdriver');

/** How long a wait for page content may take before the test fails. */
const WAIT_MS = 20_000;

/** Defines the suite `body(engine)` once per engine ($PKCE_WASM_ENGINES, default all three), titled "[engine] title". */
export function eachEngine(title, body) {
  for (const engine of selectedEngines()) describe(`[${engine}] ${title}`, () => body(engine));
}

/**
 * Starts `engine` (a fresh profile) with its own black hole. Returns a Browser:
 * newTab(url), blackHole (what reached it), summary(), close().
 */
export async function launchBrowser(engine) {
  const blackHole = await startBlackHole();
  try {
    const { driver, close } = await startBrowser(engine, { proxyPort: blackHole.port, Builder });
    return new Browser(engine, driver, blackHole, close);
  } catch (error) {
    await blackHole.close();
    throw error;
  }
}

/** One WebDriver session; its windows are Tabs. WebDriver talks to one window at a time: a Tab switches to itself first. */
class Browser {
  constructor(engine, driver, blackHole, close) {
    // The session's first window stays open and unused: closing a session's last window ends
    // the session in some drivers, and every tab a test uses must start with empty storage.
    Object.assign(this, { engine, driver, blackHole, stop: close, current: null });
  }

  /** A new tab (its own sessionStorage) showing `url`. */
  async newTab(url) {
    await this.driver.switchTo().newWindow('tab');
    this.current = await this.driver.getWindowHandle();
    const tab = new Tab(this, this.current);
    if (url) await tab.goto(url);
    return tab;
  }

  /** Waits for a window the page opened (a popup) beyond the `known` handles; returns its Tab. */
  async opened(known) {
    let handle;
    await this.driver.wait(async () => {
      handle = (await this.driver.getAllWindowHandles()).find((h) => !known.includes(h));
      return handle;
    }, WAIT_MS, 'waited for a popup window');
    return new Tab(this, handle);
  }

  /** The handles of every open window. */
  handles() {
    return this.driver.getAllWindowHandles();
  }

  /** "N requests (hosts)": what this browser tried to reach beyond loopback. */
  summary() {
    return summary(this.blackHole.received);
  }

  async close() {
    await this.stop();
    await this.blackHole.close();
  }
}

/** One browser window. */
class Tab {
  constructor(browser, handle) {
    this.browser = browser;
    this.handle = handle;
  }

  async focus() {
    if (this.browser.current !== this.handle) {
      await this.browser.driver.switchTo().window(this.handle);
      this.browser.current = this.handle;
    }
    return this.browser.driver;
  }

  async goto(url) {
    await (await this.focus()).get(url);
  }

  async url() {
    return (await this.focus()).getCurrentUrl();
  }

  /** Runs `fn(...args)` in the page (a promise is awaited) and returns its JSON-able result. */
  async eval(fn, ...args) {
    return (await this.focus()).executeScript(`return (${fn}).apply(null, arguments)`, ...args);
  }

  async click(selector) {
    await (await this.focus()).findElement(By.css(selector)).click();
  }

  /** Types `text` into the field `selector` with real key events (a form's own handlers see them). */
  async type(selector, text) {
    await (await this.focus()).findElement(By.css(selector)).sendKeys(text);
  }

  /**
   * Waits until `fn(...args)`, run in the page, returns something truthy, and returns it. The page
   * may be navigating meanwhile (a sign-in passes through the authorization server): a check that
   * fails because the document went away counts as "not yet".
   */
  async waitFor(fn, ...args) {
    const driver = await this.focus();
    let last;
    return driver.wait(async () => {
      try {
        last = await driver.executeScript(`return (${fn}).apply(null, arguments)`, ...args);
        return last;
      } catch (error) {
        last = error;
        return false;
      }
    }, WAIT_MS, `waited ${WAIT_MS} ms for ${fn}; last: ${last}`);
  }

  async back() {
    await (await this.focus()).navigate().back();
  }

  async forward() {
    await (await this.focus()).navigate().forward();
  }

  /** The cookies the browser holds for the page now shown. */
  async cookies() {
    return (await this.focus()).manage().getCookies();
  }

  async close() {
    const driver = await this.focus();
    await driver.close();
    const [first] = await driver.getAllWindowHandles();
    await driver.switchTo().window(first);
    this.browser.current = first;
  }
}

/**
 * Starts the example `name` and an authorization server that knows its origin (mounted at
 * `path`, e.g. '/oidc' for a path-style issuer). Returns { origin, issuer, auth, example, api,
 * config, stop() }.
 *
 * api: true also starts the resource server (www/server/resource-server.mjs), registers it with
 * the authorization server as a resource (RFC 8707, introspection) and gives the example its
 * settings (apiConfig: dpop on unless `dpop: false`). authOptions go to startAuthServer (dpop,
 * par, accessTokenTtl); config is merged into the example's config.json.
 */
export async function startWorld(name, { path = '', api = false, dpop = true, authOptions = {}, config = {} } = {}) {
  const stops = [];
  const stop = () => Promise.all(stops.map((close) => close()));
  try {
    const example = await startExample(name);
    stops.push(() => example.close());
    const server = api ? await startResourceServer({ allowedOrigins: [example.origin] }) : null;
    if (server) stops.push(() => server.close());
    const resource = server ? { resource: server.resource, dpop } : {};
    const auth = await startAuthServer({ clientOrigins: [example.origin], path, ...resource, ...authOptions });
    stops.push(() => auth.close());
    server?.connect({ issuer: auth.issuer, introspection: auth.introspectionClient });
    const settings = { ...exampleConfig(auth.issuer, example.origin), ...(server ? apiConfig(server, { dpop }) : {}), ...config };
    example.setConfig(settings);
    return { origin: example.origin, issuer: auth.issuer, auth, example, api: server, config: settings, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Runs `fn(client, ...args)` in the page (its result returned as eval's), with a new PkceClient
 * discovered for the world's config.json: its own module instance, as another script of the page
 * would make (Firefox runs WebDriver scripts in a sandbox with modules of their own).
 */
export function withPageClient(tab, world, fn, ...args) {
  return tab.eval(async (config, body, rest) => {
    const { default: init, PkceClient } = await import('/pkg/pkce_wasm.js');
    await init();
    const client = await PkceClient.discover(config.issuer, {
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      scope: config.scope,
      resourceOrigins: config.api ? [new URL(config.api).origin] : [],
      resource: config.resource,
      dpop: config.dpop,
      tokenStorage: config.tokenStorage,
      requirePar: config.requirePar,
    });
    // eslint-disable-next-line no-new-func
    return new Function('client', 'config', `return (${body})(client, config, ...arguments[2])`)(client, config, rest);
  }, world.config, fn.toString(), args);
}

/** Requests the authorization server received for `pathPrefix`, from its own log (preflights included). */
export function serverRequests(auth, pathPrefix) {
  return auth.requests.filter((r) => r.path.startsWith(pathPrefix));
}

/** The POSTs oidc-provider received at its token endpoints under `path` ({ path, body, cookie }). */
export function tokenPosts(auth, path = '') {
  return serverRequests(auth, `${path}/token`).filter((r) => r.method === 'POST');
}

/**
 * Opens the world's example in a new tab (its own sessionStorage) and signs in. Returns the tab,
 * the callback URL the example's server was asked for (its last navigation with `state`), and
 * what the page shows.
 */
export async function signIn(browser, world) {
  const tab = await browser.newTab(`${world.origin}/`);
  await settled(tab, 'signed-out');
  await tab.click('#login');
  const result = await settled(tab, 'signed-in');
  const callback = world.example.requests.filter((r) => new URL(r.url, world.origin).searchParams.has('state')).at(-1);
  return { tab, callbackUrl: new URL(callback.url, world.origin).href, ...result };
}

/** Redeems `refreshToken` directly at `tokenEndpoint`, as another client would: { status, ...body }. */
export async function redeemDirectly(tokenEndpoint, refreshToken) {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID });
  const response = await fetch(tokenEndpoint, { method: 'POST', body });
  return { status: response.status, ...(await response.json()) };
}

/** What the example shows: status, error code and text, and the token fields. */
export function shown(tab) {
  return tab.eval(() => {
    const error = document.getElementById('error');
    const tokens = document.getElementById('tokens');
    const visible = (element) => element && !element.hidden;
    return {
      status: document.getElementById('status')?.dataset.state ?? null,
      errorCode: visible(error) ? error.dataset.code : null,
      errorText: error?.textContent ?? '',
      errorHtml: error?.innerHTML ?? '',
      tokens: visible(tokens) ? JSON.parse(tokens.textContent) : null,
    };
  });
}

/** Waits until the example has settled on `state` ('signed-in' | 'signed-out'). */
export async function settled(tab, state) {
  await tab.waitFor((want) => document.getElementById('status')?.dataset.state === want, state);
  return shown(tab);
}

/** Waits until the example shows an error; returns what it shows. */
export async function failed(tab) {
  await tab.waitFor(() => {
    const error = document.getElementById('error');
    return error && !error.hidden && error.dataset.code;
  });
  return shown(tab);
}

/**
 * Engines whose WebDriver browser opens no window for page script, with the reason: WebKitGTK's
 * MiniBrowser under WebDriver (--automation) returns null from window.open() and ignores a
 * target=_blank link, even in a click with user activation. Popup tests skip there.
 */
export const NO_POPUPS = { webkit: 'MiniBrowser in automation mode opens no window from page script (window.open is null)' };

/** Opens the world's example in a new tab, clicks "Sign in (popup)" (#login-popup); returns { tab, popup }. */
export async function openPopup(browser, world) {
  const tab = await browser.newTab(`${world.origin}/`);
  await settled(tab, 'signed-out');
  const known = await browser.handles();
  await tab.click('#login-popup');
  return { tab, popup: await browser.opened(known) };
}

/** Waits until the window of `popup` (a Tab) is gone: it closed itself, or the opener closed it. */
export async function popupClosed(browser, popup) {
  await browser.driver.wait(async () => !(await browser.handles()).includes(popup.handle), WAIT_MS, 'the popup did not close');
}
