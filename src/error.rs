//! `OAuthError`: every failure is a value with a stable `code`.
use alloc::string::String;

/// Stable, machine-readable reason for a failure; `as_str` is what JS sees as `OAuthError.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The client configuration is unusable; `field` names the field.
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
    /// No usable DPoP key: WebCrypto is missing, or the key could not be made or kept.
    DpopError,
    /// `fetch()` was asked to send the access token to an origin not in `resourceOrigins`.
    UntrustedDestination,
    /// `requirePar`: the authorization request must be pushed (`login()`), not built as a URL.
    ParRequired,
    /// The pushed authorization request endpoint (RFC 9126) answered with an OAuth error.
    ParError,
    /// The PAR endpoint's answer is not a valid pushed authorization response.
    InvalidParResponse,
    /// `loginPopup()`: the browser blocked the popup window (it must be opened inside a click).
    PopupBlocked,
    /// `loginPopup()`: the user closed the popup before signing in.
    PopupClosed,
    /// The UserInfo endpoint refused the request (`status`, and its `WWW-Authenticate` error).
    UserinfoError,
    /// The UserInfo answer is not a JSON object, or its `sub` is not the ID token's.
    InvalidUserinfoResponse,
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
            Self::DpopError => "dpop_error",
            Self::UntrustedDestination => "untrusted_destination",
            Self::ParRequired => "par_required",
            Self::ParError => "par_error",
            Self::InvalidParResponse => "invalid_par_response",
            Self::PopupBlocked => "popup_blocked",
            Self::PopupClosed => "popup_closed",
            Self::UserinfoError => "userinfo_error",
            Self::InvalidUserinfoResponse => "invalid_userinfo_response",
        }
    }
}

/// A failure: a boxed `ErrorInfo` (one pointer wide, so every `Result` stays small).
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthError(alloc::boxed::Box<ErrorInfo>);

/// What an `OAuthError` says: a stable `code`, a fixed message, the failing known field, and
/// the server's OAuth error fields when there were any.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorInfo {
    /// What went wrong, stable across versions.
    pub code: ErrorCode,
    /// A fixed sentence for developers: never input from a callback, a server or the app.
    pub message: &'static str,
    /// The known config field, callback parameter or claim that failed (`redirectUri`, `iss`, `exp`).
    pub field: Option<&'static str>,
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
    /// An error with a code and a fixed message, no server fields.
    #[inline(never)]
    pub fn new(code: ErrorCode, message: &'static str) -> Self {
        Self(alloc::boxed::Box::new(ErrorInfo {
            code,
            message,
            field: None,
            error: None,
            error_description: None,
            error_uri: None,
            status: None,
        }))
    }

    /// Names the known field, parameter or claim that failed.
    pub fn with_field(mut self, field: &'static str) -> Self {
        self.0.field = Some(field);
        self
    }

    /// Carries the server's `error`, `error_description` and `error_uri`.
    pub fn with_server(mut self, error: String, description: Option<String>, uri: Option<String>) -> Self {
        self.0.error = Some(error);
        self.0.error_description = description;
        self.0.error_uri = uri;
        self
    }

    /// Sets the HTTP status.
    pub fn status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    /// The boxed details, by value.
    pub fn into_info(self) -> alloc::boxed::Box<ErrorInfo> {
        self.0
    }
}

impl core::ops::Deref for OAuthError {
    type Target = ErrorInfo;
    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

impl core::ops::DerefMut for OAuthError {
    fn deref_mut(&mut self) -> &mut ErrorInfo {
        &mut self.0
    }
}

impl core::fmt::Debug for OAuthError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl core::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code.as_str())?;
        if let Some(field) = self.field {
            f.write_str(" (")?;
            f.write_str(field)?;
            f.write_str(")")?;
        }
        f.write_str(": ")?;
        f.write_str(self.message)
    }
}

impl core::error::Error for OAuthError {}

/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, OAuthError>;

/// Builds an `OAuthError` with a fixed message.
pub(crate) fn err<T>(code: ErrorCode, message: &'static str) -> Result<T> {
    Err(OAuthError::new(code, message))
}
