//! The pending-login record kept in `sessionStorage` between the redirect and the callback.
use alloc::string::String;

use crate::config::{ClientConfig, MAX_TRANSACTION_TTL};
use crate::error::{ErrorCode, OAuthError, Result};
use crate::json::{self, JsonField, JsonObject};
use crate::pkce;

/// Format version written as `v`; records of another version are refused.
const VERSION: f64 = 1.0;

/// One pending login: what the callback needs to finish it.
#[derive(Clone, PartialEq)]
pub struct Transaction {
    /// The `state` sent in the authorize request.
    pub state: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// The OpenID Connect nonce, for logins whose scope has `openid`.
    pub nonce: Option<String>,
    /// The client's redirect URI (part of its identity).
    pub redirect_uri: String,
    /// The redirect URI the authorize request used instead, for a popup's own page.
    pub popup_redirect_uri: Option<String>,
    /// The client that started the login.
    pub client_id: String,
    /// The issuer the client expected, if configured.
    pub issuer: Option<String>,
    /// Epoch milliseconds at creation.
    pub created_at: f64,
    /// Seconds it stays valid (the `transactionTtl` it was made with); `None` in records
    /// written before it was stored, which are judged by the reading client's.
    pub ttl: Option<u32>,
    /// The app's `appState`, as JSON text.
    pub app_state: Option<String>,
}

/// The verifier prints as `[redacted]`; the rest as it is (`state` is in the callback URL anyway).
impl core::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Transaction")
            .field("state", &self.state)
            .field("verifier", &crate::redacted::Redacted)
            .field("nonce", &self.nonce)
            .field("redirect_uri", &self.redirect_uri)
            .field("popup_redirect_uri", &self.popup_redirect_uri)
            .field("client_id", &self.client_id)
            .field("issuer", &self.issuer)
            .field("created_at", &self.created_at)
            .field("ttl", &self.ttl)
            .field("app_state", &self.app_state)
            .finish()
    }
}

impl Transaction {
    /// Starts a transaction for `config`.
    pub fn new(
        config: &ClientConfig,
        state: String,
        verifier: String,
        nonce: Option<String>,
        now: f64,
        app_state: Option<String>,
    ) -> Self {
        Self {
            state,
            verifier,
            nonce,
            redirect_uri: config.redirect_uri.clone(),
            popup_redirect_uri: None,
            client_id: config.client_id.clone(),
            issuer: config.issuer.clone(),
            created_at: now,
            ttl: Some(config.transaction_ttl),
            app_state,
        }
    }

    /// The storage key of the transaction for `state`.
    pub fn key(prefix: &str, state: &str) -> String {
        crate::text::concat(&[prefix, ":tx:", state])
    }

    /// The origin-wide mark that the callback for `state` was redeemed.
    pub fn mark_key(prefix: &str, state: &str) -> String {
        crate::text::concat(&[prefix, ":redeemed:", state])
    }

    /// The key prefix shared by all transactions under `prefix`.
    pub fn key_prefix(prefix: &str) -> String {
        crate::text::concat(&[prefix, ":tx:"])
    }

    /// Serializes the record as a JSON object.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        json::push_key(&mut out, "v");
        out.push('1');
        json::push_string_members(
            &mut out,
            &[
                ("state", Some(&self.state)),
                ("verifier", Some(&self.verifier)),
                ("nonce", self.nonce.as_ref()),
                ("redirectUri", Some(&self.redirect_uri)),
                ("popupRedirectUri", self.popup_redirect_uri.as_ref()),
                ("clientId", Some(&self.client_id)),
                ("issuer", self.issuer.as_ref()),
                ("appState", self.app_state.as_ref()),
            ],
        );
        json::push_key(&mut out, "createdAt");
        json::push_u64(&mut out, self.created_at as u64);
        if let Some(ttl) = self.ttl {
            json::push_key(&mut out, "ttl");
            json::push_u64(&mut out, u64::from(ttl));
        }
        out.push('}');
        out
    }

    /// Reads a record back, refusing any field of the wrong type or shape (`transaction_invalid`).
    pub fn from_json(record: &impl JsonObject) -> Result<Self> {
        if record.field("v") != JsonField::Num(VERSION) {
            return Err(corrupt("v"));
        }
        let state = required(record, "state")?;
        if !pkce::is_generated_state(&state) {
            return Err(corrupt("state"));
        }
        let verifier = required(record, "verifier")?;
        pkce::validate_verifier(&verifier).map_err(|_| corrupt("verifier"))?;
        let created_at = match record.field("createdAt") {
            JsonField::Num(n) if n.is_finite() && n >= 0.0 => n,
            _ => return Err(corrupt("createdAt")),
        };
        let ttl = match record.field("ttl") {
            JsonField::Absent => None,
            JsonField::Num(n) if (1.0..=f64::from(MAX_TRANSACTION_TTL)).contains(&n) && f64::from(n as u32) == n => {
                Some(n as u32)
            }
            _ => return Err(corrupt("ttl")),
        };
        Ok(Self {
            state,
            verifier,
            nonce: optional(record, "nonce")?,
            redirect_uri: required(record, "redirectUri")?,
            popup_redirect_uri: optional(record, "popupRedirectUri")?,
            client_id: required(record, "clientId")?,
            issuer: optional(record, "issuer")?,
            created_at,
            ttl,
            app_state: optional(record, "appState")?,
        })
    }

    /// True once its own ttl (else `default_ttl`) seconds have passed since creation, or when
    /// created in the future.
    pub fn is_expired(&self, now: f64, default_ttl: u32) -> bool {
        let age = now - self.created_at;
        !(0.0..=self.lifetime_ms(default_ttl)).contains(&age)
    }

    /// Epoch milliseconds after which it is expired.
    pub fn expires_at(&self, default_ttl: u32) -> f64 {
        self.created_at + self.lifetime_ms(default_ttl)
    }

    fn lifetime_ms(&self, default_ttl: u32) -> f64 {
        f64::from(self.ttl.unwrap_or(default_ttl)) * 1000.0
    }

    /// True when this record was made by a client with `config`'s identity.
    pub fn belongs_to(&self, config: &ClientConfig) -> bool {
        self.client_id == config.client_id && self.redirect_uri == config.redirect_uri && self.issuer == config.issuer
    }
}

