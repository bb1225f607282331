"""Sigmoid focal loss for binary and multi-label targets, in ``keras.ops`` (any Keras backend).

Lin et al. (2017), "Focal Loss for Dense Object Detection", arXiv:1708.02002, eq. (4)-(5).
For one (example, class) pair with probability p = sigmoid(x) and label y in [0, 1]:

    L(p, y) = - y      w_pos (1 - p)^gamma_pos log(p)
              - (1 - y) w_neg  p_m^gamma_neg   log(1 - p_m),     p_m = max(p - m, 0)

with (w_pos, w_neg) = (alpha, 1 - alpha), or (1, 1) when alpha is None, and the margin
m = 0 unless given. For y in {0, 1} and m = 0 this is eq. (5) (eq. (4) without alpha);
gamma_pos = 0, gamma_neg = 4, m = 0.05 is the asymmetric loss (ASL) of Ridnik et al. (2021).
For a soft y (label smoothing, distillation) it is the expected hard-label loss under y:
linear in y, so smoothing the targets by e is exactly the mix (1 - e) L(p, y) + e L(p, 1/2),
and its gradients stay finite. (Keras's ``BinaryFocalCrossentropy`` instead puts the soft y
inside p_t = y p + (1 - y)(1 - p); both agree on hard labels.)

Stability: from logits, -log(p) and -log(1 - p) are computed in log space and the gradient
is the closed form of appendix B (eq. 10 for each side) rather than autodiff: no power of a
number that may be 0 is differentiated, so gamma < 1 (gamma = 0 included) keeps finite
gradients at saturated outputs, and a logit of +-inf costs 0 on its correct side. NaN logits
raise on an eager call; inside a traced function they give NaN, as in Keras. Probabilities
are clipped to [eps, 1 - eps] (as in Keras); a sigmoid output of a Keras layer is traced back
to its logits, as Keras does.

Exact identities: -log(p) and -log(1 - p) are the backend's own binary cross-entropy at y = 1
and y = 0, bit for bit (``backend.cross_entropy_parts``), and each term is that times a factor
in [0, 1]; so on hard labels FL <= CE elementwise exactly, and gamma = 0 (no alpha, no margin)
returns the backend's BCE itself: ``FocalLoss(gamma=0)`` equals ``BinaryCrossentropy`` to the
last bit, soft labels included.

Speed: p and 1 - p are two sigmoid kernels op by op (TensorFlow eagerly or in a graph),
where the fewest kernels win; compiled by XLA (JAX, ``jit_compile=True``) they come from the
exp(-|x|) the cross-entropy takes anyway and one division, all fused; on JAX a batch whose
labels are all 0 or 1 computes only each label's own side, chosen when the step runs, with
the same values and gradients to the bit (``_focal_terms_by_labels``). Small integer gammas
(2 is the default) use products instead of powers. On torch (eager), the terms without a
margin run in torch's own ops (``focal.fused_torch``), in place where they can, and the
gradient is computed with the value so that the backward pass is one product; from
probabilities, hard targets take one cross-entropy kernel, at the labels. The eager checks
look for NaN in the inputs only when the loss is not finite.
"""

from focal import backend, inputs, validation
from focal.weights import checked_counts, inverse_frequency

import keras
import numpy as np
from keras import ops

_REDUCTIONS_FOR_POSITIVES = ("sum", "none", None)


def check_hparams(
    gamma=2.0,
    gamma_pos=None,
    gamma_neg=None,
    alpha=None,
    class_weight=None,
    label_smoothing=0.0,
    margin=0.0,
    from_logits=False,
    normalize_by_positives=False,
    check_labels=True,
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
        "margin": validation.number("margin", margin, 0.0, 1.0, high_open=True),
        "from_logits": validation.flag("from_logits", from_logits),
        "normalize_by_positives": validation.flag("normalize_by_positives", normalize_by_positives),
        "check_labels": validation.flag("check_labels", check_labels),
    }


