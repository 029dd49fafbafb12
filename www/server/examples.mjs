// Where each example's files are, and the settings file every example reads at start-up.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { CLIENT_ID, RESOURCE_SCOPE } from './auth-server.mjs';
import { startStaticServer } from './static-server.mjs';

const www = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export const EXAMPLES = {
  // Plain HTML: the page imports /pkg/pkce_wasm.js, served straight from the repo's pkg/.
  static: { root: www('static'), mounts: { '/pkg/': www('../pkg') } },
  // Vite builds (`npm run build`): the bundles carry pkce-wasm and its .wasm as assets. pkg/ is
  // mounted too, only for the tests' second client of the same app (harness withPageClient).
  react: { root: www('react/dist'), mounts: { '/pkg/': www('../pkg') } },
  // The same React app built with React's development build, where StrictMode runs every effect
  // twice (the production build does not): for the tests of the provider under StrictMode.
  'react-dev': { root: www('react/dist-dev') },
  vue: { root: www('vue/dist'), mounts: { '/pkg/': www('../pkg') } },
  // Rust (web-sys + pkce_wasm::Client), built by scripts/build-rust-example.sh (`make www`).
  rust: { root: www('rust/dist'), build: 'scripts/build-rust-example.sh (or `make www`) at the repository root' },
};

/** Serves one example on 127.0.0.1:{port} (0 = any free port); see startStaticServer. */
export async function startExample(name, { port = 0 } = {}) {
  const { root, mounts, build = '`npm run build` in www/' } = EXAMPLES[name];
  if (!existsSync(root)) throw new Error(`${root} is missing: run ${build} first`);
  return startStaticServer({ root, port, mounts });
}

/** The config.json an example served at `origin` needs to sign in at `issuer`. */
export function exampleConfig(issuer, origin) {
  return {
    clientId: CLIENT_ID,
    redirectUri: `${origin}/`,
    issuer, // the endpoints come from its metadata (discovery)
    scope: 'openid offline_access',
  };
}

/**
 * What an example's config.json adds to call the resource server `api` (www/server/resource-server.mjs)
 * with sender-constrained tokens: its endpoint (`api`, whose origin becomes `resourceOrigins`), the
 * resource indicator and scope its tokens are for, and `dpop`.
 */
export function apiConfig(api, { dpop = true } = {}) {
  return { api: `${api.origin}/api/hello`, resource: api.resource, scope: `openid offline_access ${RESOURCE_SCOPE}`, dpop };
}
