// The DPoP key pair (RFC 9449): ECDSA P-256 made by WebCrypto as not extractable, so no private
// key byte is ever in JS or wasm memory, and signing is WebCrypto's too. Kept in IndexedDB so a
// reload keeps the tokens' binding; where IndexedDB is unavailable, in this tab's memory.
import { sharedKeyPair, sharedSwap } from './shared_store.js';

const inMemory = new Map();

const make = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);

/** This client's key pair under `name`, made once, and whether IndexedDB keeps it:
 * `[pair, kept]`; rejects when WebCrypto cannot make one. */
export function keyPair(name) {
  return sharedKeyPair(name, make).then((pair) => [pair, true], () => {
    if (!inMemory.has(name)) {
      const made = make();
      made.catch(() => inMemory.delete(name));
      inMemory.set(name, made);
    }
    return inMemory.get(name).then((pair) => [pair, false]);
  });
}

/** Drops the key pair under `name` (logout, clear): the next login makes a new one. Resolves
 * once IndexedDB has deleted it (before a navigation could abort that). */
export function forgetKey(name) {
  inMemory.delete(name);
  return sharedSwap(name, true).catch(() => {}); // no IndexedDB: nothing kept there
}

/** The ES256 signature of `input` (JWS's 64 bytes r || s, as WebCrypto gives it). */
export async function sign(pair, input) {
  const data = new TextEncoder().encode(input);
  return new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data));
}
