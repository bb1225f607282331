"""The seed snippet, "focal loss with multi-label implemented in keras", ported to TF 2 / Keras 3.

For reading and for demonstrating its defects only: use ``focal.FocalLoss`` instead.

The port changes only what stops it from running on TensorFlow 2.21 with Keras 3:
``tf.log`` -> ``tf.math.log``; ``keras.backend.categorical_crossentropy`` (gone in Keras 3)
-> ``keras.losses.categorical_crossentropy`` (same maths); ``return fianal_loss``, which the
page shows beside ``return focal_loss_fixed``, indented into the inner function. Every defect
is kept on purpose:

1. Negatives get zero focal loss and zero focal gradient: ``one_minus_p`` and the weight are
   both 0 where the target is 0, so a model can predict "every class present" almost for free
   (only the small "LSR" term of point 5 touches negatives).
2. ``alpha`` is accepted and never used.
3. The class weights N / n_c are normalised to sum to 1, so the focal term is about 1/C of
   an unweighted loss (the learning rate must grow to compensate).
4. ``reduce_mean`` over the whole batch gives one scalar, so ``sample_weight`` cannot weight
   the focal term per example (only the smoothing term).
5. The "LSR" term is a categorical cross-entropy of a uniform target against the sigmoid
   outputs, which Keras rescales to sum to 1 (a softmax assumption that multi-label outputs
   do not meet).
6. A class with zero samples divides by zero (``ZeroDivisionError``) at the first call.
7. Soft targets make ``target - prediction`` negative, and a non-integer power of a negative
   number is NaN; with gamma < 1 (gamma = 0 included) the gradient of u^gamma at u = 0 is
   infinite or undefined, so saturated positives give NaN gradients.
8. It is a closure, neither registered nor configurable: a model saved as ``.keras`` does
   not reload without ``custom_objects``.
9. Probabilities are clipped at 1e-8, which is 0 in float16, so log(0) = -inf there.
10. The result is named ``fianal_loss`` (sic), and nothing has a ``get_config``.
"""

import keras
import tensorflow as tf
from tensorflow.python.ops import array_ops

PUBLISHED = """\
# focal loss with multi label
def focal_loss(classes_num, gamma=2., alpha=.25, e=0.1):
    # classes_num contains sample number of each classes
    def focal_loss_fixed(target_tensor, prediction_tensor):
        \'\'\'
        prediction_tensor is the output tensor with shape [None, 100], where
        100 is the number of classes
        target_tensor is the label tensor, same shape as predcition_tensor
        \'\'\'
        import tensorflow as tf
        from tensorflow.python.ops import array_ops
        from keras import backend as K

        #1# get focal loss with no balanced weight which presented in paper function (4)
        zeros = array_ops.zeros_like(prediction_tensor, dtype=prediction_tensor.dtype)
        one_minus_p = array_ops.where(tf.greater(target_tensor,zeros), target_tensor - prediction_tensor, zeros)
        FT = -1 * (one_minus_p ** gamma) * tf.log(tf.clip_by_value(prediction_tensor, 1e-8, 1.0))

        #2# get balanced weight alpha
        classes_weight = array_ops.zeros_like(prediction_tensor, dtype=prediction_tensor.dtype)

        total_num = float(sum(classes_num))
        classes_w_t1 = [ total_num / ff for ff in classes_num ]
        sum_ = sum(classes_w_t1)
        classes_w_t2 = [ ff/sum_ for ff in classes_w_t1 ]    #scale
        classes_w_tensor = tf.convert_to_tensor(classes_w_t2, dtype=prediction_tensor.dtype)
        classes_weight += classes_w_tensor

        alpha = array_ops.where(tf.greater(target_tensor, zeros), classes_weight, zeros)

        #3# get balanced focal loss
        balanced_fl = alpha * FT
        balanced_fl = tf.reduce_mean(balanced_fl)

        #4# add other op to prevent overfit
        # reference : https://spaces.ac.cn/archives/4493
        nb_classes = len(classes_num)
        fianal_loss = (1-e) * balanced_fl + e * K.categorical_crossentropy(K.ones_like(prediction_tensor)/nb_classes, prediction_tensor)

    return fianal_loss
    return focal_loss_fixed
"""
"""The snippet as published, for display and for running as-is: the long lines the page
wrapped are joined again; everything else, the outer ``return fianal_loss`` included, is as
the page shows it."""


def focal_loss(classes_num, gamma=2.0, alpha=0.25, e=0.1):
    """The snippet's loss, defects kept (see the module docstring). Do not train with it."""

    def focal_loss_fixed(target_tensor, prediction_tensor):
        # 1: focal loss of eq. (4), only where the target is positive.
        zeros = array_ops.zeros_like(prediction_tensor, dtype=prediction_tensor.dtype)
        one_minus_p = array_ops.where(
            tf.greater(target_tensor, zeros), target_tensor - prediction_tensor, zeros
        )
        FT = -1 * (one_minus_p**gamma) * tf.math.log(tf.clip_by_value(prediction_tensor, 1e-8, 1.0))

        # 2: inverse-frequency class weights, normalised to sum to 1.
        classes_weight = array_ops.zeros_like(prediction_tensor, dtype=prediction_tensor.dtype)
        total_num = float(sum(classes_num))
        classes_w_t1 = [total_num / ff for ff in classes_num]
        sum_ = sum(classes_w_t1)
        classes_w_t2 = [ff / sum_ for ff in classes_w_t1]
        classes_w_tensor = tf.convert_to_tensor(classes_w_t2, dtype=prediction_tensor.dtype)
        classes_weight += classes_w_tensor
        alpha = array_ops.where(tf.greater(target_tensor, zeros), classes_weight, zeros)

        # 3: weighted focal loss, averaged over batch and classes into one scalar.
        balanced_fl = alpha * FT
        balanced_fl = tf.reduce_mean(balanced_fl)

        # 4: "LSR": categorical cross-entropy of a uniform target against the outputs.
        nb_classes = len(classes_num)
        fianal_loss = (1 - e) * balanced_fl + e * keras.losses.categorical_crossentropy(
            tf.ones_like(prediction_tensor) / nb_classes, prediction_tensor
        )
        return fianal_loss

    return focal_loss_fixed
