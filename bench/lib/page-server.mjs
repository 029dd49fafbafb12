// The one page server: bench and login pages, the harness, the esbuild bundles and pkg/,
// on 127.0.0.1 with an ephemeral port. Nothing may be cached, so every page load is cold.
// The pages are cross-origin isolated, which gives performance.now() its finest
// resolution in Chromium (5 µs instead of 100 µs).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { benchDir, distDir, pkgDir } from './paths.mjs';
import { listen } from './listen.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', // required by WebAssembly.instantiateStreaming
  '.json': 'application/json',
  '.ts': 'text/plain',
};

const ISOLATED = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cache-control': 'no-store',
};

// URL prefix -> directory; `/cb/<lib>` and `/login/<lib>` are pages whatever <lib> is.
const ROOTS = [
  ['/page/', join(benchDir, 'page')],
  ['/dist/', distDir],
  ['/pkg/', pkgDir],
];

function fileFor(pathname) {
  if (pathname === '/bench.html') return join(benchDir, 'page', 'bench.html');
  if (pathname.startsWith('/cb/')) return join(benchDir, 'page', 'callback.html');
  if (pathname.startsWith('/login/')) return join(benchDir, 'page', 'login.html');
  for (const [prefix, dir] of ROOTS) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
    return file.startsWith(dir) ? file : null; // no escaping the root with ../
  }
  return null;
}

// Files are read once per run and then served from memory: the server's own disk reads
// should not add to the cold-start figures (nothing changes during a run).
function cachedReader() {
  const cache = new Map();
  return (file) => {
    if (!cache.has(file)) cache.set(file, readFile(file).catch(() => null));
    return cache.get(file);
  };
}

export async function startPageServer({ asOrigin, clientId }) {
  const env = `export default ${JSON.stringify({ asOrigin, clientId })};\n`;
  const read = cachedReader();
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/page/env.js') {
      res.writeHead(200, { ...ISOLATED, 'content-type': TYPES['.js'] }).end(env);
      return;
    }
    const file = fileFor(pathname);
    const body = file && await read(file);
    if (!body) {
      res.writeHead(404, ISOLATED).end();
      return;
    }
    res.writeHead(200, { ...ISOLATED, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return listen(server);
}
