"""The two questions the loss asks of the active Keras backend, answered for each backend.

Only this module knows which backend runs: TensorFlow, JAX and torch are each imported here
only when Keras runs on them, so ``import focal`` needs none of them but the active one.
"""

import keras


def is_concrete(*tensors):
    """Whether the values of ``tensors`` exist now (an eager call), not only their shapes.

    False while a function is traced for compilation (``tf.function``, ``jax.jit``,
    ``torch.compile``): there a value check cannot raise, so the loss skips it.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.executing_eagerly()
    if backend == "jax":
        import jax

        return not any(isinstance(tensor, jax.core.Tracer) for tensor in tensors)
    if backend == "torch":
        import torch

        return not torch.compiler.is_compiling()
    return True  # the NumPy backend is always eager


def compiled_by_xla():
    """Whether the ops being built now will be compiled by XLA (always on JAX).

    On TensorFlow this is true inside ``tf.function(jit_compile=True)`` and in
    ``model.fit`` when Keras compiles with XLA, and it is read from the graph's XLA context,
    the test TensorFlow's own gradients use (``array_grad.py``) to pick XLA-friendly forms.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf
        from tensorflow.python.ops import control_flow_util

        return control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())
    return backend == "jax"
