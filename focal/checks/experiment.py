"""Checkers for notebook 06, a controlled experiment: does focal loss help?"""

from focal.checks import core

import numpy as np
from sklearn.metrics import average_precision_score


def _multilabel_grid():
    """Fixed multi-label problems: long-tailed labels, scores that rank them imperfectly."""
    grid = []
    for seed, (n, c) in enumerate([(40, 3), (200, 10), (500, 6)]):
        rng = np.random.default_rng(seed)
        prior = 0.5 * 30.0 ** (-np.arange(c) / max(c - 1, 1))
        y = (rng.random((n, c)) < prior).astype(float)
        y[0], y[1] = 1.0, 0.0  # every class has a positive and a negative
        scores = np.clip(0.35 * y + rng.random((n, c)) * 0.8, 0.0, 1.0)
        grid.append((y, scores))
    return grid


def macro_ap(answer):
    """Exercise 6.1: answer(y_true, scores) must be the unweighted mean of per-class APs."""
    core.function_on_grid(
        "Exercise 6.1",
        answer,
        lambda y, s: average_precision_score(y, s, average="macro"),
        _multilabel_grid(),
        "score each column (class) on its own with average_precision_score(y_true[:, c], "
        "scores[:, c]), then take the plain mean over classes; flattening every column into "
        "one list gives micro AP, which the frequent classes dominate.",
    )


_NOISE_GRID = [
    (
        np.array([0.30, 0.30, 0.30, 0.30, 0.30, 0.71]),
        np.array([0.02, 0.02, 0.05, 0.01, 0.00, 0.01]),
        np.array([0.25, 0.35, 0.33, 0.38, 0.30, 0.75]),
        np.array([0.02, 0.01, 0.01, 0.03, 0.00, 0.02]),
    ),
    (np.array([0.20]), np.array([0.03]), np.array([0.24]), np.array([0.02])),
    (np.array([0.80, 0.70]), np.array([0.01, 0.04]), np.array([0.79, 0.60]), np.array([0.0, 0.05])),
]


def within_noise(answer):
    """Exercise 6.2: True where the ranges mean +- std of two losses overlap."""
    core.function_on_grid(
        "Exercise 6.2",
        answer,
        lambda mean_a, std_a, mean_b, std_b: np.abs(mean_a - mean_b) <= std_a + std_b,
        _NOISE_GRID,
        "the intervals [mean_a - std_a, mean_a + std_a] and [mean_b - std_b, mean_b + std_b] "
        "overlap when the gap between the means is at most the sum of the two stds; work "
        "elementwise so that arrays of losses give arrays of booleans.",
    )


def _rare_grid():
    rng = np.random.default_rng(6)
    grid = []
    for c, k in [(10, 3), (6, 2), (5, 1)]:
        ap = rng.random(c)
        counts = rng.permutation(np.arange(5, 5 + 7 * c, 7)).astype(float)
        grid.append((ap, counts, k))
    return grid


def rare_ap(answer):
    """Exercise 6.3: the mean AP of the k classes with the fewest training positives."""
    core.function_on_grid(
        "Exercise 6.3",
        answer,
        lambda ap, counts, k: ap[np.argsort(counts)[:k]].mean(),
        _rare_grid(),
        "rank the classes by their training counts, not by their index or their AP: "
        "np.argsort(counts)[:k] gives the k rarest; average their APs.",
    )
