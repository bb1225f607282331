"""Checkers for notebook 07, reading the original snippet and repairing it."""

from focal import reference, weights
from focal.checks import core

import numpy as np
from sklearn.metrics import f1_score, precision_recall_curve

# Per-class sample counts: the snippet's README example, a long tail, equal counts, one
# class, and the training counts of focal.data.load_multilabel_digits().
COUNTS_GRID = (
    [1, 2, 3],
    [50, 20, 5],
    [7, 7, 7, 7],
    [12],
    [2556, 1479, 953, 569, 345, 182, 117, 59, 49, 28],
)

# Probabilities from confidently wrong to confidently right (never exactly 0 or 1, where
# log is -inf), and labels: all positive, all negative, mixed.
P_GRID = np.array([0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999])
Y_MIXED = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
LABEL_GRIDS = (np.ones_like(P_GRID), np.zeros_like(P_GRID), Y_MIXED)


NEGATIVES_LEFT_OUT = core.Mistake(
    "negatives left out",
    lambda p, y, gamma: y * -((1.0 - p) ** gamma) * np.log(p),
    "the negatives are left out, as in the snippet: a pair with y = 0 costs "
    "-p^gamma log(1 - p), not 0.",
)


def _threshold_cases():
    """(labels, scores) pairs: common and rare classes, well and poorly separated."""
    rng = np.random.default_rng(7)
    cases = []
    for n, prevalence, separation in ((200, 0.3, 0.4), (300, 0.05, 0.5), (150, 0.5, 0.1)):
        labels = (rng.random(n) < prevalence).astype(np.float64)
        scores = np.clip(separation * labels + rng.random(n) * (1.0 - separation), 0.0, 1.0)
        cases.append((labels, scores))
    return cases


THRESHOLD_CASES = _threshold_cases()


@core.checker
def snippet_class_weights(answer):
    """Exercise 7.1: answer(counts) must be the snippet's weights, N / n_c normalised to sum 1."""
    core.function_on_grid(
        "Exercise 7.1",
        answer,
        lambda counts: weights.inverse_frequency(counts, normalize="sum"),
        [(np.asarray(counts, dtype=np.float64),) for counts in COUNTS_GRID],
        "N is the total count, sum(counts); the raw weight of class c is N / n_c; then divide "
        "every raw weight by the sum of the raw weights, so that the weights sum to 1.",
    )


@core.checker
def focal_term(answer):
    """Exercise 7.2: answer(p, y, gamma) must be eq. (4) per element, for y = 1 AND y = 0."""
    core.function_on_grid(
        "Exercise 7.2",
        answer,
        reference.focal_loss,
        [(P_GRID, y, gamma) for y in LABEL_GRIDS for gamma in (0.0, 0.5, 2.0, 5.0)],
        "p_t = p for y = 1 and 1 - p for y = 0, and FL = -(1 - p_t)^gamma log(p_t): a negative "
        "costs -p^gamma log(1 - p), not 0. With gamma = 0 it is binary cross-entropy.",
        mistakes=[NEGATIVES_LEFT_OUT],
    )


@core.checker
def best_threshold(answer):
    """Exercise 7.3: answer(precision, recall, thresholds) must return an F1-maximising threshold.

    The threshold is judged by the F1 score it gives on the data behind the curve (predict
    positive when score >= threshold), so any threshold that reaches the maximum is accepted.
    """
    hint = (
        "F1 = 2 P R / (P + R) (take 0 where P + R = 0); precision and recall have one entry more "
        "than thresholds (the last point, recall 0, has no threshold), so take the argmax over "
        "the first len(thresholds) entries and return thresholds[index], a score, not an index."
    )
    for number, (labels, scores) in enumerate(THRESHOLD_CASES, start=1):
        precision, recall, thresholds = precision_recall_curve(labels, scores)
        f1 = np.zeros_like(precision)
        np.divide(2 * precision * recall, precision + recall, out=f1, where=precision + recall > 0)
        best = float(np.max(f1[:-1]))
        curve = (precision.copy(), recall.copy(), thresholds.copy())
        threshold = core.call("Exercise 7.3", answer, curve, hint)
        if np.ndim(threshold) != 0:
            raise core.NotYet(
                f"Exercise 7.3: return one threshold (a number), got shape {np.shape(threshold)}. "
                f"Hint: {hint}"
            )
        got = f1_score(labels, scores >= float(threshold), zero_division=0.0)
        if not np.isclose(got, best, rtol=1e-9, atol=1e-12):
            raise core.NotYet(
                f"Exercise 7.3: not yet. On curve {number} your threshold "
                f"{float(threshold):.4f} gives F1 = {got:.4f}, the best is {best:.4f}. "
                f"Hint: {hint}"
            )
    core.passed("Exercise 7.3")
