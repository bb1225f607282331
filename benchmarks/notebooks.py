"""Run every notebook in a fresh kernel; record its wall time and the kernel's peak memory.

    python benchmarks/notebooks.py [--cores 1]

Targets (Binder gives about one core and stops a session at 2 GB): every notebook <= 90 s
and <= 1.5 GB peak resident memory, the whole series <= 6 minutes. ``--cores 1`` pins the
kernels to one CPU (Linux), as on Binder. Prints a table and writes it to
benchmarks/results/notebooks.md, which the README shows.
"""

import argparse
import os
import pathlib
import platform
import re
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "notebooks.md"
MAX_SECONDS, MAX_GIB, MAX_SERIES_SECONDS = 90, 1.5, 360
MAX_WORDS = 4500  # of markdown prose a lesson (not an appendix), so that a student finishes it
# Run last in the kernel: its own peak resident set size (ru_maxrss is in KiB on Linux).
PEAK_RSS_CELL = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def markdown_words(notebook):
    """Words of prose: the markdown cells' word-character runs (regex ``\\w+``), so a number, a
    symbol in an equation or a piece of a link counts as a reader meets it, not by spaces."""
    prose = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    return sum(len(re.findall(r"\w+", source)) for source in prose)


def measure(path):
    """(wall seconds, peak GiB) of executing the notebook top to bottom in a new kernel."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_RSS_CELL))
    client = NotebookClient(notebook, timeout=600, resources={"metadata": {"path": path.parent}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    peak_kib = int(notebook.cells[-1].outputs[0]["text"])
    return seconds, peak_kib / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=1, help="CPUs per kernel (0: no pinning)")
    args = parser.parse_args()
    if args.cores:
        os.sched_setaffinity(0, range(args.cores))  # kernels inherit this process's CPUs

    rows, total = [], 0.0
    for path in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        seconds, gib = measure(path)
        words = markdown_words(nbformat.read(path, as_version=4))
        total += seconds
        ok = seconds <= MAX_SECONDS and gib <= MAX_GIB
        row = f"| {path.name} | {seconds:.0f} s | {gib:.2f} GiB | {'yes' if ok else 'NO'} "
        appendix = path.name[2] == "a"  # "08a-...": a study's full tables, not a lesson
        within = "(appendix)" if appendix else ("yes" if words <= MAX_WORDS else "NO")
        rows.append(row + f"| {words:,} | {within} |")
        print(rows[-1], flush=True)
    cores = f"{args.cores} core" if args.cores else "all cores"
    lines = [
        "# Notebook run times, memory and words",
        "",
        f"Measured by `python benchmarks/notebooks.py` ({cores} per kernel, "
        f"{platform.machine()}, Python {platform.python_version()}).",
        "",
        f"| notebook | wall time | kernel peak memory | within {MAX_SECONDS} s and {MAX_GIB} GiB "
        f"| words of markdown | within {MAX_WORDS:,} |",
        "|---|---|---|---|---|---|",
        *rows,
        f"| **whole series** | **{total:.0f} s** | | "
        f"{'yes' if total <= MAX_SERIES_SECONDS else 'NO'} (target {MAX_SERIES_SECONDS} s) | | |",
    ]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"series: {total:.0f} s; wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
