"""Sigmoid focal loss for binary and multi-label targets, in ``keras.ops``.

Lin et al. (2017), "Focal Loss for Dense Object Detection", arXiv:1708.02002, eq. (4)-(5).
For one (example, class) pair with probability p = sigmoid(x) and label y in [0, 1]:

    L(p, y) = - y      w_pos (1 - p)^gamma_pos log(p)
              - (1 - y) w_neg  p^gamma_neg     log(1 - p)

with (w_pos, w_neg) = (alpha, 1 - alpha), or (1, 1) when alpha is None. For y in {0, 1} this
is eq. (5) (eq. (4) without alpha). For a soft y (label smoothing, distillation) it is the
expected hard-label loss under y: linear in y, so smoothing the targets by e is exactly the
mix (1 - e) L(p, y) + e L(p, 1/2), and its gradients stay finite. (Keras's
``BinaryFocalCrossentropy`` instead puts the soft y inside p_t = y p + (1 - y)(1 - p); both
agree on hard labels.)

Stability: from logits, log(p) and log(1 - p) are computed in log space, the modulating
factors are exp(gamma log(1 - p)) and exp(gamma log(p)), and the gradient is the closed form
of appendix B rather than autodiff through a power. Nothing is clipped and no power of a
number that may be 0 is differentiated, so gamma < 1 (gamma = 0 included) keeps finite
gradients at saturated outputs. Probabilities are clipped to [eps, 1 - eps] (as in Keras); a
sigmoid output of a Keras layer is traced back to its logits, as Keras does.
"""

from focal import validation
from focal.weights import inverse_frequency

import keras
import tensorflow as tf
from keras import ops

_REDUCTIONS_FOR_POSITIVES = ("sum", "none", None)


def check_hparams(
    gamma=2.0,
    gamma_pos=None,
    gamma_neg=None,
    alpha=None,
    class_weight=None,
    label_smoothing=0.0,
    from_logits=False,
    normalize_by_positives=False,
):
    """Validate the loss's hyperparameters; return them as a JSON-plain dict."""
    gamma = validation.number("gamma", gamma, 0.0)
    if gamma_pos is not None:
        gamma_pos = validation.number("gamma_pos", gamma_pos, 0.0)
    if gamma_neg is not None:
        gamma_neg = validation.number("gamma_neg", gamma_neg, 0.0)
    if alpha is not None:
        alpha = validation.scalar_or_vector("alpha", alpha, 0.0, 1.0)
    if class_weight is not None:
        class_weight = validation.vector("class_weight", class_weight, 0.0)
    if isinstance(alpha, list) and class_weight is not None and len(alpha) != len(class_weight):
        raise ValueError(
            f"`alpha` has {len(alpha)} entries but `class_weight` has {len(class_weight)}; "
            "both need one per class."
        )
    return {
        "gamma": gamma,
        "gamma_pos": gamma_pos,
        "gamma_neg": gamma_neg,
        "alpha": alpha,
        "class_weight": class_weight,
        "label_smoothing": validation.number(
            "label_smoothing", label_smoothing, 0.0, 1.0, high_open=True
        ),
        "from_logits": validation.flag("from_logits", from_logits),
        "normalize_by_positives": validation.flag("normalize_by_positives", normalize_by_positives),
    }


def _matched_shapes(y_true, y_pred):
    """Give a (N,) target a trailing axis for a (N, 1) prediction; reject other mismatches."""
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


def _per_class(name, values, num_classes, dtype):
    if isinstance(values, list) and num_classes is not None and len(values) != num_classes:
        raise ValueError(
            f"`{name}` has {len(values)} entries but y_pred has {num_classes} classes "
            "(its last axis)."
        )
    return ops.convert_to_tensor(values, dtype=dtype)


def _check_values(y_true, y_pred, from_logits):
    """Eager calls only: targets in [0, 1]; probabilities in [0, 1] unless from_logits.

    Inside a compiled graph (model.fit) the values are unknown when Python runs, so these
    checks cannot raise there; calling the loss eagerly once on a batch checks the data.
    """
    if not tf.executing_eagerly():
        return
    lo_true, hi_true, lo_pred, hi_pred = ops.convert_to_numpy(
        ops.stack(
            [
                ops.cast(ops.min(y_true), "float32"),
                ops.cast(ops.max(y_true), "float32"),
                ops.cast(ops.min(y_pred), "float32"),
                ops.cast(ops.max(y_pred), "float32"),
            ]
        )
    )
    if not (0.0 <= lo_true and hi_true <= 1.0):
        raise ValueError(
            f"`y_true` must hold values in [0, 1], got values in [{lo_true:g}, {hi_true:g}]."
        )
    if not from_logits and not (0.0 <= lo_pred and hi_pred <= 1.0):
        raise ValueError(
            f"`y_pred` holds values in [{lo_pred:g}, {hi_pred:g}], outside [0, 1], but "
            "from_logits=False; pass from_logits=True if y_pred holds logits."
        )


