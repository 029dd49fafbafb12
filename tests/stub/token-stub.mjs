// A token endpoint stub on 127.0.0.1 for the wasm-bindgen browser suites: answers by path
// (/token/<mode>), records every request it gets (preflights included) for the tests to read
// back at GET /requests. Prints its origin on the first line, stops on SIGTERM/SIGINT.
import http from "node:http";

const TOKENS = { access_token: "at-1", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-2", scope: "openid" };
const json = (status, body) => [status, { "content-type": "application/json" }, JSON.stringify(body)];

const MODES = {
  ok: () => json(200, TOKENS),
  norotate: () => json(200, { access_token: "at-2", token_type: "bearer" }),
  dpop: () => json(200, { access_token: "at-3", token_type: "DPoP" }),
  notype: () => json(200, { access_token: "at-4" }),
  invalid_grant: () => json(400, { error: "invalid_grant", error_description: "refresh token already used" }),
  html: () => [200, { "content-type": "text/html" }, "<html><body>Sign in</body></html>"],
  500: () => [500, { "content-type": "text/plain" }, "internal error"],
  redirect: () => [302, { location: "/token/ok" }, ""],
  empty: () => [200, { "content-type": "application/json" }, ""],
  big: () => [200, { "content-type": "application/json" }, `{"access_token":"${"a".repeat(10 * 1024 * 1024)}","token_type":"bearer"}`],
  hang: () => null,
};

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
    const mode = new URL(req.url, "http://stub").pathname.replace(/^\/token\//, "");
    const answer = MODES[mode]?.();
    if (answer === null) return; // hang: never answer
    const [status, headers, text] = answer ?? [404, {}, "no such mode"];
    res.writeHead(status, { ...cors, ...headers });
    res.end(text);
  });
});

server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${server.address().port}`));
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
