//! DPoP (RFC 9449), sans I/O: what a proof says and how it is put together around a signature
//! made elsewhere (WebCrypto signs, so no private key byte ever enters wasm memory), the `htu`
//! and `ath` values, the public key's thumbprint for `dpop_jkt` (RFC 7638), the nonces servers
//! hand out, and the clock correction from their `Date`; `Session` is one client's DPoP state.
use alloc::string::String;
use alloc::vec::Vec;

use crate::base64url;
use crate::error::{ErrorCode, OAuthError, Result};
use crate::http::Response;
use crate::json::{self, JsonObject};
use crate::url;
use sha2::{Digest, Sha256};

/// Seconds the local clock may differ from a server's `Date` before proofs use the server's time.
pub const CLOCK_TOLERANCE: i64 = 60;

/// An ECDSA P-256 public key (the only DPoP key this client makes): its JWK coordinates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    x: String,
    y: String,
}

impl PublicKey {
    /// The key whose JWK (WebCrypto `exportKey("jwk")` of the public key) has these `x` and
    /// `y`; `dpop_error` unless each is the base64url of 32 bytes.
    pub fn new(x: &str, y: &str) -> Result<Self> {
        let coordinate = |c: &str| base64url::decode(c).is_some_and(|bytes| bytes.len() == 32);
        if !(coordinate(x) && coordinate(y)) {
            return Err(OAuthError::new(ErrorCode::DpopError, "the DPoP public key is not a P-256 key"));
        }
        Ok(Self { x: x.into(), y: y.into() })
    }

