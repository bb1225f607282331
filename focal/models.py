"""The small models the notebooks train: one definition each, so every comparison shares it."""

from focal import validation
from focal.data import NUM_CLASSES
from focal.initializers import PriorProbability

import keras
import numpy as np


def kernel_initializers(seed, count):
    """``count`` Glorot-uniform initialisers (Keras's default) seeded from ``seed`` alone."""
    states = np.random.SeedSequence(validation.seed("seed", seed)).generate_state(count)
    return [keras.initializers.GlorotUniform(seed=int(state)) for state in states]


def output_bias(prior):
    """The output layer's bias initialiser: ``PriorProbability(prior)``, or zeros for None."""
    return "zeros" if prior is None else PriorProbability(prior)


def small_mlp(hidden=64, num_classes=NUM_CLASSES, prior=0.01, seed=0):
    """Flatten -> Dense(hidden, relu) -> Dense(num_classes) logits, for 16x16x1 images.

    The output layer is linear (pass ``from_logits=True`` to the loss) and its bias starts at
    the prior probability ``prior`` (Lin et al. 2017, sections 3.3 and 4.1), one for every
    class or one per class; ``prior=None`` keeps the Keras default bias of 0.

    ``seed`` seeds the two kernel initialisers (Glorot uniform, as Keras's default) and
    nothing else: the same seed gives the same initial weights, and the global NumPy, Python
    and backend generators (data shuffling in ``fit``, dropout) are left as they were. Seed
    those with ``keras.utils.set_random_seed`` where a run must repeat exactly.
    """
    hidden_init, output_init = kernel_initializers(seed, 2)
    return keras.Sequential(
        [
            keras.Input((16, 16, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(hidden, activation="relu", kernel_initializer=hidden_init),
            keras.layers.Dense(
                num_classes,
                kernel_initializer=output_init,
                bias_initializer=output_bias(prior),
                name="logits",
            ),
        ]
    )


def small_cnn(width=16, num_classes=NUM_CLASSES, prior=0.01, seed=0):
    """Three 3x3 conv layers (width, 2 width, 2 width; ReLU; 2x2 max-pool after the first two),
    global max pooling, then Dense(num_classes) logits, for 16x16x1 images.

    Convolutions share their weights across positions and the global max asks "is the
    pattern anywhere?", so a digit is detected in any cell of the grid: unlike an MLP, the
    model does not have to learn each class four times, once per cell. The receptive field
    of the last layer (18 px) covers a whole 8x8 cell.

    ``prior`` is the output's starting probability: one for every class, one per class (the
    training frequencies, as Lin et al. start at the prior), or None for a zero bias.
    ``seed`` seeds the four kernel initialisers and nothing else, as in ``small_mlp``.
    """
    inits = kernel_initializers(seed, 4)
    conv = dict(kernel_size=3, padding="same", activation="relu")
    return keras.Sequential(
        [
            keras.Input((16, 16, 1)),
            keras.layers.Conv2D(width, kernel_initializer=inits[0], **conv),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(2 * width, kernel_initializer=inits[1], **conv),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(2 * width, kernel_initializer=inits[2], **conv),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(
                num_classes,
                kernel_initializer=inits[3],
                bias_initializer=output_bias(prior),
                name="logits",
            ),
        ]
    )