def _probabilities(x):
    """(p, 1 - p) from logits: two sigmoid kernels op by op; under XLA, one exp and a division.

    Under XLA, exp(-|x|) is the one the cross-entropy takes, so the two share it.
    """
    if not backend.compiled_by_xla():
        return ops.sigmoid(x), ops.sigmoid(-x)
    e = ops.exp(-ops.abs(x))
    r = 1.0 / (1.0 + e)
    nonnegative = x >= 0
    return ops.where(nonnegative, r, e * r), ops.where(nonnegative, e * r, r)


def _finite(x):
    """x clipped to +-sqrt(largest float) (1.8e19 in float32); NaN stays NaN.

    Beyond |x| = 104 (float32) p is exactly 0 or 1 already, so only the wrong side's loss
    |x| is capped. A logit of +-inf is a certain prediction: its loss is 0 on the correct
    side, and keeping it finite keeps 0 * inf (the other side's weight) out of the sum;
    the square root keeps gamma (-log(1 - p)) finite in the gradient, in any order of products.
    """
    bound = float(np.sqrt(np.finfo(keras.backend.standardize_dtype(x.dtype)).max))
    return ops.clip(x, -bound, bound)


def _power(v, gamma, minus_log_v):
    """v^gamma: products for a small integer gamma (exact, cheapest), else exp(gamma log v).

    ``minus_log_v`` is a function giving -log v, called only when it is needed.
    """
    if gamma == int(gamma) and gamma <= 4:
        result = v
        for _ in range(int(gamma) - 1):
            result = result * v
        return result
    return ops.exp(-gamma * minus_log_v())


def _weighted_term(ce, factor, weight):
    """ce * factor * weight, skipping the multiplications by 1 (each is a kernel eagerly)."""
    term = ce if factor is None else ce * factor
    return term if weight is None else term * weight


class _Parts:
    """The per-element quantities both terms and their gradients are built from."""

    def __init__(self, ce_pos, ce_neg, p, q, gamma_pos, gamma_neg, margin):
        self.ce_pos, self.ce_neg, self.p, self.q = ce_pos, ce_neg, p, q
        self.gamma_pos, self.gamma_neg, self.margin = gamma_pos, gamma_neg, margin
        self.a = _power(q, gamma_pos, lambda: ce_neg) if gamma_pos else None  # (1 - p)^gamma_pos
        if margin:
            # p_m = p - m where p > m (else the term is 0); 1 - p_m = q + m >= m > 0.
            self.shifted = p > margin
            self.p_m = ops.where(self.shifted, p - margin, 1.0)  # 1 where masked: no 0^gamma
            self.ce_m = -ops.log(q + margin)
            self.b = _power(self.p_m, gamma_neg, lambda: -ops.log(self.p_m)) if gamma_neg else None
        else:
            self.b = _power(p, gamma_neg, lambda: ce_pos) if gamma_neg else None  # p^gamma_neg

    def positive(self, w_pos):
        """w_pos (1 - p)^gamma_pos (-log p)."""
        return _weighted_term(self.ce_pos, self.a, w_pos)

    def negative(self, w_neg):
        """w_neg p_m^gamma_neg (-log(1 - p_m))."""
        if not self.margin:
            return _weighted_term(self.ce_neg, self.b, w_neg)
        term = _weighted_term(self.ce_m, self.b, w_neg)
        return ops.where(self.shifted, term, 0.0)

    def d_positive(self, w_pos):
        """d/dx of the positive term, eq. (10): -w_pos (1 - p)^g (g p (-log p) + 1 - p)."""
        inner = self.q
        if self.gamma_pos:
            inner = inner + self.gamma_pos * self.p * self.ce_pos
        return -_weighted_term(inner, self.a, w_pos)

    def d_negative(self, w_neg):
        """d/dx of the negative term: w_neg p^g (p + g (1 - p)(-log(1 - p))), eq. (10) mirrored.

        With a margin, dp_m/dx = p (1 - p) where p > m, so it is
        w_neg p (1 - p) p_m^g (g (-log(1 - p_m)) / p_m + 1 / (1 - p_m)).
        """
        if not self.margin:
            inner = self.p
            if self.gamma_neg:
                inner = inner + self.gamma_neg * self.q * self.ce_neg
            return _weighted_term(inner, self.b, w_neg)
        inner = 1.0 / (self.q + self.margin)
        if self.gamma_neg:
            inner = inner + self.gamma_neg * self.ce_m / self.p_m
        d_term = _weighted_term(self.p * self.q * inner, self.b, w_neg)
        return ops.where(self.shifted, d_term, 0.0)


