// tokenStorage "worker", the page's side: the dedicated module worker (js/worker.js, shipped as
// pkg/pkce_wasm_worker.js next to the wasm) that sends the code exchange and every refresh and
// revocation, and keeps the refresh token in its own memory. The page's Core holds the rest of
// the tokens. Messages carry plain values only: requests the wasm built, records without a
// refresh token, errors as their fields (rebuilt here as OAuthError).
import { Op, wasmModule } from './glue.js';
import { OAuthError } from './oauth_error.js';

let policy; // the Trusted Types policy for the worker's URL, made once (null: none could be made)

// Starts the worker from its own file next to this module: no blob: URL, so `worker-src 'self'`
// allows it. Where Trusted Types exist the URL goes through a policy that passes only this one
// URL, so `require-trusted-types-for 'script'` allows it too (with a `trusted-types` directive,
// the app lists "pkce-wasm" there). Bundlers (Vite) copy the file as an asset of its own: it
// imports nothing, and gets the wasm from the page, compiled (no second download, no URL to find).
function startWorker() {
  const url = new URL('./pkce_wasm_worker.js', import.meta.url);
  if (policy === undefined) {
    try {
      policy = trustedTypes.createPolicy('pkce-wasm', { createScriptURL: (href) => (href == url.href ? href : '') });
    } catch {
      policy = null; // no Trusted Types, or the CSP does not allow the name
    }
  }
  return new Worker(policy ? policy.createScriptURL(url.href) : url, { type: 'module' });
}

/** The link to `core`'s worker when the wasm says its token requests run in one; undefined
 * otherwise. Without module workers the wasm's browser_required is thrown: never another storage. */
export function workerLink(core) {
  if (core.call(Op.Worker, typeof Worker == 'function')) return new WorkerLink(core);
}

// The error a worker that could not start (or was blocked) gives every question: the wasm's.
function unavailable(core) {
  try {
    core.call(Op.Worker, false);
  } catch (error) {
    return error;
  }
}

/** An error from the worker, from its fields; anything but an OAuthError there (the wasm did not
 * load in it, say) is browser_required. */
function rebuild(core, e) {
  if (typeof e.code != 'string') return unavailable(core);
  return new OAuthError(e.code, e.message, e.error, e.errorDescription, e.errorUri, e.status, e.field);
}

class WorkerLink {
  constructor(core) {
    this.core = core;
    this.asked = new Map(); // id -> [resolve, reject] of the questions not answered yet
    this.next = 0;
    this.broken = undefined;
    try {
      this.worker = startWorker();
    } catch {
      throw unavailable(core); // refused (a CSP or Trusted Types rule): never another storage
    }
    this.worker.onmessage = ({ data: [id, value, error] }) => {
      const [resolve, reject] = this.asked.get(id) ?? [];
      this.asked.delete(id);
      if (error) reject?.(rebuild(core, error));
      else resolve?.(value);
    };
    // The module did not load (network, CSP, no module workers): every question fails, now and later.
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.broken = unavailable(core);
      for (const [, reject] of this.asked.values()) reject(this.broken);
      this.asked.clear();
    };
    this.worker.postMessage([core.call(Op.Settings), wasmModule]); // the start: js/worker.js
  }

  ask(op, a, b) {
    return new Promise((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      const id = this.next++;
      this.asked.set(id, [resolve, reject]);
      this.worker.postMessage([id, op, a, b]);
    });
  }

  /** A callback's token request (with the login's nonce) and the DPoP key pair: the worker sends
   * it, checks and holds the tokens, and answers with the record without the refresh token. */
  redeem(request, pair) {
    return this.ask('redeem', request, pair);
  }

  /** `client`'s refresh, for getAccessToken() and fetch(): the worker refreshes with the refresh
   * token it holds; the page's holder takes the result (without it) only over what it held. */
  async refresh(client, refused) {
    const start = this.core.call(Op.Held);
    const { write, record, error } = await this.ask('refresh', refused);
    const stored = write && (await client.replace(start ?? null, record));
    if (error) throw rebuild(this.core, error);
    return stored ? this.core.call(Op.Tokens).accessToken : this.core.call(Op.LostRace, this.core.call(Op.Held));
  }

  revoke(token, hint) {
    return this.ask('revoke', token, hint);
  }

  /** Empties the worker's holder and revokes the refresh token it held (best effort). */
  logout() {
    return this.ask('logout');
  }

  /** Empties the worker's holder and drops its key. */
  clear() {
    this.ask('clear').catch(() => {});
  }

  close() {
    this.worker.terminate();
    this.broken = unavailable(this.core);
  }
}
