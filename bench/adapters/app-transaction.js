// What an application writes around libraries that leave the pending login to it
// (oauth4webapi, @badgateway/oauth2-client): a single-use, expiring transaction in
// sessionStorage keyed by state, and the address-bar cleanup after the callback. It
// mirrors what pkce-wasm, oidc-client-ts and auth0-spa-js do internally, so every
// library is timed doing the same work.
const TTL_MS = 600_000;

export function saveTransaction(prefix, state, data) {
  sessionStorage.setItem(`${prefix}:tx:${state}`, JSON.stringify({ ...data, createdAt: Date.now() }));
}

export function takeTransaction(prefix, url) {
  const state = new URL(url).searchParams.get('state');
  const key = `${prefix}:tx:${state}`;
  const stored = state === null ? null : sessionStorage.getItem(key);
  if (stored === null) throw new Error('unknown state');
  sessionStorage.removeItem(key); // single use, whatever the outcome
  const tx = JSON.parse(stored);
  if (Date.now() - tx.createdAt > TTL_MS) throw new Error('transaction expired');
  return { state, ...tx };
}

export function cleanAddressBar(url) {
  const { origin, pathname } = new URL(url);
  history.replaceState(history.state, '', origin + pathname);
}

// 32 random bytes as base64url, like the libraries' own state generators.
export function randomState() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
