"""Student copies: regenerated copies equal the committed ones, hold no solutions and no nbval
plumbing (marker comments, tags); in the teacher copies every solution is folded."""

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


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_solution_is_folded_in_the_teacher_copy(notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    unfolded = [
        cell.get("id")
        for cell in cells
        if cell.cell_type == "code"
        and cell.source.startswith("# solution")
        and not cell.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert not unfolded, f"fold these solution cells (jupyter.source_hidden): {unfolded}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_copy_drops_nbval_plumbing_and_keeps_the_code(notebook):
    original = nbformat.read(notebook, as_version=4)
    copy = load_script("make_student_copies").student_copy(original)
    assert "nbval" not in nbformat.writes(copy).lower()
    kept = [c for c in original.cells if "solution" not in c.metadata.get("tags", [])]
    for before, after in zip(kept, copy.cells, strict=True):
        code = [line for line in before.source.split("\n") if not line.lstrip().startswith("#")]
        assert [
            line for line in after.source.split("\n") if not line.lstrip().startswith("#")
        ] == code
        assert set(before.metadata.get("tags", [])) - set(after.metadata.get("tags", [])) <= {
            "nbval-ignore-output",
            "nbval-skip",
            "nbval-check-output",
            "nbval-raises-exception",
        }


@pytest.mark.parametrize("path", sorted((ROOT / "student").glob("*.ipynb")), ids=lambda p: p.name)
def test_no_student_copy_contains_nbval(path):
    assert path.read_text().count("NBVAL") == 0, f"run `make student`: {path.name}"


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "# NBVAL_IGNORE_OUTPUT\n# why, line 1\n# why, line 2\nx = 1  # a comment\n# kept",
            "x = 1  # a comment\n# kept",
        ),
        ("# NBVAL_SKIP\nx = 1", "x = 1"),
        (
            "# for the student\n  # NBVAL_CHECK_OUTPUT\n  # why\n\n# kept\ny",
            "# for the student\n\n# kept\ny",
        ),
        ("x = 1\n# no marker: every line stays", "x = 1\n# no marker: every line stays"),
    ],
)
def test_without_markers(source, expected):
    assert load_script("make_student_copies").without_markers(source) == expected


def test_nbval_tags_go_and_other_tags_stay():
    script = load_script("make_student_copies")
    metadata = {"tags": ["nbval-ignore-output", "raises-exception", "NBVAL-skip"]}
    script.without_nbval_tags(metadata)
    assert metadata == {"tags": ["raises-exception"]}
    metadata = {"tags": ["nbval-skip"], "id": 1}
    script.without_nbval_tags(metadata)
    assert metadata == {"id": 1}


@pytest.mark.parametrize("path", sorted((ROOT / "student").glob("*.ipynb")), ids=lambda p: p.name)
def test_no_student_copy_carries_execution_times(path):
    cells = nbformat.read(path, as_version=4).cells
    assert not [c.id for c in cells if "execution" in c.metadata]
