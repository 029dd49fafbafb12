// A second, independent real authorization server for the end-to-end tests:
// django-oauth-toolkit (Python) with OIDC, on the loopback interface. Not a production
// configuration: sqlite in a temporary folder, a key generated at each start, one public
// client. The Django project is www/server/django/; `scripts/setup.sh www` installs its
// pinned packages into a venv (see dotPython()).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { CLIENT_ID, TEST_ACCOUNT } from './auth-server.mjs';

export { CLIENT_ID, TEST_ACCOUNT };

const PROJECT = fileURLToPath(new URL('./django/', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/**
 * The venv's python: $PKCE_WASM_DOT_PYTHON, else the venv scripts/setup.sh makes,
 * ~/.cache/pkce-wasm/venv-dot-<first 12 hex digits of sha256(requirements.txt)>.
 */
export function dotPython() {
  if (process.env.PKCE_WASM_DOT_PYTHON) return process.env.PKCE_WASM_DOT_PYTHON;
  const hash = createHash('sha256').update(readFileSync(join(PROJECT, 'requirements.txt'))).digest('hex');
  return join(homedir(), '.cache', 'pkce-wasm', `venv-dot-${hash.slice(0, 12)}`, 'bin', 'python');
}

/**
 * Starts django-oauth-toolkit on http://127.0.0.1:{port} (0 = any free port); the issuer
 * is http://127.0.0.1:{port}/o, its metadata at {issuer}/.well-known/openid-configuration.
 *
 * clientOrigins: the examples' origins; each gets `${origin}/` as its exact redirect URI
 *   and post-logout redirect URI, and they are the only origins CORS allows (token,
 *   revocation, userinfo, discovery and JWKS endpoints).
 * interactive: true keeps a login form (any username and password sign in) for a person;
 *   false (the default) signs TEST_ACCOUNT in without a page. There is never a consent
 *   page (the client has skip_authorization).
 * issParameter: false turns off RFC 9207 `iss` on authorization responses (DOT's own
 *   default; this server's default is on, and then the metadata advertises it).
 * rfc8414Root: also serve DOT's RFC 8414 document at /.well-known/oauth-authorization-server/o,
 *   where RFC 8414 (and pkce-wasm's discover(), first) looks for an issuer with a path.
 *   Off by default: that document has revocation_endpoint but no end_session_endpoint.
 *
 * Returns { issuer, requests, close() }. `requests` is the server's own record of every
 * HTTP request it received, { method, path, origin, body, status }, appended as the server
 * answers (body: the raw form body of a POST, else null; path without the query).
 */
export async function startDjangoAuthServer({
  port = 0,
  clientOrigins,
  interactive = false,
  issParameter = true,
  rfc8414Root = false,
}) {
  const python = dotPython();
  if (!existsSync(python)) {
    throw new Error(`no django-oauth-toolkit venv at ${python}: run scripts/setup.sh www`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'pkce-wasm-dot-'));
  const args = [join(PROJECT, 'serve.py'), '--dir', dir, '--port', String(port),
    '--origins', JSON.stringify(clientOrigins)];
  if (interactive) args.push('--interactive');
  if (!issParameter) args.push('--no-iss-parameter');
  if (rfc8414Root) args.push('--rfc8414-root');

  // stdin: the server exits when it closes (so it dies with us); fd 3: the request log.
  const child = spawn(python, args, {
    cwd: PROJECT,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const requests = [];
  createInterface({ input: child.stdio[3] }).on('line', (line) => {
    const { method, path, origin, body, status } = JSON.parse(line);
    requests.push({ method, path, origin: origin ?? undefined, body, status });
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8000);
    if (process.env.PKCE_WASM_DOT_VERBOSE) process.stderr.write(chunk);
  });

  const stop = async () => {
    child.stdin.destroy(); // enough on its own: the server then removes `dir` and exits
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  let issuer;
  try {
    issuer = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`django-oauth-toolkit not ready after ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const ready = /^READY (\S+)$/.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]);
        }
      });
      child.once('error', (error) => { clearTimeout(timer); reject(error); });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`django-oauth-toolkit exited (${signal ?? code}) before it was ready:\n${stderr}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return { issuer, requests, close: stop };
}
