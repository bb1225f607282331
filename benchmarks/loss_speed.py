"""Forward + backward time of focal.FocalLoss vs keras.losses.BinaryFocalCrossentropy.

Both losses, gamma = 2 and alpha = 0.25 on float32 logits and hard multi-hot targets
(rows x classes, 4096x80 and 65536x80 by default), run in one process, interleaved so that
machine noise hits all alike, in every execution mode of each Keras backend:

- TensorFlow: eager, ``tf.function`` (graph), ``tf.function(jit_compile=True)`` (XLA);
- JAX: ``jax.jit`` (XLA), with the compiled temporaries XLA reports;
- torch, if installed: eager, on logits and on probabilities, on one thread, beside
  torchvision's ``sigmoid_focal_loss`` (torchvision's own if it imports, else its formula,
  the same torch ops, copied here).

The inputs reach each step as arguments (the logits as a ``tf.Variable`` on TensorFlow), never
as constants inside a traced function, where TensorFlow's graph optimiser could fold them.
"floor" is the cheapest op that touches the same memory: it reads logits and targets and
writes one tensor (their product), in the same mode. Ratios below 1 mean focal is faster.
Memory: what the backend reports, per step: JAX, XLA's compiled temporaries; torch, the
peak of the bytes a step holds, as torch's profiler records its allocations. TensorFlow
reports no allocator statistics on a CPU (``tf.config.experimental.get_memory_info`` is for
GPUs), so its rows have none. Each backend runs in a child process (Keras picks its backend
once per process); the tables go to stdout and to ``benchmarks/results/loss_speed.md`` with
the machine they ran on.

    python benchmarks/loss_speed.py [--repeats 100] [--shapes 4096x80,65536x80]
                                    [--backends tensorflow,jax,torch]
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
TARGET = 0.9  # focal / keras, TensorFlow and JAX, every mode
TORCH_TARGET = 1.0  # focal / torchvision and focal / keras, torch


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


def losses(from_logits=True):
    import focal

    import keras

    return {
        "focal": focal.FocalLoss(gamma=2.0, alpha=0.25, from_logits=from_logits),
        "keras": keras.losses.BinaryFocalCrossentropy(
            apply_class_balancing=True, alpha=0.25, gamma=2.0, from_logits=from_logits
        ),
    }


def inputs(shape):
    """(logits, targets) as float32 NumPy arrays: logits ~ N(0, 3), about 5 % positives."""
    import numpy as np

    rng = np.random.default_rng(0)
    return rng.normal(0.0, 3.0, shape).astype("float32"), (rng.random(shape) < 0.05).astype(
        "float32"
    )


def tensorflow_rows(shape, repeats):
    import focal  # noqa: F401  (first: sets TensorFlow's environment)

    import tensorflow as tf

    logits, targets = inputs(shape)
    x, y = tf.Variable(logits), tf.convert_to_tensor(targets)

    def fwd_bwd(loss_fn):
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, x)  # the tape watches x, a trainable variable
            return tape.gradient(loss, x)

        return step

    rows = []
    for mode, wrap in (
        ("eager", lambda f: f),
        ("tf.function", tf.function),
        ("XLA (jit_compile)", lambda f: tf.function(f, jit_compile=True)),
    ):
        functions = {name: wrap(fwd_bwd(fn)) for name, fn in losses().items()}
        functions["floor"] = wrap(lambda x, y: x * y)
        steps = {name: lambda f=f: f(x, y) for name, f in functions.items()}
        seconds = median_seconds(steps, repeats, lambda out: out.numpy())
        rows.append({"backend": "tensorflow", "mode": mode, "inputs": "logits", **seconds})
    return rows


def jax_rows(shape, repeats):
    import jax

    x, y = (jax.numpy.asarray(a) for a in inputs(shape))
    steps, memory = {}, {}
    for name, fn in losses().items():
        step = jax.jit(jax.value_and_grad(lambda x, y, fn=fn: fn(y, x)))
        compiled = step.lower(x, y).compile()
        memory[name] = compiled.memory_analysis().temp_size_in_bytes
        steps[name] = lambda step=step: step(x, y)
    floor = jax.jit(lambda x, y: x * y)
    steps["floor"] = lambda: floor(x, y)
    seconds = median_seconds(steps, repeats, jax.block_until_ready)
    memory = {"what": "XLA temporaries", **memory}
    return [
        {"backend": "jax", "mode": "jax.jit (XLA)", "inputs": "logits", **seconds, "memory": memory}
    ]


def torchvision_focal_loss():
    """(torchvision's sigmoid_focal_loss, where it came from).

    torchvision's own if it imports; else its formula (torchvision/ops/focal_loss.py,
    0.28 and 0.29 alike), the same torch ops, as PyPI's torchvision wheels for Linux are CUDA
    builds that do not load beside a CPU build of torch.
    """
    try:
        import torchvision
        from torchvision.ops import sigmoid_focal_loss

        return sigmoid_focal_loss, f"torchvision {torchvision.__version__}"
    except Exception:  # not installed, or its compiled ops do not load beside this torch
        pass
    import torch
    from torch.nn import functional

    def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
        p = torch.sigmoid(inputs)
        ce_loss = functional.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce_loss * ((1 - p_t) ** gamma)
        if alpha >= 0:
            alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
            loss = alpha_t * loss
        return loss.mean() if reduction == "mean" else loss

    return sigmoid_focal_loss, "torchvision's formula, copied"


def peak_bytes(step):
    """Peak bytes ``step`` holds above what was allocated before it, from torch's profiler
    (``profile_memory``): the running sum of the allocations and frees of its top-level ops
    (a transient inside one op counts only through that op's net allocation)."""
    from torch.profiler import ProfilerActivity, profile

    step()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as profiler:
        step()
    changes = sorted(
        (event.time_range.start, event.cpu_memory_usage)
        for event in profiler.events()
        if event.cpu_parent is None
    )
    held = peak = 0
    for _, change in changes:
        held += change
        peak = max(peak, held)
    return peak


def torch_rows(shape, repeats):
    torchvision_loss, torchvision_source = torchvision_focal_loss()  # before Keras
    import torch

    torch.set_num_threads(1)
    logits, targets = (torch.from_numpy(a) for a in inputs(shape))
    probabilities = torch.sigmoid(logits)

    def fwd_bwd(loss_fn, pred):
        def step():
            x = pred.clone().requires_grad_(True)
            loss_fn(targets, x).backward()
            return x.grad

        return step

    def torchvision_step(y, x):
        return torchvision_loss(x, y, alpha=0.25, gamma=2, reduction="mean")

    rows = []
    for kind, pred in (("logits", logits), ("probabilities", probabilities)):
        fns = losses(from_logits=kind == "logits")
        if kind == "logits":
            fns["torchvision"] = torchvision_step
        steps = {name: fwd_bwd(fn, pred) for name, fn in fns.items()}
        memory = {name: peak_bytes(step) for name, step in steps.items()}
        steps["floor"] = lambda pred=pred: pred * targets
        seconds = median_seconds(steps, repeats, lambda out: out)
        memory["what"] = "peak, torch profiler"
        rows.append(
            {"backend": "torch", "mode": "eager", "inputs": kind, **seconds, "memory": memory}
        )
    rows[0]["torchvision_source"] = torchvision_source
    return rows


ROWS = {"tensorflow": tensorflow_rows, "jax": jax_rows, "torch": torch_rows}


def child(backend, shape, repeats):
    """Run one backend's rows in this process and print them as JSON on the last line."""
    print(json.dumps(ROWS[backend](shape, repeats)))


def run_backend(backend, shape, repeats):
    env = {**os.environ, "KERAS_BACKEND": backend}
    command = [sys.executable, __file__, "--child", backend, "--repeats", str(repeats)]
    command += ["--shapes", "x".join(map(str, shape))]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ms(seconds):
    return f"{1e3 * seconds:.2f} ms"


def _memory(row):
    memory = row.get("memory")
    if not memory:
        return "-"
    return f"{memory['focal'] / 1e6:.1f} / {memory['keras'] / 1e6:.1f} MB ({memory['what']})"


def table(rows, shape, repeats):
    sources = {row["torchvision_source"] for row in rows if "torchvision_source" in row}
    lines = [
        f"Forward + backward, gamma = 2, alpha = 0.25, {shape} float32 inputs (about 5 % "
        f"positives); median of {repeats} interleaved runs. Machine: {machine()}."
        + (
            " torch on one thread; its torchvision column: " + ", ".join(sources) + "."
            if sources
            else ""
        ),
        "",
        "| backend | mode | inputs | `FocalLoss` | Keras `BinaryFocalCrossentropy` | focal / Keras "
        "| torchvision | focal / torchvision | floor | focal / floor | memory, focal / Keras |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        vision = row.get("torchvision")
        lines.append(
            f"| {row['backend']} | {row['mode']} | {row['inputs']} | {_ms(row['focal'])} | "
            f"{_ms(row['keras'])} | **{row['focal'] / row['keras']:.2f}** | "
            + (f"{_ms(vision)} | **{row['focal'] / vision:.2f}** | " if vision else "- | - | ")
            + f"{_ms(row['floor'])} | {row['focal'] / row['floor']:.1f} | {_memory(row)} |"
        )
    return "\n".join(lines) + "\n"


def misses(rows, shape):
    """The rows whose ratios miss their targets, as lines of text."""
    out = []
    for row in rows:
        where = f"{shape} {row['backend']} {row['mode']} {row['inputs']}"
        if row["backend"] != "torch" and row["focal"] > TARGET * row["keras"]:
            out.append(f"{where}: focal / Keras above {TARGET}")
        if row["backend"] == "torch":
            for other in ("keras", "torchvision"):
                if other in row and row["focal"] > TORCH_TARGET * row[other]:
                    out.append(f"{where}: focal / {other} above {TORCH_TARGET}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--shapes", default="4096x80,65536x80", help="rows x classes, ...")
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--child", choices=sorted(ROWS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    shapes = [tuple(int(n) for n in s.split("x")) for s in args.shapes.split(",")]
    if args.child:
        return child(args.child, shapes[0], args.repeats)

    texts, missed = [], []
    for shape in shapes:
        rows = []
        for backend in args.backends.split(","):
            if importlib.util.find_spec(backend) is None:
                print(f"{backend}: not installed, skipped")
                continue
            print(f"{backend} {shape}: timing ...", flush=True)
            rows += run_backend(backend, shape, args.repeats)
        texts.append(table(rows, shape, args.repeats))
        missed += misses(rows, shape)
        print(texts[-1], flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        "# Loss speed\n\nWritten by `benchmarks/loss_speed.py`.\n\n" + "\n".join(texts)
    )
    for line in missed:
        print("target missed:", line)


if __name__ == "__main__":
    main()
