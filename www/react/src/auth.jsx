// <AuthProvider> and useAuth(): PkceClient for React, with no other auth dependency.
import init, { PkceClient } from 'pkce-wasm';
import { createContext, useContext, useEffect, useMemo, useState } from 'react';

const AuthContext = createContext(null);

// Once per page load, outside React: StrictMode runs effects twice, and a callback can be
// redeemed only once (a second try would fail with state_unknown).
let started;
function start(config) {
  started ??= (async () => {
    await init();
    // Endpoints (and whether the server sends RFC 9207 `iss`) come from the issuer's metadata.
    const client = await PkceClient.discover(config.issuer, {
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      scope: config.scope,
      // The API fetch() may send the access token to, and the resource (RFC 8707) tokens are for.
      resourceOrigins: config.api ? [new URL(config.api).origin] : [],
      resource: config.resource,
      // Sender-constrained tokens (RFC 9449): useless to anyone who copies them out of this page.
      dpop: config.dpop,
    });
    if (!client.isCallback()) return { client, tokens: null };
    try {
      return { client, tokens: (await client.handleCallback()).tokens };
    } catch (error) {
      return { client, tokens: null, error }; // still a client: the user can sign in again
    }
  })();
  return started;
}

/**
 * Tokens live in React state and in the client's memory only (the default): a reload signs
 * the user out, and no other script finds them in storage.
 */
export function AuthProvider({ config, children }) {
  const [client, setClient] = useState(null);
  const [tokens, setTokens] = useState(null);
  const [error, setError] = useState(null);
  const [api, setApi] = useState(null);
  const [busy, setBusy] = useState(true);

  useEffect(() => {
    start(config)
      .then((result) => {
        setClient(result.client);
        setTokens(result.tokens);
        setError(result.error ?? null);
      }, setError)
      .finally(() => setBusy(false));
  }, [config]);

  const auth = useMemo(() => {
    // Runs one step while `busy`, keeping its error for display.
    const run = async (step) => {
      setBusy(true);
      setError(null);
      try {
        await step();
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    };

    return {
      client,
      tokens,
      error,
      api,
      hasApi: !!config.api,
      status: busy ? 'loading' : tokens ? 'signed-in' : 'signed-out',
      // offline_access (a refresh token) is only granted with prompt=consent (OIDC Core §11).
      // login() throws before leaving (e.g. storage_unavailable): run() shows it.
      login: () => run(async () => client.login({ extraParams: { prompt: 'consent' } })),
      refresh: () => run(async () => setTokens(await client.refresh(tokens.refreshToken))),
      // fetch() adds the access token (and, with dpop, a proof bound to it) for resourceOrigins only.
      callApi: () => run(async () => {
        const response = await client.fetch(config.api);
        setApi({ status: response.status, body: await response.json() });
      }),
      // Revokes the refresh token, forgets the tokens, ends the session at the server, comes back.
      logout: () => run(async () => {
        setTokens(null);
        await client.logout({ postLogoutRedirectUri: config.redirectUri });
      }),
    };
  }, [client, config, tokens, error, api, busy]);

  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

/** { status: 'loading' | 'signed-in' | 'signed-out', client, tokens, error, api, hasApi, login, refresh, callApi, logout } */
export function useAuth() {
  return useContext(AuthContext);
}
