"""Write docs/handout.pdf: the series on one printed A4 page, for students.

    python scripts/make_handout.py [--out docs/handout.pdf] [--png preview.png]

The page condenses docs/cheatsheet.md: equations (1)-(5) of Lin et al. 2017, the prior bias,
sigmoids vs softmax, the migration from the snippet, the notebooks in order (titles read from
README.md's table) and where the exercises are checked. Matplotlib only: mathtext for the
equations, the PDF backend without a creation date, so the same inputs give the same bytes.

Text is laid out top to bottom, each piece measured by the renderer; paragraphs wrap to the
page's width, table cells and code lines do not. `check_layout` raises `LayoutError` when any
line or cell leaves the printable area or overlaps another, so content that does not fit fails
here instead of falling off the printed page.
"""

import argparse
import pathlib
import re

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.transforms import Affine2D, Bbox

ROOT = pathlib.Path(__file__).resolve().parent.parent
PDF = ROOT / "docs" / "handout.pdf"
README = ROOT / "README.md"

PAGE = (595.28, 841.89)  # A4 portrait, points
MARGIN = 42.0  # points (15 mm) on every side: inside any printer's unprintable edge
DPI = 288  # measuring resolution: 4 px per point, so extents are exact to a quarter point
BODY = 10.5  # points: body text; the footnote is 9.5, code 9 (its x-height matches)
MONO_SCALE = 0.86  # DejaVu Sans Mono's x-height is larger than STIX's: this matches them
INDENT = MARGIN + 26  # formulas, titles and code
MEANING = MARGIN + 268  # the third column of the equation and notebook tables
INK = "#1f3a68"  # headings: a dark blue that prints near-black in greyscale
GREY = "0.25"
STYLE = {
    "font.family": "STIXGeneral",
    "mathtext.fontset": "stix",
    "pdf.fonttype": 42,  # TrueType: crisp in print, text selectable
    "text.hinting": "none",  # measure with the unhinted widths the PDF uses
    "text.color": "0.05",
}
# A word: code in backticks and mathtext in dollars stay whole, spaces and all.
WORD = re.compile(r"(?:`[^`]*`|\$[^$]*\$|[^\s`$])+")

EQUATIONS = [
    (
        "(1)",
        r"$\mathrm{CE}(p, y) = -\log p$  if $y = 1$,  else $-\log(1 - p)$",
        r"binary cross-entropy, $p = \sigma(x)$ of the logit $x$",
    ),
    (
        "(2)",
        r"$p_t = p$  if $y = 1$,  else $1 - p$;   $\mathrm{CE} = -\log p_t$",
        "$p_t$: the probability given to the true label",
    ),
    (
        "(3)",
        r"$\mathrm{CE}(p_t) = -\alpha_t\,\log p_t$",
        r"$\alpha_t = \alpha$ for a positive, $1 - \alpha$ for a negative",
    ),
    (
        "(4)",
        r"$\mathrm{FL}(p_t) = -(1 - p_t)^{\gamma}\,\log p_t$",
        r"$(1 - p_t)^\gamma$ down-weights easy examples; $\gamma = 0$ is CE",
    ),
    (
        "(5)",
        r"$\mathrm{FL}(p_t) = -\alpha_t\,(1 - p_t)^{\gamma}\,\log p_t$",
        r"$\alpha$-balanced focal loss, the form used in practice",
    ),
]

# One line per notebook, condensed from README.md's table ("what it teaches").
GISTS = {
    "01": r"eq. (1)–(5), $p_t$, Figure 1, “100×” computed, the prior",
    "02": "the gradients by hand, checked by autodiff; FL*",
    "03": "softmax vs sigmoids; why the negatives must count",
    "04": "inverse-frequency and effective-number class weights",
    "05": r"label smoothing under $\gamma > 0$, calibration, temperature",
    "06": r"a tuned, paired study: $\gamma$ did not help here, smoothing did",
    "06a": "appendix to 06: every arm, learning rate and class",
    "07": "the snippet's ten defects fixed; the migration; thresholds",
    "08": "anchors, the prior, NMS, COCO AP: FL learns faster",
    "08a": "appendix to 08: the tuning grid beside Table 1a–b",
}


class LayoutError(ValueError):
    """A line or cell leaves the printable area of the page, or overlaps another."""


def notebook_titles(readme_text):
    """(number, title) of each notebook, in the order of README.md's table."""
    rows = re.findall(r"^\| \[(\w+) — ([^\]]+)\]\(notebooks/", readme_text, flags=re.MULTILINE)
    if [number for number, _ in rows] != list(GISTS):
        numbers = [number for number, _ in rows]
        raise ValueError(f"README.md's table lists notebooks {numbers}; GISTS has {list(GISTS)}")
    return rows


