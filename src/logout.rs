//! OpenID Connect RP-initiated logout: the end-session URL.

use crate::config::ClientConfig;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::form;
use alloc::string::String;

/// What the end-session request carries (the JS `LogoutOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogoutParams {
    /// The ID token the user signed in with.
    pub id_token_hint: Option<String>,
    /// Where the server sends the browser afterwards (must be registered).
    pub post_logout_redirect_uri: Option<String>,
    /// Echoed back to `post_logout_redirect_uri`.
    pub state: Option<String>,
}

/// The end-session URL; `invalid_config` when no `endSessionEndpoint` is known.
pub fn logout_url(config: &ClientConfig, params: &LogoutParams) -> Result<String> {
    let Some(endpoint) = &config.end_session_endpoint else {
        return Err(OAuthError::new(ErrorCode::InvalidConfig, "endSessionEndpoint is not configured or discovered"));
    };
    let mut url = form::with_query(endpoint);
    for (name, value) in [
        ("id_token_hint", params.id_token_hint.as_ref()),
        ("post_logout_redirect_uri", params.post_logout_redirect_uri.as_ref()),
        ("state", params.state.as_ref()),
    ] {
        if let Some(value) = value {
            form::push_pair(&mut url, name, value);
        }
    }
    form::push_pair(&mut url, "client_id", &config.client_id);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    #[test]
    fn builds_the_end_session_url() {
        let mut config = config::sample();
        assert_eq!(logout_url(&config, &LogoutParams::default()).unwrap_err().code, ErrorCode::InvalidConfig);
        config.end_session_endpoint = Some("https://as.example/logout".into());
        let params = LogoutParams {
            id_token_hint: Some("x.y.z".into()),
            post_logout_redirect_uri: Some("https://app.example/bye".into()),
            state: Some("s".into()),
        };
        assert_eq!(
            logout_url(&config, &params).unwrap(),
            "https://as.example/logout?id_token_hint=x.y.z&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&state=s&client_id=spa"
        );
        assert_eq!(logout_url(&config, &LogoutParams::default()).unwrap(), "https://as.example/logout?client_id=spa");
    }
}
