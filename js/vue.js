// pkce-wasm/vue: the createAuth() plugin and the useAuth() composable over one PkceClient (see vue.d.ts).
// 'vue' stays an import of the app's copy.
import { OAuthError, PkceClient } from './pkce_wasm.js';
import { inject, shallowRef } from 'vue';

const key = Symbol('pkce-wasm');

// Once per page load: whether this window is a login popup's redirect page whose response went to
// the opener (the window then closes).
let relayed;
const relay = () => (relayed ??= PkceClient.relayCallback());

// Per client, once per page load: the redemption of the callback this page is (else nothing),
// settled with its error, if any.
const started = new WeakMap();
function start(client) {
  let done = started.get(client);
  if (!done) {
    done = Promise.resolve()
      .then(() => client.isCallback() && client.handleCallback())
      .then(() => undefined, asError);
    started.set(client, done);
  }
  return done;
}

// What `error` holds is always an OAuthError; anything else (a failed init(), say) is wrapped, code "unexpected".
function asError(e) {
  if (e instanceof OAuthError) return e;
  const wrapped = new OAuthError('unexpected', String(e?.message ?? e));
  wrapped.cause = e;
  return wrapped;
}

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
