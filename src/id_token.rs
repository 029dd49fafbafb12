//! OpenID Connect ID token claims checks (OIDC Core §3.1.3.7 items 2–3, 9–11).
//!
//! The signature is NOT verified: the token comes straight from the token endpoint over TLS
//! (§3.1.3.7 item 6 allows skipping it there), and the browser must not make authorization
//! decisions from it anyway. The claims are checked so a token for another client, issuer
//! or login is refused.

use crate::base64url;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::json::{JsonField, JsonObject};
use crate::pkce;
use crate::platform::Env;
use alloc::string::String;

/// Seconds of clock difference tolerated for `exp` and `iat`.
pub const CLOCK_SKEW: f64 = 60.0;

/// What the ID token must say.
pub struct Expected<'a> {
    /// The configured issuer; `iss` must equal it when set.
    pub issuer: Option<&'a str>,
    /// Must be in `aud` (and be `azp` when there are several audiences).
    pub client_id: &'a str,
    /// The transaction's nonce; `None` after a refresh.
    pub nonce: Option<&'a str>,
    /// Epoch milliseconds.
    pub now: f64,
}

/// Checks `id_token` and returns its claims as JSON text.
pub fn validate(id_token: &str, expected: &Expected<'_>, env: &impl Env) -> Result<String> {
    let mut parts = crate::text::split(id_token, b'.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("ID token is not a compact JWS"));
    };
    let header = decode_object(header, env).ok_or_else(|| malformed("ID token header is not a JSON object"))?.1;
    match header.field("alg") {
        JsonField::Str(alg) if !alg.eq_ignore_ascii_case("none") => {}
        _ => return Err(invalid("alg", "ID token alg is missing or none")),
    }
    let (text, claims) =
        decode_object(payload, env).ok_or_else(|| malformed("ID token payload is not a JSON object"))?;
    if let Some(issuer) = expected.issuer {
        if claims.field("iss") != JsonField::Str(issuer.into()) {
            return Err(invalid("iss", "ID token iss is not the issuer"));
        }
    }
    if !matches!(claims.field("sub"), JsonField::Str(sub) if !sub.is_empty()) {
        return Err(invalid("sub", "ID token sub is missing"));
    }
    check_audience(&claims, expected.client_id)?;
    let now = expected.now / 1000.0;
    match claims.field("exp") {
        JsonField::Num(exp) if now < exp + CLOCK_SKEW => {}
        _ => return Err(invalid("exp", "ID token exp is missing or past")),
    }
    match claims.field("iat") {
        JsonField::Num(iat) if iat <= now + CLOCK_SKEW => {}
        _ => return Err(invalid("iat", "ID token iat is missing or in the future")),
    }
    if let Some(nonce) = expected.nonce {
        match claims.field("nonce") {
            JsonField::Str(got) if pkce::constant_time_eq(&got, nonce) => {}
            _ => return Err(invalid("nonce", "ID token nonce does not match this login")),
        }
    }
    Ok(text)
}

fn check_audience(claims: &impl JsonObject, client_id: &str) -> Result<()> {
    let audiences = match claims.field("aud") {
        JsonField::Str(aud) => alloc::vec![aud],
        _ => claims.strings("aud").ok_or_else(|| invalid("aud", "ID token aud is missing"))?,
    };
    if !audiences.iter().any(|aud| aud == client_id) {
        return Err(invalid("aud", "ID token aud does not contain this client"));
    }
    match claims.field("azp") {
        JsonField::Absent if audiences.len() == 1 => Ok(()),
        JsonField::Str(azp) if azp == client_id => Ok(()),
        _ => Err(invalid("azp", "ID token azp is not this client")),
    }
}

fn decode_object<E: Env>(segment: &str, env: &E) -> Option<(String, E::Json)> {
    let text = String::from_utf8(base64url::decode(segment)?).ok()?;
    let object = env.parse_object(&text)?;
    Some((text, object))
}

fn invalid(claim: &'static str, problem: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::IdTokenInvalid, problem).with_field(claim)
}

fn malformed(problem: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::IdTokenInvalid, problem).with_field("id_token")
}

