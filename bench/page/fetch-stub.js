// Replaces window.fetch with an immediate in-page token endpoint, so the callback timing
// measures the libraries, not the network. Only requests to the authorization server are
// answered here; anything else (pkce-wasm's init() fetching its .wasm) goes to the real
// fetch. Installed before any library is loaded (a library may keep a reference to
// fetch); every library gets this same stub.
import env from '/page/env.js';
import { parseTokenRequestBody, tokenResponse } from '/page/token-response.js';

export function installFetchStub() {
  const realFetch = window.fetch.bind(window);
  window.fetch = async (input, init = {}) => {
    const request = input instanceof Request ? input : null;
    const url = String(request ? request.url : input);
    if (!url.startsWith(`${env.asOrigin}/`)) return realFetch(input, init);
    const text = request ? await request.text() : String(init.body ?? '');
    const body = tokenResponse(parseTokenRequestBody(text), env.asOrigin);
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
}
