"""focal.original: the snippet's behaviours, defects included, against NumPy re-computations."""

import focal  # noqa: F401, I001 (first: sets TensorFlow's environment before it loads)
import numpy as np
import pytest
import tensorflow as tf

from focal import original

COUNTS = [1, 2, 3]
Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
P = np.array([[0.3, 0.6, 0.8], [0.5, 0.2, 0.4], [0.9, 0.7, 0.1]])


def _loss(y, p, counts=COUNTS, dtype=tf.float64, **kwargs):
    return original.focal_loss(counts, **kwargs)(
        tf.constant(y, dtype=dtype), tf.constant(p, dtype=dtype)
    )


def _gradient(y, p, counts=COUNTS, dtype=tf.float64, **kwargs):
    p = tf.constant(p, dtype=dtype)
    with tf.GradientTape() as tape:
        tape.watch(p)
        loss = original.focal_loss(counts, **kwargs)(tf.constant(y, dtype=dtype), p)
    return tape.gradient(loss, p).numpy()


def _numpy_focal_term(y, p, counts, gamma):
    counts = np.asarray(counts, dtype=np.float64)
    w = counts.sum() / counts
    w = w / w.sum()
    one_minus_p = np.where(y > 0, y - p, 0.0)
    per_entry = w * one_minus_p**gamma * -np.log(np.clip(p, 1e-8, 1.0))
    return np.where(y > 0, per_entry, 0.0).mean()


def _numpy_lsr_term(p):
    c = p.shape[-1]
    return -np.sum(np.log(p / p.sum(axis=-1, keepdims=True)) / c, axis=-1)


def test_focal_term_matches_numpy():
    for gamma in (0.0, 2.0, 5.0):
        got = _loss(Y, P, gamma=gamma, e=0.0).numpy()
        expected = _numpy_focal_term(Y, P, COUNTS, gamma)
        np.testing.assert_allclose(got, np.full(3, expected), rtol=1e-12)


def test_focal_term_golden():
    # w = 6/11, 3/11, 2/11; one positive, p = 0.5 in class 0; 1 x 2 entries in the mean.
    got = _loss([[1.0, 0.0]], [[0.5, 0.5]], counts=[1, 2], e=0.0).numpy()
    w0 = (3 / 1) / (3 / 1 + 3 / 2)  # 2/3
    np.testing.assert_allclose(got, [w0 * 0.25 * np.log(2.0) / 2], rtol=1e-12)


def test_lsr_term_matches_numpy():
    got = _loss(Y, P, e=1.0).numpy()
    np.testing.assert_allclose(got, _numpy_lsr_term(P), rtol=1e-12)
    # golden: p proportional to (1, 1, 2) renormalises to (1/4, 1/4, 1/2)
    got = _loss([[1.0, 0.0, 0.0]], [[0.2, 0.2, 0.4]], e=1.0).numpy()
    np.testing.assert_allclose(got, [(2 * np.log(4.0) + np.log(2.0)) / 3], rtol=1e-12)


def test_total_mixes_the_terms_with_e():
    e = 0.1
    got = _loss(Y, P, e=e).numpy()
    expected = (1 - e) * _numpy_focal_term(Y, P, COUNTS, 2.0) + e * _numpy_lsr_term(P)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_weights_sum_to_one_so_focal_term_is_about_1_over_c():
    # Equal counts give w_c = 1/C: the focal term is 1/C of the unweighted mean focal loss.
    counts = [5] * 3
    unweighted = np.where(Y > 0, (1 - P) ** 2 * -np.log(P), 0.0).mean()
    got = _loss(Y, P, counts=counts, e=0.0).numpy()
    np.testing.assert_allclose(got, np.full(3, unweighted / 3), rtol=1e-12)


def test_negatives_get_zero_loss_and_zero_gradient():
    # e = 0 isolates the focal term (the LSR term touches every output).
    negatives = Y == 0
    other_p = np.where(negatives, 0.99, P)  # confidently wrong on every negative
    np.testing.assert_array_equal(_loss(Y, other_p, e=0.0), _loss(Y, P, e=0.0))
    np.testing.assert_array_equal(_loss(np.zeros_like(Y), P, e=0.0), np.zeros(3))
    grad = _gradient(Y, P, e=0.0)
    assert np.all(grad[negatives] == 0.0)
    assert np.all(grad[~negatives] < 0.0)  # positives do get a gradient


def test_alpha_is_unused():
    losses = [_loss(Y, P, alpha=alpha).numpy() for alpha in (0.0, 0.25, 0.9)]
    np.testing.assert_array_equal(losses[0], losses[1])
    np.testing.assert_array_equal(losses[0], losses[2])


def test_zero_count_divides_by_zero():
    with pytest.raises(ZeroDivisionError):
        _loss(Y, P, counts=[1, 0, 3])


def test_soft_target_below_prediction_gives_nan_loss():
    # target - prediction = 0.6 - 0.8 < 0, and (-0.2) ** 0.5 is NaN
    loss = _loss([[0.6, 1.0]], [[0.8, 0.5]], counts=[1, 2], gamma=0.5)
    assert np.all(np.isnan(loss.numpy()))


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_saturated_positive_gives_non_finite_gradient_for_gamma_below_1(gamma):
    grad = _gradient([[1.0, 0.0]], [[1.0, 0.5]], counts=[1, 2], gamma=gamma)
    assert not np.isfinite(grad[0, 0])
    assert np.isfinite(grad[0, 1])


def test_saturated_positive_gradient_is_finite_for_gamma_2():
    grad = _gradient([[1.0, 0.0]], [[1.0, 0.5]], counts=[1, 2], gamma=2.0)
    assert np.all(np.isfinite(grad))


def test_float16_zero_prediction_on_positive_is_infinite():
    assert np.float16(1e-8) == 0.0  # the clip floor underflows, so log(0) = -inf
    loss = _loss([[1.0, 0.0]], [[0.0, 0.5]], counts=[1, 2], dtype=tf.float16)
    assert loss.dtype == tf.float16
    assert np.isposinf(loss.numpy()).all()
    # float32 keeps the floor: -log(1e-8) is finite
    assert np.isfinite(_loss([[1.0, 0.0]], [[0.0, 0.5]], counts=[1, 2], dtype=tf.float32)).all()


def published_loss(source):
    namespace = {}
    exec(source, namespace)
    return namespace["focal_loss"]([1, 2])


def test_published_snippet_returns_an_undefined_name():
    with pytest.raises(NameError, match="fianal_loss"):
        published_loss(original.PUBLISHED)


def test_published_snippet_with_its_return_indented_does_not_run_on_tf2():
    indented = original.PUBLISHED.replace("    return fianal_loss", "        return fianal_loss")
    loss = published_loss(indented)
    with pytest.raises(AttributeError, match="log"):
        loss(tf.constant([[1.0, 0.0]]), tf.constant([[0.6, 0.5]]))


def test_is_a_closure_without_config():
    loss = original.focal_loss(COUNTS)
    assert loss.__name__ == "focal_loss_fixed"
    assert not hasattr(loss, "get_config")
