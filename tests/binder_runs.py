"""Run notebooks top to bottom in Binder's environment, as nbval does, and read the report."""

import json
import os
import subprocess

import pytest
from scripts_loader import ROOT

BINDER_PYTHON = ROOT / ".venv-binder" / "bin" / "python"


def run_all(paths, cwd):
    """{notebook name: report of tests/run_all.py} for ``paths`` run from ``cwd`` by Binder's
    kernel; skips where Binder's environment is not built."""
    done = run_in_binder([ROOT / "tests" / "run_all.py", "--cwd", cwd, *paths], timeout=1800)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_in_binder(args, timeout):
    """Run Binder's Python on ``args`` (without this process's PYTHONPATH, as a student's
    kernel would) and return the finished process; skips where Binder's environment is not
    built, fails with the end of stderr if the script fails."""
    if not BINDER_PYTHON.exists():
        pytest.skip("needs Binder's environment: `make test` builds .venv-binder")
    done = subprocess.run(
        [str(BINDER_PYTHON), *(str(arg) for arg in args)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done
