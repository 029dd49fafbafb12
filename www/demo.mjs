// `make demo`: the authorization server and the examples on fixed loopback ports, until
// Ctrl-C. Sign in on the server's stock login page with any username and password.
// The React and Vue examples are served too once built (`npm run build` in www/), and the Rust
// one once built by scripts/build-rust-example.sh (`make demo` builds them all).
// `--as=glewlwyd` (`make demo AS=glewlwyd`, or $PKCE_WASM_DEMO_AS): Glewlwyd is the authorization
// server instead (www/server/glewlwyd-auth-server.mjs; sign in as TEST_ACCOUNT / TEST_PASSWORD).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { startAuthServer } from './server/auth-server.mjs';
import { apiConfig, EXAMPLES, exampleConfig, startExample } from './server/examples.mjs';
import { EXAMPLE_SETTINGS, GLEWLWYD_VERSION, startGlewlwyd, TEST_ACCOUNT, TEST_PASSWORD } from './server/glewlwyd-auth-server.mjs';
import { startResourceServer } from './server/resource-server.mjs';

const SERVERS = ['oidc-provider', 'glewlwyd'];
const { values: { as: AS = process.env.PKCE_WASM_DEMO_AS || 'oidc-provider' } } = parseArgs({ options: { as: { type: 'string' } } });
if (!SERVERS.includes(AS)) {
  console.error(`demo: --as must be one of ${SERVERS.join(', ')}, not ${AS}`);
  process.exit(1);
}

// $PKCE_WASM_DEMO_PORT moves them all (the tests run the demo on free ports): base to base+5.
const BASE_PORT = Number(process.env.PKCE_WASM_DEMO_PORT || 8400);
if (!Number.isInteger(BASE_PORT) || BASE_PORT < 1 || BASE_PORT > 65530) {
  console.error(`demo: PKCE_WASM_DEMO_PORT must be a port number up to 65530, not ${process.env.PKCE_WASM_DEMO_PORT}`);
  process.exit(1);
}
const AUTH_PORT = BASE_PORT;
const API_PORT = BASE_PORT + 5;
const PORTS = { static: BASE_PORT + 1, react: BASE_PORT + 2, vue: BASE_PORT + 3, rust: BASE_PORT + 4 };
// The examples with a "Call the API" button: DPoP-bound tokens for the resource server.
const WITH_API = new Set(['static', 'react', 'vue']);

const names = Object.keys(PORTS).filter((name) => existsSync(EXAMPLES[name].root));
const origin = (name) => `http://127.0.0.1:${PORTS[name]}`;

const servers = [];
let api;
let auth;
try {
  api = await startResourceServer({ port: API_PORT, allowedOrigins: names.map(origin) });
  servers.push(api);
  auth = await startAuthorizationServer(names.map(origin), api.resource);
  servers.push(auth);
  // Glewlwyd's access tokens are JWTs, checked with its JWKS; oidc-provider's are introspected.
  api.connect({ issuer: auth.issuer, introspection: auth.introspectionClient });
  for (const name of names) {
    const example = await startExample(name, { port: PORTS[name] });
    servers.push(example);
    const withApi = WITH_API.has(name) ? apiConfig(api) : {};
    const forServer = AS === 'glewlwyd' ? EXAMPLE_SETTINGS : {};
    example.setConfig({ ...exampleConfig(auth.issuer, example.origin), ...withApi, ...forServer });
  }
} catch (error) {
  await stop();
  // EADDRINUSE most likely: another demo is still running.
  console.error(`demo: ${error.message}`);
  process.exit(1);
}

console.log(AS === 'glewlwyd'
  ? `Authorization server: ${auth.issuer} (Glewlwyd ${GLEWLWYD_VERSION}: sign in as ${TEST_ACCOUNT}, password ${TEST_PASSWORD})`
  : `Authorization server: http://127.0.0.1:${AUTH_PORT} (sign in with any username and password)`);
console.log(`Resource server (DPoP): ${api.origin}/api/hello`);
for (const name of names) console.log(`${name.padEnd(6)} example: ${origin(name)}/`);
console.log(`\nOpen ${origin('static')}/ in a browser. Ctrl-C stops.`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await stop();
    process.exit(0);
  });
}

// The authorization server on AUTH_PORT, with a public client for every example origin.
function startAuthorizationServer(clientOrigins, resource) {
  if (AS === 'glewlwyd') return startGlewlwyd({ port: AUTH_PORT, clientOrigins, resource });
  return startAuthServer({
    port: AUTH_PORT,
    clientOrigins,
    interactive: true,
    dpop: true, // nonces demanded, as a strict server does
    resource,
  });
}

async function stop() {
  await Promise.all(servers.map((server) => server.close()));
}
