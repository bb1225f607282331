"""Sphinx configuration of the series as a web book: `make book` builds it into _build/html.

    python -m sphinx -W --keep-going -b html -c book -d _build/doctrees . _build/html

Sphinx with MyST-NB and sphinx-book-theme (what Jupyter Book 1 is made of) renders stored
notebooks without running them and builds with no network, all from PyPI; Jupyter Book 2 asks a
remote service for its theme at build time. This folder holds only the configuration and its
pins: the source folder is the repository root, so the README's links (notebooks/..., docs/...,
benchmarks/results/...) resolve as they do on GitHub; only the files below are read. The
notebooks are not executed: their stored outputs are shown, and strict nbval proves them.
Nothing is fetched while building or reading: MathJax 3 comes from a pinned PyPI package
(sphinx-mathjax-offline) and is copied into the site.
"""

import hashlib
import importlib.util
import json
import os
import pathlib
import shutil

from sphinx.util.fileutil import copy_asset

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The repository's URL, e.g. https://github.com/OWNER/REPO, from the Makefile's REPOSITORY_URL
# (make book REPOSITORY_URL=https://...). While it is empty the book has no Binder buttons.
REPOSITORY_URL = os.environ.get("REPOSITORY_URL", "")

project = "Learn focal loss, step by step"
html_title = project
root_doc = "README"  # the home page; it is copied to index.html after the build
include_patterns = ["README.md", "notebooks/*.ipynb", "docs/*.md", "benchmarks/results/*.md"]
exclude_patterns = [".*", "_build", "build", "student", "*.egg-info"]  # not even walked

extensions = ["myst_nb"]
nb_execution_mode = "off"  # the stored outputs, as nbval checks them
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # the README's [Binder](#binder)

# Local MathJax: a path relative to _static/, where setup() copies it.
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "HEAD",
    "use_repository_button": bool(REPOSITORY_URL),
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org" if REPOSITORY_URL else "",
        "notebook_interface": "jupyterlab",
    },
    "path_to_docs": "",
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
# Search results without summaries: a summary is fetched from the result's page, which a
# browser refuses for a page opened from disk, so results look the same from disk and server.
html_show_search_summary = False

NOTEBOOKS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
# The README is the home page and must read well on GitHub, so the book's table of contents
# (series order, then the two guides) is appended to it here rather than written into it.
TOCTREE = "\n".join(
    [
        "",
        "```{toctree}",
        ":hidden:",
        ":caption: The notebooks",
        "",
        *(f"notebooks/{name}" for name in NOTEBOOKS),
        "```",
        "",
        "```{toctree}",
        ":hidden:",
        ":caption: Guides",
        "",
        "docs/cheatsheet",
        "docs/teaching",
        "```",
        "",
    ]
)

# Files tex-chtml.js never loads: the package's other combined builds, Node-only code, and
# latest.js (which asks a CDN for the newest version). The rest (9 MB) stays, so that the
# context menu's options (SVG output, accessibility, speech) work offline too.
MATHJAX_UNUSED = {
    "latest.js",
    "node-main.js",
    "mml-chtml.js",
    "mml-svg.js",
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "tex-mml-chtml.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
    "adaptors",
}


def mathjax_folder():
    spec = importlib.util.find_spec("sphinx-mathjax-offline")  # the package's folder name
    if spec is None:
        raise RuntimeError("pip install -r book/requirements.txt: MathJax's offline copy")
    return pathlib.Path(spec.origin).parent / "static" / "mathjax"


def prepare(app, docname, source):
    """Adapt a source for the book as it is read (the files themselves are left as they are)."""
    if docname == root_doc:
        source[0] += TOCTREE
    elif docname.startswith("notebooks/"):
        source[0] = fold_solutions(source[0])
    elif docname.startswith("benchmarks/"):
        text = source[0]
        if not text.startswith("# "):  # a results table with no title of its own
            name = docname.rsplit("/", 1)[-1].replace("_", " ").capitalize()
            text = f"# {name} (benchmarks/results)\n\n{text}"
        source[0] = "---\norphan: true\n---\n" + text  # linked from the README only


def fold_solutions(text):
    """Fold the cells that JupyterLab shows folded (the worked solutions) behind a toggle."""
    notebook = json.loads(text)
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            cell["metadata"].setdefault("tags", []).append("hide-input")
            cell["metadata"]["mystnb"] = {
                "code_prompt_show": "Show the solution",
                "code_prompt_hide": "Hide the solution",
            }
    return json.dumps(notebook)


def add_student_copy(app, pagename, templatename, context, doctree):
    """Offer the student copy (student/, from `make student`) next to the notebook."""
    if not pagename.startswith("notebooks/"):
        return
    name = pagename.removeprefix("notebooks/")
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            notebook = f"{context['pathto']('_sources', 1)}/{pagename}.ipynb"
            group["buttons"] = [
                {
                    "type": "link",
                    "url": notebook,
                    "text": "notebook .ipynb",
                    "tooltip": "The notebook, with its outputs and folded solutions",
                    "icon": "fas fa-code",
                    "label": "download-notebook-button",
                },
                {
                    "type": "link",
                    "url": context["pathto"](f"student/{name}.ipynb", 1),
                    "text": "student copy .ipynb",
                    "tooltip": "The notebook without solutions or outputs",
                    "icon": "fas fa-user-graduate",
                    "label": "download-student-button",
                },
                *(b for b in group["buttons"] if b.get("label") == "download-pdf-button"),
            ]


def finish(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = pathlib.Path(app.outdir)
    copy_asset(
        mathjax_folder(),
        out / "_static" / "mathjax",
        excluded=lambda path: path.removeprefix("./").split("/")[0] in MATHJAX_UNUSED,
    )
    (out / "student").mkdir(exist_ok=True)
    for name in NOTEBOOKS:
        shutil.copyfile(ROOT / "student" / f"{name}.ipynb", out / "student" / f"{name}.ipynb")
    shutil.copyfile(out / "README.html", out / "index.html")  # same folder: links hold


# Sphinx re-reads every source when a config value changes, but not when only a function
# here does: this value makes any edit of this file a change.
book_conf_digest = hashlib.sha256(pathlib.Path(__file__).read_bytes()).hexdigest()


def setup(app):
    app.add_config_value("book_conf_digest", "", "env")
    app.connect("source-read", prepare)
    app.connect("html-page-context", add_student_copy, priority=502)
    app.connect("build-finished", finish)
