# The commands people type. `make test` is what CI runs.
CARGO ?= cargo

.PHONY: run test lint audit fmt bench index check

## run: serve the bundled content on http://127.0.0.1:8080
run:
	$(CARGO) run --release -- serve

## test: formatting, lints with warnings as errors, the dependency audit, every test,
## then the browser tests
test: lint audit
	$(CARGO) test --release
	$(MAKE) browser-test

## lint: rustfmt check and clippy with -D warnings
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --all-targets -- -D warnings

## audit: cargo-deny (installed from crates.io when missing) on licences, banned crates
## (serde_yaml, serde_yml) and sources, as deny.toml says; every locked crate, for
## every platform, is fetched first, since cargo-deny reads them offline
audit:
	command -v cargo-deny >/dev/null || $(CARGO) install cargo-deny --locked
	$(CARGO) fetch --locked
	$(CARGO) deny --offline --log-level error check bans licenses sources

SHARED ?= ../shared
BENCH_DIR := $(or $(TMPDIR),/tmp)/folio-bench
TLDR_ROOT := $(BENCH_DIR)/tldr
EVAL_DIR := $(BENCH_DIR)/eval

.PHONY: bench bench-tools fuzz

## bench: criterion benchmarks (parse, render, index, queries); the HTML of every page,
## code highlighting included (median and p99: content/, tldr, VitePress docs); save-to-searchable; a
## 60 s loopback load test with concurrent edits; and, with $(SHARED) beside the
## checkout: side by side with nginx, a bare warp server and minisearch (wrk, taskset),
## save-to-searchable on 7,425 and 38,404 tldr pages, and the scaling plot docs/scale.svg
bench: bench-tools
	$(CARGO) bench --bench search
	$(CARGO) bench --bench live_edit -- content
	$(CARGO) bench --bench load -- 60 64
	@if [ ! -f $(SHARED)/corpora/tldr-pages.tar.gz ]; then \
	  echo "$(SHARED)/corpora not found: corpus benchmarks skipped"; \
	  $(CARGO) bench --bench render; exit 0; fi; \
	set -e; rm -rf $(TLDR_ROOT) $(EVAL_DIR); mkdir -p $(TLDR_ROOT); \
	tar -xzf $(SHARED)/corpora/tldr-pages.tar.gz -C $(TLDR_ROOT) --wildcards 'pages*'; \
	rm -rf $(BENCH_DIR)/vitepress-docs; \
	tar -xzf $(SHARED)/corpora/vitepress-docs.tar.gz -C $(BENCH_DIR); \
	cp -r $(SHARED)/eval $(EVAL_DIR); \
	(cd $(EVAL_DIR) && npm ci --no-audit --no-fund --silent) || echo "npm ci failed: no minisearch comparison"; \
	$(CARGO) bench --bench render; \
	$(CARGO) bench --bench versus -- $(TLDR_ROOT)/pages $(EVAL_DIR); \
	$(CARGO) bench --bench live_edit -- $(TLDR_ROOT)/pages; \
	$(CARGO) bench --bench live_edit -- $(TLDR_ROOT); \
	$(CARGO) bench --bench scale -- $(TLDR_ROOT) docs/scale.svg

## relevance: P@1 and MRR of folio (this checkout's release build) beside minisearch, lunr,
## elasticlunr and flexsearch, on every query set in tests/relevance/, as a Markdown table;
## needs $(SHARED) beside the checkout, node and python3 (not part of `test`: minutes, most
## of them the peers on 38k tldr pages)
.PHONY: relevance
relevance:
	$(CARGO) build --release
	SHARED=$(SHARED) tests/relevance/compare.sh target/release/folio

## cluster-test: nginx in front of three read-only replicas sharing one index, 20 s
## of load; one replica killed and restarted, then a release rolled replica by replica;
## fails on any failed request (not part of `test`: it takes about half a minute)
.PHONY: cluster-test
cluster-test: bench-tools
	$(CARGO) bench --bench cluster

## bench-tools: install wrk and nginx (Debian packages) when they are missing
bench-tools:
	@missing=""; for tool in wrk nginx taskset; do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk nginx-light util-linux; fi

## fuzz: cargo-fuzz on the page parser and the query path, 60 s each (nightly
## toolchain), seeded from content/ and tests/relevance/
FUZZ_SECONDS ?= 60
fuzz:
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	mkdir -p fuzz/corpus/page fuzz/corpus/query
	cp content/*.md content/guides/*.md fuzz/corpus/page/
	sed -n 's/.*"q": *"\([^"]*\)".*/\1/p' tests/relevance/*.jsonl | \
	  while IFS= read -r q; do printf '%s' "$$q" > "fuzz/corpus/query/$$(printf '%s' "$$q" | cksum | cut -d' ' -f1)"; done
	cd fuzz && cargo +nightly fuzz run page corpus/page -- -max_total_time=$(FUZZ_SECONDS) -max_len=65536
	cd fuzz && cargo +nightly fuzz run query corpus/query -- -max_total_time=$(FUZZ_SECONDS) -max_len=4096

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
## live reload, console errors, requests, layout, navigation, axe-core accessibility;
## navigation also on the VitePress docs and the mdBook guide when ../shared/corpora has them
browser-test:
	$(CARGO) build --release
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund && node --test *.test.mjs

## screenshots: PNGs of the home page, /502, search results and the error overlay,
## light and dark; a page of each tool's Markdown (VitePress, Material, mdBook), light
## and dark; and a page of the VitePress docs and of the mdBook guide (light, dark,
## 375 px) when ../shared/corpora has them, into docs/screenshots/
screenshots:
	$(CARGO) build --release
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund && node screenshots.mjs ../../docs/screenshots

## lighthouse: Lighthouse scores for /, /502 and /search?q=gateway (not part of `test`)
lighthouse:
	$(CARGO) build --release
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund
	cd $(BROWSER_DIR)/lighthouse && npm ci --no-audit --no-fund && node lighthouse.mjs
