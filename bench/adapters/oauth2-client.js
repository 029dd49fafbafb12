import { generateCodeVerifier, OAuth2Client } from '../entries/oauth2-client.js';
import { cleanAddressBar, randomState, saveTransaction, takeTransaction } from './app-transaction.js';

const PREFIX = 'oauth2-client';

async function authorize({ client, cfg }) {
  const codeVerifier = await generateCodeVerifier();
  const state = randomState();
  const url = await client.authorizationCode.getAuthorizeUri({
    redirectUri: cfg.redirectUri,
    state,
    codeVerifier,
    scope: [cfg.scope],
  });
  saveTransaction(PREFIX, state, { codeVerifier });
  return url;
}

export default {
  create(cfg) {
    // Both endpoints given: the client never fetches a discovery document.
    const client = new OAuth2Client({
      clientId: cfg.clientId,
      authorizationEndpoint: cfg.authorizationEndpoint,
      tokenEndpoint: cfg.tokenEndpoint,
    });
    return { client, cfg };
  },
  authorize,
  async callback({ client, cfg }, url) {
    const tx = takeTransaction(PREFIX, url);
    const token = await client.authorizationCode.getTokenFromCodeRedirect(url, {
      redirectUri: cfg.redirectUri,
      state: tx.state,
      codeVerifier: tx.codeVerifier,
    });
    cleanAddressBar(url);
    return token.accessToken;
  },
  async login(c) {
    location.assign(await authorize(c));
  },
};
