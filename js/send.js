// Performs one request the wasm built (src/http.rs `Request`, as src/api/wire.rs hands it out)
// and resolves to what came in, never rejecting: `{ status, headers, body }`, where `headers`
// are `[name, value]` pairs and `body` is the text, or undefined once it passed `limit` bytes;
// else the name of the failure ("unavailable", "unreachable", "timeout"). What an answer means
// is the wasm's to decide.
export async function send(request) {
  if (typeof fetch != 'function' || typeof AbortController != 'function' || typeof TextDecoder != 'function') {
    return 'unavailable';
  }
  const controller = new AbortController();
  // Our own timer is the only thing that aborts, so any abort is a timeout, whatever the engine
  // names it (WebKitGTK says AbortError for AbortSignal.timeout too); it covers the body.
  const timer = setTimeout(() => controller.abort(), request.timeout * 1000);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      credentials: 'omit',
      redirect: 'manual',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: controller.signal,
    });
    const headers = [...response.headers];
    return { status: response.status, headers, body: await read(response, request.limit) };
  } catch {
    return controller.signal.aborted ? 'timeout' : 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

// The body as text, read as a stream and cancelled as soon as it is known to pass `limit`
// (undefined): at once for a larger Content-Length, else when the decoded bytes pass it (a gzip
// bomb too).
async function read(response, limit) {
  if (!response.body) return ''; // an opaque redirect, a 204
  const reader = response.body.getReader();
  const declared = response.headers.get('content-length');
  if (declared != null && !(/^\d+$/.test(declared.trim()) && +declared <= limit)) return cancel(reader);
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) return cancel(reader);
    chunks.push(value);
  }
  const whole = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) whole.set(chunk, offset), (offset += chunk.byteLength);
  return new TextDecoder().decode(whole);
}

function cancel(reader) {
  reader.cancel().catch(() => {});
}
