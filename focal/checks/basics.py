"""Checkers for notebook 01, from cross-entropy to focal loss."""

from focal import reference
from focal.checks import core

import numpy as np

P_T_GRID = np.array([0.0, 0.1, 0.5, 0.9, 0.99, 1.0])
P_GRID = np.array([0.01, 0.2, 0.5, 0.8, 0.99])

ONE_MINUS_LEFT_OUT = core.Mistake(
    'the "1 -" left out',
    lambda ratio, gamma: ratio ** (-1.0 / gamma),
    'the "1 -" is missing: your answer is 1 - p_t, not p_t. Solving (1 - p_t)^gamma = 1 / ratio '
    "gives 1 - p_t first; p_t is one step further.",
)


@core.checker
def modulating_factor(answer):
    """Exercise 1.1: answer(p_t, gamma) must be (1 - p_t)^gamma, eq. (4)."""
    core.function_on_grid(
        "Exercise 1.1",
        answer,
        lambda p_t, gamma: (1.0 - p_t) ** gamma,
        [(P_T_GRID, gamma) for gamma in (0.0, 0.5, 1.0, 2.0, 5.0)],
        "the factor is (1 - p_t) raised to gamma; it is 1 for gamma = 0 and 0 at p_t = 1.",
    )


@core.checker
def alpha_balanced_focal_loss(answer):
    """Exercise 1.2: answer(p, y, gamma, alpha) must be eq. (5) for labels y in {0, 1}."""
    core.function_on_grid(
        "Exercise 1.2",
        answer,
        reference.alpha_balanced_focal_loss,
        [
            (P_GRID, np.full_like(P_GRID, y), gamma, alpha)
            for y in (0.0, 1.0)
            for gamma in (0.0, 2.0)
            for alpha in (0.25, 0.75)
        ],
        "p_t is p for y = 1 and 1 - p for y = 0; alpha_t is alpha for y = 1 and 1 - alpha "
        "for y = 0; the loss is -alpha_t (1 - p_t)^gamma log(p_t).",
    )


@core.checker
def p_t_for_ratio(answer):
    """Exercise 1.3: answer(ratio, gamma) is the p_t at which FL is ``ratio`` times below CE."""
    core.function_on_grid(
        "Exercise 1.3",
        answer,
        lambda ratio, gamma: 1.0 - ratio ** (-1.0 / gamma),
        [(ratio, gamma) for ratio in (10.0, 100.0, 1000.0) for gamma in (0.5, 1.0, 2.0, 5.0)],
        "CE / FL = 1 / (1 - p_t)^gamma; set it equal to the ratio and solve for p_t.",
        mistakes=[ONE_MINUS_LEFT_OUT],
    )
