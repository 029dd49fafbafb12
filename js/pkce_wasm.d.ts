/* pkce-wasm: OAuth 2.0 Authorization Code + PKCE (S256) public client for single-page apps. */

/** Instantiates the WebAssembly module (without `input`: the one fetched and compiled since this module
 * was imported); call (and await) once before anything else. */
export default function init(input?: { module_or_path?: RequestInfo | URL | BufferSource }): Promise<unknown>;

/** Synchronous instantiation from bytes or a compiled module (for workers and tests). */
export function initSync(module: { module: BufferSource | WebAssembly.Module }): unknown;

/** What a client knows about itself and its authorization server. */
export interface ClientConfig {
  /** The registered client_id. */
  clientId: string;
  /** Absolute URL, scheme in lower case, sent byte-for-byte in both requests. */
  redirectUri: string;
  /** https: (http: only on a loopback host). */
  authorizationEndpoint: string;
  /** https: (http: only on a loopback host). */
  tokenEndpoint: string;
  /** Required (unless skipIssuerCheck): a callback `iss` (RFC 9207) and the ID token's `iss` must equal it. */
  issuer?: string;
  /** The explicit opt-out for a server without an issuer identifier: no `issuer`, so neither the
   * callback's `iss` nor the ID token's `iss` is compared. Default false. */
  skipIssuerCheck?: boolean;
  /** Default false; when true a callback without `iss` is rejected. Needs `issuer`. */
  requireIss?: boolean;
  /** Default scope of authorize requests. */
  scope?: string;
  /** Prefix of the storage keys (sessionStorage, localStorage, IndexedDB) and of the Web Lock's
   * name; any string; default "pkce-wasm". */
  storagePrefix?: string;
  /** Seconds a pending login stays valid; default 600, at most 86400. */
  transactionTtl?: number;
  /** Seconds to wait for the token endpoint; default 30, at most 86400. */
  timeout?: number;
  /** RFC 7009 revocation endpoint, for revoke() and logout(); with discover(), wins over the metadata's. */
  revocationEndpoint?: string;
  /** OpenID Connect RP-initiated logout endpoint, for logoutUrl() and logout(); with discover(), wins over the metadata's. */
  endSessionEndpoint?: string;
  /** OpenID Connect UserInfo endpoint, for userinfo(); with discover(), wins over the metadata's. */
  userinfoEndpoint?: string;
  /** Where the token holder keeps tokens: "memory" (default; per tab, gone on reload),
   * "session" (per tab, survives reload), "local" (shared by every tab; readable by any XSS),
   * "worker" (per tab, gone on reload; the code exchange and every refresh run in a dedicated
   * module worker, pkce_wasm_worker.js next to the wasm, and the refresh token exists only in
   * its memory: tokens() has no refreshToken, refresh(token) is "invalid_argument"; no Worker is
   * "browser_required"). */
  tokenStorage?: "memory" | "session" | "local" | "worker";
  /** getAccessToken() refreshes when the access token expires within this many seconds; default 30, at most 86400. */
  refreshLeeway?: number;
  /** Default false. true: every token request (code, refresh, revocation) carries a DPoP proof
   * (RFC 9449) made with a non-extractable WebCrypto key, and tokens must come back DPoP-bound. */
  dpop?: boolean;
  /** Origins (scheme://host[:port], exact match) that fetch() may send the access token to; default []. */
  resourceOrigins?: string[];
  /** RFC 8707 resource indicator(s): absolute URIs (https://…, urn:…) without a fragment; sent on authorize (or PAR), code and refresh requests. */
  resource?: string | string[];
  /** RFC 9126 pushed authorization request endpoint; discover() takes pushed_authorization_request_endpoint. */
  parEndpoint?: string;
  /** Nothing goes front-channel but client_id and request_uri: authorizeUrl() throws "par_required";
   * discover() takes require_pushed_authorization_requests. Needs parEndpoint. */
  requirePar?: boolean;
}

/** The part of ClientConfig that discovery does not provide. */
export type DiscoveryConfig = Omit<ClientConfig, "authorizationEndpoint" | "tokenEndpoint" | "issuer" | "skipIssuerCheck">;

