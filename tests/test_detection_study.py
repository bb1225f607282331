"""benchmarks/detection_study.py: arm parsing, task order and the paired statistics."""

import focal  # noqa: F401, I001 (first: sets TensorFlow's environment before it loads)
import importlib.util
import math
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "detection_study", ROOT / "benchmarks" / "detection_study.py"
)
study = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(study)


@pytest.mark.parametrize(
    "arm, loss, prior, optimizer",
    [
        ("ce_a0.75", {"gamma": 0.0, "alpha": 0.75}, 0.01, "adam"),
        ("fl_g2_a0.25", {"gamma": 2.0, "alpha": 0.25}, 0.01, "adam"),
        ("fl_g0.5_a0.5", {"gamma": 0.5, "alpha": 0.5}, 0.01, "adam"),
        ("noprior_ce", {"gamma": 0.0, "alpha": 0.75}, None, "adam"),
        ("noprior_fl", {"gamma": 2.0, "alpha": 0.25}, None, "adam"),
        ("sgd_ce_prior", {"gamma": 0.0, "alpha": 0.75}, 0.01, "sgd"),
        ("sgd_fl_zero", {"gamma": 2.0, "alpha": 0.25}, None, "sgd"),
        (
            "ohem_1to3",
            {"gamma": 0.0, "alpha": 0.5, "ohem": 128, "ohem_ratio": 3.0},
            0.01,
            "adam",
        ),
        ("ohem_all", {"gamma": 0.0, "alpha": 0.5, "ohem": 128, "ohem_ratio": None}, 0.01, "adam"),
    ],
)
def test_arm_spec_reads_the_name(arm, loss, prior, optimizer):
    assert study.arm_spec(arm) == {"prior": prior, "optimizer": optimizer, "loss": loss}


def test_every_task_names_a_known_arm_once():
    first, second, third, live = study.tasks_in_order()
    tasks = [*first, *second, *third]
    assert len(first) == 11 * len(study.CONFIG["seeds"])  # 3 CE + 4 x 2 FL arms
    assert len({(a, s) for a, s, _ in tasks}) == len(tasks)
    for arm, _, _ in tasks + live:
        study.arm_spec(arm)  # parses
    assert {a for a, _, _ in third} == {
        "noprior_ce",
        "noprior_fl",
        "sgd_ce_prior",
        "sgd_ce_zero",
        "sgd_fl_prior",
        "sgd_fl_zero",
    }


def test_paired_hand_values():
    result = study.paired([0.5, 0.5, 0.5], [1.5, 2.5, 3.5])  # differences 1, 2, 3
    half = 4.302652729911275 / math.sqrt(3)  # t(0.975, 2) x sd 1 / sqrt(3)
    assert result["mean"] == pytest.approx(2.0)
    assert result["ci"] == pytest.approx([2.0 - half, 2.0 + half])
    # t = 2 / (1 / sqrt 3) with 2 degrees of freedom, whose two-sided p is 1 - t / sqrt(t^2 + 2)
    t = 2 * math.sqrt(3)
    assert result["p"] == pytest.approx(1 - t / math.sqrt(t**2 + 2), rel=1e-9)
    assert (result["wins"], result["n"]) == (3, 3)


@pytest.mark.parametrize("epochs, tag", [(None, ""), (16, ""), (2, "live"), (32, "long")])
def test_task_and_record_share_a_key(epochs, tag):
    record = {"arm": "fl_g2_a0.25", "seed": 1, "live": tag == "live", "tag": tag}
    assert study._key_of(("fl_g2_a0.25", 1, epochs)) == study._key_of(record)
    assert study._key_of(record) == "fl_g2_a0.25" + (f"|{tag}" if tag else "") + "|1"
    old = {"arm": "ce_a0.5", "seed": 0, "live": False}  # the first runs stored no tag
    assert study._key_of(old) == "ce_a0.5|0"
