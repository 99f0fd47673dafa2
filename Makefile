# make demo   headless run that prints a success rate
# make test   vet and all tests (viewer tests under xvfb)
# make view   the live viewer
# make bench  throughput figures
GO      ?= go
BIN     := bin
SANDBOX := $(BIN)/sandbox

.PHONY: all deps build demo test view bench fmt clean

all: build

deps:
	@scripts/deps.sh

build:
	$(GO) build -o $(SANDBOX) ./cmd/sandbox

demo: deps build
	$(SANDBOX) eval --task reacher --controller scripted --episodes 100 --seed 1

test: deps
	$(GO) vet ./...
	$(GO) test ./...

bench: build
	$(SANDBOX) bench

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)
