"""focal.data: shapes, label structure, the long tail, determinism and argument checks."""

import focal  # noqa: F401, I001 (first: sets TensorFlow's environment before it loads)
import numpy as np
import pytest
from sklearn.datasets import load_digits

from focal import data


@pytest.fixture(scope="module")
def digits():
    return data.load_multilabel_digits()


def _cells(images):
    """(N, 16, 16, 1) -> (N, 4, 64): the four 8x8 cells of each image, flattened."""
    return images[..., 0].reshape(-1, 2, 8, 2, 8).transpose(0, 1, 3, 2, 4).reshape(-1, 4, 64)


def test_shapes_and_dtypes(digits):
    assert digits.x_train.shape == (4000, 16, 16, 1)
    assert digits.y_train.shape == (4000, 10)
    assert digits.x_test.shape == (2000, 16, 16, 1)
    assert digits.y_test.shape == (2000, 10)
    for array in (digits.x_train, digits.y_train, digits.x_test, digits.y_test):
        assert array.dtype == np.float32
    assert digits.class_names == tuple("0123456789")


def test_sizes_follow_arguments():
    small = data.load_multilabel_digits(n_train=7, n_test=3)
    assert small.x_train.shape == (7, 16, 16, 1)
    assert small.y_test.shape == (3, 10)


def test_images_in_unit_interval(digits):
    for images in (digits.x_train, digits.x_test):
        assert images.min() == 0.0
        assert images.max() == 1.0


def test_labels_are_multi_hot_with_1_to_4_per_image(digits):
    for labels in (digits.y_train, digits.y_test):
        assert set(np.unique(labels)) == {0.0, 1.0}
        per_image = labels.sum(axis=1)
        assert per_image.min() >= 1
        assert per_image.max() <= 4


def test_every_image_has_ink(digits):
    for images in (digits.x_train, digits.x_test):
        assert np.all(images.sum(axis=(1, 2, 3)) > 0)


def test_cells_hold_exactly_the_labelled_digits(digits):
    source = load_digits()
    pixels = (source.images / 16.0).astype(np.float32).reshape(-1, 64)
    digit_of = {
        cell.tobytes(): int(target) for cell, target in zip(pixels, source.target, strict=True)
    }
    for images, labels in ((digits.x_train, digits.y_train), (digits.x_test, digits.y_test)):
        for cells, row in zip(_cells(images), labels, strict=True):
            inked = [cell for cell in cells if cell.any()]
            assert (
                sorted(digit_of[cell.tobytes()] for cell in inked) == np.flatnonzero(row).tolist()
            )


def test_train_and_test_use_disjoint_handwriting(digits):
    def inked(images):
        return {cell.tobytes() for cell in _cells(images).reshape(-1, 64) if cell.any()}

    assert not inked(digits.x_train) & inked(digits.x_test)


def test_same_seed_same_arrays_other_seed_differs(digits):
    again = data.load_multilabel_digits(seed=0)
    other = data.load_multilabel_digits(seed=1)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(again, name), getattr(digits, name))
        assert not np.array_equal(getattr(other, name), getattr(digits, name))


def test_class_prior_golden():
    # q_c = head * imbalance^(-c / 9): q_0 = head, q_9 = head / imbalance, q_3 = head / 100^(1/3)
    prior = data.class_prior(imbalance=100.0, head=0.5)
    assert prior[0] == pytest.approx(0.5, rel=1e-15)
    assert prior[9] == pytest.approx(0.005, rel=1e-12)
    assert prior[3] == pytest.approx(0.5 / 4.641588833612779, rel=1e-12)
    np.testing.assert_allclose(data.class_prior(imbalance=1.0, head=0.3), np.full(10, 0.3))


def test_class_frequencies_form_a_long_tail(digits):
    imbalance = 100.0
    counts = digits.y_train.sum(axis=0)
    assert imbalance / 3 < counts[0] / counts[9] < imbalance * 3
    assert np.all(np.diff(counts[:6]) < 0)  # the head classes are well separated
    assert counts[:5].sum() > 5 * counts[5:].sum()


