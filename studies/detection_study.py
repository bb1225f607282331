"""Dense detection in miniature: focal loss against cross-entropy, OHEM and no prior init.

Every run trains ``focal.detection.tiny_retina`` (one level at stride 8, 9 anchors per
position, no box regression) on ``focal.detection.load_detection_digits`` canvases with
``AnchorFocalLoss``: the loss summed over every counted (anchor, class) pair, divided by the
number of positive anchors. Only the loss (or the initial bias, or the optimiser) changes
between arms; a seed fixes the initial weights and the batch order, so arms are paired by seed.

Arms, in the order the script runs them:

1. **Table 1a/1b in miniature**: CE (gamma 0) at alpha .25 / .5 / .75 / .9 / .99 and FL at
   gamma .5 / 1 / 2 / 5 x alpha .25 / .5 and (1, .75), ``seeds`` each. Adam at a constant
   learning rate; validation anchor AP after every epoch (the curves); validation and test
   scored in full (anchor AP, COCO AP@[.5:.95] and AP@.5 at two NMS thresholds) after each
   epoch of ``budgets``: the short budget is the long run's state at that epoch.
2. **OHEM** (Table 1d): CE on each image's ``ohem`` hardest anchors, with a 1:3
   positive:negative ratio and without one.
3. **No prior init**: CE alpha .75 and FL gamma 2 alpha .25 with a zero output bias under
   Adam; and the first ``sgd["steps"]`` steps of SGD (momentum .9, lr .01, as in the paper) with
   and without the prior init, logging every step's loss.
4. **A longer budget**: ``extended["epochs"]`` epochs for the best CE arm and FL gamma 2,
   alpha .25, to see where gamma 2 ends once converged (scored after 4, 16 and 32 epochs);
   then FL gamma 1, alpha .25 and OHEM 1:3 too. All at the grid's learning rate.
5. **Live**: the first ``live["epochs"]`` epochs of one run, which notebook 08 repeats live.
6. **Learning rates**: validation's three finalists (the best CE alpha, the best FL
   (gamma, alpha), the better OHEM) at every Adam rate of ``learning_rates`` on the tuning seeds.
7. **Fresh seeds**: each finalist at its chosen rate on ``fresh_seeds``, which took part in no
   choice; only these runs are tested.
8. **SGD's starts on the fresh seeds**: prior or zero bias, CE or FL, scored on test at the end.
9. **CE's own start on the fresh seeds**: the CE finalist again, with each class's output
   bias at the best constant of its own loss (``own_prior``) instead of the paper's pi = 0.01;
   paired with round 7's runs, in a family of its own. FL's own constant (about 0.013 at
   gamma 1, alpha .25) is 0.2 logits above 0.01, so FL already starts near its own.

Rounds 1-5 are the tuning round (seeds ``seeds``); the grid's CE alpha .9 / .99 and FL
(1, .75) were added to round 1 with rounds 6-8, and the choice remade over the whole grid.

Then the analysis: choices on validation (best alpha for CE, best (gamma, alpha) for FL, the
better OHEM, the NMS threshold, each finalist's learning rate); on the fresh seeds, paired
differences between the finalists with seed-level t-intervals, TOST against
``equivalence_margin`` and Benjamini-Hochberg over every comparison (``fresh_analysis``); the
tuning runs' per-seed numbers as description; and Figure 4 (the
cumulative loss of positives and negatives under gamma 0 / .5 / 1 / 2 on the test outputs of
the FL gamma 2 model trained longest).

Runs are appended to ``results/detection_study_runs.jsonl`` as they finish (a restart skips
them); the analysis goes to ``results/detection_study.json``; notebook 08 reads both.

    python studies/detection_study.py [--workers 2]
"""

import focal  # noqa: F401  (first: sets TensorFlow's environment)
from focal import detection
from focal.data import NUM_CLASSES
from focal.detection import (
    AnchorFocalLoss,
    anchor_ap,
    coco_ap,
    detect,
    encode,
    load_detection_digits,
    tiny_retina,
)
from focal.initializers import constant_minimiser
from focal.losses import FocalLoss, sigmoid_focal_crossentropy

import json
import sys
import time
from pathlib import Path

