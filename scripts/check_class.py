"""Run a class's submitted notebooks and tabulate each exercise's verdict, student by student.

    .venv-binder/bin/python scripts/check_class.py SUBMISSIONS [--csv PATH] [--timeout 300]

SUBMISSIONS holds one folder per student, named after the student, with that student's copies
of any notebooks of the series under their own names (alice/01-cross-entropy-to-focal-loss.ipynb).
Each copy runs top to bottom as Run All does, in Binder's kernel, from student/ (a copy reads
../studies). Each exercise gets its check cell's verdict: `correct`, `not yet (<mistake>)` for a
recognised mistake or `not yet`, `not attempted`; `error (<exception>)` or `timeout` when the
copy failed before its check spoke; `not submitted` when the student sent no copy of that notebook.
The table (exercise x student) goes to stdout as Markdown, and with --csv to a file; one progress
line per copy goes to stderr.

Not nbgrader or otter-grader: the check cells grade themselves; those need a course layout and tags.
"""

import argparse
import csv
import pathlib
import re
import sys
import time

import nbclient
import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^###\s+Exercise (\d+\.\d+)", re.MULTILINE)
VERDICT = re.compile(r"^Exercise (\d+\.\d+): (correct\.|not attempted yet)", re.MULTILINE)
FAILED = re.compile(r"Exercise (\d+\.\d+):")
MARK = "[check_class] mistake: "
# A rendered error keeps only the NotYet's name and message, not its `mistake` attribute.
REPORT_MISTAKE = (
    'get_ipython().events.register("post_run_cell", lambda result: print('
    f'"{MARK}" + result.error_in_exec.mistake) '
    'if getattr(result.error_in_exec, "mistake", None) else None)'
)


def run(path, cwd, timeout):
    """The copy executed after a cell that reports mistakes, and None, "timeout" or "error"."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(REPORT_MISTAKE))
    deadline = time.monotonic() + timeout
    client = nbclient.NotebookClient(
        notebook,
        timeout_func=lambda cell: max(deadline - time.monotonic(), 0.01),
        kernel_name="python3",
        allow_errors=True,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellTimeoutError:
        return notebook, "timeout"
    except nbclient.exceptions.DeadKernelError:
        return notebook, "error (the kernel died)"
    return notebook, None


def verdicts(notebook, failure):
    """{exercise: verdict}, read from the outputs; a wrong answer shown on purpose is skipped."""
    found, exercises, current = {}, [], None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            headings = HEADING.findall(cell.source)
            exercises += headings
            current = headings[-1] if headings else current
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        streams = "".join(o.text for o in cell.outputs if o.output_type == "stream")
        for exercise, said in VERDICT.findall(streams):
            found.setdefault(exercise, "correct" if said == "correct." else "not attempted")
        mistake = streams.split(MARK, 1)[1].split("\n", 1)[0] if MARK in streams else None
        for error in (o for o in cell.outputs if o.output_type == "error"):
            checked = FAILED.match(error.evalue) if error.ename == "NotYet" else None
            if checked:
                found.setdefault(checked[1], f"not yet ({mistake})" if mistake else "not yet")
            elif current:
                found.setdefault(current, f"error ({error.ename})")
    return {exercise: found.get(exercise, failure or "error") for exercise in [*exercises, *found]}


def table(results):
    """Rows of the exercise x student table, header first."""
    students = sorted(results)
    exercises = sorted(
        {exercise for done in results.values() for exercise in done},
        key=lambda exercise: tuple(int(part) for part in exercise.split(".")),
    )
    return [["exercise", *students]] + [
        [exercise] + [results[student].get(exercise, "not submitted") for student in students]
        for exercise in exercises
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=pathlib.Path)
    parser.add_argument("--csv", type=pathlib.Path, help="also write the table here")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per notebook")
    parser.add_argument("--cwd", type=pathlib.Path, default=ROOT / "student", help="runs here")
    args = parser.parse_args()
    copies = sorted(
        path for path in args.submissions.glob("*/*.ipynb") if not path.parent.name.startswith(".")
    )
    if not copies:
        parser.error(f"no STUDENT/NOTEBOOK.ipynb in {args.submissions}")
    results = {}
    for path in copies:
        start = time.perf_counter()
        notebook, failure = run(path, args.cwd, args.timeout)
        results.setdefault(path.parent.name, {}).update(verdicts(notebook, failure))
        seconds = time.perf_counter() - start
        print(f"{path.parent.name}  {path.name}  {seconds:.0f} s", file=sys.stderr, flush=True)
    rows = table(results)
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    print("\n".join([lines[0], "|" + "---|" * len(rows[0]), *lines[1:]]))
    if args.csv:
        with args.csv.open("w", newline="") as file:
            csv.writer(file).writerows(rows)


if __name__ == "__main__":
    main()
