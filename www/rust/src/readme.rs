//! The README's "Using it from Rust" snippet, compiled with the example so it stays true to the
//! API. scripts/build-rust-example.sh fails when the README's block and the text between the
//! markers differ.
#![allow(dead_code)] // never called: it only has to compile

// README begin
use pkce_wasm::{AuthorizeParams, Client, ClientConfig, LogoutParams, OAuthError};

async fn app() -> Result<(), OAuthError> {
    // discover() fills in the endpoints, the issuer and require_iss from the issuer's metadata.
    let mut config = ClientConfig::for_discovery("my-spa", "https://app.example/");
    config.scope = Some("openid offline_access".into());
    let client = Client::discover("https://login.example", config).await?; // OAuthError { code: DiscoveryError, .. }

    if !client.is_callback(None)? {
        let consent = AuthorizeParams { extra: vec![("prompt".into(), "consent".into())], ..Default::default() };
        return client.login(&consent, None); // stores the transaction, then location.assign
    }
    let login = client.handle_callback(None).await?; // LoginResult { tokens, app_state }; the holder keeps them
    let _claims: Option<String> = login.tokens.claims; // the checked ID token's claims, as JSON text
    let _bearer: String = client.access_token().await?; // from the holder, refreshed when about to expire
    if let Some(refresh_token) = client.tokens()?.and_then(|t| t.refresh_token) {
        client.refresh(&refresh_token).await?; // an explicit refresh; the holder keeps the rotated set
    }
    let back = LogoutParams { post_logout_redirect_uri: Some("https://app.example/".into()), ..Default::default() };
    client.logout(back).await // revokes the refresh token, clears the holder, goes to the end-session endpoint
}
// README end