    /// The public JWK with its required members in lexicographic order, which is both the
    /// proof header's `jwk` and the input of its thumbprint (RFC 7638 §3.2).
    pub fn jwk(&self) -> String {
        crate::text::concat(&[r#"{"crv":"P-256","kty":"EC","x":""#, &self.x, r#"","y":""#, &self.y, r#""}"#])
    }

    /// The JWK SHA-256 thumbprint (RFC 7638): `dpop_jkt` (RFC 9449 §10) and the token's `cnf.jkt`.
    pub fn thumbprint(&self) -> String {
        base64url::encode(&Sha256::digest(self.jwk().as_bytes()))
    }
}

/// True for a private key as this client makes it (js/dpop_key.js): not extractable, ECDSA
/// P-256, for `sign` only. `description` is what WebCrypto says of it, as the text
/// `"{extractable} {algorithm.name} {algorithm.namedCurve} {usages}"` (usages joined by `,`).
/// Anything else found under the client's key name was planted there: one script in the
/// origin could write an extractable pair and keep its private key, and every token would be
/// bound to a key it holds.
pub fn is_own_private_key(description: &str) -> bool {
    description == "false ECDSA P-256 sign"
}

/// The error for a stored key pair this client would not have made: dropped, with its tokens.
pub fn planted_key() -> OAuthError {
    OAuthError::new(ErrorCode::DpopError, "the stored DPoP key was not made by this client: dropped, with its tokens")
}

/// What one proof claims (RFC 9449 §4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims<'a> {
    /// A fresh random identifier.
    pub jti: &'a str,
    /// The request's method.
    pub htm: &'a str,
    /// The request's URI without query and fragment (`htu`).
    pub htu: &'a str,
    /// Epoch seconds, corrected by the server's clock (`iat`).
    pub iat: u64,
    /// The access token's hash, on requests that carry one (`ath`).
    pub ath: Option<&'a str>,
    /// The server's nonce, when it gave one.
    pub nonce: Option<&'a str>,
}

/// The JWS signing input of a proof: `base64url(header) "." base64url(claims)`, to be signed
/// with ES256 (ECDSA P-256, SHA-256).
pub fn signing_input(key: &PublicKey, claims: &Claims<'_>) -> String {
    let header = crate::text::concat(&[r#"{"typ":"dpop+jwt","alg":"ES256","jwk":"#, &key.jwk(), "}"]);
    let mut payload = String::from("{");
    json::push_key(&mut payload, "jti");
    json::push_string(&mut payload, claims.jti);
    json::push_key(&mut payload, "htm");
    json::push_string(&mut payload, claims.htm);
    json::push_key(&mut payload, "htu");
    json::push_string(&mut payload, claims.htu);
    json::push_key(&mut payload, "iat");
    json::push_u64(&mut payload, claims.iat);
    for (name, value) in [("ath", claims.ath), ("nonce", claims.nonce)] {
        if let Some(value) = value {
            json::push_key(&mut payload, name);
            json::push_string(&mut payload, value);
        }
    }
    payload.push('}');
    crate::text::concat(&[&base64url::encode(header.as_bytes()), ".", &base64url::encode(payload.as_bytes())])
}

/// The proof: the signing input and its signature, which WebCrypto gives as the 64 bytes `r || s`
/// that JWS ES256 uses (RFC 7518 §3.4); `dpop_error` for any other length.
pub fn proof(signing_input: &str, signature: &[u8]) -> Result<String> {
    if signature.len() != 64 {
        return Err(OAuthError::new(ErrorCode::DpopError, "the DPoP signature is not 64 bytes of ES256"));
    }
    Ok(crate::text::concat(&[signing_input, ".", &base64url::encode(signature)]))
}

/// `htu` for a request to `target`: scheme and host in lower case, no default port, no query
/// and no fragment (RFC 9449 §4.2, RFC 3986 §6.2.2–6.2.3); `None` for a URL this client would
/// not send to.
pub fn htu(target: &str) -> Option<String> {
    let url = url::parse(target)?;
    Some(crate::text::concat(&[&origin_of(&url), url.path]))
}

/// The origin of `target` as nonces are kept: `scheme://host[:port]`, no default port.
pub fn origin(target: &str) -> Option<String> {
    url::parse(target).map(|url| origin_of(&url))
}

pub(crate) fn origin_of(url: &url::Url<'_>) -> String {
    let mut origin = crate::text::concat(&[&url.scheme, "://", &url.host]);
    if !matches!((url.scheme.as_str(), url.port), ("https", 443) | ("http", 80)) {
        origin.push(':');
        json::push_u64(&mut origin, url.port.into());
    }
    origin
}

/// `ath`: the base64url SHA-256 of the access token (RFC 9449 §4.2).
pub fn ath(access_token: &str) -> String {
    base64url::encode(&Sha256::digest(access_token.as_bytes()))
}

/// The nonces servers handed out (`DPoP-Nonce`), one per origin, the latest kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nonces(Vec<(String, String)>);

impl Nonces {
    /// Keeps `value` for `origin` when it is a valid nonce (RFC 9449 §8: one or more
    /// `%x21 / %x23-5B / %x5D-7E`); false when it is not (and nothing changes).
    pub fn remember(&mut self, origin: &str, value: &str) -> bool {
        let valid = !value.is_empty() && value.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e));
        if valid {
            match self.0.iter_mut().find(|(o, _)| o == origin) {
                Some((_, nonce)) => *nonce = value.into(),
                None => self.0.push((origin.into(), value.into())),
            }
        }
        valid
    }

    /// The nonce to put in the next proof for `origin`.
    pub fn get(&self, origin: &str) -> Option<&str> {
        self.0.iter().find(|(o, _)| o == origin).map(|(_, n)| n.as_str())
    }
}

/// The correction, in seconds, to add to the local clock for proofs to a server whose answer
/// said `Date: date` at local epoch milliseconds `now`: the difference when it is over
/// `CLOCK_TOLERANCE`, else 0 (also for a `Date` that is not an IMF-fixdate).
pub fn clock_offset(date: &str, now: f64) -> i64 {
    let Some(server) = http_date(date) else { return 0 };
    let offset = server as i64 - (now / 1000.0) as i64;
    if offset.abs() > CLOCK_TOLERANCE {
        offset
    } else {
        0
    }
}

/// Epoch seconds of an IMF-fixdate (RFC 9110 §5.6.7: `Sun, 06 Nov 1994 08:49:37 GMT`); the
/// obsolete formats are not read.
pub fn http_date(text: &str) -> Option<u64> {
    const MONTHS: &[u8; 36] = b"JanFebMarAprMayJunJulAugSepOctNovDec";
    let b = text.as_bytes();
    let separators = [(3, b','), (4, b' '), (7, b' '), (11, b' '), (16, b' '), (19, b':'), (22, b':')];
    if b.len() != 29 || !b.ends_with(b" GMT") || !separators.iter().all(|&(i, c)| b.get(i) == Some(&c)) {
        return None;
    }
    let number = |from: usize, to: usize| {
        let digits = b.get(from..to)?;
        digits.iter().try_fold(0u64, |n, &d| d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0')))
    };
    let month = MONTHS.chunks(3).position(|m| b.get(8..11) == Some(m))? as u64 + 1;
    let (day, year) = (number(5, 7)?, number(12, 16)?);
    let (hour, minute, second) = (number(17, 19)?, number(20, 22)?, number(23, 25)?);
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 || year < 1970 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date from 1970 on (H. Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The authorization scheme of the client's access tokens: `DPoP` when they are
/// sender-constrained (RFC 9449 §7.1), else `Bearer` (RFC 6750).
pub fn scheme(config: &crate::config::ClientConfig) -> &'static str {
    if config.dpop {
        "DPoP"
    } else {
        "Bearer"
    }
}

/// The `error` of the `scheme` challenge (`DPoP` or `Bearer`) in a `WWW-Authenticate` header
/// (RFC 9449 §7.1, §9, RFC 6750 §3: `use_dpop_nonce`, `invalid_token`, ...), `None` when there is none.
/// Byte by byte: every delimiter is ASCII, so no UTF-8 decoding is linked for it.
pub fn challenge_error(www_authenticate: &str, scheme: &str) -> Option<String> {
    let mut rest = www_authenticate;
    let mut in_dpop = false;
    while !rest.is_empty() {
        rest = skip(rest, b" ,");
        let token_end = rest.bytes().position(|b| matches!(b, b' ' | b',' | b'=')).unwrap_or(rest.len());
        let (token, after) = rest.split_at_checked(token_end)?;
        let after = skip(after, b" ");
        if let Some(value) = after.strip_prefix("=") {
            let (value, next) = param_value(skip(value, b" "))?;
            if in_dpop && token.eq_ignore_ascii_case("error") {
                return Some(value);
            }
            rest = next;
        } else {
            in_dpop = token.eq_ignore_ascii_case(scheme); // a new challenge starts with its scheme
            rest = after;
        }
    }
    None
}

/// `s` without its leading bytes from `set` (ASCII).
fn skip<'a>(s: &'a str, set: &[u8]) -> &'a str {
    // After ASCII bytes: a char boundary.
    s.get(s.bytes().take_while(|b| set.contains(b)).count()..).unwrap_or_default()
}

/// A parameter's value (a quoted-string, or a token) and what follows it.
fn param_value(s: &str) -> Option<(String, &str)> {
    let Some(quoted) = s.strip_prefix("\"") else {
        let end = s.bytes().position(|b| matches!(b, b' ' | b',')).unwrap_or(s.len());
        let (value, rest) = s.split_at_checked(end)?;
        return Some((value.into(), rest));
    };
    // The runs between quoted-pairs are copied whole; a `\` and its escaped character (kept in
    // the next run) are ASCII or start one, so every cut is at a char boundary.
    let mut value = String::new();
    let (mut run, mut escaped) = (0, false);
    for (i, b) in quoted.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' | b'"' => {
                value.push_str(quoted.get(run..i)?);
                if b == b'"' {
                    return Some((value, quoted.get(i + 1..)?));
                }
                (run, escaped) = (i + 1, true);
            }
            _ => {}
        }
    }
    None // no closing quote
}

