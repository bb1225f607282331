"""Does focal loss help on long-tailed multi-label digits? A tuned, paired, multi-seed study.

Every run trains ``focal.models.small_cnn`` on ``focal.data.load_study_digits``: long-tailed
training images, class-balanced validation and test images, from disjoint handwriting. Only
the loss (and what a loss needs: its weights, its learning rate, its starting bias) changes
between arms. Each arm's output bias starts at its own loss's best constant prediction
(``focal.constant_minimiser``): BCE's is each class's training frequency (Lin et al. 2017,
sec. 3.3), a focal or weighted loss's lies elsewhere, so no arm starts with a handicap. One
arm keeps a uniform pi = 0.01 to measure what a mismatched start costs.

Protocol, in the order the script runs it:

1. **Tune.** Every arm trains at each learning rate of ``CONFIG["learning_rates"]`` on the
   tuning seeds. Every run stops early on validation macro AP (patience ``patience``, at
   most ``max_epochs``) and keeps its best epoch. An arm's learning rate is the one with
   the best mean validation macro AP. The best point of the gamma x alpha grid is chosen
   the same way, on validation, and the arms built on it (class weights, label smoothing)
   are tuned next. The A/A arm (alpha .5, which Adam makes the same as no alpha) is tuned
   like any other: it shows what choosing between two identical losses looks like.
2. **Evaluate.** The arms the analysis compares (``evaluation_arms``) train again, at their
   chosen learning rates, on *fresh* seeds that took no part in any choice: ``seeds`` on
   the first data draw and ``replicate_seeds`` on a second draw (a new handwriting split and
   new images). The test split is scored once per run, after training: per-class AP, macro
   AP, rare-3 AP (the three classes with the fewest training positives), F1 at per-class
   thresholds tuned on validation, and ECE before and after a temperature fitted on
   validation.
3. **Analyse.** Per arm, the paired per-seed differences against BCE pooled over both draws:
   their mean, sd, 95 % t-interval and paired t-test; a Wilcoxon signed-rank and a sign test
   (scipy); Benjamini-Hochberg over every comparison; and TOST against
   ``equivalence_margin`` (is |delta| below it?).

Runs are appended to ``results/focal_study_runs.jsonl`` as they finish, so an interrupted
run resumes where it stopped; test logits are cached in ``.cache/focal_study/`` (not in git)
for the reliability diagrams. The analysis goes to ``results/focal_study.json``; notebook 06
reads both.

    python studies/focal_study.py [--workers 2]

Importing this file runs nothing: notebook 06 imports it to train one arm live.
"""

import focal  # first: sets TensorFlow's environment
from focal import weights
from focal.data import load_study_digits
from focal.metrics import fit_temperature, reliability_bins  # noqa: F401 (06 calls fit_temperature here)
from focal.models import small_cnn

import json
import sys
import time
from pathlib import Path

import keras
import numpy as np
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parent))
from multilabel_runs import (  # shared with migration_study
    evaluate,
    fit_best,
    logits_of,
    prior_shift,
    rare_classes,  # noqa: F401 (notebook 06 and the tests use these through this module)
    tuned_thresholds,  # noqa: F401
)
from study_runs import (  # shared with detection_study
    provenance,
    read_records,
    run_logged,
    single_thread,  # noqa: F401  (notebook 06 calls it before its live run)
    worker_pool,
    workers_from_command_line,
)
from study_stats import adjust_family, minimum_detectable_effect, paired
from study_stats import winners_curse as leads

HERE = Path(__file__).resolve().parent
RUNS = HERE / "results" / "focal_study_runs.jsonl"
RESULTS = HERE / "results" / "focal_study.json"
CACHE = HERE.parent / ".cache" / "focal_study"

# The grid: gamma .5 and alpha .5 were cut to make room for fresh evaluation seeds (alpha .5
# equals no alpha under Adam, and the previous study found gamma .5 within noise of its
# neighbours); alpha .5 stays once, at gamma 0, as the A/A pair.
GAMMAS = (0.0, 1.0, 2.0)
ALPHAS = (None, 0.1, 0.25, 0.75)