def blocks(readme_text):
    """The page's content, top to bottom: (kind, *parts) tuples that `draw` lays out.

    In text, `backticks` mark code (set in monospace) and $...$ mathtext.
    """
    notebooks = [("notebook", n, title, GISTS[n]) for n, title in notebook_titles(readme_text)]
    return [
        ("title", "Focal loss on one page"),
        (
            "text",
            "Equation numbers are those of Lin et al. 2017, “Focal Loss for Dense Object "
            "Detection”, arXiv:1708.02002.",
        ),
        ("heading", "1.  The loss, equation by equation"),
        *(("equation", *row) for row in EQUATIONS),
        (
            "text",
            r"$\mathrm{FL} / \mathrm{CE} = (1 - p_t)^\gamma$: with $\gamma = 2$ an example "
            r"at $p_t = 0.9$ costs 100× less than under cross-entropy (01 §6).",
        ),
        ("heading", "2.  Start every output at its prior"),
        (
            "equation",
            "",
            r"$b = -\log((1 - \pi)\,/\,\pi)$",
            r"the output bias at which a class starts at $p = \pi$",
        ),
        (
            "text",
            r"The paper's $\pi = 0.01$ starts every output confident that it is negative, so the "
            "many easy negatives cannot swamp the first steps (sections 3.3, 4.1; 01 §8). Keras: "
            "`bias_initializer=focal.PriorProbability(pi)`, one $\\pi$ or one per class; for a "
            "weighted, focal or smoothed loss, its own best constant, "
            "`focal.constant_minimiser(loss, y_train)` (06 §2).",
        ),
        ("heading", "3.  Multi-label: one sigmoid per class, never a softmax"),
        (
            "text",
            "A softmax shares one unit of probability among the classes: it cannot say “several” "
            "or “none”. Multi-hot targets are $C$ yes/no questions: a `Dense(C)` head without "
            "activation, one sigmoid per class inside the loss (`from_logits=True`). Every pair "
            "counts, negatives included: in notebook 03's data 84% of the labels are negatives.",
        ),
        ("heading", "4.  Migrate from the snippet  (notebook 07 §12–13)"),
        (
            "text",
            "The Keras snippet “focal loss with multi-label implemented in keras” gives negatives "
            "no loss, among ten defects. The swap keeps its arguments; then, in this order, so "
            "that the model learns (07 §13 measures each step):",
        ),
        (
            "code",
            "loss = focal.focal_loss(counts)                 # 1. the same arguments\n"
            "pi = focal.constant_minimiser(loss, y_train)    # 2. start at its best constant\n"
            "init = focal.PriorProbability(pi.tolist())      #    bias_initializer=init\n"
            "# 3. choose the learning rate on validation (SGD: 10x the snippet's)\n"
            "# 4. a linear head and FocalLoss(..., from_logits=True), same arguments",
        ),
        (
            "text",
            r"$(\gamma, \alpha) = (2, 0.25)$ is COCO's answer, not yours: tune $\gamma$ and "
            r"$\alpha$ together on validation data.",
        ),
        ("heading", "5.  The notebooks, in order"),
        *notebooks,
        ("heading", "6.  Exercises: check yourself"),
        (
            "text",
            "Notebooks 01–08 each end in three or four exercises, each a stub to fill in and a "
            "check cell to run. The check prints `Exercise N.k: correct.` or a hint that starts "
            "`NotYet:`; an unfilled stub prints “not attempted yet”. The checkers live in "
            "`focal/checks/`, one module per notebook; all exercises are listed in "
            "docs/teaching.md.",
        ),
        ("rule",),
        (
            "footnote",
            "More in docs/cheatsheet.md: every symbol, equations (6)–(11) of the paper's "
            "appendices, and a recipe for a new problem.",
        ),
    ]


class Page:
    """An A4 figure and a cursor that moves down it; every placed line is kept for the check."""

    def __init__(self):
        self.fig = Figure(figsize=(PAGE[0] / 72, PAGE[1] / 72), dpi=DPI)
        self.renderer = FigureCanvasAgg(self.fig).get_renderer()
        self.y = MARGIN  # the cursor, in points from the top of the page
        self.items = []  # (label, [Text, ...]): one item per line or table cell

    def extent(self, texts):
        """The box around `texts` in points from the page's bottom-left."""
        boxes = [text.get_window_extent(self.renderer) for text in texts]
        return Bbox.union(boxes).transformed(Affine2D().scale(72 / DPI))

    def line(self, x, text, size, label=None, **style):
        """Place one line with its top on the cursor; `backtick` runs in monospace."""
        texts = []
        for i, run in enumerate(text.split("`")):
            if run:
                mono = i % 2 == 1
                texts.append(
                    self.fig.text(
                        x / PAGE[0],
                        1 - (self.y + size) / PAGE[1],
                        run,
                        fontsize=size * MONO_SCALE if mono else size,
                        family="DejaVu Sans Mono" if mono else None,
                        va="baseline",
                        **style,
                    )
                )
                x = self.extent(texts[-1:]).x1
        self.items.append((label or text, texts))
        return texts

    def wrapped(self, x, text, size, **style):
        """Place `text` in as many lines as the width from x to the right margin needs."""
        words, line = WORD.findall(text), ""
        for word in words:
            candidate = f"{line} {word}".strip()
            probe = self.line(x, candidate, size, **style)
            fits = self.extent(probe).x1 <= PAGE[0] - MARGIN
            self.remove_last()
            if line and not fits:
                self.line(x, line, size, **style)
                self.advance(size)
                candidate = word
            line = candidate
        self.line(x, line, size, **style)
        self.advance(size)

    def remove_last(self):
        for text in self.items.pop()[1]:
            text.remove()

    def advance(self, size, leading=1.3):
        self.y += size * leading

    def rule(self):
        y = 1 - self.y / PAGE[1]
        x = [MARGIN / PAGE[0], 1 - MARGIN / PAGE[0]]
        self.fig.add_artist(mpl.lines.Line2D(x, [y, y], color="0.6", linewidth=0.6))

    def shade(self, items):
        """A light box behind the lines `items` (a code block)."""
        box = self.extent([text for _, texts in items for text in texts])
        x0, y0 = box.x0 / PAGE[0], box.y0 / PAGE[1]
        patch = FancyBboxPatch(
            (x0, y0),
            box.width / PAGE[0],
            box.height / PAGE[1],
            boxstyle="round,pad=0.006,rounding_size=0.004",
            transform=self.fig.transFigure,
            facecolor="0.93",
            edgecolor="none",
            zorder=-1,
        )
        self.fig.add_artist(patch)