import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import study_runs  # the run loop, shared with focal_study
import study_stats
from study_runs import single_thread  # noqa: F401  (notebook 08 calls it before its live run)

HERE = Path(__file__).resolve().parent
RUNS = HERE / "results" / "detection_study_runs.jsonl"
RESULTS = HERE / "results" / "detection_study.json"
EXAMPLES = HERE / "results" / "detection_examples.npy"  # a few test images' logits, for pictures
CACHE = HERE.parent / ".cache" / "detection_study"

CONFIG = {
    "data": {"n_train": 2000, "n_val": 500, "n_test": 1000, "image_size": 96, "seed": 0},
    "anchors": {"stride": 8, "sizes": [16.0, 24.0, 32.0], "ratios": [0.5, 1.0, 2.0]},
    "model": {"width": 16},
    "prior": 0.01,
    "learning_rate": 1e-3,  # Adam, constant: the short budget is the long run stopped early
    "batch_size": 16,
    "epochs": 16,
    "budgets": [4, 16],
    "seeds": [0, 1, 2],
    # The long budget: CE at the alpha validation chose, against the paper's gamma 2 (still
    # rising at 16 epochs), fixed after the grid's 33 runs and before these started; FL
    # gamma 1 (validation's choice) and OHEM 1:3 added with rounds 6-8.
    "extended": {
        "epochs": 32,
        "arms": ["ce_a0.75", "fl_g2_a0.25", "fl_g1_a0.25", "ohem_1to3"],
    },
    # Table 1a's range bracketed (.9, .99) and FL at alpha .75, added to round 1 after the
    # first 64 runs; the choice is remade over the whole grid.
    "ce_alphas": [0.25, 0.5, 0.75, 0.9, 0.99],
    "fl_gammas": [0.5, 1.0, 2.0, 5.0],
    "fl_alphas": [0.25, 0.5],
    "fl_extra": [[1.0, 0.75]],  # (gamma, alpha); at gamma 2 cut for compute
    # Each finalist's Adam learning rate, chosen on the tuning seeds' validation anchor AP.
    "learning_rates": [1e-3, 3e-3, 1e-2],
    # Seeds that took no part in any choice: the chosen arms are retrained on them and only
    # they are tested (paired, BH over every comparison, TOST against the margin).
    "fresh_seeds": [100, 101, 102, 103, 104, 105, 106, 107],
    "equivalence_margin": 0.01,
    "ohem": 128,
    "ohem_ratio": 3.0,
    "ohem_alpha": 0.5,  # plain CE (alpha .5 halves both sides): OHEM's sampling balances
    "no_prior_arms": {"ce": [0.0, 0.75], "fl": [2.0, 0.25]},  # (gamma, alpha)
    "sgd": {"learning_rate": 0.01, "momentum": 0.9, "steps": 300},
    "detect": {"score": 0.05, "pre_nms": 1000, "max_detections": 100},
    "nms_thresholds": [0.3, 0.5],
    "figure4_gammas": [0.0, 0.5, 1.0, 2.0],
    "figure4_arm": "fl_g2_a0.25",  # its extended run (32 epochs), seed 0
    "live": {"arm": "fl_g2_a0.25", "seed": 0, "epochs": 2},
    "examples": 6,  # test images whose final logits (figure4_arm, seed 0) are stored
}


def grid_arm(gamma, alpha):
    return f"ce_a{alpha:g}" if gamma == 0 else f"fl_g{gamma:g}_a{alpha:g}"


def grid_arms(config=CONFIG):
    ce = [grid_arm(0.0, a) for a in config["ce_alphas"]]
    fl = [grid_arm(g, a) for g in config["fl_gammas"] for a in config["fl_alphas"]]
    fl += [grid_arm(g, a) for g, a in config.get("fl_extra", [])]
    return ce, fl


def at_rate(arm, learning_rate, config=CONFIG):
    """The arm's name at an Adam learning rate; the default rate keeps the plain name."""
    return arm if learning_rate == config["learning_rate"] else f"{arm}@lr{learning_rate:g}"


OWN = "own_"  # an arm's name with this prefix starts at its own loss's best constant


