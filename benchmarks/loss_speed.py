"""Forward + backward time of focal.FocalLoss vs keras.losses.BinaryFocalCrossentropy.

Both losses, gamma = 2 and alpha = 0.25 on (4096, 80) float32 logits and hard multi-hot
targets, run in one process, interleaved so that machine noise hits both alike, in every
execution mode of each Keras backend:

- TensorFlow: eager, ``tf.function`` (graph), ``tf.function(jit_compile=True)`` (XLA);
- JAX: ``jax.jit`` (XLA), with the compiled temporaries XLA reports;
- torch, if installed: eager.

"floor" is the cheapest op that touches the same memory: it reads logits and targets and
writes one tensor (their product), in the same mode. Ratios below 1 mean focal is faster.
Each backend runs in a child process (Keras picks its backend once per process); the table
goes to stdout and to ``benchmarks/results/loss_speed.md`` with the machine it ran on.

    python benchmarks/loss_speed.py [--repeats 200] [--shape 4096x80] [--backends tensorflow,jax]
"""

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "loss_speed.md"
TARGET = 0.9  # focal / keras, every mode


def machine():
    """One line naming the CPU, its core count and the OS."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line]
        model = names[0] if names else model
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def median_seconds(steps, repeats, wait):
    """Median wall time of each step; the steps take turns so that noise hits all alike."""
    for step in steps.values():
        for _ in range(5):  # warm-up, and tracing / compilation
            wait(step())
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            wait(step())
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def losses():
    import focal

    import keras

    return {
        "focal": focal.FocalLoss(gamma=2.0, alpha=0.25, from_logits=True),
        "keras": keras.losses.BinaryFocalCrossentropy(
            apply_class_balancing=True, alpha=0.25, gamma=2.0, from_logits=True
        ),
    }


def inputs(shape):
    import numpy as np

    rng = np.random.default_rng(0)
    return rng.normal(0.0, 3.0, shape).astype("float32"), (rng.random(shape) < 0.05).astype(
        "float32"
    )


def tensorflow_rows(shape, repeats):
    import focal  # noqa: F401  (first: sets TensorFlow's environment)

    import tensorflow as tf

    logits, targets = (tf.constant(a) for a in inputs(shape))

    def fwd_bwd(loss_fn):
        def step():
            with tf.GradientTape() as tape:
                tape.watch(logits)
                loss = loss_fn(targets, logits)
            return tape.gradient(loss, logits)

        return step

    rows = []
    for mode, wrap in (
        ("eager", lambda f: f),
        ("tf.function", tf.function),
        ("XLA (jit_compile)", lambda f: tf.function(f, jit_compile=True)),
    ):
        steps = {name: wrap(fwd_bwd(fn)) for name, fn in losses().items()}
        steps["floor"] = wrap(lambda: logits * targets)
        seconds = median_seconds(steps, repeats, lambda out: out.numpy())
        rows.append({"backend": "tensorflow", "mode": mode, **seconds})
    return rows


def jax_rows(shape, repeats):
    import jax

    logits, targets = (jax.numpy.asarray(a) for a in inputs(shape))
    steps, temporaries = {}, {}
    for name, fn in losses().items():
        step = jax.jit(jax.value_and_grad(lambda x, y, fn=fn: fn(y, x)))
        compiled = step.lower(logits, targets).compile()
        temporaries[name] = compiled.memory_analysis().temp_size_in_bytes
        steps[name] = lambda step=step: step(logits, targets)
    floor = jax.jit(lambda x, y: x * y)
    steps["floor"] = lambda: floor(logits, targets)
    seconds = median_seconds(steps, repeats, jax.block_until_ready)
    return [{"backend": "jax", "mode": "jax.jit (XLA)", **seconds, "temporaries": temporaries}]


def torch_rows(shape, repeats):
    import torch

    logits, targets = (torch.from_numpy(a) for a in inputs(shape))

    def fwd_bwd(loss_fn):
        def step():
            x = logits.clone().requires_grad_(True)
            loss_fn(targets, x).backward()
            return x.grad

        return step

    steps = {name: fwd_bwd(fn) for name, fn in losses().items()}
    steps["floor"] = lambda: logits * targets
    seconds = median_seconds(steps, repeats, lambda out: out)
    return [{"backend": "torch", "mode": "eager", **seconds}]


ROWS = {"tensorflow": tensorflow_rows, "jax": jax_rows, "torch": torch_rows}


def child(backend, shape, repeats):
    """Run one backend's rows in this process and print them as JSON on the last line."""
    print(json.dumps(ROWS[backend](shape, repeats)))


def run_backend(backend, args):
    env = {**os.environ, "KERAS_BACKEND": backend}
    command = [sys.executable, __file__, "--child", backend, "--repeats", str(args.repeats)]
    command += ["--shape", args.shape]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows, shape, repeats):
    lines = [
        f"Forward + backward, gamma = 2, alpha = 0.25, {shape} float32 logits; median of "
        f"{repeats} interleaved runs. Machine: {machine()}.",
        "",
        "| backend | mode | `FocalLoss` | Keras `BinaryFocalCrossentropy` | ratio | floor | "
        "focal / floor | XLA temporaries, focal / Keras |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        temps = row.get("temporaries")
        temps = f"{temps['focal'] / 1e6:.1f} / {temps['keras'] / 1e6:.1f} MB" if temps else "-"
        lines.append(
            f"| {row['backend']} | {row['mode']} | {1e3 * row['focal']:.2f} ms | "
            f"{1e3 * row['keras']:.2f} ms | **{row['focal'] / row['keras']:.2f}** | "
            f"{1e3 * row['floor']:.2f} ms | {row['focal'] / row['floor']:.1f} | {temps} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--shape", default="4096x80", help="rows x classes")
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--child", choices=sorted(ROWS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    shape = tuple(int(n) for n in args.shape.split("x"))
    if args.child:
        return child(args.child, shape, args.repeats)

    rows = []
    for backend in args.backends.split(","):
        if importlib.util.find_spec(backend) is None:
            print(f"{backend}: not installed, skipped")
            continue
        print(f"{backend}: timing ...", flush=True)
        rows += run_backend(backend, args)
    text = table(rows, shape, args.repeats)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("# Loss speed\n\nWritten by `benchmarks/loss_speed.py`.\n\n" + text)
    misses = [
        r["mode"] for r in rows if r["backend"] != "torch" and r["focal"] > TARGET * r["keras"]
    ]
    if misses:
        print(f"ratio above the {TARGET} target in: {', '.join(misses)}")


if __name__ == "__main__":
    main()
