"""Formulations of the sigmoid focal loss under JAX's XLA: speed, XLA's cost analysis, and
which of the loss's guarantees each keeps.

Each formulation is a loss on logits, per example (the mean over classes), for gamma and
alpha. A step is ``jax.jit(jax.value_and_grad(...))`` of the batch mean, timed as
``benchmarks/loss_speed.py`` times (``median_seconds``: interleaved runs, median), at
gamma = 2, alpha = 0.25, float32 logits ~ N(0, 3) and about 5 % positive labels, beside
Keras's ``BinaryFocalCrossentropy(apply_class_balancing=True)``. XLA's cost analysis is of
the compiled step at the first shape: its fusions (those in the entry computation, and in
the branches of its conditionals, which run one branch each), the bytes it accesses (every
branch counted) and its temporaries. The guarantees, each checked under ``jax.jit``:

- gamma = 0: the loss equals Keras's ``BinaryCrossentropy`` bit for bit (hard labels);
- FL <= CE: each element's loss is at most Keras's binary cross-entropy, exactly (hard labels);
- finite gradient: gamma = 0.5, logits 0, +-1e-8, +-20, +-1e30, labels 0 and 1;
- soft labels: the loss is y L(p, 1) + (1 - y) L(p, 0), to float32 rounding (rtol 1e-5).

The table goes to stdout and to ``benchmarks/results/jax_formulations.md``.

    python benchmarks/jax_formulations.py [--repeats 100] [--shapes 4096x80,65536x80]
"""

import os

if __name__ == "__main__":  # as a script, it measures JAX; imported, it leaves the backend be
    os.environ["KERAS_BACKEND"] = "jax"

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import focal
from focal import losses, reference

import jax
import jax.numpy as jnp
import keras
import numpy as np
from keras import ops
from loss_speed import inputs, machine, median_seconds

RESULTS = Path(__file__).parent / "results" / "jax_formulations.md"


def _weights(alpha):
    if alpha is None:
        return None, None
    w_pos = ops.convert_to_tensor(alpha, dtype="float32")
    return w_pos, 1.0 - w_pos


def _per_example(terms):
    """A loss (y, x) -> per-example mean over classes, from per-element ``terms(x, y)``."""

    def loss(y, x):
        x, y = ops.convert_to_tensor(x, "float32"), ops.convert_to_tensor(y, "float32")
        per_element = terms(x, y)
        return ops.sum(per_element, axis=-1) / ops.cast(ops.shape(per_element)[-1], "float32")

    return loss


def both_sides(gamma, alpha):
    """(1) The closed form of appendix B on both sides, blended by y (FocalLoss before)."""
    w_pos, w_neg = _weights(alpha)
    return _per_example(
        lambda x, y: losses._both_sides_terms(x, y, gamma, gamma, 0.0, w_pos, w_neg)
    )


def autodiff(gamma, alpha):
    """(2) The same forward as (1), y L(p, 1) + (1 - y) L(p, 0), differentiated by JAX."""
    w_pos, w_neg = _weights(alpha)

    def terms(x, y):
        parts = losses._logit_parts(losses._finite(x), gamma, gamma, 0.0)
        return y * parts.positive(w_pos) + (1.0 - y) * parts.negative(w_neg)

    return _per_example(terms)


def keras_style(gamma, alpha):
    """(3) p_t = y p + (1 - y)(1 - p), alpha_t likewise, L = alpha_t (1 - p_t)^gamma CE,
    differentiated by JAX (Keras's form)."""

    def terms(x, y):
        ce = jnp.maximum(x, 0.0) - x * y + jnp.log1p(jnp.exp(-jnp.abs(x)))
        p = jax.nn.sigmoid(x)
        p_t = y * p + (1.0 - y) * (1.0 - p)
        loss = jnp.power(1.0 - p_t, gamma) * ce
        if alpha is not None:
            loss = (y * alpha + (1.0 - y) * (1.0 - alpha)) * loss
        return loss

    return _per_example(terms)


