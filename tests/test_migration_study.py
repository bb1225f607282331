"""The migration study's pieces: its losses against the NumPy oracle, its starts, its choices
and its statistics against scipy, on small inputs (the training itself runs in the study)."""

import focal
from focal import reference, weights

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy import stats
from scripts_loader import load_script

study = load_script("migration_study", folder="studies")
CONFIG = study.CONFIG
RNG = np.random.default_rng(0)
Y = (RNG.random((64, 4)) < [0.5, 0.2, 0.1, 0.05]).astype("float32")
Y[0] = 1.0  # every class has a positive
LOGITS = RNG.normal(0.0, 2.0, Y.shape).astype("float32")
COUNTS = weights.counts_from_labels(Y)


def _oracle(logits, y, class_weight, e):
    """Eq. (5) on the smoothed target y(1 - e) + e/2, weighted per class, in float64 NumPy."""
    p = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    hp = CONFIG["loss"]
    soft = (1 - e) * y + e / 2
    return np.mean(
        class_weight * reference.soft_focal_loss(p, soft, hp["gamma"], alpha=hp["alpha"])
    )


@pytest.mark.parametrize(
    "step, class_weight, e",
    [
        ("swap", weights.inverse_frequency(COUNTS), 0.1),
        ("recommended", weights.inverse_frequency(COUNTS), 0.1),
        ("minimal", np.ones(4), 0.0),
    ],
)
def test_each_focal_step_is_the_oracle_loss(step, class_weight, e):
    loss = study.make_loss(step, COUNTS)
    x = LOGITS if step in study.LOGITS_HEAD else keras.ops.sigmoid(LOGITS)
    expected = _oracle(LOGITS, Y, class_weight, e)
    assert float(loss(Y, x)) == pytest.approx(expected, rel=1e-5)


def test_the_recommended_loss_trains_as_the_swap_under_a_sigmoid_head():
    """Same value and same gradient with respect to the logits, as step 5 assumes."""
    x = tf.Variable(LOGITS)
    swap, recommended = study.make_loss("swap", COUNTS), study.make_loss("recommended", COUNTS)
    with tf.GradientTape(persistent=True) as tape:
        through_sigmoid = swap(Y, keras.layers.Activation("sigmoid")(x))
        from_logits = recommended(Y, x)
    np.testing.assert_allclose(float(through_sigmoid), float(from_logits), rtol=1e-6)
    np.testing.assert_allclose(
        tape.gradient(through_sigmoid, x), tape.gradient(from_logits, x), rtol=1e-5, atol=1e-9
    )


def test_the_first_two_steps_start_at_a_zero_bias_and_the_others_at_the_loss_minimum():
    for step in ("snippet", "swap"):
        assert study.start_prior(step, Y, COUNTS) is None
    for step in ("swap_prior", "recommended", "minimal"):
        prior = np.array(study.start_prior(step, Y, COUNTS))
        loss = study.make_loss(step, COUNTS)
        if step not in study.LOGITS_HEAD:
            loss = focal.FocalLoss.from_config(loss.get_config() | {"from_logits": True})

        def value(b, loss=loss):
            return float(loss(Y, np.broadcast_to(b, Y.shape).astype("float32")))

        b = np.log(prior / (1 - prior))
        for c in range(4):  # a small move of one class's bias, either way, costs more
            for step_size in (-0.05, 0.05):
                moved = b.copy()
                moved[c] += step_size
                assert value(moved) > value(b) - 1e-7, (step, c, step_size)


def _fake_runs(ap_of):
    runs = {}
    for recipe, rates in CONFIG["learning_rates"].items():
        for step in study.STEPS:
            for lr in {*rates, CONFIG["recipes"][recipe]["learning_rate"]}:
                for seed in CONFIG["tune_seeds"] + CONFIG["seeds"]:
                    ap = ap_of(step, recipe, lr, seed)
                    runs[study.run_key(step, recipe, seed, lr)] = {
                        "val_macro_ap": ap,
                        "macro_ap": ap,
                        "rare_ap": ap / 2,
                        "best_epoch": 10,
                    }
    return runs


def test_a_tuned_step_takes_its_best_validation_rate_and_its_twin_shares_it():
    runs = _fake_runs(lambda step, recipe, lr, seed: 0.5 - abs(np.log(lr / 0.15)) / 100)
    chosen = study.chosen_learning_rates(runs)
    assert chosen["swap_prior_lr", "sgd"] == 0.15
    assert chosen["recommended", "sgd"] == 0.15
    assert chosen["swap", "sgd"] == 0.05  # untuned: the recipe's rate
    assert chosen["minimal", "adam"] == 1e-2  # the grid's nearest to 0.15


def test_a_tie_keeps_the_recipes_rate():
    chosen = study.chosen_learning_rates(_fake_runs(lambda *args: 0.5))
    assert chosen["swap_prior_lr", "sgd"] == CONFIG["recipes"]["sgd"]["learning_rate"]


@pytest.mark.filterwarnings("ignore:Precision loss")  # the differences are equal by design
def test_the_table_pairs_each_step_with_its_baseline_seed_by_seed():
    def ap_of(step, recipe, lr, seed):
        return list(study.STEPS).index(step) / 10 + seed / 1000 + (seed % 3) / 100

    runs = _fake_runs(ap_of)
    chosen = study.chosen_learning_rates(runs)
    table = study.analyse(runs, chosen)
    row = table["adam|swap_prior"]
    seeds = np.array(CONFIG["seeds"])
    values = 0.2 + seeds / 1000 + (seeds % 3) / 100
    assert row["macro_ap"]["mean"] == pytest.approx(values.mean())
    t = stats.t.ppf(0.975, len(seeds) - 1) * values.std(ddof=1) / np.sqrt(len(seeds))
    assert row["macro_ap"]["ci"] == pytest.approx([values.mean() - t, values.mean() + t])
    assert row["vs_baseline"]["baseline"] == "swap"
    assert row["vs_baseline"]["mean"] == pytest.approx(0.1)  # the seed terms cancel in pairs
    assert row["vs_baseline"]["ci"] == pytest.approx([0.1, 0.1])
    assert "vs_baseline" not in table["sgd|snippet"]
    assert table["sgd|minimal"]["vs_baseline"]["baseline"] == "recommended"


def test_every_task_is_keyed_once():
    chosen = study.chosen_learning_rates(_fake_runs(lambda *args: 0.5))
    tasks = study.tuning_tasks() + study.evaluation_tasks(chosen)
    keys = [study.run_key(*task) for task in tasks]
    assert len(keys) == len(set(keys))
