// A small API (resource server) on the loopback interface for the tests: it accepts the access
// tokens of an authorization server, checks DPoP proofs (RFC 9449) with its own nonces, and
// checks each token either by introspection (RFC 7662: auth-server.mjs's opaque tokens) or as a
// JWT signed with a key of the server's JWKS (RFC 9068: Glewlwyd's tokens). Not production code:
// in-memory replay cache, no rate limits. Tokens are never written to stdout.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import { calculateJwkThumbprint, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';

import { close, listen } from './http.mjs';

const IAT_WINDOW = 60; // seconds either side of the server's clock a proof's iat may be
const ALGS = ['ES256'];
const CHALLENGE = `DPoP algs="${ALGS.join(' ')}", Bearer`;
const ROUTES = new Set(['GET /api/hello', 'POST /api/echo']);

/**
 * Starts the resource server on http://127.0.0.1:{port} (0 = any free port).
 *
 * Routes: GET /api/hello, POST /api/echo (JSON body); both answer JSON { sub, method, body }.
 * issuer, introspection ({ id, secret }, client_secret_basic): the authorization server and the
 *   client to introspect with; both may instead be given later with connect() (the server's
 *   origin is then known first, to register it as a resource with the authorization server).
 *   An issuer without `introspection`: its access tokens are JWTs (typ at+jwt, RFC 9068), checked
 *   with the keys at its metadata's jwks_uri (signature, iss, exp/nbf; then aud and cnf as below).
 * allowedOrigins: the only origins CORS lets in (exact match); requests without Origin (Node)
 *   are served too.
 * resource: the audience a token must have (default `${origin}/`).
 *
 * DPoP: the server demands its own nonce (so a first call gets 401 use_dpop_nonce with a
 * DPoP-Nonce header) and accepts only its current one; rotateNonce() starts a new one. A proof's
 * iat may be IAT_WINDOW (60 s) off; each jti is accepted once.
 *
 * Returns { origin, resource, requests, nonce(), rotateNonce(), connect({ issuer, introspection }),
 * close() }. `requests` lists { method, path, origin, scheme, proof (decoded header and claims, or
 * null), status, outcome, description } for every request ('ok', 'preflight', 'use_dpop_nonce',
 * 'invalid_token', 'invalid_dpop_proof', 'no_token', 'forbidden_origin', 'not_found', ...).
 */
export async function startResourceServer({ port = 0, issuer, introspection, allowedOrigins = [], resource } = {}) {
  const server = createServer();
  const origin = await listen(server, port);
  const state = {
    origin,
    resource: resource ?? `${origin}/`,
    allowedOrigins,
    nonce: newNonce(),
    seen: new Map(), // jti -> expiry (epoch seconds)
    auth: null,
  };
  const connect = (config) => { state.auth = config.issuer ? authorizationServer(config) : null; };
  connect({ issuer, introspection });
  const requests = [];

  server.on('request', (req, res) => {
    const record = { method: req.method, path: req.url.split('?')[0], origin: req.headers.origin, scheme: null, proof: null, status: null, outcome: null, description: null };
    requests.push(record);
    handle(state, req, res, record).catch((error) => {
      if (res.headersSent) return res.destroy();
      return answer(res, record, 500, 'server_error', { error: 'server_error' }, { description: error.message });
    });
  });

  return {
    origin,
    resource: state.resource,
    requests,
    nonce: () => state.nonce,
    rotateNonce() { state.nonce = newNonce(); return state.nonce; },
    connect,
    close: () => close(server),
  };
}

async function handle(state, req, res, record) {
  const cors = corsHeaders(state, req);
  if (cors === null) return answer(res, record, 403, 'forbidden_origin', { error: 'origin not allowed' });
  Object.entries(cors).forEach(([name, value]) => res.setHeader(name, value));

  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) return preflight(res, record);
  if (!ROUTES.has(`${req.method} ${record.path}`)) return answer(res, record, 404, 'not_found', { error: 'not found' });
  if (!state.auth) return answer(res, record, 503, 'not_connected', { error: 'no authorization server yet' });

  const body = req.method === 'POST' ? await readJson(req) : null;
  const verdict = await authenticate(state, req, record);
  if (!verdict.ok) return refuse(res, record, verdict, state.nonce);
  if (verdict.scheme === 'DPoP') res.setHeader('DPoP-Nonce', state.nonce);
  return answer(res, record, 200, 'ok', { sub: verdict.sub, method: req.method, body });
}

