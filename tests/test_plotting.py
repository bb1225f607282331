"""focal.plotting: every font size the style sets clears the projector floor, the style is
opt-in (``import focal`` leaves matplotlib alone), a bad base size fails clearly, and every
notebook applies the style and passes no smaller font or wider figure of its own."""

from focal import plotting

import re
import subprocess
import sys
from pathlib import Path

import matplotlib as mpl
import nbformat
import pytest
from matplotlib.font_manager import FontProperties

# The font-size rcParams (matplotlib names some as "small", "large", relative to font.size).
FONT_SIZE_KEY = re.compile(r"^font\.size$|(fontsize|labelsize|titlesize)$")
KNOWN_KEYS = {"font.size", "axes.labelsize", "axes.titlesize", "legend.fontsize"}
NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9]*.ipynb"))
# In a notebook's code: a literal size (fontsize=8, labelsize="small"), a width (figsize=(11, 4)).
LITERAL_SIZE = re.compile(r"\b(?:fontsize|labelsize)\s*=\s*(\d+(?:\.\d*)?|\"[a-z-]+\"|'[a-z-]+')")
FIGURE_WIDTH = re.compile(r"\bfigsize\s*=\s*\(\s*(\d+(?:\.\d*)?)\s*,")


def font_size_keys():
    keys = {key for key in mpl.rcParams if FONT_SIZE_KEY.search(key)}
    assert KNOWN_KEYS | {"xtick.labelsize", "legend.title_fontsize"} <= keys
    return sorted(keys)


def points(size):
    """A font-size rcParam in points: a number, a name relative to font.size, or None."""
    return FontProperties(size=size).get_size_in_points()


def test_every_font_size_resolves_above_the_floor():
    with mpl.rc_context():
        mpl.rcdefaults()
        assert points(mpl.rcParams["font.size"]) < plotting.BASE_FONT_SIZE  # matplotlib's 10
        plotting.use_series_style()
        for key in font_size_keys():
            assert points(mpl.rcParams[key]) >= plotting.MIN_FONT_SIZE, key
        assert mpl.rcParams["font.size"] == plotting.BASE_FONT_SIZE
        assert points(None) == plotting.BASE_FONT_SIZE  # annotations without fontsize=


def test_the_style_sets_every_font_size_itself():
    style = plotting.series_style()
    assert set(font_size_keys()) <= set(style)
    assert min(points(style[key]) for key in font_size_keys()) >= plotting.MIN_FONT_SIZE


def test_a_default_figure_is_about_880_px_wide():
    with mpl.rc_context(plotting.series_style()):
        import matplotlib.pyplot as plt

        fig = plt.figure()
        try:
            width = fig.get_size_inches()[0] * fig.dpi
        finally:
            plt.close(fig)
    assert 800 <= width <= 900
    assert plotting.series_style()["lines.linewidth"] >= 2.0


@pytest.mark.parametrize("size", [11, 11.0, 14, 20.5])
def test_a_larger_base_keeps_the_floor(size):
    style = plotting.series_style(size)
    assert style["font.size"] == size
    assert min(points(style[key]) for key in font_size_keys()) >= plotting.MIN_FONT_SIZE


@pytest.mark.parametrize("size", [10.9, 8, 0, -12, float("nan"), float("inf"), "12", None, True])
def test_a_bad_base_size_names_the_argument(size):
    with mpl.rc_context():
        before = dict(mpl.rcParams)
        with pytest.raises(ValueError, match="`font_size`"):
            plotting.use_series_style(size)
        assert dict(mpl.rcParams) == before  # nothing half-applied


def test_importing_focal_leaves_matplotlib_alone():
    code = (
        "import sys, matplotlib as mpl\n"
        "before = dict(mpl.rcParams)\n"
        "import focal\n"
        "assert dict(mpl.rcParams) == before, 'import focal changed rcParams'\n"
        "assert 'focal.plotting' not in sys.modules, 'import focal imported focal.plotting'\n"
        "import focal.plotting\n"
        "assert dict(mpl.rcParams) == before, 'import focal.plotting changed rcParams'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_notebook_draws_in_the_series_style(notebook):
    cells = [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
    assert cells[0].startswith("import focal"), "the setup cell imports focal first"
    found = [] if "use_series_style()" in cells[0] else ["setup cell: no use_series_style()"]
    with mpl.rc_context(plotting.series_style()):  # a named size ("small") is relative to it
        for number, source in enumerate(cells):  # numbered as nbval numbers them
            for line in source.splitlines():
                sizes = [points(size.strip("\"'")) for size in LITERAL_SIZE.findall(line)]
                widths = [float(width) for width in FIGURE_WIDTH.findall(line)]
                if min(sizes, default=99) < plotting.MIN_FONT_SIZE or max(widths, default=0) > 10:
                    found.append(f"cell {number}: {line.strip()}")
    assert not found, f"font sizes < {plotting.MIN_FONT_SIZE} pt, figures > 10 in wide: {found}"
