"""Run All on every student copy reaches the last cell: an unfilled exercise reports "not
attempted" and the run goes on; only the cells that show a wrong answer failing fail.

The copies are generated afresh and run from student/, where they live, by Binder's kernel (the
one nbval runs the notebooks with). About four minutes of CPU.
"""

import nbformat
import pytest
from binder_runs import run_all
from scripts_loader import ROOT, load_script

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    copies = load_script("make_student_copies").write_copies(tmp_path_factory.mktemp("student"))
    return run_all(copies, ROOT / "student")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name[:3])
def test_run_all_reaches_the_end_of_a_student_copy(runs, notebook):
    run = runs[notebook.name]
    unintended = [error for error in run["errors"] if not error["intended"]]
    assert not unintended, f"Run All stops in {notebook.name}: {unintended}"
    assert run["last_cell_ran"], notebook.name
    assert all(error["error"].startswith("NotYet: ") for error in run["errors"])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name[:3])
def test_every_unfilled_exercise_says_not_attempted(runs, notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    stubs = sum('raise NotImplementedError("Exercise' in cell.source for cell in cells)
    assert runs[notebook.name]["not_attempted"] == stubs
