"""Calibration of multi-label probabilities (the notebooks score ranking with scikit-learn's AP)."""

import numpy as np
from sklearn.calibration import calibration_curve


def expected_calibration_error(y_true, y_prob, n_bins=15):
    """ECE of Guo et al. (2017), eq. (3): sum_b (n_b / n) |accuracy_b - confidence_b|.

    Each (example, class) pair is one binary prediction. ``calibration_curve`` gives, for each
    non-empty bin of equal width, the fraction of positives and the mean probability; the bin
    sizes n_b come from the same bin edges.

    >>> round(expected_calibration_error([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9], n_bins=2), 4)
    0.225
    """
    y_true = np.ravel(y_true)
    y_prob = np.ravel(y_prob)
    fraction_positive, mean_probability = calibration_curve(
        y_true, y_prob, n_bins=n_bins, strategy="uniform"
    )
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    sizes = np.bincount(np.searchsorted(edges[1:-1], y_prob), minlength=n_bins)
    sizes = sizes[sizes > 0]
    return float(np.sum(sizes / y_true.size * np.abs(fraction_positive - mean_probability)))
