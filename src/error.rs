//! `OAuthError`: every failure is a value with a stable `code`.
use alloc::string::String;

/// Stable, machine-readable reason for a failure; `as_str` is what JS sees as `OAuthError.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The client configuration is unusable; the message names the field.
    InvalidConfig,
    /// An argument to a call is unusable (empty refresh token, protected `extraParams` key, ...).
    InvalidArgument,
    /// A code verifier is not 43–128 characters of `[A-Za-z0-9-._~]`.
    InvalidVerifier,
    /// `sessionStorage` is missing, disabled or full.
    StorageUnavailable,
    /// The call needs a browser API that this environment lacks (SSR, Node).
    BrowserRequired,
    /// A callback parameter appears more than once.
    DuplicateParameter,
    /// The URL carries neither `code` nor `error`.
    NotACallback,
    /// The callback has no `state`.
    StateMissing,
    /// No pending login in this tab matches the callback's `state`.
    StateUnknown,
    /// The pending login is older than `transactionTtl`.
    TransactionExpired,
    /// The stored pending login is corrupt or belongs to another client.
    TransactionInvalid,
    /// `requireIss` is set and the callback has no `iss`.
    IssMissing,
    /// The callback's `iss` is not this client's `issuer` (mix-up defence).
    IssMismatch,
    /// The authorization server answered with `error=`.
    AuthorizationError,
    /// The callback carries tokens (implicit or hybrid response), which this client refuses.
    ImplicitResponse,
    /// The token endpoint answered with an OAuth error.
    TokenError,
    /// The token endpoint's answer is not a valid token response.
    InvalidTokenResponse,
    /// The token, revocation or metadata endpoint could not be reached.
    NetworkError,
    /// The token, revocation or metadata endpoint did not answer within `timeout`.
    Timeout,
    /// The authorization server's metadata is missing, unreadable (over 1 MiB included) or not for this issuer.
    DiscoveryError,
    /// The ID token fails a check (`iss`, `aud`, `azp`, `exp`, `iat`, `nonce`, shape).
    IdTokenInvalid,
    /// The token holder has no usable tokens: sign in.
    LoginRequired,
    /// The Web Lock that keeps two tabs from refreshing at once could not be taken.
    LockFailed,
}

impl ErrorCode {
    /// The snake_case code exposed as `OAuthError.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidConfig => "invalid_config",
            Self::InvalidArgument => "invalid_argument",
            Self::InvalidVerifier => "invalid_verifier",
            Self::StorageUnavailable => "storage_unavailable",
            Self::BrowserRequired => "browser_required",
            Self::DuplicateParameter => "duplicate_parameter",
            Self::NotACallback => "not_a_callback",
            Self::StateMissing => "state_missing",
            Self::StateUnknown => "state_unknown",
            Self::TransactionExpired => "transaction_expired",
            Self::TransactionInvalid => "transaction_invalid",
            Self::IssMissing => "iss_missing",
            Self::IssMismatch => "iss_mismatch",
            Self::AuthorizationError => "authorization_error",
            Self::ImplicitResponse => "implicit_response",
            Self::TokenError => "token_error",
            Self::InvalidTokenResponse => "invalid_token_response",
            Self::NetworkError => "network_error",
            Self::Timeout => "timeout",
            Self::DiscoveryError => "discovery_error",
            Self::IdTokenInvalid => "id_token_invalid",
            Self::LoginRequired => "login_required",
            Self::LockFailed => "lock_failed",
        }
    }
}

/// A failure: a stable `code`, a human message, and the server's OAuth error fields when there were any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    /// What went wrong, stable across versions.
    pub code: ErrorCode,
    /// A sentence for developers; not stable, never contains tokens or verifiers.
    pub message: String,
    /// The server's `error` value (`authorization_error`, `token_error`).
    pub error: Option<String>,
    /// The server's `error_description`.
    pub error_description: Option<String>,
    /// The server's `error_uri`.
    pub error_uri: Option<String>,
    /// HTTP status of the token endpoint's answer, when there was one.
    pub status: Option<u16>,
}

impl OAuthError {
    /// An error with a code and a message, no server fields.
    pub fn new(code: ErrorCode, message: &str) -> Self {
        Self { code, message: message.into(), error: None, error_description: None, error_uri: None, status: None }
    }

    /// An error whose message is the concatenation of `parts` (no `core::fmt` in the wasm).
    pub fn with_parts(code: ErrorCode, parts: &[&str]) -> Self {
        Self::new(code, &crate::text::concat(parts))
    }

    /// Sets the HTTP status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

impl core::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code.as_str())?;
        f.write_str(": ")?;
        f.write_str(&self.message)
    }
}

impl core::error::Error for OAuthError {}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, OAuthError>;

/// Builds an `OAuthError` with a static message.
pub(crate) fn err<T>(code: ErrorCode, message: &str) -> Result<T> {
    Err(OAuthError::new(code, message))
}