def _logit_parts(x, gamma_pos, gamma_neg, margin):
    """``_Parts`` of logits x (already clipped by ``_finite``): the backend's cross-entropies
    and p, 1 - p, as the loss and its closed-form gradient take them."""
    return _Parts(*backend.cross_entropy_parts(x), *_probabilities(x), gamma_pos, gamma_neg, margin)


def _is_cross_entropy(gamma_pos, gamma_neg, margin, w_pos):
    """Whether the loss is plain binary cross-entropy (gamma 0, no alpha, no margin)."""
    return not gamma_pos and not gamma_neg and not margin and w_pos is None


class _LabelSide:
    """The loss and its gradient at each hard label's own side only: with z = x if y = 1,
    else -x, p_t = sigmoid(z), and (g, w_t) = (gamma_pos, w_pos) if y = 1, else
    (gamma_neg, w_neg),

        L = w_t (1 - p_t)^g (-log p_t),   dL/dx = -+ w_t (1 - p_t)^g (1 - p_t + g p_t (-log p_t))

    (eq. 10, sign - for y = 1). These are ``_Parts``'s products for that side, taken in the
    same order, so for y in {0, 1} the values and gradients are the both-sides form's to the bit.
    ``e`` is exp(-|x|), of the clipped x or not: beyond the clip both are 0.
    """

    def __init__(self, x, y, e, gamma_pos, gamma_neg, w_pos, w_neg):
        x = _finite(x)
        self.positive = y == 1
        z = ops.where(self.positive, x, -x)
        self.ce = backend.label_cross_entropy(z, e)  # -log p_t
        r = 1.0 / (1.0 + e)
        nonnegative = z >= 0
        self.p, self.q = ops.where(nonnegative, r, e * r), ops.where(nonnegative, e * r, r)

        def power(gamma):  # (1 - p_t)^gamma; -log(1 - p_t) is the cross-entropy at -z
            return _power(self.q, gamma, lambda: backend.label_cross_entropy(-z, e))

        if gamma_pos == gamma_neg:
            self.gamma = gamma_pos or None  # None: no factor, and 1 - p_t alone in dL/dx
            self.factor = power(gamma_pos) if gamma_pos else None
        else:
            dtype = x.dtype
            self.gamma = ops.where(
                self.positive, ops.cast(gamma_pos, dtype), ops.cast(gamma_neg, dtype)
            )
            self.factor = ops.where(
                self.positive,
                power(gamma_pos) if gamma_pos else ops.cast(1.0, dtype),
                power(gamma_neg) if gamma_neg else ops.cast(1.0, dtype),
            )
        self.w = None if w_pos is None else ops.where(self.positive, w_pos, w_neg)

    def loss(self):
        return _weighted_term(self.ce, self.factor, self.w)

    def d_x(self):
        inner = self.q if self.gamma is None else self.q + self.gamma * self.p * self.ce
        d_term = _weighted_term(inner, self.factor, self.w)
        return ops.where(self.positive, -d_term, d_term)


def _focal_terms_from_logits(x, y, gamma_pos, gamma_neg, margin, w_pos, w_neg, smoothed=False):
    """Per-element loss from logits, with the closed-form gradient of appendix B.

    Where a conditional is cheap (JAX), without a margin or label smoothing,
    ``_focal_terms_by_labels``; else both sides, ``_both_sides_terms``.
    """
    plain = _is_cross_entropy(gamma_pos, gamma_neg, margin, w_pos)
    if not plain and not margin:
        fused = backend.fused_focal_terms(x, y, gamma_pos, gamma_neg, w_pos, w_neg)
        if fused is not None:  # torch: the same terms in torch's own ops
            return fused
        if not smoothed and backend.fast_conditionals():
            return _focal_terms_by_labels(x, y, gamma_pos, gamma_neg, w_pos, w_neg)
    return _both_sides_terms(x, y, gamma_pos, gamma_neg, margin, w_pos, w_neg)


