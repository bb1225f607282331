"""focal.checks.smoothing (notebook 05): each checker accepts right and rejects wrong answers."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.checks import smoothing as checks

import keras
import numpy as np
import pytest
from checker_testing import assert_accepts_right_rejects_wrong


def right_smooth_binary_labels(y, e):
    return y * (1 - e) + e / 2


def right_snippet_lsr_term(p):
    q = p / p.sum(axis=-1, keepdims=True)
    return -np.mean(np.log(q), axis=-1)


def right_soft_focal_loss(p, y, gamma):
    return y * (1 - p) ** gamma * -np.log(p) + (1 - y) * p**gamma * -np.log(1 - p)


def keras_soft_focal_loss(p, y, gamma):
    # Keras's BinaryFocalCrossentropy: the soft y inside p_t, times BCE(y, p).
    p_t = y * p + (1 - y) * (1 - p)
    return (1 - p_t) ** gamma * (-y * np.log(p) - (1 - y) * np.log(1 - p))


P_FINE = np.linspace(1e-7, 1 - 1e-7, 400_001)


def right_focal_minimiser(eta, gamma):
    return P_FINE[np.argmin(right_soft_focal_loss(P_FINE, eta, gamma))]


@pytest.mark.parametrize(
    "checker, right, wrong",
    [
        (
            checks.smooth_binary_labels,
            right_smooth_binary_labels,
            lambda y, e: y * (1 - e) + e / y.shape[-1],
        ),  # softmax-style, toward 1/C
        (checks.smooth_binary_labels, right_smooth_binary_labels, lambda y, e: y * (1 - e)),
        (checks.smooth_binary_labels, right_smooth_binary_labels, lambda y, e: y * (1 - e) + e),
        (
            checks.snippet_lsr_term,
            right_snippet_lsr_term,
            lambda p: -np.mean(np.log(p), axis=-1),
        ),  # forgets Keras's rescaling
        (
            checks.snippet_lsr_term,
            right_snippet_lsr_term,
            lambda p: -np.sum(np.log(p / p.sum(axis=-1, keepdims=True)), axis=-1),
        ),  # target 1, not 1/K
        (
            checks.snippet_lsr_term,
            right_snippet_lsr_term,
            lambda p: np.full(p.shape[0], np.log(p.shape[-1])),
        ),  # only right when the outputs are equal
        (checks.soft_focal_loss, right_soft_focal_loss, keras_soft_focal_loss),
        (
            checks.soft_focal_loss,
            right_soft_focal_loss,
            lambda p, y, gamma: y * (1 - p) ** gamma * -np.log(p),
        ),  # drops the negative part
        (checks.focal_minimiser, right_focal_minimiser, lambda eta, gamma: eta),  # "proper"
        (
            checks.focal_minimiser,
            right_focal_minimiser,
            lambda eta, gamma: P_FINE[np.argmin(keras_soft_focal_loss(P_FINE, eta, gamma))],
        ),  # Keras's soft-target form
    ],
)
def test_checker_accepts_right_and_rejects_wrong(checker, right, wrong, capsys):
    assert_accepts_right_rejects_wrong(checker, right, wrong, capsys)


def test_checkers_print_one_fixed_line(capsys):
    checks.smooth_binary_labels(right_smooth_binary_labels)
    checks.snippet_lsr_term(right_snippet_lsr_term)
    checks.soft_focal_loss(right_soft_focal_loss)
    checks.focal_minimiser(right_focal_minimiser)
    assert capsys.readouterr().out == (
        "Exercise 5.1: correct.\nExercise 5.2: correct.\nExercise 5.3: correct.\n"
        "Exercise 5.4: correct.\n"
    )


def test_focal_minimiser_published_values():
    """Issue values for gamma = 2: 0.9 -> 0.694, 0.7 -> 0.578, 0.1 -> 0.306."""
    for eta, expected in [(0.9, 0.694), (0.7, 0.578), (0.1, 0.306)]:
        assert right_focal_minimiser(eta, 2.0) == pytest.approx(expected, abs=5e-4)


def test_keras_categorical_crossentropy_passes_the_lsr_check(capsys):
    # The term as the snippet computes it, in float32: accepted within the checker's rtol.
    def keras_term(p):
        uniform = np.full_like(p, 1 / p.shape[-1])
        return keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(uniform, p))

    checks.snippet_lsr_term(keras_term)
    assert capsys.readouterr().out == "Exercise 5.2: correct.\n"


def test_keras_binary_smoothing_passes_the_label_check(capsys):
    # BinaryCrossentropy(label_smoothing=e) smooths the same way: its loss equals BCE of ours.
    y, p, e = checks.Y_MULTI_HOT, np.full((3, 3), 0.3), 0.2
    keras_loss = keras.losses.BinaryCrossentropy(label_smoothing=e, reduction="none")(y, p)
    y_s = right_smooth_binary_labels(y, e)
    by_hand = np.mean(-y_s * np.log(p) - (1 - y_s) * np.log(1 - p), axis=-1)
    assert np.allclose(keras.ops.convert_to_numpy(keras_loss), by_hand, rtol=1e-5)


def test_soft_focal_loss_agrees_with_keras_form_only_where_expected():
    p = checks.P_GRID
    for y in (0.0, 1.0):  # hard labels: same loss
        assert np.allclose(
            right_soft_focal_loss(p, y, 2.0), keras_soft_focal_loss(p, np.full_like(p, y), 2.0)
        )
    y_soft = np.full_like(p, 0.9)  # gamma = 0: both are BCE with a soft target
    assert np.allclose(right_soft_focal_loss(p, y_soft, 0.0), keras_soft_focal_loss(p, y_soft, 0.0))
    assert not np.allclose(
        right_soft_focal_loss(p, y_soft, 2.0), keras_soft_focal_loss(p, y_soft, 2.0)
    )
