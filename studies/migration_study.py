"""Does a snippet user's model learn after moving to ``focal``? The migration, step by step.

A user of the seed snippet trains a multi-label CNN with a sigmoid head, a zero output bias
and the snippet's README recipe, ``SGD(learning_rate=0.05, momentum=0.9)``. Each step below
adds one change to the one before it, so the table says what each change buys:

1. ``snippet``: the snippet's loss (``focal.original.focal_loss(counts)``), as published.
2. ``swap``: the one-line swap, ``focal.focal_loss(counts)``: the same arguments.
3. ``swap_prior``: + the output bias started at the swap's own best constant prediction
   (``focal.constant_minimiser``) instead of 0, i.e. p = 0.5 for every class.
4. ``swap_prior_lr``: + a learning rate chosen on validation (the recipe's rate is one of
   the candidates, so this can only pick it or a better one on validation).
5. ``recommended``: the same loss from logits, ``FocalLoss(gamma, alpha, class_weight=w,
   label_smoothing=e, from_logits=True)`` on a linear head, at step 4's rate. On TensorFlow
   it computes what step 4 computes (Keras hands the loss the logits under a sigmoid
   layer), so it takes step 4's rate rather than a second choice on the same numbers.

Beside them, ``minimal`` is the README's shortest form, ``FocalLoss(gamma=2, alpha=0.25,
from_logits=True)``: the swap's class weights and label smoothing dropped, started at its own
best constant, its rate chosen on validation; it is compared with ``recommended``.

Each step runs under two recipes: the snippet's SGD and Keras's default ``Adam(1e-3)``.
Every run trains ``focal.models.small_cnn`` on notebook 06's data (the first draw of
``focal.data.load_study_digits``: long-tailed training, balanced validation and test), stops
early on validation macro AP and keeps its best epoch, as notebook 06's runs do. Learning
rates are chosen on validation with ``tune_seeds``; the table is measured on ``seeds``,
which took no part in any choice. Per step, the paired per-seed difference from the step
before it (95 % t-interval, Benjamini-Hochberg over the family; Dror et al. 2018).

Runs are appended to ``results/migration_study_runs.jsonl`` as they finish, so an
interrupted study resumes where it stopped; the summary goes to
``results/migration_study.json``, which notebook 07 reads.

    python studies/migration_study.py [--workers 2]
"""

import focal  # first: sets TensorFlow's environment
from focal import original, weights
from focal.data import load_study_digits
from focal.models import small_cnn

import json
import sys
import time
from pathlib import Path

import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from multilabel_runs import evaluate, fit_best, logits_of
from study_runs import provenance, read_records, run_logged, worker_pool, workers_from_command_line
from study_stats import adjust_family, paired, t_interval

HERE = Path(__file__).resolve().parent
RUNS = HERE / "results" / "migration_study_runs.jsonl"
RESULTS = HERE / "results" / "migration_study.json"

STEPS = {
    "snippet": "the snippet, as published",
    "swap": "one-line swap: focal.focal_loss",
    "swap_prior": "+ prior bias (constant_minimiser)",
    "swap_prior_lr": "+ rate chosen on validation",
    "recommended": "recommended: the same, from logits",
    "minimal": "FocalLoss(γ, α) alone, from logits",
}
TUNED = ("swap_prior_lr", "minimal")
SAME_RATE = {"recommended": "swap_prior_lr"}  # the same computation, so the same rate
LOGITS_HEAD = ("recommended", "minimal")
# Each step is compared with the one it changes.
BASELINE = {
    "swap": "snippet",
    "swap_prior": "swap",
    "swap_prior_lr": "swap_prior",
    "recommended": "swap_prior_lr",
    "minimal": "recommended",
}

