"""focal.PriorProbability (the bias value, its serialisation, its argument checks) and
focal.constant_minimiser (against closed forms and a grid search on focal.reference)."""

import focal  # noqa: I001 (first: sets TensorFlow's environment before it loads)
import math

import keras
import numpy as np
import pytest

from focal import PriorProbability, reference
from scipy import special


def test_bias_is_minus_log_99_for_pi_0_01():
    bias = keras.ops.convert_to_numpy(PriorProbability(0.01)((3,)))
    assert bias.shape == (3,)
    assert bias.dtype == np.float32
    np.testing.assert_allclose(bias, np.full(3, -math.log(99.0)), rtol=1e-6)
    np.testing.assert_allclose(1.0 / (1.0 + np.exp(-bias.astype(np.float64))), 0.01, rtol=1e-6)


def test_default_pi_and_dtype_argument():
    bias = keras.ops.convert_to_numpy(PriorProbability()((2, 2), dtype="float64"))
    assert bias.dtype == np.float64
    np.testing.assert_allclose(bias, np.full((2, 2), -math.log(99.0)), rtol=1e-15)


def test_dense_layer_starts_at_pi():
    layer = keras.layers.Dense(
        4, kernel_initializer="zeros", bias_initializer=PriorProbability(0.2)
    )
    probabilities = keras.ops.convert_to_numpy(keras.ops.sigmoid(layer(np.ones((1, 3)))))
    np.testing.assert_allclose(probabilities, np.full((1, 4), 0.2), rtol=1e-6)


def test_config_round_trip():
    initializer = PriorProbability(0.05)
    assert initializer.get_config() == {"pi": 0.05}
    again = PriorProbability.from_config(initializer.get_config())
    assert again.pi == 0.05
    revived = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(initializer)
    )
    assert isinstance(revived, PriorProbability)
    assert revived.pi == 0.05


@pytest.mark.parametrize("pi", [0, 1, 0.0, 1.0, -0.1, 1.5, "a", None, True, math.nan])
def test_bad_pi_raises(pi):
    with pytest.raises(ValueError, match="pi"):
        PriorProbability(pi)


def test_one_prior_per_class():
    pi = [0.5, 0.1, 0.01]
    bias = keras.ops.convert_to_numpy(PriorProbability(pi)((3,), dtype="float64"))
    np.testing.assert_allclose(bias, [0.0, -math.log(9.0), -math.log(99.0)], rtol=1e-14)
    assert PriorProbability(pi).get_config() == {"pi": pi}


def test_per_class_prior_must_match_the_bias_shape():
    with pytest.raises(ValueError, match="3 class priors"):
        PriorProbability([0.5, 0.1, 0.01])((4,))


@pytest.mark.parametrize("pi", [[0.1, 0.0], [0.1, 1.0], [0.1, 1.2], [], {"a": 0.1}])
def test_bad_per_class_prior_raises(pi):
    with pytest.raises(ValueError, match="pi"):
        PriorProbability(pi)


def test_one_entry_prior_for_many_outputs_names_pi_and_its_value():
    with pytest.raises(ValueError, match=r"`pi` holds 1 class priors, \[0.01\]"):
        focal.PriorProbability([0.01])((3,))
    np.testing.assert_allclose(focal.PriorProbability([0.01])((1,)), [-np.log(99.0)], rtol=1e-6)


# ----- constant_minimiser: the best constant prediction of a loss ---------------------------

LABELS = (np.random.default_rng(0).random((400, 3)) < [0.5, 0.1, 0.02]).astype(np.float64)


def _grid_minimiser(elementwise, y, weight=None):
    """Oracle: the best constant probability of each class on a fine float64 grid, with the
    paper's formulas from focal.reference (no Keras)."""
    p = special.expit(np.linspace(-12, 12, 240001))
    weight = np.ones(len(y)) if weight is None else weight
    out = []
    for c in range(y.shape[1]):
        positives, negatives = weight @ y[:, c], weight @ (1 - y[:, c])
        total = positives * elementwise(p, 1.0) + negatives * elementwise(p, 0.0)
        out.append(p[np.argmin(total)])
    return np.array(out)


def _loss(**kwargs):
    return focal.FocalLoss(from_logits=True, dtype="float64", **kwargs)


def test_constant_minimiser_of_bce_is_the_training_frequency():
    pi = focal.constant_minimiser(_loss(gamma=0.0), LABELS)
    np.testing.assert_allclose(pi, LABELS.mean(axis=0), rtol=1e-5)