/// OIDC Core §12.2: a refreshed ID token's `iss`, `sub` and `aud` equal the original's.
/// Both are claims JSON texts as `validate` returns them.
pub fn check_same_subject(refreshed: &str, original: &str, env: &impl Env) -> Result<()> {
    let (Some(new), Some(old)) = (env.parse_object(refreshed), env.parse_object(original)) else {
        return Err(malformed("ID token claims are not a JSON object"));
    };
    for claim in ["iss", "sub", "aud"] {
        let same = match (new.field(claim), old.field(claim)) {
            (JsonField::Other, JsonField::Other) => {
                new.strings(claim).is_some() && new.strings(claim) == old.strings(claim)
            }
            (a, b) => a == b && a != JsonField::Other,
        };
        if !same {
            return Err(invalid(claim, "refreshed ID token is not for the same issuer, subject and audience"));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fakes::FakeEnv;

    /// An unsigned test JWT with `claims` (the signature is never checked).
    pub fn jwt(claims: &serde_json::Value) -> String {
        let part = |v: &serde_json::Value| base64url::encode(v.to_string().as_bytes());
        format!("{}.{}.c2ln", part(&serde_json::json!({"alg": "RS256"})), part(claims))
    }

    pub fn good_claims(now_s: f64) -> serde_json::Value {
        serde_json::json!({"iss": "https://as.example", "sub": "u1", "aud": "spa", "exp": now_s + 300.0, "iat": now_s, "nonce": "n0nce"})
    }

    fn check(claims: serde_json::Value, nonce: Option<&str>) -> Result<String> {
        let env = FakeEnv::default();
        let expected = Expected { issuer: Some("https://as.example"), client_id: "spa", nonce, now: env.now.get() };
        validate(&jwt(&claims), &expected, &env)
    }

    #[test]
    fn accepts_good_claims_and_returns_them() {
        let now = FakeEnv::default().now.get() / 1000.0;
        let text = check(good_claims(now), Some("n0nce")).unwrap();
        assert!(text.contains("\"sub\":\"u1\""));
        let mut several = good_claims(now);
        several["aud"] = serde_json::json!(["api", "spa"]);
        several["azp"] = "spa".into();
        check(several, Some("n0nce")).unwrap();
        let mut refreshed = good_claims(now);
        refreshed.as_object_mut().unwrap().remove("nonce");
        check(refreshed, None).unwrap();
    }

    #[test]
    fn refuses_each_bad_claim() {
        let now = FakeEnv::default().now.get() / 1000.0;
        let edits: [(&str, serde_json::Value, &str); 10] = [
            ("iss", "https://evil.example".into(), "iss"),
            ("sub", "".into(), "sub"),
            ("aud", "other".into(), "aud"),
            ("aud", serde_json::json!(["api", "spa"]), "azp"),
            ("aud", serde_json::json!([1]), "aud"),
            ("azp", "other".into(), "azp"),
            ("exp", (now - 61.0).into(), "exp"),
            ("exp", "soon".into(), "exp"),
            ("iat", (now + 120.0).into(), "iat"),
            ("nonce", "replayed".into(), "nonce"),
        ];
        for (key, value, field) in edits {
            let mut claims = good_claims(now);
            claims[key] = value;
            let error = check(claims, Some("n0nce")).unwrap_err();
            assert_eq!((error.code, error.field), (ErrorCode::IdTokenInvalid, Some(field)), "{key}");
        }
        let mut no_nonce = good_claims(now);
        no_nonce.as_object_mut().unwrap().remove("nonce");
        assert_eq!(check(no_nonce, Some("n0nce")).unwrap_err().code, ErrorCode::IdTokenInvalid);
    }

    #[test]
    fn refuses_malformed_tokens_and_alg_none() {
        let env = FakeEnv::default();
        let expected = Expected { issuer: None, client_id: "spa", nonce: None, now: env.now.get() };
        let now = env.now.get() / 1000.0;
        let none_alg = format!(
            "{}.{}.",
            base64url::encode(br#"{"alg":"none"}"#),
            base64url::encode(good_claims(now).to_string().as_bytes())
        );
        let upper_none_alg =
            none_alg.replacen(&base64url::encode(br#"{"alg":"none"}"#), &base64url::encode(br#"{"alg":"NONE"}"#), 1);
        let mixed_none_alg =
            none_alg.replacen(&base64url::encode(br#"{"alg":"none"}"#), &base64url::encode(br#"{"alg":"nOnE"}"#), 1);
        for token in
            ["", "a.b", "a.b.c.d", "!!.e30.x", "e30.bm90IGpzb24.x", &none_alg, &upper_none_alg, &mixed_none_alg]
        {
            assert_eq!(validate(token, &expected, &env).unwrap_err().code, ErrorCode::IdTokenInvalid, "{token}");
        }
    }

    #[test]
    fn a_refreshed_id_token_keeps_iss_sub_and_aud() {
        let env = FakeEnv::default();
        let now = env.now.get() / 1000.0;
        let original = good_claims(now).to_string();
        let mut later = good_claims(now + 100.0);
        later.as_object_mut().unwrap().remove("nonce");
        check_same_subject(&later.to_string(), &original, &env).unwrap();
        let edits: [(&str, serde_json::Value); 4] = [
            ("sub", "u2".into()),
            ("iss", "https://other.example".into()),
            ("aud", serde_json::json!(["spa", "api"])),
            ("aud", "other".into()),
        ];
        for (claim, value) in edits {
            let mut other = later.clone();
            other[claim] = value;
            let error = check_same_subject(&other.to_string(), &original, &env).unwrap_err();
            assert_eq!((error.code, error.field), (ErrorCode::IdTokenInvalid, Some(claim)), "{claim}");
        }
    }
}
