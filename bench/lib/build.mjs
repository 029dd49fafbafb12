// esbuild, the same settings for every library: bundle, minify, ESM, browser platform.
//   dist/size/<lib>.js      the size entry (entries/<lib>.js): library bytes only, measured;
//   dist/size/<lib>.all.js  `export *` of the whole peer package, for reference only;
//   dist/<lib>.js           the adapter (adapters/<lib>.js) the pages import and time.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { libraries, peers } from './libraries.mjs';
import { benchDir, distDir, pkgDir } from './paths.mjs';

// `import ... from 'pkce-wasm'` means this checkout's ../pkg (or BENCH_PKG_DIR).
const pkceWasmFromPkg = {
  name: 'pkce-wasm-from-pkg',
  setup(b) {
    b.onResolve({ filter: /^pkce-wasm$/ }, () => ({ path: join(pkgDir, 'pkce_wasm.js') }));
  },
};

const common = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  logLevel: 'warning',
  absWorkingDir: benchDir,
  plugins: [pkceWasmFromPkg],
  // /pkg/ is loaded at run time by the unbundled variant; @badgateway/oauth2-client falls
  // back to `import('crypto')` outside browsers.
  external: ['/pkg/*', 'crypto'],
};

const bundle = (entry, out) => build({ ...common, entryPoints: [entry], outfile: join(distDir, out) });
const bundleSource = (contents, out) => build({ ...common, stdin: { contents, resolveDir: benchDir }, outfile: join(distDir, out) });

export async function buildBundles() {
  await rm(distDir, { recursive: true, force: true });
  await mkdir(distDir, { recursive: true });
  await Promise.all([
    ...libraries.map(({ id }) => bundle(`adapters/${id}.js`, `${id}.js`)),
    bundle('adapters/pkce-wasm.module.js', 'pkce-wasm.module.js'),
    ...peers.map(({ id }) => bundle(`entries/${id}.js`, `size/${id}.js`)),
    ...peers.map(({ id, npm }) => bundleSource(`export * from '${npm}';`, `size/${id}.all.js`)),
    // pkce-wasm's glue through the same pipeline, for a like-for-like figure with the
    // minified peers (a bundler leaves the .wasm unchanged).
    bundleSource(`export * from 'pkce-wasm'; export { default } from 'pkce-wasm';`, 'size/pkce-wasm.js'),
    copyFile(join(pkgDir, 'pkce_wasm_bg.wasm'), join(distDir, 'pkce_wasm_bg.wasm')),
  ]);
}
