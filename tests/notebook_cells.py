"""The notebooks' code cells as nbval sees them, and which of them print numbers from a fit.

Cells are numbered as nbval numbers them: code cells only, from 0. A cell is *ignored* when
nbval's own parsers (``find_comment_markers``, ``find_metadata_tags``) give it ``check`` False.

*Live* values are those a training run or a trained model produced: the result of ``fit``,
``predict``, ``evaluate``, ``train_on_batch``, ``predict_on_batch`` or a study's ``train_run``,
of any notebook function that calls one, and of any expression that reads a live name. The
receiver of ``fit`` is live afterwards (its weights were trained). The tracking is by name,
in cell order, so a trained model stays live in every later cell that reads it.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbval.plugin import find_comment_markers, find_metadata_tags, metadata_tags

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))

LIVE_METHODS = {"fit", "predict", "evaluate", "train_on_batch", "predict_on_batch"}
LIVE_FUNCTIONS = {"train_run"}
SHOWN = {"print", "display"}


@dataclass
class Cell:
    notebook: str
    number: int  # nbval's numbering
    source: str
    metadata: dict
    outputs: list

    @property
    def name(self):
        return f"{self.notebook} cell {self.number}"

    def options(self):
        """nbval's options for this cell: tags first, then comment markers (which win)."""
        options = dict(find_metadata_tags(self.metadata))
        options.update(dict(find_comment_markers(self.source)))
        return options

    def ignored(self):
        return self.options().get("check", True) is False or self.options().get("skip", False)

    def prints_text(self):
        """True if a stored output holds text nbval compares (a figure's repr aside)."""
        for output in self.outputs:
            if output.get("output_type") == "stream":
                return True
            text = output.get("data", {}).get("text/plain", "")
            if text and not text.startswith("<Figure size"):
                return True
        return False


def unapplied_markers(source, metadata):
    """Lines and tags that mention an nbval marker nbval would not apply.

    nbval compares a comment's whole text (after ``#``) with its marker names, so
    ``# NBVAL_IGNORE_OUTPUT: why`` is an ordinary comment; tags must match its names exactly.
    """
    lines = [
        line.strip()
        for line in source.splitlines()
        if "NBVAL_" in line.upper() and not list(find_comment_markers(line))
    ]
    tags = [
        tag
        for tag in metadata.get("tags", [])
        if tag.lower().startswith("nbval") and tag not in metadata_tags
    ]
    return lines + tags


def code_cells(notebook):
    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    return [
        Cell(notebook.name[:2], i, c.source, dict(c.metadata), list(c.get("outputs", [])))
        for i, c in enumerate(cells)
    ]


def python_source(source):
    """The cell's source with IPython's magics and shell lines blanked, for ``ast``."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _called(node):
    function = node.func
    if isinstance(function, ast.Attribute):
        return function.attr, function.value
    if isinstance(function, ast.Name):
        return function.id, None
    return None, None


def _root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _target_names(target):
    if isinstance(target, (ast.Tuple, ast.List)):
        return {name for element in target.elts for name in _target_names(element)}
    name = _root_name(target)
    return {name} if name else set()


class LiveTracker:
    """Follows live names through one notebook's cells, in order."""

    def __init__(self):
        self.names = set()
        self.functions = set()

    def is_live(self, node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in self.names:
                return True
            if isinstance(sub, ast.Call):
                called, _ = _called(sub)
                if called in LIVE_METHODS | LIVE_FUNCTIONS | self.functions:
                    return True
        return False

    def _trained_receivers(self, node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                called, receiver = _called(sub)
                if called == "fit" and receiver is not None and _root_name(receiver):
                    yield _root_name(receiver)

    def statement(self, stmt):
        """Update the live names for one statement (compound statements: each inner one)."""
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(self.is_live(inner) for inner in stmt.body):
                self.functions.add(stmt.name)
            return
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            self._bind(stmt.target, self.is_live(stmt.iter))
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None and self.is_live(item.context_expr):
                    self.names |= _target_names(item.optional_vars)
        for field in ("body", "orelse", "finalbody", "handlers"):
            for inner in getattr(stmt, field, []):
                self.statement(inner)
        self.names |= set(self._trained_receivers(stmt))
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            value = stmt.value
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if value is not None:
                for target in targets:
                    self._bind(target, self.is_live(value))

    def _bind(self, target, live):
        """A name assigned a live value becomes live; a plain name assigned anything else not."""
        if live:
            self.names |= _target_names(target)
        elif isinstance(target, ast.Name):
            self.names.discard(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element, live)

    def _shown(self, stmt):
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Call) and _called(sub)[0] in SHOWN:
                arguments = [*sub.args, *(k.value for k in sub.keywords)]
                if any(self.is_live(argument) for argument in arguments):
                    yield sub.lineno

    def cell(self, source):
        """Follow one cell; return the lines where it prints or displays a live value.

        A simple statement shows what was live before it runs; a compound one (a loop, say)
        may train and print in one body, so it is judged after its own updates.
        """
        tree = ast.parse(python_source(source))
        lines = set()
        for stmt in tree.body:
            compound = hasattr(stmt, "body")
            if not compound:
                lines.update(self._shown(stmt))
            self.statement(stmt)
            if compound:
                lines.update(self._shown(stmt))
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr) and self.is_live(last.value):
            lines.add(last.lineno)  # IPython displays the value of a cell's last expression
        return sorted(lines)


def live_printing_cells(notebook):
    """(cell, lines) for each cell that prints or displays a live value."""
    tracker = LiveTracker()
    found = []
    for cell in code_cells(notebook):
        lines = tracker.cell(cell.source)
        if lines:
            found.append((cell, lines))
    return found
