// The three browser engines every browser test runs in, as Debian ships them, and how each is
// started: its W3C WebDriver server, and the capabilities that make the browser headless, give
// it a fresh profile, and send every non-loopback request to the black hole (blackhole.mjs).
// One definition, used by the wasm-bindgen runner (scripts/test-wasm.sh, through
// webdriver-json.mjs, and webdriver-relay.mjs for WebKit) and the end-to-end suites
// (tests/e2e/harness.mjs).
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** geckodriver is a Rust crate: built once, at this exact version, into this cache. */
export const GECKODRIVER_VERSION = '0.37.1';
export const GECKODRIVER = join(homedir(), '.cache', 'pkce-wasm', `geckodriver-${GECKODRIVER_VERSION}`, 'bin', 'geckodriver');

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

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

/**
 * name -> { driver, driverArgs(port), display, capabilities(proxyPort) }.
 * `display`: the engine has no headless mode and needs an X server (Xvfb).
 */
export const ENGINES = {
  chromium: {
    driver: '/usr/bin/chromedriver',
    driverArgs: (port) => [`--port=${port}`],
    display: false,
    capabilities: (proxyPort) => ({
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: '/usr/bin/chromium',
        // Chromium never sends loopback through a proxy; everything else goes to the black hole.
        args: [...CHROMIUM_ARGS, `--proxy-server=http://127.0.0.1:${proxyPort}`],
        // chromedriver turns the popup blocker off; the browser as users have it blocks a
        // window.open() outside a click (the popup tests check that).
        excludeSwitches: ['disable-popup-blocking'],
      },
    }),
  },
  firefox: {
    driver: GECKODRIVER,
    // --websocket-port 0: the default WebDriver BiDi port is a fixed 9222.
    driverArgs: (port) => [`--port=${port}`, '--websocket-port=0', '--host=127.0.0.1'],
    display: false,
    capabilities: (proxyPort) => ({
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: '/usr/bin/firefox-esr',
        args: ['-headless'],
        prefs: {
          // A manual proxy for every scheme; loopback is not proxied (allow_hijacking_localhost).
          'network.proxy.type': 1,
          'network.proxy.http': '127.0.0.1',
          'network.proxy.http_port': proxyPort,
          'network.proxy.ssl': '127.0.0.1',
          'network.proxy.ssl_port': proxyPort,
          'network.proxy.share_proxy_settings': true,
          'network.proxy.allow_hijacking_localhost': false,
          'network.proxy.no_proxies_on': '',
          'network.dns.disablePrefetch': true,
          // Firefox still looks up (A/AAAA, through the system resolver) the names it sends to
          // the proxy: ~23 queries for firefox.settings.services.mozilla.com per session. DNS
          // over HTTPS only (mode 3), at the black hole: no lookup leaves the machine.
          'network.trr.mode': 3,
          'network.trr.uri': `https://127.0.0.1:${proxyPort}/dns-query`,
          'network.trr.bootstrapAddr': '127.0.0.1',
          // geckodriver turns the popup blocker off; on, as users have it (the popup tests).
          'dom.disable_open_during_load': true,
        },
      },
    }),
  },
  webkit: {
    driver: '/usr/bin/WebKitWebDriver',
    driverArgs: (port) => [`--port=${port}`, '--host=127.0.0.1'],
    display: true,
    // The proxy goes in MiniBrowser's own flags: in the W3C `proxy` capability WebKitGTK
    // crashes at start in about one session in five (../shared/TOOLCHAIN.md).
    capabilities: (proxyPort) => ({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': {
        binary: MINIBROWSER,
        args: [
          '--automation',
          `--proxy=http://127.0.0.1:${proxyPort}`,
          '--ignore-host=127.0.0.1',
          '--ignore-host=localhost',
          '--ignore-host=::1',
        ],
      },
    }),
  },
};

/**
 * The environment a driver and its browser run with so that everything they write (profiles,
 * caches, crash-report settings) lands under `dir`, which the caller removes: TMPDIR and the
 * XDG folders. Makes the folders.
 */
export function scratchEnv(dir) {
  const env = {
    TMPDIR: join(dir, 'tmp'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_DATA_HOME: join(dir, 'data'),
  };
  for (const folder of Object.values(env)) mkdirSync(folder, { recursive: true });
  return env;
}

/** The engines to run: $PKCE_WASM_ENGINES (comma-separated) or all three. */
export function selectedEngines(env = process.env) {
  const names = (env.PKCE_WASM_ENGINES ?? Object.keys(ENGINES).join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) if (!ENGINES[name]) throw new Error(`unknown engine ${name}; one of ${Object.keys(ENGINES)}`);
  return names;
}

/** True when this engine's browser and driver are installed. */
export function installed(name) {
  const engine = ENGINES[name];
  return existsSync(engine.driver);
}
