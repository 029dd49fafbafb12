// The one class wasm-bindgen cannot generate: an Error subclass. The wasm constructs it
// through an import; `make pkg` re-exports it from pkce_wasm.js.
export class OAuthError extends Error {
  constructor(code, message, error, errorDescription, errorUri, status, field) {
    super(message);
    this.name = "OAuthError";
    this.code = code;
    if (field != null) this.field = field;
    if (error != null) this.error = error;
    if (errorDescription != null) this.errorDescription = errorDescription;
    if (errorUri != null) this.errorUri = errorUri;
    if (status != null) this.status = status;
  }
}
