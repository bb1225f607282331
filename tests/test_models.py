"""focal.models.small_mlp: the shared notebook model starts where it says it does."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.models import small_mlp

import numpy as np


def test_outputs_start_at_the_prior():
    model = small_mlp(prior=0.05)
    logits = model(np.zeros((2, 16, 16, 1), dtype="float32")).numpy()
    assert logits.shape == (2, 10)
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), 0.05, rtol=1e-5)


def test_no_prior_keeps_a_zero_bias():
    model = small_mlp(prior=None)
    np.testing.assert_array_equal(model.get_layer("logits").bias.numpy(), np.zeros(10))


def test_the_seed_fixes_the_initial_weights():
    def first_kernel(seed):
        return small_mlp(seed=seed).layers[1].kernel.numpy()

    np.testing.assert_array_equal(first_kernel(3), first_kernel(3))
    assert not np.array_equal(first_kernel(3), first_kernel(4))
