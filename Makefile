# Two commands set up and run a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test ui sample bench bench-grid lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Reconcile every village under $$DTKS_RAW_DIR [data/raw] and publish kecamatan.duckdb.
## umask 027: nothing written about people is readable by other users of the machine.
run: $(STAMP)
	umask 027 && $(BIN)/python -m pipelines.cli run

## The whole test suite (what CI runs), on every core: the slow tests are real pipeline runs.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist worksteal

## The Dagster UI (webserver + daemon) on http://127.0.0.1:3000.
ui: $(STAMP)
	umask 027 && $(BIN)/python -m pipelines.cli ui

## Regenerate the committed synthetic sample under data/raw (deterministic).
sample: $(STAMP)
	$(BIN)/python -m dtks.synth --people 25000 --seed 20261130 --out data/raw --truth data/sample_truth.parquet \
		--desil-lists --desil-older kapong --desil-older pangereman --desil-member-list blaban \
		--desil-xlsx kapong --desil-xlsx tamberu --desil-xlsx lesong-laok --registers

## Benchmarks (not run by CI): cleaning accuracy, matching quality and speed, end to end.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/bench_clean_accuracy.py
	$(BIN)/python bench/bench_match.py
	$(BIN)/python bench/bench_pipeline.py --size sample

## The measuring grid: generated cells under SIKS-NG conventions and the FEBRL sets, each
## through `make run` and Splink; writes bench/out/grid.md and grid.json (about 40-50 min on 2 cores).
bench-grid: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/bench_grid.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data/work data/curated
