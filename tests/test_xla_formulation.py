"""The loss's label-side form (``losses._focal_terms_by_labels``, JAX's default) against its
both-sides form, compiled by XLA on either backend: the same bits on hard labels, and the
both-sides formula y L(p, 1) + (1 - y) L(p, 0) on a batch with a soft label."""

import focal  # first: sets TensorFlow's environment
from focal import backend, losses, reference

import keras
import numpy as np
import pytest
from grads import loss_and_grad
from keras import ops

C = 4
RNG = np.random.default_rng(7)
EXTREMES = [0.0, -0.0, 1e-8, -1e-8, 20.0, -20.0, 90.0, -90.0, 1e30, -1e30, np.inf, -np.inf]
X = np.concatenate([RNG.normal(0.0, 4.0, 36), EXTREMES]).reshape(-1, C)
Y = (RNG.random(X.shape) < 0.4).astype(np.float64)
ALPHA = [0.1, 0.25, 0.5, 0.9]
CLASS_WEIGHT = [2.0, 1.0, 0.5, 0.25]
GAMMAS = [(0.5, 0.5), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0), (2.0, 0.5)]  # (gamma_pos, gamma_neg)
WEIGHTINGS = [{}, {"alpha": 0.25, "class_weight": CLASS_WEIGHT}, {"alpha": ALPHA}]


def per_element(gamma_pos, gamma_neg, alpha=None, class_weight=None):
    """The loss per element, as ``FocalLoss`` computes it before its mean over classes."""

    def terms(y, x):
        w_pos = None if alpha is None else ops.convert_to_tensor(alpha, x.dtype)
        w_neg = None if alpha is None else 1.0 - w_pos
        loss = losses._focal_terms_from_logits(x, y, gamma_pos, gamma_neg, 0.0, w_pos, w_neg)
        return loss if class_weight is None else loss * ops.convert_to_tensor(class_weight)

    return terms


TERMS = [
    per_element(gamma_pos, gamma_neg, **weighting)
    for gamma_pos, gamma_neg in GAMMAS
    for weighting in WEIGHTINGS
]


def stacked(y, x, sample_weight=None):
    """Every loss of TERMS, each on its own block of rows: one compilation checks all."""
    rows = len(X)
    blocks = [
        terms(y[i * rows : (i + 1) * rows], x[i * rows : (i + 1) * rows])
        for i, terms in enumerate(TERMS)
    ]
    return ops.concatenate(blocks, axis=0)


def both_forms(monkeypatch, loss_fn, y, x, wrt="pred"):
    """(label-side, both-sides) results of ``loss_and_grad`` under XLA."""
    results = []
    for label_side in (True, False):
        monkeypatch.setattr(backend, "fast_conditionals", lambda on=label_side: on)
        results.append(loss_and_grad(loss_fn, y, x, wrt=wrt, mode="xla"))
    return results


def test_hard_labels_give_the_both_sides_bits(monkeypatch):
    y, x = np.tile(Y, (len(TERMS), 1)), np.tile(X, (len(TERMS), 1))
    (value, grad), (both_value, both_grad) = both_forms(monkeypatch, stacked, y, x)
    np.testing.assert_array_equal(value, both_value)
    np.testing.assert_array_equal(grad, both_grad)
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("hard", [True, False])
def test_gradient_with_respect_to_the_labels(monkeypatch, hard):
    y = Y if hard else np.where(Y == 1, 0.7, 0.1)
    loss = focal.FocalLoss(gamma=2.0, alpha=0.25, from_logits=True, reduction="none")
    (_, grad), (_, both_grad) = both_forms(monkeypatch, loss, y, X, wrt="y")
    np.testing.assert_allclose(grad, both_grad, rtol=1e-6)


@pytest.mark.parametrize("gamma", [0.5, 2.0])
def test_one_soft_label_takes_both_sides(monkeypatch, gamma):
    y = Y[:10].copy()
    y[3, 1] = 0.3  # one soft label: the whole batch is computed on both sides
    x = X[:10]
    loss = focal.FocalLoss(gamma=gamma, alpha=0.25, from_logits=True, reduction="none")
    (value, grad), (both_value, both_grad) = both_forms(monkeypatch, loss, y, x)
    p = reference.sigmoid(x.astype(np.float32))
    formula = reference.soft_focal_loss(p, y, gamma, alpha=0.25).mean(axis=-1)
    np.testing.assert_allclose(value, formula, rtol=2e-5)
    np.testing.assert_allclose(value, both_value, rtol=1e-6)
    np.testing.assert_allclose(grad, both_grad, rtol=1e-6, atol=1e-12)


def test_jax_takes_the_label_side_form():
    assert backend.fast_conditionals() == (keras.backend.backend() == "jax")
