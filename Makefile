# The commands people type. `make test` is what CI runs.
CARGO ?= cargo

.PHONY: run test lint fmt bench index check

## run: serve the bundled content on http://127.0.0.1:8080
run:
	$(CARGO) run --release -- serve

## test: formatting, lints with warnings as errors, every test, then the browser tests
test: lint
	$(CARGO) test --release
	$(MAKE) browser-test

## lint: rustfmt check and clippy with -D warnings
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --all-targets -- -D warnings

SHARED ?= ../shared
TLDR_DIR := $(or $(TMPDIR),/tmp)/folio-bench-tldr

## bench: criterion query benchmarks, save-to-searchable on content/, a 60 s loopback
## load test with concurrent edits, and, when $(SHARED) is there, save-to-searchable on
## the 7,425 English tldr pages (figures go into BENCHMARKS.md)
bench:
	$(CARGO) bench --bench search
	$(CARGO) bench --bench live_edit -- content
	$(CARGO) bench --bench load -- 60 64
	@if [ -f $(SHARED)/corpora/tldr-pages.tar.gz ]; then \
	  rm -rf $(TLDR_DIR) && mkdir -p $(TLDR_DIR) && \
	  tar -xzf $(SHARED)/corpora/tldr-pages.tar.gz -C $(TLDR_DIR) pages && \
	  $(CARGO) bench --bench live_edit -- $(TLDR_DIR)/pages; \
	else echo "$(SHARED)/corpora not found: tldr benchmark skipped"; fi

## fmt: format the code
fmt:
	$(CARGO) fmt --all

## index: build the search index for content/
index:
	$(CARGO) run --release -- index

## check: validate content/
check:
	$(CARGO) run --release -- check

BROWSER_DIR := tests/browser

.PHONY: browser-test screenshots lighthouse

## browser-test: the site in headless Chromium (/usr/bin/chromium): keyboard search,
## live reload, console errors, requests, layout, axe-core accessibility
browser-test:
	$(CARGO) build --release
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund && node --test *.test.mjs

## screenshots: PNGs of the home page, /502, search results and the error overlay,
## light and dark, into docs/screenshots/
screenshots:
	$(CARGO) build --release
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund && node screenshots.mjs ../../docs/screenshots

## lighthouse: Lighthouse scores for /, /502 and /search?q=gateway (not part of `test`)
lighthouse:
	$(CARGO) build --release
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund
	cd $(BROWSER_DIR)/lighthouse && npm ci --no-audit --no-fund && node lighthouse.mjs
