"""focal.detection.model: targets, the detector's layout and prior, and the loss against NumPy."""

import focal  # first: sets TensorFlow's environment
from focal import detection, reference
from focal.detection import AnchorFocalLoss, DetectionSplit, encode, tiny_retina

import keras
import numpy as np
import pytest


def test_encode_matches_assign():
    boxes = detection.anchors(32, 8, sizes=(8.0, 16.0), ratios=(1.0,))
    split = DetectionSplit(
        np.zeros((2, 32, 32, 1)),
        [np.array([[6.0, 6.0, 17.0, 19.0]]), np.zeros((0, 4))],
        [np.array([3]), np.zeros(0, int)],
    )
    encoded = encode(split, boxes, 5)
    assert encoded.shape == (2, len(boxes), 6)
    targets, state, _ = detection.assign(boxes, split.boxes[0], split.labels[0], 5)
    np.testing.assert_array_equal(encoded[0, :, :5], targets)
    np.testing.assert_array_equal(encoded[0, :, 5], state != detection.IGNORED)
    assert (state == detection.IGNORED).any() and (state == detection.POSITIVE).any()
    np.testing.assert_array_equal(encoded[1], np.c_[np.zeros((len(boxes), 5)), np.ones(len(boxes))])


@pytest.mark.parametrize("prior, bias", [(0.01, -np.log(99.0)), (None, 0.0)])
def test_tiny_retina_starts_at_the_prior(prior, bias):
    model = tiny_retina(image_size=32, num_classes=4, anchors_per_cell=6, prior=prior)
    logits = keras.ops.convert_to_numpy(model(np.zeros((2, 32, 32, 1)), training=False))
    assert logits.shape == (2, 4 * 4 * 6, 4)  # 16 cells x 6 anchors, 4 classes
    # a blank image gives zero features (ReLU, zero conv biases): the logit is the bias
    np.testing.assert_allclose(logits, bias, atol=1e-5)


def test_tiny_retina_lays_anchors_out_as_detection_anchors():
    model = tiny_retina(image_size=16, num_classes=2, anchors_per_cell=3, seed=1)
    head = model.get_layer("head")
    kernel, _ = head.get_weights()
    head.set_weights([np.zeros_like(kernel), np.arange(6.0)])  # channel k * C + c
    logits = keras.ops.convert_to_numpy(model(np.zeros((1, 16, 16, 1))))[0]
    expected = np.tile(np.arange(6.0).reshape(3, 2), (4, 1))  # 4 cells, anchors 0..2 each
    np.testing.assert_allclose(logits, expected)


def test_same_seed_same_weights():
    a, b = tiny_retina(32, seed=3), tiny_retina(32, seed=3)
    c = tiny_retina(32, seed=4)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def random_batch(rng, images=3, anchors=50, classes=4):
    targets = np.zeros((images, anchors, classes))
    positive = rng.random((images, anchors)) < 0.1
    targets[positive, rng.integers(0, classes, positive.sum())] = 1.0
    counted = (rng.random((images, anchors)) > 0.15) | positive
    logits = rng.normal(0, 3, (images, anchors, classes))
    return np.concatenate([targets, counted[..., None]], axis=-1), logits


def numpy_loss(encoded, logits, gamma, alpha, keep=None):
    """The paper's loss read literally: sum over counted pairs / number of positive anchors."""
    targets, counted = encoded[..., :-1], encoded[..., -1]
    p = reference.sigmoid(logits)
    pair = reference.alpha_balanced_focal_loss(p, targets, gamma, alpha)
    keep = counted if keep is None else keep
    positives = targets.max(axis=-1).sum()
    return (pair.sum(axis=-1) * keep).sum() / max(positives, 1.0)


