// Where every non-loopback request of every browser the tests start ends: an HTTP proxy on
// 127.0.0.1 that answers each request, and each CONNECT tunnel, with 502 and sends nothing on.
// The browsers reach 127.0.0.1 and ::1 directly (they never proxy loopback); everything else is
// configured to go through this proxy (engines.mjs), so nothing a test starts leaves the machine.
//
// As a module: startBlackHole() -> { port, received: [{ method, target }], close() }.
// As a command (`node tests/browsers/blackhole.mjs`): prints the port on stdout, and on SIGTERM
// or stdin EOF prints "black hole: N requests (host, ...)" on stderr and exits.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

/** Starts the black hole on 127.0.0.1 (any free port). */
export function startBlackHole() {
  const received = [];
  const server = createServer((req, res) => {
    received.push({ method: req.method, target: req.url });
    res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' }).end('black hole: no network in tests\n');
  });
  server.on('connect', (req, socket) => {
    received.push({ method: 'CONNECT', target: req.url });
    socket.on('error', () => {}); // a browser that resets the tunnel is no error of the test's
    socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        received,
        close: () => new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

/** "N requests (host, host, ...)": what reached the black hole, for a test run's summary. */
export function summary(received) {
  const hosts = [...new Set(received.map(({ method, target }) => (method === 'CONNECT' ? target : hostOf(target))))];
  return `${received.length} request${received.length === 1 ? '' : 's'}${hosts.length ? ` (${hosts.join(', ')})` : ''}`;
}

function hostOf(target) {
  try {
    return new URL(target).host;
  } catch {
    return target;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const hole = await startBlackHole();
  console.log(hole.port);
  let done = false;
  const stop = async () => {
    if (done) return;
    done = true;
    console.error(`black hole: ${summary(hole.received)}`);
    await hole.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop).resume();
}
