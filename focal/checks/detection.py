"""Checkers for notebook 08, dense detection in miniature."""

from focal.checks import core
from focal.detection import box_iou

import numpy as np

_BOX_GRID = [
    ([0.0, 0.0, 2.0, 2.0], [1.0, 0.0, 3.0, 2.0]),  # half overlap: 1/3
    ([0.0, 0.0, 4.0, 4.0], [1.0, 1.0, 2.0, 3.0]),  # one inside the other
    ([0.0, 0.0, 2.0, 2.0], [2.0, 0.0, 4.0, 2.0]),  # touching: 0
    ([0.0, 0.0, 2.0, 2.0], [5.0, 5.0, 6.0, 8.0]),  # apart: 0, not negative
    ([3.0, 1.0, 9.0, 4.0], [1.0, 2.0, 5.0, 10.0]),
    ([10.5, 3.0, 30.5, 40.0], [12.0, 8.0, 28.0, 44.0]),
]


@core.checker
def iou(answer):
    """Exercise 8.1: answer(box_a, box_b) is the IoU of two [x0, y0, x1, y1] boxes."""
    core.function_on_grid(
        "Exercise 8.1",
        answer,
        lambda a, b: box_iou([a], [b])[0, 0],
        _BOX_GRID,
        "the overlap is max(0, min(x1) - max(x0)) x max(0, min(y1) - max(y0)) (clip each side "
        "at 0, or two boxes apart get a positive product of two negatives); the union is the "
        "sum of the two areas minus the overlap, not the larger area.",
    )


def _detection_batches():
    grid = []
    for seed, (images, anchors, classes) in enumerate([(2, 30, 3), (4, 100, 10), (1, 20, 2)]):
        rng = np.random.default_rng(seed)
        pair_loss = rng.exponential(0.05, (images, anchors, classes))
        targets = np.zeros((images, anchors, classes))
        positive = rng.random((images, anchors)) < 0.1
        targets[positive, rng.integers(0, classes, positive.sum())] = 1.0
        counted = ((rng.random((images, anchors)) > 0.2) | positive).astype(float)
        grid.append((pair_loss, targets, counted))
    grid.append((grid[2][0], np.zeros((1, 20, 2)), np.ones((1, 20))))  # no positive at all
    return grid


def _normalised(pair_loss, targets, counted):
    return (pair_loss.sum(axis=-1) * counted).sum() / max(targets.sum(), 1.0)


@core.checker
def normalised_loss(answer):
    """Exercise 8.2: the batch's loss over counted pairs / the number of positive anchors."""
    core.function_on_grid(
        "Exercise 8.2",
        answer,
        _normalised,
        _detection_batches(),
        "sum the pair losses over classes, keep the counted anchors (multiply by `counted`: an "
        "ignored anchor adds nothing), sum over the batch, and divide by the number of positive "
        "anchors, targets.sum(), with at least 1; not by the number of anchors or pairs.",
    )


def _carriers(losses, share):
    ordered = np.sort(losses)[::-1]
    cumulative = np.cumsum(ordered) / ordered.sum()
    return (np.searchsorted(cumulative, share) + 1) / len(losses)


def _loss_grid():
    rng = np.random.default_rng(8)
    return [
        (np.array([5.0, 1.0, 3.0, 1.0]), 0.5),  # 5 of 10 is half: the hardest 1 of 4
        (np.array([5.0, 1.0, 3.0, 1.0]), 0.9),  # 9 needs 5, 3 and one 1: 3 of 4
        (rng.exponential(1.0, 1000) ** 3, 0.9),
        (rng.exponential(1.0, 500), 0.5),
    ]


@core.checker
def carriers(answer):
    """Exercise 8.3: the fraction of examples, hardest first, that carry ``share`` of the loss."""
    core.function_on_grid(
        "Exercise 8.3",
        answer,
        _carriers,
        _loss_grid(),
        "sort the losses from largest to smallest, take the running sum divided by the total, "
        "and find the first position where it reaches `share` (np.searchsorted on the running "
        "share); that position plus one, divided by the number of examples.",
    )
