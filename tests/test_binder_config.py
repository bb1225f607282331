"""Binder's configuration stays in step with the project's own."""

import os
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"


def requirement_lines(path):
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


# The JAX backend is for `make test` only: the notebooks run on TensorFlow, and Binder's image
# stays smaller without it.
TEST_ONLY = ("jax==", "jaxlib==")


def test_binder_pins_equal_the_root_pins_plus_the_package():
    binder = requirement_lines(BINDER / "requirements.txt")
    root = requirement_lines(ROOT / "requirements.txt")
    assert binder[-1] == "-e ."
    assert binder[:-1] == [line for line in root if not line.startswith(TEST_ONLY)]
    assert sum(line.startswith(TEST_ONLY) for line in root) == len(TEST_ONLY)


def test_runtime_is_a_python_the_project_supports():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime in ("python-3.11", "python-3.12")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"


def test_start_script_sets_the_tensorflow_environment():
    start = BINDER / "start"
    assert os.access(start, os.X_OK)
    text = start.read_text()
    assert "export TF_CPP_MIN_LOG_LEVEL=3" in text
    assert "export TF_ENABLE_ONEDNN_OPTS=0" in text
    assert text.rstrip().endswith('exec "$@"')
