"""The lesson plans of docs/teaching.md fit their minutes and run as the guide says.

Minutes come from benchmarks/reading_times.py (words, code cells, exercises), so a lesson that
grows fails here until its plan is revisited. The guide says how to enter a slot mid-notebook:
Run All Above the slot's first section, then run the section, then each planned exercise.
The walk does exactly that, in a fresh kernel per slot, on the teacher copies (whose worked
solutions must then pass their checks), with Binder's kernel as nbval uses.
"""

import itertools
import re

import nbformat
import pytest
from binder_runs import run_all
from scripts_loader import ROOT, load_script

reading = load_script("reading_times", folder="benchmarks")
GUIDE = ROOT / "docs" / "teaching.md"
PLANS = {"Session 1": 90, "Session 2": 90, "A 45-minute class": 45}


def _sections(text):
    """'intro, §1–3, §5' -> ['intro', '§1', '§2', '§3', '§5']."""
    keys = []
    for part in (p.strip() for p in text.split(",")):
        span = re.fullmatch(r"§(\d+)–(\d+)", part)
        keys += [f"§{n}" for n in range(int(span[1]), int(span[2]) + 1)] if span else [part]
    return keys


def _plan(title):
    """The rows of the table under the guide's heading that starts with ``### <title>``."""
    text = GUIDE.read_text()
    start = text.index(f"### {title}")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not re.fullmatch(r"\d+–\d+", cells[0]):
            continue
        begin, end = (int(m) for m in cells[0].split("–"))
        slot = {"begin": begin, "end": end, "notebook": None, "what": cells[5]}
        if cells[1] != "—":
            slot["notebook"] = next((ROOT / "notebooks").glob(f"{cells[1]}-*.ipynb"))
            slot["sections"] = _sections(cells[2])
            slot["exercises"] = [] if cells[3] == "—" else [e.strip() for e in cells[3].split(",")]
            slot["modelled"] = float(cells[4])
        rows.append(slot)
    assert rows, f"no plan under '### {title}' in {GUIDE}"
    return rows


def _need(slot):
    """The slot's modelled minutes, and its walk: the cell indices to run, in order."""
    notebook = nbformat.read(slot["notebook"], as_version=4)
    sections = {s.key: s for s in reading.sections(notebook)}
    exercises = reading.exercises(notebook)
    missing = [k for k in slot["sections"] if k not in sections]
    assert not missing, f"{slot['notebook'].name} has no section {missing}"
    planned = [sections[k] for k in slot["sections"]]
    minutes = sum(s.minutes for s in planned) + sum(exercises[e].minutes for e in slot["exercises"])
    last = max(cell for s in planned for cell in s.cells)
    walk = list(range(last + 1))  # Run All Above the first section, then the sections
    for key in slot["exercises"]:
        walk += [exercises[key].stub, exercises[key].check]
    return minutes, walk


@pytest.mark.parametrize("title", PLANS)
def test_slots_follow_each_other_and_fit_the_class(title):
    slots = _plan(title)
    assert slots[0]["begin"] == 0
    for before, after in itertools.pairwise(slots):
        assert after["begin"] == before["end"], (before, after)
    assert slots[-1]["end"] <= PLANS[title]


@pytest.mark.parametrize("title", PLANS)
def test_every_slot_has_the_minutes_its_content_needs(title):
    for slot in _plan(title):
        if slot["notebook"] is None:
            continue
        minutes, _ = _need(slot)
        assert slot["modelled"] == round(minutes, 1), (slot["what"], minutes)
        assert minutes <= slot["end"] - slot["begin"], (slot["what"], minutes)


def test_the_exercise_table_gives_each_exercise_its_modelled_minutes():
    text = GUIDE.read_text()
    for notebook in reading.lessons().values():
        for key, exercise in reading.exercises(notebook).items():
            found = re.search(rf"{re.escape(key)} [^·|]*\((\d+) min\)", text)
            assert found, f"exercise {key} has no minutes in {GUIDE.name}"
            assert int(found[1]) == exercise.minutes, key


def test_every_slot_runs_when_entered_as_the_guide_says(tmp_path):
    walks = []
    for title in PLANS:
        for number, slot in enumerate(s for s in _plan(title) if s["notebook"]):
            _, cells = _need(slot)
            notebook = nbformat.read(slot["notebook"], as_version=4)
            notebook.cells = [notebook.cells[i] for i in cells]
            path = tmp_path / f"{title.replace(' ', '_')}-{number}-{slot['notebook'].name}"
            nbformat.write(notebook, path)
            walks.append(path)
    runs = run_all(walks, ROOT / "notebooks")
    # A wrong answer shown failing on purpose (tagged raises-exception) does not stop a run.
    failed = {
        name: unintended
        for name, run in runs.items()
        if (unintended := [error for error in run["errors"] if not error["intended"]])
    }
    assert not failed, failed
