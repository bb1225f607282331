"""Does focal loss help on long-tailed multi-label digits? A tuned, paired, multi-seed study.

Every run trains ``focal.models.small_cnn`` (output bias at each class's training frequency,
Lin et al. 2017 sec. 3.3) on ``focal.data.load_study_digits``: long-tailed training images,
class-balanced validation and test images, from disjoint handwriting. Only the loss (and what
a loss needs: its weights, its learning rate) changes between arms.

Protocol, in the order the script runs it:

1. **Tune.** Every arm trains at each learning rate of ``CONFIG["learning_rates"]`` on the
   tuning seeds. Every run stops early on validation macro AP (patience ``patience``) and
   keeps its best epoch. An arm's learning rate is the one with the best mean validation
   macro AP. The best point of the gamma x alpha grid is chosen the same way, on
   validation, and the arms built on it (class weights, label smoothing) are tuned next.
2. **Evaluate.** Every arm, at its chosen learning rate, trains on all seeds of the first
   data draw; the main arms (``replicate_arms``) train again on a second draw (a new
   handwriting split and new images) at the same learning rates, to see whether the
   conclusions replicate.
   The test split is scored once per run, after training: per-class AP, macro AP, rare-3 AP
   (the three classes with the fewest training positives), F1 at per-class thresholds tuned
   on validation, and ECE before and after a temperature fitted on validation.
3. **Analyse.** Paired per-seed differences against BCE, a Wilcoxon signed-rank test and a
   sign test (scipy), Benjamini-Hochberg over all comparisons, and bootstrap confidence
   intervals over test images (the same resamples for every arm, so they are paired too).

Runs are appended to ``results/focal_study_runs.jsonl`` as they finish, so an interrupted
run resumes where it stopped; test logits are cached in ``.cache/focal_study/`` (not in git)
for the bootstrap. The analysis goes to ``results/focal_study.json``; notebook 06 reads both.

    python benchmarks/focal_study.py [--workers 2]

Importing this file runs nothing: notebook 06 imports it to train one arm live.
"""

import focal  # first: sets TensorFlow's environment
from focal import weights
from focal.data import load_study_digits
from focal.metrics import expected_calibration_error, fit_temperature, reliability_bins
from focal.models import small_cnn
from focal.original import focal_loss as original_focal_loss

import json
import multiprocessing
import sys
import time
from pathlib import Path

import keras
import numpy as np
from scipy import special, stats
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve

sys.path.insert(0, str(Path(__file__).resolve().parent))
from study_runs import (  # shared with detection_study
    provenance,
    run_logged,
    workers_from_command_line,
)

HERE = Path(__file__).resolve().parent
RUNS = HERE / "results" / "focal_study_runs.jsonl"
RESULTS = HERE / "results" / "focal_study.json"
CACHE = HERE.parent / ".cache" / "focal_study"

GAMMAS = (0.0, 0.5, 1.0, 2.0)
ALPHAS = (None, 0.25, 0.5, 0.75)

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
    "learning_rates": [1e-3, 3e-3, 1e-2, 3e-2],
    "batch_size": 128,
    "max_epochs": 30,
    "patience": 5,
    "tune_seeds": [0, 1],
    "seeds": list(range(10)),
    "replicate_seeds": [0, 1, 2, 3, 4],
    "grid": {"gamma": list(GAMMAS), "alpha": list(ALPHAS)},
    "effective_number_beta": 0.999,
    "label_smoothing": 0.1,
    "asl": {"gamma_pos": 0.0, "gamma_neg": 4.0, "margin": 0.05},
    "uniform_prior": 0.01,
    "rare_k": 3,
    "ece_bins": 15,
    "bootstrap_resamples": 300,
}


def grid_key(gamma, alpha):
    return f"g{gamma:g}_a{'none' if alpha is None else f'{alpha:g}'}"


def grid_label(gamma, alpha):
    if gamma == 0 and alpha is None:
        return "BCE"
    return f"FL γ={gamma:g}, α={'none' if alpha is None else f'{alpha:g}'}"


BCE = grid_key(0.0, None)
# Arms outside the grid: key -> label. "best_*" build on the grid point with the best
# validation macro AP; the rest stand alone.
DERIVED = {
    "best_column_w": "best + column weights",
    "best_sample_w": "best + per-sample weights (Cui)",
    "best_ls": "best + label smoothing 0.1",
}
STANDALONE = {
    "balanced_bce": "balanced BCE (α_c = 1 − π_c)",
    "asl": "ASL (γ+ 0, γ− 4, m 0.05)",
    "bce_uniform_prior": "BCE, uniform prior π = 0.01",
    "original": "original snippet",
}


