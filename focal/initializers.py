"""The prior-probability bias initialisation of Lin et al. (2017), section 3.3."""

from focal import validation

import keras
import numpy as np
from scipy import optimize, special


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


def constant_minimiser(loss, y_true, sample_weight=None, bound=30.0):
    """The per-class probability pi*_c of the best constant prediction under ``loss``:

        b*_c = argmin_b  sum_i w_i l_c(y_ic, b),   pi*_c = sigmoid(b*_c),

    what a model predicts before it has learned anything, if its output bias starts at the
    loss's own minimum. For BCE, pi*_c is the training frequency pi_c (section 3.3's
    prior); for alpha-balanced CE it is alpha pi / (alpha pi + (1 - alpha)(1 - pi)); focal
    terms and margins move it further (no closed form), so it is found numerically.

    ``loss`` is a Keras loss that sums or averages over classes and examples (e.g.
    ``FocalLoss(from_logits=True, dtype="float64")``: in float32 pi*_c is only good to about
    1e-3). One on probabilities (``from_logits=False``, e.g. ``focal.focal_loss(counts)``)
    is rebuilt from its config with ``from_logits=True``: the same loss, without the clipping
    of p. ``y_true`` holds the training targets (examples, classes), and
    ``sample_weight`` per-example weights if the training uses them. Each class is
    minimised on its own (the loss is a sum over classes), by Brent's method in
    [-bound, bound]: the loss may have no minimum inside (e.g. a class with no positives),
    and then the result sits at the bound.
    """
    y = np.asarray(validation.as_array("y_true", y_true), dtype=np.float64)
    if y.ndim != 2 or y.shape[0] == 0:
        raise ValueError(f"`y_true` must have shape (examples, classes), got {y.shape}.")
    bound = validation.number("bound", bound, 0.0)
    if bound == 0.0:
        raise ValueError("`bound` must be > 0, got 0.0.")
    weight = None
    if sample_weight is not None:
        weight = np.asarray(validation.as_array("sample_weight", sample_weight), np.float64)
        if weight.shape != y.shape[:1]:
            raise ValueError(
                f"`sample_weight` must hold one weight per example, shape {y.shape[:1]}, "
                f"got shape {weight.shape}."
            )
    loss = _on_logits(loss)
    logits = np.zeros_like(y)
    loss = _reduced_in_its_dtype(loss, y, logits, weight)

    def objective(b, c):
        logits[:, c] = b
        value = loss(y, logits, sample_weight=weight)
        return float(np.sum(keras.ops.convert_to_numpy(value)))

    best = np.empty(y.shape[1])
    for c in range(y.shape[1]):
        found = optimize.minimize_scalar(
            objective, bounds=(-bound, bound), args=(c,), method="bounded", options={"xatol": 1e-7}
        )
        best[c] = found.x
        logits[:, c] = 0.0
    return special.expit(best)


def _reduced_in_its_dtype(loss, y, logits, weight):
    """``loss``, or its twin with ``reduction="none"`` (summed by the caller) where Keras
    returns the reduced loss in a narrower dtype than the loss's own.

    Keras 3.15 on torch returns a float64 loss's mean in float32 (its ``divide_no_nan``), and
    a float32 objective places the minimum only to about 1e-3. The unreduced values keep
    the dtype; their sum has the same minimiser as the mean (the divisor does not depend
    on the logits). Where the dtype holds (TensorFlow, JAX) the loss is used as it is.
    """
    value = loss(y, logits, sample_weight=weight)
    dtype = getattr(loss, "dtype", None)
    if dtype is None or keras.backend.standardize_dtype(value.dtype) == dtype:
        return loss
    config = loss.get_config() if hasattr(loss, "get_config") else {}
    if "reduction" not in config:
        return loss
    return type(loss).from_config({**config, "reduction": "none"})


def _on_logits(loss):
    """``loss`` if it takes logits (or has no ``from_logits``), else its twin on logits."""
    if getattr(loss, "from_logits", True):
        return loss
    config = loss.get_config() if hasattr(loss, "get_config") else {}
    if "from_logits" not in config:
        raise ValueError(
            f"`loss` takes probabilities (from_logits=False) and {type(loss).__name__} has no "
            "`from_logits` in its config to rebuild it on logits; pass a loss on logits."
        )
    return type(loss).from_config({**config, "from_logits": True})