// --- authentication ---------------------------------------------------------------------------

// Reads the Authorization header and checks the token (and proof) it carries.
async function authenticate(state, req, record) {
  const match = /^(DPoP|Bearer) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.headers.authorization ?? '');
  if (!match) return { ok: false, scheme: null, error: 'no_token' };
  const scheme = match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const token = match[2];
  record.scheme = scheme;
  return scheme === 'DPoP' ? dpopToken(state, req, record, token) : bearerToken(state, token);
}

async function dpopToken(state, req, record, token) {
  const fail = (error, description) => ({ ok: false, scheme: 'DPoP', error, description });
  const checked = await checkProof(state, req, record, token);
  if (checked.error) return fail(checked.error, checked.description);

  const info = await state.auth.introspect(token);
  const problem = tokenProblem(state, info);
  if (problem) return fail('invalid_token', problem);
  if (info.cnf?.jkt === undefined) return fail('invalid_token', 'the token is not DPoP-bound');
  if (info.cnf.jkt !== checked.jkt) return fail('invalid_dpop_proof', 'the proof is not signed with the token\'s key');
  return { ok: true, scheme: 'DPoP', sub: info.sub };
}

async function bearerToken(state, token) {
  const fail = (description) => ({ ok: false, scheme: 'Bearer', error: 'invalid_token', description });
  const info = await state.auth.introspect(token);
  const problem = tokenProblem(state, info);
  if (problem) return fail(problem);
  // RFC 9449 §7.2: a DPoP-bound token must not be accepted as a bearer token.
  if (info.cnf?.jkt !== undefined) return fail('a DPoP-bound token must be sent with the DPoP scheme');
  return { ok: true, scheme: 'Bearer', sub: info.sub };
}

function tokenProblem(state, info) {
  if (!info.active) return 'the token is not active (expired, revoked or unknown)';
  const aud = [info.aud ?? []].flat();
  if (!aud.includes(state.resource)) return 'the token is not meant for this resource server';
  return null;
}

// RFC 9449 §4.3, in order: one well-formed, signed proof; htm, htu, iat; ath; then the nonce,
// and the jti last (so a proof refused for its nonce does not use up the jti).
async function checkProof(state, req, record, token) {
  const fail = (error, description) => ({ error, description });
  const jws = req.headers.dpop;
  if (!jws || jws.includes(',')) return fail('invalid_dpop_proof', 'exactly one DPoP header is required');
  record.proof = decodeProof(jws);

  let header;
  let claims;
  try {
    ({ protectedHeader: header, payload: claims } = await jwtVerify(jws, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ALGS }));
  } catch (error) {
    return fail('invalid_dpop_proof', `the proof does not verify (${error.code ?? 'error'})`);
  }
  const now = Math.floor(Date.now() / 1000);
  if (claims.htm !== req.method) return fail('invalid_dpop_proof', 'htm does not match the request method');
  if (normalUrl(claims.htu) !== normalUrl(`http://${req.headers.host}${req.url}`)) return fail('invalid_dpop_proof', 'htu does not match the request URL');
  if (typeof claims.iat !== 'number' || Math.abs(now - claims.iat) > IAT_WINDOW) return fail('invalid_dpop_proof', 'iat is not within 60 s of the server\'s clock');
  if (typeof claims.jti !== 'string' || !claims.jti) return fail('invalid_dpop_proof', 'jti is missing');
  if (claims.ath !== sha256(token)) return fail('invalid_dpop_proof', 'ath does not match the access token');
  if (claims.nonce !== state.nonce) return fail('use_dpop_nonce', claims.nonce ? 'the nonce is not the current one' : 'the resource server requires a nonce in the DPoP proof');
  if (!firstUse(state.seen, claims.jti, now)) return fail('invalid_dpop_proof', 'the proof\'s jti was used before');
  return { jkt: await calculateJwkThumbprint(header.jwk) };
}

