import {
  allowInsecureRequests,
  authorizationCodeGrantRequest,
  calculatePKCECodeChallenge,
  generateRandomCodeVerifier,
  generateRandomState,
  None,
  processAuthorizationCodeResponse,
  validateAuthResponse,
} from '../entries/oauth4webapi.js';
import { cleanAddressBar, saveTransaction, takeTransaction } from './app-transaction.js';

const PREFIX = 'oauth4webapi';
// The stub authorization server is plain http on loopback; oauth4webapi refuses http
// endpoints unless told otherwise.
const LOOPBACK = { [allowInsecureRequests]: true };

async function authorize({ as, client, cfg }) {
  const verifier = generateRandomCodeVerifier();
  const challenge = await calculatePKCECodeChallenge(verifier);
  const state = generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', cfg.redirectUri);
  url.searchParams.set('scope', cfg.scope);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  saveTransaction(PREFIX, state, { verifier });
  return url.href;
}

export default {
  create(cfg) {
    const as = {
      issuer: cfg.issuer,
      authorization_endpoint: cfg.authorizationEndpoint,
      token_endpoint: cfg.tokenEndpoint,
      // The stub sends RFC 9207 `iss`, as pkce-wasm is configured to check it.
      authorization_response_iss_parameter_supported: true,
    };
    return { as, client: { client_id: cfg.clientId }, cfg };
  },
  authorize,
  async callback({ as, client, cfg }, url) {
    const tx = takeTransaction(PREFIX, url);
    const params = validateAuthResponse(as, client, new URL(url), tx.state);
    const response = await authorizationCodeGrantRequest(
      as, client, None(), params, cfg.redirectUri, tx.verifier, LOOPBACK);
    const tokens = await processAuthorizationCodeResponse(as, client, response);
    cleanAddressBar(url);
    return tokens.access_token;
  },
  async login(c) {
    location.assign(await authorize(c));
  },
};
