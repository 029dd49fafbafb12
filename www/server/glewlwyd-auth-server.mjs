// A third, independent real authorization server for the end-to-end tests and the demo:
// Glewlwyd (C; Debian package `glewlwyd`, installed by `scripts/setup.sh www`), an OpenID
// Provider with PKCE, RFC 9207 `iss`, DPoP (RFC 9449, with server nonces), PAR (RFC 9126),
// one-use refresh tokens, revocation and RP-initiated logout. Not a production configuration:
// a throw-away folder with a config made from Debian's sample and a SQLite database made from
// Debian's init script, an ES256 key generated at each start, one public client and one user,
// created through Glewlwyd's own admin REST API (what its admin web page does). Its login page
// is Debian's webapp, copied into the folder (see launch()).
//
// Glewlwyd does not log requests, so it listens on a private loopback port behind a small
// recording pass-through (recorder below): its issuer is the recorder's origin, and `requests`
// is what the browser sent and what Glewlwyd answered.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';

import { CLIENT_ID, RESOURCE_SCOPE, TEST_ACCOUNT } from './auth-server.mjs';
import { close, listen } from './http.mjs';

export { CLIENT_ID, RESOURCE_SCOPE, TEST_ACCOUNT };

/** The Debian package version scripts/setup.sh installs (and this file was written against). */
export const GLEWLWYD_VERSION = '2.7.5-3+deb12u1';
/** TEST_ACCOUNT's password on Glewlwyd's login page (a throw-away server on loopback). */
export const TEST_PASSWORD = 'pkce-wasm-demo';
/**
 * What an example's config.json adds for Glewlwyd: a logout `state`, without which its
 * end-session page does not send the browser back to the post-logout redirect URI.
 */
export const EXAMPLE_SETTINGS = { logoutState: 'signed-out' };
/** The name of the OpenID Connect plugin instance: the issuer is `${origin}/api/${PLUGIN}`. */
const PLUGIN = 'oidc';

const BINARY = '/usr/bin/glewlwyd';
const DOC = '/usr/share/doc/glewlwyd';
const SAMPLE_CONFIG = `${DOC}/glewlwyd.conf.sample.gz`;
const INIT_SQL = `${DOC}/database/init.sqlite3.sql.gz`;
// The login page: Debian's webapp, whose scripts and styles are symlinks into other packages.
const WEBAPP = '/usr/share/glewlwyd/webapp';
const WEBAPP_CONFIG = '/etc/glewlwyd/config-2.7.json/config.json';
const ADMIN = { username: 'admin', password: 'password' }; // Debian's init script creates it
const READY_TIMEOUT_MS = 30_000;

/**
 * Starts Glewlwyd behind its recorder on http://127.0.0.1:{port} (0 = any free port); the
 * issuer is http://127.0.0.1:{port}/api/oidc, its metadata at {issuer}/.well-known/openid-configuration.
 *
 * clientOrigins: the examples' origins; each gets `${origin}/` as a redirect URI and post-logout
 *   redirect URI of the public client CLIENT_ID. Glewlwyd's CORS names one origin or all: with
 *   one example it allows only that origin, with several (the demo) any origin.
 * resource: a resource server's URL (RFC 8707): a token asked for it (with RESOURCE_SCOPE) has it
 *   as its audience.
 * dpopNonce: true demands Glewlwyd's own DPoP nonces at the token endpoint. Off by default: a
 *   browser cannot read them (Glewlwyd 2.7.5 sends Access-Control-Expose-Headers on preflight
 *   answers only), so a page's token request would fail with use_dpop_nonce.
 * parRequired: true makes every authorization request go through PAR (a plugin-wide setting).
 *
 * TEST_ACCOUNT (password TEST_PASSWORD) has already granted the client its scopes: signing in is
 * Glewlwyd's password form (once per browser session), then its "Continue" button.
 *
 * Returns { issuer, origin, requests, close() }. `requests` lists { method, path, query, origin,
 * body, dpop, status } for every request the recorder passed on (query: URLSearchParams; body:
 * the raw body of a POST, else null; dpop: whether a DPoP header came).
 */
