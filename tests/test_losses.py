"""FocalLoss against independent oracles: the float64 paper formulas, Keras, autodiff."""

import focal  # first: sets TensorFlow's environment
from focal import reference
from focal.losses import sigmoid_focal_crossentropy

import inspect

import keras
import numpy as np
import pytest
from grads import MODES, loss_and_grad, loss_value, numpy

C = 5
RNG = np.random.default_rng(0)
Y = (RNG.random((16, C)) < 0.3).astype(np.float64)
P = RNG.uniform(0.02, 0.98, (16, C))
X = RNG.normal(0.0, 4.0, (16, C))
ALPHA_PER_CLASS = [0.1, 0.25, 0.5, 0.75, 0.9]
CLASS_WEIGHT = [2.0, 1.0, 0.5, 0.25, 1.25]
RTOL = {"float32": 2e-5, "float64": 1e-10}
GRAD_RTOL = {"float32": 1e-4, "float64": 1e-6}  # the finite-difference oracle is good to ~1e-9


def oracle(y, p, gamma, alpha=None, class_weight=None, e=0.0, gamma_neg=None):
    """Mean over classes of the expected-hard-label focal loss, in float64."""
    per_element = reference.soft_focal_loss(p, y * (1 - e) + e / 2, gamma, gamma_neg, alpha)
    if class_weight is not None:
        per_element = per_element * np.asarray(class_weight)
    return per_element.mean(axis=-1)


def oracle_grad(y, x, gamma, alpha=None, class_weight=None, e=0.0, gamma_neg=None, margin=0.0):
    """d (sum of the oracle) / d logits by central differences of the float64 reference.

    h = 1e-4 balances truncation (~h^2) and rounding (~1e-16 / h) errors at about 1e-9.
    """
    h = 1e-4

    def summed_per_element(x):
        p = reference.sigmoid(x)
        per_element = reference.soft_focal_loss(
            p, y * (1 - e) + e / 2, gamma, gamma_neg, alpha, margin
        )
        return per_element * (1.0 if class_weight is None else np.asarray(class_weight))

    # Each element's loss depends on its own logit only, so one pass gives every partial.
    return (summed_per_element(x + h) - summed_per_element(x - h)) / (2 * h) / x.shape[-1]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.25, ALPHA_PER_CLASS])
@pytest.mark.parametrize("class_weight", [None, CLASS_WEIGHT])
@pytest.mark.parametrize("e", [0.0, 0.1])
@pytest.mark.parametrize("from_logits", [False, True])
def test_matches_reference(mode, dtype, gamma, alpha, class_weight, e, from_logits):
    pred = X if from_logits else P
    p = reference.sigmoid(X) if from_logits else P
    loss = focal.FocalLoss(
        gamma=gamma,
        alpha=alpha,
        class_weight=class_weight,
        label_smoothing=e,
        from_logits=from_logits,
        reduction="none",
        dtype=dtype,
    )
    got, grad = loss_and_grad(loss, Y, pred, dtype=dtype, mode=mode)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, oracle(Y, p, gamma, alpha, class_weight, e), rtol=RTOL[dtype])
    if from_logits:
        expected = oracle_grad(Y, X, gamma, alpha, class_weight, e)
        np.testing.assert_allclose(grad, expected, rtol=GRAD_RTOL[dtype], atol=1e-8)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize(
    "gamma_pos, gamma_neg, margin",
    [(0.0, 4.0, 0.05), (1.0, 2.0, 0.2), (2.0, 0.5, 0.1), (2.0, 0.0, 0.3), (0.0, 1.0, 0.0)],
)
def test_margin_matches_reference(mode, from_logits, gamma_pos, gamma_neg, margin):
    pred = X if from_logits else P
    p = reference.sigmoid(X) if from_logits else P
    y = RNG.random(Y.shape) * (RNG.random(Y.shape) < 0.5)  # hard 0s and soft targets
    loss = focal.FocalLoss(
        gamma_pos=gamma_pos,
        gamma_neg=gamma_neg,
        margin=margin,
        alpha=0.25,
        from_logits=from_logits,
        reduction="none",
        dtype="float64",
    )
    got, grad = loss_and_grad(loss, y, pred, dtype="float64", mode=mode)
    expected = reference.soft_focal_loss(p, y, gamma_pos, gamma_neg, 0.25, margin).mean(-1)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    if from_logits:
        expected = oracle_grad(y, X, gamma_pos, 0.25, gamma_neg=gamma_neg, margin=margin)
        np.testing.assert_allclose(grad, expected, rtol=GRAD_RTOL["float64"], atol=1e-8)