def replicate_arms(best):
    """The arms re-run on the second data draw: BCE, the paper's point, and the main contenders."""
    keys = [BCE, best, grid_key(2.0, 0.25), *DERIVED, "balanced_bce", "asl", "bce_uniform_prior"]
    return list(dict.fromkeys(keys))  # the best point may be the paper's point


def arm_labels():
    """Every arm's key -> its label, in table order: the grid, then the others."""
    grid = {grid_key(g, a): grid_label(g, a) for g in GAMMAS for a in ALPHAS}
    return {**grid, **DERIVED, **STANDALONE}


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
    """What an arm trains with: loss arguments, per-example weights, output prior, output type.

    ``best`` is the grid key of the best grid point (needed by the "best_*" arms only).
    """
    prior = train_prior(data).tolist()
    spec = {"loss": {}, "sample_weight": None, "prior": prior, "probabilities": False}
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
            spec["loss"]["label_smoothing"] = config["label_smoothing"]
    elif arm == "balanced_bce":
        spec["loss"] = {"gamma": 0.0, "alpha": [1.0 - p for p in prior]}
    elif arm == "asl":
        spec["loss"] = dict(config["asl"])
    elif arm == "bce_uniform_prior":
        spec["loss"] = {"gamma": 0.0}
        spec["prior"] = config["uniform_prior"]
    elif arm == "original":
        spec["probabilities"] = True
    else:
        spec["loss"] = _grid_kwargs(arm)
    return spec


def make_loss(arm, spec, data):
    if arm == "original":  # the snippet's defaults: gamma 2, alpha 0.25 (unused), e 0.1
        return original_focal_loss(weights.counts_from_labels(data.y_train).tolist())
    return focal.FocalLoss(**spec["loss"], from_logits=True)


def build_model(spec, seed, config=CONFIG):
    """small_cnn with initial weights from ``seed``; the snippet's loss needs a sigmoid layer."""
    model = small_cnn(prior=spec["prior"], seed=seed, **config["model"])
    if spec["probabilities"]:
        model.add(keras.layers.Activation("sigmoid", name="probabilities"))
    return model


def logits_of(model, x, spec):
    """Float64 logits of ``model`` on ``x``: ranking on logits keeps saturated outputs apart."""
    out = keras.ops.convert_to_numpy(model(x, training=False)).astype(np.float64)
    return special.logit(np.clip(out, 1e-12, 1 - 1e-12)) if spec["probabilities"] else out


def macro_ap(y, scores):
    return float(average_precision_score(y, scores, average="macro"))


class EarlyStopOnValAP(keras.callbacks.Callback):
    """Score validation macro AP after each epoch; keep the best weights; stop on a plateau."""

    def __init__(self, x_val, y_val, spec, patience):
        super().__init__()
        self.x_val, self.y_val, self.spec, self.patience = x_val, y_val, spec, patience
        self.curve, self.best_weights, self.best_epoch = [], None, 0

    def on_epoch_end(self, epoch, logs=None):
        score = macro_ap(self.y_val, logits_of(self.model, self.x_val, self.spec))
        if not self.curve or score > max(self.curve):  # a tie is no gain (a dead run stops)
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch + 1
        self.curve.append(score)
        if epoch + 1 - self.best_epoch >= self.patience:
            self.model.stop_training = True


def tuned_thresholds(y_val, val_logits):
    """Per class, the logit threshold that maximises F1 on validation."""
    thresholds = []
    for c in range(y_val.shape[1]):
        precision, recall, cuts = precision_recall_curve(y_val[:, c], val_logits[:, c])
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        thresholds.append(float(cuts[np.argmax(f1[:-1])]))
    return np.array(thresholds)


def rare_classes(data, k):
    """The k classes with the fewest positive training labels, rarest first."""
    return np.argsort(weights.counts_from_labels(data.y_train), kind="stable")[:k]


def evaluate(data, val_logits, test_logits, config=CONFIG):
    """Every test number of one run; validation picks thresholds and temperature only."""
    per_class = average_precision_score(data.y_test, test_logits, average=None)
    thresholds = tuned_thresholds(data.y_val, val_logits)
    f1 = f1_score(data.y_test, test_logits >= thresholds, average=None, zero_division=0)
    temperature = fit_temperature(val_logits, data.y_val)
    before = special.expit(test_logits)
    after = special.expit(test_logits / temperature)
    bins = config["ece_bins"]
    return {
        "per_class_ap": per_class.tolist(),
        "macro_ap": float(per_class.mean()),
        "rare_ap": float(per_class[rare_classes(data, config["rare_k"])].mean()),
        "per_class_f1": f1.tolist(),
        "macro_f1": float(f1.mean()),
        "temperature": temperature,
        "ece": expected_calibration_error(data.y_test, before, bins),
        "ece_scaled": expected_calibration_error(data.y_test, after, bins),
        "mean_p_positive": float(before[data.y_test == 1].mean()),
        "mean_p_negative": float(before[data.y_test == 0].mean()),
    }


