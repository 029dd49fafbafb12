# pkce-wasm: `make demo` runs the login demo, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: setup pkg www test demo bench lint test-native test-wasm test-node test-types test-publint test-e2e size clean

setup:
	@scripts/setup.sh

pkg: setup
	@scripts/build-pkg.sh

# The examples, the local authorization server and the e2e tooling (needs pkg/: file: dependency),
# and the Rust example (www/rust/dist/).
www: pkg
	@scripts/setup.sh www
	@scripts/build-rust-example.sh

# The authorization server (stock login page: any username and password) and the examples,
# on 127.0.0.1, until Ctrl-C. `make demo AS=glewlwyd`: Glewlwyd instead (Debian's package).
AS ?= oidc-provider
demo: www
	cd www && npm run build --silent && node demo.mjs --as=$(AS)

test: pkg lint test-native test-wasm test-node test-types test-publint size test-e2e
	@echo "make test: all suites passed"

# Each target names what it needs, so `make -j test` and any single target work on a clean tree.
lint: setup
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy -p pkce-wasm-cdylib --target wasm32-unknown-unknown -- -D warnings # the npm build: feature js (src/api/)

test-native: setup
	cargo test

test-wasm: setup
	scripts/test-wasm.sh

test-node: pkg
	node --test tests/node/

test-types: pkg
	tsc -p tests/types

# The package as published (exports, files, types of each entry): publint, warnings count.
test-publint: pkg
	publint --strict pkg

size: pkg
	@scripts/size.sh

test-e2e: www
	cd www && npm test

bench: pkg
	cd bench && npm ci --no-audit --no-fund --loglevel=error && node run.mjs

clean:
	cargo clean
	rm -rf pkg
