"""Notebook 01's exercise checkers (focal.checks.basics) accept right and reject wrong answers."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.checks import basics as checks

import numpy as np
import pytest
from checker_testing import assert_accepts_right_rejects_wrong


def right_modulating_factor(p_t, gamma):
    return (1 - p_t) ** gamma


def right_focal_loss(p, y, gamma, alpha):
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return -alpha_t * (1 - p_t) ** gamma * np.log(p_t)


def right_p_t_for_ratio(ratio, gamma):
    return 1 - ratio ** (-1 / gamma)


@pytest.mark.parametrize(
    "checker, right, wrong",
    [
        (checks.modulating_factor, right_modulating_factor, lambda p_t, gamma: p_t**gamma),
        (checks.modulating_factor, right_modulating_factor, lambda p_t, gamma: 1 - p_t**gamma),
        (
            checks.alpha_balanced_focal_loss,
            right_focal_loss,
            lambda p, y, gamma, alpha: right_focal_loss(p, y, gamma, 1 - alpha),  # swapped alpha
        ),
        (
            checks.alpha_balanced_focal_loss,
            right_focal_loss,
            lambda p, y, gamma, alpha: -alpha * (1 - p) ** gamma * np.log(p),  # ignores y
        ),
        (checks.p_t_for_ratio, right_p_t_for_ratio, lambda ratio, gamma: 1 - 1 / ratio),
        (checks.p_t_for_ratio, right_p_t_for_ratio, lambda ratio, gamma: ratio ** (-1 / gamma)),
    ],
)
def test_checker_accepts_right_and_rejects_wrong(checker, right, wrong, capsys):
    assert_accepts_right_rejects_wrong(checker, right, wrong, capsys)


def test_checker_reports_a_shape_mismatch():
    with pytest.raises(AssertionError, match="shape"):
        checks.modulating_factor(lambda p_t, gamma: float(np.mean((1 - p_t) ** gamma)))


def test_a_failure_message_shows_large_inputs_by_shape():
    from focal.checks import core

    small, large = np.array([0.5, 0.25]), np.zeros((40, 3))
    assert core.described((small, 2.0)) == f"({small!r}, 2.0)"
    assert core.described((large, 2.0)) == "(an array of shape (40, 3), 2.0)"
    with pytest.raises(AssertionError, match=r"For inputs \(an array of shape \(40, 3\)\) "):
        core.function_on_grid("Exercise 0.0", np.sum, np.mean, [(large + 1,)], "a hint")