CONFIG = {
    "data": {  # notebook 06's data (studies/focal_study.py), its first draw
        "n_train": 4000,
        "n_val": 1000,
        "n_test": 3000,
        "imbalance": 100.0,
        "head": 0.5,
        "eval_prior": 0.15,
        "seed": 0,
    },
    "model": {"width": 16},
    "loss": {"gamma": 2.0, "alpha": 0.25, "e": 0.1},  # the snippet's defaults
    "recipes": {
        "sgd": {"optimizer": "SGD", "learning_rate": 0.05, "momentum": 0.9},  # snippet README
        "adam": {"optimizer": "Adam", "learning_rate": 1e-3},  # Keras's default
    },
    "learning_rates": {  # each grid holds its recipe's rate; SGD's reaches 10x above it
        "sgd": [0.015, 0.05, 0.15, 0.5],
        "adam": [3e-4, 1e-3, 3e-3, 1e-2],
    },
    "batch_size": 128,
    "max_epochs": 100,
    "patience": 10,
    "tune_seeds": [0, 1],
    "seeds": [100, 101, 102, 103, 104],
    "rare_k": 3,
    "ece_bins": 15,
}


def make_loss(step, counts, config=CONFIG):
    """The step's loss: the snippet's, the swap (on probabilities) or a logits form."""
    hp = config["loss"]
    if step == "snippet":
        return original.focal_loss(counts.tolist(), **hp)
    if step == "minimal":
        return focal.FocalLoss(gamma=hp["gamma"], alpha=hp["alpha"], from_logits=True)
    if step == "recommended":
        return focal.FocalLoss(
            gamma=hp["gamma"],
            alpha=hp["alpha"],
            class_weight=weights.inverse_frequency(counts).tolist(),
            label_smoothing=hp["e"],
            from_logits=True,
        )
    return focal.focal_loss(counts.tolist(), **hp)


def start_prior(step, y_train, counts, config=CONFIG):
    """None (a zero bias, p = 0.5) for the first two steps; else the loss's best constant."""
    if step in ("snippet", "swap"):
        return None
    exact = make_loss(step, counts, config).get_config() | {"dtype": "float64"}
    return focal.constant_minimiser(focal.FocalLoss.from_config(exact), y_train).tolist()


def make_optimizer(recipe, learning_rate, config=CONFIG):
    settings = dict(config["recipes"][recipe])
    name = settings.pop("optimizer")
    settings["learning_rate"] = learning_rate
    return getattr(keras.optimizers, name)(**settings)


def train_run(step, recipe, seed, learning_rate, data, config=CONFIG):
    """Train one run; returns its record. The seed fixes the weights and the batch order."""
    counts = weights.counts_from_labels(data.y_train)
    prior = start_prior(step, data.y_train, counts, config)
    keras.utils.set_random_seed(seed)
    core = small_cnn(prior=prior, seed=seed, **config["model"])  # Dense(C) logits
    model = core
    if step not in LOGITS_HEAD:  # the snippet's head: a sigmoid layer after the logits
        model = keras.Sequential([core, keras.layers.Activation("sigmoid")])
    model.compile(
        optimizer=make_optimizer(recipe, learning_rate, config),
        loss=make_loss(step, counts, config),
    )
    trained = fit_best(model, data, config, scored=core)
    val_logits, test_logits = logits_of(core, data.x_val), logits_of(core, data.x_test)
    return {
        "step": step,
        "recipe": recipe,
        "seed": seed,
        "learning_rate": learning_rate,
        "start_prior": prior,
        **trained,
        "finite": bool(np.all(np.isfinite(trained["train_loss"]))),
        **evaluate(data, val_logits, test_logits, config["rare_k"], config["ece_bins"]),
    }


def run_key(step, recipe, seed, learning_rate):
    return f"{step}|{recipe}|{seed}|{learning_rate:g}"


def read_runs(path=RUNS):
    """The finished runs, by key (the file is the resumable log; later lines win)."""
    return read_records(
        path, lambda r: run_key(r["step"], r["recipe"], r["seed"], r["learning_rate"])
    )


_DATA = {}


def _worker(task):
    if "data" not in _DATA:
        _DATA["data"] = load_study_digits(**CONFIG["data"])
    return train_run(*task, _DATA["data"])


def run_all(tasks, pool, done, log):
    run_logged(
        tasks,
        pool,
        _worker,
        log,
        done,
        task_key=lambda t: run_key(*t),
        record_key=lambda r: run_key(r["step"], r["recipe"], r["seed"], r["learning_rate"]),
        describe=lambda r: (
            f"{r['step']} {r['recipe']} seed {r['seed']} val AP {r['val_macro_ap']:.3f}"
        ),
    )


