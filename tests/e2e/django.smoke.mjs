// Smoke check of the django-oauth-toolkit authorization server (www/server/django-auth-server.mjs)
// with plain Node fetch: no browser, no pkce-wasm. Run: node tests/e2e/django.smoke.mjs
// (after scripts/setup.sh www). One line per step; exits non-zero at the first failure.
// Not part of the test glob (*.test.mjs).
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';

import { CLIENT_ID, startDjangoAuthServer, TEST_ACCOUNT } from '../../www/server/django-auth-server.mjs';

const ORIGIN = 'http://127.0.0.1:8401';       // an example's origin: configured
const OTHER_ORIGIN = 'http://127.0.0.1:8409'; // not configured
const REDIRECT_URI = `${ORIGIN}/`;

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const decodeJwt = (jwt) => jwt.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url')));

let failed = false;
async function step(name, fn) {
  const started = performance.now();
  try {
    const note = await fn();
    console.log(`ok   ${name} (${Math.round(performance.now() - started)} ms)${note ? `: ${note}` : ''}`);
  } catch (error) {
    console.log(`FAIL ${name}: ${error.message}`);
    failed = true;
    throw error;
  }
}

/** A browser, as far as an authorization server can tell: cookies for its origin, redirects by hand. */
class Browser {
  cookies = new Map();

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, value] = pair.split(/=(.*)/s);
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '' || value === '""';
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return res;
  }

  /** Follows redirects while they stay on the server; returns the first Location that leaves it. */
  async navigate(url, serverOrigin, hops = []) {
    for (let i = 0; i < 10; i++) {
      const res = await this.fetch(url);
      await res.arrayBuffer();
      if (res.status < 300 || res.status > 399) {
        throw new Error(`${url} answered ${res.status}, not a redirect (after ${hops.join(' -> ') || 'no hops'})`);
      }
      const next = new URL(res.headers.get('location'), url);
      hops.push(`${res.status} ${next.origin === serverOrigin ? next.pathname : next.origin + next.pathname}`);
      if (next.origin !== serverOrigin) return next;
      url = next.href;
    }
    throw new Error(`more than 10 redirects: ${hops.join(' -> ')}`);
  }
}

function pkce() {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()) };
}

function authorizeUrl(meta, { challenge, method = 'S256', state, nonce, prompt }) {
  const url = new URL(meta.authorization_endpoint);
  const params = {
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI,
    scope: 'openid offline_access', state, nonce, code_challenge: challenge, code_challenge_method: method, prompt,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

async function postForm(url, fields, origin = ORIGIN) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { res, json, text };
}

async function login(browser, meta, serverOrigin, { prompt } = {}) {
  const { verifier, challenge } = pkce();
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const hops = [];
  const back = await browser.navigate(authorizeUrl(meta, { challenge, state, nonce, prompt }), serverOrigin, hops);
  assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI, `redirected to ${back.href}`);
  assert.equal(back.searchParams.get('error'), null, `error ${back.searchParams.get('error')}: ${back.searchParams.get('error_description')}`);
  assert.equal(back.searchParams.get('state'), state);
  const code = back.searchParams.get('code');
  assert.ok(code, 'no code');
  return { code, verifier, nonce, iss: back.searchParams.get('iss'), hops, params: [...back.searchParams.keys()] };
}

async function redeem(meta, { code, verifier }) {
  return postForm(meta.token_endpoint, {
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, code_verifier: verifier,
  });
}

const refresh = (meta, refreshToken, origin) =>
  postForm(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID }, origin);

function assertRefused(result, what) {
  assert.equal(result.res.status, 400, `${what}: status ${result.res.status} ${result.text}`);
  assert.equal(result.json?.error, 'invalid_grant', `${what}: ${result.text}`);
}