def train_run(arm, draw, seed, learning_rate, best, data=None, config=CONFIG):
    """Train one run; returns (record, test logits). The seed fixes weights and batch order."""
    data = load_data(draw, config) if data is None else data
    spec = arm_spec(arm, best, data, config)
    keras.utils.set_random_seed(seed)
    model = build_model(spec, seed, config)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=make_loss(arm, spec, data))
    stopper = EarlyStopOnValAP(data.x_val, data.y_val, spec, config["patience"])
    start = time.perf_counter()
    history = model.fit(
        data.x_train,
        data.y_train,
        sample_weight=spec["sample_weight"],
        epochs=config["max_epochs"],
        batch_size=config["batch_size"],
        shuffle=True,
        callbacks=[stopper],
        verbose=0,
    )
    seconds = time.perf_counter() - start
    model.set_weights(stopper.best_weights)
    val_logits = logits_of(model, data.x_val, spec)
    test_logits = logits_of(model, data.x_test, spec)
    record = {
        "arm": arm,
        "draw": draw,
        "seed": seed,
        "learning_rate": learning_rate,
        "best": best if arm in DERIVED else None,
        "val_macro_ap": max(stopper.curve),
        "val_curve": stopper.curve,
        "best_epoch": stopper.best_epoch,
        "epochs_run": len(stopper.curve),
        "train_loss": [float(v) for v in history.history["loss"]],
        "seconds": seconds,
        **evaluate(data, val_logits, test_logits, config),
    }
    return record, test_logits


def run_key(arm, draw, seed, learning_rate):
    return f"{arm}|{draw}|{seed}|{learning_rate:g}"


def read_runs(path=RUNS):
    """The finished runs, by key (the file is the resumable log; later lines win)."""
    if not path.exists():
        return {}
    runs = {}
    for line in path.read_text().splitlines():
        if line.strip():
            run = json.loads(line)
            runs[run_key(run["arm"], run["draw"], run["seed"], run["learning_rate"])] = run
    return runs


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


def single_thread():
    """Run TensorFlow's ops on one thread, as every stored run did: a rerun repeats it exactly
    (more threads may sum in another order), and two workers do not oversubscribe two cores.
    Call it before TensorFlow runs its first op."""
    import tensorflow as tf  # here, not at the top: only the TensorFlow backend has threads

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def _worker(task):
    arm, draw, seed, lr, best = task
    if draw not in _DATA:
        _DATA[draw] = load_data(draw)
    record, test_logits = train_run(arm, draw, seed, lr, best, _DATA[draw])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(CACHE / f"{run_key(arm, draw, seed, lr).replace('|', '_')}.npy", test_logits)
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


def final_runs(runs, arm, draw, lr, seeds):
    return [runs[run_key(arm, draw, s, lr)] for s in seeds]


def _cached_logits(arm, draw, seed, lr):
    return np.load(CACHE / f"{run_key(arm, draw, seed, lr).replace('|', '_')}.npy")


def _bootstrap_arm(task):
    """Per-class AP of every seed's run on each bootstrap resample: (resamples, seeds, C)."""
    (arm, draw, lr, seeds), y, indices = task
    out = np.empty((len(indices), len(seeds), y.shape[1]))
    for j, seed in enumerate(seeds):
        logits = _cached_logits(arm, draw, seed, lr)
        for b, index in enumerate(indices):
            out[b, j] = average_precision_score(y[index], logits[index], average=None)
    return out


def paired_statistics(differences):
    """Wilcoxon signed-rank and sign-test p-values of per-seed differences (two-sided)."""
    differences = np.asarray(differences)
    nonzero = differences[differences != 0]
    wilcoxon = float(stats.wilcoxon(differences).pvalue) if len(nonzero) else 1.0
    wins = int((differences > 0).sum())
    sign = float(stats.binomtest(wins, len(nonzero)).pvalue) if len(nonzero) else 1.0
    return {
        "wins": wins,
        "losses": int((differences < 0).sum()),
        "wilcoxon_p": wilcoxon,
        "sign_p": sign,
    }


