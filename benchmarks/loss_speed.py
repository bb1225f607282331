"""Forward + backward time of focal.FocalLoss vs keras.losses.BinaryFocalCrossentropy.

Both losses run in the same process on the same (4096, 80) float32 logits and hard
multi-hot targets, eagerly and inside tf.function, interleaved so that machine noise hits
both alike. Prints the median time of each and the ratio focal / keras (target <= 1.1).

    python benchmarks/loss_speed.py [--repeats 200]
"""

import focal  # first: sets TensorFlow's environment

import argparse
import statistics
import time

import keras
import numpy as np
import tensorflow as tf

SHAPE = (4096, 80)


def make_step(loss_fn, logits, targets, compiled):
    def step():
        with tf.GradientTape() as tape:
            tape.watch(logits)
            loss = loss_fn(targets, logits)
        return loss, tape.gradient(loss, logits)

    return tf.function(step) if compiled else step


def median_seconds(steps, repeats):
    """Median wall time of each step; the steps take turns so that noise hits all alike."""
    for step in steps.values():
        for _ in range(5):  # warm-up, and tracing for tf.function
            step()
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            _, grad = step()
            grad.numpy()  # wait for the result
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    logits = tf.constant(rng.normal(0.0, 3.0, SHAPE), dtype="float32")
    targets = tf.constant(rng.random(SHAPE) < 0.05, dtype="float32")
    losses = {
        "focal": focal.FocalLoss(gamma=2.0, alpha=0.25, from_logits=True),
        "keras": keras.losses.BinaryFocalCrossentropy(
            apply_class_balancing=True, alpha=0.25, gamma=2.0, from_logits=True
        ),
    }
    print(f"forward+backward on {SHAPE} float32 logits, median of {args.repeats} runs")
    print(f"{'mode':<10}{'focal (ms)':>12}{'keras (ms)':>12}{'ratio':>8}")
    for compiled in (False, True):
        steps = {name: make_step(fn, logits, targets, compiled) for name, fn in losses.items()}
        seconds = median_seconds(steps, args.repeats)
        mode = "compiled" if compiled else "eager"
        ratio = seconds["focal"] / seconds["keras"]
        print(
            f"{mode:<10}{1e3 * seconds['focal']:>12.2f}{1e3 * seconds['keras']:>12.2f}{ratio:>8.2f}"
        )


if __name__ == "__main__":
    main()