async function main() {
  const started = performance.now();
  const server = await startDjangoAuthServer({ clientOrigins: [ORIGIN] });
  const { issuer, requests } = server;
  const serverOrigin = new URL(issuer).origin;
  console.log(`     started ${issuer} in ${Math.round(performance.now() - started)} ms`);
  const browser = new Browser();
  let meta, jwks, first, tokens, idToken;

  try {
    await step('discovery at {issuer}/.well-known/openid-configuration', async () => {
      const res = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { origin: ORIGIN } });
      assert.equal(res.status, 200);
      meta = await res.json();
      assert.equal(meta.issuer, issuer, 'metadata issuer differs from the discovery URL');
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.equal(meta.authorization_response_iss_parameter_supported, true);
      assert.ok(meta.end_session_endpoint, 'no end_session_endpoint');
      const rfc8414 = await fetch(`${serverOrigin}/.well-known/oauth-authorization-server/o`);
      await rfc8414.arrayBuffer();
      return `issuer exact; S256 only; iss parameter advertised; end_session_endpoint ${meta.end_session_endpoint}; ` +
        `revocation_endpoint ${meta.revocation_endpoint ?? 'NOT advertised'}; RFC 8414 location answers ${rfc8414.status}`;
    });

    await step('RFC 8414 document under the issuer ({issuer}/.well-known/oauth-authorization-server)', async () => {
      const res = await fetch(`${issuer}/.well-known/oauth-authorization-server`);
      const doc = await res.json();
      assert.equal(doc.issuer, issuer);
      meta.revocation_endpoint ??= doc.revocation_endpoint;
      assert.ok(meta.revocation_endpoint, 'no revocation_endpoint anywhere');
      return `revocation_endpoint ${doc.revocation_endpoint}; end_session_endpoint ${doc.end_session_endpoint ?? 'absent'}`;
    });

    await step('JWKS', async () => {
      const res = await fetch(meta.jwks_uri, { headers: { origin: ORIGIN } });
      jwks = await res.json();
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      assert.equal(jwks.keys.length, 1);
      return `one ${jwks.keys[0].kty} key, alg ${jwks.keys[0].alg}, kid ${jwks.keys[0].kid.slice(0, 8)}…`;
    });

    await step('authorize (PKCE S256, state, nonce, scope "openid offline_access") -> code at the redirect URI', async () => {
      first = await login(browser, meta, serverOrigin);
      assert.equal(first.iss, issuer, 'RFC 9207 iss');
      return `${first.hops.join(' -> ')}; response parameters ${first.params.join(', ')}; iss = issuer`;
    });

    await step('token request (public client, form POST, no credentials, Origin of the example)', async () => {
      const { res, json, text } = await redeem(meta, first);
      assert.equal(res.status, 200, text);
      assert.match(res.headers.get('content-type'), /^application\/json\b/);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      for (const key of ['access_token', 'refresh_token', 'id_token', 'expires_in', 'token_type', 'scope']) {
        assert.ok(key in json, `no ${key}`);
      }
      tokens = json;
      idToken = json.id_token;
      return `Content-Type ${res.headers.get('content-type')}; ACAO ${res.headers.get('access-control-allow-origin')}; ` +
        `token_type "${json.token_type}"; scope "${json.scope}"; expires_in ${json.expires_in}; ` +
        `Cache-Control ${res.headers.get('cache-control')}; keys ${Object.keys(json).join(', ')}`;
    });

    await step('ID token claims and RS256 signature', async () => {
      const [header, claims] = decodeJwt(idToken);
      const now = Math.floor(Date.now() / 1000);
      assert.equal(header.alg, 'RS256');
      assert.equal(claims.iss, issuer);
      assert.ok(claims.aud === CLIENT_ID || (Array.isArray(claims.aud) && claims.aud.includes(CLIENT_ID)), `aud ${claims.aud}`);
      assert.ok(claims.exp > now, 'exp');
      assert.ok(claims.iat <= now + 5, 'iat');
      assert.equal(claims.nonce, first.nonce);
      assert.equal(claims.sub, TEST_ACCOUNT);
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      assert.ok(jwk, 'kid not in the JWKS');
      const [h, p, s] = idToken.split('.');
      assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url')),
        'signature');
      return `iss, aud "${claims.aud}", exp (+${claims.exp - claims.iat} s), iat, nonce, sub "${claims.sub}" as expected; ` +
        `claims ${Object.keys(claims).join(', ')}; header kid ${header.kid.slice(0, 8)}…, typ ${header.typ}`;
    });

    await step('userinfo with the access token', async () => {
      const res = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}`, origin: ORIGIN } });
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      return `${text} (${res.headers.get('content-type')})`;
    });

    let rotated;
    await step('refresh -> a new refresh token', async () => {
      const { res, json, text } = await refresh(meta, tokens.refresh_token);
      assert.equal(res.status, 200, text);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      assert.ok(json.refresh_token && json.refresh_token !== tokens.refresh_token, 'refresh token not rotated');
      assert.notEqual(json.access_token, tokens.access_token);
      rotated = json;
      if (json.id_token) idToken = json.id_token;
      const claims = json.id_token && decodeJwt(json.id_token)[1];
      return `rotated; new ID token: ${json.id_token ? `yes (nonce ${claims.nonce ? 'repeated' : 'absent'}, sub ${claims.sub})` : 'no'}; ` +
        `scope "${json.scope}"`;
    });

    await step('the old refresh token is refused', async () => {
      assertRefused(await refresh(meta, tokens.refresh_token), 'old refresh token');
      return 'invalid_grant';
    });

    await step('reuse protection: the replay also revoked the new refresh token', async () => {
      const result = await refresh(meta, rotated.refresh_token);
      assertRefused(result, 'new refresh token after the replay');
      return `invalid_grant (${result.json.error_description ?? 'no description'})`;
    });

    let second;
    await step('second login, with prompt=consent as the examples send it', async () => {
      const login2 = await login(browser, meta, serverOrigin, { prompt: 'consent' });
      const { res, json, text } = await redeem(meta, login2);
      assert.equal(res.status, 200, text);
      second = json;
      idToken = json.id_token;
      return `${login2.hops.join(' -> ')} (session cookie reused; prompt=consent shows no page)`;
    });

    await step('revocation of a refresh token (RFC 7009, public client)', async () => {
      const { res, text } = await postForm(meta.revocation_endpoint, {
        token: second.refresh_token, token_type_hint: 'refresh_token', client_id: CLIENT_ID,
      });
      assert.equal(res.status, 200, text);
      assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
      return `200, body ${JSON.stringify(text)}, ACAO ${res.headers.get('access-control-allow-origin')}`;
    });

    await step('refresh with the revoked refresh token is refused', async () => {
      assertRefused(await refresh(meta, second.refresh_token), 'revoked refresh token');
      return 'invalid_grant';
    });

    await step('RP-initiated logout with id_token_hint + post_logout_redirect_uri -> back at the origin', async () => {
      const url = new URL(meta.end_session_endpoint);
      url.searchParams.set('id_token_hint', idToken);
      url.searchParams.set('post_logout_redirect_uri', REDIRECT_URI);
      url.searchParams.set('state', 'bye');
      const hops = [];
      const back = await browser.navigate(url.href, serverOrigin, hops);
      assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
      assert.equal(back.searchParams.get('state'), 'bye');
      return `${hops.join(' -> ')}; ${back.href}`;
    });

    await step('the session is gone: prompt=none -> login_required', async () => {
      const { challenge } = pkce();
      const back = await browser.navigate(authorizeUrl(meta, { challenge, state: 's', nonce: 'n', prompt: 'none' }), serverOrigin);
      assert.equal(back.searchParams.get('error'), 'login_required', back.href);
      return `error=login_required (iss ${back.searchParams.has('iss') ? 'present' : 'absent'})`;
    });

    await step('PKCE is required and S256 only', async () => {
      const out = [];
      for (const [label, challenge, method] of [['no code_challenge', undefined, undefined], ['plain', 'x'.repeat(43), 'plain']]) {
        const back = await browser.navigate(authorizeUrl(meta, { challenge, method, state: 's', nonce: 'n' }), serverOrigin);
        assert.equal(back.searchParams.get('error'), 'invalid_request', `${label}: ${back.href}`);
        assert.equal(back.searchParams.get('code'), null);
        out.push(`${label} -> invalid_request (iss ${back.searchParams.has('iss') ? 'present' : 'absent'})`);
      }
      const good = await login(browser, meta, serverOrigin);
      const wrong = await redeem(meta, { code: good.code, verifier: pkce().verifier });
      assertRefused(wrong, 'wrong code_verifier');
      out.push('wrong code_verifier -> invalid_grant');
      return out.join('; ');
    });

    await step('redirect URIs are exact: another loopback port is refused (authorize and logout)', async () => {
      const url = new URL(authorizeUrl(meta, { challenge: pkce().challenge, state: 's', nonce: 'n' }));
      url.searchParams.set('redirect_uri', `${OTHER_ORIGIN}/`);
      const res = await browser.fetch(url.href);
      await res.arrayBuffer();
      assert.equal(res.status, 400, `authorize: ${res.status} ${res.headers.get('location')}`);
      const logout = new URL(meta.end_session_endpoint);
      logout.searchParams.set('client_id', CLIENT_ID);
      logout.searchParams.set('post_logout_redirect_uri', `${OTHER_ORIGIN}/`);
      const out = await browser.fetch(logout.href);
      const page = await out.text();
      assert.equal(out.status, 400, `logout: ${out.status} ${out.headers.get('location')}`);
      assert.match(page, /does not have this redirect uri registered/);
      return 'both 400, an error page, no redirect (stock DOT accepts any port of an http://127.0.0.1 URI, RFC 8252 §7.3)';
    });

    await step('an origin not configured gets no CORS header', async () => {
      const good = await login(browser, meta, serverOrigin);
      const token = await postForm(meta.token_endpoint, {
        grant_type: 'authorization_code', code: good.code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, code_verifier: good.verifier,
      }, OTHER_ORIGIN);
      assert.equal(token.res.status, 200, 'the request itself is served (CORS is the browser\'s check)');
      assert.equal(token.res.headers.get('access-control-allow-origin'), null, 'token endpoint');
      for (const url of [`${issuer}/.well-known/openid-configuration`, meta.jwks_uri]) {
        const res = await fetch(url, { headers: { origin: OTHER_ORIGIN } });
        await res.arrayBuffer();
        assert.equal(res.headers.get('access-control-allow-origin'), null, url);
      }
      const preflight = await fetch(meta.token_endpoint, {
        method: 'OPTIONS', headers: { origin: OTHER_ORIGIN, 'access-control-request-method': 'POST' },
      });
      await preflight.arrayBuffer();
      assert.equal(preflight.headers.get('access-control-allow-origin'), null, 'preflight');
      return 'token (the code is still redeemed: 200), discovery, JWKS and a preflight: no Access-Control-Allow-Origin';
    });

    await step('the server\'s request record', async () => {
      const tokenPosts = requests.filter((r) => r.method === 'POST' && r.path === new URL(meta.token_endpoint).pathname);
      assert.ok(tokenPosts.length >= 6, `${tokenPosts.length} token requests recorded`);
      const firstPost = new URLSearchParams(tokenPosts[0].body);
      assert.equal(firstPost.get('grant_type'), 'authorization_code');
      assert.equal(firstPost.get('code'), first.code);
      assert.equal(tokenPosts[0].origin, ORIGIN);
      const preflights = requests.filter((r) => r.method === 'OPTIONS');
      assert.equal(preflights.length, 1, 'only the one preflight sent above');
      return `${requests.length} requests, ${tokenPosts.length} token POSTs with their bodies, ` +
        `${preflights.length} OPTIONS; e.g. ${JSON.stringify({ ...tokenPosts[0], body: `${tokenPosts[0].body.slice(0, 40)}…` })}`;
    });
  } finally {
    await server.close();
  }

  await step('DOT default without the RFC 9207 gate: no iss, not advertised', async () => {
    const plain = await startDjangoAuthServer({ clientOrigins: [ORIGIN], issParameter: false });
    try {
      const doc = await (await fetch(`${plain.issuer}/.well-known/openid-configuration`)).json();
      assert.equal(doc.authorization_response_iss_parameter_supported, undefined);
      const got = await login(new Browser(), doc, new URL(plain.issuer).origin);
      assert.equal(got.iss, null);
      return `response parameters ${got.params.join(', ')}`;
    } finally {
      await plain.close();
    }
  });

  await step('rfc8414Root: the RFC 8414 document where pkce-wasm looks first', async () => {
    const root = await startDjangoAuthServer({ clientOrigins: [ORIGIN], rfc8414Root: true });
    try {
      const res = await fetch(`${new URL(root.issuer).origin}/.well-known/oauth-authorization-server/o`);
      const doc = await res.json();
      assert.equal(doc.issuer, root.issuer);
      return `issuer exact; keys ${Object.keys(doc).join(', ')}`;
    } finally {
      await root.close();
    }
  });
  console.log(`smoke: all steps passed in ${Math.round(performance.now() - started)} ms`);
}

main().catch((error) => {
  if (!failed) console.log(`FAIL ${error.stack}`);
  process.exitCode = 1;
});
