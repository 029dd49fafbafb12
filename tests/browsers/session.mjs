// Starts one browser of an engine (engines.mjs) for the end-to-end suites: its WebDriver
// server on a free loopback port, with TMPDIR and the XDG folders in a fresh folder (so the
// profile and caches the driver and browser make are removed with it), Xvfb for an engine without a headless mode, and a
// selenium-webdriver session. `close()` ends the session, stops the processes, removes the folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { ENGINES, scratchEnv } from './engines.mjs';

// What is still running or on disk when this process exits early (a failed or killed test file).
const leftovers = new Set();
process.once('exit', () => {
  for (const leftover of leftovers) leftover();
});

/** Starts `engine` with every non-loopback request sent to the proxy on `proxyPort`. Returns { driver, close() }. */
export async function startBrowser(engine, { proxyPort, Builder }) {
  const { driver: binary, driverArgs, display, capabilities } = ENGINES[engine];
  const dir = mkdtempSync(join(tmpdir(), `pkce-wasm-${engine}-`));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  leftovers.add(removeDir);
  const stoppers = [() => { leftovers.delete(removeDir); removeDir(); }];
  const close = async () => {
    for (const stop of stoppers.reverse()) await stop();
  };
  /** Runs `child` until close(), or until this process exits. */
  const own = (child) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const kill = () => child.kill();
    leftovers.add(kill);
    stoppers.push(async () => {
      leftovers.delete(kill);
      kill();
      await exited;
    });
    return exited;
  };
  try {
    const env = { ...process.env, ...scratchEnv(dir) };
    if (display) env.DISPLAY = await startXvfb(own);
    const port = await freePort();
    const server = spawn(binary, driverArgs(port), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = own(server);
    let stderr = '';
    server.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
    await untilListening(port, exited, () => stderr);
    const driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities(capabilities(proxyPort)).build();
    stoppers.push(() => driver.quit().catch(() => {}));
    return { driver, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** An X server on a display it picks itself (-displayfd), run by `own`; resolves with the display name. */
function startXvfb(own) {
  return new Promise((resolve, reject) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    xvfb.once('error', reject);
    own(xvfb).then((code) => reject(new Error(`Xvfb exited (${code})`)));
    createInterface({ input: xvfb.stdio[3] }).once('line', (line) => resolve(`:${line.trim()}`));
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once the WebDriver server answers /status; rejects if it exits first. */
async function untilListening(port, exited, stderr) {
  let gone = false;
  exited.then(() => { gone = true; });
  for (let attempt = 0; attempt < 200; attempt++) {
    if (gone) throw new Error(`WebDriver server exited: ${stderr()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      if (response.ok) return;
    } catch {
      // not listening yet: wait for the next connection attempt below
    }
    await Promise.race([exited, new Promise((done) => setTimeout(done, 50))]);
  }
  throw new Error(`WebDriver server on ${port} did not start: ${stderr()}`);
}
