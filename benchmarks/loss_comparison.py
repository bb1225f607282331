"""Does focal loss help? Seven losses, one model, several seeds, on long-tailed multi-label digits.

Every run trains ``focal.models.small_mlp`` (prior-probability bias, Lin et al. 2017 sec. 3.3)
on ``focal.data.load_multilabel_digits()`` with the same optimiser (Adam), the same budget
(epochs, batch size) and, for a given seed, the same initial weights and batch order; only the
loss changes. Each run is scored on the test split with scikit-learn: per-class average
precision (AP), macro and micro AP, the mean AP of the three rarest classes, and two
calibration errors (expected calibration error, ECE, and the Brier score) over all
(example, class) pairs. Writes ``benchmarks/results/loss_comparison.json``, which notebook 06
reads:

    python benchmarks/loss_comparison.py [--seeds 0 1 2 3 4] [--out PATH]

Notebook 06 trains one run live with the same code: ``benchmarks`` is not a package, so the
notebook puts this folder on ``sys.path`` and imports this file as ``loss_comparison``.
Importing it runs nothing.
"""

import focal  # first: sets TensorFlow's environment
from focal import weights
from focal.data import load_multilabel_digits
from focal.metrics import expected_calibration_error
from focal.models import small_mlp
from focal.original import focal_loss as original_focal_loss

import argparse
import json
import platform
import time
from pathlib import Path

import keras
import numpy as np
import scipy
import sklearn
import tensorflow as tf
from sklearn.metrics import average_precision_score, brier_score_loss

RESULTS = Path(__file__).resolve().parent / "results" / "loss_comparison.json"

CONFIG = {
    "data": {"n_train": 4000, "n_test": 2000, "imbalance": 100.0, "head": 0.5, "seed": 0},
    "model": {"hidden": 64, "prior": 0.01},
    "optimizer": {"name": "Adam", "learning_rate": 1e-3},
    "epochs": 25,
    "batch_size": 128,
    "gamma": 2.0,
    "alpha": 0.25,
    "label_smoothing": 0.1,
    "class_weight": {"scheme": "effective_number", "beta": 0.999, "normalize": "mean"},
    "ece_bins": 15,
    "rare_k": 3,
    "seeds": [0, 1, 2, 3, 4],
}

# Short key -> label printed in tables and legends. "bce_w" is a control beside the focal
# variants: it separates the effect of the class weights from that of gamma.
LOSSES = {
    "bce": "BCE",
    "bce_w": "BCE + weights",
    "focal": "focal",
    "focal_w": "focal + weights",
    "focal_w_ls": "focal + weights + LS",
    "keras_focal": "Keras focal",
    "original": "original snippet",
}


def load_data(config=CONFIG):
    """The long-tailed multi-label digits of ``focal.data``, as configured."""
    return load_multilabel_digits(**config["data"])


def class_weights(y_train, config=CONFIG):
    """One weight per class from the training counts, by a scheme of ``focal.weights``.

    The default is the effective number of Cui et al. (2019) with beta = 0.999, normalised
    to mean 1, so the weighted loss keeps the scale of the unweighted one.
    """
    scheme = dict(config["class_weight"])
    counts = weights.counts_from_labels(y_train)
    return getattr(weights, scheme.pop("scheme"))(counts, **scheme).tolist()


def make_loss(name, y_train, config=CONFIG):
    """The loss called ``name`` (a key of ``LOSSES``); all but "original" take logits."""
    gamma, alpha = config["gamma"], config["alpha"]
    if name == "bce":
        return focal.FocalLoss(gamma=0.0, from_logits=True)
    if name == "bce_w":  # a control: is it gamma, or the class weights?
        return focal.FocalLoss(
            gamma=0.0, class_weight=class_weights(y_train, config), from_logits=True
        )
    if name == "focal":
        return focal.FocalLoss(gamma=gamma, alpha=alpha, from_logits=True)
    if name == "focal_w":
        return focal.FocalLoss(
            gamma=gamma, alpha=alpha, class_weight=class_weights(y_train, config), from_logits=True
        )
    if name == "focal_w_ls":
        return focal.FocalLoss(
            gamma=gamma,
            alpha=alpha,
            class_weight=class_weights(y_train, config),
            label_smoothing=config["label_smoothing"],
            from_logits=True,
        )
    if name == "keras_focal":
        return keras.losses.BinaryFocalCrossentropy(
            apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True
        )
    if name == "original":
        counts = weights.counts_from_labels(y_train).tolist()
        return original_focal_loss(counts, gamma=gamma, alpha=alpha, e=config["label_smoothing"])
    raise ValueError(f"`name` must be one of {list(LOSSES)}, got {name!r}.")


