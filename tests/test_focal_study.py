"""benchmarks/focal_study.py: the study's scoring and selection helpers against oracles."""

import focal  # noqa: F401, I001 (first: sets TensorFlow's environment before it loads)
import importlib.util
import pathlib

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import f1_score

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "focal_study", ROOT / "benchmarks" / "focal_study.py"
)
study = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(study)


def test_thresholds_maximise_validation_f1():
    rng = np.random.default_rng(1)
    y = (rng.random((300, 4)) < 0.3).astype(float)
    logits = y * 1.5 + rng.normal(size=y.shape)
    thresholds = study.tuned_thresholds(y, logits)
    for c in range(4):
        best = max(f1_score(y[:, c], logits[:, c] >= t) for t in np.unique(logits[:, c]))
        assert f1_score(y[:, c], logits[:, c] >= thresholds[c]) == pytest.approx(best)


def test_paired_statistics_exact_values():
    all_wins = study.paired_statistics(np.linspace(0.01, 0.1, 10))
    assert all_wins["wins"] == 10 and all_wins["losses"] == 0
    assert all_wins["sign_p"] == pytest.approx(2 / 2**10)
    assert all_wins["wilcoxon_p"] == pytest.approx(2 / 2**10)  # exact: one of 1024 sign patterns
    mixed = study.paired_statistics([0.1, -0.2, 0.3, 0.0, 0.05])
    assert (mixed["wins"], mixed["losses"]) == (3, 1)
    assert mixed["sign_p"] == pytest.approx(stats.binom.cdf(1, 4, 0.5) * 2)


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
    np.testing.assert_allclose(balanced["prior"], prior)
    assert study.arm_spec("bce_uniform_prior", None, data)["prior"] == 0.01
    assert study.arm_spec("g0.5_a0.75", None, data)["loss"] == {"gamma": 0.5, "alpha": 0.75}
    column = study.arm_spec("best_column_w", "g1_anone", data)
    assert column["loss"]["gamma"] == 1.0 and len(column["loss"]["class_weight"]) == 10
    sample = study.arm_spec("best_sample_w", "g1_anone", data)
    assert sample["sample_weight"].shape == (4000,)
    assert sample["sample_weight"].mean() == pytest.approx(1.0)
    assert set(study.arm_labels()) >= {study.BCE, "asl", "original", "best_ls"}
    assert len(study.arm_labels()) == 16 + 3 + 4
