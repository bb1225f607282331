"""scripts/make_handout.py: docs/handout.pdf is one A4 page, nothing on it leaves the margins,
content that does not fit raises, and the committed PDF is what the script writes today.

Pages are counted in the PDF's bytes: matplotlib writes each page's /Type /Page dictionary
uncompressed (only content streams are deflated); a two-page PdfPages file checks the count.
"""

import re
import zlib

import pytest
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from scripts_loader import ROOT, load_script

handout = load_script("make_handout")
COMMITTED = ROOT / "docs" / "handout.pdf"
PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
STREAM = re.compile(rb"/FlateDecode.*?>>\s*stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def pages(data):
    return len(PAGE.findall(data))


def streams(data):
    """The PDF's deflated streams, inflated: page content and fonts, whatever zlib wrote them."""
    return [zlib.decompress(raw) for raw in STREAM.findall(data)]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("handout") / "handout.pdf"
    assert handout.main(["--out", str(path)]) == path
    return path.read_bytes()


def test_page_objects_are_counted_in_the_bytes(tmp_path):
    path = tmp_path / "two.pdf"
    with PdfPages(path) as pdf:
        for _ in range(2):
            pdf.savefig(Figure())
    assert pages(path.read_bytes()) == 2


def test_the_handout_is_one_a4_page(written):
    assert written.startswith(b"%PDF-")
    assert pages(written) == 1
    assert b"/Count 1" in written
    assert re.search(rb"/MediaBox \[ ?0 0 595\.2\d* 841\.8\d* ?\]", written)
    assert b"/CreationDate" not in written  # no timestamp: the same content, the same bytes


def test_the_page_fits_its_margins():
    blocks = handout.blocks(handout.README.read_text(encoding="utf-8"))
    fig = handout.render(blocks)  # runs check_layout, which raises on any overflow
    assert fig.get_size_inches() == pytest.approx((210 / 25.4, 297 / 25.4), abs=1e-3)


def test_every_notebook_of_the_readme_is_listed():
    titles = handout.notebook_titles(handout.README.read_text(encoding="utf-8"))
    assert [number for number, _ in titles] == list(handout.GISTS)
    assert ("01", "Down-weight easy examples") in titles


@pytest.mark.parametrize(
    "block",
    [
        ("code", "x = " + "1 + " * 40 + "1"),  # a code line wider than the page
        ("notebook", "09", "A title long enough to run into the next column, " * 2, "gist"),
        ("equation", "(6)", "$a$", "a meaning far too long for the right-hand column, " * 2),
        ("text", "A paragraph that wraps onto lines below the last. " * 12),
    ],
    ids=["code", "table-cell", "equation-meaning", "page-bottom"],
)
def test_content_that_does_not_fit_raises(block):
    blocks = handout.blocks(handout.README.read_text(encoding="utf-8"))
    with pytest.raises(handout.LayoutError, match=r"outside the printable|overlaps"):
        handout.render([*blocks[:-2], block, *blocks[-2:]])


def test_the_committed_handout_is_one_page_and_up_to_date(written):
    committed = COMMITTED.read_bytes()
    assert pages(committed) == 1
    assert streams(committed) == streams(written), "docs/handout.pdf is stale: run `make handout`"
