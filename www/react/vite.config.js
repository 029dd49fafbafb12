import { fileURLToPath } from 'node:url';
import { defineConfig, searchForWorkspaceRoot } from 'vite';

export default defineConfig({
  // esbuild compiles JSX by itself; no React plugin needed (no Fast Refresh, that's all).
  esbuild: { jsx: 'automatic' },
  // Only because this repo links pkce-wasm from ../../pkg: pkce-wasm/react's `import 'react'`
  // must find this app's React (not a copy above pkg/), and `vite dev` must serve its .wasm.
  // A copy installed from the registry lives in node_modules and needs none of this.
  resolve: { dedupe: ['react'] },
  server: {
    fs: { allow: [searchForWorkspaceRoot(process.cwd()), fileURLToPath(new URL('../../pkg', import.meta.url))] },
  },
});
