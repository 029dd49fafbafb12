// Size entry: Auth0Client, the single class an SPA uses for the code flow.
export { Auth0Client } from '@auth0/auth0-spa-js';
