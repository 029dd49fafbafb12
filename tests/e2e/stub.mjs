// The loopback token endpoint stub of the wasm-bindgen suite (tests/stub/token-stub.mjs), started
// for the package's end-to-end tests: its origin, the requests it recorded per test tag, and
// its gate for held-back refreshes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Starts the stub; resolves to { origin, requests(tag), held(tag), release(tag), stop() }. */
export async function startStub() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../stub/token-stub.mjs', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const origin = (await lines.next()).value;
  const call = async (path, method = 'GET') => {
    const response = await fetch(`${origin}${path}`, { method });
    if (!response.ok) throw new Error(`stub ${path}: ${response.status}`);
    return response;
  };
  return {
    origin,
    /** The requests recorded for `tag` (`?t=tag`): { method, path, body, contentType, closed, written }. */
    requests: async (tag) => (await (await call('/requests')).json()).filter((r) => r.path.endsWith(`?t=${tag}`)),
    /** Resolves once a refresh for `tag` is held back by the `gated` mode. */
    held: (tag) => call(`/held?t=${tag}`),
    /** Lets the held refreshes of `tag` be answered. */
    release: (tag) => call(`/release?t=${tag}`, 'POST'),
    stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }),
  };
}
