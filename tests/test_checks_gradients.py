"""The notebook-02 checkers accept the reference answers and reject wrong ones."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal import reference
from focal.checks import gradients as checks

import numpy as np
import pytest


def steepest_from_reference(gamma):
    """The notebook's solution to exercise 2.3: a grid search with spacing 1e-4."""
    x_t = np.linspace(-10.0, 10.0, 200_001)
    magnitude = np.abs(reference.focal_loss_grad(x_t, np.ones_like(x_t), gamma))
    i = np.argmax(magnitude)
    return float(x_t[i]), float(magnitude[i])


# --- exercise 2.1: dFL/dx for labels in {0, 1} ------------------------------------------------


def test_focal_loss_grad_accepts_reference(capsys):
    checks.focal_loss_grad(reference.focal_loss_grad)
    assert capsys.readouterr().out == "Exercise 2.1: correct.\n"


def test_focal_loss_grad_accepts_notebook_solution(capsys):
    def focal_loss_grad(x, y, gamma):
        sign = 2.0 * y - 1.0
        p_t = 1.0 / (1.0 + np.exp(-sign * x))
        return sign * (1.0 - p_t) ** gamma * (gamma * p_t * np.log(p_t) + p_t - 1.0)

    checks.focal_loss_grad(focal_loss_grad)
    assert capsys.readouterr().out == "Exercise 2.1: correct.\n"


def test_focal_loss_grad_rejects_unmapped_label():
    def wrong(x, y, gamma):  # uses y in {0, 1} as the sign: negatives get no gradient
        p_t = 1.0 / (1.0 + np.exp(-y * x))
        return y * (1.0 - p_t) ** gamma * (gamma * p_t * np.log(p_t) + p_t - 1.0)

    with pytest.raises(AssertionError, match=r"Exercise 2\.1: not yet"):
        checks.focal_loss_grad(wrong)


def test_focal_loss_grad_rejects_ce_gradient():
    with pytest.raises(AssertionError, match=r"Exercise 2\.1"):
        checks.focal_loss_grad(lambda x, y, gamma: reference.cross_entropy_grad(x, y))


def test_focal_loss_grad_rejects_wrong_shape():
    with pytest.raises(AssertionError, match="shape"):
        checks.focal_loss_grad(
            lambda x, y, gamma: float(np.sum(reference.focal_loss_grad(x, y, gamma)))
        )


# --- exercise 2.2: FL* -----------------------------------------------------------------------


def test_fl_star_accepts_reference(capsys):
    checks.fl_star(reference.fl_star)
    assert capsys.readouterr().out == "Exercise 2.2: correct.\n"


def test_fl_star_accepts_stable_notebook_solution(capsys):
    checks.fl_star(
        lambda x, y, gamma, beta: np.logaddexp(0.0, -(gamma * (2.0 * y - 1.0) * x + beta)) / gamma
    )
    assert capsys.readouterr().out == "Exercise 2.2: correct.\n"


def test_fl_star_rejects_missing_division_by_gamma():
    def wrong(x, y, gamma, beta):
        return np.logaddexp(0.0, -(gamma * (2.0 * y - 1.0) * x + beta))

    with pytest.raises(AssertionError, match=r"Exercise 2\.2: not yet"):
        checks.fl_star(wrong)


def test_fl_star_rejects_beta_inside_the_scaling():
    def wrong(
        x, y, gamma, beta
    ):  # sigmoid(gamma (x_t + beta)) instead of sigmoid(gamma x_t + beta)
        return np.logaddexp(0.0, -gamma * ((2.0 * y - 1.0) * x + beta)) / gamma

    with pytest.raises(AssertionError, match=r"Exercise 2\.2"):
        checks.fl_star(wrong)


# --- exercise 2.3: where the FL gradient is steepest ------------------------------------------


def test_steepest_constants_match_a_grid_search():
    for gamma, (x_star, peak) in checks.STEEPEST.items():
        x_grid, peak_grid = steepest_from_reference(gamma)
        assert x_grid == pytest.approx(x_star, abs=1e-4)
        assert peak_grid == pytest.approx(peak, rel=1e-6)
        # a true interior maximum: larger than on either side, and larger than CE's bound 1
        at_and_nearby = np.abs(
            reference.focal_loss_grad(np.array([x_star, x_star - 1e-3, x_star + 1e-3]), 1.0, gamma)
        )
        assert np.all(at_and_nearby[1:] < at_and_nearby[0]) and peak > 1.0


def test_steepest_accepts_reference_search(capsys):
    checks.steepest_x_t(steepest_from_reference)
    assert capsys.readouterr().out == "Exercise 2.3: correct.\n"


def test_steepest_rejects_the_hardest_example():
    # CE's intuition: the steepest point is the most negative x_t. Wrong for gamma > 0.
    with pytest.raises(AssertionError, match=r"Exercise 2\.3: not yet"):
        checks.steepest_x_t(lambda gamma: (-10.0, 1.0))


def test_steepest_rejects_signed_argmax():
    def wrong(gamma):  # argmax of the signed gradient finds its largest value (near 0), not |.|
        x_t = np.linspace(-10.0, 10.0, 200_001)
        grad = reference.focal_loss_grad(x_t, np.ones_like(x_t), gamma)
        i = np.argmax(grad)
        return float(x_t[i]), float(abs(grad[i]))

    with pytest.raises(AssertionError, match=r"Exercise 2\.3"):
        checks.steepest_x_t(wrong)
