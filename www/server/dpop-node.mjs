// DPoP (RFC 9449) from Node, for the tests: a key pair, proofs signed with it, and an API call
// that answers a resource server's nonce challenge once, e.g. to replay a token stolen from the
// browser with a key of one's own. Built on jose; nothing here is meant for production.
import { createHash, randomUUID } from 'node:crypto';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

/**
 * A new ES256 key pair: { privateKey, publicKey, jwk (public), jkt (its RFC 7638 thumbprint) }.
 * @returns {Promise<{ privateKey: CryptoKey, publicKey: CryptoKey, jwk: object, jkt: string }>}
 */
export async function newDpopKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, publicKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

/**
 * The `ath` claim for an access token: base64url(SHA-256(token)).
 * @param {string} token
 */
export function ath(token) {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * A DPoP proof: a compact JWS (typ dpop+jwt, the public jwk in its header) with a fresh jti and
 * iat. `ath` is the hash itself (see ath()); pass `token` instead to have it computed.
 * @param {{ privateKey: CryptoKey, jwk: object }} key from newDpopKey()
 * @param {{ htm: string, htu: string, ath?: string, token?: string, nonce?: string, iat?: number, jti?: string }} claims
 * @returns {Promise<string>}
 */
export function proof(key, { htm, htu, ath: hash, token, nonce, iat, jti = randomUUID() }) {
  const payload = { htm, htu, jti };
  if (hash ?? token) payload.ath = hash ?? ath(token);
  if (nonce) payload.nonce = nonce;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .setIssuedAt(iat)
    .sign(key.privateKey);
}

/**
 * Calls a resource server with `Authorization: <scheme> <token>` (and, with `key`, a proof for
 * exactly this request). After a 401 use_dpop_nonce it retries once with the nonce it got.
 * Returns { status, wwwAuthenticate, dpopNonce, body (parsed JSON, or text), attempts }.
 * @param {string} url
 * @param {string} token
 * @param {{ key?: object, scheme?: string, method?: string, body?: unknown, nonce?: string }} [options]
 */
export async function callApi(url, token, { key, scheme = 'DPoP', method = 'GET', body, nonce } = {}) {
  let answer = await send(url, token, { key, scheme, method, body, nonce });
  let attempts = 1;
  if (key && answer.status === 401 && /error="use_dpop_nonce"/.test(answer.wwwAuthenticate ?? '') && answer.dpopNonce) {
    answer = await send(url, token, { key, scheme, method, body, nonce: answer.dpopNonce });
    attempts += 1;
  }
  return { ...answer, attempts };
}

async function send(url, token, { key, scheme, method, body, nonce }) {
  const headers = { authorization: `${scheme} ${token}` };
  if (key) headers.dpop = await proof(key, { htm: method, htu: htuOf(url), token, nonce });
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    dpopNonce: response.headers.get('dpop-nonce'),
    body: parse(text),
  };
}

// RFC 9449 §4.2: the request URI without query and fragment.
function htuOf(url) {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return u.href;
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