def draw(page_blocks):
    """Lay the blocks out on a fresh A4 page; returns the `Page`."""
    page = Page()
    for kind, *parts in page_blocks:
        if kind == "title":
            page.line(MARGIN, parts[0], 21, weight="bold", color=INK)
            page.advance(21, 1.3)
        elif kind == "heading":
            page.y += 7
            page.line(MARGIN, parts[0], 12.5, weight="bold", color=INK)
            page.advance(12.5, 1.45)
        elif kind == "text":
            page.wrapped(MARGIN, parts[0], BODY)
        elif kind == "equation":
            number, formula, meaning = parts
            page.y += 1.5
            if number:
                page.line(MARGIN, number, BODY, label=f"{number} number")
            page.line(INDENT, formula, 12, label=f"{number} {formula}")
            page.line(MEANING, meaning, BODY, label=f"{number} {meaning}", color=GREY)
            page.advance(12, 1.5)
        elif kind == "notebook":
            number, title, gist = parts
            page.line(MARGIN, number, BODY, label=f"{number} number", weight="bold")
            page.line(INDENT, title, BODY, label=f"{number} {title}", weight="bold")
            page.line(MEANING, gist, BODY, label=f"{number} {gist}", color=GREY)
            page.advance(BODY, 1.36)
        elif kind == "code":
            page.y += 3
            first = len(page.items)
            for code_line in parts[0].split("\n"):
                page.line(INDENT, f"`{code_line}`", BODY)
                page.advance(BODY, 1.32)
            page.shade(page.items[first:])
            page.y += 5
        elif kind == "rule":
            page.y += 6
            page.rule()
            page.y += 5
        elif kind == "footnote":
            page.wrapped(MARGIN, parts[0], BODY - 1, color=GREY)
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    return page


def check_layout(page):
    """Raise `LayoutError` if a line or cell leaves the margins, or two of them overlap."""
    inside = Bbox.from_extents(MARGIN, MARGIN, PAGE[0] - MARGIN, PAGE[1] - MARGIN)
    boxes = [(label, page.extent(texts)) for label, texts in page.items]
    for label, box in boxes:
        if not (inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)):
            raise LayoutError(
                f"{label!r} spans x {box.x0:.1f}..{box.x1:.1f}, y {box.y0:.1f}..{box.y1:.1f} pt, "
                f"outside the printable x {inside.x0:.0f}..{inside.x1:.1f}, "
                f"y {inside.y0:.0f}..{inside.y1:.1f} pt (A4, {MARGIN:.0f} pt margins)"
            )
    for i, (label, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            overlap = Bbox.intersection(box, other_box)
            if overlap is not None and overlap.width > 0.25 and overlap.height > 0.25:
                raise LayoutError(f"{label!r} overlaps {other!r}")


def render(page_blocks):
    """The laid-out page as a matplotlib Figure, after `check_layout` has passed."""
    with mpl.rc_context(STYLE):
        page = draw(page_blocks)
        check_layout(page)
    return page.fig


def main(argv=None):
    """Write the handout PDF (and a PNG preview if asked); returns the PDF's path."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=PDF)
    parser.add_argument("--png", type=pathlib.Path, help="also write a 150 dpi PNG preview")
    args = parser.parse_args(argv)
    fig = render(blocks(README.read_text(encoding="utf-8")))
    with mpl.rc_context(STYLE):
        fig.savefig(args.out, format="pdf", metadata={"CreationDate": None})
        if args.png:
            fig.savefig(args.png, format="png", dpi=150, facecolor="white")
    return args.out


if __name__ == "__main__":
    print(main())
