// pkce-wasm without a bundler, as `<script type="module">` uses it: the glue and .wasm are
// fetched from /pkg/ at run time. Only its cold start is measured (a note under the table).
import init, { PkceClient } from '/pkg/pkce_wasm.js';

export default {
  async create(cfg) {
    await init();
    return new PkceClient(cfg);
  },
};
