// pkce-wasm/react: <AuthProvider client={...}> and useAuth() over one PkceClient (see react.d.ts).
// Plain ES module (no JSX); 'react' stays an import of the app's copy.
import { asError, relay, start } from './framework.js';
import { createContext, createElement, useContext, useEffect, useMemo, useRef, useState } from 'react';

const Auth = createContext(null);

const thenable = (value) => typeof value?.then == 'function';

export function AuthProvider({ client, children }) {
  // The resolved client, also in a ref: loginPopup() must reach client.loginPopup() without an
  // await (the popup opens inside the click), and a ref is never a render behind.
  const ready = useRef(thenable(client) ? undefined : client);
  const [resolved, setResolved] = useState(ready.current);
  const [tokens, setTokens] = useState();
  const [error, setError] = useState();
  const [settled, setSettled] = useState(false);

  useEffect(() => {
    if (relay()) return; // the popup's page: the opener signs in; this stays "loading"
    let live = true;
    let unsubscribe = () => {};
    Promise.resolve(client)
      .then(async (c) => {
        if (!live) return; // StrictMode's first effect: its cleanup already ran
        ready.current = c;
        setResolved(c);
        unsubscribe = c.subscribe(setTokens); // login, refresh, clear, logout, other tabs
        const failure = await start(c);
        if (!live) return;
        setTokens(c.tokens());
        setError(failure);
        setSettled(true);
      })
      .catch((e) => {
        if (!live) return;
        setError(asError(e));
        setSettled(true);
      });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [client]);

  const actions = useMemo(() => {
    // Runs one step on the client; its error goes to `error` (the returned promise resolves).
    // No await before `step` once the client is resolved.
    const act = async (step) => {
      setError(undefined);
      try {
        await step(ready.current ?? (await client));
      } catch (e) {
        setError(asError(e));
      }
    };
    return {
      login: (options) => act((c) => c.login(options)),
      loginPopup: (options) => act((c) => c.loginPopup(options)),
      logout: (options) => act((c) => c.logout(options)),
      // Through the client's holder: one refresh for every caller (and a Web Lock across tabs).
      getAccessToken: async () => (ready.current ?? (await client)).getAccessToken(),
      fetch: async (input, init) => (ready.current ?? (await client)).fetch(input, init),
    };
  }, [client]);

  const value = useMemo(
    () => ({ status: settled ? (tokens ? 'signed-in' : 'signed-out') : 'loading', tokens, error, client: resolved, ...actions }),
    [settled, tokens, error, resolved, actions],
  );
  return createElement(Auth.Provider, { value }, children);
}

export function useAuth() {
  const auth = useContext(Auth);
  if (!auth) throw new Error('pkce-wasm/react: useAuth() needs an <AuthProvider> above it');
  return auth;
}
