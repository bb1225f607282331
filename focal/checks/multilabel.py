"""Checkers for notebook 03, multi-label classification with one sigmoid per class."""

from focal import reference
from focal.checks import core

import numpy as np

# Multi-hot targets, shape (examples, classes): a mixed batch, an example with no label at
# all, one with every label, and a row of a 10-class problem.
Y_MIXED = np.array(
    [
        [1.0, 0.0, 1.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0],
        [1.0, 1.0, 1.0],
    ]
)
Y_NEGATIVE = np.zeros((2, 4))
Y_POSITIVE = np.ones((3, 2))
Y_ROW = np.array([[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]])
Y_LONG_TAIL = (np.random.default_rng(3).random((50, 10)) < np.linspace(0.5, 0.01, 10)) * 1.0

# Probabilities for Y_MIXED: confident and unsure, right and wrong, never exactly 0 or 1.
P_MIXED = np.array(
    [
        [0.9, 0.1, 0.6],
        [0.5, 0.99, 0.3],
        [0.01, 0.2, 0.8],
        [0.7, 0.4, 0.05],
    ]
)
P_NEGATIVE = np.array([[0.1, 0.5, 0.9, 0.01], [0.3, 0.3, 0.7, 0.2]])
GAMMAS = (0.0, 2.0)
ALPHAS = (0.25, 0.75)


NEGATIVES_HINT = (
    "the negatives are left out, the original snippet's bug: a pair with y = 0 costs "
    "-(1 - alpha) p^gamma log(1 - p), not 0. Build p_t and alpha_t with np.where(y == 1, ...) "
    "for every pair."
)


def _positives_only(p, y, gamma, alpha):
    """Eq. (5) with negatives costing 0, as in the snippet."""
    return y * -alpha * (1.0 - p) ** gamma * np.log(p)


NEGATIVES_LEFT_OUT = core.Mistake(
    "negatives left out",
    lambda p, y, gamma, alpha: _positives_only(p, y, gamma, alpha).mean(-1),
    NEGATIVES_HINT,
)
NEGATIVES_LEFT_OUT_OF_SUM = core.Mistake(
    "negatives left out",
    lambda p, y, gamma, alpha: _positives_only(p, y, gamma, alpha).sum() / max(y.sum(), 1.0),
    NEGATIVES_HINT,
)


def _loss_grid():
    return [
        (p, y, gamma, alpha)
        for p, y in ((P_MIXED, Y_MIXED), (P_NEGATIVE, Y_NEGATIVE), (P_MIXED[:1], Y_MIXED[:1]))
        for gamma in GAMMAS
        for alpha in ALPHAS
    ]


@core.checker
def negative_fraction(answer):
    """Exercise 3.1: answer(y) must be the fraction of zeros in the multi-hot matrix y."""
    core.function_on_grid(
        "Exercise 3.1",
        answer,
        lambda y: np.mean(y == 0),
        [(y,) for y in (Y_MIXED, Y_NEGATIVE, Y_POSITIVE, Y_ROW, Y_LONG_TAIL)],
        "count the entries equal to 0 (every (example, class) pair, not every example) and "
        "divide by the number of entries, y.size; the answer is one number in [0, 1].",
    )


@core.checker
def multilabel_focal_loss(answer):
    """Exercise 3.2: answer(p, y, gamma, alpha) must be eq. (5) averaged over the classes."""
    core.function_on_grid(
        "Exercise 3.2",
        answer,
        lambda p, y, gamma, alpha: reference.alpha_balanced_focal_loss(p, y, gamma, alpha).mean(-1),
        _loss_grid(),
        "every class is its own binary problem: p_t and alpha_t come from np.where(y == 1, ...), "
        "negatives included; then average over the last axis (classes), giving one loss per "
        "example.",
        mistakes=[NEGATIVES_LEFT_OUT],
    )


@core.checker
def positive_normalized_focal_loss(answer):
    """Exercise 3.3: the sum of eq. (5) over the batch, divided by max(#positives, 1)."""
    core.function_on_grid(
        "Exercise 3.3",
        answer,
        lambda p, y, gamma, alpha: (
            reference.alpha_balanced_focal_loss(p, y, gamma, alpha).sum() / max(y.sum(), 1.0)
        ),
        _loss_grid(),
        "sum the per-pair losses over examples and classes (negatives included), then divide "
        "by the number of positive labels, y.sum(), but by at least 1 so a batch without "
        "positives does not divide by zero; the answer is one number.",
        mistakes=[NEGATIVES_LEFT_OUT_OF_SUM],
    )


_ASL_GRID = [
    (np.array([0.001, 0.01, 0.05, 0.06, 0.3, 0.5, 0.9, 0.99]), gamma_neg, margin)
    for gamma_neg in (0.0, 1.0, 4.0)
    for margin in (0.0, 0.05, 0.2)
]


@core.checker
def asl_negative(answer):
    """Exercise 3.4: ASL's loss of a negative, -p_m^gamma_neg log(1 - p_m), p_m = max(p - m, 0)."""
    core.function_on_grid(
        "Exercise 3.4",
        answer,
        lambda p, gamma_neg, margin: reference.soft_focal_loss(
            p, 0.0, 0.0, gamma_neg, margin=margin
        ),
        _ASL_GRID,
        "shift first, then focus: subtract the margin from p and clip at 0 (that is p_m), then "
        "take a negative's focal loss at p_m; a negative at or below the margin costs exactly "
        "0.",
    )
