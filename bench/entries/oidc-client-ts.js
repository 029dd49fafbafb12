// Size entry: the UserManager, which is how an SPA uses oidc-client-ts for the code flow.
export { UserManager } from 'oidc-client-ts';
