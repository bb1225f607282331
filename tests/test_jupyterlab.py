"""The real thing: a JupyterLab server serves and renders every notebook of the series.

The server test never skips; the Chromium screenshot skips, saying why, where Chromium is
not installed.
"""

import json
import struct

import nbformat
import pytest
from scripts_loader import ROOT, load_script

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


LAB = load_script("lab_screenshot")


@pytest.fixture(scope="module")
def lab():
    with LAB.running_lab() as server:
        yield server


def title(notebook):
    first = nbformat.read(notebook, as_version=4).cells[0].source
    return first.splitlines()[0].removeprefix("# ").strip()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_server_opens_and_renders_the_notebook(lab, notebook):
    base, token = lab
    name = f"notebooks/{notebook.name}"
    status, body = LAB.get(f"{base}/api/contents/{name}?token={token}")
    model = json.loads(body)
    assert status == 200 and model["type"] == "notebook"
    assert len(model["content"]["cells"]) == len(nbformat.read(notebook, as_version=4).cells)

    status, page = LAB.get(f"{base}/lab/tree/{name}?token={token}")
    assert status == 200 and "jupyter-config-data" in page  # the JupyterLab application page

    status, html = LAB.get(f"{base}/nbconvert/html/{name}?download=false&token={token}")
    assert status == 200 and title(notebook) in html
    assert "data:image/png;base64" in html  # the stored figures render


def test_chromium_screenshot_of_a_notebook_in_jupyterlab(lab, tmp_path):
    if LAB.chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): no screenshot")
    base, token = lab
    out = tmp_path / "lab.png"
    LAB.screenshot(f"{base}/lab/tree/notebooks/{NOTEBOOKS[0].name}?token={token}", out)
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1400, 900)
    assert out.stat().st_size > 50_000, "a blank page compresses to a few kB"
