// A real OpenID Provider (panva's oidc-provider, certified) on the loopback interface, for
// the examples and the browser tests. Not a production configuration: in-memory storage,
// generated keys, one hard-coded public client (plus, on request, a second public client that
// must use PAR and a confidential client with which a resource server introspects).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

import { close, listen } from './http.mjs';

export const CLIENT_ID = 'pkce-wasm-example';
/** The public client registered with `par: true`: same settings, but it must push (RFC 9126). */
export const PAR_CLIENT_ID = 'pkce-wasm-par';
/** The confidential client registered with `resource`: the resource server introspects with it. */
export const RESOURCE_CLIENT_ID = 'pkce-wasm-resource';
/** The scope of the resource server registered with `resource` (ask for it with `resource`). */
export const RESOURCE_SCOPE = 'api:read';
export const TEST_ACCOUNT = 'test-user';

/**
 * Starts the authorization server on http://127.0.0.1:{port} (0 = any free port).
 *
 * clientOrigins: the examples' origins; each gets `${origin}/` as its exact redirect URI
 *   and post-logout redirect URI, and is the only kind of origin allowed by CORS.
 * interactive: true keeps oidc-provider's stock login and consent pages (any username and
 *   password sign in) for a person; false signs TEST_ACCOUNT in and grants consent without
 *   any page, so a browser test needs no form filling.
 *
 * path: mounts the server under a path, e.g. '/oidc', so the issuer is path-style
 *   (http://127.0.0.1:{port}/oidc); its metadata is then only at the OpenID Discovery location
 *   ({issuer}/.well-known/openid-configuration), not at the RFC 8414 one.
 *
 * Opt-in features (absent = the server behaves and advertises as before, except that PAR is
 * never advertised unless asked: oidc-provider 9 enables it by default, and the client pushes
 * whenever it discovers a PAR endpoint):
 *
 * dpop: true enables DPoP (RFC 9449) with server nonces that are demanded: a token (or PAR)
 *   request whose proof lacks the current nonce gets 400 use_dpop_nonce and a DPoP-Nonce header.
 *   false disables DPoP (dpop_signing_alg_values_supported is then not advertised). Absent:
 *   oidc-provider's default, DPoP accepted without nonces. With true, DPoP-Nonce, WWW-Authenticate
 *   and Date are readable by the client origins' script (Access-Control-Expose-Headers).
 * par: true enables and advertises pushed authorization requests (RFC 9126) and registers a
 *   second public client, PAR_CLIENT_ID, with require_pushed_authorization_requests.
 * resource: a resource indicator (RFC 8707), e.g. a resource server's origin + '/': requests with
 *   resource=<it> (and scope RESOURCE_SCOPE) get an opaque access token with that audience; a
 *   refresh without `resource` keeps the granted one. Also enables token introspection (RFC 7662)
 *   for the confidential client RESOURCE_CLIENT_ID, returned as `introspectionClient`.
 * coop: true answers every request with Cross-Origin-Opener-Policy: same-origin, as many
 *   providers' login pages do: a popup that reaches it loses its opener (window.opener is null
 *   in the popup, and the opener sees the popup as closed).
 * accessTokenTtl: access token lifetime in seconds (oidc-provider's ttl.AccessToken; default
 *   one hour).
 *
 * Returns { issuer, requests, grants, refreshTokens, introspectionClient, refuseConsent(bool), dropAccessToken(token), close() }
 * (introspectionClient: { id, secret } with `resource`, else null). `requests` lists every HTTP
 * request the server received ({ method, path, query, origin, cookie, body, location }: body is
 * the parsed form of a POST, a URLSearchParams; location is where a redirect answer sent the
 * browser), so tests can check, for example, that no CORS preflight ever reached the token
 * endpoint, or which code a token request redeemed. `grants` lists every token endpoint grant as
 * the provider judged it ({ grantType, code, refreshToken, ok, error }), so tests can count code
 * redemptions and refresh token reuse from the server's own record. `refreshTokens` lists every
 * refresh token the server issued (its value, from the provider's own `refresh_token.saved`
 * event), so a test knows a token the client must keep from the page without asking the page.
 */
