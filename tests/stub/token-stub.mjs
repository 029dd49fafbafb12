// A token endpoint stub on 127.0.0.1 for the wasm-bindgen browser suites: answers by path
// (/token/<mode>), records every request it gets (preflights included) for the tests to read
// back at GET /requests. Mode `gated` holds refresh answers until POST /release?t=<tag>;
// GET /held?t=<tag> answers once one is held. Prints its origin on the first line, stops on
// SIGTERM/SIGINT.
import http from "node:http";

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
  revoke: () => [200, {}, ""],
  // Each login gives new, already expired tokens; a refresh is answered as `expiring` does,
  // but only once the test releases it (POST /release?t=...): see `gate`.
  gated: (form) =>
    form.get("grant_type") === "refresh_token"
      ? { gated: MODES.expiring(form) }
      : json(200, { ...TOKENS, expires_in: 0, access_token: `at-login-${++logins}`, refresh_token: `rt-login-${logins}` }),
};

let logins = 0;

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

const server = http.createServer((req, res) => {
  const cors = { "access-control-allow-origin": "*" };
  if (req.url === "/requests") {
    res.writeHead(200, { ...cors, "content-type": "application/json", "cache-control": "no-store" });
    return res.end(JSON.stringify(requests));
  }
  if (req.url === "/reset" && req.method === "POST") {
    requests = [];
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
    requests.push({
      method: req.method,
      path: req.url,
      body,
      contentType: req.headers["content-type"] ?? null,
      cookie: req.headers.cookie ?? null,
      referer: req.headers.referer ?? null,
    });
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...cors, "access-control-allow-headers": "*", "access-control-allow-methods": "POST" });
      return res.end();
    }
    const url = new URL(req.url, `http://${req.headers.host}`);
    if (req.method === "GET") {
      const doc = metadata(url.origin, url.pathname);
      res.writeHead(doc ? 200 : 404, { ...cors, "content-type": "application/json" });
      return res.end(doc ? JSON.stringify(doc) : "{}");
    }
    const mode = url.pathname.replace(/^\/token\//, "");
    const answer = MODES[mode]?.(new URLSearchParams(body));
    if (answer === null) return; // hang: never answer
    const send = ([status, headers, text]) => res.writeHead(status, { ...cors, ...headers }).end(text);
    if (answer?.gated) return hold(tag, () => send(answer.gated));
    send(answer ?? [404, {}, "no such mode"]);
  });
});

server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${server.address().port}`));
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
