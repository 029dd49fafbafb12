// Bytes a user downloads, raw and gzip -9 (zlib level 9, as `gzip -9`). Each file is
// compressed on its own, as a server sends it.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { libraries, peers } from './libraries.mjs';
import { distDir, pkgDir } from './paths.mjs';

async function measure(files) {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = await readFile(file);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip, files };
}

// wasm-bindgen puts inline JS snippets under pkg/snippets/; they ship too.
async function snippetFiles() {
  const dir = join(pkgDir, 'snippets');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => join(e.parentPath, e.name));
}

export async function measureSizes() {
  const sizes = {};
  for (const { id } of libraries) {
    sizes[id] = id === 'pkce-wasm'
      ? await measure([join(pkgDir, 'pkce_wasm_bg.wasm'), join(pkgDir, 'pkce_wasm.js'), ...await snippetFiles()])
      : await measure([join(distDir, 'size', `${id}.js`)]);
  }
  const wasm = await measure([join(pkgDir, 'pkce_wasm_bg.wasm')]);
  const bundledGlue = await measure([join(distDir, 'size', 'pkce-wasm.js')]);
  // Not a table row: pkce-wasm with its glue minified by esbuild like the peers.
  const bundled = { raw: wasm.raw + bundledGlue.raw, gzip: wasm.gzip + bundledGlue.gzip };
  const wholePackages = {};
  for (const { id } of peers) wholePackages[id] = await measure([join(distDir, 'size', `${id}.all.js`)]);
  const pkceWasmParts = { wasm, glue: await measure([join(pkgDir, 'pkce_wasm.js')]), snippets: await measure(await snippetFiles()) };
  return { sizes, wholePackages, pkceWasmBundled: bundled, pkceWasmParts };
}