def build_model(name, seed, config=CONFIG):
    """small_mlp with initial weights from ``seed``; "original" gets a final sigmoid layer.

    The snippet's loss takes probabilities, so its model outputs sigmoid(logits); the weights
    (and so the initial predictions) are the same as for every other loss.
    """
    model = small_mlp(seed=seed, **config["model"])
    if name == "original":
        model.add(keras.layers.Activation("sigmoid", name="probabilities"))
    return model


def rare_classes(y_train, k=3):
    """The k classes with the fewest positive training labels, rarest first."""
    return np.argsort(weights.counts_from_labels(y_train), kind="stable")[:k]


def evaluate(y_test, probabilities, rare, config=CONFIG):
    """Scikit-learn metrics of one run: AP per class, macro, micro, rare-k; ECE; Brier.

    Also the mean probability on positive and on negative pairs, which shows the direction
    of a calibration error (toward the middle, or toward one side).
    """
    per_class = average_precision_score(y_test, probabilities, average=None)
    positive = np.asarray(y_test) == 1
    return {
        "per_class_ap": per_class.tolist(),
        "macro_ap": float(average_precision_score(y_test, probabilities, average="macro")),
        "micro_ap": float(average_precision_score(y_test, probabilities, average="micro")),
        "rare_ap": float(per_class[rare].mean()),
        "ece": expected_calibration_error(y_test, probabilities, config["ece_bins"]),
        "brier": float(brier_score_loss(np.ravel(y_test), np.ravel(probabilities))),
        "mean_p_positive": float(probabilities[positive].mean()),
        "mean_p_negative": float(probabilities[~positive].mean()),
    }


def train_and_evaluate(name, seed, data, config=CONFIG):
    """Train one run (loss ``name``, ``seed``) and score it on the test split.

    Returns a dict: the metrics of ``evaluate``, "epoch_loss" (the training loss per epoch),
    "seconds" (wall time of fit) and "probabilities" (test predictions, (N, C), NumPy).
    """
    keras.utils.set_random_seed(seed)  # the batch order; the initial weights come from `seed` too
    model = build_model(name, seed, config)
    optimizer = getattr(keras.optimizers, config["optimizer"]["name"])(
        learning_rate=config["optimizer"]["learning_rate"]
    )
    model.compile(optimizer=optimizer, loss=make_loss(name, data.y_train, config))
    start = time.perf_counter()
    history = model.fit(
        data.x_train,
        data.y_train,
        epochs=config["epochs"],
        batch_size=config["batch_size"],
        shuffle=True,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    # A direct call, not model.predict: predict traces a new function for every new model.
    outputs = keras.ops.convert_to_numpy(model(data.x_test, training=False)).astype(np.float64)
    probabilities = outputs if name == "original" else scipy.special.expit(outputs)
    rare = rare_classes(data.y_train, config["rare_k"])
    return {
        **evaluate(data.y_test, probabilities, rare, config),
        "epoch_loss": [float(value) for value in history.history["loss"]],
        "seconds": seconds,
        "probabilities": probabilities,
    }


def versions():
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "focal": focal.__version__,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=CONFIG["seeds"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    config = {**CONFIG, "seeds": args.seeds}
    data = load_data(config)
    rare = rare_classes(data.y_train, config["rare_k"])
    runs, rare_scores = [], {}
    start = time.perf_counter()
    for seed in config["seeds"]:  # seeds outermost: machine noise spreads over every loss alike
        for name in LOSSES:
            run = train_and_evaluate(name, seed, data, config)
            if seed == config["seeds"][0]:
                rare_scores[name] = run["probabilities"][:, rare[0]].round(6).tolist()
            del run["probabilities"]
            runs.append({"loss": name, "seed": seed, **run})
            print(
                f"seed {seed} {LOSSES[name]:<22} macro AP {run['macro_ap']:.3f}  "
                f"rare-{config['rare_k']} AP {run['rare_ap']:.3f}  ECE {run['ece']:.3f}  "
                f"({run['seconds']:.1f} s)",
                flush=True,
            )
    results = {
        "description": __doc__.splitlines()[0],
        "command": "python benchmarks/loss_comparison.py",
        "config": config,
        "losses": LOSSES,
        "class_weight": class_weights(data.y_train, config),
        "train_counts": data.y_train.sum(axis=0).tolist(),
        "rare_classes": rare.tolist(),
        "rarest_class_scores": {"class": int(rare[0]), "seed": config["seeds"][0], **rare_scores},
        "runs": runs,
        "total_seconds": time.perf_counter() - start,
        "versions": versions(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out} ({results['total_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
