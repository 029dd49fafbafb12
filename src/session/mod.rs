//! The session around the protocol steps: what stays true between them while requests are in
//! flight. The session's generation and what an answer that comes after its session ended does
//! are here; `token` is the first operation of the session machine (ARCHITECTURE.md).
use alloc::rc::Rc;
use core::cell::Cell;

use crate::config::ClientConfig;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::Request;
use crate::steps;
use crate::token::TokenSet;

pub mod token;

/// A client's session generation: `end()` (logout, clear) starts a new one, and an answer to a
/// request made in an earlier one is not the current session's to change. Clones share it.
#[derive(Clone, Debug, Default)]
pub struct Epoch(Rc<Cell<u32>>);

/// The generation a request was made in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(u32);

impl Epoch {
    /// The current generation, for a request about to be made.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.0.get())
    }

    /// Ends the current session: every ticket taken so far is stale.
    pub fn end(&self) {
        self.0.set(self.0.get().wrapping_add(1));
    }

    /// True while no `end()` came after `ticket` was taken.
    pub fn is_current(&self, ticket: Ticket) -> bool {
        self.0.get() == ticket.0
    }
}

/// The error of a login whose session `logout()` or `clear()` ended while its tokens were on their way.
pub fn ended() -> OAuthError {
    OAuthError::new(ErrorCode::LoginRequired, "logout() or clear() ended this login before its tokens came")
}

/// Tokens that came after their session ended are not stored: the request revoking the refresh
/// token they carry (none without one or without a revocation endpoint), so no live grant is
/// left behind that nobody holds.
pub fn orphaned(config: &ClientConfig, tokens: &TokenSet) -> Result<Option<Request>> {
    match (&tokens.refresh_token, &config.revocation_endpoint) {
        (Some(token), Some(_)) => Ok(Some(steps::revoke_request(config, token, Some("refresh_token"))?)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    #[test]
    fn an_ended_session_makes_every_earlier_ticket_stale() {
        let epoch = Epoch::default();
        let shared = epoch.clone();
        let before = epoch.ticket();
        assert!(epoch.is_current(before));
        shared.end();
        assert!(!epoch.is_current(before), "a clone ends the same session");
        assert!(epoch.is_current(epoch.ticket()));
    }

    #[test]
    fn orphaned_tokens_revoke_their_refresh_token_where_they_can() {
        let mut config = config::sample();
        let tokens = TokenSet {
            access_token: "at".into(),
            token_type: "Bearer".into(),
            expires_at: None,
            refresh_token: Some("late".into()),
            id_token: None,
            scope: None,
            claims: None,
            jkt: None,
        };
        assert!(orphaned(&config, &tokens).unwrap().is_none(), "no revocation endpoint");
        config.revocation_endpoint = Some("https://as.example/revoke".into());
        let request = orphaned(&config, &tokens).unwrap().unwrap();
        assert_eq!(request.body.as_deref(), Some("token=late&token_type_hint=refresh_token&client_id=spa"));
        let no_refresh = TokenSet { refresh_token: None, ..tokens };
        assert!(orphaned(&config, &no_refresh).unwrap().is_none());
    }
}
