# make demo   short headless PETS run: success rate, learning curve, GIF
# make test   vet and all tests (viewer tests under xvfb)
# make view   the live viewer: the reacher's best trained agent of the zoo
# make zoo    retrain the zoo of trained agents (assets/zoo), then rebuild
# make bench  throughput figures
GO      ?= go
BIN     := bin
SANDBOX := $(BIN)/sandbox
# OpenBLAS serves the model math (docs/facts.md: ~8x gonum's pure-Go sgemm); the
# pure-Go build (no tags) compiles and passes the tests too.
TAGS    ?= netlib

.PHONY: all deps build demo test view zoo bench fmt clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(GO) build -tags '$(TAGS)' -o $(SANDBOX) ./cmd/sandbox
	$(GO) build -tags '$(TAGS)' -o $(BIN)/sandbox-view ./cmd/sandbox-view

# A short PETS run on the reacher (a fresh one each time): success rate on
# held-out goals every 1000 steps, out/demo/curve.png, and a GIF of the
# trained agent. The full run is assets/configs/pets-reacher.json (15k steps).
demo: build
	rm -rf out/demo
	$(SANDBOX) train --task reacher --algo pets --config assets/configs/experiments/pets-reacher-demo.json --seed 1 --out out/demo
	$(SANDBOX) record --task reacher --controller ckpt:out/demo --seed 1 --out out/demo/reacher.gif

test: deps
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) test -tags netlib ./mbrl/...
	$(GO) vet -tags xvfb ./viewer/... ./cmd/sandbox-view/...
	xvfb-run -a -s "-screen 0 1280x800x24" $(GO) test -p 1 -tags 'xvfb $(TAGS)' ./viewer/... ./cmd/sandbox-view/...

view: build
	$(SANDBOX) view --task reacher --controller zoo:best

# Every agent of assets/zoo/zoo.json trained again with its command (about
# 15 minutes each on two cores), evaluated on its held-out goals, and the
# binaries rebuilt to embed them.
zoo: build
	nice -n 19 $(SANDBOX) zoo --retrain --dir assets/zoo
	$(MAKE) build

bench: build
	$(SANDBOX) bench

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)