def test_margin_is_asl():
    """gamma_pos=0, gamma_neg=4, margin=0.05 is ASL; negatives at p <= m cost nothing."""
    asl = focal.FocalLoss(gamma_pos=0.0, gamma_neg=4.0, margin=0.05, reduction="none")
    np.testing.assert_allclose(
        numpy(asl(Y, P)), reference.asymmetric_loss(P, Y).mean(-1), rtol=1e-5
    )
    # By hand: a negative at p = 0.25 costs -(0.25 - 0.05)^4 log(1 - 0.2).
    np.testing.assert_allclose(numpy(asl([[0.0]], [[0.25]])), [-(0.2**4) * np.log(0.8)], rtol=1e-6)
    easy = numpy(asl(np.zeros((1, 3)), [[0.0, 0.01, 0.05]]))
    assert easy == 0.0


@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.0])
@pytest.mark.parametrize("alpha", [0.25, 0.9])
def test_hard_labels_are_equation_5(gamma, alpha):
    expected = reference.alpha_balanced_focal_loss(P, Y, gamma, alpha).mean(axis=-1)
    got = sigmoid_focal_crossentropy(Y, P, gamma, alpha=alpha)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_golden_values():
    # -(1 - 0.9)^2 log(0.9) = 0.0010536; -0.75 * 0.2^2 log(0.8) = 0.0066943.
    got = sigmoid_focal_crossentropy([[1.0, 0.0]], [[0.9, 0.2]], 2.0, alpha=0.25)
    np.testing.assert_allclose(got, [(0.25 * 0.0010536052 + 0.0066943065) / 2], rtol=1e-6)


@pytest.mark.parametrize("gamma_pos, gamma_neg", [(0.0, 4.0), (1.0, 3.0), (2.0, 0.5)])
def test_asymmetric_gammas(gamma_pos, gamma_neg):
    got = sigmoid_focal_crossentropy(
        Y, P, gamma=9.0, gamma_pos=gamma_pos, gamma_neg=gamma_neg, label_smoothing=0.2
    )
    np.testing.assert_allclose(got, oracle(Y, P, gamma_pos, e=0.2, gamma_neg=gamma_neg), rtol=1e-10)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("e", [0.0, 0.2])
def test_gamma_zero_is_binary_crossentropy(mode, from_logits, e):
    pred = X if from_logits else P
    ours = focal.FocalLoss(gamma=0.0, from_logits=from_logits, label_smoothing=e)
    bce = keras.losses.BinaryCrossentropy(from_logits=from_logits, label_smoothing=e)
    value, grad = loss_and_grad(ours, Y, pred, mode=mode)
    expected_value, expected_grad = loss_and_grad(bce, Y, pred, mode=mode)
    np.testing.assert_allclose(value, expected_value, rtol=1e-5)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-4, atol=1e-9)


# Logits over the range where float32 rounding differs between formulas (torchvision's and
# fvcore's tests draw theirs alike), with hard targets, one class per row: a row is an element.
WIDE_X = np.concatenate(
    [RNG.normal(0.0, 3.0, 400), RNG.uniform(-60.0, 60.0, 200), [0.0, 17.0, -17.0, 90.0]]
)
WIDE_Y = (RNG.random(WIDE_X.size) < 0.5).astype(np.float64)
WIDE_P = reference.sigmoid(WIDE_X)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("e", [0.0, 0.1])
@pytest.mark.parametrize("reduction", ["none", "sum_over_batch_size"])
def test_gamma_zero_is_keras_binary_crossentropy_bit_for_bit(mode, from_logits, e, reduction):
    pred = (WIDE_X if from_logits else WIDE_P).reshape(-1, 4)
    y = WIDE_Y.reshape(-1, 4)
    ours = focal.FocalLoss(
        gamma=0.0, from_logits=from_logits, label_smoothing=e, reduction=reduction
    )
    bce = keras.losses.BinaryCrossentropy(
        from_logits=from_logits, label_smoothing=e, reduction=reduction
    )
    np.testing.assert_array_equal(
        loss_value(ours, y, pred, mode=mode), loss_value(bce, y, pred, mode=mode)
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.0, 0.25, 0.5, 1.0])
def test_focal_loss_never_exceeds_cross_entropy(mode, from_logits, gamma, alpha):
    """FL <= CE elementwise, exactly, and FL / CE = alpha_t (1 - p_t)^gamma (torchvision's test)."""
    pred = (WIDE_X if from_logits else WIDE_P)[:, None]
    y = WIDE_Y[:, None]
    ours = focal.FocalLoss(gamma=gamma, alpha=alpha, from_logits=from_logits, reduction="none")
    bce = keras.losses.BinaryCrossentropy(from_logits=from_logits, reduction="none")
    fl, ce = loss_value(ours, y, pred, mode=mode), loss_value(bce, y, pred, mode=mode)
    assert np.all(fl <= ce), f"FL > CE at {np.flatnonzero(fl > ce)[:5]}"
    p = reference.sigmoid(WIDE_X.astype(np.float32).astype(np.float64))  # the loss's inputs
    if not from_logits:
        p = np.clip(WIDE_P.astype(np.float32), np.float32(1e-7), np.float32(1 - 1e-7)).astype(
            np.float64
        )
    p_t = np.where(WIDE_Y == 1, p, 1 - p)
    ratio = (1 - p_t) ** gamma
    if alpha is not None:
        ratio = ratio * np.where(WIDE_Y == 1, alpha, 1 - alpha)
    counted = ce > 1e-6  # where CE is not rounded to nothing
    np.testing.assert_allclose(fl[counted] / ce[counted], ratio[counted], rtol=2e-4, atol=1e-6)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("balanced", [False, True])
