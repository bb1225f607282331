"""focal.detection.evaluation: NMS against TensorFlow's, COCO AP against a hand-computed value."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.detection import anchor_ap, coco_ap, detect, nms

import numpy as np
import pytest


def random_boxes(rng, n):
    corner = rng.uniform(0, 40, (n, 2))
    return np.concatenate([corner, corner + rng.uniform(4, 20, (n, 2))], axis=1)


@pytest.mark.tensorflow
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_nms_matches_tensorflow(threshold):
    import tensorflow as tf

    rng = np.random.default_rng(int(threshold * 10))
    boxes, scores = random_boxes(rng, 60), rng.permutation(60) / 60.0
    yxyx = boxes[:, [1, 0, 3, 2]].astype(np.float32)
    expected = tf.image.non_max_suppression(yxyx, scores.astype(np.float32), 60, threshold)
    np.testing.assert_array_equal(nms(boxes, scores, threshold), expected.numpy())


def test_nms_hand_example_and_empty():
    boxes = [[0, 0, 10, 10], [0, 0, 10, 9], [0, 0, 10, 5], [30, 30, 40, 40]]
    # IoU with the best box: 0.9 (dropped), 0.5 (kept at threshold 0.5: only > drops)
    assert nms(boxes, [4.0, 3.0, 2.0, 1.0], 0.5).tolist() == [0, 2, 3]
    assert nms(boxes, [4.0, 3.0, 2.0, 1.0], 0.4).tolist() == [0, 3]
    assert nms(np.zeros((0, 4)), []).tolist() == []


def test_detect_ranks_by_logits_per_class():
    anchors = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]], dtype=float)
    logits = np.full((3, 2), -10.0)
    logits[0, 0], logits[1, 0] = 20.0, 30.0  # float32 sigmoid: both exactly 1.0
    logits[0, 1] = 5.0  # same place, another class: not suppressed by class 0
    logits[2, 1] = -2.0  # p = 0.119 > 0.05: kept
    ((boxes, classes, values),) = detect(logits, anchors)
    assert values.tolist() == [30.0, 5.0, -2.0]
    assert classes.tolist() == [0, 1, 1]
    np.testing.assert_array_equal(boxes, anchors[[1, 0, 2]])
    ((_, _, top),) = detect(logits, anchors, max_detections=1)
    assert top.tolist() == [30.0]
    ((_, _, high),) = detect(logits, anchors, score=0.5)
    assert high.tolist() == [30.0, 5.0]


def test_coco_ap_hand_value():
    truth = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]], float)]
    labels = [np.array([0, 0])]
    # hit (score .9), false positive (.8), hit (.7): precision 1 up to recall .5, then 2/3.
    found = [
        (
            np.array([[0, 0, 10, 10], [50, 50, 60, 60], [20, 20, 30, 30]], float),
            np.array([0, 0, 0]),
            np.array([0.9, 0.8, 0.7]),
        )
    ]
    expected = (51 * 1.0 + 50 * 2 / 3) / 101  # COCO's 101 recall points
    ap = coco_ap(found, truth, labels)
    assert ap["ap50"] == pytest.approx(expected)
    assert ap["ap"] == pytest.approx(expected)  # exact boxes: the same at every IoU
    perfect = coco_ap([(truth[0], labels[0], np.array([0.9, 0.8]))], truth, labels)
    assert perfect == {"ap": pytest.approx(1.0), "ap50": pytest.approx(1.0)}
    assert coco_ap([(np.zeros((0, 4)), np.zeros(0, int), np.zeros(0))], truth, labels) == {
        "ap": 0.0,
        "ap50": 0.0,
    }


def test_anchor_ap_leaves_ignored_anchors_out():
    # 3 counted anchors (1 class): scores rank positive, negative, positive: AP (1 + 2/3) / 2
    encoded = np.array([[[1, 1], [0, 1], [1, 1], [0, 0]]], dtype=float)
    logits = np.array([[[3.0], [2.0], [1.0], [9.0]]])  # the ignored anchor ranks first
    assert anchor_ap(logits, encoded) == pytest.approx((1 + 2 / 3) / 2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"score": 0.0}, "score"),
        ({"score": 1.5}, "score"),
        ({"pre_nms": 0}, "pre_nms"),
        ({"max_detections": 2.5}, "max_detections"),
        ({"nms_threshold": -0.1}, "threshold"),
    ],
)
def test_detect_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        detect(np.zeros((1, 1, 1)) + 5.0, [[0, 0, 1, 1]], **kwargs)
