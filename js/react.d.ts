/* pkce-wasm/react: a provider and a hook over one PkceClient. React >= 18. */
import type { ReactElement, ReactNode } from "react";
import type { AuthorizeOptions, LogoutOptions, OAuthError, PkceClient, TokenSet } from "./pkce_wasm.js";

/**
 * Gives its children useAuth(). On start: on a login popup's redirect page it only relays the
 * response to the opener (PkceClient.relayCallback(); status stays "loading"); on a callback page
 * it redeems the callback once, however often StrictMode runs its effect; then it follows the
 * client's holder through subscribe() (login, refresh, clear, logout, other tabs).
 * Make `client` once, outside any component: a new promise on every render starts over.
 */
export function AuthProvider(props: { client: PkceClient | Promise<PkceClient>; children?: ReactNode }): ReactElement;

/** The state and actions of the nearest AuthProvider; throws outside one. */
export function useAuth(): {
  /** "loading" until the client is resolved and the callback (if the page is one) is handled. */
  status: "loading" | "signed-in" | "signed-out";
  /** The held tokens, in step with the client's holder. */
  tokens?: TokenSet;
  /** The last failure of the callback or of login(), loginPopup(), logout() (any other error is
   * wrapped: code "unexpected", the original as `cause`). Each of those actions clears it first. */
  error?: OAuthError;
  /** The resolved client, for what the hook does not wrap (refresh(), userinfo(), ...). */
  client?: PkceClient;
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
