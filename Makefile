# Every Go command passes -tags sqlite_fts5: mattn/go-sqlite3 compiles FTS5 only with it.
GO      ?= go
TAGS    := sqlite_fts5
# Each fuzz target runs a number of inputs, about 5 s of each on a 2-core
# machine: a duration (-fuzztime 5s) races Go 1.26's fuzz coordinator at its
# deadline and fails now and then with a bare "context deadline exceeded"
# (golang/go#75804, fixed in Go 1.27). FUZZTIME=30s overrides all three.
FUZZTIME ?=

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: demo test fuzz bench build vet lint

## demo: ingest the sample corpus into a temporary database and answer a question (no keys, no network)
demo:
	$(GO) run -tags $(TAGS) ./cmd/attache demo

## build: build the attache binary
build:
	$(GO) build -tags $(TAGS) -o attache ./cmd/attache

## test: vet, every test under the race detector, then each fuzz target briefly
test: vet
	$(GO) test -race -tags $(TAGS) -count=1 ./...
	$(MAKE) fuzz

vet:
	$(GO) vet -tags $(TAGS) ./...

## lint: gofmt (no file may need formatting) and staticcheck
lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) run $(STATICCHECK) -tags $(TAGS) ./...

fuzz:
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzQuery$$' -fuzztime $(or $(FUZZTIME),9000x) ./knowledge/sqlite/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzParseScraped$$' -fuzztime $(or $(FUZZTIME),8000x) ./knowledge/ingest/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzDecodeJSONArticle$$' -fuzztime $(or $(FUZZTIME),30000x) ./knowledge/ingest/

## bench: the benchmarks (see README, "Performance"); ATTACHE_BENCH_ARTICLES sets the corpus size
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench '^Benchmark(IngestJSONL|Search|Answer|Burst)$$' -benchtime 1x -timeout 60m ./knowledge/sqlite/ ./knowledge/answer/ ./bot/