CONFIG = {
    "data": {
        "n_train": 4000,
        "n_val": 1000,
        "n_test": 3000,
        "imbalance": 100.0,
        "head": 0.5,
        "eval_prior": 0.15,
    },
    "draws": [0, 1],  # data seeds: the first is tuned and evaluated, the second replicates
    "model": {"width": 16},
    # 3e-3 won for no arm of the 40-epoch study (1e-2 won 12 of 16, 2e-2 four) and costs the
    # most epochs under an open budget, so it was cut; 3e-2 often diverged.
    "learning_rates": [1e-2, 2e-2],
    "batch_size": 128,
    # A cap no run's best epoch should touch: at 40, FL gamma 2 was still gaining (a probe ran
    # 361 epochs before patience stopped it). Patience alone ends almost every run.
    "max_epochs": 400,
    "patience": 6,
    "tune_seeds": [0, 1],
    "seeds": list(range(100, 110)),  # fresh: no choice was made on them
    "replicate_seeds": list(range(100, 105)),
    "grid": {"gamma": list(GAMMAS), "alpha": list(ALPHAS)},
    "aa_alpha": 0.5,
    "effective_number_beta": 0.999,
    "label_smoothing": [0.03, 0.1, 0.3],  # chosen on validation, with the learning rate
    "asl": {"gamma_pos": 0.0, "gamma_neg": 4.0, "margin": 0.05},
    "uniform_prior": 0.01,
    "rare_k": 3,
    "ece_bins": 15,
    # The smallest difference that would matter, per metric (TOST's margin): a change of
    # 0.01 macro AP or F1 is about one rank in a class's precision-recall list; the rare-3
    # classes average three noisy APs, so 0.03 is the same share of their seed spread; an
    # ECE of 0.005 is half a point of probability, below what a reliability diagram shows.
    "equivalence_margins": {
        "macro_ap": 0.01,
        "rare_ap": 0.03,
        "macro_f1": 0.01,
        "ece_scaled": 0.005,
    },
}


def grid_key(gamma, alpha):
    return f"g{gamma:g}_a{'none' if alpha is None else f'{alpha:g}'}"


def grid_label(gamma, alpha):
    """A grid point's name: gamma 0 has no focusing, so it is BCE or alpha-balanced CE."""
    if gamma == 0:
        return "BCE" if alpha is None else f"α-balanced CE, α={alpha:g}"
    return f"FL γ={gamma:g}, α={'none' if alpha is None else f'{alpha:g}'}"


def _short_label(key):
    """A grid point's name in a few characters, for the arms built on it."""
    point = _grid_kwargs(key)
    alpha = "" if point["alpha"] is None else f" {point['alpha']:g}"
    if point["gamma"] == 0:
        return "BCE" if point["alpha"] is None else f"α-CE{alpha}"
    return f"FL γ{point['gamma']:g}{alpha}"


BCE = grid_key(0.0, None)
AA = grid_key(0.0, CONFIG["aa_alpha"])
# Arms outside the grid: key -> label. "best_*" build on the grid point with the best
# validation macro AP; the rest stand alone.
LS_ARMS = {f"best_ls{e:g}": f"best + label smoothing {e:g}" for e in CONFIG["label_smoothing"]}
DERIVED = {
    "best_column_w": "best + column weights",
    "best_sample_w": "best + per-sample weights",
    **LS_ARMS,
}
# The label-smoothing arm the analysis compares: whichever smoothing validation chose.
BEST_LS = "best_ls"
STANDALONE = {
    AA: "A/A: α-CE, α=0.5 (= BCE)",
    "balanced_bce": "balanced BCE (α_c = 1 − π_c)",
    "asl": "ASL (γ+ 0, γ− 4, m 0.05)",
    "bce_uniform_prior": "BCE, uniform prior π = 0.01",
}
PAPER = grid_key(2.0, 0.25)
# The A/A arm again, at BCE's learning rate: the same loss and rate as BCE (up to Adam's
# epsilon), so its differences from BCE are pure noise.
AA_AT_BCE_RATE = "aa_at_bce_rate"
EXTRA_LABELS = {AA_AT_BCE_RATE: "A/A at BCE's learning rate"}


def arm_labels(best=None):
    """Every arm's key -> its label, in table order: the grid, then the others. Given the
    best grid point, the arms built on it are named by what they are ("α-CE 0.25 + ...")."""
    grid = {grid_key(g, a): grid_label(g, a) for g in GAMMAS for a in ALPHAS}
    derived = DERIVED
    if best is not None:
        derived = {k: v.replace("best", _short_label(best), 1) for k, v in DERIVED.items()}
    return {**grid, **derived, **STANDALONE}


