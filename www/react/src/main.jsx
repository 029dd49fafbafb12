import init, { PkceClient } from 'pkce-wasm';
import { AuthProvider } from 'pkce-wasm/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import App from './App.jsx';

// Where to sign in: deployed next to the app, so one build works anywhere.
const config = await (await fetch('/config.json')).json();
await init();

// One client for the page, made once outside React. Endpoints (and whether the server sends
// RFC 9207 `iss`) come from the issuer's metadata. Tokens stay in this tab's memory (the
// default): a reload signs out, no script finds them in storage.
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

// The provider redeems the callback when this page is one (once, though StrictMode runs its
// effect twice), relays it when this window is a login popup, and follows the client's tokens.
createRoot(document.getElementById('root')).render(
  <StrictMode>
    <AuthProvider client={client}>
      <App config={config} />
    </AuthProvider>
  </StrictMode>,
);