def chosen_learning_rates(runs, config=CONFIG):
    """{(step, recipe): rate}: the recipe's rate for untuned steps; for tuned ones, the rate
    with the best mean validation macro AP over the tuning seeds (ties: the recipe's); a step
    of ``SAME_RATE`` takes its twin's."""
    chosen = {}
    for recipe, settings in config["recipes"].items():
        for step in STEPS:
            chosen[step, recipe] = settings["learning_rate"]
            if step not in TUNED:
                continue
            by_rate = {
                lr: np.mean(
                    [
                        runs[run_key(step, recipe, s, lr)]["val_macro_ap"]
                        for s in config["tune_seeds"]
                    ]
                )
                for lr in config["learning_rates"][recipe]
            }
            best = max(by_rate.values())
            if by_rate[settings["learning_rate"]] < best:
                chosen[step, recipe] = max(by_rate, key=by_rate.get)
        for step, twin in SAME_RATE.items():
            chosen[step, recipe] = chosen[twin, recipe]
    return chosen


def tuning_tasks(config=CONFIG):
    return [
        (step, recipe, seed, lr)
        for seed in config["tune_seeds"]
        for recipe in config["recipes"]
        for lr in config["learning_rates"][recipe]
        for step in TUNED
    ]


def evaluation_tasks(chosen, config=CONFIG):
    return [
        (step, recipe, seed, chosen[step, recipe])
        for seed in config["seeds"]
        for recipe in config["recipes"]
        for step in STEPS
    ]


def scores(runs, step, recipe, lr, metric, config=CONFIG):
    """Per-seed test ``metric`` of a step, in seed order."""
    return np.array([runs[run_key(step, recipe, s, lr)][metric] for s in config["seeds"]])


def analyse(runs, chosen, config=CONFIG):
    """Per recipe and step: test macro AP and rare-3 AP (mean, 95 % t-interval over seeds,
    per seed), best epochs, and the paired difference in macro AP from the step it changes
    (``BASELINE``), with Benjamini-Hochberg over every such comparison."""
    table, comparisons = {}, {}
    for recipe in config["recipes"]:
        for step in STEPS:
            lr = chosen[step, recipe]
            row = {"learning_rate": lr, "seeds": config["seeds"]}
            for metric in ("macro_ap", "rare_ap"):
                values = scores(runs, step, recipe, lr, metric, config)
                row[metric] = {
                    "mean": float(values.mean()),
                    "ci": list(t_interval(values)),
                    "per_seed": values.tolist(),
                }
            row["best_epoch"] = scores(runs, step, recipe, lr, "best_epoch", config).tolist()
            table[f"{recipe}|{step}"] = row
            if step in BASELINE:
                base = BASELINE[step]
                before = scores(runs, base, recipe, chosen[base, recipe], "macro_ap", config)
                after = scores(runs, step, recipe, lr, "macro_ap", config)
                comparisons[f"{recipe}|{step}"] = {"baseline": base, **paired(after - before)}
    adjust_family(comparisons, keys=("t_p",))
    for key, comparison in comparisons.items():
        table[key]["vs_baseline"] = comparison
    return table


def main():
    workers = workers_from_command_line(__doc__.splitlines()[0])
    RUNS.parent.mkdir(parents=True, exist_ok=True)
    runs = read_runs()
    start = time.perf_counter()
    with worker_pool(workers) as pool:
        print(f"1/3 tuning the learning rate of {', '.join(TUNED)}", flush=True)
        run_all(tuning_tasks(), pool, runs, RUNS)
        chosen = chosen_learning_rates(runs)
        print(f"2/3 evaluating {len(STEPS)} steps x {len(CONFIG['recipes'])} recipes", flush=True)
        run_all(evaluation_tasks(chosen), pool, runs, RUNS)
    print("3/3 statistics", flush=True)
    results = {
        "description": __doc__.splitlines()[0],
        "command": "python studies/migration_study.py",
        "config": CONFIG,
        "steps": STEPS,
        "chosen_learning_rates": {f"{s}|{r}": lr for (s, r), lr in chosen.items()},
        "chance_macro_ap": CONFIG["data"]["eval_prior"],  # AP of a random ranking
        "run_count": len(runs),
        "cpu_hours": sum(r["seconds"] for r in runs.values()) / 3600,
        "summary": analyse(runs, chosen),
        "total_seconds_this_invocation": time.perf_counter() - start,
        **provenance(workers),
    }
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
