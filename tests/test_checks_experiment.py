"""Notebook 06's checkers (focal.checks.experiment) accept right and reject wrong answers."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.checks import experiment as checks

import math

import numpy as np
import pytest
from checker_testing import assert_accepts_right_rejects_wrong
from scipy import stats
from sklearn.metrics import average_precision_score


def right_macro_ap(y_true, scores):
    return np.mean(
        [average_precision_score(y_true[:, c], scores[:, c]) for c in range(y_true.shape[1])]
    )


def right_sign_test_p(differences):
    """The definition, by hand: wins among the non-tied pairs, against Binomial(n, 1/2)."""
    nonzero = differences[differences != 0]
    n, k = nonzero.size, int((nonzero > 0).sum())
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2**n
    return min(1.0, 2 * tail)


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
            checks.sign_test_p,
            right_sign_test_p,
            lambda d: stats.binom.cdf(min((d > 0).sum(), (d < 0).sum()), d.size, 0.5),  # 1-sided
        ),
        (
            checks.sign_test_p,
            right_sign_test_p,
            lambda d: stats.binomtest(int((d > 0).sum()), d.size).pvalue,  # ties kept as losses
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
