"""Run notebooks top to bottom as Run All does, and print what happened as JSON.

    python tests/run_all.py --cwd DIR NOTEBOOK...

Run by tests/test_student_run_all.py under Binder's Python (.venv-binder), whose kernel nbval
uses. Every cell runs (nbclient's allow_errors), so the report lists each cell that failed; a
cell tagged raises-exception fails on purpose (a wrong answer shown failing).
"""

import argparse
import json
import pathlib

import nbclient
import nbformat


def run(path, cwd, timeout=600):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    code = [(i, cell) for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    errors = [
        {
            "cell": i,
            "intended": "raises-exception" in cell.metadata.get("tags", []),
            "error": f"{output.ename}: {output.evalue}",
            "first_line": cell.source.split("\n")[0],
        }
        for i, cell in code
        for output in cell.outputs
        if output.output_type == "error"
    ]
    return {
        "errors": errors,
        "last_cell_ran": code[-1][1].execution_count is not None,
        "not_attempted": sum(
            "not attempted yet" in output.get("text", "")
            for _, cell in code
            for output in cell.outputs
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cwd", type=pathlib.Path, required=True)
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    print(json.dumps({path.name: run(path, args.cwd) for path in args.notebooks}))


if __name__ == "__main__":
    main()
