import { OAuthError } from 'pkce-wasm';
import { useAuth } from 'pkce-wasm/react';
import { useState } from 'react';

const LABELS = { loading: 'Working…', 'signed-in': 'Signed in', 'signed-out': 'Signed out' };
// offline_access (a refresh token) is only granted with prompt=consent (OIDC Core §11).
const SIGN_IN = { extraParams: { prompt: 'consent' } };

export default function App({ config }) {
  const { status, tokens, error, client, login, loginPopup, logout, fetch } = useAuth();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(); // this page's own steps; the provider's are in `error`
  const [api, setApi] = useState();
  const [claims, setClaims] = useState();

  // Runs one step with the buttons disabled. `step` starts synchronously, inside the click:
  // loginPopup() opens its window before anything is awaited, so no popup blocker objects.
  const run = async (step) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await step();
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  };
  const state = busy ? 'loading' : status;
  const shown = failure ?? error;
  const idle = !busy && status !== 'loading';

  return (
    <main>
      <h1>pkce-wasm · React</h1>
      <p id="status" data-state={state}>{LABELS[state]}</p>
      <p>
        {/* login() navigates to the authorization server; loginPopup() stays on this page. */}
        <button id="login" disabled={!idle || !!tokens} onClick={() => run(() => login(SIGN_IN))}>Sign in</button>{' '}
        <button id="login-popup" disabled={!idle || !!tokens} onClick={() => run(() => loginPopup({
          ...SIGN_IN,
          popupRedirectUri: config.popupRedirectUri, // default: the redirectUri (this page)
          timeout: config.popupTimeout, // seconds; default 300
        }))}>Sign in (popup)</button>{' '}
        {/* getAccessToken() refreshes by itself when needed; this button forces a refresh. */}
        <button id="refresh" disabled={!idle || !tokens?.refreshToken} onClick={() => run(() => client.refresh(tokens.refreshToken))}>Refresh tokens</button>{' '}
        {/* fetch() adds the access token (and, with dpop, a proof bound to it) for resourceOrigins only. */}
        <button id="call-api" disabled={!idle || !tokens || !config.api} onClick={() => run(async () => {
          const response = await fetch(config.api);
          setApi({ status: response.status, body: await response.json() });
        })}>Call the API</button>{' '}
        <button id="userinfo" disabled={!idle || !tokens} onClick={() => run(async () => setClaims(await client.userinfo()))}>Who am I</button>{' '}
        {/* Revokes the refresh token, forgets the tokens (in every tab), ends the session at the server, comes back (logoutState: Glewlwyd 2.7.5 sends the browser back only with a state). */}
        <button id="logout" disabled={!idle || !tokens} onClick={() => run(() => logout({ postLogoutRedirectUri: config.redirectUri, state: config.logoutState }))}>Sign out</button>
      </p>
      {/* Server data goes in as text only, never as HTML (React escapes it). */}
      {shown && <p id="error" data-code={shown instanceof OAuthError ? shown.code : 'unexpected'}>{describe(shown)}</p>}
      {tokens && <pre id="tokens">{JSON.stringify(tokens, null, 2)}</pre>}
      {tokens && claims && <pre id="claims">{JSON.stringify(claims, null, 2)}</pre>}
      {api && <pre id="api">{JSON.stringify(api, null, 2)}</pre>}
    </main>
  );
}

function describe(e) {
  if (!(e instanceof OAuthError)) return String(e);
  // `field` names the setting, callback parameter or claim that failed (e.g. "redirectUri").
  return [e.field ? `${e.code} (${e.field})` : e.code, e.error, e.errorDescription ?? e.message].filter(Boolean).join(': ');
}
