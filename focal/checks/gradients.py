"""Checkers for notebook 02, gradients and the FL* variant (appendices A and B)."""

from focal import reference
from focal.checks import core

import numpy as np

# Logits from confidently wrong to confidently right, including values where sigmoid(x)
# rounds to exactly 0 or 1 in float32 and comes within 1e-17 of them in float64.
X_GRID = np.array([-40.0, -10.0, -2.0, -0.5, 0.0, 0.5, 2.0, 10.0, 40.0])
Y_MIXED = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
LABEL_GRIDS = (np.ones_like(X_GRID), np.zeros_like(X_GRID), Y_MIXED)

# For a positive label, the x_t in [-10, 10] where |dFL/dx| (eq. 10) peaks, and the peak
# value: the maximum of |reference.focal_loss_grad(x, 1, gamma)|, found to 1e-9 with a
# bracketing scalar minimiser (tests/test_checks_gradients.py re-derives them on a grid).
STEEPEST = {
    1.0: (-3.097701, 1.045333),
    2.0: (-2.790377, 1.128983),
    5.0: (-2.939481, 1.314605),
}


PROBABILITY_FOR_LOGIT = core.Mistake(
    "a probability where a logit was expected",
    lambda x, y, gamma, beta: (
        np.logaddexp(0.0, -(gamma * reference.sigmoid((2.0 * y - 1.0) * x) + beta)) / gamma
    ),
    "you used the probability p_t = sigmoid(x_t) where the logit x_t belongs: z = gamma x_t "
    "+ beta takes the logit x_t = (2y - 1) x itself, and the only sigmoid is the one of z.",
)


@core.checker
def focal_loss_grad(answer):
    """Exercise 2.1: answer(x, y, gamma) must be dFL/dx, eq. (10), for labels y in {0, 1}."""
    core.function_on_grid(
        "Exercise 2.1",
        answer,
        reference.focal_loss_grad,
        [(X_GRID, y, gamma) for y in LABEL_GRIDS for gamma in (0.0, 0.5, 1.0, 2.0, 5.0)],
        "map y from {0, 1} to a sign in {-1, +1} (2y - 1), set x_t = sign * x and "
        "p_t = sigmoid(x_t); the gradient is sign * (1 - p_t)^gamma * "
        "(gamma p_t log(p_t) + p_t - 1): negative for y = 1, positive for y = 0.",
    )


@core.checker
def fl_star(answer):
    """Exercise 2.2: answer(x, y, gamma, beta) must be FL* of appendix A, labels in {0, 1}."""
    core.function_on_grid(
        "Exercise 2.2",
        answer,
        reference.fl_star,
        [
            (X_GRID, y, gamma, beta)
            for y in LABEL_GRIDS
            for gamma, beta in ((1.0, 0.0), (2.0, 1.0), (4.0, 0.0), (3.0, -1.0))
        ],
        "x_t = (2y - 1) x; p*_t = sigmoid(gamma x_t + beta); FL* = -log(p*_t) / gamma. "
        "With gamma = 1 and beta = 0 it must equal cross-entropy.",
        mistakes=[PROBABILITY_FOR_LOGIT],
    )


@core.checker
def steepest_x_t(answer):
    """Exercise 2.3: answer(gamma) must return (x_t, |dFL/dx|) at the peak of |dFL/dx|."""
    core.function_on_grid(
        "Exercise 2.3",
        answer,
        lambda gamma: STEEPEST[gamma],
        [(gamma,) for gamma in STEEPEST],
        "evaluate |reference.focal_loss_grad(x_t, 1, gamma)| on the whole grid from -10 "
        "to 10, take the index of its largest value with np.argmax, and return the x_t "
        "there together with the magnitude there.",
        rtol=1e-3,
    )