def evaluation_arms(choices, best):
    """The arms retrained on fresh seeds: BCE, each gamma at the alpha validation chose for
    it (Table 1b's "each gamma at its own best alpha"), the paper's point, the arms built on
    the best point, and the stand-alone arms."""
    per_gamma = best_alpha_per_gamma(choices).values()
    keys = [BCE, *per_gamma, best, PAPER, "best_column_w", "best_sample_w", *STANDALONE]
    return list(dict.fromkeys(keys))  # drop repeats (the best point is one of per_gamma)


def best_alpha_per_gamma(choices):
    """{gamma: the grid key of that gamma at the alpha with the best tuned validation AP}."""
    return {
        g: max((grid_key(g, a) for a in ALPHAS), key=lambda k: _tuned_score(choices[k]))
        for g in GAMMAS
    }


def chosen_smoothing(choices):
    """The label-smoothing arm with the best validation macro AP at its chosen rate."""
    return max(LS_ARMS, key=lambda k: _tuned_score(choices[k]))


def _tuned_score(choice):
    return choice["val_macro_ap_by_lr"][f"{choice['learning_rate']:g}"]


def compared(choices, best):
    """What the analysis compares with BCE: name -> (arm, learning rate). Each evaluation arm
    at its chosen rate, the label smoothing validation chose, and the A/A arm at BCE's rate."""
    out = {arm: (arm, choices[arm]["learning_rate"]) for arm in evaluation_arms(choices, best)}
    ls = chosen_smoothing(choices)
    out[BEST_LS] = (ls, choices[ls]["learning_rate"])
    out[AA_AT_BCE_RATE] = (AA, choices[BCE]["learning_rate"])
    return out


def load_data(draw, config=CONFIG):
    """The study's splits for one data draw (``draw`` seeds the whole data set)."""
    return load_study_digits(**config["data"], seed=draw)


def train_prior(data):
    """pi_c: the fraction of training images that show class c."""
    return data.y_train.mean(axis=0)


def _grid_kwargs(key):
    gamma, alpha = key[1:].split("_a")
    return {"gamma": float(gamma), "alpha": None if alpha == "none" else float(alpha)}


def arm_spec(arm, best, data, config=CONFIG):
    """What an arm trains with: loss arguments, per-example weights, the output's start.

    ``best`` is the grid key of the best grid point (needed by the "best_*" arms only).
    ``prior`` is None for "the loss's own constant minimiser" (see ``start_prior``), or a
    fixed probability.
    """
    spec = {"loss": {}, "sample_weight": None, "prior": None}
    effective = weights.effective_number(
        weights.counts_from_labels(data.y_train), beta=config["effective_number_beta"]
    )
    if arm in DERIVED:
        spec["loss"] = _grid_kwargs(best)
        if arm == "best_column_w":
            spec["loss"]["class_weight"] = effective.tolist()
        elif arm == "best_sample_w":
            spec["sample_weight"] = weights.per_sample(data.y_train, effective)
        else:
            spec["loss"]["label_smoothing"] = float(arm.removeprefix("best_ls"))
    elif arm == "balanced_bce":
        spec["loss"] = {"gamma": 0.0, "alpha": [1.0 - p for p in train_prior(data)]}
    elif arm == "asl":
        spec["loss"] = dict(config["asl"])
    elif arm == "bce_uniform_prior":
        spec["loss"] = {"gamma": 0.0}
        spec["prior"] = config["uniform_prior"]
    else:
        spec["loss"] = _grid_kwargs(arm)
    return spec


def make_loss(spec, dtype=None):
    return focal.FocalLoss(**spec["loss"], from_logits=True, dtype=dtype)


def start_prior(spec, data):
    """The output's starting probability per class: the arm's fixed prior, or the best
    constant prediction of its own loss on the training labels (in float64)."""
    if spec["prior"] is not None:
        return spec["prior"]
    found = focal.constant_minimiser(
        make_loss(spec, "float64"), data.y_train, sample_weight=spec["sample_weight"]
    )
    return found.tolist()


