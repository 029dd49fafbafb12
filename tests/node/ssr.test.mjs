// The package outside a browser (SSR, Node): importing must not throw; calls that need the
// browser reject with OAuthError "browser_required"; pure calls work.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

const pkg = new URL("../../pkg/", import.meta.url);
const wasm = await import(new URL("pkce_wasm.js", pkg));
const { initSync, PkceClient, OAuthError, codeChallengeS256, generateCodeVerifier } = wasm;
initSync({ module: await readFile(new URL("pkce_wasm_bg.wasm", pkg)) });

const config = {
  clientId: "spa",
  redirectUri: "https://app.example/callback",
  authorizationEndpoint: "https://as.example/authorize",
  tokenEndpoint: "https://as.example/token",
  issuer: "https://as.example",
};

const codeOf = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof OAuthError && e instanceof Error, `not an OAuthError: ${e}`);
    assert.equal(e.name, "OAuthError");
    return e.code;
  }
  assert.fail("did not throw");
};

test("there is no window here", () => assert.equal(typeof globalThis.window, "undefined"));

test("constructing a client needs no browser", () => {
  const client = new PkceClient(config);
  assert.equal(client.isCallback("https://app.example/callback?code=a&state=b"), true);
  client.free();
});

test("browser calls throw browser_required", async () => {
  const client = new PkceClient(config);
  assert.equal(codeOf(() => client.authorizeUrl()), "browser_required");
  // login() is a Promise since issue 12 (it may push the request first): it rejects.
  await assert.rejects(client.login(), (e) => e instanceof OAuthError && e.code === "browser_required");
  assert.equal(codeOf(() => client.isCallback()), "browser_required");
  await assert.rejects(client.handleCallback(), (e) => e instanceof OAuthError && e.code === "browser_required");
  await assert.rejects(client.handleCallback("https://app.example/callback?code=a&state=b"), (e) => e.code === "browser_required");
});

test("RFC 7636 Appendix B through the JS API", () => {
  assert.equal(codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  assert.equal(codeOf(() => codeChallengeS256("too-short")), "invalid_verifier");
  assert.equal(codeOf(() => codeChallengeS256(42)), "invalid_verifier");
  assert.match(generateCodeVerifier(), /^[A-Za-z0-9_-]{43}$/);
  assert.match(wasm.generateState(), /^[A-Za-z0-9_-]{43}$/);
});

test("invalid_config names the field", () => {
  for (const [field, value] of [
    ["clientId", ""],
    ["redirectUri", "/callback"],
    ["authorizationEndpoint", "http://as.example/authorize"],
    ["tokenEndpoint", 5],
    ["issuer", "http://10.0.0.1"],
    ["requireIss", "yes"],
    ["transactionTtl", 1.5],
    ["timeout", -1],
    ["refreshLeeway", 86401],
    ["transactionTtl", 86401],
    ["skipIssuerCheck", "yes"],
  ]) {
    let error;
    try {
      new PkceClient({ ...config, issuer: "https://as.example", [field]: value });
    } catch (e) {
      error = e;
    }
    assert.equal(error?.code, "invalid_config", field);
    assert.equal(error.field, field, `${field}: ${error.message}`);
  }
  const { issuer, ...withoutIssuer } = config;
  assert.equal(codeOf(() => new PkceClient(withoutIssuer)), "invalid_config", "issuer is required");
  new PkceClient({ ...withoutIssuer, skipIssuerCheck: true }).free();
  assert.equal(codeOf(() => new PkceClient(null)), "invalid_config");
});

test("a freed client fails with OAuthError, async methods reject, and the module stays usable", async () => {
  const freed = new PkceClient(config);
  freed.free();
  for (let i = 0; i < 1_000; i++) {
    assert.equal(codeOf(() => freed.isCallback("https://app.example/callback?code=a&state=b")), "invalid_argument");
    const pending = freed.handleCallback();
    assert.ok(pending instanceof Promise);
    pending.catch(() => {});
  }
  await assert.rejects(freed.handleCallback(), (e) => e instanceof OAuthError && e.code === "invalid_argument");
  freed.free();
  const client = new PkceClient(config);
  assert.equal(client.isCallback("https://app.example/callback?code=a&state=b"), true);
  assert.equal(codeOf(() => client.isCallback(42)), "invalid_argument");
});
