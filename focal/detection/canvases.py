"""Dense detection in miniature, the data: canvases of handwritten digits with exact boxes.

Each image is a ``image_size`` x ``image_size`` canvas holding 1 to ``max_objects`` digits
from sklearn's ``load_digits``, each scaled up (bilinear) to a side drawn from
``digit_sizes``, placed so that no two objects overlap much, plus ``clutter`` fragments of
other digits (ink that is not an object, as background is rarely empty) and Gaussian
noise. A box is the tight box of the object's ink. Train, validation and test draw their
digits, and their clutter, from disjoint parts (50 / 25 / 25 %) of the handwriting.
"""

from focal import validation
from focal.data import NUM_CLASSES, handwriting_pools
from focal.detection.assignment import box_iou

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

INK = 0.1  # a pixel brighter than this after scaling belongs to the digit's box
MAX_OVERLAP = 0.1  # the largest IoU allowed between two objects of one image


@dataclass(frozen=True)
class DetectionSplit:
    """Images (N, S, S, 1) float32 in [0, 1]; per image, boxes (k, 4) and labels (k,)."""

    images: np.ndarray
    boxes: list
    labels: list


def _scaled(digit, side):
    image = ndimage.zoom(digit, side / digit.shape[0], order=1)
    return np.clip(image, 0.0, 1.0)


def _place(rng, canvas, patch, taken):
    """Paste ``patch`` at a random spot whose box overlaps no box in ``taken`` much."""
    size = canvas.shape[0]
    ink_rows, ink_cols = np.nonzero(patch > INK)
    for _ in range(50):
        top, left = rng.integers(0, size - patch.shape[0] + 1, 2)
        box = [
            left + ink_cols.min(),
            top + ink_rows.min(),
            left + ink_cols.max() + 1,
            top + ink_rows.max() + 1,
        ]
        if not taken or box_iou([box], taken).max() <= MAX_OVERLAP:
            region = canvas[top : top + patch.shape[0], left : left + patch.shape[1]]
            np.maximum(region, patch, out=region)
            return [float(v) for v in box]
    return None


def _draw_split(rng, n, pool, image_size, digit_sizes, max_objects, clutter, noise):
    images = np.zeros((n, image_size, image_size), dtype=np.float32)
    all_boxes, all_labels = [], []
    for i in range(n):
        boxes, labels = [], []
        for _ in range(int(rng.integers(1, max_objects + 1))):
            label = int(rng.integers(NUM_CLASSES))
            digit = pool[label][rng.integers(len(pool[label]))]
            side = int(rng.integers(digit_sizes[0], digit_sizes[1] + 1))
            box = _place(rng, images[i], _scaled(digit, side), boxes)
            if box is not None:
                boxes.append(box)
                labels.append(label)
        for _ in range(clutter):  # a quarter of a digit: ink, but no object
            source = pool[int(rng.integers(NUM_CLASSES))]
            digit = _scaled(source[rng.integers(len(source))], int(rng.integers(*digit_sizes)))
            half = digit.shape[0] // 2
            top, left = rng.integers(0, half + 1, 2)
            fragment = digit[top : top + half, left : left + half]
            r, c = rng.integers(0, image_size - half + 1, 2)
            region = images[i, r : r + half, c : c + half]
            np.maximum(region, 0.5 * fragment, out=region)
        all_boxes.append(np.array(boxes, dtype=np.float32).reshape(-1, 4))
        all_labels.append(np.array(labels, dtype=np.int64))
    images += rng.normal(0.0, noise, images.shape).astype(np.float32)
    return DetectionSplit(np.clip(images, 0.0, 1.0)[..., None], all_boxes, all_labels)


def load_detection_digits(
    n_train=3000,
    n_val=500,
    n_test=1000,
    image_size=128,
    digit_sizes=(18, 28),
    max_objects=3,
    clutter=4,
    noise=0.05,
    seed=0,
):
    """(train, validation, test) ``DetectionSplit``s; the same arguments, the same arrays."""
    for name, value in (
        ("n_train", n_train),
        ("n_val", n_val),
        ("n_test", n_test),
        ("image_size", image_size),
        ("max_objects", max_objects),
    ):
        validation.integer(name, value)
    validation.integer("clutter", clutter, low=0)
    sizes = validation.vector("digit_sizes", digit_sizes, 8.0, image_size)
    if len(sizes) != 2 or sizes[0] > sizes[1]:
        raise ValueError(f"`digit_sizes` must be (low, high) with low <= high, got {digit_sizes}.")
    noise = validation.number("noise", noise, 0.0, 1.0)
    rng = np.random.default_rng(validation.seed("seed", seed))
    pools = handwriting_pools(rng, (0.5, 0.25, 0.25))
    sizes = (int(sizes[0]), int(sizes[1]))
    return tuple(
        _draw_split(rng, n, pool, image_size, sizes, max_objects, clutter, noise)
        for n, pool in zip((n_train, n_val, n_test), pools, strict=True)
    )