def _log_sigmoids(x):
    """(log p, log(1 - p)) for p = sigmoid(x), both from one exp and one log1p.

    log(1 + exp(-|x|)) never overflows and keeps full precision in both tails.
    """
    tail = ops.log1p(ops.exp(-ops.abs(x)))
    return -(tail + ops.relu(-x)), -(tail + ops.relu(x))


def _focal_terms_from_logits(x, y, gamma_pos, gamma_neg, w_pos, w_neg):
    """Per-element loss from logits, with the closed-form gradient of appendix B.

    With A = (1 - p)^gamma_pos and B = p^gamma_neg (eq. 10 for each side):
        d/dx [-A log p]       = A (gamma_pos p log p - (1 - p))
        d/dx [-B log(1 - p)]  = B (p - gamma_neg (1 - p) log(1 - p))
    Exact, finite for every x and gamma >= 0, and cheaper than autodiff through the
    forward pass.
    """

    @ops.custom_gradient
    def terms(x, y):
        log_p, log_q = _log_sigmoids(x)
        p, q = ops.exp(log_p), ops.exp(log_q)
        a = ops.exp(gamma_pos * log_q) if gamma_pos else 1.0
        b = ops.exp(gamma_neg * log_p) if gamma_neg else 1.0
        positive, negative = -a * log_p * w_pos, -b * log_q * w_neg
        loss = y * positive + (1.0 - y) * negative

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            d_positive = w_pos * a * (gamma_pos * p * log_p - q)
            d_negative = w_neg * b * (p - gamma_neg * q * log_q)
            d_x = upstream * (y * d_positive + (1.0 - y) * d_negative)
            return d_x, upstream * (positive - negative)

        return loss, grad

    return terms(x, y)


def _focal_terms_from_probabilities(p, y, gamma_pos, gamma_neg, w_pos, w_neg):
    """Per-element loss from probabilities clipped to [eps, 1 - eps], as Keras clips."""
    epsilon = keras.config.epsilon()
    p = ops.clip(p, epsilon, 1.0 - epsilon)
    log_p, log_q = ops.log(p), ops.log1p(-p)
    positive, negative = -log_p * w_pos, -log_q * w_neg
    if gamma_pos:
        positive = positive * ops.exp(gamma_pos * log_q)
    if gamma_neg:
        negative = negative * ops.exp(gamma_neg * log_p)
    return y * positive + (1.0 - y) * negative


def sigmoid_focal_crossentropy(
    y_true,
    y_pred,
    gamma=2.0,
    *,
    gamma_pos=None,
    gamma_neg=None,
    alpha=None,
    class_weight=None,
    label_smoothing=0.0,
    from_logits=False,
    normalize_by_positives=False,
):
    """Sigmoid focal loss per example (the module docstring has the formula).

    Args:
        y_true: targets in [0, 1], shape (..., C) (or (N,) for a (N, 1) prediction).
        y_pred: probabilities, or logits if ``from_logits``; same shape as y_true.
        gamma: focusing parameter >= 0 of eq. (4); 0 gives binary cross-entropy.
        gamma_pos, gamma_neg: override gamma for the positive / negative term
            (asymmetric focusing, Ridnik et al. 2021). Default: gamma.
        alpha: None (no balancing), a float in [0, 1], or one per class. Positives are
            weighted by alpha and negatives by 1 - alpha, as in eq. (5).
        class_weight: None or one weight >= 0 per class, multiplying that class's loss
            (positives and negatives alike), e.g. from ``focal.weights``.
        label_smoothing: e in [0, 1): targets become y (1 - e) + e / 2.
        from_logits: whether y_pred holds logits (recommended: exact and stable).
        normalize_by_positives: sum over classes and divide by the number of positive
            labels in the batch (at least 1), as the paper does; reduce with "sum".

    Returns:
        The loss per example, shape y_pred.shape[:-1]: the mean over classes, or the
        positive-normalised sum. Same dtype as y_pred.

    >>> float(sigmoid_focal_crossentropy([[1.0]], [[0.9]], gamma=2.0)[0])  # 0.1^2 * -log(0.9)
    0.0010536...
    """
    hp = check_hparams(
        gamma,
        gamma_pos,
        gamma_neg,
        alpha,
        class_weight,
        label_smoothing,
        from_logits,
        normalize_by_positives,
    )
    y_pred = ops.convert_to_tensor(y_pred)
    out_dtype = y_pred.dtype
    # Half precision would underflow the clipping and the factors; compute in float32.
    dtype = "float32" if out_dtype in ("float16", "bfloat16") else out_dtype
    y_true = _matched_shapes(ops.convert_to_tensor(y_true), y_pred)
    _check_values(y_true, y_pred, hp["from_logits"])
    y_true = ops.cast(y_true, dtype)

    e = hp["label_smoothing"]
    y = y_true * (1.0 - e) + 0.5 * e if e else y_true
    gamma_pos = hp["gamma"] if hp["gamma_pos"] is None else hp["gamma_pos"]
    gamma_neg = hp["gamma"] if hp["gamma_neg"] is None else hp["gamma_neg"]
    num_classes = y_pred.shape[-1]
    w_pos = w_neg = 1.0  # no alpha: both sides count fully
    if hp["alpha"] is not None:
        w_pos = _per_class("alpha", hp["alpha"], num_classes, dtype)
        w_neg = 1.0 - w_pos

    factors = (gamma_pos, gamma_neg, w_pos, w_neg)
    logits = y_pred if hp["from_logits"] else getattr(y_pred, "_keras_logits", None)
    if logits is not None:
        loss = _focal_terms_from_logits(ops.cast(logits, dtype), y, *factors)
    else:
        loss = _focal_terms_from_probabilities(ops.cast(y_pred, dtype), y, *factors)
    if hp["class_weight"] is not None:
        loss = loss * _per_class("class_weight", hp["class_weight"], num_classes, dtype)

    if hp["normalize_by_positives"]:
        loss = ops.sum(loss, axis=-1) / ops.maximum(ops.sum(y_true), 1.0)
    else:
        loss = ops.mean(loss, axis=-1)
    return ops.cast(loss, out_dtype)


