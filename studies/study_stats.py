"""Comparing two training methods across seeds: the statistics both studies use.

Pure functions of arrays of per-seed numbers (scipy where it has the function). Two arms
trained on the same seeds are paired: d_s = score(A, s) - score(B, s), and every test here
is on those differences (Dror et al. 2018; Bouthillier et al. 2021).

- ``t_interval``: mean ± t_{n-1, 1-a/2} · sd / sqrt(n), the seed-level confidence interval.
- ``t_test``: two-sided one-sample t-test of mean(d) = 0.
- ``tost``: two one-sided tests of |mean(d)| < margin, p = the larger one-sided p; below
  0.05 exactly when the 90 % t-interval lies inside ±margin. "No effect" is this, not a
  large ``t_test`` p.
- ``sign_test``: two-sided binomial test of the number of positive differences (ties
  dropped): P(wins | n, 1/2).
- ``paired``: all of the above for one comparison, as the studies store it.
- ``benjamini_hochberg``: adjusted p-values controlling the false discovery rate over a
  family of comparisons; ``adjust_family`` writes them into the stored comparisons.
- ``winners_curse``: an arm's lead over a baseline at each stage (where it was chosen, then
  on fresh seeds); a lead chosen on few seeds shrinks on fresh ones.
- ``paired_t_power``: the chance that a paired t-test on n seeds detects a given true mean
  difference, from the noncentral t distribution; ``minimum_detectable_effect`` inverts it.
"""

import numpy as np
from scipy import optimize, stats


def _differences(differences):
    d = np.asarray(differences, dtype=np.float64).ravel()
    if d.size < 2 or not np.all(np.isfinite(d)):
        raise ValueError(
            f"`differences` must hold at least 2 finite numbers, got {np.asarray(differences)!r}."
        )
    return d


def _margin(margin):
    if not np.isfinite(margin) or margin <= 0:
        raise ValueError(f"`margin` must be a positive number, got {margin!r}.")
    return float(margin)


def t_interval(differences, confidence=0.95):
    """(low, high): mean ± t_{n-1} quantile · sd / sqrt(n); (mean, mean) when sd is 0."""
    d = _differences(differences)
    if d.std(ddof=1) == 0:
        return float(d.mean()), float(d.mean())
    low, high = stats.ttest_1samp(d, 0.0).confidence_interval(confidence)
    return float(low), float(high)


def t_test(differences):
    """Two-sided p of mean(d) = 0; 1 or 0 when sd is 0 (the mean is 0 or it is not)."""
    d = _differences(differences)
    if d.std(ddof=1) == 0:
        return 1.0 if d.mean() == 0 else 0.0
    return float(stats.ttest_1samp(d, 0.0).pvalue)


def tost(differences, margin):
    """p of |mean(d)| < margin: max of P(mean > -margin) and P(mean < margin), one-sided t."""
    d, margin = _differences(differences), _margin(margin)
    if d.std(ddof=1) == 0:
        return 0.0 if abs(d.mean()) < margin else 1.0
    above = stats.ttest_1samp(d, -margin, alternative="greater").pvalue
    below = stats.ttest_1samp(d, margin, alternative="less").pvalue
    return float(max(above, below))


def sign_test(differences):
    """Two-sided binomial p of the wins among the nonzero differences; 1 if all are 0."""
    d = _differences(differences)
    nonzero = d[d != 0]
    if not nonzero.size:
        return 1.0
    return float(stats.binomtest(int((nonzero > 0).sum()), nonzero.size).pvalue)


def paired(differences, margin=None):
    """One comparison as the studies store it: n, mean, sd, the 95 % t-interval, the t-test
    and TOST p (None without a margin), wins and losses, and the Wilcoxon signed-rank and sign
    tests' p."""
    d = _differences(differences)
    nonzero = d[d != 0]
    return {
        "n": int(d.size),
        "mean": float(d.mean()),
        "sd": float(d.std(ddof=1)),
        "ci": list(t_interval(d)),
        "t_p": t_test(d),
        "tost_p": None if margin is None else tost(d, margin),
        "wins": int((d > 0).sum()),
        "losses": int((d < 0).sum()),
        "wilcoxon_p": float(stats.wilcoxon(d).pvalue) if nonzero.size else 1.0,
        "sign_p": sign_test(d),
    }


