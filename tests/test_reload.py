"""The README's reload snippet, run as a serving process would run it: in a fresh interpreter.

A ``.keras`` file names focal's classes; Keras finds them only once ``import focal`` has
registered them, and its error does not name the import (README, "Reload a saved model").
Each load runs in its own interpreter, since this one has imported focal.
"""

import focal  # first: sets TensorFlow's environment

import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from scripts_loader import ROOT

REPORT = """
import json
import numpy as np
predictions = model.predict(np.load("x.npy"), verbose=0)
print(json.dumps({"loss": model.loss.get_config(), "predictions": predictions.tolist()}))
"""


def readme_snippet():
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    (snippet,) = [block for block in blocks if "load_model(" in block]
    return snippet


def without_import_focal(snippet):
    return "\n".join(line for line in snippet.splitlines() if not line.startswith("import focal"))


def run_fresh(code, folder):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True
    )


def save(folder, bias_initializer):
    """A functional model with focal's loss, trained one step, saved as folder/model.keras."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = (rng.random((16, 3)) < 0.3).astype("float32")
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    outputs = keras.layers.Dense(3, bias_initializer=bias_initializer)(hidden)
    model = keras.Model(inputs, outputs)
    loss = focal.FocalLoss(gamma=1.5, alpha=0.25, label_smoothing=0.1, from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss=loss)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # weights and bias move off their start
    model.save(folder / "model.keras")
    np.save(folder / "x.npy", x)
    return model.predict(x, verbose=0), loss.get_config()


@pytest.fixture(scope="module")
def with_prior(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prior")
    return folder, *save(folder, focal.PriorProbability([0.5, 0.1, 0.01]))


def test_the_readme_snippet_reloads_the_model_in_a_fresh_process(with_prior):
    folder, predictions, config = with_prior
    done = run_fresh(readme_snippet() + REPORT, folder)
    assert done.returncode == 0, done.stderr[-2000:]
    reloaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert reloaded["loss"] == config
    np.testing.assert_array_equal(np.array(reloaded["predictions"], np.float32), predictions)


def test_without_import_focal_keras_fails_and_does_not_name_the_import(
    with_prior, tmp_path_factory
):
    snippet = without_import_focal(readme_snippet())
    assert "load_model(" in snippet and "focal" not in snippet.split("load_model")[0]
    # A PriorProbability bias: the model's class is blamed; the cause is the last line.
    done = run_fresh(snippet, with_prior[0])
    assert done.returncode != 0
    blamed = r"TypeError: <class '[\w.]*Functional'> could not be deserialized properly"
    assert re.search(blamed, done.stderr)
    cause = done.stderr.strip().splitlines()[-1]
    assert cause.startswith("Exception encountered: Could not interpret initializer identifier")
    assert "'module': 'focal.initializers'" in cause
    assert "import focal" not in done.stderr
    # Only the loss is focal's: Keras names the class and asks for imports in general.
    folder = tmp_path_factory.mktemp("zeros")
    save(folder, "zeros")
    done = run_fresh(snippet, folder)
    assert done.returncode != 0
    assert "TypeError: Could not locate class 'FocalLoss'" in done.stderr
    assert "'module': 'focal.losses'" in done.stderr and "import focal" not in done.stderr