/// Bytes of randomness in a proof's `jti`.
const JTI_BYTES: usize = 16;

/// One client's DPoP state: its public key (the private half stays in WebCrypto), the nonces
/// its servers handed out, and the correction to the local clock.
#[derive(Clone, Debug, Default)]
pub struct Session {
    key: Option<PublicKey>,
    kept: bool,
    nonces: Nonces,
    offset: i64,
}

impl Session {
    /// Uses `key` from now on (`None`: forgets it, as `logout()` and `clear()` do); `kept`: it
    /// outlives this page (IndexedDB), so it will still be there when the login comes back.
    pub fn set_key(&mut self, key: Option<PublicKey>, kept: bool) {
        self.key = key;
        self.kept = kept;
    }

    /// The thumbprint of the key in use (kept or not): what the tokens it gets are bound to.
    pub fn key_thumbprint(&self) -> Option<String> {
        self.key.as_ref().map(PublicKey::thumbprint)
    }

    /// `dpop_jkt` for an authorization request (RFC 9449 §10), for a kept key only: a key held in
    /// this page's memory is gone when the login comes back, and the code would be bound to it.
    pub fn thumbprint(&self) -> Option<String> {
        self.key.as_ref().filter(|_| self.kept).map(PublicKey::thumbprint)
    }

