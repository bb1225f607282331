"""How long each part of the series takes in class: words, code cells and exercises, by section.

    python benchmarks/reading_times.py

Class minutes are a model built on counts, not a stopwatch on a class:

- prose at ``WORDS_PER_MINUTE`` = 75 words of markdown a minute (``\\w+`` tokens, as the word
  limit counts them): a class reading technical text with equations while its teacher
  explains, about half a silent reader's speed;
- ``MINUTES_PER_CELL`` = 1 minute per code cell: run it, read the code and its output;
- an exercise: its task's words at the same rate, plus 2 minutes per line of the worked
  solution, plus 2 minutes to run the check and act on its hint, rounded up.

Adjust the constants after your first class. Writes benchmarks/results/reading_times.md; the
lesson plan in docs/teaching.md is tested against these numbers (tests/test_lesson_plan.py).
"""

import math
import pathlib
import re
from dataclasses import dataclass, field

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "reading_times.md"
WORDS_PER_MINUTE = 75
MINUTES_PER_CELL = 1.0
MINUTES_PER_SOLUTION_LINE = 2.0
MINUTES_TO_CHECK = 2.0

_SECTION = re.compile(r"^##\s+(?:(\d+)\.\s+)?(.*)$", re.MULTILINE)
_EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+\.\d+)", re.MULTILINE)


def words(text):
    return len(re.findall(r"\w+", text))


@dataclass
class Section:
    """A part of a notebook: its title cell (a ``#`` or ``##`` heading) up to the next one."""

    key: str  # "intro", "§3", "Exercises", "Recap", ...
    title: str
    cells: list = field(default_factory=list)  # indices into the notebook's cells
    words: int = 0
    code_cells: int = 0

    @property
    def minutes(self):
        return self.words / WORDS_PER_MINUTE + self.code_cells * MINUTES_PER_CELL


@dataclass
class Exercise:
    key: str  # "3.1"
    words: int  # of its task
    solution_lines: int  # code lines of the worked solution, without comments or docstrings
    stub: int  # index of the stub cell (student copy) or worked solution (teacher copy)
    check: int  # index of the cell that checks it

    @property
    def minutes(self):
        reading = self.words / WORDS_PER_MINUTE
        return math.ceil(
            reading + self.solution_lines * MINUTES_PER_SOLUTION_LINE + MINUTES_TO_CHECK
        )


def _code_lines(source):
    """Lines that do the work: no comments, blank lines, docstrings or ``def`` lines."""
    lines, in_docstring = [], False
    for line in source.splitlines()[1:]:  # the first line is "# solution"
        stripped = line.strip()
        quotes = stripped.count('"""')
        if in_docstring or quotes:
            in_docstring = in_docstring != (quotes % 2 == 1)
            continue
        if stripped and not stripped.startswith(("#", "def ")):
            lines.append(stripped)
    return lines


def sections(notebook):
    """The notebook's sections in order; the title cell's section is ``intro``."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            heading = _SECTION.search(cell.source)
            if not found:
                found.append(Section("intro", cell.source.splitlines()[0].lstrip("# ")))
            elif heading:
                number, title = heading.groups()
                found.append(Section(f"§{number}" if number else title.strip(), title.strip()))
            found[-1].words += words(cell.source)
        else:
            found[-1].code_cells += 1
        found[-1].cells.append(index)
    return found


def exercises(notebook):
    """Every exercise of a teacher copy, with its worked solution and its check cell."""
    found, task = {}, None
    for index, cell in enumerate(notebook.cells):
        heading = cell.cell_type == "markdown" and _EXERCISE.search(cell.source)
        if heading:
            task = (heading.group(1), words(cell.source[heading.start() :]))
        elif cell.cell_type == "code" and cell.source.startswith("# solution") and task:
            check = next(
                i
                for i in range(index + 1, len(notebook.cells))
                if notebook.cells[i].cell_type == "code" and "checks." in notebook.cells[i].source
            )
            lines = len(_code_lines(cell.source))
            found[task[0]] = Exercise(task[0], task[1], lines, index, check)
            task = None
    return found


def lessons():
    """{notebook name: notebook} for every numbered notebook (appendices included)."""
    paths = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    return {path.name: nbformat.read(path, as_version=4) for path in paths}


def table():
    rows = [
        "# Reading times in class",
        "",
        f"Class minutes, modelled by `python benchmarks/reading_times.py`: prose at "
        f"{WORDS_PER_MINUTE} words a minute, {MINUTES_PER_CELL:g} minute a code cell; an "
        f"exercise adds {MINUTES_PER_SOLUTION_LINE:g} minutes a line of its worked solution and "
        f"{MINUTES_TO_CHECK:g} to check it. The lesson plan in docs/teaching.md is built from it.",
        "",
        "| notebook | section | words | code cells | minutes |",
        "|---|---|---|---|---|",
    ]
    exercise_rows = [
        "",
        "| exercise | task words | solution lines | minutes |",
        "|---|---|---|---|",
    ]
    for name, notebook in lessons().items():
        for section in sections(notebook):
            rows.append(
                f"| {name[:3].rstrip('-')} | {section.key}: {section.title} | {section.words} "
                f"| {section.code_cells} | {section.minutes:.1f} |"
            )
        for exercise in exercises(notebook).values():
            exercise_rows.append(
                f"| {exercise.key} | {exercise.words} | {exercise.solution_lines} "
                f"| {exercise.minutes} |"
            )
    return "\n".join(rows + exercise_rows) + "\n"


def main():
    OUT.write_text(table())
    print(OUT.read_text())


if __name__ == "__main__":
    main()
