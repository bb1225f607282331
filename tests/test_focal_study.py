"""studies/focal_study.py: the study's scoring and selection helpers against oracles."""

import focal  # noqa: F401 (first: sets TensorFlow's environment before it loads)

import numpy as np
import pytest
from scripts_loader import load_script
from sklearn.metrics import f1_score

study = load_script("focal_study", "studies")


def test_thresholds_maximise_validation_f1():
    rng = np.random.default_rng(1)
    y = (rng.random((300, 4)) < 0.3).astype(float)
    logits = y * 1.5 + rng.normal(size=y.shape)
    thresholds = study.tuned_thresholds(y, logits)
    for c in range(4):
        best = max(f1_score(y[:, c], logits[:, c] >= t) for t in np.unique(logits[:, c]))
        assert f1_score(y[:, c], logits[:, c] >= thresholds[c]) == pytest.approx(best)


def test_learning_rate_and_grid_point_chosen_on_validation_only():
    config = study.CONFIG
    runs = {}
    for g in study.GAMMAS:
        for a in study.ALPHAS:
            arm = study.grid_key(g, a)
            for lr in config["learning_rates"]:
                for s in config["tune_seeds"]:
                    val = 0.5 + 0.1 * (arm == "g1_a0.25") + 0.01 * (lr == 3e-3)
                    test = 1.0 if arm == "g2_anone" else 0.0  # test must not steer the choice
                    key = study.run_key(arm, config["draws"][0], s, lr)
                    runs[key] = {"val_macro_ap": val, "macro_ap": test}
    assert study.chosen_learning_rate(runs, "g1_a0.25")[0] == 3e-3
    assert study.best_grid_point(runs) == "g1_a0.25"


def test_arm_specs():
    data = study.load_data(0)
    prior = data.y_train.mean(axis=0)
    balanced = study.arm_spec("balanced_bce", None, data)
    np.testing.assert_allclose(balanced["loss"]["alpha"], 1 - prior)
    np.testing.assert_allclose(study.start_prior(balanced, data), 0.5, rtol=1e-5)  # closed form
    bce = study.arm_spec(study.BCE, None, data)
    np.testing.assert_allclose(study.start_prior(bce, data), prior, rtol=1e-5)
    assert study.start_prior(study.arm_spec("bce_uniform_prior", None, data), data) == 0.01
    assert study.arm_spec("g1_a0.75", None, data)["loss"] == {"gamma": 1.0, "alpha": 0.75}
    column = study.arm_spec("best_column_w", "g1_anone", data)
    assert column["loss"]["gamma"] == 1.0 and len(column["loss"]["class_weight"]) == 10
    sample = study.arm_spec("best_sample_w", "g1_anone", data)
    assert sample["sample_weight"].shape == (4000,)
    assert sample["sample_weight"].mean() == pytest.approx(1.0)
    assert set(study.arm_labels()) >= {study.BCE, study.AA, "asl", "best_ls"}
    assert len(study.arm_labels()) == 9 + 3 + 4


def test_evaluation_arms_take_each_gamma_at_its_validation_best_alpha():
    choices = {
        key: {"learning_rate": 0.01, "val_macro_ap_by_lr": {"0.01": 0.5}}
        for key in study.arm_labels()
    }
    choices["g1_a0.75"]["val_macro_ap_by_lr"]["0.01"] = 0.6
    choices["g2_anone"]["val_macro_ap_by_lr"]["0.01"] = 0.7
    arms = study.evaluation_arms(choices, "g2_anone")
    assert arms[:4] == [study.BCE, "g1_a0.75", "g2_anone", study.PAPER]
    assert len(arms) == len(set(arms)) == 4 + 3 + 4
    assert "g1_anone" not in arms and study.AA in arms


def test_compared_adds_the_aa_arm_at_bces_rate():
    choices = {
        key: {"learning_rate": 0.01, "val_macro_ap_by_lr": {"0.01": 0.5}}
        for key in study.arm_labels()
    }
    choices[study.AA]["learning_rate"] = 0.02
    entries = study.compared(choices, study.BCE)
    assert entries[study.AA] == (study.AA, 0.02)
    assert entries[study.AA_AT_BCE_RATE] == (study.AA, 0.01)
    assert entries[study.BCE] == (study.BCE, 0.01)


def test_labels_name_what_each_arm_is():
    assert study.grid_label(0.0, None) == "BCE"
    assert study.grid_label(0.0, 0.25) == "α-balanced CE, α=0.25"  # no focusing at gamma 0
    assert study.grid_label(2.0, 0.25) == "FL γ=2, α=0.25"
    labels = study.arm_labels("g0_a0.25")
    assert labels["best_ls"] == "α-CE 0.25 + label smoothing 0.1"
    assert study.arm_labels("g2_anone")["best_column_w"] == "FL γ2 + column weights"
    assert study.arm_labels()["best_ls"].startswith("best + ")  # before the choice is made