@pytest.mark.parametrize("gamma", [1.0, 2.0, 3.5])
def test_hard_labels_match_keras_binary_focal(mode, from_logits, balanced, gamma):
    pred = X if from_logits else P
    ours = focal.FocalLoss(gamma=gamma, alpha=0.3 if balanced else None, from_logits=from_logits)
    keras_loss = keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=balanced, alpha=0.3, gamma=gamma, from_logits=from_logits
    )
    value, grad = loss_and_grad(ours, Y, pred, mode=mode)
    expected_value, expected_grad = loss_and_grad(keras_loss, Y, pred, mode=mode)
    np.testing.assert_allclose(value, expected_value, rtol=1e-5)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-3, atol=1e-8)


@pytest.mark.parametrize("gamma", [0.5, 2.0])
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_smoothing_the_targets_equals_mixing_the_losses(gamma, alpha):
    def loss(y, e=0.0):
        return sigmoid_focal_crossentropy(y, P, gamma, alpha=alpha, label_smoothing=e)

    e = 0.3
    mixed = (1 - e) * numpy(loss(Y)) + e * numpy(loss(np.full_like(Y, 0.5)))
    np.testing.assert_allclose(loss(Y, e), mixed)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
def test_gradient_is_appendix_b(mode, gamma):
    x = np.linspace(-9.0, 9.0, 37)[:, None]
    for label in (0.0, 1.0):
        y = np.full_like(x, label)
        loss = focal.FocalLoss(gamma=gamma, from_logits=True, reduction="sum", dtype="float64")
        _, grad = loss_and_grad(loss, y, x, dtype="float64", mode=mode)
        np.testing.assert_allclose(grad, reference.focal_loss_grad(x, y, gamma), atol=1e-12)


@pytest.mark.parametrize("from_logits", [False, True])
def test_gradient_matches_finite_differences(from_logits):
    """Soft targets, per-class alpha and weights, asymmetric gammas: all the gradient paths."""
    loss = focal.FocalLoss(
        gamma=1.5,
        gamma_neg=3.0,
        alpha=ALPHA_PER_CLASS,
        class_weight=CLASS_WEIGHT,
        label_smoothing=0.1,
        from_logits=from_logits,
        reduction="sum",
        dtype="float64",
    )
    y = RNG.random((4, C))  # soft targets, as in distillation
    pred = X[:4] if from_logits else P[:4]
    _, grad = loss_and_grad(loss, y, pred, dtype="float64")
    h = 1e-6
    numeric = np.zeros_like(pred)
    for index in np.ndindex(pred.shape):
        step = np.zeros_like(pred)
        step[index] = h
        numeric[index] = (numpy(loss(y, pred + step)) - numpy(loss(y, pred - step))) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("hard", [False, True])
def test_gradient_with_respect_to_the_targets(mode, from_logits, hard):
    loss = focal.FocalLoss(gamma=2.0, alpha=0.25, from_logits=from_logits, reduction="none")
    y = RNG.random((3, C))
    y = np.round(y) if hard else y
    pred = X[:3] if from_logits else reference.sigmoid(X[:3])
    _, grad = loss_and_grad(loss, y, pred, wrt="y", mode=mode)
    p = reference.sigmoid(X[:3])
    # The loss is linear in y: d mean_c / dy_c = (L(p, 1) - L(p, 0)) / C per element.
    per_element = (
        reference.soft_focal_loss(p, 1.0, 2.0, alpha=0.25)
        - reference.soft_focal_loss(p, 0.0, 2.0, alpha=0.25)
    ) / C
    np.testing.assert_allclose(grad, per_element, rtol=1e-5)


