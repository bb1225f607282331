"""Checkers for notebook 04, class weights for a long-tailed multi-label data set."""

from focal import weights
from focal.checks import core

import numpy as np

# Per-class positive counts: notebook 04's long tail (focal.data's training set), the
# snippet's README example, a balanced set, and a three-class set with a 1000:1 tail.
COUNTS_GRID = (
    np.array([2556.0, 1479.0, 953.0, 569.0, 345.0, 182.0, 117.0, 59.0, 49.0, 28.0]),
    np.array([1.0, 2.0, 3.0]),
    np.array([5.0, 5.0, 5.0, 5.0]),
    np.array([1000.0, 10.0, 1.0]),
)
BETAS = (0.0, 0.9, 0.99, 0.999, 0.9999)


SUM_HINT = (
    "your weights sum to 1; here they must average 1 (mean 1), so that the loss keeps its "
    "scale: multiply by the number of {what} after dividing by the sum."
)
EFFECTIVE_SUM_TO_ONE = core.Mistake(
    "sum-1 weights where mean-1 weights are wanted",
    lambda counts, beta: weights.effective_number(counts, beta, normalize="sum"),
    SUM_HINT.format(what="classes, C,"),
)
EFFECTIVE_RAW = core.Mistake(
    "weights not normalised",
    lambda counts, beta: (1.0 - beta) / (1.0 - beta**counts),
    "your weights are not normalised yet: multiply the raw weights r_c by C / sum(r) so "
    "that the C weights average 1.",
)
PER_SAMPLE_SUM_TO_ONE = core.Mistake(
    "sum-1 weights where mean-1 weights are wanted",
    lambda labels, class_weight: weights.per_sample(labels, class_weight) / len(labels),
    SUM_HINT.format(what="images, M,"),
)


def _class_losses(counts):
    """Per-class mean losses L_c >= 0 to pair with ``counts``: equal, uneven, head-heavy."""
    num_classes = len(counts)
    uneven = np.random.default_rng(4).uniform(0.05, 2.0, num_classes)
    head_heavy = counts / counts.sum()  # most of the loss sits on the frequent classes
    return (np.full(num_classes, 0.7), uneven, head_heavy)


@core.checker
def effective_number_weights(answer):
    """Exercise 4.1: answer(counts, beta) = Cui et al.'s (1 - beta) / (1 - beta^n), mean 1."""
    core.function_on_grid(
        "Exercise 4.1",
        answer,
        lambda counts, beta: weights.effective_number(counts, beta, normalize="mean"),
        [(counts, beta) for counts in COUNTS_GRID for beta in BETAS],
        "the raw weight is the inverse of the effective number, r_c = (1 - beta) / "
        "(1 - beta**n_c) (beta = 0 gives 1 for every class); then multiply by "
        "C / sum(r) so the C weights average 1.",
        mistakes=[EFFECTIVE_SUM_TO_ONE, EFFECTIVE_RAW],
    )


def _labels_grid():
    """Multi-hot label matrices (every row with at least one positive) and class weights."""
    grid = []
    for seed, (n, c) in enumerate([(6, 3), (50, 10), (200, 4)]):
        rng = np.random.default_rng(seed)
        labels = (rng.random((n, c)) < 0.3).astype(float)
        labels[labels.sum(axis=1) == 0, seed % c] = 1.0
        grid.append((labels, rng.uniform(0.1, 3.0, c)))
    labels = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    grid.append((labels, np.array([0.5, 1.0, 4.0])))
    return grid


@core.checker
def per_sample_weights(answer):
    """Exercise 4.2: answer(labels, class_weight) = the mean weight of each row's positives,
    normalised to mean 1 over the rows (Cui et al.'s per-sample scheme, for multi-label)."""
    core.function_on_grid(
        "Exercise 4.2",
        answer,
        weights.per_sample,
        _labels_grid(),
        "for each image (row), average the class weights of the classes it shows (their sum "
        "over the number of them); then divide by the mean over the images, so the weights "
        "average 1.",
        mistakes=[PER_SAMPLE_SUM_TO_ONE],
    )


@core.checker
def loss_scale(answer):
    """Exercise 4.3: answer(counts, class_losses) = weighted loss / unweighted loss."""

    def oracle(counts, class_losses):
        w = weights.inverse_frequency(counts, normalize="sum")
        return np.mean(w * class_losses) / np.mean(class_losses)

    core.function_on_grid(
        "Exercise 4.3",
        answer,
        oracle,
        [
            (counts, class_losses)
            for counts in COUNTS_GRID
            for class_losses in _class_losses(counts)
        ],
        "weight the per-class losses with the snippet's sum-to-1 weights, average over "
        "the classes, and divide by the plain average of the same losses; the answer is "
        "one number, 1 / C when every class has the same loss.",
    )
