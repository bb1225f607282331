"""Dense detection in miniature, the targets: anchors, IoU and the paper's anchor assignment.

Vocabulary as in RetinaNet (Lin et al. 2017, section 4) and torchvision's ``AnchorGenerator``
and ``Matcher``. Boxes are float arrays ``[x0, y0, x1, y1]`` in pixels, x0 < x1, y0 < y1.

- ``anchors``: one feature level; at every ``stride`` x ``stride`` cell, one anchor per
  (size, aspect ratio), centred on the cell.
- ``box_iou``: intersection over union, |A ∩ B| / |A ∪ B|, for every pair of two box sets.
- ``assign``: an anchor whose best IoU with a ground-truth box is >= 0.5 is positive for that
  box's class, < 0.4 negative for every class, in between ignored (no loss), the rule of the
  paper's section 4, "Anchors". Every box's best anchor is positive too, so that no object
  goes unassigned: that is an RPN / Detectron convention (torchvision's
  ``allow_low_quality_matches``), not part of the paper's rule.
"""

from focal import validation

import numpy as np

POSITIVE, NEGATIVE, IGNORED = 1, 0, -1


def anchors(image_size=128, stride=8, sizes=(16.0, 24.0, 32.0), ratios=(0.5, 1.0, 2.0)):
    """(H/stride * W/stride * len(sizes) * len(ratios), 4) anchor boxes for one feature level.

    An anchor of size s and ratio r (height / width) has width s / sqrt(r) and height
    s * sqrt(r): its area is s^2 whatever r. Order: cell by cell (row-major), then size,
    then ratio, as a convolutional head that predicts len(sizes) * len(ratios) anchors per
    position lays them out.

    >>> anchors(image_size=16, stride=8, sizes=(8.0,), ratios=(1.0,)).tolist()
    [[0.0, 0.0, 8.0, 8.0], [8.0, 0.0, 16.0, 8.0], [0.0, 8.0, 8.0, 16.0], [8.0, 8.0, 16.0, 16.0]]
    """
    image_size = validation.integer("image_size", image_size)
    stride = validation.integer("stride", stride)
    if image_size % stride:
        raise ValueError(
            f"`image_size`={image_size} must be a multiple of `stride`={stride}, so that "
            "every anchor sits on a whole cell."
        )
    sizes = np.asarray(validation.vector("sizes", sizes, 0.0))
    ratios = np.asarray(validation.vector("ratios", ratios, 0.0))
    if np.any(sizes <= 0) or np.any(ratios <= 0):
        raise ValueError(f"`sizes` and `ratios` must be positive, got {sizes} and {ratios}.")
    centres = (np.arange(image_size // stride) + 0.5) * stride
    cy, cx = np.meshgrid(centres, centres, indexing="ij")
    half_w = (sizes[:, None] / np.sqrt(ratios)[None, :] / 2).ravel()  # (S * R,)
    half_h = (sizes[:, None] * np.sqrt(ratios)[None, :] / 2).ravel()
    cx, cy = cx.ravel()[:, None], cy.ravel()[:, None]  # (cells, 1)
    boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=-1)
    return boxes.reshape(-1, 4)


def _checked_boxes(name, boxes):
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"`{name}` must have shape (N, 4) as [x0, y0, x1, y1], got {boxes.shape}.")
    if not np.all(np.isfinite(boxes)):
        raise ValueError(f"`{name}` must hold finite coordinates.")
    bad = (boxes[:, 2] <= boxes[:, 0]) | (boxes[:, 3] <= boxes[:, 1])
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"`{name}` must have x0 < x1 and y0 < y1; box {index} is {boxes[index].tolist()}."
        )
    return boxes


def box_iou(boxes_a, boxes_b):
    """(N, M) IoU of every box of ``boxes_a`` (N, 4) with every box of ``boxes_b`` (M, 4).

    >>> box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2], [0, 0, 2, 2], [5, 5, 6, 6]]).round(4).tolist()
    [[0.3333, 1.0, 0.0]]
    """
    a = _checked_boxes("boxes_a", boxes_a)
    b = _checked_boxes("boxes_b", boxes_b)
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    overlap = np.clip(bottom_right - top_left, 0.0, None).prod(axis=-1)
    area_a = (a[:, 2:] - a[:, :2]).prod(axis=-1)
    area_b = (b[:, 2:] - b[:, :2]).prod(axis=-1)
    return overlap / (area_a[:, None] + area_b[None, :] - overlap)


