"""focal.metrics.expected_calibration_error against hand-computed values."""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal.metrics import expected_calibration_error

import numpy as np
import pytest


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