def _both_sides_terms(x, y, gamma_pos, gamma_neg, margin, w_pos, w_neg):
    """y L(p, 1) + (1 - y) L(p, 0) per element, both terms and both derivatives computed."""
    plain = _is_cross_entropy(gamma_pos, gamma_neg, margin, w_pos)

    @ops.custom_gradient
    def terms(x, y):
        x = _finite(x)  # inside: the closed-form gradient is taken at the clipped logit
        parts = _logit_parts(x, gamma_pos, gamma_neg, margin)
        positive, negative = parts.positive(w_pos), parts.negative(w_neg)
        not_y = 1.0 - y
        if plain:  # the backend's own BCE, so gamma = 0 is BCE to the last bit (soft y too)
            loss = ops.binary_crossentropy(y, x, from_logits=True)
        else:
            # A hard label picks one term exactly (1 t + 0 u = t), and each term is the
            # backend's cross-entropy times a factor <= 1: FL <= CE bit for bit. It is
            # y a + (1 - y) b, not b + y (a - b): that cancels when a << b and y = 1.
            loss = y * positive + not_y * negative

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            d_positive, d_negative = parts.d_positive(w_pos), parts.d_negative(w_neg)
            d_x = upstream * (y * d_positive + not_y * d_negative)
            return d_x, upstream * (positive - negative)

        return loss, grad

    return terms(x, y)


def _focal_terms_by_labels(x, y, gamma_pos, gamma_neg, w_pos, w_neg):
    """Per-element loss: a batch whose labels are all 0 or 1 computes each label's own side
    only (``_LabelSide``), any other batch both sides, as ``_both_sides_terms`` does.

    The choice is made when the step runs, by a conditional: XLA runs only its taken branch,
    and fuses each branch, forward and backward, into one loop over x and y, so that the only
    intermediate written to memory is exp(-|x|), which the two passes share (the forward's
    loss aside). The backward pass recomputes the rest from x rather than reading it back.
    """

    def both_sides(x):
        parts = _logit_parts(_finite(x), gamma_pos, gamma_neg, 0)
        return parts, parts.positive(w_pos), parts.negative(w_neg)

    def by_label(x, y, e):
        return _LabelSide(x, y, e, gamma_pos, gamma_neg, w_pos, w_neg)

    @ops.custom_gradient
    def terms(x, y):
        hard = ops.all((y == 0) | (y == 1))
        e = ops.exp(-ops.abs(x))

        def soft_loss():
            _, positive, negative = both_sides(x)
            return y * positive + (1.0 - y) * negative

        loss = ops.cond(hard, lambda: by_label(x, y, e).loss(), soft_loss)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args

            def soft_d_x():
                parts, _, _ = both_sides(x)
                d_x = y * parts.d_positive(w_pos) + (1.0 - y) * parts.d_negative(w_neg)
                return upstream * d_x

            d_x = ops.cond(hard, lambda: upstream * by_label(x, y, e).d_x(), soft_d_x)
            _, positive, negative = both_sides(x)  # d/dy needs both sides
            return d_x, upstream * (positive - negative)

        return loss, grad

    return terms(x, y)


def _focal_terms_from_probabilities(p, y, gamma_pos, gamma_neg, margin, w_pos, w_neg):
    """Per-element loss from probabilities clipped to [eps, 1 - eps], as Keras clips.

    -log p and -log(1 - p) are taken as Keras's binary cross-entropy takes them, so the
    identities with it hold bit for bit (pass logits for exact logs in the tails). Autodiff
    gives the gradient here: after clipping every log and power is smooth.
    """
    epsilon = keras.config.epsilon()
    p = ops.clip(p, epsilon, 1.0 - epsilon)
    if _is_cross_entropy(gamma_pos, gamma_neg, margin, w_pos):
        return ops.binary_crossentropy(y, p)  # gamma = 0 is BCE to the last bit
    if not margin:
        fused = backend.fused_focal_terms_from_probabilities(
            p, y, gamma_pos, gamma_neg, w_pos, w_neg
        )
        if fused is not None:  # torch, hard targets: one cross-entropy kernel, at the labels
            return fused
    q = 1.0 - p
    parts = _Parts(
        *backend.probability_cross_entropy_parts(p, q), p, q, gamma_pos, gamma_neg, margin
    )
    return y * parts.positive(w_pos) + (1.0 - y) * parts.negative(w_neg)


