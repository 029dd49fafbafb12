# pkce-wasm: `make demo` runs the login demo, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: setup pkg test demo bench lint test-native test-wasm test-node test-types size clean

setup:
	@scripts/setup.sh

pkg: setup
	@scripts/build-pkg.sh

test: pkg lint test-native test-wasm test-node test-types size
	@echo "make test: all suites passed"

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

test-native:
	cargo test

test-wasm:
	scripts/test-wasm.sh

test-node:
	node --test tests/node/

test-types:
	tsc -p tests/types

size:
	@scripts/size.sh

bench: pkg
	cd bench && npm ci --no-audit --no-fund --loglevel=error && node run.mjs

clean:
	cargo clean
	rm -rf pkg
