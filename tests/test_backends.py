"""`focal` on each Keras backend: only the active framework is imported, and the loss agrees.

Each check runs in a fresh interpreter, since Keras picks its backend once per process.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.tensorflow  # run once, from the TensorFlow run of the suite

PROBE = """
import json, sys
import numpy as np
import focal
import keras
x = np.linspace(-8.0, 8.0, 12).reshape(3, 4).astype("float32")
y = (np.arange(12).reshape(3, 4) % 3 == 0).astype("float32")
loss = focal.FocalLoss(gamma=2.0, alpha=0.25, margin=0.05, from_logits=True, reduction="none")
try:
    loss(2 * y, x)
    raised = ""
except ValueError as error:
    raised = str(error)
print(json.dumps({
    "backend": keras.backend.backend(),
    "modules": sorted(m for m in ("tensorflow", "jax", "torch") if m in sys.modules),
    "loss": keras.ops.convert_to_numpy(loss(y, x)).tolist(),
    "raised": raised,
}))
"""


def probe(backend):
    env = {**os.environ, "KERAS_BACKEND": backend}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def installed(backend):
    return importlib.util.find_spec(backend) is not None


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_only_the_active_framework_is_imported(backend):
    if not installed(backend):
        pytest.skip(f"{backend} is not installed")
    result = probe(backend)
    assert result["backend"] == backend
    assert backend in result["modules"]
    assert "tensorflow" not in result["modules"]  # (Keras on torch may import JAX itself)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_backends_agree_and_check_labels(backend):
    if not installed(backend):
        pytest.skip(f"{backend} is not installed")
    reference, other = probe("tensorflow"), probe(backend)
    np.testing.assert_allclose(other["loss"], reference["loss"], rtol=1e-6)
    assert "`y_true` must hold values in [0, 1]" in other["raised"]
    assert other["raised"] == reference["raised"]