/** Options of an RP-initiated logout. */
export interface LogoutOptions {
  /** The ID token the user signed in with (logout() uses the held one by default). */
  idTokenHint?: string;
  /** Where the server sends the browser afterwards; must be registered. */
  postLogoutRedirectUri?: string;
  /** Echoed back to postLogoutRedirectUri. */
  state?: string;
}

/** Options of one login. */
export interface AuthorizeOptions {
  /** Overrides the configured scope. */
  scope?: string;
  /** Extra authorize parameters (prompt, login_hint, ...); protocol parameters are refused. */
  extraParams?: Record<string, string>;
  /** Any JSON-serializable value, returned by handleCallback. */
  appState?: unknown;
}

/** Tokens from the token endpoint. */
export interface TokenSet {
  accessToken: string;
  /** "Bearer" or "DPoP", as the server spelled it. */
  tokenType: string;
  /** Epoch seconds, computed from expires_in. */
  expiresAt?: number;
  refreshToken?: string;
  /** The ID token as received; its signature is NOT verified by this library. */
  idToken?: string;
  scope?: string;
  /** The ID token's claims, after the iss/aud/azp/exp/iat/nonce checks (signature NOT verified). */
  claims?: Record<string, unknown>;
}

/** The result of a successful callback. */
export interface CallbackResult {
  tokens: TokenSet;
  appState?: unknown;
}

/** An OAuth 2.0 public client for one authorization server. */
export class PkceClient {
  /** Throws OAuthError "invalid_config"; touches no storage. */
  constructor(config: ClientConfig);
  /** New verifier, S256 challenge and state; stores the transaction; returns the authorize URL. Synchronous. */
  authorizeUrl(options?: AuthorizeOptions): string;
  /** Starts a login and navigates: pushes the request first when a PAR endpoint is known (then
   * only client_id and request_uri go front-channel), else authorizeUrl(). With dpop, waits for the key. */
  login(options?: AuthorizeOptions): Promise<void>;
  /** fetch() with the access token (as getAccessToken() gets it) in the Authorization header, and a
   * DPoP proof with dpop; only to resourceOrigins (a URL with user info never), else rejects
   * "untrusted_destination" and sends nothing. Follows no redirect, whatever init.redirect says:
   * a 3xx answer rejects "untrusted_destination" (field "redirect"). A 401 invalid_token
   * refreshes and retries once; use_dpop_nonce retries once. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Signs in in a popup window, opened at once: call it synchronously in a click (no await
   * before it), else the browser blocks it ("popup_blocked"). The verifier stays in this window;
   * the popup's page (popupRedirectUri, default redirectUri, same origin) only hands its URL back
   * through relayCallback(), to this window or, when the authorization server's COOP severed the
   * opener, over a BroadcastChannel named by the login's state. Rejects with "popup_closed" when
   * the user closes it, "timeout" after `timeout` seconds (default 300), else as handleCallback(). */
  loginPopup(options?: AuthorizeOptions & { popupRedirectUri?: string; timeout?: number }): Promise<CallbackResult>;
  /** On the popup's redirect page, before anything else: when this window is a loginPopup()
   * popup, hands its URL to the window that opened it (this origin only), cleans the address bar,
   * closes the window and returns true; false otherwise (then handle the page as usual). */
  static relayCallback(url?: string): boolean;
  /** OpenID Connect UserInfo with the held access token (and DPoP): the claims, once their `sub`
   * equals the ID token's ("invalid_userinfo_response" otherwise; "userinfo_error" when refused). */
  userinfo(): Promise<Record<string, unknown>>;
  /** url defaults to location.href; true when origin+path equal redirectUri's and it carries `state` with `code` or `error`. */
  isCallback(url?: string): boolean;
  /** Validates the callback, redeems the code, removes the response from the address bar.
   * Concurrent or repeated calls for the same callback URL in one page (also without `url`, after
   * the address bar was cleaned) return the same promise, one token request, whatever number of
   * PkceClient instances for this client the page has (React StrictMode's second effect included). */
  handleCallback(url?: string): Promise<CallbackResult>;
  /** Exchanges a refresh token; the result keeps it unless the server rotated it. It goes to the
   * holder only if the holder still holds what it held when the refresh started. With
   * tokenStorage "worker" it rejects with "invalid_argument": only the worker knows the refresh
   * token (getAccessToken() and fetch() refresh there). */
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Builds a client from the issuer's metadata: RFC 8414, then OpenID Connect Discovery (cached in
   * sessionStorage). With dpop, resolves with the key ready. */
  static discover(issuer: string, config: DiscoveryConfig): Promise<PkceClient>;
  /** The held tokens of this client (set by handleCallback and refresh), fresh or not; in "local"
   * mode localStorage's copy, which shows another tab's change a moment after it is made; in
   * "worker" mode without refreshToken. */
  tokens(): TokenSet | undefined;
  /** An access token valid for at least refreshLeeway seconds; concurrent calls share one refresh
   * (in "local" mode under the Web Locks API, across tabs; in "worker" mode in the worker). Rejects with "login_required" when none is held,
   * "lock_failed" when the Web Lock cannot be taken. */
  getAccessToken(): Promise<string>;
  /** Empties the token holder and drops the DPoP key (the next login makes a new one); the
   * same client's other tabs of the origin empty theirs too. */
  clear(): void;
  /** Calls `listener` whenever the held tokens change: login, refresh, clear(), logout(), and
   * (same client) another tab's clear() or logout(), or in "local" mode its refresh. Returns unsubscribe. */
  subscribe(listener: (tokens: TokenSet | undefined) => void): () => void;
  /** Revokes a token (RFC 7009); needs revocationEndpoint. */
  revoke(token: string, hint?: "access_token" | "refresh_token"): Promise<void>;
  /** The end-session URL (RP-initiated logout); needs endSessionEndpoint. */
  logoutUrl(options?: LogoutOptions): string;
  /** Empties the holder (and the same client's in the origin's other tabs), revokes its refresh
   * token (best effort), drops the DPoP key, then navigates to the end-session
   * endpoint if there is one; without one it resolves, signed out locally, without navigating. */
  logout(options?: LogoutOptions): Promise<void>;
  /** Releases the wasm memory of this client; later calls fail with OAuthError "invalid_argument". */
  free(): void;
  [Symbol.dispose](): void;
}

