import init, { PkceClient } from 'pkce-wasm';
import { createAuth } from 'pkce-wasm/vue';
import { createApp } from 'vue';

import App from './App.vue';

// Where to sign in: deployed next to the app, so one build works anywhere.
const config = await (await fetch('/config.json')).json();
await init();

// One client for the page. Endpoints (and whether the server sends RFC 9207 `iss`) come from the
// issuer's metadata. Tokens stay in this tab's memory (the default): a reload signs out, no
// script finds them in storage.
const client = PkceClient.discover(config.issuer, {
  clientId: config.clientId,
  redirectUri: config.redirectUri,
  scope: config.scope,
  // The API fetch() may send the access token to, and the resource (RFC 8707) tokens are for.
  resourceOrigins: config.api ? [new URL(config.api).origin] : [],
  resource: config.resource,
  // Sender-constrained tokens (RFC 9449): useless to anyone who copies them out of this page.
  dpop: config.dpop,
  // Where the tokens are held: "memory" (the default) unless config.json says otherwise.
  tokenStorage: config.tokenStorage,
});

// The plugin redeems the callback when this page is one, relays it when this window is a login
// popup, and follows the client's tokens; components read it all with useAuth().
createApp(App, { config }).use(createAuth(client)).mount('#app');