    /// The signing input of a proof for `method` `target` (with `ath` of `access_token` on a
    /// resource request), at local epoch milliseconds `now`; `dpop_error` without a key.
    pub fn proof_input(
        &self,
        method: &str,
        target: &str,
        access_token: Option<&str>,
        random: [u8; JTI_BYTES],
        now: f64,
    ) -> Result<String> {
        let key = self.key.as_ref().ok_or_else(|| OAuthError::new(ErrorCode::DpopError, "no DPoP key is ready"))?;
        let htu = htu(target).ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidArgument, "the request URL is not an http(s) URL").with_field("url")
        })?;
        let (jti, ath) = (base64url::encode(&random), access_token.map(ath));
        let iat = ((now / 1000.0) as i64).saturating_add(self.offset).max(0) as u64;
        let origin = origin(target).unwrap_or_default(); // htu parsed it: Some
        let claims =
            Claims { jti: &jti, htm: method, htu: &htu, iat, ath: ath.as_deref(), nonce: self.nonces.get(&origin) };
        Ok(signing_input(key, &claims))
    }

    /// Takes what an answer from `target` (received at `now`) says for later proofs: its
    /// `DPoP-Nonce` and its `Date`. True when it refused the proof for want of a nonce
    /// (`use_dpop_nonce` from an authorization server's JSON or a resource server's challenge)
    /// and handed out a new one: the request may be sent again, once (`retried`: it was).
    pub fn observe<J: JsonObject>(&mut self, target: &str, answer: &Response<J>, now: f64, retried: bool) -> bool {
        if let Some(date) = answer.header("date") {
            self.offset = clock_offset(date, now);
        }
        let fresh = match (origin(target), answer.header("dpop-nonce")) {
            (Some(origin), Some(nonce)) => self.nonces.remember(&origin, nonce),
            _ => false,
        };
        let from_server = answer.json().is_some_and(|body| body.string("error").as_deref() == Some("use_dpop_nonce"));
        let from_challenge = answer
            .header("www-authenticate")
            .is_some_and(|h| challenge_error(h, "DPoP").as_deref() == Some("use_dpop_nonce"));
        fresh && !retried && matches!((answer.status, from_server, from_challenge), (400, true, _) | (401, _, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 9449 §4.1's example key and §6.1's thumbprint of it.
    const X: &str = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
    const Y: &str = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA";

    #[test]
    fn only_a_key_this_client_makes_is_used() {
        assert!(is_own_private_key("false ECDSA P-256 sign"));
        for planted in [
            "true ECDSA P-256 sign", // extractable: planted by a script that keeps the private key
            "false ECDSA P-384 sign",
            "false RSASSA-PKCS1-v1_5 undefined sign",
            "false ECDSA P-256 ",
            "false ECDSA P-256 sign,verify",
            "false ECDH P-256 deriveBits",
            "undefined undefined undefined undefined",
            "",
        ] {
            assert!(!is_own_private_key(planted), "{planted}");
        }
        let mut session = Session::default();
        assert_eq!(session.key_thumbprint(), None);
        session.set_key(Some(PublicKey::new(X, Y).unwrap()), false);
        assert_eq!(session.key_thumbprint().as_deref(), Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"));
        assert_eq!(session.thumbprint(), None, "no dpop_jkt for a key this page does not keep");
    }

    fn decoded(segment: &str) -> serde_json::Value {
        serde_json::from_slice(&base64url::decode(segment).unwrap()).unwrap()
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: Option<&str>) -> Response<serde_json::Value> {
        let mut headers: Vec<(String, String)> = headers.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect();
        headers.push(("content-type".into(), "application/json".into()));
        let body = body
            .and_then(crate::json::testing::object)
            .map_or(crate::http::Body::NotAnObject, crate::http::Body::Object);
        Response { status, headers, body }
    }

    fn payload(input: &str) -> serde_json::Value {
        decoded(input.split_once('.').unwrap().1)
    }

    #[test]
    fn a_session_signs_with_its_key_its_servers_nonces_and_their_clock() {
        let mut session = Session::default();
        let now = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT
        let error = session.proof_input("POST", "https://as.example/token", None, [1; 16], now).unwrap_err();
        assert_eq!(error.code, ErrorCode::DpopError, "no key yet");
        assert_eq!(session.thumbprint(), None);
        session.set_key(Some(PublicKey::new(X, Y).unwrap()), false);
        assert_eq!(session.thumbprint(), None, "a key in memory binds no code: it is gone after the redirect");
        session.set_key(Some(PublicKey::new(X, Y).unwrap()), true);
        assert_eq!(session.thumbprint().as_deref(), Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"));
        let first = payload(&session.proof_input("POST", "https://as.example/token?x#y", None, [1; 16], now).unwrap());
        assert_eq!(
            (&first["htu"], &first["iat"], first.get("nonce")),
            (&"https://as.example/token".into(), &784_111_777.into(), None)
        );
        assert_eq!(first["jti"], base64url::encode(&[1; 16]));

        let asks = answer(
            400,
            &[("dpop-nonce", "n-1"), ("date", "Sun, 06 Nov 1994 09:49:37 GMT")],
            Some(r#"{"error":"use_dpop_nonce"}"#),
        );
        assert!(session.observe("https://as.example/token", &asks, now, false), "retry with the nonce");
        assert!(!session.observe("https://as.example/token", &asks, now, true), "but only once");
        let second = payload(&session.proof_input("POST", "https://as.example/token", None, [2; 16], now).unwrap());
        assert_eq!(
            (&second["nonce"], &second["iat"]),
            (&"n-1".into(), &(784_111_777 + 3600).into()),
            "the server's clock"
        );
        let elsewhere =
            payload(&session.proof_input("GET", "https://rs.example/api", Some("at"), [3; 16], now).unwrap());
        assert_eq!((elsewhere.get("nonce"), &elsewhere["ath"]), (None, &ath("at").into()), "nonces are per origin");

        let challenge = [("www-authenticate", r#"DPoP error="use_dpop_nonce""#), ("dpop-nonce", "r-1")];
        assert!(session.observe("https://rs.example/api", &answer(401, &challenge, None), now, false));
        let no_nonce = answer(401, &[("www-authenticate", r#"DPoP error="use_dpop_nonce""#)], None);
        assert!(!session.observe("https://rs.example/x", &no_nonce, now, false), "no new nonce: nothing to retry with");
        let refused = answer(400, &[("dpop-nonce", "n-2")], Some(r#"{"error":"invalid_grant"}"#));
        assert!(
            !session.observe("https://as.example/token", &refused, now, false),
            "another error is no nonce request"
        );
        let back = answer(200, &[("date", "Sun, 06 Nov 1994 08:49:40 GMT")], None);
        session.observe("https://as.example/token", &back, now, false);
        assert_eq!(
            payload(&session.proof_input("GET", "https://as.example/", None, [4; 16], now).unwrap())["iat"],
            784_111_777,
            "clocks agree again"
        );
        session.set_key(None, false);
        assert_eq!(session.thumbprint(), None);
    }

    #[test]
    fn the_thumbprint_of_rfc_9449s_example_key() {
        let key = PublicKey::new(X, Y).unwrap();
        assert_eq!(key.thumbprint(), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
        for (x, y) in [(X, "short"), ("", Y), (X, "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDAAA")] {
            assert_eq!(PublicKey::new(x, y).unwrap_err().code, ErrorCode::DpopError, "{x} {y}");
        }
    }

    #[test]
    fn ath_of_rfc_9449s_example_access_token() {
        assert_eq!(ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    }

    #[test]
    fn a_proof_says_exactly_what_rfc_9449_asks() {
        let key = PublicKey::new(X, Y).unwrap();
        let claims = Claims {
            jti: "-BwC3ESc6acc2lTc",
            htm: "POST",
            htu: "https://server.example.com/token",
            iat: 1_562_262_616,
            ath: None,
            nonce: Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
        };
        let input = signing_input(&key, &claims);
        let (header, payload) = input.split_once('.').unwrap();
        assert_eq!(
            decoded(header),
            serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "x": X, "y": Y}})
        );
        assert_eq!(
            decoded(payload),
            serde_json::json!({"jti": "-BwC3ESc6acc2lTc", "htm": "POST", "htu": "https://server.example.com/token",
                "iat": 1_562_262_616, "nonce": "eyJ7S_zG.eyJH0-Z.HX4w-7v"})
        );
        let with_ath = signing_input(&key, &Claims { ath: Some("fUHy"), nonce: None, ..claims });
        assert_eq!(decoded(with_ath.split_once('.').unwrap().1)["ath"], "fUHy");
        assert!(decoded(with_ath.split_once('.').unwrap().1).get("nonce").is_none());

        let signed = proof(&input, &[7; 64]).unwrap();
        assert_eq!(signed.matches('.').count(), 2);
        assert_eq!(base64url::decode(signed.rsplit('.').next().unwrap()).unwrap(), [7; 64]);
        assert_eq!(proof(&input, &[7; 72]).unwrap_err().code, ErrorCode::DpopError, "a DER signature");
    }

    #[test]
    fn htu_has_no_query_fragment_or_default_port_and_a_lower_case_origin() {
        for (target, expected) in [
            ("https://Server.Example.COM/token?x=1#f", Some("https://server.example.com/token")),
            ("HTTPS://server.example.com:443/token", Some("https://server.example.com/token")),
            ("https://server.example.com:8443/a/B", Some("https://server.example.com:8443/a/B")),
            ("http://127.0.0.1:80/token", Some("http://127.0.0.1/token")),
            ("http://127.0.0.1:65535", Some("http://127.0.0.1:65535/")),
            ("https://server.example.com", Some("https://server.example.com/")),
            ("ftp://server.example.com/", None),
            ("/relative", None),
        ] {
            assert_eq!(htu(target).as_deref(), expected, "{target}");
        }
        assert_eq!(origin("https://rs.example:8443/api?q").as_deref(), Some("https://rs.example:8443"));
    }

    #[test]
    fn nonces_are_kept_per_origin_and_checked() {
        let mut nonces = Nonces::default();
        assert!(nonces.remember("https://as.example", "eyJ7S_zG.eyJH0-Z.HX4w-7v"));
        assert!(nonces.remember("https://rs.example", "n-1"));
        assert!(nonces.remember("https://rs.example", "n-2"), "the latest replaces the last");
        for bad in ["", "a b", "quote\"", "back\\slash", "é"] {
            assert!(!nonces.remember("https://rs.example", bad), "{bad:?}");
        }
        assert_eq!(nonces.get("https://as.example"), Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
        assert_eq!(nonces.get("https://rs.example"), Some("n-2"));
        assert_eq!(nonces.get("https://other.example"), None);
    }

    #[test]
    fn the_clock_follows_the_server_only_beyond_a_minute() {
        // RFC 9110 §5.6.7's example.
        assert_eq!(http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(http_date("Tue, 29 Feb 2028 23:59:60 GMT"), Some(1_835_481_600));
        for bad in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06xNov 1994 08:49:37 GMT",
        ] {
            assert_eq!(http_date(bad), None, "{bad}");
        }
        let now = 784_111_777_000.0;
        assert_eq!(clock_offset("Sun, 06 Nov 1994 08:50:37 GMT", now), 0, "a minute apart: the local clock is kept");
        assert_eq!(clock_offset("Sun, 06 Nov 1994 08:50:38 GMT", now), 61);
        assert_eq!(clock_offset("Sun, 06 Nov 1994 07:49:37 GMT", now), -3600);
        assert_eq!(clock_offset("yesterday", now), 0);
    }

    #[test]
    fn the_dpop_challenges_error_is_found_among_others() {
        for (header, expected) in [
            (
                r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#,
                Some("use_dpop_nonce"),
            ),
            (
                r#"Bearer realm="x", error="invalid_token", DPoP algs="ES256", error="invalid_token""#,
                Some("invalid_token"),
            ),
            (r#"Bearer error="invalid_token""#, None),
            (r#"dpop error=use_dpop_nonce"#, Some("use_dpop_nonce")),
            (r#"DPoP algs="ES256 PS256""#, None),
            (r#"DPoP error="a\"b""#, Some("a\"b")),
            (r#"DPoP error="unterminated"#, None),
            (r#"DPoP error="a\\b\é" , x"#, Some("a\\bé")),
            (r#"DPoP error="é"x"#, Some("é")),
            (r#"DPoP error="\"#, None),
            ("", None),
        ] {
            assert_eq!(challenge_error(header, "DPoP").as_deref(), expected, "{header}");
        }
        assert_eq!(challenge_error(r#"Bearer error="invalid_token""#, "Bearer").as_deref(), Some("invalid_token"));
    }
}