def test_imbalance_1_is_roughly_balanced():
    counts = data.load_multilabel_digits(imbalance=1.0).y_train.sum(axis=0)
    assert counts.max() / counts.min() < 1.2


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_train": 0}, "n_train"),
        ({"n_test": -1}, "n_test"),
        ({"n_train": 2.5}, "n_train"),
        ({"imbalance": 0.5}, "imbalance"),
        ({"head": 0}, "head"),
        ({"head": 1.5}, "head"),
        ({"head": 1e-6}, "head"),  # nearly every image empty: once ran for half an hour
        ({"seed": "a"}, "seed"),
        ({"seed": None}, "seed"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_bad_arguments_raise(kwargs, name):
    with pytest.raises(ValueError, match=name):
        data.load_multilabel_digits(**kwargs)


def test_the_rarest_allowed_request_still_works():
    """Just above the bound (1% of images draw a digit) every image still gets a digit."""
    labels = data.load_multilabel_digits(n_train=500, n_test=1, head=0.0045).y_train
    assert labels.sum(axis=1).min() >= 1


@pytest.fixture(scope="module")
def study():
    return data.load_study_digits(n_train=2000, n_val=600, n_test=900)


def test_study_shapes_and_labels(study):
    for x, y, n in (
        (study.x_train, study.y_train, 2000),
        (study.x_val, study.y_val, 600),
        (study.x_test, study.y_test, 900),
    ):
        assert x.shape == (n, 16, 16, 1) and x.dtype == np.float32
        assert y.shape == (n, 10) and y.dtype == np.float32
        assert 1 <= y.sum(axis=1).min() and y.sum(axis=1).max() <= 4


def test_study_cells_hold_the_labelled_digits(study):
    source = load_digits()
    pixels = (source.images / 16.0).astype(np.float32).reshape(-1, 64)
    digit_of = {cell.tobytes(): int(t) for cell, t in zip(pixels, source.target, strict=True)}
    for images, labels in ((study.x_val, study.y_val), (study.x_test, study.y_test)):
        for cells, row in zip(_cells(images), labels, strict=True):
            found = sorted(digit_of[cell.tobytes()] for cell in cells if cell.any())
            assert found == np.flatnonzero(row).tolist()


def test_study_splits_use_disjoint_handwriting(study):
    def inked(images):
        return {cell.tobytes() for cell in _cells(images).reshape(-1, 64) if cell.any()}

    train, val, test = inked(study.x_train), inked(study.x_val), inked(study.x_test)
    assert not train & val and not train & test and not val & test
    # each split draws on many writers, not a handful (pools: 50 / 25 / 25 % of 1797 digits)
    assert len(train) > 500 and len(val) > 300 and len(test) > 300


def test_study_train_is_long_tailed_and_evaluation_balanced():
    big = data.load_study_digits(n_train=20000, n_val=20000, n_test=20000)
    train = big.y_train.sum(axis=0)
    assert train[0] / train[9] > 50  # the long tail (q_0 / q_9 = 100 before redraws)
    for labels in (big.y_val, big.y_test):
        frequency = labels.mean(axis=0)
        # every class equally likely: within 3 binomial standard errors of their mean
        assert np.ptp(frequency) < 6 * np.sqrt(0.15 * 0.85 / 20000) + 0.01
        assert frequency.min() > 0.12


def test_study_is_deterministic_per_seed(study):
    again = data.load_study_digits(n_train=2000, n_val=600, n_test=900)
    other = data.load_study_digits(n_train=2000, n_val=600, n_test=900, seed=1)
    np.testing.assert_array_equal(study.x_test, again.x_test)
    assert not np.array_equal(study.y_train, other.y_train)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_val": 0}, "n_val"),
        ({"n_test": 2.5}, "n_test"),
        ({"eval_prior": 0.0}, "eval_prior"),
        ({"eval_prior": 1.5}, "eval_prior"),
        ({"seed": "a"}, "seed"),
        ({"imbalance": 0.5}, "imbalance"),
    ],
)
def test_study_bad_arguments_raise(kwargs, name):
    with pytest.raises(ValueError, match=name):
        data.load_study_digits(**kwargs)
