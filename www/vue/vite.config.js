import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig, searchForWorkspaceRoot } from 'vite';

export default defineConfig({
  plugins: [vue()],
  // Only because this repo links pkce-wasm from ../../pkg: let `vite dev` serve its .wasm.
  // A copy installed from the registry lives in node_modules and needs none of this.
  server: {
    fs: { allow: [searchForWorkspaceRoot(process.cwd()), fileURLToPath(new URL('../../pkg', import.meta.url))] },
  },
});
