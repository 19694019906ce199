# hashbot: `make demo` runs the bot on the bundled example, `make test` runs
# every test (the same as CI's .ci/run).
GO ?= go
export PATH := /usr/local/go/bin:$(PATH)
BIN := bin/hashbot

.PHONY: all build test demo deps vet lint fmt-check bench matrix real-ci real real-series

# The linters, pinned, installed into bin/tools (go install).
STATICCHECK_VERSION := v0.8.2
DEADCODE_VERSION := v0.52.0
TOOLS := $(CURDIR)/bin/tools

all: build

deps:
	@./scripts/install-deps

build:
	$(GO) build -o $(BIN) ./cmd/hashbot

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

# staticcheck's checks, and deadcode twice: production code that only
# tests reach is dead too (the test-support packages ghfake and testutil
# aside), and nothing at all may be unreachable.
lint:
	@GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@GOBIN=$(TOOLS) $(GO) install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)
	$(TOOLS)/staticcheck ./...
	@out=$$($(TOOLS)/deadcode -test ./...); if [ -n "$$out" ]; then echo "$$out"; echo "deadcode: unreachable code"; exit 1; fi
	@out=$$($(TOOLS)/deadcode ./... | grep -v '^internal/ghclient/ghfake/\|^internal/testutil/'); if [ -n "$$out" ]; then echo "$$out"; echo "deadcode: production code only tests reach"; exit 1; fi

test: deps fmt-check vet lint
	$(GO) test -timeout 40m -count=1 ./...

demo: deps
	@./scripts/demo

# The real-Nix suites again under Debian 13's Nix 2.26 and sid's Nix 2.34,
# sandbox on (as root: scripts/nix-matrix makes a Debian root for each).
MATRIX ?= trixie sid
matrix:
	@for suite in $(MATRIX); do echo "== nix-matrix $$suite"; ./scripts/nix-matrix $$suite || exit 1; done

# nix/'s FOD recipes on small real locks from the real registries (uv with
# an sdist against libpq, npm with a workspace, Cargo, a registry 404), each
# computed and verified by hashbot, in scripts/real-root's sid root against
# nix/host-toolchain (about 2 minutes once the root is made).
real-ci:
	REAL_ROOT_SET=ci ./scripts/real-root -- /usr/bin/env HASHBOT_REAL_FODS=1 go test -count=1 -v -timeout 20m ./internal/realfods/

# authentik's FODs at real size from shared/'s fixture locks (an hour and
# more): bench/real-fods.sh, figures in docs/building-authentik.md.
REAL_VERSIONS ?= 2026.2.2 2026.5.6
real:
	nice -n 10 ./bench/real-fods.sh $(REAL_VERSIONS)

# hashbot following authentik 2026.2.1 -> 2026.2.2 -> 2026.5.6 as it runs for
# a maintainer (update, then check and run --verify per release, each PR
# merged), the FODs at real size (about 40 minutes): bench/real-series.sh.
real-series:
	nice -n 10 ./bench/real-series.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
