// The servers the DPoP, PAR and resource-indicator browser tests stand on, proved from Node
// alone (no browser): oidc-provider with `dpop`, `par` and `resource` (auth-server.mjs), and the
// API that checks DPoP proofs and introspects tokens (resource-server.mjs). A whole
// authorization code + PKCE login is done by hand: PAR push, authorize with request_uri (the
// redirects followed with the provider's cookies), code redeemed with a DPoP proof after the
// provider's nonce challenge; then the token at the API with the right key, another key, as
// Bearer, and with a replayed proof. Also: the default server still advertises no PAR endpoint.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { CLIENT_ID, PAR_CLIENT_ID, RESOURCE_SCOPE, startAuthServer } from '../../www/server/auth-server.mjs';
import { callApi, newDpopKey, proof } from '../../www/server/dpop-node.mjs';
import { startResourceServer } from '../../www/server/resource-server.mjs';

const ORIGIN = 'http://127.0.0.1:1';
const REDIRECT_URI = `${ORIGIN}/`;
const SCOPE = `openid offline_access ${RESOURCE_SCOPE}`;

describe('auth server (dpop, par, resource) and resource server', () => {
  let auth;
  let api;
  let meta;
  let key;
  let tokens; // the code redemption's answer
  let asNonce; // the provider's DPoP nonce, once it gave one

  before(async () => {
    api = await startResourceServer({ allowedOrigins: [ORIGIN] });
    auth = await startAuthServer({ clientOrigins: [ORIGIN], dpop: true, par: true, resource: api.resource, accessTokenTtl: 120 });
    api.connect({ issuer: auth.issuer, introspection: auth.introspectionClient });
    meta = await (await fetch(`${auth.issuer}/.well-known/openid-configuration`)).json();
    key = await newDpopKey();
  });

  after(() => Promise.all([auth?.close(), api?.close()]));

  /** POSTs a form with a DPoP proof; after 400 use_dpop_nonce retries once with the nonce. */
  async function postWithProof(url, form, { proofKey = key, headers = {} } = {}) {
    const send = async (nonce) => {
      const dpop = await proof(proofKey, { htm: 'POST', htu: url, nonce });
      const response = await fetch(url, { method: 'POST', headers: { ...headers, dpop }, body: new URLSearchParams(form) });
      return { response, json: await response.json().catch(() => null) };
    };
    const first = await send(asNonce);
    asNonce = first.response.headers.get('dpop-nonce') ?? asNonce;
    if (first.json?.error !== 'use_dpop_nonce') return { ...first, challenged: null };
    const second = await send(asNonce);
    asNonce = second.response.headers.get('dpop-nonce') ?? asNonce;
    return { ...second, challenged: first };
  }

  test('discovery advertises PAR, DPoP and introspection', () => {
    assert.equal(meta.pushed_authorization_request_endpoint, `${auth.issuer}/request`);
    assert.ok(meta.dpop_signing_alg_values_supported.includes('ES256'));
    assert.equal(meta.introspection_endpoint, `${auth.issuer}/token/introspection`);
  });

  test('CORS preflights for a DPoP header pass at the token, revocation and PAR endpoints', async () => {
    for (const url of [meta.token_endpoint, meta.revocation_endpoint, meta.pushed_authorization_request_endpoint]) {
      const response = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,dpop' },
      });
      assert.equal(response.status, 204, url);
      assert.equal(response.headers.get('access-control-allow-origin'), ORIGIN, url);
      assert.match(response.headers.get('access-control-allow-headers'), /\bdpop\b/i, url);
      assert.match(response.headers.get('access-control-allow-methods'), /\bPOST\b/, url);
    }
  });

  test('a non-PAR authorization request for the PAR client is refused', async () => {
    const { challenge } = pkce();
    const url = new URL(meta.authorization_endpoint);
    url.search = new URLSearchParams({ client_id: PAR_CLIENT_ID, ...authorizationParams(challenge) });
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location'));
    assert.equal(location.origin + location.pathname, REDIRECT_URI);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description'), /Pushed Authorization Request must be used/);
    assert.equal(location.searchParams.get('code'), null);
  });

  test('login: PAR push (nonce demanded), authorize with request_uri, code redeemed with DPoP (nonce demanded)', async () => {
    const { verifier, challenge } = pkce();
    asNonce = undefined;
    const pushed = await postWithProof(meta.pushed_authorization_request_endpoint,
      { client_id: PAR_CLIENT_ID, ...authorizationParams(challenge) }, { headers: { origin: ORIGIN } });
    // oidc-provider checks (and demands a nonce in) a DPoP proof sent with a PAR request.
    assert.equal(pushed.challenged?.response.status, 400);
    assert.ok(pushed.challenged.response.headers.get('dpop-nonce'));
    assert.equal(pushed.response.status, 201, JSON.stringify(pushed.json));
    assert.equal(pushed.response.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(pushed.json.request_uri, /^urn:ietf:params:oauth:request_uri:/);

    const code = await authorize({ client_id: PAR_CLIENT_ID, request_uri: pushed.json.request_uri });

    const redeemed = await postWithProof(meta.token_endpoint, {
      grant_type: 'authorization_code', client_id: PAR_CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier,
    }, { headers: { origin: ORIGIN } });
    // The nonce from the PAR endpoint is good at the token endpoint too (one secret): no new challenge.
    assert.equal(redeemed.challenged, null);
    assert.equal(redeemed.response.status, 200, JSON.stringify(redeemed.json));
    tokens = redeemed.json;
    assert.equal(tokens.token_type, 'DPoP');
    assert.equal(tokens.expires_in, 120);
    // oidc-provider answers the access token's scope: the resource server's part of SCOPE.
    assert.equal(tokens.scope, RESOURCE_SCOPE);
    assert.ok(tokens.refresh_token);
    assert.ok(tokens.id_token);
  });

  test('the token endpoint demands a nonce, and script may read DPoP-Nonce, WWW-Authenticate and Date', async () => {
    const url = meta.token_endpoint;
    const dpop = await proof(key, { htm: 'POST', htu: url });
    const response = await fetch(url, {
      method: 'POST',
      headers: { origin: ORIGIN, dpop },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: PAR_CLIENT_ID, refresh_token: 'not-checked-before-the-nonce' }),
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error, 'use_dpop_nonce');
    assert.ok(response.headers.get('dpop-nonce'));
    assert.equal(response.headers.get('access-control-allow-origin'), ORIGIN);
    const exposed = exposedHeaders(response);
    for (const name of ['dpop-nonce', 'www-authenticate', 'date']) assert.ok(exposed.includes(name), `${name} in ${exposed}`);
  });

  test('introspection shows the DPoP binding and the audience', async () => {
    const info = await introspect(tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.token_type, 'DPoP');
    assert.equal(info.cnf.jkt, key.jkt);
    assert.equal(info.aud, api.resource);
    assert.equal(info.scope, RESOURCE_SCOPE);
    assert.equal(info.client_id, PAR_CLIENT_ID);
  });

  test('the API: 200 with the token\'s key after one use_dpop_nonce, then the nonce is reused', async () => {
    const url = `${api.origin}/api/hello`;
    const first = await callApi(url, tokens.access_token, { key });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.attempts, 2);
    assert.equal(first.body.sub, 'test-user');
    const [challenged, served] = api.requests.slice(-2);
    assert.equal(challenged.outcome, 'use_dpop_nonce');
    assert.equal(served.outcome, 'ok');
    assert.equal(served.proof.claims.nonce, api.nonce());
    assert.equal(served.proof.claims.htu, url);

    const echo = await callApi(`${api.origin}/api/echo?x=1`, tokens.access_token, { key, method: 'POST', body: { hi: 1 }, nonce: api.nonce() });
    assert.equal(echo.status, 200);
    assert.equal(echo.attempts, 1);
    assert.deepEqual(echo.body, { sub: 'test-user', method: 'POST', body: { hi: 1 } });
  });

  test('the API refuses: no token, another key, the Bearer scheme, a replayed proof, a stale nonce', async () => {
    const url = `${api.origin}/api/hello`;
    const none = await fetch(url);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'DPoP algs="ES256", Bearer');

    const thief = await callApi(url, tokens.access_token, { key: await newDpopKey() });
    assert.equal(thief.status, 401);
    assert.match(thief.wwwAuthenticate, /^DPoP error="invalid_dpop_proof"/);

    const bearer = await callApi(url, tokens.access_token, { scheme: 'Bearer' });
    assert.equal(bearer.status, 401);
    assert.match(bearer.wwwAuthenticate, /^Bearer error="invalid_token"/);

    const dpop = await proof(key, { htm: 'GET', htu: url, token: tokens.access_token, nonce: api.nonce() });
    const send = () => fetch(url, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop } });
    assert.equal((await send()).status, 200);
    const replayed = await send();
    assert.equal(replayed.status, 401);
    assert.match(replayed.headers.get('www-authenticate'), /error="invalid_dpop_proof".*jti/);

    const old = api.nonce();
    api.rotateNonce();
    const stale = await callApi(url, tokens.access_token, { key, nonce: old });
    assert.equal(stale.status, 200);
    assert.equal(stale.attempts, 2);
  });

  test('the API: CORS only for the allowed origin, preflight allows Authorization and DPoP', async () => {
    const url = `${api.origin}/api/echo`;
    const ok = await fetch(url, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,dpop,content-type' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(ok.headers.get('access-control-allow-headers'), /Authorization, DPoP, Content-Type/);
    const answer = await fetch(url, { method: 'POST', headers: { origin: ORIGIN } });
    assert.equal(answer.status, 401);
    for (const name of ['www-authenticate', 'dpop-nonce']) assert.ok(exposedHeaders(answer).includes(name));
    const other = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:2', 'access-control-request-method': 'POST' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('refresh with DPoP keeps the audience with or without `resource`; the refresh token is bound to the key', async () => {
    const refresh = (refreshToken, extra = {}, options) => postWithProof(meta.token_endpoint,
      { grant_type: 'refresh_token', client_id: PAR_CLIENT_ID, refresh_token: refreshToken, ...extra }, options);

    const stolen = await refresh(tokens.refresh_token, {}, { proofKey: await newDpopKey() });
    assert.equal(stolen.response.status, 400);
    assert.equal(stolen.json.error, 'invalid_grant');

    const plain = await refresh(tokens.refresh_token);
    assert.equal(plain.response.status, 200, JSON.stringify(plain.json));
    assert.equal(plain.json.token_type, 'DPoP');
    assert.equal((await introspect(plain.json.access_token)).aud, api.resource);

    const explicit = await refresh(plain.json.refresh_token, { resource: api.resource });
    assert.equal(explicit.response.status, 200, JSON.stringify(explicit.json));
    assert.equal((await introspect(explicit.json.access_token)).aud, api.resource);
    tokens = explicit.json;
    assert.equal((await callApi(`${api.origin}/api/hello`, tokens.access_token, { key })).status, 200);
  });

  test('revocation checks no DPoP proof (no nonce demanded); a revoked token is invalid_token at the API', async () => {
    const dpop = await proof(key, { htm: 'POST', htu: meta.revocation_endpoint });
    const response = await fetch(meta.revocation_endpoint, {
      method: 'POST',
      headers: { origin: ORIGIN, dpop },
      body: new URLSearchParams({ client_id: PAR_CLIENT_ID, token: tokens.access_token, token_type_hint: 'access_token' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), ORIGIN);
    assert.ok(exposedHeaders(response).includes('date'));
    const after = await callApi(`${api.origin}/api/hello`, tokens.access_token, { key, nonce: api.nonce() });
    assert.equal(after.status, 401);
    assert.match(after.wwwAuthenticate, /^DPoP error="invalid_token"/);
  });

  test('a login without PAR or DPoP (the first client) gets a Bearer token the API accepts as Bearer only', async () => {
    const { verifier, challenge } = pkce();
    const code = await authorize({ client_id: CLIENT_ID, ...authorizationParams(challenge) });
    const response = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: { origin: ORIGIN },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT_ID, code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
    });
    const bearer = await response.json();
    assert.equal(bearer.token_type, 'Bearer');
    const url = `${api.origin}/api/hello`;
    const accepted = await callApi(url, bearer.access_token, { scheme: 'Bearer' });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.sub, 'test-user');
    const asDpop = await callApi(url, bearer.access_token, { key, nonce: api.nonce() });
    assert.equal(asDpop.status, 401);
    assert.match(asDpop.wwwAuthenticate, /^DPoP error="invalid_token"/);
  });

  test('requests and grants are recorded: the PAR push and introspections with their bodies', () => {
    const pushes = auth.requests.filter((r) => r.path === '/request' && r.method === 'POST');
    assert.ok(pushes.length >= 2);
    assert.equal(pushes.at(-1).body.get('client_id'), PAR_CLIENT_ID);
    const introspections = auth.requests.filter((r) => r.path === '/token/introspection');
    assert.ok(introspections.length > 0);
    assert.ok(introspections.every((r) => r.body.get('token')));
    assert.ok(auth.grants.some((g) => g.grantType === 'authorization_code' && g.ok));
  });

  /** Follows the authorize URL's redirects by hand, with the provider's cookies, to the code. */
  async function authorize(params) {
    const jar = new Map();
    let url = new URL(meta.authorization_endpoint);
    url.search = new URLSearchParams(params);
    for (let hop = 0; hop < 10; hop += 1) {
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair.indexOf('=');
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
      const location = response.headers.get('location');
      assert.ok(location, `hop ${hop}: ${response.status} without Location`);
      url = new URL(location, url);
      if (url.href.startsWith(REDIRECT_URI)) {
        assert.equal(url.searchParams.get('error'), null, url.searchParams.get('error_description'));
        assert.equal(url.searchParams.get('iss'), auth.issuer);
        return url.searchParams.get('code');
      }
    }
    throw new Error('too many redirects');
  }

  async function introspect(token) {
    const { id, secret } = auth.introspectionClient;
    const response = await fetch(meta.introspection_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ token }),
    });
    return response.json();
  }

  function authorizationParams(challenge) {
    return {
      response_type: 'code', redirect_uri: REDIRECT_URI, scope: SCOPE, resource: api.resource, prompt: 'consent',
      state: randomBytes(16).toString('base64url'), code_challenge: challenge, code_challenge_method: 'S256',
    };
  }
});

describe('auth server with default options', () => {
  test('advertises no PAR endpoint and no introspection; DPoP and the rest as oidc-provider\'s defaults', async () => {
    const auth = await startAuthServer({ clientOrigins: [ORIGIN] });
    try {
      const meta = await (await fetch(`${auth.issuer}/.well-known/openid-configuration`)).json();
      assert.equal(meta.pushed_authorization_request_endpoint, undefined);
      assert.equal(meta.introspection_endpoint, undefined);
      assert.deepEqual(meta.dpop_signing_alg_values_supported, ['ES256', 'Ed25519', 'EdDSA']);
      assert.equal(auth.introspectionClient, null);
      const push = await fetch(`${auth.issuer}/request`, { method: 'POST', body: new URLSearchParams({ client_id: CLIENT_ID }) });
      assert.equal(push.status, 404);
    } finally {
      await auth.close();
    }
  });
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function exposedHeaders(response) {
  return (response.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
}
