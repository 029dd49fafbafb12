// pkce-wasm/react and pkce-wasm/vue outside a browser (server-side rendering, Node): importing
// them does not throw, and rendering on the server shows "loading" without touching the client
// (no relay, no callback, no storage). React and Vue come from the root's devDependencies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

const pkg = new URL("../../pkg/", import.meta.url);
const react = await import(new URL("react.js", pkg));
const vue = await import(new URL("vue.js", pkg));
const { initSync, PkceClient } = await import(new URL("pkce_wasm.js", pkg));
initSync({ module: await readFile(new URL("pkce_wasm_bg.wasm", pkg)) });

const { createElement } = await import("react");
const { renderToString } = await import("react-dom/server");
const { createSSRApp, h } = await import("vue");
const { renderToString: renderVue } = await import("vue/server-renderer");

const config = {
  clientId: "spa",
  redirectUri: "https://app.example/callback",
  authorizationEndpoint: "https://as.example/authorize",
  tokenEndpoint: "https://as.example/token",
  issuer: "https://as.example",
};

test("there is no window here", () => assert.equal(typeof globalThis.window, "undefined"));

test("the entries export what their d.ts declare", () => {
  assert.deepEqual(Object.keys(react).sort(), ["AuthProvider", "useAuth"]);
  assert.deepEqual(Object.keys(vue).sort(), ["createAuth", "useAuth"]);
});

for (const [name, client] of [
  ["a client", () => new PkceClient(config)],
  ["a promise of one", () => Promise.resolve(new PkceClient(config))],
]) {
  test(`React: <AuthProvider client={${name}}> renders "loading" on the server`, () => {
    function Status() {
      const auth = react.useAuth();
      return createElement("p", { id: "status", "data-state": auth.status }, typeof auth.login);
    }
    const html = renderToString(createElement(react.AuthProvider, { client: client() }, createElement(Status)));
    assert.equal(html, '<p id="status" data-state="loading">function</p>');
  });

  test(`Vue: createAuth(${name}) renders "loading" on the server`, async () => {
    const app = createSSRApp({
      setup() {
        const auth = vue.useAuth();
        return () => h("p", { id: "status", "data-state": auth.status.value }, typeof auth.login);
      },
    });
    app.use(vue.createAuth(client()));
    assert.equal(await renderVue(app), '<p id="status" data-state="loading">function</p>');
  });
}

test("useAuth() without its provider or plugin throws a plain Error that says so", () => {
  function Orphan() {
    react.useAuth();
    return null;
  }
  assert.throws(() => renderToString(createElement(Orphan)), /AuthProvider/);
  const app = createSSRApp({ setup: () => (vue.useAuth(), () => null) });
  app.config.warnHandler = () => {};
  return assert.rejects(renderVue(app), /createAuth/);
});

// A stand-in client that records each call and whether it came before the caller's first await.
function fakeClient(calls, { fail } = {}) {
  const record = (name, value) => (...args) => {
    calls.push([name, ...args]);
    return fail ? Promise.reject(fail) : Promise.resolve(value);
  };
  return {
    login: record("login"),
    loginPopup: record("loginPopup", { tokens: { accessToken: "a", tokenType: "Bearer" } }),
    logout: record("logout"),
    getAccessToken: record("getAccessToken", "a"),
    fetch: record("fetch", "response"),
  };
}

// The object useAuth() returns, from a server render of one component.
function reactAuth(client) {
  let auth;
  renderToString(createElement(react.AuthProvider, { client }, createElement(() => ((auth = react.useAuth()), null))));
  return auth;
}
async function vueAuth(client) {
  let auth;
  const app = createSSRApp({ setup: () => ((auth = vue.useAuth()), () => null) });
  await renderVue(app.use(vue.createAuth(client)));
  return auth;
}

for (const [name, authOf] of [["React", reactAuth], ["Vue", vueAuth]]) {
  test(`${name}: with the client at hand, each action calls it synchronously (loginPopup opens its window inside the click)`, async () => {
    const calls = [];
    const auth = await authOf(fakeClient(calls));
    const options = { extraParams: { prompt: "consent" } };
    const pending = [auth.loginPopup(options), auth.login(options), auth.logout({ state: "s" }), auth.getAccessToken(), auth.fetch("https://api.example/", { method: "POST" })];
    assert.deepEqual(calls, [["loginPopup", options], ["login", options], ["logout", { state: "s" }], ["getAccessToken"], ["fetch", "https://api.example/", { method: "POST" }]]);
    assert.deepEqual(await Promise.all(pending), [undefined, undefined, undefined, "a", "response"]);
  });

  test(`${name}: login(), loginPopup() and logout() resolve on failure; getAccessToken() and fetch() reject as the client does`, async () => {
    const calls = [];
    const failure = new TypeError("offline");
    const auth = await authOf(fakeClient(calls, { fail: failure }));
    for (const action of ["login", "loginPopup", "logout"]) assert.equal(await auth[action](), undefined, action);
    await assert.rejects(auth.getAccessToken(), failure);
    await assert.rejects(auth.fetch("https://api.example/"), failure);
  });
}

test("Vue: a failure that is not an OAuthError is in `error` as one, code unexpected, the original as cause", async () => {
  const { OAuthError } = await import(new URL("pkce_wasm.js", pkg));
  const failure = new TypeError("offline");
  const auth = await vueAuth(fakeClient([], { fail: failure }));
  await auth.loginPopup();
  assert.ok(auth.error.value instanceof OAuthError);
  assert.deepEqual([auth.error.value.code, auth.error.value.message, auth.error.value.cause], ["unexpected", "offline", failure]);
  const refused = new OAuthError("popup_blocked", "The popup was blocked.");
  const blocked = await vueAuth({ loginPopup: () => Promise.reject(refused) });
  await blocked.loginPopup();
  assert.equal(blocked.error.value, refused, "an OAuthError as it is");
  assert.equal(blocked.status.value, "loading", "on the server the plugin does not start");
});
