"""Per-class weights from per-class sample counts.

Every scheme gives a raw weight r_c per class, then normalises it:

- ``normalize="mean"`` (default): w_c = C r_c / sum_k r_k, so the weights average 1 and a
  weighted loss keeps the scale of the unweighted one (the learning rate still fits);
- ``normalize="sum"``: w_c = r_c / sum_k r_k, weights sum to 1 (the seed snippet's choice,
  which divides the loss by about C).

Counts must be positive: a class with no examples has no defined frequency. Drop the class,
or add a pseudo-count (``counts + 1``) if it must stay.
"""

from focal import validation

import numpy as np

NORMALIZATIONS = ("mean", "sum")


def counts_from_labels(labels):
    """Per-class positive counts n_c = sum_i y_ic of a multi-hot (N, C) label matrix."""
    labels = validation.as_array("labels", labels)
    if labels.ndim != 2:
        raise ValueError(
            f"`labels` must be a 2-D (examples, classes) matrix, got shape {labels.shape}."
        )
    if labels.size == 0:
        raise ValueError("`labels` is empty.")
    if not np.issubdtype(labels.dtype, np.number) and labels.dtype != bool:
        raise ValueError(f"`labels` must be numeric, got dtype {labels.dtype}.")
    labels = labels.astype(np.float64)
    if not np.all((labels >= 0) & (labels <= 1)):
        raise ValueError("`labels` must hold values in [0, 1].")
    return labels.sum(axis=0)


def checked_counts(counts, name="counts"):
    """``counts`` as a float64 array after checking it holds one finite count > 0 per class."""
    counts = validation.as_array(name, counts)
    if counts.ndim != 1:
        raise ValueError(
            f"`{name}` must be 1-D (one count per class), got shape {counts.shape}; "
            "for a multi-hot label matrix use counts_from_labels(labels)."
        )
    counts = np.asarray(validation.vector(name, counts))
    if np.any(counts <= 0):
        index = int(np.flatnonzero(counts <= 0)[0])
        raise ValueError(
            f"`{name}` must be positive; class {index} has {counts[index]:g} examples. "
            "Drop that class or add a pseudo-count (counts + 1)."
        )
    return counts


def _relative_frequency_inverse(counts):
    """N / n_c up to a constant factor, as min_k n_k / n_c in (0, 1]: no overflow for any
    finite counts (N itself may overflow), and the normalisation removes the factor."""
    return counts.min() / counts


def _normalized(raw, normalize):
    if normalize not in NORMALIZATIONS:
        raise ValueError(f"`normalize` must be one of {NORMALIZATIONS}, got {normalize!r}.")
    total = raw.sum()
    return raw * (len(raw) / total if normalize == "mean" else 1.0 / total)


def inverse_frequency(counts, normalize="mean"):
    """Normalised inverse frequency: r_c = N / n_c with N = sum_c n_c.

    ``inverse_frequency(counts, normalize="sum")`` gives exactly the seed snippet's weights.

    >>> inverse_frequency([1, 2, 3], normalize="sum").round(4).tolist()
    [0.5455, 0.2727, 0.1818]
    """
    return _normalized(_relative_frequency_inverse(checked_counts(counts)), normalize)


def sqrt_inverse_frequency(counts, normalize="mean"):
    """Square-root inverse frequency: r_c = sqrt(N / n_c), a milder re-weighting."""
    return _normalized(np.sqrt(_relative_frequency_inverse(checked_counts(counts))), normalize)


def effective_number(counts, beta=0.999, normalize="mean"):
    """Class-balanced weights of Cui et al. (2019), eq. (3)-(4): r_c = (1 - beta) / (1 - beta^n_c).

    (1 - beta^n) / (1 - beta) is the "effective number" of samples. beta = 0 gives uniform
    weights; as beta -> 1 the weights tend to inverse frequency.

    Two ways to apply them to multi-label data: ``FocalLoss(class_weight=w)`` weights each
    class *column* (positives and negatives of class c alike); Cui et al. weight each
    *sample* by its class, which ``per_sample(labels, w)`` extends to multi-label images.
    """
    counts = checked_counts(counts)
    beta = validation.number("beta", beta, 0.0, 1.0, high_open=True)
    if beta == 0.0:
        return _normalized(np.ones_like(counts), normalize)
    # -expm1(n log beta) = 1 - beta^n without cancellation when beta is close to 1.
    raw = (1.0 - beta) / -np.expm1(counts * np.log(beta))
    return _normalized(raw, normalize)


def per_sample(labels, class_weight):
    """Per-example weights from per-class ones, for ``fit(sample_weight=...)``.

    Cui et al. (2019) weight each *sample* by the class-balanced weight of its class, so all
    C sigmoid terms of that sample share one weight. A multi-label image has several classes:
    it gets the mean weight of its positive classes, s_i = mean_{c: y_ic = 1} w_c, and the
    weights are normalised to mean 1 over the examples (the loss keeps its scale). An image
    with no positive label gets the mean class weight. This differs from ``class_weight`` in
    ``focal.FocalLoss``, which weights each class *column*, positives and negatives alike.

    >>> per_sample([[1, 0], [0, 1], [1, 1]], [0.5, 1.5]).round(4).tolist()
    [0.5, 1.5, 1.0]
    """
    labels = validation.as_array("labels", labels)
    counts_from_labels(labels)  # the same checks on the label matrix
    labels = labels.astype(np.float64) >= 0.5
    class_weight = np.asarray(validation.vector("class_weight", class_weight, 0.0))
    if len(class_weight) != labels.shape[1]:
        raise ValueError(
            f"`class_weight` has {len(class_weight)} entries for {labels.shape[1]} classes."
        )
    n_positive = labels.sum(axis=1)
    raw = np.where(
        n_positive > 0, labels @ class_weight / np.maximum(n_positive, 1), class_weight.mean()
    )
    if raw.sum() == 0:
        raise ValueError("`class_weight` gives every example weight 0.")
    return raw * (len(raw) / raw.sum())
