"""focal.PriorProbability: the bias value, its serialisation and its argument checks."""

import focal  # noqa: I001 (first: sets TensorFlow's environment before it loads)
import math

import keras
import numpy as np
import pytest

from focal import PriorProbability


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
