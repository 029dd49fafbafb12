// pkce-wasm/vue: the createAuth() plugin and the useAuth() composable over one PkceClient (see vue.d.ts).
// 'vue' stays an import of the app's copy.
import { asError, relay, start } from './framework.js';
import { inject, shallowRef } from 'vue';

const key = Symbol('pkce-wasm');

export function createAuth(client) {
  const current = shallowRef(typeof client?.then == 'function' ? undefined : client);
  const status = shallowRef('loading');
  const tokens = shallowRef();
  const error = shallowRef();
  let settled = false;
  const show = (held) => {
    tokens.value = held;
    if (settled) status.value = held ? 'signed-in' : 'signed-out';
  };

  // Runs one step on the client; its error goes to `error` (the returned promise resolves).
  // No await before `step` once the client is resolved: loginPopup() opens its window inside the click.
  const act = async (step) => {
    error.value = undefined;
    try {
      await step(current.value ?? (await client));
    } catch (e) {
      error.value = asError(e);
    }
  };
  const auth = {
    status,
    tokens,
    error,
    client: current, // an addition to the contract: for calls it does not wrap (refresh, userinfo)
    login: (options) => act((c) => c.login(options)),
    loginPopup: (options) => act((c) => c.loginPopup(options)),
    logout: (options) => act((c) => c.logout(options)),
    // Through the client's holder: one refresh for every caller (and a Web Lock across tabs).
    getAccessToken: async () => (current.value ?? (await client)).getAccessToken(),
    fetch: async (input, init) => (current.value ?? (await client)).fetch(input, init),
  };

  let installed = false;
  return {
    install(app) {
      app.provide(key, auth);
      // Starts once, in a browser only (server-side rendering stays "loading"); not on a popup's page.
      if (installed || typeof window == 'undefined' || relay()) return;
      installed = true;
      Promise.resolve(client)
        .then(async (c) => {
          current.value = c;
          const unsubscribe = c.subscribe(show); // login, refresh, clear, logout, other tabs
          app.onUnmount?.(unsubscribe); // Vue 3.5+
          error.value = await start(c);
          settled = true;
          show(c.tokens());
        })
        .catch((e) => {
          error.value = asError(e);
          settled = true;
          show(undefined);
        });
    },
  };
}

export function useAuth() {
  const auth = inject(key, null);
  if (!auth) throw new Error('pkce-wasm/vue: useAuth() needs app.use(createAuth(client))');
  return auth;
}
