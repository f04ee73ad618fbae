# Charter's developer commands. `make test` is the one command that runs
# every test; .ci/run calls it too.

GO ?= go
STATICCHECK_VERSION ?= v0.8.2
VERSION ?= dev
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)

# Peer conformance cases live in ../shared/conformance beside the clone.
# Tests read CHARTER_CONFORMANCE_DIR; it must be absolute because each
# package's tests run in that package's directory.
ifeq ($(origin CHARTER_CONFORMANCE_DIR),undefined)
CHARTER_CONFORMANCE_DIR := $(if $(wildcard ../shared/conformance),$(abspath ../shared/conformance),)
endif
export CHARTER_CONFORMANCE_DIR

.PHONY: test test-short build run lint bench fuzz load ci docker clean

## test: every test, with the race detector and shuffled order
test:
	$(GO) test -race -shuffle=on -count=1 ./...

## test-short: the quick subset (skips slow end-to-end tests)
test-short:
	$(GO) test -short -count=1 ./...

## build: the static binary the Dockerfile builds, as ./charter
build:
	CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "-s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)" \
		-o charter ./cmd/charter

## run: the server on :8081 with SQLite in ./charter-data
run:
	$(GO) run ./cmd/charter serve

## lint: gofmt, go vet and staticcheck, as CI runs them
lint:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

## bench: every benchmark, with allocations (compare runs with benchstat)
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## load: the load run (HTTP reads vs a bare net/http handler; registrations)
load:
	CHARTER_LOAD=1 $(GO) test -run='^TestLoadRun' -count=1 -v -timeout=10m ./cmd/charter

## ci: the whole CI pipeline, locally
ci:
	bash .ci/run

## docker: build the container image (needs a Docker engine)
docker:
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t charter:$(VERSION) .

clean:
	rm -f charter
