#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the pure core (issue 4, "malformed input"): any callback URL, any token
//! response and any stored transaction either parses or gives an `OAuthError`, never a panic;
//! encodings round-trip; and the login flow over in-memory fakes never redeems a code for a
//! callback this tab did not start. SECURITY.md cites these tests by name.
//!
//! `PROPTEST_CASES=100000 cargo test --test properties` runs a deeper search than CI's default.

use std::collections::BTreeMap;

use pkce_wasm::callback::{self, Callback, Outcome};
use pkce_wasm::config::{sample, ClientConfig};
use pkce_wasm::discovery;
use pkce_wasm::error::ErrorCode;
use pkce_wasm::fakes::{block_on, FakeEnv, FakeMarks, FakeStore, FakeTransport};
use pkce_wasm::flow::{authorize_url, finish_login, refresh};
use pkce_wasm::id_token::{self, Expected};
use pkce_wasm::json::testing::object as parse_object; // `JSON.parse` + "is it a non-array object"
use pkce_wasm::json::{JsonField, JsonObject};
use pkce_wasm::platform::Store;
use pkce_wasm::transaction::Transaction;
use pkce_wasm::{base64url, form, pkce, token, url, AuthorizeParams};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Value};

type CoreResult<T> = pkce_wasm::error::Result<T>;
type PropResult = Result<(), TestCaseError>;

/// The fakes' clock: epoch milliseconds.
const NOW_MS: f64 = 1_700_000_000_000.0;

// ---------------------------------------------------------------------------------------------
// JSON as the browser adapter sees it
// ---------------------------------------------------------------------------------------------

/// An object given field by field: reaches what serde_json cannot hold but `JSON.parse` yields
/// (`1e400` is `Infinity`), and any `f64` including NaN and -0.
#[derive(Clone, Debug)]
struct Fields(BTreeMap<String, JsonField>);

impl JsonObject for Fields {
    fn field(&self, key: &str) -> JsonField {
        self.0.get(key).cloned().unwrap_or(JsonField::Absent)
    }

    fn strings(&self, _key: &str) -> Option<Vec<String>> {
        None // arrays are `Other` here; the serde-backed `Value` covers them
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Every name the callback checks treat specially, and a few they do not.
static PARAM_NAMES: [&str; 14] = [
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
    "access_token",
    "id_token",
    "token",
    "token_type",
    "expires_in",
    "session_state",
    "page",
    "x",
];

/// Members of a token response.
static TOKEN_KEYS: [&str; 9] = [
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "id_token",
    "scope",
    "error",
    "error_description",
    "error_uri",
];

/// Members of a stored transaction record.
static TX_KEYS: [&str; 10] =
    ["v", "state", "verifier", "redirectUri", "clientId", "issuer", "nonce", "createdAt", "ttl", "appState"];

/// Numbers that sit on the edges of `f64`, `u64` and JavaScript's safe integers.
static EDGE_NUMBERS: [f64; 16] = [
    0.0,
    -0.0,
    0.5,
    -1.0,
    1.0,
    3600.0,
    9_007_199_254_740_993.0,
    1.844_674_407_370_955_2e19,
    1e300,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    5e-324,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

static TOKEN_TYPES: [&str; 8] = ["bearer", "Bearer", "BEARER", "DPoP", "dpop", "mac", "", "bearer "];

/// Any text: every Unicode scalar value, controls included.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..=max).prop_map(String::from_iter)
}

/// A few characters repeated to 10 000–100 000 bytes: the "huge value" case (rare in each
/// strategy below, so that a run stays within seconds).
fn huge_text() -> impl Strategy<Value = String> {
    (text(3), 10_000..100_000usize).prop_map(|(unit, n)| unit.repeat(n / unit.len().max(1)))
}

/// Text made of the pieces URL and form parsers split on, escapes, protocol names and anything.
fn url_text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(&b"%&=?#+/:@[]._~-aZ09 "[..]).prop_map(|b| char::from(b).to_string()),
        2 => "%[0-9A-Fa-f]{2}",
        1 => prop::sample::select(&PARAM_NAMES[..]).prop_map(String::from),
        2 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..=max).prop_map(|pieces| pieces.concat())
}

/// A state shaped like the ones this library generates (43 base64url characters).
fn generated_state() -> impl Strategy<Value = String> {
    any::<[u8; 32]>().prop_map(|bytes| base64url::encode(&bytes))
}

/// `s` form-urlencoded.
fn encoded(s: &str) -> String {
    let mut out = String::new();
    form::push_encoded(&mut out, s);
    out
}

/// Placeholders in callback templates that the flow tests replace with states they stored.
static PLACEHOLDERS: [&str; 3] = ["@S0@", "@S1@", "@S2@"];

fn param_name() -> BoxedStrategy<String> {
    prop_oneof![
        8 => prop::sample::select(&PARAM_NAMES[..]).prop_map(String::from),
        // The same names with their first letter percent-encoded: `c%6Fde`, `%73tate`.
        1 => prop::sample::select(&PARAM_NAMES[..]).prop_map(|n| format!("%{:02X}{}", n.as_bytes()[0], &n[1..])),
        2 => url_text(6),
    ]
    .boxed()
}

fn param_value() -> BoxedStrategy<String> {
    prop_oneof![
        40 => url_text(16),
        10 => Just(String::new()),
        20 => generated_state(),
        20 => prop::sample::select(&PLACEHOLDERS[..]).prop_map(String::from),
        10 => Just(encoded("https://as.example")),
        10 => text(12).prop_map(|t| encoded(&t)),
        1 => huge_text().prop_map(|t| encoded(&t)),
    ]
    .boxed()
}

/// A query or fragment: `name=value` pairs, bare names and junk, joined with `&`.
fn query() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        6 => (param_name(), param_value()).prop_map(|(n, v)| format!("{n}={v}")),
        1 => param_name(),
        1 => url_text(12),
    ];
    prop::collection::vec(segment, 0..10).prop_map(|segments| segments.join("&"))
}

