"""studies/focal_study.py: the study's scoring and selection helpers against oracles."""

import focal  # first: sets TensorFlow's environment before it loads

import numpy as np
import pytest
from scripts_loader import load_script
from sklearn.metrics import f1_score

study = load_script("focal_study", "studies")
scoring = load_script("multilabel_runs", "studies")


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
                    val = 0.5 + 0.1 * (arm == "g1_a0.25") + 0.01 * (lr == 2e-2)
                    test = 1.0 if arm == "g2_anone" else 0.0  # test must not steer the choice
                    key = study.run_key(arm, config["draws"][0], s, lr)
                    runs[key] = {"val_macro_ap": val, "macro_ap": test}
    assert study.chosen_learning_rate(runs, "g1_a0.25")[0] == 2e-2
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
    assert set(study.arm_labels()) >= {study.BCE, study.AA, "asl", "best_ls0.03", "best_ls0.3"}
    assert len(study.arm_labels()) == 12 + 5 + 4
    smoothed = study.arm_spec("best_ls0.03", "g2_a0.1", data)["loss"]
    assert smoothed == {"gamma": 2.0, "alpha": 0.1, "label_smoothing": 0.03}


def test_evaluation_arms_take_each_gamma_at_its_validation_best_alpha():
    choices = {
        key: {"learning_rate": 0.01, "val_macro_ap_by_lr": {"0.01": 0.5}}
        for key in study.arm_labels()
    }
    choices["g1_a0.75"]["val_macro_ap_by_lr"]["0.01"] = 0.6
    choices["g2_anone"]["val_macro_ap_by_lr"]["0.01"] = 0.7
    arms = study.evaluation_arms(choices, "g2_anone")
    assert arms[:4] == [study.BCE, "g1_a0.75", "g2_anone", study.PAPER]
    assert len(arms) == len(set(arms)) == 4 + 2 + 4
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


def test_the_smoothing_compared_is_the_one_validation_chose():
    choices = {
        key: {"learning_rate": 0.01, "val_macro_ap_by_lr": {"0.01": 0.5, "0.02": 0.5}}
        for key in study.arm_labels()
    }
    choices["best_ls0.3"]["val_macro_ap_by_lr"]["0.02"] = 0.9  # not at its chosen rate
    choices["best_ls0.03"].update(learning_rate=0.02, val_macro_ap_by_lr={"0.01": 0.5, "0.02": 0.6})
    assert study.compared(choices, study.BCE)[study.BEST_LS] == ("best_ls0.03", 0.02)


def test_labels_name_what_each_arm_is():
    assert study.grid_label(0.0, None) == "BCE"
    assert study.grid_label(0.0, 0.25) == "α-balanced CE, α=0.25"  # no focusing at gamma 0
    assert study.grid_label(2.0, 0.25) == "FL γ=2, α=0.25"
    labels = study.arm_labels("g0_a0.25")
    assert labels["best_ls0.1"] == "α-CE 0.25 + label smoothing 0.1"
    assert study.arm_labels("g2_anone")["best_column_w"] == "FL γ2 + column weights"
    assert study.arm_labels()["best_ls0.3"].startswith("best + ")  # before the choice is made


def _synthetic_runs(best, effect):
    """Every evaluation run of a study whose arms differ from BCE by ``effect[arm]`` plus
    noise, on every metric; the choices put every arm at 0.01."""
    config = study.CONFIG
    choices = {
        key: {"learning_rate": 0.01, "val_macro_ap_by_lr": {"0.01": 0.5, "0.02": 0.4}}
        for key in study.arm_labels(best)
    }
    choices["best_ls0.1"]["val_macro_ap_by_lr"]["0.01"] = 0.6
    rng = np.random.default_rng(0)
    runs = {}
    for arm in {arm for arm, _ in study.compared(choices, best).values()}:
        tuning = [(config["draws"][0], config["tune_seeds"])]
        for draw, seeds in study.evaluation_draws(config) + tuning:
            for seed in seeds:
                value = 0.9 + effect.get(arm, 0.0) + 0.02 * np.sin(seed + 7 * draw)
                record = {m: value + 0.001 * rng.normal() for m in study.METRICS}
                record.update(best_epoch=50, epochs_run=56, seconds=1.0)
                runs[study.run_key(arm, draw, seed, 0.01)] = record
    return runs, choices


def test_analyse_compares_with_bce_and_each_built_on_arm_with_the_point_it_modifies(monkeypatch):
    from scipy import stats

    monkeypatch.setattr(study, "reliabilities", lambda *args: {})
    best = "g1_a0.25"
    runs, choices = _synthetic_runs(best, {best: 0.05, "best_ls0.1": 0.08, "asl": -0.02})
    out = study.analyse(runs, choices, best)
    ls = out["arms"][study.BEST_LS]["macro_ap"]
    assert ls["diff"]["mean"] == pytest.approx(0.08, abs=0.002)
    assert ls["vs_best"]["mean"] == pytest.approx(0.03, abs=0.002)
    assert out["arms"]["asl"]["macro_ap"]["vs_best"] is None
    # The pooled interval and p are scipy's paired t-test on the 15 differences.
    mine = np.concatenate(list(ls["per_seed"].values()))
    base = np.concatenate(list(out["arms"][best]["macro_ap"]["per_seed"].values()))
    assert ls["vs_best"]["t_p"] == pytest.approx(stats.ttest_rel(mine, base).pvalue)
    assert ls["vs_best"]["by_draw"]["1"]["n"] == len(study.CONFIG["replicate_seeds"])
    # Margins are the metric's own; the MDE grows with the differences' spread.
    margins = study.CONFIG["equivalence_margins"]
    assert ls["diff"]["tost_p"] is not None
    assert out["arms"][study.BEST_LS]["ece"]["diff"]["tost_p"] is None  # no margin: not tested
    assert 0 < ls["diff"]["mde"] < margins["macro_ap"]
    compared_arms = len(out["evaluation_arms"]) - 1
    assert out["family_size"] == len(study.TESTED) * (compared_arms + len(study.BUILT_ON_BEST))
    assert out["share_best_within_patience_of_cap"] == 0.0


def test_prior_shift_is_bayes_rule_for_a_new_class_prior():
    # Two Gaussian classes: the exact posterior under prior pi, shifted to prior q, must be
    # calibrated on data drawn with prior q (the oracle is the data, not the formula).
    rng = np.random.default_rng(0)
    pi, q, n = 0.05, 0.4, 200_000
    y = (rng.random(n) < q).astype(float)
    x = rng.normal(loc=y, scale=1.0)
    likelihood_ratio = x - 0.5  # log N(x; 1, 1) - log N(x; 0, 1)
    trained = likelihood_ratio + np.log(pi / (1 - pi))
    shifted = scoring.prior_shift(trained[:, None], [pi], q)[:, 0]
    ece = focal.metrics.expected_calibration_error
    from scipy.special import expit

    assert ece(y, expit(shifted), 15) < 0.005 < 0.1 < ece(y, expit(trained), 15)


def test_proper_scores_match_their_definitions():
    rng = np.random.default_rng(2)
    y = (rng.random((50, 3)) < 0.3).astype(float)
    z = rng.normal(size=y.shape) * 3
    p = 1 / (1 + np.exp(-z))
    scores = scoring._proper_scores(y, p, 15, "_x")
    nll = np.mean(np.logaddexp(0, z) - y * z)  # BCE from logits, no clipping
    assert scores["nll_x"] == pytest.approx(nll, rel=1e-9)
    assert scores["brier_x"] == pytest.approx(np.mean((p - y) ** 2), rel=1e-12)
