// A token endpoint stub on 127.0.0.1 for the wasm-bindgen browser suites: answers by path
// (/token/<mode>), records every request it gets (preflights included) for the tests to read
// back at GET /requests. It also runs the black hole (../browsers/blackhole.mjs) the browsers
// send every non-loopback request to, and shows what reached it at GET /blackhole (JSON) and
// GET /blackhole/summary (one line). POST /reset forgets both records. Mode `gated` holds
// refresh answers (mode `gatedcode`: code exchanges) until POST /release?t=<tag>; GET /held?t=<tag>
// answers once one is held.
// Prints its origin on the first line and the black hole's port on the second; stops on
// SIGTERM/SIGINT.
import http from "node:http";
import zlib from "node:zlib";

import { startBlackHole, summary } from "../browsers/blackhole.mjs";

const TOKENS = { access_token: "at-1", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-2", scope: "openid" };
const json = (status, body) => [status, { "content-type": "application/json" }, JSON.stringify(body)];

const MODES = {
  ok: () => json(200, TOKENS),
  norotate: () => json(200, { access_token: "at-2", token_type: "bearer" }),
  dpop: () => json(200, { access_token: "at-3", token_type: "DPoP" }),
  notype: () => json(200, { access_token: "at-4" }),
  textplain: () => [200, { "content-type": "text/plain" }, JSON.stringify(TOKENS)],
  invalid_grant: () => json(400, { error: "invalid_grant", error_description: "refresh token already used" }),
  html: () => [200, { "content-type": "text/html" }, "<html><body>Sign in</body></html>"],
  500: () => [500, { "content-type": "text/plain" }, "internal error"],
  redirect: () => [302, { location: "/token/ok" }, ""],
  empty: () => [200, { "content-type": "application/json" }, ""],
  big: () => [200, { "content-type": "application/json" }, `{"access_token":"${"a".repeat(10 * 1024 * 1024)}","token_type":"bearer"}`],
  hang: () => null,
  // Login tokens that are already expired; refreshes give fresh, rotated ones.
  expiring: (form) =>
    form.get("grant_type") === "refresh_token"
      ? json(200, { ...TOKENS, access_token: `at-${form.get("refresh_token")}`, refresh_token: `${form.get("refresh_token")}+` })
      : json(200, { ...TOKENS, expires_in: 0, refresh_token: "rt-0" }),
  // Login tokens that are already expired; every refresh is refused.
  rejecting: (form) =>
    form.get("grant_type") === "refresh_token"
      ? json(400, { error: "invalid_grant", error_description: "refresh token revoked" })
      : json(200, { ...TOKENS, expires_in: 0 }),
  // As `rejecting`, but the refresh is refused as Glewlwyd refuses a revoked or rotated-out
  // refresh token: 400 with an empty body, no OAuth error.
  dead: (form) =>
    form.get("grant_type") === "refresh_token" ? [400, {}, ""] : json(200, { ...TOKENS, expires_in: 0 }),
  revoke: () => [200, {}, ""],
  // 64 MiB of JSON text, streamed with backpressure, without and with a Content-Length.
  stream64: () => ({ stream: (res, record) => stream(res, record, { "content-type": "application/json" }, chunk64) }),
  declared64: () => ({
    stream: (res, record) =>
      stream(res, record, { "content-type": "application/json", "content-length": String(64 << 20) }, chunk64),
  }),
  // 512 MiB of "a" in about 0.5 MiB of gzip (the browser inflates it transparently).
  gzipbomb: () => [200, { "content-type": "application/json", "content-encoding": "gzip" }, gzipBomb()],
  // Each login gives new, already expired tokens; a refresh is answered as `expiring` does,
  // but only once the test releases it (POST /release?t=...): see `gate`.
  gated: (form) =>
    form.get("grant_type") === "refresh_token"
      ? { gated: MODES.expiring(form) }
      : json(200, { ...TOKENS, expires_in: 0, access_token: `at-login-${++logins}`, refresh_token: `rt-login-${logins}` }),
  // A code exchange answered only once the test releases it (fresh tokens, a refresh token `rt-late`).
  gatedcode: () => ({ gated: json(200, { ...TOKENS, access_token: "at-late", refresh_token: "rt-late" }) }),
};

const chunk64 = Buffer.alloc(64 << 10, "a");

/** Writes `chunk` 1024 times (64 MiB), waiting for the client to drain each, and records in
 * `record.written` the bytes the socket took before the client hung up (`record.closed`). */
function stream(res, record, headers, chunk) {
  record.written = 0;
  res.writeHead(200, { "access-control-allow-origin": "*", ...headers });
  res.on("close", () => (record.closed = true));
  let left = 1024;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      left--;
      record.written += chunk.length;
      if (!res.write(chunk)) return res.once("drain", pump);
    }
    if (left === 0) res.end();
  };
  pump();
}

let bomb;
/** A gzip member of 512 full-flushed deflate blocks of 1 MiB of "a" each (built once). */
function gzipBomb() {
  if (bomb) return bomb;
  const mib = Buffer.alloc(1 << 20, "a");
  const block = zlib.deflateRawSync(mib, { finishFlush: zlib.constants.Z_FULL_FLUSH });
  let crc = 0;
  for (let i = 0; i < 512; i++) crc = zlib.crc32(mib, crc);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((512 << 20) >>> 0, 4);
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  bomb = Buffer.concat([header, ...Array(512).fill(block), Buffer.from([3, 0]), trailer]);
  return bomb;
}