def arm_spec(arm, config=CONFIG):
    """Loss arguments, prior, optimiser and learning rate of an arm, from its name. The prior
    "own" means ``own_prior``, computed from the training targets."""
    if arm.startswith(OWN):
        return arm_spec(arm.removeprefix(OWN), config) | {"prior": "own"}
    arm, _, rate = arm.partition("@lr")
    spec = {
        "prior": config["prior"],
        "optimizer": "adam",
        "learning_rate": float(rate) if rate else config["learning_rate"],
        "loss": {},
    }
    if arm.startswith("ohem"):
        ratio = config["ohem_ratio"] if arm == "ohem_1to3" else None
        spec["loss"] = {
            "gamma": 0.0,
            "alpha": config["ohem_alpha"],
            "ohem": config["ohem"],
            "ohem_ratio": ratio,
        }
        return spec
    parts = arm.split("_")
    if parts[0] in ("noprior", "sgd"):
        gamma, alpha = config["no_prior_arms"][parts[1]]
        spec["loss"] = {"gamma": gamma, "alpha": alpha}
        if parts[0] == "noprior" or parts[-1] == "zero":
            spec["prior"] = None
        if parts[0] == "sgd":
            spec["optimizer"] = "sgd"
            spec["learning_rate"] = config["sgd"]["learning_rate"]
        return spec
    gamma = float(parts[1][1:]) if parts[0] == "fl" else 0.0
    spec["loss"] = {"gamma": gamma, "alpha": float(parts[-1][1:])}
    return spec


def load_data(config=CONFIG):
    """Splits, anchors and encoded targets (train, val, test)."""
    splits = load_detection_digits(**config["data"])
    boxes = detection.anchors(config["data"]["image_size"], **config["anchors"])
    encoded = [encode(split, boxes, NUM_CLASSES) for split in splits]
    return splits, boxes, encoded


def logits_of(model, images):
    return keras.ops.convert_to_numpy(model.predict(images, batch_size=100, verbose=0))


def score_split(logits, split, encoded, boxes, config=CONFIG):
    """Anchor AP and COCO AP / AP50 at every NMS threshold, for one split."""
    out = {"anchor_ap": anchor_ap(logits, encoded)}
    for threshold in config["nms_thresholds"]:
        found = detect(logits, boxes, nms_threshold=threshold, **config["detect"])
        ap = coco_ap(found, split.boxes, split.labels)
        out[f"ap_nms{threshold:g}"] = ap["ap"]
        out[f"ap50_nms{threshold:g}"] = ap["ap50"]
    return out


class Tracker(keras.callbacks.Callback):
    """Per-epoch validation anchor AP; full scores at the budgets; per-step loss (first steps)."""

    def __init__(self, data, budgets, step_losses=0, validate=True):
        super().__init__()
        self.data, self.budgets, self.step_losses = data, budgets, step_losses
        self.validate = validate
        self.curve, self.scores, self.steps = [], {}, []
        self._mean = 0.0

    def on_train_batch_end(self, batch, logs=None):
        # logs["loss"] is the epoch's running mean over equal batches: undo the averaging.
        if len(self.steps) < self.step_losses:
            mean = float(logs["loss"])
            self.steps.append(mean * (batch + 1) - self._mean * batch)
            self._mean = mean

    def on_epoch_end(self, epoch, logs=None):
        if not self.validate:
            return
        (_, val, test), boxes, (_, val_y, test_y) = self.data
        val_logits = logits_of(self.model, val.images)
        if not np.all(np.isfinite(val_logits)):
            self.curve.append(None)
            self.model.stop_training = True
            return
        self.curve.append(anchor_ap(val_logits, val_y))
        if epoch + 1 in self.budgets:
            test_logits = logits_of(self.model, test.images)
            self.scores[epoch + 1] = {
                "val": score_split(val_logits, val, val_y, boxes),
                "test": score_split(test_logits, test, test_y, boxes),
            }
            self.test_logits = test_logits


def own_prior(loss_arguments, encoded_train):
    """Per class, the probability pi*_c of the best constant logit under the arm's loss, over
    the counted (anchor, class) pairs of the training images. With n+ positive and n- negative
    pairs the summed loss is n+ FL(1, b) + n- FL(0, b), so two weighted examples suffice; the
    division by the number of positive anchors scales it and leaves the argmin where it is."""
    counted = encoded_train[..., -1] > 0
    positives = encoded_train[..., :-1][counted].sum(axis=0, dtype=np.float64)
    negatives = counted.sum() - positives
    loss = FocalLoss(**loss_arguments, from_logits=True, dtype="float64")
    return np.array(
        [
            constant_minimiser(loss, [[1.0], [0.0]], sample_weight=[pos, neg])[0]
            for pos, neg in zip(positives, negatives, strict=True)
        ]
    )