def _floating(tensor):
    dtype = keras.backend.standardize_dtype(tensor.dtype)
    return tensor if "float" in dtype else ops.cast(tensor, keras.config.floatx())


_HYPERPARAMETERS = """\
gamma: focusing parameter >= 0 of eq. (4); 0 gives binary cross-entropy. Default 2.0.
gamma_pos, gamma_neg: override gamma for the positive / negative term
    (asymmetric focusing, Ridnik et al. 2021). Default: gamma.
alpha: None (no balancing, the default), a float in [0, 1], or one per class. Positives
    are weighted by alpha and negatives by 1 - alpha, as in eq. (5).
class_weight: None or one weight >= 0 per class, multiplying that class's loss
    (positives and negatives alike), e.g. from ``focal.weights``.
label_smoothing: e in [0, 1): targets become y (1 - e) + e / 2, and the loss the mix
    (1 - e) L(p, y) + e L(p, 1/2). Unlike Keras's
    ``BinaryFocalCrossentropy(label_smoothing=e)``, which puts the soft target inside p_t,
    this keeps the smoothing on confident outputs: at e = 0.05, gamma = 2, a positive at
    logit 4 (p = 0.982) costs 0.0969 here and 0.000209 in Keras.
margin: m in [0, 1), ASL's probability margin: negatives see p_m = max(p - m, 0),
    so a negative with p <= m has no loss, and a very confident one (likely a
    missing label) gets less gradient.
from_logits: whether y_pred holds logits (recommended: exact and stable).
normalize_by_positives: sum over classes and divide by the number of positive
    labels in the batch (at least 1), as the paper does; reduce with "sum".
check_labels: check y_true inside a traced TensorFlow function too (``model.fit`` on a
    CPU): a step with a label outside [0, 1] raises ``InvalidArgumentError``, for about 1 %
    (9-15 us) of a training step of notebook 07's small MLP (``benchmarks/label_check.py``).
    Default True; eager calls always check. XLA (``jit_compile``, Keras's default on a GPU;
    JAX) and ``torch.compile`` have no run-time assertion, so there labels go unchecked.
"""


def _document_hyperparameters(obj):
    """Put the hyperparameters' descriptions, written once above, into ``obj``'s Args."""
    indent = "\n" + " " * 8
    obj.__doc__ = obj.__doc__.replace(
        "{hyperparameters}", indent.join(_HYPERPARAMETERS.rstrip().splitlines())
    )
    return obj


