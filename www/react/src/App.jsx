import { OAuthError } from 'pkce-wasm';

import { useAuth } from './auth.jsx';

const LABELS = { loading: 'Working…', 'signed-in': 'Signed in', 'signed-out': 'Signed out' };

export default function App() {
  const { status, client, tokens, error, api, hasApi, login, refresh, callApi, logout } = useAuth();
  const busy = status === 'loading';

  return (
    <main>
      <h1>pkce-wasm · React</h1>
      <p id="status" data-state={status}>{LABELS[status]}</p>
      <p>
        <button id="login" disabled={busy || !client || !!tokens} onClick={login}>Sign in</button>{' '}
        <button id="refresh" disabled={busy || !tokens?.refreshToken} onClick={refresh}>Refresh tokens</button>{' '}
        <button id="call-api" disabled={busy || !tokens || !hasApi} onClick={callApi}>Call the API</button>{' '}
        <button id="logout" disabled={busy || !tokens} onClick={logout}>Sign out</button>
      </p>
      {error && <p id="error" data-code={error instanceof OAuthError ? error.code : 'unexpected'}>{describe(error)}</p>}
      {tokens && <pre id="tokens">{JSON.stringify(tokens, null, 2)}</pre>}
      {api && <pre id="api">{JSON.stringify(api, null, 2)}</pre>}
    </main>
  );
}

function describe(e) {
  if (!(e instanceof OAuthError)) return String(e);
  // `field` names the setting, callback parameter or claim that failed (e.g. "redirectUri").
  return [e.field ? `${e.code} (${e.field})` : e.code, e.error, e.errorDescription ?? e.message].filter(Boolean).join(': ');
}