EDGE_P = [0.0, 1e-12, 0.5, 1 - 1e-12, 1.0]
EDGE_X = [-1e4, -30.0, 0.0, 30.0, 1e4]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("e", [0.0, 0.1])
@pytest.mark.parametrize("margin", [0.0, 0.05])
def test_edge_grid_is_finite(mode, dtype, gamma, from_logits, e, margin):
    values = EDGE_X if from_logits else EDGE_P
    pred = np.array([values, values])
    y = np.array([[0.0] * 5, [1.0] * 5])
    loss = focal.FocalLoss(
        gamma=gamma,
        from_logits=from_logits,
        label_smoothing=e,
        margin=margin,
        reduction="none",
        dtype=dtype,
    )
    value, grad = loss_and_grad(loss, y, pred, dtype=dtype, mode=mode)
    assert np.all(np.isfinite(np.asarray(value, dtype=np.float64)))
    assert np.all(np.isfinite(np.asarray(grad, dtype=np.float64)))


def test_saturated_logits_give_exact_losses():
    # Far in the tails the loss is known exactly: -log(1 - sigmoid(1e4)) = 1e4.
    got = sigmoid_focal_crossentropy([[0.0, 1.0]], [[1e4, -1e4]], 0.0, from_logits=True)
    np.testing.assert_allclose(numpy(got), [1e4])
    # ... and a tiny correct logit still has a tiny, non-zero loss: log(1 + e^-30).
    got = sigmoid_focal_crossentropy([[1.0]], [[30.0]], 0.0, from_logits=True)
    np.testing.assert_allclose(numpy(got), [np.log1p(np.exp(-30.0))], rtol=1e-6)


def test_sigmoid_layer_output_uses_its_logits():
    logits = keras.ops.convert_to_tensor([[40.0, -40.0]])
    probabilities = keras.activations.sigmoid(logits)  # rounds to exactly 1 and ~4e-18
    got = sigmoid_focal_crossentropy([[0.0, 1.0]], probabilities, 0.0)
    np.testing.assert_allclose(numpy(got), [40.0], rtol=1e-6)  # clipping would give ~16.1


def test_rank_one_targets_for_a_single_output():
    got = sigmoid_focal_crossentropy(Y[:, 0], P[:, :1], 2.0)
    np.testing.assert_allclose(got, reference.focal_loss(P[:, 0], Y[:, 0], 2.0), rtol=1e-10)


@pytest.mark.parametrize(
    "reduction, combine",
    [
        ("none", lambda per, w: per * w),
        ("sum", lambda per, w: np.sum(per * w)),
        ("sum_over_batch_size", lambda per, w: np.sum(per * w) / len(per)),
        ("mean", lambda per, w: np.sum(per * w) / len(per)),
        ("mean_with_sample_weight", lambda per, w: np.sum(per * w) / np.sum(w)),
    ],
)
def test_reductions_and_sample_weight(reduction, combine):
    weights = RNG.uniform(0.0, 2.0, len(Y))
    loss = focal.FocalLoss(gamma=2.0, alpha=0.25, reduction=reduction, dtype="float64")
    got = numpy(loss(Y, P, sample_weight=weights))
    # Keras's torch backend reduces a weighted float64 loss in float32; the others keep float64.
    rtol = 1e-10 if got.dtype == np.float64 else 1e-6
    np.testing.assert_allclose(got, combine(oracle(Y, P, 2.0, 0.25), weights), rtol=rtol)


def test_normalize_by_positives_is_the_papers_normaliser():
    loss = focal.FocalLoss(gamma=2.0, alpha=0.25, normalize_by_positives=True, reduction="sum")
    expected = reference.alpha_balanced_focal_loss(P, Y, 2.0, 0.25).sum() / Y.sum()
    np.testing.assert_allclose(loss(Y, P), expected, rtol=1e-5)
    no_positives = np.zeros_like(Y)  # the divisor is clamped at 1
    expected = reference.alpha_balanced_focal_loss(P, no_positives, 2.0, 0.25).sum()
    np.testing.assert_allclose(loss(no_positives, P), expected, rtol=1e-5)


