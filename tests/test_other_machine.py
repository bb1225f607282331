"""The perturbed notebook pass's hook (tests/other_machine) moves training and nothing else.

``make test`` runs the notebooks again with ``FOCAL_NUDGE`` set and the hook on the kernel's
path; if the hook stopped applying (a Keras upgrade moving its optimizer), that pass would
silently repeat the first one. Each case runs in a fresh interpreter, as a kernel would.
"""

import json
import os
import subprocess
import sys

import pytest
from scripts_loader import ROOT

HOOK = ROOT / "tests" / "other_machine"

PROGRAM = """
import json
import focal
import keras
import numpy as np

keras.utils.set_random_seed(0)
x = np.random.default_rng(0).normal(size=(256, 5)).astype("float32")
y = (x[:, :2] > 0).astype("float32")
model = keras.Sequential(
    [keras.Input((5,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(2)]
)
start = [w.tolist() for w in model.get_weights()]
untrained = model.predict(x, verbose=0).tolist()
model.compile(optimizer=keras.optimizers.Adam(0.01), loss=focal.FocalLoss(from_logits=True))
losses = model.fit(x, y, epochs=5, batch_size=32, verbose=0).history["loss"]
print(json.dumps({"start": start, "untrained": untrained, "losses": losses}))
"""


def run(nudge):
    env = {**os.environ, "PYTHONPATH": str(HOOK)}
    if nudge is not None:
        env["FOCAL_NUDGE"] = nudge
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def results():
    return {nudge: run(nudge) for nudge in (None, "0", "1e-2")}


def test_without_a_nudge_the_hook_changes_nothing(results):
    assert results["0"] == results[None]


def test_a_nudge_moves_training(results):
    plain, nudged = results[None]["losses"], results["1e-2"]["losses"]
    assert plain[0] != nudged[0] or plain[-1] != nudged[-1]
    # ... by a little: the same run, not another one
    assert all(abs(a - b) < 0.05 * a for a, b in zip(plain, nudged, strict=True))


def test_a_nudge_leaves_initial_weights_and_untrained_outputs_exact(results):
    for key in ("start", "untrained"):
        assert results["1e-2"][key] == results[None][key]
