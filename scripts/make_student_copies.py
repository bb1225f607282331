"""Write student copies of the notebooks: solution cells removed, outputs cleared.

    python scripts/make_student_copies.py [--out student]

A solution cell is a code cell tagged "solution" (its first line is `# solution`). The
copies keep every exercise's stub and check cell, so a learner fills in the stub and runs
the check. tests/test_student_copies.py regenerates the copies and fails on any difference.
"""

import argparse
import pathlib

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent


def is_solution(cell):
    return cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])


def student_copy(notebook):
    """The notebook without solution cells, with outputs and execution counts cleared."""
    copy = nbformat.from_dict(notebook)
    copy.cells = [cell for cell in copy.cells if not is_solution(cell)]
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
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