def test_negatives_have_loss_and_gradient():
    loss = focal.FocalLoss(gamma=2.0, alpha=0.25)
    value, grad = loss_and_grad(loss, np.zeros((1, 3)), [[0.9, 0.5, 0.1]])
    assert value > 0.01
    assert np.all(grad > 0)  # pushes every negative's probability down


def test_config_round_trip():
    loss = focal.FocalLoss(
        gamma=1.5,
        gamma_neg=3.0,
        alpha=ALPHA_PER_CLASS,
        class_weight=np.array(CLASS_WEIGHT),
        label_smoothing=0.1,
        from_logits=True,
        reduction="sum",
        name="fl",
        dtype="float64",
    )
    config = loss.get_config()
    assert config["margin"] == 0.0
    assert (
        config
        == keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(loss)
        ).get_config()
    )
    restored = focal.FocalLoss.from_config(config)
    assert restored.dtype == "float64"
    np.testing.assert_array_equal(numpy(restored(Y, X)), numpy(loss(Y, X)))


def test_seed_compatible_constructor():
    counts = [50, 20, 10, 5, 1]
    loss = focal.focal_loss(counts, gamma=2.0, alpha=0.25, e=0.1)
    inverse = np.sum(counts) / np.asarray(counts, dtype=float)
    weights = inverse / inverse.mean()  # normalised to mean 1 by hand
    expected = np.mean(oracle(Y, P, 2.0, 0.25, weights, 0.1))
    np.testing.assert_allclose(loss(Y, P), expected, rtol=1e-5)
    assert numpy(loss(np.zeros((1, 5)), np.full((1, 5), 0.9))) > 0.1  # negatives count


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"gamma": -0.5}, "gamma"),
        ({"gamma": float("nan")}, "gamma"),
        ({"gamma": "2"}, "gamma"),
        ({"gamma_pos": -1.0}, "gamma_pos"),
        ({"gamma_neg": -1.0}, "gamma_neg"),
        ({"alpha": 1.5}, "alpha"),
        ({"alpha": -0.1}, "alpha"),
        ({"alpha": [0.2, 1.2]}, "alpha"),
        ({"alpha": [[0.2]]}, "alpha"),
        ({"class_weight": [1.0, -1.0]}, "class_weight"),
        ({"class_weight": [1.0, float("inf")]}, "class_weight"),
        ({"class_weight": 2.0}, "class_weight"),
        ({"alpha": [0.2, 0.3], "class_weight": [1.0, 2.0, 3.0]}, "alpha"),
        ({"label_smoothing": 1.0}, "label_smoothing"),
        ({"label_smoothing": -0.1}, "label_smoothing"),
        ({"from_logits": "yes"}, "from_logits"),
        ({"margin": 1.0}, "margin"),
        ({"margin": -0.05}, "margin"),
        ({"margin": "0.05"}, "margin"),
        ({"normalize_by_positives": True}, "reduction"),
        ({"reduction": "average"}, "reduction"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        focal.FocalLoss(**kwargs)
    if "reduction" not in kwargs and "normalize_by_positives" not in kwargs:
        with pytest.raises(ValueError, match=match):
            sigmoid_focal_crossentropy(Y, P, **kwargs)


@pytest.mark.parametrize(
    "y_true, y_pred, kwargs, match",
    [
        (Y * 2, P, {}, "y_true"),
        (Y - 0.5, P, {}, "y_true"),
        (Y, X, {}, "from_logits=True"),
        (Y, P[:, :3], {}, "y_true.shape"),
        (Y[:4], P, {}, "y_true.shape"),
        (Y, P, {"alpha": [0.25] * (C + 1)}, "alpha"),
        (Y, P, {"class_weight": [1.0] * (C - 1)}, "class_weight"),
    ],
)
def test_bad_inputs_raise(y_true, y_pred, kwargs, match):
    with pytest.raises(ValueError, match=match):
        focal.FocalLoss(**kwargs)(y_true, y_pred)


@pytest.mark.parametrize("dtype", ["int32", "bool", "string", 7])
def test_non_floating_dtype_raises(dtype):
    with pytest.raises(ValueError, match="dtype"):
        focal.FocalLoss(dtype=dtype)


def test_hyperparameters_are_read_only_attributes():
    loss = focal.FocalLoss(gamma=1.5, alpha=[0.25] * 3, margin=0.05, from_logits=True)
    assert (loss.gamma, loss.alpha, loss.margin, loss.from_logits) == (1.5, [0.25] * 3, 0.05, True)
    assert (loss.gamma_pos, loss.gamma_neg, loss.class_weight) == (None, None, None)
    assert (loss.label_smoothing, loss.normalize_by_positives) == (0.0, False)
    with pytest.raises(AttributeError):
        loss.gamma = 3.0


@pytest.mark.parametrize("reduction", ["none", "sum", "sum_over_batch_size", "mean"])
@pytest.mark.parametrize("from_logits", [False, True])
def test_empty_batch_behaves_like_keras(reduction, from_logits):
    empty = np.zeros((0, C), dtype="float32")
    ours = numpy(focal.FocalLoss(reduction=reduction, from_logits=from_logits)(empty, empty))
    bce = keras.losses.BinaryCrossentropy(reduction=reduction, from_logits=from_logits)
    expected = numpy(bce(empty, empty))
    assert ours.shape == expected.shape
    np.testing.assert_array_equal(ours, expected)


def test_empty_batch_normalised_by_positives_is_empty():
    # Keras returns a batch's (0,) loss vector unreduced; no NaN from 0 / 0.
    loss = focal.FocalLoss(normalize_by_positives=True, reduction="sum")
    assert numpy(loss(np.zeros((0, C)), np.zeros((0, C)))).shape == (0,)


@pytest.mark.parametrize(
    "y_true, y_pred, match",
    [
        (1.0, 0.5, "scalar"),
        ([[1.0]], 0.5, "scalar"),
        (np.zeros((4, 0)), np.zeros((4, 0)), "no classes"),
    ],
)
def test_shapeless_inputs_raise(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        focal.FocalLoss()(y_true, y_pred)


def test_out_of_range_label_is_shown_exactly():
    with pytest.raises(ValueError, match=r"\[0.0, 1.0000001\]"):
        focal.FocalLoss()(np.array([[0.0, 1.0000001]], dtype="float32"), [[0.5, 0.5]])
    with pytest.raises(ValueError, match="nan"):
        focal.FocalLoss()(np.array([[np.nan, 1.0]]), [[0.5, 0.5]])


def test_integer_inputs_are_accepted():
    # Keras's losses accept integer labels and predictions; so does the functional form.
    got = sigmoid_focal_crossentropy([[1, 0]], [[1, 0]], 2.0)
    np.testing.assert_allclose(numpy(got), [0.0], atol=1e-6)


@pytest.mark.parametrize("mode", [mode for mode in MODES if mode != "eager"])
def test_values_are_not_checked_when_traced(mode):
    """A traced function cannot raise on values (the labels' graph check aside, tested below):
    the loss computes rather than crash."""
    loss = focal.FocalLoss(from_logits=True, reduction="none", check_labels=False)
    value, _ = loss_and_grad(loss, 2 * Y, X, mode=mode)
    assert value.shape == (len(Y),)


@pytest.mark.skipif(
    keras.backend.backend() == "jax", reason="JAX arrays cannot carry Keras's logits"
)
def test_sigmoid_output_keeps_its_logits_under_another_dtype():
    logits = keras.ops.convert_to_tensor([[40.0, -40.0]])
    probabilities = keras.activations.sigmoid(logits)  # float32, with _keras_logits
    loss = focal.FocalLoss(gamma=0.0, dtype="float64", reduction="none")
    np.testing.assert_allclose(numpy(loss([[0.0, 1.0]], probabilities)), [40.0], rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float64"])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_infinite_logits_on_the_correct_side_cost_nothing(mode, dtype, gamma, alpha):
    """+inf for a positive, -inf for a negative: loss 0 and gradient 0 (Keras gives NaN)."""
    y = np.array([[1.0, 0.0]])
    x = np.array([[np.inf, -np.inf]])
    loss = focal.FocalLoss(gamma=gamma, alpha=alpha, from_logits=True, reduction="none")
    value, grad = loss_and_grad(loss, y, x, dtype=dtype, mode=mode)
    np.testing.assert_array_equal(value.astype(np.float64), [0.0])
    np.testing.assert_array_equal(grad.astype(np.float64), [[0.0, 0.0]])


@pytest.mark.parametrize("mode", MODES)
def test_infinite_logits_on_the_wrong_side_cost_the_most(mode):
    y = np.array([[0.0, 1.0]])
    value, grad = loss_and_grad(
        focal.FocalLoss(from_logits=True), y, [[np.inf, -np.inf]], mode=mode
    )
    assert value > 1e18 and np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [[0.5, -0.5]])  # (p - y) / C with p = 1 and 0, C = 2


def test_nan_logits_raise_on_eager_calls():
    with pytest.raises(ValueError, match=r"y_pred.*NaN"):
        focal.FocalLoss(from_logits=True)([[1.0, 0.0]], [[np.nan, 0.0]])
    with pytest.raises(ValueError, match="y_true"):
        focal.FocalLoss(from_logits=True)([[np.nan, 0.0]], [[1.0, 0.0]])


@pytest.mark.parametrize(
    "hparams",
    [{}, {"gamma": 0.0}, {"alpha": 0.25}, {"gamma_pos": 0.0, "gamma_neg": 4.0, "margin": 0.05}],
)
@pytest.mark.parametrize("where", [0, 777, 4095 * 80 + 79])
def test_one_nan_in_a_large_batch_raises(hparams, where):
    """The NaN checks look at the inputs once the loss is not finite: one NaN is enough,
    wherever it lies, in the targets or in the logits, whatever the loss's form."""
    rng = np.random.default_rng(5)
    logits = rng.normal(0.0, 3.0, (4096, 80)).astype("float32")
    labels = (rng.random((4096, 80)) < 0.05).astype("float32")
    loss = focal.FocalLoss(from_logits=True, **hparams)
    float(numpy(loss(labels, logits)))  # no NaN: no error
    bad = logits.copy()
    bad.flat[where] = np.nan
    with pytest.raises(ValueError, match=r"y_pred.*NaN"):
        loss(labels, bad)
    bad = labels.copy()
    bad.flat[where] = np.nan
    with pytest.raises(ValueError, match="y_true"):
        loss(bad, logits)


@pytest.mark.parametrize(
    "sample_weight", [np.ones(15), np.ones(17), np.ones((16, 2)), np.ones((16, C, 3))]
)
def test_sample_weight_of_the_wrong_shape_names_both_shapes(sample_weight):
    with pytest.raises(ValueError, match=r"`sample_weight` has shape .*\(16,\)"):
        focal.FocalLoss()(Y, P, sample_weight=sample_weight)


@pytest.mark.parametrize("sample_weight", [2.0, np.ones(16), np.ones((16, 1))])
def test_sample_weight_shapes_keras_accepts_still_work(sample_weight):
    ours = focal.FocalLoss(gamma=0.0)(Y, P, sample_weight=sample_weight)
    bce = keras.losses.BinaryCrossentropy()(Y, P, sample_weight=sample_weight)
    np.testing.assert_allclose(numpy(ours), numpy(bce), rtol=1e-6)


@pytest.mark.parametrize("value", [1e308, 1e39])
def test_class_weight_beyond_the_compute_dtype_raises(value):
    with pytest.raises(ValueError, match=r"class_weight.*largest float32"):
        focal.FocalLoss(class_weight=[value] * C)(Y, P)


def test_seed_constructor_names_classes_num():
    loss = focal.focal_loss(classes_num=[1e308] * C)  # equal counts: weights of 1
    assert loss.class_weight == [1.0] * C
    with pytest.raises(ValueError, match="classes_num"):
        focal.focal_loss(classes_num=[10, 0, 5])


@pytest.mark.tensorflow
@pytest.mark.parametrize("which", ["y_true", "y_pred", "both"])
def test_sparse_inputs_are_densified(which):
    import tensorflow as tf

    y, x = tf.constant(Y, tf.float32), tf.constant(np.where(Y > 0, X, 0.0), tf.float32)
    sparse_y = tf.sparse.from_dense(y) if which != "y_pred" else y
    sparse_x = tf.sparse.from_dense(x) if which != "y_true" else x
    loss = focal.FocalLoss(from_logits=True)
    np.testing.assert_array_equal(numpy(loss(sparse_y, sparse_x)), numpy(loss(y, x)))


@pytest.mark.tensorflow
def test_sparse_sample_weight_is_densified():
    import tensorflow as tf

    weight = np.where(np.arange(16) % 3 == 0, 0.0, 2.0)
    sparse = tf.sparse.from_dense(tf.constant(weight, tf.float32))
    loss = focal.FocalLoss()
    np.testing.assert_array_equal(
        numpy(loss(Y, P, sample_weight=sparse)), numpy(loss(Y, P, sample_weight=weight))
    )


@pytest.mark.tensorflow
@pytest.mark.parametrize("which", ["y_true", "y_pred"])
def test_ragged_inputs_raise_with_what_to_do(which):
    import tensorflow as tf

    ragged = {"y_true": tf.ragged.constant([[1.0, 0.0], [1.0]])}
    ragged["y_pred"] = tf.ragged.constant([[0.6, 0.3], [0.2]])
    with pytest.raises(ValueError, match=f"`{which}` is a ragged tensor.*to_tensor"):
        focal.FocalLoss()(ragged["y_true"], ragged["y_pred"]) if which == "y_true" else (
            focal.FocalLoss()(ragged["y_true"].to_tensor(), ragged["y_pred"])
        )
    with pytest.raises(ValueError, match="ragged"):
        sigmoid_focal_crossentropy(ragged["y_true"], ragged["y_pred"])


# ----- arguments that say how they differ from Keras's ----------------------------------------


def test_label_smoothing_numbers_in_the_docstring_are_both_losses():
    """The docstring's example: e = 0.05, gamma = 2, a positive at logit 4, both losses."""
    e, x = 0.05, 4.0
    p, y = reference.sigmoid(x), 1 - e / 2  # float64
    mixed = reference.soft_focal_loss(p, y, 2.0)  # focal's form: y outside p_t
    p_t = y * p + (1 - y) * (1 - p)  # Keras's form: y inside p_t
    inside = (1 - p_t) ** 2 * -(y * np.log(p) + (1 - y) * np.log1p(-p))
    ours = float(focal.FocalLoss(label_smoothing=e, from_logits=True)([[1.0]], [[x]]))
    keras_loss = keras.losses.BinaryFocalCrossentropy(label_smoothing=e, from_logits=True)
    theirs = float(keras_loss([[1.0]], [[x]]))
    np.testing.assert_allclose([ours, theirs], [mixed, inside], rtol=1e-4)
    assert f"costs {mixed:.4f} here and {inside:.6f} in Keras" in " ".join(
        focal.FocalLoss.__doc__.split()
    )


def test_help_lists_every_argument():
    text = focal.FocalLoss.__doc__
    assert "{hyperparameters}" not in text
    for name in inspect.signature(focal.FocalLoss).parameters:
        if name != "positional":
            assert f"\n        {name}" in text or f", {name}:" in text, name


def test_positional_hyperparameters_are_refused_with_the_reason():
    with pytest.raises(TypeError, match=r"by name.*\(2\.0, 0\.25\).*alpha before gamma"):
        focal.FocalLoss(2.0, 0.25)
    assert focal.FocalLoss(gamma=2.0, alpha=0.25).alpha == 0.25


# ----- labels inside a traced function: check_labels ----------------------------------------


@pytest.mark.tensorflow
def test_labels_are_checked_in_a_graph_when_it_runs():
    import tensorflow as tf

    checked = focal.FocalLoss(from_logits=True)  # check_labels=True by default
    loss_and_grad(checked, Y, X, mode="graph")  # labels in [0, 1]: runs
    for bad in (-Y, 2 * Y, np.where(Y == 1, np.nan, Y)):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"`y_true`.*\[0, 1\]"):
            loss_and_grad(checked, bad, X, mode="graph")
    # Turned off: the graph computes with the bad label.
    unchecked = focal.FocalLoss(from_logits=True, check_labels=False)
    value, _ = loss_and_grad(unchecked, -Y, X, mode="graph")
    assert np.all(np.isfinite(value))


@pytest.mark.tensorflow
def test_check_labels_stops_fit():
    import tensorflow as tf

    model = keras.Sequential([keras.Input((C,)), keras.layers.Dense(C)])
    model.compile(optimizer="sgd", loss=focal.FocalLoss(from_logits=True), jit_compile=False)
    model.fit(X, Y, epochs=1, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="check_labels"):
        model.fit(X, -Y, epochs=1, verbose=0)


@pytest.mark.skipif("xla" not in MODES, reason="no XLA mode on this backend")
def test_labels_go_unchecked_under_xla():
    """XLA (TensorFlow's jit_compile, JAX) has no run-time assertion: the loss computes."""
    value, _ = loss_and_grad(focal.FocalLoss(from_logits=True, reduction="none"), -Y, X, mode="xla")
    oracle_value = oracle(-Y, reference.sigmoid(X), 2.0)  # the formula, label -1 and all
    np.testing.assert_allclose(value, oracle_value, rtol=RTOL["float32"], atol=1e-6)


def test_check_labels_round_trips():
    loss = focal.FocalLoss(check_labels=False)
    assert loss.get_config()["check_labels"] is False
    assert focal.FocalLoss.from_config(loss.get_config()).check_labels is False
    config = focal.FocalLoss().get_config()
    del config["check_labels"]  # a config saved before the argument existed
    assert focal.FocalLoss.from_config(config).check_labels is True
    with pytest.raises(ValueError, match="check_labels"):
        focal.FocalLoss(check_labels="yes")