def train_run(arm, draw, seed, learning_rate, best, data=None, config=CONFIG):
    """Train one run; returns (record, test logits). The seed fixes weights and batch order."""
    data = load_data(draw, config) if data is None else data
    spec = arm_spec(arm, best, data, config)
    prior = start_prior(spec, data)
    keras.utils.set_random_seed(seed)
    model = small_cnn(prior=prior, seed=seed, **config["model"])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=make_loss(spec))
    trained = fit_best(model, data, config, sample_weight=spec["sample_weight"])
    val_logits = logits_of(model, data.x_val)
    test_logits = logits_of(model, data.x_test)
    record = {
        "arm": arm,
        "draw": draw,
        "seed": seed,
        "learning_rate": learning_rate,
        "best": best if arm in DERIVED else None,
        "start_prior": prior,
        **trained,
        **evaluate(
            data,
            val_logits,
            test_logits,
            config["rare_k"],
            config["ece_bins"],
            eval_prior=config["data"]["eval_prior"],
        ),
    }
    return record, test_logits


def run_key(arm, draw, seed, learning_rate):
    return f"{arm}|{draw}|{seed}|{learning_rate:g}"


def read_runs(path=RUNS):
    """The finished runs, by key (the file is the resumable log; later lines win)."""
    return read_records(path, lambda r: run_key(r["arm"], r["draw"], r["seed"], r["learning_rate"]))


def chosen_learning_rate(runs, arm, config=CONFIG):
    """The learning rate with the best mean validation macro AP over the tuning seeds."""
    draw = config["draws"][0]
    scores = {
        lr: np.mean([runs[run_key(arm, draw, s, lr)]["val_macro_ap"] for s in config["tune_seeds"]])
        for lr in config["learning_rates"]
    }
    return max(scores, key=scores.get), scores


def best_grid_point(runs, config=CONFIG):
    """The grid key whose tuned validation macro AP is highest."""
    tuned = {
        grid_key(g, a): chosen_learning_rate(runs, grid_key(g, a), config)
        for g in GAMMAS
        for a in ALPHAS
    }
    return max(tuned, key=lambda key: tuned[key][1][tuned[key][0]])


# ----- running many runs on several processes ------------------------------------------------

_DATA = {}


def _worker(task):
    arm, draw, seed, lr, best = task
    if draw not in _DATA:
        _DATA[draw] = load_data(draw)
    record, test_logits = train_run(arm, draw, seed, lr, best, _DATA[draw])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(_cache_path(arm, draw, seed, lr), test_logits)
    return record


def run_all(tasks, pool, done, log):
    """Run the tasks not yet in ``done``; append each record to ``log`` as it finishes."""
    run_logged(
        tasks,
        pool,
        _worker,
        log,
        done,
        task_key=lambda t: run_key(*t[:4]),
        record_key=lambda r: run_key(r["arm"], r["draw"], r["seed"], r["learning_rate"]),
        describe=lambda r: f"{r['arm']} seed {r['seed']} val AP {r['val_macro_ap']:.3f}",
    )


# ----- analysis -------------------------------------------------------------------------------


METRICS = (
    "macro_ap",
    "rare_ap",
    "macro_f1",
    *(
        f"{score}{after}"
        for after in ("", "_scaled", "_shifted")
        for score in ("ece", "nll", "brier")
    ),
    "temperature",
    "mean_p_positive",
    "mean_p_negative",
    "val_macro_ap",
    "best_epoch",
)
TESTED = ("macro_ap", "rare_ap", "macro_f1", "ece_scaled")  # the family BH corrects
# Each "best + ..." arm changes one thing of the best grid point; besides BCE it is compared
# with that point, so the table shows what the change itself did.
BUILT_ON_BEST = ("best_column_w", "best_sample_w", BEST_LS)


def evaluation_draws(config=CONFIG):
    """(draw, fresh seeds) for both draws."""
    return list(zip(config["draws"], (config["seeds"], config["replicate_seeds"]), strict=True))


def per_seed(runs, arm, lr, metric, config=CONFIG):
    """One arm's metric on every fresh seed, draw by draw, then pooled: {draw: [...]}."""
    return {
        str(draw): [runs[run_key(arm, draw, s, lr)][metric] for s in seeds]
        for draw, seeds in evaluation_draws(config)
    }


def _cache_path(arm, draw, seed, lr):
    return CACHE / f"{run_key(arm, draw, seed, lr).replace('|', '_')}.npy"