export async function startGlewlwyd({ port = 0, clientOrigins, resource, dpopNonce = false, parRequired = false }) {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run scripts/setup.sh www`);
  const requests = [];
  const stops = [];
  const stop = async () => { for (const fn of stops.reverse()) await fn(); };
  try {
    const recorder = await startRecorder(port, requests);
    stops.push(() => recorder.close());
    const dir = await mkdtemp(join(tmpdir(), 'pkce-wasm-glewlwyd-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const innerPort = await freePort();
    const server = await launch(dir, innerPort, recorder.origin, clientOrigins);
    stops.push(() => server.stop());
    recorder.forwardTo(innerPort);
    const issuer = `${recorder.origin}/api/${PLUGIN}`;
    await configure(`http://127.0.0.1:${innerPort}/api`, { issuer, clientOrigins, resource, dpopNonce, parRequired });
    return { issuer, origin: recorder.origin, requests, close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// --- the process ----------------------------------------------------------------------------

// Writes the database, webapp and config into `dir`, starts Glewlwyd, resolves once it listens.
async function launch(dir, port, externalUrl, clientOrigins) {
  const database = join(dir, 'glewlwyd.db');
  await sqlite(database, gunzipSync(readFileSync(INIT_SQL)));
  // Glewlwyd serves no file a symlink leads out of its folder to (Debian serves the webapp with
  // Apache): a copy with the links followed, and the webapp's config.json (a link to a folder).
  const webapp = join(dir, 'webapp');
  await cp(WEBAPP, webapp, { recursive: true, dereference: true });
  await rm(join(webapp, 'config.json'), { recursive: true });
  await cp(WEBAPP_CONFIG, join(webapp, 'config.json'));
  const configFile = join(dir, 'glewlwyd.conf');
  await writeFile(configFile, config({ port, externalUrl, database, webapp, clientOrigins }));

  // stdin: a pipe Glewlwyd never reads, so nothing waits on our terminal.
  const child = spawn(BINARY, [`--config-file=${configFile}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // Should this process end without close() (an uncaught error, process.exit), Glewlwyd goes too.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  exited.then(() => process.off('exit', orphaned));
  let log = '';
  const lines = createInterface({ input: child.stdout });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { log = (log + chunk).slice(-8000); });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let gone = null;
  exited.then(({ code, signal }) => { gone = new Error(`Glewlwyd exited (${signal ?? code}):\n${log}`); });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Glewlwyd not ready after ${READY_TIMEOUT_MS} ms:\n${log}`)), READY_TIMEOUT_MS);
      lines.on('line', (line) => {
        log = (log + line + '\n').slice(-8000);
        if (process.env.PKCE_WASM_GLEWLWYD_VERBOSE) console.error(line);
        if (/Glewlwyd started on port/.test(line)) { clearTimeout(timer); resolve(); }
      });
      child.once('error', (error) => { clearTimeout(timer); reject(error); });
      exited.then(() => { clearTimeout(timer); reject(gone); });
    });
    // Glewlwyd logs "started" just before it binds the port: ready once a connection is accepted.
    await accepting(port, () => gone);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

// Resolves once 127.0.0.1:{port} accepts a connection; each refusal is retried after a short
// pause, until READY_TIMEOUT_MS, or until failure() returns an error (the process exited).
async function accepting(port, failure) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const accepted = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (failure()) throw failure();
    if (Date.now() > deadline) throw new Error(`Glewlwyd did not accept connections on port ${port} within ${READY_TIMEOUT_MS} ms`);
    await delay(20);
  }
}

// Debian's sample config with this instance's settings (libconfig `key=value` lines replaced).
function config({ port, externalUrl, database, webapp, clientOrigins }) {
  const settings = {
    port,
    static_files_path: `"${webapp}/"`,
    bind_address: '"127.0.0.1"',
    external_url: `"${externalUrl}"`,
    // Glewlwyd's CORS names one origin or all ("*"): all, when there are several examples.
    allow_origin: `"${clientOrigins.length === 1 ? clientOrigins[0] : '*'}"`,
    expose_headers: '"Content-Encoding, Authorization, DPoP-Nonce, WWW-Authenticate"',
    log_level: '"INFO"',
    cookie_domain: '""',
    cookie_secure: 0,
    cookie_same_site: '"lax"',
    session_expiration: 3600,
  };
  let text = gunzipSync(readFileSync(SAMPLE_CONFIG)).toString('utf8');
  for (const [key, value] of Object.entries(settings)) {
    const line = new RegExp(`^#?${key}\\s*=.*$`, 'm');
    if (!line.test(text)) throw new Error(`Glewlwyd's sample config has no ${key}`);
    text = text.replace(line, `${key}=${value}`);
  }
  return text.replace(/^(\s*path\s*=\s*)"[^"]*glewlwyd\.db"/m, `$1"${database}"`);
}

