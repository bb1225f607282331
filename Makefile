# The README's two commands: `make lab` opens the series, `make test` runs every check.
# Both create their virtual environments on first use (only python3 is needed) and
# re-install when the pins change.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Binder's environment, built from binder/requirements.txt exactly as Binder builds it;
# the notebooks are tested in it, so a broken Binder config fails `make test`.
BINDER_VENV := .venv-binder
BINDER_INSTALLED := $(BINDER_VENV)/.installed

# The package's own tests, run again on Keras's JAX backend (the rest is backend-neutral).
PACKAGE_TESTS := tests/test_losses.py tests/test_keras_integration.py tests/test_models.py \
	tests/test_initializers.py tests/test_data.py tests/test_weights.py tests/test_reference.py \
	tests/test_metrics.py tests/test_detection_model.py tests/test_detection_evaluation.py \
	tests/test_loss_speed.py

.PHONY: lab test test-torch install student book handout

install: $(INSTALLED)

$(INSTALLED): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

$(BINDER_INSTALLED): binder/requirements.txt pyproject.toml
	test -x $(BINDER_VENV)/bin/python || $(PYTHON) -m venv $(BINDER_VENV)
	$(BINDER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BINDER_VENV)/bin/python -m pip install --quiet -r binder/requirements.txt
	touch $@

# The book's packages (Sphinx, MyST-NB, the theme, MathJax) on top of .venv's own.
BOOK_INSTALLED := $(VENV)/.book-installed

$(BOOK_INSTALLED): $(INSTALLED) book/requirements.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt -r book/requirements.txt
	touch $@

# JupyterLab refuses to run as root (containers, Binder-like machines) without --allow-root.
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(INSTALLED)
	$(BIN)/jupyter lab $(AS_ROOT) notebooks/

student: $(INSTALLED)
	$(BIN)/python scripts/make_student_copies.py

# docs/handout.pdf: one printed A4 page for students (scripts/make_handout.py).
handout: $(INSTALLED)
	$(BIN)/python scripts/make_handout.py

# The optional third command: the series as a static web site in _build/html (open
# index.html), from the stored notebooks, which are not run; warnings are errors. Binder launch
# buttons appear once REPOSITORY_URL is set, e.g. make book REPOSITORY_URL=https://github.com/OWNER/REPO
REPOSITORY_URL ?=
book: $(BOOK_INSTALLED)
	REPOSITORY_URL="$(REPOSITORY_URL)" $(BIN)/python -m sphinx -W --keep-going -q -b html \
		-c book -d _build/doctrees . _build/html
	@echo "The book is in _build/html: open _build/html/index.html"

test: $(INSTALLED) $(BINDER_INSTALLED) $(BOOK_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	KERAS_BACKEND=tensorflow $(BIN)/python -m pytest tests/ --doctest-modules focal/ benchmarks/ studies/
	KERAS_BACKEND=jax $(BIN)/python -m pytest $(PACKAGE_TESTS) tests/test_xla_formulation.py \
		tests/test_jax_formulations.py \
		--doctest-modules focal/
	$(BINDER_VENV)/bin/python -m pytest --nbval notebooks/
	@# Again as another machine would compute: oneDNN's CPU kernels (focal sets
	@# TF_ENABLE_ONEDNN_OPTS=0 only by setdefault) and every training step's gradients nudged
	@# by 1e-2 (tests/other_machine), so a compared output that follows float arithmetic fails.
	TF_ENABLE_ONEDNN_OPTS=1 FOCAL_NUDGE=1e-2 PYTHONPATH=$(CURDIR)/tests/other_machine \
		$(BINDER_VENV)/bin/python -m pytest --nbval notebooks/

# The package's tests on Keras's torch backend. Not in `make test`, because PyPI's default
# torch for Linux brings several GB of CUDA libraries: install a CPU build of torch into .venv
# first (PyTorch's CPU wheel index has one). CI (.ci/run) installs one and runs this too.
test-torch: $(INSTALLED)
	$(BIN)/python -c "import torch" || (echo "install a CPU build of torch into .venv first"; exit 1)
	KERAS_BACKEND=torch $(BIN)/python -m pytest $(PACKAGE_TESTS) --doctest-modules focal/
