// A tiny static file server for the examples: no dependency, loopback only.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';

import { close, listen } from './http.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  // Required by WebAssembly.instantiateStreaming, which wasm-bindgen's init() prefers.
  '.wasm': 'application/wasm',
};

/**
 * Serves `root` on http://127.0.0.1:{port} (0 = any free port). `mounts` maps URL prefixes
 * to other directories (e.g. { '/pkg/': '../pkg' }). `/config.json` is answered from
 * memory with whatever setConfig() last received, so a page learns the authorization
 * server's (possibly ephemeral) address the way it would read any deployed settings file.
 *
 * `requests` lists every request the server received ({ method, url, type }: the path with its
 * query, and the Content-Type answered), so tests know what a browser asked for from the
 * server's side. setHeadScript(source) puts an inline script first in every HTML page's
 * <head> (null removes it): a test stands in for the browser settings or extensions that run
 * before any page script.
 *
 * `headers` are added to every answer (e.g. a Content-Security-Policy, which a worker script gets
 * from its own answer too).
 *
 * Returns { origin, requests, setConfig(object), setHeadScript(source), close() }.
 */
export async function startStaticServer({ root, port = 0, mounts = {}, headers = {} }) {
  let config;
  let headScript = null;
  const requests = [];
  const dirs = [...Object.entries(mounts), ['/', root]];

  const server = createServer(async (req, res) => {
    const record = { method: req.method, url: req.url, type: null };
    requests.push(record);
    const send = (status, type, body) => {
      record.type = type;
      reply(res, status, type, body, headers);
    };
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed');
    if (path === '/config.json' && config) return send(200, TYPES['.json'], JSON.stringify(config));

    const [prefix, dir] = dirs.find(([prefix]) => path.startsWith(prefix));
    const base = resolve(dir);
    const file = resolve(base, `.${sep}${path.slice(prefix.length)}`, path.endsWith('/') ? 'index.html' : '');
    if (file !== base && !file.startsWith(base + sep)) return send(403, 'text/plain', 'forbidden');
    try {
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      const body = await readFile(file);
      send(200, type, headScript !== null && type === TYPES['.html'] ? withHeadScript(body, headScript) : body);
    } catch {
      send(404, 'text/plain', 'not found');
    }
  });

  const origin = await listen(server, port);
  return {
    origin,
    requests,
    setConfig(value) { config = value; },
    setHeadScript(source) { headScript = source; },
    close: () => close(server),
  };
}

/** `html` with `<script>source</script>` right after its <head> tag. */
function withHeadScript(html, source) {
  return String(html).replace(/<head[^>]*>/i, (head) => `${head}<script>${source}</script>`);
}

function reply(res, status, type, body, headers) {
  // no-cache: the examples are rebuilt between runs, so every use revalidates (no stale files);
  // not no-store, which keeps pages out of the back/forward cache (the popup suite's Back test).
  res.writeHead(status, { ...headers, 'content-type': type, 'cache-control': 'no-cache' });
  res.end(body);
}
