// Compiled with `tsc --strict --noEmit` in `make test`: every member of the public API,
// used the way an app would, must type-check against pkg/pkce_wasm.d.ts.
import init, {
  PkceClient,
  OAuthError,
  generateCodeVerifier,
  codeChallengeS256,
  generateState,
  type ClientConfig,
  type AuthorizeOptions,
  type TokenSet,
  type CallbackResult,
  type OAuthErrorCode,
  type DiscoveryConfig,
  type LogoutOptions,
} from "pkce-wasm";

interface AppState { returnTo: string }

export async function main(): Promise<TokenSet | undefined> {
  await init();
  await init({ module_or_path: new URL("./pkce_wasm_bg.wasm", import.meta.url) });
  const config: ClientConfig = {
    clientId: "spa",
    redirectUri: "https://app.example/callback",
    authorizationEndpoint: "https://as.example/authorize",
    tokenEndpoint: "https://as.example/token",
    issuer: "https://as.example",
    skipIssuerCheck: false,
    requireIss: true,
    scope: "openid",
    storagePrefix: "app",
    transactionTtl: 300,
    timeout: 10,
    revocationEndpoint: "https://as.example/revoke",
    endSessionEndpoint: "https://as.example/logout",
    tokenStorage: "local",
    refreshLeeway: 60,
  };
  const discovered: PkceClient = await PkceClient.discover("https://as.example", { clientId: "spa", redirectUri: config.redirectUri, tokenStorage: "session" } satisfies DiscoveryConfig);
  const inWorker: PkceClient = new PkceClient({ ...config, tokenStorage: "worker" }); // the refresh token only in its worker
  await inWorker.getAccessToken();
  const held: TokenSet | undefined = discovered.tokens();
  const claims: Record<string, unknown> | undefined = held?.claims;
  console.log(claims?.["sub"]);
  const bearer: string = await discovered.getAccessToken();
  await discovered.revoke(bearer, "access_token");
  await discovered.revoke(bearer);
  const bye: LogoutOptions = { idTokenHint: held?.idToken, postLogoutRedirectUri: "https://app.example/", state: "s" };
  const logoutAt: string = discovered.logoutUrl(bye);
  console.log(logoutAt, discovered.logoutUrl());
  await discovered.logout(bye);
  await discovered.logout();
  const unsubscribe: () => void = discovered.subscribe((now: TokenSet | undefined) => console.log(now?.accessToken));
  unsubscribe();
  discovered.clear();
  const client = new PkceClient(config);
  const options: AuthorizeOptions = { scope: "openid profile", extraParams: { prompt: "login" }, appState: { returnTo: "/" } };
  const url: string = client.authorizeUrl(options);
  client.authorizeUrl();
  if (url.length === 0) await client.login(options);
  const pushed: Promise<void> = client.login();
  await pushed;
  const api = new PkceClient({ ...config, dpop: true, resourceOrigins: ["https://api.example"], resource: "https://api.example/", parEndpoint: "https://as.example/par", requirePar: true });
  const response: Response = await api.fetch("https://api.example/me");
  await api.fetch(new URL("https://api.example/me"), { method: "POST", body: "{}" });
  await api.fetch(new Request("https://api.example/me"));
  console.log(response.status, new PkceClient({ ...config, resource: ["https://a.example/", "https://b.example/"] }));
  const dpopCodes: OAuthErrorCode[] = ["dpop_error", "untrusted_destination", "par_required", "par_error", "invalid_par_response"];
  console.log(dpopCodes);
  // Popup sign-in, synchronously in a click; its page relays; UserInfo.
  const popup: Promise<CallbackResult> = client.loginPopup({ scope: "openid", popupRedirectUri: "https://app.example/popup.html", timeout: 120 });
  client.loginPopup();
  const relayed: boolean = PkceClient.relayCallback() || PkceClient.relayCallback(location.href);
  const userClaims: Record<string, unknown> = await client.userinfo();
  console.log(await popup, relayed, userClaims.sub, new PkceClient({ ...config, userinfoEndpoint: "https://as.example/me" }));
  const popupCodes: OAuthErrorCode[] = ["popup_blocked", "popup_closed", "timeout", "userinfo_error", "invalid_userinfo_response"];
  console.log(popupCodes);
  const verifier: string = generateCodeVerifier();
  const challenge: string = codeChallengeS256(verifier);
  const state: string = generateState();
  console.log(challenge, state);
  if (client.isCallback() || client.isCallback(location.href)) {
    try {
      const result: CallbackResult = await client.handleCallback();
      await client.handleCallback(location.href);
      const back = result.appState as AppState | undefined;
      console.log(back?.returnTo);
      const { accessToken, tokenType, expiresAt, refreshToken, idToken, scope }: TokenSet = result.tokens;
      console.log(accessToken, tokenType, expiresAt?.toFixed(), idToken, scope);
      if (refreshToken !== undefined) return await client.refresh(refreshToken);
    } catch (e) {
      if (e instanceof OAuthError) {
        const code: OAuthErrorCode | string = e.code;
        const message: string = e.message;
        const field: string | undefined = e.field;
        const name: "OAuthError" = e.name;
        console.log(code, message, field, name, e.error, e.errorDescription, e.errorUri, e.status?.toFixed());
      } else if (e instanceof Error) {
        throw e;
      }
    }
  }
  client.free();
  return undefined;
}
