"""What the loss asks of the active Keras backend, answered for each backend: is this call
eager, will XLA compile it, is an input ragged or sparse, and how does it take cross-entropy.

Only this module knows which backend runs: TensorFlow, JAX and torch are each imported here
only when Keras runs on them, so ``import focal`` needs none of them but the active one.
"""

import keras
from keras import ops


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


def is_ragged(value):
    """Whether ``value`` is a ragged tensor (only TensorFlow has them)."""
    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return isinstance(value, tf.RaggedTensor)


def is_sparse(value):
    """Whether ``value`` is a sparse tensor of the active backend (Keras densifies these)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return isinstance(value, tf.SparseTensor)
    if backend == "jax":
        from jax.experimental import sparse

        return isinstance(value, sparse.JAXSparse)
    return getattr(value, "is_sparse", False) is True


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


def fast_conditionals():
    """Whether the ops being built now run a conditional's taken branch as fast as the same
    ops outside one, so that computing only what a batch needs pays: on JAX, whose XLA fuses
    each branch into loops split across the cores as it does the rest.

    Not on TensorFlow: its XLA (2.21, on a CPU) runs a branch's loops on one thread, and in
    its graph and eager modes the conditional and the predicate's pass over the labels cost
    more than the one-sided terms save; the loss there keeps its one form.
    """
    return keras.backend.backend() == "jax"


def cross_entropy_parts(x):
    """(-log p, -log(1 - p)) from logits x, bit for bit the backend's own binary cross-entropy.

    ``keras.ops.binary_crossentropy(y, x, from_logits=True)`` at y = 1 and at y = 0, computed
    with the same kernels in the same order, so that a focal loss built as (cross-entropy) x
    (a factor <= 1) is never above cross-entropy, and gamma = 0 is cross-entropy exactly.
    TensorFlow and JAX both take max(+-x, 0) + log1p(exp(-|x|)):

    - TensorFlow: max(x, 0) - x y + log1p(exp(-|x|)), ``tf.nn.sigmoid_cross_entropy_with_logits``,
      and max(x, 0) - x is max(-x, 0) exactly;
    - JAX: -y log_sigmoid(x) - (1 - y) log_sigmoid(-x), and -log_sigmoid(x) is softplus(-x),
      which ``jnp.logaddexp(-x, 0)`` takes as max(-x, 0) + log1p(exp(-|x|));
    - any other backend: its binary cross-entropy at y = 1 and at y = 0.
    """
    if keras.backend.backend() in ("tensorflow", "jax"):
        softplus_of_minus_abs = ops.log1p(ops.exp(-ops.abs(x)))
        return ops.relu(-x) + softplus_of_minus_abs, ops.relu(x) + softplus_of_minus_abs
    ones = ops.ones_like(x)
    return (
        ops.binary_crossentropy(ones, x, from_logits=True),
        ops.binary_crossentropy(ones - 1.0, x, from_logits=True),
    )


def label_cross_entropy(z, exp_minus_abs):
    """-log sigmoid(z) = max(-z, 0) + log1p(exp(-|z|)), given exp(-|z|): the form that
    ``cross_entropy_parts`` takes on TensorFlow and JAX, so that at z = x and z = -x it equals
    their binary cross-entropy at y = 1 and y = 0 bit for bit. For TensorFlow and JAX only,
    where the loss takes one side per hard label (``fast_conditionals``).
    """
    return ops.relu(-z) + ops.log1p(exp_minus_abs)


def fused_focal_terms(x, y, gamma_pos, gamma_neg, w_pos, w_neg):
    """The per-element focal loss from logits (no margin) in the backend's own ops, with its
    closed-form gradient, where that takes fewer kernels than ``keras.ops``: on torch
    (``focal.fused_torch``). None elsewhere: TensorFlow and JAX run the ``keras.ops`` form.
    """
    if keras.backend.backend() != "torch":
        return None
    from focal import fused_torch

    return fused_torch.focal_terms(x, y, gamma_pos, gamma_neg, w_pos, w_neg)


def fused_focal_terms_from_probabilities(p, y, gamma_pos, gamma_neg, w_pos, w_neg):
    """As ``fused_focal_terms``, from probabilities clipped to [eps, 1 - eps]; on torch and
    for hard targets only (``focal.fused_torch``), else None."""
    if keras.backend.backend() != "torch":
        return None
    from focal import fused_torch

    return fused_torch.focal_terms_from_probabilities(p, y, gamma_pos, gamma_neg, w_pos, w_neg)


def probability_cross_entropy_parts(p, q):
    """(-log p, -log q) from probabilities p already clipped to [eps, 1 - eps], q = 1 - p.

    On torch, ``keras.ops.binary_crossentropy`` at y = 1 and at y = 0 (torch's own kernel,
    whose logs differ from ``torch.log`` and ``torch.log1p`` in the last bit, and which takes
    -log(1 - p) as -log1p(-p)), so that focal loss is never above Keras's cross-entropy there
    either. TensorFlow and JAX: -log(p) and -log(q), the logs their cross-entropy takes.
    """
    if keras.backend.backend() != "torch":
        return -ops.log(p), -ops.log(q)
    ones = ops.ones_like(p)
    return ops.binary_crossentropy(ones, p), ops.binary_crossentropy(ones - 1.0, p)


def check_labels_when_run(y_true):
    """In a traced TensorFlow graph, an assertion that fails when the graph runs if ``y_true``
    leaves [0, 1] (NaN included).

    ``tf.debugging.Assert`` is a stateful op, so ``tf.function`` (``model.fit``) runs it at
    every step and raises ``InvalidArgumentError`` with its message. Nothing is added under
    XLA, which drops Assert ops (TensorFlow's ``jit_compile``) or has no run-time assertion
    (JAX), nor under ``torch.compile``.
    """
    if keras.backend.backend() != "tensorflow" or compiled_by_xla():
        return
    import tensorflow as tf

    within = tf.reduce_all((y_true >= 0) & (y_true <= 1))
    # Only strings as data: TensorFlow then adds the bare Assert op, without a cond around it.
    message = "`y_true` must hold values in [0, 1]; the focal loss checks them at every step "
    tf.debugging.Assert(within, [message + "(check_labels=False skips this)."])
