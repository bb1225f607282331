"""The loss's input checks: shapes, ``sample_weight``, per-class vectors, value ranges, NaN,
and sparse or ragged tensors.

Each raises a ``ValueError`` that names the argument and shows what it got. The checks of
values (``check_values``) run on eager calls: inside a traced function the values are
unknown when Python runs, and only a TensorFlow graph without XLA can check them when it
runs (the targets, ``check_labels``).
"""

from focal import backend

import numpy as np
from keras import ops


def matched_shapes(y_true, y_pred):
    """Give a (N,) target a trailing axis for a (N, 1) prediction; reject other mismatches."""
    if len(y_pred.shape) == 0:
        raise ValueError(
            "`y_pred` must have a class axis (its last), got a scalar; pass [[p]] for one "
            "example with one class."
        )
    if y_pred.shape[-1] == 0:
        raise ValueError(f"`y_pred` has no classes: its last axis is empty, shape {y_pred.shape}.")
    if len(y_true.shape) == len(y_pred.shape) - 1 and y_pred.shape[-1] == 1:
        y_true = ops.expand_dims(y_true, -1)
    same_rank = len(y_true.shape) == len(y_pred.shape)
    pairs = zip(y_true.shape, y_pred.shape, strict=False)  # compared only when ranks match
    if not same_rank or any(a is not None and b is not None and a != b for a, b in pairs):
        raise ValueError(
            f"`y_true` and `y_pred` must have the same shape, got y_true.shape={y_true.shape} "
            f"and y_pred.shape={y_pred.shape}."
        )
    return y_true


def dense(name, value):
    """A sparse tensor densified (a missing entry is 0: a negative label, or a logit of 0);
    a ragged one refused, as a class axis of varying length has no fixed classes."""
    if backend.is_ragged(value):
        raise ValueError(
            f"`{name}` is a ragged tensor, but the loss needs one class axis of fixed length. "
            "Pass dense tensors, e.g. `.to_tensor()`: pad the targets with 0 and the logits "
            "with -inf so the padding adds no loss (each row's mean is then over the padded "
            "width)."
        )
    return ops.convert_to_tensor(value, sparse=False) if backend.is_sparse(value) else value


def _static_shape(value):
    shape = getattr(value, "shape", None)
    return tuple(np.shape(value) if shape is None else shape)


def check_sample_weight(sample_weight, y_pred):
    """Reject a sample_weight that cannot weight the per-example losses, shape y_pred.shape[:-1]
    (Keras drops a trailing axis of 1 and pads missing trailing axes before it multiplies)."""
    weight_shape, pred_shape = _static_shape(sample_weight), _static_shape(y_pred)
    loss_shape = pred_shape[:-1]
    shape = weight_shape
    if len(shape) == len(loss_shape) + 1 and shape[-1] == 1:
        shape = shape[:-1]
    shape = shape + (1,) * (len(loss_shape) - len(shape))
    fits = len(shape) == len(loss_shape) and all(
        a is None or b is None or a in (1, b) for a, b in zip(shape, loss_shape, strict=True)
    )
    if not fits:
        raise ValueError(
            f"`sample_weight` has shape {weight_shape}, which cannot weight the per-example "
            f"losses of shape {loss_shape} (y_pred.shape {pred_shape} less its class "
            "axis): pass one weight per example."
        )


def per_class(name, values, num_classes, dtype):
    if isinstance(values, list) and num_classes is not None and len(values) != num_classes:
        raise ValueError(
            f"`{name}` has {len(values)} entries but y_pred has {num_classes} classes "
            "(its last axis)."
        )
    largest, representable = float(np.max(values)), float(np.finfo(dtype).max)
    if largest > representable:
        raise ValueError(
            f"`{name}` holds {largest:g}, beyond the largest {dtype} ({representable:g}) "
            "that the loss is computed in; scale the weights down (e.g. to mean 1)."
        )
    return ops.convert_to_tensor(values, dtype=dtype)


def _value_range(tensor):
    """(min, max) of a non-empty concrete tensor as NumPy scalars of its own dtype."""
    low, high = ops.convert_to_numpy(ops.stack([ops.min(tensor), ops.max(tensor)]))
    return low, high


def check_values(y_true, y_pred, from_logits, check_labels=True):
    """Eager calls: targets in [0, 1]; probabilities in [0, 1] unless from_logits.

    Logits may be +-inf (a certain prediction) but not NaN: ``check_not_nan`` looks for NaN
    after the loss is computed, and only where it is not finite, which NaN makes it; so a
    batch without NaN pays one pass over the loss, not one over each input. Inside a traced
    function (model.fit, jax.jit) the values are unknown when Python runs, so these checks
    cannot raise there, and a NaN input gives a NaN loss, as in Keras; calling the loss
    eagerly once on a batch checks the data. With ``check_labels``, a TensorFlow graph
    without XLA checks the targets when it runs (``backend.check_labels_when_run``).
    """
    if not backend.is_concrete(y_true, y_pred):
        if check_labels:
            backend.check_labels_when_run(y_true)
        return
    if 0 in y_pred.shape:
        return
    low, high = _value_range(y_true)
    if not (0.0 <= low and high <= 1.0):  # a NaN that the min or max returns fails too
        raise ValueError(f"`y_true` must hold values in [0, 1], got values in [{low!s}, {high!s}].")
    if not from_logits:
        low, high = _value_range(y_pred)
        if not (0.0 <= low and high <= 1.0):
            raise ValueError(
                f"`y_pred` holds values in [{low!s}, {high!s}], outside [0, 1], but "
                "from_logits=False; pass from_logits=True if y_pred holds logits."
            )


def check_not_nan(loss, y_true, y_pred, from_logits):
    """Eager calls: raise if ``y_true``, or ``y_pred`` holding logits, holds NaN, looking at
    them only when ``loss``, computed from them, is not finite (a NaN input makes it NaN)."""
    if not backend.is_concrete(loss, y_true, y_pred) or 0 in y_pred.shape:
        return
    if ops.convert_to_numpy(ops.all(ops.isfinite(loss))):
        return
    if ops.convert_to_numpy(ops.any(ops.isnan(y_true))):
        raise ValueError("`y_true` must hold values in [0, 1], got nan.")
    if from_logits and ops.convert_to_numpy(ops.any(ops.isnan(y_pred))):
        raise ValueError("`y_pred` holds NaN logits; the loss of a NaN logit is undefined.")
