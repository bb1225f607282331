"""benchmarks/loss_speed.py: its rows on a tiny shape (each backend's own, in this process),
its inputs fed as arguments, its copy of torchvision's formula, and its table."""

import keras
import numpy as np
import pytest
from scripts_loader import load_script

speed = load_script("loss_speed", "benchmarks")


def test_table_shows_every_column_and_misses_name_the_rows():
    rows = [
        {"backend": "tensorflow", "mode": "eager", "inputs": "logits", "focal": 1.0, "keras": 1.0,
         "floor": 0.1},
        {"backend": "jax", "mode": "jax.jit (XLA)", "inputs": "logits", "focal": 0.8, "keras": 1.0,
         "floor": 0.1, "memory": {"what": "XLA temporaries", "focal": 2e6, "keras": 1e6}},
        {"backend": "torch", "mode": "eager", "inputs": "logits", "focal": 2.0, "keras": 3.0,
         "torchvision": 1.0, "floor": 0.1, "torchvision_source": "torchvision's formula, copied",
         "memory": {"what": "peak, torch profiler", "focal": 1e6, "keras": 3e6}},
    ]  # fmt: skip
    text = speed.table(rows, (8, 4), 3)
    assert "torchvision's formula, copied" in text
    assert (
        "| torch | eager | logits | 2000.00 ms | 3000.00 ms | **0.67** | 1000.00 ms | **2.00** |"
        in text
    )
    assert "2.0 / 1.0 MB (XLA temporaries)" in text
    missed = speed.misses(rows, (8, 4))
    assert len(missed) == 2
    assert "tensorflow eager logits: focal / Keras" in missed[0]
    assert "torch eager logits: focal / torchvision" in missed[1]


@pytest.mark.tensorflow
def test_tensorflow_rows_feed_the_logits_as_a_variable():
    rows = speed.tensorflow_rows((8, 4), 1)
    assert [row["mode"] for row in rows] == ["eager", "tf.function", "XLA (jit_compile)"]
    assert all(row["focal"] > 0 and row["keras"] > 0 for row in rows)


@pytest.mark.jax
def test_jax_rows_report_xla_temporaries():
    (row,) = speed.jax_rows((8, 4), 1)
    assert row["memory"]["what"] == "XLA temporaries"


@pytest.mark.torch
def test_torch_rows_and_torchvision_formula():
    import focal

    import torch

    loss, _ = speed.torchvision_focal_loss()
    x, y = (torch.from_numpy(a) for a in speed.inputs((64, 8)))
    ours = focal.FocalLoss(gamma=2.0, alpha=0.25, from_logits=True)(y, x)
    theirs = loss(x, y, alpha=0.25, gamma=2, reduction="mean")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours), theirs.numpy(), rtol=1e-6)
    threads = torch.get_num_threads()
    rows = speed.torch_rows((64, 8), 1)
    assert [row["inputs"] for row in rows] == ["logits", "probabilities"]
    assert "torchvision" in rows[0] and "torchvision" not in rows[1]
    assert all(row["memory"]["focal"] > 0 for row in rows)
    assert torch.get_num_threads() == 1
    torch.set_num_threads(threads)
