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
