"""Notebook 08's checkers (focal.checks.detection) accept right and reject wrong answers."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.checks import detection as checks

import numpy as np
import pytest
from checker_testing import assert_accepts_right_rejects_wrong


def right_iou(a, b):
    """IoU read from pycocotools (boxes as x, y, width, height), an independent oracle."""
    from pycocotools import mask

    def xywh(box):
        return [[box[0], box[1], box[2] - box[0], box[3] - box[1]]]

    return mask.iou(xywh(a), xywh(b), [0])[0, 0]


def right_normalised_loss(pair_loss, targets, counted):
    total = 0.0
    for i, j in np.ndindex(counted.shape):  # every anchor of every image
        if counted[i, j]:
            total += pair_loss[i, j].sum()
    return total / max(int(targets.sum()), 1)


def right_carriers(losses, share):
    """Walk down the losses, hardest first, until the running total reaches the share."""
    total, running = losses.sum(), 0.0
    for count, value in enumerate(sorted(losses, reverse=True), 1):
        running += value
        if running >= share * total:
            return count / len(losses)
    return 1.0


def unclipped_iou(a, b):
    overlap = (min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1]))
    area = lambda box: (box[2] - box[0]) * (box[3] - box[1])  # noqa: E731
    return overlap / (area(a) + area(b) - overlap)


@pytest.mark.parametrize(
    "checker, right, wrong",
    [
        (checks.iou, right_iou, unclipped_iou),
        (
            checks.iou,
            right_iou,
            lambda a, b: max(0.0, right_iou(a, b)) * 0.5 + 0.5 * right_iou(a, b) ** 2,
        ),
        (
            checks.normalised_loss,
            right_normalised_loss,
            lambda loss, targets, counted: (loss.sum(-1) * counted).sum() / counted.sum(),
        ),
        (
            checks.normalised_loss,
            right_normalised_loss,
            lambda loss, targets, counted: loss.sum() / max(targets.sum(), 1.0),  # ignored kept
        ),
        (
            checks.carriers,
            right_carriers,
            lambda losses, share: (
                (np.searchsorted(np.cumsum(np.sort(losses)) / losses.sum(), share) + 1)
                / len(losses)
            ),  # easiest first
        ),
    ],
)
def test_checker_accepts_right_and_rejects_wrong(checker, right, wrong, capsys):
    assert_accepts_right_rejects_wrong(checker, right, wrong, capsys)
