"""focal.metrics: the ECE against hand-computed values, the temperature against a grid search."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal import metrics
from focal.metrics import expected_calibration_error

import numpy as np
import pytest
from scipy import special


def test_hand_computed_value():
    # Bins of width 0.5: {0.1, 0.3} hold 0 positives (conf 0.2); {0.6, 0.9} hold 2 (conf 0.75).
    # ECE = 1/2 |0 - 0.2| + 1/2 |1 - 0.75| = 0.225.
    assert expected_calibration_error([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9], n_bins=2) == (
        pytest.approx(0.225)
    )


def test_empty_bins_do_not_count():
    # Three of five bins are empty; the two others: |0 - 0.05| * 3/4 and |1 - 0.95| * 1/4.
    got = expected_calibration_error([0, 0, 0, 1], [0.05, 0.05, 0.05, 0.95], n_bins=5)
    assert got == pytest.approx(0.75 * 0.05 + 0.25 * 0.05)


def test_multi_label_matrices_are_flattened():
    rng = np.random.default_rng(0)
    p = rng.random((50, 4))
    y = (rng.random((50, 4)) < p).astype(float)
    assert expected_calibration_error(y, p) == pytest.approx(
        expected_calibration_error(y.ravel(), p.ravel())
    )


def test_temperature_matches_a_brute_force_search():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0.0, 2.0, (4000, 3))
    y = (rng.random(true_logits.shape) < special.expit(true_logits)).astype(float)
    logits = 2.5 * true_logits  # over-confident by 2.5: the best temperature is near 2.5
    grid = np.exp(np.linspace(-1, 2, 3001))
    nll = [np.mean(np.logaddexp(0, logits / t) - y * logits / t) for t in grid]
    assert metrics.fit_temperature(logits, y) == pytest.approx(grid[np.argmin(nll)], rel=2e-3)
    assert metrics.fit_temperature(logits, y) == pytest.approx(2.5, rel=0.1)


@pytest.mark.parametrize(("logits", "y"), [([], []), ([1.0, 2.0], [1.0])])
def test_temperature_bad_sizes_raise(logits, y):
    with pytest.raises(ValueError, match="logits"):
        metrics.fit_temperature(logits, y)


@pytest.mark.parametrize(
    ("y_true", "y_prob", "match"),
    [
        ([], [], "non-empty"),
        (np.zeros((0, 3)), np.zeros((0, 3)), "non-empty"),
        ([0, 1], [0.5], "same size"),
        ([0, 1], [np.nan, 0.5], "y_prob"),
        ([0, 1], [0.2, 1.5], "y_prob"),
        ([0, np.nan], [0.2, 0.5], "y_true"),
        ([[0, 1], [1]], [[0.1, 0.2], [0.3]], "rectangular"),
    ],
)
def test_calibration_error_bad_inputs_raise(y_true, y_prob, match):
    with pytest.raises(ValueError, match=match):
        metrics.expected_calibration_error(y_true, y_prob)