@_document_hyperparameters
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
    margin=0.0,
    from_logits=False,
    normalize_by_positives=False,
    check_labels=True,
):
    """Sigmoid focal loss per example (the module docstring has the formula).

    Args:
        y_true: targets in [0, 1], shape (..., C) (or (N,) for a (N, 1) prediction).
        y_pred: probabilities, or logits if ``from_logits``; same shape as y_true.
        {hyperparameters}

    Returns:
        The loss per example, shape y_pred.shape[:-1]: the mean over classes, or the
        positive-normalised sum. Same dtype as y_pred.

    >>> float(sigmoid_focal_crossentropy([[1.0]], [[0.9]], gamma=2.0)[0])  # 0.1^2 * -log(0.9)
    0.0010536...
    >>> # ASL on a negative at p = 0.25, m = 0.05: -(0.2)^4 log(0.8)
    >>> float(sigmoid_focal_crossentropy([[0.0]], [[0.25]], gamma_pos=0, gamma_neg=4,
    ...                                  margin=0.05)[0])
    0.000357...
    """
    hp = check_hparams(
        gamma,
        gamma_pos,
        gamma_neg,
        alpha,
        class_weight,
        label_smoothing,
        margin,
        from_logits,
        normalize_by_positives,
        check_labels,
    )
    y_pred = _floating(ops.convert_to_tensor(inputs.dense("y_pred", y_pred)))
    out_dtype = keras.backend.standardize_dtype(y_pred.dtype)
    # Half precision would underflow the clipping and the factors; compute in float32.
    dtype = "float32" if out_dtype in ("float16", "bfloat16") else out_dtype
    y_true = inputs.matched_shapes(ops.convert_to_tensor(inputs.dense("y_true", y_true)), y_pred)
    inputs.check_values(y_true, y_pred, hp["from_logits"], hp["check_labels"])
    y_true = ops.cast(y_true, dtype)

    e = hp["label_smoothing"]
    y = y_true * (1.0 - e) + 0.5 * e if e else y_true
    gamma_pos = hp["gamma"] if hp["gamma_pos"] is None else hp["gamma_pos"]
    gamma_neg = hp["gamma"] if hp["gamma_neg"] is None else hp["gamma_neg"]
    num_classes = y_pred.shape[-1]
    w_pos = w_neg = None  # no alpha: both sides count fully
    if hp["alpha"] is not None:
        w_pos = inputs.per_class("alpha", hp["alpha"], num_classes, dtype)
        w_neg = 1.0 - w_pos

    factors = (gamma_pos, gamma_neg, hp["margin"], w_pos, w_neg)
    logits = y_pred if hp["from_logits"] else getattr(y_pred, "_keras_logits", None)
    if logits is not None:
        loss = _focal_terms_from_logits(ops.cast(logits, dtype), y, *factors, smoothed=bool(e))
    else:
        loss = _focal_terms_from_probabilities(ops.cast(y_pred, dtype), y, *factors)
    if hp["class_weight"] is not None:
        loss = loss * inputs.per_class("class_weight", hp["class_weight"], num_classes, dtype)

    if hp["normalize_by_positives"]:
        loss = ops.sum(loss, axis=-1) / ops.maximum(ops.sum(y_true), 1.0)
    else:
        # sum / C rather than ops.mean, which Keras's JAX backend computes in float32 (both
        # backends' means are this sum and division, so float32 losses equal Keras's bit for bit).
        loss = ops.sum(loss, axis=-1) / ops.cast(ops.shape(loss)[-1], dtype)
    inputs.check_not_nan(loss, y_true, y_pred, hp["from_logits"])
    return ops.cast(loss, out_dtype)


def _floating_dtype(dtype):
    """None, or a floating dtype or dtype policy; anything else is a ValueError."""
    if dtype is None:
        return None
    try:
        compute_dtype = keras.dtype_policies.get(dtype).compute_dtype
    except (ValueError, TypeError) as error:
        raise ValueError(f"`dtype` must be a floating-point dtype, got {dtype!r}.") from error
    if "float" not in compute_dtype:
        raise ValueError(
            f"`dtype` must be a floating-point dtype such as 'float32', got {dtype!r}: "
            "the loss is a real number."
        )
    return dtype


def _hparam(name):
    return property(lambda self: self._hparams[name], doc=f"The loss's `{name}` (read-only).")


