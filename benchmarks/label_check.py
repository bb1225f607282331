"""What the label check inside ``fit`` (``FocalLoss(check_labels=True)``) costs, and where it runs.

The check is one ``tf.debugging.Assert`` on ``all(0 <= y_true <= 1)`` in the traced step.
Its cost is timed on notebook 07's model and batch: ``small_mlp`` (16x16 -> 64 -> 10 logits),
batches of 64, ``FocalLoss(gamma=2, alpha=0.25, from_logits=True)``, Adam, TensorFlow graph
mode (``jit_compile=False``, Keras's default on a CPU), one CPU thread, with the check on and
off. Two timings, each of many short calls, the two taking turns so that machine noise hits
both alike (a short call is rarely preempted, so the medians hold on a shared machine):

- a training step: Keras's compiled ``train_function``, one step a call;
- the loss alone: ``tf.function(loss)`` on one batch, where the check is a larger share.

The cost is the difference of the medians, in microseconds and as a share of the unchecked
median, in each of several rounds. Then a label of -1 is trained in each mode (TensorFlow
graph and XLA, JAX's ``jit``) to record what happens. The table goes to stdout and to
``benchmarks/results/label_check.md``.

    python benchmarks/label_check.py [--calls 3000] [--rounds 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "label_check.md"
BATCH = 64
STEPS = 47  # 3,008 examples of 07's training set, batches of 64


def loss(check_labels):
    import focal

    return focal.FocalLoss(gamma=2.0, alpha=0.25, from_logits=True, check_labels=check_labels)


def build(check_labels, jit_compile=False):
    from focal.models import small_mlp

    import keras

    model = small_mlp(seed=0)
    optimizer = keras.optimizers.Adam(1e-2)
    model.compile(optimizer=optimizer, loss=loss(check_labels), jit_compile=jit_compile)
    return model


def data():
    from focal.data import load_multilabel_digits

    digits = load_multilabel_digits()
    return digits.x_train[: STEPS * BATCH], digits.y_train[: STEPS * BATCH]


def medians(calls, count):
    """Each call 100 times as warm-up, then ``count`` rounds in turn; median seconds each."""
    for call in calls.values():
        for _ in range(100):
            call()
    seconds = {name: [] for name in calls}
    for _ in range(count):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in seconds.items()}


def timed_calls():
    """{timing: {"plain": call, "checked": call}} for the training step and the loss alone."""
    import numpy as np
    import tensorflow as tf

    x, y = data()
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH, drop_remainder=True)
    batches = batches.cache().repeat()
    steps, losses = {}, {}
    logits = np.random.default_rng(0).normal(0.0, 3.0, y[:BATCH].shape).astype("float32")
    y_batch, logits = tf.constant(y[:BATCH]), tf.constant(logits)
    for name, check in (("plain", False), ("checked", True)):
        model = build(check)
        model.make_train_function()
        iterator = iter(batches)
        steps[name] = lambda m=model, it=iterator: float(m.train_function(it)["loss"])
        traced = tf.function(loss(check))
        losses[name] = lambda f=traced: f(y_batch, logits).numpy()
    return {"training step": steps, "loss alone": losses}


def timings(calls, rounds):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    rows = []
    for timing, pair in timed_calls().items():
        for round_ in range(1, rounds + 1):
            seconds = medians(pair, calls)
            rows.append({"timing": timing, "round": round_, **seconds})
    return rows


def bad_label_outcome(check_labels, jit_compile):
    """What training on a label of -1 does: raises, or trains."""
    x, y = data()
    x, y = x[: 4 * BATCH], y[: 4 * BATCH].copy()
    y[0, 0] = -1.0
    try:
        build(check_labels, jit_compile).fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    except Exception as error:
        return f"raises {type(error).__name__}"
    return "trains without a word"


def outcomes():
    import keras

    if keras.backend.backend() == "jax":
        return {f"JAX jit, check_labels={c}": bad_label_outcome(c, True) for c in (True, False)}
    return {
        f"TensorFlow {mode}, check_labels={check}": bad_label_outcome(check, jit)
        for mode, jit in (("graph", False), ("XLA (jit_compile)", True))
        for check in (True, False)
    }


def jax_outcomes():
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    command = [sys.executable, __file__, "--child-jax"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(rows, modes, calls):
    import tensorflow as tf
    from loss_speed import machine

    lines = [
        "# Label check inside `fit`",
        "",
        "Written by `benchmarks/label_check.py`.",
        "",
        f"Notebook 07's `small_mlp`, batches of {BATCH}, `FocalLoss(gamma=2, alpha=0.25, "
        "from_logits=True)` with `check_labels` off and on, Adam, TensorFlow "
        f"{tf.__version__} graph mode, 1 thread; medians of {calls} interleaved calls in each "
        f"round. Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end "
        "(other jobs share it).",
        "",
        "| timing | round | unchecked | checked | cost of the check |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        cost = row["checked"] - row["plain"]
        lines.append(
            f"| {row['timing']} | {row['round']} | {1e6 * row['plain']:.0f} µs | "
            f"{1e6 * row['checked']:.0f} µs | {1e6 * cost:+.1f} µs, "
            f"**{100 * cost / row['plain']:+.2f} %** |"
        )
    lines += ["", "A label of -1 in training (`fit` on four batches):", ""]
    lines += [f"- {mode}: {outcome}" for mode, outcome in modes.items()]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child-jax", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_jax:
        return print(json.dumps(outcomes()))
    import focal  # noqa: F401  (first: sets TensorFlow's environment)

    rows = timings(args.calls, args.rounds)
    modes = {**outcomes(), **jax_outcomes()}
    text = report(rows, modes, args.calls)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))  # for loss_speed.machine
    main()