/// Where callbacks arrive: the redirect URI, spelled differently, and elsewhere.
static CALLBACK_BASES: [&str; 7] = [
    "https://app.example/callback",
    "https://APP.example:443/callback",
    "http://app.example/callback",
    "https://app.example/other",
    "https://evil.example/callback",
    "/callback",
    "",
];

/// Something a browser could be sent to: callback-shaped most of the time, anything otherwise.
fn callback_href() -> impl Strategy<Value = String> {
    let base = prop::sample::select(&CALLBACK_BASES[..]);
    let shaped = (base, prop::option::of(query()), prop::option::of(query())).prop_map(|(base, q, f)| {
        let mut href = String::from(base);
        if let Some(q) = q {
            href = format!("{href}?{q}");
        }
        if let Some(f) = f {
            href = format!("{href}#{f}");
        }
        href
    });
    prop_oneof![4 => near_callback(), 4 => shaped, 1 => text(64), 1 => url_text(64)]
}

/// A code or error response with a state, maybe `iss`, and a few other segments, in any order:
/// the shape that gets past the checks, so the properties reach what comes after them.
fn near_callback() -> impl Strategy<Value = String> {
    let outcome = prop_oneof![
        3 => prop_oneof!["[A-Za-z0-9._~-]{1,24}", url_text(8)].prop_map(|code| format!("code={code}")),
        1 => Just(String::from("error=access_denied&error_description=%3Cscript%3E")),
    ];
    let state = prop_oneof![
        3 => prop::sample::select(&PLACEHOLDERS[..]).prop_map(String::from),
        1 => generated_state(),
        1 => url_text(8),
    ];
    let iss = prop::option::of(prop_oneof![
        3 => Just(encoded("https://as.example")),
        1 => Just(String::from("https://as.example")),
        1 => Just(encoded("https://evil.example")),
        1 => url_text(8),
    ]);
    let extra = prop::collection::vec((param_name(), param_value()).prop_map(|(n, v)| format!("{n}={v}")), 0..3);
    let base = prop::sample::select(&CALLBACK_BASES[..]);
    (base, outcome, state, iss, extra).prop_flat_map(|(base, outcome, state, iss, extra)| {
        let mut segments = vec![outcome, format!("state={state}")];
        segments.extend(iss.map(|iss| format!("iss={iss}")));
        segments.extend(extra);
        Just(segments).prop_shuffle().prop_map(move |segments| format!("{base}?{}", segments.join("&")))
    })
}

fn json_number(f: f64) -> Option<Value> {
    serde_json::Number::from_f64(f).map(Value::Number)
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => Just(Value::Null),
        4 => any::<bool>().prop_map(Value::Bool),
        4 => any::<i64>().prop_map(Value::from),
        4 => any::<u64>().prop_map(Value::from),
        4 => any::<f64>().prop_filter_map("JSON has no NaN or Infinity", json_number),
        4 => prop::sample::select(&EDGE_NUMBERS[..]).prop_filter_map("JSON has no NaN or Infinity", json_number),
        12 => text(24).prop_map(Value::String),
        8 => prop::sample::select(&TOKEN_TYPES[..]).prop_map(Value::from),
        1 => huge_text().prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value: nested arrays and objects of the leaves above.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text(8), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object whose members are mostly the ones named in `keys`, with any values.
fn object_with(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let key = prop_oneof![6 => prop::sample::select(keys).prop_map(String::from), 1 => text(8)];
    prop::collection::btree_map(key, json_value(), 0..10).prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// `base` with up to three members replaced by any value or removed.
fn mutated(base: Value, keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    mutated_with(base, keys, json_value())
}

/// `base` with up to three members replaced by one of `values` or removed.
fn mutated_with(
    base: Value,
    keys: &'static [&'static str],
    values: impl Strategy<Value = Value>,
) -> impl Strategy<Value = Value> {
    let edit = (prop::sample::select(keys), prop::option::of(values));
    prop::collection::vec(edit, 0..4).prop_map(move |edits| {
        let mut object = base.clone();
        for (key, value) in edits {
            match value {
                Some(value) => object[key] = value,
                None => {
                    object.as_object_mut().map(|o| o.remove(key));
                }
            }
        }
        object
    })
}

fn good_token_body() -> Value {
    json!({"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt", "scope": "openid"})
}

/// Any JSON value as a token endpoint body; objects near a valid response most of the time.
fn token_body() -> impl Strategy<Value = Value> {
    prop_oneof![1 => json_value(), 2 => object_with(&TOKEN_KEYS), 3 => mutated(good_token_body(), &TOKEN_KEYS)]
}

/// Claims of an ID token.
static CLAIM_KEYS: [&str; 7] = ["iss", "sub", "aud", "azp", "exp", "iat", "nonce"];

fn good_claims() -> Value {
    let now = NOW_MS / 1000.0;
    json!({"iss": "https://as.example", "sub": "u1", "aud": "spa", "exp": now + 300.0, "iat": now, "nonce": "n0nce"})
}

static CLAIM_STRINGS: [&str; 6] = ["spa", "api", "n0nce", "https://as.example", "https://as.example/", ""];

/// Claim values: any JSON, or the ones that pass a check, or nearly.
fn claim_value() -> impl Strategy<Value = Value> {
    let now = NOW_MS / 1000.0;
    prop_oneof![
        3 => json_value(),
        1 => prop::sample::select(&CLAIM_STRINGS[..]).prop_map(Value::from),
        1 => Just(json!(["api", "spa"])),
        1 => Just(json!(["spa"])),
        1 => (-200.0..200.0f64).prop_map(move |d| json!(now + d)),
    ]
}

/// A compact JWS whose header and claims are near a valid ID token, or junk with dots.
fn id_token() -> impl Strategy<Value = String> {
    let part = |v: &Value| base64url::encode(v.to_string().as_bytes());
    let header = prop_oneof![
        3 => Just(json!({"alg": "RS256"})),
        1 => Just(json!({"alg": "none"})),
        1 => object_with(&["alg", "typ", "kid"]),
    ];
    let claims = mutated_with(good_claims(), &CLAIM_KEYS, claim_value());
    prop_oneof![
        4 => (header, claims, url_text(6)).prop_map(move |(h, c, sig)| format!("{}.{}.{sig}", part(&h), part(&c))),
        1 => text(60),
        1 => url_text(40),
    ]
}

/// Members of an authorization server metadata document.
static METADATA_KEYS: [&str; 6] = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "revocation_endpoint",
    "code_challenge_methods_supported",
    "authorization_response_iss_parameter_supported",
];

