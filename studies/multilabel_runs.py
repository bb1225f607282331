"""Train and score one multi-label digits run: what the focal-loss and migration studies share.

A run keeps the epoch with the best validation macro AP (``EarlyStopOnValAP``); its test
split is scored once, after training (``evaluate``): per-class, macro and rare-k AP, F1 at
per-class thresholds chosen on validation, and ECE before and after a temperature fitted on
validation.
"""

from focal import weights
from focal.metrics import expected_calibration_error, fit_temperature

import time

import keras
import numpy as np
from scipy import special
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    f1_score,
    log_loss,
    precision_recall_curve,
)


def logits_of(model, x):
    """Float64 logits of ``model`` on ``x``."""
    return keras.ops.convert_to_numpy(model(x, training=False)).astype(np.float64)


def macro_ap(y, scores):
    return float(average_precision_score(y, scores, average="macro"))


class EarlyStopOnValAP(keras.callbacks.Callback):
    """Score validation macro AP after each epoch; keep the best weights; stop on a plateau.

    ``scored`` is the model whose outputs are scored, when it is not the one trained (a
    logits model inside a model that ends in a sigmoid: AP from logits has no float32 ties).
    """

    def __init__(self, x_val, y_val, patience, scored=None):
        super().__init__()
        self.x_val, self.y_val, self.patience, self.scored = x_val, y_val, patience, scored
        self.curve, self.best_weights, self.best_epoch = [], None, 0

    def on_epoch_end(self, epoch, logs=None):
        score = macro_ap(self.y_val, logits_of(self.scored or self.model, self.x_val))
        if not self.curve or score > max(self.curve):  # a tie is no gain (a dead run stops)
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch + 1
        self.curve.append(score)
        if epoch + 1 - self.best_epoch >= self.patience:
            self.model.stop_training = True


def fit_best(model, data, config, scored=None, sample_weight=None):
    """Fit ``model`` on the training split for at most ``config["max_epochs"]`` epochs, stop
    when validation macro AP has not risen for ``config["patience"]``, and keep the best epoch's
    weights. Returns what a run records of its training."""
    stopper = EarlyStopOnValAP(data.x_val, data.y_val, config["patience"], scored=scored)
    start = time.perf_counter()
    history = model.fit(
        data.x_train,
        data.y_train,
        sample_weight=sample_weight,
        epochs=config["max_epochs"],
        batch_size=config["batch_size"],
        shuffle=True,
        callbacks=[stopper],
        verbose=0,
    )
    seconds = time.perf_counter() - start
    model.set_weights(stopper.best_weights)
    return {
        "val_macro_ap": max(stopper.curve),
        "val_curve": stopper.curve,
        "best_epoch": stopper.best_epoch,
        "epochs_run": len(stopper.curve),
        "train_loss": [float(v) for v in history.history["loss"]],
        "seconds": seconds,
    }


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


def prior_shift(logits, train_prior, eval_prior):
    """Move logits trained under class priors pi_c to a test set whose priors are q (Saerens
    et al. 2002; Bayes' rule with the likelihood ratio kept):

        z' = z + log(q / (1 - q)) - log(pi_c / (1 - pi_c)).

    Exact for a calibrated model; a loss that does not estimate p(y | x) gets the same shift.
    """
    return logits + special.logit(eval_prior) - special.logit(np.asarray(train_prior))


def _proper_scores(y, p, ece_bins, suffix):
    """ECE, negative log-likelihood and Brier score over every (example, class) pair."""
    y, p = np.ravel(y), np.ravel(p)
    return {
        f"ece{suffix}": expected_calibration_error(y, p, ece_bins),
        f"nll{suffix}": float(log_loss(y, p, labels=[0, 1])),
        f"brier{suffix}": float(brier_score_loss(y, p)),
    }


def evaluate(data, val_logits, test_logits, rare_k, ece_bins, eval_prior=None):
    """Every test number of one run; validation picks thresholds and temperature only. The
    rare-k AP averages the ``rare_k`` classes with the fewest training positives; ECE, NLL and
    Brier are scored on the raw probabilities, after temperature scaling (``_scaled``) and,
    given the test split's class prior ``eval_prior``, after ``prior_shift`` (``_shifted``)."""
    per_class = average_precision_score(data.y_test, test_logits, average=None)
    thresholds = tuned_thresholds(data.y_val, val_logits)
    f1 = f1_score(data.y_test, test_logits >= thresholds, average=None, zero_division=0)
    temperature = fit_temperature(val_logits, data.y_val)
    before = special.expit(test_logits)
    after = special.expit(test_logits / temperature)
    scores = {
        **_proper_scores(data.y_test, before, ece_bins, ""),
        **_proper_scores(data.y_test, after, ece_bins, "_scaled"),
    }
    if eval_prior is not None:
        shifted = prior_shift(test_logits, data.y_train.mean(axis=0), eval_prior)
        scores.update(_proper_scores(data.y_test, special.expit(shifted), ece_bins, "_shifted"))
    return {
        "per_class_ap": per_class.tolist(),
        "macro_ap": float(per_class.mean()),
        "rare_ap": float(per_class[rare_classes(data, rare_k)].mean()),
        "per_class_f1": f1.tolist(),
        "macro_f1": float(f1.mean()),
        "temperature": temperature,
        **scores,
        "mean_p_positive": float(before[data.y_test == 1].mean()),
        "mean_p_negative": float(before[data.y_test == 0].mean()),
    }
