// Sign in with Authorization Code + PKCE, show the token response, call an API, refresh, sign out.
import init, { OAuthError, PkceClient } from 'pkce-wasm';

const $ = (id) => document.getElementById(id);

let config = null;
let client = null;
let tokens = null;
let api = null;
let claims = null;
let error = null;
let busy = true;

// offline_access (a refresh token) is only granted with prompt=consent (OIDC Core §11).
// login() throws before leaving (e.g. storage_unavailable): run() shows it.
$('login').onclick = () => run(async () => client.login({ extraParams: { prompt: 'consent' } }));
// loginPopup() opens the window at once: call it in the click, before any await.
$('login-popup').onclick = () => {
  const signedIn = client.loginPopup({
    extraParams: { prompt: 'consent' },
    popupRedirectUri: config.popupRedirectUri, // default: the redirectUri (this page)
    timeout: config.popupTimeout, // seconds; default 300
  });
  run(async () => ({ tokens } = await signedIn));
};
$('userinfo').onclick = () => run(async () => {
  claims = await client.userinfo(); // checked: its sub is the ID token's
});
$('refresh').onclick = () => run(async () => {
  tokens = await client.refresh(tokens.refreshToken);
});
// fetch() adds the access token (and, with dpop, a proof bound to it) for resourceOrigins only.
$('call-api').onclick = () => run(async () => {
  const response = await client.fetch(config.api);
  api = { status: response.status, body: await response.json() };
});
$('logout').onclick = () => run(async () => {
  tokens = null;
  // Revokes the refresh token, forgets the tokens, ends the session at the server, comes back
  // (logoutState, if set, is echoed: Glewlwyd 2.7.5 sends the browser back only when one came).
  await client.logout({ postLogoutRedirectUri: config.redirectUri, state: config.logoutState });
});

// In a sign-in popup this page only hands the response back to the window that opened it (and closes).
if (!PkceClient.relayCallback()) await run(async () => {
  // Where to sign in: a settings file deployed next to this page, so the same files work anywhere.
  config = await (await fetch('./config.json')).json();
  await init(); // the wasm has been downloading and compiling since pkce-wasm was imported
  // Endpoints (and whether the server sends RFC 9207 `iss`) come from the issuer's metadata.
  // Tokens stay in this tab's memory (the default): a reload signs out, no script finds them in storage.
  client = await PkceClient.discover(config.issuer, {
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    scope: config.scope,
    // An endpoint the server's metadata leaves out can be configured (e.g. django-oauth-toolkit's
    // OpenID metadata has no revocation_endpoint); a configured one wins over the metadata's.
    revocationEndpoint: config.revocationEndpoint,
    // The API fetch() may send the access token to, and the resource (RFC 8707) tokens are for.
    resourceOrigins: config.api ? [new URL(config.api).origin] : [],
    resource: config.resource,
    // Sender-constrained tokens (RFC 9449): useless to anyone who copies them out of this page.
    dpop: config.dpop,
    tokenStorage: config.tokenStorage,
    requirePar: config.requirePar,
  });
  // The page follows the holder: a refresh, and a sign-out in another tab of this app, show at once.
  client.subscribe((held) => {
    tokens = held ?? null;
    render();
  });
  // A callback is redeemed; else the held tokens are shown (with tokenStorage "session", a reload keeps them).
  if (client.isCallback()) ({ tokens } = await client.handleCallback());
  else tokens = client.tokens() ?? null;
});

// Runs one step with the buttons disabled, then shows its outcome.
async function run(step) {
  busy = true;
  error = null;
  render();
  try {
    await step();
  } catch (e) {
    error = e;
  }
  busy = false;
  render();
}

// Server data goes in as text only (textContent), never as HTML.
function render() {
  const state = busy ? 'loading' : tokens ? 'signed-in' : 'signed-out';
  $('status').dataset.state = state;
  $('status').textContent = { loading: 'Working…', 'signed-in': 'Signed in', 'signed-out': 'Signed out' }[state];
  $('login').disabled = busy || !client || !!tokens;
  $('login-popup').disabled = $('login').disabled;
  $('userinfo').disabled = busy || !tokens;
  $('claims').hidden = !claims || !tokens;
  $('claims').textContent = claims && tokens ? JSON.stringify(claims, null, 2) : '';
  $('refresh').disabled = busy || !tokens?.refreshToken;
  $('call-api').disabled = busy || !tokens || !config?.api;
  $('api').hidden = !api;
  $('api').textContent = api ? JSON.stringify(api, null, 2) : '';
  $('logout').disabled = busy || !tokens;
  $('tokens').hidden = !tokens;
  $('tokens').textContent = tokens ? JSON.stringify(tokens, null, 2) : '';
  $('error').hidden = !error;
  $('error').dataset.code = error instanceof OAuthError ? error.code : error ? 'unexpected' : '';
  $('error').textContent = error ? describe(error) : '';
}

function describe(e) {
  if (!(e instanceof OAuthError)) return String(e);
  // `field` names the setting, callback parameter or claim that failed (e.g. "redirectUri").
  return [e.field ? `${e.code} (${e.field})` : e.code, e.error, e.errorDescription ?? e.message].filter(Boolean).join(': ');
}
