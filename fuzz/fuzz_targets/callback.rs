//! Any bytes as a callback URL: parsing, the stateless checks, the checks against a stored
//! transaction, address-bar cleaning and callback detection must never panic, and must keep
//! the invariants the property tests state (tests/properties.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkce_wasm::callback::{self, Callback, Outcome};
use pkce_wasm::transaction::Transaction;
use pkce_wasm::{form, url, ErrorCode};

const STATE: &str = "c3RhdGUtc3RhdGUtc3RhdGUtc3RhdGUtc3RhdGUtc3Q";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const NOW: f64 = 1_700_000_000_000.0;


fuzz_target!(|data: &[u8]| {
    let href = String::from_utf8_lossy(data);
    let config = pkce_wasm::config::sample();
    let parsed = Callback::parse(&href);
    if let Ok(response) = parsed.check() {
        assert!(!response.state.is_empty());
        assert_eq!(parsed.state(), Some(response.state.as_str()));
        match &response.outcome {
            Outcome::Code(code) => assert!(!code.is_empty()),
            Outcome::Error(error, _, _) => assert!(!error.is_empty()),
        }
        // Against the transaction this tab would have stored, and one whose state matches the
        // callback's, so the checks after the state comparison are reached too.
        let stored = Transaction::new(&config, STATE.into(), VERIFIER.into(), None, NOW - 1000.0, None);
        let matching = Transaction { state: response.state.clone(), ..stored.clone() };
        for tx in [&stored, &matching] {
            match callback::validate(response.clone(), tx, &config, NOW) {
                Ok(code) => {
                    assert_eq!(tx.state, response.state);
                    assert!(response.iss.as_deref().is_none_or(|iss| Some(iss) == config.issuer.as_deref()));
                    assert!(!code.is_empty());
                }
                Err(e) if tx.state != response.state => assert_eq!(e.code, ErrorCode::StateUnknown),
                Err(_) => {}
            }
        }
    }
    let is_callback = callback::is_callback(&config, &href);
    if is_callback {
        assert!(url::parse(&href).is_some());
    }
    let clean = callback::cleaned(&href).unwrap_or_else(|| href.to_string());
    assert_eq!(callback::cleaned(&clean), None, "cleaning is idempotent");
    let (rest, fragment) = clean.split_once('#').unwrap_or((&clean, ""));
    let query = rest.split_once('?').map_or("", |(_, q)| q);
    for (name, value) in form::parse(query).iter().chain(form::parse(fragment).iter()) {
        let response_param = matches!(name.as_str(), "code" | "state" | "iss" | "access_token" | "id_token");
        assert!(!(response_param && !value.is_empty()), "{name} survived cleaning");
    }
    assert!(!callback::is_callback(&config, &clean));
});