@pytest.mark.parametrize("gamma, alpha", [(0.0, 0.75), (2.0, 0.25), (1.0, 0.5)])
def test_anchor_focal_loss_matches_numpy(gamma, alpha):
    encoded, logits = random_batch(np.random.default_rng(int(gamma * 10)))
    loss = AnchorFocalLoss(gamma=gamma, alpha=alpha)
    value = float(loss(encoded.astype("float32"), logits.astype("float32")))
    assert value == pytest.approx(numpy_loss(encoded, logits, gamma, alpha), rel=1e-5)
    # an ignored anchor adds nothing, however wrong its prediction
    encoded[..., -1][~encoded[..., :-1].any(-1)] *= 0
    worse = logits.copy()
    worse[encoded[..., -1] == 0] = 30.0
    assert float(loss(encoded.astype("float32"), worse.astype("float32"))) == pytest.approx(
        numpy_loss(encoded, logits, gamma, alpha), rel=1e-5
    )


def ohem_keep_by_loop(encoded, logits, k, ratio):
    """OHEM's choice per image with Python loops: the k hardest (or 1:ratio) counted anchors."""
    targets, counted = encoded[..., :-1], encoded[..., -1]
    p = reference.sigmoid(logits)
    anchor_loss = reference.alpha_balanced_cross_entropy(p, targets, 0.5).sum(-1)
    keep = np.zeros_like(counted)
    for i in range(len(encoded)):
        order = [a for a in np.argsort(-anchor_loss[i]) if counted[i, a]]
        if ratio is None:
            chosen = order[:k]
        else:
            pos = [a for a in order if targets[i, a].any()][: int(k / (1 + ratio))]
            neg_count = int(min(ratio * max(len(pos), 1), k - len(pos)))
            chosen = pos + [a for a in order if not targets[i, a].any()][:neg_count]
        keep[i, chosen] = 1.0
    return keep


@pytest.mark.parametrize("k, ratio", [(10, None), (10, 3.0), (8, 1.0)])
def test_ohem_matches_a_loop(k, ratio):
    encoded, logits = random_batch(np.random.default_rng(k + int(ratio or 0)))
    keep = ohem_keep_by_loop(encoded, logits, k, ratio)
    loss = AnchorFocalLoss(gamma=0.0, alpha=0.5, ohem=k, ohem_ratio=ratio)
    value = float(loss(encoded.astype("float32"), logits.astype("float32")))
    assert value == pytest.approx(numpy_loss(encoded, logits, 0.0, 0.5, keep), rel=1e-5)
    assert value < float(AnchorFocalLoss(gamma=0.0, alpha=0.5)(encoded, logits))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"gamma": -1.0}, "gamma"),
        ({"alpha": 1.5}, "alpha"),
        ({"gamma": 2.0, "ohem": 16}, "ohem"),
        ({"gamma": 0.0, "ohem": 0}, "ohem"),
        ({"gamma": 0.0, "ohem_ratio": 3.0}, "ohem_ratio"),
    ],
)
def test_anchor_focal_loss_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AnchorFocalLoss(**kwargs)


@pytest.mark.parametrize("kwargs, match", [({"image_size": 20}, "stride"), ({"width": 0}, "width")])
def test_tiny_retina_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tiny_retina(**kwargs)


def test_anchor_focal_loss_is_focal_loss_with_ignored_anchors_weighted_zero():
    encoded, logits = random_batch(np.random.default_rng(5))
    plain = focal.FocalLoss(
        gamma=2.0, alpha=0.25, from_logits=True, normalize_by_positives=True, reduction="sum"
    )
    expected = plain(encoded[..., :-1], logits, sample_weight=encoded[..., -1])
    value = AnchorFocalLoss(gamma=2.0, alpha=0.25)(encoded, logits)
    assert float(value) == pytest.approx(float(expected), rel=1e-6)


def test_uint8_targets_give_the_same_loss():
    encoded, logits = random_batch(np.random.default_rng(9))
    loss = AnchorFocalLoss(gamma=2.0, alpha=0.25)
    as_float = float(loss(encoded.astype("float32"), logits.astype("float32")))
    assert float(loss(encoded.astype("uint8"), logits.astype("float32"))) == as_float
    assert float(keras.ops.sum(loss.call(encoded.astype("uint8"), logits))) == pytest.approx(
        as_float, rel=1e-6
    )
