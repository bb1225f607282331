"""Loss values and gradients on the active Keras backend, in each of its execution modes.

``MODES`` lists what the backend can run: TensorFlow eagerly, as a ``tf.function`` graph and
compiled by XLA; JAX op by op and under ``jax.jit``; torch eagerly. The loss code takes a
different path under XLA, so the tests run every mode.
"""

import keras
import numpy as np

BACKEND = keras.backend.backend()
MODES = {"tensorflow": ("eager", "graph", "xla"), "jax": ("eager", "xla"), "torch": ("eager",)}[
    BACKEND
]


def loss_and_grad(loss_fn, y, pred, dtype="float32", sample_weight=None, wrt="pred", mode="eager"):
    """(loss, d loss / d wrt) as NumPy arrays; ``wrt`` is "pred" or "y"."""
    y = keras.ops.convert_to_tensor(np.asarray(y), dtype=dtype)
    pred = keras.ops.convert_to_tensor(np.asarray(pred), dtype=dtype)
    index = 1 if wrt == "pred" else 0

    def value(y, pred):
        return loss_fn(y, pred, sample_weight=sample_weight)

    if BACKEND == "tensorflow":
        import tensorflow as tf

        def step(y, pred):
            with tf.GradientTape() as tape:
                tape.watch((y, pred)[index])
                loss = value(y, pred)
            return loss, tape.gradient(loss, (y, pred)[index])

        if mode != "eager":
            step = tf.function(step, jit_compile=mode == "xla")
        loss, grad = step(y, pred)
    elif BACKEND == "jax":
        import jax

        def summed(y, pred):  # jax.grad needs a scalar; a vector loss is summed, as TF does
            loss = value(y, pred)
            return keras.ops.sum(loss), loss

        step = jax.value_and_grad(summed, argnums=index, has_aux=True)
        (_, loss), grad = (jax.jit(step) if mode == "xla" else step)(y, pred)
    else:
        import torch

        inputs = [y.clone(), pred.clone()]
        inputs[index].requires_grad_(True)
        loss = value(*inputs)
        (grad,) = torch.autograd.grad(loss.sum(), inputs[index])
        loss = loss.detach()
    return keras.ops.convert_to_numpy(loss), keras.ops.convert_to_numpy(grad)


def loss_value(loss_fn, y, pred, dtype="float32", mode="eager"):
    """The loss alone, as a NumPy array, computed in ``mode`` (no gradient is taken)."""
    y = keras.ops.convert_to_tensor(np.asarray(y), dtype=dtype)
    pred = keras.ops.convert_to_tensor(np.asarray(pred), dtype=dtype)
    step = loss_fn
    if mode != "eager" and BACKEND == "tensorflow":
        import tensorflow as tf

        step = tf.function(loss_fn, jit_compile=mode == "xla")
    elif mode != "eager" and BACKEND == "jax":
        import jax

        step = jax.jit(loss_fn)
    return keras.ops.convert_to_numpy(step(y, pred))


def numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)