def benjamini_hochberg(p_values):
    """Benjamini-Hochberg adjusted p-values (scipy's ``false_discovery_control``), in order."""
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1 or not p.size or np.any((p < 0) | (p > 1)) or not np.all(np.isfinite(p)):
        raise ValueError(f"`p_values` must be a non-empty list of numbers in [0, 1], got {p!r}.")
    return stats.false_discovery_control(p).tolist()


def adjust_family(comparisons, keys=("t_p", "tost_p")):
    """Add ``<key>_bh`` to every comparison (a dict of ``paired`` results), BH over them all."""
    names = list(comparisons)
    for key in keys:
        adjusted = benjamini_hochberg([comparisons[name][key] for name in names])
        for name, p in zip(names, adjusted, strict=True):
            comparisons[name][f"{key}_bh"] = float(p)
    return comparisons


def winners_curse(stages):
    """{stage: mean(arm) - mean(baseline)} for ``stages`` = {stage: (arm scores, baseline
    scores)}, in the order given: the lead where the arm was chosen, then where it was not."""
    return {
        stage: float(np.mean(arm) - np.mean(baseline)) for stage, (arm, baseline) in stages.items()
    }


def _check_design(sd, n, alpha):
    """The arguments a power computation shares: the differences' sd, the seeds, the level."""
    if not np.isfinite(sd) or sd <= 0:
        raise ValueError(f"`sd` must be a positive number, got {sd!r}.")
    if int(n) != n or n < 2:
        raise ValueError(f"`n` must be an integer >= 2, got {n!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"`alpha` must be in (0, 1), got {alpha!r}.")


def paired_t_power(effect, sd, n, alpha=0.05):
    """Probability that a two-sided paired t-test at ``alpha`` on ``n`` seeds rejects, when
    the true mean difference is ``effect`` and the differences have standard deviation ``sd``:
    P(|T| > t_{n-1, 1-alpha/2}), T noncentral t with noncentrality effect · sqrt(n) / sd."""
    _check_design(sd, n, alpha)
    df = n - 1
    critical = stats.t.ppf(1 - alpha / 2, df)
    noncentrality = effect * np.sqrt(n) / sd
    # The wrong-sign rejections are negligible wherever scipy's nct returns NaN for them.
    wrong_sign = np.nan_to_num(stats.nct.cdf(-critical, df, noncentrality))
    return float(stats.nct.sf(critical, df, noncentrality) + wrong_sign)


def minimum_detectable_effect(sd, n, alpha=0.05, power=0.8):
    """Smallest true mean difference that a two-sided paired t-test at ``alpha`` on ``n``
    seeds rejects with probability ``power``, for differences of standard deviation ``sd``.

    Solves P(|T| > t_{n-1, 1-alpha/2}) = power for T noncentral t with n - 1 degrees of
    freedom and noncentrality effect · sqrt(n) / sd. For large n it tends to
    (z_{1-alpha/2} + z_{power}) · sd / sqrt(n).
    """
    _check_design(sd, n, alpha)
    if not alpha < power < 1:
        raise ValueError(f"`power` must be in (alpha, 1), got alpha={alpha!r}, power={power!r}.")

    def shortfall(effect):
        return paired_t_power(effect, sd, n, alpha) - power

    upper = (stats.t.ppf(1 - alpha / 2, n - 1) + stats.norm.ppf(power)) * sd / np.sqrt(n)
    while shortfall(upper) < 0:  # from the normal approximation, doubled until it brackets
        upper *= 2
    return float(optimize.brentq(shortfall, 0.0, upper))
