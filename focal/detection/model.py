"""Dense detection in miniature, the model: the detector's targets, network and losses.

- ``encode``: a split's boxes -> per-anchor targets, with a last column that says whether
  the anchor counts (1: positive or negative) or sits in the ignore band (0).
- ``tiny_retina``: a one-level, classification-only RetinaNet: a small convolutional
  backbone down to ``stride`` 8, then a 3x3 head with ``anchors_per_cell`` x C logits per
  position, its bias at the prior pi (Lin et al. 2017, sec. 3.3 and 4.1). No box
  regression: the anchors themselves are the predicted boxes.
- ``AnchorFocalLoss``: the paper's loss, eq. (5) summed over every counted (anchor, class)
  pair of the batch and divided by the number of positive anchors (at least 1). With
  ``ohem`` it is online hard example mining instead (Table 1d): cross-entropy on only the
  hardest ``ohem`` anchors of each image.
"""

from focal import validation
from focal.data import NUM_CLASSES
from focal.detection import assignment
from focal.losses import sigmoid_focal_crossentropy
from focal.models import kernel_initializers, output_bias

import keras
import numpy as np
from keras import ops


def encode(split, anchor_boxes, num_classes):
    """(N, A, num_classes + 1) uint8 targets of every image of ``split``.

    Columns ``[:num_classes]`` are ``assignment.assign``'s one-hot targets; the last column is
    1 for an anchor that enters the loss (positive or negative) and 0 for an ignored one.
    uint8 holds the 0s and 1s exactly in a quarter of float32's memory (Keras casts them to
    the loss's dtype), which keeps notebook 08 within Binder's memory.
    """
    out = np.zeros((len(split.boxes), len(anchor_boxes), num_classes + 1), dtype=np.uint8)
    for i, (boxes, labels) in enumerate(zip(split.boxes, split.labels, strict=True)):
        targets, state, _ = assignment.assign(anchor_boxes, boxes, labels, num_classes)
        out[i, :, :num_classes] = targets
        out[i, :, num_classes] = state != assignment.IGNORED
    return out


