"""The small model the notebooks train: one definition, so every comparison uses the same one."""

from focal.data import NUM_CLASSES
from focal.initializers import PriorProbability

import keras
import numpy as np


def small_mlp(hidden=64, num_classes=NUM_CLASSES, prior=0.01, seed=0):
    """Flatten -> Dense(hidden, relu) -> Dense(num_classes) logits, for 16x16x1 images.

    The output layer is linear (pass ``from_logits=True`` to the loss) and its bias starts at
    the prior probability ``prior`` (Lin et al. 2017, section 3.3); ``prior=None`` keeps the
    Keras default bias of 0.

    ``seed`` seeds the two kernel initialisers (Glorot uniform, as Keras's default) and
    nothing else: the same seed gives the same initial weights, and the global NumPy, Python
    and backend generators (data shuffling in ``fit``, dropout) are left as they were. Seed
    those with ``keras.utils.set_random_seed`` where a run must repeat exactly.
    """
    hidden_seed, output_seed = (int(s) for s in np.random.SeedSequence(seed).generate_state(2))
    bias = "zeros" if prior is None else PriorProbability(prior)
    return keras.Sequential(
        [
            keras.Input((16, 16, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(
                hidden,
                activation="relu",
                kernel_initializer=keras.initializers.GlorotUniform(seed=hidden_seed),
            ),
            keras.layers.Dense(
                num_classes,
                kernel_initializer=keras.initializers.GlorotUniform(seed=output_seed),
                bias_initializer=bias,
                name="logits",
            ),
        ]
    )
