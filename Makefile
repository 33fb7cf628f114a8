# Every target creates (or reuses) .venv and installs the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SHARED ?= ../shared
# What mypy checks: the package, the scripts, the tests and the developer tools wherever they live.
TYPED  := generator scripts tests $(wildcard tools)

.DEFAULT_GOAL := help
.PHONY: help install regen test check lint format validate docs corpus bench bench-hostile clean wiring

help:
	@echo "make regen     regenerate every module in modules-k8s/ from specs/"
	@echo "make test      run the whole test suite (includes make validate)"
	@echo "make check     print the diff and fail when a committed generated file differs from what regen writes"
	@echo "make validate  check every generated module (terraform fmt/validate, schemas, CRDs)"
	@echo "make lint      black --check, ruff and mypy"
	@echo "make docs      regenerate docs/conversion-matrix.md from the conversion table"
	@echo "make corpus    run the generator over ../shared/corpus and validate the output"
	@echo "make wiring    print the root module blocks for modules-k8s/ (WIRING=FILE updates FILE)"
	@echo "make bench     time each generation stage over specs/ and ../shared/corpus (prints figures)"
	@echo "make bench-hostile  seconds and peak memory of gen-module on each hostile input"

$(STAMP): pyproject.toml scripts/bootstrap_venv.py
	$(PYTHON) scripts/bootstrap_venv.py $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

regen: $(STAMP)
	$(BIN)/python -m generator.regen --specs specs --out modules-k8s $(if $(FORCE),--force)

check: $(STAMP)
	$(BIN)/python -m generator.regen --specs specs --out modules-k8s --check
	$(BIN)/python -m tools.conversion_matrix --check

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/python -m tools.validation modules-k8s --known-failures tests/known-runtime-failures.txt

lint: $(STAMP)
	$(BIN)/black --check generator tools tests scripts
	$(BIN)/ruff check generator tools tests scripts
	$(BIN)/mypy $(TYPED)

format: $(STAMP)
	$(BIN)/black generator tools tests scripts
	$(BIN)/ruff check --fix generator tools tests scripts

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

validate: $(STAMP)
	$(BIN)/python -m tools.validation modules-k8s --timings --known-failures tests/known-runtime-failures.txt

docs: $(STAMP)
	$(BIN)/python -m tools.conversion_matrix

corpus: $(STAMP)
	$(BIN)/python -m tools.corpus

wiring: $(STAMP)
	$(BIN)/python -m generator.wiring_cli modules-k8s $(if $(WIRING),--update $(WIRING))

bench: $(STAMP)
	$(BIN)/python -m tools.bench

bench-hostile: $(STAMP)
	$(BIN)/python -m tools.bench_hostile
