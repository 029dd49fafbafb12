// The one client configuration every adapter receives (see adapters/README.md). The
// redirect URI is per library so the login pages can tell which library to run.
import env from '/page/env.js';

export function clientConfig(lib) {
  return {
    clientId: env.clientId,
    redirectUri: `${location.origin}/cb/${lib}`,
    issuer: env.asOrigin,
    authorizationEndpoint: `${env.asOrigin}/authorize`,
    tokenEndpoint: `${env.asOrigin}/token`,
    scope: 'read',
  };
}

export async function loadAdapter(lib) {
  return (await import(`/dist/${lib}.js`)).default;
}
