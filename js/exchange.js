// A request the wasm built, sent with its DPoP proof: one rule for the page's driver
// (js/pkce_wasm.js) and the worker (js/worker.js). The wasm says whether a request needs a proof
// and what to sign, and whether an answer asks for one more try with the nonce it gave.
import { Op } from './glue.js';
import { send } from './send.js';
import { sign } from './dpop_key.js';

/** Sends `request` with a proof signed by the key pair `key()` resolves to (bound to
 * `accessToken` when it carries one) when the wasm asks for one, and once more when the answer
 * asks for a nonce; resolves to the answer as send() gives it. */
export async function exchange(core, request, key, accessToken) {
  for (let retried = false; ; retried = true) {
    const proof = await prove(core, request.method, request.url, await key(), accessToken);
    if (proof) request.headers.dpop = proof;
    const answer = await send(request);
    if (!proof || !core.call(Op.Observe, request.url, answer, retried)) return answer;
  }
}

/** The DPoP header for `method` `url` signed with `pair` (with `accessToken`: a resource
 * request), when the wasm says the request needs one. */
export async function prove(core, method, url, pair, accessToken) {
  const input = core.call(Op.ProofInput, method, url, accessToken);
  return input && core.call(Op.Proof, input, await sign(pair, input));
}
