// pkce-wasm as an application bundles it: the glue goes into the bundle (esbuild resolves
// 'pkce-wasm' to ../pkg), the .wasm sits next to the bundle, where init() looks for it by
// default (build.mjs copies it there, as bundlers emit it as an asset).
import init, { PkceClient } from 'pkce-wasm';

export default {
  async create(cfg) {
    await init();
    return new PkceClient(cfg);
  },
  authorize: (client) => client.authorizeUrl(), // synchronous
  async callback(client, url) {
    const { tokens } = await client.handleCallback(url);
    return tokens.accessToken;
  },
  login: (client) => client.login(),
};
