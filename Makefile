# The README's two commands: `make lab` opens the series, `make test` runs every check.
# Both create .venv on first use (only python3 is needed) and re-install when the pins change.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: lab test install

install: $(INSTALLED)

$(INSTALLED): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

lab: $(INSTALLED)
	$(BIN)/jupyter lab notebooks/

test: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest tests/ --doctest-modules focal/ benchmarks/
	$(BIN)/python -m pytest --nbval notebooks/
