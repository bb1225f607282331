"""scripts/check_class.py on a class of three who submitted notebook 01: one right everywhere,
one with a recognised mistake (1.3) and an unrecognised one (1.1), one who filled in nothing.

The copies run in Binder's kernel, as tests/test_student_run_all.py runs them. About 30 s.
"""

from focal.checks import basics

import csv
import itertools
import re

import nbformat
from binder_runs import run_in_binder
from scripts_loader import ROOT

NOTEBOOK = "01-cross-entropy-to-focal-loss.ipynb"
STUB = re.compile(r'raise NotImplementedError\("Exercise (\d+\.\d+)"\)')


def solutions():
    """{exercise: its solution's source}, from the teacher copy (a solution follows its stub)."""
    cells = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4).cells
    return {
        STUB.search(stub.source)[1]: solution.source
        for stub, solution in itertools.pairwise(cells)
        if STUB.search(stub.source) and "solution" in solution.metadata.get("tags", [])
    }


def submit(folder, answers):
    """The student copy of notebook 01, its stubs replaced by ``answers``, in ``folder``."""
    copy = nbformat.read(ROOT / "student" / NOTEBOOK, as_version=4)
    for cell in copy.cells:
        stub = STUB.search(cell.source)
        if stub and stub[1] in answers:
            cell.source = answers[stub[1]]
    folder.mkdir()
    nbformat.write(copy, folder / NOTEBOOK)


def test_the_table_gives_each_students_verdicts(tmp_path):
    right = solutions()
    assert sorted(right) == ["1.1", "1.2", "1.3"]
    without_one_minus = right["1.3"].replace("return 1 - ", "return ")
    assert without_one_minus != right["1.3"]
    wrong_way_round = "def modulating_factor(p_t, gamma):\n    return p_t**gamma"
    submit(tmp_path / "alice", right)
    submit(tmp_path / "bob", {**right, "1.1": wrong_way_round, "1.3": without_one_minus})
    submit(tmp_path / "carol", {})
    done = run_in_binder(
        [ROOT / "scripts" / "check_class.py", tmp_path, "--csv", tmp_path / "class.csv"],
        timeout=600,
    )
    mistake = basics.ONE_MINUS_LEFT_OUT.name
    expected = [
        ["exercise", "alice", "bob", "carol"],
        ["1.1", "correct", "not yet", "not attempted"],
        ["1.2", "correct", "correct", "not attempted"],
        ["1.3", "correct", f"not yet ({mistake})", "not attempted"],
    ]
    with (tmp_path / "class.csv").open(newline="") as file:
        assert list(csv.reader(file)) == expected
    rows = ["| " + " | ".join(row) + " |" for row in expected]
    markdown = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert markdown == [rows[0], "|---|---|---|---|", *rows[1:]]
    progress = done.stderr.splitlines()
    assert all(
        any(line.startswith(f"{name}  {NOTEBOOK}") for line in progress)
        for name in "alice bob carol".split()
    )
