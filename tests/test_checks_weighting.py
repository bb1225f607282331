"""focal.checks.weighting (notebook 04): each checker accepts right and rejects wrong answers."""

import focal
from focal.checks import weighting as checks

import numpy as np
import pytest
from checker_testing import assert_accepts_right_rejects_wrong


def right_effective_number_weights(counts, beta):
    raw = (1 - beta) / (1 - beta**counts)
    return raw * len(counts) / raw.sum()


def right_snippet_weights(counts):
    raw = counts.sum() / counts
    return raw / raw.sum()


def right_per_sample_weights(labels, class_weight):
    raw = np.array([class_weight[row == 1].mean() for row in labels])
    return raw / raw.mean()


def right_loss_scale(counts, class_losses):
    w = right_snippet_weights(counts)
    return np.mean(w * class_losses) / np.mean(class_losses)


def _effective_number(counts, beta):
    return (1 - beta**counts) / (1 - beta)


@pytest.mark.parametrize(
    "checker, right, wrong",
    [
        (
            checks.effective_number_weights,
            right_effective_number_weights,
            lambda counts, beta: right_effective_number_weights(counts, beta) / len(counts),
        ),  # normalised to sum 1, not mean 1
        (
            checks.effective_number_weights,
            right_effective_number_weights,
            lambda counts, beta: (1 - beta) / (1 - beta**counts),
        ),  # not normalised
        (
            checks.effective_number_weights,
            right_effective_number_weights,
            lambda counts, beta: (
                _effective_number(counts, beta)
                * len(counts)
                / _effective_number(counts, beta).sum()
            ),
        ),  # the effective number itself, not its inverse
        (
            checks.per_sample_weights,
            right_per_sample_weights,
            lambda labels, w: labels @ w / (labels @ w).mean(),  # a sum, not a mean, per image
        ),
        (
            checks.per_sample_weights,
            right_per_sample_weights,
            lambda labels, w: labels @ w / labels.sum(axis=1),  # not normalised
        ),
        (
            checks.per_sample_weights,
            right_per_sample_weights,
            lambda labels, w: (
                np.array([w[row == 1].max() for row in labels])
                / np.mean([w[row == 1].max() for row in labels])
            ),  # the rarest class's weight
        ),
        (
            checks.loss_scale,
            right_loss_scale,
            lambda counts, class_losses: 1 / len(counts),
        ),  # ignores where the loss sits
        (
            checks.loss_scale,
            right_loss_scale,
            lambda counts, class_losses: np.mean(right_snippet_weights(counts) * class_losses),
        ),  # the weighted loss, not the ratio
    ],
)
def test_checker_accepts_right_and_rejects_wrong(checker, right, wrong, capsys):
    assert_accepts_right_rejects_wrong(checker, right, wrong, capsys)


def test_checkers_print_one_fixed_line(capsys):
    checks.effective_number_weights(right_effective_number_weights)
    checks.per_sample_weights(right_per_sample_weights)
    checks.loss_scale(right_loss_scale)
    assert capsys.readouterr().out == (
        "Exercise 4.1: correct.\nExercise 4.2: correct.\nExercise 4.3: correct.\n"
    )


def test_package_weights_pass_their_checkers(capsys):
    checks.effective_number_weights(
        lambda counts, beta: focal.weights.effective_number(counts, beta, normalize="mean")
    )
    checks.per_sample_weights(focal.weights.per_sample)
    assert capsys.readouterr().out.count("correct.") == 2


def test_loss_scale_is_one_over_c_for_equal_class_losses():
    counts = checks.COUNTS_GRID[0]
    assert np.isclose(right_loss_scale(counts, np.ones_like(counts)), 1 / len(counts))


def test_a_scalar_answer_is_a_shape_mismatch():
    with pytest.raises(AssertionError, match="shape"):
        checks.per_sample_weights(lambda labels, w: float(right_per_sample_weights(labels, w)[0]))
