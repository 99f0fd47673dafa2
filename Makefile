# make demo   headless run that prints a success rate
# make test   vet and all tests (viewer tests under xvfb)
# make view   the live viewer
# make bench  throughput figures
GO      ?= go
BIN     := bin
SANDBOX := $(BIN)/sandbox
# OpenBLAS serves the model math (FACTS.md: ~8x gonum's pure-Go sgemm); the
# pure-Go build (no tags) compiles and passes the tests too.
TAGS    ?= netlib

.PHONY: all deps build demo test view bench fmt clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(GO) build -tags '$(TAGS)' -o $(SANDBOX) ./cmd/sandbox

demo: build
	$(SANDBOX) eval --task reacher --controller scripted --episodes 100 --seed 1

test: deps
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) test -tags netlib ./mbrl/...

bench: build
	$(SANDBOX) bench

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)