def reliability(arm, run, y_test, config=CONFIG):
    """Reliability-diagram bins of one run's test probabilities, before and after scaling."""
    logits = _cached_logits(arm, run["draw"], run["seed"], run["learning_rate"])
    out = {}
    for name, temperature in (("before", 1.0), ("after", run["temperature"])):
        p = special.expit(logits / temperature)
        fraction, mean_p, counts = reliability_bins(y_test, p, config["ece_bins"])
        out[name] = {
            "fraction_positive": fraction.tolist(),
            "mean_probability": mean_p.tolist(),
            "count": counts.tolist(),
        }
    return out


def analyse(runs, choices, best, pool, config=CONFIG):
    """Per arm and draw: means, paired differences against BCE, tests, bootstrap CIs."""
    labels = arm_labels()
    data = {d: load_data(d, config) for d in config["draws"]}
    rare = {d: rare_classes(data[d], config["rare_k"]) for d in config["draws"]}
    rng = np.random.default_rng(12345)
    n_test = config["data"]["n_test"]
    indices = [rng.integers(0, n_test, n_test) for _ in range(config["bootstrap_resamples"])]
    summary = {}
    for draw, seeds in zip(
        config["draws"], (config["seeds"], config["replicate_seeds"]), strict=True
    ):
        arms = list(labels) if draw == config["draws"][0] else replicate_arms(best)
        y_test = data[draw].y_test
        tasks = [
            ((arm, draw, choices[arm]["learning_rate"], seeds), y_test, indices) for arm in arms
        ]
        boot = dict(zip(arms, pool.map(_bootstrap_arm, tasks), strict=True))  # arm -> (B, S, C)
        bce = final_runs(runs, BCE, draw, choices[BCE]["learning_rate"], seeds)
        for arm in arms:
            mine = final_runs(runs, arm, draw, choices[arm]["learning_rate"], seeds)
            entry = {}
            for metric in ("macro_ap", "rare_ap", "macro_f1", "ece", "ece_scaled"):
                values = np.array([r[metric] for r in mine])
                diff = values - np.array([r[metric] for r in bce])
                entry[metric] = {
                    "mean": float(values.mean()),
                    "std": float(values.std(ddof=1)),
                    "diff_mean": float(diff.mean()),
                    "diffs": diff.tolist(),
                    **paired_statistics(diff),
                }
            for metric, columns in (("macro_ap", slice(None)), ("rare_ap", rare[draw])):
                # Seed-mean of the metric on each resample, minus BCE's on the same resample.
                boot_diff = boot[arm][:, :, columns].mean(axis=(1, 2)) - boot[BCE][
                    :, :, columns
                ].mean(axis=(1, 2))
                low, high = np.percentile(boot_diff, [2.5, 97.5])
                entry[metric]["bootstrap_ci"] = [float(low), float(high)]
            summary[f"{arm}|{draw}"] = entry
    # Benjamini-Hochberg over every comparison with BCE on the first draw (two metrics).
    family = [
        (key, m)
        for key in summary
        if key.endswith(f"|{config['draws'][0]}") and not key.startswith(f"{BCE}|")
        for m in ("macro_ap", "rare_ap")
    ]
    adjusted = stats.false_discovery_control([summary[k][m]["wilcoxon_p"] for k, m in family])
    for (key, metric), p in zip(family, adjusted, strict=True):
        summary[key][metric]["wilcoxon_p_bh"] = float(p)
    summary["reliability"] = {
        arm: reliability(
            arm,
            final_runs(
                runs, arm, config["draws"][0], choices[arm]["learning_rate"], config["seeds"][:1]
            )[0],
            data[config["draws"][0]].y_test,
            config,
        )
        for arm in labels
    }
    return summary


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
    tune_draw, replicate_draw = config["draws"]
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=single_thread) as pool:
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
        labels = arm_labels()
        choices = {}
        for arm in labels:
            lr, scores = chosen_learning_rate(runs, arm, config)
            choices[arm] = {
                "learning_rate": lr,
                "val_macro_ap_by_lr": {f"{k:g}": v for k, v in scores.items()},
            }
        print("3/4 evaluating every arm at its learning rate on both draws", flush=True)
        tasks = [
            (arm, tune_draw, s, choices[arm]["learning_rate"], best)
            for s in config["seeds"]
            for arm in labels
        ]
        tasks += [
            (arm, replicate_draw, s, choices[arm]["learning_rate"], best)
            for s in config["replicate_seeds"]
            for arm in replicate_arms(best)
        ]
        run_all(tasks, pool, runs, RUNS)
        print("4/4 statistics and bootstrap", flush=True)
        summary = analyse(runs, choices, best, pool, config)
    results = {
        "description": __doc__.splitlines()[0],
        "command": "python benchmarks/focal_study.py",
        "config": config,
        "arms": labels,
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
