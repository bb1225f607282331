"""Student copies: regenerated copies equal the committed ones, and hold no solutions."""

import nbformat
import pytest
from scripts_loader import ROOT, load_script

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


def test_committed_copies_are_up_to_date(tmp_path):
    written = load_script("make_student_copies").write_copies(tmp_path)
    assert [path.name for path in written] == [path.name for path in NOTEBOOKS]
    for path in written:
        committed = ROOT / "student" / path.name
        assert committed.exists(), f"run `make student`: {committed.name} is missing"
        assert path.read_text() == committed.read_text(), f"run `make student`: {path.name}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_copy_drops_solutions_and_keeps_stubs(notebook):
    original = nbformat.read(notebook, as_version=4)
    copy = load_script("make_student_copies").student_copy(original)
    solutions = [c for c in original.cells if "solution" in c.metadata.get("tags", [])]
    appendix = notebook.name[2] == "a"  # 08a: a study's full tables, no exercises
    assert solutions or appendix, "every lesson has exercises with solution cells"
    assert all(c.source.startswith("# solution") for c in solutions)
    assert len(copy.cells) == len(original.cells) - len(solutions)
    assert not any(c.source.startswith("# solution") for c in copy.cells)
    stubs = [c for c in copy.cells if 'raise NotImplementedError("Exercise' in c.source]
    assert len(stubs) == len(solutions), "one stub per solution"
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")