/** Every error the library throws or rejects with. */
export class OAuthError extends Error {
  readonly name: "OAuthError";
  /** Stable reason, e.g. "state_unknown"; see the README for each code. */
  readonly code: OAuthErrorCode | (string & {});
  /** The known config field, callback parameter or ID token claim that failed, e.g. "redirectUri",
   * "iss", "exp". The message is a short fixed sentence: read this instead of parsing it. */
  readonly field?: string;
  /** The server's `error`, for authorization_error, token_error and par_error. */
  readonly error?: string;
  readonly errorDescription?: string;
  readonly errorUri?: string;
  /** HTTP status of the token endpoint's answer. */
  readonly status?: number;
}

/** The codes this version produces. */
export type OAuthErrorCode =
  | "invalid_config" | "invalid_argument" | "invalid_verifier" | "storage_unavailable" | "browser_required"
  | "duplicate_parameter" | "not_a_callback" | "state_missing" | "state_unknown" | "transaction_expired"
  | "transaction_invalid" | "iss_missing" | "iss_mismatch" | "authorization_error" | "implicit_response"
  | "token_error" | "invalid_token_response" | "network_error" | "timeout"
  | "discovery_error" | "id_token_invalid" | "login_required" | "lock_failed"
  | "dpop_error" | "untrusted_destination" | "par_required" | "par_error" | "invalid_par_response"
  | "popup_blocked" | "popup_closed" | "userinfo_error" | "invalid_userinfo_response";

/** 32 random bytes, base64url, 43 chars. */
export function generateCodeVerifier(): string;
/** RFC 7636 §4.2 S256; a bad verifier throws OAuthError "invalid_verifier". */
export function codeChallengeS256(verifier: string): string;
/** 32 random bytes, base64url, 43 chars. */
export function generateState(): string;