// Replay cache: each jti once while its proof could still be accepted.
function firstUse(seen, jti, now) {
  for (const [id, expiry] of seen) if (expiry < now) seen.delete(id);
  if (seen.has(jti)) return false;
  seen.set(jti, now + 2 * IAT_WINDOW);
  return true;
}

function decodeProof(jws) {
  try {
    return { header: decodeProtectedHeader(jws), claims: decodeJwt(jws) };
  } catch {
    return { header: null, claims: null };
  }
}

// --- the authorization server -------------------------------------------------------------

// Answers introspect(token) with an RFC 7662 answer: asked of the server, or read from the JWT.
function authorizationServer({ issuer, introspection }) {
  return introspection ? introspecting(issuer, introspection) : jwtIssuer(issuer);
}

function introspecting(issuer, { id, secret }) {
  let endpoint;
  const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
  return {
    async introspect(token) {
      endpoint ??= discover(issuer, 'introspection_endpoint');
      const response = await fetch(await endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      });
      if (!response.ok) throw new Error(`introspection answered ${response.status}`);
      return response.json();
    },
  };
}

// A JWT access token is active when it verifies; its claims are the introspection answer.
function jwtIssuer(issuer) {
  let keys;
  return {
    async introspect(token) {
      keys ??= discover(issuer, 'jwks_uri').then((uri) => createRemoteJWKSet(new URL(uri)));
      try {
        const { payload } = await jwtVerify(token, await keys, { issuer, typ: 'at+jwt' });
        return { ...payload, active: true };
      } catch {
        return { active: false };
      }
    },
  };
}

async function discover(issuer, field) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const { [field]: endpoint } = await response.json();
  if (!endpoint) throw new Error(`the authorization server's metadata has no ${field}`);
  return endpoint;
}

// --- HTTP ---------------------------------------------------------------------------------

// The CORS headers for this request: {} without Origin, null for an origin not allowed.
function corsHeaders(state, req) {
  const { origin } = req.headers;
  if (origin === undefined) return {};
  if (!state.allowedOrigins.includes(origin)) return null;
  return {
    'Access-Control-Allow-Origin': origin,
    Vary: 'Origin',
    'Access-Control-Expose-Headers': 'WWW-Authenticate, DPoP-Nonce, Date',
  };
}

function preflight(res, record) {
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, DPoP, Content-Type');
  res.setHeader('Access-Control-Max-Age', '600');
  record.status = 204;
  record.outcome = 'preflight';
  res.writeHead(204).end();
}

// 401 with the challenge: the scheme's error, or both schemes when no token came.
function refuse(res, record, { scheme, error, description }, nonce) {
  const challenge = error === 'no_token' ? CHALLENGE : `${scheme} error="${error}", error_description="${quoteSafe(description)}"`;
  res.setHeader('WWW-Authenticate', challenge);
  if (scheme !== 'Bearer') res.setHeader('DPoP-Nonce', nonce);
  return answer(res, record, 401, error, { error, error_description: description }, { description });
}

function answer(res, record, status, outcome, json, { description = null } = {}) {
  Object.assign(record, { status, outcome, description: description ?? record.description });
  const text = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(text);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// --- small helpers ------------------------------------------------------------------------

// Scheme and host lower-case, default port dropped, no query or fragment (RFC 9449 §4.3).
function normalUrl(value) {
  const url = URL.parse(value);
  if (!url) return null;
  url.search = '';
  url.hash = '';
  return url.href;
}

function sha256(value) {
  return createHash('sha256').update(value).digest('base64url');
}

function newNonce() {
  return randomBytes(16).toString('base64url');
}

// An error_description is a quoted-string: no quotes or backslashes inside.
function quoteSafe(text) {
  return text.replace(/["\\]/g, "'");
}
