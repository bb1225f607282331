"""Write student copies of the notebooks: solution cells removed, outputs cleared.

    python scripts/make_student_copies.py [--out student]

A solution cell is a code cell tagged "solution" (its first line is `# solution`). The
copies keep every exercise's stub and check cell, so a learner fills in the stub and runs
the check. They carry no test plumbing: a `# NBVAL_...` marker line goes, with the comment
lines right below it (the marker's reason), and so do nbval's tags. tests/test_student_copies.py
regenerates the copies and fails on any difference.
"""

import argparse
import pathlib
import re

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARKER = re.compile(r"\s*#\s*NBVAL_")


def without_markers(source):
    """The cell source without nbval marker lines and the comment block that follows each."""
    kept, in_reason = [], False
    for line in source.split("\n"):
        if MARKER.match(line):
            in_reason = True
        elif not (in_reason and line.lstrip().startswith("#")):
            in_reason = False
            kept.append(line)
    return "\n".join(kept)


def without_nbval_tags(metadata):
    """Drop the tags nbval reads (nbval-ignore-output, nbval-skip, ...); keep the others."""
    tags = [tag for tag in metadata.get("tags", []) if not tag.lower().startswith("nbval")]
    if tags:
        metadata["tags"] = tags
    else:
        metadata.pop("tags", None)


def is_solution(cell):
    return cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])


def student_copy(notebook):
    """The notebook without solution cells and nbval plumbing, outputs, counts and execution
    times cleared (a copy changes only when its notebook's text does)."""
    copy = nbformat.from_dict(notebook)
    copy.cells = [cell for cell in copy.cells if not is_solution(cell)]
    for cell in copy.cells:
        without_nbval_tags(cell.metadata)
        if cell.cell_type == "code":
            cell.source = without_markers(cell.source)
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    return copy


def write_copies(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        copy = student_copy(nbformat.read(path, as_version=4))
        target = out_dir / path.name
        nbformat.write(copy, target)
        written.append(target)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "student")
    args = parser.parse_args()
    for path in write_copies(args.out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
