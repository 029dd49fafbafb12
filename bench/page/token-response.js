// The stub authorization server's behaviour, shared by the loopback server (Node) and the
// in-page fetch stub (browser) so both answer identically. Stateless: the authorization
// code carries the request's nonce, so the token response can echo it in an ID token.

export function codeFor(nonce) {
  return nonce ? `code~${nonce}` : 'code';
}

// `params` are the token request's parameters (form or JSON body, as URLSearchParams).
export function tokenResponse(params, issuer) {
  const body = {
    access_token: 'bench-access-token',
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'bench-refresh-token',
  };
  const code = params.get('code') ?? '';
  const nonce = code.startsWith('code~') ? code.slice(5) : '';
  // Only an OIDC client sends a nonce; auth0-spa-js then requires an ID token. It checks
  // the claims, not the signature, so an unsigned RS256-labelled token suffices.
  if (nonce) body.id_token = unsignedJwt({
    iss: `${issuer}/`,
    sub: 'bench-user',
    aud: params.get('client_id'),
    nonce,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  return body;
}

// Token request bodies are form-encoded, except auth0-spa-js's JSON.
export function parseTokenRequestBody(text) {
  if (!text.startsWith('{')) return new URLSearchParams(text);
  return new URLSearchParams(Object.entries(JSON.parse(text)).map(([k, v]) => [k, String(v)]));
}

function unsignedJwt(claims) {
  const part = (value) => btoa(JSON.stringify(value))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}