let logins = 0;

/** A resource server at GET /resource/<mode>?t=<tag>: `ok` answers 200; `refuse-once` refuses the
 * first request of each tag (401, Bearer invalid_token), then answers 200; `redirect` answers 307
 * to another origin. */
const resourceCalls = new Map();
function resource(mode, tag) {
  const calls = (resourceCalls.get(tag) ?? 0) + 1;
  resourceCalls.set(tag, calls);
  if (mode === "refuse-once" && calls === 1) return [401, { "www-authenticate": 'Bearer error="invalid_token"' }];
  if (mode === "redirect") return [307, { location: "http://127.0.0.2:9/elsewhere" }];
  return [200, {}];
}

/** Refresh answers held back per test tag, and the GET /held requests waiting for one. */
const gates = new Map();
const gate = (tag) => gates.get(tag) ?? gates.set(tag, { held: [], waiting: [] }).get(tag);
function hold(tag, send) {
  const g = gate(tag);
  g.held.push(send);
  g.waiting.splice(0).forEach((res) => res.writeHead(204, { "access-control-allow-origin": "*" }).end());
}

/** Metadata for issuer `${origin}/iss/${name}`: `a` only at the OpenID location, `b` only at
 * the RFC 8414 one, `evil` claims another issuer, `big` is over 1 MiB at both. */
function metadata(origin, path) {
  const m = path.match(/^\/(?:\.well-known\/oauth-authorization-server\/iss\/(\w+)|iss\/(\w+)\/\.well-known\/openid-configuration)$/);
  if (!m) return null;
  const [name, rfc8414] = [m[1] ?? m[2], m[1] !== undefined];
  if ((name === "a" && rfc8414) || (name === "b" && !rfc8414)) return null;
  const issuer = name === "evil" ? `${origin}/iss/other` : `${origin}/iss/${name}`;
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${origin}/token/ok?t=discovered-${name}`,
    revocation_endpoint: `${origin}/token/revoke?t=discovered-${name}`,
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
    ...(name === "big" && { padding: "p".repeat(2 * 1024 * 1024) }),
  };
}

let requests = [];
const hole = await startBlackHole();

const server = http.createServer((req, res) => {
  const cors = { "access-control-allow-origin": "*" };
  if (req.url === "/requests") {
    res.writeHead(200, { ...cors, "content-type": "application/json", "cache-control": "no-store" });
    return res.end(JSON.stringify(requests));
  }
  if (req.url === "/blackhole" || req.url === "/blackhole/summary") {
    const text = req.url === "/blackhole" ? JSON.stringify(hole.received) : `${summary(hole.received)}\n`;
    res.writeHead(200, { ...cors, "content-type": req.url === "/blackhole" ? "application/json" : "text/plain", "cache-control": "no-store" });
    return res.end(text);
  }
  if (req.url === "/reset" && req.method === "POST") {
    requests = [];
    resourceCalls.clear();
    hole.received.length = 0;
    res.writeHead(204, cors);
    return res.end();
  }
  const tag = new URL(req.url, "http://stub").searchParams.get("t");
  if (req.url.startsWith("/held?")) {
    // Answers once a refresh for `t` is held back: the test waits on this, not on a timer.
    if (gate(tag).held.length) return res.writeHead(204, cors).end();
    return gate(tag).waiting.push(res);
  }
  if (req.url.startsWith("/release?") && req.method === "POST") {
    gate(tag).held.splice(0).forEach((send) => send());
    return res.writeHead(204, cors).end();
  }
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const record = {
      method: req.method,
      path: req.url,
      body,
      contentType: req.headers["content-type"] ?? null,
      cookie: req.headers.cookie ?? null,
      referer: req.headers.referer ?? null,
      authorization: req.headers.authorization ?? null,
    };
    requests.push(record);
    if (req.method === "OPTIONS") {
      // `*` does not cover Authorization (Fetch): the resource modes' requests carry one.
      const headers = { "access-control-allow-headers": "*, authorization", "access-control-allow-methods": "POST, GET" };
      res.writeHead(204, { ...cors, ...headers });
      return res.end();
    }
    const url = new URL(req.url, `http://${req.headers.host}`);
    if (req.method === "GET" && url.pathname.startsWith("/resource/")) {
      const [status, headers] = resource(url.pathname.slice("/resource/".length), tag);
      const expose = { "access-control-expose-headers": "www-authenticate" };
      res.writeHead(status, { ...cors, ...expose, "content-type": "application/json", ...headers });
      return res.end(JSON.stringify({ status }));
    }
    if (req.method === "GET") {
      const doc = metadata(url.origin, url.pathname);
      res.writeHead(doc ? 200 : 404, { ...cors, "content-type": "application/json" });
      return res.end(doc ? JSON.stringify(doc) : "{}");
    }
    const mode = url.pathname.replace(/^\/token\//, "");
    const answer = MODES[mode]?.(new URLSearchParams(body));
    if (answer === null) return; // hang: never answer
    if (answer?.stream) return answer.stream(res, record);
    const send = ([status, headers, text]) => res.writeHead(status, { ...cors, ...headers }).end(text);
    if (answer?.gated) return hold(tag, () => send(answer.gated));
    send(answer ?? [404, {}, "no such mode"]);
  });
});

server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${server.address().port}\n${hole.port}`));
const stop = () => {
  server.closeAllConnections();
  Promise.all([new Promise((done) => server.close(done)), hole.close()]).then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
