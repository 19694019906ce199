# hashbot: `make demo` runs the bot on the bundled example, `make test` runs
# every test (the same as CI's .ci/run).
GO ?= go
export PATH := /usr/local/go/bin:$(PATH)
BIN := bin/hashbot

.PHONY: all build test demo deps vet fmt-check bench matrix

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

test: deps fmt-check vet
	$(GO) test -timeout 40m -count=1 ./...

demo: deps
	@./scripts/demo

# The real-Nix suites again under Debian 13's Nix 2.26 and sid's Nix 2.34,
# sandbox on (as root: scripts/nix-matrix makes a Debian root for each).
MATRIX ?= trixie sid
matrix:
	@for suite in $(MATRIX); do echo "== nix-matrix $$suite"; ./scripts/nix-matrix $$suite || exit 1; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