def tiny_retina(
    image_size=96, num_classes=NUM_CLASSES, anchors_per_cell=9, width=16, prior=0.01, seed=0
):
    """Conv(w/2) pool Conv(w) pool Conv(2w) pool Conv(2w) -> 3x3 head: logits (B, A, C).

    Every conv is 3x3 with ReLU; three 2x2 max-pools bring the stride to 8, and the head's
    receptive field (54 px) covers a whole digit. The head's bias starts at
    b = -log((1 - pi) / pi), so every (anchor, class) starts at p = pi; ``prior=None`` keeps
    Keras's zero bias (p = 0.5). ``seed`` seeds the kernel initialisers and nothing else.
    Anchors are laid out as ``assignment.anchors`` orders them: cell (row-major), then anchor.
    """
    image_size = validation.integer("image_size", image_size)
    if image_size % 8:
        raise ValueError(f"`image_size`={image_size} must be a multiple of the stride, 8.")
    num_classes = validation.integer("num_classes", num_classes)
    anchors_per_cell = validation.integer("anchors_per_cell", anchors_per_cell)
    width = validation.integer("width", width)
    init = kernel_initializers(seed, 5)
    conv = dict(kernel_size=3, padding="same", activation="relu")
    inputs = keras.Input((image_size, image_size, 1))
    x = inputs
    for i, (filters, pool) in enumerate(
        [(width // 2, True), (width, True), (2 * width, True), (2 * width, False)]
    ):
        x = keras.layers.Conv2D(filters, kernel_initializer=init[i], **conv)(x)
        if pool:
            x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(
        anchors_per_cell * num_classes,
        3,
        padding="same",
        kernel_initializer=init[4],
        bias_initializer=output_bias(prior),
        name="head",
    )(x)
    outputs = keras.layers.Reshape((-1, num_classes), name="logits")(x)
    return keras.Model(inputs, outputs, name="tiny_retina")


@keras.saving.register_keras_serializable(package="focal")
class AnchorFocalLoss(keras.losses.Loss):
    """Lin et al.'s detection loss: FL (eq. 5) over counted pairs / number of positive anchors.

    ``y_true`` is ``encode``'s (B, A, C + 1) array, ``y_pred`` the (B, A, C) logits. The sum
    runs over every (anchor, class) pair of the batch whose anchor is counted; it is divided
    by the number of positive anchors in the batch (at least 1), so the loss does not grow
    with the ~10^4 easy negatives. ``gamma=0`` is alpha-balanced cross-entropy.

    One normaliser for the batch, as Detectron's RetinaNet does: every positive anchor
    weighs the same whatever image it is in. torchvision's RetinaNet divides each image by
    its own positives and averages the images instead, which gives an image with one object
    the weight of one with ten; the two agree only when every image has as many positives.

    ``ohem=k`` (an integer) trains cross-entropy (``gamma`` must be 0) on each image's ``k``
    counted anchors of highest loss (their loss summed over classes), as online hard
    example mining; with ``ohem_ratio=3`` at most ``k / 4`` of them are positive (the
    hardest ones) and the negatives are the ``3 x`` as many hardest ones, the paper's "1:3".
    The paper applies NMS before picking; this miniature picks without it.
    """

    def __init__(self, gamma=2.0, alpha=0.25, ohem=None, ohem_ratio=None, name="anchor_focal"):
        super().__init__(name=name, reduction="sum")
        self.gamma = validation.number("gamma", gamma, 0.0)
        self.alpha = None if alpha is None else validation.number("alpha", alpha, 0.0, 1.0)
        self.ohem = None if ohem is None else validation.integer("ohem", ohem)
        self.ohem_ratio = (
            None if ohem_ratio is None else validation.number("ohem_ratio", ohem_ratio, 0.0)
        )
        if self.ohem is not None and self.gamma != 0:
            raise ValueError(f"`ohem` trains cross-entropy: `gamma` must be 0, got {gamma}.")
        if self.ohem_ratio is not None and self.ohem is None:
            raise ValueError("`ohem_ratio` needs `ohem` (the number of anchors kept per image).")

    def call(self, y_true, y_pred):
        targets, counted = y_true[..., :-1], y_true[..., -1]
        loss = sigmoid_focal_crossentropy(
            targets,
            y_pred,
            gamma=self.gamma,
            alpha=self.alpha,
            from_logits=True,
            normalize_by_positives=True,
        )  # (B, A): sum over classes / positive anchors of the batch
        if self.ohem is not None:
            counted = counted * ops.stop_gradient(self._hardest(loss, targets, counted))
        return loss * counted

    def _hardest(self, loss, targets, counted):
        """1 for the anchors OHEM keeps, per image, else 0."""
        is_positive = ops.max(targets, axis=-1)
        positive, negative = is_positive * counted, (1.0 - is_positive) * counted
        if self.ohem_ratio is None:
            return _top(loss, counted, ops.full(ops.shape(loss)[:1], float(self.ohem)))
        cap = float(self.ohem) / (1.0 + self.ohem_ratio)
        keep_pos = _top(loss, positive, ops.full(ops.shape(loss)[:1], cap))
        n_pos = ops.sum(keep_pos, axis=-1)
        n_neg = ops.minimum(self.ohem_ratio * ops.maximum(n_pos, 1.0), self.ohem - n_pos)
        return keep_pos + _top(loss, negative, n_neg)

    def get_config(self):
        return {
            "name": self.name,
            "gamma": self.gamma,
            "alpha": self.alpha,
            "ohem": self.ohem,
            "ohem_ratio": self.ohem_ratio,
        }


def _top(loss, eligible, count):
    """Per row, 1 for the ``count`` eligible entries of highest ``loss`` (ties: all kept)."""
    masked = ops.where(eligible > 0, ops.stop_gradient(loss), -1.0)
    ranked = -ops.sort(-masked, axis=-1)  # descending
    index = ops.clip(ops.cast(count, "int32") - 1, 0, ops.shape(loss)[-1] - 1)
    threshold = ops.take_along_axis(ranked, index[:, None], axis=-1)
    chosen = (masked >= threshold) & (eligible > 0) & (count[:, None] >= 1)
    return ops.cast(chosen, loss.dtype)
