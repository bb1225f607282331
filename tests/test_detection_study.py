"""studies/detection_study.py: arm parsing, task order, learning-rate choice and the
fresh seeds' paired statistics."""

import focal  # noqa: F401, I001 (first: sets TensorFlow's environment before it loads)
import math

import numpy as np
import pytest
from scripts_loader import load_script

study = load_script("detection_study", "studies")


@pytest.mark.parametrize(
    "arm, loss, prior, optimizer, rate",
    [
        ("ce_a0.75", {"gamma": 0.0, "alpha": 0.75}, 0.01, "adam", 1e-3),
        ("ce_a0.99@lr0.003", {"gamma": 0.0, "alpha": 0.99}, 0.01, "adam", 3e-3),
        ("fl_g2_a0.25", {"gamma": 2.0, "alpha": 0.25}, 0.01, "adam", 1e-3),
        ("fl_g0.5_a0.5@lr0.01", {"gamma": 0.5, "alpha": 0.5}, 0.01, "adam", 1e-2),
        ("noprior_ce", {"gamma": 0.0, "alpha": 0.75}, None, "adam", 1e-3),
        ("noprior_fl", {"gamma": 2.0, "alpha": 0.25}, None, "adam", 1e-3),
        ("own_fl_g1_a0.25@lr0.003", {"gamma": 1.0, "alpha": 0.25}, "own", "adam", 3e-3),
        ("sgd_ce_prior", {"gamma": 0.0, "alpha": 0.75}, 0.01, "sgd", 1e-2),
        ("sgd_fl_zero", {"gamma": 2.0, "alpha": 0.25}, None, "sgd", 1e-2),
        (
            "ohem_1to3@lr0.003",
            {"gamma": 0.0, "alpha": 0.5, "ohem": 128, "ohem_ratio": 3.0},
            0.01,
            "adam",
            3e-3,
        ),
        (
            "ohem_all",
            {"gamma": 0.0, "alpha": 0.5, "ohem": 128, "ohem_ratio": None},
            0.01,
            "adam",
            1e-3,
        ),
    ],
)
def test_arm_spec_reads_the_name(arm, loss, prior, optimizer, rate):
    spec = {"prior": prior, "optimizer": optimizer, "learning_rate": rate, "loss": loss}
    assert study.arm_spec(arm) == spec


@pytest.mark.parametrize("rate, name", [(1e-3, "ce_a0.9"), (3e-3, "ce_a0.9@lr0.003")])
def test_at_rate_keeps_the_default_rate_plain(rate, name):
    assert study.at_rate("ce_a0.9", rate) == name
    assert study.arm_spec(name)["learning_rate"] == rate


def test_every_task_names_a_known_arm_once():
    first, second, third, live = study.tasks_in_order()
    tasks = [*first, *second, *third]
    assert len(first) == 14 * len(study.CONFIG["seeds"])  # 5 CE + 4 x 2 + 1 FL arms
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


@pytest.mark.parametrize("epochs, tag", [(None, ""), (16, ""), (2, "live"), (32, "long")])
def test_task_and_record_share_a_key(epochs, tag):
    record = {"arm": "fl_g2_a0.25", "seed": 1, "live": tag == "live", "tag": tag}
    assert study._key_of(("fl_g2_a0.25", 1, epochs)) == study._key_of(record)
    assert study._key_of(record) == "fl_g2_a0.25" + (f"|{tag}" if tag else "") + "|1"
    old = {"arm": "ce_a0.5", "seed": 0, "live": False}  # the first runs stored no tag
    assert study._key_of(old) == "ce_a0.5|0"


CHOSEN = {"best_ce": "ce_a0.75", "best_fl": "fl_g1_a0.25", "best_ohem": "ohem_1to3"}


def _record(arm, seed, val, test, budgets=("4", "16")):
    scores = {"anchor_ap": test, "ap_nms0.3": test / 2, "ap50_nms0.3": test / 3}
    return {
        "arm": arm,
        "seed": seed,
        "step_loss": [1.0, 0.5],
        "budgets": {b: {"val": {"anchor_ap": val}, "test": dict(scores)} for b in budgets},
    }


def test_chosen_rates_take_the_best_mean_validation_and_skip_diverged_runs():
    config = study.CONFIG
    runs = {}
    # validation anchor AP by (arm, rate): 3e-3 best for CE, 1e-3 for FL, 1e-2 for OHEM; FL
    # diverges at 1e-2 on one seed (no budget scored), which must not be chosen.
    best = {"ce_a0.75": 3e-3, "fl_g1_a0.25": 1e-3, "ohem_1to3": 1e-2}
    for arm, top in best.items():
        for lr in config["learning_rates"]:
            for s in config["seeds"]:
                name = study.at_rate(arm, lr)
                value = 0.9 if lr == top else 0.8 + 0.01 * s
                record = _record(name, s, value, 0.5)
                if arm.startswith("fl") and lr == 1e-2 and s == 0:
                    record["budgets"] = {}
                runs[study.run_key(name, s)] = record
    runs[study.run_key("fl_g1_a0.25@lr0.01", 1)]["budgets"]["16"]["val"]["anchor_ap"] = 5.0
    assert study.chosen_rates(runs, CHOSEN) == best
    arms = study.fresh_arms(CHOSEN, best)
    assert arms == {"ce": "ce_a0.75@lr0.003", "fl": "fl_g1_a0.25", "ohem": "ohem_1to3@lr0.01"}
    finalists, sgd, own = study.fresh_tasks(CHOSEN, best)
    assert len(finalists) == 3 * len(config["fresh_seeds"])
    assert len(sgd) == 4 * len(config["fresh_seeds"])
    assert {a for a, _, _ in own} == {"own_ce_a0.75@lr0.003"}
    assert {s for _, s, _ in finalists + sgd + own}.isdisjoint(config["seeds"])


