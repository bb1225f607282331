"""The prior-probability bias initialisation of Lin et al. (2017), section 3.3."""

from focal import validation

import math

import keras


@keras.saving.register_keras_serializable(package="focal")
class PriorProbability(keras.initializers.Initializer):
    """Bias b = -log((1 - pi) / pi), so every class starts at p = sigmoid(b) = pi.

    With pi = 0.01 the rare positives are not swamped by the loss of the many negatives at
    step 0 (the paper's fix for early instability).

    Examples:
        keras.layers.Dense(10, bias_initializer=PriorProbability(0.01))
    """

    def __init__(self, pi=0.01):
        self.pi = validation.number("pi", pi, 0.0, 1.0)
        if self.pi in (0.0, 1.0):
            raise ValueError(f"`pi` must be strictly between 0 and 1, got {self.pi}.")

    def __call__(self, shape, dtype=None):
        bias = -math.log((1.0 - self.pi) / self.pi)
        return keras.ops.full(shape, bias, dtype=dtype or keras.config.floatx())

    def get_config(self):
        return {"pi": self.pi}