def test_constant_minimiser_of_alpha_balanced_ce_has_the_closed_form():
    alpha, pi = 0.25, LABELS.mean(axis=0)
    expected = alpha * pi / (alpha * pi + (1 - alpha) * (1 - pi))
    got = focal.constant_minimiser(_loss(gamma=0.0, alpha=alpha), LABELS)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_constant_minimiser_with_sample_weights_is_the_weighted_frequency():
    weight = np.random.default_rng(1).uniform(0.1, 3.0, len(LABELS))
    got = focal.constant_minimiser(_loss(gamma=0.0), LABELS, sample_weight=weight)
    np.testing.assert_allclose(got, weight @ LABELS / weight.sum(), rtol=1e-5)


@pytest.mark.parametrize(("gamma", "alpha"), [(2.0, 0.25), (2.0, 0.75), (1.0, None), (0.5, 0.5)])
def test_constant_minimiser_of_focal_loss_matches_a_grid_search(gamma, alpha):
    def elementwise(p, y):
        if alpha is None:
            return reference.focal_loss(p, y, gamma)
        return reference.alpha_balanced_focal_loss(p, y, gamma, alpha)

    got = focal.constant_minimiser(_loss(gamma=gamma, alpha=alpha), LABELS)
    np.testing.assert_allclose(got, _grid_minimiser(elementwise, LABELS), rtol=2e-4)
    # Near p = pi, a rare class's negatives are easy (p^gamma discounts them) and its
    # positives hard ((1 - p)^gamma near 1): the start moves above the frequency.
    assert np.all(got[1:] > LABELS.mean(axis=0)[1:])


def test_constant_minimiser_of_asl_matches_a_grid_search():
    hparams = {"gamma_pos": 0.0, "gamma_neg": 4.0, "margin": 0.05}
    got = focal.constant_minimiser(_loss(**hparams), LABELS)
    expected = _grid_minimiser(lambda p, y: reference.asymmetric_loss(p, y, **hparams), LABELS)
    np.testing.assert_allclose(got, expected, rtol=2e-4)


def test_constant_minimiser_takes_a_loss_on_probabilities():
    """A loss on probabilities is minimised as its twin on logits: the same start."""
    on_probabilities = focal.FocalLoss(gamma=2.0, alpha=0.25, dtype="float64")
    got = focal.constant_minimiser(on_probabilities, LABELS)
    np.testing.assert_array_equal(
        got, focal.constant_minimiser(_loss(gamma=2.0, alpha=0.25), LABELS)
    )
    assert on_probabilities.from_logits is False  # the caller's loss is left as it was
    bce = focal.constant_minimiser(focal.FocalLoss(gamma=0.0, dtype="float64"), LABELS)
    np.testing.assert_allclose(bce, LABELS.mean(axis=0), rtol=1e-5)  # BCE's: the frequency
    # Keras's own losses too (their config drops dtype, so this one runs in float32).
    keras_bce = focal.constant_minimiser(keras.losses.BinaryCrossentropy(), LABELS)
    np.testing.assert_allclose(keras_bce, LABELS.mean(axis=0), atol=1e-4)


def test_constant_minimiser_refuses_a_probability_loss_it_cannot_rebuild():
    class Opaque(keras.losses.Loss):
        from_logits = False

        def call(self, y_true, y_pred):
            return keras.ops.mean((y_true - y_pred) ** 2, axis=-1)

    with pytest.raises(ValueError, match="from_logits"):
        focal.constant_minimiser(Opaque(), LABELS)


def test_constant_minimiser_of_a_class_without_positives_sits_at_the_bound():
    y = np.zeros((10, 2))
    y[:5, 0] = 1
    got = focal.constant_minimiser(_loss(gamma=0.0), y, bound=10.0)
    np.testing.assert_allclose(got, [0.5, special.expit(-10.0)], rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y_true": np.ones(5)}, "y_true"),
        ({"y_true": np.ones((0, 2))}, "y_true"),
        ({"y_true": [[1, 0], [1]]}, "y_true"),
        ({"y_true": np.ones((5, 2)), "sample_weight": np.ones(4)}, "sample_weight"),
        ({"y_true": np.ones((5, 2)), "bound": -1.0}, "bound"),
        ({"y_true": np.ones((5, 2)), "bound": math.inf}, "bound"),
        ({"y_true": np.ones((5, 2)), "bound": 0.0}, "bound"),
        ({"y_true": np.ones((5, 2)), "bound": "a"}, "bound"),
    ],
)
def test_constant_minimiser_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        focal.constant_minimiser(_loss(gamma=0.0), **kwargs)
