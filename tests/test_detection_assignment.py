"""focal.detection.assignment: anchors, IoU and assignment against hand values and loops."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal import detection

import numpy as np
import pytest


def iou_by_loop(a, b):
    """IoU of two boxes with Python floats, the definition read literally."""
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    overlap = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - overlap
    return overlap / union


def random_boxes(rng, n, size=64.0):
    corner = rng.uniform(0, size, (n, 2))
    extent = rng.uniform(1.0, size / 2, (n, 2))
    return np.concatenate([corner, corner + extent], axis=1)


def test_iou_hand_values():
    boxes = [[0, 0, 2, 2]]
    others = [[0, 0, 2, 2], [1, 0, 3, 2], [1, 1, 3, 3], [2, 0, 4, 2], [0, 0, 1, 1], [5, 5, 6, 6]]
    expected = [[1.0, 1 / 3, 1 / 7, 0.0, 1 / 4, 0.0]]  # same, half, quarter, touching, inside
    np.testing.assert_allclose(detection.box_iou(boxes, others), expected, rtol=1e-12)


def test_iou_matches_a_loop_and_is_symmetric():
    rng = np.random.default_rng(0)
    a, b = random_boxes(rng, 30), random_boxes(rng, 20)
    by_loop = np.array([[iou_by_loop(x, y) for y in b] for x in a])
    np.testing.assert_allclose(detection.box_iou(a, b), by_loop, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(detection.box_iou(a, b), detection.box_iou(b, a).T, rtol=1e-12)


def test_anchors_tile_the_image():
    boxes = detection.anchors(image_size=128, stride=8, sizes=(16.0, 24.0, 32.0))
    assert boxes.shape == (16 * 16 * 9, 4)
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    np.testing.assert_allclose(
        centres[::9], np.array([[x, y] for y in np.arange(4, 128, 8) for x in np.arange(4, 128, 8)])
    )
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    np.testing.assert_allclose(areas[:9], np.repeat([256.0, 576.0, 1024.0], 3))
    ratio = (boxes[:3, 3] - boxes[:3, 1]) / (boxes[:3, 2] - boxes[:3, 0])
    np.testing.assert_allclose(ratio, [0.5, 1.0, 2.0])


def assign_by_loop(anchor_boxes, gt_boxes, gt_labels, num_classes, positive=0.5, negative=0.4):
    """The paper's rules, one anchor at a time."""
    state, targets, matched = [], np.zeros((len(anchor_boxes), num_classes)), []
    ious = [[iou_by_loop(a, g) for g in gt_boxes] for a in anchor_boxes]
    best_of_box = [max(row[g] for row in ious) for g in range(len(gt_boxes))]
    for i, row in enumerate(ious):
        best = max(row)
        g = row.index(best)
        is_best_of_some_box = any(row[k] == best_of_box[k] > 0 for k in range(len(gt_boxes)))
        if best >= positive or is_best_of_some_box:
            state.append(1)
            targets[i, gt_labels[g]] = 1.0
        else:
            state.append(-1 if best >= negative else 0)
        matched.append(g)
    return targets, np.array(state), np.array(matched)


@pytest.mark.parametrize("seed", range(5))
def test_assignment_matches_a_loop(seed):
    rng = np.random.default_rng(seed)
    anchor_boxes = detection.anchors(image_size=64, stride=8, sizes=(12.0, 20.0))
    gt_boxes = random_boxes(rng, rng.integers(1, 5))
    gt_labels = rng.integers(0, 10, len(gt_boxes))
    got = detection.assign(anchor_boxes, gt_boxes, gt_labels, 10)
    expected = assign_by_loop(anchor_boxes, gt_boxes, gt_labels, 10)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_array_equal(got[2], expected[2])
    assert set(np.unique(got[1])) <= {-1, 0, 1}
    assert (got[1] == 1).sum() >= 1  # every box has at least its best anchor


def test_a_small_box_still_gets_an_anchor():
    anchor_boxes = detection.anchors(image_size=32, stride=8, sizes=(16.0,), ratios=(1.0,))
    targets, state, _ = detection.assign(anchor_boxes, [[13, 13, 15, 15]], [4], 5)
    assert detection.box_iou(anchor_boxes, [[13, 13, 15, 15]]).max() < 0.4
    assert (state == detection.POSITIVE).sum() >= 1
    assert targets[state == detection.POSITIVE, 4].all()


def test_a_tie_that_rounding_splits_promotes_one_anchor():
    # The box lies inside anchors 352 (16 x 16) and 353 (16 / sqrt 2 x 16 sqrt 2), both of
    # area 16^2 in exact arithmetic, so each has IoU 78 / 256 with it. Computed, the second
    # comes out a rounding error lower, and only the first is the box's best anchor.
    anchor_boxes = detection.anchors(64, 8)
    box = np.array([[58.0, 28.0, 64.0, 41.0]])
    pair = anchor_boxes[[352, 353]]
    assert np.all(pair[:, :2] <= box[:, :2]) and np.all(pair[:, 2:] >= box[:, 2:])
    assert np.allclose((pair[:, 2] - pair[:, 0]) * (pair[:, 3] - pair[:, 1]), 256.0)
    iou = detection.box_iou(anchor_boxes, box)[:, 0]
    assert iou[352] == 78 / 256 == iou.max() > iou[353]
    assert abs(iou[353] - 78 / 256) < 1e-15  # apart by rounding only
    _, state, _ = detection.assign(anchor_boxes, box, [0], 10)
    assert np.flatnonzero(state == detection.POSITIVE).tolist() == [352]


def test_no_box_means_all_negative():
    targets, state, matched = detection.assign(
        [[0, 0, 4, 4], [4, 4, 8, 8]], np.zeros((0, 4)), [], 3
    )
    assert targets.sum() == 0 and (state == 0).all() and (matched == -1).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"gt_boxes": [[0, 0, 0, 4]]}, "gt_boxes"),
        ({"gt_boxes": [[0, 0, 4]]}, "gt_boxes"),
        ({"gt_labels": [3]}, "gt_labels"),
        ({"gt_labels": [0.5]}, "gt_labels"),
        ({"gt_labels": [0, 1]}, "gt_labels"),
        ({"num_classes": 0}, "num_classes"),
        ({"positive": 0.3}, "negative"),
        ({"negative": 1.5}, "negative"),
    ],
)
def test_bad_assignment_arguments_raise(kwargs, match):
    arguments = {
        "anchor_boxes": [[0, 0, 4, 4]],
        "gt_boxes": [[0, 0, 4, 4]],
        "gt_labels": [0],
        "num_classes": 3,
        **kwargs,
    }
    with pytest.raises(ValueError, match=match):
        detection.assign(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"image_size": 100, "stride": 8}, "multiple"),
        ({"stride": 0}, "stride"),
        ({"sizes": [16.0, -1.0]}, "sizes"),
        ({"ratios": []}, "ratios"),
    ],
)
def test_bad_anchor_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        detection.anchors(**kwargs)


def test_iou_matches_pycocotools():
    from pycocotools import mask

    rng = np.random.default_rng(7)
    a, b = random_boxes(rng, 20), random_boxes(rng, 15)
    xywh = lambda boxes: np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)  # noqa: E731
    expected = mask.iou(xywh(a), xywh(b), np.zeros(len(b), dtype=np.uint8))
    np.testing.assert_allclose(detection.box_iou(a, b), expected, rtol=1e-9, atol=1e-12)
