"""Checkers for notebook 05, label smoothing for sigmoid outputs."""

from focal import reference
from focal.checks import core

import numpy as np
from scipy import optimize

# Multi-hot targets with 3 classes (so smoothing toward 1/K differs from toward 1/2), a
# 10-class row, and soft targets (already smoothed once, or distilled).
Y_MULTI_HOT = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
Y_ROW = np.array([[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]])
Y_SOFT = np.array([[0.05, 0.95, 0.5], [0.2, 0.7, 1.0]])
SMOOTHINGS = (0.0, 0.1, 0.2, 0.5, 0.9)

# Sigmoid outputs, one row per example: rows that are all equal (at different levels), a
# confident multi-hot row, an unsure one, and a 10-class row.
P_ROWS = (
    np.array([[0.9, 0.9, 0.9, 0.9], [0.1, 0.1, 0.1, 0.1], [0.5, 0.5, 0.5, 0.5]]),
    np.array([[0.9, 0.9, 0.1, 0.1], [0.6, 0.3, 0.2, 0.05], [0.99, 0.01, 0.5, 0.5]]),
    np.array([[0.8, 0.02, 0.03, 0.1, 0.05, 0.6, 0.01, 0.2, 0.04, 0.3]]),
)

P_GRID = np.array([0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
SOFT_LABELS = (0.0, 0.05, 0.5, 0.9, 0.95, 1.0)
GAMMAS = (0.0, 2.0, 5.0)


@core.checker
def smooth_binary_labels(answer):
    """Exercise 5.1: answer(y, e) = y (1 - e) + e / 2, each binary label toward 1/2."""
    core.function_on_grid(
        "Exercise 5.1",
        answer,
        lambda y, e: y * (1.0 - e) + 0.5 * e,
        [(y, e) for y in (Y_MULTI_HOT, Y_ROW, Y_SOFT) for e in SMOOTHINGS],
        "every class is its own two-class problem, so the uniform target is 1/2 (not 1/C): "
        "keep (1 - e) of the label and add e / 2; a 1 becomes 1 - e/2 and a 0 becomes e/2.",
    )


@core.checker
def snippet_lsr_term(answer):
    """Exercise 5.2: answer(p) = Keras's categorical CE of a uniform target, per example."""
    core.function_on_grid(
        "Exercise 5.2",
        answer,
        lambda p: -np.mean(np.log(p / p.sum(axis=-1, keepdims=True)), axis=-1),
        [(p,) for p in P_ROWS],
        "Keras first divides each row of outputs by its sum (a softmax assumption), then takes "
        "-sum_k (1/K) log(q_k) of the rescaled q: the mean over the last axis, one number per "
        "example (an all-equal row gives log K).",
        rtol=1e-5,
    )


@core.checker
def soft_focal_loss(answer):
    """Exercise 5.3: answer(p, y, gamma) = y FL(p, 1) + (1 - y) FL(p, 0), for soft y."""
    core.function_on_grid(
        "Exercise 5.3",
        answer,
        reference.soft_focal_loss,
        [(P_GRID, np.full_like(P_GRID, y), gamma) for y in SOFT_LABELS for gamma in GAMMAS],
        "take the expectation of the hard-label loss under y: y times -(1 - p)^gamma log(p) "
        "plus (1 - y) times -p^gamma log(1 - p). Do not put the soft y inside p_t: that is "
        "Keras's BinaryFocalCrossentropy, a different loss when 0 < y < 1 and gamma > 0.",
    )


def _focal_minimiser(theta, gamma):
    result = optimize.minimize_scalar(
        lambda p: reference.soft_focal_loss(p, theta, gamma),
        bounds=(1e-9, 1 - 1e-9),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return result.x


@core.checker
def focal_minimiser(answer):
    """Exercise 5.4: answer(theta, gamma) = argmin_p of theta FL(p, 1) + (1 - theta) FL(p, 0)."""
    core.function_on_grid(
        "Exercise 5.4",
        answer,
        _focal_minimiser,
        [
            (theta, gamma)
            for theta in (0.05, 0.3, 0.5, 0.7, 0.9, 0.99)
            for gamma in (0.0, 1.0, 2.0, 5.0)
        ],
        "weight the positive term -(1 - p)**gamma * log(p) by theta and the negative term "
        "-p**gamma * log(1 - p) by 1 - theta, evaluate on a fine grid of p strictly inside "
        "(0, 1), and return the p with the smallest value (np.argmin); at gamma = 0 it is theta.",
        atol=1e-4,
    )