def make_model(arm, seed, config=CONFIG, own_start=None):
    """The arm's compiled model; ``own_start`` is the per-class prior of an "own" arm."""
    spec = arm_spec(arm, config)
    prior = spec["prior"]
    if prior == "own":  # one bias per (anchor, class): the head's outputs are anchor-major
        prior = np.tile(
            own_start, len(config["anchors"]["sizes"]) * len(config["anchors"]["ratios"])
        )
    model = tiny_retina(config["data"]["image_size"], prior=prior, seed=seed, **config["model"])
    if spec["optimizer"] == "sgd":
        optimizer = keras.optimizers.SGD(spec["learning_rate"], momentum=config["sgd"]["momentum"])
    else:
        optimizer = keras.optimizers.Adam(spec["learning_rate"])
    model.compile(optimizer=optimizer, loss=AnchorFocalLoss(**spec["loss"]))
    return model


def steps_per_epoch(config=CONFIG):
    return -(-config["data"]["n_train"] // config["batch_size"])


def sgd_epochs(config=CONFIG):
    """Whole epochs that cover SGD's ``sgd["steps"]`` logged steps."""
    return -(-config["sgd"]["steps"] // steps_per_epoch(config))


def score_keys(nms_threshold):
    """{score: key in a split's scores}: anchor AP, COCO AP and AP50 at that NMS threshold."""
    t = nms_threshold
    return {"anchor_ap": "anchor_ap", "ap": f"ap_nms{t:g}", "ap50": f"ap50_nms{t:g}"}


def label(arm, config=CONFIG):
    """An arm's name in tables: "CE α 0.75", "FL γ 1 α 0.25", "OHEM 1:3" (its rate dropped)."""
    arm = arm.partition("@lr")[0]
    if arm.startswith("ohem"):
        return "OHEM 1:3" if arm == "ohem_1to3" else "OHEM, no ratio"
    spec = arm_spec(arm, config)["loss"]
    if spec["gamma"] == 0:
        return f"CE α {spec['alpha']:g}"
    return f"FL γ {spec['gamma']:g} α {spec['alpha']:g}"


def values(summary, arm, metric, budget=None, table="test", config=CONFIG):
    """One arm's stored score on each tuning seed, from the analysis ``summary``."""
    budget = str(budget or config["budgets"][-1])
    return np.array(summary[table][arm][budget][metric])


def describe(name, base, other):
    """A tuning-seed description of other - base: mean, range over the seeds, wins of n."""
    d = np.asarray(other) - np.asarray(base)
    spread = f"(seeds: {d.min():+.3f} to {d.max():+.3f})"
    return f"{name:<34}{d.mean():+8.3f}  {spread}  wins {(d > 0).sum()}/{len(d)}"


def train_run(arm, seed, data, epochs=None, config=CONFIG, validate=True):
    """Train one run; returns (record, final test logits). Seed: weights and batch order.

    ``validate=False`` skips the scoring after each epoch (notebook 08's live run, to stay
    within Binder's memory); training itself is the same.
    """
    sgd = arm.startswith("sgd")
    if epochs is None:
        epochs = sgd_epochs(config) if sgd else config["epochs"]
    keras.utils.set_random_seed(seed)
    spec = arm_spec(arm, config)
    own_start = own_prior(spec["loss"], data[2][0]) if spec["prior"] == "own" else None
    model = make_model(arm, seed, config, own_start)
    # SGD's runs are scored once, at their end (its old tuning-seed runs predate that).
    budgets = (
        [epochs] if sgd else [*config["budgets"], *([epochs] if epochs > config["epochs"] else [])]
    )
    tracker = Tracker(data, budgets, config["sgd"]["steps"] if sgd else 0, validate)
    start = time.perf_counter()
    history = model.fit(
        data[0][0].images,
        data[2][0],
        epochs=epochs,
        batch_size=config["batch_size"],
        shuffle=True,
        callbacks=[tracker],
        verbose=0,
    )
    record = {
        "arm": arm,
        "seed": seed,
        "spec": spec,
        "epochs_run": len(tracker.curve),
        "val_curve": tracker.curve,
        "train_loss": [float(v) for v in history.history["loss"]],
        "step_loss": tracker.steps,
        "budgets": {str(k): v for k, v in tracker.scores.items()},
        "seconds": time.perf_counter() - start,
    }
    if own_start is not None:
        record["start_prior"] = own_start.tolist()
    return record, getattr(tracker, "test_logits", None)


def run_key(arm, seed):
    return f"{arm}|{seed}"


_DATA = []


def _tag(epochs, config=CONFIG):
    """'' for a standard run, 'live' for the notebook's short twin, 'long' for the extended."""
    if epochs is None or epochs == config["epochs"]:
        return ""
    return "live" if epochs < config["epochs"] else "long"


def _worker(task):
    arm, seed, epochs = task
    if not _DATA:
        _DATA.append(load_data())
    record, test_logits = train_run(arm, seed, _DATA[0], epochs)
    tag = _tag(epochs)
    record["live"], record["tag"] = tag == "live", tag
    if test_logits is not None and arm == CONFIG["figure4_arm"]:
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(CACHE / f"{arm}_{seed}{'_' + tag if tag else ''}.npy", test_logits)
    return record


def _key_of(task_or_record):
    if isinstance(task_or_record, dict):
        record = task_or_record
        tag = record.get("tag", "live" if record.get("live") else "")
        return run_key(record["arm"] + (f"|{tag}" if tag else ""), record["seed"])
    arm, seed, epochs = task_or_record
    tag = _tag(epochs)
    return run_key(arm + (f"|{tag}" if tag else ""), seed)


def _describe(record):
    scores = [v for v in record["val_curve"] if v is not None]
    last = f"{scores[-1]:.3f}" if scores else "nan"
    return f"{record['arm']} seed {record['seed']}: val anchor AP {last}"


def run_all(tasks, pool, done, log):
    """Run the tasks not in ``done``; append each record to ``log`` as it finishes."""
    study_runs.run_logged(tasks, pool, _worker, log, done, _key_of, _key_of, _describe)


def read_all(path=RUNS):
    """Every record by ``_key_of`` (live runs apart from full ones)."""
    return study_runs.read_records(path, _key_of)


# ----- analysis --------------------------------------------------------------------------


def mean_val(runs, arm, seeds, metric="anchor_ap", budget=None, config=CONFIG):
    """Mean validation score over the seeds; -inf if a run diverged before the budget."""
    budget = str(budget or config["budgets"][-1])
    scores = [runs[run_key(arm, s)]["budgets"].get(budget) for s in seeds]
    return -np.inf if None in scores else float(np.mean([r["val"][metric] for r in scores]))


def choices(runs, config=CONFIG):
    """Every choice, made on validation (mean over the seeds) at the long budget.

    The criterion, fixed before any run, is validation anchor AP (the classifier's own
    score); ``by_ap50`` records what validation AP50 would have chosen, as a secondary view.
    """
    ce, fl = grid_arms(config)
    seeds = config["seeds"]
    nms = max(
        config["nms_thresholds"],
        key=lambda t: np.mean([mean_val(runs, a, seeds, f"ap_nms{t:g}") for a in (*ce, *fl)]),
    )
    ap50 = f"ap50_nms{nms:g}"
    return {
        "best_ce": max(ce, key=lambda a: mean_val(runs, a, seeds)),
        "best_fl": max(fl, key=lambda a: mean_val(runs, a, seeds)),
        "best_ohem": max(OHEM_ARMS, key=lambda a: mean_val(runs, a, seeds)),
        "nms_threshold": nms,
        "by_ap50": {
            "best_ce": max(ce, key=lambda a: mean_val(runs, a, seeds, ap50)),
            "best_fl": max(fl, key=lambda a: mean_val(runs, a, seeds, ap50)),
        },
    }


OHEM_ARMS = ("ohem_1to3", "ohem_all")
FINALISTS = ("best_ce", "best_fl", "best_ohem")


def chosen_rates(runs, chosen, config=CONFIG):
    """Each finalist's Adam learning rate: best mean validation anchor AP on the tuning seeds."""
    return {
        chosen[role]: max(
            config["learning_rates"],
            key=lambda lr: mean_val(runs, at_rate(chosen[role], lr, config), config["seeds"]),
        )
        for role in FINALISTS
    }


def fresh_arms(chosen, rates, config=CONFIG):
    """{'ce' | 'fl' | 'ohem': run name} of the arms retrained on the fresh seeds."""
    return {role[5:]: at_rate(chosen[role], rates[chosen[role]], config) for role in FINALISTS}


FRESH_PAIRS = (("fl", "ce"), ("ohem", "ce"), ("fl", "ohem"))
# CE alpha .75's own constant (about 0.003) is 1.3 logits below pi = 0.01; FL's is 0.2 above,
# and OHEM's sampled loss has no single constant: CE is the arm whose start could matter.
OWN_ROLES = ("ce",)
SGD_ARMS = ("sgd_ce_prior", "sgd_ce_zero", "sgd_fl_prior", "sgd_fl_zero")
SGD_PAIRS = (("sgd_fl_zero", "sgd_fl_prior"), ("sgd_fl_prior", "sgd_ce_prior"))


def fresh_analysis(runs, chosen, rates, config=CONFIG):
    """Inference on the fresh seeds only: for each pair of finalists, metric and budget, the
    paired differences' mean, sd, 95 % t-interval, t-test and TOST (|mean| < margin), with
    Benjamini-Hochberg over the whole family (the SGD starts' test anchor AP included)."""
    arms = fresh_arms(chosen, rates, config)
    seeds, margin = config["fresh_seeds"], config["equivalence_margin"]
    metrics = score_keys(chosen["nms_threshold"])
    epochs = sgd_epochs(config)

    def scores(arm, budget, metric):
        return np.array(
            [runs[run_key(arm, s)]["budgets"][str(budget)]["test"][metrics[metric]] for s in seeds]
        )

    per_arm = {
        role: {str(b): {m: scores(arm, b, m).tolist() for m in metrics} for b in config["budgets"]}
        for role, arm in arms.items()
    }
    comparisons = {
        f"{x} vs {y}|{b}|{m}": study_stats.paired(
            scores(arms[x], b, m) - scores(arms[y], b, m), margin
        )
        for b in config["budgets"]
        for x, y in FRESH_PAIRS
        for m in metrics
    }
    sgd = {
        arm: {
            "test_anchor_ap": scores(arm, epochs, "anchor_ap").tolist(),
            "step_loss": [runs[run_key(arm, s)]["step_loss"] for s in seeds],
        }
        for arm in SGD_ARMS
    }
    for x, y in SGD_PAIRS:
        comparisons[f"{x} vs {y}|{epochs}|anchor_ap"] = study_stats.paired(
            scores(x, epochs, "anchor_ap") - scores(y, epochs, "anchor_ap"), margin
        )
    study_stats.adjust_family(comparisons)
    return {
        "arms": arms,
        "seeds": seeds,
        "family_size": len(comparisons),
        "scores": per_arm,
        "comparisons": comparisons,
        "sgd": sgd,
        "sgd_steps": epochs * steps_per_epoch(config),
        "own_start": own_start_analysis(runs, scores, arms, config),
    }


def own_start_analysis(runs, scores, arms, config=CONFIG):
    """Round 9: CE started at its own loss's best constant, against CE started at pi = 0.01
    (paired by seed), and FL (at pi = 0.01, near its own) against it; at both budgets, BH over
    this family of its own."""
    margin = config["equivalence_margin"]
    seed = config["fresh_seeds"][0]
    own = {role: OWN + arms[role] for role in OWN_ROLES}
    pairs = [(own["ce"], arms["ce"]), (arms["fl"], own["ce"])]
    comparisons = {
        f"{x} vs {y}|{budget}|{m}": study_stats.paired(
            scores(x, budget, m) - scores(y, budget, m), margin
        )
        for budget in config["budgets"]
        for x, y in pairs
        for m in ("anchor_ap", "ap", "ap50")
    }
    study_stats.adjust_family(comparisons)
    return {
        "arms": own,
        "start_prior": {role: runs[run_key(own[role], seed)]["start_prior"] for role in OWN_ROLES},
        "scores": {
            arm: {
                str(budget): {
                    m: scores(arm, budget, m).tolist() for m in ("anchor_ap", "ap", "ap50")
                }
                for budget in config["budgets"]
            }
            for arm in own.values()
        },
        "comparisons": comparisons,
    }


def test_table(runs, arms, seeds, chosen, config=CONFIG, budgets=None, tag=""):
    """Per arm and budget: test numbers per seed (anchor AP, COCO AP, AP50 at the chosen NMS)
    and the same on validation (``val_*``); ``tag`` 'long' reads the extended runs."""
    metrics = score_keys(chosen["nms_threshold"])
    table = {}
    for arm in arms:
        table[arm] = {}
        for budget in budgets or config["budgets"]:
            key = arm + (f"|{tag}" if tag else "")
            per_seed = [runs[run_key(key, s)]["budgets"][str(budget)] for s in seeds]
            table[arm][str(budget)] = {
                name: [r["test"][key] for r in per_seed] for name, key in metrics.items()
            } | {f"val_{name}": [r["val"][key] for r in per_seed] for name, key in metrics.items()}
    return table


def figure4(config=CONFIG):
    """Cumulative normalised loss of positive and negative pairs for each gamma, on the
    test outputs of one converged FL model (``figure4_arm``'s extended run, seed 0).

    Those logits are cached on the machine that trained the run; elsewhere (a fresh clone)
    the figure stored in ``RESULTS`` is kept, as the run it comes from is unchanged.
    """
    cached = CACHE / f"{config['figure4_arm']}_0_long.npy"
    if not cached.exists() and RESULTS.exists():
        return json.loads(RESULTS.read_text())["summary"]["figure4"]
    _, _, encoded = load_data(config)
    logits = np.load(cached).astype(np.float64)
    np.save(EXAMPLES, logits[: config["examples"]].astype(np.float32))
    targets, counted = encoded[2][..., :-1], encoded[2][..., -1] > 0
    x, y = logits[counted].ravel(), targets[counted].ravel()
    fractions = np.unique(np.concatenate([np.geomspace(1e-6, 1, 400), [1.0]]))
    out = {"fractions": fractions.tolist(), "gammas": {}}
    for gamma in config["figure4_gammas"]:
        loss = keras.ops.convert_to_numpy(
            sigmoid_focal_crossentropy(y[:, None], x[:, None], gamma=gamma, from_logits=True)
        ).astype(np.float64)
        entry = {}
        for name, mask in (("positive", y == 1), ("negative", y == 0)):
            part = np.sort(loss[mask])[::-1]  # hardest first
            share = np.cumsum(part) / part.sum()
            taking = np.clip(np.ceil(fractions * len(part)).astype(int) - 1, 0, len(part) - 1)
            entry[name] = {
                "count": int(mask.sum()),
                "loss_of_hardest": share[taking].tolist(),
                "share_for_90": float((np.searchsorted(share, 0.9) + 1) / len(part)),
                "share_for_50": float((np.searchsorted(share, 0.5) + 1) / len(part)),
            }
        out["gammas"][f"{gamma:g}"] = entry
    return out


def analyse(runs, config=CONFIG):
    ce, fl = grid_arms(config)
    chosen = choices(runs, config)
    seeds = config["seeds"]
    main = [*ce, *fl, "ohem_1to3", "ohem_all", "noprior_ce", "noprior_fl"]
    table = test_table(runs, main, seeds, chosen, config)
    extended = config["extended"]
    budgets = [*config["budgets"], extended["epochs"]]
    table_long = test_table(runs, extended["arms"], seeds, chosen, config, budgets, "long")
    rates = chosen_rates(runs, chosen, config)
    every = list(runs.values())
    return {
        "choices": chosen,
        "learning_rates": {
            arm: {
                f"{lr:g}": mean_val(runs, at_rate(arm, lr, config), seeds)
                for lr in config["learning_rates"]
            }
            for arm in rates
        },
        "chosen_rates": rates,
        "fresh": fresh_analysis(runs, chosen, rates, config),
        "runs": len(every),
        "cpu_hours": sum(r["seconds"] for r in every) / 3600,
        "test": table,
        "test_long": table_long,
        "figure4": figure4(config),
    }


def rate_tasks(chosen, config=CONFIG):
    """Round 6: every finalist at every learning rate on the tuning seeds."""
    return [
        (at_rate(chosen[role], lr, config), s, None)
        for s in config["seeds"]
        for role in FINALISTS
        for lr in config["learning_rates"]
    ]


def fresh_tasks(chosen, rates, config=CONFIG):
    """Rounds 7, 8 and 9: the finalists at their rates, SGD's starts, and the CE and FL
    finalists from their own losses' best constants, on the fresh seeds."""
    arms = fresh_arms(chosen, rates, config)
    seeds = config["fresh_seeds"]
    return (
        [(a, s, None) for s in seeds for a in arms.values()],
        [(a, s, None) for s in seeds for a in SGD_ARMS],
        [(OWN + arms[role], s, None) for s in seeds for role in OWN_ROLES],
    )


def tasks_in_order(config=CONFIG, chosen=None):
    ce, fl = grid_arms(config)
    first = [(a, s, None) for s in config["seeds"] for a in (*ce, *fl)]
    second = [(a, s, None) for s in config["seeds"] for a in ("ohem_1to3", "ohem_all")]
    third = [
        (f"{kind}_{name}_{prior}", s, None)
        for s in config["seeds"]
        for kind, name, prior in (
            ("noprior", "ce", ""),
            ("noprior", "fl", ""),
            ("sgd", "ce", "prior"),
            ("sgd", "ce", "zero"),
            ("sgd", "fl", "prior"),
            ("sgd", "fl", "zero"),
        )
    ]
    third = [(a.rstrip("_"), s, e) for a, s, e in third]
    live = [(config["live"]["arm"], config["live"]["seed"], config["live"]["epochs"])]
    return first, second, third, live


def main():
    workers = study_runs.workers_from_command_line(__doc__.splitlines()[0])
    config = CONFIG
    RUNS.parent.mkdir(parents=True, exist_ok=True)
    runs = read_all()
    start = time.perf_counter()
    first, second, third, live = tasks_in_order(config)
    with study_runs.worker_pool(workers) as pool:
        print(f"1/9 CE and FL grid: {len(first)} runs", flush=True)
        run_all(first, pool, runs, RUNS)
        print(f"2/9 OHEM: {len(second)} runs", flush=True)
        run_all(second, pool, runs, RUNS)
        print(f"3/9 no prior init (Adam) and SGD's first steps: {len(third)} runs", flush=True)
        run_all(third, pool, runs, RUNS)
        extended = config["extended"]
        print(f"4/9 {extended['epochs']} epochs for {extended['arms']}", flush=True)
        long_tasks = [(a, s, extended["epochs"]) for s in config["seeds"] for a in extended["arms"]]
        run_all(long_tasks, pool, runs, RUNS)
        print("5/9 the live run's stored twin", flush=True)
        run_all(live, pool, runs, RUNS)
        chosen = choices(runs, config)
        tasks = rate_tasks(chosen, config)
        print(
            f"6/9 learning rates of {[chosen[r] for r in FINALISTS]}: {len(tasks)} runs", flush=True
        )
        run_all(tasks, pool, runs, RUNS)
        rates = chosen_rates(runs, chosen, config)
        finalists, sgd, own = fresh_tasks(chosen, rates, config)
        print(f"7/9 {list(rates.items())} on the fresh seeds: {len(finalists)} runs", flush=True)
        run_all(finalists, pool, runs, RUNS)
        print(f"8/9 SGD's starts on the fresh seeds: {len(sgd)} runs", flush=True)
        run_all(sgd, pool, runs, RUNS)
        print(f"9/9 each loss's own start on the fresh seeds: {len(own)} runs", flush=True)
        run_all(own, pool, runs, RUNS)
    results = {
        "description": __doc__.splitlines()[0],
        "command": "python studies/detection_study.py",
        "config": config,
        "summary": analyse(runs, config),
        "total_seconds_this_invocation": time.perf_counter() - start,
        **study_runs.provenance(
            workers,
            packages=("pycocotools",),
            where="CPU only; one TensorFlow thread per run",
        ),
    }
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