export async function startAuthServer({
  port = 0, clientOrigins, interactive = false, path = '', dpop, par = false, resource, accessTokenTtl, coop = false,
}) {
  const requests = [];
  const grants = [];
  const refreshTokens = [];
  let refusing = false;

  const server = createServer();
  const issuer = (await listen(server, port)) + path;

  const introspectionClient = resource ? { id: RESOURCE_CLIENT_ID, secret: randomBytes(32).toString('base64url') } : null;
  const publicClient = (clientId) => ({
    client_id: clientId,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // `${origin}/popup.html`: a page of its own for loginPopup()'s popupRedirectUri.
    redirect_uris: clientOrigins.flatMap((origin) => [`${origin}/`, `${origin}/popup.html`]),
    post_logout_redirect_uris: clientOrigins.map((origin) => `${origin}/`),
  });
  const clients = [publicClient(CLIENT_ID)];
  if (par) clients.push({ ...publicClient(PAR_CLIENT_ID), require_pushed_authorization_requests: true });
  if (introspectionClient) clients.push(resourceClient(introspectionClient));

  const provider = new Provider(issuer, {
    clients,
    // S256 only in v9; required for every client, not just public ones.
    pkce: { required: () => true },
    // Browsers call only as the public clients; the resource server calls from Node (no Origin).
    clientBasedCORS: (ctx, origin, client) => clientOrigins.includes(origin) && client.clientId !== RESOURCE_CLIENT_ID,
    // A public client's refresh token is single-use: each refresh returns a new one, and
    // presenting a used one is rejected (and revokes the grant: reuse detection).
    rotateRefreshToken: true,
    // An SPA has no iframe-based silent renew left (third-party cookies), so it gets a
    // refresh token whenever it may use the grant. The examples still ask the standard way
    // (offline_access + prompt=consent), which is what other providers require.
    issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: (ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, name: sub === TEST_ACCOUNT ? 'Test User' : sub }),
    }),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    interactions: { url: (ctx, interaction) => `${path}/interaction/${interaction.uid}` },
    ...(accessTokenTtl === undefined ? {} : { ttl: { AccessToken: accessTokenTtl } }),
    features: {
      devInteractions: { enabled: interactive },
      revocation: { enabled: true },
      rpInitiatedLogout: interactive ? { enabled: true } : { enabled: true, logoutSource: autoConfirmLogout },
      pushedAuthorizationRequests: { enabled: par },
      ...(dpop === undefined ? {} : { dPoP: dpopFeature(dpop) }),
      ...(resource ? resourceFeatures(resource) : {}),
    },
  });

  // oidc-provider exposes DPoP-Nonce and WWW-Authenticate itself; the client also reads Date
  // (the server's clock, for a proof's iat), which is not a CORS-safelisted response header.
  if (dpop) provider.use(exposeDate);

  // The server's own record of each request's form body and redirect target.
  const recorded = new WeakMap();
  provider.use(async (ctx, next) => {
    await next();
    const record = recorded.get(ctx.req);
    if (!record) return;
    if (ctx.method === 'POST' && ctx.oidc?.body) record.body = new URLSearchParams(ctx.oidc.body);
    record.location = ctx.response.get('location') || null;
  });

  const grant = (ok) => (ctx, error) => {
    const params = ctx.oidc?.params ?? {};
    grants.push({ grantType: params.grant_type, code: params.code, refreshToken: params.refresh_token, ok, error: error?.error });
  };
  provider.on('grant.success', grant(true));
  // Every refresh token the server issued, as its value (opaque: the token's id), in order.
  provider.on('refresh_token.saved', (token) => refreshTokens.push(token.jti));
  provider.on('grant.error', grant(false));

  if (!interactive) {
    provider.use(async (ctx, next) => {
      const match = ctx.method === 'GET' && /^\/interaction\/[^/]+$/.test(ctx.path);
      if (!match) return next();
      await autoInteract(provider, ctx, refusing);
    });
  }

  const handle = provider.callback();
  server.on('request', (req, res) => {
    const [pathname, query = ''] = req.url.split('?');
    const record = { method: req.method, path: pathname, query: new URLSearchParams(query), origin: req.headers.origin, cookie: req.headers.cookie, body: null, location: null };
    requests.push(record);
    recorded.set(req, record);
    if (coop) res.setHeader('cross-origin-opener-policy', 'same-origin');
    if (!req.url.startsWith(`${path}/`)) {
      res.writeHead(404).end();
      return;
    }
    // The provider routes on paths relative to its mount and builds its URLs from
    // `originalUrl`, as it does under Express or koa-mount.
    req.originalUrl = req.url;
    req.url = req.url.slice(path.length);
    handle(req, res);
  });

  return {
    issuer,
    requests,
    grants,
    refreshTokens,
    introspectionClient,
    refuseConsent(value) { refusing = value; },
    // What expiry does to one access token, without waiting for it: the server forgets it (its
    // grant and refresh token stay valid, unlike a revocation, which ends the whole grant).
    async dropAccessToken(value) { await (await provider.AccessToken.find(value))?.destroy(); },
    close: () => close(server),
  };
}

// The resource server's client: it only introspects (no grant of its own).
function resourceClient({ id, secret }) {
  return {
    client_id: id,
    client_secret: secret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  };
}

// DPoP on (nonces demanded wherever a proof is checked: token and PAR endpoints) or off.
function dpopFeature(on) {
  if (!on) return { enabled: false };
  return { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true };
}

// One resource server, `resource`, with opaque access tokens (its server introspects them).
function resourceFeatures(resource) {
  return {
    resourceIndicators: {
      enabled: true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return { scope: RESOURCE_SCOPE, accessTokenFormat: 'opaque' };
      },
      // A request without `resource` (a refresh, or a code redemption) gets the granted one.
      useGrantedResource: () => true,
    },
    introspection: {
      enabled: true,
      allowedPolicy: (ctx, client) => client.clientId === RESOURCE_CLIENT_ID,
    },
  };
}

// Appends Date to a CORS answer's exposed headers (preflights have nothing to expose).
async function exposeDate(ctx, next) {
  await next();
  if (ctx.method === 'OPTIONS' || !ctx.response.get('Access-Control-Allow-Origin')) return;
  const exposed = ctx.response.get('Access-Control-Expose-Headers');
  ctx.set('Access-Control-Expose-Headers', exposed ? `${exposed}, Date` : 'Date');
}

// What a person would do on the login and consent pages, minus the pages.
async function autoInteract(provider, ctx, refusing) {
  const { prompt, params, session, grantId } = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: TEST_ACCOUNT } };
  } else if (refusing) {
    // Markup in the description lets the tests check that the examples show it as text.
    result = { error: 'access_denied', error_description: 'The user refused <b>consent</b>' };
  } else {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: prompt.name !== 'login',
  });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

// The stock "Do you want to sign out?" page, answered "yes" by script. (The stock page
// also loads web fonts from the internet, which tests must not do.)
function autoConfirmLogout(ctx, form) {
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html><title>Signing out</title>${form}
<input type="hidden" form="op.logoutForm" name="logout" value="yes">
<script>document.getElementById('op.logoutForm').submit()</script>`;
}
