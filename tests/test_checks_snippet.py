"""Notebook 07's checkers (focal.checks.snippet) accept right answers and reject wrong ones."""

import focal  # noqa: F401, I001 (first: sets TensorFlow's environment before it loads)
import numpy as np
import pytest

from focal import reference
from focal.checks import snippet as checks


# Exercise 7.1 ------------------------------------------------------------------------------


def right_class_weights(counts):
    raw = sum(counts) / np.asarray(counts, dtype=np.float64)
    return raw / raw.sum()


def test_snippet_class_weights_accepts_right(capsys):
    checks.snippet_class_weights(right_class_weights)
    assert capsys.readouterr().out == "Exercise 7.1: correct.\n"


@pytest.mark.parametrize(
    "wrong",
    [
        lambda counts: len(counts) * right_class_weights(counts),  # normalised to mean 1
        lambda counts: np.sum(counts) / np.asarray(counts),  # not normalised
        lambda counts: np.asarray(counts) / np.sum(counts),  # frequencies, not inverse
        lambda counts: float(np.sum(right_class_weights(counts))),  # one number
    ],
)
def test_snippet_class_weights_rejects_wrong(wrong):
    with pytest.raises(AssertionError, match=r"Exercise 7\.1"):
        checks.snippet_class_weights(wrong)


# Exercise 7.2 ------------------------------------------------------------------------------


def right_focal_term(p, y, gamma):
    positive = -((1 - p) ** gamma) * np.log(p)
    negative = -(p**gamma) * np.log(1 - p)
    return np.where(y == 1, positive, negative)


def test_focal_term_accepts_right(capsys):
    checks.focal_term(right_focal_term)
    checks.focal_term(reference.focal_loss)
    assert capsys.readouterr().out == "Exercise 7.2: correct.\n" * 2


@pytest.mark.parametrize(
    "wrong",
    [
        # the snippet's focal term: negatives cost nothing
        lambda p, y, gamma: np.where(y == 1, -((1 - p) ** gamma) * np.log(p), 0.0),
        # the negative's factor uses (1 - p) instead of p
        lambda p, y, gamma: np.where(
            y == 1, -((1 - p) ** gamma) * np.log(p), -((1 - p) ** gamma) * np.log(1 - p)
        ),
        # cross-entropy, no modulating factor
        lambda p, y, gamma: np.where(y == 1, -np.log(p), -np.log(1 - p)),
    ],
)
def test_focal_term_rejects_wrong(wrong):
    with pytest.raises(AssertionError, match="Hint"):
        checks.focal_term(wrong)


# Exercise 7.3 ------------------------------------------------------------------------------


def right_best_threshold(precision, recall, thresholds):
    f1 = np.zeros_like(precision)
    np.divide(2 * precision * recall, precision + recall, out=f1, where=precision + recall > 0)
    return thresholds[np.argmax(f1[:-1])]


def test_best_threshold_accepts_right(capsys):
    checks.best_threshold(right_best_threshold)
    assert capsys.readouterr().out == "Exercise 7.3: correct.\n"


@pytest.mark.parametrize(
    "wrong",
    [
        lambda precision, recall, thresholds: 0.5,  # the default threshold
        lambda precision, recall, thresholds: thresholds[np.argmax(precision[:-1])],
        lambda precision, recall, thresholds: thresholds[np.argmax(recall[:-1])],
        # the index, not the threshold
        lambda precision, recall, thresholds: np.argmax(
            2 * precision * recall / np.maximum(precision + recall, 1e-12)
        ),
        lambda precision, recall, thresholds: thresholds,  # not one number
    ],
)
def test_best_threshold_rejects_wrong(wrong):
    with pytest.raises(AssertionError, match=r"Exercise 7\.3.*Hint"):
        checks.best_threshold(wrong)