@keras.saving.register_keras_serializable(package="focal")
class FocalLoss(keras.losses.Loss):
    """Sigmoid focal loss for multi-label and binary targets (Lin et al. 2017, eq. 4-5).

    One independent sigmoid per class; negatives contribute loss and gradient.
    ``FocalLoss(gamma=0.0)`` is ``keras.losses.BinaryCrossentropy``; on hard labels
    ``FocalLoss(gamma=g, alpha=a)`` is ``BinaryFocalCrossentropy(gamma=g, alpha=a,
    apply_class_balancing=True)``. See ``sigmoid_focal_crossentropy`` for the arguments
    and the module docstring for the formula.

    Args:
        gamma, gamma_pos, gamma_neg, alpha, class_weight, label_smoothing, from_logits,
        normalize_by_positives: as in ``sigmoid_focal_crossentropy``.
        reduction: a Keras reduction. With ``normalize_by_positives=True`` it must be
            "sum" (the paper's loss) or "none".
        name, dtype: as in ``keras.losses.Loss``.

    Examples:
        model.compile(optimizer="adam", loss=FocalLoss(gamma=2.0, alpha=0.25, from_logits=True))

    >>> loss = FocalLoss(gamma=2.0, alpha=0.25)
    >>> # (0.25 * 0.1^2 * -log(0.9) + 0.75 * 0.2^2 * -log(0.8)) / 2 classes
    >>> round(float(loss([[1.0, 0.0]], [[0.9, 0.2]])), 6)
    0.003479
    """

    def __init__(
        self,
        *,
        gamma=2.0,
        gamma_pos=None,
        gamma_neg=None,
        alpha=None,
        class_weight=None,
        label_smoothing=0.0,
        from_logits=False,
        normalize_by_positives=False,
        reduction="sum_over_batch_size",
        name="focal_loss",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._hparams = check_hparams(
            gamma,
            gamma_pos,
            gamma_neg,
            alpha,
            class_weight,
            label_smoothing,
            from_logits,
            normalize_by_positives,
        )
        if normalize_by_positives and reduction not in _REDUCTIONS_FOR_POSITIVES:
            raise ValueError(
                "`normalize_by_positives=True` divides the batch's summed loss by its number "
                f"of positives, so `reduction` must be 'sum' (or 'none'), got {reduction!r}."
            )
        self._dtype_arg = dtype

    def call(self, y_true, y_pred):
        return sigmoid_focal_crossentropy(y_true, y_pred, **self._hparams)

    def get_config(self):
        return {**super().get_config(), **self._hparams, "dtype": self._dtype_arg}


def focal_loss(classes_num, gamma=2.0, alpha=0.25, e=0.1):
    """Drop-in, corrected replacement for the seed snippet's ``focal_loss(classes_num, ...)``.

    Same arguments; returns a ``FocalLoss`` on sigmoid probabilities with class weights from
    the counts (inverse frequency normalised to mean 1, so the loss keeps the scale of BCE),
    alpha applied as in eq. (5), and ``e`` as label smoothing toward 0.5.
    """
    return FocalLoss(
        gamma=gamma,
        alpha=alpha,
        class_weight=inverse_frequency(classes_num).tolist(),
        label_smoothing=e,
    )