def assign(anchor_boxes, gt_boxes, gt_labels, num_classes, positive=0.5, negative=0.4):
    """Targets of every anchor, as in the paper (section 4, "Box Regression Subnet").

    Returns ``(targets, state, matched)``: ``targets`` (A, num_classes) float32, 1 at the
    matched box's class for a positive anchor, else 0; ``state`` (A,) int8, ``POSITIVE`` (1),
    ``NEGATIVE`` (0) or ``IGNORED`` (-1, excluded from the loss); ``matched`` (A,) the index
    of the anchor's best box (-1 when there is no box). An image with no box has only
    negatives.

    An anchor is positive at IoU >= ``positive``, ignored in [``negative``, ``positive``)
    and negative below (the paper's rule); each box's best anchor is positive too, whatever
    its IoU (the RPN/Detectron convention). Every anchor with the box's largest *computed*
    IoU is promoted: a tie in exact arithmetic that floating point splits (78/256 computes
    as 0.3046875 for one anchor and 0.3046874999999999 for its neighbour) promotes only
    the one that computes larger. A tolerance would promote both, and change which anchors
    train.

    >>> t, s, m = assign([[0, 0, 4, 4], [0, 0, 4, 8], [8, 8, 12, 12]], [[0, 0, 4, 5]], [2], 3)
    >>> s.tolist(), m.tolist(), t[0].tolist()
    ([1, 1, 0], [0, 0, 0], [0.0, 0.0, 1.0])
    """
    anchor_boxes = _checked_boxes("anchor_boxes", anchor_boxes)
    gt_labels = np.asarray(gt_labels)
    num_classes = validation.integer("num_classes", num_classes)
    positive = validation.number("positive", positive, 0.0, 1.0)
    negative = validation.number("negative", negative, 0.0, 1.0)
    if negative > positive:
        raise ValueError(f"`negative`={negative} must not exceed `positive`={positive}.")
    count = len(anchor_boxes)
    targets = np.zeros((count, num_classes), dtype=np.float32)
    state = np.full(count, NEGATIVE, dtype=np.int8)
    matched = np.full(count, -1, dtype=np.int64)
    if np.size(gt_boxes) == 0:
        if gt_labels.size:
            raise ValueError(f"`gt_labels` has {gt_labels.size} labels for 0 boxes.")
        return targets, state, matched
    gt_boxes = _checked_boxes("gt_boxes", gt_boxes)
    if gt_labels.shape != (len(gt_boxes),) or not np.issubdtype(gt_labels.dtype, np.integer):
        raise ValueError(
            f"`gt_labels` must be {len(gt_boxes)} integer class indices (one per box), got "
            f"{gt_labels.tolist()!r}."
        )
    if gt_labels.min() < 0 or gt_labels.max() >= num_classes:
        raise ValueError(f"`gt_labels` must be in [0, {num_classes}), got {gt_labels.tolist()}.")
    iou = box_iou(anchor_boxes, gt_boxes)  # (A, G)
    matched = iou.argmax(axis=1)
    best = iou[np.arange(count), matched]
    state[best >= negative] = IGNORED
    state[best >= positive] = POSITIVE
    # Each box's best anchors are positive even below the threshold; like torchvision's
    # low-quality matches, such an anchor keeps its own best box. Ties are equal computed
    # IoUs: two IoUs equal in exact arithmetic but rounded apart promote only the larger.
    top = iou.max(axis=0)  # (G,)
    state[np.any((iou == top[None, :]) & (top[None, :] > 0), axis=1)] = POSITIVE
    positives = state == POSITIVE
    targets[np.flatnonzero(positives), gt_labels[matched[positives]]] = 1.0
    return targets, state, matched
