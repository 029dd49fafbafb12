// Compiled with `tsc --strict --noEmit` in `make test`: pkce-wasm/vue (pkg/vue.d.ts), used as an app would.
import { createApp, defineComponent, h, type Ref } from "vue";
import init, { OAuthError, PkceClient, type TokenSet } from "pkce-wasm";
import { createAuth, useAuth } from "pkce-wasm/vue";

const App = defineComponent({
  setup() {
    const { status, tokens, error, client, login, loginPopup, logout, getAccessToken, fetch } = useAuth();
    const state: Ref<"loading" | "signed-in" | "signed-out"> = status;
    const held: Ref<TokenSet | undefined> = tokens;
    const failed: Ref<OAuthError | undefined> = error;
    const resolved: PkceClient | undefined = client.value;
    const call = async () => {
      const token: string = await getAccessToken();
      const response: Response = await fetch("https://api.example/me", { method: "POST", body: "{}" });
      return `${token} ${response.status} ${resolved ? "ready" : ""}`;
    };
    const started: Promise<void> = login({ extraParams: { prompt: "consent" } });
    void started;
    return () =>
      h("main", [
        h("p", { id: "status", "data-state": state.value }, held.value?.accessToken ?? failed.value?.code),
        h("button", { onClick: () => loginPopup() }, "Popup"),
        h("button", { onClick: () => loginPopup({ appState: { returnTo: "/" }, popupRedirectUri: "https://app.example/popup.html", timeout: 60 }) }, "Popup with options"),
        h("button", { onClick: async () => (await client.value?.userinfo())?.["sub"] }, "Who am I"),
        h("button", { onClick: () => logout({ postLogoutRedirectUri: "https://app.example/" }) }, "Sign out"),
        h("button", { onClick: () => logout() }, "Sign out here"),
        h("button", { onClick: call }, "Call"),
      ]);
  },
});

export async function main() {
  await init();
  const plugin: { install(app: ReturnType<typeof createApp>): void } = createAuth(PkceClient.discover("https://as.example", { clientId: "spa", redirectUri: "https://app.example/" }));
  createApp(App).use(plugin).mount("#app");
  const client = new PkceClient({ clientId: "spa", redirectUri: "https://app.example/", authorizationEndpoint: "https://as.example/a", tokenEndpoint: "https://as.example/t", issuer: "https://as.example" });
  createApp(App).use(createAuth(client));
}