fn json_field() -> impl Strategy<Value = JsonField> {
    prop_oneof![
        1 => Just(JsonField::Null),
        1 => Just(JsonField::Other),
        1 => any::<bool>().prop_map(JsonField::Bool),
        2 => text(16).prop_map(JsonField::Str),
        2 => prop::sample::select(&TOKEN_TYPES[..]).prop_map(|t| JsonField::Str(t.into())),
        2 => any::<f64>().prop_map(JsonField::Num),
        2 => prop::sample::select(&EDGE_NUMBERS[..]).prop_map(JsonField::Num),
    ]
}

/// A token response object built field by field (numbers `JSON.parse` can produce, NaN included).
fn token_fields() -> impl Strategy<Value = Fields> {
    let good = [("access_token", "at"), ("token_type", "bearer")]
        .map(|(k, v)| (String::from(k), JsonField::Str(v.into())))
        .into_iter()
        .collect::<BTreeMap<_, _>>();
    let edits =
        prop::collection::btree_map(prop::sample::select(&TOKEN_KEYS[..]).prop_map(String::from), json_field(), 0..6);
    (any::<bool>(), edits).prop_map(move |(start_good, edits)| {
        let mut fields = if start_good { good.clone() } else { BTreeMap::new() };
        fields.extend(edits);
        Fields(fields)
    })
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => prop::sample::select(&[200u16, 201, 204, 299, 300, 302, 400, 401, 500, 0][..]),
        1 => any::<u16>(),
    ]
}

/// Epoch milliseconds anywhere a JS `Date` can be.
fn now_ms() -> impl Strategy<Value = f64> {
    prop_oneof![Just(NOW_MS), (0u64..=8_640_000_000_000_000).prop_map(|n| n as f64)]
}

/// A transaction `from_json` must accept: generated state, valid verifier, anything else any text.
fn valid_transaction() -> impl Strategy<Value = Transaction> {
    (
        generated_state(),
        "[A-Za-z0-9._~-]{43,128}",
        text(40),
        text(20),
        prop::option::of(text(40)),
        prop::option::of(text(43)),
        0u64..=(1 << 53),
        prop::option::of(prop_oneof![9 => text(60), 1 => huge_text()]),
    )
        .prop_map(|(state, verifier, redirect_uri, client_id, issuer, nonce, created_at, app_state)| Transaction {
            state,
            verifier,
            redirect_uri,
            popup_redirect_uri: None,
            client_id,
            issuer,
            nonce,
            created_at: created_at as f64,
            ttl: Some(600),
            app_state,
        })
}

/// What could be in `sessionStorage` under a transaction key: anything, any JSON, or a valid
/// record edited (a member replaced or removed, or its text cut or spliced).
fn stored_text(valid: Value) -> impl Strategy<Value = String> {
    let valid_text = valid.to_string();
    prop_oneof![
        1 => text(64),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => object_with(&TX_KEYS).prop_map(|v| v.to_string()),
        3 => mutated(valid, &TX_KEYS).prop_map(|v| v.to_string()),
        1 => (any::<prop::sample::Index>(), text(4)).prop_map(move |(at, splice)| {
            let mut t = valid_text.clone();
            let at = at.index(t.len() + 1);
            if t.is_char_boundary(at) {
                t.insert_str(at, &splice);
            }
            t
        }),
    ]
}

fn case_config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    // Failures are reproduced as named regression tests below, not in a proptest-regressions file.
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases) }
}

/// One tab: a client configuration, its sessionStorage, clock, randomness and token endpoint.
struct Tab {
    config: ClientConfig,
    store: FakeStore,
    marks: FakeMarks,
    env: FakeEnv,
    transport: FakeTransport,
}

impl Tab {
    fn new(config: ClientConfig, seed: u64) -> Self {
        let transport = FakeTransport::answering(200, &good_token_body().to_string());
        let env = FakeEnv::seeded(seed);
        env.now.set(NOW_MS);
        Self { config, store: FakeStore::default(), marks: FakeMarks::default(), env, transport }
    }

    /// Starts a login; returns the authorize URL.
    fn login(&self, app_state: Option<String>) -> String {
        authorize_url(&self.config, &AuthorizeParams::default(), app_state, None, &self.store, &self.env).unwrap()
    }

    fn finish(&self, href: &str) -> CoreResult<pkce_wasm::LoginResult> {
        block_on(finish_login(&self.config, href, &self.store, &self.marks, &self.env, &self.transport))
    }

    fn stored(&self, state: &str) -> Option<String> {
        self.store.items.borrow().get(&Transaction::key(&self.config.storage_prefix, state)).cloned()
    }

    fn requests(&self) -> Vec<Vec<(String, String)>> {
        self.transport.requests.borrow().iter().map(|body| form::parse(body)).collect()
    }
}