@keras.saving.register_keras_serializable(package="focal")
@_document_hyperparameters
class FocalLoss(keras.losses.Loss):
    """Sigmoid focal loss for multi-label and binary targets (Lin et al. 2017, eq. 4-5).

    One independent sigmoid per class; negatives contribute loss and gradient.
    ``FocalLoss(gamma=0.0)`` is ``keras.losses.BinaryCrossentropy``; on hard labels
    ``FocalLoss(gamma=g, alpha=a)`` is ``BinaryFocalCrossentropy(gamma=g, alpha=a,
    apply_class_balancing=True)``; ``FocalLoss(gamma_pos=0, gamma_neg=4, margin=0.05)`` is
    ASL. The module docstring has the formula; ``sigmoid_focal_crossentropy`` is the same loss
    as a function. The hyperparameters are read-only attributes (``loss.gamma``, ...) and are
    passed by name. A saved model reloads without ``custom_objects``, but only in a process
    that has run ``import focal`` before ``keras.models.load_model`` (that registers the class).

    Args:
        {hyperparameters}
        reduction: a Keras reduction. With ``normalize_by_positives=True`` it must be
            "sum" (the paper's loss) or "none".
        name, dtype: as in ``keras.losses.Loss``; dtype must be floating-point.

    Examples:
        model.compile(optimizer="adam", loss=FocalLoss(gamma=2.0, alpha=0.25, from_logits=True))

    >>> loss = FocalLoss(gamma=2.0, alpha=0.25)
    >>> # (0.25 * 0.1^2 * -log(0.9) + 0.75 * 0.2^2 * -log(0.8)) / 2 classes
    >>> round(float(loss([[1.0, 0.0]], [[0.9, 0.2]])), 6)
    0.003479
    >>> loss.gamma, loss.alpha
    (2.0, 0.25)
    >>> # label smoothing, here and in Keras, on a positive at logit 4 (see label_smoothing)
    >>> round(float(FocalLoss(label_smoothing=0.05, from_logits=True)([[1.0]], [[4.0]])), 4)
    0.0969
    >>> keras_loss = keras.losses.BinaryFocalCrossentropy(label_smoothing=0.05, from_logits=True)
    >>> round(float(keras_loss([[1.0]], [[4.0]])), 6)
    0.000209
    """

    def __init__(
        self,
        *positional,
        gamma=2.0,
        gamma_pos=None,
        gamma_neg=None,
        alpha=None,
        class_weight=None,
        label_smoothing=0.0,
        margin=0.0,
        from_logits=False,
        normalize_by_positives=False,
        check_labels=True,
        reduction="sum_over_batch_size",
        name="focal_loss",
        dtype=None,
    ):
        if positional:
            # By name only: Keras's BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma)
            # and the paper's "gamma, alpha" would each read FocalLoss(2.0, 0.25) differently.
            raise TypeError(
                f"FocalLoss takes its hyperparameters by name, got {len(positional)} "
                f"positional argument(s) {positional}: write e.g. FocalLoss(gamma=2.0, "
                "alpha=0.25). Keras's BinaryFocalCrossentropy takes alpha before gamma, so a "
                "positional order would be ambiguous."
            )
        self._hparams = check_hparams(
            gamma,
            gamma_pos,
            gamma_neg,
            alpha,
            class_weight,
            label_smoothing,
            margin,
            from_logits,
            normalize_by_positives,
            check_labels,
        )
        if normalize_by_positives and reduction not in _REDUCTIONS_FOR_POSITIVES:
            raise ValueError(
                "`normalize_by_positives=True` divides the batch's summed loss by its number "
                f"of positives, so `reduction` must be 'sum' (or 'none'), got {reduction!r}."
            )
        super().__init__(name=name, reduction=reduction, dtype=_floating_dtype(dtype))
        self._dtype_arg = dtype

    gamma = _hparam("gamma")
    gamma_pos = _hparam("gamma_pos")
    gamma_neg = _hparam("gamma_neg")
    alpha = _hparam("alpha")
    class_weight = _hparam("class_weight")
    label_smoothing = _hparam("label_smoothing")
    margin = _hparam("margin")
    from_logits = _hparam("from_logits")
    normalize_by_positives = _hparam("normalize_by_positives")
    check_labels = _hparam("check_labels")

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = inputs.dense("y_true", y_true), inputs.dense("y_pred", y_pred)
        if sample_weight is not None:
            sample_weight = inputs.dense("sample_weight", sample_weight)
            inputs.check_sample_weight(sample_weight, y_pred)
        logits = getattr(y_pred, "_keras_logits", None)
        if logits is not None and keras.backend.standardize_dtype(y_pred.dtype) != self.dtype:
            # Loss.__call__ casts y_pred to self.dtype, and a cast drops the logits that Keras
            # attached to a sigmoid output: cast both here, so the exact path is kept.
            y_pred = ops.cast(y_pred, self.dtype)
            y_pred._keras_logits = ops.cast(logits, self.dtype)
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)

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
        class_weight=inverse_frequency(checked_counts(classes_num, "classes_num")).tolist(),
        label_smoothing=e,
    )