def _cached_logits(arm, draw, seed, lr):
    return np.load(_cache_path(arm, draw, seed, lr))


def reliability(arm, run, data, config=CONFIG):
    """Reliability-diagram bins of one run's test probabilities: as trained, after temperature
    scaling ("after") and after the prior-shift correction ("shifted")."""
    logits = _cached_logits(arm, run["draw"], run["seed"], run["learning_rate"])
    shifted = prior_shift(logits, train_prior(data), config["data"]["eval_prior"])
    out = {}
    for name, z in (
        ("before", logits),
        ("after", logits / run["temperature"]),
        ("shifted", shifted),
    ):
        p = special.expit(z)
        fraction, mean_p, counts = reliability_bins(data.y_test, p, config["ece_bins"])
        out[name] = {
            "fraction_positive": fraction.tolist(),
            "mean_probability": mean_p.tolist(),
            "count": counts.tolist(),
        }
    return out


def winners_curse(runs, entries, config=CONFIG):
    """Per compared arm, its lead over BCE in validation macro AP on the tuning seeds (where
    it was chosen) and on the fresh seeds of the first draw (same split, new seeds), and in
    test macro AP on the fresh seeds of both draws."""
    draw = config["draws"][0]

    def val(name, seeds):
        arm, lr = entries[name]
        return [runs[run_key(arm, draw, s, lr)]["val_macro_ap"] for s in seeds]

    def test(name):
        values = per_seed(runs, *entries[name], "macro_ap", config)
        return [v for draw_values in values.values() for v in draw_values]

    tune, fresh = config["tune_seeds"], config["seeds"]
    return {
        name: leads(
            {
                "tuning_val_lead": (val(name, tune), val(BCE, tune)),
                "fresh_val_lead": (val(name, fresh), val(BCE, fresh)),
                "fresh_test_lead": (test(name), test(BCE)),
            }
        )
        for name in entries
    }


def reliabilities(runs, entries, config=CONFIG):
    """``reliability`` of each compared arm's first fresh run (draw 0, first seed).

    Its test logits are cached on the machine that trained the run; elsewhere (a fresh
    clone) the diagrams stored in ``RESULTS`` are kept, as the runs they come from are unchanged.
    """
    draw, seed = config["draws"][0], config["seeds"][0]
    cached = all(_cache_path(arm, draw, seed, lr).exists() for arm, lr in entries.values())
    if not cached and RESULTS.exists():
        return json.loads(RESULTS.read_text())["summary"]["reliability"]
    data = load_data(draw, config)
    return {
        name: reliability(arm, runs[run_key(arm, draw, seed, lr)], data, config)
        for name, (arm, lr) in entries.items()
    }


def contrast(mine, base, margin=None):
    """Paired differences ``mine - base`` ({draw: per-seed values} each): pooled over the
    draws, and draw by draw. With a margin, also the smallest effect the pooled paired t-test
    detects with 80 % power at these seeds (``mde``), to read beside TOST's verdict.

    Pooling estimates the effect averaged over the two data draws; it cannot see how the
    effect varies from draw to draw (two draws leave one degree of freedom for that), which
    is why the draw-by-draw differences are kept beside it."""
    diffs = {k: np.asarray(mine[k]) - np.asarray(base[k]) for k in mine}
    pooled = np.concatenate(list(diffs.values()))
    out = paired(pooled, margin)
    out["by_draw"] = {k: paired(d) for k, d in diffs.items()}
    if margin is not None:
        out["mde"] = minimum_detectable_effect(max(out["sd"], 1e-12), pooled.size)
    return out


