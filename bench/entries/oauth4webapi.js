// Size entry: exactly the oauth4webapi functions an SPA's code flow with refresh uses
// (what adapters/oauth4webapi.js imports), so esbuild tree-shakes the rest away.
export {
  allowInsecureRequests, // only the loopback benchmark needs it; a symbol, a few bytes
  authorizationCodeGrantRequest,
  calculatePKCECodeChallenge,
  generateRandomCodeVerifier,
  generateRandomState,
  None,
  processAuthorizationCodeResponse,
  processRefreshTokenResponse,
  refreshTokenGrantRequest,
  validateAuthResponse,
} from 'oauth4webapi';
