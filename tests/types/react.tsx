// Compiled with `tsc --strict --noEmit` in `make test`: pkce-wasm/react (pkg/react.d.ts), used as an app would.
import { StrictMode, useState } from "react";
import init, { OAuthError, PkceClient, type TokenSet } from "pkce-wasm";
import { AuthProvider, useAuth } from "pkce-wasm/react";

function App() {
  const { status, tokens, error, client, login, loginPopup, logout, getAccessToken, fetch } = useAuth();
  const [claims, setClaims] = useState<string>();
  const state: "loading" | "signed-in" | "signed-out" = status;
  const held: TokenSet | undefined = tokens;
  const failed: OAuthError | undefined = error;
  const code: string | undefined = failed?.code;
  const maybe: PkceClient | undefined = client;
  const done: Promise<void> = login({ extraParams: { prompt: "consent" }, appState: { returnTo: "/" } });
  void done;
  const call = async () => {
    const token: string = await getAccessToken();
    const response: Response = await fetch("https://api.example/me", { headers: { accept: "application/json" } });
    await fetch(new URL("https://api.example/me"));
    setClaims(`${token} ${response.status}`);
  };
  return (
    <main>
      <p id="status" data-state={state}>{held?.accessToken ?? code ?? claims}</p>
      <button onClick={() => loginPopup()}>Popup</button>
      <button onClick={() => loginPopup({ scope: "openid", popupRedirectUri: "https://app.example/popup.html", timeout: 60 })}>Popup with options</button>
      <button onClick={async () => setClaims(JSON.stringify(await maybe?.userinfo()))}>Who am I</button>
      <button onClick={() => logout({ postLogoutRedirectUri: "https://app.example/" })}>Sign out</button>
      <button onClick={() => logout()}>Sign out here</button>
      <button onClick={call} disabled={!maybe}>Call</button>
    </main>
  );
}

export async function main(root: { render(node: React.ReactNode): void }) {
  await init();
  const discovered: Promise<PkceClient> = PkceClient.discover("https://as.example", { clientId: "spa", redirectUri: "https://app.example/" });
  root.render(<StrictMode><AuthProvider client={discovered}><App /></AuthProvider></StrictMode>);
  const client = new PkceClient({ clientId: "spa", redirectUri: "https://app.example/", authorizationEndpoint: "https://as.example/a", tokenEndpoint: "https://as.example/t", issuer: "https://as.example" });
  const element: React.ReactElement = AuthProvider({ client });
  root.render(element);
}