/// The decoded value of `name` in a URL's query.
fn param(href: &str, name: &str) -> Option<String> {
    let query = href.split_once('?')?.1.split('#').next().unwrap_or("");
    form::parse(query).into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

fn value_of<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// The query and fragment of `href`, split the way `Callback::parse` splits them.
fn query_and_fragment(href: &str) -> (&str, &str) {
    let (rest, fragment) = href.split_once('#').unwrap_or((href, ""));
    (rest.split_once('?').map_or("", |(_, q)| q), fragment)
}

/// A code callback for `state` on the sample redirect URI, with `iss`.
fn code_callback(state: &str, code: &str, iss: Option<&str>) -> String {
    let mut href = format!("https://app.example/callback?code={}&state={}", encoded(code), encoded(state));
    if let Some(iss) = iss {
        href = format!("{href}&iss={}", encoded(iss));
    }
    href
}

// ---------------------------------------------------------------------------------------------
// Checks shared by properties and regression cases
// ---------------------------------------------------------------------------------------------

/// `Callback::parse(href).check()` answers, and an accepted response is a well-formed code flow one.
fn check_callback(href: &str) -> PropResult {
    let parsed = Callback::parse(href);
    let Ok(response) = parsed.check() else { return Ok(()) };
    let (query, fragment) = query_and_fragment(href);
    let (query, fragment) = (form::parse(query), form::parse(fragment));
    prop_assert!(!response.state.is_empty());
    prop_assert_eq!(value_of(&query, "state"), Some(response.state.as_str()));
    match &response.outcome {
        Outcome::Code(code) => {
            prop_assert!(!code.is_empty());
            prop_assert_eq!(value_of(&query, "code"), Some(code.as_str()));
        }
        Outcome::Error(error, _, _) => prop_assert!(!error.is_empty()),
    }
    // Names compare as decoded bytes: `%FF` and `%FE` are two names, not one U+FFFD twice.
    let names: Vec<Vec<u8>> = query_names(href).iter().map(|name| form::decode_bytes(name)).collect();
    for (i, name) in names.iter().enumerate() {
        prop_assert!(names[..i].iter().all(|earlier| earlier != name), "duplicate {:?} accepted", name);
    }
    for (name, _) in query.iter().chain(fragment.iter()) {
        prop_assert!(!["access_token", "id_token", "token"].contains(&name.as_str()), "implicit {} accepted", name);
    }
    Ok(())
}

/// The raw (still encoded) parameter names of `href`'s query.
fn query_names(href: &str) -> Vec<&str> {
    let query = query_and_fragment(href).0;
    query.split('&').filter(|s| !s.is_empty()).map(|s| s.split_once('=').map_or(s, |(n, _)| n)).collect()
}

/// Parameters of an authorization response that must not survive `cleaned`.
const SECRET_PARAMS: [&str; 9] =
    ["code", "state", "iss", "error", "error_description", "error_uri", "access_token", "id_token", "token"];

/// `cleaned(href)` leaves no response value in the URL, keeps origin and path, and is idempotent.
fn check_cleaned(href: &str) -> PropResult {
    let clean = callback::cleaned(href).unwrap_or_else(|| href.into());
    let (query, fragment) = query_and_fragment(&clean);
    for (name, _) in form::parse(query) {
        prop_assert!(!SECRET_PARAMS.contains(&name.as_str()), "{} left in the query of {:?}", name, clean);
    }
    for (name, value) in form::parse(fragment) {
        let leaked = SECRET_PARAMS.contains(&name.as_str()) && !value.is_empty();
        prop_assert!(!leaked, "{}={} left in the fragment of {:?}", name, value, clean);
    }
    prop_assert!(Callback::parse(&clean).check().is_err(), "{:?} is still a callback", clean);
    prop_assert_eq!(callback::cleaned(&clean), None, "cleaning {:?} twice changed it", href);
    if let Some(before) = url::parse(href) {
        let after = url::parse(&clean);
        prop_assert!(after.is_some_and(|after| after.same_origin_and_path(&before)), "{:?} -> {:?}", href, clean);
    }
    Ok(())
}

/// A token answer is tokens only for 2xx with a string access token and a Bearer/DPoP type,
/// otherwise `token_error` or `invalid_token_response` carrying the status.
fn check_token_response(status: u16, body: Option<&impl JsonObject>, now: f64) -> PropResult {
    match token::parse_response(status, body, now) {
        Ok(tokens) => {
            prop_assert!((200..300).contains(&status));
            prop_assert!(!tokens.access_token.is_empty());
            prop_assert!(["bearer", "dpop"].iter().any(|t| tokens.token_type.eq_ignore_ascii_case(t)));
            let now_s = (now / 1000.0) as u64;
            let latest = now_s.min(token::MAX_EXPIRES_AT);
            prop_assert!(tokens.expires_at.is_none_or(|at| at >= latest), "expires_at before now");
            prop_assert!(tokens.expires_at.is_none_or(|at| at <= token::MAX_EXPIRES_AT), "expires_at past 9999");
        }
        Err(error) => {
            prop_assert!(
                matches!(error.code, ErrorCode::TokenError | ErrorCode::InvalidTokenResponse),
                "{:?}",
                error.code
            );
            prop_assert_eq!(error.status, Some(status));
            if error.code == ErrorCode::TokenError {
                prop_assert!(!(200..300).contains(&status) && error.error.is_some());
            }
        }
    }
    Ok(())
}

/// `from_json` accepts a record or says `transaction_invalid`; what it accepts is well formed.
fn check_transaction(record: &impl JsonObject) -> PropResult {
    match Transaction::from_json(record) {
        Ok(tx) => {
            prop_assert!(pkce::is_generated_state(&tx.state));
            prop_assert!(pkce::validate_verifier(&tx.verifier).is_ok());
            prop_assert!(tx.created_at.is_finite() && tx.created_at >= 0.0);
        }
        Err(error) => prop_assert_eq!(error.code, ErrorCode::TransactionInvalid),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties of the parsers
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(case_config(2000))]

    #[test]
    fn any_callback_url_is_checked_without_panic(href in callback_href()) {
        check_callback(&href)?;
    }

    #[test]
    fn cleaned_url_keeps_no_response_parameter(href in callback_href()) {
        check_cleaned(&href)?;
    }

    #[test]
    fn is_callback_only_on_the_redirect_uri(href in callback_href()) {
        let config = sample();
        if callback::is_callback(&config, &href) {
            let redirect = url::parse(&config.redirect_uri).unwrap();
            prop_assert!(url::parse(&href).is_some_and(|here| here.same_origin_and_path(&redirect)));
            prop_assert!(Callback::parse(&href).state().is_some());
        }
    }

    #[test]
    fn dpop_header_readers_never_panic(s in prop_oneof![text(80), "[ ,=\"\\\\a-zA-Z_]{0,40}"]) {
        let _ = pkce_wasm::dpop::challenge_error(&s, "DPoP");
        let _ = pkce_wasm::dpop::clock_offset(&s, 1.7e12);
        if let Some(htu) = pkce_wasm::dpop::htu(&s) {
            prop_assert!(!htu.contains('?') && !htu.contains('#'), "{htu}");
        }
    }

    #[test]
    fn a_dpop_session_retries_only_for_a_fresh_valid_nonce_and_never_twice(
        status in prop_oneof![Just(400u16), Just(401u16), 100u16..600],
        nonce in prop_oneof![text(20), "[!-~]{1,20}"],
        challenge in prop_oneof![text(60), Just(String::from("DPoP error=\"use_dpop_nonce\""))],
        error in prop_oneof![Just(String::from("use_dpop_nonce")), text(20)],
        date in text(30),
    ) {
        let mut session = pkce_wasm::dpop::Session::default();
        let body = parse_object(&serde_json::json!({ "error": error }).to_string()).unwrap();
        let headers = vec![
            ("dpop-nonce".into(), nonce.clone()),
            ("www-authenticate".into(), challenge),
            ("date".into(), date),
            ("content-type".into(), "application/json".into()),
        ];
        let answer = pkce_wasm::http::Response { status, headers, body: pkce_wasm::http::Body::Object(body) };
        let valid = nonce.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e));
        if session.observe("https://as.example/token", &answer, 1.7e12, false) {
            prop_assert!(valid && (status == 400 || status == 401), "a retry needs a valid nonce and a refusal");
        }
        prop_assert!(!session.observe("https://as.example/token", &answer, 1.7e12, true), "never a second retry");
    }

    #[test]
    fn url_parse_never_panics(s in prop_oneof![text(80), url_text(40), callback_href()]) {
        if let Some(parsed) = url::parse(&s) {
            prop_assert!(parsed.scheme == "http" || parsed.scheme == "https");
            prop_assert!(!parsed.host.is_empty());
            prop_assert!(!s.bytes().any(|b| b <= b' ' || b == 0x7f));
            let _ = (parsed.is_loopback(), parsed.is_secure_or_loopback());
        }
    }

    #[test]
    fn form_encoding_round_trips(s in prop_oneof![text(64), url_text(32)]) {
        let out = encoded(&s);
        prop_assert!(out.bytes().all(|b| b.is_ascii_alphanumeric() || b"*-._+%".contains(&b)), "{}", out);
        prop_assert_eq!(form::decode(&out), s);
    }

    #[test]
    fn form_pairs_round_trip(pairs in prop::collection::vec((text(12), text(12)), 0..8)) {
        let mut body = String::new();
        for (name, value) in &pairs {
            form::push_pair(&mut body, name, value);
        }
        prop_assert_eq!(form::parse(&body), pairs);
    }

    #[test]
    fn form_without_removes_exactly_the_names(q in query(), names in prop::collection::vec(param_name(), 0..4)) {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let expected: Vec<_> = form::parse(&q).into_iter().filter(|(n, _)| !names.contains(&n.as_str())).collect();
        prop_assert_eq!(form::parse(&form::without(&q, &names)), expected);
    }

    #[test]
    fn s256_challenge_only_for_rfc7636_verifiers(v in prop_oneof!["[A-Za-z0-9._~-]{40,130}", text(60)]) {
        let valid = (43..=128).contains(&v.len())
            && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        match pkce::challenge_s256(&v) {
            Ok(challenge) => {
                prop_assert!(valid);
                prop_assert!(challenge.len() == 43 && base64url::is_base64url(&challenge));
            }
            Err(error) => {
                prop_assert!(!valid);
                prop_assert_eq!(error.code, ErrorCode::InvalidVerifier);
            }
        }
    }

    #[test]
    fn any_token_json_is_tokens_or_token_error(status in status(), body in token_body(), now in now_ms()) {
        check_token_response(status, Some(&body).filter(|b| b.is_object()), now)?;
    }

    #[test]
    fn any_token_fields_are_tokens_or_token_error(status in status(), body in token_fields(), now in now_ms()) {
        check_token_response(status, Some(&body), now)?;
    }

    #[test]
    fn non_json_token_body_is_never_tokens(status in status()) {
        // `None`: the body was HTML, empty, an array or anything but a JSON object.
        let error = token::parse_response(status, None::<&Value>, NOW_MS).unwrap_err();
        prop_assert_eq!(error.code, ErrorCode::InvalidTokenResponse);
    }

    #[test]
    fn stored_transaction_json_is_valid_or_transaction_invalid(record in prop_oneof![
        json_value(),
        object_with(&TX_KEYS),
        valid_transaction().prop_flat_map(|tx| mutated(serde_json::from_str(&tx.to_json()).unwrap(), &TX_KEYS)),
    ]) {
        if record.is_object() {
            check_transaction(&record)?;
        }
    }

    #[test]
    fn stored_transaction_fields_are_valid_or_transaction_invalid(
        fields in prop::collection::btree_map(
            prop::sample::select(&TX_KEYS[..]).prop_map(String::from),
            json_field(),
            0..9,
        )
    ) {
        check_transaction(&Fields(fields))?;
    }

    #[test]
    fn any_id_token_is_claims_or_id_token_invalid(jwt in id_token(), nonce in prop::option::of(prop_oneof![
        Just(String::from("n0nce")),
        text(8),
    ])) {
        let env = FakeEnv::seeded(1);
        let expected =
            Expected { issuer: Some("https://as.example"), client_id: "spa", nonce: nonce.as_deref(), now: NOW_MS };
        match id_token::validate(&jwt, &expected, &env) {
            Ok(claims) => {
                let claims = parse_object(&claims);
                prop_assert!(claims.is_some(), "claims are not a JSON object");
                let claims = claims.unwrap();
                prop_assert_eq!(claims.field("iss"), JsonField::Str("https://as.example".into()));
                let audience = claims.field("aud") == JsonField::Str("spa".into())
                    || claims.strings("aud").is_some_and(|aud| aud.iter().any(|a| a == "spa"));
                prop_assert!(audience, "aud without this client");
                let unexpired = |exp: f64| exp + id_token::CLOCK_SKEW > NOW_MS / 1000.0;
                prop_assert!(matches!(claims.field("exp"), JsonField::Num(exp) if unexpired(exp)));
                if let Some(nonce) = nonce {
                    prop_assert_eq!(claims.field("nonce"), JsonField::Str(nonce));
                }
            }
            Err(error) => prop_assert_eq!(error.code, ErrorCode::IdTokenInvalid),
        }
    }

    #[test]
    fn any_metadata_document_is_metadata_or_discovery_error(doc in mutated_with(
        json!({
            "issuer": "https://as.example",
            "authorization_endpoint": "https://as.example/authorize",
            "token_endpoint": "https://as.example/token",
            "code_challenge_methods_supported": ["S256"],
        }),
        &METADATA_KEYS,
        prop_oneof![
            3 => json_value(),
            1 => Just(json!(["plain"])),
            1 => Just(json!(["plain", "S256"])),
            1 => Just(json!(true)),
        ],
    )) {
        match discovery::parse_metadata("https://as.example", &doc) {
            Ok(metadata) => {
                prop_assert_eq!(&metadata.issuer, "https://as.example");
                if let Some(methods) = doc.get("code_challenge_methods_supported") {
                    let s256 = methods.as_array().is_some_and(|m| m.contains(&json!("S256")));
                    prop_assert!(s256, "no S256 in {}", methods);
                }
                let cached =
                    parse_object(&metadata.to_json()).map(|m| discovery::parse_metadata("https://as.example", &m));
                prop_assert_eq!(cached, Some(Ok(metadata)));
            }
            Err(error) => prop_assert_eq!(error.code, ErrorCode::DiscoveryError),
        }
    }

    #[test]
    fn transaction_round_trips_through_json(tx in valid_transaction()) {
        let text = tx.to_json();
        let record = parse_object(&text);
        prop_assert!(record.is_some(), "not a JSON object: {}", text);
        prop_assert_eq!(Transaction::from_json(&record.unwrap()).unwrap(), tx);
    }
}

