// A WebDriver server for wasm-bindgen-test-runner's Safari path (<DRIVER>_REMOTE), which sends
// empty capabilities: starts the engine's driver as engines.mjs defines it and relays every
// command to it, putting the engine's capabilities (headless set-up, the black hole as proxy)
// into the new-session request.
//
//   node tests/browsers/webdriver-relay.mjs <engine> <proxyPort>
//
// Prints the relay's URL on stdout once the driver answers; the driver's own output goes to
// stderr. On SIGTERM or SIGINT it stops the driver (which closes its browser) and exits.
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { ENGINES } from './engines.mjs';

const [name, proxyPort] = process.argv.slice(2);
const engine = ENGINES[name];
if (!engine || !Number(proxyPort)) {
  console.error(`usage: webdriver-relay.mjs <${Object.keys(ENGINES).join('|')}> <proxyPort>`);
  process.exit(2);
}
const capabilities = engine.capabilities(Number(proxyPort));

const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = createNetServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

const driverPort = await freePort();
const driver = spawn(engine.driver, engine.driverArgs(driverPort), { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
driver.on('exit', (code, signal) => {
  if (!stopping) console.error(`webdriver-relay: ${engine.driver} exited (${signal ?? code})`);
  process.exit(stopping ? 0 : 1);
});

/** The new-session body the engine needs, whatever the runner sent. */
function newSession() {
  return JSON.stringify({ capabilities: { alwaysMatch: capabilities, firstMatch: [{}] } });
}

const relay = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.method === 'POST' && req.url.replace(/\/$/, '') === '/session') body = Buffer.from(newSession());
    const headers = { ...req.headers, host: `127.0.0.1:${driverPort}`, 'content-length': body.length };
    const upstream = request({ host: '127.0.0.1', port: driverPort, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: { error: 'unknown error', message: `webdriver-relay: ${error.message}` } }));
    });
    upstream.end(body);
  });
});

// Wait until the driver answers /status before saying where the relay is.
async function driverUp() {
  for (let i = 0; i < 200; i++) {
    try {
      const answer = await fetch(`http://127.0.0.1:${driverPort}/status`);
      if (answer.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${engine.driver} did not answer on port ${driverPort}`);
}
await driverUp();
relay.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${relay.address().port}`));

const stop = () => {
  if (stopping) return;
  stopping = true;
  relay.close();
  relay.closeAllConnections();
  driver.kill('SIGTERM');
  setTimeout(() => driver.kill('SIGKILL'), 5000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
