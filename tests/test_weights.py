"""focal.weights against hand-computed class weights, and its checks on bad input."""

import focal  # first: sets TensorFlow's environment
from focal import weights

import numpy as np
import pytest


def test_package_exposes_weights():
    assert focal.weights is weights


def test_inverse_frequency_sum_is_the_snippets_weights():
    # The snippet: N = 6; N / n = 6, 3, 2; their sum 11; so 6/11, 3/11, 2/11.
    got = weights.inverse_frequency([1, 2, 3], normalize="sum")
    np.testing.assert_allclose(got, [6 / 11, 3 / 11, 2 / 11], rtol=1e-15)
    assert got.round(4).tolist() == [0.5455, 0.2727, 0.1818]


def test_inverse_frequency_mean_averages_one_with_the_same_proportions():
    got = weights.inverse_frequency([1, 2, 3])  # normalize="mean" by default
    np.testing.assert_allclose(got, [18 / 11, 9 / 11, 6 / 11], rtol=1e-15)
    assert got.mean() == pytest.approx(1.0, rel=1e-15)


def test_sqrt_inverse_frequency_proportions():
    # N = 5, n = [1, 4]: sqrt(N / n) = sqrt(5), sqrt(5) / 2, ratio 2 : 1.
    got = weights.sqrt_inverse_frequency([1, 4], normalize="sum")
    np.testing.assert_allclose(got, [2 / 3, 1 / 3], rtol=1e-15)
    counts = np.array([3.0, 30.0, 300.0])
    raw = np.sqrt(counts.sum() / counts)
    got = weights.sqrt_inverse_frequency(counts)
    np.testing.assert_allclose(got, 3 * raw / raw.sum(), rtol=1e-14)
    assert got[0] / got[1] == pytest.approx(np.sqrt(10.0), rel=1e-14)


def test_effective_number_beta_0_is_uniform():
    np.testing.assert_array_equal(weights.effective_number([1, 10, 1000], beta=0.0), [1, 1, 1])


def test_effective_number_golden():
    # (1 - beta) / (1 - beta^n) with beta = 0.9: n = 1 gives 1; n = 10 gives 0.1 / (1 - 0.9^10).
    raw = np.array([1.0, 0.1 / (1.0 - 0.3486784401)])
    got = weights.effective_number([1, 10], beta=0.9, normalize="sum")
    np.testing.assert_allclose(got, raw / raw.sum(), rtol=1e-12)
    assert got.round(4).tolist() == [0.8669, 0.1331]


def test_effective_number_tends_to_inverse_frequency_as_beta_tends_to_1():
    # 1 / n for n = 1, 2, 3 is 1, 1/2, 1/3 (sum 11/6), so 6/11, 3/11, 2/11.
    got = weights.effective_number([1, 2, 3], beta=1.0 - 1e-9, normalize="sum")
    np.testing.assert_allclose(got, [6 / 11, 3 / 11, 2 / 11], rtol=1e-6)
    # and not yet there at the default beta for large counts
    far = weights.effective_number([1000, 2000], normalize="sum")
    assert abs(far[0] - 2 / 3) > 0.05


def test_counts_from_labels():
    labels = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(weights.counts_from_labels(labels), [3, 1, 2])
    soft = [[0.5, 1.0], [0.25, 0.0]]
    np.testing.assert_array_equal(weights.counts_from_labels(soft), [0.75, 1.0])


@pytest.mark.parametrize(
    "counts, match",
    [
        ([3, 0, 2], r"counts.*positive; class 1 has 0"),
        ([3, -1], r"counts.*positive; class 1 has -1"),
        ([3, np.nan], r"counts.*finite"),
        ([[1, 2], [3, 4]], r"counts.*1-D"),
        ([], r"counts.*non-empty"),
    ],
)
@pytest.mark.parametrize(
    "scheme", [weights.inverse_frequency, weights.sqrt_inverse_frequency, weights.effective_number]
)
def test_bad_counts_raise(scheme, counts, match):
    with pytest.raises(ValueError, match=match):
        scheme(counts)


@pytest.mark.parametrize("beta", [1.0, -0.1, 1.5, np.nan])
def test_beta_outside_0_1_raises(beta):
    with pytest.raises(ValueError, match="beta"):
        weights.effective_number([1, 2], beta=beta)


@pytest.mark.parametrize(
    "scheme", [weights.inverse_frequency, weights.sqrt_inverse_frequency, weights.effective_number]
)
def test_unknown_normalize_raises(scheme):
    with pytest.raises(ValueError, match=r"normalize.*bogus"):
        scheme([1, 2], normalize="bogus")


@pytest.mark.parametrize("labels", [[1, 0, 1], [[[1, 0]]]])
def test_labels_not_2d_raise(labels):
    with pytest.raises(ValueError, match=r"labels.*2-D"):
        weights.counts_from_labels(labels)


@pytest.mark.parametrize("labels", [[[1, 2]], [[1, -1]], [[np.nan, 1]]])
def test_labels_outside_0_1_raise(labels):
    with pytest.raises(ValueError, match=r"labels.*\[0, 1\]"):
        weights.counts_from_labels(labels)


@pytest.mark.parametrize(
    "counts, match",
    [
        ({"cat": 3, "dog": 1}, "class order"),
        ((n for n in [3, 1]), "generator"),
        ({3, 1}, "set"),
        ("31", "str"),
    ],
)
def test_unordered_or_lazy_counts_are_named(counts, match):
    """NumPy turns these into a 0-d object array; the error must say what was passed."""
    with pytest.raises(ValueError, match=match):
        weights.inverse_frequency(counts)


def test_per_sample_is_the_mean_weight_of_the_positive_classes():
    rng = np.random.default_rng(0)
    labels = (rng.random((50, 4)) < 0.4).astype(float)
    class_weight = np.array([0.2, 0.5, 1.0, 2.3])
    expected = []
    for row in labels:  # a loop, as the definition reads
        positive = [class_weight[c] for c in range(4) if row[c] == 1]
        expected.append(np.mean(positive) if positive else class_weight.mean())
    expected = np.array(expected) / np.mean(expected)
    np.testing.assert_allclose(weights.per_sample(labels, class_weight), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("labels", "class_weight", "match"),
    [
        ([[1, 0]], [1.0, 2.0, 3.0], "class_weight"),
        ([[1, 0]], [1.0, -2.0], "class_weight"),
        ([[1, 0]], {"a": 1.0}, "class_weight"),
        ([1, 0], [1.0, 2.0], "labels"),
        ([[1, 0]], [0.0, 2.0], "weight 0"),
    ],
)
def test_per_sample_bad_arguments_raise(labels, class_weight, match):
    with pytest.raises(ValueError, match=match):
        weights.per_sample(labels, class_weight)


@pytest.mark.parametrize("scheme", [weights.inverse_frequency, weights.sqrt_inverse_frequency])
def test_huge_counts_give_the_weights_of_their_ratios(scheme):
    """N = sum n_c overflows float64 here; the weights depend on the ratios only."""
    huge = scheme([1e308, 1e308, 1e307])
    np.testing.assert_allclose(huge, scheme([10.0, 10.0, 1.0]), rtol=1e-12)
    np.testing.assert_array_equal(scheme([1e308] * 3), [1.0, 1.0, 1.0])


def test_ragged_label_lists_raise():
    with pytest.raises(ValueError, match=r"labels.*rectangular"):
        weights.counts_from_labels([[1, 0], [1]])
    with pytest.raises(ValueError, match=r"labels.*rectangular"):
        weights.per_sample([[1, 0], [1]], [1.0, 1.0])
