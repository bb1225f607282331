"""Stored outputs that hold on any CPU: nbval applies every marker, and no compared cell
prints a number that a training run produced.

A live fit's last digits follow the CPU's float arithmetic (another CPU rounds sums in
another order, and training compounds it), so such a cell is ``# NBVAL_IGNORE_OUTPUT`` and
asserts its claim instead, or prints only stored numbers and compares the live run with them.
"""

import pytest
from notebook_cells import (
    NOTEBOOKS,
    LiveTracker,
    code_cells,
    live_printing_cells,
    unapplied_markers,
)

# Cells that show a value the tracker calls live, but that no training produced. Keep short.
SAFE = {
    ("04", "small_mlp(prior=0.01, seed=0).predict("): "an untrained model's outputs: one "
    "forward pass, no training to compound rounding; printed to 3-4 digits",
    ("04", 'probs = reference.sigmoid(logits["output bias 0"])'): "the same untrained outputs",
    ("07", "def keras_loss(loss, y, p, sample_weight):"): "evaluate() of an Identity model: "
    "the loss of fixed inputs, nothing trained",
    ("07", "message = error_of(lambda: save_and_load(snippet_model))"): "prints the first "
    "sentence of an error message, no number",
}


def safe_reason(cell):
    reasons = [r for (nb, text), r in SAFE.items() if nb == cell.notebook and text in cell.source]
    return reasons[0] if reasons else None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name[:2])
def test_nbval_applies_every_marker_a_cell_mentions(notebook):
    wrong = {
        cell.name: found
        for cell in code_cells(notebook)
        if (found := unapplied_markers(cell.source, cell.metadata))
    }
    assert not wrong, f"markers nbval ignores (put the marker alone on its line): {wrong}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name[:2])
def test_no_compared_cell_prints_a_live_value(notebook):
    compared = [
        f"{cell.name} (lines {lines})"
        for cell, lines in live_printing_cells(notebook)
        if not cell.ignored() and safe_reason(cell) is None
    ]
    assert not compared, (
        "cells whose stored output nbval compares print values from a live fit; mark them "
        f"# NBVAL_IGNORE_OUTPUT (alone on its line) and assert the claim: {compared}"
    )


def test_every_safe_cell_still_exists_and_is_still_flagged():
    flagged = [cell for nb in NOTEBOOKS for cell, _ in live_printing_cells(nb)]
    for (notebook, text), reason in SAFE.items():
        assert any(c.notebook == notebook and text in c.source for c in flagged), (text, reason)


@pytest.mark.parametrize(
    "source, applied",
    [
        ("# NBVAL_IGNORE_OUTPUT\n# why, on the next line\nx = 1", True),
        ("  #   NBVAL_IGNORE_OUTPUT  \nx = 1", True),
        ("# NBVAL_IGNORE_OUTPUT: why, on the same line\nx = 1", False),
        ("x = 1  # NBVAL_IGNORE_OUTPUT", False),
        ("# nbval_ignore_output\nx = 1", False),
    ],
)
def test_unapplied_markers_follows_nbvals_parser(source, applied):
    assert (unapplied_markers(source, {}) == []) is applied


def test_unapplied_markers_checks_tags():
    assert unapplied_markers("x = 1", {"tags": ["nbval-ignore-output", "solution"]}) == []
    assert unapplied_markers("x = 1", {"tags": ["nbval-ignore"]}) == ["nbval-ignore"]


def shown(*cells):
    tracker = LiveTracker()
    return [tracker.cell(source) for source in cells]


@pytest.mark.parametrize(
    "cells, expected",
    [
        # fit trains its receiver: what it predicts later is live, in a later cell too
        (["m = build()\nh = m.fit(x, y)", "p = m.predict(x)\nprint(p.mean())"], [[], [2]]),
        # a notebook function that trains makes its callers' results live
        (
            ["def train(l):\n    m.fit(x, y)\n    return m", "r = train(1)", "print(r)"],
            [[], [], [1]],
        ),
        # a study's train_run; only the live half of a cell's prints counts
        (["live, _ = study.train_run(a)\nprint(stored['ap'])\nprint(live['ap'])"], [[3]]),
        # reassigning a name with a stored value ends its liveness
        (["m.fit(x, y)\nm = load()\nprint(m)"], [[]]),
        # a loop over live results, and the cell's last expression
        (["h = m.fit(x, y)\nfor k, v in h.items():\n    print(v)", "h"], [[3], [1]]),
        # printing before training in the same cell shows nothing live
        (["print(m.name)\nh = m.fit(x, y)"], [[]]),
        # nothing trained or predicted
        (["import numpy as np\nprint(np.mean([1, 2]))"], [[]]),
    ],
)
def test_live_tracker(cells, expected):
    assert shown(*cells) == expected


def test_live_tracker_reads_cells_with_magics():
    (lines,) = shown("%config InlineBackend.figure_formats = ['png']\nprint(m.predict(x))")
    assert lines == [2]
