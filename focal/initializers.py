"""The prior-probability bias initialisation of Lin et al. (2017), section 3.3."""

from focal import validation

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="focal")
class PriorProbability(keras.initializers.Initializer):
    """Bias b_c = -log((1 - pi_c) / pi_c), so class c starts at p = sigmoid(b_c) = pi_c.

    With pi = 0.01 every output starts confident that it is negative, so the many easy
    negatives add little loss in the first iterations: the paper's reason for it is training
    stability early on (section 4.1, "Initialization"). ``pi`` is one probability for every
    class, or one per class (e.g. the training frequencies, so that each output starts at
    its own class's prior): the bias then has that length.

    Examples:
        keras.layers.Dense(10, bias_initializer=PriorProbability(0.01))
        keras.layers.Dense(3, bias_initializer=PriorProbability([0.5, 0.1, 0.01]))
    """

    def __init__(self, pi=0.01):
        self.pi = validation.scalar_or_vector("pi", pi, 0.0, 1.0)
        if np.any(np.isin(self.pi, (0.0, 1.0))):
            raise ValueError(f"`pi` must be strictly between 0 and 1, got {self.pi}.")

    def __call__(self, shape, dtype=None):
        pi = np.asarray(self.pi, dtype=np.float64)
        if pi.ndim and tuple(shape) != pi.shape:
            raise ValueError(
                f"`pi` holds {pi.size} class priors, {self.pi}, but the bias has shape "
                f"{tuple(shape)}: pass one prior per output, or a single number for all."
            )
        bias = np.broadcast_to(np.log(pi) - np.log1p(-pi), shape)
        return keras.ops.convert_to_tensor(bias, dtype=dtype or keras.config.floatx())

    def get_config(self):
        return {"pi": self.pi}