def _label_side_terms(gamma, alpha):
    """Per-element terms of each label's own side (``losses._LabelSide``), closed form."""
    w_pos, w_neg = _weights(alpha)

    @ops.custom_gradient
    def terms(x, y):
        side = losses._LabelSide(x, y, ops.exp(-ops.abs(x)), gamma, gamma, w_pos, w_neg)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return upstream * side.d_x(), ops.zeros_like(y)

        return side.loss(), grad

    return terms


def label_side(gamma, alpha):
    """(4) Each label's side only, z = +-x: for hard labels alone."""
    return _per_example(_label_side_terms(gamma, alpha))


def cond_outside(gamma, alpha):
    """(5b) (4) or (1), picked by a conditional on all labels being 0 or 1, around the two
    custom gradients."""
    w_pos, w_neg = _weights(alpha)
    side = _label_side_terms(gamma, alpha)

    def terms(x, y):
        return ops.cond(
            ops.all((y == 0) | (y == 1)),
            lambda: side(x, y),
            lambda: losses._both_sides_terms(x, y, gamma, gamma, 0.0, w_pos, w_neg),
        )

    return _per_example(terms)


def focal_loss(gamma, alpha):
    """(5) ``focal.FocalLoss`` now: one custom gradient, a conditional in its forward and in
    its backward pass, exp(-|x|) shared (``losses._focal_terms_by_labels``)."""
    return focal.FocalLoss(gamma=gamma, alpha=alpha, from_logits=True, reduction="none")


def keras_reference(gamma, alpha):
    """Keras's ``BinaryFocalCrossentropy``, the reference."""
    return keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=alpha is not None,
        alpha=0.25 if alpha is None else alpha,
        gamma=gamma,
        from_logits=True,
        reduction="none",
    )


FORMULATIONS = {
    "(1) closed form, both sides (FocalLoss before)": both_sides,
    "(2) autodiff of (1)'s forward": autodiff,
    "(3) Keras-style p_t, autodiff": keras_style,
    "(4) label side only": label_side,
    "(5b) label side / both sides, conditional outside the custom gradients": cond_outside,
    "(5) label side / both sides, conditional inside (FocalLoss now)": focal_loss,
    "Keras BinaryFocalCrossentropy": keras_reference,
}


def _jit_values(loss, y, x):
    return np.asarray(jax.jit(lambda y, x: loss(y, x))(y, x))


def broken_guarantees(make):
    """The names of the guarantees ``make``'s loss breaks, checked under jax.jit."""
    rng = np.random.default_rng(3)
    wide = np.concatenate([rng.normal(0.0, 3.0, 400), rng.uniform(-60.0, 60.0, 200)])
    wide = np.concatenate([wide, [0.0, 17.0, -17.0, 90.0]]).astype("float32")
    labels = (rng.random(wide.size) < 0.5).astype("float32")
    broken = []

    bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction="none")
    y4, x4 = labels.reshape(-1, 4), wide.reshape(-1, 4)
    if not np.array_equal(_jit_values(make(0.0, None), y4, x4), _jit_values(bce, y4, x4)):
        broken.append("gamma = 0 is BCE")

    y1, x1 = labels[:, None], wide[:, None]
    ce = _jit_values(bce, y1, x1)
    if any(np.any(_jit_values(make(g, 0.25), y1, x1) > ce) for g in (0.5, 2.0)):
        broken.append("FL <= CE")

    edge = np.array([0.0, 1e-8, -1e-8, 20.0, -20.0, 1e30, -1e30], "float32")
    x_edge = np.concatenate([edge, edge])[:, None]
    y_edge = np.repeat([0.0, 1.0], edge.size).astype("float32")[:, None]
    loss = make(0.5, None)
    grad = jax.jit(jax.grad(lambda x, y: jnp.sum(loss(y, x))))(x_edge, y_edge)
    if not np.all(np.isfinite(np.asarray(grad))):
        broken.append("finite gradient")

    x_soft = rng.normal(0.0, 3.0, (64, 4)).astype("float32")
    y_soft = rng.random((64, 4)).astype("float32")
    expected = reference.soft_focal_loss(reference.sigmoid(x_soft), y_soft, 2.0, alpha=0.25)
    got = _jit_values(make(2.0, 0.25), y_soft, x_soft)
    if not np.allclose(got, expected.mean(axis=-1), rtol=1e-5, atol=0.0):
        broken.append("soft labels")
    return broken