// ---------------------------------------------------------------------------------------------
// Properties of the login flow over fakes
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(case_config(512))]

    /// Whatever URL reaches `finish_login`, a token request goes out only for the state of a
    /// transaction this tab stored, with that transaction's verifier and redirect URI, after
    /// every callback check passed; that transaction is gone afterwards, the others untouched.
    #[test]
    fn finish_login_redeems_only_a_state_this_tab_stored(
        seed in any::<u64>(),
        logins in 0..=3usize,
        template in callback_href(),
        require_iss in any::<bool>(),
        elapsed_ms in prop_oneof![Just(1_000.0), 0.0..1_300_000.0],
    ) {
        let mut config = sample();
        config.require_iss = require_iss;
        let tab = Tab::new(config, seed);
        let states: Vec<String> = (0..logins).map(|_| param(&tab.login(None), "state").unwrap()).collect();
        let before = tab.store.items.borrow().clone();
        let href = states.iter().zip(PLACEHOLDERS).fold(template, |href, (state, slot)| href.replace(slot, state));
        tab.env.now.set(tab.env.now.get() + elapsed_ms);

        let result = tab.finish(&href);

        let requests = tab.requests();
        let first_state = Callback::parse(&href).state().map(String::from);
        let matched = first_state.filter(|s| states.contains(s));
        prop_assert!(requests.len() <= 1);
        if let Some(request) = requests.first() {
            let state = matched.as_deref();
            prop_assert!(state.is_some(), "token request for a state this tab never issued: {:?}", href);
            let record = parse_object(&before[&Transaction::key("pkce-wasm", state.unwrap())]).unwrap();
            let tx = Transaction::from_json(&record).unwrap();
            let response = Callback::parse(&href).check();
            prop_assert!(response.is_ok(), "token request for a callback that fails its checks: {:?}", href);
            let iss = response.unwrap().iss;
            prop_assert!(iss.as_deref().is_none_or(|iss| iss == "https://as.example"), "mix-up: iss {:?}", iss);
            prop_assert!(!(require_iss && iss.is_none()));
            prop_assert!(elapsed_ms <= 600_000.0, "expired transaction redeemed");
            prop_assert_eq!(value_of(request, "code_verifier"), Some(tx.verifier.as_str()));
            prop_assert_eq!(value_of(request, "redirect_uri"), Some("https://app.example/callback"));
            prop_assert_eq!(value_of(request, "grant_type"), Some("authorization_code"));
        }
        prop_assert!(result.is_err() || requests.len() == 1);
        for state in &states {
            let now_stored = tab.stored(state);
            if matched.as_deref() == Some(state.as_str()) {
                prop_assert!(now_stored.is_none(), "transaction not consumed");
            } else {
                prop_assert_eq!(now_stored.as_ref(), before.get(&Transaction::key("pkce-wasm", state)));
            }
        }
    }

    /// A real login: S256 challenge of the stored verifier, 43-character state and verifier that
    /// never appear together in a URL, the redirect URI byte for byte in both requests, any
    /// appState back, and a second use of the same callback redeems nothing.
    #[test]
    fn login_round_trip_uses_s256_exact_redirect_uri_and_single_use_state(
        seed in any::<u64>(),
        redirect_uri in text(40),
        app_state in prop::option::of(text(40).prop_map(|t| Value::from(t).to_string())),
        code in text(30).prop_filter("a code is non-empty", |c| !c.is_empty()),
    ) {
        let mut config = sample();
        config.redirect_uri = redirect_uri.clone();
        let tab = Tab::new(config, seed);
        let authorize_url = tab.login(app_state.clone());
        let state = param(&authorize_url, "state").unwrap();
        let record = parse_object(&tab.stored(&state).unwrap()).unwrap();
        let tx = Transaction::from_json(&record).unwrap();

        let sent = |name| param(&authorize_url, name);
        prop_assert_eq!(sent("response_type"), Some("code".into()));
        prop_assert_eq!(sent("code_challenge_method"), Some("S256".into()));
        prop_assert_eq!(sent("code_challenge"), Some(pkce::challenge_s256(&tx.verifier).unwrap()));
        prop_assert_eq!(sent("redirect_uri"), Some(redirect_uri.clone()));
        prop_assert!(pkce::is_generated_state(&state) && tx.verifier.len() == 43);
        prop_assert!(!authorize_url.contains(&tx.verifier));

        let href = code_callback(&state, &code, Some("https://as.example"));
        let result = tab.finish(&href).unwrap();
        prop_assert_eq!(result.app_state, app_state);
        prop_assert!(tab.store.items.borrow().is_empty());
        let requests = tab.requests();
        prop_assert_eq!(value_of(&requests[0], "code"), Some(code.as_str()));
        prop_assert_eq!(value_of(&requests[0], "redirect_uri"), Some(redirect_uri.as_str()));
        prop_assert_eq!(value_of(&requests[0], "code_verifier"), Some(tx.verifier.as_str()));

        prop_assert_eq!(tab.finish(&href).unwrap_err().code, ErrorCode::StateUnknown);
        prop_assert_eq!(tab.requests().len(), 1);
    }

    /// Whatever is stored under the callback's transaction key (edited JSON, wrong types, huge
    /// values, not JSON at all), the record is consumed, and a code is redeemed only when the
    /// record is a valid, unexpired transaction of this client for that very state.
    #[test]
    fn tampered_stored_transaction_is_consumed_and_redeems_nothing(
        seed in any::<u64>(),
        stored in valid_transaction().prop_flat_map(|tx| {
            let mut valid: Value = serde_json::from_str(&tx.to_json()).unwrap();
            let config = sample();
            valid["redirectUri"] = config.redirect_uri.into();
            valid["clientId"] = config.client_id.into();
            valid["issuer"] = config.issuer.into();
            valid["createdAt"] = (NOW_MS as u64).into();
            stored_text(valid)
        }),
    ) {
        let tab = Tab::new(sample(), seed);
        let state = parse_object(&stored)
            .and_then(|record| match record.field("state") {
                JsonField::Str(s) if pkce::is_generated_state(&s) => Some(s),
                _ => None,
            })
            .unwrap_or_else(|| "c3RhdGUtc3RhdGUtc3RhdGUtc3RhdGUtc3RhdGUtc3Q".into());
        tab.store.set(&Transaction::key("pkce-wasm", &state), &stored).unwrap();
        tab.env.now.set(NOW_MS + 1000.0);

        let result = tab.finish(&code_callback(&state, "c", Some("https://as.example")));

        prop_assert!(tab.store.items.borrow().is_empty(), "transaction not consumed");
        let requests = tab.requests();
        if let Some(request) = requests.first() {
            let tx = parse_object(&stored).map(|r| Transaction::from_json(&r));
            prop_assert!(matches!(tx, Some(Ok(_))), "redeemed with an invalid record {:?}", stored);
            let tx = tx.unwrap().unwrap();
            prop_assert!(tx.state == state && tx.belongs_to(&tab.config));
            let app_state = tx.app_state.as_deref();
            prop_assert!(app_state.is_none_or(|a| serde_json::from_str::<Value>(a).is_ok()), "appState {:?}", app_state);
            prop_assert_eq!(value_of(request, "code_verifier"), Some(tx.verifier.as_str()));
        } else {
            let code = result.unwrap_err().code;
            prop_assert!(
                matches!(code, ErrorCode::TransactionInvalid | ErrorCode::StateUnknown | ErrorCode::TransactionExpired),
                "{:?}",
                code
            );
        }
    }

    /// Mix-up defence with two providers: a callback for client A's login handled by client B
    /// (another issuer, same or other storage prefix) fails whatever `iss` it carries, and
    /// nothing is sent to B's token endpoint.
    #[test]
    fn callback_for_one_provider_fails_at_another(
        seed in any::<u64>(),
        iss in prop::option::of(prop_oneof![
            Just(String::from("https://a.example")),
            Just(String::from("https://b.example")),
            text(20),
        ]),
        shared_prefix in any::<bool>(),
    ) {
        let provider = |name: &str| {
            let mut c = ClientConfig::new(
                "spa",
                "https://app.example/callback",
                &format!("https://{name}.example/authorize"),
                &format!("https://{name}.example/token"),
            );
            c.issuer = Some(format!("https://{name}.example"));
            c
        };
        let a = Tab::new(provider("a"), seed);
        let mut b = Tab::new(provider("b"), seed);
        if !shared_prefix {
            b.config.storage_prefix = "other".into();
        }
        let state = param(&a.login(None), "state").unwrap();
        // One sessionStorage per tab: both clients run in it.
        b.store.items.borrow_mut().extend(a.store.items.take());

        let error = b.finish(&code_callback(&state, "c", iss.as_deref())).unwrap_err();

        prop_assert!(matches!(error.code, ErrorCode::StateUnknown | ErrorCode::IssMismatch), "{:?}", error.code);
        prop_assert!(b.requests().is_empty());
    }

    /// A refresh answers tokens (keeping the old refresh token unless rotated) or a token error;
    /// an `id_token` in the answer must pass the claims checks.
    #[test]
    fn refresh_with_any_answer_is_tokens_or_token_error(status in status(), body in token_body(), token in text(20)) {
        let tab = Tab { transport: FakeTransport::answering(status, &body.to_string()), ..Tab::new(sample(), 1) };
        match block_on(refresh(&tab.config, &token, None, &tab.env, &tab.transport)) {
            Ok(tokens) => prop_assert!(tokens.refresh_token.is_some() && !token.is_empty()),
            Err(error) => prop_assert!(
                matches!(
                    error.code,
                    ErrorCode::TokenError
                        | ErrorCode::InvalidTokenResponse
                        | ErrorCode::InvalidArgument
                        | ErrorCode::IdTokenInvalid
                ),
                "{:?}",
                error.code
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regression cases found by the fuzzer and the properties above
// ---------------------------------------------------------------------------------------------

/// Found by `any_token_fields_are_tokens_or_token_error` and the `token_response` fuzz target
/// (fixed in 2e034f5):
/// an `expires_in` of 2^64 seconds or more (`1e300` is a valid JSON number) overflowed
/// `expires_at`: a panic in debug builds, a wrapped, already-past expiry in the release wasm.
#[test]
fn regression_expires_in_beyond_u64_does_not_overflow() {
    for seconds in [1.844_674_407_370_955_2e19, 1e300, f64::MAX] {
        let body = Fields(BTreeMap::from([
            ("access_token".into(), JsonField::Str("at".into())),
            ("token_type".into(), JsonField::Str("bearer".into())),
            ("expires_in".into(), JsonField::Num(seconds)),
        ]));
        check_token_response(200, Some(&body), NOW_MS).unwrap();
    }
    // The `token_response` target's minimized crash on the source before the fix (fuzz/README.md).
    let fuzzed = r#"{"access_token":"at","token_type":"Bearer","expires_in":360018446744073709551615}"#;
    check_token_response(200, parse_object(fuzzed).as_ref(), NOW_MS).unwrap();
}

/// The duplicate-parameter check used to compare every name with every earlier one: a crafted
/// link to the callback page with ~100 000 distinct parameters (770 KB, within browsers' URL
/// limits) kept `handleCallback` busy for seconds to minutes. It is O(n log n) now (heapsort).
#[test]
fn regression_callback_with_many_distinct_parameters_is_checked_quickly() {
    let params: Vec<String> = (0..100_000).map(|i| format!("p{i}=")).collect();
    let href = format!("https://app.example/callback?{}", params.join("&"));
    assert_eq!(Callback::parse(&href).check().unwrap_err().code, ErrorCode::NotACallback);
}

/// URL-shaped text from pieces WHATWG parses specially (numeric hosts, `\\`, dot segments,
/// user info, IPv6, punycode, characters it percent-encodes).
fn whatwg_tricky_url() -> impl Strategy<Value = String> {
    let pick = |pieces: &'static [&'static str]| prop::sample::select(pieces);
    (
        pick(&["http", "https", "HTTPS", "ftp", "http:", ""]),
        pick(&["://", ":/", ":", ":///", ":\\\\", "://\\"]),
        pick(&["", "", "u@", "u:p@", "a@b@", "evil.example\\@"]),
        pick(&[
            "127.0.0.1",
            "127.1",
            "0x7f.0.0.1",
            "2130706433",
            "0177.0.0.1",
            "127.0.0.1.",
            "1.2.3",
            "1.2.3.4.5",
            "localhost",
            "LOCALHOST",
            "localhost.",
            "[::1]",
            "[0:0::1]",
            "[::2]",
            "[::1]evil.example",
            "[::1].example",
            "[::1]]",
            "[::1]@x",
            "example.com",
            "EXAMPLE.com",
            "xn--nxasmq6b.com",
            "ex%41mple.com",
            "ex ample",
            "caf\u{e9}.com",
            "a..b",
            "_a.com",
            "-a.com",
            "a.0x",
            "a.09",
            "",
            "256.0.0.1",
            "1.2.3.04",
        ]),
        pick(&["", "", ":", ":80", ":443", ":0443", ":65536", ":8x", ":000000443"]),
        prop::collection::vec(
            pick(&[
                "/", "/a", "/./", "/../", "/%2e/", "/.%2E", "/a b", "/a\\b", "/{x}", "/^", "/|", "/[x]", "/'", "/\"",
                "/\u{e9}", "/%zz", "/`",
            ]),
            0..3,
        ),
        pick(&["", "?", "?a=1", "?a='", "?a=\"", "?a=`", "?<", "?a=\\"]),
        pick(&["", "#", "#f", "#`", "#<"]),
    )
        .prop_map(|(scheme, sep, user, host, port, path, query, fragment)| {
            format!("{scheme}{sep}{user}{host}{port}{}{query}{fragment}", path.concat())
        })
}

/// What `url::parse` accepted, read the same by the WHATWG parser (the `url` crate as oracle).
fn check_against_whatwg(s: &str) -> PropResult {
    let Some(ours) = url::parse(s) else { return Ok(()) };
    let whatwg = ::url::Url::parse(s);
    prop_assert!(whatwg.is_ok(), "{:?} accepted here, refused by WHATWG", s);
    let whatwg = whatwg.unwrap();
    prop_assert_eq!(whatwg.scheme(), ours.scheme.as_str(), "scheme of {:?}", s);
    prop_assert_eq!(whatwg.host_str(), Some(ours.host.as_str()), "host of {:?}", s);
    prop_assert_eq!(whatwg.port_or_known_default(), Some(ours.port), "port of {:?}", s);
    let whatwg_userinfo = !whatwg.username().is_empty() || whatwg.password().is_some();
    // Any `@` in the authority is user info here (config refuses it), even an empty one WHATWG drops.
    prop_assert!(!whatwg_userinfo || ours.has_userinfo, "user info of {:?}", s);
    prop_assert_eq!(whatwg.path(), ours.path, "path of {:?}", s);
    prop_assert_eq!(whatwg.query(), ours.query, "query of {:?}", s);
    prop_assert_eq!(whatwg.fragment(), ours.fragment, "fragment of {:?}", s);
    Ok(())
}

proptest! {
    #![proptest_config(case_config(4096))]

    /// Differential: every URL `url::parse` accepts (so every configured or discovered URL
    /// `ClientConfig::validate` accepts) means the same to the browser's WHATWG parser.
    #[test]
    fn url_parse_agrees_with_whatwg(s in whatwg_tricky_url()) {
        check_against_whatwg(&s)?;
    }

    /// The same over arbitrary URL-ish text.
    #[test]
    fn url_parse_agrees_with_whatwg_on_any_text(s in url_text(40).prop_map(|t| format!("http://{t}"))) {
        check_against_whatwg(&s)?;
    }
}