def analyse(runs, choices, best, config=CONFIG):
    """Per evaluation arm: per-seed numbers of every metric, their differences from BCE and,
    for an arm that modifies the best grid point, from that point; pooled over both draws and
    draw by draw, with seed-level statistics; BH over every tested comparison."""
    entries = compared(choices, best)
    arms = list(entries)
    margins = config["equivalence_margins"]
    summary = {}

    def values(arm, metric):
        return per_seed(runs, *entries[arm], metric, config)

    for arm in arms:
        summary[arm] = {}
        for metric in METRICS:
            mine = values(arm, metric)
            pooled = np.concatenate(list(mine.values()))
            margin = margins.get(metric)
            summary[arm][metric] = {
                "per_seed": mine,
                "mean": float(pooled.mean()),
                "sd": float(pooled.std(ddof=1)),
                "mean_by_draw": {k: float(np.mean(v)) for k, v in mine.items()},
                "diff": contrast(mine, values(BCE, metric), margin) if arm != BCE else None,
                "vs_best": contrast(mine, values(best, metric), margin)
                if arm in BUILT_ON_BEST
                else None,
            }
    family = {
        (arm, m, "diff"): summary[arm][m]["diff"] for arm in arms if arm != BCE for m in TESTED
    }
    family.update(
        {(arm, m, "vs_best"): summary[arm][m]["vs_best"] for arm in BUILT_ON_BEST for m in TESTED}
    )
    adjust_family(family)
    every = list(runs.values())
    late = [r["best_epoch"] > config["max_epochs"] - config["patience"] for r in every]
    return {
        "evaluation_arms": arms,
        "family_size": len(family),
        "arms": summary,
        "winners_curse": winners_curse(runs, entries, config),
        "reliability": reliabilities(runs, entries, config),
        "runs": len(every),
        "cpu_hours": sum(r["seconds"] for r in every) / 3600,
        "share_best_within_patience_of_cap": float(np.mean(late)),
        "share_stopped_early": float(
            np.mean([r["epochs_run"] < config["max_epochs"] for r in every])
        ),
    }


def tuning_tasks(arms, best, config=CONFIG):
    """(arm, draw, seed, learning rate, best) for every arm x learning rate x tuning seed."""
    draw = config["draws"][0]
    return [
        (arm, draw, seed, lr, best)
        for seed in config["tune_seeds"]
        for lr in config["learning_rates"]
        for arm in arms
    ]


def main():
    workers = workers_from_command_line(__doc__.splitlines()[0])
    config = CONFIG
    RUNS.parent.mkdir(parents=True, exist_ok=True)
    runs = read_runs()
    start = time.perf_counter()
    with worker_pool(workers) as pool:
        first = [*(grid_key(g, a) for g in GAMMAS for a in ALPHAS), *STANDALONE]
        lrs = len(config["learning_rates"])
        print(f"1/4 tuning {len(first)} arms x {lrs} learning rates", flush=True)
        run_all(tuning_tasks(first, None, config), pool, runs, RUNS)
        best = best_grid_point(runs, config)
        print(
            f"2/4 best grid point on validation: {grid_label(**_grid_kwargs(best))}; tuning "
            f"the arms built on it",
            flush=True,
        )
        run_all(tuning_tasks(DERIVED, best, config), pool, runs, RUNS)
        labels = arm_labels(best)
        choices = {}
        for arm in labels:
            lr, scores = chosen_learning_rate(runs, arm, config)
            choices[arm] = {
                "learning_rate": lr,
                "val_macro_ap_by_lr": {f"{k:g}": v for k, v in scores.items()},
            }
        entries = compared(choices, best)
        print(f"3/4 evaluating {len(entries)} arms on fresh seeds of both draws", flush=True)
        # Arm by arm, the arms the lesson leans on first (gamma, smoothing, weights, the A/A
        # pair), so that a study cut short by its budget has them; the stand-alone arms last.
        first = [
            BCE,
            *best_alpha_per_gamma(choices).values(),
            best,
            PAPER,
            BEST_LS,
            "best_column_w",
            AA,
            AA_AT_BCE_RATE,
        ]
        order = [*dict.fromkeys(first), *(name for name in entries if name not in first)]
        tasks = list(
            dict.fromkeys(
                (arm, draw, s, lr, best)
                for arm, lr in (entries[name] for name in order)
                for draw, seeds in evaluation_draws(config)
                for s in seeds
            )
        )
        run_all(tasks, pool, runs, RUNS)
    print("4/4 statistics", flush=True)
    summary = analyse(runs, choices, best, config)
    results = {
        "description": __doc__.splitlines()[0],
        "command": "python studies/focal_study.py",
        "config": config,
        "arms": {**labels, BEST_LS: labels[chosen_smoothing(choices)], **EXTRA_LABELS},
        "best_grid_point": best,
        "choices": choices,
        "summary": summary,
        "total_seconds_this_invocation": time.perf_counter() - start,
        **provenance(workers),
    }
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