fn required(record: &impl JsonObject, key: &'static str) -> Result<String> {
    optional(record, key)?.ok_or_else(|| corrupt(key))
}

fn optional(record: &impl JsonObject, key: &'static str) -> Result<Option<String>> {
    match record.field(key) {
        JsonField::Absent => Ok(None),
        JsonField::Str(s) => Ok(Some(s)),
        _ => Err(corrupt(key)),
    }
}

fn corrupt(field: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::TransactionInvalid, "stored login has a bad field").with_field(field)
}

#[cfg(test)]
pub(crate) fn sample(config: &ClientConfig, now: f64) -> Transaction {
    Transaction::new(
        config,
        "s".repeat(43),
        "v".repeat(43),
        Some("n".repeat(43)),
        now,
        Some("{\"to\":\"/home\"}".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::json::testing::object;

    #[test]
    fn debug_prints_no_verifier() {
        let tx = sample(&config::sample(), 1_700_000_000_123.0);
        let printed = format!("{tx:?}");
        assert!(!printed.contains(&tx.verifier), "{printed}");
        assert!(printed.contains("verifier: [redacted]") && printed.contains(&tx.state), "{printed}");
    }

    #[test]
    fn round_trips_through_json() {
        let tx = sample(&config::sample(), 1_700_000_000_123.0);
        let text = tx.to_json();
        assert_eq!(Transaction::from_json(&object(&text).unwrap()).unwrap(), tx);
        let mut bare = tx.clone();
        bare.issuer = None;
        bare.nonce = None;
        bare.app_state = None;
        bare.ttl = None;
        assert_eq!(Transaction::from_json(&object(&bare.to_json()).unwrap()).unwrap(), bare);
    }

    #[test]
    fn tampered_records_are_invalid() {
        let good: serde_json::Value = object(&sample(&config::sample(), 5.0).to_json()).unwrap();
        let edits: [(&str, serde_json::Value); 12] = [
            ("v", 2.into()),
            ("state", "short".into()),
            ("verifier", "x".into()),
            ("verifier", serde_json::Value::from("a".repeat(200_000))),
            ("createdAt", "5".into()),
            ("createdAt", (-1).into()),
            ("clientId", 7.into()),
            ("issuer", serde_json::Value::Null),
            ("appState", serde_json::json!({"a": 1})),
            ("ttl", 0.into()),
            ("ttl", 1.5.into()),
            ("ttl", 86_401.into()),
        ];
        for (key, value) in edits {
            let mut record = good.clone();
            record[key] = value;
            let error = Transaction::from_json(&record).unwrap_err();
            assert_eq!(error.code, ErrorCode::TransactionInvalid, "{key}");
            assert_eq!(error.field, Some(key));
        }
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("redirectUri");
        assert_eq!(Transaction::from_json(&missing).unwrap_err().code, ErrorCode::TransactionInvalid);
    }

    #[test]
    fn expiry_window() {
        let tx = sample(&config::sample(), 10_000.0);
        assert!(!tx.is_expired(10_000.0, 600));
        assert!(!tx.is_expired(610_000.0, 600));
        assert!(tx.is_expired(610_001.0, 600));
        assert!(tx.is_expired(9_999.0, 600), "created in the future");
    }

    #[test]
    fn each_record_is_judged_by_its_own_ttl() {
        let mut config = config::sample();
        config.transaction_ttl = 3600;
        let long = sample(&config, 10_000.0);
        assert!(!long.is_expired(10_000.0 + 601_000.0, 600), "made with 3600 s, read by a 600 s client");
        assert!(long.is_expired(10_000.0 + 3_600_001.0, 86_400));
        assert_eq!(long.expires_at(600), 3_610_000.0);
        let old = Transaction { ttl: None, ..long };
        assert!(old.is_expired(10_000.0 + 601_000.0, 600), "a record without ttl: the reader's");
    }

    #[test]
    fn belongs_to_its_client_only() {
        let config = config::sample();
        let tx = sample(&config, 0.0);
        assert!(tx.belongs_to(&config));
        let mut other = config.clone();
        other.issuer = Some("https://other.example".into());
        assert!(!tx.belongs_to(&other));
        assert_eq!(Transaction::key("p", "abc"), "p:tx:abc");
    }
}
