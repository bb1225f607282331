"""focal.detection.canvases: canvases, exact boxes, object spacing, determinism, bad arguments."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal import detection
from focal.detection.canvases import INK, MAX_OVERLAP, load_detection_digits

import numpy as np
import pytest


@pytest.fixture(scope="module")
def splits():
    return load_detection_digits(n_train=120, n_val=30, n_test=40, noise=0.0, clutter=0)


def test_shapes_and_ranges(splits):
    for split, n in zip(splits, (120, 30, 40), strict=True):
        assert split.images.shape == (n, 128, 128, 1) and split.images.dtype == np.float32
        assert split.images.min() >= 0.0 and split.images.max() <= 1.0
        assert len(split.boxes) == len(split.labels) == n
        for boxes, labels in zip(split.boxes, split.labels, strict=True):
            assert 1 <= len(boxes) <= 3 and boxes.shape == (len(labels), 4)
            assert labels.min() >= 0 and labels.max() <= 9
            assert np.all(boxes[:, :2] >= 0) and np.all(boxes[:, 2:] <= 128)


def test_boxes_are_the_tight_boxes_of_the_ink(splits):
    """Without noise or clutter, the ink of an image is exactly the union of its boxes' ink."""
    train = splits[0]
    for image, boxes in zip(train.images[..., 0], train.boxes, strict=True):
        covered = np.zeros(image.shape, dtype=bool)
        for x0, y0, x1, y1 in boxes.astype(int):
            covered[y0:y1, x0:x1] = True
            crop = image[y0:y1, x0:x1] > INK
            assert crop[0].any() and crop[-1].any() and crop[:, 0].any() and crop[:, -1].any()
        assert not (image[~covered] > INK).any()


def test_objects_of_one_image_barely_overlap(splits):
    for boxes in splits[0].boxes:
        iou = detection.box_iou(boxes, boxes)
        np.fill_diagonal(iou, 0.0)
        assert iou.max() <= MAX_OVERLAP


def test_same_seed_same_data():
    a = load_detection_digits(n_train=5, n_val=2, n_test=2, seed=3)
    b = load_detection_digits(n_train=5, n_val=2, n_test=2, seed=3)
    c = load_detection_digits(n_train=5, n_val=2, n_test=2, seed=4)
    np.testing.assert_array_equal(a[2].images, b[2].images)
    assert not np.array_equal(a[0].images, c[0].images)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_train": 0}, "n_train"),
        ({"max_objects": 0}, "max_objects"),
        ({"clutter": -1}, "clutter"),
        ({"digit_sizes": (30, 20)}, "digit_sizes"),
        ({"digit_sizes": (4, 20)}, "digit_sizes"),
        ({"digit_sizes": (18,)}, "digit_sizes"),
        ({"noise": 2.0}, "noise"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_detection_digits(**{"n_train": 2, "n_val": 1, "n_test": 1, **kwargs})
