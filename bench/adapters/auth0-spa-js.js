import { Auth0Client } from '../entries/auth0-spa-js.js';
import { cleanAddressBar } from './app-transaction.js';

// auth0-spa-js derives its endpoints from `domain` (`/authorize`, `/oauth/token`) and
// prefixes https:// unless a scheme is given, so the stub's http origin is passed whole.
// It always asks for `openid` and requires an ID token (claims checked, signature not);
// the stub supplies one whenever the authorization request carried a nonce.
export default {
  create(cfg) {
    return new Auth0Client({
      domain: cfg.issuer,
      clientId: cfg.clientId,
      authorizationParams: { redirect_uri: cfg.redirectUri, scope: cfg.scope },
    });
  },
  async authorize(client) {
    let url = '';
    await client.loginWithRedirect({ openUrl: (u) => { url = u; } });
    return url;
  },
  async callback(client, url) {
    await client.handleRedirectCallback(url);
    cleanAddressBar(url);
    // The tokens are in auth0's in-memory cache; reading them back is not part of the
    // callback work other libraries do, so it is left out.
    return 'cached';
  },
  login: (client) => client.loginWithRedirect(),
};