function sqlite(database, sql) {
  return new Promise((resolve, reject) => {
    const child = spawn('sqlite3', [database], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => { err += chunk; });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sqlite3 exited ${code}: ${err}`))));
    child.stdin.end(sql);
  });
}

// A port free now on 127.0.0.1 (Glewlwyd takes a port number, not 0).
async function freePort() {
  const server = createServer();
  const origin = await listen(server, 0);
  await close(server);
  return Number(new URL(origin).port);
}

// --- the configuration, through the admin API -------------------------------------------------

async function configure(api, { issuer, clientOrigins, resource, dpopNonce, parRequired }) {
  const admin = await session(api, ADMIN);
  for (const scope of ['offline_access', RESOURCE_SCOPE]) {
    await admin('POST', '/scope/', { name: scope, display_name: scope, description: scope, password_required: false, password_max_age: 0, scheme: {} });
  }
  await listProperty(admin, 'post_logout_redirect_uris');
  await admin('POST', '/mod/plugin/', { module: 'oidc', name: PLUGIN, display_name: 'OpenID Connect', parameters: plugin({ issuer, resource, dpopNonce, parRequired }) });
  await admin('POST', '/client/', client(clientOrigins.map((origin) => `${origin}/`)));
  await admin('POST', '/user/', {
    username: TEST_ACCOUNT,
    password: TEST_PASSWORD,
    name: 'Test User',
    email: 'test-user@example.invalid',
    enabled: true,
    scope: ['openid', 'offline_access', RESOURCE_SCOPE],
  });
  // The user's consent, given once through the API the grant page calls.
  const user = await session(api, { username: TEST_ACCOUNT, password: TEST_PASSWORD });
  await user('PUT', `/auth/grant/${CLIENT_ID}`, { scope: `openid offline_access ${RESOURCE_SCOPE}` });
}

// The client back end stores each property as one string unless told it holds a list; the
// end-session endpoint looks for an array of post-logout redirect URIs.
async function listProperty(admin, name) {
  const clients = await admin('GET', '/mod/client/database');
  clients.parameters['data-format'][name] = { multiple: true, read: true, write: true };
  await admin('PUT', '/mod/client/database', clients);
  await admin('PUT', '/mod/client/database/reset');
}

// The examples' public client: PKCE, exact redirect URIs, the same ones after logout.
function client(redirects) {
  return {
    client_id: CLIENT_ID,
    name: 'pkce-wasm examples',
    enabled: true,
    confidential: false,
    token_endpoint_auth_method: ['none'],
    authorization_type: ['code', 'refresh_token'],
    redirect_uri: redirects,
    post_logout_redirect_uris: redirects,
    scope: ['openid', 'offline_access', RESOURCE_SCOPE],
  };
}

// The OIDC plugin's parameters: the admin page's defaults for a new instance, then ours.
function plugin({ issuer, resource, dpopNonce, parRequired }) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  return {
    ...pluginDefaults(),
    iss: issuer,
    'jwt-type': 'ecdsa',
    'jwks-private': JSON.stringify({ keys: [jwk] }),
    'default-kid': kid,
    'jwks-show': true,
    'access-token-duration': 600,
    'allowed-scope': ['openid', 'offline_access', RESOURCE_SCOPE],
    'oauth-as-iss-id': true, // RFC 9207
    'pkce-allowed': true,
    'pkce-required': true,
    'auth-type-code-revoke-replayed': true,
    'refresh-token-rolling': true,
    'refresh-token-one-use': 'always',
    'introspection-revocation-allowed': true,
    'session-management-allowed': true,
    'oauth-dpop-allowed': true,
    'oauth-dpop-iat-duration': 60,
    'oauth-dpop-nonce-mandatory': dpopNonce,
    'oauth-par-allowed': true,
    'oauth-par-required': parRequired,
    'resource-allowed': Boolean(resource),
    'resource-scope': resource ? { [RESOURCE_SCOPE]: [resource] } : {},
  };
}

// What Glewlwyd's admin page (webapp/admin.js) fills in for a new OIDC plugin instance.
function pluginDefaults() {
  return {
    'auth-type-code-enabled': true,
    'auth-type-token-enabled': false,
    'auth-type-id-token-enabled': true,
    'auth-type-none-enabled': true,
    'auth-type-password-enabled': false,
    'auth-type-client-enabled': true,
    'auth-type-device-enabled': false,
    'auth-type-refresh-enabled': true,
    'refresh-token-duration': 1209600,
    'code-duration': 600,
    'client-refresh-token-one-use-parameter': 'refresh-token-one-use',
    'allow-non-oidc': false,
    scope: [],
    'additional-parameters': [],
    claims: [],
    'jwks-x5c': [],
    'request-parameter-allow': true,
    'request-uri-allow-https-non-secure': false,
    'request-parameter-allow-encrypted': false,
    'secret-type': 'pairwise',
    'address-claim': { type: 'no', formatted: '', street_address: '', locality: '', region: '', postal_code: '', country: '', mandatory: false },
    'name-claim': 'on-demand',
    'email-claim': 'no',
    'scope-claim': 'no',
    'pkce-method-plain-allowed': false,
    'introspection-revocation-auth-scope': [],
    'introspection-revocation-allow-target-client': true,
    'register-client-allowed': false,
    'session-cookie-name': 'GLEWLWYD2_OIDC_SID',
    'session-cookie-expiration': 2419200,
    'front-channel-logout-allowed': true, // false: its end-session page answers 400
    'back-channel-logout-allowed': false,
    'client-jwks-parameter': 'jwks',
    'client-jwks_uri-parameter': 'jwks_uri',
    'request-maximum-exp': 3600,
    'encrypt-out-token-allow': false,
    'oauth-dpop-iat-gap-duration': 0,
    'oauth-dpop-dpop_bound_access_tokens-property': 'dpop_bound_access_tokens',
    'oauth-dpop-nonce-counter': 10,
    'resource-client-property': '',
    'resource-scope-and-client-property': false,
    'resource-change-allowed': false,
    'oauth-rar-allowed': false,
    'oauth-par-duration': 90,
    'oauth-par-request_uri-prefix': 'urn:ietf:params:oauth:request_uri:',
    'restrict-scope-client-property': '',
    'oauth-ciba-allowed': false,
    'oauth-fapi-check-all': false,
  };
}

// Signs in at Glewlwyd's API (POST /auth/); returns call(method, path, json) with that session,
// which resolves with the answer's JSON (null for an empty body).
async function session(api, { username, password }) {
  const login = await fetch(`${api}/auth/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!login.ok) throw new Error(`Glewlwyd: signing in as ${username} answered ${login.status}`);
  const cookie = login.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  return async (method, path, json) => {
    const response = await fetch(`${api}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const text = await response.text();
    if (!response.ok) throw new Error(`Glewlwyd: ${method} ${path} answered ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

// --- the recorder ---------------------------------------------------------------------------

// A pass-through on `port` that records each request and forwards it unchanged to Glewlwyd.
async function startRecorder(port, requests) {
  let target = null;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const record = {
        method: req.method,
        path: req.url.split('?')[0],
        query: new URL(req.url, 'http://x').searchParams,
        origin: req.headers.origin,
        body: req.method === 'POST' ? body.toString('utf8') : null,
        dpop: req.headers.dpop !== undefined,
        status: null,
      };
      if (target === null) return res.writeHead(503).end();
      const upstream = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        record.status = answer.statusCode;
        requests.push(record);
        res.writeHead(answer.statusCode, answer.rawHeaders);
        answer.pipe(res);
      });
      upstream.once('error', () => res.destroy());
      upstream.end(body);
    });
  });
  const origin = await listen(server, port);
  return { origin, forwardTo: (innerPort) => { target = innerPort; }, close: () => close(server) };
}
