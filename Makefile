# qpkg: `make help` lists the targets.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STAMP_TEST := $(VENV)/.installed-test
DEPS := setup.cfg pyproject.toml

.PHONY: help run test build eval validate docs views serve notebooks bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python $(DEPS)
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP_TEST): $(STAMP) $(DEPS)
	$(BIN)/pip install -q -e '.[test,notebooks]'
	touch $@

run: $(STAMP) ## set up .venv and build the graph from data/raw with the embedded store
	$(BIN)/kg build data/raw --out build --store oxigraph --db build/db
	$(BIN)/kg validate build/graph.trig
	$(BIN)/kg render overview --out build/views/overview.html

build: run ## alias of run

test: $(STAMP_TEST) ## set up .venv with test dependencies and run the test suite
	$(BIN)/python -m pytest -q

eval: $(STAMP) ## score the last build against tests/gold/seeds.json (exit 1 below a floor)
	$(BIN)/kg eval --gold tests/gold/seeds.json

validate: $(STAMP) ## validate the last build against ontology/shapes.ttl
	$(BIN)/kg validate build/graph.trig

docs: $(STAMP) ## write the HTML reference of the ontology and vocabularies to build/docs
	$(BIN)/kg docs --out build/docs

views: $(STAMP) ## render the overview, cities-concepts and shared views of the last build to build/views/
	$(BIN)/kg render overview --out build/views/overview.html
	$(BIN)/kg render cities-concepts --out build/views/cities-concepts.html
	$(BIN)/kg render shared --out build/views/shared.html

serve: $(STAMP) ## serve the last build as a read-only SPARQL endpoint with YASGUI
	$(BIN)/kg serve

# headless or as root: make notebooks JUPYTER_ARGS="--no-browser --allow-root"
JUPYTER_ARGS ?=
notebooks: $(STAMP_TEST) ## install the notebook extra and start JupyterLab
	$(BIN)/jupyter lab notebooks/ $(JUPYTER_ARGS)

STAMP_BENCH := $(VENV)/.installed-bench
$(STAMP_BENCH): $(STAMP_TEST) $(DEPS)
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

# BENCH_ARGS=--quick for a run of a few minutes; BENCH_ARGS="--suite queries" for one suite
BENCH_ARGS ?=
bench: $(STAMP_BENCH) ## run the benchmarks (about 20 min on 2 cores), print a table, write build/bench/results.json
	$(BIN)/kg bench run --out build/bench $(BENCH_ARGS)

clean: ## remove build outputs (keeps .venv)
	rm -rf build