def _fusions(text):
    """(fusions in the entry computation, fusions in the conditionals' branches)."""
    computations = {}
    for block in text.split("\n\n"):
        match = re.search(r"^(?:ENTRY )?%(\S+) ", block.strip(), re.MULTILINE)
        if match:
            computations[match.group(1)] = block
    entry = text[text.index("ENTRY") :]
    branches = re.findall(r"branch_computations=\{([^}]*)\}", entry)
    names = [name.strip().lstrip("%") for group in branches for name in group.split(",")]
    in_branches = sum(len(re.findall(r" fusion\(", computations.get(n, ""))) for n in names)
    return len(re.findall(r" fusion\(", entry)), in_branches


def step(loss):
    return jax.jit(jax.value_and_grad(lambda x, y: jnp.mean(loss(y, x))))


def cost(loss, shape):
    x, y = (jnp.asarray(a) for a in inputs(shape))
    compiled = step(loss).lower(x, y).compile()
    analysis = compiled.cost_analysis()
    analysis = analysis[0] if isinstance(analysis, list) else analysis
    entry, in_branches = _fusions(compiled.as_text())
    return {
        "fusions": f"{entry}" + (f" + {in_branches} in branches" if in_branches else ""),
        "bytes": analysis["bytes accessed"],
        "temporaries": compiled.memory_analysis().temp_size_in_bytes,
    }


def seconds(shape, repeats):
    x, y = (jnp.asarray(a) for a in inputs(shape))
    steps = {}
    for name, make in FORMULATIONS.items():
        compiled = step(make(2.0, 0.25))
        steps[name] = lambda compiled=compiled: compiled(x, y)
    return median_seconds(steps, repeats, jax.block_until_ready)


def table(rows, shapes, repeats):
    shape_names = [f"{r}x{c}" for r, c in shapes]
    head = "| formulation | " + " | ".join(f"{s} | / Keras" for s in shape_names)
    head += f" | fusions ({shape_names[0]}) | bytes accessed | temporaries | breaks |"
    lines = [
        f"jax.jit(jax.value_and_grad) step, gamma = 2, alpha = 0.25, float32, about 5 % "
        f"positives; median of {repeats} interleaved runs. Machine: {machine()}. XLA cost "
        f"analysis at {shape_names[0]}; the guarantees are checked under jax.jit.",
        "",
        head,
        "|---|" + "---|---|" * len(shapes) + "---|---|---|---|",
    ]
    keras_name = "Keras BinaryFocalCrossentropy"
    for name, row in rows.items():
        times = " | ".join(
            f"{1e3 * t:.2f} ms | **{t / rows[keras_name]['seconds'][i]:.2f}**"
            for i, t in enumerate(row["seconds"])
        )
        lines.append(
            f"| {name} | {times} | {row['fusions']} | {row['bytes'] / 1e6:.1f} MB | "
            f"{row['temporaries'] / 1e6:.1f} MB | {', '.join(row['broken']) or 'none'} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--shapes", default="4096x80,65536x80", help="rows x classes, ...")
    args = parser.parse_args()
    shapes = [tuple(int(n) for n in s.split("x")) for s in args.shapes.split(",")]
    rows = {}
    for name, make in FORMULATIONS.items():
        print(f"{name}: cost analysis and guarantees ...", flush=True)
        rows[name] = {**cost(make(2.0, 0.25), shapes[0]), "broken": broken_guarantees(make)}
    per_shape = []
    for shape in shapes:
        print(f"{shape}: timing ...", flush=True)
        per_shape.append(seconds(shape, args.repeats))
    for name in rows:
        rows[name]["seconds"] = [times[name] for times in per_shape]
    text = table(rows, shapes, args.repeats)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        "# Focal loss formulations under JAX's XLA\n\n"
        "Written by `benchmarks/jax_formulations.py`.\n\n" + text
    )


if __name__ == "__main__":
    main()