def test_fresh_analysis_pairs_by_seed_and_adjusts_the_whole_family():
    config = study.CONFIG
    seeds = config["fresh_seeds"]
    rates = {"ce_a0.75": 1e-3, "fl_g1_a0.25": 3e-3, "ohem_1to3": 1e-3}
    arms = study.fresh_arms(CHOSEN, rates)
    rng = np.random.default_rng(0)
    base = rng.uniform(0.8, 0.9, len(seeds))
    shift = {"ce": 0.0, "fl": 0.02, "ohem": 0.001}
    runs = {}
    for role, arm in arms.items():
        for s, b in zip(seeds, base, strict=True):
            noise = 0.003 * rng.standard_normal()
            runs[study.run_key(arm, s)] = _record(arm, s, 0.0, b + shift[role] + noise)
    for arm in study.SGD_ARMS:
        for s, b in zip(seeds, base, strict=True):
            runs[study.run_key(arm, s)] = _record(arm, s, 0.0, b, budgets=("3",))
    own_ce = study.OWN + arms["ce"]  # CE from its own start gains 0.03
    for s, b in zip(seeds, base, strict=True):
        runs[study.run_key(own_ce, s)] = _record(own_ce, s, 0.0, b + 0.03)
        runs[study.run_key(own_ce, s)]["start_prior"] = [0.5] * 10
    out = study.fresh_analysis(runs, {**CHOSEN, "nms_threshold": 0.3}, rates)
    own = out["own_start"]["comparisons"]
    assert len(own) == 2 * 3 * 2  # CE own vs CE at 0.01, FL vs CE own; 3 metrics; 2 budgets
    ce_gain = own["own_ce_a0.75 vs ce_a0.75|16|anchor_ap"]["mean"]
    fl_lead = own["fl_g1_a0.25@lr0.003 vs own_ce_a0.75|16|anchor_ap"]["mean"]
    assert ce_gain == pytest.approx(0.03, abs=0.005) and fl_lead == pytest.approx(-0.01, abs=0.005)
    assert out["family_size"] == 3 * 3 * 2 + 2
    assert out["sgd_steps"] == 375  # 3 epochs of 125 steps
    d = out["comparisons"]["fl vs ce|16|anchor_ap"]
    tests = [
        runs[study.run_key(arms["fl"], s)]["budgets"]["16"]["test"]["anchor_ap"] for s in seeds
    ]
    ce = [runs[study.run_key(arms["ce"], s)]["budgets"]["16"]["test"]["anchor_ap"] for s in seeds]
    diffs = np.subtract(tests, ce)
    assert d["mean"] == pytest.approx(diffs.mean())
    assert d["sd"] == pytest.approx(diffs.std(ddof=1))
    half = 2.364624251592785 * diffs.std(ddof=1) / math.sqrt(len(seeds))  # t(.975, 7)
    assert d["ci"] == pytest.approx([diffs.mean() - half, diffs.mean() + half])
    assert d["t_p_bh"] >= d["t_p"]
    # OHEM is within 0.001 of CE: equivalent at the margin .01; FL, 0.02 better, is not
    assert out["comparisons"]["ohem vs ce|16|anchor_ap"]["tost_p"] < 0.05
    assert out["comparisons"]["fl vs ce|16|anchor_ap"]["tost_p"] > 0.5
    p = sorted(c["t_p"] for c in out["comparisons"].values())
    bh = sorted(c["t_p_bh"] for c in out["comparisons"].values())
    m = len(p)
    assert bh[0] == pytest.approx(min(min(p[k] * m / (k + 1) for k in range(m)), 1.0))


@pytest.mark.parametrize(
    "arm, name",
    [
        ("ce_a0.75", "CE α 0.75"),
        ("fl_g1_a0.25@lr0.003", "FL γ 1 α 0.25"),
        ("ohem_1to3@lr0.003", "OHEM 1:3"),
        ("ohem_all", "OHEM, no ratio"),
        ("noprior_fl", "FL γ 2 α 0.25"),
    ],
)
def test_label_names_the_loss(arm, name):
    assert study.label(arm) == name


def test_values_and_describe_read_the_summary():
    summary = {"test": {"a": {"16": {"ap": [0.1, 0.2, 0.4]}}, "b": {"16": {"ap": [0.2, 0.2, 0.2]}}}}
    assert study.values(summary, "a", "ap").tolist() == [0.1, 0.2, 0.4]
    line = study.describe(
        "b minus a", study.values(summary, "a", "ap"), study.values(summary, "b", "ap")
    )
    assert "-0.033" in line and "(seeds: -0.200 to +0.100)" in line and "wins 1/3" in line


def test_own_prior_is_the_alpha_balanced_closed_form_for_ce():
    # Two images of 4 anchors, 2 classes; the last column marks counted anchors.
    encoded = np.zeros((2, 4, 3), dtype=np.uint8)
    encoded[..., 2] = 1
    encoded[0, 3, 2] = 0  # one ignored anchor: it must not count
    encoded[0, 0, 0] = encoded[1, 1, 0] = encoded[1, 2, 1] = 1
    encoded[0, 3, 0] = 1  # a positive on the ignored anchor: also not counted
    found = study.own_prior({"gamma": 0.0, "alpha": 0.75}, encoded)
    pi = np.array([2 / 7, 1 / 7])  # counted pairs per class: 7, positives 2 and 1
    closed = 0.75 * pi / (0.75 * pi + 0.25 * (1 - pi))
    np.testing.assert_allclose(found, closed, rtol=1e-5)
