// What pkce-wasm/react and pkce-wasm/vue both do once per page load (one rule, one place):
// relay a login popup's response, redeem the callback the page is, and report failures as
// OAuthErrors. Imported by both entries; the core stays './pkce_wasm.js' (one instance).
import { OAuthError, PkceClient } from './pkce_wasm.js';

// Whether this window is a login popup's redirect page whose response went to the opener (the
// window then closes). Asked once: StrictMode runs effects twice.
let relayed;
export const relay = () => (relayed ??= PkceClient.relayCallback());

// Per client: the redemption of the callback this page is (else nothing), settled with its
// error, if any. A second effect, provider or plugin waits for the same one.
const started = new WeakMap();
export function start(client) {
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
export function asError(e) {
  if (e instanceof OAuthError) return e;
  const wrapped = new OAuthError('unexpected', String(e?.message ?? e));
  wrapped.cause = e;
  return wrapped;
}
