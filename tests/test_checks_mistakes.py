"""The checkers name the common wrong answers; anything else gets the exercise's general hint."""

import focal  # noqa: F401, I001 (first: sets TensorFlow's environment)
import pathlib
import sys

import numpy as np
import pytest

from focal.checks import basics, core, detection, experiment, gradients, multilabel
from focal.checks import smoothing, snippet, weighting

MODULES = (basics, gradients, multilabel, weighting, smoothing, experiment, snippet, detection)

TEACHING = pathlib.Path(__file__).resolve().parent.parent / "docs" / "teaching.md"


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def focal_positive(p, gamma, alpha=1.0):
    return -alpha * (1 - p) ** gamma * np.log(p)


def effective_raw(counts, beta):
    return (1 - beta) / (1 - beta**counts)


def per_image(labels, w):
    return labels @ w / labels.sum(axis=1)


# Each wrong answer as a student writes it, independently of the checker's Mistake.
WRONG = [
    (basics.p_t_for_ratio, lambda ratio, gamma: ratio ** (-1 / gamma), 'the "1 -" left out'),
    (
        gradients.fl_star,
        lambda x, y, gamma, beta: (
            np.logaddexp(0, -(gamma * sigmoid((2 * y - 1) * x) + beta)) / gamma
        ),
        "a probability where a logit was expected",
    ),
    (
        multilabel.multilabel_focal_loss,
        lambda p, y, gamma, alpha: np.mean(
            np.where(y == 1, focal_positive(p, gamma, alpha), 0.0), axis=-1
        ),
        "negatives left out",
    ),
    (
        multilabel.positive_normalized_focal_loss,
        lambda p, y, gamma, alpha: np.sum(y * focal_positive(p, gamma, alpha)) / max(np.sum(y), 1),
        "negatives left out",
    ),
    (
        snippet.focal_term,
        lambda p, y, gamma: np.where(y == 1, focal_positive(p, gamma), 0.0),
        "negatives left out",
    ),
    (
        weighting.effective_number_weights,
        lambda counts, beta: effective_raw(counts, beta) / effective_raw(counts, beta).sum(),
        "sum-1 weights where mean-1 weights are wanted",
    ),
    (weighting.effective_number_weights, effective_raw, "weights not normalised"),
    (
        weighting.per_sample_weights,
        lambda labels, w: per_image(labels, w) / per_image(labels, w).sum(),
        "sum-1 weights where mean-1 weights are wanted",
    ),
]


def failure_of(checker, answer):
    with pytest.raises(core.NotYet) as caught, np.errstate(all="ignore"):
        checker(answer)
    return caught.value


def mistakes_of(checker):
    module = sys.modules[checker.__module__]
    return [value for value in vars(module).values() if isinstance(value, core.Mistake)]


@pytest.mark.parametrize(
    "checker, wrong, name", WRONG, ids=[f"{c.__name__}: {n}" for c, _, n in WRONG]
)
def test_a_common_mistake_gets_its_named_hint(checker, wrong, name):
    failure = failure_of(checker, wrong)
    assert failure.mistake == name
    hints = {m.hint for m in mistakes_of(checker) if m.name == name}
    assert hints and any(str(failure).endswith(f"Hint: {hint}") for hint in hints)


@pytest.mark.parametrize(
    "checker, wrong",
    [
        (basics.p_t_for_ratio, lambda ratio, gamma: 1 - 1 / ratio),
        # the mistake at gamma < 2 only: it must match on the whole grid to be named
        (
            basics.p_t_for_ratio,
            lambda ratio, gamma: ratio ** (-1 / gamma) * (1 if gamma < 2 else -1) + (gamma >= 2),
        ),
        (gradients.fl_star, lambda x, y, gamma, beta: np.logaddexp(0, -gamma * (2 * y - 1) * x)),
        (
            multilabel.multilabel_focal_loss,
            lambda p, y, gamma, alpha: np.mean(np.where(y == 1, focal_positive(p, gamma), 0), -1),
        ),  # negatives left out and alpha forgotten: two mistakes at once
        (weighting.effective_number_weights, lambda counts, beta: counts / counts.sum()),
    ],
)
def test_any_other_wrong_answer_gets_the_general_hint(checker, wrong):
    failure = failure_of(checker, wrong)
    assert failure.mistake is None
    assert not any(m.hint in str(failure) for m in mistakes_of(checker))
    assert "Hint: " in str(failure)


def test_every_mistake_is_listed_for_teachers():
    section = TEACHING.read_text().split("## What students usually get wrong", 1)[1]
    section = section.split("\n## ", 1)[0]
    names = {
        m.name for module in MODULES for m in vars(module).values() if isinstance(m, core.Mistake)
    }
    assert names == {name for _, _, name in WRONG}
    assert all(name in section for name in names), names
