"""Checkers for notebook 06, a controlled experiment: does focal loss help?"""

from focal.checks import core

import numpy as np
from scipy import stats
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


@core.checker
def macro_ap(answer):
    """Exercise 6.1: answer(y_true, scores) must be the unweighted mean of per-class APs."""
    core.function_on_grid(
        "Exercise 6.1",
        answer,
        lambda y, s: average_precision_score(y, s, average="macro"),
        _multilabel_grid(),
        "score each column (class) on its own, then take the plain mean over the classes; "
        "flattening every column into one list gives micro AP, which the frequent classes "
        "dominate.",
    )


_SIGN_GRID = [
    (np.array([0.01, 0.02, 0.005, 0.03, 0.01, 0.02, 0.004, 0.01, 0.02, 0.03]),),  # 10 of 10
    (np.array([0.01, -0.02, 0.005, 0.03, 0.01, -0.02, 0.004, 0.01, 0.02, 0.03]),),  # 8 of 10
    (np.array([-0.01, -0.02, 0.005, -0.03, 0.0, 0.02, -0.004, -0.01]),),  # a tie is dropped
    (np.array([0.2, -0.1, 0.3]),),
    (np.array([0.0, 0.0, 0.0]),),  # no evidence either way: p = 1
]


def _sign_test(differences):
    nonzero = differences[differences != 0]
    if nonzero.size == 0:
        return 1.0
    return stats.binomtest(int((nonzero > 0).sum()), nonzero.size).pvalue


@core.checker
def sign_test_p(answer):
    """Exercise 6.2: the two-sided sign-test p-value of paired per-seed differences."""
    core.function_on_grid(
        "Exercise 6.2",
        answer,
        _sign_test,
        _SIGN_GRID,
        "drop the ties (differences of exactly 0), count the wins k among the n left; under "
        "'no effect' k ~ Binomial(n, 1/2), and the two-sided p-value is "
        "min(1, 2 * P(K <= min(k, n - k))), which is scipy.stats.binom.cdf(min(k, n - k), n, "
        "0.5) doubled; with no differences left, p = 1.",
    )


def _rare_grid():
    rng = np.random.default_rng(6)
    grid = []
    for c, k in [(10, 3), (6, 2), (5, 1)]:
        ap = rng.random(c)
        counts = rng.permutation(np.arange(5, 5 + 7 * c, 7)).astype(float)
        grid.append((ap, counts, k))
    return grid


@core.checker
def rare_ap(answer):
    """Exercise 6.3: the mean AP of the k classes with the fewest training positives."""
    core.function_on_grid(
        "Exercise 6.3",
        answer,
        lambda ap, counts, k: ap[np.argsort(counts)[:k]].mean(),
        _rare_grid(),
        "rank the classes by their training counts, not by their index or their AP; keep the "
        "k with the fewest and average their APs.",
    )
