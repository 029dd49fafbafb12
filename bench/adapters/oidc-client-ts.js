import { UserManager } from '../entries/oidc-client-ts.js';
import { cleanAddressBar } from './app-transaction.js';

// signinRedirect() is the public path to a sign-in request. Its redirect navigator is
// replaced by one that hands the URL back instead of navigating (login() navigates
// itself), so authorize() times oidc-client-ts's full sign-in preparation.
function capturingNavigator(sink) {
  return {
    prepare: async () => ({
      navigate: async ({ url }) => {
        sink.url = url;
        return { url };
      },
      close() {},
    }),
    callback: async () => {},
  };
}

async function authorize({ manager, sink }) {
  await manager.signinRedirect();
  return sink.url;
}

export default {
  create(cfg) {
    const sink = { url: '' };
    const manager = new UserManager({
      authority: cfg.issuer,
      client_id: cfg.clientId,
      redirect_uri: cfg.redirectUri,
      scope: cfg.scope,
      response_type: 'code',
      // Metadata given: no discovery request.
      metadata: {
        issuer: cfg.issuer,
        authorization_endpoint: cfg.authorizationEndpoint,
        token_endpoint: cfg.tokenEndpoint,
      },
    }, capturingNavigator(sink));
    return { manager, sink };
  },
  authorize,
  async callback({ manager }, url) {
    const user = await manager.signinRedirectCallback(url);
    cleanAddressBar(url);
    return user.access_token;
  },
  async login(c) {
    location.assign(await authorize(c));
  },
};
