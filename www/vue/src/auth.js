// createAuth() (a plugin) and useAuth() (a composable): PkceClient for Vue 3.
import init, { PkceClient } from 'pkce-wasm';
import { computed, inject, shallowRef } from 'vue';

const key = Symbol('pkce-wasm auth');

/**
 * Starts once per page load (init, discovery, and redeeming the callback if this page load
 * is one) and provides the state to every component. Tokens live in memory only (the
 * default): a reload signs the user out, and no other script finds them in storage.
 */
export function createAuth(config) {
  const client = shallowRef(null);
  const tokens = shallowRef(null);
  const error = shallowRef(null);
  const api = shallowRef(null);
  const busy = shallowRef(true);

  // Runs one step while `busy`, keeping its error for display.
  async function run(step) {
    busy.value = true;
    error.value = null;
    try {
      await step();
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  }

  run(async () => {
    await init();
    // Endpoints (and whether the server sends RFC 9207 `iss`) come from the issuer's metadata.
    client.value = await PkceClient.discover(config.issuer, {
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      scope: config.scope,
      // The API fetch() may send the access token to, and the resource (RFC 8707) tokens are for.
      resourceOrigins: config.api ? [new URL(config.api).origin] : [],
      resource: config.resource,
      // Sender-constrained tokens (RFC 9449): useless to anyone who copies them out of this page.
      dpop: config.dpop,
    });
    if (client.value.isCallback()) tokens.value = (await client.value.handleCallback()).tokens;
  });

  const auth = {
    client,
    tokens,
    error,
    api,
    hasApi: !!config.api,
    status: computed(() => (busy.value ? 'loading' : tokens.value ? 'signed-in' : 'signed-out')),
    // offline_access (a refresh token) is only granted with prompt=consent (OIDC Core §11).
    // login() throws before leaving (e.g. storage_unavailable): run() shows it.
    login: () => run(async () => client.value.login({ extraParams: { prompt: 'consent' } })),
    refresh: () => run(async () => {
      tokens.value = await client.value.refresh(tokens.value.refreshToken);
    }),
    // fetch() adds the access token (and, with dpop, a proof bound to it) for resourceOrigins only.
    callApi: () => run(async () => {
      const response = await client.value.fetch(config.api);
      api.value = { status: response.status, body: await response.json() };
    }),
    // Revokes the refresh token, forgets the tokens, ends the session at the server, comes back.
    logout: () => run(async () => {
      tokens.value = null;
      await client.value.logout({ postLogoutRedirectUri: config.redirectUri });
    }),
  };

  return { install: (app) => app.provide(key, auth) };
}

/** { status, client, tokens, error, api } (refs), hasApi, and { login, refresh, callApi, logout } */
export function useAuth() {
  return inject(key);
}
