// pkce-wasm's JS driver: the PkceClient class the package exports, around the wasm core
// (src/api/). It waits for what the wasm asks for (fetch, IndexedDB, Web Locks, WebCrypto) and
// hands back what came in; every check, every error and every protocol decision is the wasm's.
// The build (scripts/build-pkg.sh) bundles it with wasm-bindgen's glue into pkg/pkce_wasm.js.
import glueInit, { initSync, Core, Op } from './glue.js';
import { generateCodeVerifier, codeChallengeS256 } from './glue.js';
import { sharedGet, sharedSwap, sharedClaim, sharedSweep, sharedOpen } from './shared_store.js';
import { send } from './send.js';
import { keyPair, forgetKey } from './dpop_key.js';
import { exchange, prove } from './exchange.js';
import { workerLink } from './worker_link.js';

export { OAuthError } from './oauth_error.js';
export { initSync, generateCodeVerifier, codeChallengeS256 };

// In a window, the .wasm next to this module is fetched and compiled (streaming) from the moment
// the module is evaluated, alongside whatever the page does before init(), which then only
// instantiates it. Where that fails (a server that does not send application/wasm, say), init()
// gets a second fetch's response and wasm-bindgen's glue falls back as it always did. Elsewhere
// (a worker, Node), and when init() is given a module or path, nothing changes.
const wasmUrl = new URL('pkce_wasm_bg.wasm', import.meta.url);
const early = typeof window == 'object' && globalThis.WebAssembly?.compileStreaming?.(fetch(wasmUrl)).catch(() => fetch(wasmUrl));
early?.catch?.(() => {}); // offline: init() reports it, not an unhandled rejection

/** Instantiates the wasm: the one compiled since this module loaded, or `input`'s (see pkce_wasm.d.ts). */
export default function init(input) {
  return glueInit(input ?? (early ? { module_or_path: early } : undefined));
}
/** 32 random bytes, base64url: the same function as generateCodeVerifier. */
export const generateState = generateCodeVerifier;

// Each client's link to its worker (tokenStorage "worker"), where page script holding the client
// cannot reach it, nor the Worker behind it, to post questions of its own.
const links = new WeakMap();

// Releases what a client the app dropped without free() still had open (see channel()).
const collected = new FinalizationRegistry((release) => release());

// The one redemption of each callback in this page, by client and URL: a second
// handleCallback() for it (React StrictMode's second effect, another instance of the same
// client) gets the first one's promise, not state_unknown or not_a_callback.
const callbacks = new Map();

/** An OAuth 2.0 public client for one authorization server (see pkce_wasm.d.ts). */
export class PkceClient {
  constructor(config) {
    this.start(new Core(config));
  }

  static async discover(issuer, config) {
    const core = Core.discovering(issuer, config);
    for (let request; (request = core.call(Op.DiscoveryRequest)); ) core.call(Op.DiscoveryRead, await send(request));
    const client = Object.create(PkceClient.prototype);
    client.start(core);
    await client.keyReady();
    return client;
  }

