"""The series' figure style: fonts and lines that stay legible on a projector.

A figure shown to a class is read from the back of a room, off a projector that scales an
800-1,300 px image to a wall: a 7-8 pt tick label or annotation becomes a grey smudge. This
module sets a floor under every font size and a default figure width that keeps a PNG about
880 px wide, so a figure is readable projected as well as on a laptop.

``import focal`` does not apply it: a practitioner who imports the package into their own code
keeps their matplotlib settings. A notebook opts in once, in its setup cell::

    import focal.plotting

    focal.plotting.use_series_style()

or, for one block only, ``with matplotlib.rc_context(focal.plotting.series_style()): ...``.
A font size passed explicitly (``fontsize=8``) overrides the style: keep it >= MIN_FONT_SIZE.

Needs matplotlib, which the notebooks' environment has and the loss itself does not.
"""

from focal import validation

import matplotlib as mpl

MIN_FONT_SIZE = 10  # points: nothing on a figure, tick labels and legends included, is smaller
BASE_FONT_SIZE = 12  # points: body text, axis labels and annotations
FIGURE_WIDTH = 8.0  # inches, at FIGURE_DPI: a PNG 880 px wide
FIGURE_DPI = 110


def series_style(font_size=BASE_FONT_SIZE):
    """The series' matplotlib rcParams, as a dict for ``rcParams.update`` or ``rc_context``.

    Every font size is explicit, in points, so none depends on a relative name such as
    ``"small"``: titles are ``font_size + 1``, tick labels and legends ``font_size - 1``,
    never below MIN_FONT_SIZE.

    Args:
        font_size: the base size in points, a real number >= MIN_FONT_SIZE + 1 (11).
            Defaults to BASE_FONT_SIZE (12).

    Examples:
        >>> style = series_style()
        >>> style["font.size"], style["xtick.labelsize"], style["figure.figsize"]
        (12.0, 11.0, (8.0, 5.0))
        >>> series_style(9)
        Traceback (most recent call last):
        ...
        ValueError: `font_size` must be >= 11, got 9.0.
    """
    base = validation.number("font_size", font_size, MIN_FONT_SIZE + 1)
    small, large = base - 1, base + 1
    return {
        "font.size": base,
        "axes.labelsize": base,
        "axes.titlesize": large,
        "figure.titlesize": large + 1,
        "figure.labelsize": base,
        "xtick.labelsize": small,
        "ytick.labelsize": small,
        "legend.fontsize": small,
        "legend.title_fontsize": small,
        "figure.figsize": (FIGURE_WIDTH, 5.0),
        "figure.dpi": FIGURE_DPI,
        "savefig.dpi": "figure",
        "lines.linewidth": 2.0,
        "lines.markersize": 7.0,
        "axes.linewidth": 1.0,
        "xtick.major.width": 1.0,
        "ytick.major.width": 1.0,
    }


def use_series_style(font_size=BASE_FONT_SIZE):
    """Apply ``series_style(font_size)`` to matplotlib's global rcParams, for the session.

    Call it once in a notebook's setup cell; ``matplotlib.rcdefaults()`` undoes it.
    Raises ``ValueError`` naming ``font_size`` for a size below MIN_FONT_SIZE + 1.
    """
    mpl.rcParams.update(series_style(font_size))
