"""focal.checks.multilabel: each checker accepts the reference answer and rejects wrong ones."""

import focal  # noqa: I001 (first: sets TensorFlow's environment before it loads)
import numpy as np
import pytest

from focal import reference
from focal.checks import multilabel as checks


def _eq5(p, y, gamma, alpha):
    return reference.alpha_balanced_focal_loss(p, y, gamma, alpha)


# Exercise 3.1 ------------------------------------------------------------------------------


def test_negative_fraction_accepts_reference(capsys):
    checks.negative_fraction(lambda y: 1.0 - np.mean(y))
    assert capsys.readouterr().out == "Exercise 3.1: correct.\n"


@pytest.mark.parametrize(
    "wrong",
    [
        lambda y: np.mean(y),  # the positive fraction
        lambda y: np.mean(y.sum(axis=-1) == 0),  # examples without labels, not pairs
        lambda y: 1.0 - np.mean(y, axis=0),  # per class, not one number
        lambda y: np.sum(y == 0),  # a count, not a fraction
    ],
)
def test_negative_fraction_rejects_wrong(wrong):
    with pytest.raises(AssertionError, match=r"Exercise 3\.1"):
        checks.negative_fraction(wrong)


# Exercise 3.2 ------------------------------------------------------------------------------


def _multilabel_focal_loss(p, y, gamma, alpha):
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return np.mean(-alpha_t * (1 - p_t) ** gamma * np.log(p_t), axis=-1)


def test_multilabel_focal_loss_accepts_reference(capsys):
    checks.multilabel_focal_loss(_multilabel_focal_loss)
    checks.multilabel_focal_loss(lambda p, y, g, a: _eq5(p, y, g, a).mean(axis=-1))
    assert capsys.readouterr().out == "Exercise 3.2: correct.\n" * 2


def _positives_only(p, y, gamma, alpha):
    # The snippet's mistake: negatives get zero loss.
    return np.mean(np.where(y == 1, _eq5(p, y, gamma, alpha), 0.0), axis=-1)


@pytest.mark.parametrize(
    "wrong",
    [
        _positives_only,
        lambda p, y, g, a: _eq5(p, y, g, a).sum(axis=-1),  # sum, not mean, over classes
        lambda p, y, g, a: _eq5(p, y, g, a).mean(),  # one number for the batch
        lambda p, y, g, a: _eq5(p, y, g, a).mean(axis=0),  # mean over examples
        lambda p, y, g, a: reference.focal_loss(p, y, g).mean(axis=-1),  # alpha forgotten
        lambda p, y, g, a: _eq5(p, y, g, 1 - a).mean(axis=-1),  # alpha on the wrong side
    ],
)
def test_multilabel_focal_loss_rejects_wrong(wrong):
    with pytest.raises(AssertionError, match=r"Exercise 3\.2"):
        checks.multilabel_focal_loss(wrong)


# Exercise 3.3 ------------------------------------------------------------------------------


def _positive_normalized_focal_loss(p, y, gamma, alpha):
    return _eq5(p, y, gamma, alpha).sum() / max(np.sum(y), 1.0)


def test_positive_normalized_focal_loss_accepts_reference(capsys):
    checks.positive_normalized_focal_loss(_positive_normalized_focal_loss)
    assert capsys.readouterr().out == "Exercise 3.3: correct.\n"


def test_positive_normalized_focal_loss_matches_focal_loss():
    # The oracle of the checker is the package's loss with the paper's normalisation.
    y, p = checks.Y_MIXED, checks.P_MIXED
    loss = focal.FocalLoss(gamma=2.0, alpha=0.25, normalize_by_positives=True, reduction="sum")
    expected = _positive_normalized_focal_loss(p, y, 2.0, 0.25)
    np.testing.assert_allclose(float(loss(y, p)), expected, rtol=1e-5)


def _no_floor(p, y, gamma, alpha):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _eq5(p, y, gamma, alpha).sum() / np.sum(y)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda p, y, g, a: _eq5(p, y, g, a).mean(),  # divided by all pairs, not positives
        lambda p, y, g, a: _eq5(p, y, g, a).sum() / len(y),  # divided by examples
        lambda p, y, g, a: np.where(y == 1, _eq5(p, y, g, a), 0).sum() / max(y.sum(), 1),
        _no_floor,  # a batch without positives divides by zero
    ],
)
def test_positive_normalized_focal_loss_rejects_wrong(wrong):
    with pytest.raises(AssertionError, match=r"Exercise 3\.3"):
        checks.positive_normalized_focal_loss(wrong)


# Exercise 3.4 ------------------------------------------------------------------------------


def _asl_negative_by_hand(p, gamma_neg, margin):
    """The definition, elementwise with Python floats (an oracle independent of reference)."""
    out = []
    for value in np.ravel(p):
        shifted = max(float(value) - margin, 0.0)
        out.append(0.0 if shifted == 0.0 else -(shifted**gamma_neg) * np.log(1.0 - shifted))
    return np.array(out).reshape(np.shape(p))


def test_asl_negative_accepts_a_hand_written_answer(capsys):
    checks.asl_negative(_asl_negative_by_hand)
    assert capsys.readouterr().out == "Exercise 3.4: correct.\n"


@pytest.mark.parametrize(
    "wrong",
    [
        lambda p, g, m: -(p**g) * np.log(1 - p),  # margin forgotten
        lambda p, g, m: -(np.maximum(p - m, 0) ** g) * np.log(1 - p),  # shift only in the factor
        lambda p, g, m: -(p**g) * np.log(1 - np.maximum(p - m, 0)),  # shift only in the log
        lambda p, g, m: -((1 - np.maximum(p - m, 0)) ** g) * np.log(np.maximum(p - m, 1e-12)),
    ],
)
def test_asl_negative_rejects_wrong_answers(wrong):
    with (
        np.errstate(divide="ignore", invalid="ignore"),
        pytest.raises(AssertionError, match="Hint"),
    ):
        checks.asl_negative(wrong)
