"""focal.models.small_mlp: the shared notebook model starts where it says it does."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.models import small_cnn, small_mlp

import random

import keras
import numpy as np
import pytest


def first_kernel(seed):
    return keras.ops.convert_to_numpy(small_mlp(seed=seed).layers[1].kernel)


def test_outputs_start_at_the_prior():
    model = small_mlp(prior=0.05)
    logits = keras.ops.convert_to_numpy(model(np.zeros((2, 16, 16, 1), dtype="float32")))
    assert logits.shape == (2, 10)
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), 0.05, rtol=1e-5)


def test_no_prior_keeps_a_zero_bias():
    model = small_mlp(prior=None)
    bias = keras.ops.convert_to_numpy(model.get_layer("logits").bias)
    np.testing.assert_array_equal(bias, np.zeros(10))


def test_the_seed_fixes_the_initial_weights():
    np.testing.assert_array_equal(first_kernel(3), first_kernel(3))
    assert not np.array_equal(first_kernel(3), first_kernel(4))


def test_global_generators_are_left_alone():
    """Building the model draws from none of the global generators, nor reseeds them."""

    def draws():
        legacy = np.random.random()  # noqa: NPY002 (the global generator is the point)
        return legacy, random.random(), float(keras.random.uniform(()))

    keras.utils.set_random_seed(123)
    expected = draws()
    keras.utils.set_random_seed(123)
    small_mlp(seed=0)
    assert draws() == expected


def test_cnn_starts_at_each_class_prior():
    prior = np.linspace(0.6, 0.006, 10)
    model = small_cnn(prior=prior.tolist())
    logits = keras.ops.convert_to_numpy(model(np.zeros((2, 16, 16, 1), dtype="float32")))
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), np.tile(prior, (2, 1)), rtol=1e-5)


def test_cnn_seed_fixes_weights_and_leaves_global_generators_alone():
    def kernels(seed):
        return [keras.ops.convert_to_numpy(w) for w in small_cnn(seed=seed).weights]

    for a, b in zip(kernels(2), kernels(2), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(kernels(2)[0], kernels(3)[0])
    keras.utils.set_random_seed(7)
    expected = np.random.random()  # noqa: NPY002 (the global generator is the point)
    keras.utils.set_random_seed(7)
    small_cnn(seed=0)
    assert np.random.random() == expected  # noqa: NPY002


@pytest.mark.parametrize("build", [small_mlp, small_cnn])
@pytest.mark.parametrize("seed", [None, "a", -1, 2.0, True])
def test_bad_seed_raises(build, seed):
    """A seed must make the run repeat: None (fresh entropy) and non-integers are refused."""
    with pytest.raises(ValueError, match="seed"):
        build(seed=seed)
