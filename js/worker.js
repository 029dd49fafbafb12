// tokenStorage "worker", the worker's side: the entry of pkg/pkce_wasm_worker.js, a dedicated
// module worker that the page's client starts (js/worker_link.js). It runs its own Core over the
// wasm module the page compiled, with the page client's config (Op.Settings: a "memory" holder, here in
// the worker's memory), sends the code exchange, every refresh and every revocation, and answers
// with records the wasm stripped of the refresh token (Op.Public, Op.Redeemed): the refresh
// token never leaves this worker but towards the token and revocation endpoints. As in the
// page's driver, every check and decision is the wasm's; this file waits and carries values.
import init, { Core, Op } from './glue.js';
import { OAuthError } from './oauth_error.js';
import { exchange } from './exchange.js';

let core;
let pair; // with dpop: the page's key pair (a non-extractable CryptoKeyPair, cloned)
let refreshing; // the one refresh in flight

// The page client's config and the wasm module it compiled (instantiated here, in this worker's own memory).
async function start(settings, module) {
  await init({ module_or_path: module });
  core = new Core(JSON.parse(settings));
}

// What the page may ask once started ("start" is not among them).
const ops = {
  // A callback the page checked: its token request, sent with the login's key.
  async redeem(request, key) {
    await useKey(key);
    return core.call(Op.Redeemed, await exchange(core, request, currentPair), request.nonce);
  },

  // The held refresh token's refresh: { write, record, error } for the page's holder.
  refresh() {
    refreshing ??= refreshHeld().finally(() => (refreshing = undefined));
    return refreshing;
  },

  async revoke(token, hint) {
    core.call(Op.Revoked, await exchange(core, core.call(Op.RevokeRequest, token, hint), currentPair));
  },

  // Empties the holder first (a refresh in flight cannot store its result), then revokes.
  async logout() {
    const { revocation } = core.call(Op.SignOut, undefined, core.call(Op.Held));
    core.call(Op.Clear);
    if (revocation) await exchange(core, revocation, currentPair).catch(() => {});
    await useKey();
  },

  clear() {
    core.call(Op.Clear);
    return useKey();
  },
};

async function refreshHeld() {
  const start = core.call(Op.Held);
  const token = core.call(Op.RefreshTokenOf, start);
  const request = core.call(Op.RefreshRequest, token);
  const { error, write, record } = core.call(Op.Refreshed, start, token, await exchange(core, request, currentPair));
  const stored = write && core.call(Op.Replace, start ?? null, record);
  return { write: stored, record: core.call(Op.Public, record), error: error && fields(error) };
}

// The key pair token and revocation requests are proven with (js/exchange.js).
const currentPair = () => pair;

// Signs with `key` from now on (none: forgets it).
async function useKey(key) {
  pair = key;
  if (!key) return core.call(Op.SetKey);
  const { x, y } = await crypto.subtle.exportKey('jwk', key.publicKey);
  core.call(Op.SetKey, x, y);
}

// An error as plain fields for the page, which rebuilds it; anything but an OAuthError is none.
const fields = (e) => (e instanceof OAuthError ? { ...e, message: e.message } : {});

// The first message is the link's start: [settings, module]. Every later one is a question
// [id, op, a, b] (one of `ops`: never a second start, so page script that reaches this Worker
// cannot replace its Core and wipe the session), answered [id, value] or [id, undefined, error
// fields] once the start is done.
let started;
onmessage = ({ data }) => {
  if (!started) {
    started = start(...data);
    return started.catch(() => {}); // a failed start fails every question instead
  }
  const [id, op, a, b] = data;
  started.then(() => ops[op](a, b)).then(
    (value) => postMessage([id, value]),
    (error) => postMessage([id, undefined, fields(error)]),
  );
};
