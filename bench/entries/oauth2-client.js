// Size entry: the client plus the PKCE verifier helper the code flow needs.
export { OAuth2Client, generateCodeVerifier } from '@badgateway/oauth2-client';
