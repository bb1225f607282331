"""A small, offline, long-tailed multi-label image data set built from sklearn's digits.

Each 16x16 image is a 2x2 grid of 8x8 cells; each cell is empty or holds one handwritten
digit from ``sklearn.datasets.load_digits`` (bundled with scikit-learn, no download). The
label is multi-hot over the 10 digit classes: which digits appear. Class c appears in an
image with probability q_c = q_0 * imbalance^(-c / 9), so class 0 is the most frequent and
class 9 about ``imbalance`` times rarer (the long tail). Train and test images draw their
digits from disjoint halves of the source images, so the test set holds unseen handwriting.

``load_study_digits`` adds a validation split for a careful experiment: train, validation
and test draw from disjoint parts (50 / 25 / 25 %) of the handwriting; training stays
long-tailed, while validation and test are class-balanced (every class appears with the
same probability), as long-tailed benchmarks test, so that every class has enough positives
to measure its AP.
"""

from focal import validation

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits

NUM_CLASSES = 10
CELLS = 4  # a 2x2 grid of 8x8 cells
CLASS_NAMES = tuple(str(digit) for digit in range(NUM_CLASSES))
MIN_NON_EMPTY = 0.01  # the chance that an image draws a digit; below it generation crawls


@dataclass(frozen=True)
class MultiLabelDigits:
    """Images (N, 16, 16, 1) float32 in [0, 1]; multi-hot labels (N, 10) float32."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_prior: np.ndarray  # q_c, the probability that class c appears in an image
    class_names: tuple = CLASS_NAMES


@dataclass(frozen=True)
class StudyDigits:
    """Train (long-tailed), validation and test (class-balanced) images and multi-hot labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_prior: np.ndarray  # q_c of the training split
    eval_prior: float  # q of every class in validation and test
    class_names: tuple = CLASS_NAMES


def class_prior(imbalance=100.0, head=0.5):
    """q_c = head * imbalance^(-c / (C - 1)): the chance that class c appears in an image."""
    imbalance = validation.number("imbalance", imbalance, 1.0)
    head = validation.number("head", head, 0.0, 1.0)
    if head == 0.0:
        raise ValueError("`head` must be > 0, got 0.0.")
    return head * imbalance ** (-np.arange(NUM_CLASSES) / (NUM_CLASSES - 1))


def _sample_labels(rng, n, prior):
    labels = rng.random((n, NUM_CLASSES)) < prior
    # Keep at least one digit per image and at most one per cell.
    for row in labels:
        while not row.any():
            row[:] = rng.random(NUM_CLASSES) < prior
        present = np.flatnonzero(row)
        if len(present) > CELLS:
            row[rng.choice(present, len(present) - CELLS, replace=False)] = False
    return labels


def _draw_images(rng, labels, images_by_class):
    canvas = np.zeros((len(labels), 16, 16), dtype=np.float32)
    for i, row in enumerate(labels):
        cells = rng.permutation(CELLS)
        for cell, digit in zip(cells, np.flatnonzero(row), strict=False):  # spare cells stay empty
            pool = images_by_class[digit]
            top, left = divmod(int(cell), 2)
            canvas[i, 8 * top : 8 * top + 8, 8 * left : 8 * left + 8] = pool[
                rng.integers(len(pool))
            ]
    return canvas[..., None]


def _checked_prior(imbalance, head):
    prior = class_prior(imbalance, head)
    # Every image needs a digit, so empty draws are redrawn: 1 / P(non-empty) draws per image.
    non_empty = -np.expm1(np.sum(np.log1p(-prior)))
    if non_empty < MIN_NON_EMPTY:
        raise ValueError(
            f"`head`={head!r} with `imbalance`={imbalance!r} leaves {1 - non_empty:.4%} of "
            f"images without a digit (at least {MIN_NON_EMPTY:.0%} must have one): raise `head`."
        )
    return prior


def handwriting_pools(rng, fractions):
    """Split sklearn's digits into disjoint pools (one per fraction), each indexed by class."""
    digits = load_digits()
    pixels = (digits.images / 16.0).astype(np.float32)
    order = rng.permutation(len(pixels))
    cuts = (np.cumsum(fractions)[:-1] * len(order)).astype(int)
    return [
        [pixels[part][digits.target[part] == c] for c in range(NUM_CLASSES)]
        for part in np.split(order, cuts)
    ]


def _split(rng, n, prior, pool):
    labels = _sample_labels(rng, n, prior)
    return [_draw_images(rng, labels, pool), labels.astype(np.float32)]


def load_multilabel_digits(n_train=4000, n_test=2000, imbalance=100.0, head=0.5, seed=0):
    """Build the data set; the same arguments always give the same arrays.

    Args:
        n_train, n_test: number of images in each split (>= 1).
        imbalance: q_0 / q_9, the ratio of the most to the least frequent class (>= 1).
        head: q_0, the probability that the most frequent class appears (in (0, 1]).
        seed: seed of the NumPy generator.
    """
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        validation.integer(name, value)
    prior = _checked_prior(imbalance, head)
    rng = np.random.default_rng(validation.seed("seed", seed))
    pools = handwriting_pools(rng, (0.5, 0.5))
    splits = _split(rng, n_train, prior, pools[0]) + _split(rng, n_test, prior, pools[1])
    return MultiLabelDigits(*splits, class_prior=prior)


def load_study_digits(
    n_train=4000, n_val=1000, n_test=3000, imbalance=100.0, head=0.5, eval_prior=0.15, seed=0
):
    """Train / validation / test for a careful experiment; the same arguments, the same arrays.

    Training is long-tailed (q_c as in ``load_multilabel_digits``); validation and test are
    class-balanced: every class appears in an image with probability ``eval_prior``. The three
    splits draw digits from disjoint parts (50 / 25 / 25 %) of sklearn's handwriting.

    Args:
        n_train, n_val, n_test: number of images in each split (>= 1).
        imbalance, head: the training long tail, as in ``load_multilabel_digits``.
        eval_prior: q of every class in validation and test, in (0, 1].
        seed: seed of the NumPy generator (a new seed is a new draw of the whole data set).
    """
    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        validation.integer(name, value)
    prior = _checked_prior(imbalance, head)
    eval_prior = validation.number("eval_prior", eval_prior, 0.0, 1.0)
    if eval_prior == 0.0:
        raise ValueError("`eval_prior` must be > 0, got 0.0.")
    balanced = np.full(NUM_CLASSES, eval_prior)
    rng = np.random.default_rng(validation.seed("seed", seed))
    train_pool, val_pool, test_pool = handwriting_pools(rng, (0.5, 0.25, 0.25))
    splits = (
        _split(rng, n_train, prior, train_pool)
        + _split(rng, n_val, balanced, val_pool)
        + _split(rng, n_test, balanced, test_pool)
    )
    return StudyDigits(*splits, class_prior=prior, eval_prior=eval_prior)
