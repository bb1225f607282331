"""studies/study_stats.py against hand formulas, scipy's distributions and a simulation."""

import numpy as np
import pytest
from scipy import stats
from scripts_loader import load_script

study_stats = load_script("study_stats", "studies")

D = np.array([0.004, -0.002, 0.001, 0.003, -0.001, 0.002, 0.0, 0.001])


def test_t_interval_and_t_test_by_hand():
    se = D.std(ddof=1) / np.sqrt(D.size)
    half = stats.t.ppf(0.975, D.size - 1) * se
    assert study_stats.t_interval(D) == pytest.approx((D.mean() - half, D.mean() + half))
    half_90 = stats.t.ppf(0.95, D.size - 1) * se
    assert study_stats.t_interval(D, 0.9)[1] == pytest.approx(D.mean() + half_90)
    assert study_stats.t_test(D) == pytest.approx(2 * stats.t.sf(D.mean() / se, D.size - 1))


def test_tost_is_the_larger_one_sided_p_and_matches_the_90_percent_interval():
    se = D.std(ddof=1) / np.sqrt(D.size)
    upper = stats.t.cdf((D.mean() - 0.01) / se, D.size - 1)
    lower = stats.t.sf((D.mean() + 0.01) / se, D.size - 1)
    assert study_stats.tost(D, 0.01) == pytest.approx(max(upper, lower))
    for scale in (1, 3, 10, 30):
        low, high = study_stats.t_interval(D * scale, 0.9)
        inside = -0.01 < low and high < 0.01
        assert (study_stats.tost(D * scale, 0.01) < 0.05) is inside


def test_sign_test_drops_ties_and_counts_wins():
    assert study_stats.sign_test(np.linspace(0.01, 0.1, 10)) == pytest.approx(2 / 2**10)
    mixed = [0.1, -0.2, 0.3, 0.0, 0.05]  # 3 wins, 1 loss, 1 tie
    assert study_stats.sign_test(mixed) == pytest.approx(2 * stats.binom.cdf(1, 4, 0.5))
    assert study_stats.sign_test(np.zeros(4)) == 1.0


def test_paired_collects_every_test():
    out = study_stats.paired(np.linspace(0.01, 0.1, 10), 0.01)
    assert (out["n"], out["wins"], out["losses"]) == (10, 10, 0)
    assert out["wilcoxon_p"] == pytest.approx(2 / 2**10)  # exact: one of 1024 sign patterns
    assert out["sign_p"] == pytest.approx(2 / 2**10)
    assert list(out) == [
        "n", "mean", "sd", "ci", "t_p", "tost_p", "wins", "losses", "wilcoxon_p", "sign_p"
    ]  # fmt: skip
    same = study_stats.paired(np.zeros(5), 0.01)
    assert same["ci"] == [0.0, 0.0] and same["t_p"] == 1.0 and same["tost_p"] == 0.0
    assert study_stats.paired(np.ones(5))["tost_p"] is None  # no margin, no equivalence test


def test_benjamini_hochberg_by_hand():
    # sorted: 0.01, 0.03, 0.04, 0.2 -> p m / rank = 0.04, 0.06, 0.0533, 0.2, then the
    # running minimum from the largest down
    adjusted = study_stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.2])
    assert adjusted == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])


def test_adjust_family_adds_the_adjusted_p_values():
    p_values = {"a": 0.01, "b": 0.02, "c": 0.5}
    family = {name: {"t_p": p, "tost_p": 1 - p} for name, p in p_values.items()}
    study_stats.adjust_family(family)
    assert [family[n]["t_p_bh"] for n in "abc"] == pytest.approx([0.03, 0.03, 0.5])
    # tost_p 0.99, 0.98, 0.5: the largest stays, the others take its running minimum
    assert [family[n]["tost_p_bh"] for n in "abc"] == pytest.approx([0.99, 0.99, 0.99])


def test_winners_curse_is_each_stages_lead():
    leads = study_stats.winners_curse({"tuned": ([0.9, 0.8], [0.7, 0.8]), "fresh": ([0.7], [0.7])})
    assert leads == pytest.approx({"tuned": 0.1, "fresh": 0.0})
    assert list(leads) == ["tuned", "fresh"]


@pytest.mark.parametrize("effect, sd, n", [(0.016, 0.015, 8), (0.0, 0.02, 5), (0.03, 0.02, 15)])
def test_paired_t_power_matches_a_simulation(effect, sd, n):
    d = np.random.default_rng(1).normal(effect, sd, size=(200_000, n))
    t = d.mean(axis=1) / (d.std(axis=1, ddof=1) / np.sqrt(n))
    simulated = np.mean(np.abs(t) > stats.t.ppf(0.975, n - 1))
    assert study_stats.paired_t_power(effect, sd, n) == pytest.approx(simulated, abs=0.005)


def test_paired_t_power_at_no_effect_is_alpha():
    assert study_stats.paired_t_power(0.0, 0.01, 8, alpha=0.1) == pytest.approx(0.1)


def test_minimum_detectable_effect_tends_to_the_normal_formula():
    normal = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * 0.02 / np.sqrt(10_000)
    assert study_stats.minimum_detectable_effect(0.02, 10_000) == pytest.approx(normal, rel=1e-3)
    # fewer seeds, a wider t: larger than the normal formula says
    small = study_stats.minimum_detectable_effect(0.014, 8)
    assert small > (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * 0.014 / np.sqrt(8)


def test_minimum_detectable_effect_has_the_stated_power_in_simulation():
    sd, n = 0.014, 8
    effect = study_stats.minimum_detectable_effect(sd, n)
    d = np.random.default_rng(0).normal(effect, sd, size=(200_000, n))
    t = d.mean(axis=1) / (d.std(axis=1, ddof=1) / np.sqrt(n))
    power = np.mean(np.abs(t) > stats.t.ppf(0.975, n - 1))
    assert power == pytest.approx(0.8, abs=0.005)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: study_stats.t_test([0.1]), "differences"),
        (lambda: study_stats.t_test([0.1, np.nan]), "differences"),
        (lambda: study_stats.tost(D, 0.0), "margin"),
        (lambda: study_stats.benjamini_hochberg([0.5, 1.5]), "p_values"),
        (lambda: study_stats.benjamini_hochberg([]), "p_values"),
        (lambda: study_stats.minimum_detectable_effect(0.0, 8), "sd"),
        (lambda: study_stats.minimum_detectable_effect(0.1, 1), "n"),
        (lambda: study_stats.minimum_detectable_effect(0.1, 8, power=0.01), "power"),
        (lambda: study_stats.paired_t_power(0.01, 0.01, 8, alpha=1.5), "alpha"),
    ],
)
def test_bad_arguments_raise_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()
