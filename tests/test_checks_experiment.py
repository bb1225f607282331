"""Notebook 06's checkers (focal.checks.experiment) accept right and reject wrong answers."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.checks import experiment as checks

import numpy as np
import pytest
from checker_testing import assert_accepts_right_rejects_wrong
from sklearn.metrics import average_precision_score


def right_macro_ap(y_true, scores):
    return np.mean(
        [average_precision_score(y_true[:, c], scores[:, c]) for c in range(y_true.shape[1])]
    )


def right_within_noise(mean_a, std_a, mean_b, std_b):
    return np.abs(mean_a - mean_b) <= std_a + std_b


def right_rare_ap(per_class_ap, counts, k):
    return per_class_ap[np.argsort(counts)[:k]].mean()


@pytest.mark.parametrize(
    "checker, right, wrong",
    [
        (
            checks.macro_ap,
            right_macro_ap,
            lambda y, s: average_precision_score(y.ravel(), s.ravel()),  # micro AP
        ),
        (
            checks.macro_ap,
            right_macro_ap,
            lambda y, s: average_precision_score(y, s, average="weighted"),  # by support
        ),
        (
            checks.within_noise,
            right_within_noise,
            lambda ma, sa, mb, sb: np.abs(ma - mb) <= np.maximum(sa, sb),  # one std only
        ),
        (
            checks.within_noise,
            right_within_noise,
            lambda ma, sa, mb, sb: np.abs(ma - mb) < 0.05,  # a fixed threshold
        ),
        (
            checks.rare_ap,
            right_rare_ap,
            lambda ap, counts, k: ap[-k:].mean(),  # the last classes, not the rarest
        ),
        (
            checks.rare_ap,
            right_rare_ap,
            lambda ap, counts, k: np.sort(ap)[:k].mean(),  # the lowest APs
        ),
    ],
)
def test_checker_accepts_right_and_rejects_wrong(checker, right, wrong, capsys):
    assert_accepts_right_rejects_wrong(checker, right, wrong, capsys)


def test_within_noise_checker_rejects_a_scalar_for_an_array():
    with pytest.raises(AssertionError, match="shape"):
        checks.within_noise(lambda ma, sa, mb, sb: bool(np.all(right_within_noise(ma, sa, mb, sb))))
