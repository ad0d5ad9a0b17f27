# The commands people type. `make test` is what CI runs.
CARGO ?= cargo

.PHONY: run test lint fmt bench index check

## run: serve the bundled content on http://127.0.0.1:8080
run:
	$(CARGO) run --release -- serve

## test: formatting, lints with warnings as errors, then every test
test: lint
	$(CARGO) test --release

## lint: rustfmt check and clippy with -D warnings
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --all-targets -- -D warnings

## bench: criterion benchmarks (figures go into BENCHMARKS.md)
bench:
	$(CARGO) bench

## fmt: format the code
fmt:
	$(CARGO) fmt --all

## index: build the search index for content/
index:
	$(CARGO) run --release -- index

## check: validate content/
check:
	$(CARGO) run --release -- check
