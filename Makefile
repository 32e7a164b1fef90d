# registry — make run | make test | make build | make check | make bench
#
# Works on a machine with only Node.js + npm (Bun comes from npm as a dev dependency) or only Bun.

SHELL := /bin/bash
# A Bun on PATH serves a Bun-only machine; otherwise the one npm installs.
BUN := $(shell command -v bun 2>/dev/null || echo node_modules/.bin/bun)
INSTALLED := node_modules/.installed

.PHONY: run test build dist check format bench bench-pipeline clean install

run: $(INSTALLED)
	$(BUN) src/main.ts

# Every test, then the container image check (chroot as the image's user; needs root, says so otherwise).
test: $(INSTALLED)
	$(BUN) test
	$(BUN) scripts/container-check.ts

build: bin/registry

bin/registry: $(INSTALLED) $(shell find src -type f) package.json
	$(BUN) scripts/build.ts --outfile $@

# Release binaries for every platform, with SHA256SUMS.
dist: $(INSTALLED)
	$(BUN) scripts/dist.ts dist

# Benchmarks (never part of make test). QUICK=1 for a sanity check in about a minute (printed, not written).
bench: $(INSTALLED)
	QUICK=$(QUICK) $(BUN) bench/run.ts

# The pipeline's measurements: registry pull (10k entries) and the live mirror (10k and 50k).
bench-pipeline: $(INSTALLED)
	$(BUN) bench/pull.ts
	$(BUN) bench/mirror.ts 10000 50 1
	$(BUN) bench/mirror.ts 50000 50 5

check: $(INSTALLED)
	node_modules/.bin/biome check .
	node_modules/.bin/tsc --noEmit -p .

format: $(INSTALLED)
	node_modules/.bin/biome check --write .

install: $(INSTALLED)

$(INSTALLED): package.json $(wildcard package-lock.json bun.lock)
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; \
	else \
		bun install; \
	fi
	@touch $@

clean:
	rm -rf bin dist node_modules/.installed
