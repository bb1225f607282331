"""Calibration of multi-label probabilities (the notebooks score ranking with scikit-learn's AP)."""

from focal import validation

import numpy as np
from scipy import optimize
from sklearn.calibration import calibration_curve


def _pairs(y_true, y_prob):
    """Both arrays flattened, after checking they are non-empty, the same size, and in [0, 1]."""
    y_true = np.ravel(validation.as_array("y_true", y_true))
    y_prob = np.ravel(validation.as_array("y_prob", y_prob))
    if y_true.size == 0 or y_true.size != y_prob.size:
        raise ValueError(
            f"`y_true` and `y_prob` must be non-empty and the same size, got {y_true.size} "
            f"and {y_prob.size} values."
        )
    for name, values in (("y_true", y_true), ("y_prob", y_prob)):
        if not np.issubdtype(values.dtype, np.number) and values.dtype != bool:
            raise ValueError(f"`{name}` must be numeric, got dtype {values.dtype}.")
        bad = ~((values >= 0) & (values <= 1))  # NaN fails both comparisons
        if bad.any():
            index = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"`{name}` must hold values in [0, 1]; entry {index} is {values[index]}."
            )
    return y_true, y_prob


def reliability_bins(y_true, y_prob, n_bins=15):
    """The non-empty bins of equal width of a reliability diagram, over all (example, class)
    pairs: (fraction of positives, mean probability, number of pairs), one entry per bin.

    ``calibration_curve`` gives the first two; the sizes come from the same bin edges.

    >>> [v.tolist() for v in reliability_bins([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9], n_bins=2)]
    [[0.0, 1.0], [0.2, 0.75], [2, 2]]
    """
    y_true, y_prob = _pairs(y_true, y_prob)
    fraction_positive, mean_probability = calibration_curve(
        y_true, y_prob, n_bins=n_bins, strategy="uniform"
    )
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    sizes = np.bincount(np.searchsorted(edges[1:-1], y_prob), minlength=n_bins)
    return fraction_positive, mean_probability, sizes[sizes > 0]


def expected_calibration_error(y_true, y_prob, n_bins=15):
    """ECE of Guo et al. (2017), eq. (3): sum_b (n_b / n) |accuracy_b - confidence_b|.

    Each (example, class) pair is one binary prediction, binned by ``reliability_bins``.

    >>> round(expected_calibration_error([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9], n_bins=2), 4)
    0.225
    """
    fraction_positive, mean_probability, sizes = reliability_bins(y_true, y_prob, n_bins)
    return float(np.sum(sizes / sizes.sum() * np.abs(fraction_positive - mean_probability)))


def fit_temperature(logits, y_true):
    """Temperature scaling (Guo et al. 2017, section 4.2): the T > 0 that minimises the mean
    binary cross-entropy of sigmoid(logits / T) over every (example, class) pair.

    Fit T on held-out data, never on the data you report. Dividing by T moves no ranking
    (AP is unchanged); T > 1 softens an over-confident model, T < 1 sharpens a timid one.

    Targets may be soft: a model three times too sure of frequencies 0.8 and 0.2 gets T = 3.

    >>> z = 3 * np.log(0.8 / 0.2)  # three times the logit of 0.8
    >>> round(fit_temperature([z, -z], [0.8, 0.2]), 4)
    3.0
    """
    logits = np.ravel(np.asarray(logits, dtype=np.float64))
    y_true = np.ravel(np.asarray(y_true, dtype=np.float64))
    if logits.shape != y_true.shape or logits.size == 0:
        raise ValueError(
            f"`logits` and `y_true` must be non-empty and the same size, got {logits.size} "
            f"and {y_true.size} values."
        )

    def mean_bce(log_t):
        z = logits / np.exp(log_t)
        return float(np.mean(np.logaddexp(0.0, z) - y_true * z))

    best = optimize.minimize_scalar(mean_bce, bounds=(-5.0, 5.0), method="bounded")
    return float(np.exp(best.x))
