/* pkce-wasm/vue: a plugin and a composable over one PkceClient. Vue >= 3.3. */
import type { App, Ref } from "vue";
import type { AuthorizeOptions, LogoutOptions, OAuthError, PkceClient, TokenSet } from "./pkce_wasm.js";

/**
 * app.use(createAuth(client)) provides useAuth() to every component. On install (in a browser):
 * on a login popup's redirect page it only relays the response to the opener
 * (PkceClient.relayCallback(); status stays "loading"); on a callback page it redeems the
 * callback once; then it follows the client's holder through subscribe() (login, refresh, clear,
 * logout, other tabs).
 */
export function createAuth(client: PkceClient | Promise<PkceClient>): { install(app: App): void };

/** The state (refs) and actions of the app's createAuth(); throws without one. */
export function useAuth(): {
  /** "loading" until the client is resolved and the callback (if the page is one) is handled. */
  status: Ref<"loading" | "signed-in" | "signed-out">;
  /** The held tokens, in step with the client's holder. */
  tokens: Ref<TokenSet | undefined>;
  /** The last failure of the callback or of login(), loginPopup(), logout() (any other error is
   * wrapped: code "unexpected", the original as `cause`). Each of those actions clears it first. */
  error: Ref<OAuthError | undefined>;
  /** The resolved client, for what the composable does not wrap (refresh(), userinfo(), ...). */
  client: Ref<PkceClient | undefined>;
  /** client.login(); a failure goes to `error`, the promise resolves. */
  login(options?: AuthorizeOptions): Promise<void>;
  /** client.loginPopup(), called synchronously in the click once the client is resolved (before
   * that, the browser may block the popup: "popup_blocked"); a failure goes to `error`. Takes
   * the client's popup options too (popupRedirectUri, timeout). */
  loginPopup(options?: Parameters<PkceClient["loginPopup"]>[0]): Promise<void>;
  /** client.logout(); a failure goes to `error`. */
  logout(options?: LogoutOptions): Promise<void>;
  /** client.getAccessToken(): the shared refresh (and Web Lock); rejects as it does. */
  getAccessToken(): Promise<string>;
  /** client.fetch(). */
  fetch: PkceClient["fetch"];
};