  // A client around `core` (a validated config, or one that awaits its metadata).
  start(core) {
    this.core = core;
    this.refreshing = undefined; // the one refresh in flight, shared by every getAccessToken()
    this.key = undefined; // with dpop: the key pair, once asked for (a promise)
    this.listeners = new Set(); // subscribe()'s
    this.tabs = undefined; // the BroadcastChannel to this client's other tabs
    links.set(this, workerLink(core)); // tokenStorage "worker": the worker holding the refresh token
    this.channel();
    // A callback page opens IndexedDB now, for handleCallback()'s claim (opening it only then
    // costs a fresh page ~8 ms on the way to the token request).
    if (typeof window == 'object' && this.isCallback()) sharedOpen();
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  authorizeUrl(options) {
    return this.core.call(Op.AuthorizeUrl, options);
  }

  async login(options) {
    await this.keyReady();
    let next = this.core.call(Op.Login, options);
    if (typeof next != 'string') next = this.core.call(Op.Pushed, next[1], await send(next[0]));
    this.core.call(Op.Assign, next);
  }

  // Not async: the window opens now, inside the click that called it (after an await, the
  // browser would block it). The pending login is stored after that, so the popup's copy of
  // this tab's sessionStorage never holds its verifier; the popup only relays its URL.
  loginPopup(options) {
    let popup;
    try {
      this.core.call(Op.Identity); // a freed client opens nothing
      popup = globalThis.open?.('about:blank', '_blank', 'popup,width=500,height=650');
    } catch (error) {
      return Promise.reject(error);
    }
    if (!popup) return Promise.reject(this.core.call(Op.PopupFailed, 'blocked'));
    return this.popupLogin(popup, options).finally(() => popup.close());
  }

  async popupLogin(popup, options) {
    await this.keyReady();
    let [next, state, timeout] = this.core.call(Op.Login, options, true);
    if (typeof next != 'string') next = this.core.call(Op.Pushed, state, await send(next));
    const relay = `pkce-wasm popup ${state}`;
    try {
      try {
        localStorage.setItem(relay, Date.now() + timeout); // tells the popup's page it is one
      } catch {} // no localStorage: the popup relays only to its opener (no COOP fallback)
      popup.location.href = next;
      const url = await relayed(popup, relay, timeout, this.core).catch((error) => {
        this.core.call(Op.Abandon, state); // closed or timed out: its pending login goes too
        throw error;
      });
      return await this.handleCallback(url);
    } finally {
      try {
        localStorage.removeItem(relay);
      } catch {}
    }
  }

  static relayCallback(url) {
    try {
      const href = url ?? location.href;
      const relay = `pkce-wasm popup ${new URL(href).searchParams.get('state')}`;
      if (!localStorage.getItem(relay)) return false;
      localStorage.removeItem(relay); // once
      if (url === undefined) history.replaceState(null, '', location.pathname); // the code leaves the address bar
      const message = { pkceWasm: href };
      // Only to a window of this origin (RFC 9700 §4.18); with COOP the opener is gone, the channel is not.
      window.opener?.postMessage(message, location.origin);
      const channel = new BroadcastChannel(relay);
      channel.postMessage(message);
      channel.close();
      window.close();
      return true;
    } catch {
      return false; // not a browser window, no storage: not a popup this client opened
    }
  }

  isCallback(url) {
    return this.core.call(Op.IsCallback, url);
  }

  handleCallback(url) {
    const at = () => `${this.core.call(Op.Identity)} ${url ?? globalThis.location?.href}`;
    let key;
    try {
      key = at();
    } catch (error) {
      return Promise.reject(error); // a freed client: async methods reject
    }
    let redeeming = callbacks.get(key);
    if (!redeeming) {
      redeeming = this.redeem(url);
      callbacks.set(key, redeeming);
      // Without a URL the address bar was the callback, and is clean now: a second call reads that.
      callbacks.set(at(), redeeming);
    }
    return redeeming;
  }

  // One callback's redemption: the checks and the address bar are the wasm's (synchronous, so
  // a second handleCallback() already finds this one), then the mark, the token request, the
  // holder. The expired marks of earlier callbacks are swept once this one has settled.
  async redeem(url) {
    const redemption = this.core.call(Op.Redeem, url);
    const [key, expires, now] = redemption.mark();
    try {
      const request = redemption.claimed(await sharedClaim(key, expires).catch(() => undefined));
      const link = links.get(this);
      const answer = link ? link.redeem(request, await this.keyReady()) : this.exchange(request);
      const { record, revocation, error, ...result } = redemption.finish(await answer, this.core);
      // logout() or clear() came first: the wasm says what revokes the refresh token that came late.
      if (revocation) await (link ? link.logout() : send(revocation)).catch(() => {});
      if (error) throw error;
      await this.replace(undefined, record);
      return result;
    } finally {
      setTimeout(() => sharedSweep(now).catch(() => {}));
    }
  }

  async refresh(refreshToken) {
    const request = this.core.call(Op.RefreshRequest, refreshToken);
    return (await this.refreshFrom(await this.snapshot(), refreshToken, request))[0];
  }

  tokens() {
    return this.core.call(Op.Tokens);
  }

  getAccessToken() {
    return this.accessToken();
  }

  async fetch(input, init) {
    let request;
    try {
      // Redirects are not followed: the wasm refuses them (the proof and body stay here).
      request = new Request(new Request(input, init), { redirect: 'manual' });
    } catch {} // not a request, or a URL with credentials: the wasm says which error
    const scheme = this.core.call(Op.Destination, request?.url, input?.href ?? input);
    for (let tried = [], refused; ; ) {
      const token = await this.accessToken(refused);
      const attempt = request.clone();
      attempt.headers.set('authorization', `${scheme} ${token}`);
      const proof = await prove(this.core, attempt.method, attempt.url, await this.keyReady(), token);
      if (proof) attempt.headers.set('dpop', proof);
      const response = await fetch(attempt);
      const answer = { status: response.status, headers: [...response.headers], body: '' };
      const again = this.core.call(Op.Resourced, attempt.url, answer, tried);
      if (!again) return response;
      response.body?.cancel().catch(() => {});
      tried.push(again);
      if (again == 'refresh') refused = token;
    }
  }

  // An access token as getAccessToken() gives it; never `refused` (a resource server's
  // invalid_token): that one is refreshed.
  async accessToken(refused) {
    const fresh = this.core.call(Op.Fresh, this.core.call(Op.Held), refused);
    if (fresh !== undefined) return fresh;
    if (!this.refreshing) {
      const lock = this.core.call(Op.Lock);
      const link = links.get(this);
      const job = () => (link ? link.refresh(this, refused) : this.refreshHeld(refused));
      const refreshing = (lock ? locked(lock, job, this.core) : job()).finally(() => {
        if (this.refreshing === refreshing) this.refreshing = undefined;
      });
      this.refreshing = refreshing;
    }
    return this.refreshing;
  }

  clear() {
    this.forget();
    this.tabs?.postMessage('cleared'); // the other tabs of this client forget too
  }

  // Empties the holder and drops the key, as clear() and another tab's clear() or logout() do.
  forget() {
    this.core.call(Op.Clear);
    links.get(this)?.clear();
    const shared = this.core.call(Op.Shared);
    if (shared) sharedSwap(shared, true).catch(() => {}); // a failure leaves nothing to undo
    this.dropKey();
    this.notify();
  }

  // The channel to this client's other tabs of the origin (none without BroadcastChannel or a
  // window); a "cleared" from one of them empties this tab's holder, "changed" re-reads it.
  // The listeners reach this client only weakly: a client the app drops without free() is
  // collected, and then its channel, its pageshow listener and its worker go too.
  channel() {
    const self = new WeakRef(this);
    const reread = () => self.deref()?.snapshot().then(() => self.deref()?.notify(), () => {});
    let tabs, restored;
    if (typeof BroadcastChannel == 'function' && typeof window == 'object') {
      // A page restored from the back/forward cache missed what happened meanwhile: re-read.
      restored = (event) => event.persisted && reread();
      addEventListener('pageshow', restored);
      tabs = new BroadcastChannel(`pkce-wasm ${this.core.call(Op.Identity)}`);
      tabs.onmessage = ({ data }) => {
        if (data == 'cleared') self.deref()?.forget();
        else if (data == 'changed') reread();
      };
    }
    const link = links.get(this);
    this.tabs = tabs;
    this.released = () => {
      link?.close();
      tabs?.close();
      if (restored) removeEventListener('pageshow', restored);
    };
    collected.register(this, this.released, this);
  }

  // Tells subscribe()'s listeners what the holder holds now; a listener's error is reported, not thrown here.
  notify() {
    const tokens = this.core.call(Op.Tokens);
    // The listeners as they are now: one that subscribes (again) during its call waits for the next change.
    for (const listener of [...this.listeners]) {
      try {
        listener(tokens);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  async userinfo() {
    const token = await this.accessToken();
    return this.core.call(Op.Userinfo, await this.exchange(this.core.call(Op.UserinfoRequest, token), token));
  }

  async revoke(token, hint) {
    const link = links.get(this);
    if (link) return link.revoke(token, hint);
    this.core.call(Op.Revoked, await this.exchange(this.core.call(Op.RevokeRequest, token, hint)));
  }

  logoutUrl(options) {
    return this.core.call(Op.LogoutUrl, options);
  }

  async logout(options) {
    const held = await this.snapshot().catch(() => undefined);
    const { revocation, endSession } = this.core.call(Op.SignOut, options, held);
    await this.replace(undefined, undefined); // first, so a refresh in flight cannot store its result
    this.tabs?.postMessage('cleared');
    if (revocation) await this.exchange(revocation).catch(() => {}); // best effort: logging out does not fail on it
    await links.get(this)?.logout().catch(() => {}); // the worker's refresh token, revoked there
    await this.dropKey();
    if (endSession) this.core.call(Op.Assign, endSession);
  }

  free() {
    this.core.call(Op.Free);
    collected.unregister(this);
    this.released();
    this.listeners.clear();
  }

  // Refreshes the held tokens, re-reading them first: under the lock another tab may already
  // have refreshed them.
  async refreshHeld(refused) {
    const start = await this.snapshot();
    const fresh = this.core.call(Op.Fresh, start, refused);
    if (fresh !== undefined) return fresh;
    const token = this.core.call(Op.RefreshTokenOf, start);
    const [tokens, stored] = await this.refreshFrom(start, token, this.core.call(Op.RefreshRequest, token));
    return stored ? tokens.accessToken : this.core.call(Op.LostRace, this.core.call(Op.Held));
  }

  // Sends a refresh that started while the holder held `start` (undefined: nothing); the holder
  // takes the result (or is emptied) only over `start`, as the wasm says.
  async refreshFrom(start, token, request) {
    const { tokens, error, write, record } = this.core.call(Op.Refreshed, start, token, await this.exchange(request));
    const stored = write ? await this.replace(start ?? null, record) : false;
    if (error) throw error;
    return [tokens, stored];
  }

  // Sends a request the wasm built, with this client's DPoP proof when it needs one (js/exchange.js).
  exchange(request, accessToken) {
    return exchange(this.core, request, () => this.keyReady(), accessToken);
  }


  // With dpop: the key pair, made or found once, its public key and what WebCrypto says of its
  // private key handed to the wasm; a failure is the wasm's dpop_error, and so is a logout() or
  // clear() while the key was being made (that key is deleted again: IndexedDB may have stored it
  // after their deletion). A pair the wasm refuses (planted in IndexedDB) is deleted and every
  // tab's tokens with it; tokens bound to another key are dropped. Without dpop: nothing.
  keyReady() {
    const name = this.core.call(Op.KeyName);
    if (name === undefined) return Promise.resolve();
    if (!this.key) {
      const pending = keyPair(name)
        .then(async ([pair, kept]) => {
          const { extractable, algorithm, usages } = pair?.privateKey ?? {};
          const key = `${kept} ${extractable} ${algorithm?.name} ${algorithm?.namedCurve} ${usages}`;
          const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey).catch(() => ({}));
          if (this.key !== pending) throw await forgetKey(name); // dropped meanwhile
          let elsewhere;
          try {
            elsewhere = this.core.call(Op.SetKey, x, y, key);
          } catch (refused) {
            this.clear();
            throw (await forgetKey(name), refused);
          }
          if (elsewhere) {
            await this.replace(undefined, undefined); // of no use with this key: listeners hear it
            links.get(this)?.clear();
          }
          return pair;
        })
        .catch((error) => {
          if (this.key === pending) this.key = undefined;
          if (error?.code) throw error;
          this.core.call(Op.SetKey, null, null); // throws dpop_error
        });
      this.key = pending;
    }
    return this.key;
  }

  // Forgets the DPoP key pair (logout, clear): the next login makes a new one.
  async dropKey() {
    const name = this.core.call(Op.KeyName);
    if (name === undefined) return;
    this.core.call(Op.SetKey);
    this.key = undefined;
    await forgetKey(name);
  }

  // The holder's authoritative record: IndexedDB's in "local" mode (localStorage follows it).
  async snapshot() {
    const shared = this.core.call(Op.Shared);
    if (!shared) return this.core.call(Op.Held);
    return this.core.call(Op.Adopt, await sharedGet(shared).then((text) => text ?? null, () => undefined));
  }

  // Writes `record` (undefined: empties the holder) over `expected` (a record, null for none,
  // undefined for whatever is held); true when it wrote.
  async replace(expected, record) {
    const shared = this.core.call(Op.Shared);
    let wrote;
    if (!shared) {
      wrote = this.core.call(Op.Replace, expected, record);
    } else {
      const any = expected === undefined;
      const outcome = await sharedSwap(shared, any, expected ?? undefined, record).catch(() => undefined);
      wrote = this.core.call(Op.Swapped, outcome, record);
      if (!wrote) await this.snapshot();
      else this.tabs?.postMessage('changed'); // the other tabs share this record
    }
    if (wrote) this.notify();
    return wrote;
  }
}

if (typeof Symbol == 'function' && Symbol.dispose) PkceClient.prototype[Symbol.dispose] = PkceClient.prototype.free;

// Waits for the popup's URL: from the popup itself (postMessage from that window, this origin
// only) or, when COOP took its opener away, over the BroadcastChannel `relay` (this origin by
// construction). Ends with popup_closed when the popup is closed (see closedBy) and with
// timeout after `timeout` ms.
function relayed(popup, relay, timeout, core) {
  return new Promise((resolve, reject) => {
    const channel = new BroadcastChannel(relay);
    const end = (error, url) => {
      clearInterval(poll);
      clearTimeout(timer);
      channel.close();
      removeEventListener('message', onMessage);
      if (error) reject(core.call(Op.PopupFailed, error));
      else resolve(url);
    };
    const take = (data) => typeof data?.pkceWasm == 'string' && end(null, data.pkceWasm);
    const onMessage = (event) => event.source === popup && event.origin === location.origin && take(event.data);
    addEventListener('message', onMessage);
    channel.onmessage = (event) => take(event.data);
    const poll = setInterval(() => closedBy(popup) && end('closed'), 500);
    const timer = setTimeout(() => end('timeout'), timeout);
  });
}

// True when the user closed the popup. Under COOP the opener sees the popup as closed while it
// is open at the authorization server; a window the user closed gives the focus back.
function closedBy(popup) {
  return popup.closed && document.hasFocus();
}

// Runs `job` under the Web Lock `name`, released when it settles; without the API (very old
// browsers) unlocked. A lock that cannot be taken is lock_failed; the job's own error passes.
function locked(name, job, core) {
  const locks = globalThis.navigator && navigator.locks;
  if (!locks) return job();
  let ran = false;
  const run = () => ((ran = true), job());
  return Promise.resolve()
    .then(() => locks.request(name, run))
    .catch((error) => {
      throw ran ? error : core.call(Op.LockFailed);
    });
}
